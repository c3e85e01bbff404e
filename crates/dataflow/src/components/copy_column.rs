//! Copy Column: new columns that copy input columns (`copyColumnId`).

use super::BuildCtx;
use crate::buffer::Batch;
use crate::exec::{Component, Out, Step};
use crate::model::{lineage_ref, prop};

pub struct CopyColumn {
    sources: Vec<usize>,
    main: usize,
}

impl CopyColumn {
    pub fn build(ctx: &BuildCtx) -> Result<CopyColumn, String> {
        let main = ctx.main_and_error_outputs().0.ok_or("it has no output")?;
        let layout = &ctx.inputs[0];
        let mut sources = Vec::new();
        for c in &ctx.comp.outputs[main].columns {
            let src = prop(&c.properties, "copyColumnId")
                .map(lineage_ref)
                .ok_or_else(|| format!("output column \"{}\" names no input column", c.name))?;
            sources.push(layout.find(src).ok_or_else(|| {
                format!(
                    "output column \"{}\": input column {src} is not in its input",
                    c.name
                )
            })?);
        }
        Ok(CopyColumn { sources, main })
    }
}

impl Component for CopyColumn {
    fn push(&mut self, _input: usize, mut batch: Batch, out: &mut Out<'_>) -> Step {
        for s in &self.sources {
            let copy = batch.cols[*s].clone();
            batch.cols.push(copy);
        }
        out.send(self.main, batch)
    }
}
