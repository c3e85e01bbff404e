//! End-to-end runs of precedence packages in both layouts, checking the
//! files each Execute Process task writes.

use crate::common;
use common::{exec, stage};
use std::path::Path;

fn exists(dir: &Path, f: &str) -> bool {
    dir.join(f).exists()
}

#[cfg(unix)]
fn check_paths(dir: &Path) {
    assert!(exists(dir, "a.txt"), "A runs first");
    assert!(exists(dir, "c.txt"), "failure path runs after B fails");
    assert!(
        !exists(dir, "d.txt"),
        "success path after a failed B never runs"
    );
    assert!(exists(dir, "e.txt"), "completion path runs");
    assert!(!exists(dir, "f.txt"), "the disabled task is skipped");
    assert!(
        exists(dir, "g.txt"),
        "a disabled task counts as succeeded downstream"
    );
    assert!(
        exists(dir, "h.txt"),
        "OR: one satisfied constraint is enough"
    );
}

#[cfg(unix)] // the packages run /bin/sh; Windows: tests/runner_windows.rs
#[test]
fn layout_2012_paths_and_failure_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = stage("precedence_2012.dtsx", dir.path(), &[("@@MAXERR@@", "1")]);
    let r = exec(&["/F", pkg.to_str().unwrap()]);
    assert_eq!(
        r.code, 1,
        "B's error reaches MaximumErrorCount 1: {}{}",
        r.out, r.err
    );
    check_paths(dir.path());
    assert!(r.out.contains("DTSER_FAILURE"), "{}", r.out);
    assert!(
        r.out.contains("Package\\B"),
        "the error names the task: {}",
        r.out
    );
    assert!(r.out.contains("exit code was \"3\""), "{}", r.out);
}

#[cfg(unix)] // the packages run /bin/sh; Windows: tests/runner_windows.rs
#[test]
fn layout_2012_succeeds_when_errors_stay_below_maximum() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = stage("precedence_2012.dtsx", dir.path(), &[("@@MAXERR@@", "2")]);
    let r = exec(&["-file", pkg.to_str().unwrap(), "/REP", "N"]);
    assert_eq!(r.code, 0, "{}{}", r.out, r.err);
    check_paths(dir.path());
    assert!(r.out.is_empty(), "/REP N prints nothing: {}", r.out);
}

#[cfg(unix)] // the packages run /bin/sh; Windows: tests/runner_windows.rs
#[test]
fn layout_2008_in_a_sequence_container() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = stage(
        "precedence_2008.dtsx",
        dir.path(),
        &[("@@MAXERR@@", "1"), ("@@SEQMAX@@", "1")],
    );
    let r = exec(&["/F", pkg.to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}{}", r.out, r.err);
    check_paths(dir.path());
    assert!(
        exists(dir.path(), "after.txt"),
        "completion constraint after the failed sequence"
    );
    assert!(r.out.contains("Package\\Steps\\B"), "{}", r.out);

    let dir = tempfile::tempdir().unwrap();
    let pkg = stage(
        "precedence_2008.dtsx",
        dir.path(),
        &[("@@MAXERR@@", "5"), ("@@SEQMAX@@", "5")],
    );
    let r = exec(&["/F", pkg.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}{}", r.out, r.err);
    check_paths(dir.path());
    assert!(exists(dir.path(), "after.txt"));
}

#[cfg(unix)] // the packages run /bin/sh; Windows: tests/runner_windows.rs
#[test]
fn events_json_one_object_per_line() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = stage("precedence_2012.dtsx", dir.path(), &[("@@MAXERR@@", "1")]);
    let r = exec(&["/F", pkg.to_str().unwrap(), "--events", "json"]);
    assert_eq!(r.code, 1);
    let events: Vec<serde_json::Value> = r
        .out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect();
    let has = |ev: &str, path: &str| {
        events
            .iter()
            .any(|e| e["Event"] == ev && e["SourcePath"] == path)
    };
    assert!(has("OnPreExecute", "Package"));
    assert!(has("OnPreExecute", "Package\\A") && has("OnPostExecute", "Package\\A"));
    assert!(has("OnError", "Package\\B") && has("OnTaskFailed", "Package\\B"));
    assert!(!has("OnPreExecute", "Package\\D"), "D never runs");
    assert!(!has("OnPreExecute", "Package\\F"), "F is disabled");
    assert!(has("OnProgress", "Package"));
    assert!(
        events
            .iter()
            .all(|e| e["Time"].as_str().is_some_and(|t| t.ends_with('Z')))
    );
    assert!(
        events
            .iter()
            .any(|e| e["SourceType"] == "Execute Process Task")
    );
    assert!(
        r.err.contains("DTSER_FAILURE"),
        "text reporting moves to stderr: {}",
        r.err
    );
}

#[test]
fn validate_does_not_run_anything() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = stage("precedence_2012.dtsx", dir.path(), &[("@@MAXERR@@", "1")]);
    let r = exec(&["/F", pkg.to_str().unwrap(), "/Va"]);
    assert_eq!(r.code, 0, "{}{}", r.out, r.err);
    assert!(!exists(dir.path(), "a.txt"));
}
