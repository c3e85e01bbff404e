//! Typed SSIS values, as expressions produce and variables hold them.

use super::convert::{self, TypeSpec};
use super::dates::DateTime;
use super::decimal::Dec;
use super::extended;
use super::types::DataType;
use std::fmt;

/// The text of a string value: up to 24 bytes are held inline (no
/// allocation, and the bytes travel with the value), longer text on the heap.
pub type Text = compact_str::CompactString;

/// A value of one SSIS data type. `Display` gives SSIS's conversion to a
/// string (what `(DT_WSTR, n)` yields); a NULL displays as the empty string.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A NULL of the given type.
    Null(DataType),
    /// DT_BOOL.
    Bool(bool),
    /// DT_I1.
    I1(i8),
    /// DT_I2.
    I2(i16),
    /// DT_I4.
    I4(i32),
    /// DT_I8.
    I8(i64),
    /// DT_UI1.
    UI1(u8),
    /// DT_UI2.
    UI2(u16),
    /// DT_UI4.
    UI4(u32),
    /// DT_UI8.
    UI8(u64),
    /// DT_R4.
    R4(f32),
    /// DT_R8.
    R8(f64),
    /// DT_CY, in ten-thousandths (12.5 is `Cy(125_000)`).
    Cy(i64),
    /// DT_DECIMAL: `mantissa / 10^scale`, scale 0..=28.
    Decimal {
        /// The unscaled digits.
        mantissa: i128,
        /// Digits after the decimal point.
        scale: u8,
    },
    /// DT_NUMERIC: `mantissa / 10^scale` with a precision of 1..=38.
    Numeric {
        /// The unscaled digits.
        mantissa: i128,
        /// Total number of digits.
        precision: u8,
        /// Digits after the decimal point.
        scale: u8,
    },
    /// DT_WSTR.
    WStr(Text),
    /// DT_STR with its code page.
    Str {
        /// The text (already limited to what the code page can hold).
        text: Text,
        /// The code page, e.g. 1252.
        codepage: u32,
    },
    /// DT_DATE.
    Date(DateTime),
    /// DT_DBDATE (time of day is zero).
    DbDate(DateTime),
    /// DT_DBTIMESTAMP.
    DbTimestamp(DateTime),
    /// DT_DBTIMESTAMP2: a date-time whose fraction keeps `scale` digits.
    DbTimestamp2 {
        /// The date-time (digits past the scale are zero).
        local: DateTime,
        /// Fraction digits kept and shown (0..=7).
        scale: u8,
    },
    /// DT_BYTES (DT_IMAGE's data too); displays as hexadecimal digits.
    Bytes(Vec<u8>),
    /// DT_DBTIME2 (DT_DBTIME is scale 0): a time of day.
    DbTime2 {
        /// 100-ns ticks since midnight.
        ticks: u64,
        /// Fraction digits kept and shown (0..=7).
        scale: u8,
    },
    /// DT_DBTIMESTAMPOFFSET: a local date-time and its offset from UTC.
    DbTimestampOffset {
        /// The date-time at the offset.
        local: DateTime,
        /// Minutes east of UTC (-840..=840).
        offset_minutes: i16,
        /// Fraction digits kept and shown (0..=7).
        scale: u8,
    },
}

impl Value {
    /// The value's SSIS data type.
    pub fn data_type(&self) -> DataType {
        match self {
            Value::Null(t) => *t,
            Value::Bool(_) => DataType::Bool,
            Value::I1(_) => DataType::I1,
            Value::I2(_) => DataType::I2,
            Value::I4(_) => DataType::I4,
            Value::I8(_) => DataType::I8,
            Value::UI1(_) => DataType::UI1,
            Value::UI2(_) => DataType::UI2,
            Value::UI4(_) => DataType::UI4,
            Value::UI8(_) => DataType::UI8,
            Value::R4(_) => DataType::R4,
            Value::R8(_) => DataType::R8,
            Value::Cy(_) => DataType::Cy,
            Value::Decimal { .. } => DataType::Decimal,
            Value::Numeric { .. } => DataType::Numeric,
            Value::WStr(_) => DataType::WStr,
            Value::Str { .. } => DataType::Str,
            Value::Date(_) => DataType::Date,
            Value::DbDate(_) => DataType::DbDate,
            Value::DbTimestamp(_) => DataType::DbTimestamp,
            Value::DbTimestamp2 { .. } => DataType::DbTimestamp2,
            Value::Bytes(_) => DataType::Bytes,
            Value::DbTime2 { .. } => DataType::DbTime2,
            Value::DbTimestampOffset { .. } => DataType::DbTimestampOffset,
        }
    }

