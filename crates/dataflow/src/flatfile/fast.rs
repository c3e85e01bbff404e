//! Fast paths for the commonest cell texts of a flat file: `-123`
//! integers, `-123.45` decimals, floats, `yyyy-mm-dd hh:mm:ss` timestamps
//! and `true`/`false`,
//! parsed without allocating; and the same types formatted without `fmt`.
//! Anything else (and every error) is left to the general conversion, so
//! results are the same either way.

use ssis_runner::expr::{DataType, DateParts, DateTime, Value};

/// `text` (already trimmed) as a value of `ty` (a value type with its
/// precision and scale), or None when the general conversion must decide.
pub fn parse(ty: DataType, precision: u8, scale: u8, text: &str) -> Option<Value> {
    let t = text.as_bytes();
    match ty {
        DataType::I4 => int(t).and_then(|x| i32::try_from(x).ok()).map(Value::I4),
        DataType::I8 => int(t).map(Value::I8),
        DataType::I2 => int(t).and_then(|x| i16::try_from(x).ok()).map(Value::I2),
        DataType::I1 => int(t).and_then(|x| i8::try_from(x).ok()).map(Value::I1),
        DataType::UI1 => uint(t).and_then(|x| u8::try_from(x).ok()).map(Value::UI1),
        DataType::UI2 => uint(t).and_then(|x| u16::try_from(x).ok()).map(Value::UI2),
        DataType::UI4 => uint(t).and_then(|x| u32::try_from(x).ok()).map(Value::UI4),
        DataType::UI8 => uint(t).map(Value::UI8),
        DataType::R8 => text
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .map(Value::R8),
        DataType::Numeric => numeric(t, if precision == 0 { 18 } else { precision }, scale),
        DataType::DbTimestamp => timestamp(t).map(Value::DbTimestamp),
        DataType::Bool => {
            if t.eq_ignore_ascii_case(b"true") {
                Some(Value::Bool(true))
            } else if t.eq_ignore_ascii_case(b"false") {
                Some(Value::Bool(false))
            } else {
                None
            }
        }
        _ => None,
    }
}

/// [`parse`], pushing the value onto `col` (through [`crate::push`], so
/// it is built where it lands); false when `text` is not in the fast form,
/// and nothing is pushed.
pub fn parse_onto(
    ty: DataType,
    precision: u8,
    scale: u8,
    text: &str,
    col: &mut Vec<Value>,
) -> bool {
    use crate::push;
    let t = text.as_bytes();
    match ty {
        DataType::I4 => match int(t).and_then(|x| i32::try_from(x).ok()) {
            Some(x) => push::i4(col, x),
            None => return false,
        },
        DataType::I8 => match int(t) {
            Some(x) => push::i8(col, x),
            None => return false,
        },
        DataType::R8 => match text.parse::<f64>().ok().filter(|x| x.is_finite()) {
            Some(x) => push::r8(col, x),
            None => return false,
        },
        DataType::Numeric => {
            let precision = if precision == 0 { 18 } else { precision };
            match numeric_mantissa(t, precision, scale) {
                Some(m) => push::numeric(col, m, precision, scale),
                None => return false,
            }
        }
        DataType::DbTimestamp => match timestamp(t) {
            Some(d) => push::db_timestamp(col, d),
            None => return false,
        },
        DataType::Bool => match parse(ty, precision, scale, text) {
            Some(Value::Bool(b)) => push::bool(col, b),
            _ => return false,
        },
        _ => match parse(ty, precision, scale, text) {
            Some(v) => col.push(v),
            None => return false,
        },
    }
    true
}

/// Whether [`parse`] would give `text` a value, without building it where
/// that costs (a float's plain decimal form is checked, not converted).
pub fn valid(ty: DataType, precision: u8, scale: u8, text: &str) -> bool {
    let t = text.as_bytes();
    match ty {
        DataType::R8 if plain_decimal(t) => true,
        DataType::I4 => int(t).is_some_and(|x| i32::try_from(x).is_ok()),
        DataType::Bool => t.eq_ignore_ascii_case(b"true") || t.eq_ignore_ascii_case(b"false"),
        DataType::DbTimestamp => timestamp_valid(t),
        _ => parse(ty, precision, scale, text).is_some(),
    }
}

/// Whether [`timestamp`] reads `t`, without counting its days.
fn timestamp_valid(t: &[u8]) -> bool {
    let Some((year, month, day, hour, minute, second)) = timestamp_parts(t) else {
        return false;
    };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => return false,
    };
    year >= 1 && (1..=days).contains(&day) && hour <= 23 && minute <= 59 && second <= 59
}

/// `[-]digits[.[digits]]` with at most 300 digits before the point: a form
/// every float parse accepts and none takes past the finite range.
fn plain_decimal(t: &[u8]) -> bool {
    let d = t.strip_prefix(b"-").unwrap_or(t);
    let (int, frac) = match d.iter().position(|b| *b == b'.') {
        Some(i) => (&d[..i], &d[i + 1..]),
        None => (d, &d[d.len()..]),
    };
    !int.is_empty()
        && int.len() <= 300
        && int.iter().all(u8::is_ascii_digit)
        && frac.iter().all(u8::is_ascii_digit)
}

