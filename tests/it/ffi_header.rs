//! The committed C header: up to date, versioned as Cargo.toml says, its status enum in
//! step with `ErrorKind`, and every function it declares documented, bound in SsisNative.cs and named by the C and
//! C# tests (tests/c/run.sh and tests/dotnet/run.sh prove each is called at run time).

use ssis_service::ErrorKind;
use ssis_service::ffi::{SSIS_ABI_VERSION, ssis_status};
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn committed_header() -> String {
    std::fs::read_to_string(root().join("include/ssis_service.h"))
        .expect("include/ssis_service.h is committed")
}

/// `#define NAME value` from the header.
fn define(header: &str, name: &str) -> Option<String> {
    header.lines().find_map(|line| {
        let rest = line.strip_prefix("#define ")?;
        let (key, value) = rest.split_once(' ')?;
        (key == name).then(|| value.trim().to_string())
    })
}

/// Names of the functions the header declares.
fn declared_functions(header: &str) -> Vec<String> {
    header
        .lines()
        .filter(|l| !l.starts_with(' ') && !l.starts_with('#') && !l.starts_with('/'))
        .filter_map(|l| {
            let open = l.find('(')?;
            let name = l[..open].rsplit([' ', '*']).next()?;
            name.starts_with("ssis_").then(|| name.to_string())
        })
        .collect()
}

#[test]
fn committed_header_matches_a_fresh_generation() {
    let fresh = std::fs::read_to_string(env!("SSIS_GENERATED_HEADER")).unwrap();
    let committed = committed_header();
    if fresh != committed {
        let (n, (f, c)) = fresh
            .lines()
            .zip(committed.lines())
            .enumerate()
            .find(|(_, (f, c))| f != c)
            .unwrap_or((
                fresh.lines().count().min(committed.lines().count()),
                ("<end>", "<end>"),
            ));
        panic!(
            "include/ssis_service.h is out of date (first difference at line {}):\n  committed: {c}\n  \
             generated: {f}\nRun `SSIS_UPDATE_HEADER=1 cargo build` and commit the header.",
            n + 1
        );
    }
}

#[test]
fn version_macros_match_cargo_toml() {
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    // The workspace's version, which every crate inherits.
    let package = manifest.split("[workspace.package]").nth(1).unwrap();
    let version = package
        .lines()
        .find_map(|l| l.trim().strip_prefix("version = "))
        .map(|v| v.trim().trim_matches('"').to_string())
        .expect("Cargo.toml [workspace.package] version");
    assert_eq!(version, env!("CARGO_PKG_VERSION"));
    let mut parts = version.split(['.', '-', '+']);
    let header = committed_header();
    for macro_name in [
        "SSIS_VERSION_MAJOR",
        "SSIS_VERSION_MINOR",
        "SSIS_VERSION_PATCH",
    ] {
        assert_eq!(
            define(&header, macro_name).as_deref(),
            parts.next(),
            "{macro_name} vs Cargo.toml version {version}"
        );
    }
    assert_eq!(
        define(&header, "SSIS_VERSION_STRING"),
        Some(format!("\"{version}\""))
    );
    assert_eq!(
        define(&header, "SSIS_ABI_VERSION"),
        Some(SSIS_ABI_VERSION.to_string())
    );
}

#[test]
fn status_enum_agrees_with_error_kinds() {
    let header = committed_header();
    let start = header.find("enum ssis_status").expect("enum ssis_status");
    let body = &header[start..header[start..].find("};").unwrap() + start];
    let variants: Vec<(String, i32)> = body
        .lines()
        .filter_map(|l| {
            let (name, value) = l.trim().trim_end_matches(',').split_once(" = ")?;
            Some((name.to_string(), value.parse().ok()?))
        })
        .collect();
    assert_eq!(variants.len(), ErrorKind::ALL.len() + 1, "{variants:?}");
    assert_eq!(variants[0], ("SSIS_OK".to_string(), 0));
    for kind in ErrorKind::ALL {
        let status = ssis_status::from_kind(kind);
        let name = status.name().to_str().unwrap().to_string();
        assert!(
            variants.contains(&(name.clone(), kind.code())),
            "header lacks {name} = {} for {kind}",
            kind.code()
        );
    }
}

/// A source check only: that the tests *call* each function when they run is
/// proved by tests/c/run.sh (a coverage build and gcov's line counts) and
/// tests/dotnet/run.sh (Mono's method trace of the binding).
#[test]
fn every_declared_function_is_documented_bound_and_named_in_the_c_and_csharp_tests() {
    let functions = declared_functions(&committed_header());
    assert!(functions.len() >= 24, "{functions:?}");
    let read = |p: &str| std::fs::read_to_string(root().join(p)).unwrap();
    let c_test = read("tests/c/test_ssis.c");
    let binding = read("powershell/SsisService/SsisNative.cs");
    let cs_test = read("tests/dotnet/SsisNativeTests.cs");
    let doc = read("docs/C-API.md");
    for f in &functions {
        assert!(
            doc.contains(&format!("{f}(")),
            "docs/C-API.md does not describe {f}"
        );
        assert!(
            c_test.contains(&format!("{f}(")),
            "tests/c/test_ssis.c never calls {f}"
        );
        assert!(
            binding.contains(&format!("\"{f}\"")) || binding.contains(&format!(" {f}(")),
            "SsisNative.cs does not import {f}"
        );
        if f == "ssis_string_free" || f == "ssis_disconnect" {
            continue; // called inside SsisNative.cs (finally blocks, SafeHandle release)
        }
        let wrapper = pascal_case(f.trim_start_matches("ssis_"));
        assert!(
            cs_test.contains(&format!(".{wrapper}(")),
            "tests/dotnet/SsisNativeTests.cs never calls {wrapper} ({f})"
        );
    }
}

/// `list_folders` -> `ListFolders`.
fn pascal_case(snake: &str) -> String {
    snake
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|first| first.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}
