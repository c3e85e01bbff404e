//! SSIS expressions: literals, variables, operators, precedence, casts and NULL rules.
//! Expected values follow Microsoft's "Integration Services (SSIS) Expressions"
//! reference (Literals, Operators, Cast, NULL pages); the page is named per test.

use ssis_service::runner::expr::{DataType, Expression, Value, evaluate};
use std::collections::HashMap;

fn vars() -> HashMap<String, Value> {
    let mut v = HashMap::new();
    v.insert("User::Count".to_string(), Value::I4(7));
    v.insert("User::Big".to_string(), Value::I8(5_000_000_000));
    v.insert(
        "User::Name".to_string(),
        Value::WStr("Touring Front Wheel".into()),
    );
    v.insert("User::Flag".to_string(), Value::Bool(true));
    v.insert("User::Price".to_string(), Value::R8(2.5));
    v.insert("User::Nothing".to_string(), Value::Null(DataType::I4));
    v.insert("User::NoText".to_string(), Value::Null(DataType::WStr));
    v.insert(
        "System::PackageName".to_string(),
        Value::WStr("Load Sales".into()),
    );
    v
}

fn ev(text: &str) -> Value {
    evaluate(text, &vars()).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn s(text: &str) -> String {
    match ev(text) {
        Value::WStr(s) => s.into(),
        other => panic!("{text}: expected DT_WSTR, got {other:?}"),
    }
}

fn err_at(text: &str) -> usize {
    match Expression::parse(text).and_then(|e| e.eval(&vars())) {
        Ok(v) => panic!("{text}: expected an error, got {v:?}"),
        Err(e) => {
            assert!(
                e.to_string()
                    .ends_with(&format!("at position {}", e.position))
            );
            e.position
        }
    }
}

// Literals (SSIS): integers are DT_I4 or DT_I8 by size; L, U suffixes; E and F reals.
#[test]
fn numeric_literals_get_ssis_types() {
    assert_eq!(ev("37"), Value::I4(37));
    assert_eq!(ev("37L"), Value::I8(37));
    assert_eq!(ev("37l"), Value::I8(37));
    assert_eq!(ev("37U"), Value::UI4(37));
    assert_eq!(ev("37UL"), Value::UI8(37));
    assert_eq!(ev("2147483648"), Value::I8(2_147_483_648));
    assert_eq!(ev("-2147483648"), Value::I4(i32::MIN));
    assert_eq!(ev("4294967296U"), Value::UI8(4_294_967_296));
    assert_eq!(ev("1.5E2"), Value::R8(150.0));
    assert_eq!(ev("2.5F"), Value::R4(2.5));
    assert_eq!(ev("1.5").data_type(), DataType::Numeric);
    assert_eq!(ev("1.50").to_string(), "1.50");
    assert_eq!(ev("TRUE"), Value::Bool(true));
    assert_eq!(ev("false"), Value::Bool(false));
}

// Literals (SSIS): string escape sequences.
#[test]
fn string_escapes() {
    assert_eq!(s(r#""a\nb""#), "a\nb");
    assert_eq!(s(r#""tab\there""#), "tab\there");
    assert_eq!(s(r#""say \"hi\"""#), "say \"hi\"");
    assert_eq!(s(r#""C:\\temp\\x""#), "C:\\temp\\x");
    assert_eq!(s(r#""\x0041\x00e9""#), "Aé");
    assert_eq!(s(r#""\r\a\b\f\v""#), "\r\u{7}\u{8}\u{c}\u{b}");
    assert_eq!(err_at(r#""bad \q escape""#), 6);
    assert_eq!(err_at(r#""\x12G4""#), 2);
    assert_eq!(err_at(r#"1 + "open"#), 5);
}

#[test]
fn variable_references() {
    assert_eq!(ev("@[User::Count]"), Value::I4(7));
    assert_eq!(ev("@Count"), Value::I4(7));
    assert_eq!(ev("@[Count]"), Value::I4(7));
    assert_eq!(ev("@User::Count + 1"), Value::I4(8));
    assert_eq!(s("@[System::PackageName]"), "Load Sales");
    assert_eq!(s("@PackageName"), "Load Sales");
    assert_eq!(err_at("1 + @[User::Missing]"), 5);
    let e = Expression::parse("@[User::Count] + @Price * @[User::Count] > @Big").unwrap();
    assert_eq!(
        e.referenced_variables(),
        vec!["User::Count", "Price", "Big"]
    );
    assert_eq!(e.assignment_target(), None);
}

#[test]
fn assignment_form() {
    let e = Expression::parse("@[User::Count] = @[User::Count] + 1").unwrap();
    assert_eq!(e.assignment_target(), Some("User::Count"));
    assert_eq!(e.eval(&vars()).unwrap(), Value::I4(8));
    assert_eq!(e.referenced_variables(), vec!["User::Count"]);
    let e = Expression::parse("@Counter = 0").unwrap();
    assert_eq!(e.assignment_target(), Some("Counter"));
    assert_eq!(e.eval(&()).unwrap(), Value::I4(0));
    // Only a variable can be assigned; the error points at '='.
    assert_eq!(err_at("1 = 2"), 3);
    assert_eq!(err_at("@X = 1 = 2"), 8);
}

// Operator Precedence and Associativity (SSIS).
#[test]
fn precedence_and_associativity() {
    assert_eq!(ev("2 + 3 * 4"), Value::I4(14));
    assert_eq!(ev("(2 + 3) * 4"), Value::I4(20));
    assert_eq!(ev("10 - 4 - 3"), Value::I4(3));
    assert_eq!(ev("100 / 10 / 5"), Value::I4(2));
    assert_eq!(ev("-2 * -3"), Value::I4(6));
    assert_eq!(ev("7 % 4 * 2"), Value::I4(6));
    assert_eq!(ev("1 + 2 == 3"), Value::Bool(true));
    assert_eq!(ev("1 < 2 == 2 < 3"), Value::Bool(true));
    assert_eq!(ev("6 & 3 | 8"), Value::I4(10));
    assert_eq!(ev("6 | 3 ^ 5"), Value::I4(6 | (3 ^ 5)));
    assert_eq!(ev("5 ^ 3 & 1"), Value::I4(5 ^ (3 & 1)));
    assert_eq!(ev("TRUE || FALSE && FALSE"), Value::Bool(true));
    assert_eq!(ev("!FALSE && TRUE"), Value::Bool(true));
    assert_eq!(ev("~0"), Value::I4(-1));
    assert_eq!(ev("~(DT_UI1)1"), Value::UI1(254));
    assert_eq!(ev("TRUE ? 1 : FALSE ? 2 : 3"), Value::I4(1));
    assert_eq!(ev("FALSE ? 1 : FALSE ? 2 : 3"), Value::I4(3));
    assert_eq!(
        ev("1 > 2 ? \"a\" : \"b\" + \"c\""),
        Value::WStr("bc".into())
    );
}

#[test]
fn arithmetic_and_promotion() {
    assert_eq!(ev("7 / 2"), Value::I4(3));
    assert_eq!(ev("-7 / 2"), Value::I4(-3));
    assert_eq!(ev("-7 % 3"), Value::I4(-1));
    assert_eq!(ev("@Count + @Big"), Value::I8(5_000_000_007));
    assert_eq!(ev("@Count * @Price"), Value::R8(17.5));
    assert_eq!(ev("(DT_UI1)200 + (DT_I1)1"), Value::I2(201));
    assert_eq!(ev("(DT_UI4)1 + 1"), Value::I8(2));
    assert_eq!(ev("(DT_R4)1.5 + (DT_I2)1"), Value::R4(2.5));
    assert_eq!(ev("(DT_R4)1.5 + 1"), Value::R8(2.5));
    assert_eq!(ev("1.5 * 2").to_string(), "3.0");
    assert_eq!(ev("1.5 * 2").data_type(), DataType::Numeric);
    assert_eq!(ev("(DT_CY)1.25 + 1").to_string(), "2.25");
    assert_eq!(ev("(DT_DECIMAL, 2)10 / 4").to_string(), "2.500000");
    assert_eq!(ev("1.0E0 / 4"), Value::R8(0.25));
    // Signed and DT_UI8 do not mix without a cast.
    assert_eq!(err_at("(DT_UI8)1 + 1"), 11);
}

#[test]
fn overflow_and_division_by_zero_are_errors() {
    assert_eq!(err_at("1 / 0"), 3);
    assert_eq!(err_at("1 % 0"), 3);
    assert_eq!(err_at("1.0E0 / 0"), 7);
    assert_eq!(err_at("1.5 / 0"), 5);
    assert_eq!(err_at("2147483647 + 1"), 12);
    assert_eq!(err_at("-(-2147483648)"), 1);
    assert_eq!(ev("2147483647L + 1"), Value::I8(2_147_483_648));
    assert_eq!(err_at("@Count / (@Count - 7)"), 8);
}

// + (Concatenate) (SSIS): string + string; no implicit string/number conversion.
#[test]
fn concatenation_and_string_comparison() {
    assert_eq!(s(r#""Ball" + "Bearing""#), "BallBearing");
    assert_eq!(
        s(r#"@Name + " (" + (DT_WSTR, 10)@Count + ")""#),
        "Touring Front Wheel (7)"
    );
    assert_eq!(ev(r#""abc" == "abc""#), Value::Bool(true));
    assert_eq!(ev(r#""abc" == "ABC""#), Value::Bool(false));
    assert_eq!(ev(r#""abc" < "abd""#), Value::Bool(true));
    assert_eq!(ev(r#"(DT_STR, 5, 1252)"abc" == "abc""#), Value::Bool(true));
    assert_eq!(
        ev(r#"(DT_STR, 5, 1252)"ab" + (DT_STR, 5, 1252)"cd""#),
        Value::Str {
            text: "abcd".into(),
            codepage: 1252
        }
    );
    assert_eq!(err_at(r#""a" + 1"#), 5);
    assert_eq!(err_at(r#"1 + "a""#), 3);
    assert_eq!(err_at(r#"@Count + "a""#), 8);
    assert_eq!(err_at(r#""a" == 1"#), 5);
}

#[test]
fn type_errors_are_found_at_parse_time() {
    for (text, pos) in [
        ("!1", 1),
        ("-TRUE", 1),
        ("~1.5", 1),
        ("1 && TRUE", 3),
        ("TRUE + 1", 6),
        ("1.5 % 2", 5),
        ("1 ? 2 : 3", 3),
        ("TRUE ? 1 : \"a\"", 6),
        ("(DT_DBTIMESTAMP)TRUE", 1),
        ("TRUE < FALSE", 6),
        ("LEN(5)", 1),
        ("SUBSTRING(\"a\", \"1\", 1)", 1),
        ("DATEADD(\"fortnight\", 1, GETDATE())", 9),
        ("YEAR(\"2024-01-01\")", 1),
    ] {
        let e = Expression::parse(text)
            .err()
            .unwrap_or_else(|| panic!("{text} parsed"));
        assert_eq!(e.position, pos, "{text}: {e}");
    }
}

#[test]
fn syntax_errors_name_the_position() {
    for (text, pos) in [
        ("", 1),
        ("1 +", 4),
        ("(1 + 2", 7),
        ("1 2", 3),
        ("FOO(1)", 1),
        ("LEN(\"a\", 2)", 1),
        ("Count + 1", 1),
        ("(DT_WSTR)1", 2),
        ("(DT_WSTR, 0)1", 2),
        ("(DT_NUMERIC, 5, 6)1", 2),
        ("(DT_BANANA)1", 2),
        ("@[]", 1),
        ("1 # 1", 3),
        ("[Column] + 1", 1),
        ("99999999999999999999", 1),
        ("1e", 2),
        ("1.5U", 1),
    ] {
        let e = Expression::parse(text)
            .err()
            .unwrap_or_else(|| panic!("{text} parsed"));
        assert_eq!(e.position, pos, "{text}: {e}");
    }
}

// Cast (SSIS Expression): documentation examples.
#[test]
fn casts_from_documentation() {
    assert_eq!(ev("(DT_I4) 3.57"), Value::I4(4));
    assert_eq!(
        ev("(DT_STR,1,1252)5"),
        Value::Str {
            text: "5".into(),
            codepage: 1252
        }
    );
    assert_eq!(s(r#"(DT_WSTR,3)"Cat""#), "Cat");
    assert_eq!(ev("(DT_DECIMAL,2)500").to_string(), "500.00");
    assert_eq!(
        ev("(DT_NUMERIC,7,3)4000"),
        Value::Numeric {
            mantissa: 4_000_000,
            precision: 7,
            scale: 3
        }
    );
    assert!(evaluate("(DT_NUMERIC,7,3)40000", &()).is_err());
}

#[test]
fn casts_between_types() {
    assert_eq!(s(r#"(DT_WSTR, 5)"Catalog""#), "Catal");
    assert_eq!(s("(DT_WSTR, 10)12.5E0"), "12.5");
    assert_eq!(s("(DT_WSTR, 10)TRUE"), "True");
    assert_eq!(
        s("(DT_WSTR, 30)(DT_DBTIMESTAMP)\"2024-01-31 10:00:00\""),
        "2024-01-31 10:00:00"
    );
    assert_eq!(
        s("(DT_WSTR, 30)(DT_DBDATE)\"2024-01-31 10:00:00\""),
        "2024-01-31"
    );
    assert_eq!(ev("(DT_I4)\"42\""), Value::I4(42));
    assert_eq!(ev("(DT_I4)TRUE"), Value::I4(-1));
    assert_eq!(ev("(DT_BOOL)0"), Value::Bool(false));
    assert_eq!(ev("(DT_BOOL)\"true\""), Value::Bool(true));
    assert_eq!(ev("(DT_R8)\"2.5\""), Value::R8(2.5));
    assert_eq!(ev("(DT_I8)@Price"), Value::I8(3));
    assert_eq!(ev("(DT_UI2)65535"), Value::UI2(65535));
    assert_eq!(ev("(DT_CY)12.5").to_string(), "12.5");
    assert_eq!(
        ev("(DT_R8)(DT_DATE)\"1899-12-31 12:00:00\""),
        Value::R8(1.5)
    );
    assert_eq!(err_at("(DT_UI1)256"), 1);
    assert_eq!(err_at("(DT_I4)\"forty\""), 1);
    assert_eq!(err_at("(DT_DBTIMESTAMP)\"2023-02-29\""), 1);
    assert_eq!(err_at("(DT_I4)@Name"), 1);
}

// NULL (SSIS Expression), ISNULL, REPLACENULL, and the logical operator tables.
#[test]
fn null_rules() {
    assert_eq!(ev("NULL(DT_I4)"), Value::Null(DataType::I4));
    assert_eq!(ev("NULL(DT_WSTR, 10)"), Value::Null(DataType::WStr));
    assert_eq!(ev("NULL(DT_STR, 10, 1252)"), Value::Null(DataType::Str));
    assert_eq!(ev("NULL(DT_I4) + 1"), Value::Null(DataType::I4));
    assert_eq!(ev("NULL(DT_I4) + 1L"), Value::Null(DataType::I8));
    assert_eq!(ev("@Nothing * 2"), Value::Null(DataType::I4));
    assert_eq!(ev("@NoText + \"x\""), Value::Null(DataType::WStr));
    assert_eq!(
        ev("NULL(DT_I4) == NULL(DT_I4)"),
        Value::Null(DataType::Bool)
    );
    assert_eq!(ev("@Nothing > 1"), Value::Null(DataType::Bool));
    assert_eq!(ev("-@Nothing"), Value::Null(DataType::I4));
    assert_eq!(ev("(DT_WSTR, 5)@Nothing"), Value::Null(DataType::WStr));
    assert_eq!(ev("LEN(@NoText)"), Value::Null(DataType::I4));
    assert_eq!(ev("UPPER(NULL(DT_WSTR, 5))"), Value::Null(DataType::WStr));
    assert_eq!(ev("ISNULL(@Nothing)"), Value::Bool(true));
    assert_eq!(ev("ISNULL(@Count)"), Value::Bool(false));
    assert_eq!(ev("REPLACENULL(@Nothing, 0)"), Value::I4(0));
    assert_eq!(ev("REPLACENULL(@Count, 0)"), Value::I4(7));
    assert_eq!(
        ev("REPLACENULL(@NoText, \"none\")"),
        Value::WStr("none".into())
    );
    assert_eq!(ev("REPLACENULL(NULL(DT_I4), 1L)"), Value::I8(1));
    // ? : with a NULL condition gives a NULL of the result type.
    assert_eq!(ev("NULL(DT_BOOL) ? 1 : 2"), Value::Null(DataType::I4));
    assert_eq!(ev("NULL(DT_BOOL) ? 1 : 2.5E0"), Value::Null(DataType::R8));
    assert_eq!(ev("TRUE ? 1 : 2.5E0"), Value::R8(1.0));
    // || (Logical OR): TRUE wins over NULL; && (Logical AND): FALSE wins over NULL.
    let n = "NULL(DT_BOOL)";
    assert_eq!(ev(&format!("{n} || TRUE")), Value::Bool(true));
    assert_eq!(ev(&format!("TRUE || {n}")), Value::Bool(true));
    assert_eq!(ev(&format!("{n} || FALSE")), Value::Null(DataType::Bool));
    assert_eq!(ev(&format!("{n} || {n}")), Value::Null(DataType::Bool));
    assert_eq!(ev(&format!("{n} && FALSE")), Value::Bool(false));
    assert_eq!(ev(&format!("FALSE && {n}")), Value::Bool(false));
    assert_eq!(ev(&format!("{n} && TRUE")), Value::Null(DataType::Bool));
    assert_eq!(ev(&format!("!{n}")), Value::Null(DataType::Bool));
    assert_eq!(ev("FALSE || FALSE"), Value::Bool(false));
    assert_eq!(ev("TRUE && TRUE"), Value::Bool(true));
}

#[test]
fn conditional_with_variables() {
    assert_eq!(s(r#"@Count > 5 ? "many" : "few""#), "many");
    assert_eq!(ev("@Flag ? @Count : @Big"), Value::I8(7));
    assert_eq!(err_at("@Count ? 1 : 2"), 8);
    let e = Expression::parse("@Count == 7 ? 1 : 2").unwrap();
    assert_eq!(e.result_type(), Some(DataType::I4));
    let e = Expression::parse("@Count == 7 ? 1 : @Big").unwrap();
    assert_eq!(e.result_type(), None);
    assert_eq!(
        Expression::parse("1 + 1L").unwrap().result_type(),
        Some(DataType::I8)
    );
}

#[test]
fn comparisons() {
    assert_eq!(ev("1 == 1.0"), Value::Bool(true));
    assert_eq!(ev("1 != 2L"), Value::Bool(true));
    assert_eq!(ev("2.5E0 >= 2.5"), Value::Bool(true));
    assert_eq!(ev("(DT_UI4)5 < -1"), Value::Bool(false));
    assert_eq!(ev("TRUE == TRUE"), Value::Bool(true));
    assert_eq!(ev("TRUE != FALSE"), Value::Bool(true));
    assert_eq!(
        ev("(DT_DBTIMESTAMP)\"2024-01-01\" < (DT_DBDATE)\"2024-01-02\""),
        Value::Bool(true)
    );
    assert_eq!(
        ev("(DT_DATE)\"2024-01-01\" == (DT_DBTIMESTAMP)\"2024-01-01 00:00:00\""),
        Value::Bool(true)
    );
}

#[test]
fn function_names_are_case_insensitive() {
    assert_eq!(s(r#"upper("a") + Lower("B") + tRiM(" c ")"#), "Abc");
    assert_eq!(ev("true && True"), Value::Bool(true));
    assert_eq!(ev("null(dt_i4)"), Value::Null(DataType::I4));
}

#[test]
fn error_display_and_conversion() {
    let e = Expression::parse("1 +").unwrap_err();
    assert_eq!(e.to_string(), format!("{} at position 4", e.message));
    let err: ssis_service::Error = e.into();
    assert!(err.to_string().contains("position 4"), "{err}");
}
