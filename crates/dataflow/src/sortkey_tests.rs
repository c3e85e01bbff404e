//! The key order against the comparator Sort used before keys existed.

use super::*;
use crate::values::compare;
use ssis_runner::expr::{DataType, DateTime};

fn key(v: &Value, k: &KeyCol) -> Vec<u8> {
    let mut out = Vec::new();
    encode(&mut out, v, k);
    out
}

/// The comparator's order with a column's direction.
fn old(a: &Value, b: &Value, k: &KeyCol) -> Ordering {
    let o = compare(a, b, k.ignore_case);
    if k.descending { o.reverse() } else { o }
}

/// Every pair of `values` (one column's, NULL included) orders by key as
/// by the comparator, in both directions and with either case flag.
fn agrees(values: &[Value]) {
    for descending in [false, true] {
        for ignore_case in [false, true] {
            let k = KeyCol {
                col: 0,
                descending,
                ignore_case,
            };
            for a in values {
                for b in values {
                    assert_eq!(
                        key(a, &k).cmp(&key(b, &k)),
                        old(a, b, &k),
                        "{a:?} {b:?} desc {descending} ic {ignore_case}"
                    );
                }
            }
        }
    }
}

fn numeric(mantissa: i128, scale: u8) -> Value {
    Value::Numeric {
        mantissa,
        precision: 38,
        scale,
    }
}

#[test]
fn integers_with_negatives_and_null() {
    let mut v: Vec<Value> = [
        i64::MIN,
        -70_000,
        -256,
        -255,
        -129,
        -128,
        -127,
        -1,
        0,
        1,
        127,
        128,
        255,
        256,
        65_536,
        i64::MAX,
    ]
    .map(Value::I8)
    .into();
    v.extend([i32::MIN, -5, 0, 3, 99, i32::MAX].map(Value::I4));
    v.extend([0, 200, u64::MAX].map(Value::UI8));
    v.push(Value::Null(DataType::I4));
    agrees(&v);
}

#[test]
fn decimals_across_scales() {
    let mut v = vec![
        numeric(-12345, 2),
        numeric(-123, 0),
        numeric(-1, 2),
        numeric(-10, 1),
        numeric(0, 3),
        numeric(1, 2),
        numeric(10, 2),
        numeric(15, 1),
        numeric(150, 2),
        numeric(99_999_999, 2),
        numeric(i128::MAX / 10, 38),
        numeric(-(i128::MAX / 10), 38),
        numeric(i128::MAX / 10, 0),
        Value::Decimal {
            mantissa: 25,
            scale: 1,
        },
        Value::Cy(25_000),
        Value::I4(2),
        Value::I4(-2),
        Value::Null(DataType::Numeric),
    ];
    v.push(numeric(-5, 1));
    agrees(&v);
}

#[test]
fn floats_in_total_order() {
    let v: Vec<Value> = [
        f64::NEG_INFINITY,
        -1e300,
        -2.5,
        -0.0,
        0.0,
        1e-310,
        0.5,
        2.5,
        f64::INFINITY,
    ]
    .map(Value::R8)
    .into_iter()
    .chain([Value::R4(-1.5), Value::R4(3.25), Value::Null(DataType::R8)])
    .collect();
    agrees(&v);
}

#[test]
fn texts_ordinal_and_ignoring_case() {
    let texts = [
        "",
        "a",
        "A",
        "ab",
        "aB",
        "Ab",
        "b",
        "B",
        "a\0",
        "a\0b",
        "\0",
        "é",
        "É",
        "ß",
        "Σ",
        "σ",
        "ς",
        "İ",
        "i",
        "Amsterdam",
        "Amster",
        "AMSTERDAM",
        "zz",
        "€",
    ];
    let mut v: Vec<Value> = texts.iter().map(|t| Value::WStr((*t).into())).collect();
    v.extend(texts.iter().map(|t| Value::Str {
        text: (*t).into(),
        codepage: 1252,
    }));
    v.push(Value::Null(DataType::WStr));
    agrees(&v);
}

