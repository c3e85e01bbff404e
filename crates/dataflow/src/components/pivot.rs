//! Pivot: the rows of a set (consecutive rows with the same set key,
//! `PivotUsage` 1; the input should be sorted on it) become one row. The
//! pivot key column (`PivotUsage` 2) says which output column (the one
//! whose `PivotKeyValue` is its value as text) receives the row's pivot
//! value (`PivotUsage` 3); other output columns copy their `SourceColumn`
//! from the set's first row (set keys and pass-through columns). A second
//! value for one output column in a set, or a pivot key value no output
//! column has, fails the component (ignored with `IgnoreFailure`); with
//! `PassThroughUnmatchedPivotKeys` unmatched values are ignored and listed
//! when the input ends.

use super::BuildCtx;
use crate::buffer::Batch;
use crate::exec::{Component, Out, Report, Step};
use crate::model::{Disposition, lineage_ref, prop};
use crate::types::ColumnType;
use ssis_runner::expr::Value;

/// What fills an output column.
enum Fill {
    /// The set's first value of an input position.
    First(usize),
    /// The pivot value of the row whose pivot key is this text.
    Pivoted(String),
}

pub struct Pivot {
    set_keys: Vec<usize>,
    pivot_key: usize,
    pivot_value: usize,
    fills: Vec<Fill>,
    types: Vec<ColumnType>,
    names: Vec<String>,
    ignore_failures: bool,
    pass_unmatched: bool,
    /// The set being built: its key values, its row, which pivoted
    /// columns are filled.
    current: Option<(Vec<Value>, Vec<Value>, Vec<bool>)>,
    unmatched: Vec<String>,
    out: Batch,
    main: usize,
    rows_per_batch: usize,
}

fn usage(c: &crate::model::InputColumn) -> Result<u8, String> {
    match prop(&c.properties, "PivotUsage").map(str::trim) {
        None | Some("0") => Ok(0),
        Some("1") => Ok(1),
        Some("2") => Ok(2),
        Some("3") => Ok(3),
        Some(v) => Err(format!(
            "input column \"{}\": PivotUsage {v} is not 0 to 3",
            c.name
        )),
    }
}

impl Pivot {
    pub fn build(ctx: &BuildCtx) -> Result<Pivot, String> {
        let (main, _) = ctx.main_and_error_outputs();
        let main = main.ok_or("it has no output")?;
        let input = ctx.comp.inputs.first().ok_or("it has no input")?;
        let layout = ctx.inputs.first().ok_or("it has no input")?;
        let (mut set_keys, mut keys, mut values) = (Vec::new(), Vec::new(), Vec::new());
        for c in &input.columns {
            let at = layout
                .find(&c.lineage)
                .ok_or_else(|| format!("input column \"{}\" is not in its input", c.name))?;
            match usage(c)? {
                1 => set_keys.push(at),
                2 => keys.push(at),
                3 => values.push(at),
                _ => {}
            }
        }
        let pivot_key = match keys.as_slice() {
            [k] => *k,
            [] => return Err("no input column is the pivot key (PivotUsage 2)".into()),
            _ => return Err("more than one input column is the pivot key (PivotUsage 2)".into()),
        };
        let pivot_value = match values.as_slice() {
            [v] => *v,
            [] => return Err("no input column is the pivot value (PivotUsage 3)".into()),
            _ => {
                return Err("more than one input column is the pivot value (PivotUsage 3)".into());
            }
        };
        if input.error_disposition == Disposition::Redirect {
            return Err(
                "redirecting failing rows to the error output is not supported for Pivot".into(),
            );
        }
        let out = &ctx.outputs[main];
        let mut fills = Vec::new();
        for c in &ctx.comp.outputs[main].columns {
            let source = prop(&c.properties, "SourceColumn")
                .map(lineage_ref)
                .and_then(|s| layout.find(s))
                .ok_or_else(|| {
                    format!(
                        "output column \"{}\" names no input column (SourceColumn)",
                        c.name
                    )
                })?;
            let key = prop(&c.properties, "PivotKeyValue").map(str::to_string);
            fills.push(match key {
                Some(k) if source == pivot_value => {
                    if fills
                        .iter()
                        .any(|f| matches!(f, Fill::Pivoted(x) if *x == k))
                    {
                        return Err(format!(
                            "output column \"{}\": pivot key value \"{k}\" is not unique",
                            c.name
                        ));
                    }
                    Fill::Pivoted(k)
                }
                _ => Fill::First(source),
            });
        }
        Ok(Pivot {
            set_keys,
            pivot_key,
            pivot_value,
            fills,
            types: out.0.iter().map(|c| c.ty.clone()).collect(),
            names: out.0.iter().map(|c| c.name.clone()).collect(),
            ignore_failures: input.error_disposition == Disposition::Ignore,
            pass_unmatched: ctx
                .comp
                .prop("PassThroughUnmatchedPivotKeys")
                .and_then(ssis_runner::model::xml_bool)
                .unwrap_or(false),
            current: None,
            unmatched: Vec::new(),
            out: Batch::with_capacity(out.0.len(), ctx.rows_for(out)),
            main,
            rows_per_batch: ctx.rows_for(out),
        })
    }

