//! A Multiple Flat Files connection (`MULTIFLATFILE`) under a Flat File
//! Source: the files a wildcard or a `|` list names, read one after the
//! other (each with its header row) as one input, through the real `ssis
//! exec`; failures name their file; a Flat File Destination refuses one.
#![cfg(unix)] // the package reports its row count through /bin/sh

use crate::common::stage;
use std::path::Path;

fn ssis_exec(pkg: &Path) -> (i32, String) {
    crate::common::exec_process(&["/F", pkg.to_str().unwrap(), "/REP", "EWI"])
}

const HEADER: &str = "Id,Name,Amount,Note\r\n";

/// The orders of `runner_dataflow`'s flow, in two files.
const FIRST: &str = "1,\"  ann \",10.5,\"plain\"\r\n2,bob,75.25,\"has, comma\"\r\nx,bad,1,z\r\n";
const SECOND: &str =
    "3,\"Zo\u{eb}\",0.5,\"two\r\nlines\"\r\n4,averyverylongname,60,n\r\n5,cy,100\r\n";

/// `dataflow_2012.dtsx` staged in `dir` with its source's connection made
/// a Multiple Flat Files one reading `files` (`{dir}` replaced), and
/// `more` replacements.
fn staged(dir: &Path, files: &str, more: &[(&str, &str)]) -> std::path::PathBuf {
    let d = dir.to_str().unwrap();
    let from_cm =
        "DTS:refId=\"Package.ConnectionManagers[Orders In]\"\n      DTS:CreationName=\"FLATFILE\"";
    let to_cm = "DTS:refId=\"Package.ConnectionManagers[Orders In]\"\n      DTS:CreationName=\"MULTIFLATFILE\"";
    let from_path = format!("DTS:ConnectionString=\"{d}/orders.csv\"");
    let to_path = format!("DTS:ConnectionString=\"{}\"", files.replace("{dir}", d));
    let mut replace = vec![(from_cm, to_cm), (from_path.as_str(), to_path.as_str())];
    replace.extend_from_slice(more);
    let pkg = stage("dataflow_2012.dtsx", dir, &replace);
    let text = std::fs::read_to_string(&pkg).unwrap();
    assert!(replace.iter().all(|(_, to)| text.contains(to)), "edited");
    pkg
}

fn write(dir: &Path, name: &str, rows: &str) {
    std::fs::write(dir.join(name), format!("{HEADER}{rows}")).unwrap();
}

#[test]
fn the_files_of_a_wildcard_are_read_one_after_the_other() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "orders_2.csv", SECOND);
    write(dir.path(), "orders_1.csv", FIRST);
    // Not matched: read, it would fail the run (its Amount is no number).
    write(dir.path(), "other.csv", "9,z,none,z\r\n");
    let pkg = staged(dir.path(), "{dir}/orders_*.csv", &[]);
    let (code, out) = ssis_exec(&pkg);
    assert_eq!(code, 0, "{out}");
    // The same outputs as the one file of runner_dataflow gives.
    let read = |n: &str| std::fs::read(dir.path().join(n)).unwrap();
    assert_eq!(
        String::from_utf8(read("big.csv")).unwrap(),
        "\"Id\",\"Name\",\"Total\",\"Label\"\r\n2,\"bob\",150.50,\"BOB!\"\r\n5,\"cy\",200.00,\"CY!\"\r\n"
    );
    assert_eq!(
        read("small.csv"),
        b"\"Id\",\"Name\",\"Total\",\"Label\"\r\n1,\"ann\",21.00,\"ANN!\"\r\n3,\"Zo\xeb\",1.00,\"ZO\xcb!\"\r\n"
    );
    assert_eq!(read("rows.txt"), b"2");
    let d = dir.path().display();
    for want in [
        format!("the total number of data rows processed for file \"{d}/orders_1.csv\" is 2."),
        format!("the total number of data rows processed for file \"{d}/orders_2.csv\" is 3."),
    ] {
        assert!(out.contains(&want), "{want}: {out}");
    }
    assert!(!out.contains("other.csv"), "{out}");
}

