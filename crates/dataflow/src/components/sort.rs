//! Sort: holds every row, sorts by the key columns (`NewSortKeyPosition`:
//! its absolute value orders the keys, a negative one sorts descending;
//! `NewComparisonFlags` bit 1 ignores case), optionally drops rows whose
//! keys repeat (`EliminateDuplicates`), then sends the output columns
//! (`SortColumnId`) in batches. Past a memory limit (16 buffers of
//! `DefaultBufferSize`) the rows held are sorted into a run on disk; the
//! runs are merged at the end, so memory stays bounded for any input.

use super::BuildCtx;
use crate::buffer::Batch;
use crate::exec::{Component, Out, Report, Step};
use crate::model::{lineage_ref, prop};
use crate::spill::{RunReader, RunWriter};
use crate::values::compare;
use ssis_runner::expr::{DataType, Value};
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
    /// Per output column, whether it is the last to read its position
    /// (the cell can be moved instead of copied).
    last_use: Vec<bool>,
    eliminate_duplicates: bool,
    held: Vec<Batch>,
    held_rows: usize,
    /// Rows held before they are sorted into a run on disk.
    max_held_rows: usize,
    runs: Vec<RunReader>,
    /// Runs written to disk, rows sorted.
    spilled: usize,
    rows: u64,
    input_cols: usize,
    main: usize,
    rows_per_batch: usize,
}

/// How many buffers of `DefaultBufferSize` Sort holds before spilling.
const MEMORY_BUFFERS: usize = 16;

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
            held_rows: 0,
            max_held_rows: (MEMORY_BUFFERS * ctx.buffer_size / Batch::approx_row_bytes(layout))
                .max(1),
            runs: Vec::new(),
            spilled: 0,
            rows: 0,
            input_cols: layout.0.len(),
            main,
            rows_per_batch: ctx.rows_for(&ctx.outputs[main]),
        })
    }

    fn cmp_by<'a>(
        &self,
        a: impl Fn(usize) -> &'a Value,
        b: impl Fn(usize) -> &'a Value,
    ) -> Ordering {
        for k in &self.keys {
            let o = key_order(a(k.col), b(k.col), k.ignore_case);
            let o = if k.descending { o.reverse() } else { o };
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    }

    fn cmp(&self, a: &Batch, ra: usize, b: &Batch, rb: usize) -> Ordering {
        self.cmp_by(|c| &a.cols[c][ra], |c| &b.cols[c][rb])
    }

    /// The held rows in order (duplicates removed when asked).
    fn sorted_held(&mut self) -> (Vec<Batch>, Vec<(usize, usize)>) {
        let held = std::mem::take(&mut self.held);
        self.held_rows = 0;
        let mut order: Vec<(usize, usize)> = held
            .iter()
            .enumerate()
            .flat_map(|(b, batch)| (0..batch.rows).map(move |r| (b, r)))
            .collect();
        order.sort_by(|x, y| self.cmp(&held[x.0], x.1, &held[y.0], y.1));
        if self.eliminate_duplicates {
            order.dedup_by(|y, x| self.cmp(&held[x.0], x.1, &held[y.0], y.1) == Ordering::Equal);
        }
        (held, order)
    }

    /// Sorts the held rows into a run on disk.
    fn spill(&mut self) -> Result<(), String> {
        let (held, order) = self.sorted_held();
        let io = |e: std::io::Error| format!("cannot write a sort run to disk: {e}");
        let mut w = RunWriter::new().map_err(io)?;
        for (b, r) in order {
            w.row(held[b].cols.iter().map(|c| &c[r])).map_err(io)?;
        }
        self.runs.push(w.finish().map_err(io)?);
        self.spilled += 1;
        Ok(())
    }

    /// Merges the runs into the output.
    fn merge(&mut self, out: &mut Out<'_>) -> Step {
        let io = |e: std::io::Error| format!("cannot read a sort run back: {e}");
        let n = self.input_cols;
        let mut runs = std::mem::take(&mut self.runs);
        let mut heads: Vec<Option<Vec<Value>>> = Vec::with_capacity(runs.len());
        for r in &mut runs {
            heads.push(r.next_row(n).map_err(io)?);
        }
        let mut last: Option<Vec<Value>> = None;
        let mut b = Batch::with_capacity(self.columns.len(), self.rows_per_batch);
        loop {
            let mut best: Option<usize> = None;
            for (i, h) in heads.iter().enumerate() {
                let Some(row) = h else { continue };
                let better = match best {
                    None => true,
                    Some(j) => {
                        let other = heads[j].as_ref().expect("a head");
                        self.cmp_by(|c| &row[c], |c| &other[c]) == Ordering::Less
                    }
                };
                if better {
                    best = Some(i);
                }
            }
            let Some(i) = best else { break };
            let row = heads[i].take().expect("the best head");
            heads[i] = runs[i].next_row(n).map_err(io)?;
            if self.eliminate_duplicates {
                if let Some(prev) = &last
                    && self.cmp_by(|c| &prev[c], |c| &row[c]) == Ordering::Equal
                {
                    continue;
                }
                last = Some(row.clone());
            }
            let mut row = row;
            b.push_row(self.columns.iter().zip(&self.last_use).map(|(c, last)| {
                if *last {
                    std::mem::replace(&mut row[*c], Value::Null(DataType::WStr))
                } else {
                    row[*c].clone()
                }
            }));
            if b.rows >= self.rows_per_batch {
                let full = std::mem::replace(
                    &mut b,
                    Batch::with_capacity(self.columns.len(), self.rows_per_batch),
                );
                out.send(self.main, full)?;
            }
        }
        out.send(self.main, b)
    }
}

