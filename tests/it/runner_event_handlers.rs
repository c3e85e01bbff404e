//! Event handlers end to end, in both layouts: OnError, OnTaskFailed and
//! OnPreExecute handlers on tasks and on the package, propagation with
//! `System::Propagate`, `DisableEventHandlers`, and the handler's System
//! variables — each handler reports through an Execute SQL Task that the
//! TDS test server records.

use crate::common::exec;
use crate::runner_execute_sql::{
    Cm, Handler, Task, Var, both, both_with, inserts, oledb, param, scripted_server, sql_task,
};
use crate::support::tds::Value;

/// A handler task recording (SourceName, ErrorDescription) into `table`.
fn record(name: &'static str, table: &str, with_description: bool) -> Task {
    let (sql, params) = if with_description {
        (
            format!("INSERT INTO {table} VALUES (?, ?)"),
            param("0", "System::SourceName", "Input", 130)
                + &param("1", "System::ErrorDescription", "Input", 130),
        )
    } else {
        (
            format!("INSERT INTO {table} VALUES (?)"),
            param("0", "System::SourceName", "Input", 130),
        )
    };
    sql_task(
        name,
        &format!("SQLTask:SqlStatementSource=\"{sql}\""),
        &params,
    )
}

fn failing() -> Task {
    sql_task(
        "Lock",
        "SQLTask:SqlStatementSource=\"RAISERROR('x', 16, 1)\"",
        "",
    )
}

fn text(v: &Value) -> String {
    v.as_text().unwrap_or_default().to_string()
}

/// (table, first parameter, second parameter or empty) of each INSERT.
fn recorded(log: &crate::runner_execute_sql::Log) -> Vec<(String, String, String)> {
    inserts(log)
        .into_iter()
        .map(|(sql, v)| {
            let table = sql.split_whitespace().nth(2).unwrap_or("").to_string();
            (
                table,
                v.first().map(text).unwrap_or_default(),
                v.get(1).map(text).unwrap_or_default(),
            )
        })
        .collect()
}

#[test]
fn runner_event_handlers_on_error_propagates_from_task_to_package() {
    let (server, log) = scripted_server();
    let dir = tempfile::tempdir().unwrap();
    let vars: Vec<Var> = vec![];
    let package_handlers = [
        Handler {
            event: "OnError",
            propagate: true,
            tasks: vec![record("Log Package Error", "package_errors", true)],
        },
        Handler {
            event: "OnTaskFailed",
            propagate: true,
            tasks: vec![record("Log Failure", "failures", false)],
        },
    ];
    for (task_propagates, disabled, want_tables) in [
        (
            true,
            false,
            vec!["task_errors", "package_errors", "failures"],
        ),
        (false, false, vec!["task_errors", "failures"]),
        (true, true, vec!["package_errors", "failures"]),
    ] {
        let mut lock = failing();
        lock.handlers = vec![Handler {
            event: "OnError",
            propagate: task_propagates,
            tasks: vec![record("Log Task Error", "task_errors", true)],
        }];
        lock.disable_handlers = disabled;
        for pkg in both_with(
            dir.path(),
            &[oledb(&server)],
            &vars,
            &[lock.clone()],
            &package_handlers,
        ) {
            log.lock().unwrap().clear();
            let r = exec(&["/F", pkg.to_str().unwrap()]);
            assert_eq!(r.code, 1, "{}: {}", pkg.display(), r.out);
            let got = recorded(&log);
            let tables: Vec<&str> = got.iter().map(|(t, _, _)| t.as_str()).collect();
            assert_eq!(
                tables,
                want_tables,
                "{} (Propagate {task_propagates}, DisableEventHandlers {disabled}): {}",
                pkg.display(),
                r.out
            );
            for (table, source, description) in &got {
                assert_eq!(
                    source, "Lock",
                    "{table}: SourceName is the task that failed"
                );
                if table != "failures" {
                    assert!(
                        description.contains("the order table is locked"),
                        "{table}: ErrorDescription: {description}"
                    );
                }
            }
        }
    }
}

