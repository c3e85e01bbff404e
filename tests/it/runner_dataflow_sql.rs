//! Data flows against SQL Server through the real `ssis exec` binary and
//! the TDS test server (which records every statement that reaches it):
//! OLE DB Source with a parameter, Lookup (full cache, two join columns,
//! no-match output, failures), OLE DB Destination with and without fast
//! load and an error output, ADO.NET Source and Destination, and a
//! Recordset Destination walked by a Foreach ADO loop; packages in the
//! 2014+ and 2008 layouts.

use crate::dataflow_pipe::{
    Comp, InCol, Input, Layout, Output, col, comp, data_flow, data_flow_named, error_cols,
    input_col, pipeline,
};
use crate::runner_execute_sql::{
    CM_ID, Cm, Log, Task, Var, foreach_ado, logging_server, oledb, package_2008_with,
    package_2012_with, param, sql_task,
};
use crate::support::catalog::{Table, column};
use crate::support::tds::{ColType, DONE_COUNT, DONE_MORE, Tokens, Value};
use crate::support::{ADMIN_PASSWORD, ADMIN_USER, TestServer};
use std::path::PathBuf;

const ADO_ID: &str = "{C0000000-0000-0000-0000-000000000002}";
/// DTSID of the first variable the package generator declares.
const VAR0: &str = "{9A000000-0000-0000-0000-000000000000}";

pub(crate) fn ssis_exec(pkg: &std::path::Path) -> (i32, String) {
    crate::common::exec_process(&["/F", pkg.to_str().unwrap(), "/REP", "EWI"])
}

/// The tables the table-mode components name, as `sys.columns` describes
/// them (validation and the fast load ask): Sales has an identity.
const TABLES: &[Table] = &[
    (
        "[dbo].[Orders]",
        &[
            column("OrderId", "int", 4, 10, 0),
            column("Region", "nvarchar", 20, 0, 0),
            column("Product", "nvarchar", 20, 0, 0),
            column("Qty", "int", 4, 10, 0),
        ],
    ),
    (
        "[dbo].[Sales]",
        &[
            column("Seq", "int", 4, 10, 0).identity(),
            column("Id", "int", 4, 10, 0),
            column("Region", "nvarchar", 20, 0, 0),
            column("Price", "decimal", 9, 10, 2),
            column("Note", "nvarchar", 40, 0, 0),
        ],
    ),
    (
        "[dbo].[SalesKeyed]",
        &[
            column("Id", "int", 4, 10, 0).identity(),
            column("Region", "nvarchar", 20, 0, 0),
            column("Price", "decimal", 9, 10, 2),
        ],
    ),
    (
        "[dbo].[Unpriced]",
        &[
            column("OrderId", "int", 4, 10, 0),
            column("Product", "nvarchar", 20, 0, 0),
        ],
    ),
    (
        "[dbo].[Prices]",
        &[
            column("Region", "nvarchar", 20, 0, 0),
            column("Product", "nvarchar", 20, 0, 0),
            column("Price", "nvarchar", 20, 0, 0),
        ],
    ),
    (
        "[dbo].[PriceCopy]",
        &[
            column("Name", "nvarchar", 20, 0, 0),
            column("Price", "money", 8, 19, 4),
        ],
    ),
];

/// A server with orders, prices, and a primary key on Unpriced that
/// refuses order 4.
fn server() -> (TestServer, Log) {
    logging_server(TABLES, move |sql, values, t: &mut Tokens| {
        let text = |s: &str| (Value::Text(s.into()), ColType::NVarChar(10));
        let whole_table = sql == "SELECT * FROM [dbo].[Orders]";
        if whole_table
            || sql.starts_with("SELECT OrderId, Region, Product, Qty FROM dbo.Orders WHERE Qty >= @P1")
        {
            let min = if whole_table {
                0
            } else {
                values.first().and_then(Value::as_int).unwrap_or(0)
            };
            t.col_metadata(&[
                ("OrderId", ColType::Int),
                ("Region", ColType::NVarChar(10)),
                ("Product", ColType::NVarChar(10)),
                ("Qty", ColType::Int),
            ]);
            let rows = [
                (1, "East", "apple", 5),
                (2, "West", "pear", 3),
                (3, "East", "fig", 4),
                (4, "west", "pear", 9),
                (5, "East", "plum", 1),
                // The whole table has a second East/apple order.
                (6, "East", "apple", 2),
            ];
            let mut n = 0;
            let last = if whole_table { 6 } else { 5 };
            for (id, region, product, qty) in rows[..last].iter().copied().filter(|r| r.3 >= min) {
                let (r, p) = (text(region), text(product));
                t.row(&[
                    (&Value::Int(id), ColType::Int),
                    (&r.0, r.1),
                    (&p.0, p.1),
                    (&Value::Int(qty), ColType::Int),
                ]);
                n += 1;
            }
            t.done_in_proc(DONE_MORE | DONE_COUNT, 0xC1, n);
        } else if sql.eq_ignore_ascii_case("select * from [dbo].[Prices]") {
            t.col_metadata(&[
                ("Region", ColType::NVarChar(10)),
                ("Product", ColType::NVarChar(10)),
                ("Price", ColType::NVarChar(10)),
            ]);
            // East/apple twice: the first wins.
            for (r, p, price) in [
                ("East", "apple", "1.20"),
                ("West", "pear", "2.00"),
                ("East", "apple", "9.99"),
                ("East", "plum", "0.75"),
            ] {
                let (a, b, c) = (text(r), text(p), text(price));
                t.row(&[(&a.0, a.1), (&b.0, b.1), (&c.0, c.1)]);
            }
            t.done(DONE_MORE | DONE_COUNT, 4);
        } else if sql.starts_with("select * from (select * from [dbo].[Prices]) [refTable] where [refTable].[Region] = @P1 and [refTable].[Product] = @P2") {
            // As a case-insensitive collation compares.
            let want = |i: usize| values.get(i).and_then(Value::as_text).unwrap_or("").to_lowercase();
            t.col_metadata(&[
                ("Region", ColType::NVarChar(10)),
                ("Product", ColType::NVarChar(10)),
                ("Price", ColType::NVarChar(10)),
            ]);
            let mut n = 0;
            for (r, p, price) in [("East", "apple", "1.20"), ("West", "pear", "2.00")] {
                if r.to_lowercase() == want(0) && p.to_lowercase() == want(1) {
                    let (a, b, c) = (text(r), text(p), text(price));
                    t.row(&[(&a.0, a.1), (&b.0, b.1), (&c.0, c.1)]);
                    n += 1;
                }
            }
            t.done_in_proc(DONE_MORE | DONE_COUNT, 0xC1, n);
        } else if sql.starts_with("INSERT INTO [dbo].[Unpriced]")
            && values.first() == Some(&Value::Int(4))
        {
            t.error(
                2627,
                14,
                "Violation of PRIMARY KEY constraint 'PK_Unpriced'.",
                "",
            );
            return Some(1);
        } else if !sql.starts_with("INSERT")
            && !sql.starts_with("UPDATE")
            && !sql.starts_with("SET IDENTITY_INSERT")
            && !sql.starts_with("BULK LOAD")
        {
            return None;
        }
        Some(0)
    })
}

pub(crate) fn ado(server: &TestServer) -> Cm {
    Cm {
        name: "SalesAdo",
        id: ADO_ID,
        creation: "ADO.NET:System.Data.SqlClient.SqlConnection, System.Data, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089".into(),
        connection_string: format!(
            "Data Source={};User ID={ADMIN_USER};Password={ADMIN_PASSWORD};Initial Catalog=Sales;Application Name=SSIS-Pkg;",
            server.server_name()
        ),
    }
}

pub(crate) fn ext_col(mut c: crate::dataflow_pipe::OutCol) -> crate::dataflow_pipe::OutCol {
    c.external = true;
    c
}

