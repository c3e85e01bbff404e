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

use super::cancel::CancelToken;
use super::events::{Event, EventKind, EventSink};
use super::expr::Expression;
use super::model::{Body, EvalOp, ExecResult, Executable, ExecutableKind, Package};
use super::property_exprs::{self, Effective};
use super::system_vars;
use super::tasks::execute_package::resolve_child;
use super::tasks::{self, TaskContext, TaskOutcome};
use super::variables::Variables;

/// SSIS's warning that the errors reached MaximumErrorCount.
const DTS_W_MAXIMUMERRORCOUNTREACHED: u32 = 0x8001_9002;

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

/// Passes a task's events on and keeps its warnings and information for
/// their event handlers.
struct Recorder<'a> {
    inner: &'a dyn EventSink,
    seen: std::sync::Mutex<Vec<(EventKind, String)>>,
}

impl EventSink for Recorder<'_> {
    fn emit(&self, event: &Event) {
        self.inner.emit(event);
        if matches!(event.event, EventKind::OnWarning | EventKind::OnInformation) {
            if let Ok(mut seen) = self.seen.lock() {
                seen.push((event.event, event.message.clone()));
            }
        }
    }
}

/// How deep event handlers may nest (a handler's task raising an event
/// whose handler raises another, ...).
const MAX_HANDLER_DEPTH: usize = 8;

/// Where a child of a container stands.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum State {
    Pending,
    Done(ExecResult),
    /// Will never run (constraints can no longer be met).
    NotRun,
}

/// The three-valued result of a constraint.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tri {
    True,
    False,
    Unknown,
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

fn satisfies(result: ExecResult, wanted: ExecResult) -> bool {
    let r = match result {
        ExecResult::Completion => ExecResult::Success,
        r => r,
    };
    match wanted {
        ExecResult::Completion => matches!(r, ExecResult::Success | ExecResult::Failure),
        w => r == w,
    }
}

impl<'a> Engine<'a> {
    /// The variable scope (and event path) of `exe`.
    /// Validates the package's Data Flow Tasks (those without
    /// `DelayValidation`) against their connections before anything runs,
    /// as SSIS validates a package; false when one failed. The run keeps
    /// which were validated, so they are not validated again as they start.
    fn validate_data_flows(&mut self) -> bool {
        let pkg = self.pkg;
        let (found, validated) =
            super::dataflow_hook::validate_package(pkg, self.vars, &self.prefix);
        let mut ok = true;
        for f in found {
            if f.error {
                ok = false;
                self.error(f.exe, f.message);
            } else {
                self.emit(EventKind::OnWarning, f.exe, f.message);
            }
        }
        self.state.insert(
            super::dataflow_hook::VALIDATED.to_string(),
            Box::new(validated),
        );
        ok
    }

    pub(super) fn scope(&self, exe: &Executable) -> String {
        format!("{}{}", self.prefix, exe.path)
    }

    /// Raises `kind` on `exe`: reports it, then runs the event handlers
    /// for it from `exe` outwards while they let it propagate.
    pub(super) fn emit(&mut self, kind: EventKind, exe: &Executable, msg: impl Into<String>) {
        self.emit_code(kind, exe, None, msg);
    }

    /// [`emit`](Self::emit) with SSIS's code for the event, when it has one.
    pub(super) fn emit_code(
        &mut self,
        kind: EventKind,
        exe: &Executable,
        code: Option<u32>,
        msg: impl Into<String>,
    ) {
        let msg = msg.into();
        let mut event = Event::now(kind, &self.scope(exe), &exe.type_label, msg.clone());
        event.code = code;
        self.events.emit(&event);
        self.run_handlers(kind, exe, code, &msg);
    }

