//! Pipeline data types: a column's type with its parameters, and
//! conversion of a value into it with SSIS's distinction between a
//! conversion error and a truncation (names and codes: `type_names`).

use ssis_runner::expr::{DataType, Text, TypeSpec, Value, extended};

/// A column's type with its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnType {
    /// The SSIS type.
    pub data_type: DataType,
    /// Characters of DT_STR/DT_WSTR, bytes of DT_BYTES (0: not limited).
    pub length: u32,
    /// Precision of DT_NUMERIC.
    pub precision: u8,
    /// Scale of DT_NUMERIC/DT_DECIMAL.
    pub scale: u8,
    /// Code page of DT_STR/DT_TEXT.
    pub code_page: u32,
}

pub use crate::type_names::{from_code, from_name, name_of};

/// Why a value does not fit a column.
#[derive(Debug, Clone, PartialEq)]
pub enum CellError {
    /// The value cannot be converted (status "conversion failed").
    Conversion(String),
    /// The value would be cut (status "truncated"), with the cut value
    /// where there is one (text and bytes shortened to the column's length,
    /// times without the digits past its scale): what a row whose
    /// truncation disposition is IgnoreFailure goes on with.
    Truncation(String, Option<Value>),
}

impl CellError {
    /// The SSIS error code a redirected row carries in ErrorCode:
    /// DTS_E_... 0xC02020A1 (data conversion failed) or 0xC020902A
    /// (truncation).
    pub fn code(&self) -> i32 {
        match self {
            CellError::Conversion(_) => 0xC020_20A1_u32 as i32,
            CellError::Truncation(..) => 0xC020_902A_u32 as i32,
        }
    }

    /// The message.
    pub fn message(&self) -> &str {
        match self {
            CellError::Conversion(m) | CellError::Truncation(m, _) => m,
        }
    }

    /// The value a row goes on with when the failure is ignored: the cut
    /// value of a truncation that has one, NULL of `ty` otherwise.
    pub fn kept(&self, ty: &ColumnType) -> Value {
        match self {
            CellError::Truncation(_, Some(v)) => v.clone(),
            _ => ty.null(),
        }
    }
}

impl ColumnType {
    /// A type without parameters.
    pub fn plain(data_type: DataType) -> ColumnType {
        ColumnType {
            data_type,
            length: 0,
            precision: 0,
            scale: 0,
            code_page: 1252,
        }
    }

    /// From the pipeline XML's attributes; a missing or unknown `dataType`
    /// reads as DT_WSTR (the model keeps an unknown name for the plan to
    /// refuse).
    pub fn from_attrs(
        data_type: Option<&str>,
        length: Option<&str>,
        precision: Option<&str>,
        scale: Option<&str>,
        code_page: Option<&str>,
    ) -> ColumnType {
        let n = |s: Option<&str>| s.and_then(|v| v.trim().parse::<u32>().ok()).unwrap_or(0);
        ColumnType {
            data_type: data_type.and_then(from_name).unwrap_or(DataType::WStr),
            length: n(length),
            precision: n(precision).min(38) as u8,
            scale: n(scale).min(38) as u8,
            code_page: match n(code_page) {
                0 => 1252,
                cp => cp,
            },
        }
    }

    /// The type values of this column have in expressions: DT_TEXT and
    /// DT_NTEXT are held as DT_STR and DT_WSTR, DT_GUID as its text
    /// (`{...}`) in a DT_WSTR, DT_FILETIME as DT_DBTIMESTAMP, DT_IMAGE as
    /// DT_BYTES, DT_DBTIME as DT_DBTIME2 of scale 0.
    pub fn value_type(&self) -> DataType {
        use DataType::*;
        match self.data_type {
            Text => Str,
            NText | Guid => WStr,
            FileTime => DbTimestamp,
            Image => Bytes,
            DbTime => DbTime2,
            t => t,
        }
    }

    /// The fraction digits a DT_DBTIME2, DT_DBTIMESTAMP2 or
    /// DT_DBTIMESTAMPOFFSET value of this column keeps (DT_DBTIME: none).
    pub fn time_scale(&self) -> u8 {
        match self.data_type {
            DataType::DbTime => 0,
            _ => self.scale.min(7),
        }
    }

