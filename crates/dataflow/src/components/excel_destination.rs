//! Excel Destination: appends its rows to a worksheet (`OpenRowset`
//! `Sheet1$`, the sheet named by `OpenRowsetVariable`, or the one a SQL
//! command's `SELECT ... FROM` names) of the `.xlsx`
//! file the Excel connection manager names (other formats are refused), each input column under the
//! header cell of its external column's name (`HDR=YES`; with `HDR=NO`,
//! the columns in input order). A sheet the workbook lacks is created with
//! a header row. The rows are held until the input ends; the workbook is
//! then written anew with `rust_xlsxwriter`: the cell values of the other
//! sheets and earlier rows are kept (read with `calamine`), their
//! formatting and formulas are not. Numbers are written as numbers, dates
//! as date-formatted serials, NULLs as empty cells.

use super::BuildCtx;
use super::excel_source::parse_connection;
use crate::buffer::Batch;
use crate::exec::{Component, Out, Report, Step};
use crate::values::float;
use calamine::{Data, Reader, open_workbook_auto};
use rust_xlsxwriter::{Format, Workbook, Worksheet};
use ssis_runner::expr::Value;

/// A worksheet's name and cell values.
type Sheet = (String, Vec<Vec<Data>>);

pub struct ExcelDestination {
    path: String,
    header: bool,
    sheet: String,
    /// (buffer position, sheet column name).
    cols: Vec<(usize, String)>,
    rows: Vec<Vec<Value>>,
}

/// The sheet a table name (`Sheet1$`, `[Sheet1$]`, `'My Sheet$'`,
/// `'Bob''s'$`, `Sheet1`) names; a range is refused, naming the sheet to
/// give instead.
fn sheet_name(table: &str) -> Result<String, String> {
    let table =
        super::excel_query::unquote(table.trim().trim_start_matches('[').trim_end_matches(']'));
    let sheet = match table.rsplit_once('$') {
        Some((name, "")) => super::excel_query::unquote(name),
        Some((name, range)) => {
            return Err(format!(
                "\"{table}\": writing into a range ({range}) is not supported; name the sheet ({name}$)"
            ));
        }
        None => table.clone(),
    };
    if sheet.is_empty() {
        return Err("it names no worksheet (OpenRowset)".into());
    }
    Ok(sheet)
}

impl ExcelDestination {
    pub fn build(ctx: &BuildCtx) -> Result<ExcelDestination, String> {
        let cm = ctx.connection()?;
        if !cm.creation_name.eq_ignore_ascii_case("EXCEL") {
            return Err(format!(
                "connection manager '{}' is a {} connection, not EXCEL",
                cm.name, cm.creation_name
            ));
        }
        let sheet = match ctx.comp.access_mode() {
            "0" | "3" => ctx.comp.prop("OpenRowset").unwrap_or("").to_string(),
            "1" | "4" => {
                let var = ctx.comp.prop("OpenRowsetVariable").unwrap_or("");
                (ctx.var)(var)
                    .map(|v| v.to_string())
                    .ok_or_else(|| format!("the variable \"{var}\" does not exist"))?
            }
            // The sheet a SQL command selects from.
            "2" => {
                let sql = ctx.comp.prop("SqlCommand").unwrap_or("");
                super::excel_query::parse(sql)
                    .map_err(|e| format!("the SQL command: {e}"))?
                    .table
            }
            m => return Err(format!("access mode {m} is not supported")),
        };
        let sheet = sheet_name(&sheet)?;
        let input = ctx.comp.inputs.first().ok_or("it has no input")?;
        let layout = &ctx.inputs[0];
        let mut cols = Vec::new();
        for c in &input.columns {
            let pos = layout
                .find(&c.lineage)
                .ok_or_else(|| format!("input column \"{}\" is not in its input", c.name))?;
            let name = input
                .external
                .iter()
                .find(|e| !c.external.is_empty() && e.key == c.external)
                .map(|e| e.name.clone())
                .unwrap_or_else(|| layout.0[pos].name.clone());
            cols.push((pos, name));
        }
        let (path, header) = if ctx.checking {
            (String::new(), true)
        } else {
            let (path, header) = parse_connection(&(ctx.conn_string)(cm)?);
            if path.is_empty() {
                return Err(format!(
                    "connection manager '{}' names no Data Source",
                    cm.name
                ));
            }
            let ext = std::path::Path::new(&path)
                .extension()
                .map(|e| e.to_string_lossy().to_ascii_lowercase())
                .unwrap_or_default();
            if ext != "xlsx" {
                return Err(format!(
                    "\"{path}\" is not an .xlsx workbook: the Excel Destination writes .xlsx only (not .xls, .xlsm or .xlsb)"
                ));
            }
            (path, header)
        };
        Ok(ExcelDestination {
            path,
            header,
            sheet,
            cols,
            rows: Vec::new(),
        })
    }

    /// The sheets already in the workbook: name and cell values.
    fn existing(&self) -> Result<Vec<Sheet>, String> {
        if !std::path::Path::new(&self.path).exists() {
            return Ok(Vec::new());
        }
        let mut book = open_workbook_auto(&self.path)
            .map_err(|e| format!("cannot open the workbook \"{}\": {e}", self.path))?;
        let mut sheets = Vec::new();
        for name in book.sheet_names() {
            let range = book
                .worksheet_range(&name)
                .map_err(|e| format!("\"{}\": sheet \"{name}\": {e}", self.path))?;
            // Keep the cells' positions: the range starts at its first used cell.
            let (r0, c0) = range.start().unwrap_or((0, 0));
            let mut rows = vec![Vec::new(); r0 as usize];
            for r in range.rows() {
                let mut row = vec![Data::Empty; c0 as usize];
                row.extend(r.iter().cloned());
                rows.push(row);
            }
            sheets.push((name, rows));
        }
        Ok(sheets)
    }
}

