//! Bulk load (the Data Flow's fast load): rows go to SQL Server as one
//! `INSERT BULK` statement followed by a BulkLoadBCP message (MS-TDS
//! 2.2.1.8), through tiberius. The table's columns are read from
//! `sys.columns` first, because tiberius needs each value in the exact
//! type and scale of its column (`bulk_data`): identity and computed
//! columns are left to the server, columns no value is mapped to get NULL.
//!
//! tiberius writes the `INSERT BULK` statement itself, with no `WITH (...)`
//! hints (its issue #302), so a load here never carries TABLOCK,
//! CHECK_CONSTRAINTS, FIRE_TRIGGERS, KEEP_NULLS, ORDER or the batch sizes;
//! the Data Flow decides what to do about options it cannot send. Column
//! types tiberius cannot bulk load are refused by [`SqlConnection::bulk_refusal`]:
//! money and smallmoney (no encoder), `(max)` types (its issue #322), text,
//! ntext and image.

use super::bulk_data::{LOADABLE, column_data, int, truthy};
use super::sqlserver::{block, guarded, unavailable};
use super::{SqlConnection, SqlValue};
use crate::cancel::CancelToken;
use ssis_core::error::{Error, ErrorKind, Result};
use std::time::Duration;
use tiberius::TokenRow;

/// A column of the target table, as `sys.columns` describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkColumn {
    /// The name.
    pub name: String,
    /// The system type, lower case (`int`, `nvarchar`, `decimal`, ...).
    pub type_name: String,
    /// Scale (decimal, numeric, datetime2, time).
    pub scale: u8,
    /// Neither identity nor computed: the load sends a value for it.
    pub loaded: bool,
    /// `(max)`: tiberius cannot bulk load such columns (its issue #322).
    pub max: bool,
    /// It has a default, which a bulk load without KEEP_NULLS puts in
    /// place of a NULL.
    pub has_default: bool,
}

/// What a bulk load without hints skips on a table: its enabled CHECK and
/// FOREIGN KEY constraints (CHECK_CONSTRAINTS) and INSERT triggers
/// (FIRE_TRIGGERS), by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableRules {
    /// Enabled CHECK and FOREIGN KEY constraints.
    pub constraints: Vec<String>,
    /// Enabled triggers that fire on INSERT.
    pub insert_triggers: Vec<String>,
}

impl SqlConnection {
    /// The columns of `table` (`[schema].[name]`), in order.
    pub fn table_columns(
        &mut self,
        table: &str,
        timeout: Option<Duration>,
        cancel: &CancelToken,
    ) -> Result<Vec<BulkColumn>> {
        let sets = self.query(
            "SELECT c.name, TYPE_NAME(c.system_type_id), c.scale, c.is_identity, c.is_computed, \
             c.max_length, c.default_object_id FROM sys.columns c \
             WHERE c.object_id = OBJECT_ID(@P1) ORDER BY c.column_id",
            &[SqlValue::Text(table.to_string())],
            timeout,
            cancel,
        )?;
        let cols: Vec<BulkColumn> = sets
            .into_iter()
            .next()
            .map(|s| s.rows)
            .unwrap_or_default()
            .into_iter()
            .filter(|r| r.len() >= 6)
            .map(|r| BulkColumn {
                name: r[0].to_text(),
                type_name: r[1].to_text().to_ascii_lowercase(),
                scale: int(&r[2]).and_then(|s| u8::try_from(s).ok()).unwrap_or(0),
                loaded: !truthy(&r[3]) && !truthy(&r[4]) && r[1].to_text() != "timestamp",
                // xml's max_length is -1 too, but it has no (max) form.
                max: int(&r[5]) == Some(-1)
                    && matches!(
                        r[1].to_text().as_str(),
                        "varchar" | "nvarchar" | "varbinary"
                    ),
                has_default: r.get(6).and_then(int).is_some_and(|d| d != 0),
            })
            .collect();
        if cols.is_empty() {
            return Err(Error::new(
                ErrorKind::NotFound,
                format!("{}: table {table} does not exist", self.target.describe()),
            ));
        }
        Ok(cols)
    }

