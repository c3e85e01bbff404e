//! The rows through the Lookup: each row's key looked up, the reference
//! values copied in, and the row sent to the match, no-match or error
//! output.

use super::{Lookup, Mode, NO_MATCH};
use crate::buffer::Batch;
use crate::components::{RowError, dispose, error_batch};
use crate::exec::{Component, Out, Report, Step};
use crate::model::Disposition;
use crate::values::{Key, key};
use ssis_runner::expr::Value;

/// Where a row goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum To {
    Main,
    NoMatch,
    Error,
}

impl Component for Lookup {
    fn push(&mut self, _input: usize, batch: Batch, out: &mut Out<'_>) -> Step {
        let n = batch.rows;
        let mut to = vec![To::Main; n];
        let mut errors: Vec<RowError> = Vec::new();
        let mut new_cols: Vec<Vec<Value>> =
            self.copies.iter().map(|_| Vec::with_capacity(n)).collect();
        for (r, dest) in to.iter_mut().enumerate() {
            let k: Vec<Key> = self
                .joins
                .iter()
                .map(|(p, _, _)| key(&batch.cols[*p][r], false))
                .collect();
            let asked;
            let found = if self.mode == Mode::Full {
                self.cache.get(&k).map(Vec::as_slice)
            } else {
                asked = self.ask(&k, &batch, r)?;
                asked.as_deref()
            };
            let Some(values) = found else {
                self.unmatched += 1;
                for (col, c) in new_cols.iter_mut().zip(&self.copies) {
                    col.push(c.ty.null());
                }
                if self.no_match.is_some() {
                    *dest = To::NoMatch;
                    continue;
                }
                match self.on_no_match {
                    Disposition::Fail => {
                        return Err(format!(
                            "row {} yielded no match during lookup (the input's error disposition is FailComponent)",
                            r + 1
                        )
                        .into());
                    }
                    Disposition::Ignore => {}
                    Disposition::Redirect => {
                        *dest = To::Error;
                        errors.push(RowError {
                            row: r,
                            code: NO_MATCH,
                            column: 0,
                        });
                    }
                }
                continue;
            };
            self.matched += 1;
            for ((col, c), v) in new_cols.iter_mut().zip(&self.copies).zip(values) {
                match v {
                    Ok(v) => col.push(v.clone()),
                    Err(e) => {
                        if dispose(e, c.error, c.truncation, &c.name)? && *dest == To::Main {
                            *dest = To::Error;
                            errors.push(RowError {
                                row: r,
                                code: e.code(),
                                column: c.number,
                            });
                        }
                        col.push(e.kept(&c.ty));
                    }
                }
            }
        }
        let err_batch = match &self.error {
            Some((_, l)) if !errors.is_empty() => {
                Some(error_batch(&batch, self.input_cols, &errors, l))
            }
            _ => None,
        };
        let targets: Vec<usize> = to
            .iter()
            .map(|t| match t {
                To::Main => 0,
                To::NoMatch => 1,
                To::Error => 2,
            })
            .collect();
        // The no-match output carries the input's columns as they came.
        let no_match_batch = self.no_match.map(|_| {
            let rows: Vec<usize> = (0..n).filter(|r| to[*r] == To::NoMatch).collect();
            let mut b = Batch::with_capacity(self.input_cols, rows.len());
            for (c, col) in b.cols.iter_mut().enumerate() {
                col.extend(rows.iter().map(|r| batch.cols[c][*r].clone()));
            }
            b.rows = rows.len();
            b
        });
        let mut full = batch;
        for (c, col) in self.copies.iter().zip(new_cols) {
            match c.replaces {
                Some(p) => full.cols[p] = col,
                None => full.cols.push(col),
            }
        }
        let main = full.partition(&targets, 1).pop().unwrap_or_default();
        out.send(self.main, main)?;
        if let (Some(o), Some(b)) = (self.no_match, no_match_batch) {
            out.send(o, b)?;
        }
        if let (Some((e, _)), Some(b)) = (&self.error, err_batch) {
            out.send(*e, b)?;
        }
        Ok(())
    }

    fn finish(&mut self, _out: &mut Out<'_>) -> Step {
        if let Some(q) = self.per_key.as_mut()
            && let Some(c) = q.conn.take()
        {
            q.target.give_back(c);
        }
        Ok(())
    }

    fn report(&mut self, r: &mut Report) {
        let cached = match &self.per_key {
            Some(q) => q.memo.len(),
            None => self.cache.len(),
        };
        r.info.push(format!(
            "{} rows matched, {} without a match; {} reference rows cached{}.",
            self.matched,
            self.unmatched,
            cached,
            if self.duplicates > 0 {
                format!(" ({} duplicate keys ignored)", self.duplicates)
            } else {
                String::new()
            }
        ));
    }
}
