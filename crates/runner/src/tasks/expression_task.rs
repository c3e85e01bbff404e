//! The Expression Task: evaluates one expression, usually an assignment
//! `@[User::X] = expression`, and stores the result in the variable
//! (converted to its type; read-only variables refuse).

use super::{TaskContext, TaskOutcome};
use crate::expr::Expression;

/// Runs the task with its (possibly expression-set) expression text.
pub fn run(text: &str, ctx: &mut TaskContext<'_>) -> TaskOutcome {
    if text.trim().is_empty() {
        return TaskOutcome::Failed("the Expression Task has no expression".into());
    }
    let expr = match Expression::parse(text) {
        Ok(e) => e,
        Err(e) => return TaskOutcome::Failed(format!("the expression does not parse: {e}")),
    };
    let value = match ctx.vars.eval(ctx.scope, &expr) {
        Ok(v) => v,
        Err(e) => return TaskOutcome::Failed(format!("evaluating \"{text}\": {}", e.message)),
    };
    if let Some(target) = expr.assignment_target() {
        let target = target.to_string();
        if let Err(e) = ctx.vars.set_value(ctx.scope, &target, value, false) {
            return TaskOutcome::Failed(format!("assigning {target}: {}", e.message));
        }
    }
    TaskOutcome::Success
}
