//! Package loading: the runner's load and check (what `ssis exec /F <file>
//! /VALIDATE` does before it answers) beside the metadata reader (what
//! `ssis package info` does: the identity, then the full summary) on the same
//! generated files of 1, 4 and 16 MB, in two layouts: SSIS 2005 on one line
//! (as Business Intelligence Development Studio saves it) and SSIS 2012+
//! with one attribute a line (as SSDT saves it). Prints the times, the time
//! per MB (flat when loading is linear) and the ratio runner / info, then
//! the start-to-exit time of the real `ssis exec /F <file> /VALIDATE`, and
//! the runner's load with a `/DECRYPT` password over the runner's without
//! one (the package holds the word "Salt", so the decryption pass reads it
//! all).
//!
//! Run with `cargo bench --bench runner_load` (optionally `-- <repeats>`,
//! default 5; the best of the repeats is shown).

#[path = "../tests/common/ssis_bin.rs"]
mod ssis_bin;
use ssis_service::package;
use ssis_service::runner::{check_runnable, model};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const MB: usize = 1024 * 1024;

fn guid(kind: u32, n: usize) -> String {
    format!("{{{kind:08X}-0000-4000-8000-{n:012X}}}")
}

/// One 2005-layout property.
fn p(name: &str, value: &str) -> String {
    format!("<DTS:Property DTS:Name=\"{name}\">{value}</DTS:Property>")
}

/// The pipeline XML of a Data Flow task: `components` components with
/// `columns` output columns each (most of a real package's bytes).
fn pipeline(unit: usize, components: usize, columns: usize, nl: &str) -> String {
    let mut s = format!(
        "<pipeline id=\"0\" name=\"pipelineXml\" description=\"pipelineXml\" defaultBufferMaxRows=\"10000\" engineThreads=\"5\" defaultBufferSize=\"10485760\" BLOBTempStoragePath=\"\" bufferTempStoragePath=\"\" runInOptimizedMode=\"true\">{nl}<components>{nl}"
    );
    for c in 0..components {
        let id = unit * 1000 + c * 100;
        s.push_str(&format!(
            "<component id=\"{id}\" name=\"Component {c}\" componentClassID=\"{{BCEFE59B-6819-47F7-A125-63753B33ABB7}}\" description=\"OLE DB Source\" localeId=\"-1\" usesDispositions=\"true\" validateExternalMetadata=\"True\" version=\"7\" pipelineVersion=\"0\" contactInfo=\"OLE DB Source;Microsoft Corporation;Microsoft SqlServer v9; (C) 2005 Microsoft Corporation; All Rights Reserved; http://www.microsoft.com/sql/support;7\">{nl}<properties>{nl}<property id=\"{}\" name=\"SqlCommand\" dataType=\"System.String\" state=\"default\" isArray=\"false\" description=\"The SQL command to be executed.\" typeConverter=\"\" UITypeEditor=\"Microsoft.DataTransformationServices.Controls.ModalMultilineStringEditor, Microsoft.DataTransformationServices.Controls, Version=9.0.242.0, Culture=neutral, PublicKeyToken=89845dcd8080cc91\" containsID=\"false\" expressionType=\"None\">SELECT * FROM dbo.Sales WHERE Region = 'North' &amp;&amp; Year &gt; 2004</property>{nl}</properties>{nl}<outputs>{nl}<output id=\"{}\" name=\"OLE DB Source Output\" description=\"\" exclusionGroup=\"0\" synchronousInputId=\"0\" deleteOutputOnPathDetached=\"false\" hasSideEffects=\"false\" dangling=\"false\" isErrorOut=\"false\" isSorted=\"false\" errorOrTruncationOperation=\"\" errorRowDisposition=\"NotUsed\" truncationRowDisposition=\"NotUsed\">{nl}<outputColumns>{nl}",
            id + 1,
            id + 2
        ));
        for k in 0..columns {
            s.push_str(&format!(
                "<outputColumn id=\"{}\" name=\"Column{k}\" description=\"\" lineageId=\"{}\" precision=\"0\" scale=\"0\" length=\"50\" dataType=\"str\" codePage=\"1252\" sortKeyPosition=\"0\" comparisonFlags=\"0\" specialFlags=\"0\" errorOrTruncationOperation=\"Conversion\" errorRowDisposition=\"FailComponent\" truncationRowDisposition=\"FailComponent\" externalMetadataColumnId=\"{}\" mappedColumnId=\"0\"/>{nl}",
                id + 10 + k,
                id + 10 + k,
                id + 50 + k
            ));
        }
        s.push_str(&format!(
            "</outputColumns>{nl}<externalMetadataColumns isUsed=\"True\"/>{nl}</output>{nl}</outputs>{nl}</component>{nl}"
        ));
    }
    s.push_str(&format!("</components>{nl}<paths/>{nl}</pipeline>"));
    s
}

