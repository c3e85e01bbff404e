//! OLE DB Destination and ADO.NET Destination to SQL Server: rows go into
//! a table or view (`OpenRowset`, `TableOrViewName`, a variable naming it,
//! or the one table of the SELECT in `SqlCommand`, `AccessMode` 2), each
//! input column into the table column of its external column's name.
//! Without fast load every row is one parameterized `INSERT`, so a failing
//! row alone meets the input's error disposition (fail, ignore, or
//! redirect to the error output). Fast load (`AccessMode` 3 and 4, and the
//! ADO.NET Destination unless `UseBulkInsertWhenPossible` is off) sends
//! each buffer as bulk loads (`INSERT BULK` with the fast-load hints and
//! the rows in a BulkLoadBCP message, through the runner's connections
//! layer) of at most `FastLoadMaxInsertCommitSize` (ADO.NET: `BatchSize`)
//! rows, each committed on its own (OLE DB's 0: all in one transaction,
//! committed when the input ends); a refused load's rows meet the
//! disposition together. Where a mapped column is one the bulk load cannot
//! carry (`SqlConnection::bulk_refusal`), and for a buffer with a NULL for
//! a NOT NULL column, multi-row `INSERT`s take its place, with a warning,
//! doing what the bulk load would: NULLs become `DEFAULT` unless
//! `FastLoadKeepNulls`, an identity column is left out unless
//! `FastLoadKeepIdentity`, which turns IDENTITY_INSERT on for the session;
//! the statements standing in for one load run under a savepoint, so its
//! rows go in together or not at all, as the load's would.
//! See `fast_load` for the options.

mod bulk;
mod inserts;

use super::fast_load::{Commit, FastLoad};
use super::sql::{Target, command_table, quote_name, timeout, to_sql};
use super::{BuildCtx, RowError, error_batch};
use crate::buffer::{Batch, Layout};
use crate::exec::{Component, Out, Report, Step};
use crate::model::Disposition;
use ssis_runner::connections::{BulkColumn, SqlConnection, SqlValue};
use ssis_runner::expr::{DataType, Value};
use std::time::Duration;

/// ErrorCode of a row SQL Server refused (DTS_E_OLEDBERROR).
const OLEDB_ERROR: i32 = 0xC020_2009_u32 as i32;

/// The character column types.
const TEXT_TYPES: &[&str] = &[
    "nvarchar", "nchar", "varchar", "char", "sysname", "text", "ntext",
];

/// `v` as a parameter or bulk value; into a character column (`textual`)
/// a value of another type goes as SSIS casts it to a string (a
/// DT_DBTIME2 as its time of day, not as a datetime2 SQL Server would
/// print with a date).
fn sql_value(v: &Value, textual: bool) -> SqlValue {
    if textual && !v.is_null() && v.as_str().is_none() {
        SqlValue::Text(v.to_string())
    } else {
        to_sql(v)
    }
}

/// Which destination a [`SqlDestination`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// OLE DB Destination.
    OleDb,
    /// ADO.NET Destination.
    AdoNet,
    /// SQL Server Destination: always a bulk load, its options in
    /// `BulkInsert*` properties.
    SqlServer,
}

