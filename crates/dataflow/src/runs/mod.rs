//! Sort's sorted runs: each row as its normalised sort key and its encoded
//! cells ([`crate::spill`]), held in memory in large chunks while Sort's
//! budget allows and moved to a temporary file past it. A record is
//! `u32` length, `u32` key length, key, cells (little-endian).

mod merge;

pub use merge::{Merge, Merged};

use crate::spill::{arr, decode, take};
use ssis_runner::expr::Value;
use std::io::{self, BufReader, Read, Write};

/// Bytes of a run's first chunk in memory; each next one is twice as
/// large, up to [`CHUNK`] (small runs stay small).
const FIRST_CHUNK: usize = 4096;

/// Bytes of a run's chunks in memory, at most.
const CHUNK: usize = 1 << 20;

/// Room a chunk must have left for a record to start in it.
const SLACK: usize = 256;

/// Bytes a run on disk collects before each write.
const WRITE_AT: usize = 1 << 20;

/// Appends one record to `out`.
fn put_record(out: &mut Vec<u8>, key: &[u8], cells: &[u8]) {
    out.extend_from_slice(&((4 + key.len() + cells.len()) as u32).to_le_bytes());
    out.extend_from_slice(&(key.len() as u32).to_le_bytes());
    out.extend_from_slice(key);
    out.extend_from_slice(cells);
}

/// The bytes of a record of `key` and `cells`.
pub fn record_len(key: &[u8], cells: &[u8]) -> usize {
    8 + key.len() + cells.len()
}

/// A run being written: into chunks in memory, or into a temporary file
/// (deleted when the run is dropped) through a buffer the caller reuses.
pub enum RunWriter {
    Memory(Vec<Vec<u8>>),
    Disk { file: std::fs::File, buf: Vec<u8> },
}

impl RunWriter {
    /// A run kept in memory.
    pub fn memory() -> RunWriter {
        RunWriter::Memory(Vec::new())
    }

    /// A run on disk, collecting its writes in `buf` (cleared first).
    pub fn disk(mut buf: Vec<u8>) -> io::Result<RunWriter> {
        buf.clear();
        Ok(RunWriter::Disk {
            file: tempfile::tempfile()?,
            buf,
        })
    }

    /// Appends a row: its sort key, then its cells already encoded
    /// ([`crate::spill::encode`]).
    pub fn row(&mut self, key: &[u8], cells: &[u8]) -> io::Result<()> {
        match self {
            RunWriter::Memory(chunks) => {
                // A record starts a new chunk when the current one is
                // nearly full, so chunks seldom grow past their capacity
                // (a larger record simply makes its chunk larger).
                let size = match chunks.last() {
                    None => Some(FIRST_CHUNK),
                    Some(c) if c.len() + SLACK > c.capacity() => {
                        Some((c.capacity() * 2).min(CHUNK))
                    }
                    Some(_) => None,
                };
                if let Some(size) = size {
                    chunks.push(Vec::with_capacity(size));
                }
                if let Some(out) = chunks.last_mut() {
                    put_record(out, key, cells);
                }
            }
            RunWriter::Disk { file, buf } => {
                put_record(buf, key, cells);
                if buf.len() >= WRITE_AT {
                    file.write_all(buf)?;
                    buf.clear();
                }
            }
        }
        Ok(())
    }

    /// The run to read back, and the write buffer to reuse (empty for a
    /// run in memory).
    pub fn finish(self) -> io::Result<(Run, Vec<u8>)> {
        let (source, buf) = match self {
            RunWriter::Memory(chunks) => (
                Source::Memory {
                    chunks,
                    chunk: 0,
                    at: 0,
                },
                Vec::new(),
            ),
            RunWriter::Disk { mut file, mut buf } => {
                file.write_all(&buf)?;
                buf.clear();
                use std::io::Seek;
                file.seek(io::SeekFrom::Start(0))?;
                (
                    Source::File {
                        file: Some(file),
                        input: None,
                        buf: Vec::new(),
                    },
                    buf,
                )
            }
        };
        Ok((
            Run {
                source,
                record: (0, 0),
            },
            buf,
        ))
    }
}

enum Source {
    /// Chunks, the chunk being read and the position in it.
    Memory {
        chunks: Vec<Vec<u8>>,
        chunk: usize,
        at: usize,
    },
    /// A file, read through a buffer made on the first read (runs
    /// waiting to be merged hold no buffer); `buf` holds the current
    /// record.
    File {
        file: Option<std::fs::File>,
        input: Option<BufReader<std::fs::File>>,
        buf: Vec<u8>,
    },
}

/// A sorted run being read back, one record at a time.
pub struct Run {
    source: Source,
    /// The current record's span in its chunk (memory) or in `buf` (file).
    record: (usize, usize),
}

fn damaged() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, "a sort run is damaged")
}

