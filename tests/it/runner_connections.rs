//! The connection-manager layer (`ssis_runner::connections`) over the TDS
//! protocol: the TDS test server in `tests/support`, or a real SQL Server
//! when `SSIS_TEST_SQLSERVER` is set.

use crate::support::tds::{ColType, DONE_COUNT, DONE_MORE, Tokens, Value};
use crate::support::{ADMIN_PASSWORD, ADMIN_USER, TestServer};
use ssis_service::ErrorKind;
use ssis_service::runner::cancel::CancelToken;
use ssis_service::runner::connections::{
    BulkColumn, BulkLoad, BulkOptions, SqlConnection, SqlDateTime, SqlServerTarget, SqlValue,
};
use std::time::Duration;

/// An OLE DB connection string to the test server, as SSDT writes one.
pub fn oledb_string(server: &TestServer, password: &str) -> String {
    format!(
        "Data Source={};User ID={ADMIN_USER};Password={password};Initial Catalog=Sales;\
         Provider=SQLNCLI11.1;Persist Security Info=True;Auto Translate=False;",
        server.server_name()
    )
}

/// The test server's Sales database, as an OLE DB connection manager names it.
fn sales(server: &TestServer) -> SqlServerTarget {
    SqlServerTarget::parse(
        "Sales",
        "OLEDB",
        &oledb_string(server, ADMIN_PASSWORD),
        None,
    )
    .unwrap()
}

/// Answers `SELECT @P1 + 1 AS n, N'x' AS s` and a two-set batch.
fn scripted(server: &TestServer) {
    server.on_sql(|sql, params, t: &mut Tokens| {
        if sql.contains("@P1 + 1") {
            let p = params.first().and_then(|(_, v)| v.as_int()).unwrap_or(-1);
            t.col_metadata(&[("n", ColType::Int), ("s", ColType::NVarChar(10))]);
            t.row(&[
                (&Value::Int(p + 1), ColType::Int),
                (&Value::Text("x".into()), ColType::NVarChar(10)),
            ]);
            t.done_in_proc(DONE_MORE | DONE_COUNT, 0xC1, 1);
            Some(0)
        } else if sql.starts_with("SELECT 1; SELECT 2") {
            for i in 1..=2 {
                t.col_metadata(&[("v", ColType::Int)]);
                t.row(&[(&Value::Int(i), ColType::Int)]);
                t.done(DONE_MORE | DONE_COUNT, 1);
            }
            Some(0)
        } else if sql.starts_with("UPDATE") {
            t.done_in_proc(DONE_COUNT, 0xC5, 3);
            t.done_in_proc(DONE_COUNT, 0xC5, 2);
            Some(0)
        } else if sql.contains("RAISERROR") {
            t.error(50000, 16, "the order table is locked", "");
            Some(1)
        } else if sql.contains("WAITFOR") {
            std::thread::sleep(Duration::from_secs(3));
            Some(0)
        } else {
            None
        }
    });
}

#[test]
fn runner_connections_query_with_parameters_and_result_sets() {
    let server = TestServer::start();
    scripted(&server);
    let t = sales(&server);
    let cancel = CancelToken::new();
    let mut c = SqlConnection::open(&t, &cancel).unwrap();
    let sets = c
        .query(
            "SELECT @P1 + 1 AS n, N'x' AS s",
            &[SqlValue::Int(41)],
            None,
            &cancel,
        )
        .unwrap();
    assert_eq!(sets.len(), 1);
    assert_eq!(sets[0].columns[0].name, "n");
    assert_eq!(
        sets[0].rows,
        vec![vec![SqlValue::Int(42), SqlValue::Text("x".into())]]
    );
    let sets = c.query("SELECT 1; SELECT 2", &[], None, &cancel).unwrap();
    assert_eq!(sets.len(), 2, "{sets:?}");
    assert_eq!(sets[1].rows, vec![vec![SqlValue::Int(2)]]);

    // A server error carries SQL Server's message and number, and the
    // connection stays usable.
    let e = c
        .execute("RAISERROR('x', 16, 1)", &[], None, &cancel)
        .unwrap_err();
    assert!(
        e.message.contains("the order table is locked") && e.message.contains("50000"),
        "{e}"
    );
    assert_eq!(
        c.query("SELECT 1; SELECT 2", &[], None, &cancel)
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn runner_connections_timeout_cancel_and_login_errors() {
    let server = TestServer::start();
    scripted(&server);
    let t = sales(&server);
    let cancel = CancelToken::new();
    let mut c = SqlConnection::open(&t, &cancel).unwrap();
    let e = c
        .execute(
            "WAITFOR DELAY '00:00:03'",
            &[],
            Some(Duration::from_secs(1)),
            &cancel,
        )
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Timeout, "{e}");
    // The timed-out connection is not reused silently.
    let e = c
        .execute("SELECT 1; SELECT 2", &[], None, &cancel)
        .unwrap_err();
    assert!(e.message.contains("lost"), "{e}");

    let mut c = SqlConnection::open(&t, &cancel).unwrap();
    let canceler = cancel.clone();
    let th = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        canceler.cancel();
    });
    let e = c
        .execute("WAITFOR DELAY '00:00:03'", &[], None, &cancel)
        .unwrap_err();
    th.join().unwrap();
    assert_eq!(e.kind, ErrorKind::Canceled, "{e}");

    let bad =
        SqlServerTarget::parse("Sales", "OLEDB", &oledb_string(&server, "wrong"), None).unwrap();
    let e = SqlConnection::open(&bad, &CancelToken::new()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Connection);
    assert!(
        e.message.contains("Login failed") && e.message.contains("18456"),
        "{e}"
    );
    assert!(!e.message.contains("wrong"), "no password in messages: {e}");
}

