//! The text forms and casts of DT_BYTES, DT_DBTIME2, DT_DBTIMESTAMP2 and
//! DT_DBTIMESTAMPOFFSET: bytes as hexadecimal digits, a time of day as
//! `hh:mm:ss[.fffffff]`, a date-time as `yyyy-mm-dd hh:mm:ss[.fffffff]`,
//! with its offset as `yyyy-mm-dd hh:mm:ss[.fffffff] +hh:mm` (the fraction
//! has as many digits as the value's scale; a cast to a smaller scale
//! removes the digits past it, as SSIS's date/time conversions do).

use super::convert::TypeSpec;
use super::dates::{DateParts, DateTime};
use super::types::DataType;
use super::value::Value;

/// 100-ns ticks in a second and in a day.
const TICKS_PER_SEC: u64 = 10_000_000;
const TICKS_PER_DAY: u64 = 86_400 * TICKS_PER_SEC;

/// Lower-case hexadecimal digits of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// Bytes from hexadecimal digits (either case, an optional `0x`); `None`
/// for an odd count or a non-digit.
pub fn parse_hex(text: &str) -> Option<Vec<u8>> {
    let t = text.trim();
    let t = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .unwrap_or(t);
    if t.len() % 2 != 0 {
        return None;
    }
    (0..t.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(t.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The fraction of a second in `ticks` (below one second) with `scale` digits.
fn fraction(ticks: u64, scale: u8) -> String {
    if scale == 0 {
        return String::new();
    }
    let digits = format!("{:07}", ticks % TICKS_PER_SEC);
    format!(".{}", &digits[..usize::from(scale.min(7))])
}

/// `hh:mm:ss[.fffffff]` of a time of day in 100-ns ticks.
pub fn format_time(ticks: u64, scale: u8) -> String {
    let secs = ticks / TICKS_PER_SEC;
    format!(
        "{:02}:{:02}:{:02}{}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60,
        fraction(ticks, scale)
    )
}

/// `yyyy-mm-dd hh:mm:ss[.fffffff]`, with exactly `scale` fraction digits.
pub fn format_timestamp2(local: DateTime, scale: u8) -> String {
    let p = local.parts();
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}{}",
        p.year,
        p.month,
        p.day,
        p.hour,
        p.minute,
        p.second,
        fraction(u64::from(p.ticks), scale)
    )
}

/// `d` with the fraction digits past `scale` removed.
pub fn datetime_at_scale(d: DateTime, scale: u8) -> DateTime {
    let frac = u64::from(d.parts().ticks);
    DateTime::from_ticks(d.ticks() - (frac - at_scale(frac, scale)) as i64).unwrap_or(d)
}

/// `yyyy-mm-dd hh:mm:ss[.fffffff] +hh:mm`.
pub fn format_offset(local: DateTime, offset_minutes: i16, scale: u8) -> String {
    let p = local.parts();
    let sign = if offset_minutes < 0 { '-' } else { '+' };
    let off = offset_minutes.unsigned_abs();
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}{} {sign}{:02}:{:02}",
        p.year,
        p.month,
        p.day,
        p.hour,
        p.minute,
        p.second,
        fraction(u64::from(p.ticks), scale),
        off / 60,
        off % 60
    )
}

/// A time of day from `hh:mm[:ss[.f...]]`, in 100-ns ticks.
pub fn parse_time(text: &str) -> Option<u64> {
    let t = text.trim();
    if t.contains(['-', '/']) || !t.contains(':') {
        return None;
    }
    let d = DateTime::parse(t)?;
    Some(time_of_day(d))
}

/// The time of day of `d` in 100-ns ticks.
pub fn time_of_day(d: DateTime) -> u64 {
    d.ticks().rem_euclid(TICKS_PER_DAY as i64) as u64
}

/// `yyyy-mm-dd[ hh:mm[:ss[.f...]]][ ][+|-hh:mm]` (no offset: +00:00) as
/// the local date-time and the offset in minutes.
pub fn parse_offset(text: &str) -> Option<(DateTime, i16)> {
    let t = text.trim();
    // The offset's sign comes after the date (whose '-' come first).
    let date_end = t.find([' ', 'T']).unwrap_or(t.len());
    let (local, offset) = match t[date_end..].rfind(['+', '-']) {
        Some(i) => (&t[..date_end + i], Some(&t[date_end + i..])),
        None => (t, None),
    };
    let minutes = match offset {
        None => 0,
        Some(o) => {
            let negative = o.starts_with('-');
            let (h, m) = o[1..].trim().split_once(':')?;
            let (h, m): (i16, i16) = (h.parse().ok()?, m.parse().ok()?);
            if !(0..=14).contains(&h) || !(0..60).contains(&m) || (h == 14 && m != 0) {
                return None;
            }
            let total = h * 60 + m;
            if negative { -total } else { total }
        }
    };
    let local = local.trim();
    // A date: a time alone is no DT_DBTIMESTAMPOFFSET.
    local[..date_end.min(local.len())]
        .contains(['-', '/'])
        .then_some(())?;
    Some((DateTime::parse(local)?, minutes))
}

