//! Parameters bound to variables: `?` markers (OLE DB, ODBC) or `@Name`
//! parameters (ADO.NET, stored procedures too) rewritten to `@P1..` with
//! their values, and the output values collected by a trailing SELECT.

use super::coerce::{coerce, wanted};
use super::values::to_sql_value;
use crate::connections::{ConnectionKind, SqlValue, question_marks_to_named};
use crate::model::{ExecuteSqlSpec, ParamDirection, SqlParameterBinding};
use crate::tasks::TaskContext;

/// The statement with parameters as `@P1..`, the values in that order, and
/// the variables that receive output values (by `@P` number).
pub(super) struct Bound {
    pub(super) sql: String,
    pub(super) values: Vec<SqlValue>,
    pub(super) outputs: Vec<(usize, String)>,
}

pub(super) fn bind(
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

#[cfg(test)]
mod tests {
    use super::named_to_positional;

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
}
