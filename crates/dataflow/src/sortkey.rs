//! Normalised sort keys: each row's key columns encoded once into a byte
//! string whose byte order is the order [`compare`](crate::values::compare)
//! gives, so sorting and merging compare keys as bytes.
//!
//! Per column: a class byte (0 for NULL, which sorts first), then an
//! encoding that is prefix-free, so the columns after it never decide
//! between two different values of it; a descending column has its bytes
//! inverted. Exact numbers (integers, DT_CY, DT_DECIMAL, DT_NUMERIC) are
//! their integer part, of as few bytes as it needs after a length byte, and
//! their fraction in 38 digits; floats, dates and times their bits in an
//! order-preserving form; texts and bytes their bytes (NUL escaped) and a
//! terminator, lower-cased char by char when comparing ignores case. Two
//! keys are equal exactly when `compare` finds the values equal. A column
//! holds values of its own type; between classes (which `compare` would
//! order by a conversion) the class byte decides.

use crate::buffer::Batch;
use crate::values::{decimal, utc_ticks};
use ssis_runner::expr::Value;
use std::cmp::Ordering;

/// A sort key column.
#[derive(Debug, Clone, Copy)]
pub struct KeyCol {
    /// Its position in the buffer.
    pub col: usize,
    /// Whether it sorts descending.
    pub descending: bool,
    /// Whether texts compare ignoring case.
    pub ignore_case: bool,
}

/// Appends the key of `v` to `out`.
pub fn encode(out: &mut Vec<u8>, v: &Value, k: &KeyCol) {
    let start = out.len();
    match v {
        Value::Null(_) => out.push(0),
        Value::WStr(s) | Value::Str { text: s, .. } => {
            out.push(5);
            text(out, s, k.ignore_case);
        }
        Value::R4(x) => float(out, f64::from(*x)),
        Value::R8(x) => float(out, *x),
        Value::Date(d)
        | Value::DbDate(d)
        | Value::DbTimestamp(d)
        | Value::DbTimestamp2 { local: d, .. } => {
            out.push(3);
            out.extend_from_slice(&((d.ticks() as u64) ^ 1 << 63).to_be_bytes());
        }
        Value::Bool(b) => out.extend([4, u8::from(*b)]),
        Value::Bytes(b) => {
            out.push(6);
            escaped(out, b);
        }
        Value::DbTime2 { ticks, .. } => {
            out.push(7);
            out.extend_from_slice(&ticks.to_be_bytes());
        }
        Value::DbTimestampOffset { .. } => {
            out.push(8);
            let t = utc_ticks(v).unwrap_or(0);
            out.extend_from_slice(&((t as u64) ^ 1 << 63).to_be_bytes());
        }
        other => match decimal(other) {
            Some((m, s)) => exact(out, m, s),
            None => out.push(0),
        },
    }
    if k.descending {
        out[start..].iter_mut().for_each(|b| *b = !*b);
    }
}

/// An exact number `m / 10^s`: class 1, the integer part (floor), then a
/// fraction flag and, when not zero, the fraction in 38 digits.
fn exact(out: &mut Vec<u8>, mut m: i128, mut s: u8) {
    out.push(1);
    while s > 38 {
        m /= 10;
        s -= 1;
    }
    if s == 0 {
        signed(out, m);
        out.push(0);
        return;
    }
    let p = 10i128.pow(u32::from(s));
    signed(out, m.div_euclid(p));
    let r = m.rem_euclid(p) as u128;
    if r == 0 {
        out.push(0);
    } else {
        out.push(1);
        out.extend_from_slice(&(r * 10u128.pow(38 - u32::from(s))).to_be_bytes());
    }
}

