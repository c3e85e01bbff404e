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
//! the statements standing in for one load run in a transaction of their
//! own, so its rows go in together or not at all, as the load's would.
//! See `fast_load` for the options.

use super::fast_load::{Commit, FastLoad};
use super::sql::{Target, command_table, quote_name, timeout, to_sql};
use super::{BuildCtx, RowError, error_batch};
use crate::buffer::{Batch, Layout};
use crate::exec::{Component, Out, Report, Step};
use crate::model::Disposition;
use ssis_runner::connections::{BulkColumn, BulkLoad, SqlConnection, SqlValue};
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
    /// `ado`: an ADO.NET Destination.
    pub fn build(ctx: &BuildCtx, ado: bool) -> Result<SqlDestination, String> {
        let mode = ctx
            .comp
            .prop("AccessMode")
            .unwrap_or("0")
            .trim()
            .to_string();
        let prop = |n: &str| ctx.comp.prop(n).unwrap_or("").trim().to_string();
        let from_var = |n: &str| -> Result<String, String> {
            let name = prop(n);
            (ctx.var)(&name)
                .map(|v| v.to_string())
                .ok_or_else(|| format!("the variable \"{name}\" ({n}) does not exist"))
        };
        let (table, fast) = match (ado, mode.as_str()) {
            (true, _) => (prop("TableOrViewName"), true),
            (false, "0") => (prop("OpenRowset"), false),
            (false, "1") => (from_var("OpenRowsetVariable")?, false),
            (false, "3") => (prop("OpenRowset"), true),
            (false, "4") => (from_var("OpenRowsetVariable")?, true),
            (false, "2") => (command_table(&prop("SqlCommand"))?, false),
            (false, m) => return Err(format!("access mode {m} is not known")),
        };
        let flag = |n: &str| {
            ctx.comp
                .prop(n)
                .and_then(ssis_runner::model::xml_bool)
                .unwrap_or(false)
        };
        let options = if ado {
            // SqlBulkCopy's BatchSize: rows per committed batch (0: a
            // buffer's rows are one batch).
            FastLoad {
                commit: match prop("BatchSize").parse::<usize>() {
                    Ok(n) if n > 0 => Commit::EveryRows(n),
                    _ => Commit::EachBuffer,
                },
                ..FastLoad::default()
            }
        } else if fast {
            FastLoad::parse(
                &prop("FastLoadOptions"),
                flag("FastLoadKeepNulls"),
                flag("FastLoadKeepIdentity"),
                &prop("FastLoadMaxInsertCommitSize"),
            )?
        } else {
            FastLoad::default()
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
            bulk_allowed: !ado
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

    /// Whether a NULL goes in as the column's default: a fast load that
    /// would have been a bulk load without `FastLoadKeepNulls` (not an
    /// ADO.NET Destination told not to bulk insert, whose INSERTs keep NULL).
    fn null_is_default(&self) -> bool {
        self.fast && self.bulk_allowed && !self.options.hints.keep_nulls
    }

    /// `INSERT INTO t (cols) VALUES (@P1, ...), (...)` for rows `rows` of
    /// `batch`: a parameter per value, `DEFAULT` for a NULL that takes the
    /// column's default; the parameters' values.
    fn statement(&self, batch: &Batch, rows: &[usize]) -> (String, Vec<SqlValue>) {
        let sent = || {
            self.cols
                .iter()
                .zip(&self.textual)
                .zip(&self.sent)
                .filter(|(_, sent)| **sent)
                .map(|(c, _)| c)
        };
        let names: Vec<String> = sent().map(|((_, n), _)| quote_name(n)).collect();
        let mut params = Vec::with_capacity(rows.len() * self.cols.len());
        let values: Vec<String> = rows
            .iter()
            .map(|&r| {
                let ps: Vec<String> = sent()
                    .map(|((p, _), &textual)| {
                        let v = &batch.cols[*p][r];
                        if v.is_null() && self.null_is_default() {
                            "DEFAULT".to_string()
                        } else {
                            params.push(sql_value(v, textual));
                            format!("@P{}", params.len())
                        }
                    })
                    .collect();
                format!("({})", ps.join(", "))
            })
            .collect();
        let sql = format!(
            "INSERT INTO {} ({}) VALUES {}",
            self.table,
            names.join(", "),
            values.join(", ")
        );
        (sql, params)
    }

    /// Whether the fast load goes through the bulk load: decided once.
    fn bulk_columns(&mut self, out: &mut Out<'_>) -> Result<Option<Vec<BulkColumn>>, String> {
        if let Some(b) = &self.bulk {
            return Ok(b.clone());
        }
        let unsent = self.options.unsent_hints();
        if !unsent.is_empty() {
            out.warn(format!(
                "fast load into {}: {} not sent (the SQL Server client here has no field for them; they help the server plan the load, they do not change the rows loaded)",
                self.table,
                unsent.join(", ")
            ));
        }
        let decided = if !self.fast || !self.bulk_allowed {
            None
        } else {
            let (table, timeout, cancel) =
                (self.table.clone(), self.timeout, self.target.cancel.clone());
            let names = self.names();
            let cols = self
                .connection()?
                .table_columns(&table, timeout, &cancel)
                .map_err(|e| e.message)?;
            let keep = self.options.hints.keep_identity;
            let identity = |n: &String| {
                cols.iter()
                    .any(|c| c.identity && c.name.eq_ignore_ascii_case(n))
            };
            self.sent = names.iter().map(|n| keep || !identity(n)).collect();
            self.keeps_identity = keep && names.iter().any(identity);
            match SqlConnection::bulk_refusal(&cols, &names) {
                None => Some(cols),
                Some(why) => {
                    out.warn(format!(
                        "fast load into {table} runs as INSERT statements: {why}, which the bulk load does not convert into"
                    ));
                    None
                }
            }
        };
        self.bulk = Some(decided.clone());
        Ok(decided)
    }

    /// Loads rows `chunk` of `batch` in one bulk load; the error when refused.
    fn bulk_load(
        &mut self,
        batch: &Batch,
        chunk: &[usize],
        cols: &[BulkColumn],
    ) -> Result<Result<(), String>, String> {
        let names = self.names();
        // The table's column types decide here (see `sql_value`).
        let textual: Vec<bool> = names
            .iter()
            .map(|n| {
                cols.iter()
                    .find(|c| c.name.eq_ignore_ascii_case(n))
                    .is_some_and(|c| TEXT_TYPES.contains(&c.type_name.as_str()))
            })
            .collect();
        let rows: Vec<Vec<SqlValue>> = chunk
            .iter()
            .map(|&r| {
                self.cols
                    .iter()
                    .zip(&textual)
                    .map(|((p, _), &textual)| sql_value(&batch.cols[*p][r], textual))
                    .collect()
            })
            .collect();
        let (table, timeout, cancel) =
            (self.table.clone(), self.timeout, self.target.cancel.clone());
        let hints = self.options.hints.clone();
        let load = BulkLoad {
            table: &table,
            columns: cols,
            names: &names,
            options: &hints,
        };
        let conn = self.connection()?;
        match conn.bulk_insert(&load, &rows, timeout, &cancel) {
            Ok(_) => Ok(Ok(())),
            Err(e) if conn.is_open() && e.kind == ssis_core::error::ErrorKind::Io => {
                Ok(Err(e.message))
            }
            Err(e) => Err(e.message),
        }
    }

    /// A NOT NULL column of `cols` that one of the rows `rows` has NULL for.
    fn null_into_not_null(
        &self,
        batch: &Batch,
        rows: &[usize],
        cols: &[BulkColumn],
    ) -> Option<String> {
        self.cols
            .iter()
            .zip(&self.sent)
            .filter(|(_, sent)| **sent)
            .find_map(|((p, name), _)| {
                let c = cols.iter().find(|c| c.name.eq_ignore_ascii_case(name))?;
                (!c.nullable && rows.iter().any(|&r| batch.cols[*p][r].is_null()))
                    .then(|| c.name.clone())
            })
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
                    return Err(format!(
                        "inserting into {} (row {} of the buffer): {m}",
                        self.table,
                        rows[0] + 1
                    )
                    .into());
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

    /// Inserts rows `rows` of `batch` in one statement; the error when refused.
    fn insert(&mut self, batch: &Batch, rows: &[usize]) -> Result<Result<(), String>, String> {
        let (sql, params) = self.statement(batch, rows);
        let (timeout, cancel) = (self.timeout, self.target.cancel.clone());
        let switch_on = self.keeps_identity && !self.identity_insert;
        let table = self.table.clone();
        let conn = self.connection()?;
        if switch_on {
            // A batch of its own: set inside sp_executesql, it would end
            // with that call.
            conn.query(
                &format!("SET IDENTITY_INSERT {table} ON"),
                &[],
                timeout,
                &cancel,
            )
            .map_err(|e| e.message)?;
            self.identity_insert = true;
        }
        let conn = self.connection()?;
        match conn.execute(&sql, &params, timeout, &cancel) {
            Ok(_) => Ok(Ok(())),
            // A statement SQL Server refused leaves the connection usable.
            Err(e) if conn.is_open() && e.kind == ssis_core::error::ErrorKind::Io => {
                Ok(Err(e.message))
            }
            Err(e) => Err(e.message),
        }
    }
    /// Loads rows `chunk` of `batch` as the INSERT statements standing in
    /// for one bulk load, so that they go in together or not at all, as a
    /// bulk load's rows do: several statements run in a transaction of
    /// their own (under a savepoint when the whole load commits at the
    /// end), rolled back at the first refusal; the refusal when refused.
    fn insert_load(
        &mut self,
        batch: &Batch,
        chunk: &[usize],
        per_insert: usize,
    ) -> Result<Result<(), String>, String> {
        if chunk.len() <= per_insert {
            return self.insert(batch, chunk);
        }
        let at_end = self.options.commit == Commit::AtEnd;
        let (begin, undo) = if at_end {
            (
                "SAVE TRANSACTION ssis_load",
                "ROLLBACK TRANSACTION ssis_load",
            )
        } else {
            ("BEGIN TRANSACTION", "ROLLBACK TRANSACTION")
        };
        self.batch(begin)?;
        for rows in chunk.chunks(per_insert) {
            if let Err(refused) = self.insert(batch, rows)? {
                match self.batch(undo) {
                    Ok(()) => {}
                    // The server ended the transaction with the refusal:
                    // nothing of the chunk stays either way.
                    Err(_) if !at_end && self.conn.as_ref().is_some_and(|c| c.is_open()) => {}
                    Err(e) => {
                        return Err(format!("{refused}; undoing the rows loaded before it: {e}"));
                    }
                }
                return Ok(Err(refused));
            }
        }
        if !at_end {
            self.batch("COMMIT TRANSACTION")?;
        }
        Ok(Ok(()))
    }

    /// Runs `sql` as a batch of its own (a transaction statement inside
    /// sp_executesql would end with that call).
    fn batch(&mut self, sql: &str) -> Result<(), String> {
        let (timeout, cancel) = (self.timeout, self.target.cancel.clone());
        self.connection()?
            .query(sql, &[], timeout, &cancel)
            .map(drop)
            .map_err(|e| format!("{sql} on {}: {}", self.table, e.message))
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
