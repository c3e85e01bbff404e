//! Every file of the shared configuration corpus is accepted or refused as its
//! name says (`ok-*` / `bad-*`); refusals name the problem and where it is;
//! accepted files come back unchanged when written.

use ssis_service::ErrorKind;
use ssis_service::config::ServiceConfig;
use std::path::{Path, PathBuf};

/// `../shared` beside the crate (the seed document), when present.
fn shared_dir() -> Option<PathBuf> {
    let beside = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    [beside, PathBuf::from("/work/shared")]
        .into_iter()
        .find(|p| p.is_dir())
}

fn corpus_files() -> Vec<PathBuf> {
    let dir = crate::common::corpus_dir().join("config");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "xml"))
        .collect();
    files.sort();
    files
}

fn file_name(p: &Path) -> String {
    p.file_name().unwrap().to_string_lossy().into_owned()
}

/// What each known bad file's error must say, and the line it must point at.
fn expectation(name: &str) -> Option<(&'static [&'static str], Option<u64>)> {
    Some(match name {
        "bad-duplicate-names.xml" => (&["unique", "'Packages'", "'PACKAGES'"][..], Some(9)),
        "bad-empty.xml" => (&["empty"][..], None),
        "bad-invalid-name-chars.xml" => (
            &["'Sales|\"Daily\"'", "'|'", "control characters"][..],
            Some(5),
        ),
        "bad-malformed.xml" => (&["malformed XML", "</Folder>"][..], Some(8)),
        "bad-missing-storepath.xml" => (&["'File System'", "has no StorePath"][..], Some(5)),
        "bad-not-boolean.xml" => (
            &[
                "StopExecutingPackagesOnShutdown",
                "'sometimes'",
                "true, false, 1 or 0",
            ][..],
            Some(3),
        ),
        "bad-unknown-type.xml" => (
            &[
                "('Cloud')",
                "'CloudFolder'",
                "SqlServerFolder, FileSystemFolder",
            ][..],
            Some(5),
        ),
        "bad-wrong-root.xml" => (
            &["<configuration>", "<DtsServiceConfiguration>"][..],
            Some(2),
        ),
        _ => return None,
    })
}

#[test]
fn bad_files_are_refused_with_the_problem_named() {
    for path in corpus_files() {
        let name = file_name(&path);
        if !name.starts_with("bad-") {
            continue;
        }
        let err = ServiceConfig::load(&path).expect_err(&name);
        assert_eq!(err.kind, ErrorKind::Configuration, "{name}: {err}");
        let shown = err.to_string();
        assert!(
            shown.contains(&name),
            "{name}: the error does not name the file: {shown}"
        );
        match expectation(&name) {
            Some((needles, line)) => {
                for needle in needles {
                    assert!(
                        shown.contains(needle),
                        "{name}: missing {needle:?} in {shown}"
                    );
                }
                if let Some(line) = line {
                    assert_eq!(err.details.line, Some(line), "{name}: {shown}");
                    assert!(err.details.column.is_some(), "{name}: {shown}");
                }
            }
            None => eprintln!("note: no message expectation for {name}: {shown}"),
        }
    }
}

#[test]
fn ok_files_load_and_write_back_unchanged() {
    let mut seen = 0;
    for path in corpus_files() {
        let name = file_name(&path);
        if !name.starts_with("ok-") {
            continue;
        }
        seen += 1;
        let original = std::fs::read_to_string(&path).unwrap();
        let config = ServiceConfig::load(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        let written = config.to_xml();
        assert_eq!(written, original, "{name}: written text differs");
        // The path load made absolute (under Wine, `/x` becomes `Z:\x`).
        let again = ServiceConfig::parse(&written, config.path.as_deref()).unwrap();
        assert_eq!(again, config, "{name}");
    }
    assert!(seen >= 6, "expected the ok-* corpus files, found {seen}");
}

#[test]
fn known_ok_files_read_as_expected() {
    let dir = crate::common::corpus_dir().join("config");
    let load = |n: &str| ServiceConfig::load(&dir.join(n)).unwrap();
    let many = load("ok-many-folders.xml");
    assert!(!many.stop_executing_packages_on_shutdown);
    let names: Vec<_> = many.top_level_folders.iter().map(|f| f.name()).collect();
    assert_eq!(
        names,
        [
            "MSDB Primary",
            "MSDB Reporting",
            "File System",
            "Finance Übergabe"
        ]
    );
    assert!(load("ok-empty-folders.xml").top_level_folders.is_empty());
    assert_eq!(load("ok-bom-crlf.xml").top_level_folders.len(), 2);
    let unknown = load("ok-unknown-elements.xml");
    let text = unknown.to_xml();
    for kept in [
        "<!-- edited by hand on the server -->",
        "<SomeFutureSetting Mode=\"strict\">42</SomeFutureSetting>",
        "<Comment>kept when written back</Comment>",
    ] {
        assert!(text.contains(kept), "lost {kept}");
    }
}

/// The two examples of the seed document load as printed there (without the
/// backslashes the document puts before `<?xml`, `<DtsServiceConfiguration`
/// and `<Folder`, trailing spaces included).
#[test]
fn seed_document_examples_load_as_printed() {
    let Some(seed) = shared_dir().map(|d| d.join("seed/000_99132a6bda5f3f97.txt")) else {
        return;
    };
    let Ok(doc) = std::fs::read_to_string(&seed) else {
        eprintln!("note: seed document not found; skipped");
        return;
    };
    let blocks: Vec<String> = doc
        .split("```xml")
        .skip(1)
        .filter_map(|b| b.split("```").next())
        .map(|b| b.replace("\\<", "<"))
        .filter(|b| b.contains("DtsServiceConfiguration"))
        .collect();
    assert_eq!(blocks.len(), 2, "the seed has two configuration examples");
    let servers: Vec<String> = blocks
        .iter()
        .map(|b| {
            let c = ServiceConfig::parse(b.trim_start(), None).unwrap();
            assert_eq!(
                c.to_xml(),
                b.trim_start(),
                "seed example written back differs"
            );
            match &c.top_level_folders[0] {
                ssis_service::config::TopLevelFolder::SqlServerFolder(f) => f.server_name.clone(),
                other => panic!("first folder is {other:?}"),
            }
        })
        .collect();
    assert_eq!(servers, [".", "ServerName\\InstanceName"]);
}
