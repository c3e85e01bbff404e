//! End-to-end tests of the `ssis` binary on a temporary File System store.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The bundled example package.
fn sample_package() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.join("examples/Packages/Hello.dtsx")
}

struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("Packages/Sales")).unwrap();
        std::fs::copy(
            sample_package(),
            dir.path().join("Packages/Sales/Daily Load.dtsx"),
        )
        .unwrap();
        std::fs::write(
            dir.path().join("MsDtsSrvr.ini.xml"),
            r#"<?xml version="1.0" encoding="utf-8"?>
<DtsServiceConfiguration xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <StopExecutingPackagesOnShutdown>true</StopExecutingPackagesOnShutdown>
  <TopLevelFolders>
    <Folder xsi:type="SqlServerFolder">
      <Name>MSDB</Name>
      <ServerName>.</ServerName>
    </Folder>
    <Folder xsi:type="FileSystemFolder">
      <Name>File System</Name>
      <StorePath>Packages</StorePath>
    </Folder>
  </TopLevelFolders>
</DtsServiceConfiguration>
"#,
        )
        .unwrap();
        Fixture { dir }
    }

    fn config(&self) -> PathBuf {
        self.dir.path().join("MsDtsSrvr.ini.xml")
    }

    fn ssis(&self, args: &[&str]) -> Output {
        Command::new(crate::common::ssis_bin::ssis_bin())
            .arg("--config")
            .arg(self.config())
            .args(args)
            .env_remove("SSIS_SERVICE_CONFIG")
            .output()
            .unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.ssis(&all);
        assert!(
            out.status.success(),
            "ssis {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("stdout is one JSON document")
    }
}

fn names(list: &Value) -> Vec<String> {
    list["Items"]
        .as_array()
        .expect("Items array")
        .iter()
        .map(|i| i["Name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn lists_top_level_folders_in_configuration_order() {
    let fx = Fixture::new();
    let folders = fx.json(&["folder", "list"]);
    assert_eq!(names(&folders), ["MSDB", "File System"]);
    assert_eq!(folders["Items"][0]["FolderType"], "SqlServerFolder");
    assert_eq!(folders["Items"][1]["Path"], "\\File System");
}

#[test]
fn lists_packages_with_metadata() {
    let fx = Fixture::new();
    let list = fx.json(&["package", "list", "\\File System", "--recursive"]);
    assert_eq!(names(&list), ["Daily Load"]);
    let pkg = &list["Items"][0];
    assert_eq!(pkg["Path"], "\\File System\\Sales\\Daily Load");
    assert!(pkg["Metadata"]["Id"].as_str().unwrap().starts_with('{'));
}

#[test]
fn import_export_copy_move_delete_round_trip() {
    let fx = Fixture::new();
    let file = sample_package();
    let file = file.to_str().unwrap();
    fx.json(&["folder", "create", "/File System/Archive"]);
    let imported = fx.json(&[
        "package",
        "import",
        file,
        "\\File System\\Archive\\Überweisung €",
    ]);
    assert_eq!(imported["Name"], "Überweisung €");

    // Importing again without --replace is refused and keeps the package.
    let again = fx.ssis(&[
        "package",
        "import",
        file,
        "\\File System\\Archive\\Überweisung €",
    ]);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));

    fx.json(&[
        "package",
        "copy",
        "\\File System\\Archive\\Überweisung €",
        "\\File System\\Sales\\Copy",
    ]);
    fx.json(&[
        "package",
        "move",
        "\\File System\\Sales\\Copy",
        "\\File System\\Archive\\Moved",
    ]);
    let archive = fx.json(&["package", "list", "\\File System\\Archive"]);
    let mut got = names(&archive);
    got.sort();
    assert_eq!(got, ["Moved", "Überweisung €"]);
    assert_eq!(
        fx.ssis(&["exists", "\\File System\\Sales\\Copy"])
            .status
            .code(),
        Some(1)
    );

    let out = fx.dir.path().join("exported.dtsx");
    fx.json(&[
        "package",
        "export",
        "\\File System\\Archive\\Moved",
        out.to_str().unwrap(),
    ]);
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(file).unwrap());

    fx.json(&["package", "delete", "\\File System\\Archive\\Moved"]);
    assert_eq!(
        fx.ssis(&["package", "exists", "\\File System\\Archive\\Moved"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        fx.ssis(&["package", "exists", "\\File System\\Archive\\Überweisung €"])
            .status
            .code(),
        Some(0)
    );
}

#[test]
fn folder_rename_and_guarded_delete() {
    let fx = Fixture::new();
    fx.json(&["folder", "rename", "\\File System\\Sales", "Revenue"]);
    let folders = fx.json(&["folder", "list", "\\File System"]);
    assert_eq!(names(&folders), ["Revenue"]);
    let refused = fx.ssis(&["folder", "delete", "\\File System\\Revenue"]);
    assert_ne!(refused.status.code(), Some(0));
    assert!(
        fx.dir
            .path()
            .join("Packages/Revenue/Daily Load.dtsx")
            .exists()
    );
    fx.json(&["folder", "delete", "\\File System\\Revenue", "--recursive"]);
    assert!(!fx.dir.path().join("Packages/Revenue").exists());
}

#[test]
fn errors_have_dtutil_exit_codes_and_json() {
    let fx = Fixture::new();
    let missing = fx.ssis(&["--json", "package", "info", "\\File System\\Nope"]);
    assert_eq!(missing.status.code(), Some(4));
    let err: Value = serde_json::from_slice(&missing.stderr).unwrap();
    assert_eq!(err["Kind"], "NotFound");

    let traversal = fx.ssis(&["package", "info", "\\File System\\..\\etc\\passwd"]);
    assert_eq!(traversal.status.code(), Some(6));

    let msdb = fx.ssis(&["package", "list", "\\MSDB"]);
    assert_eq!(msdb.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&msdb.stderr).contains("MSDB"));

    let usage = fx.ssis(&["folder", "frobnicate"]);
    assert_eq!(usage.status.code(), Some(6));
}

