//! Executables: what each task or container is, its properties, its
//! event handlers and a container's children with their constraints.

use super::{
    Constraint, Enumerator, ExecResult, ExecutePackageSpec, ExecuteProcessSpec, ExecuteSqlSpec,
    FileSystemSpec, SendMailSpec, VariableDef, VariableMapping, xml,
};

/// What an executable is.
#[derive(Debug, Clone)]
pub enum ExecutableKind {
    /// The package or a Sequence container.
    Sequence(Body),
    /// A For Loop container with its init, eval and assign expressions.
    ForLoop {
        /// The children.
        body: Body,
        /// `InitExpression`.
        init: String,
        /// `EvalExpression`.
        eval: String,
        /// `AssignExpression`.
        assign: String,
    },
    /// A Foreach Loop container.
    ForeachLoop {
        /// The children.
        body: Body,
        /// What it enumerates.
        enumerator: Enumerator,
        /// Which enumerated value goes to which variable.
        mappings: Vec<VariableMapping>,
    },
    /// An Expression Task with its expression (usually an assignment).
    ExpressionTask(String),
    /// An Execute Package task.
    ExecutePackage(ExecutePackageSpec),
    /// An Execute Process task.
    ExecuteProcess(ExecuteProcessSpec),
    /// A File System task.
    FileSystem(FileSystemSpec),
    /// A Data Flow Task with its `pipeline` object data, run by the
    /// engine registered in [`crate::dataflow_hook`].
    DataFlow(std::sync::Arc<xml::Element>),
    /// An Execute SQL Task.
    ExecuteSql(ExecuteSqlSpec),
    /// A Send Mail Task.
    SendMail(SendMailSpec),
    /// Anything this runner cannot run, with the reason.
    Unsupported(String),
}

/// An event handler: a container run when its owner (or a descendant,
/// by propagation) raises the event.
#[derive(Debug, Clone)]
pub struct EventHandler {
    /// `EventName`: `OnError`, `OnPreExecute`, ...
    pub event: String,
    /// The handler as a Sequence container whose path is
    /// `<owner path>.EventHandlers[<event>]` (its variables, including
    /// `System::Propagate`, are declared on it).
    pub root: Executable,
}

/// A container's children and the constraints between them.
#[derive(Debug, Clone, Default)]
pub struct Body {
    /// The child executables in document order.
    pub executables: Vec<Executable>,
    /// The precedence constraints between them.
    pub constraints: Vec<Constraint>,
}

/// A task or container with the properties every executable has.
#[derive(Debug, Clone)]
pub struct Executable {
    /// Path as SSIS writes refIds: `Package\Sequence\Task`.
    pub path: String,
    /// `ObjectName`.
    pub name: String,
    /// `DTSID`.
    pub id: String,
    /// `ExecutableType` (or `CreationName`) as written.
    pub type_name: String,
    /// A readable task type, e.g. `Execute Process Task`.
    pub type_label: String,
    /// `Disabled`.
    pub disabled: bool,
    /// `FailPackageOnFailure`.
    pub fail_package_on_failure: bool,
    /// `FailParentOnFailure`.
    pub fail_parent_on_failure: bool,
    /// `MaxErrorCount` (0: no limit).
    pub max_error_count: u32,
    /// `ForceExecutionResult` (None for -1).
    pub force_execution_result: Option<ExecResult>,
    /// Variables declared on this executable.
    pub variables: Vec<VariableDef>,
    /// Property expressions (property name, expression).
    pub property_expressions: Vec<(String, String)>,
    /// This executable's event handlers, in document order.
    pub event_handlers: Vec<std::sync::Arc<EventHandler>>,
    /// `DisableEventHandlers`: this executable's handlers do not run
    /// (events still propagate to its parents).
    pub disable_event_handlers: bool,
    /// `DelayValidation`: validated when it runs, not when the package starts.
    pub delay_validation: bool,
    /// What it is.
    pub kind: ExecutableKind,
}

impl Executable {
    /// The container body, for containers.
    pub fn body(&self) -> Option<&Body> {
        match &self.kind {
            ExecutableKind::Sequence(b)
            | ExecutableKind::ForLoop { body: b, .. }
            | ExecutableKind::ForeachLoop { body: b, .. } => Some(b),
            _ => None,
        }
    }
}