/// A column of a bulk load's table, as `sys.columns` describes it.
fn bulk_column(name: &str, type_name: &str, max_length: i64, nullable: bool) -> BulkColumn {
    BulkColumn {
        name: name.into(),
        type_name: type_name.into(),
        scale: 0,
        max_length,
        nullable,
        identity: false,
        computed: false,
    }
}

#[test]
fn runner_connections_bulk_load_refuses_values_the_table_cannot_take_before_sending() {
    let server = TestServer::start();
    scripted(&server);
    let t = sales(&server);
    let cancel = CancelToken::new();
    let mut c = SqlConnection::open(&t, &cancel).unwrap();
    let columns = [
        bulk_column("Id", "int", 4, false),
        bulk_column("Qty", "smallint", 2, true),
        bulk_column("Name", "nvarchar", 10, true),
        bulk_column("Code", "varchar", 3, true),
        bulk_column("Bin", "varbinary", 2, true),
    ];
    let names = ["Id", "Qty", "Name", "Code", "Bin"].map(String::from);
    let options = BulkOptions::default();
    let load = BulkLoad {
        table: "[dbo].[Stock]",
        columns: &columns,
        names: &names,
        options: &options,
    };
    let before = server.requests();
    // A NULL for the NOT NULL column (tiberius would fail half way through
    // the rows), a value out of smallint's range, a text that is no number,
    // texts and bytes longer than their columns (nvarchar(5) counts UTF-16
    // units: "naïve" fits, "😀😀😀" is 6 units): each refused by row and
    // column, nothing sent, the connection usable.
    let row = |id: SqlValue, qty: SqlValue, name: &str, code: &str, bin: &[u8]| {
        vec![
            id,
            qty,
            SqlValue::Text(name.into()),
            SqlValue::Text(code.into()),
            SqlValue::Binary(bin.to_vec()),
        ]
    };
    let ok = || row(SqlValue::Int(1), SqlValue::Int(2), "naïve", "abc", &[1, 2]);
    let cases = [
        (
            row(SqlValue::Null, SqlValue::Int(3), "a", "b", &[]),
            "row 2: column 'Id' does not take NULL",
        ),
        (
            row(SqlValue::Int(2), SqlValue::Int(40_000), "a", "b", &[]),
            "row 2: column 'Qty' (smallint): the value 40000 does not convert",
        ),
        (
            row(SqlValue::Text("two".into()), SqlValue::Int(3), "", "", &[]),
            "row 2: column 'Id' (int): the value two does not convert",
        ),
        (
            row(SqlValue::Int(2), SqlValue::Null, "😀😀😀", "", &[]),
            "row 2: column 'Name' (nvarchar(5)): the value is 6 characters, longer than the column",
        ),
        (
            row(SqlValue::Int(2), SqlValue::Null, "", "abcd", &[]),
            "row 2: column 'Code' (varchar(3)): the value is 4 characters, longer than the column",
        ),
        (
            row(SqlValue::Int(2), SqlValue::Null, "", "", &[1, 2, 3]),
            "row 2: column 'Bin' (varbinary(2)): the value is 3 bytes, longer than the column",
        ),
    ];
    for (second, why) in cases {
        let first = ok();
        let e = c
            .bulk_insert(&load, &[first, second], None, &cancel)
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Io, "{e}");
        assert_eq!(e.message, format!("bulk load into [dbo].[Stock]: {why}"));
    }
    assert_eq!(server.requests(), before, "nothing reached the server");
    assert!(c.is_open());
    let sets = c
        .query(
            "SELECT @P1 + 1 AS n, N'x' AS s",
            &[SqlValue::Int(1)],
            None,
            &cancel,
        )
        .unwrap();
    assert_eq!(sets[0].rows[0][0], SqlValue::Int(2));
}

