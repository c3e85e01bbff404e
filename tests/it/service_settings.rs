//! Each run setting of the configuration's `<SsisService>` takes effect, and
//! the command-line flag wins over it: `GracePeriodSeconds` (`--stop-grace`),
//! `OutputCapBytes` (`--output-cap`), `RetentionDays`
//! (`--history-retention-days`, `--event-retention-days`).
#![cfg(unix)] // the fixture's executor is a shell script

use crate::service_support::{self, Fixture, group_members, kill_group};
use serde_json::Value;

fn run(d: &service_support::Daemon, args: &[&str]) -> Value {
    let mut all = vec!["run"];
    all.extend_from_slice(args);
    d.json(&all)
}

/// The message of the one "did not stop within N s; killing" entry after stopping `Stubborn`.
fn kill_message(d: &service_support::Daemon) -> String {
    let started = run(d, &["\\File System\\Jobs\\Stubborn"]);
    let id = started["ExecutionId"].as_str().unwrap().to_string();
    let pid = started["ProcessId"].as_u64().unwrap() as u32;
    d.wait_for(&id, "current task", |e| !e["CurrentTask"].is_null());
    let stopped = d.json(&["stop", &id]);
    assert_eq!(
        stopped["ExitCode"],
        128 + 9,
        "killed after the grace: {stopped}"
    );
    assert!(group_members(pid).is_empty());
    kill_group(pid);
    let killed = d.json(&["events", "--event-id", "1026"]);
    let items = killed["Items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{killed}");
    items[0]["Message"].as_str().unwrap().to_string()
}

#[test]
fn grace_period_seconds_comes_from_the_configuration_unless_a_flag_says() {
    let f = Fixture::new(true);
    f.add_settings("<GracePeriodSeconds>2</GracePeriodSeconds>");
    let d = f.start();
    let message = kill_message(&d);
    assert!(message.contains("within 2 s"), "{message}");
    d.stop();

    let f = Fixture::new(true);
    f.add_settings("<GracePeriodSeconds>30</GracePeriodSeconds>");
    let d = f.start_with(&["--stop-grace", "1"]);
    let message = kill_message(&d);
    assert!(message.contains("within 1 s"), "{message}");
    d.stop();
}

#[test]
fn output_cap_bytes_comes_from_the_configuration_unless_a_flag_says() {
    let f = Fixture::new(true);
    f.add_settings("<OutputCapBytes>1500</OutputCapBytes>");
    let d = f.start();
    let marker = ssis_service::service::output::marker(1500);
    let e = run(&d, &["\\File System\\Jobs\\Chatty", "--wait"]);
    let out = d.json(&["logs", e["ExecutionId"].as_str().unwrap()]);
    let text = out["Text"].as_str().unwrap();
    assert_eq!(text.len(), 1500 + marker.len(), "the configured cap");
    assert!(text.ends_with(&marker));
    d.stop();

    let f = Fixture::new(true);
    f.add_settings("<OutputCapBytes>1500</OutputCapBytes>");
    let d = f.start_with(&["--output-cap", "2048"]);
    let marker = ssis_service::service::output::marker(2048);
    let e = run(&d, &["\\File System\\Jobs\\Chatty", "--wait"]);
    let out = d.json(&["logs", e["ExecutionId"].as_str().unwrap()]);
    assert_eq!(
        out["Text"].as_str().unwrap().len(),
        2048 + marker.len(),
        "the flag's cap"
    );
    d.stop();
}

/// Makes every ended execution and every event `days` old in the state database.
fn age_state(f: &Fixture, days: i64) {
    let db = rusqlite::Connection::open(f.state().join("state.db")).unwrap();
    let shift = days * 86_400_000;
    db.execute(
        "UPDATE executions SET start_ms = start_ms - ?1, end_ms = end_ms - ?1",
        [shift],
    )
    .unwrap();
    db.execute("UPDATE events SET time_ms = time_ms - ?1", [shift])
        .unwrap();
}

fn history_len(d: &service_support::Daemon) -> usize {
    d.json(&["history"])["Items"].as_array().unwrap().len()
}

#[test]
fn retention_days_comes_from_the_configuration_unless_a_flag_says() {
    let f = Fixture::new(true);
    let d = f.start();
    let e = run(&d, &["\\File System\\Jobs\\Quick", "--wait"]);
    assert_eq!(e["Status"], "Succeeded", "{e}");
    d.stop();
    age_state(&f, 10);

    // Default (90 days of history): a 10-day-old run stays.
    let d = f.start();
    assert_eq!(history_len(&d), 1);
    d.stop();

    // RetentionDays 20: still kept; a flag of 5 days wins and prunes it.
    f.add_settings("<RetentionDays>20</RetentionDays>");
    let d = f.start();
    assert_eq!(history_len(&d), 1);
    d.stop();
    let d = f.start_with(&["--history-retention-days", "5"]);
    assert_eq!(
        history_len(&d),
        0,
        "the flag's 5 days prune a 10-day-old run"
    );
    d.stop();

    // RetentionDays 5 alone prunes history and events at start-up.
    let f = Fixture::new(true);
    let d = f.start();
    run(&d, &["\\File System\\Jobs\\Quick", "--wait"]);
    d.stop();
    age_state(&f, 10);
    f.add_settings("<RetentionDays>5</RetentionDays>");
    let d = f.start();
    assert_eq!(
        history_len(&d),
        0,
        "RetentionDays 5 prunes a 10-day-old run"
    );
    let events = d.json(&["events", "--limit", "10000"]);
    let old = events["Items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["Message"].as_str().unwrap_or("").contains("Quick"))
        .count();
    assert_eq!(old, 0, "the run's events went with it: {events}");
    d.stop();
}
