//! Package configurations (the package deployment model of SSIS 2005–2008,
//! still run by dtexec): with `EnableConfigurations` on, each
//! `<DTS:Configuration>` sets property values when the package is loaded.
//!
//! Supported here: XML configuration files (type 1; 5 with the file's path in
//! an environment variable), environment variables (2), parent package
//! variables (0; 4 with the variable's name in an environment variable) and
//! SQL Server configuration tables (7; 9 indirect) read through the
//! package's connection manager ([`sql_table`]). Registry entries (3, 6)
//! and INI files (8, 10) are refused by [`unsupported`](crate::unsupported)
//! before anything runs.
//!
//! What SSIS does when a source is missing, this does too: a warning, and
//! the value saved in the package is kept. Windows drive paths of
//! configuration files are mapped as SSIS on Linux maps them (the drive is
//! dropped, `\` becomes `/`: `D:\etl\a.dtsConfig` is `/etl/a.dtsConfig`).
//!
//! Order (SSIS 2008 and later): the package's configurations, then the
//! command line (`/CONFIGFILE`, `/SET`, `/CONN`, `/PAR`), then the package's
//! configurations again, so a value a configuration sets wins over `/SET`;
//! parent package variables last, when the child starts. 2005 packages
//! (format 2) apply their configurations once, before the command line.

mod sql_table;

use crate::cmdline::{self, SetOverride, SetTarget};
use crate::model::{Executable, Package, PackageConfiguration};
use ssis_core::error::{Error, ErrorKind, Result};
use std::path::PathBuf;

/// `ConfigurationType` codes (`DTSConfigurationType`).
const PARENT_VARIABLE: i32 = 0;
const CONFIG_FILE: i32 = 1;
const ENV_VARIABLE: i32 = 2;
const I_PARENT_VARIABLE: i32 = 4;
const I_CONFIG_FILE: i32 = 5;
const SQL_SERVER: i32 = 7;
const I_SQL_SERVER: i32 = 9;

/// What the package's configurations (other than parent variables) set.
#[derive(Debug, Default)]
pub struct Resolved {
    /// The overrides, in order.
    pub sets: Vec<SetOverride>,
    /// One warning per source that could not be read (the saved value stays).
    pub warnings: Vec<String>,
}

/// Why configuration `c` cannot be applied here at all, if it cannot.
pub fn unsupported_reason(c: &PackageConfiguration) -> Option<String> {
    let what = match c.kind {
        PARENT_VARIABLE | CONFIG_FILE | ENV_VARIABLE | I_PARENT_VARIABLE | I_CONFIG_FILE
        | SQL_SERVER | I_SQL_SERVER => {
            return None;
        }
        3 | 6 => "a Windows registry entry configuration, and there is no registry here",
        8 | 10 => "an INI file configuration, which SSIS itself never implemented",
        _ => "of an unknown ConfigurationType",
    };
    Some(format!(
        "configuration '{}' (ConfigurationType {}) is {what}; run the package with --fallback \
         and a dtexec, or move the values to an XML configuration file",
        c.name, c.kind
    ))
}

/// What stops configuration `c` of `pkg` before anything runs: its type
/// (see [`unsupported_reason`]), or a SQL Server configuration whose
/// connection manager cannot reach its table from here.
pub fn problem(pkg: &Package, c: &PackageConfiguration) -> Option<String> {
    unsupported_reason(c).or_else(|| {
        (c.kind == SQL_SERVER)
            .then(|| sql_table::problem(pkg, c))
            .flatten()
    })
}

/// Whether `c` takes its value from the parent package.
pub fn is_parent_variable(c: &PackageConfiguration) -> bool {
    matches!(c.kind, PARENT_VARIABLE | I_PARENT_VARIABLE)
}

/// The configurations that apply: none unless `EnableConfigurations` is on.
pub fn enabled(pkg: &Package) -> &[PackageConfiguration] {
    if pkg.enable_configurations {
        &pkg.configurations
    } else {
        &[]
    }
}

/// Reads the package's configurations other than parent variables, with
/// `env` reading environment variables. A configuration file that does not
/// parse, or a target path that is not one, is an error (`Package`).
pub fn resolve(pkg: &Package, env: &dyn Fn(&str) -> Option<String>) -> Result<Resolved> {
    let mut out = Resolved::default();
    for c in enabled(pkg) {
        match c.kind {
            CONFIG_FILE => file(c, c.string.trim(), &mut out)?,
            I_CONFIG_FILE => match env(c.string.trim()) {
                Some(path) => file(c, path.trim(), &mut out)?,
                None => out.warnings.push(missing_env(c)),
            },
            ENV_VARIABLE => match env(c.string.trim()) {
                Some(value) => out.sets.push(target(c, value)?),
                None => out.warnings.push(missing_env(c)),
            },
            SQL_SERVER => out.sets.extend(sql_table::read(pkg, c, &c.string)?),
            I_SQL_SERVER => match env(c.string.trim()) {
                Some(s) => out.sets.extend(sql_table::read(pkg, c, &s)?),
                None => out.warnings.push(missing_env(c)),
            },
            _ => {}
        }
    }
    let (kept, missing) = existing(pkg, std::mem::take(&mut out.sets));
    out.sets = kept;
    out.warnings.extend(missing);
    Ok(out)
}

