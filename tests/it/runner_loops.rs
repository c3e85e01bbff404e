//! For Loop and Foreach Loop (File and Item enumerators) end to end, with
//! property expressions building each iteration's command line.
#![cfg(unix)] // the test packages run /bin/sh

use crate::common;
use common::{exec, stage};
use std::path::Path;

fn setup(dir: &Path, fail_at: &str) -> std::path::PathBuf {
    std::fs::create_dir_all(dir.join("in/sub")).unwrap();
    std::fs::create_dir_all(dir.join("out")).unwrap();
    for (f, text) in [
        ("in/a.txt", "1"),
        ("in/b.TXT", "2"),
        ("in/c.csv", "3"),
        ("in/sub/d.txt", "4"),
    ] {
        std::fs::write(dir.join(f), text).unwrap();
    }
    stage("loops_2012.dtsx", dir, &[("@@FAILAT@@", fail_at)])
}

fn read(dir: &Path, f: &str) -> String {
    std::fs::read_to_string(dir.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"))
}

fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn file_for_and_item_loops_run_once_per_element() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = setup(dir.path(), "99");
    let r = exec(&["/F", pkg.to_str().unwrap(), "/REP", "EWI"]);
    assert_eq!(r.code, 0, "{}{}", r.out, r.err);
    // *.txt matches b.TXT (Windows rules) but not c.csv; Recurse finds sub/d.txt;
    // FileNameRetrievalType 1 maps the name with its extension.
    assert_eq!(
        listing(&dir.path().join("out")),
        vec!["a.txt.seen", "b.TXT.seen", "d.txt.seen"]
    );
    assert_eq!(read(dir.path(), "out/b.TXT.seen"), "b.TXT");
    // For Loop: init 0, while < Limit (3), +1.
    assert_eq!(read(dir.path(), "count.txt"), "0\n1\n2\n");
    // Item enumerator: two rows, typed values mapped by index.
    assert_eq!(read(dir.path(), "item_10.txt"), "alpha\n");
    assert_eq!(read(dir.path(), "item_20.txt"), "beta\n");
    assert!(r.out.contains("ran 3 iteration(s)"), "{}", r.out);
}

#[test]
fn set_changes_the_for_loop_bound() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = setup(dir.path(), "99");
    let r = exec(&[
        "/F",
        pkg.to_str().unwrap(),
        "/SET",
        "\\Package.Variables[User::Limit].Properties[Value];5",
    ]);
    assert_eq!(r.code, 0, "{}", r.out);
    assert_eq!(read(dir.path(), "count.txt"), "0\n1\n2\n3\n4\n");
}

#[test]
fn a_failing_iteration_stops_the_loop_and_fails_the_package() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = setup(dir.path(), "1");
    let r = exec(&["/F", pkg.to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}", r.out);
    assert_eq!(
        read(dir.path(), "count.txt"),
        "0\n1\n",
        "the loop stops after the iteration that reached MaximumErrorCount"
    );
    assert!(
        !dir.path().join("item_10.txt").exists(),
        "the Success constraint after the failed loop is not met"
    );
    assert!(r.out.contains("Package\\Count"), "{}", r.out);
}

#[test]
fn a_missing_folder_fails_the_foreach_loop_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = setup(dir.path(), "99");
    std::fs::remove_dir_all(dir.path().join("in")).unwrap();
    let r = exec(&["/F", pkg.to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}", r.out);
    assert!(
        r.out.contains("does not exist") && r.out.contains("in"),
        "{}",
        r.out
    );
    assert!(!dir.path().join("count.txt").exists());
}

#[test]
fn an_empty_folder_runs_no_iteration_and_warns() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = setup(dir.path(), "99");
    std::fs::remove_dir_all(dir.path().join("in")).unwrap();
    std::fs::create_dir(dir.path().join("in")).unwrap();
    let r = exec(&["/F", pkg.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.out);
    assert!(listing(&dir.path().join("out")).is_empty());
    assert!(r.out.contains("enumerator is empty"), "{}", r.out);
    assert_eq!(read(dir.path(), "count.txt"), "0\n1\n2\n");
}

#[test]
fn a_non_boolean_eval_expression_fails_the_loop() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = setup(dir.path(), "99");
    let text = std::fs::read_to_string(&pkg).unwrap().replace(
        "DTS:EvalExpression=\"@[User::Counter] &lt; @[User::Limit]\"",
        "DTS:EvalExpression=\"@[User::Counter] + 1\"",
    );
    std::fs::write(&pkg, text).unwrap();
    let r = exec(&["/F", pkg.to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}", r.out);
    assert!(
        r.out.contains("EvalExpression") && r.out.contains("not a boolean"),
        "{}",
        r.out
    );
    assert!(!dir.path().join("count.txt").exists());
}

#[test]
fn cancel_stops_a_loop_between_iterations() {
    use ssis_service::runner::{SharedWriter, cancel::CancelToken, run_cli};
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().unwrap();
    let pkg = setup(dir.path(), "-1");
    let count = |dir: &Path| {
        std::fs::read_to_string(dir.join("count.txt"))
            .map(|t| t.lines().count())
            .unwrap_or(0)
    };
    let token = CancelToken::new();
    let args: Vec<std::ffi::OsString> = [
        "/F",
        pkg.to_str().unwrap(),
        "/SET",
        "\\Package.Variables[User::Limit].Value;1000000",
    ]
    .iter()
    .map(Into::into)
    .collect();
    let out = common::Buf::default();
    let (done_tx, done) = std::sync::mpsc::channel();
    let runner = {
        let (token, out) = (token.clone(), out.clone());
        std::thread::spawn(move || {
            let code = run_cli(
                &args,
                SharedWriter::new(Box::new(out)),
                SharedWriter::new(Box::new(std::io::sink())),
                &token,
            );
            let _ = done_tx.send(code);
        })
    };
    // Cancel once three iterations have run; the count read right after the
    // cancel bounds what may follow: the iteration running then, no other.
    let deadline = Instant::now() + Duration::from_secs(60);
    while count(dir.path()) < 3 {
        assert!(Instant::now() < deadline, "the loop never ran 3 iterations");
        std::thread::sleep(Duration::from_millis(10));
    }
    token.cancel();
    let at_cancel = count(dir.path());
    let code = done
        .recv_timeout(Duration::from_secs(60))
        .expect("the run ends after a cancel");
    runner.join().unwrap();
    assert_eq!(code, 3, "{}", out.text());
    let text = read(dir.path(), "count.txt");
    let seen: Vec<&str> = text.lines().collect();
    assert!(
        (at_cancel..=at_cancel + 1).contains(&seen.len()),
        "{} iterations, {at_cancel} when canceled",
        seen.len()
    );
    let expected: Vec<String> = (0..seen.len()).map(|i| i.to_string()).collect();
    assert_eq!(seen, expected, "whole iterations, in order");
    assert!(
        !dir.path().join("item_10.txt").exists(),
        "nothing after the loop"
    );
}
