//! Validation against the connection, as SSIS validates before a run: the
//! OLE DB and ADO.NET Sources and Destinations that name a table or view
//! (not a SQL command) ask SQL Server for the table's columns, one round
//! trip per component (`sys.columns`), and every external column the
//! package names is checked against them. A column the table lacks, or a
//! type that cannot hold the column's values, is an error naming the
//! component, the column and both types; a length that could truncate is
//! a warning, with SSIS's wording for destinations. A component with
//! `validateExternalMetadata` False is not checked. When the server cannot
//! answer the description itself (an error other than a missing table) the
//! component is not checked and a warning says why.

mod compat;

use crate::components::{self, Kind};
use crate::model::{Component, Pipeline};
use crate::types::ColumnType;
use compat::{TableColumn, column_cannot_hold, package_length, table_cannot_hold};
use ssis_runner::cancel::CancelToken;
use ssis_runner::connections::{SqlConnection, SqlServerTarget, SqlValue};
use ssis_runner::expr::Value;
use ssis_runner::model::{ConnectionManager, Package};
use std::collections::HashMap;

/// The query describing a table's columns; `@P1` is the table's name.
pub const DESCRIBE: &str = "SELECT col.name, TYPE_NAME(col.system_type_id), col.max_length, \
     col.precision, col.scale FROM sys.columns AS col WHERE col.object_id = OBJECT_ID(@P1) \
     ORDER BY col.column_id";

/// What validation found.
#[derive(Debug, Default)]
pub struct Findings {
    /// Problems that stop the run.
    pub errors: Vec<String>,
    /// OnWarning messages.
    pub warnings: Vec<String>,
}

/// What validation needs from the run.
pub struct Env<'a> {
    /// A variable's value by name (table names from variables).
    pub var: &'a dyn Fn(&str) -> Option<Value>,
    /// A connection manager's connection string after its expressions.
    pub conn_string: &'a dyn Fn(&ConnectionManager) -> Result<String, String>,
    /// The run's cancel token.
    pub cancel: CancelToken,
    /// The run's retained connections (RetainSameConnection), lent out.
    pub retained: components::Retained,
}

/// Source or destination.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Source,
    Destination,
}

/// Checks every table-mode SQL Server source and destination of `p`
/// against its table, and that those of a SQL command can connect.
pub fn check(p: &Pipeline, pkg: &Package, env: &Env) -> Findings {
    let mut found = Findings::default();
    // One connection per manager for the whole check.
    let mut pool: HashMap<String, SqlConnection> = HashMap::new();
    let types: HashMap<&str, &ColumnType> = p
        .components
        .iter()
        .flat_map(|c| &c.outputs)
        .flat_map(|o| &o.columns)
        .map(|c| (c.lineage.as_str(), &c.ty))
        .collect();
    for c in p.components.iter().filter(|c| c.validate_external) {
        let kind = components::identify(c);
        let (role, ado) = match kind {
            Ok(Kind::OleDbSource) => (Role::Source, false),
            Ok(Kind::AdoNetSource) => (Role::Source, true),
            Ok(Kind::OleDbDestination | Kind::SqlServerDestination) => (Role::Destination, false),
            Ok(Kind::AdoNetDestination) => (Role::Destination, true),
            _ => continue,
        };
        // Problems with the settings themselves are the build's to report.
        let table = match kind {
            Ok(Kind::SqlServerDestination) => c
                .prop("BulkInsertTableName")
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string),
            _ => table_of(c, role, ado, env),
        };
        let Some(cm) = c
            .connections
            .first()
            .and_then(|r| pkg.connection(&r.manager))
        else {
            continue;
        };
        let Some(target) = (env.conn_string)(cm)
            .ok()
            .and_then(|cs| SqlServerTarget::of_manager(cm, &cs).ok())
        else {
            continue;
        };
        let Some(table) = table else {
            // A SQL command: no table to compare, but the connection must
            // open, as SSIS's validation connects to prepare the command
            // (a retained connection is the run's to open, once).
            if cm.retain {
                continue;
            }
            if let Err(Describe::Refused(why)) =
                connection(cm, &target, env, &mut pool).map(|conn| keep(cm, conn, env, &mut pool))
            {
                found
                    .errors
                    .push(format!("component \"{}\": {why}", c.name));
            }
            continue;
        };
        let table = components::quote_name(&table);
        match describe(cm, &target, &table, env, &mut pool) {
            Err(Describe::Refused(why)) => found
                .errors
                .push(format!("component \"{}\": {why}", c.name)),
            Err(Describe::Unanswered(why)) => found.warnings.push(format!(
                "{}: the columns of {table} could not be read to validate the component: {why}",
                c.name
            )),
            Ok(cols) if cols.is_empty() => found.errors.push(format!(
                "component \"{}\": table or view {table} does not exist on the server (no columns)",
                c.name
            )),
            Ok(cols) => compare(c, role, &table, &cols, &types, &mut found),
        }
    }
    found
}

/// The table a component in table mode names; None in SQL command mode
/// or when its settings are wrong (the build reports those).
fn table_of(c: &Component, role: Role, ado: bool, env: &Env) -> Option<String> {
    let prop = |n: &str| c.prop(n).unwrap_or("").trim().to_string();
    let from_var = |n: &str| (env.var)(&prop(n)).map(|v| v.to_string());
    let mode = c.access_mode();
    let table = match (role, ado, mode) {
        (Role::Destination, true, _) | (Role::Source, true, "0") => Some(prop("TableOrViewName")),
        (_, false, "0") | (Role::Destination, false, "3") => Some(prop("OpenRowset")),
        (_, false, "1") | (Role::Destination, false, "4") => from_var("OpenRowsetVariable"),
        _ => None,
    }?;
    (!table.trim().is_empty()).then_some(table)
}

