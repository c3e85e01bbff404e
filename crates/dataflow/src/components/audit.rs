//! Audit: new columns with facts about the run (`LineageItemSelected`: 0
//! execution instance GUID, 1 package ID, 2 package name, 3 version ID,
//! 4 execution start time, 5 machine name, 6 user name, 7 task name,
//! 8 task ID), read once from the System variables.

use super::BuildCtx;
use crate::buffer::Batch;
use crate::exec::{Component, Out, Step};
use crate::model::prop;
use ssis_runner::expr::Value;

const ITEMS: [&str; 9] = [
    "System::ExecutionInstanceGUID",
    "System::PackageID",
    "System::PackageName",
    "System::VersionGUID",
    "System::StartTime",
    "System::MachineName",
    "System::UserName",
    "System::TaskName",
    "System::TaskID",
];

pub struct Audit {
    values: Vec<Value>,
    main: usize,
}

impl Audit {
    pub fn build(ctx: &BuildCtx) -> Result<Audit, String> {
        let main = ctx.main_and_error_outputs().0.ok_or("it has no output")?;
        let mut values = Vec::new();
        for c in &ctx.comp.outputs[main].columns {
            let item: usize = prop(&c.properties, "LineageItemSelected")
                .and_then(|v| v.trim().parse().ok())
                .filter(|i| *i < ITEMS.len())
                .ok_or_else(|| {
                    format!("output column \"{}\" selects no known audit item", c.name)
                })?;
            let v = (ctx.var)(ITEMS[item]).unwrap_or_else(|| c.ty.null());
            values.push(
                c.ty.convert(v)
                    .map_err(|e| format!("output column \"{}\": {}", c.name, e.message()))?,
            );
        }
        Ok(Audit { values, main })
    }
}

impl Component for Audit {
    fn push(&mut self, _input: usize, mut batch: Batch, out: &mut Out<'_>) -> Step {
        for v in &self.values {
            batch.cols.push(vec![v.clone(); batch.rows]);
        }
        out.send(self.main, batch)
    }
}
