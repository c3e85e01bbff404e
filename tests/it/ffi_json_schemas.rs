//! The JSON the C API returns, pinned: for each function, the shape of its
//! result (every field name, nested, with its JSON type) must equal the
//! committed golden file `tests/golden/ffi/<function>.json`. PowerShell
//! (`Metadata.VersionBuild`, `ProtectionLevelName`, ...), the .NET binding
//! and C programs read these names: renaming or dropping one fails here.
//! After an intended change: `SSIS_UPDATE_GOLDEN=1 cargo test --test it --
//! ffi_json_schemas` and commit the files.

use crate::ffi_support::*;
use serde_json::{Map, Value, json};
use ssis_service::ffi::*;
use std::path::PathBuf;
use std::ptr::null;

/// The shape of a value: objects keep their keys, arrays the merged shape
/// of their elements, leaves become their type name.
fn shape(v: &Value) -> Value {
    match v {
        Value::Null => json!("null"),
        Value::Bool(_) => json!("boolean"),
        Value::Number(_) => json!("number"),
        Value::String(_) => json!("string"),
        Value::Array(items) => {
            let merged = items.iter().map(shape).reduce(|a, b| merge(&a, &b));
            Value::Array(merged.into_iter().collect())
        }
        Value::Object(o) => Value::Object(o.iter().map(|(k, v)| (k.clone(), shape(v))).collect()),
    }
}

/// Two shapes as one: objects by key (a key missing on one side is
/// "absent"), differing leaves as "a|b" (sorted); an object or array that
/// is sometimes a leaf (null, say) notes it under "(or)".
fn merge(a: &Value, b: &Value) -> Value {
    const OR: &str = "(or)";
    match (a, b) {
        _ if a == b => a.clone(),
        (Value::Object(x), Value::Object(y)) => {
            let mut out = Map::new();
            for k in x.keys().chain(y.keys()) {
                let merged = match (x.get(k), y.get(k)) {
                    (Some(l), Some(r)) => merge(l, r),
                    // Only one side has an alternative: it stands.
                    (Some(v), None) | (None, Some(v)) if k == OR => v.clone(),
                    (Some(v), None) | (None, Some(v)) => merge(v, &json!("absent")),
                    (None, None) => unreachable!(),
                };
                out.insert(k.clone(), merged);
            }
            Value::Object(out)
        }
        (Value::Array(x), Value::Array(y)) => match (x.first(), y.first()) {
            (Some(l), Some(r)) => json!([merge(l, r)]),
            _ => json!([x.first().or(y.first())]),
        },
        (Value::Object(o), leaf @ Value::String(_))
        | (leaf @ Value::String(_), Value::Object(o)) => {
            let mut o = o.clone();
            let or = o.get(OR).map_or(leaf.clone(), |v| merge(v, leaf));
            o.insert(OR.into(), or);
            Value::Object(o)
        }
        (Value::Array(x), leaf @ Value::String(_)) | (leaf @ Value::String(_), Value::Array(x)) => {
            json!({ "(array)": x, OR: leaf })
        }
        _ => {
            let name = |v: &Value| match v {
                Value::String(s) => s.clone(),
                Value::Array(_) => "array".into(),
                _ => "object".into(),
            };
            let (a, b) = (name(a), name(b));
            let mut names: Vec<&str> = a.split('|').chain(b.split('|')).collect();
            names.sort();
            names.dedup();
            json!(names.join("|"))
        }
    }
}

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/ffi")
}

/// Compares the shape of `results` (merged) with the golden file of `function`.
fn check(function: &str, results: &[Value], failures: &mut Vec<String>) {
    let merged = results
        .iter()
        .map(shape)
        .reduce(|a, b| merge(&a, &b))
        .unwrap();
    let path = golden_dir().join(format!("{function}.json"));
    let text = serde_json::to_string_pretty(&merged).unwrap() + "\n";
    if std::env::var_os("SSIS_UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(golden_dir()).unwrap();
        std::fs::write(&path, &text).unwrap();
        return;
    }
    match std::fs::read_to_string(&path) {
        Ok(golden) if golden == text => {}
        Ok(golden) => failures.push(format!(
            "{function}: the result's shape changed\n--- {}\n{golden}\n+++ now\n{text}",
            path.display()
        )),
        Err(e) => failures.push(format!("{function}: {}: {e}", path.display())),
    }
}

fn ok(function: &str, r: Result<Value, (ssis_status, String)>) -> Value {
    r.unwrap_or_else(|(st, e)| panic!("{function}: {st:?}: {e}"))
}

fn report(failures: Vec<String>) {
    assert!(
        failures.is_empty(),
        "{}\n(intended? SSIS_UPDATE_GOLDEN=1 cargo test --test it -- ffi_json_schemas, then commit tests/golden/ffi)",
        failures.join("\n\n")
    );
}