#[test]
fn runner_event_handlers_on_pre_execute_runs_for_each_executable_once() {
    let (server, log) = scripted_server();
    let dir = tempfile::tempdir().unwrap();
    let work = |name: &'static str| {
        sql_task(
            name,
            "SQLTask:SqlStatementSource=\"INSERT INTO work VALUES (1)\"",
            "",
        )
    };
    let handlers = [Handler {
        event: "OnPreExecute",
        propagate: true,
        tasks: vec![record("Log Start", "starts", false)],
    }];
    for pkg in both_with(
        dir.path(),
        &[oledb(&server)],
        &[],
        &[work("A"), work("B")],
        &handlers,
    ) {
        log.lock().unwrap().clear();
        let r = exec(&["/F", pkg.to_str().unwrap()]);
        assert_eq!(r.code, 0, "{}: {}", pkg.display(), r.out);
        let got: Vec<(String, String)> =
            recorded(&log).into_iter().map(|(t, s, _)| (t, s)).collect();
        let want: Vec<(String, String)> = [
            ("starts", "SqlPkg"),
            ("starts", "A"),
            ("work", ""),
            ("starts", "B"),
            ("work", ""),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        assert_eq!(
            got,
            want,
            "{}: the handler's own task does not start the handler again",
            pkg.display()
        );
    }
}

#[test]
fn runner_event_handlers_see_events_of_a_child_package() {
    let (server, log) = scripted_server();
    let dir = tempfile::tempdir().unwrap();
    // The child fails; only the parent has an OnError handler, whose task
    // uses a connection manager only the parent has.
    let child_dir = dir.path().join("child");
    std::fs::create_dir(&child_dir).unwrap();
    let [child_2012, child_2008] = both(&child_dir, &[oledb(&server)], &[], &[failing()]);
    for child in [child_2012, child_2008] {
        let file = Cm {
            name: "Child",
            id: "{C0000000-0000-0000-0000-0000000000C1}",
            creation: "FILE".into(),
            connection_string: child.to_str().unwrap().into(),
        };
        let mut parent_cm = oledb(&server);
        parent_cm.name = "ParentDb";
        parent_cm.id = "{C0000000-0000-0000-0000-0000000000C2}";
        let mut log_task = record("Log Error", "parent_errors", true);
        log_task.data = log_task
            .data
            .replace(crate::runner_execute_sql::CM_ID, parent_cm.id);
        let mut run_child = sql_task("Run Child", "", "");
        run_child.kind = "Microsoft.ExecutePackageTask";
        run_child.data = format!(
            "<ExecutePackageTask><UseProjectReference>False</UseProjectReference>\
             <Connection>{}</Connection></ExecutePackageTask>",
            file.id
        );
        let handlers = [Handler {
            event: "OnError",
            propagate: true,
            tasks: vec![log_task],
        }];
        let parent_dir = dir.path().join(format!(
            "parent-{}",
            child.file_name().unwrap().to_string_lossy()
        ));
        std::fs::create_dir(&parent_dir).unwrap();
        for pkg in both_with(
            &parent_dir,
            &[file, parent_cm],
            &[],
            &[run_child],
            &handlers,
        ) {
            log.lock().unwrap().clear();
            let r = exec(&["/F", pkg.to_str().unwrap()]);
            assert_eq!(r.code, 1, "{}: {}", pkg.display(), r.out);
            let got = recorded(&log);
            let sources: Vec<&str> = got.iter().map(|(_, s, _)| s.as_str()).collect();
            assert_eq!(
                sources,
                ["Lock", "Run Child"],
                "{}: the child's error, then the task's own: {}",
                pkg.display(),
                r.out
            );
            assert!(got[0].2.contains("the order table is locked"), "{got:?}");
        }
    }
}

#[test]
fn runner_event_handlers_on_pre_validate_runs_before_each_executable() {
    let (server, log) = scripted_server();
    let dir = tempfile::tempdir().unwrap();
    let work = sql_task(
        "A",
        "SQLTask:SqlStatementSource=\"INSERT INTO work VALUES (1)\"",
        "",
    );
    let handlers = [Handler {
        event: "OnPreValidate",
        propagate: true,
        tasks: vec![record("Log Validate", "validated", false)],
    }];
    for pkg in both_with(
        dir.path(),
        &[oledb(&server)],
        &[],
        std::slice::from_ref(&work),
        &handlers,
    ) {
        log.lock().unwrap().clear();
        let r = exec(&["/F", pkg.to_str().unwrap()]);
        assert_eq!(r.code, 0, "{}: {}", pkg.display(), r.out);
        let got: Vec<(String, String)> =
            recorded(&log).into_iter().map(|(t, s, _)| (t, s)).collect();
        assert_eq!(
            got,
            [
                ("validated".to_string(), "SqlPkg".to_string()),
                ("validated".to_string(), "A".to_string()),
                ("work".to_string(), String::new()),
            ],
            "{}",
            pkg.display()
        );
        assert!(
            !r.out.contains("PreValidate"),
            "not on the console: {}",
            r.out
        );
    }
}

