//! Union All: the rows of every input into one output; each input column
//! names the output column it feeds (`OutputColumnLineageID`), output
//! columns an input does not feed are NULL.

use super::BuildCtx;
use crate::buffer::Batch;
use crate::exec::{Component, Out, Step};
use crate::model::{lineage_ref, prop};
use crate::types::ColumnType;

pub struct UnionAll {
    /// Per input, per output column: the input buffer position.
    maps: Vec<Vec<Option<usize>>>,
    types: Vec<ColumnType>,
    main: usize,
}

impl UnionAll {
    pub fn build(ctx: &BuildCtx) -> Result<UnionAll, String> {
        let main = ctx.main_and_error_outputs().0.ok_or("it has no output")?;
        let out = &ctx.outputs[main];
        let mut maps = Vec::new();
        for (i, input) in ctx.comp.inputs.iter().enumerate() {
            let mut map = vec![None; out.0.len()];
            for c in &input.columns {
                let target = prop(&c.properties, "OutputColumnLineageID")
                    .map(lineage_ref)
                    .ok_or_else(|| format!("input column \"{}\" names no output column", c.name))?;
                let o = out.find(target).ok_or_else(|| {
                    format!(
                        "input column \"{}\": output column {target} does not exist",
                        c.name
                    )
                })?;
                map[o] = ctx.inputs[i].find(&c.lineage);
            }
            maps.push(map);
        }
        Ok(UnionAll {
            maps,
            types: out.0.iter().map(|c| c.ty.clone()).collect(),
            main,
        })
    }
}

impl Component for UnionAll {
    fn push(&mut self, input: usize, mut batch: Batch, out: &mut Out<'_>) -> Step {
        let n = batch.rows;
        let mut cols = Vec::with_capacity(self.types.len());
        for (o, src) in self.maps[input].iter().enumerate() {
            let ty = &self.types[o];
            cols.push(match src {
                Some(p) => {
                    let col = std::mem::take(&mut batch.cols[*p]);
                    col.into_iter()
                        .map(|v| ty.convert(v).unwrap_or_else(|_| ty.null()))
                        .collect()
                }
                None => vec![ty.null(); n],
            });
        }
        out.send(self.main, Batch { cols, rows: n })
    }
}
