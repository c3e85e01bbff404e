//! Derived Column: evaluates an SSIS expression per row into a new column
//! or in place of an input column (usage type read-write), converted to
//! the column's type; failures follow the column's dispositions.

use super::{BuildCtx, RowError, dispose, error_batch};
use crate::buffer::{Batch, Layout};
use crate::exec::{Component, Out, Step};
use crate::exprs::ColumnExpr;
use crate::model::{Disposition, Property, prop};
use crate::types::{CellError, ColumnType};
use ssis_runner::expr::Value;

/// One derivation: where it goes, its type, its expression.
struct Derivation {
    /// Buffer position replaced, or None for a new column (appended).
    replaces: Option<usize>,
    name: String,
    number: i32,
    ty: ColumnType,
    expr: ColumnExpr,
    error: Disposition,
    truncation: Disposition,
}

pub struct DerivedColumn {
    derivations: Vec<Derivation>,
    main: usize,
    error: Option<(usize, Layout)>,
    input_cols: usize,
}

/// The expression text of a column's properties: `Expression` (lineage
/// references) or else `FriendlyExpression`.
pub fn expression_text(props: &[Property]) -> Option<&str> {
    prop(props, "Expression")
        .filter(|s| !s.trim().is_empty())
        .or_else(|| prop(props, "FriendlyExpression"))
}

fn compile(ctx: &BuildCtx, text: &str, col: &str) -> Result<ColumnExpr, String> {
    ColumnExpr::compile(text, &ctx.inputs[0], ctx.var)
        .map_err(|e| format!("column \"{col}\": the expression {e}"))
}

impl DerivedColumn {
    pub fn build(ctx: &BuildCtx) -> Result<DerivedColumn, String> {
        let input = ctx.comp.inputs.first().ok_or("it has no input")?;
        let layout = &ctx.inputs[0];
        let (main, err) = ctx.main_and_error_outputs();
        let main = main.ok_or("it has no output")?;
        let mut derivations = Vec::new();
        for c in input.columns.iter().filter(|c| c.read_write) {
            let Some(text) = expression_text(&c.properties) else {
                continue;
            };
            let pos = layout
                .find(&c.lineage)
                .ok_or_else(|| format!("input column \"{}\" is not in its input", c.name))?;
            derivations.push(Derivation {
                replaces: Some(pos),
                name: c.name.clone(),
                number: layout.0[pos].number,
                ty: layout.0[pos].ty.clone(),
                expr: compile(ctx, text, &c.name)?,
                error: c.error_disposition,
                truncation: c.truncation_disposition,
            });
        }
        let out_layout = &ctx.outputs[main];
        for (i, c) in ctx.comp.outputs[main].columns.iter().enumerate() {
            let text = expression_text(&c.properties)
                .ok_or_else(|| format!("output column \"{}\" has no expression", c.name))?;
            derivations.push(Derivation {
                replaces: None,
                name: c.name.clone(),
                number: out_layout.0[layout.0.len() + i].number,
                ty: c.ty.clone(),
                expr: compile(ctx, text, &c.name)?,
                error: c.error_disposition,
                truncation: c.truncation_disposition,
            });
        }
        Ok(DerivedColumn {
            derivations,
            main,
            error: err.map(|e| (e, ctx.outputs[e].clone())),
            input_cols: layout.0.len(),
        })
    }
}

impl Component for DerivedColumn {
    fn push(&mut self, _input: usize, mut batch: Batch, out: &mut Out<'_>) -> Step {
        let n = batch.rows;
        let mut values: Vec<Vec<Value>> = Vec::with_capacity(self.derivations.len());
        let mut failed: Vec<Option<RowError>> = (0..n).map(|_| None).collect();
        for d in &self.derivations {
            let mut col = Vec::with_capacity(n);
            for (r, f) in failed.iter_mut().enumerate() {
                if f.is_some() {
                    col.push(d.ty.null());
                    continue;
                }
                let v = d
                    .expr
                    .eval(&batch, r)
                    .map_err(CellError::Conversion)
                    .and_then(|v| d.ty.convert(v));
                match v {
                    Ok(v) => col.push(v),
                    Err(e) => {
                        if dispose(&e, d.error, d.truncation, &d.name)? {
                            *f = Some(RowError {
                                row: r,
                                code: e.code(),
                                column: d.number,
                            });
                        }
                        col.push(e.kept(&d.ty));
                    }
                }
            }
            values.push(col);
        }
        let errors: Vec<RowError> = failed.into_iter().flatten().collect();
        let err_batch = match (&self.error, errors.is_empty()) {
            (Some((_, l)), false) => Some(error_batch(&batch, self.input_cols, &errors, l)),
            _ => None,
        };
        for (d, col) in self.derivations.iter().zip(values) {
            match d.replaces {
                Some(p) => batch.cols[p] = col,
                None => batch.cols.push(col),
            }
        }
        if !errors.is_empty() {
            let mut take = vec![false; n];
            for e in &errors {
                take[e.row] = true;
            }
            batch = batch.split_off(&take).0;
        }
        out.send(self.main, batch)?;
        if let (Some((e, _)), Some(b)) = (&self.error, err_batch) {
            out.send(*e, b)?;
        }
        Ok(())
    }
}
