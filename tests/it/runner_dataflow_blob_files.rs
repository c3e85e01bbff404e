//! Export Column and Import Column through the real `ssis exec`, fed by an
//! OLE DB Source on the TDS test server: the corpus's SSDT package as it
//! was saved, and generated packages in both layouts (append, truncate,
//! an existing file refused, the UTF-16 byte-order mark written and
//! skipped, images as bytes, a missing file, settings SSIS refuses).

use crate::dataflow_pipe::{
    Comp, InCol, Input, Layout, Output, col, comp, error_cols, input_col, pipeline,
};
use crate::runner_dataflow_sql::{
    ext_col, keep_rows, note_each_row, ssis_exec, statements, with_props,
};
use crate::runner_execute_sql::{
    CM_ID, Log, Task, Var, logging_server, oledb, package_2008_with, package_2012_with,
};
use crate::support::TestServer;
use crate::support::catalog::{Table, column};
use crate::support::tds::{ColType, DONE_COUNT, DONE_MORE, Tokens, Value};
use std::path::Path;

/// The corpus package's table, as `sys.columns` describes it.
const EXPORT_TABLE: &[Table] = &[(
    "[demo].[export_column]",
    &[
        column("Id", "int", 4, 10, 0),
        column("ProductID", "int", 4, 10, 0),
        column("ProductName", "nvarchar", 100, 0, 0),
        column("Description", "nvarchar", 512, 0, 0),
        column("FilePath", "nvarchar", 512, 0, 0),
        column("IsActive", "nvarchar", 20, 0, 0),
        column("LastUpdated", "datetime", 8, 23, 3),
        column("LastUpdatedBy", "nvarchar", 100, 0, 0),
        column("InsertedAt", "datetime", 8, 23, 3),
        column("InsertedBy", "nvarchar", 128, 0, 0),
    ],
)];

/// Answers the corpus package's `SELECT *` with `rows` of (description,
/// file path).
fn export_server(rows: Vec<(&'static str, String)>) -> TestServer {
    let (server, _log) = logging_server(EXPORT_TABLE, move |sql, _, t: &mut Tokens| {
        if sql != "SELECT * FROM [demo].[export_column]" {
            return None;
        }
        let nv = |n| ColType::NVarChar(n);
        t.col_metadata(&[
            ("Id", ColType::Int),
            ("ProductID", ColType::Int),
            ("ProductName", nv(50)),
            ("Description", nv(256)),
            ("FilePath", nv(256)),
            ("IsActive", nv(10)),
            ("LastUpdated", ColType::DateTime),
            ("LastUpdatedBy", nv(50)),
            ("InsertedAt", ColType::DateTime),
            ("InsertedBy", nv(64)),
        ]);
        for (i, (description, path)) in rows.iter().enumerate() {
            let text = |s: &str| Value::Text(s.into());
            let when = Value::DateTime(45_000, 0);
            let id = Value::Int(i as i64 + 1);
            t.row(&[
                (&id, ColType::Int),
                (&id, ColType::Int),
                (&text("Widget"), nv(50)),
                (&text(description), nv(256)),
                (&text(path), nv(256)),
                (&text("Y"), nv(10)),
                (&when, ColType::DateTime),
                (&text("me"), nv(50)),
                (&when, ColType::DateTime),
                (&text("me"), nv(64)),
            ]);
        }
        t.done(DONE_MORE | DONE_COUNT, rows.len() as u64);
        Some(0)
    });
    server
}

#[test]
fn the_corpus_export_column_package_writes_each_rows_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let file = |n: &str| d.join(n).to_str().unwrap().to_string();
    // AllowAppend is true in the package: a file named twice, or one that
    // exists, is added to.
    std::fs::write(d.join("old.txt"), "old:").unwrap();
    let server = export_server(vec![
        ("Caf\u{e9} au lait", file("one.txt")),
        ("first ", file("two.txt")),
        ("second", file("two.txt")),
        ("more", file("old.txt")),
    ]);
    let pkg = crate::common::corpus_dir().join("packages/7045kHz-dtsx/ExportColumn.dtsx");
    let conn = format!(
        "T15P.SSIS;\"{}\"",
        crate::runner_connections::oledb_string(&server, crate::support::ADMIN_PASSWORD)
    );
    let o = std::process::Command::new(crate::common::ssis_bin::ssis_bin())
        .args([
            "exec",
            "/F",
            pkg.to_str().unwrap(),
            "/CONN",
            &conn,
            "/REP",
            "EWI",
        ])
        .output()
        .unwrap();
    let out = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(o.status.code(), Some(0), "{out}");
    // The Data Conversion made the description DT_TEXT in code page 1252.
    let read = |n: &str| std::fs::read(d.join(n)).unwrap();
    assert_eq!(read("one.txt"), b"Caf\xe9 au lait");
    assert_eq!(read("two.txt"), b"first second");
    assert_eq!(read("old.txt"), b"old:more");
    assert!(out.contains("Export Column: wrote 4 files."), "{out}");
}

