//! File System store: every operation on a temporary store, its errors, and
//! the safety rules (no traversal, no links out of the root, atomic writes).

use ssis_service::ErrorKind;
use ssis_service::config::{FileSystemFolder, SqlServerFolder, TopLevelFolder};
use ssis_service::store::{
    FileSystemStore, ItemKind, PackageStore, SqlServerStore, Store, StorePath,
};
use std::fs;
use std::path::{Path, PathBuf};

/// A small SSIS 2012+ package.
const PACKAGE_2012: &str = r#"<?xml version="1.0"?>
<DTS:Executable xmlns:DTS="www.microsoft.com/SqlServer/Dts"
  DTS:refId="Package"
  DTS:CreationDate="1/2/2024 3:04:05 PM"
  DTS:CreationName="Microsoft.Package"
  DTS:CreatorComputerName="HOST"
  DTS:CreatorName="DOMAIN\user"
  DTS:DTSID="{11111111-2222-3333-4444-555555555555}"
  DTS:ExecutableType="Microsoft.Package"
  DTS:ObjectName="Inline"
  DTS:VersionGUID="{66666666-7777-8888-9999-000000000000}">
  <DTS:Property DTS:Name="PackageFormatVersion">8</DTS:Property>
  <DTS:Variables />
  <DTS:Executables />
</DTS:Executable>
"#;

/// A corpus package (tests/corpus).
fn corpus_package() -> Vec<u8> {
    let path = crate::common::corpus_dir().join("packages/7045kHz-dtsx/EXECProcess.dtsx");
    fs::read(&path).unwrap_or_else(|e| panic!("corpus package {}: {e}", path.display()))
}

fn p(text: &str) -> StorePath {
    StorePath::parse(text).unwrap()
}

fn segs(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

struct Fixture {
    _dir: tempfile::TempDir,
    root: PathBuf,
    other: PathBuf,
    outside: PathBuf,
    store: Store,
}

fn fs_folder(name: &str, root: &Path) -> (TopLevelFolder, Box<dyn PackageStore>) {
    (
        TopLevelFolder::FileSystemFolder(FileSystemFolder {
            name: name.to_string(),
            store_path: root.display().to_string(),
        }),
        Box::new(FileSystemStore::new(name, root)),
    )
}

/// A store with `\MSDB` (SQL Server), `\File System` and `\Other`, plus a
/// directory outside both roots.
fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("Packages");
    let other = dir.path().join("Other");
    let outside = dir.path().join("outside");
    for d in [&root, &other, &outside] {
        fs::create_dir(d).unwrap();
    }
    let store = Store::from_backends(vec![
        (
            TopLevelFolder::SqlServerFolder(SqlServerFolder {
                name: "MSDB".into(),
                server_name: ".".into(),
            }),
            Box::new(SqlServerStore::new("MSDB", ".")),
        ),
        fs_folder("File System", &root),
        fs_folder("Other", &other),
    ])
    .unwrap();
    Fixture {
        _dir: dir,
        root,
        other,
        outside,
        store,
    }
}

/// Writes a package file straight into the store directory.
fn put(dir: &Path, rel: &str, data: &[u8]) -> PathBuf {
    let path = dir.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, data).unwrap();
    path
}

fn names<T>(items: &[T], f: impl Fn(&T) -> &str) -> Vec<String> {
    items.iter().map(|i| f(i).to_string()).collect()
}

fn temp_files(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".ssis-tmp-"))
        .collect()
}

#[test]
fn top_level_folders_come_from_the_configuration() {
    let f = fixture();
    let top = f.store.top_level_folders();
    assert_eq!(names(&top, |e| &e.name), ["MSDB", "File System", "Other"]);
    assert_eq!(top[0].folder_type, "SqlServerFolder");
    assert_eq!(top[1].folder_type, "FileSystemFolder");
    assert_eq!(top[1].path, "\\File System");
    assert_eq!(f.store.list_folders(&StorePath::root()).unwrap(), top);
    let json = serde_json::to_value(&top[1]).unwrap();
    assert_eq!(json["FolderType"], "FileSystemFolder");
    assert_eq!(json["Path"], "\\File System");
}

#[test]
fn duplicate_top_level_names_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let err = Store::from_backends(vec![
        fs_folder("File System", dir.path()),
        fs_folder("FILE SYSTEM", dir.path()),
    ])
    .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Configuration);
    assert!(err.message.contains("FILE SYSTEM"), "{}", err.message);
}

