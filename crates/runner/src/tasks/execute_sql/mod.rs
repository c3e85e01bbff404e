//! The Execute SQL Task against SQL Server through an OLE DB, ADO.NET or
//! ODBC connection manager (see [`crate::connections`]): the statement
//! from the task, a variable or a file connection; `?` (OLE DB, ODBC) or
//! `@Name` (ADO.NET) parameters bound to variables, with output and return
//! values; result sets None, Single row (columns into variables), Full
//! (into an Object variable, for a Foreach ADO loop) and XML; `TimeOut`.
//! A failure carries SQL Server's message into OnError.

mod bind;
mod coerce;
mod execute;
mod statement;
mod values;

pub use values::{from_sql_value, to_sql_value};

use super::{TaskContext, TaskOutcome};
use crate::model::{ExecuteSqlSpec, Package};
use execute::run_inner;

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
