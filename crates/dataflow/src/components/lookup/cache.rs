//! Full cache from a Cache connection manager (`ConnectionType` 1): the
//! reference rows are those a Cache Transform wrote to the manager earlier
//! in the run. Only the cache's index columns can be joined, and all of
//! them must be, each from an input column of the same data type.

use super::Lookup;
use crate::cache::{CacheSpec, key_of};
use crate::components::BuildCtx;
use crate::values::{Key, key};

impl Lookup {
    /// Checks the joins and copies against the cache's columns and, when
    /// running, fills the lookup's cache from the filled manager.
    pub(super) fn fill_from_cache(&mut self, ctx: &BuildCtx) -> Result<(), String> {
        let cm = ctx.connection()?;
        let spec = CacheSpec::read(cm)?;
        let manager = &spec.manager;
        let mut joined = vec![false; spec.key.len()];
        let mut join_at = Vec::with_capacity(self.joins.len());
        for (_, reference, ty) in &self.joins {
            let at = spec.column(reference).ok_or_else(|| {
                format!(
                    "an input column joins to \"{reference}\", which Cache connection manager '{manager}' does not have"
                )
            })?;
            let k = spec.key.iter().position(|&i| i == at).ok_or_else(|| {
                format!(
                    "an input column joins to \"{reference}\", which is not an index column of \
                     Cache connection manager '{manager}': only index columns can be joined"
                )
            })?;
            let want = &spec.columns[at].ty;
            if ty.data_type != want.data_type {
                return Err(format!(
                    "the input column joined to \"{reference}\" is {} but the cache column is {}: \
                     the data types must match",
                    ty.describe(),
                    want.describe()
                ));
            }
            joined[k] = true;
            join_at.push(at);
        }
        if let Some(k) = joined.iter().position(|j| !j) {
            return Err(format!(
                "index column \"{}\" of Cache connection manager '{manager}' is not joined to an \
                 input column: every index column must be",
                spec.columns[spec.key[k]].name
            ));
        }
        let mut copy_at = Vec::with_capacity(self.copies.len());
        for c in &self.copies {
            copy_at.push(spec.column(&c.reference).ok_or_else(|| {
                format!(
                    "reference column \"{}\" is not a column of Cache connection manager '{manager}'",
                    c.reference
                )
            })?);
        }
        if ctx.checking {
            return Ok(());
        }
        let data = ctx
            .caches
            .borrow()
            .get(&key_of(cm))
            .cloned()
            .ok_or_else(|| {
                format!(
                    "Cache connection manager '{manager}' has not been filled: no Cache Transform \
                     wrote to it earlier in this run (the Lookup must run in a later data flow \
                     than the Cache Transform that fills it)"
                )
            })?;
        'rows: for row in data.rows.values() {
            let mut k: Vec<Key> = Vec::with_capacity(join_at.len());
            for ((_, _, ty), &at) in self.joins.iter().zip(&join_at) {
                match ty.convert(row[at].clone()) {
                    Ok(v) => k.push(key(&v, false)),
                    Err(_) => continue 'rows,
                }
            }
            let values = self
                .copies
                .iter()
                .zip(&copy_at)
                .map(|(c, &at)| c.ty.convert(row[at].clone()))
                .collect();
            self.cache.insert(k, values);
        }
        Ok(())
    }
}
