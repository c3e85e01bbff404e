//! Cache Transform: writes the rows of its input into a Cache connection
//! manager, which a Lookup in a later data flow of the same package run
//! reads (full cache). Each input column goes to the cache column its
//! `CacheColumnName` names (else the column of its own name), whose data
//! type it must have; every cache column must be written. The cache is
//! keyed on its index columns, and as in SSIS the transform writes only
//! unique rows: a row whose key an earlier row already wrote is not added
//! (the first row of a key is the one a Lookup finds). SSIS's messages
//! have no error for this, only its count of unique rows added; here the
//! first such key (each index column with its value) is also named in a
//! warning, so the dropped rows are not silent. Only one Cache Transform may fill a
//! manager in a run: a second one fails. The rows reach the cache when the
//! input ends; as in SSIS, a Lookup reads them from a later data flow (one
//! in the same data flow is refused up front).

use super::BuildCtx;
use crate::buffer::Batch;
use crate::cache::{CacheData, CacheSpec, Caches, key_of};
use crate::exec::{Component, Out, Report, Step};
use crate::model::prop;
use crate::values::{Key, key};
use ssis_runner::expr::Value;
use std::collections::HashMap;
use std::sync::Arc;

pub struct CacheTransform {
    spec: CacheSpec,
    /// The cache's key.
    cache_key: String,
    /// `sources[c]`: the buffer position cache column `c` is written from.
    sources: Vec<usize>,
    rows: HashMap<Vec<Key>, Vec<Value>>,
    /// Input rows received so far.
    seen: u64,
    /// Rows not added because their key was already in the cache.
    duplicates: u64,
    caches: Caches,
    name: String,
}

impl CacheTransform {
    pub fn build(ctx: &BuildCtx) -> Result<CacheTransform, String> {
        let cm = ctx.connection()?;
        let spec = CacheSpec::read(cm)?;
        let input = ctx.comp.inputs.first().ok_or("it has no input")?;
        let layout = &ctx.inputs[0];
        let mut sources: Vec<Option<usize>> = vec![None; spec.columns.len()];
        for c in &input.columns {
            let target = prop(&c.properties, "CacheColumnName")
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .unwrap_or(&c.name);
            let at = spec.column(target).ok_or_else(|| {
                format!(
                    "input column \"{}\" is mapped to cache column \"{target}\", which Cache \
                     connection manager '{}' does not have",
                    c.name, spec.manager
                )
            })?;
            let pos = layout
                .find(&c.lineage)
                .ok_or_else(|| format!("input column \"{}\" is not in its input", c.name))?;
            let (have, want) = (&layout.0[pos].ty, &spec.columns[at].ty);
            if have.data_type != want.data_type {
                return Err(format!(
                    "input column \"{}\" is {} but cache column \"{}\" of '{}' is {}: the data \
                     types must match",
                    c.name,
                    have.describe(),
                    spec.columns[at].name,
                    spec.manager,
                    want.describe()
                ));
            }
            sources[at] = Some(pos);
        }
        let mut mapped = Vec::with_capacity(sources.len());
        for (c, s) in spec.columns.iter().zip(sources) {
            mapped.push(s.ok_or_else(|| {
                format!(
                    "cache column \"{}\" of Cache connection manager '{}' is not mapped to an input column",
                    c.name, spec.manager
                )
            })?);
        }
        Ok(CacheTransform {
            cache_key: key_of(cm),
            spec,
            sources: mapped,
            rows: HashMap::new(),
            seen: 0,
            duplicates: 0,
            caches: ctx.caches.clone(),
            name: ctx.comp.name.clone(),
        })
    }

    /// The warning for the first row whose key an earlier row already wrote.
    fn duplicate(&self, row: &[Value]) -> String {
        let key: Vec<String> = self
            .spec
            .key
            .iter()
            .map(|&i| {
                let v = &row[i];
                let shown = if v.is_null() {
                    "NULL".to_string()
                } else {
                    format!("\"{v}\"")
                };
                format!("{} = {shown}", self.spec.columns[i].name)
            })
            .collect();
        format!(
            "input row {} has the key {} of an earlier row and was not added to Cache connection \
             manager '{}': the Cache Transform writes only unique rows (the first row of a key), \
             and later rows with a key already in the cache are not added either",
            self.seen,
            key.join(", "),
            self.spec.manager
        )
    }
}

impl Component for CacheTransform {
    fn push(&mut self, _input: usize, batch: Batch, out: &mut Out<'_>) -> Step {
        for r in 0..batch.rows {
            self.seen += 1;
            let mut row = Vec::with_capacity(self.sources.len());
            for (c, &p) in self.spec.columns.iter().zip(&self.sources) {
                let v = c.ty.convert(batch.cols[p][r].clone()).map_err(|e| {
                    format!(
                        "cache column \"{}\": {} (Cache connection manager '{}')",
                        c.name,
                        e.message(),
                        self.spec.manager
                    )
                })?;
                row.push(v);
            }
            let k: Vec<Key> = self.spec.key.iter().map(|&i| key(&row[i], false)).collect();
            if self.rows.contains_key(&k) {
                if self.duplicates == 0 {
                    out.warn(self.duplicate(&row));
                }
                self.duplicates += 1;
                continue;
            }
            self.rows.insert(k, row);
        }
        Ok(())
    }

    fn finish(&mut self, _out: &mut Out<'_>) -> Step {
        let mut caches = self.caches.borrow_mut();
        if let Some(earlier) = caches.get(&self.cache_key) {
            return Err(format!(
                "Cache connection manager '{}' was already filled by \"{}\" in this run: only one \
                 Cache Transform can write to a Cache connection manager",
                self.spec.manager, earlier.filled_by
            )
            .into());
        }
        caches.insert(
            self.cache_key.clone(),
            Arc::new(CacheData {
                filled_by: self.name.clone(),
                rows: std::mem::take(&mut self.rows),
            }),
        );
        Ok(())
    }

    fn report(&mut self, r: &mut Report) {
        let n = self
            .caches
            .borrow()
            .get(&self.cache_key)
            .map(|c| c.rows.len())
            .unwrap_or(0);
        let dropped = match self.duplicates {
            0 => String::new(),
            1 => " (1 row with a key already in the cache was not added)".to_string(),
            d => format!(" ({d} rows with a key already in the cache were not added)"),
        };
        r.info.push(format!(
            "The number of unique rows added to Cache connection manager '{}' is {n}{dropped}.",
            self.spec.manager
        ));
    }
}
