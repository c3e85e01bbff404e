//! OLE DB Command: runs `SqlCommand` once per row, its `?` parameters
//! bound from the input columns mapped to the external columns `Param_0`,
//! `Param_1`, ... (by that number). Rows pass on to the output; a row whose
//! statement SQL Server refuses meets the input's error disposition (fail,
//! ignore, or redirect to the error output with ErrorCode 0xC0202009).

use super::sql::{Target, timeout, to_sql};
use super::{BuildCtx, RowError, error_batch};
use crate::buffer::{Batch, Layout};
use crate::exec::{Component, Out, Report, Step};
use crate::model::Disposition;
use ssis_runner::connections::{SqlConnection, SqlValue, question_marks_to_named};
use std::time::Duration;

/// ErrorCode of a row SQL Server refused (DTS_E_OLEDBERROR).
const OLEDB_ERROR: i32 = 0xC020_2009_u32 as i32;

pub struct OleDbCommand {
    target: Target,
    sql: String,
    /// Buffer position of each parameter, in parameter order.
    params: Vec<usize>,
    timeout: Option<Duration>,
    disposition: Disposition,
    main: Option<usize>,
    error: Option<(usize, Layout)>,
    input_cols: usize,
    conn: Option<SqlConnection>,
    rows: u64,
}

impl OleDbCommand {
    pub fn build(ctx: &BuildCtx) -> Result<OleDbCommand, String> {
        let sql = ctx
            .comp
            .prop("SqlCommand")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or("it has no SqlCommand")?;
        let (sql, markers) = question_marks_to_named(sql);
        let input = ctx.comp.inputs.first().ok_or("it has no input")?;
        let layout = &ctx.inputs[0];
        let mut params: Vec<(usize, usize)> = Vec::new();
        for c in &input.columns {
            let Some(ext) = input
                .external
                .iter()
                .find(|e| !c.external.is_empty() && e.key == c.external)
            else {
                continue;
            };
            let n: usize = ext
                .name
                .strip_prefix("Param_")
                .and_then(|n| n.parse().ok())
                .ok_or_else(|| {
                    format!(
                        "input column \"{}\" is mapped to \"{}\", not a parameter (Param_0, Param_1, ...)",
                        c.name, ext.name
                    )
                })?;
            let pos = layout
                .find(&c.lineage)
                .ok_or_else(|| format!("input column \"{}\" is not in its input", c.name))?;
            params.push((n, pos));
        }
        params.sort();
        if params.len() != markers || params.iter().enumerate().any(|(i, p)| p.0 != i) {
            return Err(format!(
                "the command has {markers} parameter marker(s); the input maps {} column(s) to Param_0..",
                params.len()
            ));
        }
        let (main, error) = ctx.main_and_error_outputs();
        Ok(OleDbCommand {
            target: Target::of(ctx)?,
            sql,
            params: params.into_iter().map(|p| p.1).collect(),
            timeout: timeout(ctx),
            disposition: input.error_disposition,
            main,
            error: error.map(|e| (e, ctx.outputs[e].clone())),
            input_cols: layout.0.len(),
            conn: None,
            rows: 0,
        })
    }
}

impl Component for OleDbCommand {
    fn push(&mut self, _input: usize, batch: Batch, out: &mut Out<'_>) -> Step {
        if self.conn.is_none() {
            self.conn = Some(self.target.open()?);
        }
        let conn = self.conn.as_mut().expect("opened above");
        let mut failed = Vec::new();
        let mut take = vec![false; batch.rows];
        for (r, t) in take.iter_mut().enumerate() {
            let values: Vec<SqlValue> = self
                .params
                .iter()
                .map(|p| to_sql(&batch.cols[*p][r]))
                .collect();
            match conn.execute(&self.sql, &values, self.timeout, &self.target.cancel) {
                Ok(_) => self.rows += 1,
                Err(e) if conn.is_open() && e.kind == ssis_core::error::ErrorKind::Io => {
                    match self.disposition {
                        Disposition::Fail => {
                            return Err(format!("row {}: {}", r + 1, e.message).into());
                        }
                        Disposition::Ignore => {}
                        Disposition::Redirect => {
                            *t = true;
                            failed.push(RowError {
                                row: r,
                                code: OLEDB_ERROR,
                                column: 0,
                            });
                        }
                    }
                }
                Err(e) => return Err(e.message.into()),
            }
        }
        let err = match (&self.error, failed.is_empty()) {
            (Some((e, l)), false) => Some((*e, error_batch(&batch, self.input_cols, &failed, l))),
            _ => None,
        };
        if let Some(o) = self.main {
            let batch = if failed.is_empty() {
                batch
            } else {
                batch.split_off(&take).0
            };
            out.send(o, batch)?;
        }
        if let Some((e, b)) = err {
            out.send(e, b)?;
        }
        Ok(())
    }

    fn report(&mut self, r: &mut Report) {
        r.info
            .push(format!("ran the command for {} rows.", self.rows));
    }
}
