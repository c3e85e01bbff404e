//! Failures of an msdb folder: unreachable server, wrong password, a server
//! that stops mid-operation, a slow server, access denied, TLS required,
//! instance names through the SQL Server Browser. These need the TDS test
//! server (they stop it, slow it, or log in as its read-only user).

use crate::support;

use ssis_service::ErrorKind;
use ssis_service::config::{FileSystemFolder, SqlServerFolder, TopLevelFolder};
use ssis_service::package::synthetic_package_xml;
use ssis_service::store::msdb::{ConnectOptions, SqlServerStore};
use ssis_service::store::{FileSystemStore, PackageStore, Store, StorePath};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use support::{
    FakeBrowser, LTD_PASSWORD, LTD_USERS, READER_PASSWORD, READER_USER, TestServer, options,
};

fn p(text: &str) -> StorePath {
    StorePath::parse(text).unwrap()
}

fn seg(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|s| s.to_string()).collect()
}

const CONFIG: &str = "/etc/ssis/MsDtsSrvr.ini.xml";

/// A store with `\MSDB` on `server` with `options` and a File System folder
/// holding one package.
fn store_with(server: &str, options: ConnectOptions) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Local.dtsx"),
        synthetic_package_xml("Local", "{00000000-0000-4000-8000-000000000001}", 8),
    )
    .unwrap();
    let store = Store::from_backends(vec![
        (
            TopLevelFolder::SqlServerFolder(SqlServerFolder {
                name: "MSDB".into(),
                server_name: server.into(),
            }),
            Box::new(SqlServerStore::with_options(
                "MSDB",
                server,
                Some(PathBuf::from(CONFIG)),
                options,
            )) as Box<dyn PackageStore>,
        ),
        (
            TopLevelFolder::FileSystemFolder(FileSystemFolder {
                name: "File System".into(),
                store_path: dir.path().display().to_string(),
            }),
            Box::new(FileSystemStore::new(
                "File System",
                dir.path().to_path_buf(),
            )),
        ),
    ])
    .unwrap();
    (dir, store)
}

fn unavailable_prefix(server: &str) -> String {
    format!(
        "The SQL Server instance specified in the service configuration ('{server}', folder \
         'MSDB', configuration file '{CONFIG}') is not present or not available: "
    )
}

fn assert_file_system_works(store: &Store) {
    let list = store.list_packages(&p("\\File System"), false).unwrap();
    assert!(list.iter().any(|e| e.name == "Local"), "{list:?}");
    // Listing everything from the root still shows the reachable folders.
    let all = store.list_packages(&StorePath::root(), true).unwrap();
    assert!(all.iter().any(|e| e.name == "Local"), "{all:?}");
    assert!(store.exists(&p("\\File System\\Local")).unwrap().package);
}

#[test]
fn a_closed_port_is_a_connection_error_and_file_system_folders_keep_working() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let server = format!("127.0.0.1,{port}");
    let (_dir, store) = store_with(&server, options("u", "p"));
    for e in [
        store.list_folders(&p("\\MSDB")).unwrap_err(),
        store.list_packages(&p("\\MSDB"), false).unwrap_err(),
        store
            .copy_package(&p("\\File System\\Local"), &p("\\MSDB\\Local"), false)
            .unwrap_err(),
    ] {
        assert_eq!(e.kind, ErrorKind::Connection, "{e}");
        assert!(e.message.starts_with(&unavailable_prefix(&server)), "{e}");
        assert!(e.message.contains("refused"), "{e}");
        assert_eq!(e.target.as_deref(), Some("\\MSDB"));
    }
    assert_file_system_works(&store);
}

#[test]
fn a_wrong_password_is_a_login_failure() {
    let server = TestServer::start();
    let (_dir, store) = store_with(&server.server_name(), options(READER_USER, "wrong"));
    let e = store.list_folders(&p("\\MSDB")).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Connection, "{e}");
    assert!(
        e.message
            .starts_with(&unavailable_prefix(&server.server_name())),
        "{e}"
    );
    assert!(
        e.message
            .ends_with("login failed (error 18456): Login failed for user 'ssis_reader'."),
        "{e}"
    );
    assert_eq!(server.logins(), 0);
    assert_file_system_works(&store);
}

