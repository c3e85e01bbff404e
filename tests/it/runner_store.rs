//! `ssis exec /DTS`: packages from the package store, found through the
//! service configuration named by SSIS_SERVICE_CONFIG (set on the child
//! process only).
#![cfg(unix)] // the test package runs /bin/sh

use crate::common;
use std::path::Path;

fn config(dir: &Path) -> std::path::PathBuf {
    let cfg = dir.join("MsDtsSrvr.ini.xml");
    std::fs::write(
        &cfg,
        r#"<?xml version="1.0" encoding="utf-8"?>
<DtsServiceConfiguration xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <StopExecutingPackagesOnShutdown>true</StopExecutingPackagesOnShutdown>
  <TopLevelFolders>
    <Folder xsi:type="SqlServerFolder"><Name>MSDB</Name><ServerName>.</ServerName></Folder>
    <Folder xsi:type="FileSystemFolder"><Name>File System</Name><StorePath>Packages</StorePath></Folder>
  </TopLevelFolders>
</DtsServiceConfiguration>
"#,
    )
    .unwrap();
    cfg
}

fn ssis_exec(cfg: &Path, args: &[&str]) -> (i32, String) {
    let run = crate::common::exec_process_with(args, &[("SSIS_SERVICE_CONFIG", cfg.as_os_str())]);
    (run.code, run.text())
}

#[test]
fn dts_runs_a_package_from_the_file_system_store() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cfg = config(d);
    std::fs::create_dir_all(d.join("Packages/Sales")).unwrap();
    let staged = common::stage("variables_2012.dtsx", d, &[]);
    std::fs::rename(&staged, d.join("Packages/Sales/Daily Load.dtsx")).unwrap();

    let (code, out) = ssis_exec(
        &cfg,
        &[
            "/DTS",
            "\\File System\\Sales\\Daily Load",
            "/SET",
            "\\Package.Variables[User::Msg].Value;from the store",
        ],
    );
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        std::fs::read_to_string(d.join("msg.txt")).unwrap(),
        "from the store"
    );
    // Forward slashes work too; names compare case-insensitively.
    let (code, out) = ssis_exec(&cfg, &["/DTS", "/file system/sales/daily load"]);
    assert_eq!(code, 0, "{out}");

    let (code, out) = ssis_exec(&cfg, &["/DTS", "\\File System\\Sales\\Missing"]);
    assert_eq!(code, 4, "{out}");
    assert!(out.contains("Missing"), "{out}");
    let (code, out) = ssis_exec(&cfg, &["/DTS", "\\MSDB\\Pkg"]);
    assert_eq!(code, 5, "{out}");
    assert!(out.contains("MSDB"), "{out}");
}

#[test]
fn dts_with_a_missing_named_configuration_is_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out) = ssis_exec(&dir.path().join("nope.xml"), &["/DTS", "\\File System\\P"]);
    assert_eq!(code, 4, "{out}");
    assert!(out.contains("nope.xml"), "{out}");
}
