//! SSIS expression functions. Expected values are the examples on each
//! function's page of Microsoft's "Functions (SSIS Expression)" reference
//! (cited per assertion group), plus edge cases from the pages' remarks.

use ssis_service::runner::expr::{DataType, DateTime, Value, evaluate};
use std::collections::HashMap;

fn vars() -> HashMap<String, Value> {
    let mut v = HashMap::new();
    v.insert("User::Times".to_string(), Value::I4(3));
    v.insert(
        "User::Name".to_string(),
        Value::WStr("Touring Front Wheel".into()),
    );
    v.insert("User::LocaleID".to_string(), Value::I4(1033));
    v.insert("User::ReorderPoint".to_string(), Value::I2(750));
    v.insert(
        "User::YearEnd".to_string(),
        Value::DbTimestamp(DateTime::parse("2024-12-31 23:59:59").unwrap()),
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

fn i(text: &str) -> i32 {
    match ev(text) {
        Value::I4(v) => v,
        other => panic!("{text}: expected DT_I4, got {other:?}"),
    }
}

fn r(text: &str) -> f64 {
    match ev(text) {
        Value::R8(v) => v,
        other => panic!("{text}: expected DT_R8, got {other:?}"),
    }
}

fn fails(text: &str) -> String {
    match evaluate(text, &vars()) {
        Ok(v) => panic!("{text}: expected an error, got {v:?}"),
        Err(e) => e.message,
    }
}

#[test]
fn string_functions_documentation_examples() {
    // FINDSTRING (SSIS Expression)
    assert_eq!(i(r#"FINDSTRING("New York, NY, NY", "NY", 1)"#), 11);
    assert_eq!(i(r#"FINDSTRING("New York, NY, NY", "NY", 3)"#), 0);
    assert_eq!(i(r#"FINDSTRING("Anderson", "n", 2)"#), 8);
    assert_eq!(i(r#"FINDSTRING("Mountain,500Red,42", "42", 1)"#), 17);
    // REPLICATE (SSIS Expression)
    assert_eq!(
        s(r#"REPLICATE("Mountain Bike", 3)"#),
        "Mountain BikeMountain BikeMountain Bike"
    );
    assert_eq!(
        s("REPLICATE(@Name, @Times)"),
        "Touring Front WheelTouring Front WheelTouring Front Wheel"
    );
    assert_eq!(s(r#"REPLICATE("Helmet", (DT_I4)2.0)"#), "HelmetHelmet");
    // RIGHT (SSIS Expression), LEFT (SSIS Expression)
    assert_eq!(s(r#"RIGHT("Mountain Bike", 4)"#), "Bike");
    assert_eq!(s(r#"LEFT("Mountain Bike", 8)"#), "Mountain");
    // TOKEN (SSIS Expression)
    assert_eq!(s(r#"TOKEN("a little white dog"," ",1)"#), "a");
    assert_eq!(s(r#"TOKEN("a:little|white dog","| ,.:",4)"#), "dog");
    assert_eq!(s(r#"TOKEN("a little white dog"," ",99)"#), "");
    assert_eq!(s(r#"TOKEN("   a little white dog"," ",1)"#), "a");
    assert_eq!(s(r#"TOKEN("a,,b", ",", 2)"#), "b");
    // TOKENCOUNT (SSIS Expression)
    assert_eq!(i(r#"TOKENCOUNT("a little white dog"," ")"#), 4);
    assert_eq!(i(r#"TOKENCOUNT("",",")"#), 0);
    assert_eq!(i(r#"TOKENCOUNT("   a little white dog   "," ")"#), 4);
    // HEX (SSIS Expression)
    assert_eq!(s("HEX(400)"), "190");
    assert_eq!(s("HEX(@ReorderPoint)"), "2EE");
    assert_eq!(s("HEX(@LocaleID)"), "409");
    assert_eq!(s("HEX(-1)"), "FFFFFFFF");
    assert_eq!(s("HEX((DT_I1)-1)"), "FF");
    // CODEPOINT (SSIS Expression)
    assert_eq!(ev(r#"CODEPOINT("Adventure Works")"#), Value::UI2(65));
    assert_eq!(ev(r#"CODEPOINT("")"#), Value::Null(DataType::UI2));
    // REPLACE (SSIS Expression)
    assert_eq!(
        s(r#"REPLACE("Mountain Bike", "Mountain","All Terrain")"#),
        "All Terrain Bike"
    );
    assert_eq!(s(r#"REPLACE("Product Name", " ", "")"#), "ProductName");
    // REVERSE (SSIS Expression)
    assert_eq!(s(r#"REVERSE("Tomato")"#), "otamoT");
    // UPPER / LOWER (SSIS Expression)
    assert_eq!(s(r#"UPPER("Mountain Bike")"#), "MOUNTAIN BIKE");
    assert_eq!(s(r#"LOWER("Mountain Bike")"#), "mountain bike");
    // TRIM / LTRIM / RTRIM (SSIS Expression): blanks only, not tabs.
    assert_eq!(s(r#"TRIM("   New York   ")"#), "New York");
    assert_eq!(s(r#"LTRIM("   New York   ")"#), "New York   ");
    assert_eq!(s(r#"RTRIM("   New York   ")"#), "   New York");
    assert_eq!(s(r#"TRIM("\tx ")"#), "\tx");
    // LEN (SSIS Expression): counts leading and trailing blanks.
    assert_eq!(i(r#"LEN("Ball Bearing")"#), 12);
    assert_eq!(i(r#"LEN("  a  ")"#), 5);
    assert_eq!(i(r#"LEN("é\x4E00")"#), 2);
}

#[test]
fn substring_is_one_based() {
    // SUBSTRING (SSIS Expression)
    assert_eq!(s(r#"SUBSTRING("Mountain Bike", 1, 8)"#), "Mountain");
    assert_eq!(s(r#"SUBSTRING("Mountain Bike", 10, 4)"#), "Bike");
    assert_eq!(s(r#"SUBSTRING("Mountain Bike", 10, 100)"#), "Bike");
    assert_eq!(s(r#"SUBSTRING("abc", 5, 1)"#), "");
    assert_eq!(s(r#"SUBSTRING("abc", 2, 0)"#), "");
    assert!(fails(r#"SUBSTRING("abc", 0, 1)"#).contains("start index"));
    assert!(fails(r#"SUBSTRING("abc", 1, -1)"#).contains("negative"));
    assert!(fails(r#"LEFT("abc", -1)"#).contains("negative"));
    assert!(fails(r#"RIGHT("abc", -1)"#).contains("negative"));
    assert!(fails(r#"REPLICATE("abc", -1)"#).contains("negative"));
    assert!(fails(r#"FINDSTRING("abc", "b", 0)"#).contains("occurrence"));
    assert!(fails(r#"REPLACE("abc", "", "x")"#).contains("empty"));
    assert_eq!(s(r#"RIGHT("abc", 10)"#), "abc");
    assert_eq!(s(r#"LEFT("abc", 0)"#), "");
}

#[test]
fn math_functions() {
    // ABS (SSIS Expression)
    assert_eq!(ev("ABS(-23)"), Value::I4(23));
    assert_eq!(ev("ABS(-1.5E0)"), Value::R8(1.5));
    assert_eq!(ev("ABS(-1.25)").to_string(), "1.25");
    // CEILING / FLOOR (SSIS Expression)
    assert_eq!(ev("CEILING(37.23E0)"), Value::R8(38.0));
    assert_eq!(ev("FLOOR(37.23E0)"), Value::R8(37.0));
    assert_eq!(ev("CEILING(-37.23E0)"), Value::R8(-37.0));
    assert_eq!(ev("FLOOR(-37.23)").to_string(), "-38.00");
    assert_eq!(ev("CEILING(5)"), Value::I4(5));
    // ROUND (SSIS Expression)
    assert_eq!(ev("(DT_R8)ROUND(137.1951, 3)"), Value::R8(137.195));
    assert_eq!(ev("(DT_R8)ROUND(137.1951, 0)"), Value::R8(137.0));
    assert_eq!(ev("ROUND(2.5E0, 0)"), Value::R8(3.0));
    assert_eq!(ev("ROUND(-2.5E0, 0)"), Value::R8(-3.0));
    assert_eq!(ev("ROUND(1.2345E0, 2)"), Value::R8(1.23));
    assert!(fails("ROUND(1.5, -1)").contains("negative"));
    // POWER, SQUARE, SQRT, EXP, LN, LOG, SIGN (SSIS Expression)
    assert_eq!(r("POWER(2, 10)"), 1024.0);
    assert_eq!(r("POWER(4, 0.5)"), 2.0);
    assert_eq!(r("SQUARE(12)"), 144.0);
    assert_eq!(r("SQRT(36)"), 6.0);
    assert_eq!(r("EXP(0)"), 1.0);
    assert_eq!(r("LN(1)"), 0.0);
    assert_eq!(r("LOG(1000)"), 3.0);
    assert!((r("LN(EXP(2))") - 2.0).abs() < 1e-12);
    assert_eq!(i("SIGN(-123.45)"), -1);
    assert_eq!(i("SIGN(0)"), 0);
    assert_eq!(i("SIGN(5L)"), 1);
    assert!(fails("SQRT(-1)").contains("negative"));
    assert!(fails("LN(0)").contains("positive"));
    assert!(fails("LOG(-5)").contains("positive"));
    assert!(fails("ABS(-2147483648)").contains("overflow"));
}

#[test]
fn date_functions_documentation_examples() {
    // DATEDIFF (SSIS Expression)
    assert_eq!(
        i(r#"DATEDIFF("dd", (DT_DBTIMESTAMP)"8/1/2003", (DT_DBTIMESTAMP)"8/8/2003")"#),
        7
    );
    // DATEPART (SSIS Expression)
    assert_eq!(i(r#"DATEPART("month", (DT_DBTIMESTAMP)"11/04/2002")"#), 11);
    // DATEADD (SSIS Expression)
    assert_eq!(
        s(r#"(DT_WSTR, 30)DATEADD("Month", 1, (DT_DBTIMESTAMP)"8/6/2003")"#),
        "2003-09-06 00:00:00"
    );
    // YEAR, MONTH, DAY (SSIS Expression)
    assert_eq!(i(r#"YEAR((DT_DBTIMESTAMP)"11/23/2002")"#), 2002);
    assert_eq!(i(r#"MONTH((DT_DBTIMESTAMP)"11/23/2002")"#), 11);
    assert_eq!(i(r#"DAY((DT_DBTIMESTAMP)"11/23/2002")"#), 23);
    assert_eq!(
        i(r#"DATEDIFF("Week", (DT_DBTIMESTAMP)"2024-12-01", @YearEnd)"#),
        4
    );
}

fn ts(text: &str) -> String {
    s(&format!("(DT_WSTR, 40){text}"))
}

#[test]
fn dateadd_across_month_ends_and_units() {
    let d = r#"(DT_DBTIMESTAMP)"2024-01-31 10:00:00""#;
    assert_eq!(
        ts(&format!(r#"DATEADD("mm", 1, {d})"#)),
        "2024-02-29 10:00:00"
    );
    assert_eq!(
        ts(&format!(r#"DATEADD("m", 2, {d})"#)),
        "2024-03-31 10:00:00"
    );
    assert_eq!(
        ts(&format!(r#"DATEADD("month", 13, {d})"#)),
        "2025-02-28 10:00:00"
    );
    assert_eq!(
        ts(&format!(r#"DATEADD("mm", -2, {d})"#)),
        "2023-11-30 10:00:00"
    );
    assert_eq!(
        ts(&format!(r#"DATEADD("qq", 1, {d})"#)),
        "2024-04-30 10:00:00"
    );
    assert_eq!(
        ts(r#"DATEADD("yy", 1, (DT_DBTIMESTAMP)"2024-02-29")"#),
        "2025-02-28 00:00:00"
    );
    assert_eq!(
        ts(&format!(r#"DATEADD("dd", 1, {d})"#)),
        "2024-02-01 10:00:00"
    );
    assert_eq!(
        ts(&format!(r#"DATEADD("d", -31, {d})"#)),
        "2023-12-31 10:00:00"
    );
    assert_eq!(
        ts(&format!(r#"DATEADD("wk", 1, {d})"#)),
        "2024-02-07 10:00:00"
    );
    assert_eq!(
        ts(&format!(r#"DATEADD("Hh", 14, {d})"#)),
        "2024-02-01 00:00:00"
    );
    assert_eq!(
        ts(&format!(r#"DATEADD("mi", -1, {d})"#)),
        "2024-01-31 09:59:00"
    );
    assert_eq!(
        ts(&format!(r#"DATEADD("ss", 90, {d})"#)),
        "2024-01-31 10:01:30"
    );
    assert_eq!(
        ts(&format!(r#"DATEADD("ms", 1500, {d})"#)),
        "2024-01-31 10:00:01.500000000"
    );
    assert_eq!(
        ts(&format!(r#"DATEADD("dy", 1, {d})"#)),
        "2024-02-01 10:00:00"
    );
    assert_eq!(
        ts(&format!(r#"DATEADD("dw", 1, {d})"#)),
        "2024-02-01 10:00:00"
    );
    assert!(fails(&format!(r#"DATEADD("yyyy", 9000, {d})"#)).contains("9999"));
    assert!(fails(&format!(r#"DATEADD(@Name, 1, {d})"#)).contains("date part"));
    assert_eq!(
        ev(&format!(r#"DATEADD("dd", NULL(DT_I4), {d})"#)),
        Value::Null(DataType::DbTimestamp)
    );
}

#[test]
fn datediff_counts_boundaries() {
    let diff = |part: &str, a: &str, b: &str| {
        i(&format!(
            r#"DATEDIFF("{part}", (DT_DBTIMESTAMP)"{a}", (DT_DBTIMESTAMP)"{b}")"#
        ))
    };
    assert_eq!(diff("yy", "2023-12-31 23:59:59", "2024-01-01 00:00:00"), 1);
    assert_eq!(diff("yyyy", "2024-01-01", "2024-12-31"), 0);
    assert_eq!(diff("qq", "2024-03-31", "2024-04-01"), 1);
    assert_eq!(diff("mm", "2024-01-31", "2024-02-01"), 1);
    assert_eq!(diff("mm", "2024-03-01", "2024-01-31"), -2);
    assert_eq!(diff("dd", "2024-01-01 23:00", "2024-01-02 01:00"), 1);
    assert_eq!(diff("dd", "2024-01-01", "2025-01-01"), 366);
    // Weeks start on Sunday: 2024-01-06 is a Saturday.
    assert_eq!(diff("wk", "2024-01-06", "2024-01-07"), 1);
    assert_eq!(diff("ww", "2024-01-07", "2024-01-13"), 0);
    assert_eq!(diff("Hh", "2024-01-01 10:59", "2024-01-01 11:00"), 1);
    assert_eq!(diff("mi", "2024-01-01 10:00:59", "2024-01-01 10:01:00"), 1);
    assert_eq!(diff("ss", "2024-01-01 10:00:00", "2024-01-01 10:00:30"), 30);
    assert_eq!(
        diff("ms", "2024-01-01 10:00:00", "2024-01-01 10:00:01.25"),
        1250
    );
    assert!(
        fails(r#"DATEDIFF("ms", (DT_DBTIMESTAMP)"2000-01-01", (DT_DBTIMESTAMP)"2024-01-01")"#)
            .contains("DT_I4")
    );
}

#[test]
fn datepart_values() {
    let part = |p: &str, d: &str| i(&format!(r#"DATEPART("{p}", (DT_DBTIMESTAMP)"{d}")"#));
    let d = "2024-03-15 13:45:30.250";
    assert_eq!(part("yy", d), 2024);
    assert_eq!(part("Quarter", d), 1);
    assert_eq!(part("m", d), 3);
    assert_eq!(part("dy", d), 31 + 29 + 15);
    assert_eq!(part("d", d), 15);
    assert_eq!(part("dw", d), 6); // a Friday; Sunday is 1
    assert_eq!(part("wk", d), 11);
    assert_eq!(part("HH", d), 13);
    assert_eq!(part("n", d), 45);
    assert_eq!(part("s", d), 30);
    assert_eq!(part("Ms", d), 250);
    assert_eq!(part("wk", "2024-01-01"), 1);
    assert_eq!(part("wk", "2024-01-07"), 2);
    assert_eq!(part("dw", "2024-01-07"), 1);
}

#[test]
fn getdate_is_a_timestamp_near_now() {
    let now = ev("GETDATE()");
    assert_eq!(now.data_type(), DataType::DbTimestamp);
    let utc = ev("GETUTCDATE()");
    let (a, b) = (now.as_datetime().unwrap(), utc.as_datetime().unwrap());
    // Local and UTC differ by a time-zone offset: at most 14 hours.
    assert!((a.ticks() - b.ticks()).abs() <= 14 * 3600 * 10_000_000 + 10_000_000);
    assert!(i("YEAR(GETDATE())") >= 2024);
    assert_eq!(
        i(r#"DATEDIFF("dd", GETDATE(), DATEADD("dd", 3, GETDATE()))"#),
        3
    );
}

#[test]
fn functions_propagate_null() {
    for text in [
        "LEN(NULL(DT_WSTR, 1))",
        "SUBSTRING(NULL(DT_WSTR, 1), 1, 1)",
        r#"SUBSTRING("abc", NULL(DT_I4), 1)"#,
        r#"FINDSTRING("abc", NULL(DT_WSTR, 1), 1)"#,
        "HEX(NULL(DT_I4))",
        "ABS(NULL(DT_R8))",
        "POWER(NULL(DT_I4), 2)",
        "YEAR(NULL(DT_DBTIMESTAMP))",
        r#"DATEDIFF("dd", NULL(DT_DBTIMESTAMP), GETDATE())"#,
        r#"TOKEN(NULL(DT_WSTR, 1), " ", 1)"#,
    ] {
        assert!(ev(text).is_null(), "{text}");
    }
    assert_eq!(ev("YEAR(NULL(DT_DBTIMESTAMP))"), Value::Null(DataType::I4));
    assert_eq!(ev("SQRT(NULL(DT_I4))"), Value::Null(DataType::R8));
}

#[test]
fn argument_type_errors_name_the_parameter() {
    let m = fails(r#"SUBSTRING(5, 1, 1)"#);
    assert!(
        m.contains("SUBSTRING") && m.contains("parameter number 1"),
        "{m}"
    );
    let m = fails(r#"DATEDIFF("dd", 1, GETDATE())"#);
    assert!(m.contains("parameter number 2"), "{m}");
    let m = fails(r#"ABS("x")"#);
    assert!(m.contains("DT_WSTR"), "{m}");
    let m = fails("LEN()");
    assert!(m.contains("takes 1 argument"), "{m}");
}
