//! The names of pipeline data types: those the pipeline XML uses (`i4`,
//! `wstr`, `dbTimeStamp`) and the flat file connection's OLE DB type codes
//! (3, 129, 130, ...).

use ssis_runner::expr::DataType;

const NAMES: [(&str, DataType); 29] = [
    ("i1", DataType::I1),
    ("i2", DataType::I2),
    ("i4", DataType::I4),
    ("i8", DataType::I8),
    ("ui1", DataType::UI1),
    ("ui2", DataType::UI2),
    ("ui4", DataType::UI4),
    ("ui8", DataType::UI8),
    ("r4", DataType::R4),
    ("r8", DataType::R8),
    ("cy", DataType::Cy),
    ("numeric", DataType::Numeric),
    ("decimal", DataType::Decimal),
    ("bool", DataType::Bool),
    ("str", DataType::Str),
    ("wstr", DataType::WStr),
    ("date", DataType::Date),
    ("dbDate", DataType::DbDate),
    ("dbTime", DataType::DbTime),
    ("dbTime2", DataType::DbTime2),
    ("dbTimeStamp", DataType::DbTimestamp),
    ("dbTimeStamp2", DataType::DbTimestamp2),
    ("dbTimeStampOffset", DataType::DbTimestampOffset),
    ("fileTime", DataType::FileTime),
    ("guid", DataType::Guid),
    ("bytes", DataType::Bytes),
    ("text", DataType::Text),
    ("nText", DataType::NText),
    ("image", DataType::Image),
];

/// The type for a pipeline `dataType` name (case-insensitive).
pub fn from_name(name: &str) -> Option<DataType> {
    NAMES
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name.trim()))
        .map(|(_, t)| *t)
}

/// The pipeline XML's name of `t` (`i4`, `wstr`, ...).
pub fn name_of(t: DataType) -> Option<&'static str> {
    NAMES.iter().find(|(_, d)| *d == t).map(|(n, _)| *n)
}

/// The type for a flat file column's `DataType` code (OLE DB DBTYPE numbers).
pub fn from_code(code: i64) -> Option<DataType> {
    Some(match code {
        2 => DataType::I2,
        3 => DataType::I4,
        4 => DataType::R4,
        5 => DataType::R8,
        6 => DataType::Cy,
        7 => DataType::Date,
        11 => DataType::Bool,
        14 => DataType::Decimal,
        16 => DataType::I1,
        17 => DataType::UI1,
        18 => DataType::UI2,
        19 => DataType::UI4,
        20 => DataType::I8,
        21 => DataType::UI8,
        64 => DataType::FileTime,
        72 => DataType::Guid,
        128 => DataType::Bytes,
        129 => DataType::Str,
        130 => DataType::WStr,
        131 => DataType::Numeric,
        133 => DataType::DbDate,
        134 => DataType::DbTime,
        135 => DataType::DbTimestamp,
        145 => DataType::DbTime2,
        146 => DataType::DbTimestampOffset,
        301 => DataType::Image,
        302 => DataType::NText,
        303 => DataType::Text,
        304 => DataType::DbTimestamp2,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_file_codes() {
        assert_eq!(from_code(129), Some(DataType::Str));
        assert_eq!(from_code(131), Some(DataType::Numeric));
        assert_eq!(from_name("dbTimeStamp"), Some(DataType::DbTimestamp));
    }
}
