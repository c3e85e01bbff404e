//! Data flows through the real `ssis exec` binary (the data flow engine is
//! registered by the binary): packages in the 2012+ and 2008 layouts, flat
//! files in UTF-8, UTF-16 and 1252 with qualifiers, embedded line breaks
//! and short rows, error dispositions, validation errors, refusals.
#![cfg(unix)] // one package reports its row count through /bin/sh

use crate::common::stage;
use std::path::Path;

struct Run {
    code: i32,
    out: String,
}

fn ssis_exec(args: &[&str]) -> Run {
    let (code, out) = crate::common::exec_process(args);
    Run { code, out }
}

fn read(dir: &Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

const ORDERS: &str = "Id,Name,Amount,Note\r\n\
1,\"  ann \",10.5,\"plain\"\r\n\
2,bob,75.25,\"has, comma\"\r\n\
x,bad,1,z\r\n\
3,\"Zo\u{eb}\",0.5,\"two\r\nlines\"\r\n\
4,averyverylongname,60,n\r\n\
5,cy,100\r\n";

/// Makes the data flow's batches (and the Flat File Source's chunks)
/// `rows` rows long.
fn buffer_rows(rows: &str) -> (&'static str, String) {
    (
        "<pipeline\n          version=\"1\">",
        format!("<pipeline\n          defaultBufferMaxRows=\"{rows}\"\n          version=\"1\">"),
    )
}

#[test]
fn flat_file_to_derived_column_split_row_count_and_error_outputs_2012() {
    orders_flow(&[]);
}

#[test]
fn the_same_flow_in_batches_of_one_and_two_rows() {
    for rows in ["1", "2"] {
        let (from, to) = buffer_rows(rows);
        orders_flow(&[(from, &to)]);
    }
}

#[test]
fn forms_real_packages_are_saved_in_run_the_same_flow() {
    orders_flow(&[
        // SSIS 2012's class id for the Data Flow Task.
        (
            "DTS:CreationName=\"Microsoft.Pipeline\"",
            "DTS:CreationName=\"{5918251B-2970-45A4-AB5F-01C3C588FE5A}\"",
        ),
        (
            "DTS:ExecutableType=\"Microsoft.Pipeline\"",
            "DTS:ExecutableType=\"{5918251B-2970-45A4-AB5F-01C3C588FE5A}\"",
        ),
        // Function names in brackets, as SSDT writes the Expression
        // property, and a System variable of the task itself (declared
        // only when the task starts, after the package's validation).
        (
            "name=\"Expression\">TRIM(#{",
            "name=\"Expression\">[TRIM](#{",
        ),
        (
            "Columns[Amount]} * 2</property>",
            "Columns[Amount]} * (ISNULL(@[System::ContainerStartTime]) ? 3 : 2)</property>",
        ),
    ]);
}

fn orders_flow(replace: &[(&str, &str)]) {
    let dir = tempfile::tempdir().unwrap();
    let pkg = stage("dataflow_2012.dtsx", dir.path(), replace);
    let staged = std::fs::read_to_string(&pkg).unwrap();
    assert!(replace.iter().all(|(_, to)| staged.contains(to)));
    std::fs::write(dir.path().join("orders.csv"), ORDERS).unwrap();
    let r = ssis_exec(&["/F", pkg.to_str().unwrap(), "--events", "json"]);
    assert_eq!(r.code, 0, "{}", r.out);
    // Total > 100 goes to Big (UTF-8), the rest to Small (1252).
    assert_eq!(
        String::from_utf8(read(dir.path(), "big.csv")).unwrap(),
        "\"Id\",\"Name\",\"Total\",\"Label\"\r\n2,\"bob\",150.50,\"BOB!\"\r\n5,\"cy\",200.00,\"CY!\"\r\n"
    );
    assert_eq!(
        read(dir.path(), "small.csv"),
        b"\"Id\",\"Name\",\"Total\",\"Label\"\r\n1,\"ann\",21.00,\"ANN!\"\r\n3,\"Zo\xeb\",1.00,\"ZO\xcb!\"\r\n"
    );
    // The source redirects the row whose Id is not a number, with its text.
    assert_eq!(
        String::from_utf8(read(dir.path(), "rejects.csv")).unwrap(),
        "Line,ErrorCode,ErrorColumn\r\nx,bad,1,z,-1071636319,1\r\n"
    );
    // Label (8 characters) truncates for the long name: redirected.
    assert_eq!(
        String::from_utf8(read(dir.path(), "long.csv")).unwrap(),
        "4,\"averyverylongname\",-1071607766\r\n"
    );
    // Row Count set User::SmallRows, which the next task wrote out.
    assert_eq!(read(dir.path(), "rows.txt"), b"2");
    let events: Vec<serde_json::Value> = r
        .out
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let messages: Vec<&str> = events
        .iter()
        .filter(|e| e["Event"] == "OnInformation")
        .filter_map(|e| e["Message"].as_str())
        .collect();
    for want in [
        "Write Big: wrote 2 rows.",
        "Write Small: wrote 2 rows.",
        "path \"Read Orders Output\" (Read Orders -> Compute) carried 5 rows.",
        "path \"Small\" (Split -> Count Small) carried 2 rows.",
        "path \"Derived Column Error Output\" (Compute -> Write Long) carried 1 rows.",
    ] {
        assert!(messages.contains(&want), "{want}: {messages:?}");
    }
}

#[test]
fn unicode_source_to_ragged_right_1252_destination_2008_layout() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = stage("dataflow_2008.dtsx", dir.path(), &[]);
    let text = "\u{feff}Id,Name,City\r\n1,\"Zo\u{eb}, the \"\"first\"\"\",K\u{f6}ln\r\n2,\"multi\r\nline\",\r\n,nobody\r\n3,bo,Paris\r\n";
    let utf16: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    std::fs::write(dir.path().join("names.txt"), utf16).unwrap();
    let r = ssis_exec(&["/F", pkg.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.out);
    // Id(4) Name(12) Triple(6) fixed, City up to the row delimiter; empty
    // fields are NULL (RetainNulls) and a short row's City too.
    assert_eq!(
        read(dir.path(), "fixed.txt"),
        [
            b"1   ZO\xcb, THE \"FI3     K\xf6ln\r\n".as_slice(),
            b"2   MULTI\r\nLINE 6     \r\n",
            b"    NOBODY      -1    \r\n",
            b"3   BO          9     Paris\r\n",
        ]
        .concat()
    );
}

#[test]
fn an_ignored_truncation_goes_on_with_the_cut_value() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = stage(
        "dataflow_2012.dtsx",
        dir.path(),
        &[(
            "truncationRowDisposition=\"RedirectRow\"\n                      lineageId=\"Package\\Data Flow Task\\Compute.Outputs[Derived Column Output].Columns[Label]\"",
            "truncationRowDisposition=\"IgnoreFailure\"\n                      lineageId=\"Package\\Data Flow Task\\Compute.Outputs[Derived Column Output].Columns[Label]\"",
        )],
    );
    std::fs::write(dir.path().join("orders.csv"), ORDERS).unwrap();
    let r = ssis_exec(&["/F", pkg.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.out);
    // "AVERYVERYLONGNAME!" is cut to Label's 8 characters (not NULL) and
    // the row goes on to Big; nothing reaches the error output.
    assert_eq!(
        String::from_utf8(read(dir.path(), "big.csv")).unwrap(),
        "\"Id\",\"Name\",\"Total\",\"Label\"\r\n2,\"bob\",150.50,\"BOB!\"\r\n\
         4,\"averyverylongname\",120.00,\"AVERYVER\"\r\n5,\"cy\",200.00,\"CY!\"\r\n"
    );
    let long = dir.path().join("long.csv");
    assert!(
        !long.exists() || read(dir.path(), "long.csv").is_empty(),
        "no row redirected"
    );
}

#[test]
fn a_conversion_failure_with_fail_component_fails_the_task_naming_the_column() {
    // In one batch and in batches of a row (the row number is the file's).
    for rows in ["10000", "1"] {
        conversion_failure(rows);
    }
}

fn conversion_failure(rows: &str) {
    let dir = tempfile::tempdir().unwrap();
    let (from, to) = buffer_rows(rows);
    let pkg = stage(
        "dataflow_2012.dtsx",
        dir.path(),
        &[
            (
                "errorRowDisposition=\"RedirectRow\"\n                      truncationRowDisposition=\"RedirectRow\"",
                "errorRowDisposition=\"FailComponent\"\n                      truncationRowDisposition=\"FailComponent\"",
            ),
            (from, &to),
        ],
    );
    assert!(std::fs::read_to_string(&pkg).unwrap().contains(&to));
    std::fs::write(dir.path().join("orders.csv"), ORDERS).unwrap();
    let r = ssis_exec(&["/F", pkg.to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}", r.out);
    assert!(
        r.out.contains("Read Orders: data row 4: column \"Id\""),
        "{}",
        r.out
    );
    assert!(
        !dir.path().join("rows.txt").exists(),
        "the next task did not run"
    );
}

#[test]
fn validation_names_the_component_and_column_and_refuses_unknown_components() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = stage(
        "dataflow_2012.dtsx",
        dir.path(),
        &[
            (
                "FriendlyExpression\">TRIM(Name)",
                "FriendlyExpression\">TRIM(Nom)",
            ),
            (
                "TRIM(#{Package\\Data Flow Task\\Read Orders.Outputs[Read Orders Output].Columns[Name]})<",
                "TRIM(Nom)<",
            ),
            (
                "componentClassID=\"Microsoft.RowCount\"\n              contactInfo=\"Row Count;",
                "componentClassID=\"Microsoft.TermExtraction\"\n              contactInfo=\"Term Extraction;",
            ),
            (
                "Columns[Id]\"\n                      dataType=\"i4\"",
                "Columns[Id]\"\n                      dataType=\"int32\"",
            ),
            (
                "ExternalColumns[Note]\"\n                      dataType=\"wstr\"",
                "ExternalColumns[Note]\"\n                      dataType=\"varchar\"",
            ),
        ],
    );
    let r = ssis_exec(&["/F", pkg.to_str().unwrap(), "/VALIDATE"]);
    assert_eq!(r.code, 1, "{}", r.out);
    assert!(
        r.out.contains("component \"Compute\": column \"Name\"") && r.out.contains("Nom"),
        "{}",
        r.out
    );
    assert!(
        r.out
            .contains("component \"Count Small\" (Term Extraction) is not supported"),
        "{}",
        r.out
    );
    // A type name SSIS does not have is refused, not read as DT_WSTR.
    assert!(
        r.out.contains(
            "component \"Read Orders\", output column \"Id\": data type \"int32\" is not an \
             SSIS data type"
        ),
        "{}",
        r.out
    );
    assert!(
        r.out.contains(
            "component \"Read Orders\", external column \"Note\": data type \"varchar\" is not \
             an SSIS data type"
        ),
        "{}",
        r.out
    );
    assert!(!dir.path().join("big.csv").exists(), "nothing ran");
}

#[test]
fn multicast_sort_aggregate_data_conversion_and_union_all() {
    blocking_components(&[]);
}

/// The blocking package's pipeline with buffers of one row and 10 bytes.
const ONE_ROW_BUFFERS: (&str, &str) = (
    "<pipeline\n          version=\"1\">",
    "<pipeline\n          version=\"1\" defaultBufferMaxRows=\"1\" defaultBufferSize=\"10\">",
);

#[test]
fn a_union_alls_spare_dangling_input_takes_no_part() {
    // SSDT keeps an unattached input on a Union All for its next path.
    let spare = "              </inputs>\n              <outputs>\n                <output\n                  refId=\"Package\\Data Flow Task\\Union.Outputs[Union All Output 1]\"";
    let with_spare = "                <input\n                  refId=\"Package\\Data Flow Task\\Union.Inputs[Union All Input 3]\"\n                  dangling=\"true\"\n                  hasSideEffects=\"true\"\n                  name=\"Union All Input 3\">\n                  <externalMetadataColumns />\n                </input>\n              </inputs>\n              <outputs>\n                <output\n                  refId=\"Package\\Data Flow Task\\Union.Outputs[Union All Output 1]\"";
    blocking_components_with(&[(spare, with_spare)]);
}

#[test]
fn sort_makes_runs_past_its_memory_limit_with_the_same_result() {
    // Buffers of one row and a limit of one row: every row becomes a run
    // (all small enough to stay in memory), merged at the end (duplicates
    // removed across runs).
    blocking_components(&[ONE_ROW_BUFFERS]);
}

/// The blocking package with property expressions on its Data Flow Task:
/// buffers of one row and 10 bytes (so Sort makes runs), runs on disk in
/// `spill`, and the sorted file's header (a property SSIS exposes).
fn with_data_flow_expressions(dir: &std::path::Path, spill: &str) -> std::path::PathBuf {
    let exprs = format!(
        "      <DTS:PropertyExpression\n        DTS:Name=\"DefaultBufferMaxRows\">2 - 1</DTS:PropertyExpression>\n\
         <DTS:PropertyExpression\n        DTS:Name=\"DefaultBufferSize\">10</DTS:PropertyExpression>\n\
         <DTS:PropertyExpression\n        DTS:Name=\"BufferTempStoragePath\">\"{spill}\"</DTS:PropertyExpression>\n\
         <DTS:PropertyExpression\n        DTS:Name=\"[Write Sorted].[Header]\">\"sorted by \" + \"region\"</DTS:PropertyExpression>\n\
         <DTS:Variables />\n      <DTS:ObjectData>\n        <pipeline"
    );
    let replace = [
        (
            "      <DTS:Variables />\n      <DTS:ObjectData>\n        <pipeline",
            exprs.as_str(),
        ),
        (
            "name=\"Write Sorted\"\n              usesDispositions=\"true\">\n              <properties>\n                <property\n                  name=\"Overwrite\">true</property>\n                <property\n                  name=\"Header\">",
            "name=\"Write Sorted\"\n              usesDispositions=\"true\">\n              <properties>\n                <property\n                  name=\"Overwrite\">true</property>\n                <property\n                  expressionType=\"Notify\"\n                  name=\"Header\">",
        ),
    ];
    let pkg = stage("dataflow_blocking_2012.dtsx", dir, &replace);
    let text = std::fs::read_to_string(&pkg).unwrap();
    assert!(replace.iter().all(|(_, to)| text.contains(to)), "edited");
    pkg
}

#[test]
fn data_flow_property_expressions_set_buffers_the_spill_directory_and_a_header() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut csv = String::from("Region,Product,Qty,Price\r\n");
    for i in 0..300 {
        csv.push_str(&format!("R{},p{i},{},1.00\r\n", i % 7, i % 11));
    }
    std::fs::write(d.join("sales.csv"), csv).unwrap();
    // A directory that is not there: the first run on disk fails, naming it.
    let missing = d.join("no-such-dir");
    let pkg = with_data_flow_expressions(d, missing.to_str().unwrap());
    let r = ssis_exec(&["/F", pkg.to_str().unwrap(), "/REP", "EWI"]);
    assert_eq!(r.code, 1, "{}", r.out);
    let want = format!("in \"{}\" (BufferTempStoragePath)", missing.display());
    assert!(r.out.contains(&want), "{want}: {}", r.out);
    // A directory that is there: one-row buffers made 300 runs, some on disk.
    let spill = d.join("spill");
    std::fs::create_dir(&spill).unwrap();
    let pkg = with_data_flow_expressions(d, spill.to_str().unwrap());
    let r = ssis_exec(&["/F", pkg.to_str().unwrap(), "/REP", "EWI"]);
    assert_eq!(r.code, 0, "{}", r.out);
    assert!(
        r.out.contains("sorted 300 rows through 300 runs ("),
        "{}",
        r.out
    );
    assert!(!r.out.contains("through 300 runs (0 on disk)"), "{}", r.out);
    let sorted = String::from_utf8(read(d, "sorted.csv")).unwrap();
    assert!(
        sorted.starts_with("sorted by region\r\n\"Region\",\"Product\",\"Qty\"\r\n"),
        "{sorted}"
    );
    // Runs on disk are temporary files: none is left behind.
    assert_eq!(std::fs::read_dir(&spill).unwrap().count(), 0);
}

