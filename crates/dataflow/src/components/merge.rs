//! Merge: two sorted inputs into one sorted output. Each input column names
//! the output column it feeds (`OutputColumnLineageID`, as in Union All);
//! rows are ordered on the output's sort keys (the output columns'
//! `sortKeyPosition`). Both inputs are held until they end, then merged;
//! on equal keys the first input's row comes first.

use super::BuildCtx;
use crate::buffer::Batch;
use crate::exec::{Component, Out, Step};
use crate::model::{lineage_ref, prop};
use crate::types::ColumnType;
use crate::values::compare;
use ssis_runner::expr::Value;
use std::cmp::Ordering;

pub struct Merge {
    /// Per input, per output column: the input buffer position.
    maps: Vec<Vec<Option<usize>>>,
    types: Vec<ColumnType>,
    /// Output positions of the sort keys, with descending flags.
    keys: Vec<(usize, bool)>,
    held: [Vec<Vec<Value>>; 2],
    main: usize,
    rows_per_batch: usize,
}

impl Merge {
    pub fn build(ctx: &BuildCtx) -> Result<Merge, String> {
        let main = ctx.main_and_error_outputs().0.ok_or("it has no output")?;
        if ctx.comp.inputs.len() != 2 {
            return Err("it needs two inputs".into());
        }
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
        let mut keys: Vec<(i32, usize, bool)> = ctx.comp.outputs[main]
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.sort_key != 0)
            .map(|(i, c)| (c.sort_key.abs(), i, c.sort_key < 0))
            .collect();
        keys.sort();
        if keys.is_empty() {
            return Err("its output has no sort key".into());
        }
        Ok(Merge {
            maps,
            types: out.0.iter().map(|c| c.ty.clone()).collect(),
            keys: keys.into_iter().map(|(_, i, d)| (i, d)).collect(),
            held: [Vec::new(), Vec::new()],
            main,
            rows_per_batch: ctx.rows_for(out),
        })
    }

    fn cmp(&self, a: &[Value], b: &[Value]) -> Ordering {
        for &(k, desc) in &self.keys {
            let o = compare(&a[k], &b[k], false);
            let o = if desc { o.reverse() } else { o };
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    }
}

impl Component for Merge {
    fn push(&mut self, input: usize, batch: Batch, _out: &mut Out<'_>) -> Step {
        let side = input.min(1);
        for r in 0..batch.rows {
            let row = self.maps[side]
                .iter()
                .zip(&self.types)
                .map(|(src, ty)| match src {
                    Some(p) => ty
                        .convert(batch.cols[*p][r].clone())
                        .unwrap_or_else(|_| ty.null()),
                    None => ty.null(),
                })
                .collect();
            self.held[side].push(row);
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut Out<'_>) -> Step {
        let [a, b] = std::mem::take(&mut self.held);
        let (mut a, mut b) = (a.into_iter().peekable(), b.into_iter().peekable());
        let mut batch = Batch::with_capacity(self.types.len(), self.rows_per_batch);
        loop {
            let take_a = match (a.peek(), b.peek()) {
                (Some(x), Some(y)) => self.cmp(x, y) != Ordering::Greater,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => break,
            };
            let row = if take_a { a.next() } else { b.next() };
            batch.push_row(row.expect("peeked"));
            if batch.rows >= self.rows_per_batch {
                let full = std::mem::replace(
                    &mut batch,
                    Batch::with_capacity(self.types.len(), self.rows_per_batch),
                );
                out.send(self.main, full)?;
            }
        }
        out.send(self.main, batch)
    }
}
