//! Whether a SQL Server column type and an SSIS data type can hold each
//! other's values, as the OLE DB provider converts them: numbers, dates and
//! GUIDs go to and from text; binary only to binary; text keeps its
//! Unicode-ness (DT_STR is `char`/`varchar`/`text`, DT_WSTR is
//! `nchar`/`nvarchar`/`ntext`/`xml`).

use crate::types::ColumnType;
use ssis_runner::expr::DataType;

/// A table column as `sys.columns` describes it.
#[derive(Debug, Clone)]
pub struct TableColumn {
    /// The column's name.
    pub name: String,
    /// The base type's name, e.g. `nvarchar`, `decimal`.
    pub type_name: String,
    /// `max_length` in bytes (-1 for `(max)`).
    pub max_length: i64,
    /// `precision`.
    pub precision: i64,
    /// `scale`.
    pub scale: i64,
}

/// The family of a type, for what converts to what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Number,
    Ansi,
    Unicode,
    Binary,
    DateTime,
    Guid,
}

impl TableColumn {
    fn family(&self) -> Option<Family> {
        Some(match self.type_name.to_ascii_lowercase().as_str() {
            "bit" | "tinyint" | "smallint" | "int" | "bigint" | "decimal" | "numeric" | "money"
            | "smallmoney" | "real" | "float" => Family::Number,
            "char" | "varchar" | "text" => Family::Ansi,
            "nchar" | "nvarchar" | "ntext" | "xml" | "sysname" => Family::Unicode,
            "binary" | "varbinary" | "image" | "timestamp" | "rowversion" => Family::Binary,
            "date" | "time" | "datetime" | "smalldatetime" | "datetime2" | "datetimeoffset" => {
                Family::DateTime
            }
            "uniqueidentifier" => Family::Guid,
            _ => return None, // sql_variant, CLR types: not checked
        })
    }

    /// Characters (or bytes, for binary) it holds; None: no limit.
    pub fn length(&self) -> Option<i64> {
        if self.max_length < 0 {
            return None;
        }
        match self.family()? {
            Family::Unicode if !self.type_name.eq_ignore_ascii_case("ntext") => {
                Some(self.max_length / 2)
            }
            Family::Ansi | Family::Binary
                if !matches!(
                    self.type_name.to_ascii_lowercase().as_str(),
                    "text" | "image"
                ) =>
            {
                Some(self.max_length)
            }
            _ => None,
        }
    }

    /// As SQL Server writes it: `nvarchar(10)`, `decimal(10,2)`, `int`.
    pub fn describe(&self) -> String {
        let t = self.type_name.to_ascii_lowercase();
        match t.as_str() {
            "decimal" | "numeric" => format!("{t}({},{})", self.precision, self.scale),
            "char" | "varchar" | "binary" | "varbinary" | "nchar" | "nvarchar" => {
                match self.length() {
                    Some(n) => format!("{t}({n})"),
                    None => format!("{t}(max)"),
                }
            }
            _ => t,
        }
    }
}

fn family_of(t: &ColumnType) -> Family {
    match t.data_type {
        DataType::Str | DataType::Text => Family::Ansi,
        DataType::WStr | DataType::NText => Family::Unicode,
        DataType::Bytes | DataType::Image => Family::Binary,
        DataType::Date
        | DataType::DbDate
        | DataType::DbTime
        | DataType::DbTime2
        | DataType::DbTimestamp
        | DataType::DbTimestamp2
        | DataType::DbTimestampOffset
        | DataType::FileTime => Family::DateTime,
        DataType::Guid => Family::Guid,
        _ => Family::Number,
    }
}

/// Why values of `from` cannot go into `to`, or None when they can.
fn refusal(from: Family, to: Family) -> Option<&'static str> {
    use Family::*;
    match (from, to) {
        (a, b) if a == b => None,
        (Ansi, Unicode) | (Unicode, Ansi) => {
            Some("cannot convert between unicode and non-unicode string data types")
        }
        (Binary, _) | (_, Binary) => Some("binary data converts only to binary"),
        (Ansi | Unicode, _) | (_, Ansi | Unicode) => None,
        _ => Some("the types do not convert into each other"),
    }
}

/// Into the table (a destination): why `table` cannot hold the package's
/// column of type `ty`, if it cannot.
pub fn table_cannot_hold(table: &TableColumn, ty: &ColumnType) -> Option<&'static str> {
    refusal(family_of(ty), table.family()?)
}

/// Out of the table (a source): why the package's column of type `ty`
/// cannot hold the table's values, if it cannot.
pub fn column_cannot_hold(table: &TableColumn, ty: &ColumnType) -> Option<&'static str> {
    refusal(table.family()?, family_of(ty))
}

/// The length the package gives a text or binary column (None for others).
pub fn package_length(ty: &ColumnType) -> Option<i64> {
    match ty.data_type {
        DataType::Str | DataType::WStr | DataType::Bytes => Some(i64::from(ty.length)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(t: &str, max_length: i64) -> TableColumn {
        TableColumn {
            name: "c".into(),
            type_name: t.into(),
            max_length,
            precision: 10,
            scale: 2,
        }
    }

    #[test]
    fn families_convert_as_the_provider_does() {
        let wstr = ColumnType::from_attrs(Some("wstr"), Some("10"), None, None, None);
        let i4 = ColumnType::from_attrs(Some("i4"), None, None, None, None);
        let bytes = ColumnType::from_attrs(Some("bytes"), Some("4"), None, None, None);
        assert_eq!(table_cannot_hold(&col("nvarchar", 20), &wstr), None);
        assert_eq!(table_cannot_hold(&col("nvarchar", 20), &i4), None);
        assert_eq!(
            table_cannot_hold(&col("varchar", 10), &wstr),
            Some("cannot convert between unicode and non-unicode string data types")
        );
        assert_eq!(
            table_cannot_hold(&col("date", 3), &i4),
            Some("the types do not convert into each other")
        );
        assert_eq!(
            column_cannot_hold(&col("int", 4), &bytes),
            Some("binary data converts only to binary")
        );
        assert_eq!(table_cannot_hold(&col("sql_variant", 8016), &i4), None);
    }

    #[test]
    fn lengths_and_descriptions() {
        assert_eq!(col("nvarchar", 20).length(), Some(10));
        assert_eq!(col("nvarchar", -1).describe(), "nvarchar(max)");
        assert_eq!(col("varchar", 7).describe(), "varchar(7)");
        assert_eq!(col("decimal", 9).describe(), "decimal(10,2)");
        assert_eq!(col("ntext", 16).length(), None);
        assert_eq!(col("int", 4).length(), None);
    }
}
