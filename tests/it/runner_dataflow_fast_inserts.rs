//! INSERT statements standing in for a fast load's bulk load (here for a
//! time(3) column, which tiberius's `INSERT BULK` would declare as
//! time(7)): a load of more rows than one statement carries goes in whole
//! or not at all, as the bulk load would, in a transaction of its own or
//! under a savepoint of the load's transaction; a refused row sends every
//! row of its load to the error disposition. Through the real `ssis exec`
//! and the TDS test server, which records each statement.

use crate::dataflow_pipe::{Input, Layout, Output, col, comp, data_flow, error_cols, pipeline};
use crate::runner_dataflow_sql::{ext_col, mapped, ssis_exec, with_props};
use crate::runner_execute_sql::{
    CM_ID, Log, Var, logging_server, oledb, package_2012_with, param, sql_task,
};
use crate::support::catalog::{Table, column};
use crate::support::tds::{ColType, DONE_COUNT, DONE_MORE, Tokens, Value};

/// Rows in the source: more than one INSERT carries (1,000 rows of two
/// columns each).
const ROWS: i64 = 1_500;

/// The row Timed refuses (in the second statement).
const REFUSED: i64 = 1_200;

const TABLES: &[Table] = &[
    (
        "[dbo].[Many]",
        &[column("Id", "int", 4, 10, 0), column("T", "time", 5, 16, 7)],
    ),
    (
        "[dbo].[Timed]",
        &[
            column("Id", "int", 4, 10, 0),
            column("At", "time", 4, 12, 3),
        ],
    ),
    (
        "[dbo].[Clocked]",
        &[
            column("Id", "int", 4, 10, 0),
            column("At", "time", 4, 12, 3),
        ],
    ),
];

/// Many has `ROWS` rows; Timed refuses the row whose Id is `REFUSED`.
fn server() -> (crate::support::TestServer, Log) {
    logging_server(TABLES, |sql, values, t: &mut Tokens| {
        if sql == "SELECT * FROM [dbo].[Many]" {
            let cols = [("Id", ColType::Int), ("T", ColType::Time(7))];
            t.col_metadata(&cols);
            for id in 1..=ROWS {
                let time = Value::Time(u64::try_from(id).unwrap() * 10_000_000, 7);
                t.row(&[(&Value::Int(id), ColType::Int), (&time, ColType::Time(7))]);
            }
            t.done(DONE_MORE | DONE_COUNT, ROWS as u64);
        } else if sql.starts_with("INSERT INTO [dbo].[Timed]")
            && values.contains(&Value::Int(REFUSED))
        {
            t.error(
                2627,
                14,
                "Violation of PRIMARY KEY constraint 'PK_Timed'.",
                "",
            );
            return Some(1);
        } else if !sql.starts_with("INSERT") {
            return None;
        }
        Some(0)
    })
}

const SRC: &str = "Many.Outputs[OLE DB Source Output].Columns";

