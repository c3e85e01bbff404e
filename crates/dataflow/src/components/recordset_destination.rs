//! Recordset Destination: keeps the rows of its input columns and, when the
//! data flow ends, puts them into the Object variable `VariableName` as the
//! runner's result set (the representation an Execute SQL Task's full
//! result set has), which a Foreach ADO enumerator walks.

use super::BuildCtx;
use super::sql::to_sql;
use crate::buffer::Batch;
use crate::exec::{Component, Out, Report, Step};
use ssis_runner::connections::{ResultSet, SqlColumn};
use ssis_runner::variables::ObjectValue;

pub struct RecordsetDestination {
    variable: String,
    /// Buffer positions of the input columns, in input order.
    positions: Vec<usize>,
    set: ResultSet,
}

impl RecordsetDestination {
    pub fn build(ctx: &BuildCtx) -> Result<RecordsetDestination, String> {
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
        let input = ctx.comp.inputs.first().ok_or("it has no input")?;
        let layout = &ctx.inputs[0];
        let mut positions = Vec::new();
        let mut columns = Vec::new();
        for c in &input.columns {
            let pos = layout
                .find(&c.lineage)
                .ok_or_else(|| format!("input column \"{}\" is not in its input", c.name))?;
            positions.push(pos);
            columns.push(SqlColumn {
                name: layout.0[pos].name.clone(),
                type_name: layout.0[pos].ty.describe(),
            });
        }
        Ok(RecordsetDestination {
            variable,
            positions,
            set: ResultSet {
                columns,
                rows: Vec::new(),
            },
        })
    }
}

impl Component for RecordsetDestination {
    fn push(&mut self, _input: usize, batch: Batch, _out: &mut Out<'_>) -> Step {
        for r in 0..batch.rows {
            self.set.rows.push(
                self.positions
                    .iter()
                    .map(|p| to_sql(&batch.cols[*p][r]))
                    .collect(),
            );
        }
        Ok(())
    }

    fn report(&mut self, r: &mut Report) {
        r.info.push(format!(
            "stored {} rows in {}.",
            self.set.rows.len(),
            self.variable
        ));
        r.objects.push((
            self.variable.clone(),
            ObjectValue::Rowset(std::mem::take(&mut self.set)),
        ));
    }
}
