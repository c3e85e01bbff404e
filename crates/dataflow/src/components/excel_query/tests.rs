use super::*;

/// A table: a header row, then rows of cells.
fn table(rows: &[&[Data]]) -> Range<Data> {
    let width = rows.iter().map(|r| r.len()).max().unwrap_or(1) as u32;
    let mut r = Range::new((0, 0), (rows.len() as u32 - 1, width - 1));
    for (i, row) in rows.iter().enumerate() {
        for (j, d) in row.iter().enumerate() {
            r.set_value((i as u32, j as u32), d.clone());
        }
    }
    r
}

fn s(t: &str) -> Data {
    Data::String(t.into())
}

fn orders() -> Range<Data> {
    table(&[
        &[s("Name"), s("Qty"), s("City")],
        &[s("Zoë"), Data::Int(3), s("Oslo")],
        &[s("bob"), Data::Float(10.0), Data::Empty],
        &[s("Ann"), Data::Int(7), s("oslo")],
        &[s("cy"), s("n/a"), s("Rome")],
    ])
}

/// The selected rows as text, one `a|b` a row.
fn run(sql: &str) -> Result<Vec<String>, String> {
    let q = parse(sql)?;
    let sel = select(orders(), true, &q)?;
    Ok((0..sel.rows.len())
        .map(|r| {
            (0..sel.cols.len())
                .map(|c| sel.cell(r, c).to_string())
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect())
}

#[test]
fn star_and_columns_with_aliases() {
    let q = parse("select Name AS Who, [Qty] from [Orders$];").unwrap();
    assert_eq!(q.table, "Orders$");
    let sel = select(orders(), true, &q).unwrap();
    assert_eq!(sel.names, ["Who", "Qty"]);
    assert_eq!(run("SELECT * FROM `Orders$`").unwrap().len(), 4);
    assert_eq!(
        run("SELECT TOP 2 name FROM [Orders$]").unwrap(),
        ["Zoë", "bob"]
    );
    assert_eq!(
        run("SELECT TOP 50 PERCENT Name FROM Orders$")
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn conditions_follow_jet() {
    // Text ignores case; NULL matches neither = nor <>.
    assert_eq!(
        run("SELECT Name FROM [S$] WHERE City = 'OSLO'").unwrap(),
        ["Zoë", "Ann"]
    );
    assert_eq!(
        run("SELECT Name FROM [S$] WHERE City <> 'Oslo'").unwrap(),
        ["cy"]
    );
    assert_eq!(
        run("SELECT Name FROM [S$] WHERE City IS NULL").unwrap(),
        ["bob"]
    );
    assert_eq!(
        run("SELECT Name FROM [S$] WHERE NOT City IS NULL AND Qty >= 3 OR Name LIKE 'c_'").unwrap(),
        ["Zoë", "Ann", "cy"]
    );
    assert_eq!(
        run("SELECT Name FROM [S$] WHERE Qty BETWEEN 3 AND 7").unwrap(),
        ["Zoë", "Ann"]
    );
    assert_eq!(
        run("SELECT Name FROM [S$] WHERE Qty NOT IN (3, 10)").unwrap(),
        ["Ann", "cy"]
    );
    assert_eq!(
        run("SELECT Name FROM [S$] WHERE Name LIKE '%O%'").unwrap(),
        ["Zoë", "bob"]
    );
    // A number is not below text that is not one: compared as text.
    assert_eq!(
        run("SELECT Name FROM [S$] WHERE Qty < 'a'").unwrap(),
        ["Zoë", "bob", "Ann"]
    );
    // NOT of unknown stays unknown.
    assert_eq!(
        run("SELECT Name FROM [S$] WHERE NOT (City = 'Rome')").unwrap(),
        ["Zoë", "Ann"]
    );
}

#[test]
fn order_distinct_and_parameters() {
    assert_eq!(
        run("SELECT Name FROM [S$] ORDER BY City DESC, 1").unwrap(),
        ["cy", "Ann", "Zoë", "bob"]
    );
    assert_eq!(
        run("SELECT DISTINCT City FROM [S$] ORDER BY City").unwrap(),
        ["", "Oslo", "Rome"]
    );
    let mut q = parse("SELECT Name FROM [S$] WHERE Qty > ? AND City = ?").unwrap();
    assert_eq!(q.params, 2);
    q.bind(&[Lit::Num(3.0), Lit::Text("oslo".into())]);
    let sel = select(orders(), true, &q).unwrap();
    assert_eq!(sel.rows, [2]);
}

#[test]
fn without_a_header_columns_are_f1_f2() {
    let q = parse("SELECT F2 FROM [S$] WHERE F1 = 'Name'").unwrap();
    let sel = select(orders(), false, &q).unwrap();
    assert_eq!(
        (sel.names.clone(), sel.rows.clone()),
        (vec!["F2".to_string()], vec![0])
    );
    assert_eq!(sel.cell(0, 0).to_string(), "Qty");
}

#[test]
fn dates_compare_as_dates() {
    let d = |serial: f64| {
        Data::DateTime(calamine::ExcelDateTime::new(
            serial,
            calamine::ExcelDateTimeType::DateTime,
            false,
        ))
    };
    let data = table(&[&[s("When")], &[d(45_356.5)], &[d(45_000.0)]]);
    let q = parse("SELECT * FROM [S$] WHERE [When] >= #3/1/2024#").unwrap();
    assert_eq!(select(data.clone(), true, &q).unwrap().rows, [0]);
    let q = parse("SELECT * FROM [S$] WHERE [When] < '2024-03-01'").unwrap();
    assert_eq!(select(data, true, &q).unwrap().rows, [1]);
}

#[test]
fn errors_name_what_and_where() {
    let err = |sql: &str| run(sql).unwrap_err();
    assert_eq!(
        err("SELECT Name FORM [S$]"),
        "at character 13: expected FROM, found 'FORM'"
    );
    assert_eq!(
        err("SELECT Nope FROM [S$]").split(" (").next().unwrap(),
        "the table has no column \"Nope\""
    );
    assert!(err("SELECT Name FROM [S$] WHERE Missing = 1").contains("no column \"Missing\""));
    assert_eq!(
        err("SELECT Name FROM [S$] WHERE UCase(Name) = 'A'"),
        "at character 29: functions such as UCase() are not supported"
    );
    assert_eq!(
        err("SELECT Name FROM [S$] WHERE Qty * 2 > 3"),
        "at character 33: arithmetic ('*') is not supported"
    );
    assert_eq!(
        err("SELECT Name FROM [S$"),
        "the name opened at character 18 is not closed"
    );
    assert_eq!(
        err("SELECT Name FROM [S$] WHERE City = 'x"),
        "the text opened at character 36 is not closed"
    );
    assert!(err("SELECT Name FROM [S$] WHERE [When] > #31/31/2024#").contains("is not a date"));
    assert_eq!(
        err("SELECT Name FROM [S$] ORDER BY 3"),
        "ORDER BY 3: the select list has 1 column(s)"
    );
    assert_eq!(
        err("SELECT Name FROM [S$] x"),
        "at character 23: expected the end of the command, found 'x'"
    );
}

#[test]
fn like_patterns() {
    use super::eval::like_for_tests as like;
    assert!(like("Abc", "a%"));
    assert!(like("abc", "%c"));
    assert!(like("abc", "a_c"));
    assert!(like("aXbXc", "%x%x%"));
    assert!(!like("abc", "a_"));
    assert!(like("", "%"));
    assert!(!like("ab", "%c%"));
    // A literal % in the text does not stop % in the pattern matching.
    assert!(like("%abc", "%c"));
    assert!(like("%x", "%"));
    // Sets and ranges, and their negation.
    assert!(like("Bob", "[a-c]%"));
    assert!(!like("Zoë", "[a-c]%"));
    assert!(like("Zoë", "[!a-c]%") && like("Zoë", "[^a-c]%"));
    assert!(like("x7", "x[0-9]") && !like("xa", "x[0-9]"));
    assert!(like("a]", "a]") && like("[x", "[x"));
}

#[test]
fn jet_rules_for_ties_nulls_and_names() {
    // TOP keeps the rows tying with the last one kept (Oslo and oslo).
    assert_eq!(
        run("SELECT TOP 2 Name FROM [S$] ORDER BY City DESC").unwrap(),
        ["cy", "Zoë", "Ann"]
    );
    // ORDER BY sees the table's City, not the select list's.
    assert_eq!(
        run("SELECT Name AS City, City AS Town FROM [S$] ORDER BY City").unwrap(),
        ["bob|", "Zoë|Oslo", "Ann|oslo", "cy|Rome"]
    );
    // An alias only the select list has is found there.
    assert_eq!(
        run("SELECT Name AS Who FROM [S$] ORDER BY Who DESC").unwrap(),
        ["Zoë", "cy", "bob", "Ann"]
    );
    // Numbers before text, whatever the text looks like.
    assert_eq!(
        run("SELECT Name FROM [S$] ORDER BY Qty").unwrap(),
        ["Zoë", "Ann", "bob", "cy"]
    );
    // NOT (false AND unknown) is true.
    assert_eq!(
        run("SELECT Name FROM [S$] WHERE Qty NOT BETWEEN 5 AND NULL").unwrap(),
        ["Zoë"]
    );
    // Header names as ACE gives them, matched ignoring case beyond ASCII.
    let data = table(&[
        &[s("No."), s("Ärger"), s(""), s("Ok")],
        &[Data::Int(1), s("x"), s("y"), Data::Bool(true)],
        &[Data::Int(2), s("z"), s("w"), Data::Bool(false)],
    ]);
    let q = parse("SELECT [no#], ÄRGER, F3 FROM [S$] WHERE Ok").unwrap();
    let sel = select(data.clone(), true, &q).unwrap();
    assert_eq!(
        (sel.names.clone(), sel.rows.clone()),
        (
            vec!["no#".to_string(), "ÄRGER".into(), "F3".into()],
            vec![0]
        )
    );
    // Values in parentheses are still values.
    assert_eq!(
        run("SELECT Name FROM [S$] WHERE (Qty) > (5) AND ((City) = 'oslo')").unwrap(),
        ["Ann"]
    );
    let q = parse("SELECT * FROM [S$] WHERE NOT Ok").unwrap();
    assert_eq!(select(data, true, &q).unwrap().rows, [1]);
}

#[test]
fn what_is_beyond_this_sql_is_named() {
    let err = |sql: &str| run(sql).unwrap_err();
    assert_eq!(
        err("SELECT City FROM [S$] GROUP BY City"),
        "at character 23: GROUP is not supported (one sheet or range, no grouping)"
    );
    assert_eq!(
        err("SELECT COUNT(*) FROM [S$]"),
        "at character 8: functions such as COUNT() are not supported"
    );
}

#[test]
fn nan_and_inf_in_cells_are_text() {
    let data = table(&[
        &[s("X")],
        &[s("NaN")],
        &[Data::Int(2)],
        &[s("inf")],
        &[Data::Int(1)],
    ]);
    let q = parse("SELECT X FROM [S$] ORDER BY X").unwrap();
    let sel = select(data, true, &q).unwrap();
    let got: Vec<String> = (0..4).map(|r| sel.cell(r, 0).to_string()).collect();
    assert_eq!(got, ["1", "2", "inf", "NaN"]);
}