/// Whether [`parse`] has a fast path for `ty`.
pub fn handles(ty: DataType) -> bool {
    use DataType::*;
    matches!(
        ty,
        I4 | I8 | I2 | I1 | UI1 | UI2 | UI4 | UI8 | R8 | Numeric | DbTimestamp | Bool
    )
}

/// `[-]digits`, at most 18 of them (so no overflow is possible).
fn int(t: &[u8]) -> Option<i64> {
    match t.first() {
        Some(b'-') => uint(&t[1..]).map(|x| -(x as i64)),
        _ => uint(t).map(|x| x as i64),
    }
}

/// `digits`, at most 18 of them.
fn uint(t: &[u8]) -> Option<u64> {
    if t.is_empty() || t.len() > 18 {
        return None;
    }
    let mut m = 0u64;
    for &b in t {
        let v = b.wrapping_sub(b'0');
        if v > 9 {
            return None;
        }
        m = m * 10 + u64::from(v);
    }
    Some(m)
}

/// `[-]digits[.digits]` with no more fraction digits than `scale`, within
/// `precision` (as a cast from text to DT_NUMERIC gives it).
fn numeric(t: &[u8], precision: u8, scale: u8) -> Option<Value> {
    Some(Value::Numeric {
        mantissa: numeric_mantissa(t, precision, scale)?,
        precision,
        scale,
    })
}

/// The mantissa of [`numeric`].
fn numeric_mantissa(t: &[u8], precision: u8, scale: u8) -> Option<i128> {
    let (neg, d) = match t.first() {
        Some(b'-') => (true, &t[1..]),
        _ => (false, t),
    };
    let (int, frac) = match d.iter().position(|b| *b == b'.') {
        Some(i) => (&d[..i], &d[i + 1..]),
        None => (d, &d[d.len()..]),
    };
    if int.is_empty() || int.len() + frac.len() > 30 || frac.len() > usize::from(scale) {
        return None;
    }
    let mut m: i128 = 0;
    for &b in int.iter().chain(frac) {
        let v = b.wrapping_sub(b'0');
        if v > 9 {
            return None;
        }
        m = m * 10 + i128::from(v);
    }
    for _ in frac.len()..usize::from(scale) {
        m = m.checked_mul(10)?;
    }
    // `m`'s digits are those of int, frac and the zeros up to `scale`,
    // less the leading zeros (and one digit for zero).
    let zeros = int.iter().chain(frac).take_while(|b| **b == b'0').count();
    let digits = if zeros == int.len() + frac.len() {
        1
    } else {
        int.len() + usize::from(scale) - zeros
    };
    if digits.max(usize::from(scale) + 1).min(38) > usize::from(precision) {
        return None;
    }
    Some(if neg { -m } else { m })
}

fn two(t: &[u8]) -> Option<u32> {
    let (a, b) = (t[0].wrapping_sub(b'0'), t[1].wrapping_sub(b'0'));
    (a <= 9 && b <= 9).then(|| u32::from(a) * 10 + u32::from(b))
}

/// The numbers of exactly `yyyy-mm-dd hh:mm:ss`, not yet checked as a date.
fn timestamp_parts(t: &[u8]) -> Option<(u32, u32, u32, u32, u32, u32)> {
    if t.len() != 19
        || t[4] != b'-'
        || t[7] != b'-'
        || t[10] != b' '
        || t[13] != b':'
        || t[16] != b':'
    {
        return None;
    }
    Some((
        two(&t[0..2])? * 100 + two(&t[2..4])?,
        two(&t[5..7])?,
        two(&t[8..10])?,
        two(&t[11..13])?,
        two(&t[14..16])?,
        two(&t[17..19])?,
    ))
}

/// Exactly `yyyy-mm-dd hh:mm:ss`.
fn timestamp(t: &[u8]) -> Option<DateTime> {
    let (year, month, day, hour, minute, second) = timestamp_parts(t)?;
    DateTime::from_parts(DateParts {
        year: i64::from(year),
        month,
        day,
        hour,
        minute,
        second,
        ticks: 0,
    })
}

/// "00" to "99", for [`push_two`].
const PAIRS: &str = "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899";

/// Appends `n` (below 100) in two digits: one short copy.
fn push_two(out: &mut String, n: u32) {
    let i = 2 * (n as usize % 100);
    out.push_str(&PAIRS[i..i + 2]);
}

