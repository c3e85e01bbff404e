//! Package identity and details: the shared corpus of real packages, the
//! examples, and edge-case fixtures (both layouts, encrypted, truncated,
//! not a package, BOM).

use ssis_service::ErrorKind;
use ssis_service::package::{
    PackageMetadata, ProtectionLevel, read_details, read_details_bytes, read_metadata,
    read_metadata_bytes, synthetic_package_xml,
};
use std::path::{Path, PathBuf};

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> PathBuf {
    manifest().join("tests/fixtures/packages").join(name)
}

fn example(rel: &str) -> PathBuf {
    manifest().join("examples/Packages").join(rel)
}

/// The corpus of real packages (tests/corpus/packages).
fn corpus_dir() -> Option<PathBuf> {
    Some(crate::common::corpus_dir().join("packages"))
}

fn dtsx_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("dtsx"))
            {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_corpus_package_reads_with_metadata_and_details() {
    let Some(dir) = corpus_dir() else {
        eprintln!("note: shared package corpus not found; skipping");
        return;
    };
    let files = dtsx_files(&dir);
    assert!(!files.is_empty(), "no .dtsx under {}", dir.display());
    for path in &files {
        let m = read_metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(m.package_format_version, 8, "{}", path.display());
        assert!(!m.encrypted);
        let bytes = std::fs::read(path).unwrap();
        assert_eq!(read_metadata_bytes(&bytes, "row").unwrap(), m);
        let d = read_details(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(d.metadata, m, "{}", path.display());
        let total: usize = d.executable_counts.values().sum();
        assert_eq!(total, d.executables.len());
        // The JSON shape uses PascalCase names.
        let json = serde_json::to_value(&d).unwrap();
        assert!(json.get("ObjectName").is_some() && json.get("Executables").is_some());
    }
}

#[test]
fn corpus_values_are_read_exactly() {
    let Some(dir) = corpus_dir() else {
        eprintln!("note: shared package corpus not found; skipping");
        return;
    };
    let dir = dir.join("7045kHz-dtsx");
    let m = read_metadata(&dir.join("ConfigFile.dtsx")).unwrap();
    assert_eq!(m.object_name, "ConfigFile");
    assert_eq!(m.id, "{ACAA6774-B7D0-4025-92EF-BB4F1FAE3A1D}");
    assert_eq!(m.package_format_version, 8);
    assert_eq!(m.version_build, 6);
    assert_eq!((m.version_major, m.version_minor), (1, 0));
    assert_eq!(
        m.description,
        "Takes product colors and saves as csv fia flatfile"
    );
    assert_eq!(m.creation_date.as_deref(), Some("11/11/2024 8:19:54 AM"));
    assert_eq!(m.creator_name, "RSYSLAB\\U00001");
    assert_eq!(m.creator_computer_name, "T15P");
    assert_eq!(m.version_guid, "{D0A24291-60BB-46A1-BF67-580DE02D530F}");
    assert_eq!(m.package_type, 5);
    // Not written in the file: the 2012+ default.
    assert_eq!(m.protection_level, 1);
    assert_eq!(m.protection_level_name, "EncryptSensitiveWithUserKey");

    let m = read_metadata(&dir.join("EXECProcess.dtsx")).unwrap();
    assert_eq!(m.object_name, "Package1");
    assert_eq!(m.id, "{E94F85F6-26A2-4087-9F20-BA29973674EA}");
    let d = read_details(&dir.join("EXECProcess.dtsx")).unwrap();
    assert_eq!(d.executables.len(), 1);
    assert_eq!(d.executables[0].path, "Package\\Execute Process Task");
    assert_eq!(d.executables[0].executable_type, "Microsoft.ExecuteProcess");

    // Never rebuilt: no DTS:VersionBuild, so 0.
    assert_eq!(
        read_metadata(&dir.join("Package2.dtsx"))
            .unwrap()
            .version_build,
        0
    );

    let d = read_details(&dir.join("WMIDataReader.dtsx")).unwrap();
    let disabled: Vec<_> = d.executables.iter().filter(|e| e.disabled).collect();
    assert_eq!(disabled.len(), 1);
    assert_eq!(disabled[0].name, "WMI Data Reader Task");
    assert_eq!(d.executable_counts["Microsoft.WmiDataReaderTask"], 2);

    let d = read_details(&dir.join("Expressions.dtsx")).unwrap();
    let v = d
        .variables
        .iter()
        .find(|v| v.name == "CSV_LOCATION")
        .unwrap();
    assert!(v.evaluate_as_expression);
    assert_eq!(
        v.expression.as_deref(),
        Some("@[User::CSV_DIRECTORY] +\"\\\\\"+ @[User::CSV_FILENAME]")
    );
    assert_eq!((v.data_type, v.data_type_name.as_str()), (8, "String"));
    assert_eq!(v.scope, "Package");

    let d = read_details(&dir.join("RunMultu.dtsx")).unwrap();
    assert_eq!(d.precedence_constraints.len(), 1);
    let c = &d.precedence_constraints[0];
    assert_eq!(
        (c.from.as_str(), c.to.as_str()),
        ("Package\\sender", "Package\\rec")
    );
    assert_eq!(c.value, "Success");
}

fn assert_nested_identity(m: &PackageMetadata, format: i32) {
    // Nested objects (a connection manager, a variable, a sequence with its
    // own VersionBuild and CreatorName, a trailing designer PackageVariable)
    // carry other values; only the root's own properties count.
    assert_eq!(m.object_name, "Nested Identity");
    assert_eq!(m.id, "{ABCDEF01-2345-6789-ABCD-EF0123456789}");
    assert_eq!(m.description, "The package's own description");
    assert_eq!(m.creator_name, "CONTOSO\\etl");
    assert_eq!(m.version_build, 17);
    assert_eq!(m.package_format_version, format);
    assert_eq!(m.protection_level, 0);
    assert_eq!(m.protection_level_name, "DontSaveSensitive");
    assert_eq!(m.creation_date.as_deref(), Some("5/5/2006 5:05:05 AM"));
    assert!(!m.encrypted);
}

#[test]
fn format_2_and_3_identity_comes_from_the_roots_own_properties() {
    for (file, format) in [("format2-nested.dtsx", 2), ("format3-nested.dtsx", 3)] {
        let m = read_metadata(&fixture(file)).unwrap();
        assert_nested_identity(&m, format);
        let d = read_details(&fixture(file)).unwrap();
        assert_eq!(d.metadata, m);
        let paths: Vec<_> = d.executables.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "Package\\Inner sequence",
                "Package\\Inner sequence\\Inner task"
            ]
        );
        assert_eq!(d.connection_managers[0].name, "Inner connection");
        assert_eq!(d.variables[0].name, "InnerVariable");
    }
}