/// Store and configuration results, through an embedded session.
#[test]
fn store_and_configuration_results_keep_their_field_names() {
    let store = Store::new(2);
    let s = store.connect();
    let session = s.0;
    let mut failures = Vec::new();
    let top = ok(
        "list_folders",
        call(|o| unsafe { ssis_list_folders(session, null(), o) }),
    );
    let sub = c("\\File System");
    let subs = ok(
        "list_folders",
        call(|o| unsafe { ssis_list_folders(session, sub.as_ptr(), o) }),
    );
    check("ssis_list_folders", &[top, subs], &mut failures);
    // A package that cannot be read, beside good ones: the Error field.
    std::fs::write(
        store.dir.path().join("Packages/F01/Broken.dtsx"),
        "<not xml",
    )
    .unwrap();
    let listed = ok(
        "list_packages",
        call(|o| unsafe { ssis_list_packages(session, sub.as_ptr(), 1, o) }),
    );
    check("ssis_list_packages", &[listed], &mut failures);
    let load = c("\\File System\\F00\\Load");
    let info = ok(
        "package_info",
        call(|o| unsafe { ssis_package_info(session, load.as_ptr(), o) }),
    );
    assert_eq!(info["Metadata"]["VersionBuild"], 3, "{info}");
    check("ssis_package_info", &[info], &mut failures);
    let mut exists = Vec::new();
    for p in [
        "\\File System\\F00\\Load",
        "\\File System\\F00",
        "\\File System\\Nope",
    ] {
        let p = c(p);
        exists.push(ok(
            "exists",
            call(|o| unsafe { ssis_exists(session, p.as_ptr(), o) }),
        ));
    }
    check("ssis_exists", &exists, &mut failures);
    let folder = c("\\File System\\New");
    let created = ok(
        "folder_create",
        call(|o| unsafe { ssis_folder_create(session, folder.as_ptr(), o) }),
    );
    let name = c("Renamed");
    let renamed = ok(
        "folder_rename",
        call(|o| unsafe { ssis_folder_rename(session, folder.as_ptr(), name.as_ptr(), o) }),
    );
    check("ssis_folder_create", &[created, renamed], &mut failures);
    let sample = path_c(&store.sample());
    let imported_to = c("\\File System\\Renamed\\Imported");
    let imported = ok(
        "package_import",
        call(|o| unsafe {
            ssis_package_import(session, sample.as_ptr(), imported_to.as_ptr(), 0, o)
        }),
    );
    let copied_to = c("\\File System\\Renamed\\Copied");
    let copied = ok(
        "package_copy",
        call(|o| unsafe {
            ssis_package_copy(session, imported_to.as_ptr(), copied_to.as_ptr(), 0, o)
        }),
    );
    let moved_to = c("\\File System\\Renamed\\Moved");
    let moved = ok(
        "package_move",
        call(|o| unsafe {
            ssis_package_move(session, copied_to.as_ptr(), moved_to.as_ptr(), 0, o)
        }),
    );
    check(
        "ssis_package_import",
        &[imported, copied, moved],
        &mut failures,
    );
    let file = path_c(&store.dir.path().join("exported.dtsx"));
    let exported = ok(
        "package_export",
        call(|o| unsafe { ssis_package_export(session, moved_to.as_ptr(), file.as_ptr(), 0, o) }),
    );
    check("ssis_package_export", &[exported], &mut failures);
    let pattern = c("\\File System\\F0*\\*");
    let resolved = ok(
        "resolve_packages",
        call(|o| unsafe { ssis_resolve_packages(session, pattern.as_ptr(), 0, 1, o) }),
    );
    check("ssis_resolve_packages", &[resolved], &mut failures);
    let config = ok(
        "get_config",
        call(|o| unsafe { ssis_get_config(session, o) }),
    );
    // A file with every extension setting, so their names are pinned too.
    let full = store.dir.path().join("full.xml");
    let text = std::fs::read_to_string(store.config()).unwrap().replace(
        "</DtsServiceConfiguration>",
        r#"  <SsisService>
    <StateDirectory>/var/lib/ssis</StateDirectory>
    <Executor>/usr/bin/dtexec</Executor>
    <GracePeriodSeconds>5</GracePeriodSeconds>
    <OutputCapBytes>4096</OutputCapBytes>
    <RetentionDays>30</RetentionDays>
    <TokenStore>tokens.json</TokenStore>
    <Listen Address="127.0.0.1:8443" Certificate="c.pem" Key="k.pem" />
    <Grants>
      <Grant Principal="user:alice" Rights="Connect,Read" />
    </Grants>
  </SsisService>
</DtsServiceConfiguration>"#,
    );
    std::fs::write(&full, text).unwrap();
    let full = path_c(&full);
    let full_read = ok(
        "config_read",
        call(|o| unsafe { ssis_config_read(full.as_ptr(), o) }),
    );
    let patch = c(r#"{"Extensions": {"RetentionDays": 7}}"#);
    let patched = ok(
        "config_patch",
        call(|o| unsafe { ssis_config_patch(full.as_ptr(), patch.as_ptr(), o) }),
    );
    check(
        "ssis_config_read.extensions",
        &[full_read, patched],
        &mut failures,
    );
    let path = path_c(&store.config());
    let read = ok(
        "config_read",
        call(|o| unsafe { ssis_config_read(path.as_ptr(), o) }),
    );
    check("ssis_config_read", &[config, read], &mut failures);
    let valid = ok(
        "config_validate",
        call(|o| unsafe { ssis_config_validate(path.as_ptr(), null(), o) }),
    );
    let bad = c("{\"TopLevelFolders\": [{\"Type\": \"FileSystemFolder\", \"Name\": \"\"}]}");
    let invalid = ok(
        "config_validate",
        call(|o| unsafe { ssis_config_validate(null(), bad.as_ptr(), o) }),
    );
    check("ssis_config_validate", &[valid, invalid], &mut failures);
    // The error every function leaves behind (ssis_last_error).
    let missing = c("\\File System\\Nope\\Nothing");
    let (_, error) =
        call(|o| unsafe { ssis_package_info(session, missing.as_ptr(), o) }).unwrap_err();
    check(
        "ssis_last_error",
        &[serde_json::from_str(&error).unwrap()],
        &mut failures,
    );
    report(failures);
}

/// Service, execution, event and access results, through a real service.
#[cfg(unix)]
#[test]
fn service_and_execution_results_keep_their_field_names() {
    let f = crate::service_support::Fixture::new(true);
    let d = f.start();
    let server = c(&format!("unix:{}", d.socket.display()));
    let mut handle: *mut ssis_session = std::ptr::null_mut();
    let st = unsafe { ssis_connect(server.as_ptr(), null(), &mut handle) };
    assert_eq!(st, ssis_status::SSIS_OK, "{}", last_error());
    let s = Session(handle);
    let session = s.0;
    let mut failures = Vec::new();
    let info = ok(
        "service_info",
        call(|o| unsafe { ssis_service_info(session, o) }),
    );
    check("ssis_service_info", &[info], &mut failures);
    let mut runs = Vec::new();
    let mut ids = Vec::new();
    for package in ["\\File System\\Jobs\\Quick", "\\File System\\Jobs\\Fail"] {
        let p = c(package);
        let started = ok(
            "package_run",
            call(|o| unsafe { ssis_package_run(session, p.as_ptr(), null(), o) }),
        );
        ids.push(c(started["ExecutionId"].as_str().unwrap()));
        runs.push(started);
    }
    check("ssis_package_run", &runs, &mut failures);
    let mut ended = Vec::new();
    for id in &ids {
        ended.push(ok(
            "execution_wait",
            call(|o| unsafe { ssis_execution_wait(session, id.as_ptr(), 60_000, o) }),
        ));
        ended.push(ok(
            "execution_get",
            call(|o| unsafe { ssis_execution_get(session, id.as_ptr(), o) }),
        ));
    }
    check("ssis_execution_get", &ended, &mut failures);
    let listed = ok(
        "executions_list",
        call(|o| unsafe { ssis_executions_list(session, null(), o) }),
    );
    check("ssis_executions_list", &[listed], &mut failures);
    let output = ok(
        "execution_output",
        call(|o| unsafe { ssis_execution_output(session, ids[0].as_ptr(), null(), o) }),
    );
    check("ssis_execution_output", &[output], &mut failures);
    let mut events = ok(
        "events_read",
        call(|o| unsafe { ssis_events_read(session, null(), o) }),
    );
    // Data is each event's own (documented per event id): not pinned here.
    for e in events["Items"].as_array_mut().unwrap() {
        if e["Data"].is_object() {
            e["Data"] = json!({});
        }
    }
    check("ssis_events_read", &[events], &mut failures);
    let (principal, rights) = (c("user:root"), c("Read"));
    let granted = ok(
        "access_grant",
        call(|o| unsafe { ssis_access_grant(session, principal.as_ptr(), rights.as_ptr(), o) }),
    );
    let access = ok(
        "access_list",
        call(|o| unsafe { ssis_access_list(session, o) }),
    );
    assert!(!access["Items"].as_array().unwrap().is_empty(), "{access}");
    let revoked = ok(
        "access_revoke",
        call(|o| unsafe { ssis_access_revoke(session, principal.as_ptr(), rights.as_ptr(), o) }),
    );
    check("ssis_access_grant", &[granted, revoked], &mut failures);
    check("ssis_access_list", &[access], &mut failures);
    drop(s);
    d.stop();
    report(failures);
}
