//! Bulk load (the Data Flow's fast load): rows go to SQL Server as one
//! `INSERT BULK` statement followed by a BulkLoadBCP message (MS-TDS
//! 2.2.1.8), through tiberius. The table's columns are read from
//! `sys.columns` first, because tiberius needs each value in the exact
//! type and scale of its column (`bulk_data`). Only the columns a value is
//! mapped to are named in the statement, so the others get their defaults
//! as SSIS's fast load leaves them; identity columns only with
//! [`BulkOptions::keep_identity`], computed and `timestamp` columns never.
//!
//! The statement carries the hints of [`BulkOptions`] in its `WITH (...)`:
//! TABLOCK, CHECK_CONSTRAINTS, FIRE_TRIGGERS, KEEP_NULLS and ORDER.
//! ROWS_PER_BATCH and KILOBYTES_PER_BATCH cannot be sent (tiberius 0.13
//! writes the statement and has no field for them). [`SqlConnection::bulk_refusal`]
//! refuses the columns tiberius cannot bulk load: image (no encoder), the
//! types no value converts into (sql_variant, CLR types), and those whose
//! type tiberius's `INSERT BULK` would declare differently from the rows'
//! metadata, which SQL Server rejects ("invalid column attribute/type from
//! bcp client", tiberius issues #234 and #322): time and datetimeoffset
//! are declared without their scale (so only scale 7 matches), a nullable
//! smalldatetime as datetime, nvarchar and nchar by their length in bytes
//! (so an nvarchar over 2000 characters becomes `(max)`, an nchar over 2000
//! an nchar SQL Server does not have).

use super::bulk_data::{LOADABLE, column_data, int, truthy};
use super::sqlserver::{block, guarded, unavailable};
use super::{SqlConnection, SqlValue};
use crate::cancel::CancelToken;
use ssis_core::error::{Error, ErrorKind, Result};
use std::time::Duration;
use tiberius::{SortOrder, SqlBulkCopyOption, SqlBulkCopyOptions, TokenRow};

/// A column of the target table, as `sys.columns` describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkColumn {
    /// The name.
    pub name: String,
    /// The system type, lower case (`int`, `nvarchar`, `decimal`, ...).
    pub type_name: String,
    /// Scale (decimal, numeric, datetime2, time).
    pub scale: u8,
    /// Length in bytes; -1 for `(max)`.
    pub max_length: i64,
    /// It takes NULL.
    pub nullable: bool,
    /// An identity column: loaded only with `keep_identity`.
    pub identity: bool,
    /// Computed or `timestamp`: the server makes its value.
    pub computed: bool,
}

impl BulkColumn {
    /// Whether a load names this column when a value is mapped to it.
    pub fn loadable(&self, keep_identity: bool) -> bool {
        !self.computed && (!self.identity || keep_identity)
    }
}

/// The hints an `INSERT BULK` carries (SqlBulkCopyOptions and the
/// `FastLoadOptions` of an OLE DB Destination).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BulkOptions {
    /// TABLOCK: a bulk update lock on the table for the load.
    pub tablock: bool,
    /// CHECK_CONSTRAINTS: CHECK and FOREIGN KEY constraints are checked.
    pub check_constraints: bool,
    /// FIRE_TRIGGERS: INSERT triggers fire.
    pub fire_triggers: bool,
    /// KEEP_NULLS: a NULL stays NULL (else the column's default).
    pub keep_nulls: bool,
    /// Identity columns take the values given (else the server numbers
    /// the rows).
    pub keep_identity: bool,
    /// ORDER(...): the columns the rows come sorted by, each with whether
    /// descending.
    pub order: Vec<(String, bool)>,
}

impl BulkOptions {
    fn flags(&self) -> SqlBulkCopyOptions {
        let mut f = SqlBulkCopyOptions::empty();
        for (on, flag) in [
            (self.tablock, SqlBulkCopyOption::TableLock),
            (self.check_constraints, SqlBulkCopyOption::CheckConstraints),
            (self.fire_triggers, SqlBulkCopyOption::FireTriggers),
            (self.keep_nulls, SqlBulkCopyOption::KeepNulls),
            (self.keep_identity, SqlBulkCopyOption::KeepIdentity),
        ] {
            if on {
                f |= flag;
            }
        }
        f
    }
}

/// What a bulk load writes into.
#[derive(Debug, Clone, Copy)]
pub struct BulkLoad<'a> {
    /// The table, `[schema].[name]`.
    pub table: &'a str,
    /// The table's columns, from [`SqlConnection::table_columns`].
    pub columns: &'a [BulkColumn],
    /// The columns loaded, in the order of each row's values.
    pub names: &'a [String],
    /// The hints.
    pub options: &'a BulkOptions,
}

/// A column's name in brackets.
fn bracketed(name: &str) -> String {
    format!("[{}]", name.replace(']', "]]"))
}

