//! Every store operation on an msdb folder, against the TDS test server or,
//! when `SSIS_TEST_SQLSERVER` holds a connection string, a real SQL Server.
//! Each test works in its own uniquely named folder below msdb's root.

use crate::support;

use ssis_service::ErrorKind;
use ssis_service::config::{FileSystemFolder, SqlServerFolder, TopLevelFolder};
use ssis_service::package::{read_metadata, read_metadata_bytes, synthetic_package_xml};
use ssis_service::store::{FileSystemStore, ItemKind, PackageStore, Store, StorePath};
use std::path::Path;
use support::{Target, unique};

fn p(text: &str) -> StorePath {
    StorePath::parse(text).unwrap()
}

/// A store with `\File System` (a temporary directory) and `\MSDB` (the target).
struct Fixture {
    target: Target,
    dir: tempfile::TempDir,
    store: Store,
    /// This test's folder below msdb's root.
    base: String,
}

impl Fixture {
    fn new() -> Fixture {
        let target = Target::get();
        let dir = tempfile::tempdir().unwrap();
        let store = Store::from_backends(vec![
            (
                TopLevelFolder::SqlServerFolder(SqlServerFolder {
                    name: "MSDB".into(),
                    server_name: target.server_name(),
                }),
                Box::new(target.store("MSDB")) as Box<dyn PackageStore>,
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
        let base = unique("ssis-test");
        store.create_folder(&p(&format!("\\MSDB\\{base}"))).unwrap();
        Fixture {
            target,
            dir,
            store,
            base,
        }
    }

    /// `\MSDB\<base>\<rest>`.
    fn msdb(&self, rest: &str) -> StorePath {
        if rest.is_empty() {
            p(&format!("\\MSDB\\{}", self.base))
        } else {
            p(&format!("\\MSDB\\{}\\{rest}", self.base))
        }
    }

    /// Writes a package file `name.dtsx` in the temporary directory.
    fn package_file(&self, name: &str, id: &str, format: i32) -> std::path::PathBuf {
        let path = self.dir.path().join(format!("{name}.dtsx"));
        std::fs::write(&path, synthetic_package_xml(name, id, format)).unwrap();
        path
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = self.store.delete_folder(&self.msdb(""), true);
    }
}

#[test]
fn folders_create_list_rename_and_delete() {
    let f = Fixture::new();
    let s = &f.store;
    s.create_folder(&f.msdb("Sales")).unwrap();
    s.create_folder(&f.msdb("archive")).unwrap();
    s.create_folder(&f.msdb("Sales\\Daily")).unwrap();
    let names: Vec<String> = s
        .list_folders(&f.msdb(""))
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert_eq!(names, ["archive", "Sales"]);
    let sub = s.list_folders(&f.msdb("sales")).unwrap();
    assert_eq!(sub[0].path, format!("\\MSDB\\{}\\sales\\Daily", f.base));
    assert_eq!(sub[0].folder_type, "Folder");

    // Duplicates (names ignore case) and missing parents.
    let e = s.create_folder(&f.msdb("SALES")).unwrap_err();
    assert_eq!(e.kind, ErrorKind::AlreadyExists, "{e}");
    let e = s.create_folder(&f.msdb("Nope\\Child")).unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound, "{e}");
    assert!(e.message.contains("Nope"), "{e}");

    // Rename; to an existing name is refused.
    s.rename_folder(&f.msdb("archive"), "Archive 2020").unwrap();
    assert!(!s.exists(&f.msdb("archive")).unwrap().folder);
    assert!(s.exists(&f.msdb("Archive 2020")).unwrap().folder);
    let e = s
        .rename_folder(&f.msdb("Archive 2020"), "sales")
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::AlreadyExists, "{e}");
    // The subfolder is still reachable after its parent is renamed.
    s.rename_folder(&f.msdb("Sales"), "Sales EU").unwrap();
    assert!(s.exists(&f.msdb("Sales EU\\Daily")).unwrap().folder);
    assert!(!s.exists(&f.msdb("Sales\\Daily")).unwrap().folder);

    // A folder holding a folder or a package is not deleted unless recursive.
    let e = s.delete_folder(&f.msdb("Sales EU"), false).unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotEmpty, "{e}");
    let file = f.package_file("Load", "{00000000-0000-4000-8000-000000000001}", 8);
    s.import(&file, &f.msdb("Sales EU\\Daily\\Load"), false)
        .unwrap();
    let e = s
        .delete_folder(&f.msdb("Sales EU\\Daily"), false)
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotEmpty, "{e}");
    assert!(s.exists(&f.msdb("Sales EU\\Daily\\Load")).unwrap().package);
    s.delete_folder(&f.msdb("Sales EU"), true).unwrap();
    assert_eq!(s.exists(&f.msdb("Sales EU")).unwrap().kind, ItemKind::None);
    s.delete_folder(&f.msdb("Archive 2020"), false).unwrap();
    assert!(s.list_folders(&f.msdb("")).unwrap().is_empty());
    let e = s.delete_folder(&f.msdb("Gone"), false).unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound, "{e}");
}

