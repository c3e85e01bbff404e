//! `Store::open` from a configuration file: relative store paths, both
//! folder types, and the examples tree read with metadata.

use ssis_service::ErrorKind;
use ssis_service::config::ServiceConfig;
use ssis_service::package::synthetic_package_xml;
use ssis_service::store::{Store, StorePath};
use std::fs;
use std::path::Path;

const CONFIG: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<DtsServiceConfiguration xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <StopExecutingPackagesOnShutdown>true</StopExecutingPackagesOnShutdown>
  <TopLevelFolders>
    <Folder xsi:type="SqlServerFolder">
      <Name>MSDB</Name>
      <ServerName>.</ServerName>
    </Folder>
    <Folder xsi:type="FileSystemFolder">
      <Name>File System</Name>
      <StorePath>..\Packages</StorePath>
    </Folder>
  </TopLevelFolders>
</DtsServiceConfiguration>
"#;

fn p(text: &str) -> StorePath {
    StorePath::parse(text).unwrap()
}

#[test]
fn opens_the_folders_of_a_configuration_file() {
    let dir = tempfile::tempdir().unwrap();
    let binn = dir.path().join("Binn");
    let packages = dir.path().join("Packages");
    fs::create_dir_all(&binn).unwrap();
    fs::create_dir_all(packages.join("Sales")).unwrap();
    let file = binn.join("MsDtsSrvr.ini.xml");
    fs::write(&file, CONFIG).unwrap();
    fs::write(
        packages.join("Sales").join("Daily Load.dtsx"),
        synthetic_package_xml("Daily Load", "{00000000-0000-4000-8000-000000000001}", 8),
    )
    .unwrap();

    let config = ServiceConfig::load(&file).unwrap();
    let store = Store::open(&config).unwrap();
    let top = store.top_level_folders();
    assert_eq!(top.len(), 2);
    assert_eq!(top[0].folder_type, "SqlServerFolder");
    assert_eq!(top[1].path, "\\File System");

    let list = store.list_packages(&p("\\File System"), true).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].path, "\\File System\\Sales\\Daily Load");
    assert_eq!(list[0].metadata.as_ref().unwrap().object_name, "Daily Load");
    let err = store.list_folders(&p("\\MSDB")).unwrap_err();
    // No SQL login configured: refused (Windows: integrated authentication
    // is tried, and no SQL Server answers here).
    let expected = if cfg!(windows) {
        ErrorKind::Connection
    } else {
        ErrorKind::Unsupported
    };
    assert_eq!(err.kind, expected, "{err}");
    // Writes land under the resolved directory.
    store.create_folder(&p("\\File System\\New")).unwrap();
    assert!(packages.join("New").is_dir());
}

#[test]
fn the_examples_tree_lists_with_metadata() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/MsDtsSrvr.ini.xml");
    let config = ServiceConfig::load(&file).unwrap();
    let store = Store::open(&config).unwrap();
    let listed = store.list_packages(&StorePath::root(), true).unwrap();
    // The example's SQL Server folder has no server here: it is reported as
    // an entry of its own, not a package.
    let (unavailable, all): (Vec<_>, Vec<_>) =
        listed.into_iter().partition(|e| e.folder_unavailable);
    assert!(
        unavailable
            .iter()
            .all(|e| e.error.is_some() && e.folder == "\\")
    );
    assert!(all.len() >= 3, "{all:?}");
    for entry in &all {
        assert!(entry.error.is_none(), "{}: {:?}", entry.path, entry.error);
        assert!(entry.metadata.is_some(), "{}", entry.path);
        assert!(entry.path.starts_with("\\File System\\"), "{}", entry.path);
    }
}

#[test]
fn old_layout_packages_longer_than_the_head_read_still_list() {
    // SSIS 2008 packages keep their identity after their contents: pad the
    // contents well past the first read so the reader has to go on.
    let dir = tempfile::tempdir().unwrap();
    let xml = synthetic_package_xml("Old Layout", "{00000000-0000-4000-8000-000000000002}", 3);
    let root_start = xml.find("<DTS:Executable").unwrap();
    let after_root = root_start + xml[root_start..].find('>').unwrap() + 1;
    let padding = format!("\n<!-- {} -->\n", "padding ".repeat(8000));
    let padded = format!("{}{}{}", &xml[..after_root], padding, &xml[after_root..]);
    assert!(padded.len() > 64 * 1024);
    fs::write(dir.path().join("Old.dtsx"), &padded).unwrap();
    fs::write(dir.path().join("Cut.dtsx"), &padded[..padded.len() / 2]).unwrap();
    let store = Store::from_backends(vec![(
        ssis_service::config::TopLevelFolder::FileSystemFolder(
            ssis_service::config::FileSystemFolder {
                name: "FS".into(),
                store_path: dir.path().display().to_string(),
            },
        ),
        Box::new(ssis_service::store::FileSystemStore::new("FS", dir.path())),
    )])
    .unwrap();
    let list = store.list_packages(&p("\\FS"), false).unwrap();
    assert_eq!(list.len(), 2);
    let cut = &list[0];
    assert_eq!(cut.name, "Cut");
    let err = cut.error.as_ref().expect("a truncated package is flagged");
    assert_eq!(err.kind, ErrorKind::Package, "{err}");
    assert!(err.to_string().contains("Cut.dtsx"), "{err}");
    let old = &list[1];
    let md = old.metadata.as_ref().expect("identity after the contents");
    assert_eq!(md.object_name, "Old Layout");
    assert_eq!(md.package_format_version, 3);
    assert_eq!(old.size, padded.len() as u64);
}
