//! Values for a bulk load: each converted into the exact type and scale of
//! its column (tiberius encodes a row by the column's metadata and refuses
//! any other variant), and the column types that conversion covers.

use super::SqlValue;
use super::bulk::BulkColumn;
use std::borrow::Cow;
use tiberius::ColumnData;
use tiberius::time::{Date, DateTime, DateTime2, DateTimeOffset, SmallDateTime, Time};

/// The column types a bulk load converts values into.
pub(super) const LOADABLE: &[&str] = &[
    "int",
    "bigint",
    "smallint",
    "tinyint",
    "bit",
    "real",
    "float",
    "decimal",
    "numeric",
    "money",
    "smallmoney",
    "nvarchar",
    "nchar",
    "varchar",
    "char",
    "sysname",
    "text",
    "ntext",
    "uniqueidentifier",
    "varbinary",
    "binary",
    "date",
    "datetime2",
    "datetime",
    "smalldatetime",
    "time",
    "datetimeoffset",
    "xml",
];

/// Nanoseconds in a day.
const NANOS_PER_DAY: i128 = 86_400_000_000_000;

/// Days from 0001-01-01 to 1900-01-01 (datetime's epoch).
const DAYS_TO_1900: i64 = 693_595;

pub(super) fn truthy(v: &SqlValue) -> bool {
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

pub(super) fn int(v: &SqlValue) -> Option<i64> {
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

/// Refuses `text` longer than the character column `c` (SQL Server would
/// refuse the whole load): UTF-16 units for nvarchar/nchar, characters for
/// varchar/char (a lower bound of its bytes in any code page); text, ntext
/// and `(max)` columns take any length.
fn fits(c: &BulkColumn, text: &str) -> Result<(), String> {
    let (len, limit) = match c.type_name.as_str() {
        "nvarchar" | "nchar" | "sysname" => (text.encode_utf16().count(), c.max_length / 2),
        "varchar" | "char" => (text.chars().count(), c.max_length),
        _ => return Ok(()),
    };
    if limit <= 0 || len as i64 <= limit {
        return Ok(());
    }
    Err(format!(
        "column '{}' ({}({limit})): the value is {len} characters, longer than the column",
        c.name, c.type_name
    ))
}

/// `v` as the column `c` holds it.
pub(super) fn column_data(
    v: &SqlValue,
    c: &BulkColumn,
) -> std::result::Result<ColumnData<'static>, String> {
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
        "decimal" | "numeric" | "money" | "smallmoney" => ColumnData::Numeric(if null {
            None
        } else {
            // money's scale is 4 whatever sys.columns says.
            let scale = if c.type_name.ends_with("money") {
                4
            } else {
                c.scale
            };
            let (m, s) = match v {
                SqlValue::Decimal { mantissa, scale } => (*mantissa, *scale),
                SqlValue::Float(f) => {
                    let m = (f * 10f64.powi(i32::from(scale))).round();
                    if !m.is_finite() || m.abs() >= 1e38 {
                        return Err(bad());
                    }
                    (m as i128, scale)
                }
                other => (i128::from(int(other).ok_or_else(bad)?), 0),
            };
            let m = rescale(m, s, scale).ok_or_else(bad)?;
            // money is an i64 of 1/10000, smallmoney an i32.
            let in_range = match c.type_name.as_str() {
                "money" => i64::try_from(m).is_ok(),
                "smallmoney" => i32::try_from(m).is_ok(),
                _ => true,
            };
            if !in_range {
                return Err(bad());
            }
            Some(tiberius::numeric::Numeric::new_with_scale(m, scale))
        }),
        "nvarchar" | "nchar" | "varchar" | "char" | "sysname" | "text" | "ntext" => {
            ColumnData::String(if null {
                None
            } else {
                let text = v.to_text();
                fits(c, &text)?;
                Some(Cow::Owned(text))
            })
        }
        "uniqueidentifier" => ColumnData::Guid(if null {
            None
        } else {
            let t = v.to_text();
            Some(tiberius::Uuid::parse_str(t.trim_matches(['{', '}'])).map_err(|_| bad())?)
        }),
        "varbinary" | "binary" => ColumnData::Binary(match v {
            SqlValue::Null => None,
            SqlValue::Binary(b) if c.max_length > 0 && b.len() as i64 > c.max_length => {
                return Err(format!(
                    "column '{}' ({}({})): the value is {} bytes, longer than the column",
                    c.name,
                    c.type_name,
                    c.max_length,
                    b.len()
                ));
            }
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
        "datetimeoffset" => ColumnData::DateTimeOffset(match v {
            SqlValue::Null => None,
            SqlValue::DateTime(d) => {
                // The wire holds UTC and the offset; `d` is local time.
                let scale = c.scale.min(7);
                let offset = d.offset_minutes.unwrap_or(0);
                let nanos = i128::from(d.days_since_0001()) * NANOS_PER_DAY
                    + i128::from(d.nanos_of_day())
                    - i128::from(offset) * 60_000_000_000;
                let days = u32::try_from(nanos.div_euclid(NANOS_PER_DAY)).map_err(|_| bad())?;
                let of_day = nanos.rem_euclid(NANOS_PER_DAY) as u64;
                Some(DateTimeOffset::new(
                    DateTime2::new(
                        Date::new(days),
                        Time::new(of_day / 10u64.pow(9 - u32::from(scale)), scale),
                    ),
                    offset,
                ))
            }
            _ => return Err(bad()),
        }),
        "xml" => ColumnData::Xml(if null {
            None
        } else {
            Some(Cow::Owned(tiberius::xml::XmlData::new(v.to_text())))
        }),
        other => return Err(format!("column '{}' has type {other}", c.name)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connections::SqlConnection;

    #[test]
    fn values_take_their_columns_type_and_scale() {
        let col = |t: &str, scale| BulkColumn {
            name: "c".into(),
            type_name: t.into(),
            scale,
            max_length: 16,
            nullable: true,
            identity: false,
            computed: false,
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
        let at = SqlValue::DateTime(crate::connections::SqlDateTime {
            year: 2024,
            month: 1,
            day: 1,
            hour: 1,
            minute: 30,
            second: 0,
            nanos: 0,
            offset_minutes: Some(120),
        });
        match column_data(&at, &col("datetimeoffset", 0)).unwrap() {
            ColumnData::DateTimeOffset(Some(d)) => {
                // 23:30 UTC the day before.
                let utc = d.datetime2();
                assert_eq!(
                    (d.offset(), utc.time().increments()),
                    (120, 23 * 3600 + 1800)
                );
                assert_eq!(utc.date().days(), 738_884);
            }
            other => panic!("{other:?}"),
        }
        // money takes scale 4 whatever the column's scale says; a float
        // rounds to the column's scale.
        match column_data(&SqlValue::Float(12.34567), &col("money", 0)).unwrap() {
            ColumnData::Numeric(Some(n)) => assert_eq!((n.value(), n.scale()), (123_457, 4)),
            other => panic!("{other:?}"),
        }
        match column_data(&SqlValue::Float(-2.5), &col("decimal", 1)).unwrap() {
            ColumnData::Numeric(Some(n)) => assert_eq!((n.value(), n.scale()), (-25, 1)),
            other => panic!("{other:?}"),
        }
        assert!(column_data(&SqlValue::Float(f64::INFINITY), &col("decimal", 2)).is_err());
        // smallmoney holds up to 214,748.3647.
        let big = SqlValue::Decimal {
            mantissa: 2_147_483_648,
            scale: 4,
        };
        assert!(column_data(&big, &col("smallmoney", 4)).is_err());
        assert!(column_data(&big, &col("money", 4)).is_ok());
        assert!(matches!(
            column_data(&SqlValue::Text("long".into()), &col("ntext", 0)).unwrap(),
            ColumnData::String(Some(s)) if s == "long"
        ));
        let names = ["c".to_string()];
        assert_eq!(
            SqlConnection::bulk_refusal(&[col("image", 0)], &names),
            Some("column 'c' has type image".into())
        );
        assert_eq!(SqlConnection::bulk_refusal(&[col("image", 0)], &[]), None);
        assert_eq!(
            SqlConnection::bulk_refusal(&[col("money", 4)], &names),
            None
        );
        // tiberius would declare these differently from the rows' metadata.
        assert_eq!(
            SqlConnection::bulk_refusal(&[col("datetimeoffset", 3)], &names),
            Some(
                "column 'c' is datetimeoffset(3), which the bulk load would declare as datetimeoffset(7)"
                    .into()
            )
        );
        assert_eq!(SqlConnection::bulk_refusal(&[col("time", 7)], &names), None);
        let mut wide = col("nvarchar", 0);
        wide.max_length = 5000;
        assert_eq!(
            SqlConnection::bulk_refusal(&[wide.clone()], &names),
            Some(
                "column 'c' is nvarchar(2500), which the bulk load would declare as nvarchar(max)"
                    .into()
            )
        );
        wide.max_length = -1;
        assert_eq!(SqlConnection::bulk_refusal(&[wide], &names), None);
        let mut small = col("smalldatetime", 0);
        assert!(SqlConnection::bulk_refusal(&[small.clone()], &names).is_some());
        small.nullable = false;
        assert_eq!(SqlConnection::bulk_refusal(&[small], &names), None);
    }
}