pub(crate) fn with_props(mut c: Comp, props: &[(&'static str, &str)]) -> Comp {
    c.props = props.iter().map(|(n, v)| (*n, v.to_string())).collect();
    c
}

pub(crate) fn mapped(upstream: &str, name: &'static str, external: &'static str) -> InCol {
    let mut c = input_col(upstream, name);
    c.external = Some(external);
    c
}

const SRC: &str = "Orders.Outputs[OLE DB Source Output].Columns";

/// A Recordset Destination `Keep` filling `User::Rows` with two columns of
/// `output`, and the path `name` to it.
pub(crate) fn keep_rows(
    name: &'static str,
    output: &str,
    cols: [&'static str; 2],
) -> (Comp, Vec<(&'static str, String, String)>) {
    let mut rs = with_props(
        comp(
            "Keep",
            "Microsoft.RecordsetDestination",
            "Recordset Destination",
        ),
        &[("VariableName", "User::Rows")],
    );
    rs.inputs.push(Input {
        name: "Recordset Destination Input",
        error_disp: "FailComponent",
        cols: cols
            .iter()
            .map(|c| input_col(&format!("{output}.Columns[{c}]"), c))
            .collect(),
        external: Vec::new(),
    });
    let path = (
        name,
        output.to_string(),
        "Keep.Inputs[Recordset Destination Input]".to_string(),
    );
    (rs, vec![path])
}

/// A Foreach ADO loop over `User::Rows` inserting each row's two values
/// into `loaded`.
pub(crate) fn note_each_row() -> Task {
    foreach_ado(
        "Each Row",
        "User::Rows",
        vec![(0, "User::RejId"), (1, "User::RejCode")],
        vec![sql_task(
            "Note",
            "SQLTask:SqlStatementSource=\"INSERT INTO loaded VALUES (?, ?)\"",
            &(param("0", "User::RejId", "Input", 3) + &param("1", "User::RejCode", "Input", 3)),
        )],
    )
}

/// OLE DB Source -> Lookup -> (match) fast load into Sales, (no match)
/// row-by-row into Unpriced -> (error output) Recordset; ADO.NET Source ->
/// ADO.NET Destination beside it.
fn components(no_match_behavior: &str, lookup_disposition: &'static str) -> Vec<Comp> {
    let source = {
        let mut c = with_props(
            comp("Orders", "Microsoft.OLEDBSource", "OLE DB Source"),
            &[
                ("AccessMode", "2"),
                (
                    "SqlCommand",
                    "SELECT OrderId, Region, Product, Qty FROM dbo.Orders WHERE Qty >= ?",
                ),
                ("ParameterMapping", &format!("\"Parameter0:Input\",{VAR0};")),
                ("CommandTimeout", "0"),
            ],
        );
        c.conn = Some(("OleDbConnection", "Sales", CM_ID));
        c.outputs.push(Output {
            name: "OLE DB Source Output",
            is_error: false,
            sync: None,
            cols: vec![
                ext_col(col("OrderId", "dataType=\"i4\"")),
                ext_col(col("Region", "dataType=\"wstr\" length=\"10\"")),
                ext_col(col("Product", "dataType=\"wstr\" length=\"10\"")),
                ext_col(col("Qty", "dataType=\"i4\"")),
            ],
        });
        c
    };
    let lookup = {
        let mut c = with_props(
            comp("Find Price", "Microsoft.Lookup", "Lookup"),
            &[
                ("SqlCommand", "select * from [dbo].[Prices]"),
                ("ConnectionType", "0"),
                ("CacheType", "0"),
                ("NoMatchBehavior", no_match_behavior),
                ("TreatDuplicateKeysAsError", "false"),
                (
                    "SqlCommandParam",
                    "select * from (select * from [dbo].[Prices]) [refTable] where [refTable].[Region] = ? and [refTable].[Product] = ?",
                ),
                (
                    "ParameterMap",
                    "@{Orders.Outputs[OLE DB Source Output].Columns[Region]};@{Orders.Outputs[OLE DB Source Output].Columns[Product]};",
                ),
            ],
        );
        c.conn = Some(("OleDbConnection", "Sales", CM_ID));
        let join = |name: &'static str| {
            let mut ic = input_col(&format!("{SRC}[{name}]"), name);
            ic.props = vec![
                ("JoinToReferenceColumn", name.to_string()),
                ("CopyFromReferenceColumn", String::new()),
            ];
            ic
        };
        c.inputs.push(Input {
            name: "Lookup Input",
            error_disp: lookup_disposition,
            cols: vec![join("Region"), join("Product")],
            external: Vec::new(),
        });
        let mut price = col("Price", "dataType=\"numeric\" precision=\"10\" scale=\"2\"");
        price.props = vec![("CopyFromReferenceColumn", "Price".into())];
        c.outputs.push(Output {
            name: "Lookup Match Output",
            is_error: false,
            sync: Some("Lookup Input"),
            cols: vec![price],
        });
        c.outputs.push(Output {
            name: "Lookup No Match Output",
            is_error: false,
            sync: Some("Lookup Input"),
            cols: Vec::new(),
        });
        c.outputs.push(Output {
            name: "Lookup Error Output",
            is_error: true,
            sync: Some("Lookup Input"),
            cols: error_cols(),
        });
        c
    };
    let sales = {
        let mut c = with_props(
            comp(
                "Write Sales",
                "Microsoft.OLEDBDestination",
                "OLE DB Destination",
            ),
            &[
                ("AccessMode", "3"),
                ("OpenRowset", "[dbo].[Sales]"),
                ("FastLoadKeepIdentity", "false"),
                ("FastLoadOptions", "TABLOCK,CHECK_CONSTRAINTS"),
            ],
        );
        c.conn = Some(("OleDbConnection", "Sales", CM_ID));
        c.inputs.push(Input {
            name: "OLE DB Destination Input",
            error_disp: "FailComponent",
            cols: vec![
                mapped(&format!("{SRC}[OrderId]"), "OrderId", "Id"),
                mapped(&format!("{SRC}[Region]"), "Region", "Region"),
                mapped(
                    "Find Price.Outputs[Lookup Match Output].Columns[Price]",
                    "Price",
                    "Price",
                ),
            ],
            external: vec![
                ("Id", "dataType=\"i4\""),
                ("Region", "dataType=\"wstr\" length=\"10\""),
                ("Price", "dataType=\"numeric\" precision=\"10\" scale=\"2\""),
            ],
        });
        c
    };
    let unpriced = {
        let mut c = with_props(
            comp(
                "Write Unpriced",
                "Microsoft.OLEDBDestination",
                "OLE DB Destination",
            ),
            &[("AccessMode", "0"), ("OpenRowset", "dbo.Unpriced")],
        );
        c.conn = Some(("OleDbConnection", "Sales", CM_ID));
        c.inputs.push(Input {
            name: "OLE DB Destination Input",
            error_disp: "RedirectRow",
            cols: vec![
                mapped(&format!("{SRC}[OrderId]"), "OrderId", "OrderId"),
                mapped(&format!("{SRC}[Product]"), "Product", "Product"),
            ],
            external: vec![
                ("OrderId", "dataType=\"i4\""),
                ("Product", "dataType=\"wstr\" length=\"10\""),
            ],
        });
        c.outputs.push(Output {
            name: "OLE DB Destination Error Output",
            is_error: true,
            sync: Some("OLE DB Destination Input"),
            cols: error_cols(),
        });
        c
    };
    let rejected = {
        let mut c = with_props(
            comp(
                "Rejected",
                "Microsoft.RecordsetDestination",
                "Recordset Destination",
            ),
            &[("VariableName", "User::Rejected")],
        );
        c.inputs.push(Input {
            name: "Recordset Destination Input",
            error_disp: "FailComponent",
            cols: vec![
                input_col(&format!("{SRC}[OrderId]"), "OrderId"),
                input_col(
                    "Write Unpriced.Outputs[OLE DB Destination Error Output].Columns[ErrorCode]",
                    "ErrorCode",
                ),
            ],
            external: Vec::new(),
        });
        c
    };
    let ado_source = {
        let mut c = with_props(
            comp(
                "Prices",
                "Microsoft.SqlServer.Dts.Pipeline.DataReaderSourceAdapter, Microsoft.SqlServer.ADONETSrc, Version=13.0.0.0, Culture=neutral, PublicKeyToken=89845dcd8080cc91",
                "ADO NET Source",
            ),
            &[
                ("AccessMode", "0"),
                ("TableOrViewName", "\"dbo\".\"Prices\""),
            ],
        );
        c.conn = Some(("IDbConnection", "SalesAdo", ADO_ID));
        c.outputs.push(Output {
            name: "ADO NET Source Output",
            is_error: false,
            sync: None,
            cols: vec![
                ext_col(col("Product", "dataType=\"wstr\" length=\"10\"")),
                ext_col(col("Price", "dataType=\"cy\"")),
            ],
        });
        c
    };
    let ado_dest = {
        let mut c = with_props(
            comp(
                "Copy Prices",
                "Microsoft.SqlServer.Dts.Pipeline.ADONETDestination, Microsoft.SqlServer.ADONETDest, Version=13.0.0.0, Culture=neutral, PublicKeyToken=89845dcd8080cc91",
                "ADO NET Destination",
            ),
            &[
                ("TableOrViewName", "\"dbo\".\"PriceCopy\""),
                ("BatchSize", "0"),
            ],
        );
        c.conn = Some(("IDbConnection", "SalesAdo", ADO_ID));
        c.inputs.push(Input {
            name: "ADO NET Destination Input",
            error_disp: "FailComponent",
            cols: vec![
                mapped(
                    "Prices.Outputs[ADO NET Source Output].Columns[Product]",
                    "Product",
                    "Name",
                ),
                mapped(
                    "Prices.Outputs[ADO NET Source Output].Columns[Price]",
                    "Price",
                    "Price",
                ),
            ],
            external: vec![
                ("Name", "dataType=\"wstr\" length=\"10\""),
                ("Price", "dataType=\"cy\""),
            ],
        });
        c
    };
    let touch = {
        let mut c = with_props(
            comp("Touch", "Microsoft.OLEDBCommand", "OLE DB Command"),
            &[(
                "SqlCommand",
                "UPDATE stock SET seen = 1 WHERE product = ? AND price > ?",
            )],
        );
        c.conn = Some(("OleDbConnection", "Sales", CM_ID));
        let prices = "Prices.Outputs[ADO NET Source Output].Columns";
        c.inputs.push(Input {
            name: "OLE DB Command Input",
            error_disp: "FailComponent",
            cols: vec![
                mapped(&format!("{prices}[Price]"), "Price", "Param_1"),
                mapped(&format!("{prices}[Product]"), "Product", "Param_0"),
            ],
            external: vec![
                ("Param_0", "dataType=\"wstr\" length=\"10\""),
                ("Param_1", "dataType=\"cy\""),
            ],
        });
        c.outputs.push(Output {
            name: "OLE DB Command Output",
            is_error: false,
            sync: Some("OLE DB Command Input"),
            cols: Vec::new(),
        });
        c
    };
    vec![
        source, lookup, sales, unpriced, rejected, ado_source, touch, ado_dest,
    ]
}

fn paths() -> Vec<(&'static str, String, String)> {
    vec![
        (
            "Orders Out",
            "Orders.Outputs[OLE DB Source Output]".into(),
            "Find Price.Inputs[Lookup Input]".into(),
        ),
        (
            "Matched",
            "Find Price.Outputs[Lookup Match Output]".into(),
            "Write Sales.Inputs[OLE DB Destination Input]".into(),
        ),
        (
            "Unmatched",
            "Find Price.Outputs[Lookup No Match Output]".into(),
            "Write Unpriced.Inputs[OLE DB Destination Input]".into(),
        ),
        (
            "Refused",
            "Write Unpriced.Outputs[OLE DB Destination Error Output]".into(),
            "Rejected.Inputs[Recordset Destination Input]".into(),
        ),
        (
            "Prices Out",
            "Prices.Outputs[ADO NET Source Output]".into(),
            "Touch.Inputs[OLE DB Command Input]".into(),
        ),
        (
            "Touched",
            "Touch.Outputs[OLE DB Command Output]".into(),
            "Copy Prices.Inputs[ADO NET Destination Input]".into(),
        ),
    ]
}

/// The package in both layouts: the data flow, then a Foreach ADO loop
/// over User::Rejected inserting each row into `rejected`.
fn packages(
    dir: &std::path::Path,
    server: &TestServer,
    edit: impl Fn(String) -> String,
) -> Vec<PathBuf> {
    let vars: Vec<Var> = vec![
        ("MinQty", 3, "2".into()),
        ("Rejected", 13, String::new()),
        ("RejId", 3, "0".into()),
        ("RejCode", 3, "0".into()),
        (
            "OrdersSql",
            8,
            "SELECT OrderId, Region, Product, Qty FROM dbo.Orders WHERE Qty >= ?".into(),
        ),
        ("OrdersTable", 8, "dbo.Orders".into()),
    ];
    let cms = [oledb(server), ado(server)];
    let mut out = Vec::new();
    for layout in [Layout::Ssdt, Layout::Bids2008] {
        let tasks: Vec<Task> = vec![
            data_flow(edit(pipeline(
                layout,
                &components("1", "FailComponent"),
                &paths(),
            ))),
            foreach_ado(
                "Each Rejected",
                "User::Rejected",
                vec![(0, "User::RejId"), (1, "User::RejCode")],
                vec![sql_task(
                    "Note",
                    "SQLTask:SqlStatementSource=\"INSERT INTO rejected VALUES (?, ?)\"",
                    &(param("0", "User::RejId", "Input", 3)
                        + &param("1", "User::RejCode", "Input", 3)),
                )],
            ),
        ];
        let (name, text) = match layout {
            Layout::Ssdt => ("sql_2012.dtsx", package_2012_with(&cms, &vars, &tasks, &[])),
            Layout::Bids2008 => ("sql_2008.dtsx", package_2008_with(&cms, &vars, &tasks, &[])),
        };
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        out.push(path);
    }
    out
}

/// Every value the bulk loads into Sales sent, with its column.
fn bulk_rows(log: &Log) -> Vec<(&'static str, Value)> {
    let names = ["Id", "Region", "Price"];
    statements(log, "BULK LOAD [dbo].[Sales]")
        .into_iter()
        .flat_map(|(_, v)| v)
        .enumerate()
        .map(|(i, v)| (names[i % 3], v))
        .collect()
}

/// `package` with the property `name` changed from `from` to `to`.
pub(crate) fn set_property(package: String, name: &str, from: &str, to: &str) -> String {
    let property = |v: &str| format!("<property name=\"{name}\">{v}</property>");
    edited(package, &property(from), &property(to))
}

/// `package` with `from` replaced by `to`; `from` must be there, or the
/// edit would change nothing and the test would prove nothing.
pub(crate) fn edited(package: String, from: &str, to: &str) -> String {
    assert!(package.contains(from), "the package has no {from}");
    package.replace(from, to)
}

pub(crate) fn statements(log: &Log, prefix: &str) -> Vec<(String, Vec<Value>)> {
    log.lock()
        .unwrap()
        .iter()
        .filter(|(s, _)| s.starts_with(prefix))
        .cloned()
        .collect()
}

#[test]
fn oledb_source_lookup_destinations_and_recordset_in_both_layouts() {
    let (server, log) = server();
    let dir = tempfile::tempdir().unwrap();
    for pkg in packages(dir.path(), &server, |p| p) {
        log.lock().unwrap().clear();
        let (code, out) = ssis_exec(&pkg);
        assert_eq!(code, 0, "{}: {out}", pkg.display());
        let text = |s: &str| Value::Text(s.into());
        // The source's parameter came from User::MinQty (order 5 is left out).
        assert_eq!(
            statements(&log, "SELECT OrderId")[0].1,
            vec![Value::Int(2)],
            "{}",
            pkg.display()
        );
        // Fast load: one bulk load of the matched rows (apple at its first
        // price, pear): the table's columns from sys.columns, INSERT BULK
        // naming the mapped columns (the unmapped Note and the identity Seq
        // take their defaults) with the hints of FastLoadOptions, then the
        // rows with Price at the column's scale.
        assert_eq!(
            statements(&log, "SELECT c.name")[0].1,
            vec![text("[dbo].[Sales]")]
        );
        assert_eq!(
            statements(&log, "SELECT TOP 0")[0].0,
            "SELECT TOP 0 [Id], [Region], [Price] FROM [dbo].[Sales]"
        );
        // (tiberius declares nvarchar by its length in bytes.)
        assert_eq!(
            statements(&log, "INSERT BULK [dbo].[Sales]"),
            vec![(
                "INSERT BULK [dbo].[Sales] ([Id] int, [Region] nvarchar(20), [Price] decimal(10,2)) WITH (CHECK_CONSTRAINTS, TABLOCK)".into(),
                vec![]
            )],
            "{}",
            pkg.display()
        );
        let row = |id: i64, region: &str, price: Option<i128>| {
            vec![
                ("Id", Value::Int(id)),
                ("Region", text(region)),
                ("Price", price.map_or(Value::Null, |p| Value::Decimal(p, 2))),
            ]
        };
        assert_eq!(
            bulk_rows(&log),
            [row(1, "East", Some(120)), row(2, "West", Some(200))].concat(),
            "{}",
            pkg.display()
        );
        assert!(statements(&log, "INSERT INTO [dbo].[Sales]").is_empty());
        // Without a match (fig; "west" differs in case): row by row.
        assert_eq!(
            statements(&log, "INSERT INTO [dbo].[Unpriced]"),
            vec![
                (
                    "INSERT INTO [dbo].[Unpriced] ([OrderId], [Product]) VALUES (@P1, @P2)".into(),
                    vec![Value::Int(3), text("fig")]
                ),
                (
                    "INSERT INTO [dbo].[Unpriced] ([OrderId], [Product]) VALUES (@P1, @P2)".into(),
                    vec![Value::Int(4), text("pear")]
                ),
            ],
            "{}",
            pkg.display()
        );
        // Order 4, refused by the server, went to the error output, into
        // the recordset, and through the Foreach ADO loop.
        assert_eq!(
            statements(&log, "INSERT INTO rejected"),
            vec![(
                "INSERT INTO rejected VALUES (@P1, @P2)".into(),
                vec![Value::Int(4), Value::Int(-1071636471)]
            )],
            "{}",
            pkg.display()
        );
        // ADO.NET: the table's rows bulk loaded, Price as money (DT_CY).
        assert_eq!(
            statements(&log, "INSERT BULK [dbo].[PriceCopy]")[0].0,
            "INSERT BULK [dbo].[PriceCopy] ([Name] nvarchar(20), [Price] money)"
        );
        let copies: Vec<Vec<Value>> = statements(&log, "BULK LOAD [dbo].[PriceCopy]")
            .into_iter()
            .map(|s| s.1)
            .collect();
        assert_eq!(copies.len(), 1, "{copies:?}");
        assert_eq!(
            copies[0][..4],
            [
                text("apple"),
                Value::Decimal(12000, 4),
                text("pear"),
                Value::Decimal(20000, 4)
            ]
        );
        // OLE DB Command: once per row, parameters by Param_N.
        let updates = statements(&log, "UPDATE stock");
        assert_eq!(updates.len(), 4, "{updates:?}");
        assert_eq!(
            updates[0],
            (
                "UPDATE stock SET seen = 1 WHERE product = @P1 AND price > @P2".into(),
                vec![text("apple"), Value::Decimal(12000, 4)]
            )
        );
        assert_eq!(updates[3].1[0], text("plum"));
        assert!(!out.contains("runs as INSERT statements"), "{out}");
        for want in [
            "Touch: ran the command for 4 rows.",
            "Find Price: 2 rows matched, 2 without a match; 3 reference rows cached (1 duplicate keys ignored).",
            "Write Sales: wrote 2 rows.",
            "Write Unpriced: wrote 1 rows.",
            "Rejected: stored 1 rows in User::Rejected.",
            "Orders: read 4 rows.",
        ] {
            assert!(out.contains(want), "{want}: {out}");
        }
    }
}

#[test]
fn sql_server_destination_loads_as_a_fast_load_does() {
    let (server, log) = server();
    let dir = tempfile::tempdir().unwrap();
    // Write Sales as a SQL Server Destination: its table and hints in the
    // BulkInsert* properties (the 2008 layout names it by contact only).
    let edit = |p: String| {
        let replaced = p
            .replace(
                "name=\"Write Sales\" componentClassID=\"Microsoft.OLEDBDestination\" contactInfo=\"OLE DB Destination;",
                "name=\"Write Sales\" componentClassID=\"Microsoft.SQLServerDestination\" contactInfo=\"SQL Server Destination;",
            )
            .replace(
                "name=\"Write Sales\" componentClassID=\"{00000000-0000-0000-0000-00000000C1D0}\" contactInfo=\"OLE DB Destination;",
                "name=\"Write Sales\" componentClassID=\"{00000000-0000-0000-0000-00000000C1D0}\" contactInfo=\"SQL Server Destination;",
            )
            .replace(
                "<property name=\"AccessMode\">3</property><property name=\"OpenRowset\">[dbo].[Sales]</property><property name=\"FastLoadKeepIdentity\">false</property><property name=\"FastLoadOptions\">TABLOCK,CHECK_CONSTRAINTS</property>",
                "<property name=\"BulkInsertTableName\">[dbo].[Sales]</property><property name=\"BulkInsertTablock\">true</property><property name=\"BulkInsertCheckConstraints\">true</property><property name=\"BulkInsertFirstRow\">-1</property><property name=\"MaxInsertCommitSize\">0</property>",
            );
        assert_eq!(
            replaced.matches("SQL Server Destination;").count(),
            1,
            "{p}"
        );
        assert!(replaced.contains("BulkInsertTableName"), "{p}");
        replaced
    };
    for pkg in packages(dir.path(), &server, edit) {
        log.lock().unwrap().clear();
        let (code, out) = ssis_exec(&pkg);
        assert_eq!(code, 0, "{}: {out}", pkg.display());
        // Validated against the table, then the same bulk load.
        assert_eq!(
            statements(&log, "SELECT TOP 0")[0].0,
            "SELECT TOP 0 [Id], [Region], [Price] FROM [dbo].[Sales]"
        );
        assert_eq!(
            statements(&log, "INSERT BULK [dbo].[Sales]"),
            vec![(
                "INSERT BULK [dbo].[Sales] ([Id] int, [Region] nvarchar(20), [Price] decimal(10,2)) WITH (CHECK_CONSTRAINTS, TABLOCK)".into(),
                vec![]
            )],
            "{}",
            pkg.display()
        );
        let text = |s: &str| Value::Text(s.into());
        let row = |id: i64, region: &str, price: i128| {
            vec![
                ("Id", Value::Int(id)),
                ("Region", text(region)),
                ("Price", Value::Decimal(price, 2)),
            ]
        };
        assert_eq!(
            bulk_rows(&log),
            [row(1, "East", 120), row(2, "West", 200)].concat()
        );
        assert!(out.contains("Write Sales: wrote 2 rows."), "{out}");
    }
    // Loading part of the rows is refused by name.
    let part = |p: String| {
        edit(p).replace(
            "<property name=\"BulkInsertFirstRow\">-1</property>",
            "<property name=\"BulkInsertFirstRow\">5</property>",
        )
    };
    let pkg = &packages(dir.path(), &server, part)[0];
    let (code, out) = ssis_exec(pkg);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("BulkInsertFirstRow is 5: loading only part of the rows is not supported"),
        "{out}"
    );
}

#[test]
fn lookup_without_a_match_fails_or_redirects_by_the_inputs_disposition() {
    let (server, log) = server();
    let dir = tempfile::tempdir().unwrap();
    // NoMatchBehavior 0: a row without a match is an error; FailComponent.
    let edit = |p: String| set_property(p, "NoMatchBehavior", "1", "0");
    for pkg in packages(dir.path(), &server, edit) {
        log.lock().unwrap().clear();
        let (code, out) = ssis_exec(&pkg);
        assert_eq!(code, 1, "{}: {out}", pkg.display());
        assert!(
            out.contains("Find Price: row 3 yielded no match during lookup"),
            "{out}"
        );
        assert!(statements(&log, "INSERT INTO rejected").is_empty());
    }
    // IgnoreFailure: the rows go on to the match output with a NULL Price.
    let edit = |p: String| {
        edited(
            edit(p),
            "name=\"Lookup Input\" errorRowDisposition=\"FailComponent\"",
            "name=\"Lookup Input\" errorRowDisposition=\"IgnoreFailure\"",
        )
    };
    for pkg in packages(dir.path(), &server, edit) {
        log.lock().unwrap().clear();
        let (code, out) = ssis_exec(&pkg);
        assert_eq!(code, 0, "{}: {out}", pkg.display());
        let text = |s: &str| Value::Text(s.into());
        let row = |id: i64, region: &str, price: Option<i128>| {
            vec![
                ("Id", Value::Int(id)),
                ("Region", text(region)),
                ("Price", price.map_or(Value::Null, |p| Value::Decimal(p, 2))),
            ]
        };
        assert_eq!(
            bulk_rows(&log),
            [
                row(1, "East", Some(120)),
                row(2, "West", Some(200)),
                row(3, "East", None),
                row(4, "west", None),
            ]
            .concat(),
            "{}",
            pkg.display()
        );
    }
}

#[test]
fn a_missing_reference_column_is_named() {
    let (server, _log) = server();
    let dir = tempfile::tempdir().unwrap();
    let edit = |p: String| set_property(p, "CopyFromReferenceColumn", "Price", "Cost");
    for pkg in packages(dir.path(), &server, edit) {
        let (code, out) = ssis_exec(&pkg);
        assert_eq!(code, 1, "{out}");
        assert!(
            out.contains("Find Price")
                && out.contains("reference column \"Cost\" is not in the result"),
            "{out}"
        );
    }
}

#[test]
fn partial_and_no_cache_ask_the_server_for_each_key() {
    let (server, log) = server();
    let dir = tempfile::tempdir().unwrap();
    for cache_type in ["1", "2"] {
        let edit = |p: String| set_property(p, "CacheType", "0", cache_type);
        for pkg in packages(dir.path(), &server, edit) {
            log.lock().unwrap().clear();
            let (code, out) = ssis_exec(&pkg);
            assert_eq!(code, 0, "{}: {out}", pkg.display());
            // One query per key, with the row's Region and Product.
            let asked: Vec<Vec<Value>> = statements(&log, "select * from (select")
                .into_iter()
                .map(|s| s.1)
                .collect();
            let text = |s: &str| Value::Text(s.into());
            assert_eq!(
                asked,
                vec![
                    vec![text("East"), text("apple")],
                    vec![text("West"), text("pear")],
                    vec![text("East"), text("fig")],
                    vec![text("west"), text("pear")],
                ],
                "CacheType {cache_type}"
            );
            assert!(statements(&log, "select * from [dbo].[Prices]").is_empty());
            // The server's collation matched "west": three rows priced.
            let ids: Vec<Value> = bulk_rows(&log)
                .into_iter()
                .filter(|(c, _)| *c == "Id")
                .map(|(_, v)| v)
                .collect();
            assert_eq!(ids, vec![Value::Int(1), Value::Int(2), Value::Int(4)]);
            assert_eq!(
                statements(&log, "INSERT INTO [dbo].[Unpriced]")
                    .into_iter()
                    .map(|s| s.1)
                    .collect::<Vec<_>>(),
                vec![vec![Value::Int(3), text("fig")]]
            );
        }
    }
}

/// Save: OLE DB Source -> Raw File Destination; Load: Raw File Source ->
/// Recordset Destination; then a Foreach ADO loop inserts each row.
fn raw_packages(dir: &std::path::Path, server: &TestServer, write_option: &str) -> Vec<PathBuf> {
    let raw = dir.join("orders.raw").to_str().unwrap().to_string();
    let vars: Vec<Var> = vec![
        ("MinQty", 3, "2".into()),
        ("Rows", 13, String::new()),
        ("RejId", 3, "0".into()),
        ("RejCode", 3, "0".into()),
        ("RawPath", 8, raw.clone()),
    ];
    let mut out = Vec::new();
    for layout in [Layout::Ssdt, Layout::Bids2008] {
        let mut save = components("1", "FailComponent");
        save.truncate(1);
        let mut dest = with_props(
            comp(
                "Save Raw",
                "Microsoft.RawDestination",
                "Raw File Destination",
            ),
            &[
                ("AccessMode", "0"),
                ("FileName", &raw),
                ("WriteOption", write_option),
            ],
        );
        dest.inputs.push(Input {
            name: "Raw File Destination Input",
            error_disp: "FailComponent",
            cols: vec![
                input_col(&format!("{SRC}[OrderId]"), "OrderId"),
                input_col(&format!("{SRC}[Region]"), "Region"),
                input_col(&format!("{SRC}[Qty]"), "Qty"),
            ],
            external: Vec::new(),
        });
        save.push(dest);
        let save_paths = vec![(
            "To Raw",
            "Orders.Outputs[OLE DB Source Output]".to_string(),
            "Save Raw.Inputs[Raw File Destination Input]".to_string(),
        )];
        let mut source = with_props(
            comp("Load Raw", "Microsoft.RawSource", "Raw File Source"),
            &[("AccessMode", "1"), ("FileNameVariable", "User::RawPath")],
        );
        source.outputs.push(Output {
            name: "Raw File Source Output",
            is_error: false,
            sync: None,
            // Qty before OrderId, and the file's Region left out.
            cols: vec![
                col("Qty", "dataType=\"i8\""),
                col("OrderId", "dataType=\"i4\""),
            ],
        });
        let (rs, load_paths) = keep_rows(
            "From Raw",
            "Load Raw.Outputs[Raw File Source Output]",
            ["OrderId", "Qty"],
        );
        let tasks: Vec<Task> = vec![
            data_flow_named("Save", pipeline(layout, &save, &save_paths)),
            data_flow_named("Load", pipeline(layout, &[source, rs], &load_paths)),
            note_each_row(),
        ];
        let cms = [oledb(server)];
        let (name, text) = match layout {
            Layout::Ssdt => ("raw_2012.dtsx", package_2012_with(&cms, &vars, &tasks, &[])),
            Layout::Bids2008 => ("raw_2008.dtsx", package_2008_with(&cms, &vars, &tasks, &[])),
        };
        let path = dir.join(format!("w{write_option}_{name}"));
        std::fs::write(&path, text).unwrap();
        out.push(path);
    }
    out
}

#[test]
fn raw_file_destination_and_source_round_trip_with_write_options() {
    let (server, log) = server();
    let dir = tempfile::tempdir().unwrap();
    let loaded = |log: &Log| -> Vec<Vec<Value>> {
        statements(log, "INSERT INTO loaded")
            .into_iter()
            .map(|s| s.1)
            .collect()
    };
    let four: Vec<Vec<Value>> = [(1, 5), (2, 3), (3, 4), (4, 9)]
        .iter()
        .map(|(a, b)| vec![Value::Int(*a), Value::Int(*b)])
        .collect();
    for (i, pkg) in raw_packages(dir.path(), &server, "0")
        .into_iter()
        .enumerate()
    {
        log.lock().unwrap().clear();
        let (code, out) = ssis_exec(&pkg);
        assert_eq!(code, 0, "{}: {out}", pkg.display());
        assert_eq!(loaded(&log), four, "{}", pkg.display());
        assert!(out.contains("Save Raw: wrote 4 rows."), "{out}");
        assert!(out.contains("Load Raw: read 4 rows."), "{out}");
        // Append (2) adds to the file; Create once (1) refuses it now.
        let append = &raw_packages(dir.path(), &server, "2")[i];
        log.lock().unwrap().clear();
        let (code, out) = ssis_exec(append);
        assert_eq!(code, 0, "{out}");
        assert_eq!(loaded(&log), [four.clone(), four.clone()].concat());
        let once = &raw_packages(dir.path(), &server, "1")[i];
        let (code, out) = ssis_exec(once);
        assert_eq!(code, 1, "{out}");
        assert!(
            out.contains("orders.raw\" exists and WriteOption is Create once"),
            "{out}"
        );
    }
    // A file that is not one of ours is named.
    std::fs::write(dir.path().join("orders.raw"), "Id,Name\r\n").unwrap();
    let pkg = &raw_packages(dir.path(), &server, "2")[0];
    let (code, out) = ssis_exec(pkg);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("orders.raw\": not a raw file of this engine"),
        "{out}"
    );
}

/// Save: OLE DB Source -> Excel Destination (a new sheet "Loaded" of the
/// workbook); Load: Excel Source of that sheet -> Recordset; then a Foreach
/// ADO loop inserts each row.
fn excel_packages(dir: &std::path::Path, server: &TestServer) -> Vec<PathBuf> {
    let book = dir.join("orders.xlsx").to_str().unwrap().to_string();
    let vars: Vec<Var> = vec![
        ("MinQty", 3, "2".into()),
        ("Rows", 13, String::new()),
        ("RejId", 3, "0".into()),
        ("RejCode", 3, "0".into()),
    ];
    let book_conn = Some((
        "OleDbConnection",
        "Book",
        "{C0000000-0000-0000-0000-000000000003}",
    ));
    let mut out = Vec::new();
    for layout in [Layout::Ssdt, Layout::Bids2008] {
        let excel = Cm {
            name: "Book",
            id: "{C0000000-0000-0000-0000-000000000003}",
            creation: "EXCEL".into(),
            connection_string: format!(
                "Provider=Microsoft.ACE.OLEDB.12.0;Data Source={book};Extended Properties=\"Excel 12.0 XML;HDR=YES\";"
            ),
        };
        let mut save = components("1", "FailComponent");
        save.truncate(1);
        let mut dest = with_props(
            comp(
                "To Excel",
                "Microsoft.ExcelDestination",
                "Excel Destination",
            ),
            &[("AccessMode", "0"), ("OpenRowset", "Loaded$")],
        );
        dest.conn = book_conn;
        dest.inputs.push(Input {
            name: "Excel Destination Input",
            error_disp: "FailComponent",
            cols: vec![
                mapped(&format!("{SRC}[OrderId]"), "OrderId", "Id"),
                mapped(&format!("{SRC}[Region]"), "Region", "Region"),
                mapped(&format!("{SRC}[Qty]"), "Qty", "Qty"),
            ],
            external: vec![
                ("Id", "dataType=\"r8\""),
                ("Region", "dataType=\"wstr\" length=\"255\""),
                ("Qty", "dataType=\"r8\""),
            ],
        });
        save.push(dest);
        let save_paths = vec![(
            "To Book",
            "Orders.Outputs[OLE DB Source Output]".to_string(),
            "To Excel.Inputs[Excel Destination Input]".to_string(),
        )];
        let mut source = with_props(
            comp("From Excel", "Microsoft.ExcelSource", "Excel Source"),
            &[("AccessMode", "0"), ("OpenRowset", "Loaded$")],
        );
        source.conn = book_conn;
        let mut id = ext_col(col("Id", "dataType=\"i4\""));
        id.disp = ("FailComponent", "FailComponent");
        source.outputs.push(Output {
            name: "Excel Source Output",
            is_error: false,
            sync: None,
            cols: vec![id, ext_col(col("Qty", "dataType=\"i4\""))],
        });
        let (rs, load_paths) = keep_rows(
            "From Book",
            "From Excel.Outputs[Excel Source Output]",
            ["Id", "Qty"],
        );
        let tasks: Vec<Task> = vec![
            data_flow_named("Save", pipeline(layout, &save, &save_paths)),
            data_flow_named("Load", pipeline(layout, &[source, rs], &load_paths)),
            note_each_row(),
        ];
        let cms = [oledb(server), excel];
        let (name, text) = match layout {
            Layout::Ssdt => (
                "excel_2012.dtsx",
                package_2012_with(&cms, &vars, &tasks, &[]),
            ),
            Layout::Bids2008 => (
                "excel_2008.dtsx",
                package_2008_with(&cms, &vars, &tasks, &[]),
            ),
        };
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        out.push(path);
    }
    out
}

#[test]
fn excel_destination_appends_a_sheet_and_keeps_the_others_of_an_openpyxl_workbook() {
    let (server, log) = server();
    let dir = tempfile::tempdir().unwrap();
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/dataflow/orders.xlsx");
    let loaded = |log: &Log| -> Vec<Vec<Value>> {
        statements(log, "INSERT INTO loaded")
            .into_iter()
            .map(|s| s.1)
            .collect()
    };
    let four: Vec<Vec<Value>> = [(1, 5), (2, 3), (3, 4), (4, 9)]
        .iter()
        .map(|(a, b)| vec![Value::Int(*a), Value::Int(*b)])
        .collect();
    for pkg in excel_packages(dir.path(), &server) {
        std::fs::copy(&fixture, dir.path().join("orders.xlsx")).unwrap();
        log.lock().unwrap().clear();
        let (code, out) = ssis_exec(&pkg);
        assert_eq!(code, 0, "{}: {out}", pkg.display());
        assert_eq!(loaded(&log), four, "{}", pkg.display());
        assert!(out.contains("To Excel: wrote 4 rows."), "{out}");
        // The destination's sheet named by a SQL command (access mode 2).
        let by_command = dir.path().join("by_command.dtsx");
        let loaded_sheet = "<property name=\"AccessMode\">0</property><property name=\"OpenRowset\">Loaded$</property>";
        let text = std::fs::read_to_string(&pkg).unwrap();
        assert!(text.contains(loaded_sheet));
        let command = |sql: &str| {
            text.replacen(
                loaded_sheet,
                &format!("<property name=\"AccessMode\">2</property><property name=\"SqlCommand\">{sql}</property>"),
                1,
            )
        };
        std::fs::copy(&fixture, dir.path().join("orders.xlsx")).unwrap();
        std::fs::write(&by_command, command("SELECT * FROM [Loaded$]")).unwrap();
        log.lock().unwrap().clear();
        let (code, out) = ssis_exec(&by_command);
        assert_eq!(code, 0, "{out}");
        assert_eq!(loaded(&log), four);
        // A range cannot be written into; the sheet to name is said.
        std::fs::write(&by_command, command("SELECT * FROM [Loaded$A1:C9]")).unwrap();
        let (code, out) = ssis_exec(&by_command);
        assert_eq!(code, 1, "{out}");
        assert!(
            out.contains("writing into a range (A1:C9) is not supported; name the sheet (Loaded$)"),
            "{out}"
        );
        // A .xls workbook is refused by name, not written as .xlsx.
        let xls = dir.path().join("old.dtsx");
        std::fs::write(
            &xls,
            std::fs::read_to_string(&pkg)
                .unwrap()
                .replace("orders.xlsx", "orders.xls"),
        )
        .unwrap();
        let (code, bad) = ssis_exec(&xls);
        assert_eq!(code, 1, "{bad}");
        assert!(
            bad.contains("orders.xls\" is not an .xlsx workbook"),
            "{bad}"
        );
        assert!(!dir.path().join("orders.xls").exists());
        // A second run appends under the same header.
        log.lock().unwrap().clear();
        let (code, out) = ssis_exec(&pkg);
        assert_eq!(code, 0, "{out}");
        assert_eq!(loaded(&log), [four.clone(), four.clone()].concat());
        // The workbook's own sheet reads as before (the Excel Source test's package).
        let other = crate::common::stage("dataflow_excel_2012.dtsx", dir.path(), &[]);
        let (code, out) = ssis_exec(&other);
        assert_eq!(code, 0, "{out}");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("out.csv")).unwrap(),
            "\"Name\",\"Qty\",\"Price\",\"When\",\"Ok\"\r\n\
\"Zoë\",3,2.5,2024-03-05 14:30:00,True\r\n\
\"bob\",10,,2023-12-31 00:00:00,False\r\n\
\"long name here\",1,1234.125,2020-01-01 00:00:01,True\r\n"
        );
    }
}