#[test]
fn config_commands() {
    let fx = Fixture::new();
    let config = fx.json(&["config", "show"]);
    assert_eq!(config["TopLevelFolders"][1]["StorePath"], "Packages");
    let report = fx.json(&["config", "validate"]);
    assert_eq!(report["Valid"], true);
    assert_eq!(report["Warnings"], serde_json::json!([]), "Packages exists");

    // A StorePath that does not exist is allowed, but said.
    let elsewhere = fx.dir.path().join("elsewhere.xml");
    let text = std::fs::read_to_string(fx.config()).unwrap();
    std::fs::write(
        &elsewhere,
        text.replace(
            "<StorePath>Packages</StorePath>",
            "<StorePath>D:/Nowhere</StorePath>",
        ),
    )
    .unwrap();
    let out = fx.ssis(&["config", "validate", elsewhere.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "still valid");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("warning:") && text.contains("D:/Nowhere") && text.contains("File System"),
        "{text}"
    );

    let bad = fx.dir.path().join("bad.xml");
    std::fs::write(
        &bad,
        "<DtsServiceConfiguration>\n  <TopLevelFolders>\n</DtsServiceConfiguration>\n",
    )
    .unwrap();
    let out = fx.ssis(&["config", "validate", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("bad.xml:3"), "names file and line: {text}");
}

#[cfg(unix)]
#[test]
fn a_closed_pipe_ends_output_quietly() {
    use std::os::fd::FromRawFd;
    use std::os::unix::process::ExitStatusExt;
    let fx = Fixture::new();
    // A pipe whose reader is gone before the child starts: its first write
    // meets a closed pipe, every time.
    let mut fds = [0; 2];
    // SAFETY: pipe() fills both descriptors; each is owned once below.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    // SAFETY: fds[0] is open and owned by nothing else.
    drop(unsafe { std::fs::File::from_raw_fd(fds[0]) });
    // SAFETY: fds[1] is open and owned by nothing else.
    let writer = unsafe { std::fs::File::from_raw_fd(fds[1]) };
    let out = Command::new(crate::common::ssis_bin::ssis_bin())
        .arg("--config")
        .arg(fx.config())
        .args(["package", "list", "--recursive"])
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    // As Unix tools do: ended by SIGPIPE, nothing said.
    assert_eq!(
        out.status.signal(),
        Some(libc::SIGPIPE),
        "{:?}: {stderr}",
        out.status
    );
    assert_eq!(stderr, "", "nothing on stderr");
}

#[test]
fn package_list_over_all_folders_reports_an_unreachable_msdb_folder_with_exit_2() {
    let fx = Fixture::new();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let text = std::fs::read_to_string(fx.config()).unwrap().replace(
        "<ServerName>.</ServerName>",
        &format!("<ServerName>127.0.0.1,{port}</ServerName>"),
    );
    std::fs::write(fx.config(), text).unwrap();
    let run = |args: &[&str]| {
        Command::new(crate::common::ssis_bin::ssis_bin())
            .arg("--config")
            .arg(fx.config())
            .args(args)
            .env_remove("SSIS_SERVICE_CONFIG")
            .env("SSIS_MSDB_USER", "u")
            .env("SSIS_MSDB_PASSWORD", "p")
            .output()
            .unwrap()
    };
    let out = run(&["package", "list"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stdout.contains("\\File System\\Sales\\Daily Load"),
        "{stdout}"
    );
    assert!(!stdout.contains("\\MSDB"), "{stdout}");
    assert!(
        stderr.contains("folder '\\MSDB' was not listed"),
        "{stderr}"
    );
    assert!(stderr.contains("refused"), "{stderr}");

    let out = run(&["--json", "package", "list"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(names(&list), ["MSDB", "Daily Load"]);
    let msdb = &list["Items"][0];
    assert_eq!(msdb["Path"], "\\MSDB");
    assert_eq!(msdb["FolderUnavailable"], true);
    assert_eq!(msdb["Error"]["Kind"], "Connection");
    assert!(list["Items"][1].get("FolderUnavailable").is_none());

    // A listing of the reachable folder alone is not partial.
    let out = run(&["package", "list", "\\File System", "--recursive"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}
