//! The test server's answer to the data flow's table description (the
//! columns of `OBJECT_ID(@P1)` from `sys.columns`, which validation asks
//! before a run), from the tables a suite declares.

use super::tds::{ColType, DONE_COUNT, DONE_MORE, Tokens, Value};

/// A table column: name, base type name, `max_length` (bytes, -1 for
/// `(max)`), `precision`, `scale`.
pub type TableColumn = (&'static str, &'static str, i64, i64, i64);

/// A table: its name as `OBJECT_ID` receives it (`[dbo].[Sales]`), its columns.
pub type Table = (&'static str, &'static [TableColumn]);

/// Whether `sql` is the table description.
pub fn is_describe(sql: &str) -> bool {
    sql.starts_with("SELECT col.name, TYPE_NAME(col.system_type_id)")
}

/// Answers the table description from `tables` (no rows for an unknown
/// table, as `OBJECT_ID` gives NULL); false when `sql` is something else.
pub fn answer(sql: &str, params: &[(String, Value)], t: &mut Tokens, tables: &[Table]) -> bool {
    if !is_describe(sql) {
        return false;
    }
    let name = params.first().and_then(|p| p.1.as_text()).unwrap_or("");
    let cols: &[TableColumn] = tables
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, c)| *c)
        .unwrap_or(&[]);
    let text = ColType::NVarChar(128);
    t.col_metadata(&[
        ("name", text),
        ("", text),
        ("max_length", ColType::Int),
        ("precision", ColType::Int),
        ("scale", ColType::Int),
    ]);
    for (n, ty, len, precision, scale) in cols {
        let (n, ty) = (Value::Text((*n).into()), Value::Text((*ty).into()));
        t.row(&[
            (&n, text),
            (&ty, text),
            (&Value::Int(*len), ColType::Int),
            (&Value::Int(*precision), ColType::Int),
            (&Value::Int(*scale), ColType::Int),
        ]);
    }
    t.done_in_proc(DONE_MORE | DONE_COUNT, 0xC1, cols.len() as u64);
    true
}
