//! DT_BYTES, DT_IMAGE, DT_DBTIME, DT_DBTIME2, DT_DBTIMESTAMPOFFSET and
//! DT_FILETIME through flat files and a Data Conversion in a package of
//! BIDS 2008's layout (format 3; the 2014+ layout's package is
//! `tests/packages/dataflow_types_2012.dtsx`, run by `runner_dataflow`).

use crate::dataflow_pipe::{
    Comp, Input, Layout, OutCol, Output, col, comp, data_flow, error_cols, input_col, pipeline,
};
use crate::runner_dataflow_sql::{ext_col, mapped, ssis_exec, with_props};
use crate::runner_execute_sql::{Cm, package_2008_with};
use std::path::Path;

/// A flat file column: name, DataType code, MaximumWidth, DataScale.
pub(crate) type FlatCol = (&'static str, u32, u32, u32);

const IN: [FlatCol; 7] = [
    ("Id", 3, 0, 0),
    ("Bin", 128, 4, 0),
    ("Img", 301, 0, 0),
    ("T", 134, 0, 0),
    ("T2", 145, 0, 7),
    ("Off", 146, 0, 3),
    ("Ft", 64, 0, 0),
];
const OUT: [FlatCol; 8] = [
    ("Id", 3, 0, 0),
    ("Bin", 128, 4, 0),
    ("Img", 301, 0, 0),
    ("T", 134, 0, 0),
    ("T2s", 145, 0, 2),
    ("Bin2", 128, 2, 0),
    ("Off", 146, 0, 3),
    ("Ft", 64, 0, 0),
];
const REJECTS: [FlatCol; 3] = [
    ("Id", 3, 0, 0),
    ("ErrorCode", 3, 0, 0),
    ("ErrorColumn", 3, 0, 0),
];

/// The inner properties of a 2008 FLATFILE manager writing `file`:
/// UTF-8, no qualifier, a header row.
pub(crate) fn flat_manager_2008(file: &Path, cols: &[FlatCol]) -> String {
    let p = |n: &str, v: &str| format!("<DTS:Property DTS:Name=\"{n}\">{v}</DTS:Property>");
    let mut x = [
        p("Format", "Delimited"),
        p("Unicode", "0"),
        p("HeaderRowDelimiter", "_x000D__x000A_"),
        p("ColumnNamesInFirstDataRow", "-1"),
        p("RowDelimiter", "_x000D__x000A_"),
        p("TextQualifier", "_x003C_none_x003E_"),
        p("CodePage", "65001"),
    ]
    .concat();
    for (i, (name, code, width, scale)) in cols.iter().enumerate() {
        let delimiter = if i + 1 == cols.len() {
            "_x000D__x000A_"
        } else {
            "_x002C_"
        };
        x += &format!(
            "<DTS:FlatFileColumn>{}{}{}{}{}{}{}</DTS:FlatFileColumn>",
            p("ColumnType", "Delimited"),
            p("ColumnDelimiter", delimiter),
            p("MaximumWidth", &width.to_string()),
            p("DataType", &code.to_string()),
            p("DataScale", &scale.to_string()),
            p("TextQualified", "0"),
            p("ObjectName", name),
        );
    }
    x + &p("ConnectionString", file.to_str().unwrap())
}

/// The pipeline type attributes of a flat file column.
pub(crate) fn attrs(c: &FlatCol) -> &'static str {
    match c.1 {
        3 => "dataType=\"i4\"",
        128 if c.2 == 2 => "dataType=\"bytes\" length=\"2\"",
        128 => "dataType=\"bytes\" length=\"4\"",
        301 => "dataType=\"image\"",
        134 => "dataType=\"dbTime\"",
        145 if c.3 == 2 => "dataType=\"dbTime2\" scale=\"2\"",
        145 => "dataType=\"dbTime2\" scale=\"7\"",
        146 => "dataType=\"dbTimeStampOffset\" scale=\"3\"",
        304 => match c.3 {
            0 => "dataType=\"dbTimeStamp2\" scale=\"0\"",
            1 => "dataType=\"dbTimeStamp2\" scale=\"1\"",
            2 => "dataType=\"dbTimeStamp2\" scale=\"2\"",
            3 => "dataType=\"dbTimeStamp2\" scale=\"3\"",
            _ => "dataType=\"dbTimeStamp2\" scale=\"7\"",
        },
        130 => "dataType=\"wstr\" length=\"40\"",
        _ => "dataType=\"fileTime\"",
    }
}

