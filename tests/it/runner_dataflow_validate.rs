//! Validation against table metadata through the real `ssis exec` binary
//! and the TDS test server (which describes its tables from `sys.columns`):
//! a run refused before any row moves when an external column is not in
//! the table or the table cannot hold it, `/VALIDATE` reporting the same
//! without running, truncation warnings on a run that goes ahead, and
//! `validateExternalMetadata` False skipping the check; packages in the
//! 2014+ and 2008 layouts.

use crate::dataflow_pipe::{Layout, data_flow, pipeline};
use crate::dataflow_sql_parts::{destination, source, ssis_exec, statements, with_props};
use crate::runner_execute_sql::{
    Cm, Log, logging_server, oledb, package_2008_with, package_2012_with, sql_task,
};
use crate::support::catalog::{self, Table, column};
use crate::support::tds::{ColType, DONE_COUNT, DONE_MORE, Tokens, Value};
use crate::support::{ADMIN_PASSWORD, ADMIN_USER, TestServer};
use std::path::{Path, PathBuf};

const TABLES: &[Table] = &[
    (
        "[dbo].[Orders]",
        &[
            column("OrderId", "int", 4, 10, 0),
            column("Region", "nvarchar", 20, 0, 0),
            column("Product", "nvarchar", 100, 0, 0),
        ],
    ),
    // Region holds 5 characters: the package's 10 could be cut.
    (
        "[dbo].[Target]",
        &[
            column("OrderId", "int", 4, 10, 0),
            column("Region", "nvarchar", 10, 0, 0),
        ],
    ),
    // No Qty; Region is not Unicode.
    (
        "[dbo].[Narrow]",
        &[
            column("OrderId", "int", 4, 10, 0),
            column("Region", "varchar", 5, 0, 0),
        ],
    ),
];

fn server() -> (TestServer, Log) {
    logging_server(TABLES, move |sql, _values, t: &mut Tokens| {
        let nv = ColType::NVarChar(10);
        if sql == "SELECT * FROM [dbo].[Orders]" {
            t.col_metadata(&[("OrderId", ColType::Int), ("Region", nv), ("Product", nv)]);
            for (id, r, p) in [(1, "East", "apple"), (2, "West", "pear")] {
                let (r, p) = (Value::Text(r.into()), Value::Text(p.into()));
                t.row(&[(&Value::Int(id), ColType::Int), (&r, nv), (&p, nv)]);
            }
            t.done(DONE_MORE | DONE_COUNT, 2);
        } else if !sql.starts_with("INSERT") {
            return None;
        }
        Some(0)
    })
}

const ADO_ID: &str = "{C0000000-0000-0000-0000-000000000002}";

/// The same database through an ADO.NET (SqlClient) connection manager.
fn ado_cm(server: &TestServer) -> Cm {
    Cm {
        name: "SalesAdo",
        id: ADO_ID,
        creation: "ADO.NET:System.Data.SqlClient.SqlConnection, System.Data, Version=4.0.0.0, \
                   Culture=neutral, PublicKeyToken=b77a5c561934e089"
            .into(),
        connection_string: format!(
            "Data Source={};User ID={ADMIN_USER};Password={ADMIN_PASSWORD};Initial Catalog=Sales;",
            server.server_name()
        ),
    }
}

const WSTR: &str = "dataType=\"wstr\" length=\"10\"";
const I4: &str = "dataType=\"i4\"";

