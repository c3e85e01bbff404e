//! What the SQL Server components share, over the runner's connection
//! layer (`ssis_runner::connections`): the target of the component's OLE DB
//! or ADO.NET connection manager, values to and from SQL Server, the
//! `ParameterMapping` property, and the rows of a query streamed in
//! batches.

use super::BuildCtx;
use ssis_runner::cancel::CancelToken;
use ssis_runner::connections::{SqlColumn, SqlConnection, SqlDateTime, SqlServerTarget, SqlValue};
use ssis_runner::expr::Value;
use ssis_runner::tasks::execute_sql::{from_sql_value, to_sql_value};
use std::time::Duration;

/// Where a component connects, resolved at build time (`None` while only
/// validating: the connection string may come from the run).
pub struct Target {
    /// The server, database and login.
    pub target: Option<SqlServerTarget>,
    /// The connection manager's name, for messages.
    pub manager: String,
    /// The run's cancel token.
    pub cancel: CancelToken,
    /// `RetainSameConnection`: the run's connection of this manager is
    /// taken from `pool` (under `key`) and given back.
    retain: bool,
    key: String,
    pool: Retained,
}

impl Target {
    /// The target of the component's first connection.
    pub fn of(ctx: &BuildCtx) -> Result<Target, String> {
        let cm = ctx.connection()?;
        let target = if ctx.checking {
            None
        } else {
            let cs = (ctx.conn_string)(cm)?;
            Some(SqlServerTarget::of_manager(cm, &cs).map_err(|e| e.message)?)
        };
        Ok(Target {
            target,
            manager: cm.name.clone(),
            cancel: ctx.cancel.clone(),
            retain: cm.retain,
            key: if cm.id.is_empty() {
                cm.name.clone()
            } else {
                cm.id.clone()
            },
            pool: ctx.retained.clone(),
        })
    }

    /// A connection: the run's retained one when the manager retains its
    /// connection and it is still open to the same place, else a new one.
    pub fn open(&self) -> Result<SqlConnection, String> {
        let t = self.target.as_ref().ok_or_else(|| {
            format!(
                "connection manager '{}' was not resolved (validation only)",
                self.manager
            )
        })?;
        if self.retain {
            let kept = self.pool.borrow_mut().remove(&self.key);
            if let Some(c) = kept.filter(|c| c.is_open() && c.target() == t) {
                return Ok(c);
            }
        }
        SqlConnection::open(t, &self.cancel).map_err(|e| e.message)
    }

    /// Gives a connection back for the rest of the run (RetainSameConnection).
    pub fn give_back(&self, conn: SqlConnection) {
        if self.retain && conn.is_open() {
            self.pool.borrow_mut().insert(self.key.clone(), conn);
        }
    }
}

/// The run's retained connections by connection manager (DTSID or name),
/// shared with the control flow's tasks (Execute SQL).
pub type Retained =
    std::rc::Rc<std::cell::RefCell<std::collections::HashMap<String, SqlConnection>>>;

/// A SQL Server value as a pipeline value (then converted to the column's
/// type): binary (varbinary, image) as DT_BYTES, datetimeoffset as
/// DT_DBTIMESTAMPOFFSET, the others as Execute SQL reads them.
pub fn from_sql(v: &SqlValue) -> Value {
    match v {
        SqlValue::Binary(b) => Value::Bytes(b.clone()),
        SqlValue::DateTime(d) if d.offset_minutes.is_some() => {
            match from_sql_value(&SqlValue::DateTime(SqlDateTime {
                offset_minutes: None,
                ..*d
            })) {
                Value::Date(local) => Value::DbTimestampOffset {
                    local,
                    offset_minutes: d.offset_minutes.unwrap_or(0),
                    scale: 7,
                },
                other => other,
            }
        }
        other => from_sql_value(other),
    }
}

/// A pipeline value as a SQL Server parameter.
pub fn to_sql(v: &Value) -> SqlValue {
    to_sql_value(v)
}

/// `CommandTimeout` in seconds (0: none).
pub fn timeout(ctx: &BuildCtx) -> Option<Duration> {
    ctx.comp
        .prop("CommandTimeout")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|s| *s > 0)
        .map(Duration::from_secs)
}

/// The variables of `ParameterMapping` (`"Parameter0:Input",{DTSID};...`),
/// by parameter order, as qualified names.
pub fn parameter_variables(ctx: &BuildCtx) -> Result<Vec<String>, String> {
    let text = ctx.comp.prop("ParameterMapping").unwrap_or("");
    let mut params: Vec<(usize, String)> = Vec::new();
    for (i, item) in text.split(';').map(str::trim).enumerate() {
        if item.is_empty() {
            continue;
        }
        let (name, id) = item.rsplit_once(',').ok_or_else(|| {
            format!("ParameterMapping entry '{item}' is not \"name:Input\",{{id}}")
        })?;
        let name = name.trim().trim_matches('"');
        let (name, dir) = name.rsplit_once(':').unwrap_or((name, "Input"));
        if !dir.eq_ignore_ascii_case("Input") {
            return Err(format!(
                "parameter '{name}' has direction {dir}: only Input parameters are supported"
            ));
        }
        let var = ctx.pkg.variable_by_id(id.trim()).ok_or_else(|| {
            format!(
                "parameter '{name}' is mapped to variable {}, which the package does not declare",
                id.trim()
            )
        })?;
        // "Parameter0", "Parameter1": by number; other names by position.
        let order = name
            .strip_prefix("Parameter")
            .and_then(|n| n.parse().ok())
            .unwrap_or(i);
        params.push((order, var.qualified_name()));
    }
    params.sort_by_key(|p| p.0);
    Ok(params.into_iter().map(|p| p.1).collect())
}

