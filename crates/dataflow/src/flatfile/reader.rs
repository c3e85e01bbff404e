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

/// One field of a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    /// A short row ended before this column.
    Missing,
    /// The field's text is `record[start..end]`.
    Span(usize, usize),
    /// The field's text, unescaped (doubled qualifiers, text after the
    /// closing qualifier).
    Owned(String),
}

impl Field {
    /// The field's text in `record`, None when missing.
    pub fn text<'a>(&'a self, record: &'a str) -> Option<&'a str> {
        match self {
            Field::Missing => None,
            Field::Span(a, b) => Some(&record[*a..*b]),
            Field::Owned(s) => Some(s),
        }
    }
}

/// Whether `hay` starts with `needle`: delimiters and qualifiers are a
/// byte or two, too short for a `memcmp` call to pay.
#[inline]
fn starts(hay: &[u8], needle: &[u8]) -> bool {
    hay.len() >= needle.len() && hay.iter().zip(needle).all(|(a, b)| a == b)
}

/// The first occurrence in `s` of `delim` or (when not empty) `row`;
/// `(position, is_row_delimiter)`.
fn find_either(s: &str, delim: &str, row: &str) -> Option<(usize, bool)> {
    let b = s.as_bytes();
    let (d, r) = (delim.as_bytes(), row.as_bytes());
    let mut from = 0;
    loop {
        let at = match (d.first(), r.first()) {
            (Some(&x), Some(&y)) => memchr::memchr2(x, y, &b[from..]),
            (Some(&x), None) | (None, Some(&x)) => memchr::memchr(x, &b[from..]),
            (None, None) => return None,
        }? + from;
        if !r.is_empty() && starts(&b[at..], r) {
            return Some((at, true));
        }
        if !d.is_empty() && starts(&b[at..], d) {
            return Some((at, false));
        }
        from = at + 1;
    }
}

/// Parses one record at the start of `s` into `fields` (one per column;
/// [`Field::Missing`] for the columns a short row lacks).
pub fn parse(s: &str, spec: &FlatFileSpec, eof: bool, fields: &mut Vec<Field>) -> Parsed {
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
            fields.push(Field::Span(p, p + end));
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
        // The qualified part: owned when unescaping changed it.
        let mut value: Option<String> = None;
        let mut span = None;
        let mut k = 0;
        if let Some(q) = qualifier.filter(|q| starts(rest.as_bytes(), q.as_bytes())) {
            k = q.len();
            let start = k;
            let mut text = String::new();
            let mut doubled = false;
            loop {
                match rest[k..].find(q) {
                    None if eof => {
                        text.push_str(&rest[k..]);
                        doubled = true;
                        k = rest.len();
                        break;
                    }
                    None => return Parsed::NeedMore,
                    Some(j) => {
                        text.push_str(&rest[k..k + j]);
                        k += j + q.len();
                        if rest[k..].starts_with(q) {
                            text.push_str(q);
                            doubled = true;
                            k += q.len();
                        } else if k == rest.len() && !eof {
                            return Parsed::NeedMore;
                        } else {
                            break;
                        }
                    }
                }
            }
            if doubled {
                value = Some(text);
            } else {
                span = Some((p + start, p + k - q.len()));
            }
        }
        let tail = &rest[k..];
        let found = if delim.is_empty() {
            find_either(tail, row_end, "").map(|(at, _)| (at, false))
        } else {
            find_either(tail, delim, row_end)
        };
        let (at, is_row, used) = match found {
            Some((at, is_row)) => (at, is_row, if is_row { row_end.len() } else { delim.len() }),
            None if eof => (tail.len(), true, 0),
            None => return Parsed::NeedMore,
        };
        let field = match (value, span) {
            (None, None) => Field::Span(p + k, p + k + at),
            (None, Some((a, b))) if at == 0 => Field::Span(a, b),
            (v, sp) => {
                let mut text =
                    v.unwrap_or_else(|| sp.map(|(a, b)| s[a..b].to_string()).unwrap_or_default());
                text.push_str(&tail[..at]);
                Field::Owned(text)
            }
        };
        fields.push(field);
        p += k + at + used;
        if is_row {
            fields.resize(n, Field::Missing);
            return Parsed::Row(p);
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

    /// Reads `n` bytes at a time (tests: records across reads).
    #[cfg(test)]
    pub fn with_read_size(src: R, codec: Codec, n: usize) -> Reader<R> {
        Reader {
            chunk: vec![0; n.max(1)],
            ..Reader::new(src, codec)
        }
    }

    /// The decoded text not read yet, and whether the file ends with it.
    pub fn window(&self) -> (&str, bool) {
        (&self.buf[self.pos..], self.eof)
    }

    /// Marks the first `n` bytes of the window read.
    pub fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.buf.len());
    }

    /// Decodes more of the file into the window.
    pub fn fill(&mut self) -> io::Result<()> {
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

    /// The next record: its fields into `fields`, its text (row delimiter
    /// included) returned; None at the end of the file.
    pub fn next(
        &mut self,
        spec: &FlatFileSpec,
        fields: &mut Vec<Field>,
    ) -> io::Result<Option<&str>> {
        loop {
            match parse(&self.buf[self.pos..], spec, self.eof, fields) {
                Parsed::Row(len) => {
                    let start = self.pos;
                    self.pos += len;
                    return Ok(Some(&self.buf[start..start + len]));
                }
                Parsed::End => return Ok(None),
                Parsed::NeedMore => self.fill()?,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::Format;
    use super::*;

    fn spec(format: Format, widths: &[usize]) -> FlatFileSpec {
        let n = widths.len();
        super::super::test_spec::spec(
            format,
            "\r\n",
            widths.iter().enumerate().map(|(i, w)| {
                let last = i + 1 == n;
                let delimiter = if last { "\r\n" } else { "," };
                let fixed = *w > 0 && !(format == Format::RaggedRight && last);
                (format!("c{i}"), delimiter.to_string(), *w, fixed)
            }),
        )
    }

    fn read_all(text: &[u8], spec: &FlatFileSpec, codec: Codec) -> Vec<Vec<Option<String>>> {
        let mut r = Reader::new(text, codec);
        let mut out = Vec::new();
        let mut f = Vec::new();
        while let Some(record) = r.next(spec, &mut f).unwrap() {
            out.push(
                f.iter()
                    .map(|x| x.text(record).map(str::to_string))
                    .collect(),
            );
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