/// Appends `v` as the general conversion to text writes it, for the types
/// with a fast path; false (nothing written) for the others.
pub fn format(v: &Value, out: &mut String) -> bool {
    match v {
        Value::I4(i) => out.push_str(itoa::Buffer::new().format(*i)),
        Value::I8(i) => out.push_str(itoa::Buffer::new().format(*i)),
        Value::I2(i) => out.push_str(itoa::Buffer::new().format(*i)),
        Value::UI8(i) => out.push_str(itoa::Buffer::new().format(*i)),
        Value::Bool(b) => out.push_str(if *b { "True" } else { "False" }),
        Value::R8(x) => return float(*x, out),
        Value::Numeric {
            mantissa, scale, ..
        }
        | Value::Decimal { mantissa, scale } => {
            if *mantissa < 0 {
                out.push('-');
            }
            let mut buf = itoa::Buffer::new();
            let digits = buf.format(mantissa.unsigned_abs());
            let s = usize::from(*scale);
            let len = digits.len();
            if s == 0 {
                out.push_str(digits);
            } else if len > s {
                out.push_str(&digits[..len - s]);
                out.push('.');
                out.push_str(&digits[len - s..]);
            } else {
                out.push_str("0.");
                (len..s).for_each(|_| out.push('0'));
                out.push_str(digits);
            }
        }
        Value::DbTimestamp(d) => {
            let p = d.parts();
            if p.ticks != 0 || !(1000..=9999).contains(&p.year) {
                return false;
            }
            let y = p.year as u32;
            push_two(out, y / 100);
            push_two(out, y % 100);
            out.push('-');
            push_two(out, p.month);
            out.push('-');
            push_two(out, p.day);
            out.push(' ');
            push_two(out, p.hour);
            out.push(':');
            push_two(out, p.minute);
            out.push(':');
            push_two(out, p.second);
        }
        _ => return false,
    }
    true
}

/// A small text buffer on the stack.
struct Stack {
    buf: [u8; 40],
    len: usize,
}

impl std::fmt::Write for Stack {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        self.buf
            .get_mut(self.len..end)
            .ok_or(std::fmt::Error)?
            .copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// An R8 as the general conversion writes it (15 significant digits,
/// trailing zeros dropped, `1E+20` outside 1e-5..1e15), when its shortest
/// round-trip form has at most 15 digits: then both have the same digits.
fn float(x: f64, out: &mut String) -> bool {
    // Subnormals: their shortest form can be shorter than the 15 digits.
    if !x.is_normal() {
        return false;
    }
    let mut digits = [0u8; 40];
    let Some((n, exp)) = short_decimal(x.abs(), &mut digits).or_else(|| shortest(x, &mut digits))
    else {
        return false;
    };
    let digits = &digits[..n];
    if x < 0.0 {
        out.push('-');
    }
    let push = |out: &mut String, d: &[u8]| d.iter().for_each(|b| out.push(char::from(*b)));
    if !(-5..15).contains(&exp) {
        out.push(char::from(digits[0]));
        if n > 1 {
            out.push('.');
            push(out, &digits[1..]);
        }
        out.push('E');
        out.push(if exp < 0 { '-' } else { '+' });
        let e = exp.unsigned_abs();
        if e < 10 {
            out.push('0');
        }
        out.push_str(itoa::Buffer::new().format(e));
    } else if exp < 0 {
        out.push_str("0.");
        (1..-exp).for_each(|_| out.push('0'));
        push(out, digits);
    } else {
        let int = exp as usize + 1;
        if n <= int {
            push(out, digits);
            (n..int).for_each(|_| out.push('0'));
        } else {
            push(out, &digits[..int]);
            out.push('.');
            push(out, &digits[int..]);
        }
    }
    true
}

/// Powers of ten that are exact in an f64.
const TENS: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// `x` (positive) as `m / 10^k` with `m` below 10^15, for the least such
/// `k`: its digits into `digits` and `(count, decimal exponent)`. These
/// are the shortest round-trip form's: two decimals of at most 15 digits
/// never read back as the same f64, and the division, correctly rounded,
/// is exactly what reading the decimal gives.
fn short_decimal(x: f64, digits: &mut [u8; 40]) -> Option<(usize, i32)> {
    for (k, p) in TENS.iter().enumerate() {
        let m = (x * p).round();
        if m >= 1e15 {
            return None;
        }
        if m >= 1.0 && m / p == x {
            let mut m = m as u64;
            let mut zeros = 0;
            while m % 10 == 0 {
                m /= 10;
                zeros += 1;
            }
            let mut buf = itoa::Buffer::new();
            let d = buf.format(m).as_bytes();
            digits[..d.len()].copy_from_slice(d);
            return Some((d.len(), (d.len() + zeros) as i32 - 1 - k as i32));
        }
    }
    None
}

/// The digits and decimal exponent of `x`'s shortest round-trip form
/// (through `{:e}`), when it has at most 15 digits.
fn shortest(x: f64, digits: &mut [u8; 40]) -> Option<(usize, i32)> {
    use std::fmt::Write as _;
    let mut sci = Stack {
        buf: [0; 40],
        len: 0,
    };
    write!(sci, "{:e}", x.abs()).ok()?;
    let text = &sci.buf[..sci.len];
    let e = text.iter().position(|b| *b == b'e')?;
    let exp = std::str::from_utf8(&text[e + 1..])
        .ok()
        .and_then(|t| t.parse::<i32>().ok())?;
    let mut n = 0;
    for &b in text[..e].iter().filter(|b| **b != b'.') {
        digits[n] = b;
        n += 1;
    }
    (n <= 15).then_some((n, exp))
}

#[cfg(test)]
#[path = "fast_tests.rs"]
mod tests;
