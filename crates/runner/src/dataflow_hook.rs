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

    /// Validation against the connections (a table's columns), as SSIS
    /// validates a package before it runs (and `/VALIDATE` without running
    /// it): (errors, warnings), each naming the component. `vars` are the
    /// run's variables, whose scopes start with `prefix` (a child
    /// package's) (table names and connection strings may come from them).
    /// The default checks nothing.
    fn validate(
        &self,
        _pkg: &Package,
        _exe: &Executable,
        _pipeline: &Element,
        _vars: &Variables,
        _prefix: &str,
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
pub struct Finding<'p> {
    /// The task.
    pub exe: &'p Executable,
    /// An error (else a warning).
    pub error: bool,
    /// The message.
    pub message: String,
}

/// Where the run keeps the paths of the Data Flow Tasks validated when the
/// package started (see [`crate::tasks::RunState`]): a `Vec<String>`.
pub const VALIDATED: &str = "ssis-runner/validated-data-flows";

/// Validates every enabled Data Flow Task of `pkg` (inside containers
/// too) without `DelayValidation` against its connections with the
/// registered engine; `prefix` starts the package's variable scopes.
/// Returns what it found and the paths of the tasks it validated.
pub fn validate_package<'p>(
    pkg: &'p Package,
    vars: &Variables,
    prefix: &str,
) -> (Vec<Finding<'p>>, Vec<String>) {
    let mut out = (Vec::new(), Vec::new());
    if let Some(engine) = engine() {
        walk(engine, pkg, &pkg.root, vars, prefix, &mut out);
    }
    out
}

fn walk<'p>(
    engine: &dyn DataFlowEngine,
    pkg: &'p Package,
    exe: &'p Executable,
    vars: &Variables,
    prefix: &str,
    out: &mut (Vec<Finding<'p>>, Vec<String>),
) {
    if exe.disabled || exe.delay_validation {
        return;
    }
    // A task whose pipeline a property expression changes is validated as
    // it starts, with the values the expressions give.
    let expressed = exe
        .property_expressions
        .iter()
        .any(|(p, _)| crate::data_flow_properties::task_kind(p).is_some() || p.starts_with('['));
    if let super::model::ExecutableKind::DataFlow(pipeline) = &exe.kind
        && !expressed
    {
        let (errors, warnings) = engine.validate(pkg, exe, pipeline, vars, prefix);
        let found = |error, message| Finding {
            exe,
            error,
            message,
        };
        out.0.extend(warnings.into_iter().map(|m| found(false, m)));
        out.0.extend(errors.into_iter().map(|m| found(true, m)));
        out.1.push(exe.path.clone());
    }
    for child in exe
        .body()
        .map(|b| b.executables.as_slice())
        .unwrap_or_default()
    {
        walk(engine, pkg, child, vars, prefix, out);
    }
}