/// `ticks` with the digits past `scale` dropped.
pub fn at_scale(ticks: u64, scale: u8) -> u64 {
    let unit = 10u64.pow(7 - u32::from(scale.min(7)));
    ticks - ticks % unit
}

/// Whether `ticks` has nonzero digits past `scale`.
pub fn loses_digits(ticks: u64, scale: u8) -> bool {
    at_scale(ticks, scale) != ticks
}

/// Casts (not NULL) `v` to DT_BYTES, DT_DBTIME(2), DT_DBTIMESTAMP2 or
/// DT_DBTIMESTAMPOFFSET; `None` when `spec` is none of them.
pub(crate) fn cast(v: &Value, spec: &TypeSpec) -> Option<Result<Value, String>> {
    matches!(
        spec.data_type,
        DataType::Bytes
            | DataType::Image
            | DataType::DbTime
            | DataType::DbTime2
            | DataType::DbTimestamp2
            | DataType::DbTimestampOffset
    )
    .then(|| cast_to(v, spec))
}

fn cast_to(v: &Value, spec: &TypeSpec) -> Result<Value, String> {
    let to = spec.data_type;
    let from = v.data_type();
    let fail = || format!("the value \"{v}\" ({from}) cannot be converted to {to}");
    match to {
        DataType::Bytes | DataType::Image => match v {
            Value::Bytes(b) => Ok(Value::Bytes(match spec.length {
                Some(n) => b.iter().copied().take(n as usize).collect(),
                None => b.clone(),
            })),
            // A string's bytes: UTF-16LE for DT_WSTR, the code page's for DT_STR.
            Value::WStr(s) => Ok(Value::Bytes(
                s.encode_utf16().flat_map(u16::to_le_bytes).collect(),
            )),
            Value::Str { text, codepage } => Ok(Value::Bytes(if *codepage == 65001 {
                text.as_bytes().to_vec()
            } else {
                text.chars().map(|c| c as u32 as u8).collect()
            })),
            _ => Err(fail()),
        },
        DataType::DbTime | DataType::DbTime2 => {
            let scale = if to == DataType::DbTime {
                0
            } else {
                spec.scale.unwrap_or(7)
            };
            let ticks = match v {
                Value::DbTime2 { ticks, .. } => *ticks,
                Value::DbTimestampOffset { local, .. } => time_of_day(*local),
                _ => match v.as_str() {
                    Some(s) => parse_time(s).ok_or_else(|| {
                        format!("the string \"{s}\" is not a valid time for {to} (use hh:mm:ss)")
                    }),
                    None => v.as_datetime().map(time_of_day).ok_or_else(fail),
                }?,
            };
            Ok(Value::DbTime2 {
                ticks: at_scale(ticks, scale),
                scale,
            })
        }
        DataType::DbTimestamp2 => {
            let local = match v.as_str() {
                Some(s) => DateTime::parse(s).ok_or_else(|| {
                    format!(
                        "the string \"{s}\" is not a valid date for {to} \
                         (use yyyy-mm-dd hh:mm:ss[.fffffff])"
                    )
                }),
                None => v.as_datetime().or_else(|| as_datetime(v)).ok_or_else(fail),
            }?;
            let scale = spec.scale.unwrap_or(7);
            Ok(Value::DbTimestamp2 {
                local: datetime_at_scale(local, scale),
                scale,
            })
        }
        DataType::DbTimestampOffset => {
            let scale = spec.scale.unwrap_or(7);
            let (local, offset_minutes) = match v {
                Value::DbTimestampOffset {
                    local,
                    offset_minutes,
                    ..
                } => (*local, *offset_minutes),
                _ => match v.as_str() {
                    Some(s) => parse_offset(s).ok_or_else(|| {
                        format!(
                            "the string \"{s}\" is not a valid date for {to} \
                             (use yyyy-mm-dd hh:mm:ss +hh:mm)"
                        )
                    }),
                    None => v
                        .as_datetime()
                        .or_else(|| as_datetime(v))
                        .map(|d| (d, 0))
                        .ok_or_else(fail),
                }?,
            };
            Ok(Value::DbTimestampOffset {
                local: datetime_at_scale(local, scale),
                offset_minutes,
                scale,
            })
        }
        _ => Err(fail()),
    }
}

