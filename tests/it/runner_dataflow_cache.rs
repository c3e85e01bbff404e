//! The Cache connection manager and the Cache Transform through the real
//! `ssis exec` binary and the TDS test server: a first data flow fills the
//! cache from an OLE DB Source, a second one's Lookup (full cache, Cache
//! connection manager) reads it; packages in the 2014+ and 2008 layouts.
//! Refusals: a cache file (`UseFile`), a Lookup before the cache is filled,
//! mismatched column types. Duplicate index values keep the first row.

use crate::dataflow_pipe::{
    Comp, InCol, Input, Layout, Output, PathSpec, col, comp, data_flow_named, input_col, pipeline,
};
use crate::dataflow_sql_parts::{destination, source, ssis_exec, statements, with_props};
use crate::runner_execute_sql::{
    Cm, Log, Task, logging_server, oledb, package_2008_with, package_2012_with,
};
use crate::support::TestServer;
use crate::support::catalog::{Table, column};
use crate::support::tds::{ColType, DONE_COUNT, DONE_MORE, Tokens, Value};
use std::path::{Path, PathBuf};

const CACHE_ID: &str = "{CA000000-0000-0000-0000-000000000001}";
/// Where the test puts the Cache connection manager's object data.
const MARKER: &str = "CACHE-COLUMNS-GO-HERE";

/// The tables the destinations write (validation reads their columns).
const TABLES: &[Table] = &[
    (
        "[dbo].[Priced]",
        &[
            column("OrderId", "int", 4, 10, 0),
            column("Price", "decimal", 9, 10, 2),
        ],
    ),
    ("[dbo].[Unpriced]", &[column("OrderId", "int", 4, 10, 0)]),
];

/// A server with prices (East/apple twice when `duplicate`) and orders;
/// it records every statement and accepts every INSERT.
fn server(duplicate: bool) -> (TestServer, Log) {
    logging_server(TABLES, move |sql, _values, t: &mut Tokens| {
        let text = |s: &str| Value::Text(s.into());
        let nv = ColType::NVarChar(10);
        if sql == "SELECT Region, Product, Price FROM dbo.Prices" {
            t.col_metadata(&[("Region", nv), ("Product", nv), ("Price", nv)]);
            let mut rows = vec![
                ("East", "apple", "1.20"),
                ("West", "pear", "2.00"),
                ("East", "plum", "0.75"),
            ];
            if duplicate {
                rows.push(("East", "apple", "9.99"));
            }
            for (r, p, price) in &rows {
                t.row(&[(&text(r), nv), (&text(p), nv), (&text(price), nv)]);
            }
            t.done(DONE_MORE | DONE_COUNT, rows.len() as u64);
        } else if sql == "SELECT OrderId, Region, Product FROM dbo.Orders" {
            t.col_metadata(&[("OrderId", ColType::Int), ("Region", nv), ("Product", nv)]);
            let rows = [
                (1, "East", "apple"),
                (2, "West", "pear"),
                (3, "East", "fig"),
                (4, "west", "pear"),
                (5, "East", "plum"),
            ];
            for (id, r, p) in rows {
                t.row(&[
                    (&Value::Int(id), ColType::Int),
                    (&text(r), nv),
                    (&text(p), nv),
                ]);
            }
            t.done(DONE_MORE | DONE_COUNT, rows.len() as u64);
        } else if !sql.starts_with("INSERT") {
            return None;
        }
        Some(0)
    })
}

const WSTR: &str = "dataType=\"wstr\" length=\"10\"";
const PRICE: &str = "dataType=\"numeric\" precision=\"10\" scale=\"2\"";

/// Data flow 1: prices -> Cache Transform into "Prices Cache".
fn fill_cache(layout: Layout, price_type: &'static str) -> Task {
    let (comps, paths) = fill_cache_parts(price_type);
    data_flow_named("Fill Cache", pipeline(layout, &comps, &paths))
}

