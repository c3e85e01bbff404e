//! DT_DBTIMESTAMP2's scale through the real `ssis exec`: read from a flat
//! file at the column's scale, cast in a Derived Column
//! (`(DT_DBTIMESTAMP2, 1)` drops digits, as an expression cast does),
//! converted by a Data Conversion to a smaller scale (digits that would be
//! lost are a truncation, redirected here) and written with exactly the
//! scale's fraction digits.

use crate::dataflow_pipe::{
    Comp, Input, Layout, Output, col, comp, data_flow, error_cols, input_col, pipeline,
};
use crate::runner_dataflow_sql::{ext_col, ssis_exec};
use crate::runner_dataflow_types::{FlatCol, attrs, flat_manager_2008, writer};
use crate::runner_execute_sql::{Cm, package_2008_with};

const IN: [FlatCol; 3] = [("Id", 3, 0, 0), ("TS", 304, 0, 7), ("D2", 304, 0, 2)];
const OUT: [FlatCol; 6] = [
    ("Id", 3, 0, 0),
    ("TS", 304, 0, 7),
    ("D2", 304, 0, 2),
    ("TS1", 304, 0, 1),
    ("TS3", 304, 0, 3),
    ("Text", 130, 40, 0),
];
const REJECTS: [FlatCol; 3] = [
    ("Id", 3, 0, 0),
    ("ErrorCode", 3, 0, 0),
    ("ErrorColumn", 3, 0, 0),
];
const IDS: [&str; 3] = [
    "{D2000000-0000-0000-0000-000000000001}",
    "{D2000000-0000-0000-0000-000000000002}",
    "{D2000000-0000-0000-0000-000000000003}",
];

const READ: &str = "Read.Outputs[Flat File Source Output].Columns";
const DERIVE: &str = "Derive.Outputs[Derived Column Output].Columns";
const CONV: &str = "Convert.Outputs[Data Conversion Output].Columns";

/// The components; `ts3_truncation` is the Data Conversion's truncation
/// disposition for TS3.
fn components(ts3_truncation: &'static str) -> Vec<Comp> {
    let mut read = comp("Read", "Microsoft.FlatFileSource", "Flat File Source");
    read.conn = Some(("FlatFileConnection", "Stamps In", IDS[0]));
    read.outputs.push(Output {
        name: "Flat File Source Output",
        is_error: false,
        sync: None,
        cols: IN.iter().map(|c| ext_col(col(c.0, attrs(c)))).collect(),
    });
    let mut derive = comp("Derive", "Microsoft.DerivedColumn", "Derived Column");
    derive.inputs.push(Input {
        name: "Derived Column Input",
        error_disp: "FailComponent",
        cols: vec![input_col(&format!("{READ}[TS]"), "TS")],
        external: Vec::new(),
    });
    let derived = |name: &'static str, ty: &'static str, expr: &str| {
        let mut c = col(name, ty);
        c.props = vec![("Expression", expr.to_string())];
        c
    };
    derive.outputs.push(Output {
        name: "Derived Column Output",
        is_error: false,
        sync: Some("Derived Column Input"),
        cols: vec![
            derived("TS1", attrs(&OUT[3]), "(DT_DBTIMESTAMP2, 1)[TS]"),
            derived("Text", attrs(&OUT[5]), "(DT_WSTR, 40)[TS]"),
        ],
    });
    let mut convert = comp("Convert", "Microsoft.DataConvert", "Data Conversion");
    convert.inputs.push(Input {
        name: "Data Conversion Input",
        error_disp: "FailComponent",
        cols: vec![input_col(&format!("{READ}[TS]"), "TS")],
        external: Vec::new(),
    });
    let mut ts3 = col("TS3", attrs(&OUT[4]));
    ts3.props = vec![("SourceInputColumnLineageID", format!("@{{{READ}[TS]}}"))];
    ts3.disp = ("RedirectRow", ts3_truncation);
    convert.outputs.push(Output {
        name: "Data Conversion Output",
        is_error: false,
        sync: Some("Data Conversion Input"),
        cols: vec![ts3],
    });
    convert.outputs.push(Output {
        name: "Data Conversion Error Output",
        is_error: true,
        sync: Some("Data Conversion Input"),
        cols: error_cols(),
    });
    let upstream = |f: &FlatCol| match f.0 {
        "TS1" | "Text" => format!("{DERIVE}[{}]", f.0),
        "TS3" => format!("{CONV}[TS3]"),
        n => format!("{READ}[{n}]"),
    };
    let write = writer(
        "Write",
        "Stamps Out",
        IDS[1],
        &OUT.iter().map(|f| (upstream(f), *f)).collect::<Vec<_>>(),
    );
    let errors = "Convert.Outputs[Data Conversion Error Output].Columns";
    let rejects = writer(
        "Rejects",
        "Rejects Out",
        IDS[2],
        &[
            (format!("{READ}[Id]"), REJECTS[0]),
            (format!("{errors}[ErrorCode]"), REJECTS[1]),
            (format!("{errors}[ErrorColumn]"), REJECTS[2]),
        ],
    );
    vec![read, derive, convert, write, rejects]
}