#[test]
fn oledb_source_access_modes_table_and_command_from_variables() {
    let (server, log) = server();
    let dir = tempfile::tempdir().unwrap();
    let mode = |m: &'static str, extra: &'static str| {
        move |p: String| {
            edited(
                p,
                "<property name=\"AccessMode\">2</property><property name=\"SqlCommand\">",
                &format!(
                    "<property name=\"AccessMode\">{m}</property>{extra}<property name=\"SqlCommand\">"
                ),
            )
        }
    };
    let ids = |log: &Log| -> Vec<Value> {
        bulk_rows(log)
            .into_iter()
            .filter(|(c, _)| *c == "Id")
            .map(|(_, v)| v)
            .collect()
    };
    // SQL command from a variable, with the same parameter.
    let edit = mode(
        "3",
        "<property name=\"SqlCommandVariable\">User::OrdersSql</property>",
    );
    for pkg in packages(dir.path(), &server, edit) {
        log.lock().unwrap().clear();
        let (code, out) = ssis_exec(&pkg);
        assert_eq!(code, 0, "{}: {out}", pkg.display());
        assert_eq!(statements(&log, "SELECT OrderId")[0].1, vec![Value::Int(2)]);
        assert_eq!(ids(&log), vec![Value::Int(1), Value::Int(2)]);
    }
    // Table or view (0) and its name from a variable (1): every row, so
    // plum (quantity 1) and the second apple are priced too.
    for (m, extra) in [
        (
            "0",
            "<property name=\"OpenRowset\">[dbo].[Orders]</property>",
        ),
        (
            "1",
            "<property name=\"OpenRowsetVariable\">User::OrdersTable</property>",
        ),
    ] {
        for pkg in packages(dir.path(), &server, mode(m, extra)) {
            log.lock().unwrap().clear();
            let (code, out) = ssis_exec(&pkg);
            assert_eq!(code, 0, "{}: {out}", pkg.display());
            assert_eq!(statements(&log, "SELECT * FROM [dbo].[Orders]").len(), 1);
            assert!(out.contains("Orders: read 6 rows."), "{out}");
            assert_eq!(
                ids(&log),
                vec![Value::Int(1), Value::Int(2), Value::Int(5), Value::Int(6)]
            );
        }
    }
}