#[test]
fn encrypted_whole_packages_are_flagged_with_readable_identity() {
    let m = read_metadata(&fixture("encrypted-all-password.dtsx")).unwrap();
    assert!(m.encrypted);
    assert_eq!(m.object_name, "Payroll Export");
    assert_eq!(m.protection_level, 3);
    assert_eq!(
        m.protection(),
        Some(ProtectionLevel::EncryptAllWithPassword)
    );
    assert_eq!(m.package_format_version, 8);
    let d = read_details(&fixture("encrypted-all-password.dtsx")).unwrap();
    assert!(d.metadata.encrypted && d.executables.is_empty() && d.variables.is_empty());

    // 2005: only the format is in the clear; no Salt means a user key.
    let m = read_metadata(&fixture("encrypted-all-userkey-2005.dtsx")).unwrap();
    assert!(m.encrypted);
    assert_eq!(m.package_format_version, 2);
    assert_eq!(m.protection_level_name, "EncryptAllWithUserKey");
    assert_eq!(m.object_name, "");
}

#[test]
fn bom_crlf_package_with_sensitive_values() {
    let path = fixture("bom-crlf.dtsx");
    let raw = std::fs::read(&path).unwrap();
    assert!(raw.starts_with(b"\xEF\xBB\xBF") && raw.windows(2).any(|w| w == b"\r\n"));
    let m = read_metadata(&path).unwrap();
    assert_eq!(m.object_name, "Bom Package");
    // A password-encrypted connection password is not a whole-package encryption.
    assert!(!m.encrypted);
    assert_eq!(m.protection_level_name, "EncryptSensitiveWithPassword");
    let d = read_details(&path).unwrap();
    let cs = d.connection_managers[0].connection_string.clone().unwrap();
    assert!(!cs.contains("hunter2"), "{cs}");
    assert!(cs.contains("Password=********") && cs.contains("User ID=loader"));
    assert_eq!(d.variables[0].value.as_deref(), Some("café & crème <ok>"));
    let key = d.parameters.iter().find(|p| p.name == "ApiKey").unwrap();
    assert!(key.sensitive && key.required && key.value.is_none());
    let batch = d.parameters.iter().find(|p| p.name == "BatchSize").unwrap();
    assert_eq!(batch.value.as_deref(), Some("250"));
    assert_eq!(batch.data_type_name, "Int32");
    assert!(!batch.required);
}

