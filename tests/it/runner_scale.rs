//! How run time grows with the size of a container: N Expression Tasks
//! chained by precedence constraints, each assigning one of N variables
//! declared on the package. Declaring variables, resolving constraint ends
//! and choosing the next executable are linear in N, so the time per task
//! stays flat from N to 4N. A measurement (`#[ignore]`d, run by
//! `scripts/load-tests.sh` or `cargo test --test it -- --ignored runner_scale`),
//! not a pass/fail timing check: it prints the figures.

use crate::common::exec;
use crate::runner_execute_sql::{Task, Var, both};
use std::time::Instant;

fn chain(n: usize) -> (Vec<Var>, Vec<Task>) {
    let names: Vec<&'static str> = (0..n)
        .map(|i| &*Box::leak(format!("V{i}").into_boxed_str()))
        .collect();
    let vars = names.iter().map(|v| (*v, 3u16, "0".to_string())).collect();
    let tasks = (0..n)
        .map(|i| {
            let mut t = crate::runner_execute_sql::sql_task(
                Box::leak(format!("T{i}").into_boxed_str()),
                "",
                "",
            );
            t.kind = "Microsoft.ExpressionTask";
            t.data = format!(
                "<ExpressionTask xmlns=\"www.microsoft.com/sqlserver/dts/tasks/expressiontask\" Expression=\"@[User::V{i}] = {i} + 1\" />"
            );
            t
        })
        .collect();
    (vars, tasks)
}

#[test]
#[ignore]
fn runner_scale_chained_tasks_run_in_linear_time() {
    let dir = tempfile::tempdir().unwrap();
    let mut rows = Vec::new();
    for n in [500usize, 2000] {
        let (vars, tasks) = chain(n);
        for pkg in both(dir.path(), &[], &vars, &tasks) {
            let start = Instant::now();
            let r = exec(&["/F", pkg.to_str().unwrap(), "/REP", "N"]);
            let t = start.elapsed().as_secs_f64();
            assert_eq!(r.code, 0, "{}", r.out);
            rows.push((
                n,
                pkg.file_name().unwrap().to_string_lossy().into_owned(),
                t,
            ));
        }
    }
    for (n, name, t) in &rows {
        eprintln!(
            "runner_scale: {name:14} {n:5} tasks: {t:.3} s ({:.1} us a task)",
            t * 1e6 / *n as f64
        );
    }
}
