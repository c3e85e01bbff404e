//! Row Count: counts the rows passing through into a variable, set when
//! the data flow ends.

use super::BuildCtx;
use crate::buffer::Batch;
use crate::exec::{Component, Out, Report, Step};
use ssis_runner::expr::Value;

pub struct RowCount {
    variable: String,
    rows: u64,
    main: Option<usize>,
}

impl RowCount {
    pub fn build(ctx: &BuildCtx) -> Result<RowCount, String> {
        let variable = ctx
            .comp
            .prop("VariableName")
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .ok_or("it names no variable (VariableName)")?
            .to_string();
        if (ctx.var)(&variable).is_none() {
            return Err(format!("the variable \"{variable}\" does not exist"));
        }
        Ok(RowCount {
            variable,
            rows: 0,
            main: ctx.main_and_error_outputs().0,
        })
    }
}

impl Component for RowCount {
    fn push(&mut self, _input: usize, batch: Batch, out: &mut Out<'_>) -> Step {
        self.rows += batch.rows as u64;
        match self.main {
            Some(o) => out.send(o, batch),
            None => Ok(()),
        }
    }

    fn report(&mut self, r: &mut Report) {
        let v = i32::try_from(self.rows)
            .map(Value::I4)
            .unwrap_or(Value::I8(self.rows as i64));
        r.assignments.push((self.variable.clone(), v));
    }
}