/// Many -> a fast load into `table` (`error_disp`, `commit_size`) whose
/// error output is counted into User::Rejected; then an Execute SQL task
/// writes that count into `counted`. With `outer`, the connection is
/// retained and Execute SQL tasks begin a transaction before the data flow
/// and commit it at the end.
fn package(
    dir: &std::path::Path,
    server: &crate::support::TestServer,
    table: &str,
    error_disp: &'static str,
    commit_size: &str,
    outer: bool,
) -> std::path::PathBuf {
    let mut source = with_props(
        comp("Many", "Microsoft.OLEDBSource", "OLE DB Source"),
        &[("AccessMode", "0"), ("OpenRowset", "[dbo].[Many]")],
    );
    source.conn = Some(("OleDbConnection", "Sales", CM_ID));
    source.outputs.push(Output {
        name: "OLE DB Source Output",
        is_error: false,
        sync: None,
        cols: vec![
            ext_col(col("Id", "dataType=\"i4\"")),
            ext_col(col("T", "dataType=\"dbTime2\" scale=\"7\"")),
        ],
    });
    let mut dest = with_props(
        comp("Write", "Microsoft.OLEDBDestination", "OLE DB Destination"),
        &[
            ("AccessMode", "3"),
            ("OpenRowset", table),
            ("FastLoadMaxInsertCommitSize", commit_size),
        ],
    );
    dest.conn = Some(("OleDbConnection", "Sales", CM_ID));
    dest.inputs.push(Input {
        name: "OLE DB Destination Input",
        error_disp,
        cols: vec![
            mapped(&format!("{SRC}[Id]"), "Id", "Id"),
            mapped(&format!("{SRC}[T]"), "T", "At"),
        ],
        external: vec![
            ("Id", "dataType=\"i4\""),
            ("At", "dataType=\"dbTime2\" scale=\"3\""),
        ],
    });
    dest.outputs.push(Output {
        name: "OLE DB Destination Error Output",
        is_error: true,
        sync: Some("OLE DB Destination Input"),
        cols: error_cols(),
    });
    let mut count = with_props(
        comp("Count Rejected", "Microsoft.RowCount", "Row Count"),
        &[("VariableName", "User::Rejected")],
    );
    count.inputs.push(Input {
        name: "Row Count Input 1",
        error_disp: "FailComponent",
        cols: Vec::new(),
        external: Vec::new(),
    });
    count.outputs.push(Output {
        name: "Row Count Output 1",
        is_error: false,
        sync: Some("Row Count Input 1"),
        cols: Vec::new(),
    });
    let paths = vec![
        (
            "Out",
            "Many.Outputs[OLE DB Source Output]".to_string(),
            "Write.Inputs[OLE DB Destination Input]".to_string(),
        ),
        (
            "Errors",
            "Write.Outputs[OLE DB Destination Error Output]".to_string(),
            "Count Rejected.Inputs[Row Count Input 1]".to_string(),
        ),
    ];
    let mut tasks = vec![
        data_flow(pipeline(Layout::Ssdt, &[source, dest, count], &paths)),
        sql_task(
            "Note",
            "SQLTask:SqlStatementSource=\"INSERT INTO counted VALUES (?)\"",
            &param("0", "User::Rejected", "Input", 3),
        ),
    ];
    if outer {
        let statement = |s: &str| format!("SQLTask:SqlStatementSource=\"{s} TRANSACTION\"");
        tasks.insert(0, sql_task("Begin", &statement("BEGIN"), ""));
        tasks.push(sql_task("Commit", &statement("COMMIT"), ""));
    }
    let vars: Vec<Var> = vec![("Rejected", 3, "0".into())];
    let mut text = package_2012_with(&[oledb(server)], &vars, &tasks, &[]);
    if outer {
        let plain = "<DTS:ConnectionManager DTS:ConnectionString=";
        assert!(text.contains(plain));
        text = text.replace(
            plain,
            "<DTS:ConnectionManager DTS:Retain=\"True\" DTS:ConnectionString=",
        );
    }
    let path = dir.join(format!(
        "fast_inserts_{error_disp}_{commit_size}_{outer}.dtsx"
    ));
    std::fs::write(&path, text).unwrap();
    path
}

/// The load's statements in order: transaction statements as sent, each
/// INSERT into `table` as "INSERT <rows>".
fn load_statements(log: &Log, table: &str) -> Vec<String> {
    let insert = format!("INSERT INTO {table} ");
    log.lock()
        .unwrap()
        .iter()
        .filter_map(|(sql, values)| {
            if sql.starts_with(&insert) {
                Some(format!("INSERT {}", values.len() / 2))
            } else if ["BEGIN", "SAVE", "ROLLBACK", "COMMIT"]
                .iter()
                .any(|w| sql.starts_with(w))
            {
                Some(sql.clone())
            } else {
                None
            }
        })
        .collect()
}

/// What the Execute SQL task after the data flow wrote: User::Rejected.
fn rejected(log: &Log) -> Vec<Vec<Value>> {
    log.lock()
        .unwrap()
        .iter()
        .filter(|(sql, _)| sql.starts_with("INSERT INTO counted"))
        .map(|(_, v)| v.clone())
        .collect()
}

/// What a run of [`package`] gave: exit code, output, the load's
/// statements ([`load_statements`]) and what the last Execute SQL task
/// wrote of User::Rejected ([`rejected`]).
struct Ran {
    code: i32,
    out: String,
    statements: Vec<String>,
    rejected: Vec<Vec<Value>>,
}

/// Runs [`package`] against a fresh test server.
fn run(table: &str, error_disp: &'static str, commit_size: &str, outer: bool) -> Ran {
    let (server, log) = server();
    let dir = tempfile::tempdir().unwrap();
    let pkg = package(dir.path(), &server, table, error_disp, commit_size, outer);
    let (code, out) = ssis_exec(&pkg);
    Ran {
        code,
        out,
        statements: load_statements(&log, table),
        rejected: rejected(&log),
    }
}

