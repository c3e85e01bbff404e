//! Lookup, full cache: the reference rows of `SqlCommand` (the table SSDT
//! turns into `select * from ...`) on the OLE DB connection are read once,
//! keyed on the reference columns the input columns join to
//! (`JoinToReferenceColumn`; several make a composite key). A row whose key
//! is found gets the reference columns it copies (`CopyFromReferenceColumn`
//! on a match output column, or on an input column it replaces); the first
//! reference row of a key wins. Keys compare as the full cache does: exact
//! text (case and trailing spaces count), numbers by value, NULL matches
//! NULL. A row without a match goes to the no-match output
//! (`NoMatchBehavior` 1) or is an error (0) under the input's
//! `errorRowDisposition`: fail, ignore (matched output, NULL columns) or
//! redirect (error output, ErrorCode 0xC020901E). Partial and no cache
//! (`CacheType` 1, 2) run `SqlCommandParam` for each key instead, its `?`
//! bound from the join columns in `ParameterMap` order, so matching is the
//! server's (its collation; a NULL key matches nothing); partial cache
//! remembers each key's answer. The Cache connection manager is refused.

use super::sql::{Target, column_index, from_sql, timeout};
use super::{BuildCtx, RowError, dispose, error_batch};
use crate::buffer::{Batch, Layout};
use crate::exec::{Component, Out, Report, Step};
use crate::model::{Disposition, prop};
use crate::types::{CellError, ColumnType};
use crate::values::{Key, key};
use ssis_runner::connections::SqlColumn;
use ssis_runner::expr::Value;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;

/// ErrorCode of a row without a match (DTS_E_LOOKUP... "Row yielded no match
/// during lookup").
const NO_MATCH: i32 = 0xC020_901E_u32 as i32;

/// One reference value copied into the buffer.
struct Copy {
    /// The reference column.
    reference: String,
    /// The buffer position replaced (an input column), or None: appended.
    replaces: Option<usize>,
    name: String,
    number: i32,
    ty: ColumnType,
    error: Disposition,
    truncation: Disposition,
}

/// Where reference rows come from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Full,
    Partial,
    NoCache,
}

/// A key's copied values, or none: no match.
type Found = Option<Vec<Result<Value, CellError>>>;

/// Partial and no cache: the query per key.
struct PerKey {
    target: Target,
    sql: String,
    /// Buffer positions of the parameters, in order.
    params: Vec<usize>,
    timeout: Option<std::time::Duration>,
    conn: Option<ssis_runner::connections::SqlConnection>,
    /// Partial cache: the answers so far.
    memo: HashMap<Vec<Key>, Found>,
}

pub struct Lookup {
    mode: Mode,
    per_key: Option<PerKey>,
    /// (buffer position, reference column, the input column's type).
    joins: Vec<(usize, String, ColumnType)>,
    copies: Vec<Copy>,
    /// Key -> the copied values, converted to their columns' types.
    cache: HashMap<Vec<Key>, Vec<Result<Value, CellError>>>,
    duplicates: u64,
    /// The no-match output, when rows without a match go there.
    no_match: Option<usize>,
    /// The input's disposition for a row without a match.
    on_no_match: Disposition,
    main: usize,
    error: Option<(usize, Layout)>,
    input_cols: usize,
    matched: u64,
    unmatched: u64,
}

fn flag(ctx: &BuildCtx, name: &str) -> bool {
    ctx.comp
        .prop(name)
        .and_then(ssis_runner::model::xml_bool)
        .unwrap_or(false)
}

