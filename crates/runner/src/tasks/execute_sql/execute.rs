//! The statement run on its connection (a retained one, or one opened for
//! the task), batch by batch, and its results and output values stored
//! into variables.

use super::bind::{Bound, bind};
use super::statement::{split_batches, statement};
use super::values::from_sql_value;
use super::{Failure, shown};
use crate::connections::{ResultSet, SqlConnection, SqlServerTarget, SqlValue};
use crate::model::{ExecuteSqlSpec, Package, SqlResultType};
use crate::tasks::TaskContext;
use crate::variables::ObjectValue;
use ssis_core::error::ErrorKind;
use std::time::Duration;

fn assign(
    ctx: &mut TaskContext<'_>,
    variable: &str,
    v: &SqlValue,
    what: &str,
) -> Result<(), String> {
    ctx.vars
        .set_value(ctx.scope, variable, from_sql_value(v), false)
        .map_err(|e| format!("{what} into {variable}: {}", e.message))
}

pub(super) fn run_inner(
    spec: &ExecuteSqlSpec,
    pkg: &Package,
    ctx: &mut TaskContext<'_>,
) -> Result<(), Failure> {
    let cm = pkg.connection(&spec.connection).ok_or_else(|| {
        if spec.connection.is_empty() {
            "no connection manager is set".to_string()
        } else {
            format!(
                "the connection manager '{}' does not exist",
                spec.connection
            )
        }
    })?;
    let cs = ctx.connection_string(cm)?;
    let target = SqlServerTarget::of_manager(cm, &cs).map_err(|e| e.message)?;
    let sql = statement(spec, pkg, ctx)?;
    if sql.trim().is_empty() {
        return Err("the SQL statement is empty".to_string().into());
    }
    let bound = bind(spec, &target.kind, &sql, ctx)?;
    let fail = |e| query_failed(&sql, e);
    // RetainSameConnection: the run's connection for this manager, if it
    // is still open and points at the same place.
    let key = if cm.id.is_empty() {
        cm.name.clone()
    } else {
        cm.id.clone()
    };
    let kept = if cm.retain {
        ctx.retained
            .remove(&key)
            .filter(|c| c.is_open() && *c.target() == target)
    } else {
        None
    };
    let mut conn = match kept {
        Some(c) => c,
        None => SqlConnection::open(&target, ctx.cancel).map_err(fail)?,
    };
    let result = run_statements(spec, &sql, &bound, &mut conn, ctx);
    if cm.retain && conn.is_open() {
        ctx.retained.insert(key, conn);
    }
    result?;
    ctx.info(format!(
        "Execute SQL Task: the statement ran on {}",
        target.describe()
    ));
    Ok(())
}

/// How a failure of `sql` ends the task: canceled, or SSIS's message.
fn query_failed(sql: &str, e: ssis_core::Error) -> Failure {
    if e.kind == ErrorKind::Canceled {
        Failure::Canceled
    } else {
        Failure::Query(format!(
            "Executing the query \"{}\" failed with the following error: \"{}\".",
            shown(sql),
            e.message
        ))
    }
}

/// Runs the bound statement on `conn` and stores its results.
fn run_statements(
    spec: &ExecuteSqlSpec,
    sql: &str,
    bound: &Bound,
    conn: &mut SqlConnection,
    ctx: &mut TaskContext<'_>,
) -> Result<(), Failure> {
    let fail = |e| query_failed(sql, e);
    let timeout = (spec.timeout_secs > 0).then(|| Duration::from_secs(spec.timeout_secs));
    // A script with GO lines runs batch by batch, as SSIS does; parameters
    // need a single batch.
    let batches = split_batches(&bound.sql);
    if batches.len() > 1 && !bound.values.is_empty() {
        return Err(Failure::Message(format!(
            "the statement has {} batches (GO lines) and parameters: SSIS binds parameters to a \
             single batch",
            batches.len()
        )));
    }
    let mut sets = Vec::new();
    for batch in &batches {
        sets.extend(
            conn.query(batch, &bound.values, timeout, ctx.cancel)
                .map_err(fail)?,
        );
    }
    if !bound.outputs.is_empty() {
        let out = sets.pop().unwrap_or_default();
        let row = out.rows.into_iter().next().unwrap_or_default();
        for (k, (_, var)) in bound.outputs.iter().enumerate() {
            let v = row.get(k).cloned().unwrap_or(SqlValue::Null);
            assign(ctx, var, &v, "output parameter")?;
        }
    }
    // Result sets with columns (statements like SET NOCOUNT give none).
    let first: Option<ResultSet> = sets.into_iter().find(|s| !s.columns.is_empty());
    match spec.result_type {
        SqlResultType::None => {}
        SqlResultType::SingleRow => {
            let set = first.unwrap_or_default();
            let Some(row) = set.rows.first() else {
                return Err(format!(
                    "Executing the query \"{}\": the result set is Single row, but no rows were returned.",
                    shown(sql)
                )
                .into());
            };
            for b in &spec.results {
                let index = match b.name.parse::<usize>() {
                    Ok(i) => Some(i),
                    Err(_) => set
                        .columns
                        .iter()
                        .position(|c| c.name.eq_ignore_ascii_case(&b.name)),
                };
                let v = index.and_then(|i| row.get(i)).ok_or_else(|| {
                    format!(
                        "result '{}' is not a column of the result (columns: {})",
                        b.name,
                        set.columns
                            .iter()
                            .map(|c| c.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                })?;
                assign(ctx, &b.variable, v, &format!("column '{}'", b.name))?;
            }
        }
        SqlResultType::Full => {
            let set = first.unwrap_or_default();
            for b in &spec.results {
                ctx.vars
                    .set_object(ctx.scope, &b.variable, ObjectValue::Rowset(set.clone()))
                    .map_err(|e| format!("full result set into {}: {}", b.variable, e.message))?;
            }
        }
        SqlResultType::Xml => {
            // FOR XML comes back as rows of one column holding pieces of the document.
            let set = first.unwrap_or_default();
            let xml: String = set
                .rows
                .iter()
                .filter_map(|r| r.first())
                .map(SqlValue::to_text)
                .collect();
            for b in &spec.results {
                ctx.vars
                    .set_text(ctx.scope, &b.variable, &xml, false)
                    .map_err(|e| format!("XML result into {}: {}", b.variable, e.message))?;
            }
        }
    }
    Ok(())
}