/// Data flow 2: orders -> Lookup on the cache -> Priced (match) and
/// Unpriced (no match).
fn price_orders(layout: Layout) -> Task {
    let (comps, paths) = price_orders_parts();
    data_flow_named("Price Orders", pipeline(layout, &comps, &paths))
}

fn fill_cache_parts(price_type: &'static str) -> (Vec<Comp>, Vec<PathSpec>) {
    let src = source(
        "Prices",
        "SELECT Region, Product, Price FROM dbo.Prices",
        &[("Region", WSTR), ("Product", WSTR), ("Price", price_type)],
    );
    let mut cache = comp("Cache Prices", "Microsoft.Cache", "Cache Transform");
    cache.conn = Some(("CacheConnection", "Prices Cache", CACHE_ID));
    let up = |c: &'static str| -> InCol {
        let mut ic = input_col(
            &format!("Prices.Outputs[OLE DB Source Output].Columns[{c}]"),
            c,
        );
        ic.props = vec![("CacheColumnName", c.to_string())];
        ic
    };
    cache.inputs.push(Input {
        name: "Cache Input",
        error_disp: "FailComponent",
        cols: vec![up("Region"), up("Product"), up("Price")],
        external: Vec::new(),
    });
    let paths = vec![(
        "Prices Output",
        "Prices.Outputs[OLE DB Source Output]".to_string(),
        "Cache Prices.Inputs[Cache Input]".to_string(),
    )];
    (vec![src, cache], paths)
}

fn price_orders_parts() -> (Vec<Comp>, Vec<PathSpec>) {
    let src = source(
        "Orders",
        "SELECT OrderId, Region, Product FROM dbo.Orders",
        &[
            ("OrderId", "dataType=\"i4\""),
            ("Region", WSTR),
            ("Product", WSTR),
        ],
    );
    let o = |c: &str| format!("Orders.Outputs[OLE DB Source Output].Columns[{c}]");
    let mut lookup = with_props(
        comp("Find Price", "Microsoft.Lookup", "Lookup"),
        &[
            ("ConnectionType", "1"),
            ("CacheType", "0"),
            ("NoMatchBehavior", "1"),
        ],
    );
    lookup.conn = Some(("CacheConnection", "Prices Cache", CACHE_ID));
    let join = |c: &'static str| {
        let mut ic = input_col(&o(c), c);
        ic.props = vec![("JoinToReferenceColumn", c.to_string())];
        ic
    };
    lookup.inputs.push(Input {
        name: "Lookup Input",
        error_disp: "FailComponent",
        cols: vec![join("Region"), join("Product")],
        external: Vec::new(),
    });
    let mut price = col("Price", PRICE);
    price.props = vec![("CopyFromReferenceColumn", "Price".into())];
    for (name, cols) in [
        ("Lookup Match Output", vec![price]),
        ("Lookup No Match Output", vec![]),
    ] {
        lookup.outputs.push(Output {
            name,
            is_error: false,
            sync: Some("Lookup Input"),
            cols,
        });
    }
    let priced = destination(
        "Write Priced",
        "[dbo].[Priced]",
        &[
            (o("OrderId"), "OrderId", "OrderId", "dataType=\"i4\""),
            (
                "Find Price.Outputs[Lookup Match Output].Columns[Price]".into(),
                "Price",
                "Price",
                PRICE,
            ),
        ],
    );
    let unpriced = destination(
        "Write Unpriced",
        "[dbo].[Unpriced]",
        &[(o("OrderId"), "OrderId", "OrderId", "dataType=\"i4\"")],
    );
    let paths = [
        (
            "Orders Output",
            "Orders.Outputs[OLE DB Source Output]".to_string(),
            "Find Price.Inputs[Lookup Input]".to_string(),
        ),
        (
            "Matched",
            "Find Price.Outputs[Lookup Match Output]".to_string(),
            "Write Priced.Inputs[OLE DB Destination Input]".to_string(),
        ),
        (
            "Not Matched",
            "Find Price.Outputs[Lookup No Match Output]".to_string(),
            "Write Unpriced.Inputs[OLE DB Destination Input]".to_string(),
        ),
    ];
    (vec![src, lookup, priced, unpriced], paths.to_vec())
}

