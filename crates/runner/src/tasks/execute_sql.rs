//! The Execute SQL Task against SQL Server through an OLE DB, ADO.NET or
//! ODBC connection manager (see [`crate::connections`]): the statement
//! from the task, a variable or a file connection; `?` (OLE DB, ODBC) or
//! `@Name` (ADO.NET) parameters bound to variables, with output and return
//! values; result sets None, Single row (columns into variables), Full
//! (into an Object variable, for a Foreach ADO loop) and XML; `TimeOut`.
//! A failure carries SQL Server's message into OnError.

use super::{TaskContext, TaskOutcome};
use crate::connections::{
    ConnectionKind, ResultSet, SqlConnection, SqlDateTime, SqlServerTarget, SqlValue,
    question_marks_to_named,
};
use crate::expr::{DataType, DateParts, DateTime, Value};
use crate::model::{
    ExecuteSqlSpec, Package, ParamDirection, SqlParameterBinding, SqlResultType, SqlSourceType,
};
use crate::variables::ObjectValue;
use ssis_core::error::ErrorKind;
use std::time::Duration;

/// Runs the task.
pub fn run(spec: &ExecuteSqlSpec, pkg: &Package, ctx: &mut TaskContext<'_>) -> TaskOutcome {
    match run_inner(spec, pkg, ctx) {
        Ok(()) => TaskOutcome::Success,
        Err(Failure::Canceled) => TaskOutcome::Canceled,
        Err(Failure::Message(m)) => TaskOutcome::Failed(m),
        Err(Failure::Query(m)) => TaskOutcome::FailedWith(DTS_E_SQLTASK_ERROREXECUTINGTHEQUERY, m),
    }
}

/// SSIS's code for "Executing the query ... failed".
const DTS_E_SQLTASK_ERROREXECUTINGTHEQUERY: u32 = 0xC002_F210;

enum Failure {
    Canceled,
    Message(String),
    /// The server refused the statement (or the connection to run it).
    Query(String),
}

impl From<String> for Failure {
    fn from(m: String) -> Failure {
        Failure::Message(m)
    }
}

/// The statement as shown in messages: at most 200 characters.
fn shown(sql: &str) -> String {
    let t: String = sql.chars().take(200).collect();
    if t.len() < sql.len() {
        format!("{t}...")
    } else {
        t
    }
}

fn statement(
    spec: &ExecuteSqlSpec,
    pkg: &Package,
    ctx: &TaskContext<'_>,
) -> Result<String, String> {
    match spec.source_type {
        SqlSourceType::DirectInput => Ok(spec.source.clone()),
        SqlSourceType::Variable => ctx
            .var_text(spec.source.trim())
            .map_err(|e| format!("the statement variable: {e}")),
        SqlSourceType::FileConnection => {
            let cm = pkg.connection(&spec.source).ok_or_else(|| {
                format!(
                    "the statement's file connection '{}' does not exist",
                    spec.source
                )
            })?;
            let path = ctx.connection_string(cm)?;
            let bytes = std::fs::read(path.trim())
                .map_err(|e| format!("cannot read the statement file '{}': {e}", path.trim()))?;
            Ok(decode_file(&bytes))
        }
    }
}

/// A statement file as SSDT saves one: UTF-8 (with or without BOM) or UTF-16 LE with BOM.
fn decode_file(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        return String::from_utf16_lossy(&units);
    }
    let b = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    String::from_utf8_lossy(b).into_owned()
}

