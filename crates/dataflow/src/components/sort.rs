//! Sort: holds every row, sorts by the key columns (`NewSortKeyPosition`:
//! its absolute value orders the keys, a negative one sorts descending;
//! `NewComparisonFlags` bit 1 ignores case), optionally drops rows whose
//! keys repeat (`EliminateDuplicates`), then sends the output columns
//! (`SortColumnId`) in batches. Rows are held in memory: spilling to disk
//! past a memory limit is not implemented yet.

use super::BuildCtx;
use crate::buffer::Batch;
use crate::exec::{Component, Out, Step};
use crate::model::{lineage_ref, prop};
use crate::values::compare;
use std::cmp::Ordering;

struct SortKey {
    col: usize,
    descending: bool,
    ignore_case: bool,
}

pub struct Sort {
    keys: Vec<SortKey>,
    /// Per output column, the input buffer position.
    columns: Vec<usize>,
    eliminate_duplicates: bool,
    held: Vec<Batch>,
    main: usize,
    rows_per_batch: usize,
}

impl Sort {
    pub fn build(ctx: &BuildCtx) -> Result<Sort, String> {
        let input = ctx.comp.inputs.first().ok_or("it has no input")?;
        let layout = &ctx.inputs[0];
        let mut keys = Vec::new();
        for c in &input.columns {
            let pos: i64 = prop(&c.properties, "NewSortKeyPosition")
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            if pos == 0 {
                continue;
            }
            let flags: u32 = prop(&c.properties, "NewComparisonFlags")
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            let col = layout
                .find(&c.lineage)
                .ok_or_else(|| format!("input column \"{}\" is not in its input", c.name))?;
            keys.push((
                pos.abs(),
                SortKey {
                    col,
                    descending: pos < 0,
                    ignore_case: flags & 1 != 0,
                },
            ));
        }
        keys.sort_by_key(|(p, _)| *p);
        let main = ctx.main_and_error_outputs().0.ok_or("it has no output")?;
        let mut columns = Vec::new();
        for c in &ctx.comp.outputs[main].columns {
            let src = prop(&c.properties, "SortColumnId")
                .map(lineage_ref)
                .ok_or_else(|| format!("output column \"{}\" names no input column", c.name))?;
            columns.push(layout.find(src).ok_or_else(|| {
                format!(
                    "output column \"{}\": input column {src} is not in its input",
                    c.name
                )
            })?);
        }
        Ok(Sort {
            keys: keys.into_iter().map(|(_, k)| k).collect(),
            columns,
            eliminate_duplicates: ctx
                .comp
                .prop("EliminateDuplicates")
                .and_then(ssis_runner::model::xml_bool)
                .unwrap_or(false),
            held: Vec::new(),
            main,
            rows_per_batch: ctx.rows_for(&ctx.outputs[main]),
        })
    }

    fn cmp(&self, a: &Batch, ra: usize, b: &Batch, rb: usize) -> Ordering {
        for k in &self.keys {
            let o = compare(&a.cols[k.col][ra], &b.cols[k.col][rb], k.ignore_case);
            let o = if k.descending { o.reverse() } else { o };
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    }
}

impl Component for Sort {
    fn push(&mut self, _input: usize, batch: Batch, _out: &mut Out<'_>) -> Step {
        self.held.push(batch);
        Ok(())
    }

    fn finish(&mut self, out: &mut Out<'_>) -> Step {
        let held = std::mem::take(&mut self.held);
        let mut order: Vec<(usize, usize)> = held
            .iter()
            .enumerate()
            .flat_map(|(b, batch)| (0..batch.rows).map(move |r| (b, r)))
            .collect();
        order.sort_by(|x, y| self.cmp(&held[x.0], x.1, &held[y.0], y.1));
        if self.eliminate_duplicates {
            order.dedup_by(|y, x| self.cmp(&held[x.0], x.1, &held[y.0], y.1) == Ordering::Equal);
        }
        for chunk in order.chunks(self.rows_per_batch) {
            let mut b = Batch::with_capacity(self.columns.len(), chunk.len());
            for &(bi, r) in chunk {
                b.push_row(self.columns.iter().map(|c| held[bi].cols[*c][r].clone()));
            }
            out.send(self.main, b)?;
        }
        Ok(())
    }
}
