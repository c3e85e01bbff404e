//! The bookkeeping of executions without starting any process: how an
//! ending becomes a status, waits, output chunks, recovery.

use super::finish::exit_code;
use super::*;
use crate::eventlog::ids;
use crate::supervise::{self, ExitReport};
use ssis_core::error::ErrorKind;
use ssis_core::protocol::executions::{Execution, ExecutionStatus, OutputParams};
use ssis_core::timefmt::format_ms;
use std::os::unix::process::ExitStatusExt;

struct Fixture {
    _dir: tempfile::TempDir,
    db: Arc<Db>,
    ex: Arc<Executions>,
}

fn fixture(output_cap: u64) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let db = Arc::new(Db::open(dir.path()).unwrap());
    let settings = Settings {
        output_dir: dir.path().join("output"),
        output_cap,
        stop_grace: Duration::from_secs(1),
        poll: Duration::from_millis(50),
        supervisor: PathBuf::from("/nonexistent/ssis"),
    };
    let ex = Executions::new(Arc::clone(&db), EventLog::new(Arc::clone(&db)), settings).unwrap();
    Fixture { _dir: dir, db, ex }
}

/// A running execution `id` as `start` records it (process `pid`).
fn running(f: &Fixture, id: &str, pid: u32) {
    let e = Execution {
        package_path: Some("\\File System\\Load".into()),
        store: "File System".into(),
        started_by: "alice".into(),
        started_from: "test".into(),
        command_line: vec!["dtexec".into()],
        ..Execution::created(id.into(), "Load".into(), format_ms(1_000))
    };
    f.db.insert_execution(&e, 1_000).unwrap();
    f.db.set_running(id, pid, None).unwrap();
}

/// A wait status: exit `code`, or killed by `signal`.
fn exited(code: i32) -> Ending {
    Ending::Exited(ExitStatus::from_raw(code << 8))
}
fn signalled(signal: i32) -> Ending {
    Ending::Exited(ExitStatus::from_raw(signal))
}

#[test]
fn exit_codes_and_signals_are_recorded_as_shells_report_them() {
    assert_eq!(exit_code(&ExitStatus::from_raw(0)).0, Some(0));
    assert_eq!(
        exit_code(&ExitStatus::from_raw(7 << 8)),
        (Some(7), "exit code 7".into())
    );
    assert_eq!(
        exit_code(&ExitStatus::from_raw(9)),
        (Some(137), "ended by signal 9".into())
    );
}

#[test]
fn an_ending_becomes_the_status_the_exit_and_the_stop_say() {
    let f = fixture(1 << 20);
    let cases: [(&str, Ending, bool, ExecutionStatus, Option<i32>); 5] = [
        ("a0", exited(0), false, ExecutionStatus::Succeeded, Some(0)),
        ("a1", exited(7), false, ExecutionStatus::Failed, Some(7)),
        (
            "a2",
            signalled(9),
            false,
            ExecutionStatus::Failed,
            Some(137),
        ),
        // A stop asked for wins over how the process ended.
        ("a3", exited(0), true, ExecutionStatus::Stopped, Some(0)),
        // Not our child and no exit file: nobody knows.
        ("a4", Ending::Gone, false, ExecutionStatus::Unknown, None),
    ];
    for (id, ending, stopped, status, code) in cases {
        running(&f, id, 4_000_000);
        let active = f.ex.watch(id.into(), 4_000_000);
        assert_eq!(f.ex.running_count(), 1);
        f.ex.finish(&active, ending, stopped);
        let e = f.ex.get(id).unwrap();
        assert_eq!((e.status, e.exit_code), (status, code), "{id}: {e:?}");
        assert!(e.end_time.is_some(), "{id}");
        assert_eq!(
            e.message.is_none(),
            status == ExecutionStatus::Succeeded,
            "{id}: {e:?}"
        );
        assert_eq!(f.ex.running_count(), 0, "{id}: no longer watched");
    }
}

