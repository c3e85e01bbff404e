//! Cells pushed onto a column from their parts, built where they land.
//! `Vec::push` of a [`Value`] assembles it on the stack first (it must be
//! dropped if growing the vector unwinds) and then copies it whole, and
//! that copy waits for the narrow stores that assembled it to land: a
//! stall on every cell, which perf put at a third to a half of the time of
//! the loops that read cells (a flat file's fields, a sort run's records).
//! [`put`] makes room first and builds the value in place.

use ssis_runner::expr::{DataType, DateTime, Value};

/// Pushes the value `make` builds, after making room for it.
#[inline(always)]
pub fn put(col: &mut Vec<Value>, make: impl FnOnce() -> Value) {
    col.extend(std::iter::once_with(make));
}

#[inline]
pub fn null(col: &mut Vec<Value>, t: DataType) {
    put(col, || Value::Null(t));
}

#[inline]
pub fn bool(col: &mut Vec<Value>, b: bool) {
    put(col, || Value::Bool(b));
}

#[inline]
pub fn i4(col: &mut Vec<Value>, x: i32) {
    put(col, || Value::I4(x));
}

#[inline]
pub fn i8(col: &mut Vec<Value>, x: i64) {
    put(col, || Value::I8(x));
}

#[inline]
pub fn r8(col: &mut Vec<Value>, x: f64) {
    put(col, || Value::R8(x));
}

#[inline]
pub fn numeric(col: &mut Vec<Value>, mantissa: i128, precision: u8, scale: u8) {
    put(col, || Value::Numeric {
        mantissa,
        precision,
        scale,
    });
}

#[inline]
pub fn db_timestamp(col: &mut Vec<Value>, d: DateTime) {
    put(col, || Value::DbTimestamp(d));
}

/// A DT_WSTR of `s`, its text copied into the pushed cell.
#[inline]
pub fn wstr(col: &mut Vec<Value>, s: &str) {
    put(col, || Value::WStr(Default::default()));
    if let Some(Value::WStr(t)) = col.last_mut() {
        t.push_str(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_pushes_its_value() {
        let mut col = Vec::new();
        null(&mut col, DataType::Numeric);
        bool(&mut col, true);
        i4(&mut col, -4);
        i8(&mut col, 1 << 40);
        r8(&mut col, 2.5);
        numeric(&mut col, -1234, 10, 2);
        let d = DateTime::from_ymd(2024, 2, 29).unwrap();
        db_timestamp(&mut col, d);
        wstr(&mut col, "zoë");
        wstr(&mut col, &"x".repeat(100));
        assert_eq!(
            col,
            [
                Value::Null(DataType::Numeric),
                Value::Bool(true),
                Value::I4(-4),
                Value::I8(1 << 40),
                Value::R8(2.5),
                Value::Numeric {
                    mantissa: -1234,
                    precision: 10,
                    scale: 2
                },
                Value::DbTimestamp(d),
                Value::WStr("zoë".into()),
                Value::WStr("x".repeat(100).into()),
            ]
        );
    }
}
