//! Execute Package: a 2012 parent runs a 2008 child in-process; the child
//! sees the parent's variables unless it shadows them, writes one back, and
//! its failure fails the task.
#![cfg(unix)] // the test packages run /bin/sh

use crate::common;
use common::{exec, stage};
use std::path::Path;

fn setup(dir: &Path, child_code: &str, with_child: bool) -> std::path::PathBuf {
    std::fs::create_dir_all(dir.join("in")).unwrap();
    std::fs::create_dir_all(dir.join("out")).unwrap();
    std::fs::write(dir.join("in/x.txt"), "").unwrap();
    std::fs::write(dir.join("in/y.txt"), "").unwrap();
    if with_child {
        stage("child_2008.dtsx", dir, &[("@@CHILDCODE@@", child_code)]);
    }
    stage("parent_2012.dtsx", dir, &[])
}

fn read(dir: &Path, f: &str) -> String {
    std::fs::read_to_string(dir.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"))
}

#[test]
fn child_runs_with_parent_variables() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pkg = setup(d, "0", true);
    let r = exec(&["/F", pkg.to_str().unwrap(), "/REP", "EWI"]);
    assert_eq!(r.code, 0, "{}{}", r.out, r.err);
    // The child's Foreach (2008 layout, name only) reads the parent's User::ParentMsg.
    assert_eq!(read(d, "out/x.child"), "from-parent\n");
    assert_eq!(read(d, "out/y.child"), "from-parent\n");
    // The child's own User::N (2) shadows the parent's (5).
    assert_eq!(read(d, "child_count.txt"), "0\n1\n");
    // The child wrote the parent's User::FromChild; the parent used it afterwards.
    assert_eq!(read(d, "after.txt"), "child-done");
    assert!(
        !d.join("never.txt").exists(),
        "EvalOp 1 expression was false"
    );
    assert!(!d.join("failed.txt").exists());
    assert!(
        r.out.contains("Package\\Run Child>Package\\Count"),
        "child events carry the task path: {}",
        r.out
    );
}

#[test]
fn child_failure_fails_the_task() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pkg = setup(d, "3", true);
    let r = exec(&["/F", pkg.to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}", r.out);
    assert!(
        r.out.contains("child package 'Child2008' failed"),
        "{}",
        r.out
    );
    // DTS_E_EXECPROCTASK_PROCESSEXITCODEEXCEEDS, on the child's task.
    assert!(
        r.out.contains(
            "   Code: 0xC0029151\n   Source: Package\\Run Child>Package\\Report (Execute Process Task)\n"
        ),
        "{}",
        r.out
    );
    assert!(d.join("failed.txt").exists(), "the Failure path ran");
    assert!(!d.join("after.txt").exists());
}

#[test]
fn missing_child_is_refused_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pkg = setup(d, "0", false);
    let r = exec(&["/F", pkg.to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}", r.out);
    assert!(
        r.out.contains("Package\\Run Child") && r.out.contains("child_2008.dtsx"),
        "{}",
        r.out
    );
    assert!(!d.join("failed.txt").exists() && !d.join("after.txt").exists());
}

#[test]
fn unsupported_parts_of_a_child_are_listed_with_the_parent() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pkg = setup(d, "0", true);
    // Turn the child's Report task into a Script Task.
    let child = d.join("child_2008.dtsx");
    let text = read(d, "child_2008.dtsx").replacen(
        "<DTS:Property DTS:Name=\"ObjectName\">Report</DTS:Property>",
        "<DTS:Property DTS:Name=\"ObjectName\">Report</DTS:Property><DTS:Property DTS:Name=\"CreationName\">Microsoft.ScriptTask</DTS:Property>",
        1,
    );
    let text = text.replacen(
        "<DTS:Executable DTS:ExecutableType=\"Microsoft.SqlServer.Dts.Tasks.ExecuteProcess.ExecuteProcess, Microsoft.SqlServer.ExecProcTask, Version=10.0.0.0, Culture=neutral, PublicKeyToken=89845dcd8080cc91\">\n    <DTS:Property DTS:Name=\"ObjectName\">Report",
        "<DTS:Executable DTS:ExecutableType=\"Microsoft.ScriptTask\">\n    <DTS:Property DTS:Name=\"ObjectName\">Report",
        1,
    );
    std::fs::write(&child, text).unwrap();
    let r = exec(&["/F", pkg.to_str().unwrap(), "/VALIDATE"]);
    assert_eq!(r.code, 1, "{}", r.out);
    assert!(
        r.out
            .contains("Package\\Run Child>Package\\Report (Script Task)"),
        "{}",
        r.out
    );
    assert!(!d.join("child_count.txt").exists());
}

#[test]
fn project_reference_finds_the_child_next_to_the_parent() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pkg = setup(d, "0", true);
    let text = read(d, "parent_2012.dtsx").replace(
        "<UseProjectReference>False</UseProjectReference>\n          <Connection>{66666666-0000-0000-0000-000000000C01}</Connection>",
        "<UseProjectReference>True</UseProjectReference>\n          <PackageName>child_2008.dtsx</PackageName>",
    );
    assert!(text.contains("<PackageName>"));
    std::fs::write(&pkg, text).unwrap();
    let r = exec(&["/F", pkg.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.out);
    assert_eq!(read(d, "after.txt"), "child-done");
}

#[test]
fn a_2005_parent_runs_its_child_with_the_2005_task_name() {
    // SSIS 2005 writes the Execute Package task as DTS.ExecutePackageTask.1
    // (ExecutableType and CreationName), its data as child elements.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    setup(d, "0", true);
    let pkg = stage("parent_2005.dtsx", d, &[]);
    let r = exec(&["/F", pkg.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}{}", r.out, r.err);
    assert_eq!(read(d, "out/x.child"), "from-2005\n");
    assert_eq!(read(d, "out/y.child"), "from-2005\n");
}
