//! A compact encoding of cell values, for Sort's runs ([`crate::runs`]):
//! a tag byte, then the value; the commonest cells take their short forms
//! (text under 256 bytes with a one-byte length, a DT_NUMERIC whose
//! mantissa fits in 64 bits in eight bytes).

use ssis_runner::expr::{DataType, DateTime, Text, Value};

fn put_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u32).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

/// Appends `v` to `out`.
pub fn encode(out: &mut Vec<u8>, v: &Value) {
    match v {
        Value::Null(t) => {
            out.push(0);
            put_str(out, t.name());
        }
        Value::Bool(b) => out.extend([1, u8::from(*b)]),
        Value::I1(x) => out.extend([2, *x as u8]),
        Value::I2(x) => {
            out.push(3);
            out.extend_from_slice(&x.to_le_bytes())
        }
        Value::I4(x) => {
            out.push(4);
            out.extend_from_slice(&x.to_le_bytes())
        }
        Value::I8(x) => {
            out.push(5);
            out.extend_from_slice(&x.to_le_bytes())
        }
        Value::UI1(x) => out.extend([6, *x]),
        Value::UI2(x) => {
            out.push(7);
            out.extend_from_slice(&x.to_le_bytes())
        }
        Value::UI4(x) => {
            out.push(8);
            out.extend_from_slice(&x.to_le_bytes())
        }
        Value::UI8(x) => {
            out.push(9);
            out.extend_from_slice(&x.to_le_bytes())
        }
        Value::R4(x) => {
            out.push(10);
            out.extend_from_slice(&x.to_le_bytes())
        }
        Value::R8(x) => {
            out.push(11);
            out.extend_from_slice(&x.to_le_bytes())
        }
        Value::Cy(x) => {
            out.push(12);
            out.extend_from_slice(&x.to_le_bytes())
        }
        Value::Decimal { mantissa, scale } => {
            out.push(13);
            out.extend_from_slice(&mantissa.to_le_bytes());
            out.push(*scale);
        }
        Value::Numeric {
            mantissa,
            precision,
            scale,
        } if i64::try_from(*mantissa).is_ok() => {
            out.push(24);
            out.extend_from_slice(&(*mantissa as i64).to_le_bytes());
            out.extend([*precision, *scale]);
        }
        Value::Numeric {
            mantissa,
            precision,
            scale,
        } => {
            out.push(14);
            out.extend_from_slice(&mantissa.to_le_bytes());
            out.extend([*precision, *scale]);
        }
        Value::WStr(s) if s.len() < 256 => {
            out.extend([25, s.len() as u8]);
            out.extend_from_slice(s.as_bytes());
        }
        Value::WStr(s) => {
            out.push(15);
            put_str(out, s);
        }
        Value::Str { text, codepage } => {
            out.push(16);
            out.extend_from_slice(&codepage.to_le_bytes());
            put_str(out, text);
        }
        Value::Date(d) => {
            out.push(17);
            out.extend_from_slice(&d.ticks().to_le_bytes())
        }
        Value::DbDate(d) => {
            out.push(18);
            out.extend_from_slice(&d.ticks().to_le_bytes())
        }
        Value::DbTimestamp(d) => {
            out.push(19);
            out.extend_from_slice(&d.ticks().to_le_bytes())
        }
        Value::DbTimestamp2 { local, scale } => {
            out.push(23);
            out.extend(local.ticks().to_le_bytes());
            out.push(*scale);
        }
        Value::Bytes(b) => {
            out.push(20);
            out.extend_from_slice(&(b.len() as u32).to_le_bytes());
            out.extend_from_slice(b);
        }
        Value::DbTime2 { ticks, scale } => {
            out.push(21);
            out.extend_from_slice(&ticks.to_le_bytes());
            out.push(*scale);
        }
        Value::DbTimestampOffset {
            local,
            offset_minutes,
            scale,
        } => {
            out.push(22);
            out.extend_from_slice(&local.ticks().to_le_bytes());
            out.extend_from_slice(&offset_minutes.to_le_bytes());
            out.push(*scale);
        }
    }
}

/// The first `n` bytes of `b`, which moves past them.
pub(crate) fn take<'a>(b: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
    if b.len() < n {
        return None;
    }
    let (h, t) = b.split_at(n);
    *b = t;
    Some(h)
}

/// The first `N` bytes of `b` as an array, which moves past them.
pub(crate) fn arr<const N: usize>(b: &mut &[u8]) -> Option<[u8; N]> {
    take(b, N)?.try_into().ok()
}

fn get_str(b: &mut &[u8]) -> Option<Text> {
    let n = u32::from_le_bytes(arr(b)?) as usize;
    std::str::from_utf8(take(b, n)?).ok().map(Text::from)
}

/// Reads one value from the front of `b`.
#[cfg(test)]
pub fn decode(b: &mut &[u8]) -> Option<Value> {
    let mut one = Vec::with_capacity(1);
    decode_push(b, &mut one)?;
    one.pop()
}

