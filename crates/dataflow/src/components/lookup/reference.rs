//! Where the reference rows come from: the OLE DB connection's reference
//! query, read whole into the cache (full cache) or asked per key (partial
//! and no cache).

use super::{Found, Lookup, Mode};
use crate::buffer::Batch;
use crate::components::sql::{Target, column_index, from_sql};
use crate::values::{Key, key};
use ssis_runner::connections::SqlColumn;
use std::cell::{Cell, RefCell};

impl Lookup {
    /// Partial and no cache: the copied values of the row whose join
    /// columns hold `k` (row `r` of `batch`), asking the server.
    pub(super) fn ask(&mut self, k: &[Key], batch: &Batch, r: usize) -> Result<Found, String> {
        let copies = &self.copies;
        let q = self.per_key.as_mut().ok_or("no reference query")?;
        if let Some(found) = q.memo.get(k) {
            return Ok(found.clone());
        }
        let params: Vec<_> = q
            .params
            .iter()
            .map(|p| crate::components::sql::to_sql(&batch.cols[*p][r]))
            .collect();
        let found = if params
            .iter()
            .any(|p| matches!(p, ssis_runner::connections::SqlValue::Null))
        {
            None
        } else {
            if q.conn.is_none() {
                q.conn = Some(q.target.open()?);
            }
            let conn = q.conn.as_mut().ok_or("not connected")?;
            let sets = conn
                .query(&q.sql, &params, q.timeout, &q.target.cancel)
                .map_err(|e| format!("reading the reference data: {}", e.message))?;
            match sets.into_iter().find(|s| !s.columns.is_empty()) {
                Some(set) => match set.rows.first() {
                    None => None,
                    Some(row) => {
                        let mut values = Vec::with_capacity(copies.len());
                        for c in copies {
                            let i = column_index(&set.columns, &c.reference).ok_or_else(|| {
                                format!(
                                    "reference column \"{}\" is not in the result of the reference query",
                                    c.reference
                                )
                            })?;
                            values.push(c.ty.convert(from_sql(&row[i])));
                        }
                        Some(values)
                    }
                },
                None => None,
            }
        };
        if self.mode == Mode::Partial {
            q.memo.insert(k.to_vec(), found.clone());
        }
        Ok(found)
    }

    /// Reads the reference rows into the cache.
    pub(super) fn load(
        &mut self,
        target: &Target,
        sql: &str,
        timeout: Option<std::time::Duration>,
        duplicates_fail: bool,
    ) -> Result<(), String> {
        let mut conn = target.open()?;
        // Column positions, set by the first result set's columns.
        let key_at: RefCell<Vec<usize>> = RefCell::default();
        let copy_at: RefCell<Vec<usize>> = RefCell::default();
        let first = Cell::new(true);
        let mut on_columns = |cols: &[SqlColumn]| -> ssis_core::error::Result<()> {
            if !first.get() {
                return Ok(());
            }
            first.set(false);
            let find = |name: &str| {
                column_index(cols, name).ok_or_else(|| {
                    ssis_core::error::Error::invalid(format!(
                        "reference column \"{name}\" is not in the result of the reference query"
                    ))
                })
            };
            for (_, r, _) in &self.joins {
                key_at.borrow_mut().push(find(r)?);
            }
            for c in &self.copies {
                copy_at.borrow_mut().push(find(&c.reference)?);
            }
            Ok(())
        };
        let cache = &mut self.cache;
        let duplicates = &mut self.duplicates;
        let joins = &self.joins;
        let copies = &self.copies;
        let mut on_row =
            |row: Vec<ssis_runner::connections::SqlValue>| -> ssis_core::error::Result<()> {
                let (key_at, copy_at) = (key_at.borrow(), copy_at.borrow());
                if key_at.len() != joins.len() {
                    return Ok(()); // a later result set
                }
                let mut k = Vec::with_capacity(joins.len());
                for ((_, _, ty), &i) in joins.iter().zip(key_at.iter()) {
                    // A reference value the input column cannot hold matches nothing.
                    match ty.convert(from_sql(&row[i])) {
                        Ok(v) => k.push(key(&v, false)),
                        Err(_) => return Ok(()),
                    }
                }
                if cache.contains_key(&k) {
                    *duplicates += 1;
                    if duplicates_fail {
                        return Err(ssis_core::error::Error::invalid(
                            "the reference data has duplicate keys (TreatDuplicateKeysAsError)",
                        ));
                    }
                    return Ok(());
                }
                let values = copies
                    .iter()
                    .zip(copy_at.iter())
                    .map(|(c, &i)| c.ty.convert(from_sql(&row[i])))
                    .collect();
                cache.insert(k, values);
                Ok(())
            };
        conn.for_each_row(
            sql,
            &[],
            timeout,
            &target.cancel,
            &mut on_columns,
            &mut on_row,
        )
        .map_err(|e| format!("reading the reference data: {}", e.message))?;
        if first.get() {
            return Err("the reference query returned no result set".into());
        }
        target.give_back(conn);
        Ok(())
    }
}
