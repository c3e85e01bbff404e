//! Precedence constraints: an executable's result, how a constraint is
//! evaluated, and the constraint between two executables.

/// How an executable ended, as precedence constraints and parents see it
/// (`DTSExecResult` values).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExecResult {
    /// 0: it succeeded.
    Success,
    /// 1: it failed.
    Failure,
    /// 2: completed (a constraint value matching success or failure).
    Completion,
    /// 3: it was canceled.
    Canceled,
}

impl ExecResult {
    /// The result for a `DTSExecResult` number.
    pub fn from_code(code: i64) -> Option<ExecResult> {
        match code {
            0 => Some(ExecResult::Success),
            1 => Some(ExecResult::Failure),
            2 => Some(ExecResult::Completion),
            3 => Some(ExecResult::Canceled),
            _ => None,
        }
    }
}

/// A precedence constraint's evaluation operation (`DTS:EvalOp`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvalOp {
    /// 1: the expression alone.
    Expression,
    /// 2: the execution result alone (the default).
    Constraint,
    /// 3: both the expression and the result.
    ExpressionAndConstraint,
    /// 4: either the expression or the result.
    ExpressionOrConstraint,
}

/// A precedence constraint between two executables of one container.
#[derive(Debug, Clone)]
pub struct Constraint {
    /// `ObjectName`.
    pub name: String,
    /// Index of the source executable in the container's `executables`.
    pub from: usize,
    /// Index of the constrained executable.
    pub to: usize,
    /// The result the source must have (`Success`, `Failure` or `Completion`).
    pub value: ExecResult,
    /// How the constraint is evaluated.
    pub eval_op: EvalOp,
    /// The expression (empty when none).
    pub expression: String,
    /// `LogicalAnd`: combined with AND (true) or OR (false) with the other
    /// constraints into the same executable.
    pub logical_and: bool,
}
