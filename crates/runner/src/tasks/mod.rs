//! The tasks the runner can execute.

pub mod execute_package;
pub mod execute_process;
pub mod execute_sql;
pub mod expression_task;
pub mod file_system;
pub mod send_mail;

use super::cancel::CancelToken;
use super::events::{Event, EventKind, EventSink};
use super::variables::Variables;

/// How a task ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskOutcome {
    /// It did its work.
    Success,
    /// It failed; the message becomes an OnError event.
    Failed(String),
    /// It failed with an error SSIS documents a code for (`DTS_E_*`).
    FailedWith(u32, String),
    /// It stopped because the run was canceled.
    Canceled,
}

/// What a running task may use: its variables, the cancel token and events.
pub struct TaskContext<'a> {
    /// The task's path as events show it.
    pub path: &'a str,
    /// The task's variable scope (variables resolve from here outwards).
    pub scope: &'a str,
    /// The package's variable scope (connection manager expressions evaluate there).
    pub package_scope: &'a str,
    /// The task's type label for events.
    pub type_label: &'a str,
    /// The run's variables.
    pub vars: &'a mut Variables,
    /// The run's cancel token.
    pub cancel: &'a CancelToken,
    /// Where events go.
    pub events: &'a dyn EventSink,
    /// Open connections of RetainSameConnection managers, by manager DTSID.
    pub retained: &'a mut std::collections::HashMap<String, crate::connections::SqlConnection>,
    /// What tasks keep for the rest of the package's run, by key (the
    /// Data Flow's filled Cache connection managers).
    pub state: &'a mut RunState,
}

/// What tasks keep for the rest of a package's run, by key; each package
/// (a child run by Execute Package too) has its own.
pub type RunState = std::collections::HashMap<String, Box<dyn std::any::Any + Send>>;

impl TaskContext<'_> {
    /// Raises an OnInformation event.
    pub fn info(&self, msg: impl Into<String>) {
        self.events.emit(&Event::now(
            EventKind::OnInformation,
            self.path,
            self.type_label,
            msg,
        ));
    }

    /// Raises an OnWarning event.
    pub fn warn(&self, msg: impl Into<String>) {
        self.events.emit(&Event::now(
            EventKind::OnWarning,
            self.path,
            self.type_label,
            msg,
        ));
    }

    /// A variable's value as text, or a failure naming it.
    pub fn var_text(&self, name: &str) -> Result<String, String> {
        self.vars.text(self.scope, name).map_err(|e| e.message)
    }

    /// A connection manager's connection string, after its property expression.
    pub fn connection_string(
        &self,
        cm: &crate::model::ConnectionManager,
    ) -> Result<String, String> {
        crate::property_exprs::connection_string(cm, self.vars, self.package_scope)
    }
}
