//! Writing a flat file: header row, delimited columns with the text
//! qualifier around text-qualified columns (a qualifier inside a value is
//! doubled), fixed-width columns padded with spaces, encoded in the
//! connection's code page (Unicode files start with a byte-order mark).

use super::{Codec, FlatFileSpec};
use std::io::{self, Write};

/// A flat file being written.
pub struct Writer<W: Write> {
    out: io::BufWriter<W>,
    codec: Codec,
    line: String,
    bytes: Vec<u8>,
}

impl<W: Write> Writer<W> {
    /// A writer on `out`; writes the byte-order mark of UTF-16 files when
    /// `bom` (a new file).
    pub fn new(out: W, codec: Codec, bom: bool) -> io::Result<Writer<W>> {
        let mut out = io::BufWriter::with_capacity(256 * 1024, out);
        if bom {
            match codec {
                Codec::Utf16Le => out.write_all(&[0xFF, 0xFE])?,
                Codec::Utf16Be => out.write_all(&[0xFE, 0xFF])?,
                _ => {}
            }
        }
        Ok(Writer {
            out,
            codec,
            line: String::new(),
            bytes: Vec::new(),
        })
    }

    /// Writes text as it is (the `Header` property).
    pub fn write_text(&mut self, s: &str) -> io::Result<()> {
        self.line.clear();
        self.line.push_str(s);
        self.flush_line()
    }

    /// Writes the column names row, ended by the header row delimiter.
    pub fn write_names(&mut self, spec: &FlatFileSpec) -> io::Result<()> {
        self.line.clear();
        let n = spec.columns.len();
        for (i, c) in spec.columns.iter().enumerate() {
            self.push_field(spec, i, Some(&c.name), true);
            if i + 1 < n {
                self.line.push_str(&c.delimiter);
            }
        }
        self.line.push_str(&spec.header_row_delimiter);
        self.flush_line()
    }

    fn push_field(&mut self, spec: &FlatFileSpec, i: usize, v: Option<&str>, text: bool) {
        let col = &spec.columns[i];
        let v = v.unwrap_or("");
        if col.fixed {
            let mut count = 0;
            for ch in v.chars().take(col.width) {
                self.line.push(ch);
                count += 1;
            }
            self.line
                .extend(std::iter::repeat_n(' ', col.width - count));
            return;
        }
        match spec.qualifier.as_deref().filter(|_| col.qualified && text) {
            Some(q) => {
                self.line.push_str(q);
                if v.contains(q) {
                    self.line.push_str(&v.replace(q, &format!("{q}{q}")));
                } else {
                    self.line.push_str(v);
                }
                self.line.push_str(q);
            }
            None => self.line.push_str(v),
        }
    }

    /// Writes one row of values: `values[i]` for file column `i` (`None`
    /// for a column nothing feeds); NULL is written empty, text values
    /// qualified, other values as SSIS converts them to text.
    pub fn write_values(
        &mut self,
        spec: &FlatFileSpec,
        values: &[Option<&ssis_runner::expr::Value>],
    ) -> io::Result<()> {
        use std::fmt::Write as _;
        self.line.clear();
        let n = spec.columns.len();
        for (i, v) in values.iter().enumerate().take(n) {
            let c = &spec.columns[i];
            match v {
                Some(v) if v.as_str().is_some() => self.push_field(spec, i, v.as_str(), true),
                Some(v) if !v.is_null() && !c.fixed => {
                    if !super::fast::format(v, &mut self.line) {
                        let _ = write!(self.line, "{v}");
                    }
                }
                Some(v) if !v.is_null() => {
                    let text = v.to_string();
                    self.push_field(spec, i, Some(&text), false);
                }
                _ => self.push_field(spec, i, None, c.ty.is_text()),
            }
            if !c.fixed {
                if i + 1 < n {
                    self.line.push_str(&c.delimiter);
                } else {
                    self.line.push_str(&spec.row_delimiter);
                }
            }
        }
        if spec.columns.last().is_some_and(|c| c.fixed) {
            self.line.push_str(&spec.row_delimiter);
        }
        self.flush_line()
    }

    /// Writes one row: `values[i]` for column `i` (`None`: NULL, written
    /// empty), `text[i]` whether the value is text (qualified).
    pub fn write_row(
        &mut self,
        spec: &FlatFileSpec,
        values: &[Option<&str>],
        text: &[bool],
    ) -> io::Result<()> {
        self.line.clear();
        let n = spec.columns.len();
        for i in 0..n {
            self.push_field(spec, i, values[i], text[i]);
            let c = &spec.columns[i];
            if !c.fixed {
                if i + 1 < n {
                    self.line.push_str(&c.delimiter);
                } else {
                    self.line.push_str(&spec.row_delimiter);
                }
            }
        }
        if spec.columns.last().is_some_and(|c| c.fixed) {
            self.line.push_str(&spec.row_delimiter);
        }
        self.flush_line()
    }

    fn flush_line(&mut self) -> io::Result<()> {
        if let Codec::Utf8 = self.codec {
            return self.out.write_all(self.line.as_bytes());
        }
        self.bytes.clear();
        self.codec.encode_into(&self.line, &mut self.bytes);
        self.out.write_all(&self.bytes)
    }

    /// Flushes the file.
    pub fn finish(mut self) -> io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::super::{FlatColumn, Format, codec};
    use super::*;
    use crate::types::ColumnType;
    use ssis_runner::expr::DataType;

    fn spec() -> FlatFileSpec {
        let col = |n: &str, d: &str| FlatColumn {
            name: n.into(),
            fixed: false,
            delimiter: d.into(),
            width: 0,
            qualified: true,
            ty: ColumnType::plain(DataType::WStr),
        };
        FlatFileSpec {
            name: "t".into(),
            format: Format::Delimited,
            header_names: true,
            header_rows_to_skip: 0,
            data_rows_to_skip: 0,
            header_row_delimiter: "\r\n".into(),
            row_delimiter: "\r\n".into(),
            qualifier: Some("\"".into()),
            code_page: 1252,
            columns: vec![col("a", ","), col("b", "\r\n")],
        }
    }

    #[test]
    fn qualifies_doubles_and_encodes() {
        let sp = spec();
        let mut out = Vec::new();
        let mut w = Writer::new(&mut out, codec(1252).unwrap(), true).unwrap();
        w.write_names(&sp).unwrap();
        w.write_row(&sp, &[Some("é\"x"), Some("7")], &[true, false])
            .unwrap();
        w.write_row(&sp, &[None, Some("€ 中")], &[true, true])
            .unwrap();
        w.finish().unwrap();
        assert_eq!(
            out,
            b"\"a\",\"b\"\r\n\"\xe9\"\"x\",7\r\n\"\",\"\x80 ?\"\r\n".to_vec()
        );
    }
}