#[test]
fn folders_create_list_rename_delete() {
    let f = fixture();
    let s = &f.store;
    let e = s.create_folder(&p("\\File System\\Sales")).unwrap();
    assert_eq!(e.path, "\\File System\\Sales");
    assert_eq!(e.folder_type, "Folder");
    s.create_folder(&p("/file system/sales/Daily")).unwrap();
    s.create_folder(&p("\\File System\\archive")).unwrap();
    assert!(f.root.join("Sales").join("Daily").is_dir());

    let listed = s.list_folders(&p("\\File System")).unwrap();
    assert_eq!(names(&listed, |e| &e.name), ["archive", "Sales"]);
    assert_eq!(listed[1].path, "\\File System\\Sales");

    // Exists, also when it differs only by case.
    let err = s.create_folder(&p("\\File System\\SALES")).unwrap_err();
    assert_eq!(err.kind, ErrorKind::AlreadyExists);
    assert!(
        err.message.contains("\\File System\\SALES"),
        "{}",
        err.message
    );
    // Parent missing: the error names the missing folder.
    let err = s.create_folder(&p("\\File System\\Nope\\X")).unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound);
    assert!(
        err.message.contains("'\\File System\\Nope'"),
        "{}",
        err.message
    );
    // Top-level folders come from the configuration.
    assert_eq!(
        s.create_folder(&p("\\File System")).unwrap_err().kind,
        ErrorKind::AlreadyExists
    );
    assert_eq!(
        s.create_folder(&p("\\Nowhere\\X")).unwrap_err().kind,
        ErrorKind::NotFound
    );

    // Rename, including a case-only rename, and onto an existing name.
    let r = s
        .rename_folder(&p("\\File System\\archive"), "Archive")
        .unwrap();
    assert_eq!(r.path, "\\File System\\Archive");
    assert!(f.root.join("Archive").is_dir());
    let err = s
        .rename_folder(&p("\\File System\\Archive"), "sales")
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::AlreadyExists);
    assert!(f.root.join("Archive").is_dir());
    s.rename_folder(&p("\\File System\\Archive"), "Old")
        .unwrap();
    assert!(f.root.join("Old").is_dir() && !f.root.join("Archive").exists());
    let err = s
        .rename_folder(&p("\\File System\\Old"), "a/b")
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidArgument);
    let err = s.rename_folder(&p("\\File System\\Gone"), "X").unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound);
    assert!(err.message.contains("\\File System\\Gone"));
    for top in ["\\File System", "\\MSDB", "\\"] {
        assert_eq!(
            s.rename_folder(&p(top), "X").unwrap_err().kind,
            ErrorKind::InvalidArgument,
            "{top}"
        );
        assert_eq!(
            s.delete_folder(&p(top), true).unwrap_err().kind,
            ErrorKind::InvalidArgument,
            "{top}"
        );
    }

    // Delete: non-empty only when recursive.
    put(&f.root, "Sales/Daily/Load.dtsx", PACKAGE_2012.as_bytes());
    let err = s
        .delete_folder(&p("\\File System\\Sales"), false)
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotEmpty);
    assert!(
        err.message.contains("\\File System\\Sales"),
        "{}",
        err.message
    );
    let err = s
        .delete_folder(&p("\\File System\\Sales\\Daily"), false)
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotEmpty);
    assert!(f.root.join("Sales/Daily/Load.dtsx").exists());
    s.delete_folder(&p("\\File System\\Sales"), true).unwrap();
    assert!(!f.root.join("Sales").exists());
    s.delete_folder(&p("\\File System\\old"), false).unwrap();
    assert!(!f.root.join("Old").exists());
    let err = s
        .delete_folder(&p("\\File System\\Old"), false)
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound);
}

#[test]
fn an_empty_folder_with_a_stale_temp_file_deletes() {
    let f = fixture();
    put(&f.root, "Empty/.ssis-tmp-abc.part", b"half");
    f.store
        .delete_folder(&p("\\File System\\Empty"), false)
        .unwrap();
    assert!(!f.root.join("Empty").exists());
    // Other files are not packages, but still content.
    put(&f.root, "Notes/readme.txt", b"hi");
    let err = f
        .store
        .delete_folder(&p("\\File System\\Notes"), false)
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotEmpty);
    assert!(f.root.join("Notes/readme.txt").exists());
}