#[test]
fn a_server_that_stops_mid_operation_gives_the_connection_error() {
    let server = TestServer::start();
    let (dir, store) = store_with(&server.server_name(), server.admin_options());
    store.create_folder(&p("\\MSDB\\Work")).unwrap();
    for i in 0..3 {
        let file = dir.path().join(format!("P{i}.dtsx"));
        std::fs::write(
            &file,
            synthetic_package_xml(
                &format!("P{i}"),
                "{00000000-0000-4000-8000-000000000002}",
                8,
            ),
        )
        .unwrap();
        store
            .import(&file, &p(&format!("\\MSDB\\Work\\P{i}")), false)
            .unwrap();
    }
    // A recursive delete takes several requests; the server stops after two.
    server.stop_after(2);
    let e = store.delete_folder(&p("\\MSDB\\Work"), true).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Connection, "{e}");
    assert!(
        e.message
            .starts_with(&unavailable_prefix(&server.server_name())),
        "{e}"
    );
    // Still down: a fresh connection is refused.
    let e = store.list_folders(&p("\\MSDB")).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Connection, "{e}");
    assert_file_system_works(&store);
}

#[test]
fn connections_are_pooled_and_a_dropped_one_is_replaced() {
    let server = TestServer::start();
    let store =
        SqlServerStore::with_options("MSDB", server.server_name(), None, server.admin_options());
    for _ in 0..10 {
        store.list_folders(&[]).unwrap();
    }
    assert_eq!(server.logins(), 1, "one connection, reused");
    assert_eq!(server.requests(), 10);
    store.close_idle_connections();
    store.list_folders(&[]).unwrap();
    assert_eq!(server.logins(), 2);
}

#[test]
fn a_slow_server_times_out_without_blocking_other_folders() {
    let slow = TestServer::start();
    let fast = TestServer::start();
    // Answers long after the time-out: a store without one would get them.
    slow.set_delay(Duration::from_secs(60));
    let mut slow_options = slow.admin_options();
    slow_options.command_timeout = Duration::from_secs(5);
    slow_options.connect_timeout = Duration::from_secs(1);
    let slow_store = SqlServerStore::with_options("Slow", slow.server_name(), None, slow_options);
    let fast_store =
        SqlServerStore::with_options("Fast", fast.server_name(), None, fast.admin_options());
    fast_store.list_folders(&[]).unwrap(); // log in first
    let waiting = std::thread::spawn(move || slow_store.list_folders(&[]).unwrap_err());
    // The slow request is at the server (counted on arrival, then delayed).
    let deadline = Instant::now() + Duration::from_secs(20);
    while slow.requests() == 0 {
        assert!(Instant::now() < deadline, "the slow request never arrived");
        std::thread::sleep(Duration::from_millis(10));
    }
    for _ in 0..20 {
        fast_store.list_folders(&[]).unwrap();
    }
    // Order, not speed: the other folder was served while this one waited.
    assert!(
        !waiting.is_finished(),
        "the fast folder's calls waited for the slow one's time-out"
    );
    let e = waiting.join().unwrap();
    assert_eq!(e.kind, ErrorKind::Timeout, "{e}");
    assert!(e.message.contains("did not answer within 6 s"), "{e}");
}

