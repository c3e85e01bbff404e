//! Control-flow execution: runs a container's executables in precedence
//! order (one at a time), evaluates Success/Failure/Completion constraints
//! with logical AND/OR, skips disabled executables (they count as
//! succeeded), never runs unreachable ones, counts errors against
//! MaximumErrorCount (reaching it fails the container once it is done, as
//! SSIS's DTS_W_MAXIMUMERRORCOUNTREACHED; failure paths still run) and honours FailParentOnFailure, FailPackageOnFailure
//! and ForceExecutionResult.

use super::cancel::CancelToken;
use super::events::{Event, EventKind, EventSink};
use super::model::{Body, ExecResult, Executable, ExecutableKind, Package};
use super::tasks::{self, TaskContext, TaskOutcome};
use super::variables::Variables;

/// Runs `pkg` with `vars` (already declared and overridden) and returns the
/// package's result: `Success`, `Failure` or `Canceled`.
pub fn execute(
    pkg: &Package,
    vars: &mut Variables,
    events: &dyn EventSink,
    cancel: &CancelToken,
) -> ExecResult {
    let mut engine = Engine {
        pkg,
        vars,
        events,
        cancel,
        error_frames: Vec::new(),
        package_failed: false,
    };
    let result = engine.run_executable(&pkg.root);
    match result {
        ExecResult::Canceled => ExecResult::Canceled,
        _ if engine.package_failed => ExecResult::Failure,
        ExecResult::Failure => ExecResult::Failure,
        _ => ExecResult::Success,
    }
}

struct Engine<'a> {
    pkg: &'a Package,
    vars: &'a mut Variables,
    events: &'a dyn EventSink,
    cancel: &'a CancelToken,
    /// Error counts of the containers being run, outermost first.
    error_frames: Vec<u32>,
    /// A FailPackageOnFailure executable failed.
    package_failed: bool,
}

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

impl Engine<'_> {
    fn emit(&self, kind: EventKind, exe: &Executable, msg: impl Into<String>) {
        self.events
            .emit(&Event::now(kind, &exe.path, &exe.type_label, msg));
    }

    fn error(&mut self, exe: &Executable, msg: impl Into<String>) {
        for f in &mut self.error_frames {
            *f += 1;
        }
        self.emit(EventKind::OnError, exe, msg);
    }

    fn run_executable(&mut self, exe: &Executable) -> ExecResult {
        self.emit(EventKind::OnPreExecute, exe, "");
        let raw = match &exe.kind {
            ExecutableKind::Sequence(body) => self.run_container(exe, body),
            ExecutableKind::ExecuteProcess(spec) => {
                self.run_task(exe, |ctx| tasks::execute_process::run(spec, ctx))
            }
            ExecutableKind::FileSystem(spec) => {
                let pkg = self.pkg;
                self.run_task(exe, |ctx| tasks::file_system::run(spec, pkg, ctx))
            }
            ExecutableKind::ForLoop { .. }
            | ExecutableKind::ForeachLoop { .. }
            | ExecutableKind::Unsupported(_) => {
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
        let result = match (raw, exe.force_execution_result) {
            (ExecResult::Canceled, _) | (_, None) => raw,
            (_, Some(forced)) => forced,
        };
        if result == ExecResult::Failure && exe.fail_package_on_failure {
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
        let outcome = {
            let mut ctx = TaskContext {
                path: &exe.path,
                type_label: &exe.type_label,
                vars: &mut *self.vars,
                cancel: self.cancel,
                events: self.events,
            };
            f(&mut ctx)
        };
        match outcome {
            TaskOutcome::Success => ExecResult::Success,
            TaskOutcome::Canceled => ExecResult::Canceled,
            TaskOutcome::Failed(msg) => {
                self.error(exe, msg);
                self.emit(EventKind::OnTaskFailed, exe, "the task failed");
                ExecResult::Failure
            }
        }
    }

    /// Evaluates the constraints into child `i`: Some(true) run, Some(false)
    /// never run, None not decidable yet.
    fn decide(body: &Body, states: &[State], i: usize) -> Option<bool> {
        let incoming: Vec<_> = body.constraints.iter().filter(|c| c.to == i).collect();
        if incoming.is_empty() {
            return Some(true);
        }
        let and = incoming.iter().all(|c| c.logical_and);
        let values: Vec<Tri> = incoming
            .iter()
            .map(|c| match states[c.from] {
                State::Pending => Tri::Unknown,
                State::NotRun => Tri::False,
                State::Done(r) => {
                    if satisfies(r, c.value) {
                        Tri::True
                    } else {
                        Tri::False
                    }
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

    fn run_container(&mut self, exe: &Executable, body: &Body) -> ExecResult {
        let n = body.executables.len();
        let mut states = vec![State::Pending; n];
        self.error_frames.push(0);
        let max = exe.max_error_count;
        let mut canceled = false;
        let mut failed_parent = false;
        let mut limit_hit = false;
        let mut finished = 0usize;
        loop {
            if self.cancel.is_canceled() {
                canceled = true;
                break;
            }
            let next = (0..n)
                .filter(|&i| states[i] == State::Pending)
                .find_map(|i| Self::decide(body, &states, i).map(|run| (i, run)));
            let Some((i, run)) = next else {
                // Nothing decidable: done, or the rest waits on a cycle and never runs.
                for s in states.iter_mut().filter(|s| **s == State::Pending) {
                    *s = State::NotRun;
                }
                break;
            };
            if !run {
                states[i] = State::NotRun;
                continue;
            }
            let child = &body.executables[i];
            let result = if child.disabled {
                self.emit(
                    EventKind::OnInformation,
                    child,
                    "skipped: the executable is disabled",
                );
                ExecResult::Success
            } else {
                self.run_executable(child)
            };
            states[i] = State::Done(result);
            finished += 1;
            if exe.path == "Package" || exe.path == self.pkg.root.path {
                let pct = finished * 100 / n.max(1);
                self.emit(
                    EventKind::OnProgress,
                    exe,
                    format!("{pct}% complete ({finished} of {n} executables)"),
                );
            }
            if result == ExecResult::Canceled {
                canceled = true;
                break;
            }
            if result == ExecResult::Failure && child.fail_parent_on_failure && !child.disabled {
                failed_parent = true;
            }
            if self.package_failed {
                break;
            }
        }
        let errors = self.error_frames.pop().unwrap_or(0);
        if max > 0 && errors >= max {
            limit_hit = true;
        }
        if canceled {
            self.emit(EventKind::OnWarning, exe, "the run was canceled");
            return ExecResult::Canceled;
        }
        if limit_hit {
            self.emit(
                EventKind::OnWarning,
                exe,
                format!("the number of errors raised ({errors}) reached the maximum allowed ({max}), resulting in failure"),
            );
            return ExecResult::Failure;
        }
        if failed_parent || self.package_failed {
            return ExecResult::Failure;
        }
        ExecResult::Success
    }
}
