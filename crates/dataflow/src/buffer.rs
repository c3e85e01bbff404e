//! Columnar batches: what travels along a path, at most
//! `DefaultBufferMaxRows` rows (and about `DefaultBufferSize` bytes) at a
//! time, and the layout that names each column.

use crate::types::ColumnType;
use ssis_runner::expr::{DataType, Value};

/// One column of a layout.
#[derive(Debug, Clone)]
pub struct ColInfo {
    /// The lineage id that downstream inputs name.
    pub lineage: String,
    /// The column's name.
    pub name: String,
    /// The column's number for ErrorColumn (`id` in 2005/2008; the
    /// 1-based position in the layout otherwise).
    pub number: i32,
    /// Its type.
    pub ty: ColumnType,
    /// `sortKeyPosition` of the column that produces it (0: not a sort key).
    pub sort_key: i32,
}

/// The columns of the batches on one output, in buffer order.
#[derive(Debug, Clone, Default)]
pub struct Layout(pub Vec<ColInfo>);

impl Layout {
    /// The position of the column with `lineage`.
    pub fn find(&self, lineage: &str) -> Option<usize> {
        self.0.iter().position(|c| c.lineage == lineage)
    }
}

/// A batch of rows, column by column.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    /// `cols[c][r]`: column `c` of row `r`.
    pub cols: Vec<Vec<Value>>,
    /// Row count.
    pub rows: usize,
}

/// The most rows a batch reserves room for before they come.
pub const RESERVED_ROWS: usize = 1 << 16;

impl Batch {
    /// An empty batch of `ncols` columns with room for `cap` rows (at
    /// most [`RESERVED_ROWS`] reserved up front: huge buffer settings grow
    /// with the rows that come, not before).
    pub fn with_capacity(ncols: usize, cap: usize) -> Batch {
        let cap = cap.min(RESERVED_ROWS);
        Batch {
            cols: (0..ncols).map(|_| Vec::with_capacity(cap)).collect(),
            rows: 0,
        }
    }

    /// Appends a row (one value per column).
    pub fn push_row(&mut self, row: impl IntoIterator<Item = Value>) {
        for (c, v) in self.cols.iter_mut().zip(row) {
            c.push(v);
        }
        self.rows += 1;
    }

    /// Moves the rows whose flag is set out into a new batch.
    pub fn split_off(self, take: &[bool]) -> (Batch, Batch) {
        let n = take.iter().filter(|k| **k).count();
        let mut kept = Batch::with_capacity(self.cols.len(), self.rows - n);
        let mut taken = Batch::with_capacity(self.cols.len(), n);
        for (c, col) in self.cols.into_iter().enumerate() {
            for (v, t) in col.into_iter().zip(take) {
                if *t {
                    taken.cols[c].push(v)
                } else {
                    kept.cols[c].push(v)
                }
            }
        }
        kept.rows = self.rows - n;
        taken.rows = n;
        (kept, taken)
    }

    /// Moves each row to the batch of its target (`targets[r]` below
    /// `n`; other targets drop the row): `n` batches.
    pub fn partition(mut self, targets: &[usize], n: usize) -> Vec<Batch> {
        // The rows of each target, then each column moved target by
        // target: each cell is read once, in order, and written straight
        // into its place.
        let mut rows: Vec<Vec<u32>> = vec![Vec::new(); n];
        for (r, t) in targets.iter().enumerate().take(self.rows) {
            if let Some(list) = rows.get_mut(*t) {
                list.push(r as u32);
            }
        }
        let mut out: Vec<Batch> = rows
            .iter()
            .map(|list| Batch {
                cols: Vec::with_capacity(self.cols.len()),
                rows: list.len(),
            })
            .collect();
        for col in &mut self.cols {
            for (b, list) in out.iter_mut().zip(&rows) {
                b.cols.push(
                    list.iter()
                        .map(|r| {
                            std::mem::replace(&mut col[*r as usize], Value::Null(DataType::I4))
                        })
                        .collect(),
                );
            }
        }
        out
    }

    /// The row `r` as values.
    pub fn row(&self, r: usize) -> Vec<Value> {
        self.cols.iter().map(|c| c[r].clone()).collect()
    }

    /// A rough size of a row in memory, for the buffer size limit: a
    /// value per column, plus the text of text columns (half their
    /// declared length, at most 256 bytes, and the allocation's overhead).
    pub fn approx_row_bytes(layout: &Layout) -> usize {
        let value = std::mem::size_of::<Value>();
        layout
            .0
            .iter()
            .map(|c| {
                if c.ty.is_text() {
                    value + (c.ty.length as usize).min(512) / 2 + 16
                } else {
                    value
                }
            })
            .sum::<usize>()
            .max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_off_keeps_order() {
        let mut b = Batch::with_capacity(1, 4);
        for i in 0..4 {
            b.push_row([Value::I4(i)]);
        }
        let (kept, taken) = b.clone().split_off(&[true, false, true, false]);
        assert_eq!(kept.cols[0], vec![Value::I4(1), Value::I4(3)]);
        assert_eq!(taken.cols[0], vec![Value::I4(0), Value::I4(2)]);
        let parts = b.partition(&[1, 0, 9, 1], 2);
        assert_eq!(parts[0].cols[0], vec![Value::I4(1)]);
        assert_eq!(parts[1].cols[0], vec![Value::I4(0), Value::I4(3)]);
        assert_eq!((parts[0].rows, parts[1].rows), (1, 2));
    }
}