#[test]
fn import_list_info_read_export_and_delete() {
    let f = Fixture::new();
    let s = &f.store;
    let id = "{0A1B2C3D-0000-4000-8000-00000000000A}";
    let file = f.package_file("Daily Load", id, 8);
    let original = std::fs::read(&file).unwrap();
    let meta = read_metadata(&file).unwrap();
    let entry = s.import(&file, &f.msdb("Daily Load"), false).unwrap();
    assert_eq!(entry.path, format!("\\MSDB\\{}\\Daily Load", f.base));
    assert_eq!(entry.size, original.len() as u64);
    let m = entry.metadata.as_ref().unwrap();
    assert_eq!(m.id, id);
    assert_eq!(m.object_name, "Daily Load");
    assert_eq!(m.version(), meta.version());
    assert_eq!(m.version_guid, meta.version_guid);
    assert_eq!(m.version_comments, meta.version_comments);
    assert_eq!(m.description, meta.description);
    assert!(entry.modified.as_deref().is_some_and(|t| t.ends_with('Z')));

    // Importing again without replacement is refused, with it accepted.
    let e = s.import(&file, &f.msdb("daily load"), false).unwrap_err();
    assert_eq!(e.kind, ErrorKind::AlreadyExists, "{e}");
    let file2 = f.package_file("Second", "{0A1B2C3D-0000-4000-8000-00000000000B}", 3);
    s.import(&file2, &f.msdb("Daily Load"), true).unwrap();
    let info = s.package_info(&f.msdb("Daily Load")).unwrap();
    assert_eq!(
        info.metadata.unwrap().id,
        "{0A1B2C3D-0000-4000-8000-00000000000B}"
    );
    s.import(&file, &f.msdb("Daily Load"), true).unwrap();
    s.import(&file2, &f.msdb("Second"), false).unwrap();

    let list = s.list_packages(&f.msdb(""), false).unwrap();
    let names: Vec<&str> = list.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["Daily Load", "Second"]);
    assert_eq!(list[0].folder, format!("\\MSDB\\{}", f.base));
    let all = s.list_packages(&p("\\MSDB"), true).unwrap();
    assert!(all.iter().any(|e| e.path == list[1].path), "{all:?}");

    assert_eq!(s.read_package(&f.msdb("DAILY LOAD")).unwrap(), original);
    let out = f.dir.path().join("out").join("exported.dtsx");
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    let r = s.export(&f.msdb("Daily Load"), &out, false).unwrap();
    assert_eq!(r.size, original.len() as u64);
    assert_eq!(std::fs::read(&out).unwrap(), original);

    let ex = s.exists(&f.msdb("Second")).unwrap();
    assert_eq!(
        (ex.kind, ex.package, ex.folder),
        (ItemKind::Package, true, false)
    );
    assert_eq!(s.exists(&f.msdb("Third")).unwrap().kind, ItemKind::None);
    assert_eq!(s.exists(&f.msdb("No\\Third")).unwrap().kind, ItemKind::None);

    s.delete_package(&f.msdb("Second")).unwrap();
    assert!(!s.exists(&f.msdb("Second")).unwrap().package);
    for e in [
        s.delete_package(&f.msdb("Second")).unwrap_err(),
        s.read_package(&f.msdb("Second")).unwrap_err(),
        s.package_info(&f.msdb("Second")).unwrap_err(),
        s.read_package(&f.msdb("Missing\\Second")).unwrap_err(),
    ] {
        assert_eq!(e.kind, ErrorKind::NotFound, "{e}");
        assert!(e.message.contains("Second"), "{e}");
    }
    // A file that is not a package is refused before anything is stored.
    let junk = f.dir.path().join("junk.dtsx");
    std::fs::write(&junk, b"not xml").unwrap();
    let e = s.import(&junk, &f.msdb("Junk"), false).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Package, "{e}");
    assert!(!s.exists(&f.msdb("Junk")).unwrap().package);
}

