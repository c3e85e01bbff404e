//! C API error paths called from Rust: NULL pointers, invalid UTF-8, invalid booleans and
//! connection options give SSIS_INVALID_ARGUMENT naming the parameter; outputs stay
//! untouched; the last error is per thread.

use crate::ffi_support;

use ffi_support::*;
use ssis_service::ffi::*;
use std::ffi::{CString, c_char};
use std::ptr::{null, null_mut};

fn target(json: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(v["Kind"], "InvalidArgument", "{json}");
    v["Target"].as_str().unwrap_or_default().to_string()
}

#[test]
fn null_pointers_name_the_parameter() {
    let sentinel = std::ptr::dangling_mut::<c_char>();
    let mut out = sentinel;
    let st = unsafe { ssis_list_folders(null(), null(), &mut out) };
    assert_eq!(st, ssis_status::SSIS_INVALID_ARGUMENT);
    assert_eq!(out, sentinel, "output untouched on failure");
    assert_eq!(target(&last_error()), "session");

    assert_eq!(
        unsafe { ssis_config_read(null(), null_mut()) },
        ssis_status::SSIS_INVALID_ARGUMENT
    );
    assert_eq!(target(&last_error()), "out_json");
    let json = c("{}");
    assert_eq!(
        unsafe { ssis_config_write(null(), json.as_ptr()) },
        ssis_status::SSIS_INVALID_ARGUMENT
    );
    assert_eq!(target(&last_error()), "path");
    assert_eq!(
        unsafe { ssis_connect(null(), null(), null_mut()) },
        ssis_status::SSIS_INVALID_ARGUMENT
    );
    assert_eq!(target(&last_error()), "out");
    assert_eq!(
        unsafe { ssis_last_error(null_mut()) },
        ssis_status::SSIS_INVALID_ARGUMENT
    );
    assert_eq!(
        target(&last_error()),
        "out",
        "ssis_last_error(NULL) keeps the last error"
    );
    unsafe { ssis_disconnect(null_mut()) };
    unsafe { ssis_string_free(null_mut()) };
}

#[test]
fn invalid_utf8_is_refused_not_replaced() {
    let bad = b"\\File System\\\xff\0";
    let mut out = null_mut();
    let st = unsafe { ssis_config_read(bad.as_ptr().cast(), &mut out) };
    assert_eq!(st, ssis_status::SSIS_INVALID_ARGUMENT);
    let err = last_error();
    assert_eq!(target(&err), "path");
    assert!(err.contains("UTF-8"), "{err}");
    let mut handle = null_mut();
    let st = unsafe { ssis_connect(bad.as_ptr().cast(), null(), &mut handle) };
    assert_eq!(st, ssis_status::SSIS_INVALID_ARGUMENT);
    assert!(handle.is_null());
    assert_eq!(target(&last_error()), "server");
}

#[test]
fn connect_refuses_unknown_options_and_servers() {
    let mut handle: *mut ssis_session = null_mut();
    for options in ["{\"Timeout\": 5}", "[]", "{"] {
        let o = c(options);
        let st = unsafe { ssis_connect(null(), o.as_ptr(), &mut handle) };
        assert_eq!(st, ssis_status::SSIS_INVALID_ARGUMENT, "{options}");
        assert_eq!(target(&last_error()), "options_json");
    }
    let remote = c("http://example:1");
    let st = unsafe { ssis_connect(remote.as_ptr(), null(), &mut handle) };
    assert_eq!(st, ssis_status::SSIS_CONNECTION);
    assert!(last_error().contains("embedded:"));
    assert!(handle.is_null(), "no handle on failure");
}

#[test]
fn last_error_is_per_thread() {
    let remote = c("http://example:1");
    let mut handle = null_mut();
    unsafe { ssis_connect(remote.as_ptr(), null(), &mut handle) };
    assert!(last_error().contains("Connection"));
    let other = std::thread::spawn(last_error).join().unwrap();
    assert_eq!(other, "null", "a fresh thread has no last error");
    assert!(
        last_error().contains("Connection"),
        "still this thread's error"
    );
}

#[test]
fn validate_needs_an_output() {
    let st = unsafe { ssis_config_validate(null(), null(), null_mut()) };
    assert_eq!(st, ssis_status::SSIS_INVALID_ARGUMENT);
    assert_eq!(target(&last_error()), "out_json");
}