/// The SQL Server Destination's bulk-load settings as fast-load ones:
/// `BulkInsertTablock`, `BulkInsertCheckConstraints`,
/// `BulkInsertFireTriggers`, `BulkInsertOrder`, `BulkInsertKeepNulls`,
/// `BulkInsertKeepIdentity` and `MaxInsertCommitSize` (0: one commit at the
/// end). A first or last row other than -1 is refused by name.
fn sql_server_options(ctx: &BuildCtx) -> Result<FastLoad, String> {
    // TABLOCK and CHECK_CONSTRAINTS are on unless the package says not.
    let flag = |n: &str| -> Result<bool, String> {
        match ctx.comp.prop(n) {
            None => Ok(matches!(
                n,
                "BulkInsertTablock" | "BulkInsertCheckConstraints"
            )),
            Some(v) => ssis_runner::model::xml_bool(v)
                .ok_or_else(|| format!("{n} is \"{v}\", not true or false")),
        }
    };
    for n in ["BulkInsertFirstRow", "BulkInsertLastRow"] {
        let v = ctx.comp.prop(n).map(str::trim).unwrap_or("-1");
        if v != "-1" && v != "0" {
            return Err(format!(
                "{n} is {v}: loading only part of the rows is not supported (-1 loads them all)"
            ));
        }
    }
    let mut hints = Vec::new();
    for (property, hint) in [
        ("BulkInsertTablock", "TABLOCK"),
        ("BulkInsertCheckConstraints", "CHECK_CONSTRAINTS"),
        ("BulkInsertFireTriggers", "FIRE_TRIGGERS"),
    ] {
        if flag(property)? {
            hints.push(hint.to_string());
        }
    }
    let order = ctx.comp.prop("BulkInsertOrder").unwrap_or("").trim();
    if !order.is_empty() {
        hints.push(format!("ORDER({order})"));
    }
    FastLoad::parse(
        &hints.join(","),
        flag("BulkInsertKeepNulls")?,
        flag("BulkInsertKeepIdentity")?,
        // Absent: 0, one commit at the end.
        ctx.comp.prop("MaxInsertCommitSize").unwrap_or("0"),
    )
}

/// SQL Server's limit on parameters per request, less a margin.
const MAX_PARAMS: usize = 2_000;

pub struct SqlDestination {
    target: Target,
    table: String,
    /// (buffer position, table column).
    cols: Vec<(usize, String)>,
    /// Per column of `cols`: its external column is a character type, so
    /// a value of another type goes as SSIS casts it to a string.
    textual: Vec<bool>,
    /// Per column of `cols`: it is loaded (false for an identity column of a
    /// fast load that does not keep identity values: the server numbers
    /// the rows, as bcp without -E).
    sent: Vec<bool>,
    /// A fast load keeps the values of a mapped identity column.
    keeps_identity: bool,
    fast: bool,
    /// The fast-load settings (OLE DB; defaults for ADO.NET).
    options: FastLoad,
    /// The bulk load may be used (ADO.NET: `UseBulkInsertWhenPossible`).
    bulk_allowed: bool,
    /// IDENTITY_INSERT is on (INSERTs keeping identity values).
    identity_insert: bool,
    /// The warning about NULLs for a NOT NULL column was given.
    warned_not_null: bool,
    timeout: Option<Duration>,
    disposition: Disposition,
    error: Option<(usize, Layout)>,
    input_cols: usize,
    conn: Option<SqlConnection>,
    /// Fast load: the table's columns when the bulk load is used (decided
    /// at the first buffer), `Some(None)` when INSERTs replace it.
    bulk: Option<Option<Vec<BulkColumn>>>,
    rows: u64,
}

