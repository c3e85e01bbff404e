//! `Store::open` wiring of SQL Server folders and where their credentials
//! come from: a credentials file next to the configuration (refused when
//! others may read it), `SSIS_MSDB_CREDENTIALS`, and the environment. One
//! test, because it changes the process environment.

mod support;

use ssis_service::ErrorKind;
use ssis_service::config::ServiceConfig;
use ssis_service::store::{Store, StorePath};
use std::fs;
use support::{ADMIN_PASSWORD, ADMIN_USER, READER_PASSWORD, READER_USER, TestServer};

fn p(text: &str) -> StorePath {
    StorePath::parse(text).unwrap()
}

fn config(server: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<DtsServiceConfiguration xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <StopExecutingPackagesOnShutdown>true</StopExecutingPackagesOnShutdown>
  <TopLevelFolders>
    <Folder xsi:type="SqlServerFolder">
      <Name>MSDB</Name>
      <ServerName>{server}</ServerName>
    </Folder>
    <Folder xsi:type="FileSystemFolder">
      <Name>File System</Name>
      <StorePath>Packages</StorePath>
    </Folder>
  </TopLevelFolders>
</DtsServiceConfiguration>
"#
    )
}

fn set_env(key: &str, value: Option<&str>) {
    // SAFETY: this test binary has a single test; no other thread reads the
    // environment while it changes.
    unsafe {
        match value {
            Some(v) => std::env::set_var(key, v),
            None => std::env::remove_var(key),
        }
    }
}

#[cfg(unix)]
fn chmod(path: &std::path::Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn credentials_come_from_a_private_file_or_the_environment() {
    for k in [
        "SSIS_MSDB_CREDENTIALS",
        "SSIS_MSDB_USER",
        "SSIS_MSDB_PASSWORD",
        "SSIS_MSDB_OPTIONS",
    ] {
        set_env(k, None);
    }
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("Packages")).unwrap();
    let file = dir.path().join("MsDtsSrvr.ini.xml");
    fs::write(&file, config(&server.server_name())).unwrap();
    let creds = dir.path().join("msdb-credentials.ini");
    fs::write(
        &creds,
        format!(
            "# msdb logins\n[*]\nUser Id = nobody\nPassword = nothing\nEncrypt = optional\n\
             [{}]\nUser Id = {ADMIN_USER}\nPassword = {ADMIN_PASSWORD}\n",
            server.server_name()
        ),
    )
    .unwrap();

    #[cfg(unix)]
    {
        // Readable by others: refused, and the File System folder still works.
        chmod(&creds, 0o644);
        let store = Store::open(&ServiceConfig::load(&file).unwrap()).unwrap();
        let e = store.list_folders(&p("\\MSDB")).unwrap_err();
        assert_eq!(e.kind, ErrorKind::AccessDenied, "{e}");
        assert!(e.message.contains("chmod 600"), "{e}");
        store.create_folder(&p("\\File System\\Ok")).unwrap();
        chmod(&creds, 0o600);
    }
    let store = Store::open(&ServiceConfig::load(&file).unwrap()).unwrap();
    let names: Vec<String> = store
        .list_folders(&p("\\MSDB"))
        .unwrap()
        .into_iter()
        .map(|f| f.name)
        .collect();
    assert_eq!(names, ["Maintenance Plans"]);
    assert_eq!(server.logins(), 1);
    // The configuration file holds no credentials.
    assert!(!fs::read_to_string(&file).unwrap().contains(ADMIN_PASSWORD));

    // The environment overrides the file: the read-only login cannot write.
    set_env("SSIS_MSDB_USER", Some(READER_USER));
    set_env("SSIS_MSDB_PASSWORD", Some(READER_PASSWORD));
    let store = Store::open(&ServiceConfig::load(&file).unwrap()).unwrap();
    let e = store.create_folder(&p("\\MSDB\\X")).unwrap_err();
    assert_eq!(e.kind, ErrorKind::AccessDenied, "{e}");

    // SSIS_MSDB_CREDENTIALS names a file elsewhere; a bad setting is named.
    set_env("SSIS_MSDB_USER", None);
    set_env("SSIS_MSDB_PASSWORD", None);
    let other = dir.path().join("elsewhere.ini");
    fs::write(&other, "[*]\nUser Id = x\nColour = blue\n").unwrap();
    #[cfg(unix)]
    chmod(&other, 0o600);
    set_env("SSIS_MSDB_CREDENTIALS", Some(other.to_str().unwrap()));
    let store = Store::open(&ServiceConfig::load(&file).unwrap()).unwrap();
    let e = store.list_folders(&p("\\MSDB")).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Configuration, "{e}");
    assert!(e.message.contains("Colour"), "{e}");
    assert_eq!(e.details.line, Some(3));

    // Credentials and options from the environment alone.
    set_env("SSIS_MSDB_CREDENTIALS", Some(""));
    fs::remove_file(&creds).unwrap();
    set_env("SSIS_MSDB_USER", Some(ADMIN_USER));
    set_env("SSIS_MSDB_PASSWORD", Some(ADMIN_PASSWORD));
    set_env("SSIS_MSDB_OPTIONS", Some("Encrypt=false;Connect Timeout=5"));
    let store = Store::open(&ServiceConfig::load(&file).unwrap()).unwrap();
    store.create_folder(&p("\\MSDB\\From Env")).unwrap();
    assert!(store.exists(&p("\\MSDB\\from env")).unwrap().folder);
}
