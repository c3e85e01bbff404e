//! Running one executable: validation of the package's data flows before
//! the run, the executable's events around it, its kind dispatched to a
//! container, loop or task, and a task's outcome turned into a result.

use super::{Engine, Frame};
use crate::events::{Event, EventKind, EventSink};
use crate::model::{ExecResult, Executable, ExecutableKind};
use crate::property_exprs::Effective;
use crate::tasks::{self, TaskContext, TaskOutcome};

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

impl Engine<'_> {
    /// Validates the package's Data Flow Tasks (those without
    /// `DelayValidation`) against their connections before anything runs,
    /// as SSIS validates a package; false when one failed. The run keeps
    /// which were validated, so they are not validated again as they start.
    pub(super) fn validate_data_flows(&mut self) -> bool {
        let pkg = self.pkg;
        let (found, validated) =
            crate::dataflow_hook::validate_package(pkg, self.vars, &self.prefix);
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
            crate::dataflow_hook::VALIDATED.to_string(),
            Box::new(validated),
        );
        ok
    }

    pub(crate) fn run_executable(&mut self, exe: &Executable, eff: &Effective) -> ExecResult {
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
                match crate::dataflow_hook::engine() {
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

    pub(super) fn task_result(&mut self, exe: &Executable, outcome: TaskOutcome) -> ExecResult {
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
}
