//! The Execute Package task: finds the child package (a FILE connection
//! manager's path; with a project reference a package of the parent's
//! project, or a sibling `.dtsx` of a parent run alone; with an OLE DB
//! connection a package in that server's msdb) and loads it. The engine
//! runs the child in-process.

use crate::model::{ExecutePackageSpec, Package, load_package_bytes_with, load_package_with};
use crate::property_exprs;
use crate::variables::Variables;
use std::path::{Path, PathBuf};

/// Where the child package comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChildSource {
    /// A `.dtsx` file.
    File(PathBuf),
    /// A package of the parent's project (a project reference).
    Project {
        /// The project's `.ispac`, `.dtproj` or folder.
        project: PathBuf,
        /// The package's stream name.
        name: String,
    },
    /// A package in the msdb of `server` (the task's location "SQL Server").
    Msdb {
        /// The connection's `Data Source`.
        server: String,
        /// `PackageName`: folders and name, e.g. `\Nightly\Child`.
        path: String,
    },
}

impl ChildSource {
    /// How the child is named in messages.
    pub fn describe(&self) -> String {
        match self {
            ChildSource::File(p) => p.display().to_string(),
            ChildSource::Project { project, name } => {
                format!("{name} (project {})", project.display())
            }
            ChildSource::Msdb { server, path } => format!("{path} (msdb on '{server}')"),
        }
    }

    /// A key that identifies the child, to notice a package that runs itself.
    pub fn key(&self) -> PathBuf {
        match self {
            ChildSource::File(f) => std::fs::canonicalize(f).unwrap_or_else(|_| f.clone()),
            ChildSource::Project { project, name } => project.join(name.to_lowercase()),
            ChildSource::Msdb { server, path } => {
                PathBuf::from(format!("msdb:{server}:{path}").to_lowercase())
            }
        }
    }

    /// Loads the child package of `parent`, opening what it encrypted
    /// with `password` (the task's `PackagePassword`; a project's packages
    /// open with the project's).
    pub fn load(&self, parent: &Package, password: Option<&str>) -> ssis_core::Result<Package> {
        let cancel = crate::cancel::CancelToken::new();
        let loaded = match self {
            ChildSource::File(f) => load_package_with(f, password, &cancel),
            ChildSource::Project { name, .. } => {
                return crate::project::open_child(parent, name, &cancel);
            }
            ChildSource::Msdb { server, path } => {
                let bytes = ssis_core::store::msdb::fetch_package(server, path)?;
                load_package_bytes_with(&bytes, Path::new(path), password, &cancel)
            }
        };
        // The child's password is the task's to give, not the run's.
        loaded.map_err(|mut e| {
            if password.is_none() && e.message.contains("give the password with /DECRYPT") {
                e.message = e.message.replace(
                    "give the password with /DECRYPT",
                    "the Execute Package task gives a child's password in its PackagePassword, \
                     which this task does not set",
                );
            }
            e
        })
    }
}

/// The `Data Source` (or `Server`) of an OLE DB / ADO.NET connection string.
fn data_source(connection_string: &str) -> Option<String> {
    connection_string.split(';').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        let key = key.trim().to_ascii_lowercase();
        matches!(key.as_str(), "data source" | "server" | "address" | "addr")
            .then(|| value.trim().trim_matches('"').to_string())
            .filter(|v| !v.is_empty())
    })
}

/// Resolves the child package. `vars` (with the package scope) evaluates a
/// connection string expression; without them the static value is used and
/// `Ok(None)` means "only known at run time".
pub fn resolve_child(
    parent: &Package,
    spec: &ExecutePackageSpec,
    vars: Option<(&Variables, &str)>,
) -> Result<Option<ChildSource>, String> {
    if spec.use_project_reference {
        let name = spec.package_name.trim();
        if name.is_empty() {
            return Err("the task uses a project reference but names no package".into());
        }
        if let Some(project) = &parent.project {
            return Ok(Some(ChildSource::Project {
                project: project.source.clone(),
                name: name.to_string(),
            }));
        }
        let dir = parent
            .source_path
            .parent()
            .map(PathBuf::from)
            .unwrap_or_default();
        return Ok(Some(ChildSource::File(dir.join(name))));
    }
    let r = spec.connection.trim();
    if r.is_empty() {
        return Err("the task has no connection naming the child package".into());
    }
    let cm = parent
        .connection(r)
        .ok_or_else(|| format!("the connection '{r}' does not exist"))?;
    let kind = cm.creation_name.to_ascii_uppercase();
    if kind == "OLEDB" || kind == "ADO.NET" || kind.starts_with("ADO.NET:") {
        let path = spec.package_name.trim();
        if path.is_empty() {
            return Err(format!(
                "the task reads its child from msdb through '{}' but names no package",
                cm.name
            ));
        }
        let server = data_source(&cm.connection_string)
            .ok_or_else(|| format!("the connection '{}' names no server (Data Source)", cm.name))?;
        return Ok(Some(ChildSource::Msdb {
            server,
            path: path.to_string(),
        }));
    }
    if kind != "FILE" {
        return Err(format!(
            "the connection '{}' is a {} connection; a child package needs a FILE connection",
            cm.name, cm.creation_name
        ));
    }
    let path = match vars {
        Some((v, scope)) => property_exprs::connection_string(cm, v, scope)?,
        None if cm
            .property_expressions
            .iter()
            .any(|(p, _)| p == "ConnectionString") =>
        {
            return Ok(None);
        }
        None => cm.connection_string.clone(),
    };
    let path = path.trim();
    if path.is_empty() {
        return Err(format!("the connection '{}' has no file path", cm.name));
    }
    Ok(Some(ChildSource::File(PathBuf::from(path))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_source_is_read_from_connection_strings() {
        let oledb = "Data Source=SQL01\\ETL;Initial Catalog=msdb;Provider=SQLNCLI11.1;Integrated Security=SSPI;";
        assert_eq!(data_source(oledb).as_deref(), Some("SQL01\\ETL"));
        assert_eq!(
            data_source("server = host,1433 ; uid=a").as_deref(),
            Some("host,1433")
        );
        assert_eq!(data_source("Initial Catalog=msdb"), None);
        assert_eq!(data_source("Data Source=;x=y"), None);
    }
}
