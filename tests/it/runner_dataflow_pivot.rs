//! Unpivot and Pivot through the real `ssis exec`, between an OLE DB
//! Source and an OLE DB Destination on the TDS test server (which records
//! each row inserted), in both layouts. Unpivot: a row per pivot key value,
//! pass-through columns repeated, keys whose values are NULL left out.
//! Pivot: a row per set, a column per pivot key value, unmatched values
//! ignored and listed, a duplicate failing the run. And refusals.

use crate::dataflow_pipe::{Comp, Input, Layout, Output, col, comp, input_col, pipeline};
use crate::runner_dataflow_sql::{ext_col, mapped, ssis_exec, statements, with_props};
use crate::runner_execute_sql::{
    CM_ID, Log, Task, logging_server, oledb, package_2008_with, package_2012_with,
};
use crate::support::TestServer;
use crate::support::catalog::{Table, column};
use crate::support::tds::{ColType, DONE_COUNT, DONE_MORE, Tokens, Value};

const TABLES: &[Table] = &[
    (
        "[dbo].[Unpivoted]",
        &[
            column("OrderId", "int", 4, 10, 0),
            column("Kind", "nvarchar", 20, 0, 0),
            column("Name", "nvarchar", 20, 0, 0),
        ],
    ),
    (
        "[dbo].[Pivoted]",
        &[
            column("Customer", "nvarchar", 20, 0, 0),
            column("Soda", "int", 4, 10, 0),
            column("Milk", "int", 4, 10, 0),
        ],
    ),
];

/// Orders with a ship-to and a bill-to name, some NULL.
fn server() -> (TestServer, Log) {
    logging_server(TABLES, |sql, _, t: &mut Tokens| {
        if sql.starts_with("INSERT") {
            return Some(0);
        }
        if let Some(rest) = sql.strip_prefix("SELECT Customer, Product, Qty FROM dbo.Sales") {
            let nv = ColType::NVarChar(10);
            t.col_metadata(&[("Customer", nv), ("Product", nv), ("Qty", ColType::Int)]);
            let mut rows = vec![
                ("Ann", "Soda", 1),
                ("Ann", "Milk", 2),
                ("Bob", "Tea", 9),
                ("Bob", "Soda", 3),
            ];
            if rest.contains("twice") {
                rows.push(("Bob", "Soda", 4));
            }
            for (c, p, q) in &rows {
                t.row(&[
                    (&Value::Text(c.to_string()), nv),
                    (&Value::Text(p.to_string()), nv),
                    (&Value::Int(*q), ColType::Int),
                ]);
            }
            t.done(DONE_MORE | DONE_COUNT, rows.len() as u64);
            return Some(0);
        }
        if !sql.starts_with("SELECT OrderId, ShipTo, BillTo FROM dbo.Addresses") {
            return None;
        }
        let nv = ColType::NVarChar(10);
        t.col_metadata(&[("OrderId", ColType::Int), ("ShipTo", nv), ("BillTo", nv)]);
        let text = |s: Option<&str>| s.map_or(Value::Null, |s| Value::Text(s.into()));
        for (id, ship, bill) in [
            (1, Some("Ann"), Some("Bob")),
            (2, None, Some("Cy")),
            (3, None, None),
        ] {
            t.row(&[
                (&Value::Int(id), ColType::Int),
                (&text(ship), nv),
                (&text(bill), nv),
            ]);
        }
        t.done(DONE_MORE | DONE_COUNT, 3);
        Some(0)
    })
}

const SRC: &str = "Addresses.Outputs[OLE DB Source Output]";
const OUT: &str = "Unpivot.Outputs[Unpivot Output]";

/// Addresses -> Unpivot (ShipTo and BillTo into Name, keyed in Kind;
/// OrderId passed through) -> Write.
fn components(bill_key: &str) -> Vec<Comp> {
    let mut source = with_props(
        comp("Addresses", "Microsoft.OLEDBSource", "OLE DB Source"),
        &[
            ("AccessMode", "2"),
            (
                "SqlCommand",
                "SELECT OrderId, ShipTo, BillTo FROM dbo.Addresses",
            ),
        ],
    );
    source.conn = Some(("OleDbConnection", "Sales", CM_ID));
    source.outputs.push(Output {
        name: "OLE DB Source Output",
        is_error: false,
        sync: None,
        cols: vec![
            ext_col(col("OrderId", "dataType=\"i4\"")),
            ext_col(col("ShipTo", "dataType=\"wstr\" length=\"10\"")),
            ext_col(col("BillTo", "dataType=\"wstr\" length=\"10\"")),
        ],
    });
    let into = |c: &'static str, dest: &str, key: &str| {
        let mut i = input_col(&format!("{SRC}.Columns[{c}]"), c);
        i.props = vec![
            ("DestinationColumn", format!("@{{{OUT}.Columns[{dest}]}}")),
            ("PivotKeyValue", key.to_string()),
        ];
        i
    };
    let mut unpivot = comp("Unpivot", "Microsoft.UnPivot", "Unpivot");
    unpivot.inputs.push(Input {
        name: "Unpivot Input",
        error_disp: "FailComponent",
        cols: vec![
            into("OrderId", "OrderId", ""),
            into("ShipTo", "Name", "ShipTo"),
            into("BillTo", "Name", bill_key),
        ],
        external: Vec::new(),
    });
    let mut kind = col("Kind", "dataType=\"wstr\" length=\"10\"");
    kind.props = vec![("PivotKey", "true".into())];
    unpivot.outputs.push(Output {
        name: "Unpivot Output",
        is_error: false,
        sync: None,
        cols: vec![
            col("OrderId", "dataType=\"i4\""),
            kind,
            col("Name", "dataType=\"wstr\" length=\"10\""),
        ],
    });
    let write = write_to(
        "[dbo].[Unpivoted]",
        OUT,
        &[
            ("OrderId", "dataType=\"i4\""),
            ("Kind", "dataType=\"wstr\" length=\"10\""),
            ("Name", "dataType=\"wstr\" length=\"10\""),
        ],
    );
    vec![source, unpivot, write]
}