#[test]
fn set_changes_data_flow_and_component_properties() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pkg = with_data_flow_expressions(d, "");
    // The same package without its expressions: /SET gives the values.
    let text = std::fs::read_to_string(&pkg).unwrap();
    let plain: String = text
        .split("<DTS:PropertyExpression")
        .enumerate()
        .map(|(i, part)| {
            if i == 0 {
                part
            } else {
                part.split_once("</DTS:PropertyExpression>")
                    .map_or(part, |p| p.1)
            }
        })
        .collect();
    assert!(!plain.contains("PropertyExpression"));
    std::fs::write(&pkg, plain).unwrap();
    std::fs::write(
        d.join("sales.csv"),
        "Region,Product,Qty,Price\r\nEast,apple,5,1.20\r\nWest,pear,3,2.00\r\n",
    )
    .unwrap();
    let r = ssis_exec(&[
        "/F",
        pkg.to_str().unwrap(),
        "/REP",
        "EWI",
        "/SET",
        "\\Package\\Data Flow Task.Properties[DefaultBufferMaxRows];1",
        "/SET",
        "\\Package\\Data Flow Task.Properties[DefaultBufferSize];10",
        "/SET",
        "\\Package\\Data Flow Task.Properties[[Write Sorted].[Header]];007",
    ]);
    assert_eq!(r.code, 0, "{}", r.out);
    assert!(
        r.out.contains("sorted 2 rows through 2 runs ("),
        "{}",
        r.out
    );
    let sorted = String::from_utf8(read(d, "sorted.csv")).unwrap();
    assert!(sorted.starts_with("007\r\n\"Region\""), "{sorted}");
}

