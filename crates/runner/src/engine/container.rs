//! Running a container's body: its children in precedence order, each with
//! its property expressions applied, in an error frame whose count is
//! checked against MaximumErrorCount when the body ends.

use super::precedence::State;
use super::{BodyEnd, Engine};
use crate::events::EventKind;
use crate::model::{Body, EvalOp, ExecResult, Executable};
use crate::property_exprs;
use crate::system_vars;

/// SSIS's warning that the errors reached MaximumErrorCount.
const DTS_W_MAXIMUMERRORCOUNTREACHED: u32 = 0x8001_9002;

impl Engine<'_> {
    /// Runs a container: its body in a fresh error frame, then the verdict.
    pub(super) fn run_container(&mut self, exe: &Executable, body: &Body, max: u32) -> ExecResult {
        self.error_frames.push(0);
        let end = self.run_body(exe, body);
        self.finish_container(exe, max, end)
    }

    /// Pops the container's error frame and turns how its body ended into a result.
    pub(crate) fn finish_container(
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
    pub(crate) fn run_body(&mut self, exe: &Executable, body: &Body) -> BodyEnd {
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
    pub(crate) fn push_frame(&mut self) {
        self.error_frames.push(0);
    }
}
