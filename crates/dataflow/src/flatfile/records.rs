//! Records split off a flat file in chunks, on a thread of their own, for
//! the Flat File Source's converting workers.

use super::FlatFileSpec;
use super::plain::Plain;
use super::reader::{Field, Reader};
use std::io::Read;

/// Records in the order they were read: their text, one after another,
/// and either where each ends and a field per file column for each (spans
/// relative to the record's start), or, for the fast layout, just how many
/// there are (their fields are split when read).
#[derive(Default)]
pub struct Records {
    text: String,
    ends: Vec<usize>,
    fields: Vec<Field>,
    plain: Option<(Plain, usize)>,
}

impl Records {
    /// How many records it holds.
    pub fn count(&self) -> usize {
        self.plain.map_or(self.ends.len(), |(_, n)| n)
    }

    /// Whether it was cut without parsing (tests).
    #[cfg(test)]
    pub fn was_cut(&self) -> bool {
        self.plain.is_some()
    }

    /// Calls `f` with each record's text and its `nf` fields, in order.
    pub fn for_each<E>(
        &self,
        nf: usize,
        mut f: impl FnMut(&str, Fields<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        if let Some((plain, _)) = &self.plain {
            return plain.for_each(&self.text, f);
        }
        let mut start = 0;
        for (fields, &end) in self.fields.chunks_exact(nf.max(1)).zip(&self.ends) {
            f(&self.text[start..end], Fields::Parsed(fields))?;
            start = end;
        }
        Ok(())
    }
}

/// A record's fields, one per file column.
#[derive(Clone, Copy)]
pub enum Fields<'a> {
    /// As the general parser gives them.
    Parsed(&'a [Field]),
    /// Spans of the record; None for the columns a short row lacks (plain
    /// values with nothing to drop, unlike [`Field`]).
    Spans(&'a [Option<(usize, usize)>]),
}

impl<'a> Fields<'a> {
    /// Field `i`'s text in `record`, None when missing.
    #[inline]
    pub fn text(self, i: usize, record: &'a str) -> Option<&'a str> {
        match self {
            Fields::Parsed(f) => f.get(i)?.text(record),
            Fields::Spans(f) => f.get(i).copied().flatten().map(|(a, b)| &record[a..b]),
        }
    }

    /// How many there are.
    pub fn count(self) -> usize {
        match self {
            Fields::Parsed(f) => f.len(),
            Fields::Spans(f) => f.len(),
        }
    }
}

/// A chunk of records and the data row number before its first one.
pub type Chunk = Result<(usize, Records), String>;

/// Emits the rest of `reader`'s records in chunks of `rows` (the last one
/// shorter, possibly empty), numbering data rows from `line` on, until the
/// end, a read error (emitted as the message naming `path`) or `emit`
/// returns false. The fast layout's chunks are cut without parsing; the
/// chunk after the text qualifier shows up is parsed.
pub fn split<R: Read>(
    mut reader: Reader<R>,
    spec: &FlatFileSpec,
    rows: usize,
    path: &str,
    mut line: usize,
    emit: &mut dyn FnMut(Chunk) -> bool,
) {
    let plain = Plain::of(spec);
    let rows = rows.max(1);
    let mut fields = Vec::new();
    let mut parse_next = false;
    // The last cut chunk's size, to allocate the next one at once.
    let mut size = 0;
    loop {
        let cut = match plain.filter(|_| !parse_next) {
            Some(plain) => cut_plain(&mut reader, plain, rows, &mut size),
            None => parse(&mut reader, spec, rows, &mut fields).map(|(c, end)| (c, end, false)),
        };
        let (chunk, end, stopped) = match cut {
            Ok(cut) => cut,
            Err(e) => {
                emit(Err(format!("reading \"{path}\": {e}")));
                return;
            }
        };
        parse_next = stopped;
        if stopped && chunk.count() == 0 {
            continue;
        }
        let base = line;
        line += chunk.count();
        if !emit(Ok((base, chunk))) || end {
            return;
        }
    }
}

/// Up to `rows` records cut off without parsing: the chunk, whether the
/// file ended, whether the text qualifier stopped the cut.
fn cut_plain<R: Read>(
    reader: &mut Reader<R>,
    plain: Plain,
    rows: usize,
    size: &mut usize,
) -> std::io::Result<(Records, bool, bool)> {
    let mut text = String::with_capacity(*size);
    let mut count = 0;
    loop {
        let (window, eof) = reader.window();
        let cut = plain.cut(window.as_bytes(), rows - count, eof);
        text.push_str(&window[..cut.bytes]);
        reader.consume(cut.bytes);
        count += cut.records;
        if count == rows || cut.stopped || eof {
            let end = eof && !cut.stopped && reader.window().0.is_empty();
            *size = text.len().max(*size);
            let chunk = Records {
                text,
                plain: Some((plain, count)),
                ..Records::default()
            };
            return Ok((chunk, end, cut.stopped));
        }
        reader.fill()?;
    }
}

/// Up to `rows` records parsed: the chunk and whether the file ended.
fn parse<R: Read>(
    reader: &mut Reader<R>,
    spec: &FlatFileSpec,
    rows: usize,
    fields: &mut Vec<Field>,
) -> std::io::Result<(Records, bool)> {
    let mut chunk = Records {
        ends: Vec::with_capacity(rows),
        ..Records::default()
    };
    while chunk.ends.len() < rows {
        let Some(record) = reader.next(spec, fields)? else {
            return Ok((chunk, true));
        };
        chunk.text.push_str(record);
        chunk.ends.push(chunk.text.len());
        // A field per column (what `parse` gives), so record `i`'s
        // fields are at `i * columns`.
        fields.resize(spec.columns.len(), Field::Missing);
        chunk.fields.append(fields);
    }
    Ok((chunk, false))
}

#[cfg(test)]
mod tests {
    use super::super::{Codec, Format};
    use super::*;
    use std::io::Write;

    #[test]
    fn chunks_keep_records_and_fields_in_order() {
        let spec = super::super::test_spec::spec(
            Format::Delimited,
            "\r\n",
            [("a", ","), ("b", "\r\n")].map(|(n, d)| (n.to_string(), d.to_string(), 0, false)),
        );
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(b"1,\"x\r\ny\"\r\n\"q\"\"d\",2\r\nshort\r\n3,z")
            .unwrap();
        use std::io::Seek;
        file.rewind().unwrap();
        let mut chunks = Vec::new();
        split(
            Reader::new(file, Codec::Utf8),
            &spec,
            2,
            "t.csv",
            1,
            &mut |c| {
                chunks.push(c);
                true
            },
        );
        let mut rows = Vec::new();
        let mut sizes = Vec::new();
        let mut bases = Vec::new();
        for chunk in chunks {
            let (base, chunk) = chunk.unwrap();
            bases.push(base);
            sizes.push(chunk.count());
            chunk
                .for_each(2, |record, fields| {
                    rows.push(
                        (0..fields.count())
                            .map(|i| fields.text(i, record).map(str::to_string))
                            .collect::<Vec<_>>(),
                    );
                    Ok::<_, ()>(())
                })
                .unwrap();
        }
        let s = |v: &str| Some(v.to_string());
        // The qualifier makes the first chunk parsed, the rest is cut.
        assert_eq!(sizes, [2, 2]);
        assert_eq!(bases, [1, 3]);
        assert_eq!(
            rows,
            [
                vec![s("1"), s("x\r\ny")],
                vec![s("q\"d"), s("2")],
                vec![s("short"), None],
                vec![s("3"), s("z")],
            ]
        );
    }
}
