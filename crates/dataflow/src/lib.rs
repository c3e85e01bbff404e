//! The data flow engine of the built-in runner: runs a Data Flow Task's
//! pipeline. It registers itself with the runner through
//! [`ssis_runner::dataflow_hook`] ([`install`]); the `ssis` binary does so
//! at startup.
//!
//! - [`model`]: the pipeline as the package XML writes it (both layouts).
//! - [`types`]: SSIS data types, conversions, truncation ([`type_names`]:
//!   their names in the XML and flat file codes).
//! - [`buffer`]: columnar batches and their layouts ([`push`]: cells pushed
//!   onto a column from their parts, in the hot loops).
//! - [`cache`]: the Cache connection manager and the caches filled in a run.
//! - [`plan`]: validation and the runnable graph.
//! - [`exec`]: the scheduler (push with back-pressure) and the component trait.
//! - [`exprs`]: SSIS expressions over columns.
//! - [`external`]: table-mode SQL Server components checked against the table's columns.
//! - [`flatfile`]: the Flat File connection manager, reader and writer.
//! - [`values`]: ordering, grouping keys and sums.
//! - [`sortkey`]: normalised sort keys (byte strings in `values` order).
//! - [`runs`]: Sort's sorted runs, in memory or on disk.
//! - [`spill`]: the compact encoding of cells in those runs.
//! - [`rawfile`]: this engine's raw file format (Raw File Source and Destination).
//! - `ordered`: an ordered parallel map (the Flat File Source's workers).
//! - `components`: one module per component.

pub mod buffer;
pub mod cache;
mod components;
pub mod exec;
pub mod exprs;
pub mod external;
pub mod flatfile;
pub mod model;
mod ordered;
pub mod plan;
pub mod push;
pub mod rawfile;
pub mod runs;
pub mod sortkey;
pub mod spill;
pub mod type_names;
pub mod types;
pub mod values;

use ssis_runner::dataflow_hook::{self, DataFlowEngine};
use ssis_runner::expr::Value;
use ssis_runner::model::{Executable, Package, xml::Element};
use ssis_runner::tasks::{TaskContext, TaskOutcome};

/// Registers this engine with the runner (idempotent).
pub fn install() {
    dataflow_hook::register(Box::new(Engine));
}

struct Engine;

impl DataFlowEngine for Engine {
    fn check(&self, pkg: &Package, exe: &Executable, pipeline: &Element) -> Vec<String> {
        let p = model::read(pipeline);
        let vars = ssis_runner::prepare_variables(pkg, &[]).ok();
        let var = |name: &str| -> Option<Value> {
            let v = vars.as_ref()?;
            match v.value(&exe.path, name) {
                Ok(Some(v)) => Some(v),
                // Declared, but its value comes from an expression at run time.
                Ok(None) => Some(Value::Null(ssis_runner::expr::DataType::WStr)),
                Err(_) => ssis_runner::container_placeholder(name),
            }
        };
        let conn = |_: &ssis_runner::model::ConnectionManager| Ok(String::new());
        let env = plan::Env {
            var: &var,
            conn_string: &conn,
            checking: true,
            cancel: ssis_runner::cancel::CancelToken::new(),
            retained: Default::default(),
            caches: Default::default(),
        };
        match plan::build(&p, pkg, &env) {
            Ok(_) => Vec::new(),
            Err(problems) => problems,
        }
    }

    fn validate(
        &self,
        pkg: &Package,
        exe: &Executable,
        pipeline: &Element,
        vars: &ssis_runner::variables::Variables,
        prefix: &str,
    ) -> (Vec<String>, Vec<String>) {
        let p = model::read(pipeline);
        let scope = format!("{prefix}{}", exe.path);
        let package_scope = format!("{prefix}{}", pkg.root.path);
        let var = |name: &str| match vars.value(&scope, name) {
            Ok(v) => Some(v.unwrap_or(Value::Null(ssis_runner::expr::DataType::WStr))),
            // Validated before the task starts: its own System variables
            // are not declared yet.
            Err(_) => ssis_runner::container_placeholder(name),
        };
        let conn = |cm: &ssis_runner::model::ConnectionManager| {
            ssis_runner::property_exprs::connection_string(cm, vars, &package_scope)
        };
        let found = external::check(
            &p,
            pkg,
            &external::Env {
                var: &var,
                conn_string: &conn,
                cancel: ssis_runner::cancel::CancelToken::new(),
                retained: Default::default(),
            },
        );
        (found.errors, found.warnings)
    }