fn assert_same_identity(a: &[u8], b: &[u8]) {
    let (a, b) = (
        read_metadata_bytes(a, "a").unwrap(),
        read_metadata_bytes(b, "b").unwrap(),
    );
    assert_eq!(a.id, b.id);
    assert_eq!(a.version(), b.version());
    assert_eq!(a.version_guid, b.version_guid);
    assert_eq!(a.description, b.description);
    assert_eq!(a.package_format_version, b.package_format_version);
}

#[test]
fn copy_and_move_between_file_system_and_msdb_keep_metadata() {
    let f = Fixture::new();
    let s = &f.store;
    let id = "{CAFE0000-0000-4000-8000-000000000001}";
    let file = f.package_file("Fs Package", id, 2);
    let original = std::fs::read(&file).unwrap();

    // File System -> msdb: copy, then move.
    let e = s
        .copy_package(&p("\\File System\\Fs Package"), &f.msdb("Copied"), false)
        .unwrap();
    assert_eq!(e.metadata.as_ref().unwrap().id, id);
    assert_eq!(e.metadata.as_ref().unwrap().version(), "1.0.7");
    assert_same_identity(&s.read_package(&f.msdb("Copied")).unwrap(), &original);
    s.move_package(&p("\\File System\\Fs Package"), &f.msdb("Moved"), false)
        .unwrap();
    assert!(!Path::new(&file).exists());
    assert_eq!(s.read_package(&f.msdb("Moved")).unwrap(), original);

    // msdb -> File System: copy, then move.
    s.copy_package(&f.msdb("Copied"), &p("\\File System\\Back"), false)
        .unwrap();
    let back = std::fs::read(f.dir.path().join("Back.dtsx")).unwrap();
    assert_eq!(back, original);
    let e = s
        .move_package(&f.msdb("Moved"), &p("\\File System\\Moved Back"), false)
        .unwrap();
    assert_eq!(e.metadata.as_ref().unwrap().id, id);
    assert!(!s.exists(&f.msdb("Moved")).unwrap().package);
    assert_same_identity(
        &std::fs::read(f.dir.path().join("Moved Back.dtsx")).unwrap(),
        &original,
    );

    // Within msdb: copy to a subfolder and move (rename) there.
    s.create_folder(&f.msdb("Sub")).unwrap();
    s.copy_package(&f.msdb("Copied"), &f.msdb("Sub\\Copy 2"), false)
        .unwrap();
    s.move_package(&f.msdb("Copied"), &f.msdb("Sub\\Renamed"), false)
        .unwrap();
    let names: Vec<String> = s
        .list_packages(&f.msdb("Sub"), false)
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert_eq!(names, ["Copy 2", "Renamed"]);
    assert!(!s.exists(&f.msdb("Copied")).unwrap().package);
    // Copying onto an existing package needs replacement.
    let e = s
        .copy_package(&f.msdb("Sub\\Copy 2"), &f.msdb("Sub\\Renamed"), false)
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::AlreadyExists, "{e}");
    // The target's folder must exist.
    let e = s
        .copy_package(&f.msdb("Sub\\Copy 2"), &f.msdb("Nowhere\\X"), false)
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound, "{e}");
}

#[test]
fn the_corpus_packages_round_trip_through_msdb() {
    let f = Fixture::new();
    let s = &f.store;
    let dir = crate::common::corpus_dir().join("packages");
    let files = walk(&dir).unwrap_or_else(|e| panic!("corpus {}: {e}", dir.display()));
    assert!(files.len() >= 10, "the corpus has its packages: {files:?}");
    let mut done = 0;
    for file in files.iter().take(25) {
        let data = std::fs::read(file).unwrap();
        let Ok(meta) = read_metadata_bytes(&data, "corpus") else {
            continue;
        };
        let name = format!("corpus {done}");
        s.import(file, &f.msdb(&name), false).unwrap();
        assert_eq!(s.read_package(&f.msdb(&name)).unwrap(), data);
        let info = s.package_info(&f.msdb(&name)).unwrap();
        let m = info.metadata.unwrap();
        // A package without a DTSID is stored with the nil GUID (the column is NOT NULL).
        let expected = if meta.id.is_empty() {
            "{00000000-0000-0000-0000-000000000000}".to_string()
        } else {
            meta.id.to_uppercase()
        };
        assert_eq!(m.id.to_uppercase(), expected, "{}", file.display());
        assert_eq!(m.version(), meta.version(), "{}", file.display());
        done += 1;
    }
    assert!(done > 0);
}