/// SSIS 2005 on one line: a sequence of ten Execute Process tasks chained
/// by constraints, and a disabled Data Flow task, repeated to `target`
/// bytes; the package's own properties come last.
fn package_2005(target: usize) -> String {
    let exec_type = "Microsoft.SqlServer.Dts.Tasks.ExecuteProcess.ExecuteProcess, Microsoft.SqlServer.ExecProcTask, Version=9.0.242.0, Culture=neutral, PublicKeyToken=89845dcd8080cc91";
    let mut s = String::with_capacity(target + 64 * 1024);
    s.push_str("<?xml version=\"1.0\"?><DTS:Executable xmlns:DTS=\"www.microsoft.com/SqlServer/Dts\" DTS:ExecutableType=\"MSDTS.Package.1\">");
    s.push_str(&p("PackageFormatVersion", "2"));
    s.push_str(&format!(
        "<DTS:Variable>{}{}{}<DTS:VariableValue DTS:DataType=\"3\">0</DTS:VariableValue>{}{}{}</DTS:Variable>",
        p("Expression", ""),
        p("EvaluateAsExpression", "0"),
        p("Namespace", "User"),
        p("ObjectName", "Count"),
        p("DTSID", &guid(1, 0)),
        p("CreationName", "")
    ));
    let mut unit = 0;
    while s.len() < target {
        unit += 1;
        let mut seq = format!(
            "<DTS:Executable DTS:ExecutableType=\"STOCK:SEQUENCE\">{}",
            p("Disabled", "0")
        );
        for t in 0..10 {
            seq.push_str(&format!(
                "<DTS:Executable DTS:ExecutableType=\"{exec_type}\">{}{}{}<DTS:ObjectData><ExecuteProcessData Executable=\"/bin/true\" Arguments=\"{unit} {t}\" WorkingDirectory=\"\" RequireFullFileName=\"True\" SuccessValue=\"0\" FailTaskIfReturnCodeIsNotSuccessValue=\"True\" TimeOut=\"0\" TerminateProcessAfterTimeOut=\"True\" WindowStyle=\"Normal\"/></DTS:ObjectData>{}{}{}{}</DTS:Executable>",
                p("Disabled", "0"),
                p("MaxErrorCount", "1"),
                p("FailPackageOnFailure", "0"),
                p("ObjectName", &format!("Run {unit}.{t}")),
                p("DTSID", &guid(2, unit * 100 + t)),
                p("Description", "Execute Process Task"),
                p("CreationName", exec_type),
            ));
        }
        for t in 1..10 {
            seq.push_str(&format!(
                "<DTS:PrecedenceConstraint>{}{}{}{}<DTS:Executable IDREF=\"{}\" DTS:IsFrom=\"-1\"/><DTS:Executable IDREF=\"{}\" DTS:IsFrom=\"0\"/>{}{}</DTS:PrecedenceConstraint>",
                p("Value", "0"),
                p("EvalOp", "2"),
                p("Expression", ""),
                p("LogicalAnd", "-1"),
                guid(2, unit * 100 + t - 1),
                guid(2, unit * 100 + t),
                p("ObjectName", &format!("Constraint {t}")),
                p("DTSID", &guid(3, unit * 100 + t)),
            ));
        }
        seq.push_str(&format!(
            "{}{}{}</DTS:Executable>",
            p("ObjectName", &format!("Sequence {unit}")),
            p("DTSID", &guid(4, unit)),
            p("CreationName", "STOCK:SEQUENCE")
        ));
        s.push_str(&seq);
        s.push_str(&format!(
            "<DTS:Executable DTS:ExecutableType=\"DTS.Pipeline.1\">{}<DTS:ObjectData>{}</DTS:ObjectData>{}{}{}</DTS:Executable>",
            p("Disabled", "-1"),
            pipeline(unit, 4, 12, ""),
            p("ObjectName", &format!("Load {unit}")),
            p("DTSID", &guid(5, unit)),
            p("CreationName", "DTS.Pipeline.1")
        ));
    }
    s.push_str(&p("ObjectName", "Big 2005"));
    s.push_str(&p("DTSID", &guid(6, 0)));
    s.push_str(&p("ProtectionLevel", "0"));
    s.push_str(&p("CreationName", "MSDTS.Package.1"));
    s.push_str("</DTS:Executable>");
    s
}