impl Lookup {
    pub fn build(ctx: &BuildCtx) -> Result<Lookup, String> {
        let mode = match ctx.comp.prop("CacheType").map(str::trim) {
            None | Some("0") => Mode::Full,
            Some("1") => Mode::Partial,
            Some("2") => Mode::NoCache,
            Some(t) => return Err(format!("CacheType {t} is not known")),
        };
        if ctx.comp.prop("ConnectionType").map(str::trim) == Some("1") {
            return Err("a Cache connection manager is not supported yet: only an OLE DB connection manager's query is".into());
        }
        let input = ctx.comp.inputs.first().ok_or("it has no input")?;
        let layout = &ctx.inputs[0];
        let outputs = &ctx.comp.outputs;
        let main = outputs
            .iter()
            .position(|o| !o.is_error && !o.name.contains("No Match"))
            .ok_or("it has no match output")?;
        let no_match_out = outputs
            .iter()
            .position(|o| !o.is_error && o.name.contains("No Match"));
        let error = outputs.iter().position(|o| o.is_error);
        let mut joins = Vec::new();
        let mut copies = Vec::new();
        for c in &input.columns {
            let pos = layout
                .find(&c.lineage)
                .ok_or_else(|| format!("input column \"{}\" is not in its input", c.name))?;
            let non_empty = |n: &str| {
                prop(&c.properties, n)
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
            };
            if let Some(r) = non_empty("JoinToReferenceColumn") {
                joins.push((pos, r.to_string(), layout.0[pos].ty.clone()));
            }
            if let Some(r) = non_empty("CopyFromReferenceColumn") {
                copies.push(Copy {
                    reference: r.to_string(),
                    replaces: Some(pos),
                    name: c.name.clone(),
                    number: layout.0[pos].number,
                    ty: layout.0[pos].ty.clone(),
                    error: c.error_disposition,
                    truncation: c.truncation_disposition,
                });
            }
        }
        if joins.is_empty() {
            return Err(
                "no input column is joined to a reference column (JoinToReferenceColumn)".into(),
            );
        }
        for (i, c) in outputs[main].columns.iter().enumerate() {
            let r = prop(&c.properties, "CopyFromReferenceColumn")
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .ok_or_else(|| format!("output column \"{}\" names no reference column", c.name))?;
            copies.push(Copy {
                reference: r.to_string(),
                replaces: None,
                name: c.name.clone(),
                number: ctx.outputs[main].0[layout.0.len() + i].number,
                ty: c.ty.clone(),
                error: c.error_disposition,
                truncation: c.truncation_disposition,
            });
        }
        let no_match_to_output = ctx.comp.prop("NoMatchBehavior").map(str::trim) == Some("1");
        let mut lookup = Lookup {
            mode,
            per_key: None,
            joins,
            copies,
            cache: HashMap::new(),
            duplicates: 0,
            no_match: if no_match_to_output {
                no_match_out
            } else {
                None
            },
            on_no_match: if no_match_to_output {
                Disposition::Ignore
            } else {
                input.error_disposition
            },
            main,
            error: error.map(|e| (e, ctx.outputs[e].clone())),
            input_cols: layout.0.len(),
            matched: 0,
            unmatched: 0,
        };
        if no_match_to_output && no_match_out.is_none() {
            return Err("NoMatchBehavior sends rows to the no match output, which it lacks".into());
        }
        let sql = ctx
            .comp
            .prop("SqlCommand")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or("it has no reference query (SqlCommand)")?
            .to_string();
        let target = Target::of(ctx)?;
        if mode != Mode::Full {
            let text = ctx
                .comp
                .prop("SqlCommandParam")
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .ok_or("partial and no cache need the parameterized query (SqlCommandParam)")?;
            let (sql, markers) = ssis_runner::connections::question_marks_to_named(text);
            // ParameterMap: the join columns' lineage ids in parameter order.
            let mut params = Vec::new();
            for id in ctx.comp.prop("ParameterMap").unwrap_or("").split(';') {
                let id = crate::model::lineage_ref(id);
                if id.is_empty() {
                    continue;
                }
                params.push(layout.find(id).ok_or_else(|| {
                    format!("ParameterMap names column {id}, which is not in the input")
                })?);
            }
            if params.is_empty() {
                params = lookup.joins.iter().map(|j| j.0).collect();
            }
            if params.len() != markers {
                return Err(format!(
                    "SqlCommandParam has {markers} parameter marker(s) for {} join column(s)",
                    params.len()
                ));
            }
            lookup.per_key = Some(PerKey {
                target,
                sql,
                params,
                timeout: timeout(ctx),
                conn: None,
                memo: HashMap::new(),
            });
            return Ok(lookup);
        }
        if !ctx.checking {
            lookup.load(
                &target,
                &sql,
                timeout(ctx),
                flag(ctx, "TreatDuplicateKeysAsError"),
            )?;
        }
        Ok(lookup)
    }

    /// Partial and no cache: the copied values of the row whose join
    /// columns hold `k` (row `r` of `batch`), asking the server.
    fn ask(&mut self, k: &[Key], batch: &Batch, r: usize) -> Result<Found, String> {
        let copies = &self.copies;
        let q = self.per_key.as_mut().ok_or("no reference query")?;
        if let Some(found) = q.memo.get(k) {
            return Ok(found.clone());
        }
        let params: Vec<_> = q
            .params
            .iter()
            .map(|p| super::sql::to_sql(&batch.cols[*p][r]))
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
    fn load(
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
                        col.push(c.ty.null());
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
