//! The precedence rules: whether a constraint's source result satisfies it,
//! its expression part, and the decision (run, never run, not yet) for a
//! child from the constraints into it.

use super::Engine;
use crate::model::{Body, EvalOp, ExecResult, Executable};

/// Where a child of a container stands.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum State {
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

pub(super) fn satisfies(result: ExecResult, wanted: ExecResult) -> bool {
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
    /// Evaluates constraint `c`'s expression part, after its source ran.
    pub(super) fn constraint_expression(
        &mut self,
        container: &Executable,
        body: &Body,
        ci: usize,
    ) -> bool {
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
    pub(super) fn decide(
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
}