/// An SSIS value as a parameter.
pub fn to_sql_value(v: &Value) -> SqlValue {
    match v {
        Value::Null(_) => SqlValue::Null,
        Value::Bool(b) => SqlValue::Bool(*b),
        Value::I1(x) => SqlValue::Int(i64::from(*x)),
        Value::I2(x) => SqlValue::Int(i64::from(*x)),
        Value::I4(x) => SqlValue::Int(i64::from(*x)),
        Value::I8(x) => SqlValue::Int(*x),
        Value::UI1(x) => SqlValue::Int(i64::from(*x)),
        Value::UI2(x) => SqlValue::Int(i64::from(*x)),
        Value::UI4(x) => SqlValue::Int(i64::from(*x)),
        Value::UI8(x) => match i64::try_from(*x) {
            Ok(i) => SqlValue::Int(i),
            Err(_) => SqlValue::Decimal {
                mantissa: i128::from(*x),
                scale: 0,
            },
        },
        Value::R4(x) => SqlValue::Float(f64::from(*x)),
        Value::R8(x) => SqlValue::Float(*x),
        Value::Cy(x) => SqlValue::Decimal {
            mantissa: i128::from(*x),
            scale: 4,
        },
        Value::Decimal { mantissa, scale }
        | Value::Numeric {
            mantissa, scale, ..
        } => SqlValue::Decimal {
            mantissa: *mantissa,
            scale: *scale,
        },
        Value::WStr(s) | Value::Str { text: s, .. } => SqlValue::Text(s.to_string()),
        Value::Bytes(b) => SqlValue::Binary(b.clone()),
        Value::DbTime2 { ticks, .. } => SqlValue::DateTime(SqlDateTime {
            year: 1,
            month: 1,
            day: 1,
            hour: (ticks / 36_000_000_000) as u8,
            minute: (ticks / 600_000_000 % 60) as u8,
            second: (ticks / 10_000_000 % 60) as u8,
            nanos: (ticks % 10_000_000) as u32 * 100,
            offset_minutes: None,
        }),
        Value::DbTimestampOffset {
            local,
            offset_minutes,
            ..
        } => SqlValue::DateTime(SqlDateTime {
            offset_minutes: Some(*offset_minutes),
            ..sql_datetime(*local)
        }),
        Value::Date(d)
        | Value::DbDate(d)
        | Value::DbTimestamp(d)
        | Value::DbTimestamp2 { local: d, .. } => SqlValue::DateTime(sql_datetime(*d)),
    }
}

fn sql_datetime(d: DateTime) -> SqlDateTime {
    let p = d.parts();
    SqlDateTime {
        year: p.year as i32,
        month: p.month as u8,
        day: p.day as u8,
        hour: p.hour as u8,
        minute: p.minute as u8,
        second: p.second as u8,
        nanos: p.ticks * 100,
        offset_minutes: None,
    }
}

/// A column value as an SSIS value (assignment then converts it to the
/// variable's type).
pub fn from_sql_value(v: &SqlValue) -> Value {
    match v {
        SqlValue::Null => Value::Null(DataType::WStr),
        SqlValue::Bool(b) => Value::Bool(*b),
        SqlValue::Int(i) => Value::I8(*i),
        SqlValue::Float(f) => Value::R8(*f),
        SqlValue::Decimal { mantissa, scale } if *scale <= 28 => Value::Decimal {
            mantissa: *mantissa,
            scale: *scale,
        },
        SqlValue::Decimal { mantissa, scale } => Value::Numeric {
            mantissa: *mantissa,
            precision: 38,
            scale: *scale,
        },
        SqlValue::DateTime(d) => DateTime::from_parts(DateParts {
            year: i64::from(d.year),
            month: u32::from(d.month),
            day: u32::from(d.day),
            hour: u32::from(d.hour),
            minute: u32::from(d.minute),
            second: u32::from(d.second),
            ticks: d.nanos / 100,
        })
        .map_or_else(|| Value::WStr(d.to_string().into()), Value::Date),
        other => Value::WStr(other.to_text().into()),
    }
}