#[test]
fn security_errors_of_the_procedures_are_access_denied() {
    let server = TestServer::start();
    let admin =
        SqlServerStore::with_options("MSDB", server.server_name(), None, server.admin_options());
    admin.create_folder(&seg(&["Shared"])).unwrap();
    let xml = synthetic_package_xml("Load", "{00000000-0000-4000-8000-000000000003}", 8);
    admin
        .write_package(&seg(&["Shared", "Load"]), xml.as_bytes(), false)
        .unwrap();

    let reader = SqlServerStore::with_options(
        "MSDB",
        server.server_name(),
        None,
        options(READER_USER, READER_PASSWORD),
    );
    // Listing and reading are allowed (db_ssisoperator).
    assert_eq!(reader.list_packages(&seg(&["Shared"])).unwrap().len(), 1);
    assert_eq!(
        reader.read_package(&seg(&["Shared", "Load"])).unwrap(),
        xml.as_bytes()
    );
    // Writing is not: SQL Server refuses EXECUTE on the writing procedures
    // (error 229) before they run; the server's message is kept.
    for (e, proc_name) in [
        (
            reader
                .write_package(&seg(&["Shared", "Load"]), xml.as_bytes(), true)
                .unwrap_err(),
            "sp_ssis_putpackage",
        ),
        (
            reader
                .write_package(&seg(&["Shared", "New"]), xml.as_bytes(), false)
                .unwrap_err(),
            "sp_ssis_putpackage",
        ),
        (
            reader.create_folder(&seg(&["Mine"])).unwrap_err(),
            "sp_ssis_addfolder",
        ),
        (
            reader.rename_folder(&seg(&["Shared"]), "X").unwrap_err(),
            "sp_ssis_renamefolder",
        ),
        (
            reader
                .delete_package(&seg(&["Shared", "Load"]))
                .unwrap_err(),
            "sp_ssis_deletepackage",
        ),
        (
            reader.delete_folder(&seg(&["Shared"]), true).unwrap_err(),
            "sp_ssis_deletepackage",
        ),
    ] {
        assert_eq!(e.kind, ErrorKind::AccessDenied, "{e}");
        assert!(
            e.message.contains(&format!(
                "EXECUTE permission was denied on the object '{proc_name}'"
            )),
            "{e}"
        );
        assert!(e.message.contains("(error 229)"), "{e}");
    }
    assert_eq!(
        admin.read_package(&seg(&["Shared", "Load"])).unwrap(),
        xml.as_bytes(),
        "nothing was written"
    );
    assert!(!admin.package_exists(&seg(&["Shared", "New"])).unwrap());
    assert_eq!(
        admin.list_folders(&[]).unwrap(),
        ["Maintenance Plans", "Shared"]
    );
    assert!(admin.package_exists(&seg(&["Shared", "Load"])).unwrap());
}

/// db_ssisltduser as Microsoft documents it: lists every package, imports
/// packages and folders, but reads, overwrites and deletes only its own.
#[test]
fn a_limited_user_changes_only_its_own_packages() {
    let server = TestServer::start();
    let store = |user: &str, password: &str| {
        SqlServerStore::with_options("MSDB", server.server_name(), None, options(user, password))
    };
    let admin =
        SqlServerStore::with_options("MSDB", server.server_name(), None, server.admin_options());
    let (ann, bob) = (
        store(LTD_USERS[0], LTD_PASSWORD),
        store(LTD_USERS[1], LTD_PASSWORD),
    );
    let xml = |name: &str| synthetic_package_xml(name, "{00000000-0000-4000-8000-000000000004}", 8);
    ann.create_folder(&seg(&["Team"])).unwrap();
    admin
        .write_package(&seg(&["Team", "Admins"]), xml("Admins").as_bytes(), false)
        .unwrap();
    ann.write_package(&seg(&["Team", "Anns"]), xml("Anns").as_bytes(), false)
        .unwrap();
    // Own: read, overwrite, delete.
    assert_eq!(
        ann.read_package(&seg(&["Team", "Anns"])).unwrap(),
        xml("Anns").as_bytes()
    );
    ann.write_package(&seg(&["Team", "Anns"]), xml("Anns2").as_bytes(), true)
        .unwrap();
    // Everyone's packages are listed.
    for s in [&ann, &bob] {
        let mut names: Vec<String> = s
            .list_packages(&seg(&["Team"]))
            .unwrap()
            .into_iter()
            .map(|p| p.name)
            .collect();
        names.sort();
        assert_eq!(names, ["Admins", "Anns"]);
    }
    // Another's (the administrator's, or Ann's for Bob): the procedures
    // refuse (14586 to read, 14307 to change), nothing changes.
    for (who, s, package) in [("ann", &ann, "Admins"), ("bob", &bob, "Anns")] {
        let path = seg(&["Team", package]);
        let before = admin.read_package(&path).unwrap();
        let refused = [
            (s.read_package(&path).map(|_| ()).unwrap_err(), "14586"),
            (
                s.write_package(&path, xml("Hijack").as_bytes(), true)
                    .unwrap_err(),
                "14307",
            ),
            (s.delete_package(&path).unwrap_err(), "14307"),
        ];
        for (e, code) in refused {
            assert_eq!(e.kind, ErrorKind::AccessDenied, "{who}: {e}");
            assert!(e.message.contains(&format!("(error {code})")), "{who}: {e}");
        }
        assert_eq!(admin.read_package(&path).unwrap(), before, "{who}");
    }
    // The administrator may change anyone's; the owner may delete its own.
    admin
        .write_package(&seg(&["Team", "Anns"]), xml("ByAdmin").as_bytes(), true)
        .unwrap();
    ann.delete_package(&seg(&["Team", "Anns"])).unwrap();
    assert!(!admin.package_exists(&seg(&["Team", "Anns"])).unwrap());
}

