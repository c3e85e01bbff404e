//! Values to and from SQL Server, independent of the TDS library.

use std::borrow::Cow;
use tiberius::time::{Date, DateTime2, DateTimeOffset, Time};
use tiberius::{ColumnData, ToSql};

/// A date and time as SQL Server's date/time types hold it (no time zone
/// conversion: a `datetimeoffset` is shown at its own offset).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct SqlDateTime {
    /// Year (1..=9999).
    pub year: i32,
    /// Month (1..=12).
    pub month: u8,
    /// Day (1..=31).
    pub day: u8,
    /// Hour.
    pub hour: u8,
    /// Minute.
    pub minute: u8,
    /// Second.
    pub second: u8,
    /// Nanoseconds (100 ns resolution at most from the server).
    pub nanos: u32,
    /// Offset from UTC in minutes (`datetimeoffset` only).
    pub offset_minutes: Option<i16>,
}

/// Days since 0001-01-01 for a proleptic Gregorian date.
fn days_from_civil(y: i32, m: u8, d: u8) -> i64 {
    // Howard Hinnant's algorithm, shifted from 1970-01-01 to 0001-01-01.
    let y = i64::from(y) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468 + 719_162
}

fn civil_from_days(days: i64) -> (i32, u8, u8) {
    let z = days - 719_162 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    ((y + i64::from(m <= 2)) as i32, m, d)
}

/// Days from 0001-01-01 to 1900-01-01.
const DAYS_TO_1900: i64 = 693_595;

impl SqlDateTime {
    fn from_parts(days_since_0001: i64, nanos_of_day: u64) -> SqlDateTime {
        let (year, month, day) = civil_from_days(days_since_0001);
        let secs = nanos_of_day / 1_000_000_000;
        SqlDateTime {
            year,
            month,
            day,
            hour: (secs / 3600) as u8,
            minute: (secs / 60 % 60) as u8,
            second: (secs % 60) as u8,
            nanos: (nanos_of_day % 1_000_000_000) as u32,
            offset_minutes: None,
        }
    }

    /// Days since 0001-01-01.
    pub fn days_since_0001(&self) -> i64 {
        days_from_civil(self.year, self.month, self.day)
    }

    /// Nanoseconds since midnight.
    pub fn nanos_of_day(&self) -> u64 {
        (u64::from(self.hour) * 3600 + u64::from(self.minute) * 60 + u64::from(self.second))
            * 1_000_000_000
            + u64::from(self.nanos)
    }
}

impl std::fmt::Display for SqlDateTime {
    /// `YYYY-MM-DD hh:mm:ss[.fffffff][ +hh:mm]`, as SQL Server converts to text.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )?;
        if self.nanos != 0 {
            let frac = format!("{:07}", self.nanos / 100);
            write!(f, ".{}", frac.trim_end_matches('0'))?;
        }
        if let Some(o) = self.offset_minutes {
            let sign = if o < 0 { '-' } else { '+' };
            write!(f, " {sign}{:02}:{:02}", o.abs() / 60, o.abs() % 60)?;
        }
        Ok(())
    }
}

/// One value of a column or parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    /// NULL.
    Null,
    /// `bit`.
    Bool(bool),
    /// `tinyint`, `smallint`, `int`, `bigint` (the column type says which).
    Int(i64),
    /// `real`, `float`.
    Float(f64),
    /// `decimal`, `numeric`, `money`: `mantissa / 10^scale`.
    Decimal {
        /// The unscaled digits.
        mantissa: i128,
        /// Digits after the decimal point.
        scale: u8,
    },
    /// Character types and `xml`.
    Text(String),
    /// `uniqueidentifier`, as `{XXXXXXXX-...}` upper case (SSIS's form).
    Guid(String),
    /// Binary types.
    Binary(Vec<u8>),
    /// `date`, `time`, `datetime`, `smalldatetime`, `datetime2`, `datetimeoffset`.
    DateTime(SqlDateTime),
}