#[test]
fn listing_shows_packages_and_skips_temp_and_other_files() {
    let f = fixture();
    put(&f.root, "Sales/b.dtsx", PACKAGE_2012.as_bytes());
    put(&f.root, "Sales/A Pkg.DTSX", b"not xml at all");
    put(&f.root, "Sales/.ssis-tmp-x1.part", b"partial");
    put(&f.root, "Sales/notes.txt", b"x");
    if cfg!(unix) {
        // Not addressable, so not listed (Windows cannot even create it).
        put(&f.root, "Sales/CON.dtsx", b"x");
    }
    put(&f.root, "Sales/Sub/c.dtsx", PACKAGE_2012.as_bytes());
    put(&f.root, "top.dtsx", PACKAGE_2012.as_bytes());

    let list = f
        .store
        .list_packages(&p("\\File System\\Sales"), false)
        .unwrap();
    assert_eq!(names(&list, |e| &e.name), ["A Pkg", "b"]);
    assert_eq!(list[1].path, "\\File System\\Sales\\b");
    assert_eq!(list[1].folder, "\\File System\\Sales");
    assert_eq!(list[1].size, PACKAGE_2012.len() as u64);
    let modified = list[1].modified.as_deref().unwrap();
    assert!(
        modified.ends_with('Z') && modified.len() == 20,
        "{modified}"
    );

    let all = f.store.list_packages(&p("\\File System"), true).unwrap();
    assert_eq!(
        names(&all, |e| &e.path),
        [
            "\\File System\\top",
            "\\File System\\Sales\\A Pkg",
            "\\File System\\Sales\\b",
            "\\File System\\Sales\\Sub\\c"
        ]
    );
    // From the root: every top-level folder; MSDB (no login here) is an
    // entry with its error, not a silent gap.
    let everything = f.store.list_packages(&StorePath::root(), true).unwrap();
    assert_eq!(everything.len(), 5, "{everything:?}");
    assert!(everything[0].folder_unavailable && everything[0].path == "\\MSDB");
    assert!(everything[0].error.is_some());
    assert!(everything[1..].iter().all(|e| !e.folder_unavailable));
    assert!(
        f.store
            .list_packages(&StorePath::root(), false)
            .unwrap()
            .is_empty()
    );
    let err = f
        .store
        .list_packages(&p("\\File System\\Missing"), false)
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound);
    assert!(err.message.contains("\\File System\\Missing"));
    let json = serde_json::to_value(&list[1]).unwrap();
    for key in [
        "Name", "Path", "Folder", "Size", "Modified", "Metadata", "Error",
    ] {
        assert!(json.get(key).is_some(), "{key} in {json}");
    }
}

#[test]
fn listing_reads_metadata_and_flags_unreadable_packages() {
    let f = fixture();
    put(&f.root, "good.dtsx", PACKAGE_2012.as_bytes());
    put(&f.root, "corpus.dtsx", &corpus_package());
    put(&f.root, "broken.dtsx", b"<not a package");
    let list = f.store.list_packages(&p("\\File System"), false).unwrap();
    assert_eq!(names(&list, |e| &e.name), ["broken", "corpus", "good"]);
    let broken = &list[0];
    assert!(broken.metadata.is_none());
    let err = broken
        .error
        .as_ref()
        .expect("an error for the broken package");
    assert_ne!(err.kind, ErrorKind::Internal, "{err}");
    let corpus = list[1].metadata.as_ref().expect("corpus metadata");
    assert_eq!(corpus.object_name, "Package1");
    assert_eq!(corpus.id, "{E94F85F6-26A2-4087-9F20-BA29973674EA}");
    let good = list[2].metadata.as_ref().expect("inline metadata");
    assert_eq!(good.object_name, "Inline");
    assert!(list[2].error.is_none());
    let info = f.store.package_info(&p("\\File System\\GOOD")).unwrap();
    assert_eq!(info.name, "good");
    assert_eq!(info.metadata.unwrap().package_format_version, 8);
}

#[test]
fn names_are_found_ignoring_case_and_exact_matches_win() {
    let f = fixture();
    put(&f.root, "Sales/Daily Load.dtsx", b"original");
    let s = &f.store;
    let path = p("\\file system\\SALES\\daily load");
    assert_eq!(s.exists(&path).unwrap().kind, ItemKind::Package);
    let info = s.package_info(&path).unwrap();
    assert_eq!(info.name, "Daily Load");
    assert_eq!(info.path, "\\File System\\Sales\\Daily Load");

    // Replacing through another spelling keeps the stored file name.
    let backend = FileSystemStore::new("File System", &f.root);
    backend
        .write_package(&segs(&["sales", "DAILY LOAD"]), b"second", true)
        .unwrap();
    assert_eq!(
        fs::read(f.root.join("Sales/Daily Load.dtsx")).unwrap(),
        b"second"
    );
    let err = backend
        .write_package(&segs(&["sales", "daily load"]), b"third", false)
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::AlreadyExists);

    // Two files that differ only by case (case-sensitive file systems only).
    let lower = f.root.join("Sales/daily load.dtsx");
    if fs::write(&lower, b"lower").is_ok()
        && fs::read(f.root.join("Sales/Daily Load.dtsx")).unwrap() == b"second"
    {
        let data = backend
            .read_package(&segs(&["Sales", "daily load"]))
            .unwrap();
        assert_eq!(data, b"lower");
        let data = backend
            .read_package(&segs(&["Sales", "Daily Load"]))
            .unwrap();
        assert_eq!(data, b"second");
    }
}

