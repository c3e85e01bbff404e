//! Ordering, grouping and arithmetic on cell values for Sort and Aggregate:
//! NULL sorts first; numbers compare by value across integer, float and
//! decimal types; strings ordinally (or ignoring case); dates by time
//! (a DT_DBTIMESTAMPOFFSET by the instant it stands for); bytes by their
//! bytes.

use ssis_runner::expr::Value;
use std::cmp::Ordering;

/// An exact numeric view: (mantissa, scale).
pub fn decimal(v: &Value) -> Option<(i128, u8)> {
    Some(match v {
        Value::I1(x) => (i128::from(*x), 0),
        Value::I2(x) => (i128::from(*x), 0),
        Value::I4(x) => (i128::from(*x), 0),
        Value::I8(x) => (i128::from(*x), 0),
        Value::UI1(x) => (i128::from(*x), 0),
        Value::UI2(x) => (i128::from(*x), 0),
        Value::UI4(x) => (i128::from(*x), 0),
        Value::UI8(x) => (i128::from(*x), 0),
        Value::Cy(x) => (i128::from(*x), 4),
        Value::Decimal { mantissa, scale }
        | Value::Numeric {
            mantissa, scale, ..
        } => (*mantissa, *scale),
        _ => return None,
    })
}

/// A float view of a number.
pub fn float(v: &Value) -> Option<f64> {
    match v {
        Value::R4(x) => Some(f64::from(*x)),
        Value::R8(x) => Some(*x),
        _ => decimal(v).map(|(m, s)| m as f64 / 10f64.powi(i32::from(s))),
    }
}

fn rescale(m: i128, from: u8, to: u8) -> Option<i128> {
    m.checked_mul(10i128.checked_pow(u32::from(to.saturating_sub(from)))?)
}

/// Compares two values; `ignore_case` for strings.
pub fn compare(a: &Value, b: &Value, ignore_case: bool) -> Ordering {
    match (a.is_null(), b.is_null()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Less,
        (false, true) => return Ordering::Greater,
        _ => {}
    }
    if let (Some(x), Some(y)) = (a.as_str(), b.as_str()) {
        return if ignore_case {
            x.chars()
                .flat_map(char::to_lowercase)
                .cmp(y.chars().flat_map(char::to_lowercase))
        } else {
            x.cmp(y)
        };
    }
    if let (Some((m1, s1)), Some((m2, s2))) = (decimal(a), decimal(b)) {
        let s = s1.max(s2);
        if let (Some(x), Some(y)) = (rescale(m1, s1, s), rescale(m2, s2, s)) {
            return x.cmp(&y);
        }
    }
    if let (Some(x), Some(y)) = (float(a), float(b)) {
        return x.total_cmp(&y);
    }
    if let (Some(x), Some(y)) = (a.as_datetime(), b.as_datetime()) {
        return x.ticks().cmp(&y.ticks());
    }
    if let (Some(x), Some(y)) = (a.as_bool(), b.as_bool()) {
        return x.cmp(&y);
    }
    match (a, b) {
        (Value::Bytes(x), Value::Bytes(y)) => return x.cmp(y),
        (Value::DbTime2 { ticks: x, .. }, Value::DbTime2 { ticks: y, .. }) => return x.cmp(y),
        _ => {}
    }
    if let (Some(x), Some(y)) = (utc_ticks(a), utc_ticks(b)) {
        return x.cmp(&y);
    }
    a.to_string().cmp(&b.to_string())
}

/// The instant a DT_DBTIMESTAMPOFFSET stands for, in UTC ticks.
pub(crate) fn utc_ticks(v: &Value) -> Option<i64> {
    match v {
        Value::DbTimestampOffset {
            local,
            offset_minutes,
            ..
        } => Some(local.ticks() - i64::from(*offset_minutes) * 600_000_000),
        _ => None,
    }
}

/// A hashable key for grouping and distinct counts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Key {
    /// NULL.
    Null,
    /// A number as a normalised decimal (mantissa, scale, trailing zeros removed).
    Num(i128, u8),
    /// A float's bits.
    Float(u64),
    /// A DT_DBTIMESTAMPOFFSET's instant (UTC ticks).
    Instant(i64),
    /// Text (lower-cased when comparing ignores case).
    Text(String),
    /// Anything else by its text.
    Other(String),
}

/// The grouping key of `v`.
pub fn key(v: &Value, ignore_case: bool) -> Key {
    if v.is_null() {
        return Key::Null;
    }
    if let Some(s) = v.as_str() {
        return Key::Text(if ignore_case {
            s.to_lowercase()
        } else {
            s.to_string()
        });
    }
    if let Some((mut m, mut s)) = decimal(v) {
        while s > 0 && m % 10 == 0 {
            m /= 10;
            s -= 1;
        }
        return Key::Num(m, s);
    }
    if let Some(f) = float(v) {
        return Key::Float(f.to_bits());
    }
    if let Some(t) = utc_ticks(v) {
        return Key::Instant(t);
    }
    Key::Other(v.to_string())
}

