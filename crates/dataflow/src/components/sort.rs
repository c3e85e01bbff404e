//! Sort: holds every row, sorts by the key columns (`NewSortKeyPosition`:
//! its absolute value orders the keys, a negative one sorts descending;
//! `NewComparisonFlags` bit 1 ignores case), optionally drops rows whose
//! keys repeat (`EliminateDuplicates`), then sends the output columns
//! (`SortColumnId`) in batches. Each row's keys are encoded once as it
//! arrives ([`crate::sortkey`]), so sorting compares bytes. Past a memory
//! limit (16 buffers of `DefaultBufferSize`) the rows held are sorted into
//! a run on disk (keys and output columns); the runs are merged at the end
//! through a heap, so memory stays bounded for any input.

use super::BuildCtx;
use crate::buffer::Batch;
use crate::exec::{Component, Out, Report, Step};
use crate::model::{lineage_ref, prop};
use crate::sortkey::{KeyCol, Keys};
use crate::spill::{RunReader, RunWriter};
use ssis_runner::expr::{DataType, Value};
use std::cmp::Ordering;
use std::collections::BinaryHeap;

pub struct Sort {
    keys: Vec<KeyCol>,
    /// Per output column, the input buffer position.
    columns: Vec<usize>,
    /// Per output column, whether it is the last to read its position
    /// (the cell can be moved instead of copied).
    last_use: Vec<bool>,
    eliminate_duplicates: bool,
    held: Vec<Batch>,
    /// The held rows' normalised keys.
    held_keys: Keys,
    /// Rows held before they are sorted into a run on disk.
    max_held_rows: usize,
    runs: Vec<RunReader>,
    /// Runs written to disk, rows sorted.
    spilled: usize,
    rows: u64,
    main: usize,
    rows_per_batch: usize,
}

/// How many buffers of `DefaultBufferSize` Sort holds before spilling.
const MEMORY_BUFFERS: usize = 16;

/// A run's next row in the merge: the heap's top is the least key, the
/// earliest run among equal keys (runs hold rows in the order they came).
struct Head {
    key: Vec<u8>,
    run: usize,
    row: Vec<Value>,
}

impl Ord for Head {
    fn cmp(&self, other: &Head) -> Ordering {
        other.key.cmp(&self.key).then(other.run.cmp(&self.run))
    }
}

impl PartialOrd for Head {
    fn partial_cmp(&self, other: &Head) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Head {
    fn eq(&self, other: &Head) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Head {}

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
                KeyCol {
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
        let last_use = (0..columns.len())
            .map(|i| !columns[i + 1..].contains(&columns[i]))
            .collect();
        Ok(Sort {
            keys: keys.into_iter().map(|(_, k)| k).collect(),
            columns,
            last_use,
            eliminate_duplicates: ctx
                .comp
                .prop("EliminateDuplicates")
                .and_then(ssis_runner::model::xml_bool)
                .unwrap_or(false),
            held: Vec::new(),
            held_keys: Keys::default(),
            max_held_rows: (MEMORY_BUFFERS * ctx.buffer_size / Batch::approx_row_bytes(layout))
                .max(1),
            runs: Vec::new(),
            spilled: 0,
            rows: 0,
            main,
            rows_per_batch: ctx.rows_for(&ctx.outputs[main]),
        })
    }

    /// Sorts the held keys (duplicates removed when asked); the batches
    /// they point into.
    fn sorted_held(&mut self) -> Vec<Batch> {
        self.held_keys.sort(self.eliminate_duplicates);
        std::mem::take(&mut self.held)
    }

    /// Sorts the held rows into a run on disk: each row's key, then its
    /// output columns.
    fn spill(&mut self) -> Result<(), String> {
        let held = self.sorted_held();
        let io = |e: std::io::Error| format!("cannot write a sort run to disk: {e}");
        let mut w = RunWriter::new().map_err(io)?;
        for e in &self.held_keys.entries {
            let cols = &held[e.batch as usize].cols;
            let r = e.row as usize;
            w.row(
                self.held_keys.key(e),
                self.columns.iter().map(|c| &cols[*c][r]),
            )
            .map_err(io)?;
        }
        self.held_keys.clear();
        self.runs.push(w.finish().map_err(io)?);
        self.spilled += 1;
        Ok(())
    }

    /// Merges the runs into the output.
    fn merge(&mut self, out: &mut Out<'_>) -> Step {
        let io = |e: std::io::Error| format!("cannot read a sort run back: {e}");
        let n = self.columns.len();
        let mut runs = std::mem::take(&mut self.runs);
        let mut heap = BinaryHeap::with_capacity(runs.len());
        for (run, r) in runs.iter_mut().enumerate() {
            let mut key = Vec::new();
            if let Some(row) = r.next_row(n, &mut key).map_err(io)? {
                heap.push(Head { key, run, row });
            }
        }
        let mut last: Option<Vec<u8>> = None;
        let mut b = Batch::with_capacity(n, self.rows_per_batch);
        while let Some(mut head) = heap.pop() {
            let keep = !self.eliminate_duplicates || last.as_ref() != Some(&head.key);
            let row = std::mem::take(&mut head.row);
            if keep {
                b.push_row(row);
            }
            if self.eliminate_duplicates {
                // The key just seen is kept for the next comparison; the
                // head reads its next key into the old one's buffer.
                let prev = last.get_or_insert_with(Vec::new);
                std::mem::swap(prev, &mut head.key);
            }
            if let Some(row) = runs[head.run].next_row(n, &mut head.key).map_err(io)? {
                head.row = row;
                heap.push(head);
            }
            if b.rows >= self.rows_per_batch {
                let full = std::mem::replace(&mut b, Batch::with_capacity(n, self.rows_per_batch));
                out.send(self.main, full)?;
            }
        }
        out.send(self.main, b)
    }
}

impl Component for Sort {
    fn push(&mut self, _input: usize, batch: Batch, _out: &mut Out<'_>) -> Step {
        self.rows += batch.rows as u64;
        let b = self.held.len() as u32;
        self.held_keys.push_batch(&self.keys, &batch, b);
        self.held.push(batch);
        if self.held_keys.entries.len() >= self.max_held_rows {
            self.spill()?;
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut Out<'_>) -> Step {
        if !self.runs.is_empty() {
            if !self.held_keys.entries.is_empty() {
                self.spill()?;
            }
            return self.merge(out);
        }
        let mut held = self.sorted_held();
        for chunk in self.held_keys.entries.chunks(self.rows_per_batch) {
            let mut b = Batch::with_capacity(self.columns.len(), chunk.len());
            for e in chunk {
                let (cols, r) = (&mut held[e.batch as usize].cols, e.row as usize);
                b.push_row(self.columns.iter().zip(&self.last_use).map(|(c, last)| {
                    if *last {
                        // Each row is sent once: its cells move out.
                        std::mem::replace(&mut cols[*c][r], Value::Null(DataType::WStr))
                    } else {
                        cols[*c][r].clone()
                    }
                }));
            }
            out.send(self.main, b)?;
        }
        Ok(())
    }

    fn report(&mut self, r: &mut Report) {
        if self.spilled > 0 {
            r.info.push(format!(
                "sorted {} rows through {} runs on disk.",
                self.rows, self.spilled
            ));
        }
    }
}