fn xlsx(path: &str, e: rust_xlsxwriter::XlsxError) -> String {
    format!("writing the workbook \"{path}\": {e}")
}

fn write_data(
    ws: &mut Worksheet,
    r: u32,
    c: u16,
    d: &Data,
    date: &Format,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    match d {
        Data::Empty => {}
        Data::Int(i) => {
            ws.write_number(r, c, *i as f64)?;
        }
        Data::Float(f) => {
            ws.write_number(r, c, *f)?;
        }
        Data::Bool(b) => {
            ws.write_boolean(r, c, *b)?;
        }
        Data::DateTime(t) => {
            ws.write_number_with_format(r, c, t.as_f64(), date)?;
        }
        other => {
            ws.write_string(r, c, other.to_string())?;
        }
    }
    Ok(())
}

/// Days since 1899-12-30 (Excel's serial dates).
fn serial(ticks: i64) -> f64 {
    const TICKS_PER_DAY: f64 = 864_000_000_000.0;
    // 1970-01-01 is serial 25569; ticks count from 0001-01-01.
    const TICKS_TO_1970: i64 = 621_355_968_000_000_000;
    25_569.0 + (ticks - TICKS_TO_1970) as f64 / TICKS_PER_DAY
}

fn write_value(
    ws: &mut Worksheet,
    r: u32,
    c: u16,
    v: &Value,
    date: &Format,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    if v.is_null() {
        return Ok(());
    }
    if let Some(b) = v.as_bool() {
        ws.write_boolean(r, c, b)?;
    } else if let Some(d) = v.as_datetime() {
        ws.write_number_with_format(r, c, serial(d.ticks()), date)?;
    } else if v.as_str().is_none()
        && let Some(f) = float(v)
    {
        ws.write_number(r, c, f)?;
    } else {
        ws.write_string(r, c, v.to_string())?;
    }
    Ok(())
}

impl Component for ExcelDestination {
    fn push(&mut self, _input: usize, batch: Batch, _out: &mut Out<'_>) -> Step {
        for r in 0..batch.rows {
            self.rows.push(
                self.cols
                    .iter()
                    .map(|(p, _)| batch.cols[*p][r].clone())
                    .collect(),
            );
        }
        Ok(())
    }

    fn finish(&mut self, _out: &mut Out<'_>) -> Step {
        let mut sheets = self.existing()?;
        let at = match sheets
            .iter()
            .position(|(n, _)| n.eq_ignore_ascii_case(&self.sheet))
        {
            Some(i) => i,
            None => {
                let header = if self.header {
                    vec![
                        self.cols
                            .iter()
                            .map(|(_, n)| Data::String(n.clone()))
                            .collect(),
                    ]
                } else {
                    Vec::new()
                };
                sheets.push((self.sheet.clone(), header));
                sheets.len() - 1
            }
        };
        // Where each input column goes: under its header cell, or in order.
        let targets: Vec<u16> = if self.header {
            let head = sheets[at].1.first().cloned().unwrap_or_default();
            self.cols
                .iter()
                .map(|(_, n)| {
                    head.iter()
                        .position(|h| h.to_string() == *n)
                        .map(|i| i as u16)
                        .ok_or_else(|| {
                            format!(
                                "sheet \"{}\" of \"{}\" has no column \"{n}\" in its header row",
                                self.sheet, self.path
                            )
                        })
                })
                .collect::<Result<_, _>>()?
        } else {
            (0..self.cols.len() as u16).collect()
        };
        let path = self.path.clone();
        let date = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
        let mut book = Workbook::new();
        for (i, (name, rows)) in sheets.iter().enumerate() {
            let ws = book.add_worksheet();
            ws.set_name(name).map_err(|e| xlsx(&path, e))?;
            for (r, row) in rows.iter().enumerate() {
                for (c, d) in row.iter().enumerate() {
                    write_data(ws, r as u32, c as u16, d, &date).map_err(|e| xlsx(&path, e))?;
                }
            }
            if i == at {
                let first = rows.len() as u32;
                for (k, row) in self.rows.iter().enumerate() {
                    for (v, c) in row.iter().zip(&targets) {
                        write_value(ws, first + k as u32, *c, v, &date)
                            .map_err(|e| xlsx(&path, e))?;
                    }
                }
            }
        }
        book.save(&self.path).map_err(|e| xlsx(&path, e))?;
        Ok(())
    }

    fn report(&mut self, r: &mut Report) {
        r.info.push(format!("wrote {} rows.", self.rows.len()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names() {
        for (table, sheet) in [
            ("Sheet1$", "Sheet1"),
            ("[Sheet1$]", "Sheet1"),
            ("'My Sheet$'", "My Sheet"),
            ("'My Sheet'$", "My Sheet"),
            ("['Bob''s$']", "Bob's"),
            ("Loaded", "Loaded"),
        ] {
            assert_eq!(sheet_name(table).as_deref(), Ok(sheet), "{table}");
        }
        assert_eq!(
            sheet_name("[Loaded$A1:C9]").unwrap_err(),
            "\"Loaded$A1:C9\": writing into a range (A1:C9) is not supported; name the sheet (Loaded$)"
        );
        assert!(sheet_name("$").is_err());
    }

    #[test]
    fn serial_dates() {
        let d =
            ssis_runner::expr::DateTime::from_ticks(621_355_968_000_000_000 + 864_000_000_000 / 2)
                .unwrap();
        assert_eq!(serial(d.ticks()), 25_569.5);
    }
}