impl SqlDestination {
    /// The destination of `flavor`.
    pub fn build(ctx: &BuildCtx, flavor: Flavor) -> Result<SqlDestination, String> {
        let mode = ctx.comp.access_mode();
        let prop = |n: &str| ctx.comp.prop(n).unwrap_or("").trim().to_string();
        let from_var = |n: &str| -> Result<String, String> {
            let name = prop(n);
            (ctx.var)(&name)
                .map(|v| v.to_string())
                .ok_or_else(|| format!("the variable \"{name}\" ({n}) does not exist"))
        };
        let (table, fast) = match (flavor, mode) {
            (Flavor::AdoNet, _) => (prop("TableOrViewName"), true),
            (Flavor::SqlServer, _) => (prop("BulkInsertTableName"), true),
            (Flavor::OleDb, "0") => (prop("OpenRowset"), false),
            (Flavor::OleDb, "1") => (from_var("OpenRowsetVariable")?, false),
            (Flavor::OleDb, "3") => (prop("OpenRowset"), true),
            (Flavor::OleDb, "4") => (from_var("OpenRowsetVariable")?, true),
            (Flavor::OleDb, "2") => (command_table(&prop("SqlCommand"))?, false),
            (Flavor::OleDb, m) => return Err(format!("access mode {m} is not known")),
        };
        let flag = |n: &str| {
            ctx.comp
                .prop(n)
                .and_then(ssis_runner::model::xml_bool)
                .unwrap_or(false)
        };
        let options = match flavor {
            // SqlBulkCopy's BatchSize: rows per committed batch (0: a
            // buffer's rows are one batch).
            Flavor::AdoNet => FastLoad {
                commit: match prop("BatchSize").parse::<usize>() {
                    Ok(n) if n > 0 => Commit::EveryRows(n),
                    _ => Commit::EachBuffer,
                },
                ..FastLoad::default()
            },
            Flavor::SqlServer => sql_server_options(ctx)?,
            Flavor::OleDb if fast => FastLoad::parse(
                &prop("FastLoadOptions"),
                flag("FastLoadKeepNulls"),
                flag("FastLoadKeepIdentity"),
                &prop("FastLoadMaxInsertCommitSize"),
            )?,
            Flavor::OleDb => FastLoad::default(),
        };
        if table.trim().is_empty() {
            return Err("it names no table or view".into());
        }
        let input = ctx.comp.inputs.first().ok_or("it has no input")?;
        let layout = &ctx.inputs[0];
        let (mut cols, mut textual) = (Vec::new(), Vec::new());
        for c in &input.columns {
            let pos = layout
                .find(&c.lineage)
                .ok_or_else(|| format!("input column \"{}\" is not in its input", c.name))?;
            let external = input
                .external
                .iter()
                .find(|e| !c.external.is_empty() && e.key == c.external);
            textual.push(external.is_some_and(|e| {
                matches!(
                    e.ty.data_type,
                    DataType::WStr | DataType::Str | DataType::NText | DataType::Text
                )
            }));
            let name = external
                .map(|e| e.name.clone())
                .ok_or_else(|| {
                    format!(
                        "input column \"{}\" is mapped to no column of the table (externalMetadataColumnId)",
                        c.name
                    )
                })?;
            cols.push((pos, name));
        }
        if cols.is_empty() {
            return Err("no input column is mapped to a column of the table".into());
        }
        let error = ctx.main_and_error_outputs().1;
        Ok(SqlDestination {
            target: Target::of(ctx)?,
            table: quote_name(&table),
            sent: vec![true; cols.len()],
            cols,
            textual,
            keeps_identity: false,
            fast,
            options,
            bulk_allowed: flavor != Flavor::AdoNet
                || ctx
                    .comp
                    .prop("UseBulkInsertWhenPossible")
                    .and_then(ssis_runner::model::xml_bool)
                    .unwrap_or(true),
            identity_insert: false,
            warned_not_null: false,
            timeout: timeout(ctx),
            disposition: input.error_disposition,
            error: error.map(|e| (e, ctx.outputs[e].clone())),
            input_cols: layout.0.len(),
            conn: None,
            bulk: None,
            rows: 0,
        })
    }

    fn connection(&mut self) -> Result<&mut SqlConnection, String> {
        if self.conn.is_none() {
            let mut c = self.target.open()?;
            if self.fast && self.options.commit == Commit::AtEnd {
                // A batch of its own: sp_executesql must end its transactions.
                c.query("BEGIN TRANSACTION", &[], self.timeout, &self.target.cancel)
                    .map_err(|e| e.message)?;
            }
            self.conn = Some(c);
        }
        Ok(self.conn.as_mut().expect("opened above"))
    }