    /// Whether the column holds text.
    pub fn is_text(&self) -> bool {
        matches!(self.value_type(), DataType::Str | DataType::WStr)
    }

    /// As a cast target.
    pub fn spec(&self) -> TypeSpec {
        let t = self.value_type();
        let mut spec = TypeSpec::plain(t);
        match t {
            DataType::Str => spec.codepage = Some(self.code_page),
            DataType::Numeric => {
                spec.precision = Some(if self.precision == 0 {
                    18
                } else {
                    self.precision
                });
                spec.scale = Some(self.scale);
            }
            DataType::Decimal => spec.scale = Some(self.scale),
            DataType::DbTime2 | DataType::DbTimestamp2 | DataType::DbTimestampOffset => {
                spec.scale = Some(self.time_scale())
            }
            _ => {}
        }
        spec
    }

    /// A NULL of this type.
    pub fn null(&self) -> Value {
        Value::Null(self.value_type())
    }

    /// How the type reads in messages: `DT_STR(50, 1252)`.
    pub fn describe(&self) -> String {
        match self.data_type {
            DataType::Str => format!("DT_STR({}, {})", self.length, self.code_page),
            DataType::WStr => format!("DT_WSTR({})", self.length),
            DataType::Numeric => format!("DT_NUMERIC({}, {})", self.precision, self.scale),
            DataType::Bytes => format!("DT_BYTES({})", self.length),
            DataType::DbTime2 | DataType::DbTimestampOffset | DataType::DbTimestamp2 => {
                format!("{}({})", self.data_type.name(), self.scale)
            }
            t => t.name().to_string(),
        }
    }

    /// Text as a value of this (text) type, or a truncation error when it
    /// is longer than the column.
    pub fn text_value(&self, text: Text) -> Result<Value, CellError> {
        if self.length > 0 && text.len() > self.length as usize {
            let chars = text.chars().count();
            if chars > self.length as usize {
                let cut: Text = text.chars().take(self.length as usize).collect();
                return Err(CellError::Truncation(
                    format!(
                        "the value is {chars} characters long, more than the {} of {}",
                        self.length,
                        self.describe()
                    ),
                    self.text_value(cut).ok(),
                ));
            }
        }
        Ok(match self.value_type() {
            DataType::Str => Value::Str {
                text,
                codepage: self.code_page,
            },
            _ => Value::WStr(text),
        })
    }

    /// Converts `v` into this type.
    pub fn convert(&self, v: Value) -> Result<Value, CellError> {
        let target = self.value_type();
        if v.is_null() {
            return Ok(Value::Null(target));
        }
        if self.is_text() {
            let text = match v {
                Value::WStr(s) | Value::Str { text: s, .. } => s,
                other => other.to_string().into(),
            };
            return self.text_value(text);
        }
        if matches!(
            target,
            DataType::Bytes
                | DataType::DbTime2
                | DataType::DbTimestamp2
                | DataType::DbTimestampOffset
        ) {
            return self.convert_extended(v, target);
        }
        if v.data_type() == target && !matches!(target, DataType::Numeric | DataType::Decimal) {
            return Ok(v);
        }
        v.cast_spec(&self.spec()).map_err(|m| {
            if m.contains("out of the range") {
                CellError::Truncation(m, None)
            } else {
                CellError::Conversion(m)
            }
        })
    }

