//! Checking unread columns; whole-word mentions.

use super::*;
use crate::types::CellError;

#[test]
fn unread_columns_are_still_checked() {
    let wstr3 = ColumnType::from_attrs(Some("wstr"), Some("3"), None, None, None);
    assert!(check(&wstr3, CellKind::of(&wstr3), "abc").is_ok());
    assert!(check(&wstr3, CellKind::of(&wstr3), "ééé").is_ok());
    assert!(matches!(
        check(&wstr3, CellKind::of(&wstr3), "abcd"),
        Err(CellError::Truncation(..))
    ));
    let i4 = ColumnType::from_attrs(Some("i4"), None, None, None, None);
    assert!(check(&i4, CellKind::of(&i4), " 42 ").is_ok());
    assert!(matches!(
        check(&i4, CellKind::of(&i4), "4x"),
        Err(CellError::Conversion(_))
    ));
    let ts = ColumnType::from_attrs(Some("dbTimeStamp"), None, None, None, None);
    assert!(check(&ts, CellKind::of(&ts), "2024-02-29 10:00:00").is_ok());
    assert!(matches!(
        check(&ts, CellKind::of(&ts), "2023-02-29 10:00:00"),
        Err(CellError::Conversion(_))
    ));
}

#[test]
fn trim_is_str_trim() {
    for s in [
        "",
        " ",
        "a",
        " a",
        "a ",
        "\ta\r\n",
        "\u{a0}x",
        "x\u{2003}",
        "\u{1c}x",
        "é",
        "a b",
    ] {
        assert_eq!(trim(s), s.trim(), "{s:?}");
    }
}

#[test]
fn a_mention_is_a_whole_word() {
    assert!(mentions("#{P\\Src.Columns[qty]} * 2", "qty"));
    assert!(mentions("qty*price", "price"));
    assert!(!mentions("Outputs[x]", "ts"));
    assert!(!mentions("#120", "12"));
    assert!(mentions("#12 + 1", "12"));
}
