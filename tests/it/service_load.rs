//! Load at the scale issue 5 asks for: 50 concurrent clients × 1,000
//! requests with no error, and 200 concurrent executions of a one-task
//! package through the built-in runner, every one accounted for in the
//! history with the right final status and exit code.
// The fixture drives a Unix socket and process groups; Windows has tests/windows/.
#![cfg(unix)]

use crate::service_support;

use service_support::Fixture;
use ssis_service::client::Session;
use ssis_service::protocol::executions::{ExecutionStatus, HistoryFilter, RunParams};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn connect(socket: &std::path::Path) -> Session {
    Session::connect(Some(&format!("unix:{}", socket.display())), None)
        .unwrap_or_else(|e| panic!("cannot connect to {}: {e}", socket.display()))
}

#[test]
#[ignore = "load/perf test: run by scripts/load-tests.sh (CI runs it as its own step)"]
fn fifty_clients_times_a_thousand_requests() {
    const CLIENTS: usize = 50;
    const REQUESTS: usize = 1000;
    let f = Fixture::new(true);
    let d = f.start();
    let started = Instant::now();
    let errors = Arc::new(Mutex::new(Vec::<String>::new()));
    let threads: Vec<_> = (0..CLIENTS)
        .map(|i| {
            let socket = d.socket.clone();
            let errors = Arc::clone(&errors);
            std::thread::spawn(move || {
                let s = connect(&socket);
                for n in 0..REQUESTS {
                    let outcome = match (i + n) % 4 {
                        0 => s
                            .list_folders(Some(&"\\File System".parse().unwrap()))
                            .map(|r| r.items.len() == 1),
                        1 => s.service_info().map(|r| r.process_id > 0),
                        2 => s.executions_list().map(|r| r.items.is_empty()),
                        _ => s
                            .execution_history(&HistoryFilter::default())
                            .map(|r| r.items.is_empty()),
                    };
                    match outcome {
                        Ok(true) => {}
                        Ok(false) => errors
                            .lock()
                            .unwrap()
                            .push(format!("client {i} request {n}: unexpected result")),
                        Err(e) => errors
                            .lock()
                            .unwrap()
                            .push(format!("client {i} request {n}: {e}")),
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("a client thread panicked");
    }
    let elapsed = started.elapsed();
    let errors = errors.lock().unwrap();
    assert!(
        errors.is_empty(),
        "{} of {} requests failed; first: {:?}\n{}",
        errors.len(),
        CLIENTS * REQUESTS,
        &errors[..errors.len().min(5)],
        d.log_text()
    );
    eprintln!(
        "{} requests from {CLIENTS} clients in {:.2} s ({:.0}/s)",
        CLIENTS * REQUESTS,
        elapsed.as_secs_f64(),
        (CLIENTS * REQUESTS) as f64 / elapsed.as_secs_f64()
    );
    assert!(d.ssis(&["service", "status"]).status.success());
    d.stop();
}

#[test]
#[ignore = "load/perf test: run by scripts/load-tests.sh (CI runs it as its own step)"]
fn two_hundred_concurrent_executions_are_all_accounted_for() {
    const RUNS: usize = 200;
    const STARTERS: usize = 20;
    // Long enough for every start to land while the first runs still nap.
    const NAP_SECONDS: u32 = 8;
    let f = Fixture::builtin(NAP_SECONDS);
    let d = f.start();
    let started = Instant::now();
    let threads: Vec<_> = (0..STARTERS)
        .map(|t| {
            let socket = d.socket.clone();
            std::thread::spawn(move || {
                let s = connect(&socket);
                let mut ids = Vec::new();
                for n in 0..RUNS / STARTERS {
                    // One in five fails: Broken's task runs `false`.
                    let name = if (t + n) % 5 == 0 { "Broken" } else { "Nap" };
                    let params = RunParams {
                        package: Some(format!("\\File System\\Jobs\\{name}")),
                        ..Default::default()
                    };
                    let e = s
                        .run(&params)
                        .unwrap_or_else(|e| panic!("start {n} of starter {t} failed: {e}"));
                    ids.push((e.execution_id, name));
                }
                ids
            })
        })
        .collect();
    let mut expected: HashMap<String, &str> = HashMap::new();
    for t in threads {
        expected.extend(t.join().expect("a starter thread panicked"));
    }
    let start_time = started.elapsed();
    assert_eq!(expected.len(), RUNS, "execution ids are unique");
    let s = connect(&d.socket);
    let running = s.executions_list().unwrap().items.len();

    let deadline = Instant::now() + Duration::from_secs(120);
    let history = loop {
        let h = s
            .execution_history(&HistoryFilter {
                limit: Some(10_000),
                ..Default::default()
            })
            .unwrap()
            .items;
        if h.iter().all(|e| e.status.is_final()) || Instant::now() > deadline {
            break h;
        }
        std::thread::sleep(Duration::from_millis(250));
    };
    let total = started.elapsed();
    eprintln!(
        "{RUNS} starts in {:.2} s; {running} running right after; all ended after {:.2} s",
        start_time.as_secs_f64(),
        total.as_secs_f64()
    );
    assert_eq!(
        history.len(),
        RUNS,
        "every execution is in the history, nothing else"
    );
    let mut wrong = Vec::new();
    for e in &history {
        let want = match expected.get(&e.execution_id) {
            Some(&"Nap") => (ExecutionStatus::Succeeded, Some(0)),
            Some(_) => (ExecutionStatus::Failed, Some(1)),
            None => {
                wrong.push(format!("unexpected execution {}", e.execution_id));
                continue;
            }
        };
        if (e.status, e.exit_code) != want {
            wrong.push(format!(
                "{} ({}): {:?} exit {:?}, expected {want:?}; {}",
                e.execution_id,
                e.package_name,
                e.status,
                e.exit_code,
                e.message.as_deref().unwrap_or("")
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {RUNS} executions ended wrongly:\n{}\n{}",
        wrong.len(),
        wrong[..wrong.len().min(10)].join("\n"),
        d.log_text()
    );
    // They really overlapped: the last start came before the first nap ended.
    let naps: Vec<_> = history
        .iter()
        .filter(|e| e.status == ExecutionStatus::Succeeded)
        .collect();
    let last_start = naps.iter().map(|e| e.start_time.clone()).max().unwrap();
    let first_end = naps
        .iter()
        .filter_map(|e| e.end_time.clone())
        .min()
        .unwrap();
    assert!(
        last_start < first_end,
        "the naps did not all run at once (last start {last_start}, first end {first_end}; \
         starting took {:.2} s): the machine is too slow for {NAP_SECONDS} s naps",
        start_time.as_secs_f64()
    );
    let events = d.json(&["events", "--event-id", "1020", "--limit", "10000"]);
    assert_eq!(
        events["Items"].as_array().unwrap().len(),
        RUNS,
        "one PackageStarted entry per execution"
    );
    d.stop();
}
