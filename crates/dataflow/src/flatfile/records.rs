//! Records split off a flat file in chunks, on a thread of their own, for
//! the Flat File Source's converting thread.

use super::FlatFileSpec;
use super::reader::{Field, Reader};
use std::sync::mpsc::SyncSender;

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

/// Sends the rest of `reader`'s records in chunks of `rows` (the last one
/// shorter, possibly empty) until the end, a read error (sent as the
/// message naming `path`) or the receiver is gone.
pub fn split(
    mut reader: Reader<std::fs::File>,
    spec: &FlatFileSpec,
    rows: usize,
    path: &str,
    tx: &SyncSender<Result<Records, String>>,
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
                    let _ = tx.send(Err(format!("reading \"{path}\": {e}")));
                    return;
                }
            }
        }
        if tx.send(Ok(chunk)).is_err() || end {
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
        let (tx, rx) = std::sync::mpsc::sync_channel(8);
        split(Reader::new(file, Codec::Utf8), &spec, 2, "t.csv", &tx);
        drop(tx);
        let mut rows = Vec::new();
        let mut sizes = Vec::new();
        for chunk in rx {
            let chunk = chunk.unwrap();
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
