//! Loading and saving configuration files: errors name the file, saves are
//! atomic and keep one backup, relative store paths resolve beside the file.

use ssis_service::ErrorKind;
use ssis_service::config::{
    CONFIG_FILE_NAME, FileSystemFolder, ServiceConfig, TopLevelFolder, load_or_default,
};
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/config")
        .join(name);
    std::fs::read_to_string(path).unwrap()
}

fn file_system(config: &ServiceConfig) -> &FileSystemFolder {
    config
        .top_level_folders
        .iter()
        .find_map(|f| match f {
            TopLevelFolder::FileSystemFolder(fs) => Some(fs),
            _ => None,
        })
        .unwrap()
}

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".ssis-tmp-"))
        .collect()
}

#[test]
fn relative_store_paths_resolve_beside_the_file_with_either_separator() {
    let dir = tempfile::tempdir().unwrap();
    let binn = dir.path().join("DTS").join("Binn");
    std::fs::create_dir_all(&binn).unwrap();
    let expected = dir.path().join("DTS").join("Packages");
    for store_path in ["..\\Packages", "../Packages", ".\\..\\Packages\\"] {
        let text = fixture("default.xml").replace("..\\Packages", store_path);
        let path = binn.join(CONFIG_FILE_NAME);
        std::fs::write(&path, text).unwrap();
        let config = ServiceConfig::load(&path).unwrap();
        assert_eq!(config.base_dir(), binn);
        assert_eq!(
            config.resolve_store_path(file_system(&config)),
            expected,
            "{store_path}"
        );
    }
    // Nested relative paths mix both separators.
    let config = ServiceConfig::load(&binn.join(CONFIG_FILE_NAME)).unwrap();
    let nested = FileSystemFolder {
        name: "x".into(),
        store_path: "Sub\\Dir/Leaf".into(),
    };
    assert_eq!(
        config.resolve_store_path(&nested),
        binn.join("Sub").join("Dir").join("Leaf")
    );
    // Absolute paths stay as they are.
    let absolute = dir.path().join("abs");
    let abs = FileSystemFolder {
        name: "y".into(),
        store_path: absolute.display().to_string(),
    };
    assert_eq!(config.resolve_store_path(&abs), absolute);
}

#[test]
fn a_relative_config_path_is_made_absolute() {
    let config = ServiceConfig::load(Path::new("tests/fixtures/config/default.xml")).unwrap();
    let path = config.path.clone().unwrap();
    assert!(path.is_absolute(), "{}", path.display());
    assert_eq!(
        config.resolve_store_path(file_system(&config)),
        // absolute(): a cross-built test under Wine sees `/work` as `Z:\work`.
        std::path::absolute(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/Packages"))
            .unwrap()
    );
}

#[test]
fn missing_named_file_is_not_found_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("absent.ini.xml");
    let err = ServiceConfig::load(&missing).unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound);
    assert!(err.message.contains("absent.ini.xml"), "{}", err.message);
    let err = load_or_default(Some(&missing)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound);
    assert!(err.message.contains("absent.ini.xml"), "{}", err.message);
}

#[test]
fn load_or_default_reads_an_explicit_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(CONFIG_FILE_NAME);
    std::fs::write(&path, fixture("named-instance.xml")).unwrap();
    let config = load_or_default(Some(&path)).unwrap();
    assert_eq!(config.path.as_deref(), Some(path.as_path()));
    assert_eq!(config.top_level_folders.len(), 2);
}

/// The end state of saves; that a failed or killed save leaves the old file
/// whole is proved by fault injection in crates/core (config::file tests).
#[test]
fn save_keeps_one_backup_and_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(CONFIG_FILE_NAME);
    let backup = dir.path().join(format!("{CONFIG_FILE_NAME}.bak"));
    let original = fixture("default.xml");
    std::fs::write(&path, &original).unwrap();

    // Unchanged: nothing is written, no backup.
    let mut config = ServiceConfig::load(&path).unwrap();
    config.save(&path).unwrap();
    assert!(!backup.exists());

    config.stop_executing_packages_on_shutdown = false;
    config.save(&path).unwrap();
    let first = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        first,
        original.replace(">true</Stop", ">false</Stop"),
        "only the changed value differs"
    );
    assert_eq!(std::fs::read_to_string(&backup).unwrap(), original);

    config.extensions.executor = Some("dtexec".into());
    config.save(&path).unwrap();
    assert_eq!(
        std::fs::read_to_string(&backup).unwrap(),
        first,
        "one backup: the previous file"
    );
    assert_eq!(ServiceConfig::load(&path).unwrap(), config);
    assert!(leftovers(dir.path()).is_empty());

    // A new file: written, nothing to back up.
    let fresh = dir.path().join("new.xml");
    config.save(&fresh).unwrap();
    assert!(!dir.path().join("new.xml.bak").exists());
    assert_eq!(
        ServiceConfig::load(&fresh)
            .unwrap()
            .extensions
            .executor
            .as_deref(),
        Some("dtexec")
    );
}

