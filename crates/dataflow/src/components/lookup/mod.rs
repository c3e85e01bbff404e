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
//! remembers each key's answer. With a Cache connection manager
//! (`ConnectionType` 1) the full cache holds the rows a Cache Transform
//! wrote to it in an earlier data flow of the run (`cache`).

use super::BuildCtx;
use super::sql::{Target, timeout};
use crate::buffer::Layout;
use crate::model::{Disposition, prop};
use crate::types::{CellError, ColumnType};
use crate::values::Key;
use ssis_runner::expr::Value;
use std::collections::HashMap;

mod cache;
mod reference;
mod rows;

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
        let from_cache = ctx.comp.prop("ConnectionType").map(str::trim) == Some("1");
        if from_cache && mode != Mode::Full {
            return Err(
                "a Cache connection manager serves only the full cache (CacheType 0)".into(),
            );
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
        if from_cache {
            lookup.fill_from_cache(ctx)?;
            return Ok(lookup);
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
}
