//! Merge Join: joins the left and right inputs on their first
//! `NumKeyColumns` sort keys (the upstream columns' `sortKeyPosition`),
//! inner, left outer or full outer (`JoinType` 2, 1, 0); NULL keys match
//! when `TreatNullsAsEqual`. Each output column names the input column it
//! comes from (`InputColumnID`). Both inputs are held until they end (the
//! sources run one after the other), then joined: left rows in their
//! order, each with its matches in right order; a full join appends the
//! right rows nothing matched.

use super::BuildCtx;
use crate::buffer::{Batch, Layout};
use crate::exec::{Component, Out, Step};
use crate::model::{lineage_ref, prop};
use crate::types::ColumnType;
use crate::values::{Key, key};
use ssis_runner::expr::Value;
use std::collections::HashMap;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Join {
    Full,
    Left,
    Inner,
}

pub struct MergeJoin {
    join: Join,
    nulls_equal: bool,
    /// Key positions in the left and right layouts.
    keys: [Vec<usize>; 2],
    /// Per output column: (input 0/1, position).
    columns: Vec<(usize, usize)>,
    types: Vec<ColumnType>,
    /// Batches held by side (0 left, 1 right).
    held: [Vec<Batch>; 2],
    /// Which of the component's inputs is the left one.
    left_input: usize,
    main: usize,
    rows_per_batch: usize,
}

fn sort_keys(layout: &Layout, n: usize) -> Vec<usize> {
    let mut keys: Vec<(i32, usize)> = layout
        .0
        .iter()
        .enumerate()
        .filter(|(_, c)| c.sort_key != 0)
        .map(|(i, c)| (c.sort_key.abs(), i))
        .collect();
    keys.sort();
    keys.into_iter().take(n).map(|(_, i)| i).collect()
}

impl MergeJoin {
    pub fn build(ctx: &BuildCtx) -> Result<MergeJoin, String> {
        let main = ctx.main_and_error_outputs().0.ok_or("it has no output")?;
        if ctx.comp.inputs.len() != 2 {
            return Err("it needs a left and a right input".into());
        }
        let left = ctx
            .comp
            .inputs
            .iter()
            .position(|i| i.name.contains("Left"))
            .unwrap_or(0);
        let order = [left, 1 - left];
        let join = match ctx.comp.prop("JoinType").map(str::trim) {
            Some("0") => Join::Full,
            Some("1") => Join::Left,
            _ => Join::Inner,
        };
        let n: usize = ctx
            .comp
            .prop("NumKeyColumns")
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(1);
        let keys = order.map(|i| sort_keys(&ctx.inputs[i], n));
        for (side, k) in ["left", "right"].iter().zip(&keys) {
            if k.len() < n {
                return Err(format!(
                    "its {side} input is sorted on {} column(s), it joins on {n}",
                    k.len()
                ));
            }
        }
        let mut columns = Vec::new();
        let mut types = Vec::new();
        for c in &ctx.comp.outputs[main].columns {
            let id = prop(&c.properties, "InputColumnID")
                .map(lineage_ref)
                .ok_or_else(|| format!("output column \"{}\" names no input column", c.name))?;
            let found = order.iter().enumerate().find_map(|(side, &i)| {
                let ic = ctx.comp.inputs[i].columns.iter().find(|ic| ic.key == id)?;
                Some((side, ctx.inputs[i].find(&ic.lineage)?))
            });
            columns.push(found.ok_or_else(|| {
                format!(
                    "output column \"{}\": input column {id} is not an input column",
                    c.name
                )
            })?);
            types.push(c.ty.clone());
        }
        Ok(MergeJoin {
            join,
            nulls_equal: ctx
                .comp
                .prop("TreatNullsAsEqual")
                .and_then(ssis_runner::model::xml_bool)
                .unwrap_or(true),
            keys,
            columns,
            types,
            held: [Vec::new(), Vec::new()],
            main,
            rows_per_batch: ctx.rows_for(&ctx.outputs[main]),
            left_input: left,
        })
    }

    fn key_of(&self, side: usize, b: &Batch, r: usize) -> Option<Vec<Key>> {
        let k: Vec<Key> = self.keys[side]
            .iter()
            .map(|c| key(&b.cols[*c][r], false))
            .collect();
        if !self.nulls_equal && k.contains(&Key::Null) {
            return None;
        }
        Some(k)
    }
}

impl Component for MergeJoin {
    fn push(&mut self, input: usize, batch: Batch, _out: &mut Out<'_>) -> Step {
        let side = usize::from(input != self.left_input);
        self.held[side].push(batch);
        Ok(())
    }

    fn finish(&mut self, out: &mut Out<'_>) -> Step {
        let [left, right] = std::mem::take(&mut self.held);
        let mut index: HashMap<Vec<Key>, Vec<(usize, usize)>> = HashMap::new();
        for (bi, b) in right.iter().enumerate() {
            for r in 0..b.rows {
                if let Some(k) = self.key_of(1, b, r) {
                    index.entry(k).or_default().push((bi, r));
                }
            }
        }
        let mut matched: Vec<Vec<bool>> = right.iter().map(|b| vec![false; b.rows]).collect();
        let mut batch = Batch::with_capacity(self.columns.len(), self.rows_per_batch);
        let row = |l: Option<(usize, usize)>, r: Option<(usize, usize)>| -> Vec<Value> {
            self.columns
                .iter()
                .zip(&self.types)
                .map(|(&(side, pos), ty)| {
                    let at = if side == 0 { l } else { r };
                    let src = if side == 0 { &left } else { &right };
                    match at {
                        Some((b, i)) => src[b].cols[pos][i].clone(),
                        None => ty.null(),
                    }
                })
                .collect()
        };
        let mut rows: Vec<Vec<Value>> = Vec::new();
        for (bi, b) in left.iter().enumerate() {
            for r in 0..b.rows {
                let hits = self
                    .key_of(0, b, r)
                    .and_then(|k| index.get(&k))
                    .map(Vec::as_slice)
                    .unwrap_or(&[]);
                for &(rb, rr) in hits {
                    matched[rb][rr] = true;
                    rows.push(row(Some((bi, r)), Some((rb, rr))));
                }
                if hits.is_empty() && self.join != Join::Inner {
                    rows.push(row(Some((bi, r)), None));
                }
                if rows.len() >= self.rows_per_batch {
                    for v in rows.drain(..) {
                        batch.push_row(v);
                    }
                    let full = std::mem::replace(
                        &mut batch,
                        Batch::with_capacity(self.columns.len(), self.rows_per_batch),
                    );
                    out.send(self.main, full)?;
                }
            }
        }
        if self.join == Join::Full {
            for (rb, m) in matched.iter().enumerate() {
                for (rr, hit) in m.iter().enumerate() {
                    if !hit {
                        rows.push(row(None, Some((rb, rr))));
                    }
                }
            }
        }
        for chunk in rows.chunks(self.rows_per_batch) {
            for v in chunk {
                batch.push_row(v.clone());
            }
            let full = std::mem::replace(
                &mut batch,
                Batch::with_capacity(self.columns.len(), self.rows_per_batch),
            );
            out.send(self.main, full)?;
        }
        Ok(())
    }
}
