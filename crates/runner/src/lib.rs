//! The built-in package runner: runs `.dtsx` control flow with dtexec's
//! command line (`ssis exec`).
//!
//! - [`cmdline`]: dtexec options; [`configurations`]: package configurations.
//! - [`connections`]: connection managers; SQL Server connections (OLE DB,
//!   ADO.NET, ODBC connection strings) over tiberius.
//! - [`model`]: the package model, read from both `.dtsx` layouts.
//! - [`unsupported`]: what cannot run here, refused before anything runs.
//! - [`engine`]: precedence, error counting, failure propagation, event
//!   handlers and their propagation.
//! - [`tasks`]: Execute Process, File System, Expression Task, Execute
//!   Package, Execute SQL, Send Mail.
//! - [`variables`]: typed variables in container scopes, System variables.
//! - [`property_exprs`]: property expressions; [`enumerators`]: Foreach
//!   enumerators; [`xpath`]: the XPath subset of the NodeList enumerator.
//! - [`events`]: console reporting and `--events json`.
//! - [`cancel`]: cancellation and the signal seam.
//! - [`dataflow_hook`]: the seam a data flow engine registers through.
//! - [`observe`]: the seam through which `ssis exec` reports its run.
//! - `fallback`: `--fallback PROGRAM`, handing a refused package to a dtexec.
//! - `checks`, `overrides`, `config_file`: what a run does to a package
//!   before the engine starts; `exec`: the `ssis exec` command; `sinks`:
//!   the writers and counters it reports through.

pub mod cancel;
mod checks;
pub mod cmdline;
mod config_file;
pub mod configurations;
pub mod connections;
pub mod data_flow_properties;
pub mod dataflow_hook;
pub mod engine;
pub mod enumerators;
pub mod events;
mod exec;
pub mod expr;
mod fallback;
mod loops;
pub mod model;
pub mod observe;
mod overrides;
pub mod project;
pub mod property_exprs;
mod sinks;
pub mod store_source;
mod system_vars;
pub mod tasks;
pub mod unsupported;
pub mod variables;
pub mod xpath;

pub use checks::{check_encryption, check_runnable};
pub use config_file::read_config_file;
pub use exec::{exec_main, run_cli};
pub(crate) use overrides::apply_variable_sets;
pub use overrides::{apply_overrides, prepare_variables};
pub use sinks::SharedWriter;
pub use system_vars::container_placeholder;

use cancel::CancelToken;
use cmdline::SetOverride;
use events::EventSink;
use model::{ExecResult, Package};
use ssis_core::error::Result;

/// dtexec exit code: the package ran successfully.
pub const EXIT_SUCCESS: i32 = 0;
/// dtexec exit code: the package failed (or was refused).
pub const EXIT_FAILURE: i32 = 1;
/// dtexec exit code: the run was canceled.
pub const EXIT_CANCELED: i32 = 3;
/// dtexec exit code: the package was not found.
pub const EXIT_NOT_FOUND: i32 = 4;
/// dtexec exit code: the package could not be loaded.
pub const EXIT_NOT_LOADED: i32 = 5;
/// dtexec exit code: command-line or internal error.
pub const EXIT_COMMAND_LINE: i32 = 6;

/// How to run a package through the library.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// `/SET` variable overrides.
    pub sets: Vec<SetOverride>,
    /// Cancels the run when set.
    pub cancel: CancelToken,
}

/// Checks, prepares and runs a package; returns `Success`, `Failure` or `Canceled`.
pub fn run_package(pkg: &Package, opts: &RunOptions, events: &dyn EventSink) -> Result<ExecResult> {
    let mut pkg = pkg.clone();
    apply_overrides(&mut pkg, &opts.sets)?;
    check_runnable(&pkg, &opts.sets)?;
    let mut vars = prepare_variables(&pkg, &opts.sets)?;
    Ok(engine::execute(&pkg, &mut vars, events, &opts.cancel))
}
