//! What to start for a run request: the package (stored or a file) and the
//! executor's command line, in dtexec's syntax.

use ssis_core::config::{ServiceConfig, TopLevelFolder};
use ssis_core::error::{Error, Result};
use ssis_core::ops::Workspace;
use ssis_core::protocol::executions::{RunParams, VariableOverride};
use ssis_core::store::StorePath;
use std::path::{Path, PathBuf};

/// The package a run request names.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// Package name.
    pub package_name: String,
    /// Store path (stored packages).
    pub package_path: Option<String>,
    /// The file to run (package files and File System store packages).
    pub package_file: Option<PathBuf>,
    /// Top-level folder name, or `File`.
    pub store: String,
    /// dtexec's package arguments: `/F file` or `/SQL path /SERVER name`.
    pub package_args: Vec<String>,
}

/// The program that runs packages.
#[derive(Debug, Clone, PartialEq)]
pub enum Executor {
    /// This binary's `ssis exec` (with `--events json`).
    BuiltIn(PathBuf),
    /// A dtexec-compatible program.
    External(PathBuf),
    /// Per package: this binary's `ssis exec`, which hands a package it
    /// refuses to the dtexec-compatible `fallback` (`ssis exec --fallback`;
    /// the execution's output says which ran it). Configured as
    /// `auto:<dtexec path>`.
    Auto {
        /// This binary.
        runner: PathBuf,
        /// The dtexec for what the built-in runner refuses.
        fallback: PathBuf,
    },
}

/// How the execution record names the built-in runner.
pub const BUILT_IN: &str = "built-in";

/// The prefix of an `Executor` value that chooses per package.
pub const AUTO_PREFIX: &str = "auto:";

impl Executor {
    /// The executor the configuration names (extension `Executor`), or the built-in runner.
    pub fn from_config(config: &ServiceConfig) -> Result<Executor> {
        match config.extensions.executor.as_deref().map(str::trim) {
            #[cfg(windows)]
            Some(path) if super::windows::sqlserver::is_bare_dtexec(path) => {
                super::windows::sqlserver::find_dtexec()
                    .map(Executor::External)
                    .ok_or_else(super::windows::sqlserver::dtexec_not_found)
            }
            Some(v)
                if v.len() > AUTO_PREFIX.len()
                    && v[..AUTO_PREFIX.len()].eq_ignore_ascii_case(AUTO_PREFIX) =>
            {
                let runner = std::env::current_exe().map_err(|e| {
                    Error::internal(format!("cannot find this program's path: {e}"))
                })?;
                Ok(Executor::Auto {
                    runner,
                    fallback: PathBuf::from(v[AUTO_PREFIX.len()..].trim()),
                })
            }
            Some(path) if !path.is_empty() => Ok(Executor::External(PathBuf::from(path))),
            _ => super::program::installed_path().map(Executor::BuiltIn),
        }
    }

    /// What the execution record says runs the package, when known before
    /// it starts (an `Auto` executor's runner says once it has chosen).
    pub fn recorded_name(&self) -> Option<String> {
        match self {
            Executor::BuiltIn(_) => Some(BUILT_IN.to_string()),
            Executor::External(p) => Some(p.display().to_string()),
            Executor::Auto { .. } => None,
        }
    }

    /// The full command line for `target` with `set` overrides, program first.
    pub fn command_line(&self, target: &Target, set: &[VariableOverride]) -> Vec<String> {
        let mut cmd = Vec::new();
        match self {
            Executor::BuiltIn(exe) => {
                cmd.push(exe.display().to_string());
                cmd.push("exec".into());
            }
            Executor::External(exe) => cmd.push(exe.display().to_string()),
            Executor::Auto { runner, .. } => {
                cmd.push(runner.display().to_string());
                cmd.push("exec".into());
            }
        }
        cmd.extend(target.package_args.iter().cloned());
        for o in set {
            cmd.push("/SET".into());
            cmd.push(o.to_set_argument());
        }
        if let Executor::Auto { fallback, .. } = self {
            cmd.push("--fallback".into());
            cmd.push(fallback.display().to_string());
        }
        if !matches!(self, Executor::External(_)) {
            cmd.push("--events".into());
            cmd.push("json".into());
        }
        cmd
    }