/// A column of ORDER(...) as the package wrote it (`Id`, `[Unit Price]`,
/// `"Id"`), in brackets.
fn order_column(written: &str) -> String {
    let quoted = |open: char, close: char| {
        written
            .strip_prefix(open)
            .and_then(|r| r.strip_suffix(close))
            .filter(|r| !r.is_empty())
    };
    if quoted('[', ']').is_some() {
        written.to_string()
    } else if let Some(inner) = quoted('"', '"') {
        bracketed(&inner.replace("\"\"", "\""))
    } else {
        bracketed(written)
    }
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
             c.max_length, c.is_nullable FROM sys.columns c WHERE c.object_id = OBJECT_ID(@P1) \
             ORDER BY c.column_id",
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
            .filter(|r| r.len() >= 7)
            .map(|r| BulkColumn {
                name: r[0].to_text(),
                type_name: r[1].to_text().to_ascii_lowercase(),
                scale: int(&r[2]).and_then(|s| u8::try_from(s).ok()).unwrap_or(0),
                identity: truthy(&r[3]),
                computed: truthy(&r[4]) || r[1].to_text() == "timestamp",
                max_length: int(&r[5]).unwrap_or(0),
                nullable: truthy(&r[6]),
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

    /// Why the columns `names` of a table with `columns` cannot be bulk
    /// loaded (see the module's doc), or `None`.
    pub fn bulk_refusal(columns: &[BulkColumn], names: &[String]) -> Option<String> {
        columns
            .iter()
            .filter(|c| names.iter().any(|n| n.eq_ignore_ascii_case(&c.name)))
            .find_map(|c| {
                let ty = c.type_name.as_str();
                if !LOADABLE.contains(&ty) {
                    Some(format!("column '{}' has type {ty}", c.name))
                } else if matches!(ty, "time" | "datetimeoffset") && c.scale != 7 {
                    Some(format!(
                        "column '{}' is {ty}({}), which the bulk load would declare as {ty}(7)",
                        c.name, c.scale
                    ))
                } else if ty == "smalldatetime" && c.nullable {
                    Some(format!(
                        "column '{}' is a nullable smalldatetime, which the bulk load would declare as datetime",
                        c.name
                    ))
                } else if ty == "nvarchar" && c.max_length > 4000 {
                    Some(format!(
                        "column '{}' is nvarchar({}), which the bulk load would declare as nvarchar(max)",
                        c.name,
                        c.max_length / 2
                    ))
                } else if ty == "nchar" && c.max_length > 4000 {
                    Some(format!(
                        "column '{}' is nchar({}), which the bulk load would declare as nchar({}), longer than nchar can be",
                        c.name,
                        c.max_length / 2,
                        c.max_length
                    ))
                } else {
                    None
                }
            })
    }

    /// Loads `rows` (values of the load's columns, in that order) in one
    /// bulk load. Returns the rows loaded.
    pub fn bulk_insert(
        &mut self,
        load: &BulkLoad<'_>,
        rows: &[Vec<SqlValue>],
        timeout: Option<Duration>,
        cancel: &CancelToken,
    ) -> Result<u64> {
        let BulkLoad {
            table,
            columns,
            names,
            options,
        } = *load;
        let invalid = |m: String| {
            Error::new(
                ErrorKind::InvalidArgument,
                format!("bulk load into {table}: {m}"),
            )
        };
        if let Some(why) = Self::bulk_refusal(columns, names) {
            return Err(invalid(why));
        }
        // (position in a row, column): an identity column's values are
        // dropped unless kept, as bcp without -E ignores them.
        let mut sent = Vec::with_capacity(names.len());
        for (i, n) in names.iter().enumerate() {
            match columns.iter().find(|c| c.name.eq_ignore_ascii_case(n)) {
                Some(c) if c.loadable(options.keep_identity) => sent.push((i, c)),
                Some(c) if c.identity => {}
                Some(_) => return Err(invalid(format!("column '{n}' is computed"))),
                None => return Err(invalid(format!("the table has no column '{n}' to load"))),
            }
        }
        if sent.is_empty() {
            return Err(invalid(
                "no column to load: the only columns mapped are identity columns, loaded only when identity values are kept (FastLoadKeepIdentity)".into(),
            ));
        }
        // A value the column cannot take is refused before anything is
        // sent, as SQL Server would refuse the load (the connection stays
        // usable; tiberius would fail half way through the rows).
        let refused = |m: String| Error::new(ErrorKind::Io, format!("bulk load into {table}: {m}"));
        let mut token_rows = Vec::with_capacity(rows.len());
        for (n, row) in rows.iter().enumerate() {
            let mut t = TokenRow::with_capacity(sent.len());
            for &(i, c) in &sent {
                let v = row.get(i).unwrap_or(&SqlValue::Null);
                if matches!(v, SqlValue::Null) && !c.nullable {
                    return Err(refused(format!(
                        "row {}: column '{}' does not take NULL",
                        n + 1,
                        c.name
                    )));
                }
                t.push(column_data(v, c).map_err(|m| refused(format!("row {}: {m}", n + 1)))?);
            }
            token_rows.push(t);
        }
        let quoted: Vec<String> = sent.iter().map(|(_, c)| bracketed(&c.name)).collect();
        let order: Vec<String> = options.order.iter().map(|(c, _)| order_column(c)).collect();
        let Some(mut client) = self.client.take() else {
            return Err(unavailable(
                &self.target,
                "the connection was lost by an earlier statement",
            ));
        };
        let target = self.target.clone();
        let fut = async {
            let r = async {
                let quoted: Vec<&str> = quoted.iter().map(String::as_str).collect();
                let hints: Vec<(&str, SortOrder)> = order
                    .iter()
                    .zip(&options.order)
                    .map(|(c, (_, desc))| {
                        let o = if *desc {
                            SortOrder::Descending
                        } else {
                            SortOrder::Ascending
                        };
                        (c.as_str(), o)
                    })
                    .collect();
                let mut req = client
                    .bulk_insert_with_options(table, &quoted, options.flags(), &hints)
                    .await?;
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