#[test]
fn copy_move_export_delete() {
    let f = fixture();
    let s = &f.store;
    put(&f.root, "Sales/Load.dtsx", b"load v1");
    s.create_folder(&p("\\File System\\Archive")).unwrap();

    // Copy within a top-level folder, then refuse to overwrite.
    let copy = p("\\File System\\Archive\\Load Copy");
    s.copy_package(&p("\\File System\\Sales\\Load"), &copy, false)
        .unwrap();
    assert_eq!(
        fs::read(f.root.join("Archive/Load Copy.dtsx")).unwrap(),
        b"load v1"
    );
    put(&f.root, "Sales/Load.dtsx", b"load v2");
    let err = s
        .copy_package(&p("\\File System\\Sales\\Load"), &copy, false)
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::AlreadyExists);
    assert!(err.message.contains("\\File System\\Archive\\Load Copy"));
    assert_eq!(
        fs::read(f.root.join("Archive/Load Copy.dtsx")).unwrap(),
        b"load v1"
    );
    s.copy_package(&p("\\File System\\Sales\\Load"), &copy, true)
        .unwrap();
    assert_eq!(
        fs::read(f.root.join("Archive/Load Copy.dtsx")).unwrap(),
        b"load v2"
    );
    let err = s
        .copy_package(
            &p("\\File System\\Sales\\Load"),
            &p("\\File System\\sales\\LOAD"),
            true,
        )
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidArgument);

    // Copy across top-level folders.
    s.copy_package(&p("\\File System\\Sales\\Load"), &p("\\Other\\Load"), false)
        .unwrap();
    assert_eq!(fs::read(f.other.join("Load.dtsx")).unwrap(), b"load v2");

    // Move within (rename), refusing to overwrite, then with replace.
    let err = s
        .move_package(&p("\\File System\\Sales\\Load"), &copy, false)
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::AlreadyExists);
    assert!(f.root.join("Sales/Load.dtsx").exists());
    s.move_package(
        &p("\\File System\\Sales\\Load"),
        &p("\\File System\\Archive\\Moved"),
        false,
    )
    .unwrap();
    assert!(!f.root.join("Sales/Load.dtsx").exists());
    assert_eq!(
        fs::read(f.root.join("Archive/Moved.dtsx")).unwrap(),
        b"load v2"
    );
    s.move_package(&p("\\File System\\Archive\\Moved"), &copy, true)
        .unwrap();
    assert!(!f.root.join("Archive/Moved.dtsx").exists());
    assert_eq!(
        fs::read(f.root.join("Archive/Load Copy.dtsx")).unwrap(),
        b"load v2"
    );
    // A case-only rename of a package.
    s.move_package(&copy, &p("\\File System\\Archive\\LOAD COPY"), false)
        .unwrap();
    let listed = s
        .list_packages(&p("\\File System\\Archive"), false)
        .unwrap();
    assert_eq!(names(&listed, |e| &e.name), ["LOAD COPY"]);

    // Move across top-level folders.
    s.move_package(&p("\\Other\\Load"), &p("\\File System\\Sales\\Back"), false)
        .unwrap();
    assert!(!f.other.join("Load.dtsx").exists());
    assert_eq!(
        fs::read(f.root.join("Sales/Back.dtsx")).unwrap(),
        b"load v2"
    );

    // Missing source.
    let err = s
        .move_package(&p("\\File System\\Sales\\Nope"), &p("\\Other\\X"), false)
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound);
    assert!(
        err.message.contains("\\File System\\Sales\\Nope"),
        "{}",
        err.message
    );

    // Export to a file outside the store, with and without replace.
    let file = f.outside.join("exported.dtsx");
    let r = s
        .export(&p("\\File System\\Sales\\Back"), &file, false)
        .unwrap();
    assert_eq!(r.size, 7);
    assert_eq!(fs::read(&file).unwrap(), b"load v2");
    fs::write(&file, b"keep me").unwrap();
    let err = s
        .export(&p("\\File System\\Sales\\Back"), &file, false)
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::AlreadyExists);
    assert_eq!(fs::read(&file).unwrap(), b"keep me");
    s.export(&p("\\File System\\Sales\\Back"), &file, true)
        .unwrap();
    assert_eq!(fs::read(&file).unwrap(), b"load v2");

    // Delete.
    s.delete_package(&p("\\File System\\sales\\back")).unwrap();
    assert!(!f.root.join("Sales/Back.dtsx").exists());
    let err = s
        .delete_package(&p("\\File System\\Sales\\Back"))
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound);
    assert!(
        err.message.contains("'\\File System\\Sales\\Back'"),
        "{}",
        err.message
    );
    assert_eq!(
        s.delete_package(&p("\\File System")).unwrap_err().kind,
        ErrorKind::InvalidArgument
    );
    assert!(temp_files(&f.root.join("Archive")).is_empty());
}

