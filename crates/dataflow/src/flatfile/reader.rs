//! Reading a flat file record by record: streaming decode of the code page
//! into a text window, then delimited columns (with text qualifiers,
//! doubled qualifiers and delimiters or line breaks inside them), fixed
//! width and ragged right columns, and short rows (a row delimiter before
//! the last column ends the row; the missing columns are NULL).

use super::{Codec, FlatFileSpec, Format};
use std::io::{self, Read};

/// The result of parsing at the start of the window.
#[derive(Debug, PartialEq, Eq)]
pub enum Parsed {
    /// A record of this many bytes (delimiter included).
    Row(usize),
    /// The record goes on past the window.
    NeedMore,
    /// No more records.
    End,
}

/// The first occurrence in `s` of `delim` or (when not empty) `row`;
/// `(position, is_row_delimiter)`.
fn find_either(s: &str, delim: &str, row: &str) -> Option<(usize, bool)> {
    let b = s.as_bytes();
    let (d0, r0) = (delim.as_bytes().first(), row.as_bytes().first());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if Some(&c) == r0 && b[i..].starts_with(row.as_bytes()) {
            return Some((i, true));
        }
        if Some(&c) == d0 && b[i..].starts_with(delim.as_bytes()) {
            return Some((i, false));
        }
        i += 1;
    }
    None
}

/// Parses one record at the start of `s` into `fields` (one per column;
/// `None` for the columns a short row lacks).
pub fn parse(s: &str, spec: &FlatFileSpec, eof: bool, fields: &mut Vec<Option<String>>) -> Parsed {
    fields.clear();
    if s.is_empty() {
        return if eof { Parsed::End } else { Parsed::NeedMore };
    }
    let row = spec.row_delimiter.as_str();
    let n = spec.columns.len();
    let mut p = 0;
    for (i, col) in spec.columns.iter().enumerate() {
        let last = i + 1 == n;
        let rest = &s[p..];
        if col.fixed {
            let end = match rest.char_indices().nth(col.width) {
                Some((b, _)) => b,
                None if eof || rest.chars().count() == col.width => rest.len(),
                None => return Parsed::NeedMore,
            };
            fields.push(Some(rest[..end].to_string()));
            p += end;
            if last && spec.format == Format::FixedWidth && !row.is_empty() {
                let after = &s[p..];
                if after.starts_with(row) {
                    p += row.len();
                } else if !eof && row.starts_with(after) {
                    return Parsed::NeedMore;
                }
            }
            continue;
        }
        let delim = if last { row } else { col.delimiter.as_str() };
        let row_end = if last { "" } else { row };
        let qualifier = spec.qualifier.as_deref().filter(|_| col.qualified);
        let mut value = String::new();
        let mut k = 0;
        if let Some(q) = qualifier.filter(|q| rest.starts_with(*q)) {
            k = q.len();
            loop {
                match rest[k..].find(q) {
                    None if eof => {
                        value.push_str(&rest[k..]);
                        k = rest.len();
                        break;
                    }
                    None => return Parsed::NeedMore,
                    Some(j) => {
                        value.push_str(&rest[k..k + j]);
                        k += j + q.len();
                        if rest[k..].starts_with(q) {
                            value.push_str(q);
                            k += q.len();
                        } else if k == rest.len() && !eof {
                            return Parsed::NeedMore;
                        } else {
                            break;
                        }
                    }
                }
            }
        }
        let tail = &rest[k..];
        let found = if delim.is_empty() {
            find_either(tail, row_end, "").map(|(at, _)| (at, false))
        } else {
            find_either(tail, delim, row_end)
        };
        match found {
            Some((at, is_row)) => {
                value.push_str(&tail[..at]);
                fields.push(Some(value));
                let used = if is_row { row_end.len() } else { delim.len() };
                p += k + at + used;
                if is_row {
                    fields.resize(n, None);
                    return Parsed::Row(p);
                }
            }
            None if eof => {
                value.push_str(tail);
                fields.push(Some(value));
                fields.resize(n, None);
                return Parsed::Row(s.len());
            }
            None => return Parsed::NeedMore,
        }
    }
    Parsed::Row(p)
}

/// A flat file being read.
pub struct Reader<R: Read> {
    src: R,
    decoder: encoding_rs::Decoder,
    buf: String,
    pos: usize,
    eof: bool,
    chunk: Vec<u8>,
}

const CHUNK: usize = 256 * 1024;

impl<R: Read> Reader<R> {
    /// Reads `src` in `codec` (a byte-order mark, when present, wins).
    pub fn new(src: R, codec: Codec) -> Reader<R> {
        Reader {
            src,
            decoder: codec.encoding().new_decoder_with_bom_removal(),
            buf: String::new(),
            pos: 0,
            eof: false,
            chunk: vec![0; CHUNK],
        }
    }