#[test]
fn invalid_booleans_are_refused_before_any_work() {
    let store = Store::new(1);
    let session = store.connect();
    let folder = c("\\File System\\F00");
    let mut out = null_mut();
    for bad in [2, -1, 255] {
        let st = unsafe { ssis_list_packages(session.0, folder.as_ptr(), bad, &mut out) };
        assert_eq!(st, ssis_status::SSIS_INVALID_ARGUMENT);
        assert_eq!(target(&last_error()), "recursive");
        let st = unsafe { ssis_folder_delete(session.0, folder.as_ptr(), bad) };
        assert_eq!(st, ssis_status::SSIS_INVALID_ARGUMENT);
    }
    assert!(
        store.dir.path().join("Packages/F00").exists(),
        "nothing deleted"
    );
}

/// The second path of copy, move, import and export (the destination, or
/// export's file): NULL or invalid UTF-8 is refused naming that parameter,
/// before anything is read or written, and the output stays untouched.
#[test]
fn second_path_arguments_null_or_invalid_utf8_are_refused() {
    type Transfer = unsafe extern "C" fn(
        *const ssis_session,
        *const c_char,
        *const c_char,
        i32,
        *mut *mut c_char,
    ) -> ssis_status;
    let store = Store::new(1);
    let session = store.connect();
    let package = c("\\File System\\F00\\Load");
    let sample = path_c(&store.sample());
    let calls: [(&str, Transfer, &CString, &str); 4] = [
        ("copy", ssis_package_copy, &package, "dest"),
        ("move", ssis_package_move, &package, "dest"),
        ("import", ssis_package_import, &sample, "dest"),
        ("export", ssis_package_export, &package, "file"),
    ];
    let listing = |dir: &std::path::Path| -> Vec<String> {
        let mut all = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p.clone());
                }
                all.push(p.display().to_string());
            }
        }
        all.sort();
        all
    };
    let before = listing(store.dir.path());
    let bad = b"\\File System\\F00\\\xff\xfe\0";
    for (name, f, first, param) in calls {
        for (what, second) in [("NULL", null()), ("bad UTF-8", bad.as_ptr().cast())] {
            for replace in [0, 1] {
                let sentinel = std::ptr::dangling_mut::<c_char>();
                let mut out = sentinel;
                let st = unsafe { f(session.0, first.as_ptr(), second, replace, &mut out) };
                assert_eq!(st, ssis_status::SSIS_INVALID_ARGUMENT, "{name} {what}");
                assert_eq!(out, sentinel, "{name} {what}: output untouched");
                let err = last_error();
                assert_eq!(target(&err), param, "{name} {what}: {err}");
                if what == "bad UTF-8" {
                    assert!(err.contains("UTF-8"), "{name}: {err}");
                }
            }
        }
    }
    assert_eq!(
        listing(store.dir.path()),
        before,
        "nothing read into or written"
    );
}

#[test]
fn a_listing_over_all_folders_returns_an_unlistable_folder_as_an_entry() {
    let store = Store::new(1);
    let text = std::fs::read_to_string(store.config()).unwrap().replace(
        "<TopLevelFolders>",
        "<TopLevelFolders><Folder xsi:type=\"SqlServerFolder\"><Name>MSDB</Name>\
         <ServerName>127.0.0.1,1</ServerName></Folder>",
    );
    std::fs::write(store.config(), text).unwrap();
    let session = store.connect();
    let root = c("\\");
    let list = call(|o| unsafe { ssis_list_packages(session.0, root.as_ptr(), 1, o) })
        .expect("the listing succeeds");
    let items = list["Items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{list}");
    assert_eq!(items[0]["Path"], "\\MSDB");
    assert_eq!(items[0]["FolderUnavailable"], true);
    // No login in this process's environment (Unsupported), or a refused port.
    let kind = items[0]["Error"]["Kind"].as_str().unwrap();
    assert!(kind == "Unsupported" || kind == "Connection", "{list}");
    assert_eq!(items[1]["Path"], "\\File System\\F00\\Load");
    assert!(items[1].get("FolderUnavailable").is_none());
}
