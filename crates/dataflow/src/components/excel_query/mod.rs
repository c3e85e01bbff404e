//! What an Excel Source reads: a sheet, a range of one (`Sheet1$A2:D100`,
//! `Sheet1$B:D`) or a workbook's named range, as a table whose first row
//! names the columns (`HDR=YES`) or whose columns are F1, F2, ... — taken
//! whole, or through a SQL command in the part of Jet/ACE SQL such commands
//! are written in: `SELECT [DISTINCT] [TOP n [PERCENT]] * | col [AS name],
//! ... FROM table [WHERE ...] [ORDER BY col|n [ASC|DESC], ...]`, the
//! condition made of comparisons, `IS [NOT] NULL`, `[NOT] LIKE` (`%`, `_`, `[a-c]`, `[!a-c]`),
//! `[NOT] IN (...)`, `[NOT] BETWEEN`, `AND`, `OR`, `NOT`, with text
//! compared ignoring case as Jet does and NULL never equal to anything.
//! `?` markers take the values of the `ParameterMapping` variables.

mod eval;
mod parse;
mod table;
#[cfg(test)]
mod tests;

use calamine::{Data, Range};
pub use parse::parse;
pub use table::{resolve, unquote};

/// A command read.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub distinct: bool,
    /// `TOP n` and whether it is `PERCENT`.
    pub top: Option<(u64, bool)>,
    pub select: Select,
    /// The sheet, range or named range, as written.
    pub table: String,
    pub filter: Option<Expr>,
    /// Keys, each descending or not.
    pub order: Vec<(OrderKey, bool)>,
    /// How many `?` markers it has.
    pub params: usize,
}

impl Query {
    /// Every column and row of `table` (a sheet named in `OpenRowset`).
    pub fn whole(table: &str) -> Query {
        Query {
            distinct: false,
            top: None,
            select: Select::All,
            table: table.to_string(),
            filter: None,
            order: Vec::new(),
            params: 0,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Select {
    All,
    Columns(Vec<Item>),
}

/// A column of the select list.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub column: String,
    pub alias: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum OrderKey {
    Name(String),
    /// 1-based, in the select list.
    Position(usize),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Column(String),
    Lit(Lit),
    /// The n-th `?` (0-based), until [`Query::bind`] gives it a value.
    Param(usize),
    Cmp(Cmp, Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    /// `IS NULL`, or `IS NOT NULL` when true.
    IsNull(Box<Expr>, bool),
    Like(Box<Expr>, Box<Expr>),
    In(Box<Expr>, Vec<Expr>),
    Between(Box<Expr>, Box<Expr>, Box<Expr>),
}

/// A value in a command, or a cell's value as a command sees it.
#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    Null,
    Num(f64),
    Text(String),
    Bool(bool),
    /// An OLE Automation date (days since 1899-12-30).
    Date(f64),
}

/// The OLE Automation date of a `#...#` literal or a date's text.
pub fn date_serial(text: &str) -> Option<f64> {
    ssis_runner::expr::DateTime::parse(text).map(serial)
}

/// A date cell's OLE Automation date: a workbook in the 1904 date system
/// (Excel for Mac's older default) counts its days from 1904-01-01, 1,462
/// days later. calamine keeps that flag to itself and shows it only in the
/// calendar date it gives, so the date is compared with the 1900 system's.
pub fn cell_serial(t: &calamine::ExcelDateTime) -> f64 {
    let v = t.as_f64();
    let in_1900 = calamine::ExcelDateTime::new(v, calamine::ExcelDateTimeType::DateTime, false);
    if t.to_ymd_hms_milli() == in_1900.to_ymd_hms_milli() {
        v
    } else {
        v + 1462.0
    }
}

/// A date-time as an OLE Automation date.
pub fn serial(d: ssis_runner::expr::DateTime) -> f64 {
    d.ticks() as f64 / 864_000_000_000.0 + 25_569.0
}

impl Query {
    /// Gives each `?` its value.
    pub fn bind(&mut self, values: &[Lit]) {
        if let Some(f) = &mut self.filter {
            f.bind(values);
        }
    }
}

impl Expr {
    fn bind(&mut self, values: &[Lit]) {
        match self {
            Expr::Param(i) => *self = Expr::Lit(values.get(*i).cloned().unwrap_or(Lit::Null)),
            Expr::Column(_) | Expr::Lit(_) => {}
            Expr::Cmp(_, a, b) | Expr::And(a, b) | Expr::Or(a, b) | Expr::Like(a, b) => {
                a.bind(values);
                b.bind(values);
            }
            Expr::Not(a) | Expr::IsNull(a, _) => a.bind(values),
            Expr::In(a, list) => {
                a.bind(values);
                list.iter_mut().for_each(|e| e.bind(values));
            }
            Expr::Between(a, b, c) => {
                a.bind(values);
                b.bind(values);
                c.bind(values);
            }
        }
    }
}

/// The rows a query selects from a table: the table's cells, the names of
/// the columns it gives, and for each, its column in the table; the rows,
/// by their index in the table's data rows, in the order they come.
pub struct Selected {
    pub data: Range<Data>,
    /// Rows of `data` above the first data row (the header).
    pub skip: usize,
    pub names: Vec<String>,
    pub cols: Vec<usize>,
    pub rows: Vec<usize>,
}

impl Selected {
    /// The sheet's row number (1-based) of selected row `r`.
    pub fn sheet_row(&self, r: usize) -> usize {
        let top = self.data.start().map_or(0, |s| s.0 as usize);
        top + self.skip + self.rows[r] + 1
    }

    /// The cell of output column `c` in selected row `r`.
    pub fn cell(&self, r: usize, c: usize) -> &Data {
        self.data
            .get((self.skip + self.rows[r], self.cols[c]))
            .unwrap_or(&Data::Empty)
    }
}

pub use eval::select;
