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
use std::hash::{BuildHasher, Hash, Hasher, RandomState};

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
    /// The group-by columns: (input position, ignore case).
    group_cols: Vec<(usize, bool)>,
    /// Group numbers by the hash of their key (collisions share a bucket).
    index: HashMap<u64, Vec<usize>, Prehashed>,
    /// The seed of [`KeyHasher`].
    seed: u64,
    /// Each group's key and accumulators, in order of first appearance.
    keys: Vec<Vec<Key>>,
    accs: Vec<Vec<Acc>>,
    main: usize,
    rows_per_batch: usize,
}

/// The hash of a grouping key is computed once per row; the index uses it
/// as it is.
#[derive(Default, Clone)]
struct Prehashed;

struct U64Hasher(u64);

impl Hasher for U64Hasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

impl BuildHasher for Prehashed {
    type Hasher = U64Hasher;
    fn build_hasher(&self) -> U64Hasher {
        U64Hasher(0)
    }
}

/// The grouping keys' hasher: a word at a time, multiply and rotate, from
/// a seed random per run, mixed at the end (`finish`). Much cheaper than
/// SipHash on short keys; collisions only share a bucket, where keys are
/// compared in full.
#[derive(Clone, Copy)]
struct KeyHasher(u64);

const K: u64 = 0xf135_7aea_2e62_a9c5;

impl KeyHasher {
    fn add(&mut self, w: u64) {
        self.0 = (self.0 ^ w).wrapping_mul(K).rotate_left(26);
    }
}

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        // murmur3's final mix: every bit of the state reaches the top
        // bits the table uses.
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in chunks.by_ref() {
            self.add(u64::from_le_bytes(c.try_into().unwrap_or([0; 8])));
        }
        let rest = chunks.remainder();
        let mut tail = [0u8; 8];
        tail[..rest.len()].copy_from_slice(rest);
        self.add(u64::from_le_bytes(tail) ^ (rest.len() as u64) << 59);
    }
    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }
    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }
}

/// A cell's grouping key, borrowing the text of a case-sensitive string
/// (no copy per row); equal to [`key`]'s result in hash and equality.
enum KeyView<'a> {
    Text(&'a str),
    Key(Key),
}

impl KeyView<'_> {
    fn of(v: &Value, ignore_case: bool) -> KeyView<'_> {
        match v.as_str() {
            Some(s) if !ignore_case => KeyView::Text(s),
            _ => KeyView::Key(key(v, ignore_case)),
        }
    }

    fn hash(&self, h: &mut impl Hasher) {
        match self {
            KeyView::Text(s) => s.hash(h),
            KeyView::Key(Key::Text(s)) => s.as_str().hash(h),
            KeyView::Key(k) => k.hash(h),
        }
    }

    fn matches(&self, k: &Key) -> bool {
        match (self, k) {
            (KeyView::Text(s), Key::Text(t)) => s == t,
            (KeyView::Text(_), _) => false,
            (KeyView::Key(a), b) => a == b,
        }
    }

    fn owned(self) -> Key {
        match self {
            KeyView::Text(s) => Key::Text(s.to_string()),
            KeyView::Key(k) => k,
        }
    }
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
        let group_cols = cols
            .iter()
            .filter(|c| c.op == Op::GroupBy)
            .filter_map(|c| c.src.map(|s| (s, c.ignore_case)))
            .collect();
        Ok(Aggregate {
            cols,
            group_cols,
            index: HashMap::default(),
            seed: RandomState::new().hash_one(0u64),
            keys: Vec::new(),
            accs: Vec::new(),
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

    /// The number of row `r`'s group, created when new.
    fn group_of<'a>(&mut self, batch: &'a Batch, r: usize, views: &mut Vec<KeyView<'a>>) -> usize {
        views.clear();
        let mut h = KeyHasher(self.seed);
        for &(c, ic) in &self.group_cols {
            let v = KeyView::of(&batch.cols[c][r], ic);
            v.hash(&mut h);
            views.push(v);
        }
        let hash = h.finish();
        let bucket = self.index.entry(hash).or_default();
        let keys = &self.keys;
        if let Some(&g) = bucket
            .iter()
            .find(|&&g| views.iter().zip(&keys[g]).all(|(v, k)| v.matches(k)))
        {
            return g;
        }
        let g = self.keys.len();
        bucket.push(g);
        self.keys
            .push(views.drain(..).map(KeyView::owned).collect());
        let fresh = self.fresh();
        self.accs.push(fresh);
        g
    }
}

impl Component for Aggregate {
    fn push(&mut self, _input: usize, batch: Batch, _out: &mut Out<'_>) -> Step {
        let mut views = Vec::with_capacity(self.group_cols.len());
        for r in 0..batch.rows {
            let g = self.group_of(&batch, r, &mut views);
            let accs = &mut self.accs[g];
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
                            s.get_or_insert(Sum::Exact(0, 0)).add(v);
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
        if self.accs.is_empty() && !self.cols.iter().any(|c| c.op == Op::GroupBy) {
            // No group by: one row even for no input.
            self.keys.push(Vec::new());
            let fresh = self.fresh();
            self.accs.push(fresh);
        }
        self.index.clear();
        self.keys.clear();
        let groups = std::mem::take(&mut self.accs);
        let mut groups = groups.into_iter().peekable();
        while groups.peek().is_some() {
            let chunk: Vec<Vec<Acc>> = groups.by_ref().take(self.rows_per_batch).collect();
            let mut b = Batch::with_capacity(self.cols.len(), chunk.len());
            for accs in chunk {
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
