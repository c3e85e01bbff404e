//! What the SQL Server data flow suites share: running `ssis exec`, the
//! statements the TDS test server recorded, and OLE DB Sources and
//! Destinations as SSDT writes them (through `dataflow_pipe`).

use crate::dataflow_pipe::{Comp, Input, OutCol, Output, col, comp, input_col};
use crate::runner_execute_sql::{CM_ID, Log};
use crate::support::tds::Value;

pub use crate::common::exec_process as ssis_exec;

pub fn statements(log: &Log, prefix: &str) -> Vec<(String, Vec<Value>)> {
    log.lock()
        .unwrap()
        .iter()
        .filter(|(s, _)| s.starts_with(prefix))
        .cloned()
        .collect()
}

pub fn with_props(mut c: Comp, props: &[(&'static str, &str)]) -> Comp {
    c.props = props.iter().map(|(n, v)| (*n, v.to_string())).collect();
    c
}

fn ext(mut c: OutCol) -> OutCol {
    c.external = true;
    c
}

/// An OLE DB Source `name` running `sql`, with `cols` (name, type attributes).
pub fn source(name: &'static str, sql: &str, cols: &[(&'static str, &'static str)]) -> Comp {
    let mut c = with_props(
        comp(name, "Microsoft.OLEDBSource", "OLE DB Source"),
        &[("AccessMode", "2"), ("SqlCommand", sql)],
    );
    c.conn = Some(("OleDbConnection", "Sales", CM_ID));
    c.outputs.push(Output {
        name: "OLE DB Source Output",
        is_error: false,
        sync: None,
        cols: cols.iter().map(|(n, ty)| ext(col(n, ty))).collect(),
    });
    c
}

/// An OLE DB Destination `name` inserting row by row into `table`:
/// (upstream column path, input column name, external column, its type).
pub fn destination(
    name: &'static str,
    table: &str,
    cols: &[(String, &'static str, &'static str, &'static str)],
) -> Comp {
    let mut c = with_props(
        comp(name, "Microsoft.OLEDBDestination", "OLE DB Destination"),
        &[("AccessMode", "0"), ("OpenRowset", table)],
    );
    c.conn = Some(("OleDbConnection", "Sales", CM_ID));
    c.inputs.push(Input {
        name: "OLE DB Destination Input",
        error_disp: "FailComponent",
        cols: cols
            .iter()
            .map(|(up, n, e, _)| {
                let mut ic = input_col(up, n);
                ic.external = Some(e);
                ic
            })
            .collect(),
        external: cols.iter().map(|(_, _, e, ty)| (*e, *ty)).collect(),
    });
    c
}