/// The date-time a DT_DBTIME2 or DT_DBTIMESTAMPOFFSET stands for when cast
/// to another date type: the time on 1899-12-30 (DT_DATE's zero day), the
/// local date-time.
pub(crate) fn as_datetime(v: &Value) -> Option<DateTime> {
    match v {
        Value::DbTime2 { ticks, .. } => {
            let zero = DateTime::from_parts(DateParts {
                year: 1899,
                month: 12,
                day: 30,
                hour: 0,
                minute: 0,
                second: 0,
                ticks: 0,
            })?;
            DateTime::from_ticks(zero.ticks() + *ticks as i64)
        }
        Value::DbTimestampOffset { local, .. } => Some(*local),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(t: DataType, scale: Option<u8>) -> TypeSpec {
        let mut s = TypeSpec::plain(t);
        s.scale = scale;
        s
    }

    #[test]
    fn text_forms_round_trip() {
        assert_eq!(parse_hex("0x00FFa1"), Some(vec![0, 255, 0xa1]));
        assert_eq!(hex(&[0, 255, 0xa1]), "00ffa1");
        assert_eq!(parse_hex("abc"), None);
        let t = parse_time("13:04:05.1234567").unwrap();
        assert_eq!(format_time(t, 7), "13:04:05.1234567");
        assert_eq!(format_time(t, 3), "13:04:05.123");
        assert_eq!(format_time(t, 0), "13:04:05");
        assert!(loses_digits(t, 3) && !loses_digits(at_scale(t, 3), 3));
        let (d, off) = parse_offset("2024-02-29 23:59:58.5 -05:30").unwrap();
        assert_eq!(off, -330);
        assert_eq!(format_offset(d, off, 2), "2024-02-29 23:59:58.50 -05:30");
        assert_eq!(parse_offset("2024-01-02 03:04:05").unwrap().1, 0);
        assert_eq!(parse_offset("2024-01-02 03:04:05 +15:00"), None);
        assert_eq!(parse_offset("03:04:05"), None);
        assert_eq!(parse_offset("03:04:05 +01:00"), None);
        let (d, off) = parse_offset("2024-03-01 -01:00").unwrap();
        assert_eq!(
            (format_offset(d, off, 0), off),
            ("2024-03-01 00:00:00 -01:00".into(), -60)
        );
        let (d, off) = parse_offset("2024-03-01T10:11:12+01:00").unwrap();
        assert_eq!(format_offset(d, off, 0), "2024-03-01 10:11:12 +01:00");
    }

    #[test]
    fn expressions_cast_and_compare_them() {
        let eval = |e: &str| {
            crate::expr::Expression::parse(e)
                .unwrap()
                .eval(&std::collections::HashMap::new())
                .unwrap()
        };
        assert_eq!(
            eval(r#"(DT_DBTIME2, 3)"12:00:00.5" > (DT_DBTIME2, 3)"12:00:00.25""#),
            Value::Bool(true)
        );
        assert_eq!(
            eval(
                r#"(DT_DBTIMESTAMPOFFSET, 0)"2024-01-01 10:00:00 +02:00" == (DT_DBTIMESTAMPOFFSET, 0)"2024-01-01 08:00:00 +00:00""#
            ),
            Value::Bool(true)
        );
        assert_eq!(
            eval(r#"(DT_WSTR, 20)(DT_DBTIME2, 2)"07:08:09.123""#),
            Value::WStr("07:08:09.12".into())
        );
        assert_eq!(
            eval(r#"(DT_BYTES, 4)"a" == (DT_BYTES, 4)"a""#),
            Value::Bool(true)
        );
        // DT_DBTIMESTAMP2 shows exactly its scale's digits; a cast drops the rest.
        let ts2 = |scale: u8, text: &str| {
            eval(&format!(
                r#"(DT_WSTR, 40)(DT_DBTIMESTAMP2, {scale})"{text}""#
            ))
        };
        let t = "2024-02-29 10:11:12.9876543";
        assert_eq!(ts2(3, t), Value::WStr("2024-02-29 10:11:12.987".into()));
        assert_eq!(ts2(0, t), Value::WStr("2024-02-29 10:11:12".into()));
        assert_eq!(
            ts2(7, "2024-02-29 10:11:12"),
            Value::WStr("2024-02-29 10:11:12.0000000".into())
        );
        assert_eq!(
            eval(r#"YEAR((DT_DBTIMESTAMP2, 1)"2024-02-29 10:11:12") + 0"#),
            Value::I4(2024)
        );
        assert_eq!(
            eval(
                r#"(DT_DBTIMESTAMP2, 1)"2024-02-29 10:11:12.19" == (DT_DBTIMESTAMP)"2024-02-29 10:11:12.1""#
            ),
            Value::Bool(true)
        );
    }

    #[test]
    fn casts() {
        let v = cast(
            &Value::WStr("01:02:03.987".into()),
            &spec(DataType::DbTime2, Some(1)),
        )
        .unwrap()
        .unwrap();
        assert_eq!(v.to_string(), "01:02:03.9");
        let v = cast(
            &Value::WStr("2020-05-06 07:08:09 +02:00".into()),
            &spec(DataType::DbTimestampOffset, Some(0)),
        )
        .unwrap()
        .unwrap();
        assert_eq!(v.to_string(), "2020-05-06 07:08:09 +02:00");
        let b = cast(&Value::WStr("A".into()), &TypeSpec::plain(DataType::Bytes))
            .unwrap()
            .unwrap();
        assert_eq!(b, Value::Bytes(vec![0x41, 0]));
        assert!(
            cast(&Value::WStr("x".into()), &spec(DataType::DbTime2, None))
                .unwrap()
                .is_err()
        );
        assert!(cast(&Value::I4(1), &TypeSpec::plain(DataType::I8)).is_none());
    }
}