    /// Refuses an executor that cannot be started (a missing file, a
    /// folder, a bare name not on `PATH`), so the client gets the error at
    /// once rather than a run that fails in its supervisor.
    pub fn check(&self) -> Result<()> {
        let program = match self {
            Executor::BuiltIn(p) | Executor::External(p) => p,
            Executor::Auto { runner, fallback } => {
                Executor::BuiltIn(runner.clone()).check()?;
                fallback
            }
        };
        let found = if program.components().count() > 1 || program.is_absolute() {
            program.is_file()
        } else {
            std::env::var_os("PATH").is_some_and(|paths| {
                std::env::split_paths(&paths).any(|dir| dir.join(program).is_file())
            })
        };
        if found {
            Ok(())
        } else {
            Err(Error::not_found(format!(
                "the executor '{}' (configuration extension Executor) does not exist or is not a file",
                program.display()
            ))
            .with_target(program.display().to_string()))
        }
    }

    /// The program and its leading arguments, for `ServiceInfo`.
    pub fn describe(&self) -> Vec<String> {
        match self {
            Executor::BuiltIn(exe) => vec![exe.display().to_string(), "exec".into()],
            Executor::External(exe) => vec![exe.display().to_string()],
            Executor::Auto { runner, fallback } => vec![
                runner.display().to_string(),
                "exec".into(),
                "--fallback".into(),
                fallback.display().to_string(),
            ],
        }
    }
}

/// Resolves the package of a run request in the workspace in force.
///
/// A file or project is looked at here only for a caller who may open
/// anything (`look`): for others the access check followed the path as
/// they would, and a second look as the service could see what a link
/// swapped in since points to.
pub fn resolve(ws: &Workspace, params: &RunParams, look: bool) -> Result<Target> {
    match (&params.package, &params.file, &params.project) {
        (Some(path), None, None) => resolve_stored(ws, &StorePath::parse(path)?),
        (None, Some(file), None) => resolve_file(Path::new(file), look),
        (Some(package), None, Some(project)) => resolve_project(Path::new(project), package, look),
        (None, None, Some(_)) => Err(Error::invalid(
            "give the package of the project to run in Package (its name, e.g. Load.dtsx)",
        )
        .with_target("Package")),
        _ => Err(Error::invalid(
            "give exactly one of Package (a store path), File (a package file) and Project \
             (a project, with Package naming its package)",
        )
        .with_target("Package")),
    }
}

/// A package of a project: the project is checked to exist; the runner
/// reads it (as the caller) and names a missing package.
fn resolve_project(project: &Path, package: &str, look: bool) -> Result<Target> {
    if look {
        std::fs::metadata(project).map_err(|e| Error::io(&e, "open the project", project))?;
    }
    let package = package.trim();
    if package.is_empty() || package.contains(['/', '\\']) {
        return Err(Error::invalid(format!(
            "'{package}' is not the name of a package in a project (e.g. Load.dtsx)"
        ))
        .with_target("Package"));
    }
    let project = std::path::absolute(project).unwrap_or_else(|_| project.to_path_buf());
    let name = package
        .strip_suffix(".dtsx")
        .or_else(|| package.strip_suffix(".DTSX"))
        .unwrap_or(package);
    Ok(Target {
        package_name: name.to_string(),
        package_path: None,
        package_args: vec![
            "/Project".into(),
            project.display().to_string(),
            "/Package".into(),
            package.to_string(),
        ],
        package_file: Some(project),
        store: "Project".into(),
    })
}

fn resolve_file(file: &Path, look: bool) -> Result<Target> {
    if look {
        let meta = std::fs::metadata(file).map_err(|e| Error::io(&e, "open the package", file))?;
        if !meta.is_file() {
            return Err(
                Error::invalid(format!("'{}' is not a file", file.display()))
                    .with_target(file.display().to_string()),
            );
        }
    }
    let file = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
    let name = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(Target {
        package_name: name,
        package_path: None,
        package_args: vec!["/F".into(), file.display().to_string()],
        package_file: Some(file),
        store: "File".into(),
    })
}