#[test]
fn fast_load_sends_identity_values_only_when_keeping_identity() {
    let (server, log) = server();
    let dir = tempfile::tempdir().unwrap();
    for keep in ["false", "true"] {
        // Into SalesKeyed, whose Id is an identity column.
        let edit = |p: String| {
            let p = set_property(p, "FastLoadKeepIdentity", "false", keep);
            set_property(p, "OpenRowset", "[dbo].[Sales]", "[dbo].[SalesKeyed]")
        };
        for pkg in packages(dir.path(), &server, edit) {
            log.lock().unwrap().clear();
            let (code, out) = ssis_exec(&pkg);
            assert_eq!(code, 0, "{}: {out}", pkg.display());
            // Kept: the identity column is named and its values sent (there
            // is no hint for it); else bcp's way: its values are dropped and
            // the server numbers the rows.
            let (columns, per_row) = if keep == "true" {
                ("[Id] int, [Region] nvarchar(20), [Price] decimal(10,2)", 3)
            } else {
                ("[Region] nvarchar(20), [Price] decimal(10,2)", 2)
            };
            assert_eq!(
                statements(&log, "INSERT BULK [dbo].[SalesKeyed]")[0].0,
                format!(
                    "INSERT BULK [dbo].[SalesKeyed] ({columns}) WITH (CHECK_CONSTRAINTS, TABLOCK)"
                )
            );
            let values: Vec<Value> = statements(&log, "BULK LOAD [dbo].[SalesKeyed]")
                .into_iter()
                .flat_map(|s| s.1)
                .collect();
            assert_eq!(values.len(), 2 * per_row, "{values:?}");
            assert_eq!(values[per_row - 2], Value::Text("East".into()));
            if keep == "true" {
                assert_eq!((&values[0], &values[3]), (&Value::Int(1), &Value::Int(2)));
            }
            assert!(
                !log.lock()
                    .unwrap()
                    .iter()
                    .any(|(s, _)| s.starts_with("SET IDENTITY_INSERT"))
            );
        }
    }
}