    /// Whether this is a NULL.
    #[inline]
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null(_))
    }

    /// The boolean, if this is a non-NULL DT_BOOL.
    #[inline]
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The text, if this is a non-NULL string.
    #[inline]
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::WStr(s) | Value::Str { text: s, .. } => Some(s),
            _ => None,
        }
    }

    /// The value as an `i64`, if it is a non-NULL integer that fits.
    pub fn as_i64(&self) -> Option<i64> {
        self.int_value().and_then(|v| i64::try_from(v).ok())
    }

    /// The date-time, if this is a non-NULL date.
    pub fn as_datetime(&self) -> Option<DateTime> {
        match self {
            Value::Date(d) | Value::DbDate(d) | Value::DbTimestamp(d) => Some(*d),
            Value::DbTimestamp2 { local, .. } => Some(*local),
            _ => None,
        }
    }

    /// Converts to `to` the way an SSIS cast with default parameters does
    /// (strings unlimited, DT_STR in code page 1252, decimals keep their scale).
    pub fn cast(&self, to: DataType) -> Result<Value, String> {
        convert::cast(self, &TypeSpec::plain(to))
    }

    /// Converts to the type and parameters of `spec` the way an SSIS cast
    /// does (strings are cut to the length: check for truncation first).
    pub fn cast_spec(&self, spec: &TypeSpec) -> Result<Value, String> {
        convert::cast(self, spec)
    }

    /// An integer value widened to `i128`.
    pub(crate) fn int_value(&self) -> Option<i128> {
        Some(match self {
            Value::I1(v) => (*v).into(),
            Value::I2(v) => (*v).into(),
            Value::I4(v) => (*v).into(),
            Value::I8(v) => (*v).into(),
            Value::UI1(v) => (*v).into(),
            Value::UI2(v) => (*v).into(),
            Value::UI4(v) => (*v).into(),
            Value::UI8(v) => (*v).into(),
            _ => return None,
        })
    }

    /// An exact decimal view of integers and decimal types.
    pub(crate) fn dec_value(&self) -> Option<Dec> {
        if let Some(i) = self.int_value() {
            return Some(Dec::int(i));
        }
        match self {
            Value::Cy(c) => Some(Dec {
                m: (*c).into(),
                s: 4,
            }),
            Value::Decimal { mantissa, scale }
            | Value::Numeric {
                mantissa, scale, ..
            } => Some(Dec {
                m: *mantissa,
                s: *scale,
            }),
            _ => None,
        }
    }

    /// A float view of any numeric value.
    pub(crate) fn f64_value(&self) -> Option<f64> {
        match self {
            Value::R4(v) => Some(f64::from(*v)),
            Value::R8(v) => Some(*v),
            _ => self.dec_value().map(Dec::to_f64),
        }
    }

    /// An integer of type `t`, if `v` is within its range.
    pub(crate) fn from_int(t: DataType, v: i128) -> Option<Value> {
        let (lo, hi) = t.int_range()?;
        if v < lo || v > hi {
            return None;
        }
        Some(match t {
            DataType::I1 => Value::I1(v as i8),
            DataType::I2 => Value::I2(v as i16),
            DataType::I4 => Value::I4(v as i32),
            DataType::I8 => Value::I8(v as i64),
            DataType::UI1 => Value::UI1(v as u8),
            DataType::UI2 => Value::UI2(v as u16),
            DataType::UI4 => Value::UI4(v as u32),
            _ => Value::UI8(v as u64),
        })
    }
}

/// SSIS float-to-string: 15 significant digits for DT_R8, 7 for DT_R4,
/// exponent form (`1E+20`) for very large or small magnitudes.
pub(crate) fn format_float(x: f64, digits: usize) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if x == 0.0 {
        return "0".into();
    }
    let sci = format!("{:.*e}", digits - 1, x);
    let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let trim = |s: &str| -> String {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s.to_string()
        }
    };
    if exp >= digits as i32 || exp < -5 {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{}E{sign}{:02}", trim(mant), exp.abs())
    } else {
        let decimals = (digits as i32 - 1 - exp).max(0) as usize;
        trim(&format!("{:.*}", decimals, x))
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null(_) => Ok(()),
            Value::Bool(b) => f.write_str(if *b { "True" } else { "False" }),
            Value::R4(v) => f.write_str(&format_float(f64::from(*v), 7)),
            Value::R8(v) => f.write_str(&format_float(*v, 15)),
            Value::Cy(_) => f.write_str(
                &self
                    .dec_value()
                    .map(Dec::format_trimmed)
                    .unwrap_or_default(),
            ),
            Value::Decimal { .. } | Value::Numeric { .. } => {
                f.write_str(&self.dec_value().map(Dec::format).unwrap_or_default())
            }
            Value::WStr(s) | Value::Str { text: s, .. } => f.write_str(s),
            Value::Date(d) => f.write_str(&d.format_timestamp()),
            Value::DbDate(d) => f.write_str(&d.format_date()),
            Value::DbTimestamp(d) => f.write_str(&d.format_timestamp()),
            Value::DbTimestamp2 { local, scale } => {
                f.write_str(&extended::format_timestamp2(*local, *scale))
            }
            Value::Bytes(b) => f.write_str(&extended::hex(b)),
            Value::DbTime2 { ticks, scale } => f.write_str(&extended::format_time(*ticks, *scale)),
            Value::DbTimestampOffset {
                local,
                offset_minutes,
                scale,
            } => f.write_str(&extended::format_offset(*local, *offset_minutes, *scale)),
            other => match other.int_value() {
                Some(i) => write!(f, "{i}"),
                None => Ok(()),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display() {
        assert_eq!(Value::R8(3.5).to_string(), "3.5");
        assert_eq!(Value::R8(1.0 / 3.0).to_string(), "0.333333333333333");
        assert_eq!(Value::R8(1e20).to_string(), "1E+20");
        assert_eq!(Value::R8(-0.00001).to_string(), "-0.00001");
        assert_eq!(Value::R4(0.1).to_string(), "0.1");
        assert_eq!(Value::Cy(125_000).to_string(), "12.5");
        assert_eq!(
            Value::Numeric {
                mantissa: 150,
                precision: 3,
                scale: 2
            }
            .to_string(),
            "1.50"
        );
        assert_eq!(Value::Bool(true).to_string(), "True");
        assert_eq!(Value::UI8(u64::MAX).to_string(), "18446744073709551615");
        assert_eq!(Value::Null(DataType::I4).to_string(), "");
    }
}
