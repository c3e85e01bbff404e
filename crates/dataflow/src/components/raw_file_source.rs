//! Raw File Source: reads a file in this engine's raw format
//! ([`crate::rawfile`]) named by `FileName` or `FileNameVariable`; each
//! output column reads the file column of its name, converted to the
//! column's type.

use super::BuildCtx;
use super::raw_file_destination::file_name;
use crate::buffer::Batch;
use crate::exec::{Component, Out, Report, Step};
use crate::rawfile;
use crate::types::ColumnType;
use ssis_runner::expr::{DataType, Value};
use std::io::BufReader;

pub struct RawFileSource {
    path: String,
    /// (name, type) of each output column.
    cols: Vec<(String, ColumnType)>,
    main: usize,
    rows_per_batch: usize,
    rows: u64,
}

impl RawFileSource {
    pub fn build(ctx: &BuildCtx) -> Result<RawFileSource, String> {
        let main = ctx.main_and_error_outputs().0.ok_or("it has no output")?;
        let out = &ctx.comp.outputs[main];
        let cols = out
            .columns
            .iter()
            .map(|c| {
                let name = out
                    .external
                    .iter()
                    .find(|e| !c.external.is_empty() && e.key == c.external)
                    .map(|e| e.name.clone())
                    .unwrap_or_else(|| c.name.clone());
                (name, c.ty.clone())
            })
            .collect();
        Ok(RawFileSource {
            path: file_name(ctx)?,
            cols,
            main,
            rows_per_batch: ctx.rows_for(&ctx.outputs[main]),
            rows: 0,
        })
    }
}

impl Component for RawFileSource {
    fn run_source(&mut self, out: &mut Out<'_>) -> Step {
        let io = |e: std::io::Error| format!("raw file \"{}\": {e}", self.path);
        let mut r = BufReader::new(std::fs::File::open(&self.path).map_err(io)?);
        let file_cols = rawfile::read_header(&mut r).map_err(io)?;
        let mut at = vec![None; file_cols.len()];
        for (i, (name, _)) in self.cols.iter().enumerate() {
            let f = file_cols
                .iter()
                .position(|c| c.name == *name)
                .ok_or_else(|| {
                    format!(
                        "output column \"{name}\": raw file \"{}\" has no such column",
                        self.path
                    )
                })?;
            at[f] = Some(i);
        }
        let n = self.cols.len();
        if file_cols.is_empty() {
            return Ok(());
        }
        let mut batch = Batch::with_capacity(n, self.rows_per_batch);
        let mut row = vec![None; n];
        'rows: loop {
            for (f, c) in file_cols.iter().enumerate() {
                let Some(v) = rawfile::read_value(&mut r, &c.ty).map_err(io)? else {
                    if f == 0 {
                        break 'rows;
                    }
                    return Err(format!("raw file \"{}\" ends inside a row", self.path).into());
                };
                if let Some(i) = at[f] {
                    let (name, ty) = &self.cols[i];
                    row[i] = Some(ty.convert(v).map_err(|e| {
                        format!(
                            "output column \"{name}\", row {}: {}",
                            self.rows + 1,
                            e.message()
                        )
                    })?);
                }
            }
            batch.push_row(
                row.iter_mut()
                    .map(|v| v.take().unwrap_or(Value::Null(DataType::WStr))),
            );
            self.rows += 1;
            if batch.rows >= self.rows_per_batch {
                let full =
                    std::mem::replace(&mut batch, Batch::with_capacity(n, self.rows_per_batch));
                out.send(self.main, full)?;
            }
        }
        out.send(self.main, batch)?;
        Ok(())
    }

    fn report(&mut self, r: &mut Report) {
        r.info.push(format!("read {} rows.", self.rows));
    }
}
