//! Expressions in packages end to end: Expression Task, property
//! expressions on tasks and connection managers, EvaluateAsExpression
//! variables, precedence constraints with EvalOp 1/3/4, `/SET` feeding
//! expressions, and the failure paths.
#![cfg(unix)] // the test packages run /bin/sh

use crate::common;
use common::{Run, exec, stage};
use ssis_service::runner::model;
use std::path::Path;

const GREET: &str = "@[User::Greeting] = &quot;Hello &quot; + @[User::Who]";

fn run(dir: &Path, assign: &str, sets: &[(&str, &str)]) -> Run {
    let pkg = stage("exprs_2012.dtsx", dir, &[("@@ASSIGN@@", assign)]);
    let mut args = vec!["/F".to_string(), pkg.to_string_lossy().into_owned()];
    for (name, value) in sets {
        args.push("/SET".into());
        args.push(format!(
            "\\Package.Variables[User::{name}].Properties[Value];{value}"
        ));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    exec(&args)
}

fn exists(dir: &Path, f: &str) -> bool {
    dir.join(f).exists()
}

fn read(dir: &Path, f: &str) -> String {
    std::fs::read_to_string(dir.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"))
}

#[test]
fn defaults_take_the_expression_only_and_or_paths() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let r = run(d, GREET, &[]);
    assert_eq!(r.code, 0, "{}{}", r.out, r.err);
    assert_eq!(read(d, "greeting.txt"), "Hello nobody", "Expression Task");
    assert_eq!(
        read(d, "Shout.txt"),
        "NOBODY!7\n",
        "EvaluateAsExpression variable, System::VersionBuild and System::TaskName"
    );
    assert_eq!(
        read(d, "nobody.copy"),
        "Hello nobody",
        "the connection string came from its expression"
    );
    assert!(!exists(d, "static.copy"));
    // Mode a: EvalOp 1 (expression only) runs A; EvalOp 3 needs Mode b;
    // EvalOp 4 with a Failure value needs Mode c; EvalOp 4 with Success runs D.
    assert!(exists(d, "a.txt") && exists(d, "d.txt"));
    assert!(!exists(d, "b.txt") && !exists(d, "c.txt"));
}

#[test]
fn set_values_flow_through_expressions() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let r = run(d, GREET, &[("Who", "world"), ("Mode", "b")]);
    assert_eq!(r.code, 0, "{}", r.out);
    assert_eq!(read(d, "greeting.txt"), "Hello world");
    assert_eq!(read(d, "Shout.txt"), "WORLD!7\n");
    assert!(exists(d, "world.copy"));
    assert!(exists(d, "b.txt") && exists(d, "d.txt"));
    assert!(!exists(d, "a.txt") && !exists(d, "c.txt"));

    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert_eq!(run(d, GREET, &[("Mode", "c")]).code, 0);
    assert!(exists(d, "c.txt") && exists(d, "d.txt"));
    assert!(!exists(d, "a.txt") && !exists(d, "b.txt"));
}

#[test]
fn assigning_a_read_only_variable_fails_the_task() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let r = run(d, "@[User::Fixed] = 2", &[]);
    assert_eq!(r.code, 1, "{}", r.out);
    assert!(
        r.out.contains("User::Fixed") && r.out.contains("read-only"),
        "{}",
        r.out
    );
    assert!(
        !exists(d, "greeting.txt"),
        "nothing after the failed task ran"
    );
}

#[test]
fn a_type_error_is_refused_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let r = run(d, "@[User::Greeting] = 1 + TRUE", &[]);
    assert_eq!(r.code, 1, "{}", r.out);
    assert!(
        r.out.contains("Package\\Assign") && r.out.contains("position"),
        "{}",
        r.out
    );
    assert!(!exists(d, "greeting.txt"));
}

#[test]
fn an_evaluation_error_at_run_time_fails_the_package() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // LEN("nobody") - 6 is zero: division by zero only shows when it runs.
    let r = run(
        d,
        "@[User::Greeting] = (DT_WSTR, 10) (1 / (LEN(@[User::Who]) - 6))",
        &[],
    );
    assert_eq!(r.code, 1, "{}", r.out);
    assert!(r.out.to_lowercase().contains("zero"), "{}", r.out);
    assert!(!exists(d, "greeting.txt"));
    // With another name the same package succeeds.
    let dir = tempfile::tempdir().unwrap();
    let r = run(
        dir.path(),
        "@[User::Greeting] = (DT_WSTR, 10) (1 / (LEN(@[User::Who]) - 6))",
        &[("Who", "someone")],
    );
    assert_eq!(r.code, 0, "{}", r.out);
    assert_eq!(read(dir.path(), "greeting.txt"), "1");
}

#[test]
fn set_of_a_wrong_type_is_a_command_line_error() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = stage("loops_2012.dtsx", dir.path(), &[("@@FAILAT@@", "9")]);
    let r = exec(&[
        "/F",
        pkg.to_str().unwrap(),
        "/SET",
        "\\Package.Variables[User::Limit].Properties[Value];three",
    ]);
    assert_eq!(r.code, 6, "{}", r.out);
    assert!(
        r.out.contains("User::Limit") && r.out.contains("three"),
        "{}",
        r.out
    );
}

#[test]
fn package_parameters_are_read_only_values_in_expressions() {
    // Int32, String, Boolean and DateTime parameters as SSIS 2012+ writes
    // them: DTS:DataType holds the variable type codes (3, 8, 11, 7).
    let dir = tempfile::tempdir().unwrap();
    let pkg = stage("params_2012.dtsx", dir.path(), &[]);
    let r = exec(&["/F", pkg.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.out);
    assert_eq!(read(dir.path(), "par.out"), "6 10 yes 2025-10\n");

    let loaded = model::load_package(&pkg).unwrap();
    let types: Vec<(&str, i32)> = loaded
        .root
        .variables
        .iter()
        .map(|v| (v.name.as_str(), v.data_type))
        .collect();
    assert_eq!(
        types,
        [("Times", 3), ("Label", 8), ("Enabled", 11), ("Cutoff", 7)]
    );
    assert!(
        loaded
            .root
            .variables
            .iter()
            .all(|v| v.read_only && v.namespace == "$Package")
    );
}

#[test]
fn a_parameter_value_not_of_its_type_is_refused_naming_the_parameter() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = stage(
        "params_2012.dtsx",
        dir.path(),
        &[("ParameterValue\">3<", "ParameterValue\">three<")],
    );
    let r = exec(&["/F", pkg.to_str().unwrap()]);
    assert_eq!(r.code, 5, "{}", r.out);
    assert!(
        r.out.contains("parameter $Package::Times") && r.out.contains("'three' is not a Int32"),
        "{}",
        r.out
    );
    assert!(!dir.path().join("par.out").exists(), "nothing ran");
}
