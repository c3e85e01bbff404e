//! A project of the project deployment model (an `.ispac`, or an SSDT
//! project folder): its packages, its connection managers (`.conmgr`)
//! and its parameters (`Project.params`), which every package of it sees.

use super::{ConnectionManager, EncryptedValue, ProtectionLevel, VariableDef};
use std::path::PathBuf;
use std::sync::Arc;

/// Reads a project's files by name (an `.ispac`'s parts, a folder's files).
pub trait PartSource: Send + Sync + std::fmt::Debug {
    /// The file `name` (case-insensitively); `Ok(None)` when there is none.
    fn read(&self, name: &str) -> ssis_core::Result<Option<Vec<u8>>>;
}

/// A project as loaded: its manifest, managers and parameters read, its
/// packages read when opened.
#[derive(Debug, Clone)]
pub struct Project {
    /// The project's `Name` (its manifest's), or the file's stem.
    pub name: String,
    /// The `.ispac`, `.dtproj` or folder it was read from.
    pub source: PathBuf,
    /// Where its parts are named from in messages: the `.ispac`, or the
    /// folder (of the `.dtproj`).
    pub dir: PathBuf,
    /// Its files.
    pub parts: Arc<dyn PartSource>,
    /// The manifest's `ProtectionLevel` (for every part of the project).
    pub protection_level: ProtectionLevel,
    /// The password the run gave (`/DECRYPT`), which opens the project's
    /// packages as it opened its other files.
    pub password: Option<String>,
    /// Its packages, in the manifest's order.
    pub packages: Vec<ProjectPackage>,
    /// Its connection managers (each marked `project`).
    pub connections: Vec<ConnectionManager>,
    /// Its parameters, `$Project::Name`.
    pub parameters: Vec<ProjectParameter>,
    /// The sensitive values stored encrypted (which this runner cannot
    /// read), in the order found; a package opened from the project has
    /// them too.
    pub encrypted: Vec<EncryptedValue>,
}

/// One package of a project.
#[derive(Debug, Clone)]
pub struct ProjectPackage {
    /// The stream name dtexec's `/Package` names, e.g. `Load Sales.dtsx`.
    pub name: String,
    /// `EntryPoint`: meant to be started directly (not only by a parent).
    pub entry_point: bool,
    /// The project holds the file (a package the manifest lists and the
    /// project lacks is an error only when it is opened).
    pub present: bool,
}

/// A project parameter.
#[derive(Debug, Clone)]
pub struct ProjectParameter {
    /// The parameter as the read-only variable `$Project::Name`, its value
    /// and VARIANT data type as a package variable has them.
    pub variable: VariableDef,
    /// `Required`: a value must be given for the run.
    pub required: bool,
    /// `Sensitive`.
    pub sensitive: bool,
}

impl Project {
    /// A package by its stream name, with or without `.dtsx`,
    /// case-insensitively (as Windows names files).
    pub fn package(&self, name: &str) -> Option<&ProjectPackage> {
        let name = name.trim();
        if let Some(p) = self
            .packages
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
        {
            return Some(p);
        }
        let with_ext = if name.to_ascii_lowercase().ends_with(".dtsx") {
            name.to_string()
        } else {
            format!("{name}.dtsx")
        };
        self.packages
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(&with_ext))
    }

    /// The packages' names, for messages: `'A.dtsx', 'B.dtsx'`.
    pub fn package_names(&self) -> String {
        let names: Vec<String> = self
            .packages
            .iter()
            .map(|p| format!("'{}'", p.name))
            .collect();
        if names.is_empty() {
            "none".into()
        } else {
            names.join(", ")
        }
    }
}