const SRC: &str = "Docs.Outputs[OLE DB Source Output]";

/// `FileDataColumnID` and the other properties of a path column.
fn path_col(
    upstream: &str,
    name: &'static str,
    data: String,
    props: &[(&'static str, &str)],
) -> InCol {
    let mut c = input_col(upstream, name);
    c.props = vec![("FileDataColumnID", data)];
    c.props
        .extend(props.iter().map(|(n, v)| (*n, v.to_string())));
    c
}

/// A data column of Export Column (its `FileDataColumnID` is 0).
fn data_col(upstream: &str, name: &'static str) -> InCol {
    path_col(upstream, name, "0".into(), &[])
}

/// An output synchronous to `input`, with `cols`, and its error output.
fn sync_outputs(
    main: &'static str,
    error: &'static str,
    input: &'static str,
    cols: Vec<crate::dataflow_pipe::OutCol>,
) -> Vec<Output> {
    vec![
        Output {
            name: main,
            is_error: false,
            sync: Some(input),
            cols,
        },
        Output {
            name: error,
            is_error: true,
            sync: Some(input),
            cols: error_cols(),
        },
    ]
}

/// Docs (Path, Body as DT_NTEXT, PicPath, Pic as DT_IMAGE, CopyPath) ->
/// Export (Body into Path with a BOM, truncating; Pic into PicPath,
/// appending) -> Import (Path back into Back, skipping the BOM) -> Again
/// (Back into CopyPath, neither appending nor truncating).
fn round_trip(
    export_props: &[(&'static str, &str)],
) -> (Vec<Comp>, Vec<(&'static str, String, String)>) {
    let mut source = with_props(
        comp("Docs", "Microsoft.OLEDBSource", "OLE DB Source"),
        &[
            ("AccessMode", "2"),
            (
                "SqlCommand",
                "SELECT Path, Body, PicPath, Pic, CopyPath FROM docs",
            ),
        ],
    );
    source.conn = Some(("OleDbConnection", "Sales", CM_ID));
    source.outputs.push(Output {
        name: "OLE DB Source Output",
        is_error: false,
        sync: None,
        cols: vec![
            ext_col(col("Path", "dataType=\"wstr\" length=\"200\"")),
            ext_col(col("Body", "dataType=\"ntext\"")),
            ext_col(col("PicPath", "dataType=\"wstr\" length=\"200\"")),
            ext_col(col("Pic", "dataType=\"image\"")),
            ext_col(col("CopyPath", "dataType=\"wstr\" length=\"200\"")),
        ],
    });
    let up = |c: &str| format!("{SRC}.Columns[{c}]");
    let mut export = comp("Export", "Microsoft.Extractor", "Export Column");
    // Defaults, each replaced by a setting of the same name.
    let mut body_props: Vec<(&str, &str)> = [("WriteBOM", "true"), ("ForceTruncate", "true")]
        .into_iter()
        .filter(|(n, _)| !export_props.iter().any(|(m, _)| m == n))
        .collect();
    body_props.extend_from_slice(export_props);
    export.inputs.push(Input {
        name: "Export Column Input",
        error_disp: "FailComponent",
        cols: vec![
            path_col(
                &up("Path"),
                "Path",
                "@{Export.Inputs[Export Column Input].Columns[Body]}".into(),
                &body_props,
            ),
            data_col(&up("Body"), "Body"),
            path_col(
                &up("PicPath"),
                "PicPath",
                "@{Export.Inputs[Export Column Input].Columns[Pic]}".into(),
                &[("AllowAppend", "true")],
            ),
            data_col(&up("Pic"), "Pic"),
        ],
        external: Vec::new(),
    });
    export.outputs = sync_outputs(
        "Export Column Output",
        "Export Column Error Output",
        "Export Column Input",
        Vec::new(),
    );
    let mut import = comp("Import", "Microsoft.Inserter", "Import Column");
    import.inputs.push(Input {
        name: "Import Column Input",
        error_disp: "FailComponent",
        cols: vec![path_col(
            &up("Path"),
            "Path",
            "@{Import.Outputs[Import Column Output].Columns[Back]}".into(),
            &[("ExpectBOM", "true")],
        )],
        external: Vec::new(),
    });
    import.outputs = sync_outputs(
        "Import Column Output",
        "Import Column Error Output",
        "Import Column Input",
        vec![col("Back", "dataType=\"ntext\"")],
    );
    let mut again = comp("Again", "Microsoft.Extractor", "Export Column");
    again.inputs.push(Input {
        name: "Export Column Input",
        error_disp: "FailComponent",
        cols: vec![
            path_col(
                &up("CopyPath"),
                "CopyPath",
                "@{Again.Inputs[Export Column Input].Columns[Back]}".into(),
                &[],
            ),
            data_col("Import.Outputs[Import Column Output].Columns[Back]", "Back"),
        ],
        external: Vec::new(),
    });
    again.outputs = sync_outputs(
        "Export Column Output",
        "Export Column Error Output",
        "Export Column Input",
        Vec::new(),
    );
    let paths = vec![
        (
            "To Export",
            SRC.to_string(),
            "Export.Inputs[Export Column Input]".to_string(),
        ),
        (
            "To Import",
            "Export.Outputs[Export Column Output]".to_string(),
            "Import.Inputs[Import Column Input]".to_string(),
        ),
        (
            "To Again",
            "Import.Outputs[Import Column Output]".to_string(),
            "Again.Inputs[Export Column Input]".to_string(),
        ),
    ];
    (vec![source, export, import, again], paths)
}

/// Answers the round trip's query with a row per (name, body, picture).
fn docs_server(
    dir: &Path,
    rows: &'static [(&'static str, &'static str, &'static [u8])],
) -> TestServer {
    docs_server_logged(dir, rows).0
}

/// [`docs_server`], with its statement log (INSERTs are taken).
fn docs_server_logged(
    dir: &Path,
    rows: &'static [(&'static str, &'static str, &'static [u8])],
) -> (TestServer, Log) {
    let dir = dir.to_path_buf();
    logging_server(&[], move |sql, _, t: &mut Tokens| {
        if sql.starts_with("INSERT") {
            return Some(0);
        }
        if !sql.starts_with("SELECT Path, Body, PicPath, Pic, CopyPath FROM docs") {
            return None;
        }
        let nv = ColType::NVarChar(200);
        t.col_metadata(&[
            ("Path", nv),
            ("Body", ColType::NVarChar(4000)),
            ("PicPath", nv),
            ("Pic", ColType::Image),
            ("CopyPath", nv),
        ]);
        for (name, body, pic) in rows {
            let file =
                |ext: &str| Value::Text(dir.join(format!("{name}.{ext}")).to_str().unwrap().into());
            t.row(&[
                (&file("txt"), nv),
                (&Value::Text(body.to_string()), ColType::NVarChar(4000)),
                (&file("bin"), nv),
                (&Value::Bytes(pic.to_vec()), ColType::Image),
                (&file("copy"), nv),
            ]);
        }
        t.done(DONE_MORE | DONE_COUNT, rows.len() as u64);
        Some(0)
    })
}

fn package(
    dir: &Path,
    server: &TestServer,
    layout: Layout,
    export_props: &[(&'static str, &str)],
) -> std::path::PathBuf {
    let (comps, paths) = round_trip(export_props);
    let tasks: Vec<Task> = vec![crate::dataflow_pipe::data_flow(pipeline(
        layout, &comps, &paths,
    ))];
    let cms = [oledb(server)];
    let (name, text) = match layout {
        Layout::Ssdt => ("blob_2012.dtsx", package_2012_with(&cms, &[], &tasks, &[])),
        Layout::Bids2008 => ("blob_2008.dtsx", package_2008_with(&cms, &[], &tasks, &[])),
    };
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

const DOCS: &[(&str, &str, &[u8])] = &[
    ("a", "Zo\u{eb} \u{1F600}", &[0, 1, 2, 0xFF]),
    ("b", "", b"GIF89a"),
];

#[test]
fn export_and_import_column_round_trip_in_both_layouts() {
    for layout in [Layout::Ssdt, Layout::Bids2008] {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let server = docs_server(d, DOCS);
        let pkg = package(d, &server, layout, &[]);
        // An existing picture file is appended to; an existing text file
        // is truncated (ForceTruncate).
        std::fs::write(d.join("b.bin"), "old").unwrap();
        std::fs::write(d.join("a.txt"), "stale content, longer than the new").unwrap();
        let (code, out) = ssis_exec(&pkg);
        assert_eq!(code, 0, "{out}");
        let read = |n: &str| std::fs::read(d.join(n)).unwrap();
        // DT_NTEXT as UTF-16LE after its BOM; the image as its bytes.
        assert_eq!(
            read("a.txt"),
            [&[0xFF, 0xFE][..], &utf16(DOCS[0].1)].concat()
        );
        assert_eq!(read("b.txt"), [0xFF, 0xFE]);
        assert_eq!(read("a.bin"), DOCS[0].2);
        assert_eq!(read("b.bin"), b"oldGIF89a");
        // Import Column read each file back without its BOM, and Again
        // wrote it with none (WriteBOM is false there).
        assert_eq!(read("a.copy"), utf16(DOCS[0].1));
        assert_eq!(read("b.copy"), b"");
        assert!(out.contains("Export: wrote 4 files."), "{out}");
        assert!(out.contains("Import: read 2 files."), "{out}");

        // Again: the copies exist now, and Again neither appends nor
        // truncates: the first row fails, naming its column and file.
        let (code, out) = ssis_exec(&pkg);
        assert_eq!(code, 1, "{out}");
        let want = format!(
            "row 1, input column \"CopyPath\": cannot open the file \"{}\" for writing",
            d.join("a.copy").display()
        );
        assert!(out.contains(&want), "{want}: {out}");
        // The text files were truncated again (one BOM), the pictures appended.
        assert_eq!(
            read("a.txt"),
            [&[0xFF, 0xFE][..], &utf16(DOCS[0].1)].concat()
        );
        assert_eq!(read("a.bin"), [DOCS[0].2, DOCS[0].2].concat());
    }
}

#[test]
fn settings_ssis_refuses_are_named_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let server = docs_server(d, DOCS);
    // AllowAppend and ForceTruncate together: refused before anything runs.
    let pkg = package(
        d,
        &server,
        Layout::Ssdt,
        &[("AllowAppend", "true"), ("ForceTruncate", "true")],
    );
    let (code, out) = ssis_exec(&pkg);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("input column \"Path\" has both AllowAppend and ForceTruncate set to true"),
        "{out}"
    );
    assert!(!d.join("a.txt").exists() && !d.join("a.bin").exists());
    // A value that is not a boolean is named.
    let pkg = package(d, &server, Layout::Ssdt, &[("WriteBOM", "maybe")]);
    let (code, out) = ssis_exec(&pkg);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("input column \"Path\": WriteBOM is \"maybe\", not true or false"),
        "{out}"
    );
}

#[test]
fn import_column_names_a_file_that_is_not_there() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let server = docs_server(d, DOCS);
    let (mut comps, mut paths) = round_trip(&[]);
    // Docs -> Import directly: nothing wrote the files.
    comps.remove(1);
    comps.truncate(2);
    paths.truncate(1);
    paths[0] = (
        "To Import",
        SRC.to_string(),
        "Import.Inputs[Import Column Input]".to_string(),
    );
    let tasks: Vec<Task> = vec![crate::dataflow_pipe::data_flow(pipeline(
        Layout::Ssdt,
        &comps,
        &paths,
    ))];
    let pkg = d.join("import.dtsx");
    std::fs::write(&pkg, package_2012_with(&[oledb(&server)], &[], &tasks, &[])).unwrap();
    let (code, out) = ssis_exec(&pkg);
    assert_eq!(code, 1, "{out}");
    let want = format!(
        "row 1, column \"Path\": cannot open the file \"{}\" for reading",
        d.join("a.txt").display()
    );
    assert!(out.contains(&want), "{want}: {out}");
}

