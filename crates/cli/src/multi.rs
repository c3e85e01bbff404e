//! `--server a,b,c` for the list commands (`ps`, `history`, `events`,
//! `folder list`, `package list`): every server is asked in parallel, each
//! row is labelled with its server, and a server that fails gives an error
//! row (the command still succeeds unless every server failed). A row that
//! reports a top-level folder a server could not list (`package list`) is an
//! error row too, and makes the exit code 2.

use super::output::{Out, print_table};
use serde::Serialize;
use ssis_client::{Items, Labeled, MultiSession, Session};
use ssis_core::error::Result;

/// Whether `server` names several servers.
pub fn is_multi(server: Option<&str>) -> bool {
    server.is_some_and(|s| s.contains(','))
}

/// Asks every server of `spec`, prints labelled rows; `cells` makes a
/// row's columns (after the server's); `unavailable` picks out rows that
/// report a folder which could not be listed. Exit 0 when at least one server
/// answered and nothing was unavailable, 2 when something was, 1 when no
/// server answered.
pub fn list<T, F, C, U>(
    spec: &str,
    out: Out,
    header: &[&str],
    op: F,
    cells: C,
    unavailable: U,
) -> Result<i32>
where
    T: Serialize + Send,
    F: Fn(&Session) -> Result<Items<T>> + Sync,
    C: Fn(&T) -> Vec<String>,
    U: Fn(&T) -> Option<&ssis_core::error::Error>,
{
    let servers = ssis_client::split_servers(spec);
    let multi = MultiSession::connect(&servers, None);
    let rows: Items<Labeled<T>> = multi.rows(op);
    let failed: Vec<&str> = rows
        .items
        .iter()
        .filter(|r| r.error.is_some())
        .map(|r| r.server.as_str())
        .collect();
    let all_failed = !servers.is_empty() && failed.len() == servers.len();
    let partial = rows
        .items
        .iter()
        .any(|r| r.item.as_ref().is_some_and(|i| unavailable(i).is_some()));
    out.emit(&rows, || {
        let mut full = vec!["Server"];
        full.extend_from_slice(header);
        let table: Vec<Vec<String>> = rows
            .items
            .iter()
            .filter_map(|r| {
                let item = r.item.as_ref().filter(|i| unavailable(i).is_none())?;
                let mut row = vec![r.server.clone()];
                row.extend(cells(item));
                Some(row)
            })
            .collect();
        print_table(&full, &table);
        // Error rows under the table, one per server that gave no rows.
        for r in &rows.items {
            if let Some(e) = &r.error {
                println!("{}: error: {e}", r.server);
            }
            if let Some(e) = r.item.as_ref().and_then(&unavailable) {
                println!("{}: error: {e}", r.server);
            }
        }
    });
    Ok(if all_failed {
        1
    } else if partial {
        crate::output::PARTIAL_EXIT
    } else {
        0
    })
}

/// The columns of an execution row (as `ssis ps` prints them).
pub fn execution_cells(e: &ssis_core::protocol::executions::Execution) -> Vec<String> {
    vec![
        e.package_path
            .clone()
            .or(e.package_file.clone())
            .unwrap_or_else(|| e.package_name.clone()),
        e.execution_id.clone(),
        e.started_by.clone(),
        e.origin.name().to_string(),
        e.executor.clone().unwrap_or_default(),
        e.start_time.clone(),
        format!("{:.1} s", e.duration),
        e.status.to_string(),
        e.current_task.clone().unwrap_or_default(),
    ]
}

/// The header of [`execution_cells`].
pub const EXECUTION_HEADER: [&str; 9] = [
    "Package",
    "Execution Id",
    "Started By",
    "Origin",
    "Executor",
    "Start Time",
    "Duration",
    "Status",
    "Current Task",
];
