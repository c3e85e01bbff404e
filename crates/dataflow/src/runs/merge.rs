//! Merging sorted runs: rows in key order, the earliest run first among
//! equal keys (runs hold rows in the order they came, so the merge keeps
//! Sort stable); and a set of runs kept to a bounded number by merging the
//! latest runs of one level into one run of the next, so a sort of any
//! size keeps a bounded number of files open and of read buffers in the
//! final merge.

use super::{Run, RunWriter, TempDirs};
use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::io;

/// A run's current row: the heap's top is the least key, the earliest run
/// among equal keys.
struct Head {
    key: Vec<u8>,
    run: usize,
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

/// Runs being merged.
pub struct Merge {
    runs: Vec<Run>,
    heap: BinaryHeap<Head>,
    /// The head last given out: its run moves on at the next call.
    given: Option<Head>,
}

impl Merge {
    /// Starts merging `runs` (earliest first).
    pub fn new(mut runs: Vec<Run>) -> io::Result<Merge> {
        let mut heap = BinaryHeap::with_capacity(runs.len());
        for (run, r) in runs.iter_mut().enumerate() {
            if r.advance()? {
                heap.push(Head {
                    key: r.key()?.to_vec(),
                    run,
                });
            }
        }
        Ok(Merge {
            runs,
            heap,
            given: None,
        })
    }

    /// The run whose current row comes next; None at the end.
    pub fn next_row(&mut self) -> io::Result<Option<&Run>> {
        if let Some(mut head) = self.given.take() {
            let run = &mut self.runs[head.run];
            if run.advance()? {
                head.key.clear();
                head.key.extend_from_slice(run.key()?);
                self.heap.push(head);
            }
        }
        let Some(head) = self.heap.pop() else {
            return Ok(None);
        };
        let run = head.run;
        self.given = Some(head);
        Ok(Some(&self.runs[run]))
    }
}

/// Runs in the order they were made, each with its level (0: made from
/// rows; n + 1: merged from `fan_in` runs of level n).
pub struct Merged {
    runs: Vec<(Run, u32)>,
    fan_in: usize,
    dirs: TempDirs,
}

impl Merged {
    /// No runs yet; at most `fan_in` (2 or more) runs of a level are kept,
    /// merged runs going to disk in `dirs`.
    pub fn new(fan_in: usize, dirs: TempDirs) -> Merged {
        Merged {
            runs: Vec::new(),
            fan_in: fan_in.max(2),
            dirs,
        }
    }

    /// Adds a run made from rows; when the latest `fan_in` runs are of one
    /// level they are merged into one run on disk (through `buf`, a write
    /// buffer reused), and so on up the levels.
    pub fn push(&mut self, run: Run, buf: &mut Vec<u8>) -> io::Result<()> {
        self.runs.push((run, 0));
        while self.runs.len() >= self.fan_in {
            let tail = &self.runs[self.runs.len() - self.fan_in..];
            let level = tail[0].1;
            if tail.iter().any(|(_, l)| *l != level) {
                break;
            }
            let at = self.runs.len() - self.fan_in;
            let runs = self.runs.split_off(at).into_iter().map(|(r, _)| r);
            let mut w = RunWriter::disk(std::mem::take(buf), &mut self.dirs)?;
            let mut m = Merge::new(runs.collect())?;
            while let Some(r) = m.next_row()? {
                w.row(r.key()?, r.cells()?)?;
            }
            let (run, back) = w.finish()?;
            *buf = back;
            self.runs.push((run, level + 1));
        }
        Ok(())
    }

    /// The runs, earliest first.
    pub fn into_runs(self) -> Vec<Run> {
        self.runs.into_iter().map(|(r, _)| r).collect()
    }

    /// How many runs are kept.
    #[cfg(test)]
    pub fn kept(&self) -> usize {
        self.runs.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spill::encode;
    use ssis_runner::expr::Value;

    /// A run of (key, id) rows.
    fn run(rows: &[(u8, i32)], disk: bool) -> Run {
        let mut w = if disk {
            RunWriter::disk(Vec::new(), &mut TempDirs::default()).unwrap()
        } else {
            RunWriter::memory()
        };
        for (k, id) in rows {
            let mut cells = Vec::new();
            encode(&mut cells, &Value::I4(*id));
            w.row(&[*k], &cells).unwrap();
        }
        w.finish().unwrap().0
    }

    fn drain(runs: Vec<Run>) -> Vec<(u8, i32)> {
        let mut m = Merge::new(runs).unwrap();
        let mut out = Vec::new();
        while let Some(r) = m.next_row().unwrap() {
            let mut col = vec![Vec::new()];
            r.decode_into(&mut col).unwrap();
            let Some(Value::I4(id)) = col[0].pop() else {
                panic!("not an I4")
            };
            out.push((r.key().unwrap()[0], id));
        }
        out
    }

    #[test]
    fn equal_keys_come_from_the_earliest_run_first() {
        let runs = vec![
            run(&[(1, 10), (3, 11), (3, 12)], false),
            run(&[(1, 20), (2, 21), (3, 22)], true),
            run(&[], true),
            run(&[(0, 30), (3, 31)], false),
        ];
        assert_eq!(
            drain(runs),
            [
                (0, 30),
                (1, 10),
                (1, 20),
                (2, 21),
                (3, 11),
                (3, 12),
                (3, 22),
                (3, 31)
            ]
        );
    }

    #[test]
    fn runs_stay_few_and_merge_to_the_same_order() {
        // 40 runs of two rows each, keys repeating across runs; at most 3
        // runs of a level are kept.
        let rows: Vec<Vec<(u8, i32)>> = (0..40)
            .map(|i| {
                let mut r = vec![((i * 7 % 5) as u8, i * 2), ((i * 3 % 5) as u8, i * 2 + 1)];
                r.sort_by_key(|(k, _)| *k);
                r
            })
            .collect();
        let mut merged = Merged::new(3, TempDirs::default());
        let mut buf = Vec::new();
        let mut most = 0;
        for (i, r) in rows.iter().enumerate() {
            merged.push(run(r, i % 2 == 0), &mut buf).unwrap();
            most = most.max(merged.kept());
        }
        // Levels of at most 2 runs each, for 40 = 1111 in base 3: 4 levels.
        assert!(most <= 2 * 4 + 1, "{most} runs kept");
        let all = drain(merged.into_runs());
        let mut want: Vec<(u8, i32)> = rows.concat();
        // A stable sort by key of the rows in the order they came.
        want.sort_by_key(|(k, _)| *k);
        assert_eq!(all, want);
    }
}