/// The Cache connection manager's object data as SSDT (2012+, attributes)
/// or BIDS 2008 (property elements) writes it: Region and Product are the
/// index columns 1 and 2, Price a numeric(10,2).
fn cache_columns(layout: Layout, use_file: bool) -> String {
    let cols = [
        ("Region", 130, 10, 0, 0, 1),
        ("Product", 130, 10, 0, 0, 2),
        ("Price", 131, 0, 10, 2, 0),
    ];
    match layout {
        Layout::Ssdt => {
            let mut x = format!(
                "<DTS:ConnectionManager{}><DTS:CacheColumns>",
                if use_file {
                    " DTS:UseFile=\"True\" DTS:ConnectionString=\"C:\\Caches\\prices.caw\""
                } else {
                    ""
                }
            );
            for (i, (n, ty, len, prec, scale, index)) in cols.iter().enumerate() {
                x += &format!(
                    "<DTS:CacheColumn DTS:DataType=\"{ty}\" DTS:Length=\"{len}\" DTS:Precision=\"{prec}\" \
                     DTS:Scale=\"{scale}\" DTS:IndexPosition=\"{index}\" DTS:ObjectName=\"{n}\" \
                     DTS:DTSID=\"{{CC000000-0000-0000-0000-00000000000{i}}}\" DTS:CreationName=\"\" />"
                );
            }
            x + "</DTS:CacheColumns></DTS:ConnectionManager>"
        }
        Layout::Bids2008 => {
            let p = |n: &str, v: &str| format!("<DTS:Property DTS:Name=\"{n}\">{v}</DTS:Property>");
            let mut x = p("UseFile", if use_file { "-1" } else { "0" });
            if use_file {
                x += &p("ConnectionString", "C:\\Caches\\prices.caw");
            }
            for (i, (n, ty, len, prec, scale, index)) in cols.iter().enumerate() {
                x += &format!(
                    "<DTS:CacheColumn>{}{}{}{}{}{}{}{}</DTS:CacheColumn>",
                    p("IndexPosition", &index.to_string()),
                    p("DataType", &ty.to_string()),
                    p("Length", &len.to_string()),
                    p("Precision", &prec.to_string()),
                    p("Scale", &scale.to_string()),
                    p("ObjectName", n),
                    p(
                        "DTSID",
                        &format!("{{CC000000-0000-0000-0000-00000000000{i}}}")
                    ),
                    p("CreationName", ""),
                );
            }
            x
        }
    }
}

