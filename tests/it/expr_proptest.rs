//! Robustness: parsing and evaluating arbitrary text never panics; errors
//! always carry a position inside the text (or just past its end).

use proptest::prelude::*;
use ssis_service::runner::expr::{DataType, Expression, Value};
use std::collections::HashMap;

fn scope() -> HashMap<String, Value> {
    let mut v = HashMap::new();
    v.insert("User::I".to_string(), Value::I4(-3));
    v.insert("User::L".to_string(), Value::I8(i64::MAX));
    v.insert("User::U".to_string(), Value::UI8(u64::MAX));
    v.insert("User::S".to_string(), Value::WStr("a b,c".into()));
    v.insert("User::B".to_string(), Value::Bool(false));
    v.insert("User::R".to_string(), Value::R8(-0.5));
    v.insert("User::N".to_string(), Value::Null(DataType::I4));
    v
}

fn check(text: &str) {
    let len = text.chars().count();
    match Expression::parse(text) {
        Err(e) => assert!(e.position >= 1 && e.position <= len + 1, "{text:?}: {e}"),
        Ok(expr) => {
            let _ = expr.referenced_variables();
            if let Err(e) = expr.eval(&scope()) {
                assert!(e.position >= 1 && e.position <= len + 1, "{text:?}: {e}");
            }
        }
    }
}

const PIECES: &[&str] = &[
    "1",
    "0",
    "-1",
    "2147483647",
    "9223372036854775807L",
    "4294967295U",
    "1.5",
    "0.0",
    "1E308",
    "3.4E38F",
    "\"a\"",
    "\"\"",
    "\"x\\ty\"",
    "TRUE",
    "FALSE",
    "@I",
    "@[User::L]",
    "@U",
    "@S",
    "@B",
    "@R",
    "@N",
    "@Missing",
    "+",
    "-",
    "*",
    "/",
    "%",
    "==",
    "!=",
    "<",
    ">",
    "<=",
    ">=",
    "&&",
    "||",
    "&",
    "|",
    "^",
    "!",
    "~",
    "?",
    ":",
    "(",
    ")",
    ",",
    "(DT_I4)",
    "(DT_UI1)",
    "(DT_WSTR, 3)",
    "(DT_STR, 2, 1252)",
    "(DT_R4)",
    "(DT_NUMERIC, 5, 2)",
    "(DT_DECIMAL, 1)",
    "(DT_CY)",
    "(DT_DBTIMESTAMP)",
    "(DT_DATE)",
    "(DT_BOOL)",
    "(DT_I8)",
    "NULL(DT_I4)",
    "LEN(",
    "SUBSTRING(",
    "TOKEN(",
    "HEX(",
    "ROUND(",
    "POWER(",
    "DATEADD(\"mm\",",
    "DATEDIFF(\"ms\",",
    "DATEPART(\"wk\",",
    "GETDATE()",
    "REPLICATE(",
    "REPLACENULL(",
    "ISNULL(",
    "FINDSTRING(",
    "CODEPOINT(",
    "SQRT(",
    "LN(",
    "ABS(",
    "\"2024-02-29\"",
    "\"9999-12-31 23:59:59\"",
    "=",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,60}") {
        check(&text);
    }

    #[test]
    fn expression_like_text_never_panics(parts in proptest::collection::vec(0..PIECES.len(), 0..24)) {
        let text: Vec<&str> = parts.iter().map(|i| PIECES[*i]).collect();
        check(&text.join(" "));
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    for text in [
        "(".repeat(5000) + "1" + &")".repeat(5000),
        "-".repeat(5000) + "1",
        "1".to_string() + &" + 1".repeat(5000),
        "!".repeat(5000) + "TRUE",
        "TRUE ? ".repeat(3000) + "1" + &" : 2".repeat(3000),
    ] {
        let e = Expression::parse(&text).unwrap_err();
        assert!(e.message.contains("nested too deeply"), "{e}");
    }
    // Depth just inside the limit parses and evaluates (in a 2 MB test thread).
    let text = "1".to_string() + &" + 1".repeat(250);
    assert_eq!(
        Expression::parse(&text).unwrap().eval(&()).unwrap(),
        Value::I4(251)
    );
    let text = "(".repeat(45) + "1" + &")".repeat(45);
    assert_eq!(
        Expression::parse(&text).unwrap().eval(&()).unwrap(),
        Value::I4(1)
    );
    let text = "-".repeat(250) + "1";
    assert_eq!(
        Expression::parse(&text).unwrap().eval(&()).unwrap(),
        Value::I4(1)
    );
    let text = "FALSE ? 0 : ".repeat(60) + "1";
    assert_eq!(
        Expression::parse(&text).unwrap().eval(&()).unwrap(),
        Value::I4(1)
    );
    let text = "(".repeat(20) + &"1 + ".repeat(120) + "1" + &")".repeat(20);
    assert_eq!(
        Expression::parse(&text).unwrap().eval(&()).unwrap(),
        Value::I4(121)
    );
}

/// A multi-byte identifier after `(` once panicked while looking for a cast.
#[test]
fn non_ascii_identifier_after_parenthesis_is_an_error_not_a_panic() {
    assert!(Expression::parse("(𞺀").is_err());
    assert!(Expression::parse("(é𞺀)").is_err());
}