#[test]
fn retain_same_connection_shares_the_execute_sql_tasks_connection() {
    let (server, log) = server();
    let dir = tempfile::tempdir().unwrap();
    let vars: Vec<Var> = vec![("MinQty", 3, "2".into()), ("Rows", 13, String::new())];
    for retain in [false, true] {
        for layout in [Layout::Ssdt, Layout::Bids2008] {
            // Execute SQL, then OLE DB Source -> Recordset on the same manager.
            let mut comps = components("1", "FailComponent");
            comps.truncate(1);
            let mut rs = with_props(
                comp(
                    "Keep",
                    "Microsoft.RecordsetDestination",
                    "Recordset Destination",
                ),
                &[("VariableName", "User::Rows")],
            );
            rs.inputs.push(Input {
                name: "Recordset Destination Input",
                error_disp: "FailComponent",
                cols: vec![input_col(&format!("{SRC}[OrderId]"), "OrderId")],
                external: Vec::new(),
            });
            comps.push(rs);
            let paths = vec![(
                "Out",
                "Orders.Outputs[OLE DB Source Output]".to_string(),
                "Keep.Inputs[Recordset Destination Input]".to_string(),
            )];
            let tasks = vec![
                sql_task(
                    "Stage",
                    "SQLTask:SqlStatementSource=\"INSERT INTO staged VALUES (1)\"",
                    "",
                ),
                data_flow(pipeline(layout, &comps, &paths)),
            ];
            let cms = [oledb(&server)];
            let mut text = match layout {
                Layout::Ssdt => package_2012_with(&cms, &vars, &tasks, &[]),
                Layout::Bids2008 => package_2008_with(&cms, &vars, &tasks, &[]),
            };
            if retain {
                text = text
                    .replace(
                        "<DTS:ConnectionManager DTS:ConnectionString=",
                        "<DTS:ConnectionManager DTS:Retain=\"True\" DTS:ConnectionString=",
                    )
                    .replace(
                        "<DTS:Property DTS:Name=\"Retain\">0</DTS:Property>",
                        "<DTS:Property DTS:Name=\"Retain\">-1</DTS:Property>",
                    );
            }
            let pkg = dir.path().join(format!("retain_{retain}_{layout:?}.dtsx"));
            std::fs::write(&pkg, text).unwrap();
            log.lock().unwrap().clear();
            let before = server.logins();
            let (code, out) = ssis_exec(&pkg);
            assert_eq!(code, 0, "{}: {out}", pkg.display());
            assert_eq!(statements(&log, "SELECT OrderId").len(), 1);
            // Without it: validation's connection (the source's command
            // must reach the server), the task's and the source's.
            assert_eq!(
                server.logins() - before,
                if retain { 1 } else { 3 },
                "{} (RetainSameConnection {retain})",
                pkg.display()
            );
        }
    }
}

