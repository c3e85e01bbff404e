//! `ssis exec --fallback PROGRAM`: what the built-in runner refuses goes to
//! a dtexec-compatible program (here a script standing in for one) with the
//! same arguments, minus this runner's options; the password travels in
//! `SSIS_PACKAGE_DECRYPT`, not on the command line.
#![cfg(unix)]

use crate::common::exec;
use crate::runner_execute_sql::{Task, both, sql_task};
use std::os::unix::fs::PermissionsExt;

fn script_task() -> Task {
    let mut t = sql_task("Transform", "", "");
    t.kind = "Microsoft.ScriptTask";
    t.data = "<ScriptProject Name=\"ST_1\" />".into();
    t
}

#[test]
fn runner_fallback_hands_a_refused_package_to_the_program() {
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("dtexec");
    let record = dir.path().join("args.txt");
    std::fs::write(
        &fake,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > '{}'\necho \"decrypt=$SSIS_PACKAGE_DECRYPT\" >> '{}'\n\
             echo 'fake dtexec ran'\nexit 4\n",
            record.display(),
            record.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    for pkg in both(dir.path(), &[], &[], &[script_task()]) {
        let p = pkg.to_str().unwrap();
        // Without --fallback: refused.
        let r = exec(&["/F", p]);
        assert_eq!(r.code, 1, "{}", r.out);
        let r = exec(&[
            "/F",
            p,
            "--fallback",
            fake.to_str().unwrap(),
            "/De",
            "s3cret",
            "/Rep",
            "EW",
        ]);
        assert_eq!(r.code, 4, "the program's exit code: {}", r.out);
        assert!(
            r.out.contains("running it with") && r.out.contains("fake dtexec ran"),
            "{}",
            r.out
        );
        assert!(!r.out.contains("s3cret"), "{}", r.out);
        let args = std::fs::read_to_string(&record).unwrap();
        assert_eq!(args, format!("/F\n{p}\n/Rep\nEW\ndecrypt=s3cret\n"));
        // With --events json, the first JSON line names the executor.
        let r = exec(&[
            "/F",
            p,
            "--events",
            "json",
            "--fallback",
            fake.to_str().unwrap(),
        ]);
        assert_eq!(r.code, 4, "{}{}", r.out, r.err);
        let first: serde_json::Value =
            serde_json::from_str(r.out.lines().next().unwrap_or("")).unwrap();
        assert_eq!(first["Event"], "Executor", "{}", r.out);
        assert_eq!(first["Executor"], fake.to_str().unwrap());
    }
    // A package the runner can run does not go to the program.
    let ok = sql_task("Nothing", "", "");
    let mut ok = ok;
    ok.kind = "Microsoft.ExpressionTask";
    ok.data = "<ExpressionTask Expression=\"1 == 1\" />".into();
    std::fs::remove_file(&record).unwrap();
    for pkg in both(dir.path(), &[], &[], &[ok.clone()]) {
        let r = exec(&[
            "/F",
            pkg.to_str().unwrap(),
            "--fallback",
            fake.to_str().unwrap(),
        ]);
        assert_eq!(r.code, 0, "{}", r.out);
        assert!(!record.exists());
    }
}
