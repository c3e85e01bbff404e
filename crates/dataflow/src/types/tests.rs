//! Conversions into column types: truncation told from conversion errors.

use super::*;
use ssis_runner::expr::DateTime;

#[test]
fn text_truncation_and_conversion_are_told_apart() {
    let t = ColumnType::from_attrs(Some("str"), Some("3"), None, None, Some("1252"));
    assert!(matches!(
        t.convert(Value::WStr("abcd".into())),
        Err(CellError::Truncation(..))
    ));
    assert_eq!(
        t.convert(Value::WStr("abc".into())).unwrap(),
        Value::Str {
            text: "abc".into(),
            codepage: 1252
        }
    );
    let i = ColumnType::from_attrs(Some("i4"), None, None, None, None);
    assert_eq!(i.convert(Value::WStr("42".into())).unwrap(), Value::I4(42));
    assert!(matches!(
        i.convert(Value::WStr("x".into())),
        Err(CellError::Conversion(_))
    ));
    let n = ColumnType::from_attrs(Some("numeric"), None, Some("10"), Some("2"), None);
    assert_eq!(
        n.convert(Value::WStr("1.5".into())).unwrap().to_string(),
        "1.50"
    );
    assert_eq!(i.empty_value(), Value::I4(0));
    assert_eq!(i.parse_text(" 42 ").unwrap(), Value::I4(42));
    assert!(matches!(i.parse_text("4x"), Err(CellError::Conversion(_))));
    assert!(matches!(
        i.parse_text("99999999999"),
        Err(CellError::Truncation(..))
    ));
}

#[test]
fn bytes_and_times_tell_truncation_from_conversion() {
    let bytes = ColumnType::from_attrs(Some("bytes"), Some("2"), None, None, None);
    assert_eq!(
        bytes.parse_text("0aFF").unwrap(),
        Value::Bytes(vec![10, 255])
    );
    assert!(matches!(
        bytes.parse_text("0a0b0c"),
        Err(CellError::Truncation(..))
    ));
    assert!(matches!(
        bytes.parse_text("zz"),
        Err(CellError::Conversion(_))
    ));
    let image = ColumnType::from_attrs(Some("image"), None, None, None, None);
    assert_eq!(image.parse_text("").unwrap(), Value::Bytes(vec![]));
    let t3 = ColumnType::from_attrs(Some("dbTime2"), None, None, Some("3"), None);
    assert_eq!(
        t3.parse_text("01:02:03.120").unwrap().to_string(),
        "01:02:03.120"
    );
    assert!(matches!(
        t3.parse_text("01:02:03.1234"),
        Err(CellError::Truncation(..))
    ));
    assert!(matches!(
        t3.parse_text("25:00:00"),
        Err(CellError::Conversion(_))
    ));
    let t0 = ColumnType::from_attrs(Some("dbTime"), None, None, None, None);
    assert_eq!(t0.parse_text("23:59:59").unwrap().to_string(), "23:59:59");
    assert_eq!(t0.null(), Value::Null(DataType::DbTime2));
    let off = ColumnType::from_attrs(Some("dbTimeStampOffset"), None, None, Some("2"), None);
    let v = off.parse_text("2024-02-29 12:00:00.5 +05:30").unwrap();
    assert_eq!(v.to_string(), "2024-02-29 12:00:00.50 +05:30");
    assert!(matches!(
        off.parse_text("2024-02-29 12:00:00.505 +05:30"),
        Err(CellError::Truncation(..))
    ));
    assert!(matches!(
        off.parse_text("2024-02-30 12:00:00"),
        Err(CellError::Conversion(_))
    ));
    // A wider scale keeps the value and shows more digits.
    let off7 = ColumnType::from_attrs(Some("dbTimeStampOffset"), None, None, Some("7"), None);
    assert_eq!(
        off7.convert(v).unwrap().to_string(),
        "2024-02-29 12:00:00.5000000 +05:30"
    );
    let ft = ColumnType::from_attrs(Some("fileTime"), None, None, None, None);
    assert_eq!(
        ft.parse_text("2020-01-02 03:04:05").unwrap().to_string(),
        "2020-01-02 03:04:05"
    );
}