#[test]
fn appending_to_a_unicode_file_writes_no_bom_and_import_reads_it_whole() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let server = docs_server(d, DOCS);
    let pkg = package(
        d,
        &server,
        Layout::Ssdt,
        &[("ForceTruncate", "false"), ("AllowAppend", "true")],
    );
    std::fs::write(d.join("a.txt"), utf16("x")).unwrap();
    let (code, out) = ssis_exec(&pkg);
    assert_eq!(code, 0, "{out}");
    let read = |n: &str| std::fs::read(d.join(n)).unwrap();
    // Added to: no BOM; new: the BOM alone (an empty body).
    let whole = [utf16("x"), utf16(DOCS[0].1)].concat();
    assert_eq!(read("a.txt"), whole);
    assert_eq!(read("b.txt"), [0xFF, 0xFE]);
    // ExpectBOM skips a BOM only where there is one.
    assert_eq!(read("a.copy"), whole);
}

/// A document whose file is in a directory that does not exist.
const UNWRITABLE: &[(&str, &str, &[u8])] = &[
    ("a", "first", b"1"),
    ("missing/b", "second", b"2"),
    ("c", "third", b"3"),
];

#[test]
fn a_row_whose_file_cannot_be_opened_goes_to_the_error_output() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (server, log) = docs_server_logged(d, UNWRITABLE);
    let (mut comps, mut paths) = round_trip(&[]);
    comps[1].inputs[0].cols[0].disp = "RedirectRow";
    let (keep, keep_paths) = keep_rows(
        "Failed",
        "Export.Outputs[Export Column Error Output]",
        ["ErrorCode", "ErrorColumn"],
    );
    comps.push(keep);
    paths.extend(keep_paths);
    let vars: Vec<Var> = vec![
        ("Rows", 13, String::new()),
        ("RejId", 3, "0".into()),
        ("RejCode", 3, "0".into()),
    ];
    let tasks: Vec<Task> = vec![
        crate::dataflow_pipe::data_flow(pipeline(Layout::Ssdt, &comps, &paths)),
        note_each_row(),
    ];
    let pkg = d.join("redirect.dtsx");
    std::fs::write(
        &pkg,
        package_2012_with(&[oledb(&server)], &vars, &tasks, &[]),
    )
    .unwrap();
    let (code, out) = ssis_exec(&pkg);
    // Import and Again never saw the row (Import would fail to open it).
    assert_eq!(code, 0, "{out}");
    let read = |n: &str| std::fs::read(d.join(n)).unwrap();
    assert_eq!(read("c.copy"), utf16("third"));
    assert!(!d.join("missing").exists());
    // ErrorCode DTS_E_TXFILEEXTRACTORSTATIC_FILEOPENERR_FORWRITE_FILENOTFOUND
    // (0xC020909F), ErrorColumn the path column (Path, the first).
    let failed: Vec<Vec<Value>> = statements(&log, "INSERT INTO loaded")
        .into_iter()
        .map(|s| s.1)
        .collect();
    assert_eq!(failed, [vec![Value::Int(-1071607649), Value::Int(1)]]);
    assert!(out.contains("Export: wrote 4 files."), "{out}");
}