/// [`compare`], with the commonest pairs (two texts compared ordinally,
/// two DT_I4s) done inline: a sort makes millions of these calls.
#[inline]
fn key_order(a: &Value, b: &Value, ignore_case: bool) -> Ordering {
    match (a, b) {
        (Value::I4(x), Value::I4(y)) => x.cmp(y),
        (Value::WStr(x), Value::WStr(y)) if !ignore_case => bytes_order(x, y),
        (Value::Str { text: x, .. }, Value::Str { text: y, .. }) if !ignore_case => {
            bytes_order(x, y)
        }
        _ => compare(a, b, ignore_case),
    }
}

/// Ordinal order of two strings (as `str`'s), without a `memcmp` call for
/// the short texts sort keys usually are.
#[inline]
fn bytes_order(x: &str, y: &str) -> Ordering {
    for (p, q) in x.bytes().zip(y.bytes()) {
        if p != q {
            return p.cmp(&q);
        }
    }
    x.len().cmp(&y.len())
}

impl Component for Sort {
    fn push(&mut self, _input: usize, batch: Batch, _out: &mut Out<'_>) -> Step {
        self.held_rows += batch.rows;
        self.rows += batch.rows as u64;
        self.held.push(batch);
        if self.held_rows >= self.max_held_rows {
            self.spill()?;
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut Out<'_>) -> Step {
        if !self.runs.is_empty() {
            if self.held_rows > 0 {
                self.spill()?;
            }
            return self.merge(out);
        }
        let (mut held, order) = self.sorted_held();
        for chunk in order.chunks(self.rows_per_batch) {
            let mut b = Batch::with_capacity(self.columns.len(), chunk.len());
            for &(bi, r) in chunk {
                let cols = &mut held[bi].cols;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_key_order_agrees_with_compare() {
        let texts = ["", "a", "ab", "b", "B", "é", "Amsterdam", "Amster"];
        let mut values: Vec<Value> = texts.iter().map(|t| Value::WStr(t.to_string())).collect();
        values.extend(texts.iter().map(|t| Value::Str {
            text: t.to_string(),
            codepage: 1252,
        }));
        values.extend([-5, 0, 3, i32::MAX, i32::MIN].map(Value::I4));
        values.push(Value::Null(DataType::I4));
        for a in &values {
            for b in &values {
                for ic in [false, true] {
                    assert_eq!(key_order(a, b, ic), compare(a, b, ic), "{a:?} {b:?} {ic}");
                }
            }
        }
    }
}