fn package(
    dir: &std::path::Path,
    server: &TestServer,
    layout: Layout,
    bill_key: &str,
) -> std::path::PathBuf {
    let into = ("To Unpivot", SRC, "Unpivot.Inputs[Unpivot Input]");
    save(dir, server, layout, &components(bill_key), into, OUT)
}

/// An OLE DB Destination "Write" of `output`'s columns (name, type) into
/// the same-named columns of `table`.
fn write_to(table: &str, output: &str, cols: &[(&'static str, &'static str)]) -> Comp {
    let mut write = with_props(
        comp("Write", "Microsoft.OLEDBDestination", "OLE DB Destination"),
        &[("AccessMode", "0"), ("OpenRowset", table)],
    );
    write.conn = Some(("OleDbConnection", "Sales", CM_ID));
    write.inputs.push(Input {
        name: "OLE DB Destination Input",
        error_disp: "FailComponent",
        cols: cols
            .iter()
            .map(|(c, _)| mapped(&format!("{output}.Columns[{c}]"), c, c))
            .collect(),
        external: cols.to_vec(),
    });
    write
}

/// Source -> transformation -> Write as a package in `layout`: `into` is
/// the first path (name, source output, transformation input), `out` the
/// transformation's output.
fn save(
    dir: &std::path::Path,
    server: &TestServer,
    layout: Layout,
    comps: &[Comp],
    into: (&'static str, &str, &str),
    out: &str,
) -> std::path::PathBuf {
    let paths = vec![
        (into.0, into.1.to_string(), into.2.to_string()),
        (
            "To Write",
            out.to_string(),
            "Write.Inputs[OLE DB Destination Input]".to_string(),
        ),
    ];
    let tasks: Vec<Task> = vec![crate::dataflow_pipe::data_flow(pipeline(
        layout, comps, &paths,
    ))];
    let cms = [oledb(server)];
    let text = match layout {
        Layout::Ssdt => package_2012_with(&cms, &[], &tasks, &[]),
        Layout::Bids2008 => package_2008_with(&cms, &[], &tasks, &[]),
    };
    let path = dir.join(format!("{}_{layout:?}.dtsx", comps[1].name));
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn unpivot_makes_a_row_per_key_in_both_layouts() {
    let (server, log) = server();
    let dir = tempfile::tempdir().unwrap();
    for layout in [Layout::Ssdt, Layout::Bids2008] {
        log.lock().unwrap().clear();
        let pkg = package(dir.path(), &server, layout, "BillTo");
        let (code, out) = ssis_exec(&pkg);
        assert_eq!(code, 0, "{out}");
        let rows: Vec<Vec<Value>> = statements(&log, "INSERT INTO [dbo].[Unpivoted]")
            .into_iter()
            .map(|s| s.1)
            .collect();
        let row = |id: i64, kind: &str, name: Option<&str>| {
            vec![
                Value::Int(id),
                Value::Text(kind.into()),
                name.map_or(Value::Null, |n| Value::Text(n.into())),
            ]
        };
        // Order 2's NULL ship-to gives no row; order 3, NULL in both, one
        // row with a NULL name (as SSIS documents).
        assert_eq!(
            rows,
            [
                row(1, "ShipTo", Some("Ann")),
                row(1, "BillTo", Some("Bob")),
                row(2, "BillTo", Some("Cy")),
                row(3, "ShipTo", None),
            ]
        );
    }
}

#[test]
fn a_destination_without_a_value_for_every_key_is_refused() {
    let (server, _log) = server();
    let dir = tempfile::tempdir().unwrap();
    // Both columns keyed ShipTo: Name has no BillTo... and two ShipTo.
    let pkg = package(dir.path(), &server, Layout::Ssdt, "ShipTo");
    let (code, out) = ssis_exec(&pkg);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(
            "output column \"Name\" is not fed one input column for each pivot key value (ShipTo)"
        ),
        "{out}"
    );
}

const SALES: &str = "Sales.Outputs[OLE DB Source Output]";
const PIVOT_OUT: &str = "Pivot.Outputs[Pivot Default Output]";

/// Sales (sorted by customer) -> Pivot (a row per customer, Qty under its
/// product) -> Write; `query` picks the rows.
fn pivot_components(query: &str) -> Vec<Comp> {
    let mut source = with_props(
        comp("Sales", "Microsoft.OLEDBSource", "OLE DB Source"),
        &[("AccessMode", "2"), ("SqlCommand", query)],
    );
    source.conn = Some(("OleDbConnection", "Sales", CM_ID));
    source.outputs.push(Output {
        name: "OLE DB Source Output",
        is_error: false,
        sync: None,
        cols: vec![
            ext_col(col("Customer", "dataType=\"wstr\" length=\"10\"")),
            ext_col(col("Product", "dataType=\"wstr\" length=\"10\"")),
            ext_col(col("Qty", "dataType=\"i4\"")),
        ],
    });
    let usage = |c: &'static str, u: &str| {
        let mut i = input_col(&format!("{SALES}.Columns[{c}]"), c);
        i.props = vec![("PivotUsage", u.to_string())];
        i
    };
    let mut pivot = with_props(
        comp("Pivot", "Microsoft.Pivot", "Pivot"),
        &[("PassThroughUnmatchedPivotKeys", "true")],
    );
    pivot.inputs.push(Input {
        name: "Pivot Default Input",
        error_disp: "FailComponent",
        cols: vec![
            usage("Customer", "1"),
            usage("Product", "2"),
            usage("Qty", "3"),
        ],
        external: Vec::new(),
    });
    let out = |name: &'static str, ty: &'static str, source: &str, key: Option<&str>| {
        let mut c = col(name, ty);
        c.props = vec![("SourceColumn", format!("@{{{SALES}.Columns[{source}]}}"))];
        if let Some(k) = key {
            c.props.push(("PivotKeyValue", k.to_string()));
        }
        c
    };
    pivot.outputs.push(Output {
        name: "Pivot Default Output",
        is_error: false,
        sync: None,
        cols: vec![
            out(
                "Customer",
                "dataType=\"wstr\" length=\"10\"",
                "Customer",
                None,
            ),
            out("Soda", "dataType=\"i4\"", "Qty", Some("Soda")),
            out("Milk", "dataType=\"i4\"", "Qty", Some("Milk")),
        ],
    });
    let write = write_to(
        "[dbo].[Pivoted]",
        PIVOT_OUT,
        &[
            ("Customer", "dataType=\"wstr\" length=\"10\""),
            ("Soda", "dataType=\"i4\""),
            ("Milk", "dataType=\"i4\""),
        ],
    );
    vec![source, pivot, write]
}