    /// The constraints and triggers of `table` that a bulk load without
    /// CHECK_CONSTRAINTS or FIRE_TRIGGERS would not apply.
    pub fn table_rules(
        &mut self,
        table: &str,
        timeout: Option<Duration>,
        cancel: &CancelToken,
    ) -> Result<TableRules> {
        let sets = self.query(
            "SELECT 'constraint', name FROM sys.check_constraints \
             WHERE parent_object_id = OBJECT_ID(@P1) AND is_disabled = 0 \
             UNION ALL SELECT 'constraint', name FROM sys.foreign_keys \
             WHERE parent_object_id = OBJECT_ID(@P1) AND is_disabled = 0 \
             UNION ALL SELECT 'trigger', t.name FROM sys.triggers t \
             JOIN sys.trigger_events e ON e.object_id = t.object_id \
             WHERE t.parent_id = OBJECT_ID(@P1) AND t.is_disabled = 0 AND e.type_desc = 'INSERT'",
            &[SqlValue::Text(table.to_string())],
            timeout,
            cancel,
        )?;
        let mut rules = TableRules::default();
        for r in sets.into_iter().next().map(|s| s.rows).unwrap_or_default() {
            if let [kind, name, ..] = r.as_slice() {
                match kind.to_text().as_str() {
                    "trigger" => rules.insert_triggers.push(name.to_text()),
                    _ => rules.constraints.push(name.to_text()),
                }
            }
        }
        Ok(rules)
    }

    /// Why `columns` cannot be bulk loaded (a type this load does not
    /// convert into), or `None`.
    pub fn bulk_refusal(columns: &[BulkColumn]) -> Option<String> {
        columns
            .iter()
            .filter(|c| c.loaded && (c.max || !LOADABLE.contains(&c.type_name.as_str())))
            .map(|c| {
                let max = if c.max { "(max)" } else { "" };
                format!("column '{}' has type {}{max}", c.name, c.type_name)
            })
            .next()
    }

    /// Loads `rows` (values of the columns `names`, in that order) into
    /// `table` in one bulk load; `columns` are the table's, from
    /// [`SqlConnection::table_columns`]. Returns the rows loaded.
    pub fn bulk_insert(
        &mut self,
        table: &str,
        columns: &[BulkColumn],
        names: &[String],
        rows: &[Vec<SqlValue>],
        timeout: Option<Duration>,
        cancel: &CancelToken,
    ) -> Result<u64> {
        let invalid = |m: String| {
            Error::new(
                ErrorKind::InvalidArgument,
                format!("bulk load into {table}: {m}"),
            )
        };
        if let Some(why) = Self::bulk_refusal(columns) {
            return Err(invalid(why));
        }
        let loaded: Vec<&BulkColumn> = columns.iter().filter(|c| c.loaded).collect();
        let mut at = Vec::with_capacity(loaded.len());
        for c in &loaded {
            at.push(names.iter().position(|n| n.eq_ignore_ascii_case(&c.name)));
        }
        if let Some(n) = names
            .iter()
            .find(|n| !loaded.iter().any(|c| c.name.eq_ignore_ascii_case(n)))
        {
            return Err(invalid(format!("the table has no column '{n}' to load")));
        }
        let mut token_rows = Vec::with_capacity(rows.len());
        for row in rows {
            let mut t = TokenRow::with_capacity(loaded.len());
            for (c, i) in loaded.iter().zip(&at) {
                let v = i.and_then(|i| row.get(i)).unwrap_or(&SqlValue::Null);
                t.push(column_data(v, c).map_err(invalid)?);
            }
            token_rows.push(t);
        }
        let Some(mut client) = self.client.take() else {
            return Err(unavailable(
                &self.target,
                "the connection was lost by an earlier statement",
            ));
        };
        let target = self.target.clone();
        let fut = async {
            let r = async {
                let mut req = client.bulk_insert(table).await?;
                for t in token_rows {
                    req.send(t).await?;
                }
                req.finalize().await.map(|r| r.total())
            }
            .await;
            (r, client)
        };
        // tiberius asserts on some inputs; a panic there is an error here.
        let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            block(&self.rt, guarded(fut, timeout, cancel))
        }))
        .map_err(|_| {
            Error::internal(format!(
                "{}: the bulk load into {table} failed inside the SQL Server client",
                target.describe()
            ))
        })??;
        self.settle(out, timeout, "the bulk load")
    }
}