#[test]
fn exists_tells_folder_package_or_nothing() {
    let f = fixture();
    let s = &f.store;
    put(&f.root, "Sales/Load.dtsx", b"x");
    put(&f.root, "Both.dtsx", b"x");
    fs::create_dir(f.root.join("Both")).unwrap();
    let kind = |t: &str| s.exists(&p(t)).unwrap().kind;
    assert_eq!(kind("\\"), ItemKind::Folder);
    assert_eq!(kind("\\File System"), ItemKind::Folder);
    assert_eq!(kind("\\MSDB"), ItemKind::Folder);
    assert_eq!(kind("\\Unknown"), ItemKind::None);
    assert_eq!(kind("\\File System\\sales"), ItemKind::Folder);
    assert_eq!(kind("\\File System\\Sales\\load"), ItemKind::Package);
    assert_eq!(kind("\\File System\\Sales\\Nope"), ItemKind::None);
    assert_eq!(kind("\\File System\\Nope\\Nope"), ItemKind::None);
    let both = s.exists(&p("\\File System\\Both")).unwrap();
    assert!(both.folder && both.package);
    assert_eq!(both.kind, ItemKind::Package);
    let json = serde_json::to_value(&both).unwrap();
    assert_eq!(json["Kind"], "Package");
    assert_eq!(json["Path"], "\\File System\\Both");
}

/// Without SQL credentials (and with no integrated authentication off
/// Windows) an msdb folder is listed but every operation says why it cannot
/// be used; the msdb store itself is tested in tests/msdb_*.rs.
#[cfg(not(windows))]
#[test]
fn sql_server_folders_are_listed_but_not_available() {
    let f = fixture();
    let s = &f.store;
    let expected = "SQL Server folder 'MSDB' (server '.'): no SQL login is configured, and \
                    integrated (Kerberos) authentication is not available on this platform in \
                    this version: set SSIS_MSDB_USER and SSIS_MSDB_PASSWORD, or a credentials \
                    file (SSIS_MSDB_CREDENTIALS)";
    let errors = [
        s.list_folders(&p("\\MSDB")).unwrap_err(),
        s.list_packages(&p("\\MSDB"), true).unwrap_err(),
        s.package_info(&p("\\MSDB\\X")).unwrap_err(),
        s.create_folder(&p("\\MSDB\\X")).unwrap_err(),
        s.delete_package(&p("\\MSDB\\X")).unwrap_err(),
        s.exists(&p("\\MSDB\\X")).unwrap_err(),
    ];
    for e in errors {
        assert_eq!(e.kind, ErrorKind::Unsupported);
        assert_eq!(e.message, expected);
    }
    put(&f.root, "Load.dtsx", b"x");
    let err = s
        .copy_package(&p("\\File System\\Load"), &p("\\MSDB\\Load"), false)
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Unsupported);
}

#[test]
fn traversal_and_bad_names_are_rejected() {
    let f = fixture();
    for bad in [
        "\\File System\\..\\outside",
        "\\File System\\Sales\\..",
        "\\File System\\.",
        "C:\\x",
        "\\File System\\C:\\x",
        "\\File System\\c:x",
        "\\File System\\a\0b",
        "\\File System\\CON",
        "\\File System\\nul.dtsx",
        "\\File System\\trailing.",
        "\\File System\\trailing ",
        "\\File System\\\\etc\\passwd",
        "\\File System\\a*b",
    ] {
        let err = StorePath::parse(bad).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidArgument, "{bad:?}");
    }
    let err = p("\\File System").join("/etc/passwd").unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidArgument);
    assert!(err.message.contains("'/'"), "{}", err.message);
    let err = f
        .store
        .rename_folder(&p("\\File System\\x"), "..")
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidArgument);

    // A backend called with unvalidated segments refuses them too.
    let backend = FileSystemStore::new("File System", &f.root);
    for bad in [
        segs(&["..", "outside", "evil"]),
        segs(&["..", "evil"]),
        segs(&["/etc/passwd"]),
        segs(&["", "evil"]),
        segs(&["C:", "evil"]),
        segs(&["a\0b"]),
        segs(&["CON"]),
        segs(&["dot."]),
    ] {
        let err = backend.write_package(&bad, b"evil", true).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidArgument, "{bad:?}");
        let err = backend.create_folder(&bad).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidArgument, "{bad:?}");
        assert!(backend.read_package(&bad).is_err());
        assert!(backend.delete_folder(&bad, true).is_err());
    }
    assert_eq!(fs::read_dir(&f.outside).unwrap().count(), 0);
    assert!(!f.root.parent().unwrap().join("evil.dtsx").exists());
}

#[cfg(unix)]
fn symlink_dir(target: &Path, link: &Path) -> bool {
    std::os::unix::fs::symlink(target, link).is_ok()
}