/// An Execute SQL task, then a data flow: Orders (table mode) -> `table`,
/// with Qty as an extra external column when `qty`, the data flow with
/// `DelayValidation` when `delayed`; `edit` changes the pipeline's XML.
fn package(
    dir: &Path,
    server: &TestServer,
    layout: Layout,
    table: &str,
    (qty, delayed, ado): (bool, bool, bool),
    edit: impl Fn(String) -> String,
) -> PathBuf {
    let mut src = source(
        "Orders",
        "",
        &[("OrderId", I4), ("Region", WSTR), ("Product", WSTR)],
    );
    src = with_props(
        src,
        &[("AccessMode", "0"), ("OpenRowset", "[dbo].[Orders]")],
    );
    let o = |c: &str| format!("Orders.Outputs[OLE DB Source Output].Columns[{c}]");
    let mut cols = vec![
        (o("OrderId"), "OrderId", "OrderId", I4),
        (o("Region"), "Region", "Region", WSTR),
    ];
    if qty {
        cols.push((o("OrderId"), "Qty", "Qty", I4));
    }
    let mut dest = destination("Write Target", table, &cols);
    if ado {
        dest.class = "Microsoft.SqlServer.Dts.Pipeline.ADONETDestination, Microsoft.SqlServer.ADONETDest, Version=13.0.0.0, Culture=neutral, PublicKeyToken=89845dcd8080cc91";
        dest.contact = "ADO NET Destination";
        dest.props = vec![("TableOrViewName", table.to_string())];
        dest.conn = Some(("IDbConnection", "SalesAdo", ADO_ID));
    }
    let paths = [(
        "Orders Output",
        "Orders.Outputs[OLE DB Source Output]".to_string(),
        "Write Target.Inputs[OLE DB Destination Input]".to_string(),
    )];
    // An Execute SQL task runs first: whether it ran tells when the data
    // flow was validated.
    let tasks = [
        sql_task(
            "Note Start",
            "SQLTask:SqlStatementSource=\"INSERT INTO audit VALUES (1)\"",
            "",
        ),
        data_flow(edit(pipeline(layout, &[src, dest], &paths))),
    ];
    let cms = [oledb(server), ado_cm(server)];
    let (name, text, at, delay) = match layout {
        Layout::Ssdt => (
            "validate_2012.dtsx",
            package_2012_with(&cms, &[], &tasks, &[]),
            "DTS:ObjectName=\"Data Flow Task\"",
            "DTS:DelayValidation=\"True\" ",
        ),
        Layout::Bids2008 => (
            "validate_2008.dtsx",
            package_2008_with(&cms, &[], &tasks, &[]),
            "<DTS:Property DTS:Name=\"ObjectName\">Data Flow Task</DTS:Property>",
            "<DTS:Property DTS:Name=\"DelayValidation\">-1</DTS:Property>",
        ),
    };
    assert!(text.contains(at), "{layout:?}");
    let text = if delayed {
        text.replace(at, &format!("{delay}{at}"))
    } else {
        text
    };
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

const MISSING: &str =
    "component \"Write Target\": external column \"Qty\" (DT_I4) is not a column of [dbo].[Narrow]";
const NOT_UNICODE: &str = "component \"Write Target\": column \"Region\" is DT_WSTR(10) in the package but varchar(5) in [dbo].[Narrow]: cannot convert between unicode and non-unicode string data types";
const CUT: &str = "Write Target: Truncation may occur due to inserting data from data flow column \"Region\" with a length of 10 to database column \"Region\" with a length of 5.";
const LONGER: &str = "Orders: column \"Product\" of [dbo].[Orders] is nvarchar(50), longer than the package's DT_WSTR(10): values may be truncated.";

fn moved(log: &Log) -> usize {
    statements(log, "SELECT * FROM").len() + statements(log, "INSERT INTO [dbo]").len()
}

#[test]
fn a_run_is_refused_before_any_row_moves_when_the_table_cannot_take_the_columns() {
    let (server, log) = server();
    let dir = tempfile::tempdir().unwrap();
    for layout in [Layout::Ssdt, Layout::Bids2008] {
        log.lock().unwrap().clear();
        let pkg = package(
            dir.path(),
            &server,
            layout,
            "[dbo].[Narrow]",
            (true, false, false),
            |p| p,
        );
        let (code, out) = ssis_exec(&["/F", pkg.to_str().unwrap(), "/REP", "EWI"]);
        assert_eq!(code, 1, "{layout:?}: {out}");
        for want in [NOT_UNICODE, MISSING] {
            assert!(out.contains(want), "{layout:?}: {want}: {out}");
        }
        // One description per component, each with the table's name.
        let asked: Vec<Vec<Value>> = log
            .lock()
            .unwrap()
            .iter()
            .filter(|(s, _)| catalog::is_describe(s))
            .map(|(_, p)| p.clone())
            .collect();
        assert_eq!(
            asked,
            vec![
                vec![Value::Text("[dbo].[Orders]".into())],
                vec![Value::Text("[dbo].[Narrow]".into())]
            ],
            "{layout:?}"
        );
        assert_eq!(moved(&log), 0, "{layout:?}: no row moved");
        // Validated when the package started: the first task did not run.
        assert!(
            statements(&log, "INSERT INTO audit").is_empty(),
            "{layout:?}"
        );
    }
}

#[test]
fn delay_validation_validates_the_data_flow_when_it_starts() {
    let (server, log) = server();
    let dir = tempfile::tempdir().unwrap();
    for layout in [Layout::Ssdt, Layout::Bids2008] {
        log.lock().unwrap().clear();
        let pkg = package(
            dir.path(),
            &server,
            layout,
            "[dbo].[Narrow]",
            (true, true, false),
            |p| p,
        );
        let (code, out) = ssis_exec(&["/F", pkg.to_str().unwrap(), "/REP", "EWI"]);
        assert_eq!(code, 1, "{layout:?}: {out}");
        // At the task's start: one task failure with both problems.
        assert!(
            out.contains(&format!("{NOT_UNICODE}; {MISSING}")),
            "{layout:?}: {out}"
        );
        assert_eq!(statements(&log, "INSERT INTO audit").len(), 1, "{layout:?}");
        assert_eq!(moved(&log), 0, "{layout:?}: no row moved");
    }
}

#[test]
fn validate_reports_the_same_without_running() {
    let (server, log) = server();
    let dir = tempfile::tempdir().unwrap();
    for layout in [Layout::Ssdt, Layout::Bids2008] {
        log.lock().unwrap().clear();
        let pkg = package(
            dir.path(),
            &server,
            layout,
            "[dbo].[Narrow]",
            (true, false, false),
            |p| p,
        );
        let (code, out) = ssis_exec(&["/F", pkg.to_str().unwrap(), "/VALIDATE"]);
        assert_eq!(code, 1, "{layout:?}: {out}");
        for want in [
            MISSING,
            NOT_UNICODE,
            "Package 'SqlPkg' failed validation: 2 error(s), each reported above",
        ] {
            assert!(out.contains(want), "{layout:?}: {want}: {out}");
        }
        // A table that fits validates, with its warnings; nothing runs.
        // Both components' tables are described over one connection.
        let logins = server.logins();
        let pkg = package(
            dir.path(),
            &server,
            layout,
            "[dbo].[Target]",
            (false, false, false),
            |p| p,
        );
        let (code, out) = ssis_exec(&["/F", pkg.to_str().unwrap(), "/VALIDATE"]);
        assert_eq!(code, 0, "{layout:?}: {out}");
        for want in [
            CUT,
            LONGER,
            "Package 'SqlPkg' validated: every component can run.",
        ] {
            assert!(out.contains(want), "{layout:?}: {want}: {out}");
        }
        assert_eq!(server.logins() - logins, 1, "{layout:?}");
        assert_eq!(moved(&log), 0, "{layout:?}: nothing ran");
    }
}

#[test]
fn a_table_that_fits_runs_with_truncation_warnings() {
    let (server, log) = server();
    let dir = tempfile::tempdir().unwrap();
    for layout in [Layout::Ssdt, Layout::Bids2008] {
        log.lock().unwrap().clear();
        let pkg = package(
            dir.path(),
            &server,
            layout,
            "[dbo].[Target]",
            (false, false, false),
            |p| p,
        );
        let (code, out) = ssis_exec(&["/F", pkg.to_str().unwrap(), "/REP", "EWI"]);
        assert_eq!(code, 0, "{layout:?}: {out}");
        for want in [CUT, LONGER] {
            assert!(out.contains(want), "{layout:?}: {want}: {out}");
        }
        let insert = "INSERT INTO [dbo].[Target] ([OrderId], [Region]) VALUES (@P1, @P2)";
        assert_eq!(
            statements(&log, "INSERT INTO [dbo]"),
            vec![
                (
                    insert.into(),
                    vec![Value::Int(1), Value::Text("East".into())]
                ),
                (
                    insert.into(),
                    vec![Value::Int(2), Value::Text("West".into())]
                ),
            ],
            "{layout:?}"
        );
    }
}

#[test]
fn validate_external_metadata_false_skips_the_check() {
    let (server, log) = server();
    let dir = tempfile::tempdir().unwrap();
    let off = |p: String| {
        p.replace(
            "name=\"Write Target\" ",
            "name=\"Write Target\" validateExternalMetadata=\"False\" ",
        )
    };
    let pkg = package(
        dir.path(),
        &server,
        Layout::Ssdt,
        "[dbo].[Narrow]",
        (false, false, false),
        off,
    );
    let (code, out) = ssis_exec(&["/F", pkg.to_str().unwrap(), "/REP", "EWI"]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("Write Target: Truncation"), "{out}");
    assert_eq!(
        statements(&log, "INSERT INTO [dbo].[Narrow]").len(),
        2,
        "{out}"
    );
    let asked: Vec<Vec<Value>> = log
        .lock()
        .unwrap()
        .iter()
        .filter(|(s, _)| catalog::is_describe(s))
        .map(|(_, p)| p.clone())
        .collect();
    assert_eq!(asked, vec![vec![Value::Text("[dbo].[Orders]".into())]]);
}

#[test]
fn an_ado_net_destination_is_checked_against_its_table_too() {
    let (server, log) = server();
    let dir = tempfile::tempdir().unwrap();
    for layout in [Layout::Ssdt, Layout::Bids2008] {
        log.lock().unwrap().clear();
        let table = "\"dbo\".\"Narrow\"";
        let pkg = package(
            dir.path(),
            &server,
            layout,
            table,
            (true, false, true),
            |p| p,
        );
        let (code, out) = ssis_exec(&["/F", pkg.to_str().unwrap(), "/REP", "EWI"]);
        assert_eq!(code, 1, "{layout:?}: {out}");
        for want in [NOT_UNICODE, MISSING] {
            assert!(out.contains(want), "{layout:?}: {want}: {out}");
        }
        assert_eq!(moved(&log), 0, "{layout:?}: no row moved");
    }
}

#[test]
fn a_source_of_a_sql_command_must_reach_its_server_to_validate() {
    let (server, _log) = server();
    let dir = tempfile::tempdir().unwrap();
    let to_command = |p: String| {
        let edited = p.replace(
            "<property name=\"AccessMode\">0</property><property name=\"OpenRowset\">[dbo].[Orders]</property>",
            "<property name=\"AccessMode\">2</property><property name=\"SqlCommand\">SELECT OrderId, Region, Product FROM dbo.Orders</property>",
        );
        assert_ne!(edited, p, "the source is made a SQL command");
        edited
    };
    let pkg = package(
        dir.path(),
        &server,
        Layout::Ssdt,
        "[dbo].[Orders]",
        (false, false, false),
        to_command,
    );
    // Every manager pointed at a port nothing listens on.
    let text = std::fs::read_to_string(&pkg)
        .unwrap()
        .replace(&server.server_name(), "127.0.0.1,1");
    std::fs::write(&pkg, text).unwrap();
    let (code, out) = ssis_exec(&["/F", pkg.to_str().unwrap(), "/VALIDATE"]);
    assert_eq!(code, 1, "{out}");
    // The SQL command's source is named, not only the table's destination.
    assert!(
        out.contains("component \"Orders\": cannot connect"),
        "{out}"
    );
    assert!(
        out.contains("component \"Write Target\": cannot connect"),
        "{out}"
    );
}