#[test]
fn timestamp2_keeps_exactly_its_scale() {
    let ts =
        |scale: &str| ColumnType::from_attrs(Some("dbTimeStamp2"), None, None, Some(scale), None);
    let (t0, t3, t7) = (ts("0"), ts("3"), ts("7"));
    assert_eq!(t3.describe(), "DT_DBTIMESTAMP2(3)");
    assert_eq!(
        t3.parse_text("2024-02-29 10:11:12.12").unwrap().to_string(),
        "2024-02-29 10:11:12.120"
    );
    assert_eq!(
        t0.parse_text("2024-02-29 10:11:12").unwrap().to_string(),
        "2024-02-29 10:11:12"
    );
    assert_eq!(
        t7.parse_text("2024-02-29 10:11:12.5").unwrap().to_string(),
        "2024-02-29 10:11:12.5000000"
    );
    // Digits past the scale are removed and reported: a truncation.
    let e = t3.parse_text("2024-02-29 10:11:12.1239").unwrap_err();
    assert!(matches!(e, CellError::Truncation(..)), "{e:?}");
    assert!(
        e.message().contains("DT_DBTIMESTAMP2(3)"),
        "{}",
        e.message()
    );
    assert!(matches!(
        t0.parse_text("2024-02-29 10:11:12.5"),
        Err(CellError::Truncation(..))
    ));
    assert!(matches!(
        t3.parse_text("2024-02-30 10:11:12"),
        Err(CellError::Conversion(_))
    ));
    // From another date type and between scales.
    let wide = t7.parse_text("2024-02-29 10:11:12.1200000").unwrap();
    assert_eq!(
        t3.convert(wide).unwrap().to_string(),
        "2024-02-29 10:11:12.120"
    );
    let plain = Value::DbTimestamp(DateTime::parse("2024-02-29 10:11:12").unwrap());
    assert_eq!(
        t0.convert(plain).unwrap().to_string(),
        "2024-02-29 10:11:12"
    );
    assert_eq!(t3.null(), Value::Null(DataType::DbTimestamp2));
}

#[test]
fn an_ignored_truncation_keeps_the_cut_value_and_anything_else_null() {
    let kept = |t: &ColumnType, v: Value| t.convert(v).unwrap_err().kept(t);
    let s3 = ColumnType::from_attrs(Some("str"), Some("3"), None, None, Some("1252"));
    assert_eq!(
        kept(&s3, Value::WStr("abcdé".into())),
        Value::Str {
            text: "abc".into(),
            codepage: 1252
        }
    );
    let w2 = ColumnType::from_attrs(Some("wstr"), Some("2"), None, None, None);
    assert_eq!(
        kept(&w2, Value::WStr("ééé".into())),
        Value::WStr("éé".into())
    );
    let b2 = ColumnType::from_attrs(Some("bytes"), Some("2"), None, None, None);
    assert_eq!(
        b2.parse_text("0a0b0c").unwrap_err().kept(&b2),
        Value::Bytes(vec![10, 11])
    );
    let t1 = ColumnType::from_attrs(Some("dbTime2"), None, None, Some("1"), None);
    let cut = t1.parse_text("01:02:03.987").unwrap_err().kept(&t1);
    assert_eq!(cut.to_string(), "01:02:03.9");
    let ts2 = ColumnType::from_attrs(Some("dbTimeStamp2"), None, None, Some("2"), None);
    let cut = ts2
        .parse_text("2024-02-29 10:11:12.129")
        .unwrap_err()
        .kept(&ts2);
    assert_eq!(cut.to_string(), "2024-02-29 10:11:12.12");
    // A number out of the column's range has no cut value: NULL.
    let i4 = ColumnType::from_attrs(Some("i4"), None, None, None, None);
    assert!(
        i4.parse_text("99999999999")
            .unwrap_err()
            .kept(&i4)
            .is_null()
    );
}
