//! OLE DB Source and ADO.NET Source to SQL Server: the rows of a table or
//! view (`OpenRowset`, `TableOrViewName`, or a variable naming it) or of a
//! SQL command (`SqlCommand`, or the variable `SqlCommandVariable`), with
//! `?` parameters from `ParameterMapping` (OLE DB). Each output column
//! reads the result column of its external column's name, converted to the
//! column's type under its error and truncation dispositions (a redirected
//! row goes to the error output with ErrorCode and ErrorColumn). Rows are
//! streamed from the server in batches.

use super::sql::{
    Target, column_index, from_sql, parameter_values, parameter_variables, quote_name, timeout,
};
use super::{BuildCtx, dispose};
use crate::buffer::Batch;
use crate::exec::{Component, Out, Report, Step};
use crate::model::Disposition;
use crate::types::ColumnType;
use ssis_runner::connections::{SqlColumn, SqlValue, question_marks_to_named};
use ssis_runner::expr::Value;
use std::cell::RefCell;
use std::time::Duration;

struct Col {
    /// The result column it reads.
    external: String,
    name: String,
    number: i32,
    ty: ColumnType,
    error: Disposition,
    truncation: Disposition,
}

pub struct SqlSource {
    target: Target,
    sql: String,
    params: Vec<SqlValue>,
    timeout: Option<Duration>,
    cols: Vec<Col>,
    main: usize,
    /// The error output and its width.
    error: Option<(usize, usize)>,
    rows_per_batch: usize,
    rows: u64,
}

/// A variable's value as text, naming it when it is missing.
fn var_text(ctx: &BuildCtx, prop: &str) -> Result<String, String> {
    let name = ctx.comp.prop(prop).unwrap_or("").trim().to_string();
    (ctx.var)(&name)
        .map(|v| v.to_string())
        .ok_or_else(|| format!("the variable \"{name}\" ({prop}) does not exist"))
}

fn non_empty(s: String, what: &str) -> Result<String, String> {
    if s.trim().is_empty() {
        Err(format!("{what} is empty"))
    } else {
        Ok(s)
    }
}

impl SqlSource {
    /// `ado`: an ADO.NET Source (`TableOrViewName`, no parameters).
    pub fn build(ctx: &BuildCtx, ado: bool) -> Result<SqlSource, String> {
        let mode = ctx.comp.access_mode();
        let prop = |n: &str| ctx.comp.prop(n).unwrap_or("").to_string();
        let table = |name: String| format!("SELECT * FROM {}", quote_name(&name));
        let (sql, with_params) = match (ado, mode) {
            (false, "0") => (table(non_empty(prop("OpenRowset"), "OpenRowset")?), false),
            (false, "1") => (
                table(non_empty(
                    var_text(ctx, "OpenRowsetVariable")?,
                    "the table name",
                )?),
                false,
            ),
            (false, "2") => (non_empty(prop("SqlCommand"), "SqlCommand")?, true),
            (false, "3") => (
                non_empty(var_text(ctx, "SqlCommandVariable")?, "the SQL command")?,
                true,
            ),
            (true, "0") => (
                table(non_empty(prop("TableOrViewName"), "TableOrViewName")?),
                false,
            ),
            (true, "2") => (non_empty(prop("SqlCommand"), "SqlCommand")?, false),
            (_, m) => return Err(format!("access mode {m} is not supported")),
        };
        let (sql, params) = if with_params {
            let vars = parameter_variables(ctx)?;
            let (sql, markers) = question_marks_to_named(&sql);
            if markers != vars.len() {
                return Err(format!(
                    "the SQL command has {markers} parameter marker(s), ParameterMapping maps {}",
                    vars.len()
                ));
            }
            let values = if ctx.checking {
                Vec::new()
            } else {
                parameter_values(ctx, &vars)?
            };
            (sql, values)
        } else {
            (sql, Vec::new())
        };
        let (main, error) = ctx.main_and_error_outputs();
        let main = main.ok_or("it has no output")?;
        let out = &ctx.comp.outputs[main];
        let cols = out
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| Col {
                external: out
                    .external
                    .iter()
                    .find(|e| !c.external.is_empty() && e.key == c.external)
                    .map(|e| e.name.clone())
                    .unwrap_or_else(|| c.name.clone()),
                name: c.name.clone(),
                number: ctx.outputs[main].0[i].number,
                ty: c.ty.clone(),
                error: c.error_disposition,
                truncation: c.truncation_disposition,
            })
            .collect();
        Ok(SqlSource {
            target: Target::of(ctx)?,
            sql,
            params,
            timeout: timeout(ctx),
            cols,
            main,
            error: error.map(|e| (e, ctx.outputs[e].0.len())),
            rows_per_batch: ctx.rows_for(&ctx.outputs[main]),
            rows: 0,
        })
    }
}

