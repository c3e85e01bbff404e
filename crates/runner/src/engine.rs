//! Control-flow execution: runs a container's executables in precedence
//! order (one at a time), evaluates Success/Failure/Completion constraints
//! and their expressions (EvalOp) with logical AND/OR, skips disabled
//! executables (they count as succeeded), never runs unreachable ones,
//! counts errors against MaximumErrorCount (reaching it fails the container
//! once it is done, as SSIS's DTS_W_MAXIMUMERRORCOUNTREACHED; failure paths
//! still run) and honours FailParentOnFailure, FailPackageOnFailure and
//! ForceExecutionResult. Property expressions are applied just before an
//! executable runs. Loops live in [`super::loops`]; a child package of an
//! Execute Package task runs here, in-process, with its variables scoped
//! under the task so it sees the parent's.
//!
//! This file holds the entry points, the engine's state and its scope and
//! expression helpers; `engine/` holds the rest: `run` (one executable and
//! its task), `container` (a body in precedence order), `precedence` (the
//! constraint rules), `events` (events and their handlers) and
//! `child_package` (Execute Package in-process).

mod child_package;
mod container;
mod events;
mod precedence;
mod run;
#[cfg(test)]
mod tests;

use super::cancel::CancelToken;
use super::events::{EventKind, EventSink};
use super::expr::Expression;
use super::model::{ExecResult, Executable, Package};
use super::property_exprs;
use super::system_vars;
use super::tasks;
use super::variables::Variables;

/// How deep Execute Package tasks may nest.
pub const MAX_PACKAGE_DEPTH: usize = 16;

/// Runs `pkg` with `vars` (already declared and overridden) and returns the
/// package's result: `Success`, `Failure` or `Canceled`.
pub fn execute(
    pkg: &Package,
    vars: &mut Variables,
    events: &dyn EventSink,
    cancel: &CancelToken,
) -> ExecResult {
    // Values set before the run (/SET, configurations) raise no events.
    vars.take_changes();
    execute_scoped(pkg, "", 0, vars, events, cancel, Vec::new())
}

/// Runs `pkg` whose variable scopes are prefixed with `prefix` (empty for
/// the top-level package), `depth` Execute Package levels down.
fn execute_scoped(
    pkg: &Package,
    prefix: &str,
    depth: usize,
    vars: &mut Variables,
    events: &dyn EventSink,
    cancel: &CancelToken,
    outer: Vec<Frame<'_>>,
) -> ExecResult {
    let mut engine = Engine {
        pkg,
        prefix: prefix.to_string(),
        depth,
        vars,
        events,
        cancel,
        error_frames: Vec::new(),
        package_failed: false,
        frames: outer,
        handling: Vec::new(),
        retained: std::collections::HashMap::new(),
        state: tasks::RunState::new(),
    };
    let root = &pkg.root;
    system_vars::declare_container(engine.vars, &engine.scope(root), root);
    if !engine.validate_data_flows() {
        return ExecResult::Failure;
    }
    let result = match property_exprs::apply(root, engine.vars, &engine.scope(root)) {
        Ok(eff) => engine.run_executable(root, &eff),
        Err(msg) => {
            engine.error(root, msg);
            ExecResult::Failure
        }
    };
    match result {
        ExecResult::Canceled => ExecResult::Canceled,
        _ if engine.package_failed => ExecResult::Failure,
        ExecResult::Failure => ExecResult::Failure,
        _ => ExecResult::Success,
    }
}

pub(super) struct Engine<'a> {
    pub(super) pkg: &'a Package,
    /// Variable-scope and event-path prefix (`Package\Run Child>` in a child).
    prefix: String,
    depth: usize,
    pub(super) vars: &'a mut Variables,
    events: &'a dyn EventSink,
    pub(super) cancel: &'a CancelToken,
    /// Error counts of the containers being run, outermost first.
    error_frames: Vec<u32>,
    /// A FailPackageOnFailure executable failed.
    package_failed: bool,
    /// The executables being run, outermost first: where events propagate.
    frames: Vec<Frame<'a>>,
    /// The events whose handlers are running (a handler's own events of
    /// the same kind run no handlers: no endless recursion).
    handling: Vec<EventKind>,
    /// Connections of RetainSameConnection managers, kept for the run.
    retained: std::collections::HashMap<String, super::connections::SqlConnection>,
    /// What tasks keep for the rest of this package's run.
    state: tasks::RunState,
}

/// An executable being run, as event handlers see it: in a child package
/// run by Execute Package, the parent's executables come first, with the
/// parent package and scope prefix their handlers run in.
#[derive(Clone)]
pub(super) struct Frame<'a> {
    scope: String,
    prefix: String,
    pkg: &'a Package,
    handlers: Vec<std::sync::Arc<super::model::EventHandler>>,
    disabled: bool,
}

/// How a run of a container's body ended.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum BodyEnd {
    /// Every runnable child ran.
    Completed,
    /// A FailParentOnFailure child failed, or the package must fail.
    Failed,
    /// The run was canceled.
    Canceled,
}

impl Engine<'_> {
    /// The variable scope (and event path) of `exe`.
    pub(super) fn scope(&self, exe: &Executable) -> String {
        format!("{}{}", self.prefix, exe.path)
    }

    /// Errors raised so far in the innermost container being run.
    pub(super) fn frame_errors(&self) -> u32 {
        self.error_frames.last().copied().unwrap_or(0)
    }

    /// Evaluates `text` as a boolean in `exe`'s scope (constraint, loop condition).
    pub(super) fn eval_bool(
        &self,
        exe: &Executable,
        what: &str,
        text: &str,
    ) -> Result<bool, String> {
        let e = Expression::parse(text).map_err(|e| format!("{what} \"{text}\": {e}"))?;
        let v = self
            .vars
            .eval(&self.scope(exe), &e)
            .map_err(|e| format!("{what} \"{text}\": {}", e.message))?;
        v.as_bool().ok_or_else(|| {
            format!(
                "{what} \"{text}\" gave {} '{v}', not a boolean",
                v.data_type()
            )
        })
    }
}