    /// Sends the set being built, if any.
    fn emit(&mut self, out: &mut Out<'_>) -> Step {
        if let Some((_, row, _)) = self.current.take() {
            self.out.push_row(row);
            if self.out.rows >= self.rows_per_batch {
                let full = std::mem::replace(
                    &mut self.out,
                    Batch::with_capacity(self.types.len(), self.rows_per_batch),
                );
                out.send(self.main, full)?;
            }
        }
        Ok(())
    }

    /// The first values of a set starting at row `r`.
    fn first_row(&self, batch: &Batch, r: usize) -> Result<Vec<Value>, String> {
        self.fills
            .iter()
            .zip(&self.types)
            .zip(&self.names)
            .map(|((f, ty), name)| match f {
                Fill::First(at) => ty
                    .convert(batch.cols[*at][r].clone())
                    .map_err(|e| format!("output column \"{name}\": {}", e.message())),
                Fill::Pivoted(_) => Ok(ty.null()),
            })
            .collect()
    }
}

impl Component for Pivot {
    fn push(&mut self, _input: usize, batch: Batch, out: &mut Out<'_>) -> Step {
        for r in 0..batch.rows {
            let set: Vec<Value> = self
                .set_keys
                .iter()
                .map(|at| batch.cols[*at][r].clone())
                .collect();
            if self.current.as_ref().is_some_and(|(s, _, _)| *s != set) {
                self.emit(out)?;
            }
            if self.current.is_none() {
                let row = self.first_row(&batch, r)?;
                let filled = vec![false; self.fills.len()];
                self.current = Some((set, row, filled));
            }
            let key = &batch.cols[self.pivot_key][r];
            let text = if key.is_null() {
                String::new()
            } else {
                key.to_string()
            };
            let slot = self
                .fills
                .iter()
                .position(|f| matches!(f, Fill::Pivoted(k) if *k == text));
            let Some((_, row, filled)) = self.current.as_mut() else {
                continue;
            };
            let failure = match slot {
                Some(j) if filled[j] => Some(format!(
                    "a second row of the same set has pivot key value \"{text}\" (output column \"{}\")",
                    self.names[j]
                )),
                Some(j) => {
                    let v = batch.cols[self.pivot_value][r].clone();
                    row[j] = self.types[j].convert(v).map_err(|e| {
                        format!("output column \"{}\": {}", self.names[j], e.message())
                    })?;
                    filled[j] = true;
                    None
                }
                None if self.pass_unmatched => {
                    if !self.unmatched.contains(&text) {
                        self.unmatched.push(text);
                    }
                    None
                }
                None => Some(format!(
                    "pivot key value \"{text}\" matches no output column"
                )),
            };
            if let Some(why) = failure
                && !self.ignore_failures
            {
                return Err(why.into());
            }
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut Out<'_>) -> Step {
        self.emit(out)?;
        let last = std::mem::take(&mut self.out);
        if last.rows > 0 {
            out.send(self.main, last)?;
        }
        Ok(())
    }

    fn report(&mut self, r: &mut Report) {
        if !self.unmatched.is_empty() {
            r.info.push(format!(
                "pivot key values that match no output column, ignored: {}.",
                self.unmatched.join(", ")
            ));
        }
    }
}