fn package_error(
    result: ssis_service::Result<impl std::fmt::Debug>,
    file: &Path,
) -> ssis_service::Error {
    let err = result.expect_err("should fail");
    assert_eq!(err.kind, ErrorKind::Package, "{err}");
    let name = file.file_name().unwrap().to_string_lossy().to_string();
    assert!(
        err.message.contains(&name),
        "message does not name the file: {err}"
    );
    assert_eq!(err.details.file.as_deref(), Some(file));
    err
}

#[test]
fn truncated_files_are_clear_errors() {
    let p = fixture("truncated-2012.dtsx");
    let err = package_error(read_metadata(&p), &p);
    assert!(
        err.message.contains("truncated") || err.message.contains("malformed"),
        "{err}"
    );
    assert!(err.details.line.is_some() && err.details.column.is_some());
    package_error(read_details(&p), &p);

    // A 2005/2008 package is read to its end, so damage anywhere shows.
    let p = fixture("truncated-2008.dtsx");
    let err = package_error(read_metadata(&p), &p);
    assert!(err.details.line.unwrap() > 50, "{err}");
    package_error(read_details(&p), &p);
}

#[test]
fn the_2012_reader_stops_early_but_details_read_everything() {
    // Header intact, tail garbage: the listing reader never gets that far.
    let text = std::fs::read_to_string(example("Hello.dtsx")).unwrap();
    let cut = text.find("<DTS:Executables>").unwrap() + 20;
    let mut bytes = text.as_bytes()[..cut].to_vec();
    bytes.extend_from_slice(b"\x00\xFF garbage");
    let m = read_metadata_bytes(&bytes, "cut.dtsx").unwrap();
    assert_eq!(m.object_name, "Hello");
    let err = read_details_bytes(&bytes, "cut.dtsx").unwrap_err();
    assert_eq!(err.kind, ErrorKind::Package);
    assert!(err.message.contains("cut.dtsx"));
}

#[test]
fn non_packages_are_clear_errors() {
    let p = fixture("not-a-package.dtsx");
    let err = package_error(read_metadata(&p), &p);
    assert!(err.message.contains("DtsServiceConfiguration"), "{err}");
    assert_eq!(err.details.line, Some(2));
    package_error(read_details(&p), &p);

    let p = fixture("empty.dtsx");
    let err = package_error(read_metadata(&p), &p);
    assert!(err.message.contains("empty"), "{err}");

    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("binary.dtsx");
    std::fs::write(
        &bin,
        [0x4Du8, 0x5A, 0x90, 0x00, 0xFF, 0xFE, 0x00, 0x01, 0x80, 0x81],
    )
    .unwrap();
    package_error(read_metadata(&bin), &bin);
    package_error(read_details(&bin), &bin);

    let text = dir.path().join("notes.dtsx");
    std::fs::write(&text, "just some notes\n").unwrap();
    let err = package_error(read_metadata(&text), &text);
    assert!(err.message.contains("XML"), "{err}");

    let err = read_metadata(&dir.path().join("missing.dtsx")).unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound);
    assert!(err.message.contains("missing.dtsx"));

    let err = read_metadata_bytes(b"<Other/>", "msdb:Sales/Daily").unwrap_err();
    assert_eq!(err.kind, ErrorKind::Package);
    assert!(err.message.contains("msdb:Sales/Daily") && err.details.file.is_none());
    assert_eq!((err.details.line, err.details.column), (Some(1), Some(1)));
}