#[test]
fn a_list_keeps_its_order_and_a_failure_names_its_file() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "b.csv", FIRST);
    write(dir.path(), "a.csv", SECOND);
    // Listed: b's rows come first (5 rows carried, as from one file).
    let pkg = staged(dir.path(), "{dir}/b.csv|{dir}/a.csv", &[]);
    let (code, out) = ssis_exec(&pkg);
    assert_eq!(code, 0, "{out}");
    let small = std::fs::read(dir.path().join("small.csv")).unwrap();
    assert!(small.ends_with(b"1,\"ann\",21.00,\"ANN!\"\r\n3,\"Zo\xeb\",1.00,\"ZO\xcb!\"\r\n"));
    // With the Id column failing the component, the bad row is named by
    // its file and its line there (the header is line 1).
    let fail = (
        "errorRowDisposition=\"RedirectRow\"\n                      truncationRowDisposition=\"RedirectRow\"",
        "errorRowDisposition=\"FailComponent\"\n                      truncationRowDisposition=\"FailComponent\"",
    );
    let pkg = staged(dir.path(), "{dir}/a.csv|{dir}/b.csv", &[fail]);
    let (code, out) = ssis_exec(&pkg);
    assert_eq!(code, 1, "{out}");
    let d = dir.path().display();
    assert!(
        out.contains(&format!(
            "Read Orders: file \"{d}/b.csv\", data row 4: column \"Id\""
        )),
        "{out}"
    );
}

#[test]
fn no_matching_file_and_a_destination_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = staged(dir.path(), "{dir}/orders_*.csv", &[]);
    let (code, out) = ssis_exec(&pkg);
    assert_eq!(code, 1, "{out}");
    let d = dir.path().display();
    assert!(
        out.contains(&format!(
            "connection manager 'Orders In': no file matches \"{d}/orders_*.csv\""
        )),
        "{out}"
    );
    // A Flat File Destination writes one file: refused before anything runs.
    write(dir.path(), "orders_1.csv", FIRST);
    let to_multi = (
        "DTS:refId=\"Package.ConnectionManagers[Big Out]\"\n      DTS:CreationName=\"FLATFILE\"",
        "DTS:refId=\"Package.ConnectionManagers[Big Out]\"\n      DTS:CreationName=\"MULTIFLATFILE\"",
    );
    let pkg = staged(dir.path(), "{dir}/orders_*.csv", &[to_multi]);
    let (code, out) = ssis_exec(&pkg);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("connection manager 'Big Out' is a Multiple Flat Files connection: the Flat File Destination writes one file"),
        "{out}"
    );
    assert!(!dir.path().join("small.csv").exists(), "{out}");
}

#[test]
fn a_file_that_cannot_be_read_fails_the_run_by_name() {
    // A folder opens but cannot be read: without a header row to skip, the
    // failure comes while its records are read, after the first file's.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "orders_1.csv", FIRST);
    std::fs::create_dir(dir.path().join("orders_2")).unwrap();
    let no_header = (
        "DTS:ColumnNamesInFirstDataRow=\"True\"\n          DTS:RowDelimiter=\"\"\n          DTS:TextQualifier=\"_x0022_\"\n          DTS:CodePage=\"65001\"",
        "DTS:ColumnNamesInFirstDataRow=\"False\"\n          DTS:RowDelimiter=\"\"\n          DTS:TextQualifier=\"_x0022_\"\n          DTS:CodePage=\"65001\"",
    );
    let pkg = staged(
        dir.path(),
        "{dir}/orders_1.csv|{dir}/orders_2",
        &[no_header],
    );
    let (code, out) = ssis_exec(&pkg);
    assert_eq!(code, 1, "{out}");
    let d = dir.path().display();
    assert!(out.contains(&format!("reading \"{d}/orders_2\"")), "{out}");
    assert!(!dir.path().join("rows.txt").exists(), "{out}");
}