impl Run {
    /// Whether the run is held in memory.
    #[cfg(test)]
    pub fn in_memory(&self) -> bool {
        matches!(self.source, Source::Memory { .. })
    }

    fn current(&self) -> &[u8] {
        let (a, b) = self.record;
        match &self.source {
            Source::Memory { chunks, chunk, .. } => &chunks[*chunk][a..b],
            Source::File { buf, .. } => &buf[a..b],
        }
    }

    /// Moves to the next record; false at the end.
    pub fn advance(&mut self) -> io::Result<bool> {
        match &mut self.source {
            Source::Memory { chunks, chunk, at } => {
                while *chunk < chunks.len() && *at >= chunks[*chunk].len() {
                    // A finished chunk is freed as the merge goes on.
                    chunks[*chunk] = Vec::new();
                    *chunk += 1;
                    *at = 0;
                }
                let Some(c) = chunks.get(*chunk) else {
                    return Ok(false);
                };
                let mut rest = &c[*at..];
                let len = u32::from_le_bytes(arr(&mut rest).ok_or_else(damaged)?) as usize;
                if rest.len() < len {
                    return Err(damaged());
                }
                self.record = (*at + 4, *at + 4 + len);
                *at += 4 + len;
            }
            Source::File { file, input, buf } => {
                let input = match (input.as_mut(), file.take()) {
                    (Some(input), _) => input,
                    (None, Some(f)) => input.insert(BufReader::with_capacity(1 << 20, f)),
                    (None, None) => return Ok(false),
                };
                let mut len = [0u8; 4];
                match input.read_exact(&mut len) {
                    Ok(()) => {}
                    Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(false),
                    Err(e) => return Err(e),
                }
                buf.resize(u32::from_le_bytes(len) as usize, 0);
                input.read_exact(buf)?;
                self.record = (0, buf.len());
            }
        }
        Ok(true)
    }

    /// The current record's sort key.
    pub fn key(&self) -> io::Result<&[u8]> {
        let mut b = self.current();
        let n = u32::from_le_bytes(arr(&mut b).ok_or_else(damaged)?) as usize;
        take(&mut b, n).ok_or_else(damaged)
    }

    /// The current record's encoded cells.
    pub fn cells(&self) -> io::Result<&[u8]> {
        let mut b = self.current();
        let n = u32::from_le_bytes(arr(&mut b).ok_or_else(damaged)?) as usize;
        take(&mut b, n).ok_or_else(damaged)?;
        Ok(b)
    }

    /// Appends the current record's values to `cols`, one per column.
    pub fn decode_into(&self, cols: &mut [Vec<Value>]) -> io::Result<()> {
        let mut b = self.cells()?;
        for col in cols {
            col.push(decode(&mut b).ok_or_else(damaged)?);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ssis_runner::expr::DataType;

    fn rows() -> Vec<(Vec<u8>, Vec<Value>)> {
        (0..5000)
            .map(|i| {
                let text = "x".repeat(i % 700);
                let key = format!("k{i:05}").into_bytes();
                let vals = vec![
                    Value::I4(i as i32),
                    Value::WStr(text.as_str().into()),
                    Value::Null(DataType::Numeric),
                ];
                (key, vals)
            })
            .collect()
    }

    fn read_back(mut run: Run) -> Vec<(Vec<u8>, Vec<Value>)> {
        let mut out = Vec::new();
        while run.advance().unwrap() {
            let mut cols = vec![Vec::new(); 3];
            run.decode_into(&mut cols).unwrap();
            let vals = cols.into_iter().map(|mut c| c.pop().unwrap()).collect();
            out.push((run.key().unwrap().to_vec(), vals));
        }
        out
    }

    #[test]
    fn rows_come_back_in_order_from_memory_and_from_disk() {
        let rows = rows();
        for disk in [false, true] {
            let mut w = if disk {
                RunWriter::disk(Vec::new()).unwrap()
            } else {
                RunWriter::memory()
            };
            let mut bytes = 0;
            for (k, v) in &rows {
                let mut cells = Vec::new();
                v.iter().for_each(|v| crate::spill::encode(&mut cells, v));
                w.row(k, &cells).unwrap();
                bytes += record_len(k, &cells);
            }
            // Past one chunk and one write, so reading crosses their ends.
            assert!(bytes > CHUNK.max(WRITE_AT));
            let run = w.finish().unwrap().0;
            assert_eq!(run.in_memory(), !disk);
            assert_eq!(read_back(run), rows, "disk: {disk}");
        }
    }

    #[test]
    fn an_empty_run_ends_at_once() {
        let (mut run, _) = RunWriter::memory().finish().unwrap();
        assert!(!run.advance().unwrap());
        let (mut run, _) = RunWriter::disk(vec![1]).unwrap().finish().unwrap();
        assert!(!run.advance().unwrap());
    }
}