/// SSIS 2012+ with one attribute a line, the same content.
fn package_2012(target: usize) -> String {
    let mut s = String::with_capacity(target + 64 * 1024);
    s.push_str(&format!(
        "<?xml version=\"1.0\"?>\n<DTS:Executable xmlns:DTS=\"www.microsoft.com/SqlServer/Dts\"\n  DTS:refId=\"Package\"\n  DTS:CreationName=\"Microsoft.Package\"\n  DTS:DTSID=\"{}\"\n  DTS:ExecutableType=\"Microsoft.Package\"\n  DTS:ObjectName=\"Big 2012\"\n  DTS:ProtectionLevel=\"0\">\n  <DTS:Property\n    DTS:Name=\"PackageFormatVersion\">8</DTS:Property>\n  <DTS:Variables>\n    <DTS:Variable\n      DTS:CreationName=\"\"\n      DTS:DTSID=\"{}\"\n      DTS:Namespace=\"User\"\n      DTS:ObjectName=\"Count\">\n      <DTS:VariableValue\n        DTS:DataType=\"3\">0</DTS:VariableValue>\n    </DTS:Variable>\n  </DTS:Variables>\n  <DTS:Executables>\n",
        guid(6, 0),
        guid(1, 0)
    ));
    let mut unit = 0;
    while s.len() < target {
        unit += 1;
        let seq = format!("Package\\Sequence {unit}");
        s.push_str(&format!(
            "    <DTS:Executable\n      DTS:refId=\"{seq}\"\n      DTS:CreationName=\"STOCK:SEQUENCE\"\n      DTS:Description=\"Sequence Container\"\n      DTS:DTSID=\"{}\"\n      DTS:ExecutableType=\"STOCK:SEQUENCE\"\n      DTS:LocaleID=\"-1\"\n      DTS:ObjectName=\"Sequence {unit}\">\n      <DTS:Variables />\n      <DTS:Executables>\n",
            guid(4, unit)
        ));
        for t in 0..10 {
            s.push_str(&format!(
                "        <DTS:Executable\n          DTS:refId=\"{seq}\\Run {t}\"\n          DTS:CreationName=\"Microsoft.ExecuteProcess\"\n          DTS:Description=\"Execute Process Task\"\n          DTS:DTSID=\"{}\"\n          DTS:ExecutableType=\"Microsoft.ExecuteProcess\"\n          DTS:LocaleID=\"-1\"\n          DTS:ObjectName=\"Run {t}\"\n          DTS:TaskContact=\"Execute Process Task;Microsoft Corporation; SQL Server 2022; © 2022 Microsoft Corporation; All Rights Reserved;http://www.microsoft.com/sql/support/default.asp;1\"\n          DTS:ThreadHint=\"0\">\n          <DTS:Variables />\n          <DTS:ObjectData>\n            <ExecuteProcessData\n              Executable=\"/bin/true\"\n              Arguments=\"{unit} {t}\" />\n          </DTS:ObjectData>\n        </DTS:Executable>\n",
                guid(2, unit * 100 + t)
            ));
        }
        s.push_str("      </DTS:Executables>\n      <DTS:PrecedenceConstraints>\n");
        for t in 1..10 {
            s.push_str(&format!(
                "        <DTS:PrecedenceConstraint\n          DTS:refId=\"{seq}.PrecedenceConstraints[Constraint {t}]\"\n          DTS:CreationName=\"\"\n          DTS:DTSID=\"{}\"\n          DTS:From=\"{seq}\\Run {}\"\n          DTS:LogicalAnd=\"True\"\n          DTS:ObjectName=\"Constraint {t}\"\n          DTS:To=\"{seq}\\Run {t}\" />\n",
                guid(3, unit * 100 + t),
                t - 1
            ));
        }
        s.push_str("      </DTS:PrecedenceConstraints>\n    </DTS:Executable>\n");
        s.push_str(&format!(
            "    <DTS:Executable\n      DTS:refId=\"Package\\Load {unit}\"\n      DTS:CreationName=\"Microsoft.Pipeline\"\n      DTS:Description=\"Data Flow Task\"\n      DTS:Disabled=\"True\"\n      DTS:DTSID=\"{}\"\n      DTS:ExecutableType=\"Microsoft.Pipeline\"\n      DTS:LocaleID=\"-1\"\n      DTS:ObjectName=\"Load {unit}\">\n      <DTS:Variables />\n      <DTS:ObjectData>\n{}\n      </DTS:ObjectData>\n    </DTS:Executable>\n",
            guid(5, unit),
            pipeline(unit, 4, 12, "\n")
        ));
    }
    s.push_str("  </DTS:Executables>\n</DTS:Executable>\n");
    s
}