#[test]
fn oledb_source_redirects_a_truncated_row_to_its_error_output() {
    let (server, log) = server();
    let dir = tempfile::tempdir().unwrap();
    let vars: Vec<Var> = vec![
        ("MinQty", 3, "2".into()),
        ("Rows", 13, String::new()),
        ("RejId", 3, "0".into()),
        ("RejCode", 3, "0".into()),
    ];
    for layout in [Layout::Ssdt, Layout::Bids2008] {
        // Product is 4 characters here: "apple" is cut, its row redirected.
        let mut comps = components("1", "FailComponent");
        let mut source = comps.remove(0);
        let mut product = ext_col(col("Product", "dataType=\"wstr\" length=\"4\""));
        product.disp = ("FailComponent", "RedirectRow");
        source.outputs[0].cols[2] = product;
        let mut error_out = vec![
            col("OrderId", "dataType=\"i4\""),
            col("Region", "dataType=\"wstr\" length=\"10\""),
            col("Product", "dataType=\"wstr\" length=\"4\""),
            col("Qty", "dataType=\"i4\""),
        ];
        error_out.extend(error_cols());
        source.outputs.push(Output {
            name: "OLE DB Source Error Output",
            is_error: true,
            sync: None,
            cols: error_out,
        });
        let unpriced = comps.remove(2);
        let mut rs = with_props(
            comp(
                "Keep",
                "Microsoft.RecordsetDestination",
                "Recordset Destination",
            ),
            &[("VariableName", "User::Rows")],
        );
        let err = "Orders.Outputs[OLE DB Source Error Output].Columns";
        rs.inputs.push(Input {
            name: "Recordset Destination Input",
            error_disp: "FailComponent",
            cols: vec![
                input_col(&format!("{err}[OrderId]"), "OrderId"),
                input_col(&format!("{err}[ErrorCode]"), "ErrorCode"),
            ],
            external: Vec::new(),
        });
        let paths = vec![
            (
                "Out",
                "Orders.Outputs[OLE DB Source Output]".to_string(),
                "Write Unpriced.Inputs[OLE DB Destination Input]".to_string(),
            ),
            (
                "Errors",
                "Orders.Outputs[OLE DB Source Error Output]".to_string(),
                "Keep.Inputs[Recordset Destination Input]".to_string(),
            ),
        ];
        let tasks = vec![
            data_flow(pipeline(layout, &[source, unpriced, rs], &paths)),
            foreach_ado(
                "Each Row",
                "User::Rows",
                vec![(0, "User::RejId"), (1, "User::RejCode")],
                vec![sql_task(
                    "Note",
                    "SQLTask:SqlStatementSource=\"INSERT INTO rejected VALUES (?, ?)\"",
                    &(param("0", "User::RejId", "Input", 3)
                        + &param("1", "User::RejCode", "Input", 3)),
                )],
            ),
        ];
        let cms = [oledb(&server)];
        let text = match layout {
            Layout::Ssdt => package_2012_with(&cms, &vars, &tasks, &[]),
            Layout::Bids2008 => package_2008_with(&cms, &vars, &tasks, &[]),
        };
        let pkg = dir.path().join(format!("source_errors_{layout:?}.dtsx"));
        std::fs::write(&pkg, text).unwrap();
        log.lock().unwrap().clear();
        let (code, out) = ssis_exec(&pkg);
        assert_eq!(code, 0, "{}: {out}", pkg.display());
        // Orders 2, 3 and 4 went on (4 refused by the table's key)...
        let ids: Vec<Value> = statements(&log, "INSERT INTO [dbo].[Unpriced]")
            .into_iter()
            .map(|s| s.1[0].clone())
            .collect();
        assert_eq!(ids, vec![Value::Int(2), Value::Int(3), Value::Int(4)]);
        // ...order 1 to the error output, with the truncation's ErrorCode.
        assert_eq!(
            statements(&log, "INSERT INTO rejected")
                .into_iter()
                .map(|s| s.1)
                .collect::<Vec<_>>(),
            vec![vec![Value::Int(1), Value::Int(-1071607766)]],
            "{}",
            pkg.display()
        );
    }
}