enum Describe {
    /// The run cannot go on (no connection).
    Refused(String),
    /// The server did not answer the description.
    Unanswered(String),
}

/// The key `cm`'s connection is kept under.
fn pool_key(cm: &ConnectionManager) -> &String {
    if cm.id.is_empty() { &cm.name } else { &cm.id }
}

/// The run's retained connection of `cm` when it retains one, else the
/// check's connection of `cm` (in `pool`), else a new one.
fn connection(
    cm: &ConnectionManager,
    target: &SqlServerTarget,
    env: &Env,
    pool: &mut HashMap<String, SqlConnection>,
) -> Result<SqlConnection, Describe> {
    let key = pool_key(cm);
    let kept = if cm.retain {
        env.retained.borrow_mut().remove(key)
    } else {
        pool.remove(key)
    }
    .filter(|c| c.is_open() && c.target() == target);
    match kept {
        Some(c) => Ok(c),
        None => SqlConnection::open(target, &env.cancel).map_err(|e| Describe::Refused(e.message)),
    }
}

/// Gives `conn` back to where [`connection`] took it from, if still open.
fn keep(
    cm: &ConnectionManager,
    conn: SqlConnection,
    env: &Env,
    pool: &mut HashMap<String, SqlConnection>,
) {
    if conn.is_open() {
        let key = pool_key(cm).clone();
        if cm.retain {
            env.retained.borrow_mut().insert(key, conn);
        } else {
            pool.insert(key, conn);
        }
    }
}

/// The table's columns, through the run's retained connection of `cm`
/// when it retains one, else the check's connection of `cm` (in `pool`).
fn describe(
    cm: &ConnectionManager,
    target: &SqlServerTarget,
    table: &str,
    env: &Env,
    pool: &mut HashMap<String, SqlConnection>,
) -> Result<Vec<TableColumn>, Describe> {
    let mut conn = connection(cm, target, env, pool)?;
    let answer = conn.query(
        DESCRIBE,
        &[SqlValue::Text(table.to_string())],
        None,
        &env.cancel,
    );
    keep(cm, conn, env, pool);
    let sets = answer.map_err(|e| Describe::Unanswered(e.message))?;
    let rows = sets.into_iter().next().map(|s| s.rows).unwrap_or_default();
    let text = |v: &SqlValue| v.to_text();
    let int = |v: &SqlValue| match v {
        SqlValue::Int(n) => *n,
        other => other.to_text().trim().parse().unwrap_or(0),
    };
    Ok(rows
        .iter()
        .filter(|r| r.len() >= 5)
        .map(|r| TableColumn {
            name: text(&r[0]),
            type_name: text(&r[1]),
            max_length: int(&r[2]),
            precision: int(&r[3]),
            scale: int(&r[4]),
        })
        .collect())
}

fn find<'a>(cols: &'a [TableColumn], name: &str) -> Option<&'a TableColumn> {
    cols.iter()
        .find(|c| c.name == name)
        .or_else(|| cols.iter().find(|c| c.name.eq_ignore_ascii_case(name)))
}

/// The component's external columns against the table's.
fn compare(
    c: &Component,
    role: Role,
    table: &str,
    cols: &[TableColumn],
    types: &HashMap<&str, &ColumnType>,
    found: &mut Findings,
) {
    let name = &c.name;
    let externals: Vec<_> = match role {
        Role::Source => c
            .outputs
            .iter()
            .filter(|o| !o.is_error)
            .flat_map(|o| &o.external)
            .collect(),
        Role::Destination => c.inputs.iter().flat_map(|i| &i.external).collect(),
    };
    for e in externals {
        let Some(t) = find(cols, &e.name) else {
            found.errors.push(format!(
                "component \"{name}\": external column \"{}\" ({}) is not a column of {table}",
                e.name,
                e.ty.describe()
            ));
            continue;
        };
        // A destination holds what the data flow column mapped to it carries.
        let (column, ty) = match role {
            Role::Source => (e.name.as_str(), &e.ty),
            Role::Destination => c
                .inputs
                .iter()
                .flat_map(|i| &i.columns)
                .find(|ic| !ic.external.is_empty() && ic.external == e.key)
                .map(|ic| {
                    (
                        ic.name.as_str(),
                        *types.get(ic.lineage.as_str()).unwrap_or(&&e.ty),
                    )
                })
                .unwrap_or((e.name.as_str(), &e.ty)),
        };
        let refused = match role {
            Role::Source => column_cannot_hold(t, ty),
            Role::Destination => table_cannot_hold(t, ty),
        };
        if let Some(why) = refused {
            found.errors.push(format!(
                "component \"{name}\": column \"{column}\" is {} in the package but {} in {table}: {why}",
                ty.describe(),
                t.describe()
            ));
            continue;
        }
        let (Some(have), Some(limit)) = (package_length(ty), t.length()) else {
            continue;
        };
        match role {
            Role::Destination if have > limit => found.warnings.push(format!(
                "{name}: Truncation may occur due to inserting data from data flow column \"{column}\" \
                 with a length of {have} to database column \"{}\" with a length of {limit}.",
                t.name
            )),
            Role::Source if limit > have => found.warnings.push(format!(
                "{name}: column \"{}\" of {table} is {}, longer than the package's {}: values may be truncated.",
                t.name,
                t.describe(),
                ty.describe()
            )),
            _ => {}
        }
    }
}
