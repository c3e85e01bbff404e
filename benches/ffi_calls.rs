//! Calls per second through the C ABI beside the same operation through the Rust API.
//!
//! `cargo bench --bench ffi_calls` measures:
//! - `ssis_version()` (the bare cost of crossing the boundary);
//! - listing the 10 folders of a temporary File System store: `Session::list_folders`
//!   (Rust, no JSON), the same plus `serde_json::to_string` (what the C call returns), and
//!   `ssis_list_folders` plus `ssis_string_free` through the C ABI.
//!
//! - `ssis_get_config` beside `Session::get_config` + JSON: no I/O, so the boundary's own
//!   cost (checks, runtime entry, last error, C string) shows through the noise.
//!
//! It prints nanoseconds per call and the ABI + JSON overhead (C ABI minus the Rust call
//! without JSON); the target is under 5 µs. Figures go in docs/PERFORMANCE.md ("C API").
//! Run by `cargo test --all-targets` (no `--bench` argument) it makes a few calls of each
//! kind only, as a smoke test.

use ssis_service::client::Session;
use ssis_service::ffi::{
    ssis_connect, ssis_disconnect, ssis_get_config, ssis_list_folders, ssis_session, ssis_status,
    ssis_string_free, ssis_version,
};
use ssis_service::store::StorePath;
use std::ffi::{CStr, CString};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// One measured operation.
type Operation<'a> = Box<dyn FnMut() + 'a>;

const FOLDERS: usize = 10;
/// Interleaved measuring rounds; the median of each kind is reported.
const ROUNDS: usize = 7;

/// Runs `f` repeatedly for about `budget`; nanoseconds per call.
fn measure(budget: Duration, f: &mut dyn FnMut()) -> f64 {
    // Warm up, then size batches so the clock is read rarely.
    for _ in 0..100 {
        f();
    }
    let mut calls: u64 = 0;
    let start = Instant::now();
    let mut batch = 64;
    while start.elapsed() < budget {
        for _ in 0..batch {
            f();
        }
        calls += batch;
        batch = (batch * 2).min(65_536);
    }
    start.elapsed().as_nanos() as f64 / calls as f64
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let budget = if full {
        Duration::from_millis(400)
    } else {
        Duration::from_millis(10)
    };

    let dir = tempfile::tempdir().expect("temp dir");
    for i in 0..FOLDERS {
        std::fs::create_dir_all(dir.path().join(format!("Packages/Folder {i:02}"))).unwrap();
    }
    let config = dir.path().join("MsDtsSrvr.ini.xml");
    std::fs::write(
        &config,
        r#"<?xml version="1.0" encoding="utf-8"?>
<DtsServiceConfiguration xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <StopExecutingPackagesOnShutdown>true</StopExecutingPackagesOnShutdown>
  <TopLevelFolders>
    <Folder xsi:type="FileSystemFolder">
      <Name>File System</Name>
      <StorePath>Packages</StorePath>
    </Folder>
  </TopLevelFolders>
</DtsServiceConfiguration>
"#,
    )
    .unwrap();
    let server = format!("embedded:{}", config.display());
    let folder = "\\File System";
    let folder_path: StorePath = folder.parse().unwrap();

    // Rust API.
    let session = Session::connect(Some(&server), None).expect("connect");
    let listed = session.list_folders(Some(&folder_path)).expect("list");
    assert_eq!(listed.items.len(), FOLDERS);
    // C ABI.
    let server_c = CString::new(server).unwrap();
    let folder_c = CString::new(folder).unwrap();
    let mut handle: *mut ssis_session = std::ptr::null_mut();
    let st = unsafe { ssis_connect(server_c.as_ptr(), std::ptr::null(), &mut handle) };
    assert_eq!(st, ssis_status::SSIS_OK);
    let mut out = std::ptr::null_mut();
    assert_eq!(
        unsafe { ssis_list_folders(handle, folder_c.as_ptr(), &mut out) },
        ssis_status::SSIS_OK
    );
    let json = unsafe { CStr::from_ptr(out) }.to_str().unwrap().to_owned();
    unsafe { ssis_string_free(out) };
    assert_eq!(
        json,
        serde_json::to_string(&listed).unwrap(),
        "C returns the Rust JSON"
    );

    // The machine is shared and noisy: interleave the kinds in rounds, keep each median.
    let mut kinds: Vec<(&str, Operation)> = vec![
        (
            "ssis_version()",
            Box::new(|| {
                black_box(ssis_version());
            }),
        ),
        (
            "Rust: Session::list_folders",
            Box::new(|| {
                black_box(session.list_folders(black_box(Some(&folder_path))).unwrap());
            }),
        ),
        (
            "Rust: Session::list_folders + serde_json::to_string",
            Box::new(|| {
                let items = session.list_folders(black_box(Some(&folder_path))).unwrap();
                black_box(serde_json::to_string(&items).unwrap());
            }),
        ),
        (
            "C ABI: ssis_list_folders + ssis_string_free",
            Box::new(|| {
                let mut out = std::ptr::null_mut();
                let st =
                    unsafe { ssis_list_folders(handle, black_box(folder_c.as_ptr()), &mut out) };
                debug_assert_eq!(st, ssis_status::SSIS_OK);
                unsafe { ssis_string_free(black_box(out)) };
            }),
        ),
        // An operation without I/O, to see the boundary's own cost beside the noisy listing.
        (
            "Rust: Session::get_config + serde_json::to_string",
            Box::new(|| {
                let config = session.get_config().unwrap();
                black_box(serde_json::to_string(&config).unwrap());
            }),
        ),
        (
            "C ABI: ssis_get_config + ssis_string_free",
            Box::new(|| {
                let mut out = std::ptr::null_mut();
                let st = unsafe { ssis_get_config(handle, &mut out) };
                debug_assert_eq!(st, ssis_status::SSIS_OK);
                unsafe { ssis_string_free(black_box(out)) };
            }),
        ),
    ];
    let names: Vec<&str> = kinds.iter().map(|k| k.0).collect();
    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); kinds.len()];
    for _ in 0..ROUNDS {
        for (i, (_, f)) in kinds.iter_mut().enumerate() {
            samples[i].push(measure(budget, f.as_mut()));
        }
    }
    drop(kinds);
    let median: Vec<f64> = samples
        .iter_mut()
        .map(|s| {
            s.sort_by(|a, b| a.total_cmp(b));
            s[s.len() / 2]
        })
        .collect();
    let (rust_plain, rust_json, c_list) = (median[1], median[2], median[3]);
    unsafe { ssis_disconnect(handle) };

    let row = |name: &str, ns: f64| {
        println!("{name:<58} {ns:>10.0} ns/call {:>12.0} calls/s", 1e9 / ns);
    };
    println!(
        "C API benchmark ({} build, {FOLDERS}-folder store, median of {ROUNDS} interleaved rounds{})",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
        if full { "" } else { ", smoke run" }
    );
    for (name, ns) in names.iter().zip(&median) {
        row(name, *ns);
    }
    println!(
        "JSON serialization: {:.0} ns; ABI beyond Rust+JSON: {:.0} ns; ABI + JSON overhead: {:.0} ns (target < 5000 ns)",
        rust_json - rust_plain,
        c_list - rust_json,
        c_list - rust_plain
    );
    println!(
        "get_config (no I/O): ABI beyond Rust+JSON: {:.0} ns",
        median[5] - median[4]
    );
    if full && c_list - rust_plain > 5000.0 {
        eprintln!("warning: ABI + JSON overhead above the 5 µs target");
    }
}
