//! Conditional Split: each row goes to the first output (by
//! `EvaluationOrder`) whose condition is TRUE, else to the default output;
//! a NULL condition counts as FALSE. A condition that fails to evaluate
//! follows the output's error disposition.

use super::{BuildCtx, RowError, derived_column::expression_text, error_batch};
use crate::buffer::{Batch, Layout};
use crate::exec::{Component, Out, Step};
use crate::exprs::ColumnExpr;
use crate::model::{Disposition, prop};
use ssis_runner::expr::Value;

struct Case {
    output: usize,
    name: String,
    expr: ColumnExpr,
    disposition: Disposition,
}

pub struct ConditionalSplit {
    cases: Vec<Case>,
    default: Option<usize>,
    error: Option<(usize, Layout)>,
    input_cols: usize,
    outputs: usize,
}

impl ConditionalSplit {
    pub fn build(ctx: &BuildCtx) -> Result<ConditionalSplit, String> {
        let mut cases = Vec::new();
        let mut default = None;
        let mut order = Vec::new();
        for (i, o) in ctx.comp.outputs.iter().enumerate() {
            if o.is_error {
                continue;
            }
            let is_default = prop(&o.properties, "IsDefaultOut")
                .and_then(ssis_runner::model::xml_bool)
                .unwrap_or(false);
            if is_default {
                default = Some(i);
                continue;
            }
            let text = expression_text(&o.properties)
                .ok_or_else(|| format!("output \"{}\" has no condition", o.name))?;
            let expr = ColumnExpr::compile(text, &ctx.inputs[0], ctx.var)
                .map_err(|e| format!("output \"{}\": the condition {e}", o.name))?;
            let rank: i64 = prop(&o.properties, "EvaluationOrder")
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(i as i64);
            order.push(rank);
            cases.push(Case {
                output: i,
                name: o.name.clone(),
                expr,
                disposition: o.error_disposition,
            });
        }
        let mut ranked: Vec<(i64, Case)> = order.into_iter().zip(cases).collect();
        ranked.sort_by_key(|(r, _)| *r);
        let (_, err) = ctx.main_and_error_outputs();
        Ok(ConditionalSplit {
            cases: ranked.into_iter().map(|(_, c)| c).collect(),
            default,
            error: err.map(|e| (e, ctx.outputs[e].clone())),
            input_cols: ctx.inputs[0].0.len(),
            outputs: ctx.comp.outputs.len(),
        })
    }
}

/// Where each row of a batch goes.
const NOWHERE: usize = usize::MAX;

impl Component for ConditionalSplit {
    fn push(&mut self, _input: usize, batch: Batch, out: &mut Out<'_>) -> Step {
        let mut target = vec![NOWHERE; batch.rows];
        let mut errors = Vec::new();
        for (r, t) in target.iter_mut().enumerate() {
            for case in &self.cases {
                match case.expr.eval(&batch, r) {
                    Ok(Value::Bool(true)) => {
                        *t = case.output;
                        break;
                    }
                    Ok(Value::Bool(false) | Value::Null(_)) => {}
                    Ok(v) => {
                        return Err(format!(
                            "output \"{}\": the condition gave {} '{v}', not a boolean",
                            case.name,
                            v.data_type()
                        )
                        .into());
                    }
                    Err(e) => match case.disposition {
                        Disposition::Fail => {
                            return Err(
                                format!("output \"{}\": the condition: {e}", case.name).into()
                            );
                        }
                        Disposition::Redirect => {
                            errors.push(RowError {
                                row: r,
                                code: 0xC020_9029_u32 as i32,
                                column: 0,
                            });
                            *t = NOWHERE - 1;
                            break;
                        }
                        Disposition::Ignore => {}
                    },
                }
            }
            if *t == NOWHERE {
                *t = self.default.unwrap_or(NOWHERE);
            }
        }
        if let Some((e, l)) = &self.error
            && !errors.is_empty()
        {
            out.send(*e, error_batch(&batch, self.input_cols, &errors, l))?;
        }
        for (o, part) in batch
            .partition(&target, self.outputs)
            .into_iter()
            .enumerate()
        {
            out.send(o, part)?;
        }
        Ok(())
    }
}