/// A stored package, found by the store's own lookup (the one listing,
/// export and every other operation use), so what the store refuses — a
/// symbolic link, a name no store path can address — cannot be run either.
fn resolve_stored(ws: &Workspace, path: &StorePath) -> Result<Target> {
    let (Some(top_name), Some(name), true) = (path.top_level(), path.name(), path.len() >= 2)
    else {
        return Err(Error::invalid(format!(
            "'{path}' is not a package path (expected \\<top-level folder>\\...\\<package>)"
        ))
        .with_target(path.to_string()));
    };
    let top = ws
        .config
        .top_level_folders
        .iter()
        .find(|f| f.name().eq_ignore_ascii_case(top_name))
        .ok_or_else(|| {
            Error::not_found(format!(
                "there is no top-level folder '{top_name}' in the service configuration"
            ))
            .with_target(path.to_string())
        })?;
    let display = path.to_string();
    match top {
        TopLevelFolder::FileSystemFolder(_) => {
            let file = ws.store.package_file(path)?.ok_or_else(|| {
                Error::not_found(format!("the package '{display}' does not exist"))
                    .with_target(display.clone())
            })?;
            Ok(Target {
                package_name: name.to_string(),
                package_path: Some(display),
                package_args: vec!["/F".into(), file.display().to_string()],
                package_file: Some(file),
                store: top.name().to_string(),
            })
        }
        TopLevelFolder::SqlServerFolder(sql) => Ok(Target {
            package_name: name.to_string(),
            package_path: Some(display),
            package_file: None,
            store: top.name().to_string(),
            package_args: vec![
                "/SQL".into(),
                format!("\\{}", path.below_top().join("\\")),
                "/SERVER".into(),
                sql.server_name.clone(),
            ],
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(unix)]
    fn a_stored_package_is_found_by_the_stores_lookup_which_refuses_links() {
        let dir = tempfile::tempdir().unwrap();
        let jobs = dir.path().join("Jobs");
        std::fs::create_dir(&jobs).unwrap();
        std::fs::write(jobs.join("Real.dtsx"), "<x/>").unwrap();
        let outside = dir.path().join("secret.dtsx");
        std::fs::write(&outside, "<x/>").unwrap();
        std::os::unix::fs::symlink(&outside, jobs.join("Link.dtsx")).unwrap();
        let ws = Workspace::new(ServiceConfig::default_for(dir.path())).unwrap();
        let run = |package: &str| {
            resolve(
                &ws,
                &RunParams {
                    package: Some(package.into()),
                    ..Default::default()
                },
                true,
            )
        };
        let real = run("\\File System\\jobs\\REAL").unwrap();
        assert_eq!(real.package_file, Some(jobs.join("Real.dtsx")));
        assert_eq!(real.package_args[0], "/F");
        let link = run("\\File System\\Jobs\\Link").unwrap_err();
        assert!(link.message.contains("symbolic link"), "{link}");
        assert!(run("\\File System\\..\\x").is_err());
        assert_eq!(
            run("\\File System\\Jobs\\Missing").unwrap_err().kind,
            ssis_core::error::ErrorKind::NotFound
        );
    }

    #[test]
    fn missing_executors_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let missing = Executor::External(dir.path().join("dtexec"));
        let err = missing.check().unwrap_err();
        assert!(err.message.contains("dtexec"), "{err}");
        assert!(
            Executor::External(dir.path().to_path_buf())
                .check()
                .is_err()
        );
        assert!(
            Executor::External("no-such-dtexec-here".into())
                .check()
                .is_err()
        );
        let exe = std::env::current_exe().unwrap();
        assert!(Executor::BuiltIn(exe.clone()).check().is_ok());
        let auto = Executor::Auto {
            runner: exe.clone(),
            fallback: dir.path().join("dtexec"),
        };
        assert!(auto.check().unwrap_err().message.contains("dtexec"));
        assert!(
            Executor::Auto {
                runner: exe.clone(),
                fallback: exe,
            }
            .check()
            .is_ok()
        );
    }

    #[test]
    fn command_lines_are_dtexec_ones() {
        let t = Target {
            package_name: "P".into(),
            package_path: None,
            package_file: Some("/p/P.dtsx".into()),
            store: "File".into(),
            package_args: vec!["/F".into(), "/p/P.dtsx".into()],
        };
        let set = [VariableOverride {
            name: "N".into(),
            value: "1".into(),
        }];
        let ext = Executor::External("/opt/ssis/bin/dtexec".into()).command_line(&t, &set);
        assert_eq!(
            ext,
            [
                "/opt/ssis/bin/dtexec",
                "/F",
                "/p/P.dtsx",
                "/SET",
                "\\Package.Variables[User::N].Properties[Value];1"
            ]
        );
        let auto = Executor::Auto {
            runner: "/usr/bin/ssis".into(),
            fallback: "/opt/ssis/bin/dtexec".into(),
        }
        .command_line(&t, &[]);
        assert_eq!(
            auto,
            [
                "/usr/bin/ssis",
                "exec",
                "/F",
                "/p/P.dtsx",
                "--fallback",
                "/opt/ssis/bin/dtexec",
                "--events",
                "json"
            ]
        );
        let own = Executor::BuiltIn("/usr/bin/ssis".into()).command_line(&t, &[]);
        assert_eq!(
            own,
            [
                "/usr/bin/ssis",
                "exec",
                "/F",
                "/p/P.dtsx",
                "--events",
                "json"
            ]
        );
    }
}
