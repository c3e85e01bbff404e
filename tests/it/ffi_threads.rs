//! Eight threads share one session handle and make mixed C API calls for about three
//! seconds: listings, lookups, imports, copies, deletes, errors. No call may fail
//! unexpectedly and each thread must see its own last error.

use crate::ffi_support;

use ffi_support::*;
use ssis_service::ffi::*;
use std::sync::Arc;
use std::time::{Duration, Instant};

const THREADS: usize = 8;
const RUN_FOR: Duration = Duration::from_secs(3);

#[test]
fn eight_threads_share_one_session() {
    let store = Store::new(10);
    let session = Arc::new(store.connect());
    let sample = path_c(&store.sample());
    let sample = Arc::new(sample);
    let start = Instant::now();

    let workers: Vec<_> = (0..THREADS)
        .map(|t| {
            let session = Arc::clone(&session);
            let sample = Arc::clone(&sample);
            std::thread::spawn(move || -> Result<usize, String> {
                let s = session.0;
                let mut calls = 0usize;
                let mut round = 0usize;
                while start.elapsed() < RUN_FOR {
                    round += 1;
                    let fail = |what: &str, e: (ssis_status, String)| {
                        format!("thread {t} round {round} {what}: {:?} {}", e.0, e.1)
                    };
                    let top = call(|o| unsafe { ssis_list_folders(s, std::ptr::null(), o) })
                        .map_err(|e| fail("list top", e))?;
                    if top["Items"][0]["Name"] != "File System" {
                        return Err(format!("thread {t}: bad listing {top}"));
                    }
                    let fs = c("\\File System");
                    let sub = call(|o| unsafe { ssis_list_folders(s, fs.as_ptr(), o) })
                        .map_err(|e| fail("list sub", e))?;
                    if sub["Items"].as_array().map(|a| a.len()).unwrap_or(0) < 10 {
                        return Err(format!("thread {t}: expected >= 10 folders: {sub}"));
                    }
                    let folder = c(&format!("\\File System\\T{t} €"));
                    call(|o| unsafe { ssis_folder_create(s, folder.as_ptr(), o) })
                        .map_err(|e| fail("folder create", e))?;
                    let pkg = c(&format!("\\File System\\T{t} €\\Überweisung {round}"));
                    call(|o| unsafe {
                        ssis_package_import(s, sample.as_ptr(), pkg.as_ptr(), 0, o)
                    })
                    .map_err(|e| fail("import", e))?;
                    let copy = c(&format!("\\File System\\T{t} €\\Kopie"));
                    call(|o| unsafe { ssis_package_copy(s, pkg.as_ptr(), copy.as_ptr(), 1, o) })
                        .map_err(|e| fail("copy", e))?;
                    let pkgs = call(|o| unsafe { ssis_list_packages(s, folder.as_ptr(), 0, o) })
                        .map_err(|e| fail("list packages", e))?;
                    if pkgs["Items"].as_array().map(|a| a.len()) != Some(2) {
                        return Err(format!("thread {t}: expected 2 packages: {pkgs}"));
                    }
                    let info = c("\\File System\\F03\\Load");
                    call(|o| unsafe { ssis_package_info(s, info.as_ptr(), o) })
                        .map_err(|e| fail("info", e))?;
                    call(|o| unsafe { ssis_get_config(s, o) }).map_err(|e| fail("config", e))?;
                    // An expected error: this thread's last error must be this one.
                    let missing = c(&format!("\\File System\\Missing {t}"));
                    match call(|o| unsafe { ssis_package_info(s, missing.as_ptr(), o) }) {
                        Err((ssis_status::SSIS_NOT_FOUND, json))
                            if json.contains(&format!("Missing {t}")) => {}
                        other => return Err(format!("thread {t}: missing package gave {other:?}")),
                    }
                    let st = unsafe { ssis_folder_delete(s, folder.as_ptr(), 1) };
                    if st != ssis_status::SSIS_OK {
                        return Err(fail("folder delete", (st, last_error())));
                    }
                    calls += 10;
                }
                Ok(calls)
            })
        })
        .collect();

    let mut total = 0;
    for worker in workers {
        total += worker.join().expect("no panic").expect("no failed call");
    }
    assert!(
        total >= THREADS * 10,
        "every thread completed rounds: {total} calls"
    );
    eprintln!(
        "{total} calls in {:?} from {THREADS} threads",
        start.elapsed()
    );
}