/// The override a single-value configuration makes: `value` set at its
/// `ConfigurationVariable`.
pub fn target(c: &PackageConfiguration, value: String) -> Result<SetOverride> {
    let mut o = cmdline::parse_path(&c.target, value, "ConfigurationVariable")
        .map_err(|e| bad(c, format!("its target {}", e.message)))?;
    o.path = format!("{} (configuration '{}')", o.path, c.name);
    Ok(o)
}

/// The parent variable a parent-variable configuration reads (`None`, with
/// a warning, when its environment variable is missing).
pub fn parent_variable(
    c: &PackageConfiguration,
    env: &dyn Fn(&str) -> Option<String>,
) -> std::result::Result<String, String> {
    if c.kind == I_PARENT_VARIABLE {
        env(c.string.trim())
            .map(|v| v.trim().to_string())
            .ok_or_else(|| missing_env(c))
    } else {
        Ok(c.string.trim().to_string())
    }
}

/// Splits configuration overrides into those whose object exists in `pkg`
/// and a warning for each other one (SSIS warns that the package path
/// names an object that cannot be found, and goes on).
pub fn existing(pkg: &Package, sets: Vec<SetOverride>) -> (Vec<SetOverride>, Vec<String>) {
    let mut warnings = Vec::new();
    let kept = sets
        .into_iter()
        .filter(|s| {
            let found = match &s.target {
                SetTarget::Connection(_) => pkg.connection(&s.variable).is_some(),
                SetTarget::Property(_) => executable(&pkg.root, &s.scope).is_some(),
                SetTarget::Variable => {
                    s.variable.starts_with('$')
                        || executable(&pkg.root, &s.scope).is_some_and(|e| {
                            e.variables.iter().any(|v| {
                                v.name == s.variable
                                    || format!("{}::{}", v.namespace, v.name) == s.variable
                            })
                        })
                }
            };
            if !found {
                warnings.push(format!(
                    "the configuration path '{}' names an object the package does not have; \
                     it is ignored",
                    s.path
                ));
            }
            found
        })
        .collect();
    (kept, warnings)
}

fn executable<'a>(exe: &'a Executable, path: &str) -> Option<&'a Executable> {
    if exe.path.eq_ignore_ascii_case(path) {
        return Some(exe);
    }
    exe.body()?
        .executables
        .iter()
        .find_map(|c| executable(c, path))
}

pub(crate) fn bad(c: &PackageConfiguration, why: String) -> Error {
    Error::new(
        ErrorKind::Package,
        format!("package configuration '{}': {why}", c.name),
    )
}

fn missing_env(c: &PackageConfiguration) -> String {
    format!(
        "configuration '{}': the environment variable '{}' is not set; the value saved in \
         the package is used",
        c.name,
        c.string.trim()
    )
}

fn file(c: &PackageConfiguration, path: &str, out: &mut Resolved) -> Result<()> {
    let local = local_path(path);
    if !local.is_file() {
        let mapped = if local.as_os_str() == path {
            String::new()
        } else {
            format!(" (here '{}')", local.display())
        };
        out.warnings.push(format!(
            "configuration '{}': the configuration file '{path}'{mapped} cannot be found; the \
             values saved in the package are used",
            c.name
        ));
        return Ok(());
    }
    let sets = crate::read_config_file(&local).map_err(|e| {
        bad(
            c,
            e.message.replace("/CONFIGFILE ", "the configuration file "),
        )
    })?;
    out.sets.extend(sets);
    Ok(())
}

