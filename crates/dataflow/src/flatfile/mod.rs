//! The Flat File connection manager (`FLATFILE`, and `MULTIFLATFILE`, which
//! has the same settings for several files): format, delimiters, text
//! qualifier, header rows, code page and the columns, read from either
//! layout; and the code pages files are read and written in.

pub mod fast;
pub mod files;
pub mod plain;
pub mod reader;
pub mod records;
pub mod writer;

use crate::types::{self, ColumnType};
use ssis_runner::model::ConnectionManager;
use ssis_runner::model::xml::Element;

/// `Format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Every column ends at its delimiter.
    Delimited,
    /// Every column has a width; rows have no delimiter.
    FixedWidth,
    /// Fixed-width columns, the last one ends at the row delimiter.
    RaggedRight,
}

/// One column of the file.
#[derive(Debug, Clone)]
pub struct FlatColumn {
    /// `ObjectName`.
    pub name: String,
    /// `ColumnType` is `FixedWidth`.
    pub fixed: bool,
    /// `ColumnDelimiter` (the row delimiter for the last column).
    pub delimiter: String,
    /// `ColumnWidth` (fixed-width columns).
    pub width: usize,
    /// `TextQualified`.
    pub qualified: bool,
    /// `DataType`, `MaximumWidth`, `DataPrecision`, `DataScale`.
    pub ty: ColumnType,
}

/// A Flat File connection manager's settings.
#[derive(Debug, Clone)]
pub struct FlatFileSpec {
    /// The manager's name.
    pub name: String,
    /// `Format`.
    pub format: Format,
    /// `ColumnNamesInFirstDataRow`.
    pub header_names: bool,
    /// `HeaderRowsToSkip`.
    pub header_rows_to_skip: usize,
    /// `DataRowsToSkip`.
    pub data_rows_to_skip: usize,
    /// `HeaderRowDelimiter`.
    pub header_row_delimiter: String,
    /// The row delimiter: the last delimited column's, else `RowDelimiter`.
    pub row_delimiter: String,
    /// `TextQualifier` (None for `<none>`).
    pub qualifier: Option<String>,
    /// `CodePage`, or 1200 when `Unicode` is set.
    pub code_page: u32,
    /// The columns in file order.
    pub columns: Vec<FlatColumn>,
}

