//! The fast paths against the general conversion.

use super::*;
use crate::types::ColumnType;

fn ty(name: &str, p: &str, s: &str) -> ColumnType {
    ColumnType::from_attrs(Some(name), None, Some(p), Some(s), None)
}

#[test]
fn fast_parse_agrees_with_the_general_conversion() {
    let cases = [
        ("numeric", "10", "2"),
        ("numeric", "4", "2"),
        ("numeric", "0", "0"),
        ("dbTimeStamp", "0", "0"),
        ("bool", "0", "0"),
        ("i4", "0", "0"),
        ("i8", "0", "0"),
        ("i2", "0", "0"),
        ("i1", "0", "0"),
        ("ui1", "0", "0"),
        ("ui2", "0", "0"),
        ("ui4", "0", "0"),
        ("ui8", "0", "0"),
        ("r8", "0", "0"),
    ];
    let texts = [
        "0",
        "-0",
        "7",
        "-12",
        "123456",
        "2147483647",
        "2147483648",
        "-2147483649",
        "99999",
        "+5",
        "255",
        "256",
        "-128",
        "-129",
        "65536",
        "999999999999999999",
        "-999999999999999999",
        "9999999999999999999",
        "1e5",
        "1E+308",
        "1e309",
        "NaN",
        "inf",
        "12.34",
        "-12.3",
        "5.",
        ".5",
        "1.234",
        "99.99",
        "999.99",
        "-99.99",
        "12a",
        "",
        "-",
        "123456789012345678901234567890",
        "2024-02-29 23:59:59",
        "2023-02-29 10:00:00",
        "2024-13-01 00:00:00",
        "2024-01-01 24:00:00",
        "0999-01-01 00:00:00",
        "2024-1-01 00:00:00",
        "TRUE",
        "False",
        "yes",
    ];
    for (name, p, s) in cases {
        let t = ty(name, p, s);
        for text in texts {
            let general = t.parse_text(text);
            let vt = t.value_type();
            if let Some(v) = parse(vt, t.precision, t.scale, text) {
                assert_eq!(Ok(v), general, "{name}({p},{s}) {text:?}");
            }
        }
    }
}

#[test]
fn plain_decimals_take_the_fast_path_exactly_when_they_fit() {
    let texts = [
        "0",
        "00",
        "-0",
        "0.0",
        "0.00",
        "007",
        "007.50",
        "0099.99",
        "-00.01",
        "1",
        "9.9",
        "10.5",
        "99.99",
        "100",
        "999.99",
        "1000",
        "0.001",
        "12345678",
        "123456789.12",
    ];
    for (p, s) in [
        ("1", "0"),
        ("2", "2"),
        ("3", "1"),
        ("4", "2"),
        ("10", "2"),
        ("38", "10"),
    ] {
        let t = ty("numeric", p, s);
        for text in texts {
            let fast = parse(t.value_type(), t.precision, t.scale, text);
            let general = t.parse_text(text);
            match fast {
                Some(v) => assert_eq!(Ok(v), general, "numeric({p},{s}) {text:?}"),
                // Too many fraction digits are the general conversion's.
                None => assert!(
                    general.is_err()
                        || text
                            .split('.')
                            .nth(1)
                            .is_some_and(|f| f.len() > t.scale as usize),
                    "numeric({p},{s}) {text:?}: {general:?}"
                ),
            }
        }
    }
}