    fn fill(&mut self) -> io::Result<()> {
        if self.pos > 0 {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        let n = loop {
            match self.src.read(&mut self.chunk) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        let last = n == 0;
        let mut input = &self.chunk[..n];
        loop {
            let need = self
                .decoder
                .max_utf8_buffer_length(input.len())
                .unwrap_or(input.len() * 3 + 16);
            self.buf.reserve(need);
            let (res, read, _) = self.decoder.decode_to_string(input, &mut self.buf, last);
            input = &input[read..];
            if res == encoding_rs::CoderResult::InputEmpty {
                break;
            }
        }
        self.eof = last;
        Ok(())
    }

    /// Skips one line ending with `delim` (header rows).
    pub fn skip_line(&mut self, delim: &str) -> io::Result<()> {
        loop {
            let rest = &self.buf[self.pos..];
            if let Some(i) = rest.find(delim).filter(|_| !delim.is_empty()) {
                self.pos += i + delim.len();
                return Ok(());
            }
            if self.eof {
                self.pos = self.buf.len();
                return Ok(());
            }
            self.fill()?;
        }
    }

    /// The next record into `fields`, its text (delimiter excluded) into
    /// `raw`; false at the end of the file.
    pub fn next(
        &mut self,
        spec: &FlatFileSpec,
        fields: &mut Vec<Option<String>>,
        raw: &mut String,
    ) -> io::Result<bool> {
        loop {
            match parse(&self.buf[self.pos..], spec, self.eof, fields) {
                Parsed::Row(len) => {
                    raw.clear();
                    let text = &self.buf[self.pos..self.pos + len];
                    raw.push_str(
                        text.strip_suffix(spec.row_delimiter.as_str())
                            .unwrap_or(text),
                    );
                    self.pos += len;
                    return Ok(true);
                }
                Parsed::End => return Ok(false),
                Parsed::NeedMore => self.fill()?,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{FlatColumn, Format};
    use super::*;
    use crate::types::ColumnType;
    use ssis_runner::expr::DataType;

    fn spec(format: Format, widths: &[usize]) -> FlatFileSpec {
        let n = widths.len();
        FlatFileSpec {
            name: "t".into(),
            format,
            header_names: false,
            header_rows_to_skip: 0,
            data_rows_to_skip: 0,
            header_row_delimiter: "\r\n".into(),
            row_delimiter: "\r\n".into(),
            qualifier: Some("\"".into()),
            code_page: 65001,
            columns: widths
                .iter()
                .enumerate()
                .map(|(i, w)| FlatColumn {
                    name: format!("c{i}"),
                    fixed: *w > 0 && !(format == Format::RaggedRight && i + 1 == n),
                    delimiter: if i + 1 == n {
                        "\r\n".into()
                    } else {
                        ",".into()
                    },
                    width: *w,
                    qualified: true,
                    ty: ColumnType::plain(DataType::WStr),
                })
                .collect(),
        }
    }

    fn read_all(text: &[u8], spec: &FlatFileSpec, codec: Codec) -> Vec<Vec<Option<String>>> {
        let mut r = Reader::new(text, codec);
        let mut out = Vec::new();
        let (mut f, mut raw) = (Vec::new(), String::new());
        while r.next(spec, &mut f, &mut raw).unwrap() {
            out.push(f.clone());
        }
        out
    }

    fn s(v: &str) -> Option<String> {
        Some(v.into())
    }

    #[test]
    fn delimited_with_qualifiers_newlines_and_short_rows() {
        let sp = spec(Format::Delimited, &[0, 0, 0]);
        let text = "a,\"b,1\",\"x\r\ny\"\r\n\"q\"\"d\",2\r\nlast,3,z";
        let rows = read_all(text.as_bytes(), &sp, Codec::Utf8);
        assert_eq!(
            rows,
            vec![
                vec![s("a"), s("b,1"), s("x\r\ny")],
                vec![s("q\"d"), s("2"), None],
                vec![s("last"), s("3"), s("z")],
            ]
        );
    }

    #[test]
    fn fixed_width_and_ragged_right() {
        let sp = spec(Format::FixedWidth, &[2, 3]);
        let rows = read_all("abcde\r\nfghij\r\n".as_bytes(), &sp, Codec::Utf8);
        assert_eq!(rows, vec![vec![s("ab"), s("cde")], vec![s("fg"), s("hij")]]);
        let sp = spec(Format::RaggedRight, &[2, 0]);
        let rows = read_all("abcdef\r\ngh\r\n".as_bytes(), &sp, Codec::Utf8);
        assert_eq!(rows, vec![vec![s("ab"), s("cdef")], vec![s("gh"), s("")]]);
    }

    #[test]
    fn utf16_and_1252_decode() {
        let sp = spec(Format::Delimited, &[0, 0]);
        let mut bytes = vec![0xFF, 0xFE];
        for u in "é,ü\r\n".encode_utf16() {
            bytes.extend(u.to_le_bytes());
        }
        assert_eq!(
            read_all(&bytes, &sp, Codec::Utf16Le),
            vec![vec![s("é"), s("ü")]]
        );
        let cp = super::super::codec(1252).unwrap();
        assert_eq!(
            read_all(b"\xe9,\x80\r\n", &sp, cp),
            vec![vec![s("é"), s("€")]]
        );
    }

    #[test]
    fn records_span_chunks() {
        let sp = spec(Format::Delimited, &[0, 0]);
        let mut text = String::new();
        for i in 0..50_000 {
            text.push_str(&format!("{i},\"v\r\n{i}\"\r\n"));
        }
        let rows = read_all(text.as_bytes(), &sp, Codec::Utf8);
        assert_eq!(rows.len(), 50_000);
        assert_eq!(rows[49_999], vec![s("49999"), s("v\r\n49999")]);
    }
}