/// Decodes SSIS's `_xHHHH_` escapes (`_x002C_` is a comma).
pub fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("_x") {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let hex = tail.get(2..6);
        let decoded = match (hex, tail.get(6..7)) {
            (Some(h), Some("_")) => u32::from_str_radix(h, 16).ok().and_then(char::from_u32),
            _ => None,
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &tail[7..];
            }
            None => {
                out.push_str("_x");
                rest = &tail[2..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn flat_columns(data: &Element) -> Vec<&Element> {
    match data.child("FlatFileColumns") {
        Some(w) => w.children_named("FlatFileColumn").collect(),
        None => data.children_named("FlatFileColumn").collect(),
    }
}

/// Whether `cm` is a Multiple Flat Files connection (`MULTIFLATFILE`).
pub fn is_multiple(cm: &ConnectionManager) -> bool {
    cm.creation_name.eq_ignore_ascii_case("MULTIFLATFILE")
}

impl FlatFileSpec {
    /// Reads a `FLATFILE` or `MULTIFLATFILE` connection manager; errors
    /// name the manager.
    pub fn read(cm: &ConnectionManager) -> Result<FlatFileSpec, String> {
        if !cm.creation_name.eq_ignore_ascii_case("FLATFILE") && !is_multiple(cm) {
            return Err(format!(
                "connection manager '{}' is a {} connection, not FLATFILE",
                cm.name, cm.creation_name
            ));
        }
        let Some(data) = cm.data.as_deref() else {
            return Err(format!("connection manager '{}' has no settings", cm.name));
        };
        let p = |n: &str| data.prop(n).map(unescape);
        let flag = |n: &str| {
            p(n).and_then(|v| ssis_runner::model::xml_bool(&v))
                .unwrap_or(false)
        };
        let num = |n: &str| {
            p(n).and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0)
        };
        let format = match p("Format").as_deref().unwrap_or("Delimited") {
            "Delimited" => Format::Delimited,
            "FixedWidth" => Format::FixedWidth,
            "RaggedRight" => Format::RaggedRight,
            other => {
                return Err(format!(
                    "connection manager '{}': format '{other}' is not supported",
                    cm.name
                ));
            }
        };
        let mut columns = Vec::new();
        for c in flat_columns(data) {
            let cp = |n: &str| c.prop(n).map(unescape);
            let name = cp("ObjectName").unwrap_or_default();
            let code: i64 = cp("DataType")
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(129);
            let data_type = types::from_code(code).ok_or_else(|| {
                format!(
                    "connection manager '{}': column '{name}' has data type {code}, which is not known",
                    cm.name
                )
            })?;
            let n = |k: &str| {
                cp(k)
                    .and_then(|v| v.trim().parse::<u32>().ok())
                    .unwrap_or(0)
            };
            columns.push(FlatColumn {
                fixed: cp("ColumnType").as_deref() == Some("FixedWidth"),
                delimiter: cp("ColumnDelimiter").unwrap_or_default(),
                width: n("ColumnWidth") as usize,
                qualified: cp("TextQualified")
                    .and_then(|v| ssis_runner::model::xml_bool(&v))
                    .unwrap_or(true),
                ty: ColumnType {
                    data_type,
                    length: n("MaximumWidth"),
                    precision: n("DataPrecision").min(38) as u8,
                    scale: n("DataScale").min(38) as u8,
                    code_page: 1252,
                },
                name,
            });
        }
        let unicode = flag("Unicode");
        let code_page = if unicode {
            1200
        } else {
            p("CodePage")
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(1252)
        };
        for c in &mut columns {
            c.ty.code_page = if unicode { 1252 } else { code_page };
        }
        let row_delimiter = columns
            .last()
            .filter(|c| !c.fixed && !c.delimiter.is_empty())
            .map(|c| c.delimiter.clone())
            .or_else(|| p("RowDelimiter"))
            .unwrap_or_default();
        let qualifier = p("TextQualifier").filter(|q| !q.is_empty() && q != "<none>");
        Ok(FlatFileSpec {
            name: cm.name.clone(),
            format,
            header_names: flag("ColumnNamesInFirstDataRow"),
            header_rows_to_skip: num("HeaderRowsToSkip"),
            data_rows_to_skip: num("DataRowsToSkip"),
            header_row_delimiter: p("HeaderRowDelimiter").unwrap_or_else(|| "\r\n".into()),
            row_delimiter,
            qualifier,
            code_page,
            columns,
        })
    }

    /// The column named `name`.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }
}

/// The text encoding of a Windows code page.
#[derive(Debug, Clone, Copy)]
pub enum Codec {
    /// 65001.
    Utf8,
    /// 1200 (Unicode files).
    Utf16Le,
    /// 1201.
    Utf16Be,
    /// A single- or multi-byte code page.
    Other(&'static encoding_rs::Encoding),
}

/// The codec of code page `cp`, or an error naming it.
pub fn codec(cp: u32) -> Result<Codec, String> {
    let label = match cp {
        65001 => return Ok(Codec::Utf8),
        1200 => return Ok(Codec::Utf16Le),
        1201 => return Ok(Codec::Utf16Be),
        874 | 1250..=1258 => format!("windows-{cp}"),
        20127 | 28591 => "windows-1252".into(),
        28592..=28606 => format!("iso-8859-{}", cp - 28590),
        866 => "ibm866".into(),
        20866 => "koi8-r".into(),
        21866 => "koi8-u".into(),
        932 => "shift_jis".into(),
        936 => "gbk".into(),
        54936 => "gb18030".into(),
        949 => "euc-kr".into(),
        950 => "big5".into(),
        _ => return Err(format!("code page {cp} is not supported")),
    };
    encoding_rs::Encoding::for_label(label.as_bytes())
        .map(Codec::Other)
        .ok_or_else(|| format!("code page {cp} is not supported"))
}

impl Codec {
    /// The decoder's encoding.
    pub fn encoding(self) -> &'static encoding_rs::Encoding {
        match self {
            Codec::Utf8 => encoding_rs::UTF_8,
            Codec::Utf16Le => encoding_rs::UTF_16LE,
            Codec::Utf16Be => encoding_rs::UTF_16BE,
            Codec::Other(e) => e,
        }
    }

    /// Appends `text` encoded to `out`; characters a single- or multi-byte
    /// code page lacks become '?', as SSIS writes them.
    pub fn encode_into(self, text: &str, out: &mut Vec<u8>) {
        match self {
            Codec::Utf8 => out.extend_from_slice(text.as_bytes()),
            Codec::Utf16Le => text
                .encode_utf16()
                .for_each(|u| out.extend(u.to_le_bytes())),
            Codec::Utf16Be => text
                .encode_utf16()
                .for_each(|u| out.extend(u.to_be_bytes())),
            Codec::Other(enc) => {
                let (bytes, _, unmappable) = enc.encode(text);
                if !unmappable {
                    return out.extend_from_slice(&bytes);
                }
                let mut buf = [0u8; 4];
                for ch in text.chars() {
                    let (b, _, bad) = enc.encode(ch.encode_utf8(&mut buf));
                    out.extend_from_slice(if bad { b"?" } else { &b });
                }
            }
        }
    }
}

/// Specs for the reader's, splitter's and fast path's tests.
#[cfg(test)]
pub(crate) mod test_spec {
    use super::{FlatColumn, FlatFileSpec, Format};
    use crate::types::ColumnType;
    use ssis_runner::expr::DataType;

    /// A UTF-8 file of `format` whose rows end with `row`, `"` as its
    /// qualifier, and one qualified DT_WSTR column per `(name, delimiter,
    /// width, fixed)`.
    pub fn spec(
        format: Format,
        row: &str,
        columns: impl IntoIterator<Item = (String, String, usize, bool)>,
    ) -> FlatFileSpec {
        FlatFileSpec {
            name: "t".into(),
            format,
            header_names: false,
            header_rows_to_skip: 0,
            data_rows_to_skip: 0,
            header_row_delimiter: row.into(),
            row_delimiter: row.into(),
            qualifier: Some("\"".into()),
            code_page: 65001,
            columns: columns
                .into_iter()
                .map(|(name, delimiter, width, fixed)| FlatColumn {
                    name,
                    fixed,
                    delimiter,
                    width,
                    qualified: true,
                    ty: ColumnType::plain(DataType::WStr),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unescapes_delimiters() {
        assert_eq!(unescape("_x000D__x000A_"), "\r\n");
        assert_eq!(unescape("_x002C_"), ",");
        assert_eq!(unescape("_x003C_none_x003E_"), "<none>");
        assert_eq!(unescape("a_xZZ"), "a_xZZ");
    }

    #[test]
    fn code_pages() {
        assert!(matches!(codec(65001), Ok(Codec::Utf8)));
        assert_eq!(codec(1252).unwrap().encoding().name(), "windows-1252");
        assert!(codec(37).is_err());
    }
}
