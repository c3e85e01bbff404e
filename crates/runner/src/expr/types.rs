//! SSIS data types (`DT_*`) and the implicit conversion rules between them.

use std::fmt;

/// An Integration Services data type, as named in expressions (`DT_I4`, `DT_WSTR`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataType {
    /// One-byte signed integer.
    I1,
    /// Two-byte signed integer.
    I2,
    /// Four-byte signed integer.
    I4,
    /// Eight-byte signed integer.
    I8,
    /// One-byte unsigned integer.
    UI1,
    /// Two-byte unsigned integer.
    UI2,
    /// Four-byte unsigned integer.
    UI4,
    /// Eight-byte unsigned integer.
    UI8,
    /// Single-precision float.
    R4,
    /// Double-precision float.
    R8,
    /// Currency: an eight-byte integer scaled by 10,000.
    Cy,
    /// Exact number with a fixed scale (up to 28).
    Decimal,
    /// Exact number with a precision (up to 38) and a scale.
    Numeric,
    /// Boolean.
    Bool,
    /// Unicode string.
    WStr,
    /// Code-page (ANSI) string.
    Str,
    /// OLE Automation date (date and time).
    Date,
    /// Date without time.
    DbDate,
    /// Time of day.
    DbTime,
    /// Time of day with fractional seconds.
    DbTime2,
    /// Date and time (fraction up to 3 digits in SSIS).
    DbTimestamp,
    /// Date and time with a larger fraction.
    DbTimestamp2,
    /// Date and time with a time-zone offset.
    DbTimestampOffset,
    /// Windows FILETIME.
    FileTime,
    /// GUID.
    Guid,
    /// Binary data.
    Bytes,
    /// Code-page text stream.
    Text,
    /// Unicode text stream.
    NText,
    /// Binary stream.
    Image,
}

const NAMES: [(DataType, &str); 29] = [
    (DataType::I1, "DT_I1"),
    (DataType::I2, "DT_I2"),
    (DataType::I4, "DT_I4"),
    (DataType::I8, "DT_I8"),
    (DataType::UI1, "DT_UI1"),
    (DataType::UI2, "DT_UI2"),
    (DataType::UI4, "DT_UI4"),
    (DataType::UI8, "DT_UI8"),
    (DataType::R4, "DT_R4"),
    (DataType::R8, "DT_R8"),
    (DataType::Cy, "DT_CY"),
    (DataType::Decimal, "DT_DECIMAL"),
    (DataType::Numeric, "DT_NUMERIC"),
    (DataType::Bool, "DT_BOOL"),
    (DataType::WStr, "DT_WSTR"),
    (DataType::Str, "DT_STR"),
    (DataType::Date, "DT_DATE"),
    (DataType::DbDate, "DT_DBDATE"),
    (DataType::DbTime, "DT_DBTIME"),
    (DataType::DbTime2, "DT_DBTIME2"),
    (DataType::DbTimestamp, "DT_DBTIMESTAMP"),
    (DataType::DbTimestamp2, "DT_DBTIMESTAMP2"),
    (DataType::DbTimestampOffset, "DT_DBTIMESTAMPOFFSET"),
    (DataType::FileTime, "DT_FILETIME"),
    (DataType::Guid, "DT_GUID"),
    (DataType::Bytes, "DT_BYTES"),
    (DataType::Text, "DT_TEXT"),
    (DataType::NText, "DT_NTEXT"),
    (DataType::Image, "DT_IMAGE"),
];

impl DataType {
    /// Parses a type name such as `DT_WSTR` (case-insensitive).
    pub fn parse(name: &str) -> Option<DataType> {
        NAMES
            .iter()
            .find(|(_, n)| n.eq_ignore_ascii_case(name.trim()))
            .map(|(t, _)| *t)
    }

    /// The SSIS name, e.g. `DT_I4`.
    pub fn name(self) -> &'static str {
        NAMES
            .iter()
            .find(|(t, _)| *t == self)
            .map(|(_, n)| *n)
            .unwrap_or("DT_EMPTY")
    }

    /// The expression type of a package variable's `DTS:DataType` (a VARIANT
    /// type code: 3 Int32, 5 Double, 7 DateTime, 8 String, 11 Boolean, 20 Int64, ...).
    pub fn from_variant_code(code: u16) -> Option<DataType> {
        Some(match code {
            2 => DataType::I2,
            3 | 22 => DataType::I4,
            4 => DataType::R4,
            5 => DataType::R8,
            6 => DataType::Cy,
            7 => DataType::Date,
            8 => DataType::WStr,
            11 => DataType::Bool,
            14 => DataType::Decimal,
            16 => DataType::I1,
            17 => DataType::UI1,
            18 => DataType::UI2,
            19 | 23 => DataType::UI4,
            20 => DataType::I8,
            21 => DataType::UI8,
            _ => return None,
        })
    }

    /// DT_I1, DT_I2, DT_I4 or DT_I8.
    pub fn is_signed_int(self) -> bool {
        matches!(
            self,
            DataType::I1 | DataType::I2 | DataType::I4 | DataType::I8
        )
    }

    /// DT_UI1, DT_UI2, DT_UI4 or DT_UI8.
    pub fn is_unsigned_int(self) -> bool {
        matches!(
            self,
            DataType::UI1 | DataType::UI2 | DataType::UI4 | DataType::UI8
        )
    }

    /// Any integer type.
    pub fn is_integer(self) -> bool {
        self.is_signed_int() || self.is_unsigned_int()
    }

    /// DT_R4 or DT_R8.
    pub fn is_float(self) -> bool {
        matches!(self, DataType::R4 | DataType::R8)
    }

    /// DT_CY, DT_DECIMAL or DT_NUMERIC.
    pub fn is_exact_decimal(self) -> bool {
        matches!(self, DataType::Cy | DataType::Decimal | DataType::Numeric)
    }

    /// Any numeric type.
    pub fn is_numeric(self) -> bool {
        self.is_integer() || self.is_float() || self.is_exact_decimal()
    }

    /// DT_WSTR or DT_STR.
    pub fn is_string(self) -> bool {
        matches!(self, DataType::WStr | DataType::Str)
    }

    /// A date or time type.
    pub fn is_date(self) -> bool {
        matches!(
            self,
            DataType::Date
                | DataType::DbDate
                | DataType::DbTime
                | DataType::DbTime2
                | DataType::DbTimestamp
                | DataType::DbTimestamp2
                | DataType::DbTimestampOffset
                | DataType::FileTime
        )
    }

    /// The size in bytes of an integer type (0 for other types).
    pub(crate) fn int_size(self) -> u8 {
        match self {
            DataType::I1 | DataType::UI1 => 1,
            DataType::I2 | DataType::UI2 => 2,
            DataType::I4 | DataType::UI4 => 4,
            DataType::I8 | DataType::UI8 => 8,
            _ => 0,
        }
    }

    /// The inclusive value range of an integer type.
    pub(crate) fn int_range(self) -> Option<(i128, i128)> {
        Some(match self {
            DataType::I1 => (i8::MIN.into(), i8::MAX.into()),
            DataType::I2 => (i16::MIN.into(), i16::MAX.into()),
            DataType::I4 => (i32::MIN.into(), i32::MAX.into()),
            DataType::I8 => (i64::MIN.into(), i64::MAX.into()),
            DataType::UI1 => (0, u8::MAX.into()),
            DataType::UI2 => (0, u16::MAX.into()),
            DataType::UI4 => (0, u32::MAX.into()),
            DataType::UI8 => (0, u64::MAX.into()),
            _ => return None,
        })
    }
}