#[test]
fn a_data_flow_property_expression_ssis_does_not_expose_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = stage(
        "dataflow_blocking_2012.dtsx",
        dir.path(),
        &[(
            "      <DTS:Variables />\n      <DTS:ObjectData>\n        <pipeline",
            "      <DTS:PropertyExpression\n        DTS:Name=\"[Write Sorted].[Overwrite]\">false</DTS:PropertyExpression>\n      <DTS:Variables />\n      <DTS:ObjectData>\n        <pipeline",
        )],
    );
    let r = ssis_exec(&["/F", pkg.to_str().unwrap(), "/VALIDATE"]);
    assert_eq!(r.code, 1, "{}", r.out);
    assert!(
        r.out.contains(
            "property Overwrite of component \"Write Sorted\" cannot be set by an expression"
        ),
        "{}",
        r.out
    );
}

#[test]
fn sort_merges_runs_kept_in_memory_with_runs_on_disk() {
    // Buffers of one row: every row is a run; runs stay in memory up to 64
    // buffers' worth of bytes (640 here), the rest go to disk; past 64 runs
    // of a level they are merged into one.
    let dir = tempfile::tempdir().unwrap();
    let pkg = stage(
        "dataflow_blocking_2012.dtsx",
        dir.path(),
        &[ONE_ROW_BUFFERS],
    );
    let regions = ["East", "east", "West", "North", "south"];
    let rows: Vec<(String, String, i64)> = (0..300)
        .map(|i| {
            (
                regions[i % 5].to_string(),
                format!("p{i}"),
                (i as i64 * 7) % 23,
            )
        })
        .collect();
    let mut csv = String::from("Region,Product,Qty,Price\r\n");
    for (r, p, q) in &rows {
        csv.push_str(&format!("{r},{p},{q},1.00\r\n"));
    }
    std::fs::write(dir.path().join("sales.csv"), csv).unwrap();
    let r = ssis_exec(&["/F", pkg.to_str().unwrap(), "/REP", "EWI"]);
    assert_eq!(r.code, 0, "{}", r.out);
    let on_disk: usize = r
        .out
        .split("sorted 300 rows through 300 runs (")
        .nth(1)
        .and_then(|t| t.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no sort report: {}", r.out));
    assert!(on_disk > 0 && on_disk < 300, "{on_disk} runs on disk");
    // The same as a stable sort by Region ignoring case, then Qty
    // descending, keeping the first row of each key.
    let mut want = rows.clone();
    want.sort_by_key(|(r, _, q)| (r.to_lowercase(), std::cmp::Reverse(*q)));
    want.dedup_by_key(|(r, _, q)| (r.to_lowercase(), *q));
    let mut expected = String::from("\"Region\",\"Product\",\"Qty\"\r\n");
    for (r, p, q) in &want {
        expected.push_str(&format!("\"{r}\",\"{p}\",{q}\r\n"));
    }
    let sorted = String::from_utf8(read(dir.path(), "sorted.csv")).unwrap();
    assert_eq!(sorted, expected);
}

fn blocking_components(replace: &[(&str, &str)]) {
    blocking_components_with(replace);
}

/// The blocking flow, its package staged with `replace` (each made).
fn blocking_components_with(replace: &[(&str, &str)]) {
    let dir = tempfile::tempdir().unwrap();
    let pkg = stage("dataflow_blocking_2012.dtsx", dir.path(), replace);
    let text = std::fs::read_to_string(&pkg).unwrap();
    assert!(
        replace.iter().all(|(_, to)| text.contains(to)),
        "the package was changed"
    );
    let one_row_buffers = text.contains("defaultBufferSize=\"10\"");
    std::fs::write(
        dir.path().join("sales.csv"),
        "Region,Product,Qty,Price\r\nEast,apple,5,1.20\r\nWest,pear,3,2.00\r\neast,plum,7,0.50\r\nEast,apple,5,1.20\r\nWest,fig,10,3.10\r\n",
    )
    .unwrap();
    let r = ssis_exec(&["/F", pkg.to_str().unwrap(), "/REP", "EWI"]);
    assert_eq!(r.code, 0, "{}", r.out);
    assert_eq!(
        r.out.contains("Sort Sales: sorted 5 rows through 5 runs ("),
        one_row_buffers,
        "{}",
        r.out
    );
    let text = |f: &str| String::from_utf8(read(dir.path(), f)).unwrap();
    // Region ignoring case, then Qty descending; duplicate keys removed.
    assert_eq!(
        text("sorted.csv"),
        "\"Region\",\"Product\",\"Qty\"\r\n\"east\",\"plum\",7\r\n\"East\",\"apple\",5\r\n\"West\",\"fig\",10\r\n\"West\",\"pear\",3\r\n"
    );
    // Grouped by Region (case-sensitive), groups in order of appearance:
    // count all, sum, average, maximum, count distinct.
    assert_eq!(
        text("totals.csv"),
        "Region,Rows,TotalQty,AvgPrice,MaxQty,Products\r\nEast,2,10,1.2,5,1\r\nWest,2,13,2.55,10,2\r\neast,1,7,0.5,7,1\r\n"
    );
    // Input 1 (converted, "10" does not fit one character: the truncation
    // is ignored, so it goes on cut to "1")
    // and input 2, which has no QtyText; Union All interleaves its inputs
    // batch by batch, so the rows are compared in order.
    let union = text("union.csv");
    let mut lines: Vec<&str> = union.split_inclusive("\r\n").collect();
    assert_eq!(lines.remove(0), "\"Region\",\"QtyText\"\r\n");
    lines.sort();
    assert_eq!(
        lines.concat(),
        "\"East\",\"\"\r\n\"East\",\"\"\r\n\"East\",\"5\"\r\n\"East\",\"5\"\r\n\"West\",\"\"\r\n\"West\",\"\"\r\n\"West\",\"1\"\r\n\"West\",\"3\"\r\n\"east\",\"\"\r\n\"east\",\"7\"\r\n"
    );
}

#[test]
fn copy_column_character_map_and_audit() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = stage("dataflow_columns_2012.dtsx", dir.path(), &[]);
    std::fs::write(
        dir.path().join("in.csv"),
        "Region,Product\r\nNorth,apple\r\nSüd,Äpfel\r\n",
    )
    .unwrap();
    let r = ssis_exec(&["/F", pkg.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.out);
    assert_eq!(
        String::from_utf8(read(dir.path(), "out.csv")).unwrap(),
        "\"Region\",\"Product\",\"RegionCopy\",\"RegionLower\",\"Pkg\",\"Task\"\r\n\"North\",\"APPLE\",\"North\",\"north\",\"DataFlow\",\"Data Flow Task\"\r\n\"Süd\",\"ÄPFEL\",\"Süd\",\"süd\",\"DataFlow\",\"Data Flow Task\"\r\n"
    );
}

#[test]
fn merge_join_of_two_sorted_sources_inner_left_and_full() {
    let expected = [
        (
            "2",
            "Id,Name,Amount\r\n1,ann,10.00\r\n1,ann,2.25\r\n3,cy,5.50\r\n",
        ),
        (
            "1",
            "Id,Name,Amount\r\n1,ann,10.00\r\n1,ann,2.25\r\n2,bob,\r\n3,cy,5.50\r\n",
        ),
        (
            "0",
            "Id,Name,Amount\r\n1,ann,10.00\r\n1,ann,2.25\r\n2,bob,\r\n3,cy,5.50\r\n,,1.00\r\n",
        ),
    ];
    for (join_type, want) in expected {
        let dir = tempfile::tempdir().unwrap();
        let pkg = stage(
            "dataflow_join_2012.dtsx",
            dir.path(),
            &[(
                "name=\"JoinType\">1<",
                &format!("name=\"JoinType\">{join_type}<"),
            )],
        );
        std::fs::write(
            dir.path().join("customers.csv"),
            "Id,Name\r\n3,cy\r\n1,ann\r\n2,bob\r\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("orders.csv"),
            "CustId,Amount\r\n1,10.00\r\n3,5.50\r\n1,2.25\r\n9,1.00\r\n",
        )
        .unwrap();
        let r = ssis_exec(&["/F", pkg.to_str().unwrap()]);
        assert_eq!(r.code, 0, "{}", r.out);
        assert_eq!(
            String::from_utf8(read(dir.path(), "joined.csv")).unwrap(),
            want,
            "JoinType {join_type}"
        );
    }
}

#[test]
fn merge_of_two_sorted_sources_keeps_the_order() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = stage("dataflow_merge_2012.dtsx", dir.path(), &[]);
    std::fs::write(
        dir.path().join("a.csv"),
        "Id,Name\r\n5,a5\r\n1,a1\r\n3,a3\r\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("b.csv"),
        "Id,Name\r\n4,b4\r\n3,b3\r\n0,b0\r\n",
    )
    .unwrap();
    let r = ssis_exec(&["/F", pkg.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.out);
    assert_eq!(
        String::from_utf8(read(dir.path(), "merged.csv")).unwrap(),
        "Id,Name\r\n0,b0\r\n1,a1\r\n3,a3\r\n3,b3\r\n4,b4\r\n5,a5\r\n"
    );
}

#[test]
fn excel_source_reads_a_workbook_written_by_openpyxl() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = stage("dataflow_excel_2012.dtsx", dir.path(), &[]);
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dataflow/orders.xlsx"),
        dir.path().join("orders.xlsx"),
    )
    .unwrap();
    let r = ssis_exec(&["/F", pkg.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.out);
    // Numbers as DT_R8, an empty cell as NULL, dates to the second, booleans.
    assert_eq!(
        String::from_utf8(read(dir.path(), "out.csv")).unwrap(),
        "\"Name\",\"Qty\",\"Price\",\"When\",\"Ok\"\r\n\
\"Zoë\",3,2.5,2024-03-05 14:30:00,True\r\n\
\"bob\",10,,2023-12-31 00:00:00,False\r\n\
\"long name here\",1,1234.125,2020-01-01 00:00:01,True\r\n"
    );
    // Name cut to 10 characters with truncation redirected: the long name's
    // row leaves the output (for the error output, not attached here).
    let pkg = stage(
        "dataflow_excel_2012.dtsx",
        dir.path(),
        &[(
            "dataType=\"wstr\" length=\"255\"\n                      externalMetadataColumnId=\"Package\\Data Flow Task\\Excel Source.Outputs[Excel Source Output].ExternalColumns[Name]\"\n                      errorOrTruncationOperation=\"Conversion\"\n                      errorRowDisposition=\"FailComponent\"\n                      truncationRowDisposition=\"FailComponent\"",
            "dataType=\"wstr\" length=\"10\"\n                      externalMetadataColumnId=\"Package\\Data Flow Task\\Excel Source.Outputs[Excel Source Output].ExternalColumns[Name]\"\n                      errorOrTruncationOperation=\"Conversion\"\n                      errorRowDisposition=\"FailComponent\"\n                      truncationRowDisposition=\"RedirectRow\"",
        )],
    );
    let r = ssis_exec(&["/F", pkg.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.out);
    let out = String::from_utf8(read(dir.path(), "out.csv")).unwrap();
    assert!(
        out.contains("\"bob\"") && !out.contains("long name"),
        "{out}"
    );
    // A sheet the workbook lacks is named in the failure.
    let pkg = stage(
        "dataflow_excel_2012.dtsx",
        dir.path(),
        &[(
            "name=\"OpenRowset\">Orders$<",
            "name=\"OpenRowset\">Missing$<",
        )],
    );
    let r = ssis_exec(&["/F", pkg.to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}", r.out);
    assert!(r.out.contains("sheet \"Missing\""), "{}", r.out);
}

/// The Excel Source's SQL command (with a `?` bound to a variable) and a
/// range of a sheet as its table, against the openpyxl workbook.
#[test]
fn excel_source_sql_command_and_sheet_ranges() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dataflow/orders.xlsx"),
        dir.path().join("orders.xlsx"),
    )
    .unwrap();
    let variable = "</DTS:ConnectionManagers>\n  <DTS:Variables>\n    <DTS:Variable DTS:CreationName=\"\" DTS:DTSID=\"{7B000000-0000-4000-8000-000000000001}\" DTS:Namespace=\"User\" DTS:ObjectName=\"MinQty\">\n      <DTS:VariableValue DTS:DataType=\"3\">3</DTS:VariableValue>\n    </DTS:Variable>\n  </DTS:Variables>";
    let with_command = |sql: &str| {
        stage(
            "dataflow_excel_2012.dtsx",
            dir.path(),
            &[
                ("</DTS:ConnectionManagers>", variable),
                ("name=\"AccessMode\">0<", "name=\"AccessMode\">2<"),
                (
                    "name=\"SqlCommand\"><",
                    &format!(
                        "name=\"SqlCommand\">{}<",
                        sql.replace('<', "&lt;").replace('>', "&gt;")
                    ),
                ),
                (
                    "name=\"ParameterMapping\"><",
                    "name=\"ParameterMapping\">\"Parameter0:Input\",{7B000000-0000-4000-8000-000000000001};<",
                ),
            ],
        )
    };
    let out = || String::from_utf8(read(dir.path(), "out.csv")).unwrap();
    let header = "\"Name\",\"Qty\",\"Price\",\"When\",\"Ok\"\r\n";
    let pkg = with_command(
        "SELECT [Name], Qty, Price, [When], Ok FROM [Orders$] WHERE Qty >= ? ORDER BY Qty DESC",
    );
    let r = ssis_exec(&["/F", pkg.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.out);
    assert_eq!(
        out(),
        format!(
            "{header}\"bob\",10,,2023-12-31 00:00:00,False\r\n\"Zoë\",3,2.5,2024-03-05 14:30:00,True\r\n"
        )
    );
    // The variable's value is what the marker takes.
    let r = ssis_exec(&[
        "/F",
        pkg.to_str().unwrap(),
        "/SET",
        "\\Package.Variables[User::MinQty].Properties[Value];1",
    ]);
    assert_eq!(r.code, 0, "{}", r.out);
    assert_eq!(out().lines().count(), 4, "{}", out());
    // Columns renamed in the command are found by their new names.
    let pkg =
        with_command("SELECT Qty AS Amount, Name FROM [Orders$] WHERE Name LIKE 'B%' AND Qty > ?");
    let r = ssis_exec(&["/F", pkg.to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}", r.out);
    assert!(r.out.contains("has no column \"Qty\""), "{}", r.out);
    // A command it cannot read fails validation, naming where.
    let pkg = with_command("SELECT Name FORM [Orders$] WHERE Qty > ?");
    let r = ssis_exec(&["/F", pkg.to_str().unwrap(), "/VALIDATE"]);
    assert_eq!(r.code, 1, "{}", r.out);
    assert!(
        r.out
            .contains("the SQL command: at character 13: expected FROM, found 'FORM'"),
        "{}",
        r.out
    );
    // A range as the table: the header row and the two rows below it.
    let pkg = stage(
        "dataflow_excel_2012.dtsx",
        dir.path(),
        &[(
            "name=\"OpenRowset\">Orders$<",
            "name=\"OpenRowset\">[Orders$A1:E3]<",
        )],
    );
    let r = ssis_exec(&["/F", pkg.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.out);
    assert_eq!(
        out(),
        format!(
            "{header}\"Zoë\",3,2.5,2024-03-05 14:30:00,True\r\n\"bob\",10,,2023-12-31 00:00:00,False\r\n"
        )
    );
    // A name without $ is a named range, which this workbook has none of.
    let pkg = stage(
        "dataflow_excel_2012.dtsx",
        dir.path(),
        &[(
            "name=\"OpenRowset\">Orders$<",
            "name=\"OpenRowset\">Orders<",
        )],
    );
    let r = ssis_exec(&["/F", pkg.to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}", r.out);
    assert!(r.out.contains("has no named range \"Orders\""), "{}", r.out);
}

#[test]
fn flat_file_paths_from_expressions_and_unsupported_property_expressions() {
    let dir = tempfile::tempdir().unwrap();
    let with_expr = |prop: &str, expr: &str| {
        stage(
            "dataflow_2012.dtsx",
            dir.path(),
            &[(
                "      DTS:ObjectName=\"Orders In\">\n      <DTS:ObjectData>",
                &format!(
                    "      DTS:ObjectName=\"Orders In\">\n      <DTS:PropertyExpression\n        DTS:Name=\"{prop}\">{expr}</DTS:PropertyExpression>\n      <DTS:ObjectData>"
                ),
            )],
        )
    };
    std::fs::write(dir.path().join("renamed.csv"), ORDERS).unwrap();
    let dir_text = dir.path().to_str().unwrap().replace('\\', "\\\\");
    let pkg = with_expr(
        "ConnectionString",
        &format!("\"{dir_text}/renamed\" + \".csv\""),
    );
    let r = ssis_exec(&["/F", pkg.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.out);
    assert!(dir.path().join("big.csv").exists());
    let pkg = with_expr("ColumnNamesInFirstDataRow", "FALSE");
    let r = ssis_exec(&["/F", pkg.to_str().unwrap(), "/VALIDATE"]);
    assert_eq!(r.code, 1, "{}", r.out);
    assert!(
        r.out
            .contains("property ColumnNamesInFirstDataRow is not supported"),
        "{}",
        r.out
    );
}

/// DT_BYTES, DT_IMAGE, DT_DBTIME, DT_DBTIME2, DT_DBTIMESTAMPOFFSET and
/// DT_FILETIME read from a flat file in SSIS's text forms, converted by a
/// Data Conversion (a time with more digits than DT_DBTIME2(2) keeps and
/// bytes longer than DT_BYTES(2) are truncations, redirected), written
/// back; then through a raw file and out again unchanged.
#[test]
fn binary_time_and_offset_types_through_flat_files_data_conversion_and_raw_files() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = stage("dataflow_types_2012.dtsx", dir.path(), &[]);
    let input = "Id,Bin,Img,T,T2,Off,Ft\r\n\
        1,0aff,deadbeef,08:30:00,13:04:05.1200000,2024-02-29 23:59:58.500 +05:30,2020-01-02 03:04:05\r\n\
        2,00,,23:59:59,00:00:00.0000000,2024-01-01 00:00:00.000 -08:00,2021-12-31 23:59:59\r\n\
        3,01,01,12:00:00,12:00:00.1234567,2024-01-01 00:00:00.000 +00:00,2021-01-01 00:00:00\r\n\
        4,0a0b0c,,12:00:00,12:00:00.0000000,2024-01-01 00:00:00.123 +14:00,2021-01-01 00:00:00\r\n";
    std::fs::write(dir.path().join("types.csv"), input).unwrap();
    let r = ssis_exec(&["/F", pkg.to_str().unwrap(), "/REP", "EWI"]);
    assert_eq!(r.code, 0, "{}", r.out);
    let text = |f: &str| String::from_utf8(read(dir.path(), f)).unwrap();
    assert_eq!(
        text("converted.csv"),
        "Id,Bin,Img,T,T2s,Bin2,Off,Ft\r\n\
         1,0aff,deadbeef,08:30:00,13:04:05.12,0aff,2024-02-29 23:59:58.500 +05:30,2020-01-02 03:04:05\r\n\
         2,00,,23:59:59,00:00:00.00,00,2024-01-01 00:00:00.000 -08:00,2021-12-31 23:59:59\r\n"
    );
    // Truncation (0xC020902A) in T2s (column 8 of the buffer), then Bin2 (9).
    assert_eq!(
        text("rejects.csv"),
        "Id,ErrorCode,ErrorColumn\r\n3,-1071607766,8\r\n4,-1071607766,9\r\n"
    );
    assert!(r.out.contains("Save: wrote 4 rows."), "{}", r.out);
    assert_eq!(text("copy.csv"), input);
}