#[test]
fn partial_cache_asks_once_per_key_and_no_cache_once_per_row() {
    let (server, log) = server();
    let dir = tempfile::tempdir().unwrap();
    // The whole Orders table: six rows, East/apple twice.
    for (cache_type, queries) in [("1", 5), ("2", 6)] {
        let edit = |p: String| {
            edited(
                set_property(p, "CacheType", "0", cache_type),
                "<property name=\"AccessMode\">2</property><property name=\"SqlCommand\">",
                "<property name=\"AccessMode\">0</property><property name=\"OpenRowset\">[dbo].[Orders]</property><property name=\"SqlCommand\">",
            )
        };
        for pkg in packages(dir.path(), &server, edit) {
            log.lock().unwrap().clear();
            let (code, out) = ssis_exec(&pkg);
            assert_eq!(code, 0, "{}: {out}", pkg.display());
            assert_eq!(
                statements(&log, "select * from (select").len(),
                queries,
                "CacheType {cache_type}: {}",
                pkg.display()
            );
            assert!(out.contains("Orders: read 6 rows."), "{out}");
        }
    }
}

#[test]
fn ado_net_source_sql_command_and_destination_without_bulk_insert() {
    let (server, log) = server();
    let dir = tempfile::tempdir().unwrap();
    let edit = |p: String| {
        let p = edited(
            p,
            "<property name=\"AccessMode\">0</property><property name=\"TableOrViewName\">",
            "<property name=\"AccessMode\">2</property><property name=\"SqlCommand\">select * from [dbo].[Prices]</property><property name=\"TableOrViewName\">",
        );
        edited(
            p,
            "<property name=\"BatchSize\">0</property>",
            "<property name=\"BatchSize\">0</property><property name=\"UseBulkInsertWhenPossible\">false</property>",
        )
    };
    for pkg in packages(dir.path(), &server, edit) {
        log.lock().unwrap().clear();
        let (code, out) = ssis_exec(&pkg);
        assert_eq!(code, 0, "{}: {out}", pkg.display());
        // The command ran (not SELECT * FROM the table), and the copy went
        // in INSERTs without asking for the table's columns.
        assert!(statements(&log, "SELECT * FROM [dbo].[Prices]").is_empty());
        assert_eq!(
            statements(&log, "select * from [dbo].[Prices]").len(),
            2,
            "the Lookup's and the ADO.NET Source's"
        );
        assert_eq!(statements(&log, "INSERT INTO [dbo].[PriceCopy]").len(), 1);
        let asked: Vec<Value> = statements(&log, "SELECT c.name")
            .into_iter()
            .flat_map(|s| s.1)
            .collect();
        assert_eq!(asked, vec![Value::Text("[dbo].[Sales]".into())]);
        assert!(!out.contains("fast load into [dbo].[PriceCopy]"), "{out}");
    }
}