/// The best of `repeats` runs of `f`.
fn best<T>(repeats: usize, mut f: impl FnMut() -> T) -> Duration {
    (0..repeats)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(f());
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let repeats: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(5);
    let ssis = ssis_bin::ssis_bin();
    let dir = tempfile::tempdir().expect("a temporary folder");
    println!(
        "best of {repeats}; runner = model::load_package + check_runnable (ssis exec /VALIDATE);"
    );
    println!("info = package::read_metadata + package::read_details (ssis package info)");
    println!(
        "{:<16} {:>9} {:>11} {:>11} {:>9} {:>9} {:>12} {:>16} {:>15}",
        "layout",
        "size MB",
        "runner ms",
        "info ms",
        "runner/MB",
        "info/MB",
        "runner/info",
        "exec /VALIDATE ms",
        "decrypt/runner"
    );
    type Generator = fn(usize) -> String;
    let layouts: [(&str, Generator); 2] = [
        ("2005 one line", package_2005),
        ("2012 multi-line", package_2012),
    ];
    for (layout, generate) in layouts {
        for size in [1, 4, 16] {
            // A comment naming a Salt: /DECRYPT's pass reads the whole file.
            let text = generate(size * MB).replacen("?>", "?><!-- Salt -->", 1);
            let path = dir.path().join(format!("{}-{size}.dtsx", &layout[..4]));
            std::fs::write(&path, &text).expect("the package is written");
            let mb = text.len() as f64 / MB as f64;
            let checked = model::load_package(&path).and_then(|pkg| check_runnable(&pkg, &[]));
            if let Err(e) = checked {
                panic!(
                    "{}: the generated package does not validate: {e}",
                    path.display()
                );
            }
            let runner = best(repeats, || {
                let pkg = model::load_package(&path).expect("loads");
                check_runnable(&pkg, &[]).expect("validates");
                pkg
            });
            let info = best(repeats, || {
                let m = package::read_metadata(&path).expect("metadata");
                let d = package::read_details(&path).expect("details");
                (m, d)
            });
            let exec = best(repeats.min(3), || exec_validate(ssis, &path));
            let cancel = ssis_service::runner::cancel::CancelToken::new();
            let decrypting = best(repeats, || {
                model::load_package_with(&path, Some("pw"), &cancel).expect("loads")
            });
            println!(
                "{layout:<16} {mb:>9.2} {:>11.1} {:>11.1} {:>9.1} {:>9.1} {:>12.2} {:>16.1} {:>15.2}",
                ms(runner),
                ms(info),
                ms(runner) / mb,
                ms(info) / mb,
                runner.as_secs_f64() / info.as_secs_f64(),
                ms(exec),
                decrypting.as_secs_f64() / runner.as_secs_f64(),
            );
        }
    }
}

fn exec_validate(ssis: &str, path: &Path) {
    let status = Command::new(ssis)
        .args(["exec", "/F"])
        .arg(path)
        .arg("/VALIDATE")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("ssis starts");
    assert!(status.success(), "ssis exec /VALIDATE failed: {status}");
}
