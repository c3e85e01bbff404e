//! Where the configuration file is looked for, and the configuration used
//! when the default file does not exist.
//!
//! Order: an explicit path (`--config`), else the `SSIS_SERVICE_CONFIG`
//! environment variable, else the per-platform default:
//!
//! | Platform       | Configuration file                                         | Default packages folder                             |
//! |----------------|------------------------------------------------------------|-----------------------------------------------------|
//! | Linux, Unix    | `/etc/ssis-service/MsDtsSrvr.ini.xml`                      | `/var/lib/ssis-service/Packages`                    |
//! | macOS          | `/Library/Application Support/ssis-service/MsDtsSrvr.ini.xml` | `/Library/Application Support/ssis-service/Packages` |
//! | Windows        | `%ProgramData%\ssis-service\MsDtsSrvr.ini.xml`             | `%ProgramData%\ssis-service\Packages`               |

use super::ServiceConfig;
use crate::error::{Error, ErrorKind, Result};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The environment variable naming the configuration file.
pub const CONFIG_ENV: &str = "SSIS_SERVICE_CONFIG";

/// The configuration file's name, as Microsoft's service names it.
pub const CONFIG_FILE_NAME: &str = "MsDtsSrvr.ini.xml";

/// Who chose the configuration file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ConfigSource {
    /// Named by the caller (`--config`).
    Explicit,
    /// Named by the `SSIS_SERVICE_CONFIG` environment variable.
    Environment,
    /// The per-platform default location.
    Default,
}

impl std::fmt::Display for ConfigSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ConfigSource::Explicit => "named with --config",
            ConfigSource::Environment => "named by SSIS_SERVICE_CONFIG",
            ConfigSource::Default => "platform default",
        })
    }
}

/// A configuration file's path and who chose it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfigLocation {
    /// The file.
    pub path: PathBuf,
    /// Who chose it.
    pub source: ConfigSource,
}

/// Finds the configuration file: `explicit`, else `SSIS_SERVICE_CONFIG` (when
/// set and not empty), else [`default_config_path`]. The file may not exist.
pub fn locate(explicit: Option<&Path>) -> ConfigLocation {
    locate_with(explicit, std::env::var_os(CONFIG_ENV))
}

fn locate_with(explicit: Option<&Path>, env: Option<OsString>) -> ConfigLocation {
    if let Some(path) = explicit {
        return ConfigLocation {
            path: path.to_path_buf(),
            source: ConfigSource::Explicit,
        };
    }
    if let Some(value) = env.filter(|v| !v.is_empty()) {
        return ConfigLocation {
            path: PathBuf::from(value),
            source: ConfigSource::Environment,
        };
    }
    ConfigLocation {
        path: default_config_path(),
        source: ConfigSource::Default,
    }
}

/// Loads the configuration [`locate`] finds. A file named explicitly or by
/// the environment must exist (else a `NotFound` error naming it); when the
/// default file does not exist, the default configuration applies
/// ([`ServiceConfig::default_for`] with [`default_packages_dir`]), with
/// `path` set to the default file so that saving creates it.
pub fn load_or_default(explicit: Option<&Path>) -> Result<ServiceConfig> {
    load_located(&locate(explicit), &default_packages_dir())
}

fn load_located(location: &ConfigLocation, packages: &Path) -> Result<ServiceConfig> {
    match ServiceConfig::load(&location.path) {
        Err(e) if e.kind == ErrorKind::NotFound && location.source == ConfigSource::Default => {
            let mut config = ServiceConfig::default_for(packages);
            config.path = Some(location.path.clone());
            Ok(config)
        }
        Err(e) if e.kind == ErrorKind::NotFound => {
            let by = match location.source {
                ConfigSource::Environment => format!(" (named by {CONFIG_ENV})"),
                _ => String::new(),
            };
            Err(Error::not_found(format!(
                "configuration file '{}'{by} does not exist",
                location.path.display()
            ))
            .with_target(location.path.display().to_string()))
        }
        other => other,
    }
}

/// This product's folder for machine-wide data on this platform.
fn data_dir() -> PathBuf {
    #[cfg(windows)]
    {
        let program_data =
            std::env::var_os("ProgramData").unwrap_or_else(|| OsString::from(r"C:\ProgramData"));
        PathBuf::from(program_data).join("ssis-service")
    }
    #[cfg(target_os = "macos")]
    {
        PathBuf::from("/Library/Application Support/ssis-service")
    }
    #[cfg(all(unix, not(target_os = "macos")))]
    {
        PathBuf::from("/var/lib/ssis-service")
    }
    #[cfg(not(any(windows, unix)))]
    {
        PathBuf::from("ssis-service")
    }
}

/// The default configuration file on this platform (see the module table).
pub fn default_config_path() -> PathBuf {
    #[cfg(all(unix, not(target_os = "macos")))]
    {
        PathBuf::from("/etc/ssis-service").join(CONFIG_FILE_NAME)
    }
    #[cfg(not(all(unix, not(target_os = "macos"))))]
    {
        data_dir().join(CONFIG_FILE_NAME)
    }
}

/// The default File System folder's directory on this platform.
pub fn default_packages_dir() -> PathBuf {
    data_dir().join("Packages")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_wins_then_environment_then_default() {
        let env = Some(OsString::from("/env/x.xml"));
        let loc = locate_with(Some(Path::new("a.xml")), env.clone());
        assert_eq!(loc.source, ConfigSource::Explicit);
        assert_eq!(loc.path, PathBuf::from("a.xml"));
        let loc = locate_with(None, env);
        assert_eq!(loc.source, ConfigSource::Environment);
        assert_eq!(loc.path, PathBuf::from("/env/x.xml"));
        let loc = locate_with(None, Some(OsString::new()));
        assert_eq!(loc.source, ConfigSource::Default);
        assert_eq!(loc.path, default_config_path());
        assert!(loc.path.ends_with(CONFIG_FILE_NAME));
    }

    #[test]
    fn missing_default_file_gives_the_default_configuration() {
        let dir = tempfile::tempdir().unwrap();
        let loc = ConfigLocation {
            path: dir.path().join(CONFIG_FILE_NAME),
            source: ConfigSource::Default,
        };
        let packages = dir.path().join("Packages");
        let config = load_located(&loc, &packages).unwrap();
        assert_eq!(config.top_level_folders.len(), 2);
        assert_eq!(config.top_level_folders[0].name(), "MSDB");
        let crate::config::TopLevelFolder::FileSystemFolder(fs) = &config.top_level_folders[1]
        else {
            panic!("second folder is not File System");
        };
        assert_eq!(config.resolve_store_path(fs), packages);
        assert_eq!(config.path.as_deref(), Some(loc.path.as_path()));
    }

    #[test]
    fn missing_named_file_is_not_found() {
        let dir = tempfile::tempdir().unwrap();
        for source in [ConfigSource::Explicit, ConfigSource::Environment] {
            let loc = ConfigLocation {
                path: dir.path().join("nope.xml"),
                source,
            };
            let err = load_located(&loc, dir.path()).unwrap_err();
            assert_eq!(err.kind, ErrorKind::NotFound);
            assert!(err.message.contains("nope.xml"), "{}", err.message);
        }
    }

    #[cfg(all(unix, not(target_os = "macos")))]
    #[test]
    fn linux_defaults() {
        assert_eq!(
            default_config_path(),
            PathBuf::from("/etc/ssis-service/MsDtsSrvr.ini.xml")
        );
        assert_eq!(
            default_packages_dir(),
            PathBuf::from("/var/lib/ssis-service/Packages")
        );
    }
}
