//! Bulk load (the Data Flow's fast load): rows go to SQL Server as one
//! `INSERT BULK` statement followed by a BulkLoadBCP message (MS-TDS
//! 2.2.1.8), through tiberius. The table's columns are read from
//! `sys.columns` first, because tiberius needs each value in the exact
//! type and scale of its column: identity and computed columns are left
//! to the server, columns no value is mapped to get NULL.

use super::sqlserver::{block, guarded, unavailable};
use super::{SqlConnection, SqlValue};
use crate::cancel::CancelToken;
use ssis_core::error::{Error, ErrorKind, Result};
use std::borrow::Cow;
use std::time::Duration;
use tiberius::time::{Date, DateTime, DateTime2, SmallDateTime, Time};
use tiberius::{ColumnData, TokenRow};

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
}

/// The column types a bulk load converts values into.
const LOADABLE: &[&str] = &[
    "int",
    "bigint",
    "smallint",
    "tinyint",
    "bit",
    "real",
    "float",
    "decimal",
    "numeric",
    "nvarchar",
    "nchar",
    "varchar",
    "char",
    "sysname",
    "uniqueidentifier",
    "varbinary",
    "binary",
    "date",
    "datetime2",
    "datetime",
    "smalldatetime",
    "time",
];

/// Days from 0001-01-01 to 1900-01-01 (datetime's epoch).
const DAYS_TO_1900: i64 = 693_595;

fn truthy(v: &SqlValue) -> bool {
    matches!(v, SqlValue::Bool(true)) || matches!(v, SqlValue::Int(i) if *i != 0)
}

/// `mantissa / 10^from` at scale `to`, rounded half away from zero.
fn rescale(mantissa: i128, from: u8, to: u8) -> Option<i128> {
    if to >= from {
        mantissa.checked_mul(10i128.checked_pow(u32::from(to - from))?)
    } else {
        let d = 10i128.checked_pow(u32::from(from - to))?;
        let (q, r) = (mantissa / d, mantissa % d);
        Some(if r.abs() * 2 >= d {
            q + mantissa.signum()
        } else {
            q
        })
    }
}