#[test]
fn an_invalid_config_is_not_saved() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(CONFIG_FILE_NAME);
    std::fs::write(&path, fixture("default.xml")).unwrap();
    let mut config = ServiceConfig::load(&path).unwrap();
    config
        .top_level_folders
        .push(TopLevelFolder::FileSystemFolder(FileSystemFolder {
            name: "msdb".into(),
            store_path: "x".into(),
        }));
    let err = config.save(&path).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Configuration);
    assert!(
        err.message.contains("'MSDB'") && err.message.contains("'msdb'"),
        "{}",
        err.message
    );
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        fixture("default.xml")
    );
    assert!(!dir.path().join(format!("{CONFIG_FILE_NAME}.bak")).exists());
}

#[test]
fn save_over_existing_merges_a_json_config_into_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(CONFIG_FILE_NAME);
    let original = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n\
        <DtsServiceConfiguration xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\r\n\
        \x20 <!-- keep me -->\r\n\
        \x20 <StopExecutingPackagesOnShutdown>true</StopExecutingPackagesOnShutdown>\r\n\
        \x20 <Future>1</Future>\r\n\
        \x20 <TopLevelFolders>\r\n\
        \x20   <Folder xsi:type=\"FileSystemFolder\">\r\n\
        \x20     <Name>File System</Name>\r\n\
        \x20     <StorePath>..\\Packages</StorePath>\r\n\
        \x20     <Note>n</Note>\r\n\
        \x20   </Folder>\r\n\
        \x20 </TopLevelFolders>\r\n\
        </DtsServiceConfiguration>";
    std::fs::write(&path, original).unwrap();
    let json = r#"{"StopExecutingPackagesOnShutdown": false,
        "TopLevelFolders": [{"Type": "FileSystemFolder", "Name": "File System", "StorePath": "/srv/p"}],
        "Extensions": {"StateDirectory": "/var/lib/ssis-service"}}"#;
    let config = ServiceConfig::from_json(json).unwrap();
    config.save_over_existing(&path).unwrap();
    let written = std::fs::read_to_string(&path).unwrap();
    for kept in ["<!-- keep me -->", "<Future>1</Future>", "<Note>n</Note>"] {
        assert!(written.contains(kept), "lost {kept}: {written}");
    }
    assert!(written.contains("<StorePath>/srv/p</StorePath>"));
    assert!(written.contains("\r\n  <SsisService>\r\n    <StateDirectory>"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join(format!("{CONFIG_FILE_NAME}.bak"))).unwrap(),
        original
    );
    let mut reread = ServiceConfig::load(&path).unwrap();
    reread.path = None;
    assert_eq!(reread, config);

    // `save` of the same JSON config writes XmlSerializer's layout instead.
    config.save(&path).unwrap();
    assert!(!std::fs::read_to_string(&path).unwrap().contains("keep me"));

    // Over a file that is not a configuration, the file is replaced (and backed up).
    std::fs::write(&path, "not xml <").unwrap();
    config.save_over_existing(&path).unwrap();
    assert_eq!(
        ServiceConfig::load(&path).unwrap().top_level_folders,
        config.top_level_folders
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join(format!("{CONFIG_FILE_NAME}.bak"))).unwrap(),
        "not xml <"
    );

    // Where nothing exists yet, it creates the file.
    let other: PathBuf = dir.path().join("other.xml");
    config.save_over_existing(&other).unwrap();
    assert!(ServiceConfig::load(&other).is_ok());
}

#[test]
fn errors_in_files_give_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(CONFIG_FILE_NAME);
    std::fs::write(
        &path,
        fixture("default.xml").replace("<Name>MSDB</Name>", "<Name>MSDB</Nmae>"),
    )
    .unwrap();
    let err = ServiceConfig::load(&path).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Configuration);
    assert_eq!(err.details.file.as_deref(), Some(path.as_path()));
    assert_eq!(err.details.line, Some(6), "{err}");
    assert_eq!(err.details.column, Some(17), "{err}");
    assert!(err.message.contains("</Nmae>"), "{err}");
}