    /// Converts (not NULL) `v` into DT_BYTES, DT_DBTIME2, DT_DBTIMESTAMP2
    /// or DT_DBTIMESTAMPOFFSET: a value that does not convert is a
    /// conversion error; more bytes than the column's length, or fraction
    /// digits past its scale (which SSIS removes and reports), a truncation.
    fn convert_extended(&self, v: Value, target: DataType) -> Result<Value, CellError> {
        let mut full = TypeSpec::plain(target);
        full.scale = Some(7);
        let v = match v {
            Value::Bytes(_) | Value::DbTime2 { scale: 7, .. } => v,
            Value::DbTimestamp2 { scale: 7, .. } | Value::DbTimestampOffset { scale: 7, .. } => v,
            other => other.cast_spec(&full).map_err(CellError::Conversion)?,
        };
        let scale = self.time_scale();
        // The cut value: the cast to this type drops the digits past its scale.
        let lost = |what: String, v: &Value| {
            CellError::Truncation(
                format!(
                    "{what} has more fraction digits than the {scale} of {}",
                    self.describe()
                ),
                v.cast_spec(&self.spec()).ok(),
            )
        };
        match v {
            Value::Bytes(b) if self.length > 0 && b.len() > self.length as usize => {
                Err(CellError::Truncation(
                    format!(
                        "the value is {} bytes long, more than the {} of {}",
                        b.len(),
                        self.length,
                        self.describe()
                    ),
                    Some(Value::Bytes(b[..self.length as usize].to_vec())),
                ))
            }
            Value::DbTime2 { ticks, .. } if target == DataType::DbTime2 => {
                if extended::loses_digits(ticks, scale) {
                    return Err(lost(
                        format!("the time {}", extended::format_time(ticks, 7)),
                        &v,
                    ));
                }
                Ok(Value::DbTime2 { ticks, scale })
            }
            Value::DbTimestamp2 { local, .. } if target == DataType::DbTimestamp2 => {
                if extended::loses_digits(u64::from(local.parts().ticks), scale) {
                    return Err(lost(
                        format!("the value {}", extended::format_timestamp2(local, 7)),
                        &v,
                    ));
                }
                Ok(Value::DbTimestamp2 { local, scale })
            }
            Value::DbTimestampOffset {
                local,
                offset_minutes,
                ..
            } if target == DataType::DbTimestampOffset => {
                if extended::loses_digits(u64::from(local.parts().ticks), scale) {
                    return Err(lost(
                        format!(
                            "the value {}",
                            extended::format_offset(local, offset_minutes, 7)
                        ),
                        &v,
                    ));
                }
                Ok(Value::DbTimestampOffset {
                    local,
                    offset_minutes,
                    scale,
                })
            }
            Value::Bytes(b) if target == DataType::Bytes => Ok(Value::Bytes(b)),
            other => other.cast_spec(&self.spec()).map_err(CellError::Conversion),
        }
    }

    /// Text read from a file as a value of this type: integers and floats
    /// in their plain forms are parsed directly, anything else the way a
    /// cast from DT_WSTR converts it.
    pub fn parse_text(&self, text: &str) -> Result<Value, CellError> {
        if self.is_text() {
            return self.text_value(text.into());
        }
        let t = text.trim();
        if self.value_type() == DataType::Bytes {
            let bytes = extended::parse_hex(t).ok_or_else(|| {
                CellError::Conversion(format!(
                    "the text \"{t}\" is not hexadecimal digits for {}",
                    self.describe()
                ))
            })?;
            return self.convert(Value::Bytes(bytes));
        }
        let fast = match self.value_type() {
            DataType::I1 => t.parse().ok().map(Value::I1),
            DataType::I2 => t.parse().ok().map(Value::I2),
            DataType::I4 => t.parse().ok().map(Value::I4),
            DataType::I8 => t.parse().ok().map(Value::I8),
            DataType::UI1 => t.parse().ok().map(Value::UI1),
            DataType::UI2 => t.parse().ok().map(Value::UI2),
            DataType::UI4 => t.parse().ok().map(Value::UI4),
            DataType::UI8 => t.parse().ok().map(Value::UI8),
            DataType::R8 => t
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .map(Value::R8),
            _ => None,
        };
        match fast {
            Some(v) => Ok(v),
            None => self.convert(Value::WStr(t.into())),
        }
    }

    /// The value an empty field has when NULLs are not retained: 0, an
    /// empty string, FALSE; NULL for the others.
    pub fn empty_value(&self) -> Value {
        match self.value_type() {
            DataType::Str | DataType::WStr => self
                .text_value(Text::default())
                .unwrap_or_else(|_| self.null()),
            DataType::Bool => Value::Bool(false),
            DataType::Bytes => Value::Bytes(Vec::new()),
            t if t.is_numeric() => Value::I4(0)
                .cast_spec(&self.spec())
                .unwrap_or_else(|_| self.null()),
            _ => self.null(),
        }
    }
}

#[cfg(test)]
mod tests;
