//! The SQL Server (msdb) store: listed as a top-level folder, not yet usable.

use super::backend::PackageStore;
use super::entries::PackageEntry;
use crate::error::{Error, ErrorKind, Result};

/// A `SqlServerFolder` of the configuration. Every operation fails with
/// [`ErrorKind::Unsupported`] until the msdb store is implemented.
#[derive(Debug, Clone)]
pub struct SqlServerStore {
    name: String,
    server: String,
}

impl SqlServerStore {
    /// The top-level folder `name` on SQL Server `server` (`.`, `host\instance`, ...).
    pub fn new(name: impl Into<String>, server: impl Into<String>) -> SqlServerStore {
        SqlServerStore {
            name: name.into(),
            server: server.into(),
        }
    }

    /// The server name as configured.
    pub fn server(&self) -> &str {
        &self.server
    }

    fn unavailable<T>(&self) -> Result<T> {
        Err(Error::new(
            ErrorKind::Unsupported,
            format!(
                "SQL Server folder '{}' (server '{}') is not available yet: \
                 the msdb store is not implemented in this version",
                self.name, self.server
            ),
        )
        .with_target(format!("\\{}", self.name)))
    }
}

impl PackageStore for SqlServerStore {
    fn top_level_name(&self) -> &str {
        &self.name
    }
    fn list_folders(&self, _folder: &[String]) -> Result<Vec<String>> {
        self.unavailable()
    }
    fn list_packages(&self, _folder: &[String]) -> Result<Vec<PackageEntry>> {
        self.unavailable()
    }
    fn list_packages_recursive(&self, _folder: &[String]) -> Result<Vec<PackageEntry>> {
        self.unavailable()
    }
    fn package_info(&self, _package: &[String]) -> Result<PackageEntry> {
        self.unavailable()
    }
    fn folder_exists(&self, _folder: &[String]) -> Result<bool> {
        self.unavailable()
    }
    fn package_exists(&self, _package: &[String]) -> Result<bool> {
        self.unavailable()
    }
    fn create_folder(&self, _folder: &[String]) -> Result<()> {
        self.unavailable()
    }
    fn rename_folder(&self, _folder: &[String], _new_name: &str) -> Result<()> {
        self.unavailable()
    }
    fn delete_folder(&self, _folder: &[String], _recursive: bool) -> Result<()> {
        self.unavailable()
    }
    fn read_package(&self, _package: &[String]) -> Result<Vec<u8>> {
        self.unavailable()
    }
    fn write_package(&self, _package: &[String], _data: &[u8], _replace: bool) -> Result<()> {
        self.unavailable()
    }
    fn delete_package(&self, _package: &[String]) -> Result<()> {
        self.unavailable()
    }
    fn rename_package(&self, _from: &[String], _to: &[String], _replace: bool) -> Result<()> {
        self.unavailable()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_is_unsupported_and_says_why() {
        let s = SqlServerStore::new("MSDB", ".");
        let p = vec!["A".to_string()];
        let errors = [
            s.list_folders(&[]).unwrap_err(),
            s.list_packages(&[]).unwrap_err(),
            s.list_packages_recursive(&[]).unwrap_err(),
            s.package_info(&p).unwrap_err(),
            s.folder_exists(&p).unwrap_err(),
            s.package_exists(&p).unwrap_err(),
            s.create_folder(&p).unwrap_err(),
            s.rename_folder(&p, "B").unwrap_err(),
            s.delete_folder(&p, true).unwrap_err(),
            s.read_package(&p).unwrap_err(),
            s.write_package(&p, b"x", true).unwrap_err(),
            s.delete_package(&p).unwrap_err(),
            s.rename_package(&p, &p, true).unwrap_err(),
        ];
        for e in errors {
            assert_eq!(e.kind, ErrorKind::Unsupported);
            assert_eq!(
                e.message,
                "SQL Server folder 'MSDB' (server '.') is not available yet: \
                 the msdb store is not implemented in this version"
            );
        }
        assert_eq!(s.top_level_name(), "MSDB");
        assert_eq!(s.server(), ".");
    }
}