/// Runs the package on three rows; (exit code and output, out.csv, rejects.csv).
fn run(ts3_truncation: &'static str) -> ((i32, String), String, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = |from: &str, to: &str| (from.to_string(), to.to_string());
    let paths = [
        path(
            "Read.Outputs[Flat File Source Output]",
            "Derive.Inputs[Derived Column Input]",
        ),
        path(
            "Derive.Outputs[Derived Column Output]",
            "Convert.Inputs[Data Conversion Input]",
        ),
        path(
            "Convert.Outputs[Data Conversion Output]",
            "Write.Inputs[Flat File Destination Input]",
        ),
        path(
            "Convert.Outputs[Data Conversion Error Output]",
            "Rejects.Inputs[Flat File Destination Input]",
        ),
    ];
    let paths: Vec<_> = ["Read Output", "Derived", "Converted", "Refused"]
        .into_iter()
        .zip(paths)
        .map(|(name, (from, to))| (name, from, to))
        .collect();
    let managers: [(&str, &str, &[FlatCol]); 3] = [
        ("Stamps In", "stamps.csv", &IN),
        ("Stamps Out", "out.csv", &OUT),
        ("Rejects Out", "rejects.csv", &REJECTS),
    ];
    let cms: Vec<Cm> = managers
        .iter()
        .zip(IDS)
        .map(|((name, file, _), id)| Cm {
            name,
            id,
            creation: "FLATFILE".into(),
            connection_string: format!("@@{file}@@"),
        })
        .collect();
    let comps = components(ts3_truncation);
    let tasks = [data_flow(pipeline(Layout::Bids2008, &comps, &paths))];
    let mut text = package_2008_with(&cms, &[], &tasks, &[]);
    for (_, file, cols) in managers {
        let placeholder =
            format!("<DTS:Property DTS:Name=\"ConnectionString\">@@{file}@@</DTS:Property>");
        assert!(text.contains(&placeholder));
        text = text.replace(
            &placeholder,
            &flat_manager_2008(&dir.path().join(file), cols),
        );
    }
    let pkg = dir.path().join("timestamp2.dtsx");
    std::fs::write(&pkg, text).unwrap();
    std::fs::write(
        dir.path().join("stamps.csv"),
        "Id,TS,D2\r\n\
         1,2024-02-29 10:11:12.1230000,2024-02-29 10:11:12.5\r\n\
         2,2024-01-01 00:00:00,2024-01-01 00:00:00\r\n\
         3,2024-01-01 00:00:00.98765,2024-01-01 00:00:00.01\r\n",
    )
    .unwrap();
    let result = ssis_exec(&pkg);
    let read = |f: &str| std::fs::read_to_string(dir.path().join(f)).unwrap_or_default();
    (result, read("out.csv"), read("rejects.csv"))
}

#[test]
fn timestamp2_keeps_its_scale_through_files_casts_and_conversions() {
    let ((code, out), written, rejects) = run("RedirectRow");
    assert_eq!(code, 0, "{out}");
    // Exactly each column's scale of fraction digits: padded (D2, row 2),
    // cut by the cast (TS1), kept by the conversion when nothing is lost (TS3).
    assert_eq!(
        written,
        "Id,TS,D2,TS1,TS3,Text\r\n\
         1,2024-02-29 10:11:12.1230000,2024-02-29 10:11:12.50,2024-02-29 10:11:12.1,\
         2024-02-29 10:11:12.123,2024-02-29 10:11:12.1230000\r\n\
         2,2024-01-01 00:00:00.0000000,2024-01-01 00:00:00.00,2024-01-01 00:00:00.0,\
         2024-01-01 00:00:00.000,2024-01-01 00:00:00.0000000\r\n"
    );
    // Row 3's .98765 does not fit DT_DBTIMESTAMP2(3): a truncation (0xC020902A).
    let lines: Vec<&str> = rejects.lines().collect();
    assert_eq!(lines.len(), 2, "{rejects}");
    assert!(lines[1].starts_with("3,-1071607766,"), "{rejects}");
}

#[test]
fn an_ignored_scale_truncation_keeps_the_digits_the_scale_allows() {
    let ((code, out), written, rejects) = run("IgnoreFailure");
    assert_eq!(code, 0, "{out}");
    // Row 3 goes on with .98765 cut to DT_DBTIMESTAMP2(3)'s .987.
    let row3 = written.lines().find(|l| l.starts_with("3,")).unwrap_or("");
    assert!(row3.contains(",2024-01-01 00:00:00.987,"), "{written}");
    assert_eq!(rejects.lines().count(), 1, "the header only: {rejects}");
}