#[cfg(windows)]
fn symlink_dir(target: &Path, link: &Path) -> bool {
    // Needs a privilege or developer mode; the test is skipped without it.
    std::os::windows::fs::symlink_dir(target, link).is_ok()
}

#[cfg(unix)]
fn symlink_file(target: &Path, link: &Path) -> bool {
    std::os::unix::fs::symlink(target, link).is_ok()
}

#[cfg(windows)]
fn symlink_file(target: &Path, link: &Path) -> bool {
    std::os::windows::fs::symlink_file(target, link).is_ok()
}

#[test]
fn symlinks_out_of_the_root_are_refused() {
    let f = fixture();
    let s = &f.store;
    let secret = put(&f.outside, "Secret.dtsx", b"secret");
    put(&f.root, "Sales/Real.dtsx", b"real");
    if !symlink_dir(&f.outside, &f.root.join("Link"))
        || !symlink_file(&secret, &f.root.join("Sales/Leak.dtsx"))
    {
        eprintln!("symbolic links not available here; skipped");
        return;
    }
    // Listings skip links.
    let folders = s.list_folders(&p("\\File System")).unwrap();
    assert_eq!(names(&folders, |e| &e.name), ["Sales"]);
    let all = s.list_packages(&p("\\File System"), true).unwrap();
    assert_eq!(names(&all, |e| &e.name), ["Real"]);
    // Operations through a link are refused, naming the link.
    for (path, kind) in [
        ("\\File System\\Link\\Secret", ErrorKind::AccessDenied),
        ("\\File System\\link\\Secret", ErrorKind::AccessDenied),
        ("\\File System\\Sales\\Leak", ErrorKind::AccessDenied),
        ("\\File System\\Sales\\LEAK", ErrorKind::AccessDenied),
    ] {
        let err = s.package_info(&p(path)).unwrap_err();
        assert_eq!(err.kind, kind, "{path}: {err}");
        assert!(err.message.contains("symbolic link"), "{}", err.message);
        assert_eq!(s.delete_package(&p(path)).unwrap_err().kind, kind);
        let out = f.outside.join("copy.dtsx");
        assert_eq!(s.export(&p(path), &out, true).unwrap_err().kind, kind);
        assert_eq!(
            s.copy_package(&p("\\File System\\Sales\\Real"), &p(path), true)
                .unwrap_err()
                .kind,
            kind
        );
    }
    assert_eq!(
        s.list_packages(&p("\\File System\\Link"), false)
            .unwrap_err()
            .kind,
        ErrorKind::AccessDenied
    );
    assert_eq!(
        s.create_folder(&p("\\File System\\Link\\New"))
            .unwrap_err()
            .kind,
        ErrorKind::AccessDenied
    );
    assert_eq!(
        s.delete_folder(&p("\\File System\\Link"), true)
            .unwrap_err()
            .kind,
        ErrorKind::AccessDenied
    );
    assert_eq!(
        s.rename_folder(&p("\\File System\\Link"), "Moved")
            .unwrap_err()
            .kind,
        ErrorKind::AccessDenied
    );
    // Nothing outside changed.
    assert_eq!(fs::read(&secret).unwrap(), b"secret");
    let outside: Vec<_> = fs::read_dir(&f.outside).unwrap().collect();
    assert_eq!(outside.len(), 1);
    assert!(f.root.join("Link").symlink_metadata().is_ok());
}

#[test]
fn a_missing_store_directory_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let gone = dir.path().join("not-there");
    let store = Store::from_backends(vec![fs_folder("File System", &gone)]).unwrap();
    let err = store.list_folders(&p("\\File System")).unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound);
    assert!(err.message.contains("not-there"), "{}", err.message);
    assert_eq!(
        store.exists(&p("\\File System\\X")).unwrap_err().kind,
        ErrorKind::NotFound
    );
    let err = store.package_info(&p("\\Elsewhere\\X")).unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound);
    assert!(err.message.contains("'File System'"), "{}", err.message);
}

#[test]
fn concurrent_writes_of_one_name_leave_one_intact_package() {
    let f = fixture();
    let backend = FileSystemStore::new("File System", &f.root);
    let a = vec![b'a'; 256 * 1024];
    let b = vec![b'b'; 256 * 1024];
    let name = segs(&["Race"]);
    let results: Vec<_> = std::thread::scope(|scope| {
        let ha = scope.spawn(|| backend.write_package(&name, &a, false));
        let hb = scope.spawn(|| backend.write_package(&name, &b, false));
        vec![ha.join().unwrap(), hb.join().unwrap()]
    });
    let ok = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(ok, 1, "{results:?}");
    let loser = results.iter().find_map(|r| r.as_ref().err()).unwrap();
    assert_eq!(loser.kind, ErrorKind::AlreadyExists);
    let data = fs::read(f.root.join("Race.dtsx")).unwrap();
    assert!(data == a || data == b);
    assert!(temp_files(&f.root).is_empty());
}

