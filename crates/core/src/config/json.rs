//! The JSON form of the configuration, for the C API and PowerShell.
//!
//! Property names are the XML's (PascalCase); folders carry their kind in
//! `Type`:
//!
//! ```json
//! {"StopExecutingPackagesOnShutdown": true,
//!  "TopLevelFolders": [{"Type": "FileSystemFolder", "Name": "File System", "StorePath": "..\\Packages"}],
//!  "Extensions": {"StateDirectory": "/var/lib/ssis-service"},
//!  "Path": "/etc/ssis-service/MsDtsSrvr.ini.xml"}
//! ```

use super::ServiceConfig;
use crate::error::{Error, ErrorKind, Result};

impl ServiceConfig {
    /// The configuration as its JSON object.
    pub fn to_json_value(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    /// Reads and validates the JSON form. Unknown properties are refused (a
    /// misspelt name would otherwise be silently dropped); errors give the
    /// line and column in the JSON text.
    pub fn from_json(text: &str) -> Result<ServiceConfig> {
        let mut config: ServiceConfig = serde_json::from_str(text).map_err(|e| {
            Error::new(
                ErrorKind::Configuration,
                format!("invalid configuration JSON: {e}"),
            )
            .at(e.line() as u64, e.column() as u64)
        })?;
        // An empty extension value means "not set", as an empty element does.
        for value in [
            &mut config.extensions.state_directory,
            &mut config.extensions.executor,
            &mut config.extensions.token_store,
        ] {
            if value.as_deref() == Some("") {
                *value = None;
            }
        }
        config.validate()?;
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Extensions, FileSystemFolder, SqlServerFolder, TopLevelFolder};

    #[test]
    fn names_are_stable_pascal_case() {
        let config = ServiceConfig::new(
            false,
            vec![
                TopLevelFolder::SqlServerFolder(SqlServerFolder {
                    name: "MSDB".into(),
                    server_name: ".".into(),
                }),
                TopLevelFolder::FileSystemFolder(FileSystemFolder {
                    name: "File System".into(),
                    store_path: "..\\Packages".into(),
                }),
            ],
        )
        .with_extensions(Extensions {
            state_directory: Some("/s".into()),
            ..Extensions::default()
        });
        let v = config.to_json_value();
        assert_eq!(
            v,
            serde_json::json!({
                "StopExecutingPackagesOnShutdown": false,
                "TopLevelFolders": [
                    {"Type": "SqlServerFolder", "Name": "MSDB", "ServerName": "."},
                    {"Type": "FileSystemFolder", "Name": "File System", "StorePath": "..\\Packages"}
                ],
                "Extensions": {"StateDirectory": "/s"}
            })
        );
        assert_eq!(ServiceConfig::from_json(&v.to_string()).unwrap(), config);
    }

    #[test]
    fn bad_json_is_explained() {
        let err = ServiceConfig::from_json("{\"TopLevelFolders\":[{\"Type\":\"CloudFolder\"}]}")
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::Configuration);
        assert!(err.message.contains("CloudFolder"), "{}", err.message);
        let err = ServiceConfig::from_json(
            "{\"TopLevelFolders\":[{\"Type\":\"FileSystemFolder\",\"Name\":\"a\",\"StorePth\":\"x\"}]}",
        )
        .unwrap_err();
        assert!(err.message.contains("StorePth"), "{}", err.message);
        let err = ServiceConfig::from_json(
            "{\"TopLevelFolders\":[{\"Type\":\"FileSystemFolder\",\"Name\":\"a|b\",\"StorePath\":\"x\"}]}",
        )
        .unwrap_err();
        assert!(err.message.contains("'|'"), "{}", err.message);
        let err = ServiceConfig::from_json("{\"Stop").unwrap_err();
        assert_eq!(err.details.line, Some(1));
    }

    #[test]
    fn absent_properties_take_defaults() {
        let config = ServiceConfig::from_json("{\"Extensions\":{\"Executor\":\"\"}}").unwrap();
        assert_eq!(config.extensions.executor, None);
        assert!(config.stop_executing_packages_on_shutdown);
        assert!(config.top_level_folders.is_empty());
    }
}
