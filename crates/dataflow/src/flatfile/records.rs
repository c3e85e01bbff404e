//! Records split off a flat file in chunks, on a thread of their own, for
//! the Flat File Source's converting workers.

use super::FlatFileSpec;
use super::reader::{Field, Reader};

/// Records in the order they were read: their text, one after another,
/// where each ends, and a field per file column for each (spans relative
/// to the record's start).
#[derive(Default)]
pub struct Records {
    text: String,
    ends: Vec<usize>,
    fields: Vec<Field>,
}

impl Records {
    /// How many records it holds.
    pub fn count(&self) -> usize {
        self.ends.len()
    }

    /// Record `i`'s text and its `nf` fields; None past the last.
    pub fn record(&self, i: usize, nf: usize) -> Option<(&str, &[Field])> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        Some((
            &self.text[start..end],
            self.fields.get(i * nf..(i + 1) * nf)?,
        ))
    }
}

/// A chunk of records and the data row number before its first one.
pub type Chunk = Result<(usize, Records), String>;

/// Emits the rest of `reader`'s records in chunks of `rows` (the last one
/// shorter, possibly empty), numbering data rows from `line` on, until the
/// end, a read error (emitted as the message naming `path`) or `emit`
/// returns false.
pub fn split(
    mut reader: Reader<std::fs::File>,
    spec: &FlatFileSpec,
    rows: usize,
    path: &str,
    mut line: usize,
    emit: &mut dyn FnMut(Chunk) -> bool,
) {
    let mut fields = Vec::new();
    loop {
        let mut chunk = Records {
            ends: Vec::with_capacity(rows),
            ..Records::default()
        };
        let mut end = false;
        while chunk.ends.len() < rows.max(1) {
            match reader.next(spec, &mut fields) {
                Ok(Some(record)) => {
                    chunk.text.push_str(record);
                    chunk.ends.push(chunk.text.len());
                    // A field per column (what `parse` gives), so record
                    // `i`'s fields are at `i * columns`.
                    fields.resize(spec.columns.len(), Field::Missing);
                    chunk.fields.append(&mut fields);
                }
                Ok(None) => {
                    end = true;
                    break;
                }
                Err(e) => {
                    emit(Err(format!("reading \"{path}\": {e}")));
                    return;
                }
            }
        }
        let base = line;
        line += chunk.count();
        if !emit(Ok((base, chunk))) || end {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Codec, FlatColumn, Format};
    use super::*;
    use crate::types::ColumnType;
    use ssis_runner::expr::DataType;
    use std::io::Write;

    #[test]
    fn chunks_keep_records_and_fields_in_order() {
        let spec = FlatFileSpec {
            name: "t".into(),
            format: Format::Delimited,
            header_names: false,
            header_rows_to_skip: 0,
            data_rows_to_skip: 0,
            header_row_delimiter: "\r\n".into(),
            row_delimiter: "\r\n".into(),
            qualifier: Some("\"".into()),
            code_page: 65001,
            columns: ["a", "b"]
                .iter()
                .enumerate()
                .map(|(i, name)| FlatColumn {
                    name: name.to_string(),
                    fixed: false,
                    delimiter: if i == 1 { "\r\n" } else { "," }.into(),
                    width: 0,
                    qualified: true,
                    ty: ColumnType::plain(DataType::WStr),
                })
                .collect(),
        };
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
            for i in 0..chunk.count() {
                let (record, fields) = chunk.record(i, 2).unwrap();
                rows.push(
                    fields
                        .iter()
                        .map(|f| f.text(record).map(str::to_string))
                        .collect::<Vec<_>>(),
                );
            }
            assert!(chunk.record(chunk.count(), 2).is_none());
        }
        let s = |v: &str| Some(v.to_string());
        // The end comes as a short chunk: here an empty one.
        assert_eq!(sizes, [2, 2, 0]);
        assert_eq!(bases, [1, 3, 5]);
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
