//! Excel Source: reads a worksheet, a range of one or a named range
//! (`OpenRowset` `Sheet1$`, `Sheet1$A3:F`, or the table named by
//! `OpenRowsetVariable`), or what a SQL command selects from one
//! (`SqlCommand`, or the variable `SqlCommandVariable`, with `?` parameters
//! from `ParameterMapping`; see [`super::excel_query`]), in the
//! `.xlsx`/`.xlsm`/`.xlsb`/`.xls`/`.ods` file named by the Excel connection
//! manager's `Data Source`, with the first row as column names unless
//! `HDR=NO` (then F1, F2, ...). Empty cells are NULL; numbers, booleans,
//! text and dates convert to the output column's type under its error and
//! truncation dispositions.

use super::excel_query::{self, Lit, Query};
use super::sql::parameter_variables;
use super::{BuildCtx, dispose};
use crate::buffer::Batch;
use crate::exec::{Component, Out, Step};
use crate::model::Disposition;
use crate::types::ColumnType;
use calamine::{Data, open_workbook_auto};
use ssis_runner::expr::{DateTime, Value};

struct Col {
    /// The sheet column name it reads.
    external: String,
    name: String,
    ty: ColumnType,
    error: Disposition,
    truncation: Disposition,
}

pub struct ExcelSource {
    path: String,
    /// What is read (the whole table for the OpenRowset modes).
    query: Query,
    header: bool,
    cols: Vec<Col>,
    main: usize,
    /// The error output: its index and column count.
    error: Option<(usize, usize)>,
    rows_per_batch: usize,
}

/// `Data Source` and `HDR` of an Excel connection string.
pub(super) fn parse_connection(s: &str) -> (String, bool) {
    let mut path = String::new();
    let mut header = true;
    for part in s.split(';') {
        if let Some((k, v)) = part.split_once('=') {
            if k.trim().eq_ignore_ascii_case("Data Source") {
                path = v.trim().trim_matches('"').to_string();
            }
        }
        let up = part.to_ascii_uppercase();
        if up.contains("HDR=NO") {
            header = false;
        }
    }
    (path, header)
}

impl ExcelSource {
    pub fn build(ctx: &BuildCtx) -> Result<ExcelSource, String> {
        let cm = ctx.connection()?;
        if !cm.creation_name.eq_ignore_ascii_case("EXCEL") {
            return Err(format!(
                "connection manager '{}' is a {} connection, not EXCEL",
                cm.name, cm.creation_name
            ));
        }
        let mode = ctx.comp.access_mode();
        let var_text = |name: &str| {
            let var = ctx.comp.prop(name).unwrap_or("");
            (ctx.var)(var)
                .map(|v| v.to_string())
                .ok_or_else(|| format!("the variable \"{var}\" does not exist"))
        };
        let command = |sql: String| -> Result<Query, String> {
            let mut q = excel_query::parse(&sql).map_err(|e| format!("the SQL command: {e}"))?;
            let vars = parameter_variables(ctx)?;
            if q.params != vars.len() {
                return Err(format!(
                    "the SQL command has {} parameter marker(s), ParameterMapping maps {}",
                    q.params,
                    vars.len()
                ));
            }
            if !ctx.checking {
                let values = vars
                    .iter()
                    .map(|v| {
                        (ctx.var)(v)
                            .map(|x| lit(&x))
                            .ok_or_else(|| format!("the parameter variable {v} does not exist"))
                    })
                    .collect::<Result<Vec<_>, String>>()?;
                q.bind(&values);
            }
            Ok(q)
        };
        let query = match mode {
            "0" => Query::whole(ctx.comp.prop("OpenRowset").unwrap_or("")),
            "1" => Query::whole(&var_text("OpenRowsetVariable")?),
            "2" => command(ctx.comp.prop("SqlCommand").unwrap_or("").to_string())?,
            "3" => command(var_text("SqlCommandVariable")?)?,
            _ => return Err(format!("access mode {mode} is not supported")),
        };
        let query = Query {
            table: query
                .table
                .trim()
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_string(),
            ..query
        };
        let (main, error) = ctx.main_and_error_outputs();
        let main = main.ok_or("it has no output")?;
        let out = &ctx.comp.outputs[main];
        let cols = out
            .columns
            .iter()
            .map(|c| Col {
                external: out
                    .external
                    .iter()
                    .find(|e| !c.external.is_empty() && e.key == c.external)
                    .map(|e| e.name.clone())
                    .unwrap_or_else(|| c.name.clone()),
                name: c.name.clone(),
                ty: c.ty.clone(),
                error: c.error_disposition,
                truncation: c.truncation_disposition,
            })
            .collect();
        let (path, header) = if ctx.checking {
            (String::new(), true)
        } else {
            let conn = (ctx.conn_string)(cm)?;
            let (path, header) = parse_connection(&conn);
            if path.is_empty() {
                return Err(format!(
                    "connection manager '{}' names no Data Source",
                    cm.name
                ));
            }
            (path, header)
        };
        Ok(ExcelSource {
            path,
            query,
            header,
            cols,
            main,
            error: error.map(|e| (e, ctx.outputs[e].0.len())),
            rows_per_batch: ctx.rows_for(&ctx.outputs[main]),
        })
    }
}