#[test]
fn the_supervisors_exit_report_wins_and_keeps_its_end_time() {
    let f = fixture(1 << 20);
    running(&f, "r1", 4_000_001);
    // The supervisor was killed (signal 9) after its executor exited 0
    // at 12:00:00 and wrote its report.
    let report = ExitReport {
        exit_code: 0,
        signal: None,
        process_id: 4_000_002,
        end_time: "2024-01-01T12:00:00Z".into(),
        error: None,
        output_lost: None,
    };
    supervise::write_report(&f.ex.exit_path("r1"), &report).unwrap();
    let active = f.ex.watch("r1".into(), 4_000_001);
    f.ex.finish(&active, signalled(9), false);
    let e = f.ex.get("r1").unwrap();
    assert_eq!(
        (e.status, e.exit_code),
        (ExecutionStatus::Succeeded, Some(0))
    );
    assert_eq!(e.end_time.as_deref(), Some("2024-01-01T12:00:00.000Z"));
    assert!(!f.ex.exit_path("r1").exists(), "the report is consumed");
    // A report of an executor that could not start: failed, and why.
    running(&f, "r2", 4_000_003);
    let report = ExitReport {
        exit_code: 127,
        signal: None,
        process_id: 0,
        end_time: "2024-01-01T12:00:00Z".into(),
        error: Some("no such file".into()),
        output_lost: None,
    };
    supervise::write_report(&f.ex.exit_path("r2"), &report).unwrap();
    let active = f.ex.watch("r2".into(), 4_000_003);
    f.ex.finish(&active, exited(0), false);
    let e = f.ex.get("r2").unwrap();
    assert_eq!(e.status, ExecutionStatus::Failed);
    assert!(
        e.message
            .unwrap()
            .contains("could not be started: no such file")
    );
    // Output the log could not take: the run succeeded, and says so.
    running(&f, "r3", 4_000_004);
    let report = ExitReport {
        exit_code: 0,
        signal: None,
        process_id: 4_000_005,
        end_time: "2024-01-01T12:00:00Z".into(),
        error: None,
        output_lost: Some("the output log could not take 9 bytes".into()),
    };
    supervise::write_report(&f.ex.exit_path("r3"), &report).unwrap();
    let active = f.ex.watch("r3".into(), 4_000_004);
    f.ex.finish(&active, exited(0), false);
    let e = f.ex.get("r3").unwrap();
    assert_eq!(e.status, ExecutionStatus::Succeeded);
    assert_eq!(
        e.message.as_deref(),
        Some("the output log could not take 9 bytes")
    );
    let filter = ssis_core::protocol::events::EventFilter {
        event_id: Some(ids::OUTPUT_NOT_RECORDED),
        ..Default::default()
    };
    let events = f.db.events(&filter).unwrap();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].execution_id.as_deref(), Some("r3"));
}

#[test]
fn unknown_ids_are_not_found_by_name() {
    let f = fixture(1 << 20);
    for e in [
        f.ex.get("nope").unwrap_err(),
        f.ex.stop("nope", "alice", "test").unwrap_err(),
        f.ex.output(&OutputParams {
            execution_id: "nope".into(),
            offset: 0,
            max_bytes: None,
        })
        .unwrap_err(),
    ] {
        assert_eq!(e.kind, ErrorKind::NotFound, "{e}");
        assert_eq!(e.target.as_deref(), Some("nope"), "{e}");
    }
}

#[tokio::test]
async fn wait_returns_when_the_execution_ends_or_times_out() {
    let f = fixture(1 << 20);
    running(&f, "w1", 4_000_004);
    let active = f.ex.watch("w1".into(), 4_000_004);
    let e =
        f.ex.wait("W1", Some(Duration::from_millis(50)))
            .await
            .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Timeout, "{e}");
    let waiter = {
        let ex = Arc::clone(&f.ex);
        tokio::spawn(async move { ex.wait("w1", None).await })
    };
    f.ex.finish(&active, exited(3), false);
    let ended = tokio::time::timeout(Duration::from_secs(20), waiter)
        .await
        .expect("the wait ends with the execution")
        .unwrap()
        .unwrap();
    assert_eq!(ended.status, ExecutionStatus::Failed);
    // An ended execution: answered at once.
    let again = f.ex.wait("w1", Some(Duration::ZERO)).await.unwrap();
    assert_eq!(again.exit_code, Some(3));
}

#[test]
fn output_chunks_say_where_to_go_on_and_when_it_is_complete() {
    let f = fixture(10);
    running(&f, "o1", 4_000_005);
    std::fs::write(f.ex.log_path("o1"), "0123456789abcdef").unwrap();
    let read = |offset, max_bytes| {
        f.ex.output(&OutputParams {
            execution_id: "o1".into(),
            offset,
            max_bytes,
        })
        .unwrap()
    };
    let c = read(0, Some(4));
    assert_eq!((c.text.as_str(), c.offset, c.next_offset), ("0123", 0, 4));
    assert!(c.truncated, "16 bytes is over the 10-byte cap");
    assert!(!c.complete, "still running");
    let c = read(100, None);
    assert_eq!((c.offset, c.next_offset, c.text.as_str()), (16, 16, ""));
    // Ended and read to the end: complete; not before the end.
    let active = f.ex.watch("o1".into(), 4_000_005);
    f.ex.finish(&active, exited(0), false);
    assert!(!read(0, Some(4)).complete);
    assert!(read(12, None).complete);
}

#[tokio::test]
async fn recovery_marks_executions_whose_process_is_gone_unknown() {
    let f = fixture(1 << 20);
    // A process that has ended (and was reaped): its pid is free.
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    running(&f, "gone", pid);
    f.ex.recover().unwrap();
    let e = f.ex.get("gone").unwrap();
    assert_eq!(e.status, ExecutionStatus::Unknown, "{e:?}");
    assert_eq!(f.ex.running_count(), 0);
    assert!(f.ex.list().unwrap().is_empty());
}
