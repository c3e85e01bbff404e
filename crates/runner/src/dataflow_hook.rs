//! The seam through which the runner runs Data Flow Tasks: the data flow
//! engine lives in its own crate (`ssis-dataflow`, above this one) and
//! registers itself at startup with [`register`]. Without a registered
//! engine a Data Flow Task is refused up front like any unsupported task.

use super::model::{Executable, Package, xml::Element};
use super::tasks::{TaskContext, TaskOutcome};
use super::variables::Variables;
use std::sync::OnceLock;

/// A data flow engine: validates and runs the `pipeline` object data of a
/// Data Flow Task.
pub trait DataFlowEngine: Send + Sync {
    /// Everything in the pipeline this engine cannot run or that fails
    /// validation, one reason per problem, naming the component and column
    /// at fault (empty: it can run).
    fn check(&self, pkg: &Package, exe: &Executable, pipeline: &Element) -> Vec<String>;

    /// Validation against the connections (a table's columns), as a
    /// `/VALIDATE` run does it before anything executes: (errors,
    /// warnings), each naming the component. `vars` are the run's
    /// variables (table names and connection strings may come from them).
    /// The default checks nothing.
    fn validate(
        &self,
        _pkg: &Package,
        _exe: &Executable,
        _pipeline: &Element,
        _vars: &Variables,
    ) -> (Vec<String>, Vec<String>) {
        (Vec::new(), Vec::new())
    }

    /// Runs the pipeline.
    fn run(
        &self,
        pkg: &Package,
        exe: &Executable,
        pipeline: &Element,
        ctx: &mut TaskContext<'_>,
    ) -> TaskOutcome;
}

static ENGINE: OnceLock<Box<dyn DataFlowEngine>> = OnceLock::new();

/// Registers the data flow engine (the first registration wins).
pub fn register(engine: Box<dyn DataFlowEngine>) {
    let _ = ENGINE.set(engine);
}

/// The registered engine, if any.
pub fn engine() -> Option<&'static dyn DataFlowEngine> {
    ENGINE.get().map(|b| b.as_ref())
}

/// What [`validate_package`] found on one Data Flow Task.
pub struct Finding {
    /// The task's path.
    pub path: String,
    /// Its type label.
    pub type_label: String,
    /// An error (else a warning).
    pub error: bool,
    /// The message.
    pub message: String,
}

/// Validates every enabled Data Flow Task of `pkg` (inside containers
/// too) against its connections with the registered engine.
pub fn validate_package(pkg: &Package, vars: &Variables) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Some(engine) = engine() {
        walk(engine, pkg, &pkg.root, vars, &mut out);
    }
    out
}

fn walk(
    engine: &dyn DataFlowEngine,
    pkg: &Package,
    exe: &Executable,
    vars: &Variables,
    out: &mut Vec<Finding>,
) {
    if exe.disabled {
        return;
    }
    if let super::model::ExecutableKind::DataFlow(pipeline) = &exe.kind {
        let (errors, warnings) = engine.validate(pkg, exe, pipeline, vars);
        let found = |error, message| Finding {
            path: exe.path.clone(),
            type_label: exe.type_label.clone(),
            error,
            message,
        };
        out.extend(warnings.into_iter().map(|m| found(false, m)));
        out.extend(errors.into_iter().map(|m| found(true, m)));
    }
    for child in exe
        .body()
        .map(|b| b.executables.as_slice())
        .unwrap_or_default()
    {
        walk(engine, pkg, child, vars, out);
    }
}
