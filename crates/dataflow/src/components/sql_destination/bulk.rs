//! The fast load's bulk loads: whether the table takes one, a chunk of
//! rows sent as one, and the NULL a NOT NULL column cannot carry.

use super::{SqlDestination, TEXT_TYPES, sql_value};
use crate::buffer::Batch;
use crate::exec::Out;
use ssis_runner::connections::{BulkColumn, BulkLoad, SqlConnection, SqlValue};

impl SqlDestination {
    /// Whether the fast load goes through the bulk load: decided once.
    pub(super) fn bulk_columns(
        &mut self,
        out: &mut Out<'_>,
    ) -> Result<Option<Vec<BulkColumn>>, String> {
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
    pub(super) fn bulk_load(
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
    pub(super) fn null_into_not_null(
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
}