impl SqlValue {
    /// The value as text (SQL Server's conversion to `nvarchar`, near enough):
    /// NULL is empty.
    pub fn to_text(&self) -> String {
        match self {
            SqlValue::Null => String::new(),
            SqlValue::Bool(b) => if *b { "1" } else { "0" }.to_string(),
            SqlValue::Int(i) => i.to_string(),
            SqlValue::Float(f) => f.to_string(),
            SqlValue::Decimal { mantissa, scale } => decimal_text(*mantissa, *scale),
            SqlValue::Text(s) | SqlValue::Guid(s) => s.clone(),
            SqlValue::Binary(b) => {
                let mut s = String::from("0x");
                for x in b {
                    s.push_str(&format!("{x:02X}"));
                }
                s
            }
            SqlValue::DateTime(d) => d.to_string(),
        }
    }

    /// Converts a tiberius cell.
    pub(crate) fn from_column(data: &ColumnData<'_>) -> SqlValue {
        use ColumnData as C;
        match data {
            C::U8(Some(v)) => SqlValue::Int(i64::from(*v)),
            C::I16(Some(v)) => SqlValue::Int(i64::from(*v)),
            C::I32(Some(v)) => SqlValue::Int(i64::from(*v)),
            C::I64(Some(v)) => SqlValue::Int(*v),
            C::F32(Some(v)) => SqlValue::Float(f64::from(*v)),
            C::F64(Some(v)) => SqlValue::Float(*v),
            C::Bit(Some(v)) => SqlValue::Bool(*v),
            C::String(Some(s)) => SqlValue::Text(s.to_string()),
            C::Guid(Some(g)) => SqlValue::Guid(format!("{{{}}}", g.to_string().to_uppercase())),
            C::Binary(Some(b)) => SqlValue::Binary(b.to_vec()),
            C::Numeric(Some(n)) => SqlValue::Decimal {
                mantissa: n.value(),
                scale: n.scale(),
            },
            C::Xml(Some(x)) => SqlValue::Text(x.to_string()),
            C::DateTime(Some(d)) => {
                // 1/300 s since midnight.
                let nanos = u64::from(d.seconds_fragments()) * 10_000_000 / 3;
                SqlValue::DateTime(SqlDateTime::from_parts(
                    DAYS_TO_1900 + i64::from(d.days()),
                    nanos,
                ))
            }
            C::SmallDateTime(Some(d)) => SqlValue::DateTime(SqlDateTime::from_parts(
                DAYS_TO_1900 + i64::from(d.days()),
                u64::from(d.seconds_fragments()) * 60 * 1_000_000_000,
            )),
            C::Date(Some(d)) => SqlValue::DateTime(SqlDateTime::from_parts(i64::from(d.days()), 0)),
            C::Time(Some(t)) => SqlValue::DateTime(SqlDateTime::from_parts(0, time_nanos(t))),
            C::DateTime2(Some(d)) => SqlValue::DateTime(SqlDateTime::from_parts(
                i64::from(d.date().days()),
                time_nanos(&d.time()),
            )),
            C::DateTimeOffset(Some(d)) => {
                // Stored as UTC plus the offset; shown at the offset.
                let dt = d.datetime2();
                let offset = i64::from(d.offset());
                let total = i128::from(dt.date().days()) * 86_400_000_000_000
                    + i128::from(time_nanos(&dt.time()))
                    + i128::from(offset) * 60_000_000_000;
                let days = total.div_euclid(86_400_000_000_000) as i64;
                let nanos = total.rem_euclid(86_400_000_000_000) as u64;
                let mut v = SqlDateTime::from_parts(days, nanos);
                v.offset_minutes = Some(d.offset());
                SqlValue::DateTime(v)
            }
            _ => SqlValue::Null,
        }
    }
}

