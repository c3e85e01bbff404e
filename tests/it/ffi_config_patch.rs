//! `ssis_config_patch` and `ssis_set_config_patch` through the C API: a JSON merge patch
//! changes only what it names (grants, listeners and unknown elements survive), bad
//! input is refused naming the parameter, and nothing is written on failure.

use crate::ffi_support;

use ffi_support::*;
use ssis_service::ffi::*;
use std::ffi::c_char;
use std::ptr::{null, null_mut};

/// Adds grants, a listener, scalar extensions and an unknown element to the store's file.
fn with_extensions(store: &Store) {
    let path = store.config();
    let text = std::fs::read_to_string(&path).unwrap().replace(
        "</DtsServiceConfiguration>",
        r#"  <SsisService>
    <GracePeriodSeconds>5</GracePeriodSeconds>
    <OutputCapBytes>4096</OutputCapBytes>
    <RetentionDays>30</RetentionDays>
    <TokenStore>tokens.json</TokenStore>
    <Listen Address="127.0.0.1:8443" Certificate="c.pem" Key="k.pem" />
    <Grants>
      <Grant Principal="user:grüße" Rights="Connect,Read" />
    </Grants>
    <Future Keep="1" />
  </SsisService>
</DtsServiceConfiguration>"#,
    );
    std::fs::write(&path, text).unwrap();
}

fn assert_kept(config: &serde_json::Value) {
    let ext = &config["Extensions"];
    assert_eq!(ext["GracePeriodSeconds"], 5, "{config}");
    assert_eq!(ext["OutputCapBytes"], 4096, "{config}");
    assert_eq!(ext["RetentionDays"], 30, "{config}");
    assert_eq!(ext["TokenStore"], "tokens.json", "{config}");
    assert_eq!(ext["Listen"][0]["Address"], "127.0.0.1:8443", "{config}");
    assert_eq!(ext["Grants"][0]["Principal"], "user:grüße", "{config}");
}

/// A C call taking only its `out_json`.
type OutCall<'a> = dyn Fn(*mut *mut c_char) -> ssis_status + 'a;

fn kind(err: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(err).unwrap();
    v["Kind"].as_str().unwrap().to_string()
}

#[test]
fn file_patch_changes_only_named_settings() {
    let store = Store::new(0);
    with_extensions(&store);
    let path = path_c(&store.config());
    let patch = c(
        r#"{"StopExecutingPackagesOnShutdown": false, "Extensions": {"Executor": "/bin/dtexec"}}"#,
    );
    let written = call(|out| unsafe { ssis_config_patch(path.as_ptr(), patch.as_ptr(), out) })
        .expect("patch");
    assert_eq!(written["StopExecutingPackagesOnShutdown"], false);
    assert_eq!(written["Extensions"]["Executor"], "/bin/dtexec");
    assert_kept(&written);
    let read = call(|out| unsafe { ssis_config_read(path.as_ptr(), out) }).unwrap();
    assert_eq!(read, written);
    let text = std::fs::read_to_string(store.config()).unwrap();
    assert!(text.contains("<Future Keep=\"1\""), "{text}");
}

#[test]
fn session_patch_changes_only_named_settings() {
    let store = Store::new(1);
    with_extensions(&store);
    let session = store.connect();
    let patch = c(r#"{"Extensions": {"RetentionDays": 7}}"#);
    let applied = call(|out| unsafe { ssis_set_config_patch(session.0, patch.as_ptr(), out) })
        .expect("patch");
    assert_eq!(applied["Extensions"]["RetentionDays"], 7);
    let now = call(|out| unsafe { ssis_get_config(session.0, out) }).unwrap();
    assert_eq!(now["Extensions"]["RetentionDays"], 7);
    assert_eq!(now["Extensions"]["Grants"][0]["Principal"], "user:grüße");
    assert_eq!(now["Extensions"]["Listen"][0]["Address"], "127.0.0.1:8443");
    let text = std::fs::read_to_string(store.config()).unwrap();
    assert!(text.contains("<Future Keep=\"1\""), "{text}");
}

#[test]
fn bad_patches_are_refused_and_change_nothing() {
    let store = Store::new(0);
    with_extensions(&store);
    let before = std::fs::read(store.config()).unwrap();
    let path = path_c(&store.config());
    for (patch, expected) in [
        ("{", "InvalidArgument"),
        ("[]", "InvalidArgument"),
        ("{\"Path\": \"x\"}", "InvalidArgument"),
        ("{\"Extensions\": {\"Grants\": 1}}", "Configuration"),
        ("{\"Bogus\": true}", "Configuration"),
    ] {
        let p = c(patch);
        let (st, err) = call(|out| unsafe { ssis_config_patch(path.as_ptr(), p.as_ptr(), out) })
            .expect_err(patch);
        assert_ne!(st, ssis_status::SSIS_OK);
        assert_eq!(kind(&err), expected, "{patch}: {err}");
        let session = store.connect();
        let (_, err) = call(|out| unsafe { ssis_set_config_patch(session.0, p.as_ptr(), out) })
            .expect_err(patch);
        assert_eq!(kind(&err), expected, "{patch}: {err}");
    }
    assert_eq!(std::fs::read(store.config()).unwrap(), before);
    let missing = path_c(&store.dir.path().join("missing.xml"));
    let p = c("{}");
    let (st, _) = call(|out| unsafe { ssis_config_patch(missing.as_ptr(), p.as_ptr(), out) })
        .expect_err("missing file");
    assert_eq!(st, ssis_status::SSIS_NOT_FOUND);
}

#[test]
fn null_pointers_name_the_parameter() {
    let store = Store::new(0);
    let path = path_c(&store.config());
    let patch = c("{}");
    let sentinel = std::ptr::dangling_mut::<c_char>();
    let cases: [(&str, Box<OutCall>); 3] = [
        (
            "path",
            Box::new(|o| unsafe { ssis_config_patch(null(), patch.as_ptr(), o) }),
        ),
        (
            "patch_json",
            Box::new(|o| unsafe { ssis_config_patch(path.as_ptr(), null(), o) }),
        ),
        (
            "session",
            Box::new(|o| unsafe { ssis_set_config_patch(null(), patch.as_ptr(), o) }),
        ),
    ];
    for (name, f) in cases {
        let mut out = sentinel;
        assert_eq!(f(&mut out), ssis_status::SSIS_INVALID_ARGUMENT, "{name}");
        assert_eq!(out, sentinel, "output untouched");
        let v: serde_json::Value = serde_json::from_str(&last_error()).unwrap();
        assert_eq!(v["Target"], name);
    }
    let st = unsafe { ssis_config_patch(path.as_ptr(), patch.as_ptr(), null_mut()) };
    assert_eq!(st, ssis_status::SSIS_INVALID_ARGUMENT);
    let session = store.connect();
    let st = unsafe { ssis_set_config_patch(session.0, null(), null_mut()) };
    assert_eq!(st, ssis_status::SSIS_INVALID_ARGUMENT);
    let bad = b"{\"Extensions\":{\"Executor\":\"\xff\"}}\0";
    let (st, err) = call(|o| unsafe { ssis_set_config_patch(session.0, bad.as_ptr().cast(), o) })
        .expect_err("utf-8");
    assert_eq!(st, ssis_status::SSIS_INVALID_ARGUMENT);
    assert!(err.contains("UTF-8"), "{err}");
}