#[test]
fn concurrent_imports_of_one_name_leave_one_intact_package() {
    let f = fixture();
    let corpus = corpus_package();
    let file_a = put(&f.outside, "a.dtsx", &corpus);
    let file_b = put(&f.outside, "b.dtsx", PACKAGE_2012.as_bytes());
    let dest = p("\\File System\\Imported");
    for _round in 0..5 {
        let results: Vec<_> = std::thread::scope(|scope| {
            let ha = scope.spawn(|| f.store.import(&file_a, &dest, false));
            let hb = scope.spawn(|| f.store.import(&file_b, &dest, false));
            vec![ha.join().unwrap(), hb.join().unwrap()]
        });
        assert_eq!(
            results.iter().filter(|r| r.is_ok()).count(),
            1,
            "{results:?}"
        );
        let err = results.iter().find_map(|r| r.as_ref().err()).unwrap();
        assert_eq!(err.kind, ErrorKind::AlreadyExists);
        let data = fs::read(f.root.join("Imported.dtsx")).unwrap();
        assert!(data == corpus || data == PACKAGE_2012.as_bytes());
        assert!(temp_files(&f.root).is_empty());
        f.store.delete_package(&dest).unwrap();
    }
}

#[test]
fn import_checks_the_file_and_replaces_only_when_asked() {
    let f = fixture();
    let s = &f.store;
    let good = put(&f.outside, "good.dtsx", PACKAGE_2012.as_bytes());
    let bad = put(&f.outside, "bad.dtsx", b"<DTS:Executable");
    let dest = p("\\File System\\Pkg");
    let entry = s.import(&good, &dest, false).unwrap();
    assert_eq!(entry.path, "\\File System\\Pkg");
    assert_eq!(entry.metadata.unwrap().object_name, "Inline");

    let err = s.import(&bad, &p("\\File System\\Bad"), false).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Package, "{err}");
    assert!(!f.root.join("Bad.dtsx").exists());

    let corpus = put(&f.outside, "corpus.dtsx", &corpus_package());
    let err = s.import(&corpus, &dest, false).unwrap_err();
    assert_eq!(err.kind, ErrorKind::AlreadyExists);
    assert_eq!(
        fs::read(f.root.join("Pkg.dtsx")).unwrap(),
        PACKAGE_2012.as_bytes()
    );
    s.import(&corpus, &dest, true).unwrap();
    assert_eq!(fs::read(f.root.join("Pkg.dtsx")).unwrap(), corpus_package());

    let err = s
        .import(&f.outside.join("missing.dtsx"), &dest, true)
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound);
    assert!(err.message.contains("missing.dtsx"));
    let err = s.import(&good, &p("\\File System"), true).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidArgument);
    let err = s
        .import(&good, &p("\\File System\\NoFolder\\Pkg"), true)
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound);
}

/// Issue 13: names of 251–255 bytes are valid store names but too long for a
/// file with `.dtsx`; every operation says so (InvalidArgument naming the
/// limit) instead of failing with the file system's ENAMETOOLONG (Io).
#[test]
fn package_names_too_long_for_a_file_name_are_invalid_arguments() {
    let f = fixture();
    let src = put(&f.outside, "src.dtsx", PACKAGE_2012.as_bytes());
    let ok = put(&f.root, "ok.dtsx", PACKAGE_2012.as_bytes());
    assert!(ok.exists());
    for len in [251usize, 253, 255] {
        let name = "x".repeat(len);
        let path = p(&format!("\\File System\\{name}"));
        let errors = [
            f.store.import(&src, &path, false).unwrap_err(),
            f.store.package_info(&path).unwrap_err(),
            f.store.exists(&path).unwrap_err(),
            f.store.delete_package(&path).unwrap_err(),
            f.store
                .move_package(&p("\\File System\\ok"), &path, false)
                .unwrap_err(),
        ];
        for err in errors {
            assert_eq!(err.kind, ErrorKind::InvalidArgument, "{len}: {err}");
            assert!(
                err.message.contains("at most 250 bytes"),
                "{len}: {}",
                err.message
            );
        }
    }
    // 250 bytes is the longest name that fits.
    let longest = p(&format!("\\File System\\{}", "x".repeat(250)));
    f.store.import(&src, &longest, false).unwrap();
    f.store.package_info(&longest).unwrap();
}