/// A configuration file's path on this system: on Unix a Windows drive path
/// loses its drive and its backslashes, as SSIS on Linux maps it.
pub fn local_path(path: &str) -> PathBuf {
    let b = path.as_bytes();
    let drive = b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'\\';
    if cfg!(unix) && drive {
        PathBuf::from(path[2..].replace('\\', "/"))
    } else {
        PathBuf::from(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conf(kind: i32, string: &str, target: &str) -> PackageConfiguration {
        PackageConfiguration {
            name: "C".into(),
            kind,
            string: string.into(),
            target: target.into(),
        }
    }

    #[cfg(unix)]
    #[test]
    fn drive_paths_map_as_ssis_on_linux_maps_them() {
        assert_eq!(
            local_path(r"D:\home\ssis\a.dtsConfig"),
            PathBuf::from("/home/ssis/a.dtsConfig")
        );
        assert_eq!(
            local_path("/etc/a.dtsConfig"),
            PathBuf::from("/etc/a.dtsConfig")
        );
        assert_eq!(
            local_path(r"\\srv\share\a"),
            PathBuf::from(r"\\srv\share\a")
        );
    }

    #[test]
    fn only_registry_and_ini_configurations_are_refused() {
        for k in [0, 1, 2, 4, 5, 7, 9] {
            assert_eq!(unsupported_reason(&conf(k, "", "")), None, "type {k}");
        }
        let reg = unsupported_reason(&conf(3, r"HKCU\X", "")).unwrap();
        assert!(reg.starts_with("configuration 'C' (ConfigurationType 3) is a Windows registry"));
        assert_eq!(unsupported_reason(&conf(7, "", "")), None);
        let ini = unsupported_reason(&conf(8, "", "")).unwrap();
        assert!(ini.contains("an INI file configuration"), "{ini}");
        assert!(
            unsupported_reason(&conf(42, "", ""))
                .unwrap()
                .contains("unknown")
        );
    }

    #[test]
    fn an_environment_variable_sets_its_target_or_warns() {
        let mut pkg = crate::model::load_package_bytes(
            br#"<DTS:Executable xmlns:DTS="www.microsoft.com/SqlServer/Dts" DTS:ObjectName="P"
                 DTS:ExecutableType="Microsoft.Package" DTS:EnableConfig="True">
                 <DTS:Property DTS:Name="PackageFormatVersion">8</DTS:Property>
                 <DTS:Variables><DTS:Variable DTS:Namespace="User" DTS:ObjectName="Color">
                 <DTS:VariableValue DTS:DataType="8">saved</DTS:VariableValue></DTS:Variable>
                 </DTS:Variables></DTS:Executable>"#,
            std::path::Path::new("p.dtsx"),
        )
        .unwrap();
        assert!(pkg.enable_configurations);
        let t = r"\Package.Variables[User::Color].Properties[Value]";
        pkg.configurations = vec![conf(2, "COLOR", t), conf(2, "NOPE", t)];
        let env = |n: &str| (n == "COLOR").then(|| "Red".to_string());
        let r = resolve(&pkg, &env).unwrap();
        assert_eq!(r.sets.len(), 1);
        assert_eq!(
            (
                r.sets[0].scope.as_str(),
                r.sets[0].variable.as_str(),
                r.sets[0].value.as_str()
            ),
            ("Package", "User::Color", "Red")
        );
        assert_eq!(
            r.warnings,
            vec![
                "configuration 'C': the environment variable 'NOPE' is not set; the value saved \
                 in the package is used"
                    .to_string()
            ]
        );
        pkg.enable_configurations = false;
        assert!(resolve(&pkg, &env).unwrap().sets.is_empty());
    }

    #[test]
    fn indirect_configurations_read_their_string_from_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.dtsConfig");
        std::fs::write(
            &file,
            r#"<DTSConfiguration><Configuration ConfiguredType="Property"
               Path="\Package.Variables[User::Color].Properties[Value]" ValueType="String">
               <ConfiguredValue>Teal</ConfiguredValue></Configuration></DTSConfiguration>"#,
        )
        .unwrap();
        let mut pkg = crate::model::load_package_bytes(
            br#"<DTS:Executable xmlns:DTS="www.microsoft.com/SqlServer/Dts" DTS:ObjectName="P">
                 <DTS:Property DTS:Name="PackageFormatVersion">3</DTS:Property>
                 <DTS:Property DTS:Name="EnableConfigurations">-1</DTS:Property>
                 <DTS:Variable><DTS:Property DTS:Name="Namespace">User</DTS:Property>
                 <DTS:VariableValue DTS:DataType="8">saved</DTS:VariableValue>
                 <DTS:Property DTS:Name="ObjectName">Color</DTS:Property></DTS:Variable>
                 </DTS:Executable>"#,
            std::path::Path::new("p.dtsx"),
        )
        .unwrap();
        pkg.configurations = vec![conf(5, "CONF_PATH", ""), conf(4, "PARENT_NAME", "")];
        let path = file.to_str().unwrap().to_string();
        let env = move |n: &str| match n {
            "CONF_PATH" => Some(path.clone()),
            "PARENT_NAME" => Some(" User::Shade ".to_string()),
            _ => None,
        };
        let r = resolve(&pkg, &env).unwrap();
        assert_eq!(r.warnings, Vec::<String>::new());
        assert_eq!(r.sets.len(), 1);
        assert_eq!(
            (r.sets[0].variable.as_str(), r.sets[0].value.as_str()),
            ("User::Color", "Teal")
        );
        assert_eq!(
            parent_variable(&pkg.configurations[1], &env),
            Ok("User::Shade".into())
        );
        assert_eq!(
            parent_variable(&pkg.configurations[1], &|_| None),
            Err(
                "configuration 'C': the environment variable 'PARENT_NAME' is not set; the \
                 value saved in the package is used"
                    .into()
            )
        );
    }
}