#[test]
fn a_redirect_without_an_error_output_and_a_misplaced_bom_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let server = docs_server(d, DOCS);
    let validate = |comps: &[Comp], paths: &[(&'static str, String, String)]| {
        let tasks: Vec<Task> = vec![crate::dataflow_pipe::data_flow(pipeline(
            Layout::Ssdt,
            comps,
            paths,
        ))];
        let pkg = d.join("refused.dtsx");
        std::fs::write(&pkg, package_2012_with(&[oledb(&server)], &[], &tasks, &[])).unwrap();
        let o = std::process::Command::new(crate::common::ssis_bin::ssis_bin())
            .args(["exec", "/F", pkg.to_str().unwrap(), "/VALIDATE"])
            .output()
            .unwrap();
        let out = String::from_utf8_lossy(&o.stdout).to_string();
        (o.status.code(), out)
    };
    let (mut comps, paths) = round_trip(&[]);
    comps[1].inputs[0].cols[1].disp = "RedirectRow";
    comps[1].outputs.truncate(1);
    let (code, out) = validate(&comps, &paths);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains(
            "column \"Body\" redirects failing rows, but the component has no error output"
        ),
        "{out}"
    );
    // ExpectBOM on a column that is not DT_NTEXT.
    let (mut comps, paths) = round_trip(&[]);
    comps[2].outputs[0].cols[0].ty = "dataType=\"image\"";
    let (code, out) = validate(&comps, &paths);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("input column \"Path\" has ExpectBOM set to true, but its output column \"Back\" is not DT_NTEXT"),
        "{out}"
    );
    // An output that does not pass the input's rows on.
    let (mut comps, paths) = round_trip(&[]);
    comps[2].outputs[0].sync = None;
    let (code, out) = validate(&comps, &paths);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains(
            "output \"Import Column Output\" is not synchronous with input \"Import Column Input\""
        ),
        "{out}"
    );
}