    /// Counts the rows `rows` loaded, or meets the input's error
    /// disposition for them when their load was refused.
    fn account(
        &mut self,
        rows: &[usize],
        result: Result<(), String>,
        failed: &mut Vec<RowError>,
    ) -> Step {
        match result {
            Ok(()) => self.rows += rows.len() as u64,
            Err(m) => match self.disposition {
                Disposition::Fail => {
                    let place = match rows {
                        [row] => format!("row {} of the buffer", row + 1),
                        _ => format!(
                            "rows {}-{} of the buffer, loaded together",
                            rows[0] + 1,
                            rows[rows.len() - 1] + 1
                        ),
                    };
                    return Err(format!("inserting into {} ({place}): {m}", self.table).into());
                }
                Disposition::Ignore => {}
                Disposition::Redirect => failed.extend(rows.iter().map(|&row| RowError {
                    row,
                    code: OLEDB_ERROR,
                    column: 0,
                })),
            },
        }
        Ok(())
    }

    /// The table columns loaded, in the order of the mapped input columns.
    fn names(&self) -> Vec<String> {
        self.cols.iter().map(|c| c.1.clone()).collect()
    }
}
impl Component for SqlDestination {
    fn push(&mut self, _input: usize, batch: Batch, out: &mut Out<'_>) -> Step {
        // Rows per INSERT statement.
        let per_insert = if self.fast {
            (MAX_PARAMS / self.cols.len()).clamp(1, 1_000)
        } else {
            1
        };
        let all: Vec<usize> = (0..batch.rows).collect();
        let mut failed: Vec<RowError> = Vec::new();
        let bulk = self.bulk_columns(out)?;
        // INSERTs standing in for the bulk loads of a fast load.
        let stand_in = bulk.is_none() && self.fast && self.bulk_allowed;
        let per = if bulk.is_some() || stand_in {
            all.len().max(1)
        } else {
            per_insert
        };
        let per = match self.options.commit {
            Commit::EveryRows(n) => per.min(n),
            _ => per,
        };
        for chunk in all.chunks(per) {
            let result = match &bulk {
                Some(cols) => match self.null_into_not_null(&batch, chunk, cols) {
                    None => self.bulk_load(&batch, chunk, cols)?,
                    // tiberius cannot send a NULL for a NOT NULL column, where
                    // SQL Server's bulk load puts the column's default (or
                    // refuses the row): INSERTs do the same.
                    Some(column) => {
                        if !self.warned_not_null {
                            self.warned_not_null = true;
                            out.warn(format!(
                                "fast load into {}: rows with NULL for the NOT NULL column '{column}' go in as INSERT statements",
                                self.table
                            ));
                        }
                        self.insert_load(&batch, chunk, per_insert)?
                    }
                },
                None if stand_in => self.insert_load(&batch, chunk, per_insert)?,
                None => self.insert(&batch, chunk)?,
            };
            self.account(chunk, result, &mut failed)?;
        }
        if let (Some((e, l)), false) = (&self.error, failed.is_empty()) {
            let b = error_batch(&batch, self.input_cols, &failed, l);
            out.send(*e, b)?;
        }
        Ok(())
    }

    fn finish(&mut self, _out: &mut Out<'_>) -> Step {
        if self.identity_insert
            && let Some(c) = self.conn.as_mut()
        {
            c.query(
                &format!("SET IDENTITY_INSERT {} OFF", self.table),
                &[],
                self.timeout,
                &self.target.cancel,
            )
            .map_err(|e| e.message)?;
        }
        if self.fast
            && self.options.commit == Commit::AtEnd
            && let Some(c) = self.conn.as_mut()
        {
            c.query("COMMIT TRANSACTION", &[], self.timeout, &self.target.cancel)
                .map_err(|e| {
                    format!(
                        "committing the fast load into {}: {}",
                        self.table, e.message
                    )
                })?;
        }
        if let Some(c) = self.conn.take() {
            self.target.give_back(c);
        }
        Ok(())
    }

    fn report(&mut self, r: &mut Report) {
        r.info.push(format!("wrote {} rows.", self.rows));
    }
}