/// Issue 13: packages written by the store are readable like the files
/// around them (0644 when new), and a replaced file keeps its mode (the
/// atomic write used to leave tempfile's 0600).
#[cfg(unix)]
#[test]
fn store_writes_keep_the_file_mode() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o7777;
    let f = fixture();
    let src = put(&f.outside, "src.dtsx", PACKAGE_2012.as_bytes());
    f.store
        .import(&src, &p("\\File System\\New"), false)
        .unwrap();
    assert_eq!(mode(&f.root.join("New.dtsx")), 0o644);
    let kept = put(&f.root, "Kept.dtsx", b"old");
    fs::set_permissions(&kept, fs::Permissions::from_mode(0o640)).unwrap();
    f.store
        .import(&src, &p("\\File System\\Kept"), true)
        .unwrap();
    assert_eq!(mode(&kept), 0o640);
    assert_eq!(fs::read(&kept).unwrap(), PACKAGE_2012.as_bytes());
    f.store
        .copy_package(&p("\\File System\\New"), &p("\\Other\\Copy"), false)
        .unwrap();
    assert_eq!(mode(&f.other.join("Copy.dtsx")), 0o644);
}

#[test]
fn an_indexed_listing_serves_unchanged_files_from_the_index_and_rereads_changed_ones() {
    use ssis_service::store::index::PackageIndex;
    use std::sync::Arc;
    use std::time::{Duration, SystemTime};
    let dir = tempfile::tempdir().unwrap();
    let file = put(dir.path(), "A/P.dtsx", PACKAGE_2012.as_bytes());
    let old = SystemTime::now() - Duration::from_secs(3600);
    fs::File::options()
        .write(true)
        .open(&file)
        .unwrap()
        .set_modified(old)
        .unwrap();
    let index = Arc::new(PackageIndex::new(100));
    let store = FileSystemStore::new("FS", dir.path()).with_index(index.clone());
    let first = store.list_packages_recursive(&[]).unwrap();
    assert_eq!(first.len(), 1);
    assert_eq!(index.len(), 1);
    // Poison what the index holds for the unchanged file: the next listing
    // shows it, so it did not read the file.
    let mut poisoned = first[0].clone();
    poisoned.metadata.as_mut().unwrap().description = "from the index".into();
    let md = fs::symlink_metadata(&file).unwrap();
    index.put(&file, &md, SystemTime::now(), &poisoned);
    let second = store.list_packages_recursive(&[]).unwrap();
    assert_eq!(
        second[0].metadata.as_ref().unwrap().description,
        "from the index"
    );
    // Any change to the file changes its key: it is read again. On Unix even
    // one rewritten with the same bytes and time (its change time moves);
    // Windows has no change time in a listing's status, so there the time
    // moves too.
    fs::write(&file, PACKAGE_2012).unwrap();
    if cfg!(unix) {
        fs::File::options()
            .write(true)
            .open(&file)
            .unwrap()
            .set_modified(old)
            .unwrap();
    }
    let third = store.list_packages(&["A".to_string()]).unwrap();
    assert_eq!(third[0].metadata, first[0].metadata);
}

/// Issue 13: `StoreFileMode` in the configuration sets the mode of new
/// package files (a replaced one still keeps its own); a bad mode is refused
/// with the element's line and what is allowed.
#[cfg(unix)]
#[test]
fn the_configured_store_file_mode_applies_to_new_packages() {
    use ssis_service::config::ServiceConfig;
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o7777;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("Packages");
    fs::create_dir(&root).unwrap();
    let xml = |m: &str| {
        format!(
            "<?xml version=\"1.0\"?>\n<DtsServiceConfiguration xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n\
             <TopLevelFolders><Folder xsi:type=\"FileSystemFolder\"><Name>File System</Name>\
             <StorePath>{}</StorePath></Folder></TopLevelFolders>\n\
             <SsisService><StoreFileMode>{m}</StoreFileMode></SsisService>\n</DtsServiceConfiguration>\n",
            root.display()
        )
    };
    let config = ServiceConfig::parse(&xml("0640"), None).unwrap();
    let store = Store::open(&config).unwrap();
    let src = put(dir.path(), "src.dtsx", PACKAGE_2012.as_bytes());
    store.import(&src, &p("\\File System\\New"), false).unwrap();
    assert_eq!(mode(&root.join("New.dtsx")), 0o640);
    let kept = put(&root, "Kept.dtsx", b"old");
    fs::set_permissions(&kept, fs::Permissions::from_mode(0o600)).unwrap();
    store.import(&src, &p("\\File System\\Kept"), true).unwrap();
    assert_eq!(mode(&kept), 0o600);
    // The setting survives the JSON form and the XML round trip.
    let json = serde_json::to_string(&config.to_json_value()).unwrap();
    assert!(json.contains("\"StoreFileMode\":\"0640\""), "{json}");
    let e = ServiceConfig::parse(&xml("0477"), None).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Configuration);
    assert!(
        e.message.contains("StoreFileMode") && e.message.contains("at least 0600"),
        "{}",
        e.message
    );
    assert_eq!(e.details.line, Some(4), "{e:?}");
}
