//! Aggregate: groups rows by the Group-by columns and computes each output
//! column's aggregate (`AggregationType`: 0 group by, 1 count, 2 count all,
//! 3 count distinct, 4 sum, 5 average, 6 minimum, 7 maximum) over its
//! input column (`AggregationColumnId`); one output row per group (one in
//! all when nothing is grouped). Memory grows with the number of groups.

use super::BuildCtx;
use crate::buffer::Batch;
use crate::exec::{Component, Out, Step};
use crate::model::{lineage_ref, prop};
use crate::types::ColumnType;
use crate::values::{Key, Sum, compare, key};
use ssis_runner::expr::Value;
use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    GroupBy,
    Count,
    CountAll,
    CountDistinct,
    Sum,
    Average,
    Min,
    Max,
}

struct OutCol {
    op: Op,
    src: Option<usize>,
    ty: ColumnType,
    ignore_case: bool,
    name: String,
}

#[derive(Clone)]
enum Acc {
    Value(Value),
    Count(u64),
    Distinct(HashSet<Key>),
    Sum(Option<Sum>, u64),
}

pub struct Aggregate {
    cols: Vec<OutCol>,
    groups: HashMap<Vec<Key>, Vec<Acc>>,
    order: Vec<Vec<Key>>,
    main: usize,
    rows_per_batch: usize,
}

impl Aggregate {
    pub fn build(ctx: &BuildCtx) -> Result<Aggregate, String> {
        let main = ctx.main_and_error_outputs().0.ok_or("it has no output")?;
        if ctx.comp.outputs.iter().filter(|o| !o.is_error).count() > 1 {
            return Err("more than one output is not supported yet".into());
        }
        let layout = &ctx.inputs[0];
        let mut cols = Vec::new();
        for c in &ctx.comp.outputs[main].columns {
            let code: i64 = prop(&c.properties, "AggregationType")
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            let op = match code {
                0 => Op::GroupBy,
                1 => Op::Count,
                2 => Op::CountAll,
                3 => Op::CountDistinct,
                4 => Op::Sum,
                5 => Op::Average,
                6 => Op::Min,
                7 => Op::Max,
                _ => {
                    return Err(format!(
                        "output column \"{}\": aggregation {code} is not known",
                        c.name
                    ));
                }
            };
            let src = prop(&c.properties, "AggregationColumnId")
                .map(lineage_ref)
                .filter(|s| !s.is_empty() && *s != "0");
            let src = match src {
                Some(s) => Some(layout.find(s).ok_or_else(|| {
                    format!(
                        "output column \"{}\": input column {s} is not in its input",
                        c.name
                    )
                })?),
                None if op == Op::CountAll => None,
                None => {
                    return Err(format!(
                        "output column \"{}\" names no input column",
                        c.name
                    ));
                }
            };
            let flags: u32 = prop(&c.properties, "AggregationComparisonFlags")
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            cols.push(OutCol {
                op,
                src,
                ty: c.ty.clone(),
                ignore_case: flags & 1 != 0,
                name: c.name.clone(),
            });
        }
        Ok(Aggregate {
            cols,
            groups: HashMap::new(),
            order: Vec::new(),
            main,
            rows_per_batch: ctx.rows_for(&ctx.outputs[main]),
        })
    }

    fn fresh(&self) -> Vec<Acc> {
        self.cols
            .iter()
            .map(|c| match c.op {
                Op::GroupBy | Op::Min | Op::Max => Acc::Value(c.ty.null()),
                Op::Count | Op::CountAll => Acc::Count(0),
                Op::CountDistinct => Acc::Distinct(HashSet::new()),
                Op::Sum | Op::Average => Acc::Sum(None, 0),
            })
            .collect()
    }
}

impl Component for Aggregate {
    fn push(&mut self, _input: usize, batch: Batch, _out: &mut Out<'_>) -> Step {
        let group_cols: Vec<(usize, bool)> = self
            .cols
            .iter()
            .filter(|c| c.op == Op::GroupBy)
            .filter_map(|c| c.src.map(|s| (s, c.ignore_case)))
            .collect();
        for r in 0..batch.rows {
            let k: Vec<Key> = group_cols
                .iter()
                .map(|(c, ic)| key(&batch.cols[*c][r], *ic))
                .collect();
            if !self.groups.contains_key(&k) {
                let fresh = self.fresh();
                self.order.push(k.clone());
                self.groups.insert(k.clone(), fresh);
            }
            let accs = self.groups.get_mut(&k).expect("inserted above");
            for (c, acc) in self.cols.iter().zip(accs.iter_mut()) {
                let v = c.src.map(|s| &batch.cols[s][r]);
                match (acc, c.op) {
                    (Acc::Count(n), Op::CountAll) => *n += 1,
                    (Acc::Count(n), _) => *n += u64::from(v.is_some_and(|v| !v.is_null())),
                    (Acc::Distinct(set), _) => {
                        if let Some(v) = v.filter(|v| !v.is_null()) {
                            set.insert(key(v, c.ignore_case));
                        }
                    }
                    (Acc::Sum(s, n), _) => {
                        if let Some(v) = v.filter(|v| !v.is_null()) {
                            *s = Some(s.unwrap_or(Sum::Exact(0, 0)).plus(v));
                            *n += 1;
                        }
                    }
                    (Acc::Value(cur), op) => {
                        let Some(v) = v.filter(|v| !v.is_null()) else {
                            continue;
                        };
                        let replace = match op {
                            Op::GroupBy => cur.is_null(),
                            Op::Min => {
                                cur.is_null() || compare(v, cur, c.ignore_case) == Ordering::Less
                            }
                            _ => {
                                cur.is_null() || compare(v, cur, c.ignore_case) == Ordering::Greater
                            }
                        };
                        if replace {
                            *cur = v.clone();
                        }
                    }
                }
            }
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut Out<'_>) -> Step {
        if self.order.is_empty() && !self.cols.iter().any(|c| c.op == Op::GroupBy) {
            // No group by: one row even for no input.
            self.order.push(Vec::new());
            self.groups.insert(Vec::new(), self.fresh());
        }
        let order = std::mem::take(&mut self.order);
        for chunk in order.chunks(self.rows_per_batch) {
            let mut b = Batch::with_capacity(self.cols.len(), chunk.len());
            for k in chunk {
                let accs = self.groups.remove(k).unwrap_or_default();
                let mut row = Vec::with_capacity(self.cols.len());
                for (c, acc) in self.cols.iter().zip(accs) {
                    let v = match acc {
                        Acc::Value(v) => v,
                        Acc::Count(n) => Value::UI8(n),
                        Acc::Distinct(s) => Value::UI8(s.len() as u64),
                        Acc::Sum(None, _) => c.ty.null(),
                        Acc::Sum(Some(s), n) => match c.op {
                            Op::Average => Value::R8(s.as_f64() / n as f64),
                            _ => s.value(),
                        },
                    };
                    row.push(
                        c.ty.convert(v).map_err(|e| {
                            format!("output column \"{}\": {}", c.name, e.message())
                        })?,
                    );
                }
                b.push_row(row);
            }
            out.send(self.main, b)?;
        }
        Ok(())
    }
}
