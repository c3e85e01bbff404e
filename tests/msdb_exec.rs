//! `ssis exec /SQL path /SERVER name`: running a package stored in msdb,
//! against the TDS test server.

mod support;

use ssis_service::config::{SqlServerFolder, TopLevelFolder};
use ssis_service::store::{PackageStore, SqlServerStore, Store, StorePath};
use std::path::Path;
use std::process::Command;
use support::{ADMIN_PASSWORD, ADMIN_USER, TestServer};

fn ssis_exec(server: &TestServer, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ssis"))
        .arg("exec")
        .args(args)
        .args(["/SERVER", &server.server_name()])
        .env("SSIS_MSDB_USER", ADMIN_USER)
        .env("SSIS_MSDB_PASSWORD", ADMIN_PASSWORD)
        .env("SSIS_MSDB_OPTIONS", "Encrypt=optional")
        .env_remove("SSIS_MSDB_CREDENTIALS")
        .output()
        .unwrap()
}

#[test]
fn runs_a_package_stored_in_msdb() {
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