/// A running sum: exact while every value is exact, float after.
#[derive(Debug, Clone, Copy)]
pub enum Sum {
    /// Exact: mantissa and scale.
    Exact(i128, u8),
    /// Float.
    Float(f64),
}

impl Sum {
    /// Adds `v` (not NULL).
    pub fn plus(self, v: &Value) -> Sum {
        match (self, decimal(v)) {
            // The commonest case: a column's values share its scale.
            (Sum::Exact(m, s), Some((m2, s2))) if s == s2 => match m.checked_add(m2) {
                Some(c) => Sum::Exact(c, s),
                None => Sum::Float(self.as_f64() + float(v).unwrap_or(0.0)),
            },
            (Sum::Exact(m, s), Some((m2, s2))) => {
                let t = s.max(s2);
                match (rescale(m, s, t), rescale(m2, s2, t)) {
                    (Some(a), Some(b)) => match a.checked_add(b) {
                        Some(c) => Sum::Exact(c, t),
                        None => Sum::Float(self.as_f64() + float(v).unwrap_or(0.0)),
                    },
                    _ => Sum::Float(self.as_f64() + float(v).unwrap_or(0.0)),
                }
            }
            _ => Sum::Float(self.as_f64() + float(v).unwrap_or(0.0)),
        }
    }

    /// Adds `v` (not NULL) in place: the commonest case, a value of the
    /// sum's own scale, without moving the sum (a sum passed and returned
    /// by value stalled on every row, as [`crate::push`] tells).
    #[inline]
    pub fn add(&mut self, v: &Value) {
        if let (Sum::Exact(m, s), Some((m2, s2))) = (&mut *self, decimal(v)) {
            if *s == s2 {
                if let Some(c) = m.checked_add(m2) {
                    *m = c;
                    return;
                }
            }
        }
        *self = self.plus(v);
    }

    /// As a float.
    pub fn as_f64(self) -> f64 {
        match self {
            Sum::Exact(m, s) => m as f64 / 10f64.powi(i32::from(s)),
            Sum::Float(f) => f,
        }
    }

    /// As a value: DT_NUMERIC for exact sums, DT_R8 otherwise.
    pub fn value(self) -> Value {
        match self {
            Sum::Exact(m, s) => Value::Numeric {
                mantissa: m,
                precision: 38,
                scale: s,
            },
            Sum::Float(f) => Value::R8(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_compare_across_types_and_null_is_first() {
        assert_eq!(
            compare(&Value::I4(2), &Value::R8(1.5), false),
            Ordering::Greater
        );
        let d = Value::Numeric {
            mantissa: 150,
            precision: 5,
            scale: 2,
        };
        assert_eq!(compare(&d, &Value::I8(1), false), Ordering::Greater);
        assert_eq!(
            compare(
                &Value::Null(ssis_runner::expr::DataType::I4),
                &Value::I4(-9),
                false
            ),
            Ordering::Less
        );
        assert_eq!(
            compare(&Value::WStr("a".into()), &Value::WStr("B".into()), true),
            Ordering::Less
        );
        assert_eq!(
            key(&d, false),
            key(
                &Value::Numeric {
                    mantissa: 15,
                    precision: 3,
                    scale: 1
                },
                false
            )
        );
    }

    #[test]
    fn offsets_compare_by_instant_and_bytes_by_bytes() {
        let at = |text: &str| {
            Value::WStr(text.into())
                .cast_spec(&ssis_runner::expr::TypeSpec::plain(
                    ssis_runner::expr::DataType::DbTimestampOffset,
                ))
                .unwrap()
        };
        let (a, b) = (
            at("2024-01-01 10:00:00 +02:00"),
            at("2024-01-01 09:00:00 +00:00"),
        );
        assert_eq!(compare(&a, &b, false), Ordering::Less);
        assert_eq!(
            key(&a, false),
            key(&at("2024-01-01 08:00:00 +00:00"), false)
        );
        assert_eq!(
            compare(&Value::Bytes(vec![1, 2]), &Value::Bytes(vec![1, 10]), false),
            Ordering::Less
        );
    }

    #[test]
    fn sums_stay_exact() {
        let s = Sum::Exact(0, 0).plus(&Value::I4(1)).plus(&Value::Numeric {
            mantissa: 25,
            precision: 3,
            scale: 1,
        });
        assert_eq!(s.value().to_string(), "3.5");
        let cents = |m| Value::Numeric {
            mantissa: m,
            precision: 10,
            scale: 2,
        };
        let s = Sum::Exact(0, 2).plus(&cents(125)).plus(&cents(-5));
        let mut in_place = Sum::Exact(0, 2);
        in_place.add(&cents(125));
        in_place.add(&cents(-5));
        in_place.add(&Value::I4(1));
        // In place: the same scale stays exact, another is rescaled.
        assert_eq!(in_place.value().to_string(), "2.20");
        let mut big = Sum::Exact(i128::MAX, 2);
        big.add(&cents(1));
        assert!(matches!(big, Sum::Float(_)));
        assert_eq!(s.value().to_string(), "1.20");
        assert!(matches!(
            Sum::Exact(i128::MAX, 2).plus(&cents(1)),
            Sum::Float(_)
        ));
    }
}