#[test]
fn examples_read_in_both_layouts() {
    let files = dtsx_files(&manifest().join("examples/Packages"));
    let mut formats: Vec<i32> = files
        .iter()
        .map(|p| read_metadata(p).unwrap().package_format_version)
        .collect();
    formats.sort();
    formats.dedup();
    assert!(
        formats.contains(&8) && (formats.contains(&2) || formats.contains(&3)),
        "{formats:?}"
    );
    for p in &files {
        let d = read_details(p).unwrap();
        assert!(!d.executables.is_empty(), "{}", p.display());
        assert!(
            d.executables
                .iter()
                .all(|e| e.creation_name.contains("ExecuteProcess")
                    || e.creation_name == "STOCK:SEQUENCE"),
            "{}",
            p.display()
        );
    }

    let d = read_details(&example("Sales/Daily Load.dtsx")).unwrap();
    assert_eq!(d.metadata.object_name, "Daily Load");
    let paths: Vec<_> = d.executables.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "Package\\Load",
            "Package\\Load\\Extract",
            "Package\\Load\\Load rows",
            "Package\\Report"
        ]
    );
    assert_eq!(d.executable_counts["Microsoft.ExecuteProcess"], 3);
    assert_eq!(d.executable_counts["STOCK:SEQUENCE"], 1);
    let ends: Vec<_> = d
        .precedence_constraints
        .iter()
        .map(|c| (c.scope.as_str(), c.from.as_str(), c.to.as_str()))
        .collect();
    assert!(ends.contains(&("Package", "Package\\Load", "Package\\Report")));
    assert!(ends.contains(&(
        "Package\\Load",
        "Package\\Load\\Extract",
        "Package\\Load\\Load rows"
    )));
    assert_eq!(d.parameters[0].name, "Region");
    assert_eq!(d.parameters[0].value.as_deref(), Some("EMEA"));

    let d = read_details(&example("Sales/Monthly Close.dtsx")).unwrap();
    assert_eq!(d.metadata.package_format_version, 3);
    assert_eq!(d.metadata.object_name, "Monthly Close");
    assert_eq!(d.metadata.version(), "1.2.4");
    let failure = d
        .precedence_constraints
        .iter()
        .find(|c| c.value == "Failure")
        .unwrap();
    assert_eq!(
        (failure.from.as_str(), failure.to.as_str()),
        ("Package\\Reconcile", "Package\\Notify failure")
    );
    let ro = d.variables.iter().find(|v| v.name == "MaxRetries").unwrap();
    assert!(ro.read_only);
    assert_eq!(d.connection_managers[0].creation_name, "OLEDB");

    let d = read_details(&example("Maintenance/Cleanup.dtsx")).unwrap();
    assert_eq!(d.metadata.package_format_version, 2);
    let compact = d
        .executables
        .iter()
        .find(|e| e.name == "Compact archive")
        .unwrap();
    assert!(compact.disabled);
    assert_eq!(compact.path, "Package\\Tidy up\\Compact archive");
    assert_eq!(d.precedence_constraints[0].value, "Completion");
    assert_eq!(d.precedence_constraints[0].scope, "Package\\Tidy up");
}

#[test]
fn synthetic_packages_are_realistic_and_readable() {
    for format in [2, 3, 6, 8] {
        let xml = synthetic_package_xml(
            "Load <Orders> & more",
            "{12345678-ABCD-4000-8000-000000000001}",
            format,
        );
        assert!(
            (3000..=6500).contains(&xml.len()),
            "format {format}: {} bytes",
            xml.len()
        );
        let m = read_metadata_bytes(xml.as_bytes(), "synthetic").unwrap();
        assert_eq!(m.object_name, "Load <Orders> & more");
        assert_eq!(m.id, "{12345678-ABCD-4000-8000-000000000001}");
        assert_eq!(m.package_format_version, format);
        let d = read_details_bytes(xml.as_bytes(), "synthetic").unwrap();
        assert_eq!(d.executables.len(), 2);
        assert_eq!(d.variables.len(), 3);
        assert_eq!(d.connection_managers.len(), 2);
    }
}