fn int(v: &SqlValue) -> Option<i64> {
    match v {
        SqlValue::Int(i) => Some(*i),
        SqlValue::Bool(b) => Some(i64::from(*b)),
        SqlValue::Decimal { mantissa, scale } => i64::try_from(rescale(*mantissa, *scale, 0)?).ok(),
        SqlValue::Float(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => Some(*f as i64),
        SqlValue::Text(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn float(v: &SqlValue) -> Option<f64> {
    match v {
        SqlValue::Float(f) => Some(*f),
        SqlValue::Int(i) => Some(*i as f64),
        SqlValue::Decimal { mantissa, scale } => {
            Some(*mantissa as f64 / 10f64.powi(i32::from(*scale)))
        }
        SqlValue::Text(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// `v` as the column `c` holds it.
fn column_data(v: &SqlValue, c: &BulkColumn) -> std::result::Result<ColumnData<'static>, String> {
    let null = matches!(v, SqlValue::Null);
    let bad = || {
        format!(
            "column '{}' ({}): the value {} does not convert",
            c.name,
            c.type_name,
            v.to_text()
        )
    };
    macro_rules! num {
        ($variant:ident, $t:ty) => {
            ColumnData::$variant(if null {
                None
            } else {
                Some(
                    int(v)
                        .and_then(|i| <$t>::try_from(i).ok())
                        .ok_or_else(bad)?,
                )
            })
        };
    }
    Ok(match c.type_name.as_str() {
        "int" => num!(I32, i32),
        "bigint" => num!(I64, i64),
        "smallint" => num!(I16, i16),
        "tinyint" => num!(U8, u8),
        "bit" => ColumnData::Bit(if null {
            None
        } else {
            Some(int(v).ok_or_else(bad)? != 0)
        }),
        "real" => ColumnData::F32(if null {
            None
        } else {
            Some(float(v).ok_or_else(bad)? as f32)
        }),
        "float" => ColumnData::F64(if null {
            None
        } else {
            Some(float(v).ok_or_else(bad)?)
        }),
        "decimal" | "numeric" => ColumnData::Numeric(if null {
            None
        } else {
            let (m, s) = match v {
                SqlValue::Decimal { mantissa, scale } => (*mantissa, *scale),
                other => (i128::from(int(other).ok_or_else(bad)?), 0),
            };
            let m = rescale(m, s, c.scale).ok_or_else(bad)?;
            Some(tiberius::numeric::Numeric::new_with_scale(m, c.scale))
        }),
        "nvarchar" | "nchar" | "varchar" | "char" | "sysname" => ColumnData::String(if null {
            None
        } else {
            Some(Cow::Owned(v.to_text()))
        }),
        "uniqueidentifier" => ColumnData::Guid(if null {
            None
        } else {
            let t = v.to_text();
            Some(tiberius::Uuid::parse_str(t.trim_matches(['{', '}'])).map_err(|_| bad())?)
        }),
        "varbinary" | "binary" => ColumnData::Binary(match v {
            SqlValue::Null => None,
            SqlValue::Binary(b) => Some(Cow::Owned(b.clone())),
            _ => return Err(bad()),
        }),
        "date" => ColumnData::Date(match v {
            SqlValue::Null => None,
            SqlValue::DateTime(d) => Some(Date::new(d.days_since_0001() as u32)),
            _ => return Err(bad()),
        }),
        "datetime2" => ColumnData::DateTime2(match v {
            SqlValue::Null => None,
            SqlValue::DateTime(d) => {
                let scale = c.scale.min(7);
                let increments = d.nanos_of_day() / 10u64.pow(9 - u32::from(scale));
                Some(DateTime2::new(
                    Date::new(d.days_since_0001() as u32),
                    Time::new(increments, scale),
                ))
            }
            _ => return Err(bad()),
        }),
        "datetime" => ColumnData::DateTime(match v {
            SqlValue::Null => None,
            SqlValue::DateTime(d) => {
                // 1/300 s, rounded; the last tick of a day carries over.
                let ticks = (d.nanos_of_day() * 3 + 5_000_000) / 10_000_000;
                let days = d.days_since_0001() - DAYS_TO_1900 + (ticks / 25_920_000) as i64;
                Some(DateTime::new(
                    i32::try_from(days).map_err(|_| bad())?,
                    (ticks % 25_920_000) as u32,
                ))
            }
            _ => return Err(bad()),
        }),
        "smalldatetime" => ColumnData::SmallDateTime(match v {
            SqlValue::Null => None,
            SqlValue::DateTime(d) => {
                let minutes = (d.nanos_of_day() + 30_000_000_000) / 60_000_000_000;
                let days = d.days_since_0001() - DAYS_TO_1900 + (minutes / 1440) as i64;
                Some(SmallDateTime::new(
                    u16::try_from(days).map_err(|_| bad())?,
                    (minutes % 1440) as u16,
                ))
            }
            _ => return Err(bad()),
        }),
        "time" => ColumnData::Time(match v {
            SqlValue::Null => None,
            SqlValue::DateTime(d) => {
                let scale = c.scale.min(7);
                Some(Time::new(
                    d.nanos_of_day() / 10u64.pow(9 - u32::from(scale)),
                    scale,
                ))
            }
            _ => return Err(bad()),
        }),
        other => return Err(format!("column '{}' has type {other}", c.name)),
    })
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
             c.max_length FROM sys.columns c WHERE c.object_id = OBJECT_ID(@P1) ORDER BY c.column_id",
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
                max: int(&r[5]) == Some(-1),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_take_their_columns_type_and_scale() {
        let col = |t: &str, scale| BulkColumn {
            name: "c".into(),
            type_name: t.into(),
            scale,
            loaded: true,
            max: false,
        };
        let d = SqlValue::Decimal {
            mantissa: 12345,
            scale: 3,
        };
        match column_data(&d, &col("decimal", 2)).unwrap() {
            ColumnData::Numeric(Some(n)) => assert_eq!((n.value(), n.scale()), (1235, 2)),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            column_data(&SqlValue::Int(7), &col("int", 0)).unwrap(),
            ColumnData::I32(Some(7))
        ));
        assert!(matches!(
            column_data(&SqlValue::Null, &col("bigint", 0)).unwrap(),
            ColumnData::I64(None)
        ));
        let e = column_data(&SqlValue::Int(300), &col("tinyint", 0)).unwrap_err();
        assert!(e.contains("column 'c' (tinyint)"), "{e}");
        assert_eq!(rescale(-15, 1, 0), Some(-2));
        let when = SqlValue::DateTime(crate::connections::SqlDateTime {
            year: 1900,
            month: 1,
            day: 2,
            hour: 0,
            minute: 0,
            second: 1,
            nanos: 500_000_000,
            offset_minutes: None,
        });
        match column_data(&when, &col("datetime", 3)).unwrap() {
            ColumnData::DateTime(Some(d)) => {
                assert_eq!((d.days(), d.seconds_fragments()), (1, 450))
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            SqlConnection::bulk_refusal(&[col("money", 4)]),
            Some("column 'c' has type money".into())
        );
        let mut text = col("nvarchar", 0);
        text.max = true;
        assert_eq!(
            SqlConnection::bulk_refusal(&[text]),
            Some("column 'c' has type nvarchar(max)".into())
        );
    }
}