#[test]
fn fast_format_agrees_with_display() {
    let dt = |s: &str| DateTime::parse(s).unwrap();
    let values = [
        Value::I4(-42),
        Value::I8(i64::MIN),
        Value::I2(7),
        Value::UI8(u64::MAX),
        Value::Bool(true),
        Value::Bool(false),
        Value::Numeric {
            mantissa: 5,
            precision: 10,
            scale: 2,
        },
        Value::Numeric {
            mantissa: -123_456,
            precision: 38,
            scale: 3,
        },
        Value::Numeric {
            mantissa: 0,
            precision: 4,
            scale: 0,
        },
        Value::Decimal {
            mantissa: -7,
            scale: 4,
        },
        Value::Numeric {
            mantissa: 0,
            precision: 10,
            scale: 2,
        },
        Value::Numeric {
            mantissa: 100,
            precision: 10,
            scale: 2,
        },
        Value::Numeric {
            mantissa: -12_345,
            precision: 10,
            scale: 5,
        },
        Value::DbTimestamp(dt("2024-02-29 23:05:09")),
        Value::DbTimestamp(dt("0101-01-01 00:00:00")),
        Value::DbTimestamp(dt("2024-01-01 00:00:00.5")),
    ];
    let floats = [
        0.37,
        0.05,
        -0.00001,
        0.000001,
        1.0 / 3.0,
        0.1 + 0.2,
        1e20,
        1e15,
        999e12,
        -2.5e-7,
        123456789012345.0,
        12345.678,
        1.0,
        -3.0,
        1e-5,
        5e-324,
        f64::MAX,
    ];
    let values = values
        .into_iter()
        .chain(floats.into_iter().map(Value::R8))
        .chain((1..2000).map(|i| Value::R8(f64::from(i) * 0.37 - 11.0)));
    for v in values {
        let mut s = String::new();
        if format(&v, &mut s) {
            assert_eq!(s, v.to_string(), "{v:?}");
        }
    }
}

#[test]
fn short_decimals_are_the_shortest_form() {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut values: Vec<f64> = (1..20_000).map(|i| f64::from(i) * 0.01).collect();
    values.extend((0..20_000).map(|_| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        // Random decimals of up to 15 digits, and random bit patterns.
        if x % 2 == 0 {
            (x >> 14) as f64 / 10f64.powi((x % 19) as i32)
        } else {
            f64::from_bits(x >> 1)
        }
    }));
    values.extend([
        1e15 - 1.0,
        1e15,
        999_999_999_999_999.0,
        1e-5,
        5e-5,
        0.1 + 0.2,
        1e22,
    ]);
    for v in values.into_iter().filter(|v| v.is_normal()) {
        let (mut a, mut b) = ([0u8; 40], [0u8; 40]);
        if let Some((n, e)) = short_decimal(v, &mut a) {
            assert_eq!(shortest(v, &mut b), Some((n, e)), "{v:e}");
            assert_eq!(a[..n], b[..n], "{v:e}");
        }
    }
}

/// The check without conversion agrees with the conversion, including
/// where a float's text overflows to infinity.
#[test]
fn valid_agrees_with_parse() {
    let huge = format!("{}.5", "9".repeat(300));
    let too_huge = "9".repeat(400);
    for text in [
        "1.5",
        "-0.25",
        "12.",
        ".5",
        "1e5",
        "-",
        "",
        "1.2.3",
        "abc",
        "inf",
        "NaN",
        "1,5",
        huge.as_str(),
        too_huge.as_str(),
    ] {
        assert_eq!(
            valid(DataType::R8, 0, 0, text),
            parse(DataType::R8, 0, 0, text).is_some(),
            "{text:?}"
        );
    }
    assert!(valid(DataType::R8, 0, 0, &huge));
    assert!(!valid(DataType::R8, 0, 0, &too_huge));
    assert!(valid(DataType::I4, 0, 0, "-12") && !valid(DataType::I4, 0, 0, "1.0"));
    for (ty, text) in [
        (DataType::I4, "2147483648"),
        (DataType::I4, "-2147483648"),
        (DataType::Bool, "TRUE"),
        (DataType::Bool, "yes"),
        (DataType::DbTimestamp, "2024-02-29 23:59:59"),
        (DataType::DbTimestamp, "2023-02-29 00:00:00"),
        (DataType::DbTimestamp, "1900-02-29 00:00:00"),
        (DataType::DbTimestamp, "2000-02-29 00:00:00"),
        (DataType::DbTimestamp, "0000-01-01 00:00:00"),
        (DataType::DbTimestamp, "2024-13-01 00:00:00"),
        (DataType::DbTimestamp, "2024-04-31 00:00:00"),
        (DataType::DbTimestamp, "2024-04-30 24:00:00"),
        (DataType::DbTimestamp, "2024-04-30 23:60:00"),
        (DataType::DbTimestamp, "2024-04-30 23:59:60"),
        (DataType::DbTimestamp, "2024-04-30T23:59:59"),
        (DataType::DbTimestamp, "2024-4-30 23:59:59"),
    ] {
        assert_eq!(
            valid(ty, 0, 0, text),
            parse(ty, 0, 0, text).is_some(),
            "{ty:?} {text:?}"
        );
    }
}
