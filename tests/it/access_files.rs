//! The service opens no file a caller names: imports travel as bytes read
//! by the caller's own client, exports are written by it. A FIFO, /dev/zero,
//! a 100 GB sparse file and a symlink into a folder the caller cannot search
//! neither hang, bloat nor leak through the service. Root only: it creates
//! local accounts.
#![cfg(unix)]

use crate::access_rights::exchange_as;
use crate::remote_support::*;
use serde_json::{Value, json};
use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

/// A service whose configuration grants GRANTED `rights`, open to the test
/// users: its fixture, the running daemon, and the `ssis` binary they run.
fn service_granting(rights: &str) -> (Fixture, crate::service_support::Daemon, std::path::PathBuf) {
    require_root("access_files");
    ensure_users();
    let f = Fixture::new(true);
    write_config(
        &f,
        &format!(
            "    <Grants>\n      <Grant Principal=\"user:{GRANTED}\" Rights=\"{rights}\" />\n    </Grants>"
        ),
    );
    let bin = open_to_users(&f);
    let d = f.start();
    open_socket(&f);
    (f, d, bin)
}

#[test]
fn named_files_never_reach_the_service() {
    let (f, d, bin) = service_granting("Connect,Read,Write");
    let home = f.dir.path().join("home");
    std::fs::create_dir(&home).unwrap();
    std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o777)).unwrap();

    // A raw request naming a file is refused for a non-superuser.
    let lines = vec![
        json!({"Id": 0, "Method": "Hello", "Params": {"Protocol": 1}}).to_string(),
        json!({"Id": 1, "Method": "PackageImport", "Params": {"File": "/etc/passwd", "Dest": "\\File System\\P"}}).to_string(),
        json!({"Id": 2, "Method": "PackageExport", "Params": {"Path": "\\File System\\Jobs\\Quick", "File": home.join("x.dtsx")}}).to_string(),
    ];
    let answers = exchange_as(GRANTED, &f.socket(), &lines);
    for a in &answers[1..] {
        assert_eq!(a["Error"]["Kind"], "AccessDenied", "{a}");
        assert!(
            a["Error"]["Message"]
                .as_str()
                .unwrap()
                .contains("does not open files"),
            "{a}"
        );
    }
    assert!(!home.join("x.dtsx").exists());

    // What the client refuses itself, at once.
    let fifo = home.join("pipe.dtsx");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o666) }, 0);
    let sparse = home.join("huge.dtsx");
    std::fs::File::create(&sparse)
        .unwrap()
        .set_len(100 << 30)
        .unwrap();
    std::fs::set_permissions(&sparse, std::fs::Permissions::from_mode(0o644)).unwrap();
    let secret_dir = f.dir.path().join("secretdir");
    std::fs::create_dir(&secret_dir).unwrap();
    std::fs::copy(f.package("Quick"), secret_dir.join("secret.dtsx")).unwrap();
    std::fs::set_permissions(&secret_dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    let link = home.join("link.dtsx");
    std::os::unix::fs::symlink(secret_dir.join("secret.dtsx"), &link).unwrap();
    for (file, expect) in [
        (fifo.as_path(), "not a regular file"),
        (std::path::Path::new("/dev/zero"), "not a regular file"),
        (sparse.as_path(), "larger than"),
        (link.as_path(), "ermission denied"),
    ] {
        let t = Instant::now();
        let out = run_as(
            GRANTED,
            &bin,
            &f.socket(),
            &[
                "package",
                "import",
                file.to_str().unwrap(),
                "\\File System\\Jobs",
            ],
        );
        assert!(!out.status.success(), "{}: {}", file.display(), text(&out));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(expect), "{}: {err}", file.display());
        // Not a timing claim: a bound that only a hang would cross.
        assert!(t.elapsed() < Duration::from_secs(60), "{}", file.display());
    }
    let listed = d.json(&["package", "list", "\\File System\\Jobs"]);
    let names: Vec<&str> = listed["Items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["Name"].as_str().unwrap())
        .collect();
    for n in ["pipe", "huge", "link", "zero"] {
        assert!(!names.contains(&n), "{n} was imported: {names:?}");
    }

    // A readable file goes in as the user's bytes; the export is the user's file.
    let mine = home.join("Mine.dtsx");
    std::fs::copy(f.package("Quick"), &mine).unwrap();
    std::fs::set_permissions(&mine, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = run_as(
        GRANTED,
        &bin,
        &f.socket(),
        &[
            "--json",
            "package",
            "import",
            mine.to_str().unwrap(),
            "\\File System\\Jobs",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let entry: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(entry["Path"], "\\File System\\Jobs\\Mine", "{entry}");
    let back = home.join("back.dtsx");
    let out = run_as(
        GRANTED,
        &bin,
        &f.socket(),
        &[
            "package",
            "export",
            "\\File System\\Jobs\\Mine",
            back.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(std::fs::read(&back).unwrap(), std::fs::read(&mine).unwrap());
    let owner = std::os::unix::fs::MetadataExt::uid(&std::fs::metadata(&back).unwrap());
    assert_ne!(owner, 0, "the export belongs to the user");
    d.stop();
}

#[test]
fn a_run_file_behind_a_link_into_a_closed_folder_tells_nothing_of_it() {
    // The file check follows the path as the caller would: a link into a
    // folder the caller cannot search gets one answer, whether what it
    // names exists or not (before, the check walked the path as written
    // and the service looked behind the link as itself).
    let (f, d, bin) = service_granting("Connect,Read,Execute");
    let public = f.dir.path().join("public");
    let closed = f.dir.path().join("closed");
    std::fs::create_dir(&public).unwrap();
    std::fs::create_dir(&closed).unwrap();
    std::fs::set_permissions(&public, std::fs::Permissions::from_mode(0o777)).unwrap();
    std::fs::set_permissions(&closed, std::fs::Permissions::from_mode(0o700)).unwrap();
    std::fs::copy(f.package("Quick"), closed.join("present.dtsx")).unwrap();
    let answers: Vec<String> = ["present.dtsx", "absent.dtsx"]
        .iter()
        .map(|name| {
            let link = public.join(format!("to-{name}"));
            std::os::unix::fs::symlink(closed.join(name), &link).unwrap();
            let out = run_as(
                GRANTED,
                &bin,
                &f.socket(),
                &["run", "--file", link.to_str().unwrap()],
            );
            assert!(!out.status.success(), "{name}: {}", text(&out));
            String::from_utf8_lossy(&out.stderr).replace(&format!("to-{name}"), "LINK")
        })
        .collect();
    assert!(answers[0].contains("Access is denied"), "{}", answers[0]);
    assert_eq!(answers[0], answers[1], "the same answer for both");
    // A link the caller can follow runs.
    let open = public.join("open.dtsx");
    std::fs::copy(f.package("Quick"), &open).unwrap();
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o644)).unwrap();
    let link = public.join("to-open");
    std::os::unix::fs::symlink(&open, &link).unwrap();
    let out = run_as(
        GRANTED,
        &bin,
        &f.socket(),
        &["run", "--file", link.to_str().unwrap(), "--wait"],
    );
    assert!(out.status.success(), "{}", text(&out));
    d.stop();
}