/// A variable's value as a command's parameter.
fn lit(v: &Value) -> Lit {
    use ssis_runner::expr::DataType;
    match v {
        Value::Null(_) => Lit::Null,
        Value::Bool(b) => Lit::Bool(*b),
        Value::WStr(_) | Value::Str { .. } => Lit::Text(v.as_str().unwrap_or("").to_string()),
        Value::Date(d) | Value::DbDate(d) | Value::DbTimestamp(d) => {
            Lit::Date(excel_query::serial(*d))
        }
        Value::DbTimestamp2 { local, .. } | Value::DbTimestampOffset { local, .. } => {
            Lit::Date(excel_query::serial(*local))
        }
        other => match other.cast(DataType::R8) {
            Ok(Value::R8(f)) => Lit::Num(f),
            _ => Lit::Text(other.to_string()),
        },
    }
}

fn cell_value(d: &Data) -> Result<Value, String> {
    Ok(match d {
        Data::Empty => Value::Null(ssis_runner::expr::DataType::WStr),
        Data::Int(i) => Value::I8(*i),
        Data::Float(f) => Value::R8(*f),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => {
            Value::WStr(s.as_str().into())
        }
        Data::Bool(b) => Value::Bool(*b),
        Data::DateTime(t) => match ole_date(excel_query::cell_serial(t)) {
            Some(d) => Value::Date(d),
            None => return Err(format!("the date {} is out of range", t.as_f64())),
        },
        Data::Error(e) => return Err(format!("the cell holds the error {e:?}")),
    })
}

/// An OLE Automation date (days since 1899-12-30) to the millisecond, the
/// precision Excel keeps.
pub(super) fn ole_date(serial: f64) -> Option<DateTime> {
    const DAYS_TO_1970: f64 = 25_569.0;
    let ms = ((serial - DAYS_TO_1970) * 86_400_000.0).round();
    if !ms.is_finite() || ms.abs() > 1e15 {
        return None;
    }
    DateTime::from_ticks(ms as i64 * 10_000)
}

impl Component for ExcelSource {
    fn run_source(&mut self, out: &mut Out<'_>) -> Step {
        let mut book = open_workbook_auto(&self.path)
            .map_err(|e| format!("cannot open the workbook \"{}\": {e}", self.path))?;
        let table = excel_query::resolve(&mut book, &self.path, &self.query.table)?;
        let sel = excel_query::select(table, self.header, &self.query)
            .map_err(|e| format!("\"{}\", \"{}\": {e}", self.path, self.query.table))?;
        let mut at = Vec::new();
        for c in &self.cols {
            at.push(
                sel.names
                    .iter()
                    .position(|n| *n == c.external)
                    .ok_or_else(|| {
                        format!(
                            "output column \"{}\": \"{}\" has no column \"{}\"",
                            c.name, self.query.table, c.external
                        )
                    })?,
            );
        }
        let n = self.cols.len();
        let mut batch = Batch::with_capacity(n, self.rows_per_batch);
        let mut errors = self.error.map(|(_, w)| Batch::with_capacity(w, 16));
        for r in 0..sel.rows.len() {
            let mut row = Vec::with_capacity(n);
            let mut skip = None;
            for (c, &i) in self.cols.iter().zip(&at) {
                let v = cell_value(sel.cell(r, i))
                    .map_err(crate::types::CellError::Conversion)
                    .and_then(|v| c.ty.convert(v));
                match v {
                    Ok(v) => row.push(v),
                    Err(e) => {
                        if dispose(&e, c.error, c.truncation, &c.name)
                            .map_err(|m| format!("sheet row {}: {m}", sel.sheet_row(r)))?
                        {
                            skip = skip.or(Some((e.code(), row.len() as i32 + 1)));
                        }
                        row.push(e.kept(&c.ty));
                    }
                }
            }
            match (skip, errors.as_mut()) {
                (None, _) => batch.push_row(row),
                // The error output: the row's columns (NULL where they
                // failed), then ErrorCode and ErrorColumn.
                (Some((code, column)), Some(eb)) => {
                    row.truncate(n);
                    row.resize(n, Value::Null(ssis_runner::expr::DataType::WStr));
                    row.push(Value::I4(code));
                    row.push(Value::I4(column));
                    let width = eb.cols.len();
                    row.resize(width, Value::Null(ssis_runner::expr::DataType::WStr));
                    eb.push_row(row);
                }
                (Some(_), None) => {}
            }
            if batch.rows >= self.rows_per_batch {
                let full =
                    std::mem::replace(&mut batch, Batch::with_capacity(n, self.rows_per_batch));
                out.send(self.main, full)?;
            }
        }
        out.send(self.main, batch)?;
        if let (Some(eb), Some((e, _))) = (errors, self.error) {
            out.send(e, eb)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_strings() {
        let (p, h) = parse_connection(
            "Provider=Microsoft.ACE.OLEDB.12.0;Data Source=/d/x.xlsx;Extended Properties=\"Excel 12.0 XML;HDR=NO\";",
        );
        assert_eq!((p.as_str(), h), ("/d/x.xlsx", false));
        let (_, h) =
            parse_connection("Data Source=a.xls;Extended Properties=\"Excel 8.0;HDR=YES\"");
        assert!(h);
        let d = ole_date(45_356.604_166_666_66).unwrap();
        assert_eq!(d.format_timestamp(), "2024-03-05 14:30:00");
        // The same moment in a 1904-system workbook is 1,462 days less.
        let cell = |v, is_1904| {
            Data::DateTime(calamine::ExcelDateTime::new(
                v,
                calamine::ExcelDateTimeType::DateTime,
                is_1904,
            ))
        };
        for c in [
            cell(45_356.604_166_666_66, false),
            cell(43_894.604_166_666_66, true),
        ] {
            let Ok(Value::Date(d)) = cell_value(&c) else {
                panic!("not a date")
            };
            assert_eq!(d.format_timestamp(), "2024-03-05 14:30:00");
        }
    }
}
