//! `ssis exec /SQL path /SERVER name`: running a package stored in msdb,
//! against the TDS test server.
#![cfg(unix)] // examples/Packages/Hello.dtsx runs `echo`, a Unix program

use crate::support;

use ssis_service::config::{SqlServerFolder, TopLevelFolder};
use ssis_service::store::{PackageStore, SqlServerStore, Store, StorePath};
use std::path::Path;
use std::process::Command;
use support::{ADMIN_PASSWORD, ADMIN_USER, TestServer};

/// `ssis exec ARGS /SERVER <test server>`.
fn ssis_exec(server: &TestServer, args: &[&str]) -> std::process::Output {
    let mut all = args.to_vec();
    let name = server.server_name();
    all.extend(["/SERVER", name.as_str()]);
    ssis_exec_plain(&all)
}

/// `ssis exec ARGS` with the test server's login in the environment.
fn ssis_exec_plain(args: &[&str]) -> std::process::Output {
    Command::new(crate::common::ssis_bin::ssis_bin())
        .arg("exec")
        .args(args)
        .env("SSIS_MSDB_USER", ADMIN_USER)
        .env("SSIS_MSDB_PASSWORD", ADMIN_PASSWORD)
        .env("SSIS_MSDB_OPTIONS", "Encrypt=optional")
        .env_remove("SSIS_MSDB_CREDENTIALS")
        .output()
        .unwrap()
}

/// A test server whose msdb holds `\Nightly\Hello` (the example package).
fn server_with_hello() -> TestServer {
    let server = TestServer::start();
    let store = Store::from_backends(vec![(
        TopLevelFolder::SqlServerFolder(SqlServerFolder {
            name: "MSDB".into(),
            server_name: server.server_name(),
        }),
        Box::new(SqlServerStore::with_options(
            "MSDB",
            server.server_name(),
            None,
            server.admin_options(),
        )) as Box<dyn PackageStore>,
    )])
    .unwrap();
    let hello = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/Packages/Hello.dtsx");
    store
        .create_folder(&StorePath::parse("\\MSDB\\Nightly").unwrap())
        .unwrap();
    store
        .import(
            &hello,
            &StorePath::parse("\\MSDB\\Nightly\\Hello").unwrap(),
            false,
        )
        .unwrap();
    server
}

#[test]
fn runs_a_package_stored_in_msdb() {
    let server = server_with_hello();
    let ran = ssis_exec(&server, &["/SQL", "Nightly\\Hello", "/REP", "E"]);
    assert_eq!(
        ran.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&ran.stdout),
        String::from_utf8_lossy(&ran.stderr)
    );

    let missing = ssis_exec(&server, &["/SQL", "Nightly\\Nope"]);
    assert_eq!(
        missing.status.code(),
        Some(4),
        "dtexec's 'package not found'"
    );
    let text = String::from_utf8_lossy(&missing.stdout);
    assert!(text.contains("/SQL") && text.contains("Nope"), "{text}");
}

/// A parent package whose Execute Package task runs `\\Nightly\\Hello`
/// from the msdb its OLE DB connection names (location "SQL Server").
fn parent_package(server: &str, child: &str) -> String {
    format!(
        r#"<?xml version="1.0"?>
<DTS:Executable xmlns:DTS="www.microsoft.com/SqlServer/Dts" DTS:refId="Package"
  DTS:CreationName="Microsoft.Package" DTS:DTSID="{{77777777-0000-0000-0000-000000000001}}"
  DTS:ExecutableType="Microsoft.Package" DTS:ObjectName="MsdbParent">
  <DTS:Property DTS:Name="PackageFormatVersion">8</DTS:Property>
  <DTS:ConnectionManagers>
    <DTS:ConnectionManager DTS:refId="Package.ConnectionManagers[msdb]" DTS:CreationName="OLEDB"
      DTS:DTSID="{{77777777-0000-0000-0000-000000000C01}}" DTS:ObjectName="msdb">
      <DTS:ObjectData>
        <DTS:ConnectionManager DTS:ConnectionString="Data Source={server};Initial Catalog=msdb;Provider=SQLNCLI11.1;" />
      </DTS:ObjectData>
    </DTS:ConnectionManager>
  </DTS:ConnectionManagers>
  <DTS:Executables>
    <DTS:Executable DTS:refId="Package\Run Child" DTS:CreationName="Microsoft.ExecutePackageTask"
      DTS:DTSID="{{77777777-0000-0000-0000-000000000010}}" DTS:ExecutableType="Microsoft.ExecutePackageTask"
      DTS:ObjectName="Run Child">
      <DTS:ObjectData>
        <ExecutePackageTask>
          <UseProjectReference>False</UseProjectReference>
          <Connection>{{77777777-0000-0000-0000-000000000C01}}</Connection>
          <PackageName>{child}</PackageName>
        </ExecutePackageTask>
      </DTS:ObjectData>
    </DTS:Executable>
  </DTS:Executables>
</DTS:Executable>
"#
    )
}

#[test]
fn execute_package_task_runs_a_child_stored_in_msdb() {
    let server = server_with_hello();
    let dir = tempfile::tempdir().unwrap();
    let parent = dir.path().join("parent.dtsx");
    std::fs::write(
        &parent,
        parent_package(&server.server_name(), "\\Nightly\\Hello"),
    )
    .unwrap();
    let ran = ssis_exec_plain(&["/F", parent.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&ran.stdout);
    assert_eq!(ran.status.code(), Some(0), "{text}");

    // A child that is not there is found before anything runs.
    let missing = dir.path().join("missing.dtsx");
    std::fs::write(
        &missing,
        parent_package(&server.server_name(), "\\Nightly\\Nope"),
    )
    .unwrap();
    let refused = ssis_exec_plain(&["/F", missing.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&refused.stdout);
    assert_eq!(refused.status.code(), Some(1), "{text}");
    assert!(text.contains("Nope"), "{text}");
}
