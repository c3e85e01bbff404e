//! Merging sorted runs: rows in key order, the earliest run first among
//! equal keys (runs hold rows in the order they came, so the merge keeps
//! Sort stable); and a set of runs kept to a bounded number by merging the
//! latest runs of one level into one run of the next, so a sort of any
//! size keeps a bounded number of files open and of read buffers in the
//! final merge.

use super::{Run, RunWriter, TempDirs};
use std::cmp::Ordering;
use std::io;

/// Runs being merged through a tournament of losers: `tree[1..k]` holds,
/// at each match of a binary tree whose leaves are the runs, the run that
/// lost there, and `tree[0]` the overall winner, so moving the winner on
/// replays only its path to the root (one key comparison per level, keys
/// compared where they lie in the runs). A run that has ended loses every
/// match; among equal keys the earlier run wins.
pub struct Merge {
    runs: Vec<Run>,
    /// Whether each run has a current row.
    live: Vec<bool>,
    tree: Vec<usize>,
    /// Whether the winner was given out: its run moves on at the next call.
    given: bool,
}

impl Merge {
    /// Starts merging `runs` (earliest first).
    pub fn new(mut runs: Vec<Run>) -> io::Result<Merge> {
        let mut live = Vec::with_capacity(runs.len());
        for r in &mut runs {
            live.push(r.advance()?);
        }
        let k = runs.len().max(1);
        let mut m = Merge {
            runs,
            live,
            tree: vec![0; k],
            given: false,
        };
        // Bottom up: the winner of each match plays on, its loser stays.
        let mut winner = vec![0; k];
        for node in (1..k).rev() {
            let side = |c: usize| if c >= k { c - k } else { winner[c] };
            let (a, b) = (side(2 * node), side(2 * node + 1));
            let (w, l) = if m.before(b, a)? { (b, a) } else { (a, b) };
            winner[node] = w;
            m.tree[node] = l;
        }
        m.tree[0] = if k > 1 { winner[1] } else { 0 };
        Ok(m)
    }

    /// Whether run `a`'s current row comes before run `b`'s.
    fn before(&self, a: usize, b: usize) -> io::Result<bool> {
        let live = |r: usize| self.live.get(r).copied().unwrap_or(false);
        Ok(match (live(a), live(b)) {
            (false, _) => false,
            (true, false) => true,
            (true, true) => match self.runs[a].key()?.cmp(self.runs[b].key()?) {
                Ordering::Less => true,
                Ordering::Greater => false,
                Ordering::Equal => a < b,
            },
        })
    }

    /// The run whose current row comes next; None at the end.
    pub fn next_row(&mut self) -> io::Result<Option<&Run>> {
        let k = self.tree.len();
        if std::mem::take(&mut self.given) {
            let mut win = self.tree[0];
            self.live[win] = self.runs[win].advance()?;
            let mut node = (win + k) / 2;
            while node >= 1 {
                let other = self.tree[node];
                if self.before(other, win)? {
                    self.tree[node] = win;
                    win = other;
                }
                node /= 2;
            }
            self.tree[0] = win;
        }
        let win = self.tree[0];
        if !self.live.get(win).copied().unwrap_or(false) {
            return Ok(None);
        }
        self.given = true;
        Ok(Some(&self.runs[win]))
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
    fn any_number_of_runs_merges_stably() {
        // 0 to 9 runs (trees of every shape), some empty, keys repeating.
        let mut x: u32 = 7;
        let mut next = move || {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            x >> 16
        };
        for k in 0..10 {
            let rows: Vec<Vec<(u8, i32)>> = (0..k)
                .map(|r| {
                    let n = next() % 6;
                    let mut run: Vec<(u8, i32)> = (0..n)
                        .map(|i| ((next() % 4) as u8, (r * 100 + i) as i32))
                        .collect();
                    run.sort_by_key(|(key, _)| *key);
                    run
                })
                .collect();
            let runs = rows
                .iter()
                .enumerate()
                .map(|(i, r)| run(r, i % 3 == 0))
                .collect();
            let mut want: Vec<(u8, i32)> = rows.concat();
            want.sort_by_key(|(key, _)| *key);
            assert_eq!(drain(runs), want, "{k} runs");
        }
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