/// A datetime2(7) of `days` since 0001-01-01 and `nanos` into the day.
fn datetime2(days: i64, nanos: u64) -> DateTime2 {
    let days = days.clamp(0, i64::from(u32::MAX >> 8)) as u32;
    DateTime2::new(Date::new(days), Time::new(nanos / 100, 7))
}

fn time_nanos(t: &Time) -> u64 {
    let scale = u32::from(t.scale().min(9));
    t.increments() * 10u64.pow(9 - scale)
}

/// `mantissa / 10^scale` as text.
pub(crate) fn decimal_text(mantissa: i128, scale: u8) -> String {
    let neg = mantissa < 0;
    let digits = mantissa.unsigned_abs().to_string();
    let scale = usize::from(scale);
    let s = if scale == 0 {
        digits
    } else if digits.len() > scale {
        format!(
            "{}.{}",
            &digits[..digits.len() - scale],
            &digits[digits.len() - scale..]
        )
    } else {
        format!("0.{}{}", "0".repeat(scale - digits.len()), digits)
    };
    if neg { format!("-{s}") } else { s }
}

impl ToSql for SqlValue {
    fn to_sql(&self) -> ColumnData<'_> {
        match self {
            SqlValue::Null => ColumnData::String(None),
            SqlValue::Bool(b) => ColumnData::Bit(Some(*b)),
            SqlValue::Int(i) => match i32::try_from(*i) {
                Ok(v) => ColumnData::I32(Some(v)),
                Err(_) => ColumnData::I64(Some(*i)),
            },
            SqlValue::Float(f) => ColumnData::F64(Some(*f)),
            SqlValue::Decimal { mantissa, scale } => ColumnData::Numeric(Some(
                tiberius::numeric::Numeric::new_with_scale(*mantissa, *scale),
            )),
            SqlValue::Text(s) => ColumnData::String(Some(Cow::Borrowed(s.as_str()))),
            SqlValue::Guid(s) => match tiberius::Uuid::parse_str(s.trim_matches(['{', '}'])) {
                Ok(u) => ColumnData::Guid(Some(u)),
                Err(_) => ColumnData::String(Some(Cow::Borrowed(s.as_str()))),
            },
            SqlValue::Binary(b) => ColumnData::Binary(Some(Cow::Borrowed(b.as_slice()))),
            SqlValue::DateTime(d) => match d.offset_minutes {
                None => {
                    ColumnData::DateTime2(Some(datetime2(d.days_since_0001(), d.nanos_of_day())))
                }
                // datetimeoffset: UTC and the offset.
                Some(offset) => {
                    let nanos = i128::from(d.days_since_0001()) * 86_400_000_000_000
                        + i128::from(d.nanos_of_day())
                        - i128::from(offset) * 60_000_000_000;
                    ColumnData::DateTimeOffset(Some(DateTimeOffset::new(
                        datetime2(
                            nanos.div_euclid(86_400_000_000_000) as i64,
                            nanos.rem_euclid(86_400_000_000_000) as u64,
                        ),
                        offset,
                    )))
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_round_trip() {
        for (y, m, d) in [
            (1, 1, 1),
            (1900, 1, 1),
            (2000, 2, 29),
            (2026, 12, 3),
            (9999, 12, 31),
        ] {
            let days = days_from_civil(y, m, d);
            assert_eq!(civil_from_days(days), (y, m, d));
        }
        assert_eq!(days_from_civil(1900, 1, 1), DAYS_TO_1900);
        assert_eq!(days_from_civil(1, 1, 1), 0);
    }

    #[test]
    fn datetime_cells_convert() {
        let v = SqlValue::from_column(&ColumnData::DateTime(Some(tiberius::time::DateTime::new(
            45_000,
            300 * 3661 + 150,
        ))));
        // 1900-01-01 + 45000 days = 2023-03-17.
        assert_eq!(v.to_text(), "2023-03-17 01:01:01.5");
        assert_eq!(decimal_text(-1234, 2), "-12.34");
        assert_eq!(decimal_text(5, 3), "0.005");
    }
}
