//! INSERT statements: a row at a time without fast load, several rows
//! each where they stand in for a bulk load, and the transaction that
//! makes such a load go in whole or not at all.

use super::{SqlDestination, sql_value};
use crate::buffer::Batch;
use crate::components::fast_load::Commit;
use crate::components::sql::quote_name;
use ssis_runner::connections::SqlValue;

impl SqlDestination {
    /// Whether a NULL goes in as the column's default: a fast load that
    /// would have been a bulk load without `FastLoadKeepNulls` (not an
    /// ADO.NET Destination told not to bulk insert, whose INSERTs keep NULL).
    pub(super) fn null_is_default(&self) -> bool {
        self.fast && self.bulk_allowed && !self.options.hints.keep_nulls
    }

    /// `INSERT INTO t (cols) VALUES (@P1, ...), (...)` for rows `rows` of
    /// `batch`: a parameter per value, `DEFAULT` for a NULL that takes the
    /// column's default; the parameters' values.
    pub(super) fn statement(&self, batch: &Batch, rows: &[usize]) -> (String, Vec<SqlValue>) {
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

    /// Inserts rows `rows` of `batch` in one statement; the error when refused.
    pub(super) fn insert(
        &mut self,
        batch: &Batch,
        rows: &[usize],
    ) -> Result<Result<(), String>, String> {
        let (sql, params) = self.statement(batch, rows);
        if self.keeps_identity && !self.identity_insert {
            // A batch of its own: set inside sp_executesql, it would end
            // with that call.
            self.batch(&format!("SET IDENTITY_INSERT {} ON", self.table))?;
            self.identity_insert = true;
        }
        let (timeout, cancel) = (self.timeout, self.target.cancel.clone());
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
    /// bulk load's rows do: several statements run under a savepoint (in a
    /// transaction of their own unless the whole load commits at the end),
    /// rolled back to it at the first refusal, which leaves any transaction
    /// the session had (an Execute SQL Task's on a retained connection) as
    /// it was; the refusal, naming the statement's rows, when refused.
    pub(super) fn insert_load(
        &mut self,
        batch: &Batch,
        chunk: &[usize],
        per_insert: usize,
    ) -> Result<Result<(), String>, String> {
        if chunk.len() <= per_insert {
            return self.insert(batch, chunk);
        }
        let own = self.options.commit != Commit::AtEnd;
        if own {
            self.batch("BEGIN TRANSACTION")?;
        }
        self.batch("SAVE TRANSACTION ssis_load")?;
        for rows in chunk.chunks(per_insert) {
            if let Err(refused) = self.insert(batch, rows)? {
                let refused = format!(
                    "{refused} (the INSERT of rows {}-{} of the buffer)",
                    rows[0] + 1,
                    rows[rows.len() - 1] + 1
                );
                // Undone to the savepoint; a server that ended the
                // transaction with the refusal leaves nothing to undo,
                // and the session's transaction lost: that fails the load.
                self.batch("ROLLBACK TRANSACTION ssis_load")
                    .map_err(|e| format!("{refused}; undoing the rows before it: {e}"))?;
                if own {
                    self.batch("COMMIT TRANSACTION")?;
                }
                return Ok(Err(refused));
            }
        }
        if own {
            self.batch("COMMIT TRANSACTION")?;
        }
        Ok(Ok(()))
    }

    /// Runs `sql` as a batch of its own: a SET statement inside
    /// sp_executesql would end with that call, and a transaction begun
    /// there would have to end there too (error 266).
    pub(super) fn batch(&mut self, sql: &str) -> Result<(), String> {
        let (timeout, cancel) = (self.timeout, self.target.cancel.clone());
        self.connection()?
            .query(sql, &[], timeout, &cancel)
            .map(drop)
            .map_err(|e| format!("{sql} on {}: {}", self.table, e.message))
    }
}
