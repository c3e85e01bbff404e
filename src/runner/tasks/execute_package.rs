//! The Execute Package task: finds the child package (a FILE connection
//! manager's path, or with a project reference a sibling `.dtsx` of the
//! parent file) and loads it. The engine runs the child in-process.

use crate::runner::model::{ExecutePackageSpec, Package};
use crate::runner::property_exprs;
use crate::runner::variables::Variables;
use std::path::PathBuf;

/// Where the child package comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChildSource {
    /// A `.dtsx` file.
    File(PathBuf),
    /// A path in the package store (`\File System\...`) or msdb.
    Store(String),
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
        let p = spec.package_name.trim();
        return Ok(Some(ChildSource::Store(if p.is_empty() {
            format!("(connection '{}')", cm.name)
        } else {
            p.to_string()
        })));
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
