//! Data Conversion: a converted copy of input columns
//! (`SourceInputColumnLineageID`), appended to the buffer, with the output
//! column's error and truncation dispositions.

use super::{BuildCtx, RowError, dispose, error_batch};
use crate::buffer::{Batch, Layout};
use crate::exec::{Component, Out, Step};
use crate::model::{Disposition, lineage_ref, prop};
use crate::types::ColumnType;

struct Conversion {
    source: usize,
    name: String,
    number: i32,
    ty: ColumnType,
    error: Disposition,
    truncation: Disposition,
}

pub struct DataConversion {
    conversions: Vec<Conversion>,
    main: usize,
    error: Option<(usize, Layout)>,
    input_cols: usize,
}

impl DataConversion {
    pub fn build(ctx: &BuildCtx) -> Result<DataConversion, String> {
        let (main, err) = ctx.main_and_error_outputs();
        let main = main.ok_or("it has no output")?;
        let layout = &ctx.inputs[0];
        let mut conversions = Vec::new();
        for (i, c) in ctx.comp.outputs[main].columns.iter().enumerate() {
            let src = prop(&c.properties, "SourceInputColumnLineageID")
                .map(lineage_ref)
                .ok_or_else(|| format!("output column \"{}\" names no input column", c.name))?;
            let source = layout.find(src).ok_or_else(|| {
                format!(
                    "output column \"{}\": input column {src} is not in its input",
                    c.name
                )
            })?;
            conversions.push(Conversion {
                source,
                name: c.name.clone(),
                number: ctx.outputs[main].0[layout.0.len() + i].number,
                ty: c.ty.clone(),
                error: c.error_disposition,
                truncation: c.truncation_disposition,
            });
        }
        Ok(DataConversion {
            conversions,
            main,
            error: err.map(|e| (e, ctx.outputs[e].clone())),
            input_cols: layout.0.len(),
        })
    }
}

impl Component for DataConversion {
    fn push(&mut self, _input: usize, mut batch: Batch, out: &mut Out<'_>) -> Step {
        let n = batch.rows;
        let mut take = vec![false; n];
        let mut errors = Vec::new();
        let mut new_cols = Vec::with_capacity(self.conversions.len());
        for c in &self.conversions {
            let mut col = Vec::with_capacity(n);
            for (r, taken) in take.iter_mut().enumerate() {
                if *taken {
                    col.push(c.ty.null());
                    continue;
                }
                match c.ty.convert(batch.cols[c.source][r].clone()) {
                    Ok(v) => col.push(v),
                    Err(e) => {
                        if dispose(&e, c.error, c.truncation, &c.name)? {
                            *taken = true;
                            errors.push(RowError {
                                row: r,
                                code: e.code(),
                                column: c.number,
                            });
                        }
                        col.push(e.kept(&c.ty));
                    }
                }
            }
            new_cols.push(col);
        }
        errors.sort_by_key(|e| e.row);
        let err_batch = match &self.error {
            Some((_, l)) if !errors.is_empty() => {
                Some(error_batch(&batch, self.input_cols, &errors, l))
            }
            _ => None,
        };
        batch.cols.extend(new_cols);
        if !errors.is_empty() {
            batch = batch.split_off(&take).0;
        }
        out.send(self.main, batch)?;
        if let (Some((e, _)), Some(b)) = (&self.error, err_batch) {
            out.send(*e, b)?;
        }
        Ok(())
    }
}