impl fmt::Display for DataType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

fn signed_of_size(size: u8) -> DataType {
    match size {
        1 => DataType::I1,
        2 => DataType::I2,
        4 => DataType::I4,
        _ => DataType::I8,
    }
}

/// The type both operands of a numeric binary operation are converted to,
/// following SSIS's implicit conversion table.
pub(crate) fn numeric_common(a: DataType, b: DataType) -> Result<DataType, String> {
    if a == b {
        return Ok(a);
    }
    if a.is_integer() && b.is_integer() {
        if a.is_signed_int() == b.is_signed_int() {
            return Ok(if a.int_size() >= b.int_size() { a } else { b });
        }
        let (s, u) = if a.is_signed_int() { (a, b) } else { (b, a) };
        if u == DataType::UI8 {
            return Err(format!(
                "the data types {a} and {b} are incompatible: combining DT_UI8 with a signed integer needs an explicit cast"
            ));
        }
        return Ok(signed_of_size(s.int_size().max(u.int_size() * 2)));
    }
    if a.is_float() || b.is_float() {
        if a == DataType::R8 || b == DataType::R8 {
            return Ok(DataType::R8);
        }
        let other = if a == DataType::R4 { b } else { a };
        return Ok(if other.is_integer() && other.int_size() <= 2 {
            DataType::R4
        } else {
            DataType::R8
        });
    }
    for t in [DataType::Numeric, DataType::Decimal, DataType::Cy] {
        if a == t || b == t {
            return Ok(t);
        }
    }
    Err(format!("the data types {a} and {b} are incompatible"))
}

/// The common type of two values that meet in `? :`, REPLACENULL or a
/// comparison: numeric promotion, DT_WSTR for mixed strings, DT_DBTIMESTAMP
/// for mixed dates; otherwise the types must be equal.
pub(crate) fn common_type(a: DataType, b: DataType) -> Result<DataType, String> {
    if a.is_numeric() && b.is_numeric() {
        return numeric_common(a, b);
    }
    if a.is_string() && b.is_string() {
        return Ok(if a == b { a } else { DataType::WStr });
    }
    if a.is_date() && b.is_date() {
        return Ok(if a == b { a } else { DataType::DbTimestamp });
    }
    if a == b {
        return Ok(a);
    }
    Err(format!(
        "the data types {a} and {b} are incompatible; cast one explicitly"
    ))
}

/// Whether SSIS allows an explicit cast from `from` to `to`.
pub(crate) fn cast_allowed(from: DataType, to: DataType) -> bool {
    use DataType::*;
    if from == to || to.is_string() || from.is_string() {
        return true;
    }
    match to {
        Bool => from.is_numeric(),
        t if t.is_numeric() => from.is_numeric() || from == Bool || (from == Date && t.is_float()),
        Date => from.is_date() || from.is_numeric(),
        t if t.is_date() => from.is_date(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for (t, n) in NAMES {
            assert_eq!(DataType::parse(n), Some(t));
            assert_eq!(DataType::parse(&n.to_lowercase()), Some(t));
            assert_eq!(t.name(), n);
        }
        assert_eq!(DataType::parse("DT_NOPE"), None);
    }

    #[test]
    fn integer_promotion() {
        use DataType::*;
        assert_eq!(numeric_common(I4, I8), Ok(I8));
        assert_eq!(numeric_common(UI1, I1), Ok(I2));
        assert_eq!(numeric_common(UI4, I4), Ok(I8));
        assert_eq!(numeric_common(UI2, I8), Ok(I8));
        assert!(numeric_common(UI8, I4).is_err());
        assert_eq!(numeric_common(R4, I2), Ok(R4));
        assert_eq!(numeric_common(R4, I4), Ok(R8));
        assert_eq!(numeric_common(Numeric, I4), Ok(Numeric));
        assert_eq!(numeric_common(Numeric, R8), Ok(R8));
    }
}
