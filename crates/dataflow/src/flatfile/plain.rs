//! The common layout cut cheaply: delimited columns, the same one-byte
//! delimiter between them, a row delimiter of `\r\n` or `\n`, and no text
//! qualifier in the text. There every row delimiter ends a record (a short
//! row ends at it too), so records are cut without parsing fields, and a
//! record's fields are split with one scan of its chunk.
//!
//! The results are the general parser's ([`super::reader::parse`]); text
//! with the qualifier in it is left to that parser.

use super::records::Fields;
use super::{FlatFileSpec, Format};

/// A layout the fast path handles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plain {
    /// The byte between columns.
    delimiter: u8,
    /// Whether rows end with `\r\n` (else `\n`).
    crlf: bool,
    /// The number of columns (at least one).
    columns: usize,
    /// The first byte of the text qualifier, when a column is qualified.
    qualifier: Option<u8>,
}

impl Plain {
    /// The fast layout of `spec`, when it has one.
    pub fn of(spec: &FlatFileSpec) -> Option<Plain> {
        let crlf = match spec.row_delimiter.as_str() {
            "\r\n" => true,
            "\n" => false,
            _ => return None,
        };
        let (_, others) = spec.columns.split_last()?;
        if spec.format != Format::Delimited || spec.columns.iter().any(|c| c.fixed) {
            return None;
        }
        let delimiter = match others.first().map(|c| c.delimiter.as_bytes()) {
            Some(&[d]) if d != b'\r' && d != b'\n' => d,
            Some(_) => return None,
            // One column: nothing between columns.
            None => b'\n',
        };
        if others.iter().any(|c| c.delimiter.as_bytes() != [delimiter]) {
            return None;
        }
        let qualified = spec.columns.iter().any(|c| c.qualified);
        Some(Plain {
            delimiter,
            crlf,
            columns: spec.columns.len(),
            qualifier: spec
                .qualifier
                .as_deref()
                .filter(|_| qualified)
                .and_then(|q| q.bytes().next()),
        })
    }

    /// Cuts up to `want` whole records off the start of `text` (which
    /// starts a record). At `eof` the text after the last row delimiter is
    /// a record too. Stops before the record holding the text qualifier.
    pub fn cut(&self, text: &[u8], want: usize, eof: bool) -> Cut {
        let cut = self.count(text, want, eof);
        let q = self
            .qualifier
            .and_then(|q| memchr::memchr(q, &text[..cut.bytes]));
        match q {
            Some(q) => Cut {
                stopped: true,
                ..self.count(&text[..q], want, false)
            },
            None => cut,
        }
    }

    /// [`Plain::cut`] without looking for the qualifier.
    fn count(&self, text: &[u8], want: usize, eof: bool) -> Cut {
        let mut cut = Cut {
            records: 0,
            bytes: 0,
            stopped: false,
        };
        if want == 0 {
            return cut;
        }
        for p in memchr::memchr_iter(b'\n', text) {
            if self.ends_row(text, 0, p) {
                cut.records += 1;
                cut.bytes = p + 1;
                if cut.records == want {
                    return cut;
                }
            }
        }
        if eof && cut.bytes < text.len() {
            cut.records += 1;
            cut.bytes = text.len();
        }
        cut
    }

    /// Whether the `\n` at `p` ends a row (for `\r\n`, it follows a `\r`
    /// of the record starting at `start`).
    #[inline]
    fn ends_row(&self, b: &[u8], start: usize, p: usize) -> bool {
        !self.crlf || (p > start && b[p - 1] == b'\r')
    }

    /// Calls `f` with each record of `text` (whole records as [`Plain::cut`]
    /// cuts them; the last may lack its row delimiter) and its fields, one
    /// per column, as [`super::reader::parse`] gives them (as spans: no
    /// field is unescaped).
    pub fn for_each<E>(
        &self,
        text: &str,
        mut f: impl FnMut(&str, Fields<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        let b = text.as_bytes();
        let mut fields = Vec::with_capacity(self.columns);
        let (mut record, mut field) = (0, 0);
        for p in Matches::new(b, self.delimiter, b'\n') {
            if b[p] == b'\n' {
                if !self.ends_row(b, record, p) {
                    continue;
                }
                let end = if self.crlf { p - 1 } else { p };
                fields.push(Some((field - record, end - record)));
                fields.resize(self.columns, None);
                f(&text[record..p + 1], Fields::Spans(&fields))?;
                fields.clear();
                record = p + 1;
                field = record;
            } else if fields.len() + 1 < self.columns {
                fields.push(Some((field - record, p - record)));
                field = p + 1;
            }
        }
        if record < b.len() {
            fields.push(Some((field - record, b.len() - record)));
            fields.resize(self.columns, None);
            f(&text[record..], Fields::Spans(&fields))?;
        }
        Ok(())
    }
}

/// What [`Plain::cut`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cut {
    /// Whole records.
    pub records: usize,
    /// Their bytes.
    pub bytes: usize,
    /// Whether the text qualifier came first.
    pub stopped: bool,
}

/// The positions of two bytes in a text, in order, found 64 bytes at a
/// time: a block's matches as a bit mask (a loop LLVM turns into vector
/// compares), then one bit at a time.
struct Matches<'a> {
    text: &'a [u8],
    x: u8,
    y: u8,
    /// The start of the next block.
    next: usize,
    /// The start of the block `mask` covers.
    at: usize,
    mask: u64,
}

impl<'a> Matches<'a> {
    fn new(text: &'a [u8], x: u8, y: u8) -> Matches<'a> {
        Matches {
            text,
            x,
            y,
            next: 0,
            at: 0,
            mask: 0,
        }
    }
}

/// Bit `i` set when `block[i]` is `x` or `y`.
#[inline]
fn mask(block: &[u8], x: u8, y: u8) -> u64 {
    let hit = |b: &u8| u8::from(*b == x) | u8::from(*b == y);
    match <&[u8; 64]>::try_from(block) {
        Ok(block) => {
            // One flag byte per byte: a loop of vector compares.
            let mut flags = [0u8; 64];
            for (f, b) in flags.iter_mut().zip(block) {
                *f = hit(b);
            }
            let mut m = 0;
            for (k, lane) in flags.chunks_exact(8).enumerate() {
                let lane = u64::from_le_bytes(lane.try_into().unwrap_or_default());
                // Gathers the low bit of each of the 8 bytes into one byte.
                m |= (lane.wrapping_mul(0x0102_0408_1020_4080) >> 56) << (8 * k);
            }
            m
        }
        Err(_) => block
            .iter()
            .enumerate()
            .fold(0, |m, (i, b)| m | u64::from(hit(b)) << i),
    }
}

impl Iterator for Matches<'_> {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        while self.mask == 0 {
            if self.next >= self.text.len() {
                return None;
            }
            let end = (self.next + 64).min(self.text.len());
            self.mask = mask(&self.text[self.next..end], self.x, self.y);
            self.at = self.next;
            self.next = end;
        }
        let i = self.mask.trailing_zeros() as usize;
        self.mask &= self.mask - 1;
        Some(self.at + i)
    }
}

#[cfg(test)]
#[path = "plain_tests.rs"]
mod tests;