fn pivot_package(
    dir: &std::path::Path,
    server: &TestServer,
    layout: Layout,
    query: &str,
) -> std::path::PathBuf {
    let into = ("To Pivot", SALES, "Pivot.Inputs[Pivot Default Input]");
    save(
        dir,
        server,
        layout,
        &pivot_components(query),
        into,
        PIVOT_OUT,
    )
}

#[test]
fn pivot_makes_a_row_per_set_in_both_layouts() {
    let (server, log) = server();
    let dir = tempfile::tempdir().unwrap();
    for layout in [Layout::Ssdt, Layout::Bids2008] {
        log.lock().unwrap().clear();
        let pkg = pivot_package(
            dir.path(),
            &server,
            layout,
            "SELECT Customer, Product, Qty FROM dbo.Sales",
        );
        let (code, out) = ssis_exec(&pkg);
        assert_eq!(code, 0, "{out}");
        let rows: Vec<Vec<Value>> = statements(&log, "INSERT INTO [dbo].[Pivoted]")
            .into_iter()
            .map(|s| s.1)
            .collect();
        let text = |s: &str| Value::Text(s.into());
        // Bob bought no milk: NULL; his tea has no column: ignored, listed.
        assert_eq!(
            rows,
            [
                vec![text("Ann"), Value::Int(1), Value::Int(2)],
                vec![text("Bob"), Value::Int(3), Value::Null],
            ]
        );
        assert!(
            out.contains("Pivot: pivot key values that match no output column, ignored: Tea."),
            "{out}"
        );
    }
}

#[test]
fn a_second_value_for_one_pivot_column_fails_the_run() {
    let (server, _log) = server();
    let dir = tempfile::tempdir().unwrap();
    let pkg = pivot_package(
        dir.path(),
        &server,
        Layout::Ssdt,
        "SELECT Customer, Product, Qty FROM dbo.Sales -- twice",
    );
    let (code, out) = ssis_exec(&pkg);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(
            "a second row of the same set has pivot key value \"Soda\" (output column \"Soda\")"
        ),
        "{out}"
    );
}