    /// Runs the handlers of `kind` for an event raised on `exe` with `msg`.
    fn run_handlers(&mut self, kind: EventKind, exe: &Executable, code: Option<u32>, msg: &str) {
        if self.handling.contains(&kind) || self.handling.len() >= MAX_HANDLER_DEPTH {
            return;
        }
        let name = kind.handler_name();
        let scope = self.scope(exe);
        // The chain of owners: the frames, and `exe` itself when the event
        // is raised before it started (a property expression failing).
        let mut chain: Vec<(usize, Frame<'a>)> = Vec::new();
        if self.frames.last().is_none_or(|f| f.scope != scope) {
            chain.push((
                self.frames.len(),
                Frame {
                    scope: scope.clone(),
                    prefix: self.prefix.clone(),
                    pkg: self.pkg,
                    handlers: exe.event_handlers.clone(),
                    disabled: exe.disable_event_handlers,
                },
            ));
        }
        for (i, f) in self.frames.iter().enumerate().rev() {
            chain.push((i, f.clone()));
        }
        if chain.iter().all(|(_, f)| f.handlers.is_empty()) {
            return;
        }
        for (depth, owner) in chain {
            if owner.disabled {
                continue;
            }
            let Some(h) = owner.handlers.iter().find(|h| h.event == name) else {
                continue;
            };
            // Inside the handler, events propagate to the handler's owner,
            // not to the executables below it that raised this one.
            let synthetic = depth >= self.frames.len();
            let saved = if synthetic {
                self.frames.push(owner.clone());
                Vec::new()
            } else {
                self.frames.split_off(depth + 1)
            };
            self.handling.push(kind);
            // A handler of the parent package runs in the parent's package
            // and scopes.
            let own = (
                std::mem::replace(&mut self.prefix, owner.prefix.clone()),
                std::mem::replace(&mut self.pkg, owner.pkg),
            );
            let propagate = self.run_handler(h, kind, exe, code, msg);
            (self.prefix, self.pkg) = own;
            self.handling.pop();
            if synthetic {
                self.frames.pop();
            }
            self.frames.extend(saved);
            if !propagate {
                break;
            }
        }
    }

    /// Raises OnVariableValueChanged (for event handlers) for each queued
    /// change of a RaiseChangedEvent variable, with `exe` as the source.
    pub(super) fn variable_changes(&mut self, exe: &Executable) {
        for c in self.vars.take_changes() {
            self.run_handlers(
                EventKind::OnVariableValueChanged,
                exe,
                None,
                &format!("{}={}", c.name, c.value),
            );
        }
    }

    /// Runs one event handler with the System variables SSIS gives it;
    /// returns its `System::Propagate`.
    fn run_handler(
        &mut self,
        h: &super::model::EventHandler,
        kind: EventKind,
        source: &Executable,
        code: Option<u32>,
        msg: &str,
    ) -> bool {
        use super::expr::Value;
        let root = &h.root;
        let scope = self.scope(root);
        system_vars::declare_handler(self.vars, &scope, root, kind, source, code, msg);
        match property_exprs::apply(root, self.vars, &scope) {
            Ok(eff) => {
                self.run_executable(root, &eff);
            }
            Err(m) => self.error(root, m),
        }
        !matches!(
            self.vars.value(&scope, "System::Propagate"),
            Ok(Some(Value::Bool(false)))
        )
    }

    /// Raises OnError on `exe`; it counts in every enclosing container.
    pub(super) fn error(&mut self, exe: &Executable, msg: impl Into<String>) {
        self.error_code(exe, None, msg);
    }

    /// [`error`](Self::error) with SSIS's code for it.
    pub(super) fn error_code(
        &mut self,
        exe: &Executable,
        code: Option<u32>,
        msg: impl Into<String>,
    ) {
        for f in &mut self.error_frames {
            *f += 1;
        }
        self.emit_code(EventKind::OnError, exe, code, msg);
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

    pub(super) fn run_executable(&mut self, exe: &Executable, eff: &Effective) -> ExecResult {
        self.frames.push(Frame {
            scope: self.scope(exe),
            prefix: self.prefix.clone(),
            pkg: self.pkg,
            handlers: exe.event_handlers.clone(),
            disabled: exe.disable_event_handlers,
        });
        let result = self.run_executable_inner(exe, eff);
        self.frames.pop();
        result
    }

    fn run_executable_inner(&mut self, exe: &Executable, eff: &Effective) -> ExecResult {
        // Validation events go to event handlers only (the console and the
        // JSON stream show execution events, as before).
        self.run_handlers(EventKind::OnPreValidate, exe, None, "");
        self.run_handlers(EventKind::OnPostValidate, exe, None, "");
        self.emit(EventKind::OnPreExecute, exe, "");
        let kind = eff.task.as_ref().unwrap_or(&exe.kind);
        let raw = match kind {
            ExecutableKind::Sequence(body) => self.run_container(exe, body, eff.max_error_count),
            ExecutableKind::ForLoop {
                body,
                init,
                eval,
                assign,
            } => self.run_for_loop(exe, body, eff.max_error_count, [init, eval, assign]),
            ExecutableKind::ForeachLoop {
                body,
                enumerator,
                mappings,
            } => self.run_foreach_loop(exe, body, eff.max_error_count, enumerator, mappings),
            ExecutableKind::ExecuteProcess(spec) => {
                self.run_task(exe, |ctx| tasks::execute_process::run(spec, ctx))
            }
            ExecutableKind::FileSystem(spec) => {
                let pkg = self.pkg;
                self.run_task(exe, |ctx| tasks::file_system::run(spec, pkg, ctx))
            }
            ExecutableKind::ExpressionTask(text) => {
                self.run_task(exe, |ctx| tasks::expression_task::run(text, ctx))
            }
            ExecutableKind::SendMail(spec) => {
                let pkg = self.pkg;
                self.run_task(exe, |ctx| tasks::send_mail::run(spec, pkg, ctx))
            }
            ExecutableKind::ExecuteSql(spec) => {
                let pkg = self.pkg;
                self.run_task(exe, |ctx| tasks::execute_sql::run(spec, pkg, ctx))
            }
            ExecutableKind::ExecutePackage(spec) => self.run_child_package(exe, spec),
            ExecutableKind::DataFlow(pipeline) => {
                let pkg = self.pkg;
                match super::dataflow_hook::engine() {
                    Some(engine) => self.run_task(exe, |ctx| engine.run(pkg, exe, pipeline, ctx)),
                    None => self.run_task(exe, |_| {
                        TaskOutcome::Failed("no data flow engine is registered".into())
                    }),
                }
            }
            ExecutableKind::Unsupported(_) => {
                self.error(
                    exe,
                    format!(
                        "{} cannot run here (it should have been refused before the run)",
                        exe.type_label
                    ),
                );
                ExecResult::Failure
            }
        };
        let result = match (raw, eff.force_execution_result) {
            (ExecResult::Canceled, _) | (_, None) => raw,
            (_, Some(forced)) => forced,
        };
        if result == ExecResult::Failure && eff.fail_package_on_failure {
            self.package_failed = true;
        }
        self.emit(EventKind::OnPostExecute, exe, "");
        result
    }

    fn run_task(
        &mut self,
        exe: &Executable,
        f: impl FnOnce(&mut TaskContext<'_>) -> TaskOutcome,
    ) -> ExecResult {
        let scope = self.scope(exe);
        let package_scope = self.scope(&self.pkg.root);
        let recorder = Recorder {
            inner: self.events,
            seen: std::sync::Mutex::new(Vec::new()),
        };
        let outcome = {
            let mut ctx = TaskContext {
                path: &scope,
                scope: &scope,
                package_scope: &package_scope,
                type_label: &exe.type_label,
                vars: &mut *self.vars,
                cancel: self.cancel,
                events: &recorder,
                retained: &mut self.retained,
                state: &mut self.state,
            };
            f(&mut ctx)
        };
        // The task's own warnings and information run their handlers once
        // it returns.
        let seen = recorder.seen.into_inner().unwrap_or_default();
        for (kind, msg) in seen {
            self.run_handlers(kind, exe, None, &msg);
        }
        self.variable_changes(exe);
        self.task_result(exe, outcome)
    }

    fn task_result(&mut self, exe: &Executable, outcome: TaskOutcome) -> ExecResult {
        match outcome {
            TaskOutcome::Success => ExecResult::Success,
            TaskOutcome::Canceled => ExecResult::Canceled,
            TaskOutcome::Failed(msg) => {
                self.error(exe, msg);
                self.emit(EventKind::OnTaskFailed, exe, "the task failed");
                ExecResult::Failure
            }
            TaskOutcome::FailedWith(code, msg) => {
                self.error_code(exe, Some(code), msg);
                self.emit(EventKind::OnTaskFailed, exe, "the task failed");
                ExecResult::Failure
            }
        }
    }

    /// Loads and runs the child package of an Execute Package task.
    fn run_child_package(
        &mut self,
        exe: &Executable,
        spec: &super::model::ExecutePackageSpec,
    ) -> ExecResult {
        let outcome = self.child_package(exe, spec);
        self.task_result(exe, outcome)
    }

    fn child_package(
        &mut self,
        exe: &Executable,
        spec: &super::model::ExecutePackageSpec,
    ) -> TaskOutcome {
        if self.depth + 1 >= MAX_PACKAGE_DEPTH {
            return TaskOutcome::Failed(format!(
                "Execute Package tasks nest deeper than {MAX_PACKAGE_DEPTH} levels (does a package run itself?)"
            ));
        }
        let package_scope = self.scope(&self.pkg.root);
        let source = match resolve_child(self.pkg, spec, Some((&*self.vars, &package_scope))) {
            Ok(Some(s)) => s,
            Ok(None) => return TaskOutcome::Failed("the child package is unknown".into()),
            Err(e) => return TaskOutcome::Failed(e),
        };
        let mut child = match source.load() {
            Ok(c) => c,
            Err(e) => return TaskOutcome::Failed(format!("cannot load the child package: {e}")),
        };
        let env = |n: &str| std::env::var(n).ok();
        let design = match super::configurations::resolve(&child, &env) {
            Ok(d) => d,
            Err(e) => return TaskOutcome::Failed(format!("the child package: {}", e.message)),
        };
        let parents = match self.parent_variables(exe, &child) {
            Ok(p) => p,
            Err(e) => {
                return TaskOutcome::Failed(format!("the child package's configurations: {e}"));
            }
        };
        // Parent package variables load last; those that set a connection
        // or a property apply to the child as loaded, variables once declared.
        let (to_vars, to_package): (Vec<_>, Vec<_>) = parents
            .into_iter()
            .partition(|(o, _)| o.target == super::cmdline::SetTarget::Variable);
        let mut sets = design.sets.clone();
        sets.extend(to_package.into_iter().map(|(o, _)| o));
        if let Err(e) = super::apply_overrides(&mut child, &sets) {
            return TaskOutcome::Failed(format!(
                "the child package's configurations: {}",
                e.message
            ));
        }
        for w in design.warnings {
            self.emit(EventKind::OnWarning, exe, w);
        }
        if let Err(e) = super::check_runnable(&child) {
            return TaskOutcome::Failed(format!(
                "the child package '{}' cannot run: {}",
                source.describe(),
                e.message
            ));
        }
        let prefix = format!("{}>", self.scope(exe));
        if let Err(e) = self.vars.declare_tree(&prefix, &child.root) {
            self.vars.remove_scopes_with_prefix(&prefix);
            return TaskOutcome::Failed(format!("the child package's variables: {}", e.message));
        }
        system_vars::declare(self.vars, &child, &prefix);
        let mut configured =
            super::apply_variable_sets(self.vars, &prefix, &design.sets).map_err(|e| e.message);
        for (o, value) in to_vars {
            if configured.is_err() {
                break;
            }
            let scope = format!("{prefix}{}", o.scope);
            configured = self
                .vars
                .set_value(&scope, &o.variable, value, true)
                .map_err(|e| format!("{}: {}", o.path, e.message));
        }
        if let Err(e) = configured {
            self.vars.remove_scopes_with_prefix(&prefix);
            return TaskOutcome::Failed(format!("the child package's configurations: {e}"));
        }
        let result = execute_scoped(
            &child,
            &prefix,
            self.depth + 1,
            self.vars,
            self.events,
            self.cancel,
            self.frames.clone(),
        );
        self.vars.remove_scopes_with_prefix(&prefix);
        match result {
            ExecResult::Canceled => TaskOutcome::Canceled,
            ExecResult::Failure => {
                TaskOutcome::Failed(format!("the child package '{}' failed", child.name()))
            }
            _ => TaskOutcome::Success,
        }
    }

    /// The child's parent package variable configurations: each sets its
    /// target from the variable of that name seen from the Execute Package
    /// task `exe` (a missing one is a warning, as in SSIS). Returns the
    /// overrides with their typed values.
    fn parent_variables(
        &mut self,
        exe: &Executable,
        child: &Package,
    ) -> Result<Vec<(super::cmdline::SetOverride, super::expr::Value)>, String> {
        use super::configurations as conf;
        let mut out = Vec::new();
        let env = |n: &str| std::env::var(n).ok();
        let from = self.scope(exe);
        for c in conf::enabled(child)
            .iter()
            .filter(|c| conf::is_parent_variable(c))
        {
            let name = match conf::parent_variable(c, &env) {
                Ok(n) => n,
                Err(w) => {
                    self.emit(EventKind::OnWarning, exe, w);
                    continue;
                }
            };
            let value = match self.vars.value(&from, &name) {
                Ok(Some(v)) => v,
                _ => {
                    self.emit(
                        EventKind::OnWarning,
                        exe,
                        format!(
                            "configuration '{}': the parent package has no variable '{name}'; \
                             the value saved in the child package is used",
                            c.name
                        ),
                    );
                    continue;
                }
            };
            let o = conf::target(c, value.to_string()).map_err(|e| e.message)?;
            out.push((o, value));
        }
        let (kept, missing) = conf::existing(child, out.iter().map(|(o, _)| o.clone()).collect());
        for w in missing {
            self.emit(EventKind::OnWarning, exe, w);
        }
        out.retain(|(o, _)| kept.contains(o));
        Ok(out)
    }

    /// Evaluates constraint `c`'s expression part, after its source ran.
    fn constraint_expression(&mut self, container: &Executable, body: &Body, ci: usize) -> bool {
        let c = &body.constraints[ci];
        match self.eval_bool(
            container,
            &format!("precedence constraint '{}' expression", c.name),
            &c.expression,
        ) {
            Ok(b) => b,
            Err(msg) => {
                self.error(container, msg);
                false
            }
        }
    }

    /// Evaluates the constraints into child `i`: Some(true) run, Some(false)
    /// never run, None not decidable yet. `exprs[c]` holds constraint `c`'s
    /// expression result once its source has finished.
    /// `into[i]` lists the constraints into child `i`, computed once per run
    /// of the body (so deciding is linear in the constraints, not quadratic).
    fn decide(
        body: &Body,
        into: &[Vec<usize>],
        states: &[State],
        exprs: &[Option<bool>],
        i: usize,
    ) -> Option<bool> {
        let incoming: Vec<(usize, _)> = into[i]
            .iter()
            .map(|&ci| (ci, &body.constraints[ci]))
            .collect();
        if incoming.is_empty() {
            return Some(true);
        }
        let and = incoming.iter().all(|(_, c)| c.logical_and);
        let values: Vec<Tri> = incoming
            .iter()
            .map(|&(ci, c)| match states[c.from] {
                State::Pending => Tri::Unknown,
                State::NotRun => Tri::False,
                State::Done(r) => {
                    let result = satisfies(r, c.value);
                    let expr = exprs[ci].unwrap_or(false);
                    let ok = match c.eval_op {
                        EvalOp::Constraint => result,
                        EvalOp::Expression => expr,
                        EvalOp::ExpressionAndConstraint => result && expr,
                        EvalOp::ExpressionOrConstraint => result || expr,
                    };
                    if ok { Tri::True } else { Tri::False }
                }
            })
            .collect();
        if and {
            if values.contains(&Tri::False) {
                Some(false)
            } else if values.iter().all(|v| *v == Tri::True) {
                Some(true)
            } else {
                None
            }
        } else if values.contains(&Tri::True) {
            Some(true)
        } else if values.iter().all(|v| *v == Tri::False) {
            Some(false)
        } else {
            None
        }
    }

    /// Runs a container: its body in a fresh error frame, then the verdict.
    fn run_container(&mut self, exe: &Executable, body: &Body, max: u32) -> ExecResult {
        self.error_frames.push(0);
        let end = self.run_body(exe, body);
        self.finish_container(exe, max, end)
    }

    /// Pops the container's error frame and turns how its body ended into a result.
    pub(super) fn finish_container(
        &mut self,
        exe: &Executable,
        max: u32,
        end: BodyEnd,
    ) -> ExecResult {
        let errors = self.error_frames.pop().unwrap_or(0);
        if end == BodyEnd::Canceled {
            self.emit(EventKind::OnWarning, exe, "the run was canceled");
            return ExecResult::Canceled;
        }
        if max > 0 && errors >= max {
            self.emit_code(
                EventKind::OnWarning,
                exe,
                Some(DTS_W_MAXIMUMERRORCOUNTREACHED),
                format!("the number of errors raised ({errors}) reached the maximum allowed ({max}), resulting in failure"),
            );
            return ExecResult::Failure;
        }
        if end == BodyEnd::Failed || self.package_failed {
            return ExecResult::Failure;
        }
        ExecResult::Success
    }

    /// Runs the children of `exe` once, in precedence order (the caller owns the error frame).
    pub(super) fn run_body(&mut self, exe: &Executable, body: &Body) -> BodyEnd {
        let n = body.executables.len();
        let mut states = vec![State::Pending; n];
        let mut exprs: Vec<Option<bool>> = vec![None; body.constraints.len()];
        let mut failed_parent = false;
        let mut finished = 0usize;
        let is_package = std::ptr::eq(exe, &self.pkg.root);
        // Constraints into and out of each child. The next child to run is
        // the first (in document order) whose constraints are decided; only
        // the successors of a child that just finished can change from
        // undecided, so only they are looked at again.
        let mut into: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut out_of: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (ci, c) in body.constraints.iter().enumerate() {
            if c.to < n && c.from < n {
                into[c.to].push(ci);
                out_of[c.from].push(c.to);
            }
        }
        let mut candidates: std::collections::BTreeSet<usize> = (0..n).collect();
        loop {
            if self.cancel.is_canceled() {
                return BodyEnd::Canceled;
            }
            let mut next = None;
            while let Some(i) = candidates.pop_first() {
                if states[i] != State::Pending {
                    continue;
                }
                if let Some(run) = Self::decide(body, &into, &states, &exprs, i) {
                    next = Some((i, run));
                    break;
                }
            }
            let Some((i, run)) = next else {
                // Nothing decidable: done, or the rest waits on a cycle and never runs.
                break;
            };
            candidates.extend(out_of[i].iter().copied());
            if !run {
                states[i] = State::NotRun;
                continue;
            }
            let child = &body.executables[i];
            let child_scope = self.scope(child);
            system_vars::declare_container(self.vars, &child_scope, child);
            let (result, disabled, fail_parent) =
                match property_exprs::apply(child, self.vars, &child_scope) {
                    Err(msg) => {
                        self.error(child, msg);
                        (ExecResult::Failure, false, child.fail_parent_on_failure)
                    }
                    Ok(eff) if eff.disabled => {
                        self.emit(
                            EventKind::OnInformation,
                            child,
                            "skipped: the executable is disabled",
                        );
                        (ExecResult::Success, true, false)
                    }
                    Ok(eff) => (
                        self.run_executable(child, &eff),
                        false,
                        eff.fail_parent_on_failure,
                    ),
                };
            states[i] = State::Done(result);
            let to_evaluate: Vec<usize> = body
                .constraints
                .iter()
                .enumerate()
                .filter(|(_, c)| c.from == i && c.eval_op != EvalOp::Constraint)
                .map(|(ci, _)| ci)
                .collect();
            for ci in to_evaluate {
                exprs[ci] = Some(self.constraint_expression(exe, body, ci));
            }
            finished += 1;
            if is_package {
                let pct = finished * 100 / n.max(1);
                self.emit(
                    EventKind::OnProgress,
                    exe,
                    format!("{pct}% complete ({finished} of {n} executables)"),
                );
            }
            if result == ExecResult::Canceled {
                return BodyEnd::Canceled;
            }
            if result == ExecResult::Failure && fail_parent && !disabled {
                failed_parent = true;
            }
            if self.package_failed {
                break;
            }
        }
        if failed_parent || self.package_failed {
            BodyEnd::Failed
        } else {
            BodyEnd::Completed
        }
    }

    /// Pushes a fresh error frame (for loops, which run their body many times).
    pub(super) fn push_frame(&mut self) {
        self.error_frames.push(0);
    }
}

#[cfg(test)]
mod tests {
    //! The precedence rules on their own: `decide` over constraints and the
    //! states of their sources (end-to-end cases: tests/it/runner_precedence.rs).
    use super::*;

    /// [`Engine::decide`] with the constraints into each child indexed here.
    fn decide_in(body: &Body, states: &[State], exprs: &[Option<bool>], i: usize) -> Option<bool> {
        let mut into = vec![Vec::new(); body.executables.len().max(i + 1)];
        for (ci, c) in body.constraints.iter().enumerate() {
            if c.to < into.len() {
                into[c.to].push(ci);
            }
        }
        Engine::decide(body, &into, states, exprs, i)
    }
    use crate::model::Constraint;
    use ExecResult::{Canceled, Completion, Failure, Success};
    use State::{Done, NotRun, Pending};

    /// A constraint from executable `from` to the last one (index 3).
    fn c(from: usize, value: ExecResult, logical_and: bool) -> Constraint {
        Constraint {
            name: format!("c{from}"),
            from,
            to: 3,
            value,
            eval_op: EvalOp::Constraint,
            expression: String::new(),
            logical_and,
        }
    }

    fn body(constraints: Vec<Constraint>) -> Body {
        Body {
            executables: Vec::new(),
            constraints,
        }
    }

    /// `decide` for executable 3, its three possible sources in `states`.
    fn decide(b: &Body, states: [State; 3]) -> Option<bool> {
        let mut all = states.to_vec();
        all.push(Pending);
        decide_in(b, &all, &vec![None; b.constraints.len()], 3)
    }

    #[test]
    fn completion_matches_success_and_failure_but_not_cancel() {
        assert!(satisfies(Success, Completion));
        assert!(satisfies(Failure, Completion));
        assert!(!satisfies(Canceled, Completion));
        assert!(
            satisfies(Completion, Success),
            "a Completion result counts as success"
        );
        assert!(!satisfies(Completion, Failure));
        assert!(!satisfies(Failure, Success));
        assert!(satisfies(Failure, Failure));
    }

    #[test]
    fn no_constraint_runs_at_once() {
        assert_eq!(
            decide(&body(vec![]), [Pending, Pending, Pending]),
            Some(true)
        );
    }

    #[test]
    fn and_needs_every_input_and_knows_early_when_one_fails() {
        let b = body(vec![
            c(0, Success, true),
            c(1, Failure, true),
            c(2, Completion, true),
        ]);
        assert_eq!(decide(&b, [Pending, Pending, Pending]), None);
        assert_eq!(decide(&b, [Done(Success), Done(Failure), Pending]), None);
        assert_eq!(
            decide(&b, [Done(Success), Done(Failure), Done(Success)]),
            Some(true)
        );
        // One input not met: never runs, without waiting for the others.
        assert_eq!(decide(&b, [Done(Failure), Pending, Pending]), Some(false));
        assert_eq!(decide(&b, [Pending, Pending, Done(Canceled)]), Some(false));
        // A source that will never run fails its constraint.
        assert_eq!(
            decide(&b, [NotRun, Done(Failure), Done(Success)]),
            Some(false)
        );
    }

    #[test]
    fn or_runs_on_the_first_input_met_and_never_when_every_input_fails() {
        let b = body(vec![
            c(0, Success, false),
            c(1, Success, false),
            c(2, Failure, false),
        ]);
        assert_eq!(decide(&b, [Pending, Pending, Pending]), None);
        // One met: runs without waiting for the others.
        assert_eq!(decide(&b, [Pending, Done(Success), Pending]), Some(true));
        // Not met so far, others pending: undecided.
        assert_eq!(decide(&b, [Done(Failure), Pending, Pending]), None);
        // Every input failed its constraint: never runs.
        assert_eq!(
            decide(&b, [Done(Failure), Done(Failure), Done(Success)]),
            Some(false)
        );
        assert_eq!(decide(&b, [NotRun, NotRun, NotRun]), Some(false));
        assert_eq!(
            decide(&b, [Done(Canceled), NotRun, Done(Success)]),
            Some(false)
        );
    }

    /// Microsoft's documentation defines LogicalAnd per constraint (true: in
    /// concert with the others; false: on its own) but not a mix, which the
    /// designer never writes. The engine's rule: one OR constraint makes
    /// them all OR. Pinned so that a change is a decision, not an accident.
    #[test]
    fn mixed_and_or_constraints_are_combined_with_or() {
        let b = body(vec![
            c(0, Success, true),
            c(1, Success, true),
            c(2, Success, false),
        ]);
        assert_eq!(decide(&b, [Done(Success), Pending, Pending]), Some(true));
        assert_eq!(decide(&b, [Pending, Pending, Done(Success)]), Some(true));
        assert_eq!(decide(&b, [Done(Failure), Done(Failure), Pending]), None);
        assert_eq!(
            decide(&b, [Done(Failure), Done(Failure), Done(Failure)]),
            Some(false)
        );
    }

    #[test]
    fn expressions_combine_with_the_result_as_eval_op_says() {
        let cases = [
            // (eval_op, source result, expression, runs)
            (EvalOp::Constraint, Success, false, true),
            (EvalOp::Constraint, Failure, true, false),
            (EvalOp::Expression, Failure, true, true),
            (EvalOp::Expression, Success, false, false),
            (EvalOp::ExpressionAndConstraint, Success, true, true),
            (EvalOp::ExpressionAndConstraint, Success, false, false),
            (EvalOp::ExpressionAndConstraint, Failure, true, false),
            (EvalOp::ExpressionOrConstraint, Failure, true, true),
            (EvalOp::ExpressionOrConstraint, Success, false, true),
            (EvalOp::ExpressionOrConstraint, Failure, false, false),
        ];
        for (op, result, expr, runs) in cases {
            let mut k = c(0, Success, true);
            k.eval_op = op;
            let b = body(vec![k]);
            let states = [Done(result), Pending, Pending, Pending];
            assert_eq!(
                decide_in(&b, &states, &[Some(expr)], 3),
                Some(runs),
                "{op:?} with {result:?} and expression {expr}"
            );
            // An expression not evaluated (its source still running) is not true.
            if op == EvalOp::Expression {
                assert_eq!(decide_in(&b, &states, &[None], 3), Some(false));
            }
        }
    }

    #[test]
    fn only_constraints_into_the_executable_count() {
        // 0 -> 1 fails, but only 2 -> 3 leads to the executable decided here.
        let mut other = c(0, Success, true);
        other.to = 1;
        let b = body(vec![other, c(2, Success, true)]);
        assert_eq!(
            decide(&b, [Done(Failure), NotRun, Done(Success)]),
            Some(true)
        );
    }
}
