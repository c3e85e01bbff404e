//! The seam through which the runner runs Data Flow Tasks: the data flow
//! engine lives in its own crate (`ssis-dataflow`, above this one) and
//! registers itself at startup with [`register`]. Without a registered
//! engine a Data Flow Task is refused up front like any unsupported task.

use super::model::{Executable, Package, xml::Element};
use super::tasks::{TaskContext, TaskOutcome};
use std::sync::OnceLock;

/// A data flow engine: validates and runs the `pipeline` object data of a
/// Data Flow Task.
pub trait DataFlowEngine: Send + Sync {
    /// Everything in the pipeline this engine cannot run or that fails
    /// validation, one reason per problem, naming the component and column
    /// at fault (empty: it can run).
    fn check(&self, pkg: &Package, exe: &Executable, pipeline: &Element) -> Vec<String>;

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