/// A table with a date column before a time column, as the bulk load's
/// `SELECT TOP 0` and `sys.columns` describe it.
const DATED: &[crate::support::catalog::Table] = &[(
    "[dbo].[Dated]",
    &[
        crate::support::catalog::column("Id", "int", 4, 10, 0),
        crate::support::catalog::column("D", "date", 3, 10, 0),
        crate::support::catalog::column("T", "time", 5, 16, 7),
    ],
)];

#[test]
fn runner_connections_bulk_load_of_a_date_before_a_time() {
    // tiberius 0.12 wrote a scale byte after DATE in the bulk load's
    // column metadata, which MS-TDS does not have (tiberius #410): every
    // column after a date was misread. The test server reads the metadata
    // as MS-TDS lays it out.
    let server = TestServer::start();
    server.tables(DATED);
    let loaded: std::sync::Arc<std::sync::Mutex<Vec<(String, Value)>>> = Default::default();
    let l = loaded.clone();
    server.on_sql(move |sql, params, _t: &mut Tokens| {
        if sql == "BULK LOAD [dbo].[Dated]" {
            l.lock().unwrap().extend(params.iter().cloned());
        }
        sql.contains("BULK ").then_some(0)
    });
    let t = sales(&server);
    let cancel = CancelToken::new();
    let mut c = SqlConnection::open(&t, &cancel).unwrap();
    let columns = c.table_columns("[dbo].[Dated]", None, &cancel).unwrap();
    let names = ["Id".to_string(), "D".to_string(), "T".to_string()];
    let options = BulkOptions::default();
    let load = BulkLoad {
        table: "[dbo].[Dated]",
        columns: &columns,
        names: &names,
        options: &options,
    };
    let moment = |year, month, day, hour, minute, second, nanos| {
        SqlValue::DateTime(SqlDateTime {
            year,
            month,
            day,
            hour,
            minute,
            second,
            nanos,
            offset_minutes: None,
        })
    };
    let rows = [
        vec![
            SqlValue::Int(1),
            moment(2024, 2, 29, 0, 0, 0, 0),
            moment(1900, 1, 1, 13, 4, 5, 123_456_700),
        ],
        vec![SqlValue::Int(2), SqlValue::Null, SqlValue::Null],
    ];
    assert_eq!(c.bulk_insert(&load, &rows, None, &cancel).unwrap(), 2);
    let got: Vec<(String, Value)> = loaded.lock().unwrap().clone();
    let named = |n: &str, v: Value| (n.to_string(), v);
    assert_eq!(
        got,
        [
            named("Id", Value::Int(1)),
            // Days since 0001-01-01; 100 ns units since midnight.
            named("D", Value::Date(738_944)),
            named("T", Value::Time(470_451_234_567, 7)),
            named("Id", Value::Int(2)),
            named("D", Value::Null),
            named("T", Value::Null),
        ]
    );
}

#[test]
fn runner_connections_real_server_when_configured() {
    let Ok(cs) = std::env::var("SSIS_TEST_SQLSERVER") else {
        eprintln!(
            "runner_connections: SSIS_TEST_SQLSERVER not set, the real-server check is skipped"
        );
        return;
    };
    if cs.trim().is_empty() {
        return;
    }
    // SSIS_TEST_SQLSERVER is ADO-style: use it as an ADO.NET SqlClient manager.
    let t = SqlServerTarget::parse(
        "Real",
        "ADO.NET:System.Data.SqlClient.SqlConnection, System.Data",
        &cs,
        None,
    )
    .unwrap();
    let cancel = CancelToken::new();
    let mut c = SqlConnection::open(&t, &cancel).unwrap();
    let sets = c
        .query(
            "SELECT @P1 + 1 AS n, CAST('2024-02-29T10:11:12.5' AS datetime2) AS d",
            &[SqlValue::Int(41)],
            None,
            &cancel,
        )
        .unwrap();
    assert_eq!(sets[0].rows[0][0], SqlValue::Int(42));
    assert_eq!(sets[0].rows[0][1].to_text(), "2024-02-29 10:11:12.5");
}