/// Rewrites ADO.NET `@Name` parameters to `@P<n>` by the order of `names`
/// (outside literals, bracketed names and comments; `@@` globals stay).
fn named_to_positional(sql: &str, names: &[String]) -> String {
    let chars: Vec<char> = sql.chars().collect();
    let mut out = String::with_capacity(sql.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\'' | '"' | '[' => {
                let close = if c == '[' { ']' } else { c };
                out.push(c);
                i += 1;
                while i < chars.len() {
                    out.push(chars[i]);
                    if chars[i] == close {
                        if chars.get(i + 1) == Some(&close) {
                            out.push(close);
                            i += 2;
                            continue;
                        }
                        i += 1;
                        break;
                    }
                    i += 1;
                }
            }
            '-' if chars.get(i + 1) == Some(&'-') => {
                while i < chars.len() && chars[i] != '\n' {
                    out.push(chars[i]);
                    i += 1;
                }
            }
            '@' if chars.get(i + 1) == Some(&'@') => {
                out.push_str("@@");
                i += 2;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    out.push(chars[i]);
                    i += 1;
                }
            }
            '@' => {
                let start = i;
                i += 1;
                while i < chars.len()
                    && (chars[i].is_alphanumeric() || matches!(chars[i], '_' | '#' | '$'))
                {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                match names.iter().position(|n| n.eq_ignore_ascii_case(&word)) {
                    Some(k) => out.push_str(&format!("@P{}", k + 1)),
                    None => out.push_str(&word),
                }
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// Splits a script at `GO` lines (a line holding only `GO`, any case,
/// optionally followed by a count, outside comments): each part is a batch.
/// A `GO n` repeats its batch n times. Empty batches are dropped.
fn split_batches(sql: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_block_comment = false;
    for line in sql.split_inclusive('\n') {
        let t = line.trim();
        if !in_block_comment {
            let mut words = t.split_whitespace();
            if words.next().is_some_and(|w| w.eq_ignore_ascii_case("go")) {
                let rest: Vec<&str> = words.collect();
                let count = match rest.as_slice() {
                    [] => Some(1),
                    [n] => n.parse::<usize>().ok(),
                    _ => None,
                };
                if let Some(n) = count {
                    if !cur.trim().is_empty() {
                        for _ in 0..n.max(1) {
                            out.push(cur.clone());
                        }
                    }
                    cur.clear();
                    continue;
                }
            }
        }
        // Track /* */ across lines (approximately: strings holding /* are rare in scripts).
        let mut rest = line;
        loop {
            if in_block_comment {
                match rest.find("*/") {
                    Some(i) => {
                        in_block_comment = false;
                        rest = &rest[i + 2..];
                    }
                    None => break,
                }
            } else {
                let code = rest.split("--").next().unwrap_or("");
                match code.find("/*") {
                    Some(i) => {
                        in_block_comment = true;
                        rest = &rest[i + 2..];
                    }
                    None => break,
                }
            }
        }
        cur.push_str(line);
    }
    if !cur.trim().is_empty() {
        out.push(cur);
    }
    if out.is_empty() {
        out.push(sql.to_string());
    }
    out
}

/// The statement with parameters as `@P1..`, the values in that order, and
/// the variables that receive output values (by `@P` number).
struct Bound {
    sql: String,
    values: Vec<SqlValue>,
    outputs: Vec<(usize, String)>,
}

/// The kind of value a parameter's `DataType` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Want {
    Int,
    Float,
    Decimal,
    Bool,
    Text,
    DateTime,
    Guid,
    Any,
}

/// What an OLE DB `DBTYPE` or an ADO.NET `DbType` code asks for (ODBC
/// codes, and unknown ones, keep the variable's type).
fn wanted(kind: &ConnectionKind, code: i32) -> Want {
    match kind {
        ConnectionKind::OleDb => match code {
            2 | 3 | 16 | 17 | 18 | 19 | 20 | 21 => Want::Int,
            4 | 5 => Want::Float,
            6 | 14 | 131 => Want::Decimal,
            11 => Want::Bool,
            7 | 133 | 134 | 135 | 145 | 146 => Want::DateTime,
            72 => Want::Guid,
            129 | 130 => Want::Text,
            _ => Want::Any,
        },
        ConnectionKind::AdoNet(_) => match code {
            2 | 10 | 11 | 12 | 14 | 18 | 19 | 20 => Want::Int,
            8 | 15 => Want::Float,
            4 | 7 | 21 => Want::Decimal,
            3 => Want::Bool,
            5 | 6 | 17 | 26 | 27 => Want::DateTime,
            9 => Want::Guid,
            0 | 16 | 22 | 23 | 25 => Want::Text,
            _ => Want::Any,
        },
        _ => Want::Any,
    }
}

/// Converts a variable's value to the parameter's `DataType`, as the
/// provider would; a value that does not convert is an error naming it.
fn coerce(v: SqlValue, want: Want) -> Result<SqlValue, String> {
    use SqlValue as V;
    let text = v.to_text();
    let fail = |what: &str| format!("'{text}' is not {what}");
    Ok(match (want, v) {
        (_, V::Null) => V::Null,
        (Want::Any, v) => v,
        (Want::Text, v) => V::Text(v.to_text()),
        (Want::Int, V::Int(i)) => V::Int(i),
        (Want::Int, V::Bool(b)) => V::Int(i64::from(b)),
        (Want::Int, V::Float(f)) if f.fract() == 0.0 => V::Int(f as i64),
        (Want::Int, _) => V::Int(text.trim().parse().map_err(|_| fail("an integer"))?),
        (Want::Float, V::Int(i)) => V::Float(i as f64),
        (Want::Float, V::Float(f)) => V::Float(f),
        (Want::Float, _) => V::Float(text.trim().parse().map_err(|_| fail("a number"))?),
        (Want::Decimal, V::Int(i)) => V::Decimal {
            mantissa: i128::from(i),
            scale: 0,
        },
        (Want::Decimal, v @ V::Decimal { .. }) => v,
        (Want::Decimal, V::Float(f)) => V::Float(f),
        (Want::Decimal, _) => {
            let t = text.trim();
            let (int, frac) = t.split_once('.').unwrap_or((t, ""));
            let digits = format!("{int}{frac}");
            V::Decimal {
                mantissa: digits.parse().map_err(|_| fail("a decimal number"))?,
                scale: u8::try_from(frac.len()).map_err(|_| fail("a decimal number"))?,
            }
        }
        (Want::Bool, V::Bool(b)) => V::Bool(b),
        (Want::Bool, V::Int(i)) => V::Bool(i != 0),
        (Want::Bool, _) => {
            V::Bool(crate::model::xml_bool(text.trim()).ok_or_else(|| fail("a boolean"))?)
        }
        (Want::DateTime, v @ V::DateTime(_)) => v,
        (Want::DateTime, _) => {
            let d = DateTime::parse(text.trim()).ok_or_else(|| fail("a date"))?;
            to_sql_value(&Value::Date(d))
        }
        (Want::Guid, _) => {
            let t = text.trim().trim_matches(['{', '}']);
            if tiberius::Uuid::parse_str(t).is_err() {
                return Err(fail("a GUID"));
            }
            V::Guid(format!("{{{}}}", t.to_uppercase()))
        }
    })
}

fn bind(
    spec: &ExecuteSqlSpec,
    kind: &ConnectionKind,
    sql: &str,
    ctx: &TaskContext<'_>,
) -> Result<Bound, String> {
    let value_of = |b: &SqlParameterBinding| -> Result<SqlValue, String> {
        let v = match ctx.vars.value(ctx.scope, &b.variable) {
            Ok(Some(v)) => to_sql_value(&v),
            Ok(None) => SqlValue::Null,
            Err(e) => return Err(format!("parameter '{}': {}", b.name, e.message)),
        };
        coerce(v, wanted(kind, b.data_type)).map_err(|m| {
            format!(
                "parameter '{}' ({}, DataType {}): {m}",
                b.name, b.variable, b.data_type
            )
        })
    };
    let mut values = Vec::new();
    let mut outputs = Vec::new();
    let text = match kind {
        ConnectionKind::AdoNet(_) => {
            let mut names = Vec::new();
            for b in &spec.parameters {
                let name = if b.name.starts_with('@') {
                    b.name.clone()
                } else {
                    format!("@{}", b.name)
                };
                values.push(value_of(b)?);
                if b.direction != ParamDirection::Input {
                    outputs.push((names.len() + 1, b.variable.clone()));
                }
                names.push(name);
            }
            if spec.is_stored_procedure {
                // The statement is the procedure's name.
                let ret = spec
                    .parameters
                    .iter()
                    .position(|b| b.direction == ParamDirection::ReturnValue);
                let args: Vec<String> = spec
                    .parameters
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| b.direction != ParamDirection::ReturnValue)
                    .map(|(k, b)| {
                        let out = if b.direction == ParamDirection::Output {
                            " OUTPUT"
                        } else {
                            ""
                        };
                        format!("{} = @P{}{out}", names[k], k + 1)
                    })
                    .collect();
                format!(
                    "EXEC {}{} {}",
                    ret.map_or(String::new(), |k| format!("@P{} = ", k + 1)),
                    sql.trim(),
                    args.join(", ")
                )
            } else {
                named_to_positional(sql, &names)
            }
        }
        _ => {
            let (text, markers) = question_marks_to_named(sql);
            // OLE DB numbers parameters from 0, ODBC from 1.
            let base = usize::from(*kind == ConnectionKind::Odbc);
            let mut by_marker: Vec<Option<&SqlParameterBinding>> = vec![None; markers];
            for b in &spec.parameters {
                let Ok(n) = b.name.trim().parse::<usize>() else {
                    return Err(format!(
                        "parameter name '{}': with an {} connection parameters are named by \
                         their position ({base}, {}, ...)",
                        b.name,
                        if base == 1 { "ODBC" } else { "OLE DB" },
                        base + 1
                    ));
                };
                let slot = n
                    .checked_sub(base)
                    .and_then(|k| by_marker.get_mut(k))
                    .ok_or_else(|| {
                        format!(
                            "parameter '{}' has no '?' in the statement ({markers} marker(s))",
                            b.name
                        )
                    })?;
                *slot = Some(b);
            }
            for (k, slot) in by_marker.iter().enumerate() {
                let b = slot.ok_or_else(|| {
                    format!(
                        "the statement's parameter {} ('?' number {}) is not mapped to a variable",
                        k + base,
                        k + 1
                    )
                })?;
                values.push(value_of(b)?);
                if b.direction != ParamDirection::Input {
                    outputs.push((k + 1, b.variable.clone()));
                }
            }
            text
        }
    };
    let sql = if outputs.is_empty() {
        text
    } else {
        // Output values come back as one more result set.
        let cols: Vec<String> = outputs.iter().map(|(n, _)| format!("@P{n}")).collect();
        format!("{text}\n;SELECT {}", cols.join(", "))
    };
    Ok(Bound {
        sql,
        values,
        outputs,
    })
}

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

fn run_inner(
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
    let fail = |e: ssis_core::Error| -> Failure {
        if e.kind == ErrorKind::Canceled {
            Failure::Canceled
        } else {
            Failure::Query(format!(
                "Executing the query \"{}\" failed with the following error: \"{}\".",
                shown(&sql),
                e.message
            ))
        }
    };
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

/// Runs the bound statement on `conn` and stores its results.
fn run_statements(
    spec: &ExecuteSqlSpec,
    sql: &str,
    bound: &Bound,
    conn: &mut SqlConnection,
    ctx: &mut TaskContext<'_>,
) -> Result<(), Failure> {
    let fail = |e: ssis_core::Error| -> Failure {
        if e.kind == ErrorKind::Canceled {
            Failure::Canceled
        } else {
            Failure::Query(format!(
                "Executing the query \"{}\" failed with the following error: \"{}\".",
                shown(sql),
                e.message
            ))
        }
    };
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_parameters_become_positional() {
        let names = vec!["@Id".to_string(), "@Name".to_string()];
        assert_eq!(
            named_to_positional(
                "UPDATE t SET n = @name, v = '@Id' WHERE id = @ID AND @@ROWCOUNT = 0 -- @Id",
                &names
            ),
            "UPDATE t SET n = @P2, v = '@Id' WHERE id = @P1 AND @@ROWCOUNT = 0 -- @Id"
        );
        assert_eq!(
            named_to_positional("SELECT @Other", &names),
            "SELECT @Other"
        );
    }

    #[test]
    fn values_round_trip_through_sql() {
        let d = DateTime::parse("2024-02-29 10:11:12").unwrap();
        let v = to_sql_value(&Value::Date(d));
        assert_eq!(v.to_text(), "2024-02-29 10:11:12");
        assert_eq!(from_sql_value(&v), Value::Date(d));
        assert_eq!(from_sql_value(&SqlValue::Int(7)), Value::I8(7));
        assert_eq!(
            to_sql_value(&Value::Cy(125_000)),
            SqlValue::Decimal {
                mantissa: 125_000,
                scale: 4
            }
        );
    }

    #[test]
    fn parameters_take_their_data_type() {
        let ole = ConnectionKind::OleDb;
        assert_eq!(
            coerce(SqlValue::Int(7), wanted(&ole, 130)),
            Ok(SqlValue::Text("7".into()))
        );
        assert_eq!(
            coerce(SqlValue::Text(" 12 ".into()), wanted(&ole, 3)),
            Ok(SqlValue::Int(12))
        );
        assert!(
            coerce(SqlValue::Text("x".into()), wanted(&ole, 3))
                .unwrap_err()
                .contains("'x' is not an integer")
        );
        assert_eq!(
            coerce(
                SqlValue::Text("2024-02-29 10:11:12".into()),
                wanted(&ole, 135)
            )
            .unwrap()
            .to_text(),
            "2024-02-29 10:11:12"
        );
        assert_eq!(
            coerce(SqlValue::Text("-12.50".into()), wanted(&ole, 131)),
            Ok(SqlValue::Decimal {
                mantissa: -1250,
                scale: 2
            })
        );
        let ado = ConnectionKind::AdoNet("System.Data.SqlClient.SqlConnection".into());
        assert_eq!(
            coerce(SqlValue::Text("True".into()), wanted(&ado, 3)),
            Ok(SqlValue::Bool(true))
        );
        assert_eq!(
            coerce(SqlValue::Int(5), wanted(&ado, 999)),
            Ok(SqlValue::Int(5))
        );
        assert_eq!(coerce(SqlValue::Null, wanted(&ado, 11)), Ok(SqlValue::Null));
    }

    #[test]
    fn scripts_split_at_go_lines() {
        assert_eq!(
            split_batches(
                "CREATE TABLE t (a int)\nGO\nINSERT t VALUES (1)\ngo 2\nSELECT 1 -- go\n"
            ),
            [
                "CREATE TABLE t (a int)\n",
                "INSERT t VALUES (1)\n",
                "INSERT t VALUES (1)\n",
                "SELECT 1 -- go\n"
            ]
        );
        assert_eq!(
            split_batches("/*\nGO\n*/ SELECT 1\nGOTO x"),
            ["/*\nGO\n*/ SELECT 1\nGOTO x"]
        );
        assert_eq!(split_batches("SELECT 1"), ["SELECT 1"]);
    }

    #[test]
    fn statement_files_in_utf16_and_utf8() {
        let mut b = vec![0xFF, 0xFE];
        for u in "SELECT 1".encode_utf16() {
            b.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(decode_file(&b), "SELECT 1");
        assert_eq!(decode_file(b"\xEF\xBB\xBFSELECT 2"), "SELECT 2");
    }
}
