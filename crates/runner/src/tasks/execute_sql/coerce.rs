//! A parameter's value converted to the type its `DataType` code asks for
//! (OLE DB `DBTYPE`, ADO.NET `DbType`), as the provider would.

use super::values::to_sql_value;
use crate::connections::{ConnectionKind, SqlValue};
use crate::expr::{DateTime, Value};

/// The kind of value a parameter's `DataType` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Want {
    Int,
    Float,
    Decimal,
    Bool,
    Text,
    DateTime,
    Guid,
    Any,
}

/// What an OLE DB `DBTYPE` or an ADO.NET `DbType` code asks for (ODBC
/// codes, and unknown ones, keep the variable's type).
pub(super) fn wanted(kind: &ConnectionKind, code: i32) -> Want {
    match kind {
        ConnectionKind::OleDb => match code {
            2 | 3 | 16 | 17 | 18 | 19 | 20 | 21 => Want::Int,
            4 | 5 => Want::Float,
            6 | 14 | 131 => Want::Decimal,
            11 => Want::Bool,
            7 | 133 | 134 | 135 | 145 | 146 => Want::DateTime,
            72 => Want::Guid,
            129 | 130 => Want::Text,
            _ => Want::Any,
        },
        ConnectionKind::AdoNet(_) => match code {
            2 | 10 | 11 | 12 | 14 | 18 | 19 | 20 => Want::Int,
            8 | 15 => Want::Float,
            4 | 7 | 21 => Want::Decimal,
            3 => Want::Bool,
            5 | 6 | 17 | 26 | 27 => Want::DateTime,
            9 => Want::Guid,
            0 | 16 | 22 | 23 | 25 => Want::Text,
            _ => Want::Any,
        },
        _ => Want::Any,
    }
}

/// Converts a variable's value to the parameter's `DataType`, as the
/// provider would; a value that does not convert is an error naming it.
pub(super) fn coerce(v: SqlValue, want: Want) -> Result<SqlValue, String> {
    use SqlValue as V;
    let text = v.to_text();
    let fail = |what: &str| format!("'{text}' is not {what}");
    Ok(match (want, v) {
        (_, V::Null) => V::Null,
        (Want::Any, v) => v,
        (Want::Text, v) => V::Text(v.to_text()),
        (Want::Int, V::Int(i)) => V::Int(i),
        (Want::Int, V::Bool(b)) => V::Int(i64::from(b)),
        (Want::Int, V::Float(f)) if f.fract() == 0.0 => V::Int(f as i64),
        (Want::Int, _) => V::Int(text.trim().parse().map_err(|_| fail("an integer"))?),
        (Want::Float, V::Int(i)) => V::Float(i as f64),
        (Want::Float, V::Float(f)) => V::Float(f),
        (Want::Float, _) => V::Float(text.trim().parse().map_err(|_| fail("a number"))?),
        (Want::Decimal, V::Int(i)) => V::Decimal {
            mantissa: i128::from(i),
            scale: 0,
        },
        (Want::Decimal, v @ V::Decimal { .. }) => v,
        (Want::Decimal, V::Float(f)) => V::Float(f),
        (Want::Decimal, _) => {
            let t = text.trim();
            let (int, frac) = t.split_once('.').unwrap_or((t, ""));
            let digits = format!("{int}{frac}");
            V::Decimal {
                mantissa: digits.parse().map_err(|_| fail("a decimal number"))?,
                scale: u8::try_from(frac.len()).map_err(|_| fail("a decimal number"))?,
            }
        }
        (Want::Bool, V::Bool(b)) => V::Bool(b),
        (Want::Bool, V::Int(i)) => V::Bool(i != 0),
        (Want::Bool, _) => {
            V::Bool(crate::model::xml_bool(text.trim()).ok_or_else(|| fail("a boolean"))?)
        }
        (Want::DateTime, v @ V::DateTime(_)) => v,
        (Want::DateTime, _) => {
            let d = DateTime::parse(text.trim()).ok_or_else(|| fail("a date"))?;
            to_sql_value(&Value::Date(d))
        }
        (Want::Guid, _) => {
            let t = text.trim().trim_matches(['{', '}']);
            if tiberius::Uuid::parse_str(t).is_err() {
                return Err(fail("a GUID"));
            }
            V::Guid(format!("{{{}}}", t.to_uppercase()))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::{coerce, wanted};
    use crate::connections::{ConnectionKind, SqlValue};

    #[test]
    fn parameters_take_their_data_type() {
        let ole = ConnectionKind::OleDb;
        assert_eq!(
            coerce(SqlValue::Int(7), wanted(&ole, 130)),
            Ok(SqlValue::Text("7".into()))
        );
        assert_eq!(
            coerce(SqlValue::Text(" 12 ".into()), wanted(&ole, 3)),
            Ok(SqlValue::Int(12))
        );
        assert!(
            coerce(SqlValue::Text("x".into()), wanted(&ole, 3))
                .unwrap_err()
                .contains("'x' is not an integer")
        );
        assert_eq!(
            coerce(
                SqlValue::Text("2024-02-29 10:11:12".into()),
                wanted(&ole, 135)
            )
            .unwrap()
            .to_text(),
            "2024-02-29 10:11:12"
        );
        assert_eq!(
            coerce(SqlValue::Text("-12.50".into()), wanted(&ole, 131)),
            Ok(SqlValue::Decimal {
                mantissa: -1250,
                scale: 2
            })
        );
        let ado = ConnectionKind::AdoNet("System.Data.SqlClient.SqlConnection".into());
        assert_eq!(
            coerce(SqlValue::Text("True".into()), wanted(&ado, 3)),
            Ok(SqlValue::Bool(true))
        );
        assert_eq!(
            coerce(SqlValue::Int(5), wanted(&ado, 999)),
            Ok(SqlValue::Int(5))
        );
        assert_eq!(coerce(SqlValue::Null, wanted(&ado, 11)), Ok(SqlValue::Null));
    }
}
