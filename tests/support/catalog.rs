//! The tables a suite declares on the test server ([`TestServer::tables`])
//! and the server's answers to the two `sys.columns` questions asked about
//! them: the data flow's validation (name, type, `max_length`, precision,
//! scale: `ssis_dataflow::external::DESCRIBE`) and the fast load's (name,
//! type, scale, `is_identity`, `is_computed`, `max_length`, `is_nullable`).
//! An undeclared table has no
//! rows, as `OBJECT_ID` gives NULL for it. Also the bulk load's own
//! question, `SELECT TOP 0 [a], [b] FROM [dbo].[T]` (or `*`): the columns'
//! metadata, identity columns read-only. And an `INSERT ... VALUES` that
//! puts NULL into a NOT NULL column (a NULL parameter, or `DEFAULT` where
//! the column has no default) is refused with SQL Server's error 515.
//!
//! [`TestServer::tables`]: super::TestServer::tables

use super::tds::{
    ColType, DONE_COUNT, DONE_MORE, FLAG_IDENTITY, FLAG_NULLABLE, FLAG_UPDATEABLE, Tokens, Value,
};

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
    /// An identity column (loaded only when identity values are kept).
    pub identity: bool,
    /// NOT NULL (identity columns are, too).
    pub not_null: bool,
    /// It has a default (a `DEFAULT` puts it; without one, NULL).
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
        not_null: false,
        default: false,
    }
}

impl Column {
    /// The same column as an identity.
    pub const fn identity(self) -> Column {
        Column {
            identity: true,
            not_null: true,
            ..self
        }
    }

    /// The same column NOT NULL.
    pub const fn not_null(self) -> Column {
        Column {
            not_null: true,
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
            ("is_nullable", int),
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
                v(i64::from(!c.not_null)),
            ]
        };
        let mut row = vec![(&n, text), (&ty, text)];
        row.extend(cells.iter().map(|c| (c, int)));
        t.row(&row);
    }
    t.done_in_proc(DONE_MORE | DONE_COUNT, 0xC1, cols.len() as u64);
    true
}

/// How the server describes `c` in COLMETADATA.
fn col_type(c: &Column) -> ColType {
    match (c.ty, c.max_length) {
        ("int", _) if c.not_null => ColType::IntNotNull,
        ("int", _) => ColType::Int,
        ("nvarchar" | "nchar" | "sysname", -1) => ColType::NVarCharMax,
        ("nvarchar" | "nchar" | "sysname", n) => ColType::NVarChar((n / 2) as u16),
        ("varbinary" | "binary", n) => ColType::VarBinary(n as u16),
        ("decimal" | "numeric", _) => ColType::Decimal(c.precision as u8, c.scale as u8),
        ("date", _) => ColType::Date,
        ("time", _) => ColType::Time(c.scale as u8),
        ("datetimeoffset", _) => ColType::DateTimeOffset(c.scale as u8),
        ("datetime", _) => ColType::DateTime,
        ("uniqueidentifier", _) => ColType::Guid,
        ("xml", _) => ColType::Xml,
        ("money", _) => ColType::Money,
        ("ntext", _) => ColType::NText,
        ("image", _) => ColType::Image,
        (other, _) => panic!("the test server does not describe {other} columns"),
    }
}

/// Answers `SELECT TOP 0 <columns> FROM <table>` (the bulk load asks it
/// before `INSERT BULK`) for a declared table; false for anything else.
pub fn answer_top_0(sql: &str, t: &mut Tokens, tables: &[Table]) -> bool {
    let Some((list, table)) = sql
        .strip_prefix("SELECT TOP 0 ")
        .and_then(|r| r.rsplit_once(" FROM "))
    else {
        return false;
    };
    let Some((_, cols)) = tables.iter().find(|(n, _)| n.eq_ignore_ascii_case(table)) else {
        return false;
    };
    let wanted: Vec<&Column> = if list.trim() == "*" {
        cols.iter().collect()
    } else {
        let found: Option<Vec<&Column>> = list
            .split(", ")
            .map(|n| {
                let n = n.trim().trim_start_matches('[').trim_end_matches(']');
                cols.iter().find(|c| c.name.eq_ignore_ascii_case(n))
            })
            .collect();
        match found {
            Some(f) => f,
            None => return false,
        }
    };
    let meta: Vec<(&str, ColType, u16)> = wanted
        .iter()
        .map(|c| {
            // (A NOT NULL int is described as SQL Server does, with the
            // fixed-length INT4; other NOT NULL types keep their nullable
            // forms.)
            let flags = match (c.identity, c.not_null) {
                (true, _) => FLAG_IDENTITY,
                (false, true) => FLAG_UPDATEABLE,
                (false, false) => FLAG_NULLABLE | FLAG_UPDATEABLE,
            };
            (c.name, col_type(c), flags)
        })
        .collect();
    t.col_metadata_flags(&meta);
    t.done(DONE_MORE | DONE_COUNT, 0);
    true
}

/// Whether `sql`, an `INSERT INTO <table> (<columns>) ...`, names an identity
/// column of a declared table; that table's name.
pub fn inserts_identity<'a>(sql: &str, tables: &'a [Table]) -> Option<&'a str> {
    let rest = sql.strip_prefix("INSERT INTO ")?;
    let (table, rest) = rest.split_once(" (")?;
    let (list, _) = rest.split_once(')')?;
    let (name, cols) = tables.iter().find(|(n, _)| n.eq_ignore_ascii_case(table))?;
    list.split(", ")
        .map(|c| c.trim().trim_start_matches('[').trim_end_matches(']'))
        .any(|c| {
            cols.iter()
                .any(|k| k.identity && k.name.eq_ignore_ascii_case(c))
        })
        .then_some(*name)
}

/// Whether `table` is declared with an identity column (an undeclared
/// table is taken to have one).
pub fn has_identity(table: &str, tables: &[Table]) -> bool {
    tables
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(table))
        .is_none_or(|(_, cols)| cols.iter().any(|c| c.identity))
}

/// The column a NULL would go into, against its NOT NULL, in `sql`, an
/// `INSERT INTO <table> (<columns>) VALUES (@P1, DEFAULT, ...), (...)`
/// into a declared table: a parameter holding NULL, or `DEFAULT` for a
/// column without a default (SQL Server's error 515); the table's and the
/// column's names.
pub fn null_into_not_null<'a>(
    sql: &str,
    params: &[(String, Value)],
    tables: &'a [Table],
) -> Option<(&'a str, &'a str)> {
    let rest = sql.strip_prefix("INSERT INTO ")?;
    let (table, rest) = rest.split_once(" (")?;
    let (list, rest) = rest.split_once(") VALUES ")?;
    let (name, cols) = tables.iter().find(|(n, _)| n.eq_ignore_ascii_case(table))?;
    let named: Vec<Option<&Column>> = list
        .split(", ")
        .map(|c| {
            let c = c.trim().trim_start_matches('[').trim_end_matches(']');
            cols.iter().find(|k| k.name.eq_ignore_ascii_case(c))
        })
        .collect();
    let rows = rest.trim().trim_start_matches('(').trim_end_matches(')');
    rows.split("), (").find_map(|row| {
        row.split(", ").zip(&named).find_map(|(item, col)| {
            let col = (*col)?;
            let null = match item.trim() {
                "DEFAULT" => !col.default,
                p => {
                    let key = p.trim_start_matches('@').to_lowercase();
                    params.iter().any(|(n, v)| *n == key && *v == Value::Null)
                }
            };
            (null && col.not_null).then_some((*name, col.name))
        })
    })
}