/// The shipped default (Encrypt mandatory, certificates checked) against
/// the test server's TLS (a self-signed rcgen certificate): the handshake
/// and login go over TLS when the certificate is trusted, the unknown
/// certificate is refused when it is not, and a server without TLS is
/// refused; Encrypt=optional stays plain where the server allows it.
#[test]
fn encryption_is_required_by_default() {
    let server = TestServer::start();
    let default = || {
        let mut o = server.admin_options();
        o.encrypt = ConnectOptions::default().encrypt;
        o.trust_server_certificate = ConnectOptions::default().trust_server_certificate;
        o.connect_timeout = Duration::from_secs(5);
        o
    };
    // Trusted: TLS, then everything works.
    let mut trusted = default();
    trusted.trust_server_certificate = true;
    let store = SqlServerStore::with_options("MSDB", server.server_name(), None, trusted);
    assert_eq!(store.list_folders(&[]).unwrap(), ["Maintenance Plans"]);
    store.create_folder(&seg(&["Over TLS"])).unwrap();
    assert_eq!((server.logins(), server.tls_logins()), (1, 1));
    // Not trusted (the default): the self-signed certificate is refused
    // before any login.
    let store = SqlServerStore::with_options("MSDB", server.server_name(), None, default());
    let e = store.list_folders(&[]).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Connection, "{e}");
    assert!(e.message.to_lowercase().contains("certificate"), "{e}");
    assert_eq!(server.logins(), 1, "no login with an untrusted certificate");
    // Encrypt=optional: plain TDS, login included.
    let mut optional = server.admin_options();
    optional.encrypt = ssis_service::store::msdb::Encrypt::Optional;
    let plain = SqlServerStore::with_options("MSDB", server.server_name(), None, optional);
    plain.list_folders(&[]).unwrap();
    assert_eq!((server.logins(), server.tls_logins()), (2, 1));
    // A server without TLS: refused, nothing sent in the clear.
    let bare = TestServer::start_without_tls();
    let mut o = default();
    o.trust_server_certificate = true;
    let store = SqlServerStore::with_options("MSDB", bare.server_name(), None, o);
    let e = store.list_folders(&[]).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Connection, "{e}");
    assert!(e.message.contains("offers no TLS"), "{e}");
    assert_eq!(bare.logins(), 0, "no login without TLS");
}

#[test]
fn named_instances_resolve_through_the_sql_server_browser() {
    let server = TestServer::start();
    let browser = FakeBrowser::start(&[("SSISTEST", server.port())]);
    let mut o = server.admin_options();
    o.browser_port = browser.port();
    let store = SqlServerStore::with_options("MSDB", "127.0.0.1\\ssistest", None, o.clone());
    assert_eq!(store.list_folders(&[]).unwrap(), ["Maintenance Plans"]);
    assert!(browser.requests.load(std::sync::atomic::Ordering::SeqCst) >= 1);

    o.connect_timeout = Duration::from_secs(1);
    let store =
        SqlServerStore::with_options("MSDB", "127.0.0.1\\OTHER", Some(PathBuf::from(CONFIG)), o);
    let e = store.list_folders(&[]).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Connection, "{e}");
    assert!(
        e.message.contains("did not answer for instance 'OTHER'"),
        "{e}"
    );
    assert!(e.message.contains("folder 'MSDB'"), "{e}");
}

#[test]
fn root_and_maintenance_plans_are_msdbs_own() {
    let server = TestServer::start();
    let store =
        SqlServerStore::with_options("MSDB", server.server_name(), None, server.admin_options());
    assert!(store.folder_exists(&seg(&["maintenance plans"])).unwrap());
    // A name longer than sysname is refused before any request.
    let long = "x".repeat(129);
    let before = server.requests();
    let e = store.create_folder(&seg(&[&long])).unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidArgument, "{e}");
    assert_eq!(server.requests(), before);
}

