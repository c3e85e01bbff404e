//! The README's first command, run as a user runs it: `ssis` on the bundled
//! example store. (Also what makes `cargo test` build the `ssis` binary that
//! the root package's integration suites drive.)

use std::path::Path;
use std::process::Command;

fn ssis(args: &[&str]) -> (bool, String, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = Command::new(env!("CARGO_BIN_EXE_ssis"))
        .current_dir(root)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_example_store_lists_its_packages_in_both_layouts() {
    let (ok, out, err) = ssis(&[
        "--config",
        "examples/MsDtsSrvr.ini.xml",
        "--json",
        "package",
        "list",
        "\\File System",
        "--recursive",
    ]);
    assert!(ok, "{err}");
    let listing: serde_json::Value = serde_json::from_str(&out).unwrap();
    let text = listing.to_string();
    for package in [
        "\\\\File System\\\\Hello",
        "\\\\File System\\\\Sales\\\\",
        "\\\\File System\\\\Maintenance\\\\",
    ] {
        assert!(text.contains(package), "{package} missing from {text}");
    }
}

/// From the root, the example's SQL Server folder (no SQL Server here) is an
/// entry saying why it could not be listed, and the exit code says so too.
#[test]
fn from_the_root_the_unreachable_msdb_folder_is_reported_not_dropped() {
    let out = Command::new(env!("CARGO_BIN_EXE_ssis"))
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
        .args([
            "--config",
            "examples/MsDtsSrvr.ini.xml",
            "package",
            "list",
            "--recursive",
        ])
        .env_remove("SSIS_MSDB_USER")
        .env_remove("SSIS_MSDB_CREDENTIALS")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("\\File System\\Sales\\Daily Load"),
        "{stdout}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("folder '\\MSDB' was not listed"),
        "{stderr}"
    );
}

#[test]
fn the_version_is_the_packages() {
    let (ok, out, err) = ssis(&["--version"]);
    assert!(ok, "{err}");
    assert!(out.contains(env!("CARGO_PKG_VERSION")), "{out}");
}