    fn run(
        &self,
        pkg: &Package,
        exe: &Executable,
        pipeline: &Element,
        ctx: &mut TaskContext<'_>,
    ) -> TaskOutcome {
        // The run's retained connections (RetainSameConnection) go to the
        // components and come back for the tasks after this one.
        let retained: components::Retained =
            std::rc::Rc::new(std::cell::RefCell::new(std::mem::take(ctx.retained)));
        let caches = cache::take(ctx.state);
        // Validated when the package started, unless DelayValidation.
        let validated = ctx
            .state
            .get(ssis_runner::dataflow_hook::VALIDATED)
            .and_then(|v| v.downcast_ref::<Vec<String>>())
            .is_some_and(|v| v.contains(&exe.path));
        let outcome = run_pipeline(pkg, pipeline, ctx, &retained, &caches, validated);
        *ctx.retained = retained.take();
        cache::give_back(ctx.state, caches);
        outcome
    }
}

fn run_pipeline(
    pkg: &Package,
    pipeline: &Element,
    ctx: &mut TaskContext<'_>,
    retained: &components::Retained,
    caches: &cache::Caches,
    validated: bool,
) -> TaskOutcome {
    let p = model::read(pipeline);
    let outcome = {
        let vars = &*ctx.vars;
        let scope = ctx.scope;
        // A declared variable without a value (an empty Object) is a NULL.
        let var = |name: &str| match vars.value(scope, name) {
            Ok(v) => Some(v.unwrap_or(Value::Null(ssis_runner::expr::DataType::WStr))),
            Err(_) => None,
        };
        let conn = |cm: &ssis_runner::model::ConnectionManager| {
            ssis_runner::property_exprs::connection_string(cm, vars, ctx.package_scope)
        };
        let env = plan::Env {
            var: &var,
            conn_string: &conn,
            checking: false,
            cancel: ctx.cancel.clone(),
            retained: retained.clone(),
            caches: caches.clone(),
        };
        // Validation against the tables first (when the package's start
        // did not do it): nothing is read or written when a column does
        // not fit.
        let found = if validated {
            external::Findings::default()
        } else {
            external::check(
                &p,
                pkg,
                &external::Env {
                    var: &var,
                    conn_string: &conn,
                    cancel: ctx.cancel.clone(),
                    retained: retained.clone(),
                },
            )
        };
        for w in found.warnings {
            ctx.warn(w);
        }
        if ctx.cancel.is_canceled() {
            return TaskOutcome::Canceled;
        }
        if !found.errors.is_empty() {
            return TaskOutcome::Failed(found.errors.join("; "));
        }
        match plan::build(&p, pkg, &env) {
            Err(problems) => Err(problems.join("; ")),
            Ok(mut plan) => {
                let r = plan.exec.run(&plan.order);
                for w in std::mem::take(&mut plan.exec.warnings) {
                    ctx.warn(w);
                }
                match r {
                    Err(_) if ctx.cancel.is_canceled() => return TaskOutcome::Canceled,
                    Err(e) => Err(e.to_string()),
                    Ok(()) => Ok(plan),
                }
            }
        }
    };
    let mut plan = match outcome {
        Ok(plan) => plan,
        Err(msg) => return TaskOutcome::Failed(msg),
    };
    let report = plan.exec.report();
    for msg in report.info {
        ctx.info(msg);
    }
    for ((name, from, to), rows) in plan.paths.iter().zip(&plan.exec.path_rows) {
        ctx.info(format!(
            "path \"{name}\" ({from} -> {to}) carried {rows} rows."
        ));
    }
    for (name, value) in report.assignments {
        if let Err(e) = ctx.vars.set_value(ctx.scope, &name, value, false) {
            return TaskOutcome::Failed(format!("cannot set {name}: {}", e.message));
        }
    }
    for (name, object) in report.objects {
        if let Err(e) = ctx.vars.set_object(ctx.scope, &name, object) {
            return TaskOutcome::Failed(format!("cannot set {name}: {}", e.message));
        }
    }
    TaskOutcome::Success
}