const READ: &str = "Read.Outputs[Flat File Source Output].Columns";
const CONV: &str = "Convert.Outputs[Data Conversion Output].Columns";

fn converted(name: &'static str, from: &str, ty: &'static str) -> OutCol {
    let mut c = col(name, ty);
    c.props = vec![("SourceInputColumnLineageID", format!("@{{{READ}[{from}]}}"))];
    c.disp = ("RedirectRow", "RedirectRow");
    c
}

/// A Flat File Destination `name` of the manager `cm` reading `cols`
/// (upstream column, file column).
pub(crate) fn writer(
    name: &'static str,
    cm: &'static str,
    id: &'static str,
    cols: &[(String, FlatCol)],
) -> Comp {
    let mut c = with_props(
        comp(
            name,
            "Microsoft.FlatFileDestination",
            "Flat File Destination",
        ),
        &[("Overwrite", "true"), ("Header", "")],
    );
    c.conn = Some(("FlatFileConnection", cm, id));
    c.inputs.push(Input {
        name: "Flat File Destination Input",
        error_disp: "FailComponent",
        cols: cols
            .iter()
            .map(|(from, f)| mapped(from, f.0, f.0))
            .collect(),
        external: cols.iter().map(|(_, f)| (f.0, attrs(f))).collect(),
    });
    c
}

fn components() -> Vec<Comp> {
    let mut read = with_props(
        comp("Read", "Microsoft.FlatFileSource", "Flat File Source"),
        &[("RetainNulls", "false")],
    );
    read.conn = Some((
        "FlatFileConnection",
        "Types In",
        "{D1000000-0000-0000-0000-000000000001}",
    ));
    read.outputs.push(Output {
        name: "Flat File Source Output",
        is_error: false,
        sync: None,
        cols: IN.iter().map(|c| ext_col(col(c.0, attrs(c)))).collect(),
    });
    let mut convert = comp("Convert", "Microsoft.DataConvert", "Data Conversion");
    convert.inputs.push(Input {
        name: "Data Conversion Input",
        error_disp: "FailComponent",
        cols: ["T2", "Bin"]
            .iter()
            .map(|c| input_col(&format!("{READ}[{c}]"), c))
            .collect(),
        external: Vec::new(),
    });
    convert.outputs.push(Output {
        name: "Data Conversion Output",
        is_error: false,
        sync: Some("Data Conversion Input"),
        cols: vec![
            converted("T2s", "T2", attrs(&OUT[4])),
            converted("Bin2", "Bin", attrs(&OUT[5])),
        ],
    });
    convert.outputs.push(Output {
        name: "Data Conversion Error Output",
        is_error: true,
        sync: Some("Data Conversion Input"),
        cols: error_cols(),
    });
    let upstream = |f: &FlatCol| match f.0 {
        "T2s" | "Bin2" => format!("{CONV}[{}]", f.0),
        n => format!("{READ}[{n}]"),
    };
    let write = writer(
        "Write",
        "Types Out",
        "{D1000000-0000-0000-0000-000000000002}",
        &OUT.iter().map(|f| (upstream(f), *f)).collect::<Vec<_>>(),
    );
    let errors = "Convert.Outputs[Data Conversion Error Output].Columns";
    let rejects = writer(
        "Rejects",
        "Rejects Out",
        "{D1000000-0000-0000-0000-000000000003}",
        &[
            (format!("{READ}[Id]"), REJECTS[0]),
            (format!("{errors}[ErrorCode]"), REJECTS[1]),
            (format!("{errors}[ErrorColumn]"), REJECTS[2]),
        ],
    );
    vec![read, convert, write, rejects]
}

