//! The tables a suite declares on the test server ([`TestServer::tables`])
//! and the server's answers to the two `sys.columns` questions asked about
//! them: the data flow's validation (name, type, `max_length`, precision,
//! scale: `ssis_dataflow::external::DESCRIBE`) and the fast load's (name,
//! type, scale, `is_identity`, `is_computed`, `max_length`,
//! `default_object_id`). An undeclared table has no rows, as `OBJECT_ID`
//! gives NULL for it.
//!
//! [`TestServer::tables`]: super::TestServer::tables

use super::tds::{ColType, DONE_COUNT, DONE_MORE, Tokens, Value};

/// A table column as `sys.columns` describes it.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// Its name.
    pub name: &'static str,
    /// The base type's name (`int`, `nvarchar`, ...).
    pub ty: &'static str,
    /// Bytes (`nvarchar(10)`: 20), -1 for `(max)`.
    pub max_length: i64,
    /// Precision (numbers, dates).
    pub precision: i64,
    /// Scale (decimals, fractional seconds).
    pub scale: i64,
    /// An identity column (the fast load leaves it out).
    pub identity: bool,
    /// It has a default.
    pub default: bool,
}

/// A plain column.
pub const fn column(
    name: &'static str,
    ty: &'static str,
    max_length: i64,
    precision: i64,
    scale: i64,
) -> Column {
    Column {
        name,
        ty,
        max_length,
        precision,
        scale,
        identity: false,
        default: false,
    }
}

impl Column {
    /// The same column as an identity.
    pub const fn identity(self) -> Column {
        Column {
            identity: true,
            ..self
        }
    }

    /// The same column with a default.
    pub const fn with_default(self) -> Column {
        Column {
            default: true,
            ..self
        }
    }
}

/// A table: its name as `OBJECT_ID` receives it (`[dbo].[Sales]`), its columns.
pub type Table = (&'static str, &'static [Column]);

/// The validation's question (`ssis_dataflow::external::DESCRIBE`).
const DESCRIBE: &str = "SELECT col.name, TYPE_NAME(col.system_type_id)";
/// The fast load's question (`SqlConnection::table_columns`).
const BULK_COLUMNS: &str = "SELECT c.name, TYPE_NAME(c.system_type_id)";

/// Whether `sql` is the validation's table description.
pub fn is_describe(sql: &str) -> bool {
    sql.starts_with(DESCRIBE)
}

/// Answers either question from `tables`; false when `sql` is neither.
pub fn answer(sql: &str, params: &[(String, Value)], t: &mut Tokens, tables: &[Table]) -> bool {
    let describe = is_describe(sql);
    if !describe && !sql.starts_with(BULK_COLUMNS) {
        return false;
    }
    let name = params.first().and_then(|p| p.1.as_text()).unwrap_or("");
    let cols: &[Column] = tables
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, c)| *c)
        .unwrap_or(&[]);
    let text = ColType::NVarChar(128);
    let int = ColType::Int;
    if describe {
        t.col_metadata(&[
            ("name", text),
            ("", text),
            ("max_length", int),
            ("precision", int),
            ("scale", int),
        ]);
    } else {
        t.col_metadata(&[
            ("name", text),
            ("", text),
            ("scale", int),
            ("is_identity", int),
            ("is_computed", int),
            ("max_length", int),
            ("default_object_id", int),
        ]);
    }
    for c in cols {
        let (n, ty) = (Value::Text(c.name.into()), Value::Text(c.ty.into()));
        let v = Value::Int;
        let cells = if describe {
            vec![v(c.max_length), v(c.precision), v(c.scale)]
        } else {
            vec![
                v(c.scale),
                v(i64::from(c.identity)),
                v(0),
                v(c.max_length),
                v(i64::from(c.default) * 901),
            ]
        };
        let mut row = vec![(&n, text), (&ty, text)];
        row.extend(cells.iter().map(|c| (c, int)));
        t.row(&row);
    }
    t.done_in_proc(DONE_MORE | DONE_COUNT, 0xC1, cols.len() as u64);
    true
}