#[test]
fn runner_event_handlers_on_variable_value_changed() {
    let (server, log) = scripted_server();
    let dir = tempfile::tempdir().unwrap();
    let vars: Vec<Var> = vec![("N", 3, "0".into())];
    let get = sql_task(
        "Get",
        "SQLTask:SqlStatementSource=\"SELECT @P1 + 1 AS n, 1 AS s\" SQLTask:ResultType=\"ResultSetType_SingleRow\"",
        &(param("0", "User::N", "Input", 3) + &crate::runner_execute_sql::result("n", "User::N")),
    );
    // The scripted server answers `SELECT @P1 + 1 AS n`; with `?`:
    let mut get = get;
    get.data = get.data.replace("SELECT @P1 + 1", "SELECT ? + 1");
    let handlers = [Handler {
        event: "OnVariableValueChanged",
        propagate: true,
        tasks: vec![sql_task(
            "Log Change",
            "SQLTask:SqlStatementSource=\"INSERT INTO changes VALUES (?, ?)\"",
            &(param("0", "System::VariableName", "Input", 130)
                + &param("1", "System::VariableValue", "Input", 130)),
        )],
    }];
    for pkg in both_with(
        dir.path(),
        &[oledb(&server)],
        &vars,
        std::slice::from_ref(&get),
        &handlers,
    ) {
        // RaiseChangedEvent on User::N, as each layout writes it.
        let text = std::fs::read_to_string(&pkg).unwrap();
        let text = text
            .replace(
                "DTS:ObjectName=\"N\">",
                "DTS:ObjectName=\"N\" DTS:RaiseChangedEvent=\"True\">",
            )
            .replace(
                "<DTS:Property DTS:Name=\"Namespace\">User</DTS:Property>",
                "<DTS:Property DTS:Name=\"Namespace\">User</DTS:Property><DTS:Property DTS:Name=\"RaiseChangedEvent\">-1</DTS:Property>",
            );
        std::fs::write(&pkg, text).unwrap();
        log.lock().unwrap().clear();
        let r = exec(&["/F", pkg.to_str().unwrap()]);
        assert_eq!(r.code, 0, "{}: {}", pkg.display(), r.out);
        let got = recorded(&log);
        assert_eq!(
            got,
            [(
                "changes".to_string(),
                "User::N".to_string(),
                "1".to_string()
            )],
            "{}",
            pkg.display()
        );
    }
}

#[test]
fn runner_event_handlers_error_code_is_ssis_code_and_dtexec_shows_it() {
    let (server, log) = scripted_server();
    let dir = tempfile::tempdir().unwrap();
    let rec = sql_task(
        "Log Code",
        "SQLTask:SqlStatementSource=\"INSERT INTO codes VALUES (?)\"",
        &param("0", "System::ErrorCode", "Input", 3),
    );
    let mut lock = failing();
    lock.handlers = vec![Handler {
        event: "OnError",
        propagate: false,
        tasks: vec![rec],
    }];
    for pkg in both(dir.path(), &[oledb(&server)], &[], &[lock.clone()]) {
        log.lock().unwrap().clear();
        let r = exec(&["/F", pkg.to_str().unwrap(), "/REP", "EW"]);
        assert_eq!(r.code, 1, "{}", r.out);
        // DTS_E_SQLTASK_ERROREXECUTINGTHEQUERY, as an Int32.
        let got = inserts(&log);
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(
            got[0].1.first().and_then(Value::as_int),
            Some(-1_073_548_784)
        );
        assert!(
            r.out
                .contains("   Code: 0xC002F210\n   Source: Package\\Lock (Execute SQL Task)\n"),
            "{}",
            r.out
        );
        // DTS_W_MAXIMUMERRORCOUNTREACHED on the package.
        assert!(
            r.out
                .contains("   Code: 0x80019002\n   Source: Package (Package)\n"),
            "{}",
            r.out
        );
    }
}