#[test]
fn binary_time_and_offset_types_through_flat_files_in_the_2008_layout() {
    let dir = tempfile::tempdir().unwrap();
    let paths = vec![
        (
            "Read Output",
            "Read.Outputs[Flat File Source Output]".to_string(),
            "Convert.Inputs[Data Conversion Input]".to_string(),
        ),
        (
            "Converted",
            "Convert.Outputs[Data Conversion Output]".to_string(),
            "Write.Inputs[Flat File Destination Input]".to_string(),
        ),
        (
            "Refused",
            "Convert.Outputs[Data Conversion Error Output]".to_string(),
            "Rejects.Inputs[Flat File Destination Input]".to_string(),
        ),
    ];
    let managers: [(&str, &str, &str, &[FlatCol]); 3] = [
        (
            "Types In",
            "{D1000000-0000-0000-0000-000000000001}",
            "types.csv",
            &IN,
        ),
        (
            "Types Out",
            "{D1000000-0000-0000-0000-000000000002}",
            "converted.csv",
            &OUT,
        ),
        (
            "Rejects Out",
            "{D1000000-0000-0000-0000-000000000003}",
            "rejects.csv",
            &REJECTS,
        ),
    ];
    let cms: Vec<Cm> = managers
        .iter()
        .map(|(name, id, file, _)| Cm {
            name,
            id,
            creation: "FLATFILE".into(),
            connection_string: format!("@@{file}@@"),
        })
        .collect();
    let tasks = [data_flow(pipeline(Layout::Bids2008, &components(), &paths))];
    let mut text = package_2008_with(&cms, &[], &tasks, &[]);
    for (_, _, file, cols) in managers {
        let placeholder =
            format!("<DTS:Property DTS:Name=\"ConnectionString\">@@{file}@@</DTS:Property>");
        assert!(text.contains(&placeholder));
        text = text.replace(
            &placeholder,
            &flat_manager_2008(&dir.path().join(file), cols),
        );
    }
    let pkg = dir.path().join("types_2008.dtsx");
    std::fs::write(&pkg, text).unwrap();
    std::fs::write(
        dir.path().join("types.csv"),
        "Id,Bin,Img,T,T2,Off,Ft\r\n\
         1,0AFF,deadbeef,08:30:00,13:04:05.1200000,2024-02-29 23:59:58.5 +05:30,2020-01-02 03:04:05\r\n\
         2,00,,23:59:59,00:00:00,2024-01-01 00:00:00 -08:00,2021-12-31 23:59:59\r\n\
         3,01,01,12:00:00,12:00:00.1234567,2024-01-01 00:00:00 +00:00,2021-01-01 00:00:00\r\n\
         4,0a0b0c,,12:00:00,12:00:00,2024-01-01 00:00:00.123 +14:00,2021-01-01 00:00:00\r\n",
    )
    .unwrap();
    let (code, out) = ssis_exec(&pkg);
    assert_eq!(code, 0, "{out}");
    let read = |f: &str| std::fs::read_to_string(dir.path().join(f)).unwrap();
    // Written in SSIS's forms: lower-case hex, a fraction of the scale's
    // digits (the input's shorter forms are read as well).
    assert_eq!(
        read("converted.csv"),
        "Id,Bin,Img,T,T2s,Bin2,Off,Ft\r\n\
         1,0aff,deadbeef,08:30:00,13:04:05.12,0aff,2024-02-29 23:59:58.500 +05:30,2020-01-02 03:04:05\r\n\
         2,00,,23:59:59,00:00:00.00,00,2024-01-01 00:00:00.000 -08:00,2021-12-31 23:59:59\r\n"
    );
    // Truncations (0xC020902A); ErrorColumn is the output column's id.
    let rejects = read("rejects.csv");
    let lines: Vec<&str> = rejects.lines().collect();
    assert_eq!(lines[0], "Id,ErrorCode,ErrorColumn");
    assert!(lines[1].starts_with("3,-1071607766,"), "{rejects}");
    assert!(lines[2].starts_with("4,-1071607766,"), "{rejects}");
    assert_ne!(
        lines[1].rsplit(',').next(),
        lines[2].rsplit(',').next(),
        "{rejects}"
    );
    assert_eq!(lines.len(), 3, "{rejects}");
}