impl Component for SqlSource {
    fn run_source(&mut self, out: &mut Out<'_>) -> Step {
        let mut conn = self.target.open()?;
        let n = self.cols.len();
        let rows_per_batch = self.rows_per_batch;
        let at: RefCell<Option<Vec<usize>>> = RefCell::default();
        let mut batch = Batch::with_capacity(n, rows_per_batch);
        let mut errors = self.error.map(|(_, w)| Batch::with_capacity(w, 16));
        let mut sent: Result<(), crate::exec::Fail> = Ok(());
        let mut rows = 0u64;
        let cols = &self.cols;
        let (main, error) = (self.main, self.error);
        let mut on_columns = |rs: &[SqlColumn]| -> ssis_core::error::Result<()> {
            if at.borrow().is_some() {
                return Ok(()); // only the first result set
            }
            let mut idx = Vec::with_capacity(cols.len());
            for c in cols {
                idx.push(column_index(rs, &c.external).ok_or_else(|| {
                    ssis_core::error::Error::invalid(format!(
                        "output column \"{}\": the result has no column \"{}\"",
                        c.name, c.external
                    ))
                })?);
            }
            *at.borrow_mut() = Some(idx);
            Ok(())
        };
        let fail = |m: String| ssis_core::error::Error::invalid(m);
        let mut on_row = |row: Vec<SqlValue>| -> ssis_core::error::Result<()> {
            let at = at.borrow();
            let Some(idx) = at.as_ref().filter(|i| i.len() == cols.len()) else {
                return Ok(());
            };
            rows += 1;
            let mut values = Vec::with_capacity(n);
            let mut bad = None;
            for (c, &i) in cols.iter().zip(idx) {
                match c.ty.convert(from_sql(&row[i])) {
                    Ok(v) => values.push(v),
                    Err(e) => {
                        let redirect = dispose(&e, c.error, c.truncation, &c.name)
                            .map_err(|m| fail(format!("row {rows}: {m}")))?;
                        if redirect && bad.is_none() {
                            bad = Some((e.code(), c.number));
                        }
                        values.push(e.kept(&c.ty));
                    }
                }
            }
            match (bad, errors.as_mut()) {
                (None, _) => {
                    batch.push_row(values);
                    if batch.rows >= rows_per_batch {
                        let full =
                            std::mem::replace(&mut batch, Batch::with_capacity(n, rows_per_batch));
                        if let Err(e) = out.send(main, full) {
                            let m = e.message.clone();
                            sent = Err(e);
                            return Err(fail(m));
                        }
                    }
                }
                (Some((code, column)), Some(eb)) => {
                    let width = eb.cols.len();
                    values.push(Value::I4(code));
                    values.push(Value::I4(column));
                    values.resize(width, Value::Null(ssis_runner::expr::DataType::WStr));
                    eb.push_row(values);
                }
                (Some(_), None) => {}
            }
            Ok(())
        };
        let r = conn.for_each_row(
            &self.sql,
            &self.params,
            self.timeout,
            &self.target.cancel,
            &mut on_columns,
            &mut on_row,
        );
        sent?;
        r.map_err(|e| e.message)?;
        self.target.give_back(conn);
        self.rows = rows;
        out.send(main, batch)?;
        if let (Some(eb), Some((e, _))) = (errors, error) {
            out.send(e, eb)?;
        }
        Ok(())
    }

    fn report(&mut self, r: &mut Report) {
        r.info.push(format!("read {} rows.", self.rows));
    }
}