fn walk(dir: &Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir)? {
        let path = e?.path();
        if path.is_dir() {
            out.extend(walk(&path)?);
        } else if path
            .extension()
            .is_some_and(|x| x.eq_ignore_ascii_case("dtsx"))
        {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

#[test]
fn fetch_package_reads_a_sql_path() {
    let f = Fixture::new();
    let file = f.package_file("Run Me", "{00000000-0000-4000-8000-0000000000AA}", 8);
    f.store.create_folder(&f.msdb("Jobs")).unwrap();
    f.store
        .import(&file, &f.msdb("Jobs\\Run Me"), false)
        .unwrap();
    let server = f.target.server_name();
    let path = format!("{}\\Jobs\\Run Me", f.base);
    let bytes =
        ssis_service::store::msdb::fetch_package_with(&server, &path, f.target.options()).unwrap();
    assert_eq!(bytes, std::fs::read(&file).unwrap());
    let e = ssis_service::store::msdb::fetch_package_with(
        &server,
        &format!("\\{}/Jobs/Missing", f.base),
        f.target.options(),
    )
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
    assert!(
        e.message.contains("Missing") && e.message.contains(&server),
        "{e}"
    );
    let e = ssis_service::store::msdb::fetch_package_with(&server, "\\", f.target.options())
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidArgument);
}

/// Writers racing to create one package without replacement: exactly one
/// wins, the others are told it exists, and msdb holds the winner's bytes.
/// (The TDS test server delays every request, so a check-then-write store
/// would let every writer check before any writes, and all would succeed.)
#[test]
fn concurrent_writes_without_replace_let_exactly_one_win() {
    let f = Fixture::new();
    if let Some(server) = f.target.test_server() {
        server.set_delay(std::time::Duration::from_millis(30));
    }
    const WRITERS: usize = 4;
    for round in 0..3 {
        let name = format!("Raced {round}");
        let barrier = std::sync::Barrier::new(WRITERS);
        let results: Vec<(Vec<u8>, ssis_service::Result<()>)> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..WRITERS)
                .map(|w| {
                    let (f, name, barrier) = (&f, &name, &barrier);
                    scope.spawn(move || {
                        // A store of its own: its own connections.
                        let store = f.target.store("MSDB");
                        let id = format!("{{0A1B2C3D-0000-4000-8000-0000000000{round}{w}}}");
                        let data = synthetic_package_xml(name, &id, 8).into_bytes();
                        barrier.wait();
                        let r = store.write_package(&[f.base.clone(), name.clone()], &data, false);
                        (data, r)
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let winners: Vec<&Vec<u8>> = results
            .iter()
            .filter(|(_, r)| r.is_ok())
            .map(|(d, _)| d)
            .collect();
        assert_eq!(
            winners.len(),
            1,
            "round {round}: {} writers succeeded",
            winners.len()
        );
        for (_, r) in &results {
            if let Err(e) = r {
                assert_eq!(e.kind, ErrorKind::AlreadyExists, "{e}");
            }
        }
        let stored = f.store.read_package(&f.msdb(&name)).unwrap();
        assert_eq!(&stored, winners[0], "msdb holds the winner's package");
    }
    // A writer refused by msdb (a read-only login) ends its transaction: its
    // pooled connection holds no lock that would stop the next writer.
    if let Some(server) = f.target.test_server() {
        server.set_delay(std::time::Duration::ZERO);
        let reader = ssis_service::store::msdb::SqlServerStore::with_options(
            "MSDB",
            server.server_name(),
            None,
            support::options(support::READER_USER, support::READER_PASSWORD),
        );
        let path = [f.base.clone(), "Denied".to_string()];
        let data = synthetic_package_xml("Denied", "{0A1B2C3D-0000-4000-8000-0000000000DD}", 8);
        let e = reader
            .write_package(&path, data.as_bytes(), false)
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::AccessDenied, "{e}");
        let writer = f.target.store("MSDB");
        let (tx, rx) = std::sync::mpsc::channel();
        let (path2, data2) = (path.clone(), data.clone());
        std::thread::spawn(move || {
            let _ = tx.send(writer.write_package(&path2, data2.as_bytes(), false));
        });
        rx.recv_timeout(std::time::Duration::from_secs(20))
            .expect("the write is not blocked by the refused writer's lock")
            .unwrap();
        drop(reader);
    }
}