#[test]
fn dates_times_bools_and_bytes() {
    let day = |y, m, d| DateTime::from_ymd(y, m, d).unwrap();
    let v = vec![
        Value::DbTimestamp(day(1900, 1, 1)),
        Value::DbTimestamp(day(2024, 2, 29)),
        Value::DbDate(day(2024, 2, 28)),
        Value::Date(day(1, 1, 1)),
        Value::DbTimestamp(day(9999, 12, 31)),
        Value::Null(DataType::DbTimestamp),
    ];
    agrees(&v);
    agrees(&[
        Value::Bool(true),
        Value::Bool(false),
        Value::Null(DataType::Bool),
    ]);
    agrees(&[
        Value::Bytes(vec![]),
        Value::Bytes(vec![0]),
        Value::Bytes(vec![0, 0]),
        Value::Bytes(vec![0, 1]),
        Value::Bytes(vec![1]),
        Value::Bytes(vec![255]),
        Value::Bytes(vec![255, 0]),
    ]);
    let stamp2 = |text: &str| Value::DbTimestamp2 {
        local: DateTime::parse(text).unwrap(),
        scale: 7,
    };
    agrees(&[
        stamp2("2024-02-29 10:11:12.1234567"),
        stamp2("2024-02-29 10:11:12.1234566"),
        stamp2("2024-02-29 10:11:12"),
        stamp2("1900-01-01 00:00:00"),
        Value::Null(DataType::DbTimestamp2),
    ]);
    agrees(&[
        Value::DbTime2 { ticks: 0, scale: 3 },
        Value::DbTime2 {
            ticks: 10,
            scale: 7,
        },
        Value::DbTime2 {
            ticks: 863_999_999_999,
            scale: 7,
        },
    ]);
}

/// Rows of two key columns (text ignoring case, then an integer
/// descending), sorted by keys with duplicates removed, come out as the
/// comparator's stable sort and dedup leaves them.
#[test]
fn rows_sort_stably_and_drop_duplicates_as_before() {
    let cities = [
        "Berlin",
        "amsterdam",
        "Amsterdam",
        "berlin",
        "",
        "Cairo",
        "Amsterdam-Zuidoost, long enough to pass the prefix",
        "amsterdam-zuidoost, long enough to pass the prefix",
        "Amsterdam-Zuidoost, long enough to pass the prefiX!",
    ];
    let mut batch = Batch::with_capacity(3, 64);
    for i in 0..60i32 {
        let city = if i % 7 == 0 {
            Value::Null(DataType::WStr)
        } else {
            Value::WStr(cities[i as usize % cities.len()].into())
        };
        let qty = if i % 11 == 0 {
            Value::Null(DataType::I4)
        } else {
            Value::I4((i * 37) % 5 - 2)
        };
        batch.push_row([city, qty, Value::I4(i)]);
    }
    let cols = [
        KeyCol {
            col: 0,
            descending: false,
            ignore_case: true,
        },
        KeyCol {
            col: 1,
            descending: true,
            ignore_case: false,
        },
    ];
    for dedup in [false, true] {
        let mut keys = Keys::default();
        keys.push_batch(&cols, &batch, 0);
        keys.sort(dedup);
        let got: Vec<usize> = keys.entries.iter().map(|e| e.row as usize).collect();
        let cmp = |x: &usize, y: &usize| {
            cols.iter()
                .map(|k| old(&batch.cols[k.col][*x], &batch.cols[k.col][*y], k))
                .find(|o| o.is_ne())
                .unwrap_or(Ordering::Equal)
        };
        let mut want: Vec<usize> = (0..batch.rows).collect();
        want.sort_by(cmp);
        if dedup {
            want.dedup_by(|y, x| cmp(x, y) == Ordering::Equal);
        }
        assert_eq!(got, want, "dedup {dedup}");
    }
}