/// The values of `vars` now, as parameters.
pub fn parameter_values(ctx: &BuildCtx, vars: &[String]) -> Result<Vec<SqlValue>, String> {
    vars.iter()
        .map(|v| {
            (ctx.var)(v)
                .map(|x| to_sql(&x))
                .ok_or_else(|| format!("the parameter variable {v} does not exist"))
        })
        .collect()
}

/// Finds `name` among the result columns: exactly, else ignoring case.
pub fn column_index(cols: &[SqlColumn], name: &str) -> Option<usize> {
    cols.iter()
        .position(|c| c.name == name)
        .or_else(|| cols.iter().position(|c| c.name.eq_ignore_ascii_case(name)))
}

/// A table name as `[schema].[name]`: its parts bare, `[bracketed]` or
/// `"quoted"` (as the ADO.NET components write them), split at the dots
/// outside brackets and quotes.
pub fn quote_name(name: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut chars = name.trim().chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '[' | '"' => {
                let close = if c == '[' { ']' } else { '"' };
                while let Some(d) = chars.next() {
                    if d == close {
                        if chars.peek() == Some(&close) {
                            chars.next();
                        } else {
                            break;
                        }
                    }
                    cur.push(d);
                }
            }
            '.' => parts.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    parts.push(cur);
    parts
        .iter()
        .map(|p| format!("[{}]", p.trim().replace(']', "]]")))
        .collect::<Vec<_>>()
        .join(".")
}

/// The words and punctuation of a SQL command: a bracketed or quoted
/// name and a dotted name are one word; `(`, `)`, `,` and `;` stand alone.
fn sql_tokens(sql: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut cur = String::new();
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '[' | '"' => {
                let close = if c == '[' { ']' } else { '"' };
                cur.push(c);
                while let Some(d) = chars.next() {
                    cur.push(d);
                    if d == close {
                        if chars.peek() == Some(&close) {
                            cur.push(close);
                            chars.next();
                        } else {
                            break;
                        }
                    }
                }
            }
            '(' | ')' | ',' | ';' => {
                if !cur.is_empty() {
                    tokens.push(std::mem::take(&mut cur));
                }
                tokens.push(c.to_string());
            }
            c if c.is_whitespace() => {
                if !cur.is_empty() {
                    tokens.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        tokens.push(cur);
    }
    tokens
}

/// The table an OLE DB Destination's SQL command (`AccessMode` 2) selects
/// from, as `[schema].[name]`: SSIS inserts into that query's rowset, so
/// the command must be a SELECT from one table or view (a WHERE or ORDER
/// BY may follow; joins, several tables, subqueries and unions cannot be
/// inserted into).
pub fn command_table(sql: &str) -> Result<String, String> {
    let tokens = sql_tokens(sql);
    let is = |t: &str, w: &str| t.eq_ignore_ascii_case(w);
    let not_one = |why: &str| {
        format!(
            "the SQL command \"{}\" is not a SELECT from one table or view ({why}), so rows cannot be inserted into it",
            sql.trim()
        )
    };
    if !tokens.first().is_some_and(|t| is(t, "select")) {
        return Err(not_one("it does not start with SELECT"));
    }
    let mut depth = 0;
    let mut from = None;
    for (i, t) in tokens.iter().enumerate() {
        match t.as_str() {
            "(" => depth += 1,
            ")" => depth -= 1,
            _ if depth == 0 && is(t, "from") => {
                from = Some(i);
                break;
            }
            _ => {}
        }
    }
    let from = from.ok_or_else(|| not_one("it has no FROM"))?;
    let table = tokens
        .get(from + 1)
        .filter(|t| !matches!(t.as_str(), "(" | ")" | "," | ";") && !t.starts_with('@'))
        .ok_or_else(|| not_one("FROM names no table"))?;
    let mut depth = 0;
    for t in &tokens[from + 2..] {
        match t.as_str() {
            "(" => depth += 1,
            ")" => depth -= 1,
            "," if depth == 0 => return Err(not_one("it names several tables")),
            _ if ["join", "apply", "union", "except", "intersect"]
                .iter()
                .any(|w| is(t, w)) =>
            {
                return Err(not_one(&format!("it has {}", t.to_ascii_uppercase())));
            }
            _ => {}
        }
    }
    Ok(quote_name(table))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_command_names_its_one_table() {
        assert_eq!(
            command_table("SELECT * FROM dbo.Target").unwrap(),
            "[dbo].[Target]"
        );
        assert_eq!(
            command_table(
                "select Id, [Na,me] from [dbo].[T t] AS x where Id > (select 1) order by Id;"
            )
            .unwrap(),
            "[dbo].[T t]"
        );
        for bad in [
            "SELECT * FROM a JOIN b ON a.Id = b.Id",
            "SELECT * FROM a, b",
            "SELECT * FROM (SELECT 1 AS x) q",
            "EXEC dbo.Load",
            "SELECT 1",
            "SELECT * FROM a UNION SELECT * FROM b",
        ] {
            let e = command_table(bad).unwrap_err();
            assert!(e.contains("not a SELECT from one table"), "{bad}: {e}");
        }
    }

    #[test]
    fn names_are_bracketed_once() {
        assert_eq!(quote_name("dbo.Orders"), "[dbo].[Orders]");
        assert_eq!(quote_name("[dbo].[Or]]ders]"), "[dbo].[Or]]ders]");
        assert_eq!(quote_name("a]b"), "[a]]b]");
        assert_eq!(quote_name("\"dbo\".\"Price.Copy\""), "[dbo].[Price.Copy]");
    }
}
