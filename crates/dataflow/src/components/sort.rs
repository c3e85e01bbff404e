//! Sort: holds every row, sorts by the key columns (`NewSortKeyPosition`:
//! its absolute value orders the keys, a negative one sorts descending;
//! `NewComparisonFlags` bit 1 ignores case), optionally drops rows whose
//! keys repeat (`EliminateDuplicates`), then sends the output columns
//! (`SortColumnId`) in batches. Each row's keys are encoded once as it
//! arrives ([`crate::sortkey`]), so sorting compares bytes. Past 16 buffers
//! of `DefaultBufferSize` the rows held are handed to a thread that sorts
//! them into a run of encoded keys and output columns ([`crate::runs`],
//! several times smaller than the rows) while the next rows arrive; runs
//! stay in memory up to 64 buffers' worth of bytes and go to disk past
//! that; the runs are merged at the end through a heap, so memory stays
//! bounded for any input (at most 16 buffers held, 16 being made into a
//! run, and 64 buffers' worth of runs: about 1 GB with the default 10 MB
//! buffers, where SSIS's own Sort holds every row in memory; each limit is
//! at most 1 GB however large the buffers).

use super::BuildCtx;
use super::sort_spill::{RunSpec, Spiller};
use crate::buffer::Batch;
use crate::exec::{Component, Out, Report, Step};
use crate::model::{lineage_ref, prop};
use crate::runs::{Merge, Run, TempDirs};
use crate::sortkey::{KeyCol, Keys};
use ssis_runner::expr::{DataType, Value};

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
    /// Rows held before they are sorted into a run.
    max_held_rows: usize,
    /// Bytes of runs that may stay in memory.
    run_memory: usize,
    /// The thread making runs, from the first run on.
    spiller: Option<Spiller>,
    /// Runs made; runs written to disk.
    runs_made: usize,
    on_disk: usize,
    rows: u64,
    main: usize,
    rows_per_batch: usize,
    /// `BufferTempStoragePath`: where runs on disk go.
    temp_dirs: String,
}

/// How many buffers of `DefaultBufferSize` Sort holds before it sorts
/// them into a run.
const MEMORY_BUFFERS: usize = 16;

/// How many buffers' worth of bytes of runs stay in memory (640 MB with
/// the default 10 MB buffers); later runs go to disk.
const RUN_MEMORY_BUFFERS: usize = 64;

/// The most either limit allows, whatever `DefaultBufferSize` says (SSIS
/// 2016+ takes up to 2 GB there).
const MEMORY_CAP: usize = 1 << 30;

/// (rows held before they become a run, bytes of runs kept in memory) for
/// buffers of `buffer_size` bytes and rows of about `row_bytes`.
fn limits(buffer_size: usize, row_bytes: usize) -> (usize, usize) {
    let held = MEMORY_BUFFERS.saturating_mul(buffer_size).min(MEMORY_CAP);
    let runs = RUN_MEMORY_BUFFERS
        .saturating_mul(buffer_size)
        .min(MEMORY_CAP);
    ((held / row_bytes.max(1)).max(1), runs)
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
        let (max_held_rows, run_memory) = limits(ctx.buffer_size, Batch::approx_row_bytes(layout));
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
            max_held_rows,
            run_memory,
            spiller: None,
            runs_made: 0,
            on_disk: 0,
            rows: 0,
            main,
            rows_per_batch: ctx.rows_for(&ctx.outputs[main]),
            temp_dirs: ctx.pipeline.buffer_temp_storage.clone(),
        })
    }

    /// Sorts the held keys (duplicates removed when asked); the batches
    /// they point into.
    fn sorted_held(&mut self) -> Vec<Batch> {
        self.held_keys.sort(self.eliminate_duplicates);
        std::mem::take(&mut self.held)
    }

    /// Hands the held rows to the run-making thread (started with the
    /// first run).
    fn spill(&mut self) -> Step {
        let held = std::mem::take(&mut self.held);
        let keys = std::mem::take(&mut self.held_keys);
        let spiller = self.spiller.get_or_insert_with(|| {
            Spiller::start(RunSpec {
                columns: self.columns.clone(),
                eliminate_duplicates: self.eliminate_duplicates,
                memory: self.run_memory,
                dirs: TempDirs::parse(&self.temp_dirs),
            })
        });
        self.runs_made += 1;
        if spiller.send(held, keys).is_err() {
            // The thread stopped on an error: that error is the failure.
            let made = self.spiller.take().map(Spiller::finish);
            return Err(match made {
                Some(Err(e)) => e,
                _ => "the thread making sort runs stopped".into(),
            }
            .into());
        }
        Ok(())
    }

    /// Merges the runs into the output.
    fn merge(&mut self, runs: Vec<Run>, out: &mut Out<'_>) -> Step {
        let io = |e: std::io::Error| format!("cannot read a sort run back: {e}");
        let n = self.columns.len();
        let mut merge = Merge::new(runs).map_err(io)?;
        let mut last: Option<Vec<u8>> = None;
        let mut b = Batch::with_capacity(n, self.rows_per_batch);
        while let Some(run) = merge.next_row().map_err(io)? {
            if self.eliminate_duplicates {
                let key = run.key().map_err(io)?;
                if last.as_deref() == Some(key) {
                    continue;
                }
                let last = last.get_or_insert_with(Vec::new);
                last.clear();
                last.extend_from_slice(key);
            }
            run.decode_into(&mut b.cols).map_err(io)?;
            b.rows += 1;
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
        if self.spiller.is_some() {
            if !self.held_keys.entries.is_empty() {
                self.spill()?;
            }
            let made = match self.spiller.take() {
                Some(s) => s.finish()?,
                None => return Err("the thread making sort runs stopped".into()),
            };
            self.on_disk = made.on_disk;
            return self.merge(made.runs, out);
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
        if self.runs_made > 0 {
            r.info.push(format!(
                "sorted {} rows through {} runs ({} on disk).",
                self.rows, self.runs_made, self.on_disk
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_follows_the_buffer_size_up_to_a_cap() {
        // Default buffers: 16 of 10 MB held, 640 MB of runs.
        let mb = 1 << 20;
        assert_eq!(limits(10 * mb, 500), (16 * 10 * mb / 500, 64 * 10 * mb));
        // A package asking for 2 GB buffers gets 1 GB each, not 32 and 128.
        assert_eq!(
            limits(i32::MAX as usize, 500),
            (MEMORY_CAP / 500, MEMORY_CAP)
        );
        assert_eq!(limits(usize::MAX, 0), (MEMORY_CAP, MEMORY_CAP));
        // Tiny buffers still hold a row.
        assert_eq!(limits(10, 500), (1, 640));
    }
}