/// An integer in as few bytes as it needs: a length byte (below 0x80 for
/// negatives, fewer bytes lower; 0x80 for zero; above for positives, more
/// bytes higher), then its big-endian two's complement bytes.
fn signed(out: &mut Vec<u8>, q: i128) {
    let bytes = q.to_be_bytes();
    if q >= 0 {
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 + (16 - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    } else {
        let mut skip = 0;
        while skip < 15 && bytes[skip] == 0xFF && bytes[skip + 1] & 0x80 != 0 {
            skip += 1;
        }
        out.push(0x80 - (16 - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

/// A float in `total_cmp` order: class 2, its bits with the sign flipped
/// (all bits flipped for negatives).
fn float(out: &mut Vec<u8>, x: f64) {
    let bits = x.to_bits();
    let ordered = if bits >> 63 == 1 {
        !bits
    } else {
        bits | 1 << 63
    };
    out.push(2);
    out.extend_from_slice(&ordered.to_be_bytes());
}

/// Text in ordinal order (its UTF-8 bytes), lower-cased char by char when
/// comparing ignores case.
fn text(out: &mut Vec<u8>, s: &str, ignore_case: bool) {
    if !ignore_case {
        return escaped(out, s.as_bytes());
    }
    if s.is_ascii() {
        let start = out.len();
        out.extend(s.bytes().map(|b| b.to_ascii_lowercase()));
        return terminate(out, start);
    }
    let start = out.len();
    let mut buf = [0u8; 4];
    for c in s.chars().flat_map(char::to_lowercase) {
        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
    }
    terminate(out, start);
}

/// Bytes, then the terminator 00 00; a NUL byte becomes 00 FF, so no
/// encoding is a prefix of another and a shorter string sorts first.
fn escaped(out: &mut Vec<u8>, b: &[u8]) {
    let start = out.len();
    out.extend_from_slice(b);
    terminate(out, start);
}

/// Escapes the NULs of `out[start..]` and appends the terminator.
fn terminate(out: &mut Vec<u8>, start: usize) {
    if memchr::memchr(0, &out[start..]).is_some() {
        let raw = out.split_off(start);
        for b in raw {
            out.push(b);
            if b == 0 {
                out.push(0xFF);
            }
        }
    }
    out.extend([0, 0]);
}

/// A held row's key: its first 16 bytes as two numbers (compared first:
/// short keys never reach the arena), where the rest lies in the arena,
/// and the row's place.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    prefix: [u64; 2],
    off: usize,
    len: u32,
    /// The batch it is in.
    pub batch: u32,
    /// Its row in that batch.
    pub row: u32,
}

/// The keys of the rows held, in one arena.
#[derive(Debug, Default)]
pub struct Keys {
    bytes: Vec<u8>,
    /// One per row, in the order they came (sorted by [`Keys::sort`]).
    pub entries: Vec<Entry>,
}

impl Keys {
    /// Encodes the keys of `batch`'s rows (the batch numbered `b`).
    pub fn push_batch(&mut self, keys: &[KeyCol], batch: &Batch, b: u32) {
        self.entries.reserve(batch.rows);
        for r in 0..batch.rows {
            let off = self.bytes.len();
            for k in keys {
                encode(&mut self.bytes, &batch.cols[k.col][r], k);
            }
            let key = &self.bytes[off..];
            let mut head = [0u8; 16];
            let n = key.len().min(16);
            head[..n].copy_from_slice(&key[..n]);
            let (hi, lo) = head.split_at(8);
            let word = |b: &[u8]| u64::from_be_bytes(b.try_into().unwrap_or([0; 8]));
            self.entries.push(Entry {
                prefix: [word(hi), word(lo)],
                off,
                len: key.len() as u32,
                batch: b,
                row: r as u32,
            });
        }
    }

    /// The key of `e`.
    pub fn key(&self, e: &Entry) -> &[u8] {
        &self.bytes[e.off..e.off + e.len as usize]
    }

    fn cmp(bytes: &[u8], a: &Entry, b: &Entry) -> Ordering {
        a.prefix.cmp(&b.prefix).then_with(|| {
            // Equal prefixes: the keys share their first 16 bytes (no key
            // is a prefix of another, so the padding never decides), and
            // both are longer or both are those bytes: equal.
            if a.len <= 16 {
                debug_assert!(b.len <= 16, "a key is a prefix of another");
                return Ordering::Equal;
            }
            let tail = |e: &Entry| &bytes[e.off + 16..e.off + e.len as usize];
            tail(a).cmp(tail(b))
        })
    }

    /// Sorts the entries by key, keeping the order rows came in among
    /// equal keys; with `dedup`, keeps only the first of equal keys.
    pub fn sort(&mut self, dedup: bool) {
        let bytes = &self.bytes;
        self.entries.sort_by(|a, b| Keys::cmp(bytes, a, b));
        if dedup {
            self.entries
                .dedup_by(|y, x| Keys::cmp(bytes, x, y) == Ordering::Equal);
        }
    }

    /// Forgets every key.
    pub fn clear(&mut self) {
        self.bytes.clear();
        self.entries.clear();
    }
}

#[cfg(test)]
#[path = "sortkey_tests.rs"]
mod tests;