#[test]
fn an_unreachable_msdb_folder_is_an_entry_beside_the_file_system_packages() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let server = format!("127.0.0.1,{port}");
    let (_dir, store) = store_with(&server, options("u", "p"));
    let all = store.list_packages(&StorePath::root(), true).unwrap();
    let local: Vec<_> = all.iter().filter(|e| !e.folder_unavailable).collect();
    assert_eq!(local.len(), 1, "{all:?}");
    assert_eq!(local[0].path, "\\File System\\Local");
    let msdb: Vec<_> = all.iter().filter(|e| e.folder_unavailable).collect();
    assert_eq!(msdb.len(), 1, "{all:?}");
    assert_eq!(msdb[0].path, "\\MSDB");
    let e = msdb[0].error.as_ref().expect("the folder's error");
    assert_eq!(e.kind, ErrorKind::Connection, "{e}");
    assert!(e.message.contains("refused"), "{e}");
    // The JSON every front end returns marks the entry.
    let json = serde_json::to_value(msdb[0]).unwrap();
    assert_eq!(json["FolderUnavailable"], true);
    assert_eq!(json["Error"]["Kind"], "Connection");
    assert!(
        serde_json::to_value(local[0])
            .unwrap()
            .get("FolderUnavailable")
            .is_none()
    );
}

/// Options for a named instance behind `browser`, with a short Browser wait.
fn browser_options(browser: &FakeBrowser, cache: Duration) -> ConnectOptions {
    let mut o = options("u", "p");
    o.browser_port = browser.port();
    o.connect_timeout = Duration::from_secs(5);
    o.browser_timeout = Some(Duration::from_millis(300));
    o.browser_cache = cache;
    o
}

fn browser_requests(browser: &FakeBrowser) -> u64 {
    browser.requests.load(std::sync::atomic::Ordering::SeqCst)
}

#[test]
fn a_silent_browser_is_asked_once_per_cache_period() {
    let browser = FakeBrowser::start(&[]);
    let o = browser_options(&browser, Duration::from_secs(600));
    let (_dir, store) = store_with("127.0.0.1\\SILENT", o.clone());
    let e = store.list_folders(&p("\\MSDB")).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Connection, "{e}");
    assert!(
        e.message.contains("did not answer for instance 'SILENT'"),
        "{e}"
    );
    let asked = browser_requests(&browser);
    assert_eq!(asked, 2, "one request and one retry");
    // Every further operation, and a store opened again (a reload), reuses
    // the silence instead of waiting again.
    let again = store.list_packages(&StorePath::root(), true).unwrap();
    assert!(
        again
            .iter()
            .any(|e| e.folder_unavailable && e.path == "\\MSDB")
    );
    let (_dir2, reopened) = store_with("127.0.0.1\\silent", o);
    let e2 = reopened.list_folders(&p("\\MSDB")).unwrap_err();
    assert!(
        e2.message.contains("did not answer for instance 'SILENT'"),
        "{e2}"
    );
    assert_eq!(browser_requests(&browser), asked);

    // With the cache off, each operation asks again.
    let (_dir3, uncached) = store_with(
        "127.0.0.1\\UNCACHED",
        browser_options(&browser, Duration::ZERO),
    );
    uncached.list_folders(&p("\\MSDB")).unwrap_err();
    uncached.list_folders(&p("\\MSDB")).unwrap_err();
    assert_eq!(browser_requests(&browser), asked + 4);
}

#[test]
fn a_browser_answer_is_reused_by_new_connections() {
    let server = TestServer::start();
    let browser = FakeBrowser::start(&[("CACHED", server.port())]);
    let mut o = server.admin_options();
    o.browser_port = browser.port();
    o.browser_cache = Duration::from_secs(600);
    let store = SqlServerStore::with_options("MSDB", "127.0.0.1\\CACHED", None, o.clone());
    store.list_folders(&[]).unwrap();
    store.close_idle_connections();
    store.list_folders(&[]).unwrap();
    let other = SqlServerStore::with_options("MSDB", "127.0.0.1\\cached", None, o);
    other.list_folders(&[]).unwrap();
    assert_eq!(server.logins(), 3, "three connections");
    assert_eq!(browser_requests(&browser), 1, "one Browser question");
}