/// A load of two statements, the second refused, undone to its savepoint;
/// the transaction around it is the load's own, or (commit size 0) the
/// input's, begun as the connection opens and committed at its end.
const REFUSED_LOAD: [&str; 6] = [
    "BEGIN TRANSACTION",
    "SAVE TRANSACTION ssis_load",
    "INSERT 1000",
    "INSERT 500",
    "ROLLBACK TRANSACTION ssis_load",
    "COMMIT TRANSACTION",
];

#[test]
fn statements_standing_in_for_a_bulk_load_commit_together() {
    let r = run("[dbo].[Clocked]", "RedirectRow", "2147483647", false);
    assert_eq!(r.code, 0, "{}", r.out);
    assert!(
        r.out
            .contains("fast load into [dbo].[Clocked] runs as INSERT statements"),
        "{}",
        r.out
    );
    assert_eq!(
        r.statements,
        [
            "BEGIN TRANSACTION",
            "SAVE TRANSACTION ssis_load",
            "INSERT 1000",
            "INSERT 500",
            "COMMIT TRANSACTION"
        ]
    );
    assert!(r.out.contains("Write: wrote 1500 rows."), "{}", r.out);
    assert_eq!(r.rejected, [[Value::Int(0)]]);
}

#[test]
fn a_refused_row_rolls_back_its_whole_load_and_redirects_every_row_of_it() {
    let r = run("[dbo].[Timed]", "RedirectRow", "2147483647", false);
    assert_eq!(r.code, 0, "{}", r.out);
    // The first 1,000 rows went in before row 1,200 was refused: they are
    // rolled back, and all 1,500 rows of the load go to the error output,
    // as a refused bulk load's would.
    assert_eq!(r.statements, REFUSED_LOAD);
    assert!(r.out.contains("Write: wrote 0 rows."), "{}", r.out);
    assert_eq!(r.rejected, [[Value::Int(ROWS)]]);
}

#[test]
fn a_load_committed_at_the_end_rolls_back_to_its_savepoint() {
    // FastLoadMaxInsertCommitSize 0: one transaction for the whole input
    // (begun as the connection opens); the refused load is undone to its
    // savepoint and the rest commits.
    let r = run("[dbo].[Timed]", "RedirectRow", "0", false);
    assert_eq!(r.code, 0, "{}", r.out);
    assert_eq!(r.statements, REFUSED_LOAD);
    assert_eq!(r.rejected, [[Value::Int(ROWS)]]);
    assert!(r.out.contains("Write: wrote 0 rows."), "{}", r.out);
}

#[test]
fn a_refused_row_that_fails_the_component_leaves_none_of_its_load() {
    let r = run("[dbo].[Timed]", "FailComponent", "2147483647", false);
    assert_eq!(r.code, 1, "{}", r.out);
    assert!(
        r.out
            .contains("inserting into [dbo].[Timed] (rows 1-1500 of the buffer, loaded together)")
            && r.out
                .contains("Violation of PRIMARY KEY constraint 'PK_Timed'")
            && r.out
                .contains("(the INSERT of rows 1001-1500 of the buffer)"),
        "{}",
        r.out
    );
    assert_eq!(r.statements, REFUSED_LOAD);
    assert!(r.rejected.is_empty());
}

#[test]
fn a_refused_load_leaves_the_sessions_own_transaction_open() {
    // Execute SQL begins a transaction on the retained connection the data
    // flow uses, and commits it after: the refused load is undone to its
    // savepoint only, and the package's COMMIT still has its transaction.
    let r = run("[dbo].[Timed]", "RedirectRow", "2147483647", true);
    assert_eq!(r.code, 0, "{}", r.out);
    assert_eq!(
        r.statements,
        [
            "BEGIN TRANSACTION",
            "BEGIN TRANSACTION",
            "SAVE TRANSACTION ssis_load",
            "INSERT 1000",
            "INSERT 500",
            "ROLLBACK TRANSACTION ssis_load",
            "COMMIT TRANSACTION",
            "COMMIT TRANSACTION"
        ]
    );
    assert_eq!(r.rejected, [[Value::Int(ROWS)]]);
}