/// The package of `tasks` in `layout` with the Sales and Prices Cache
/// connection managers, written to `dir`.
fn package(
    dir: &Path,
    server: &TestServer,
    layout: Layout,
    tasks: &[Task],
    use_file: bool,
) -> PathBuf {
    let cache = Cm {
        name: "Prices Cache",
        id: CACHE_ID,
        creation: "CACHE".into(),
        connection_string: MARKER.into(),
    };
    let cms = [oledb(server), cache];
    let (name, text) = match layout {
        Layout::Ssdt => {
            let x = package_2012_with(&cms, &[], tasks, &[]);
            let at = format!("<DTS:ConnectionManager DTS:ConnectionString=\"{MARKER}\" />");
            (
                "cache_2012.dtsx",
                x.replace(&at, &cache_columns(layout, use_file)),
            )
        }
        Layout::Bids2008 => {
            let x = package_2008_with(&cms, &[], tasks, &[]);
            let at = format!("<DTS:Property DTS:Name=\"ConnectionString\">{MARKER}</DTS:Property>");
            (
                "cache_2008.dtsx",
                x.replace(&at, &cache_columns(layout, use_file)),
            )
        }
    };
    assert!(!text.contains(MARKER));
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn run(pkg: &Path) -> (i32, String) {
    ssis_exec(&["/F", pkg.to_str().unwrap(), "/REP", "EWI"])
}

#[test]
fn a_cache_transform_fills_the_cache_a_later_lookup_reads_in_both_layouts() {
    let (server, log) = server(false);
    let dir = tempfile::tempdir().unwrap();
    for layout in [Layout::Ssdt, Layout::Bids2008] {
        log.lock().unwrap().clear();
        let tasks = [fill_cache(layout, PRICE), price_orders(layout)];
        let pkg = package(dir.path(), &server, layout, &tasks, false);
        let (code, out) = run(&pkg);
        assert_eq!(code, 0, "{layout:?}: {out}");
        // Keys compare exactly: "west" (order 4) and fig (3) have no price.
        let priced = "INSERT INTO [dbo].[Priced] ([OrderId], [Price]) VALUES (@P1, @P2)";
        assert_eq!(
            statements(&log, "INSERT INTO [dbo].[Priced]"),
            vec![
                (priced.into(), vec![Value::Int(1), Value::Decimal(120, 2)]),
                (priced.into(), vec![Value::Int(2), Value::Decimal(200, 2)]),
                (priced.into(), vec![Value::Int(5), Value::Decimal(75, 2)]),
            ],
            "{layout:?}"
        );
        let unpriced = "INSERT INTO [dbo].[Unpriced] ([OrderId]) VALUES (@P1)";
        assert_eq!(
            statements(&log, "INSERT INTO [dbo].[Unpriced]"),
            vec![
                (unpriced.into(), vec![Value::Int(3)]),
                (unpriced.into(), vec![Value::Int(4)]),
            ],
            "{layout:?}"
        );
        for want in [
            "Cache Prices: The number of unique rows added to Cache connection manager 'Prices Cache' is 3.",
            "Find Price: 3 rows matched, 2 without a match; 3 reference rows cached.",
        ] {
            assert!(out.contains(want), "{layout:?}: {want}: {out}");
        }
        // Validation read both destinations' tables from the server.
        let described: Vec<Value> = statements(&log, "SELECT col.name")
            .into_iter()
            .flat_map(|(_, v)| v)
            .collect();
        for table in ["[dbo].[Priced]", "[dbo].[Unpriced]"] {
            assert!(
                described.contains(&Value::Text(table.into())),
                "{layout:?}: {out}"
            );
        }
        assert!(!out.contains("could not be read"), "{layout:?}: {out}");
    }
}

#[test]
fn a_lookup_whose_cache_was_not_filled_fails_naming_the_manager() {
    let (server, log) = server(false);
    let dir = tempfile::tempdir().unwrap();
    for layout in [Layout::Ssdt, Layout::Bids2008] {
        log.lock().unwrap().clear();
        let pkg = package(dir.path(), &server, layout, &[price_orders(layout)], false);
        let (code, out) = run(&pkg);
        assert_eq!(code, 1, "{layout:?}: {out}");
        assert!(
            out.contains(
                "component \"Find Price\": Cache connection manager 'Prices Cache' has not been \
                 filled: no Cache Transform wrote to it earlier in this run (the Lookup must run \
                 in a later data flow than the Cache Transform that fills it)"
            ),
            "{layout:?}: {out}"
        );
        assert!(statements(&log, "INSERT").is_empty(), "{layout:?}");
    }
}

#[test]
fn a_cache_file_is_refused_before_anything_runs() {
    let (server, log) = server(false);
    let dir = tempfile::tempdir().unwrap();
    for layout in [Layout::Ssdt, Layout::Bids2008] {
        log.lock().unwrap().clear();
        let tasks = [fill_cache(layout, PRICE), price_orders(layout)];
        let pkg = package(dir.path(), &server, layout, &tasks, true);
        let (code, out) = run(&pkg);
        assert_eq!(code, 1, "{layout:?}: {out}");
        let why = "Cache connection manager 'Prices Cache' uses a cache file \
                   (C:\\Caches\\prices.caw): .caw cache files are not supported, because their \
                   format is not publicly documented";
        for comp in ["Cache Prices", "Find Price"] {
            assert!(
                out.contains(&format!("component \"{comp}\": {why}")),
                "{layout:?}: {comp}: {out}"
            );
        }
        assert!(log.lock().unwrap().is_empty(), "nothing ran: {layout:?}");
    }
}

#[test]
fn duplicate_index_values_keep_the_first_row_and_mismatched_types_fail() {
    let (server, log) = server(true);
    let dir = tempfile::tempdir().unwrap();
    let layout = Layout::Ssdt;
    let tasks = [fill_cache(layout, PRICE), price_orders(layout)];
    let pkg = package(dir.path(), &server, layout, &tasks, false);
    let (code, out) = run(&pkg);
    // SSIS's Cache Transform writes only unique rows: East/apple's second
    // row (9.99) is not added, and the Lookup finds the first (1.20).
    assert_eq!(code, 0, "{out}");
    let priced = "INSERT INTO [dbo].[Priced] ([OrderId], [Price]) VALUES (@P1, @P2)";
    assert_eq!(
        statements(&log, "INSERT INTO [dbo].[Priced]")[0],
        (priced.into(), vec![Value::Int(1), Value::Decimal(120, 2)]),
        "{out}"
    );
    for want in [
        "Cache Prices: input row 4 has the key Region = \"East\", Product = \"apple\" of an \
         earlier row and was not added to Cache connection manager 'Prices Cache'",
        "Cache Prices: The number of unique rows added to Cache connection manager 'Prices \
         Cache' is 3 (1 row with a key already in the cache was not added).",
    ] {
        assert!(out.contains(want), "{want}: {out}");
    }
    // Price as DT_WSTR into the numeric cache column: refused up front.
    log.lock().unwrap().clear();
    let tasks = [fill_cache(layout, WSTR), price_orders(layout)];
    let pkg = package(dir.path(), &server, layout, &tasks, false);
    let (code, out) = run(&pkg);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(
            "component \"Cache Prices\": input column \"Price\" is DT_WSTR(10) but cache column \
             \"Price\" of 'Prices Cache' is DT_NUMERIC(10, 2): the data types must match"
        ),
        "{out}"
    );
    assert!(log.lock().unwrap().is_empty(), "nothing ran: {out}");
}

#[test]
fn a_lookup_in_the_data_flow_that_fills_its_cache_is_refused_up_front() {
    let (server, log) = server(false);
    let dir = tempfile::tempdir().unwrap();
    for layout in [Layout::Ssdt, Layout::Bids2008] {
        log.lock().unwrap().clear();
        let (mut comps, mut paths) = fill_cache_parts(PRICE);
        let (more, more_paths) = price_orders_parts();
        comps.extend(more);
        paths.extend(more_paths);
        let both = data_flow_named("Fill And Price", pipeline(layout, &comps, &paths));
        let pkg = package(dir.path(), &server, layout, &[both], false);
        let (code, out) = run(&pkg);
        assert_eq!(code, 1, "{layout:?}: {out}");
        assert!(
            out.contains(
                "component \"Find Price\": Cache connection manager 'Prices Cache' is filled by \
                 \"Cache Prices\" in this same data flow; a Lookup reads a cache filled by an \
                 earlier data flow, so move the Lookup to a data flow that runs after this one"
            ),
            "{layout:?}: {out}"
        );
        assert!(log.lock().unwrap().is_empty(), "nothing ran: {layout:?}");
    }
}
