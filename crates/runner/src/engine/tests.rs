//! The precedence rules on their own: `decide` over constraints and the
//! states of their sources (end-to-end cases: tests/it/runner_precedence.rs).

use super::precedence::{State, satisfies};
use super::*;
use crate::model::{Body, EvalOp};

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