/// Reads one value from the front of `b` onto the end of `col`; the kinds
/// a large Sort moves most through [`crate::push`], so each is built where
/// it lands.
#[inline]
pub fn decode_push(b: &mut &[u8], col: &mut Vec<Value>) -> Option<()> {
    let tag = take(b, 1)?[0];
    let date = |b: &mut &[u8]| DateTime::from_ticks(i64::from_le_bytes(arr(b)?));
    use crate::push;
    match tag {
        1 => push::bool(col, take(b, 1)?[0] != 0),
        4 => push::i4(col, i32::from_le_bytes(arr(b)?)),
        11 => push::r8(col, f64::from_le_bytes(arr(b)?)),
        19 => push::db_timestamp(col, date(b)?),
        24 => {
            let mantissa = i128::from(i64::from_le_bytes(arr(b)?));
            let ps = take(b, 2)?;
            push::numeric(col, mantissa, ps[0], ps[1]);
        }
        25 => {
            let n = usize::from(take(b, 1)?[0]);
            push::wstr(col, std::str::from_utf8(take(b, n)?).ok()?);
        }
        _ => return decode_rest(tag, b, col),
    }
    Some(())
}

/// [`decode_push`] for the kinds it does not push itself.
fn decode_rest(tag: u8, b: &mut &[u8], col: &mut Vec<Value>) -> Option<()> {
    let date = |b: &mut &[u8]| DateTime::from_ticks(i64::from_le_bytes(arr(b)?));
    col.push(match tag {
        0 => Value::Null(DataType::parse(&get_str(b)?)?),
        2 => Value::I1(take(b, 1)?[0] as i8),
        3 => Value::I2(i16::from_le_bytes(arr(b)?)),
        5 => Value::I8(i64::from_le_bytes(arr(b)?)),
        6 => Value::UI1(take(b, 1)?[0]),
        7 => Value::UI2(u16::from_le_bytes(arr(b)?)),
        8 => Value::UI4(u32::from_le_bytes(arr(b)?)),
        9 => Value::UI8(u64::from_le_bytes(arr(b)?)),
        10 => Value::R4(f32::from_le_bytes(arr(b)?)),
        12 => Value::Cy(i64::from_le_bytes(arr(b)?)),
        13 => Value::Decimal {
            mantissa: i128::from_le_bytes(arr(b)?),
            scale: take(b, 1)?[0],
        },
        14 => {
            let mantissa = i128::from_le_bytes(arr(b)?);
            let ps = take(b, 2)?;
            Value::Numeric {
                mantissa,
                precision: ps[0],
                scale: ps[1],
            }
        }
        15 => Value::WStr(get_str(b)?),
        16 => {
            let codepage = u32::from_le_bytes(arr(b)?);
            Value::Str {
                text: get_str(b)?,
                codepage,
            }
        }
        17 => Value::Date(date(b)?),
        18 => Value::DbDate(date(b)?),
        20 => {
            let n = u32::from_le_bytes(arr(b)?) as usize;
            Value::Bytes(take(b, n)?.to_vec())
        }
        21 => Value::DbTime2 {
            ticks: u64::from_le_bytes(arr(b)?),
            scale: take(b, 1)?[0],
        },
        22 => Value::DbTimestampOffset {
            local: date(b)?,
            offset_minutes: i16::from_le_bytes(arr(b)?),
            scale: take(b, 1)?[0],
        },
        23 => Value::DbTimestamp2 {
            local: date(b)?,
            scale: take(b, 1)?[0],
        },
        _ => return None,
    });
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip() {
        let row = vec![
            Value::Null(DataType::Numeric),
            Value::Bool(true),
            Value::I4(-7),
            Value::UI8(u64::MAX),
            Value::R8(1.5),
            Value::Numeric {
                mantissa: -12345,
                precision: 10,
                scale: 2,
            },
            Value::Numeric {
                mantissa: i128::from(i64::MIN) - 1,
                precision: 38,
                scale: 0,
            },
            Value::WStr("zoë".into()),
            Value::WStr("x".repeat(255).into()),
            Value::WStr("y".repeat(256).into()),
            Value::WStr("".into()),
            Value::Str {
                text: "abc".into(),
                codepage: 1252,
            },
            Value::DbTimestamp(DateTime::from_ymd(2024, 2, 29).unwrap()),
            Value::DbTimestamp2 {
                local: DateTime::from_ymd(2024, 3, 1).unwrap(),
                scale: 4,
            },
        ];
        let mut out = Vec::new();
        for v in &row {
            encode(&mut out, v);
        }
        let mut b = out.as_slice();
        let back: Vec<Value> = (0..row.len()).map(|_| decode(&mut b).unwrap()).collect();
        assert_eq!(back, row);
        assert!(b.is_empty());
        assert_eq!(decode(&mut b), None);
        // The short forms: tag, length, text; tag, 8 bytes, precision, scale.
        let size = |v: &Value| {
            let mut out = Vec::new();
            encode(&mut out, v);
            out.len()
        };
        assert_eq!(size(&row[7]), 2 + "zoë".len());
        assert_eq!(size(&row[9]), 1 + 4 + 256);
        assert_eq!(size(&row[5]), 11);
        assert_eq!(size(&row[6]), 19);
    }
}
