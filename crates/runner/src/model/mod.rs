//! The package model the engine runs: containers, tasks, precedence
//! constraints, variables and connection managers, read from either `.dtsx`
//! layout (2005/2008 format 2/3 and 2012+ format 6/8).

mod constraints;
pub mod decrypt;
mod executable;
mod foreach;
mod load;
mod package;
mod project;
mod task_specs;
pub mod xml;

pub use constraints::{Constraint, EvalOp, ExecResult};
pub use executable::{Body, EventHandler, Executable, ExecutableKind};
pub use foreach::{
    Enumerator, EnumeratorKind, FileEnumerator, FileNameFormat, ItemValue, NodeListEnumerator,
    NodeListKind, NodeListSource, VariableMapping,
};
pub use load::{
    ProjectConnection, load_package, load_package_bytes, load_package_bytes_with,
    load_package_with, read_project_connection,
};
pub use package::{
    ConnectionManager, EncryptedValue, Package, PackageConfiguration, PackageProperties,
    Replacement, VariableDef,
};
pub use project::{PartSource, Project, ProjectPackage, ProjectParameter};
pub use ssis_core::package::ProtectionLevel;
pub use task_specs::{
    ExecutePackageSpec, ExecuteProcessSpec, ExecuteSqlSpec, FileSystemOp, FileSystemSpec,
    ParamDirection, PathSource, SendMailSpec, SqlParameterBinding, SqlResultBinding, SqlResultType,
    SqlSourceType,
};

/// Parses an SSIS boolean as written in either layout: `True`/`False`, `-1`/`0`, `1`.
pub fn xml_bool(s: &str) -> Option<bool> {
    load::boolean(s)
}
