//! Values converted between SSIS and SQL Server: a variable's value as a
//! parameter, a column's value as an SSIS value.

use crate::connections::{SqlDateTime, SqlValue};
use crate::expr::{DataType, DateParts, DateTime, Value};

/// An SSIS value as a parameter.
pub fn to_sql_value(v: &Value) -> SqlValue {
    match v {
        Value::Null(_) => SqlValue::Null,
        Value::Bool(b) => SqlValue::Bool(*b),
        Value::I1(x) => SqlValue::Int(i64::from(*x)),
        Value::I2(x) => SqlValue::Int(i64::from(*x)),
        Value::I4(x) => SqlValue::Int(i64::from(*x)),
        Value::I8(x) => SqlValue::Int(*x),
        Value::UI1(x) => SqlValue::Int(i64::from(*x)),
        Value::UI2(x) => SqlValue::Int(i64::from(*x)),
        Value::UI4(x) => SqlValue::Int(i64::from(*x)),
        Value::UI8(x) => match i64::try_from(*x) {
            Ok(i) => SqlValue::Int(i),
            Err(_) => SqlValue::Decimal {
                mantissa: i128::from(*x),
                scale: 0,
            },
        },
        Value::R4(x) => SqlValue::Float(f64::from(*x)),
        Value::R8(x) => SqlValue::Float(*x),
        Value::Cy(x) => SqlValue::Decimal {
            mantissa: i128::from(*x),
            scale: 4,
        },
        Value::Decimal { mantissa, scale }
        | Value::Numeric {
            mantissa, scale, ..
        } => SqlValue::Decimal {
            mantissa: *mantissa,
            scale: *scale,
        },
        Value::WStr(s) | Value::Str { text: s, .. } => SqlValue::Text(s.to_string()),
        Value::Bytes(b) => SqlValue::Binary(b.clone()),
        Value::DbTime2 { ticks, .. } => SqlValue::DateTime(SqlDateTime {
            year: 1,
            month: 1,
            day: 1,
            hour: (ticks / 36_000_000_000) as u8,
            minute: (ticks / 600_000_000 % 60) as u8,
            second: (ticks / 10_000_000 % 60) as u8,
            nanos: (ticks % 10_000_000) as u32 * 100,
            offset_minutes: None,
        }),
        Value::DbTimestampOffset {
            local,
            offset_minutes,
            ..
        } => SqlValue::DateTime(SqlDateTime {
            offset_minutes: Some(*offset_minutes),
            ..sql_datetime(*local)
        }),
        Value::Date(d)
        | Value::DbDate(d)
        | Value::DbTimestamp(d)
        | Value::DbTimestamp2 { local: d, .. } => SqlValue::DateTime(sql_datetime(*d)),
    }
}

fn sql_datetime(d: DateTime) -> SqlDateTime {
    let p = d.parts();
    SqlDateTime {
        year: p.year as i32,
        month: p.month as u8,
        day: p.day as u8,
        hour: p.hour as u8,
        minute: p.minute as u8,
        second: p.second as u8,
        nanos: p.ticks * 100,
        offset_minutes: None,
    }
}

/// A column value as an SSIS value (assignment then converts it to the
/// variable's type).
pub fn from_sql_value(v: &SqlValue) -> Value {
    match v {
        SqlValue::Null => Value::Null(DataType::WStr),
        SqlValue::Bool(b) => Value::Bool(*b),
        SqlValue::Int(i) => Value::I8(*i),
        SqlValue::Float(f) => Value::R8(*f),
        SqlValue::Decimal { mantissa, scale } if *scale <= 28 => Value::Decimal {
            mantissa: *mantissa,
            scale: *scale,
        },
        SqlValue::Decimal { mantissa, scale } => Value::Numeric {
            mantissa: *mantissa,
            precision: 38,
            scale: *scale,
        },
        SqlValue::DateTime(d) => DateTime::from_parts(DateParts {
            year: i64::from(d.year),
            month: u32::from(d.month),
            day: u32::from(d.day),
            hour: u32::from(d.hour),
            minute: u32::from(d.minute),
            second: u32::from(d.second),
            ticks: d.nanos / 100,
        })
        .map_or_else(|| Value::WStr(d.to_string().into()), Value::Date),
        other => Value::WStr(other.to_text().into()),
    }
}

#[cfg(test)]
mod tests {
    use super::{from_sql_value, to_sql_value};
    use crate::connections::SqlValue;
    use crate::expr::{DateTime, Value};

    #[test]
    fn values_round_trip_through_sql() {
        let d = DateTime::parse("2024-02-29 10:11:12").unwrap();
        let v = to_sql_value(&Value::Date(d));
        assert_eq!(v.to_text(), "2024-02-29 10:11:12");
        assert_eq!(from_sql_value(&v), Value::Date(d));
        assert_eq!(from_sql_value(&SqlValue::Int(7)), Value::I8(7));
        assert_eq!(
            to_sql_value(&Value::Cy(125_000)),
            SqlValue::Decimal {
                mantissa: 125_000,
                scale: 4
            }
        );
    }
}
