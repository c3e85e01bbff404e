//! Sort's sorted runs: each row as its normalised sort key and its encoded
//! cells ([`crate::spill`]), held in memory in large chunks while Sort's
//! budget allows and moved to a temporary file past it. A record is
//! `u32` length, `u32` key length, key, cells (little-endian). On disk the
//! records go in blocks of whole records, each compressed with LZ4 behind
//! a `u32` compressed length and a `u32` length: sorted rows share much
//! (neighbours have like keys), so a run takes about half the bytes to
//! write and to read back.

mod merge;

pub use merge::{Merge, Merged};

use crate::spill::{arr, decode_push, take};
use ssis_runner::expr::Value;
use std::io::{self, Read, Write};

/// Bytes of a run's first chunk in memory; each next one is twice as
/// large, up to [`CHUNK`] (small runs stay small).
const FIRST_CHUNK: usize = 4096;

/// Bytes of a run's chunks in memory, at most.
const CHUNK: usize = 1 << 20;

/// Room a chunk must have left for a record to start in it.
const SLACK: usize = 256;

/// Bytes of records a block on disk holds before it is written (a larger
/// record makes its block larger).
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

/// The blocks of a run on disk: how many, and the largest (a damaged
/// header cannot make a read ask for more).
#[derive(Debug, Clone, Copy, Default)]
pub struct Blocks {
    count: usize,
    max_len: usize,
    max_packed: usize,
}

thread_local! {
    /// The compressed bytes of the block being read: one buffer a thread,
    /// however many runs a merge reads.
    static PACKED: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Writes `block` compressed, through `packed` (reused), counting it.
fn write_block(
    file: &mut std::fs::File,
    block: &[u8],
    packed: &mut Vec<u8>,
    blocks: &mut Blocks,
) -> io::Result<()> {
    let len = u32::try_from(block.len()).map_err(|_| too_large())?;
    packed.resize(8 + lz4_flex::block::get_maximum_output_size(block.len()), 0);
    let n = lz4_flex::block::compress_into(block, &mut packed[8..]).map_err(io::Error::other)?;
    let n32 = u32::try_from(n).map_err(|_| too_large())?;
    packed[..4].copy_from_slice(&n32.to_le_bytes());
    packed[4..8].copy_from_slice(&len.to_le_bytes());
    file.write_all(&packed[..8 + n])?;
    blocks.count += 1;
    blocks.max_len = blocks.max_len.max(block.len());
    blocks.max_packed = blocks.max_packed.max(n);
    Ok(())
}

/// Reads the next of the `left` blocks into `block`; false when none is
/// left. A file that ends early, or a header larger than any block
/// written, is damage.
fn read_block(
    file: &mut std::fs::File,
    block: &mut Vec<u8>,
    left: &mut Blocks,
) -> io::Result<bool> {
    if left.count == 0 {
        return Ok(false);
    }
    let cut = |e: io::Error| match e.kind() {
        io::ErrorKind::UnexpectedEof => damaged(),
        _ => e,
    };
    let mut head = [0u8; 8];
    file.read_exact(&mut head).map_err(cut)?;
    let mut h = &head[..];
    let n = u32::from_le_bytes(arr(&mut h).ok_or_else(damaged)?) as usize;
    let len = u32::from_le_bytes(arr(&mut h).ok_or_else(damaged)?) as usize;
    if len > left.max_len || n > left.max_packed {
        return Err(damaged());
    }
    PACKED.with_borrow_mut(|packed| {
        packed.resize(n, 0);
        file.read_exact(packed).map_err(cut)?;
        block.resize(len, 0);
        let got = lz4_flex::block::decompress_into(packed, block).map_err(|_| damaged())?;
        if got != len {
            return Err(damaged());
        }
        Ok(())
    })?;
    left.count -= 1;
    Ok(true)
}

fn too_large() -> io::Error {
    io::Error::other("a sort row takes more than 4 GB")
}

/// Where runs on disk go: the directories `BufferTempStoragePath` lists,
/// in turn, or the system's temporary directory when it lists none.
#[derive(Debug, Clone, Default)]
pub struct TempDirs {
    dirs: Vec<std::path::PathBuf>,
    next: usize,
}

impl TempDirs {
    /// The directories of a `BufferTempStoragePath` (`;` between them).
    pub fn parse(setting: &str) -> TempDirs {
        TempDirs {
            dirs: setting
                .split(';')
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .map(Into::into)
                .collect(),
            next: 0,
        }
    }

    /// A new temporary file (deleted when closed); an error names the
    /// directory it was to be in.
    fn file(&mut self) -> io::Result<std::fs::File> {
        if self.dirs.is_empty() {
            return tempfile::tempfile();
        }
        let dir = &self.dirs[self.next % self.dirs.len()];
        self.next += 1;
        tempfile::tempfile_in(dir).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("in \"{}\" (BufferTempStoragePath): {e}", dir.display()),
            )
        })
    }
}

/// A run being written: into chunks in memory, or into a temporary file
/// (deleted when the run is dropped) through a block the caller reuses.
pub enum RunWriter {
    Memory(Vec<Vec<u8>>),
    Disk {
        file: std::fs::File,
        buf: Vec<u8>,
        packed: Vec<u8>,
        blocks: Blocks,
    },
}

impl RunWriter {
    /// A run kept in memory.
    pub fn memory() -> RunWriter {
        RunWriter::Memory(Vec::new())
    }

    /// A run on disk in one of `dirs`, collecting its blocks in `buf`
    /// (cleared first).
    pub fn disk(mut buf: Vec<u8>, dirs: &mut TempDirs) -> io::Result<RunWriter> {
        buf.clear();
        Ok(RunWriter::Disk {
            file: dirs.file()?,
            buf,
            packed: Vec::new(),
            blocks: Blocks::default(),
        })
    }

    /// Appends a row: its sort key, then its cells already encoded
    /// ([`crate::spill::encode`]).
    pub fn row(&mut self, key: &[u8], cells: &[u8]) -> io::Result<()> {
        if record_len(key, cells) > u32::MAX as usize {
            return Err(too_large());
        }
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
            RunWriter::Disk {
                file,
                buf,
                packed,
                blocks,
            } => {
                put_record(buf, key, cells);
                if buf.len() >= WRITE_AT {
                    write_block(file, buf, packed, blocks)?;
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
            RunWriter::Disk {
                mut file,
                mut buf,
                mut packed,
                mut blocks,
            } => {
                if !buf.is_empty() {
                    write_block(&mut file, &buf, &mut packed, &mut blocks)?;
                }
                buf.clear();
                use std::io::Seek;
                file.seek(io::SeekFrom::Start(0))?;
                (
                    Source::File {
                        file,
                        block: Vec::new(),
                        left: blocks,
                        at: 0,
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
    /// A file, its current block (read on the first read: runs waiting
    /// to be merged hold no buffer), the blocks left and the position in
    /// the current one.
    File {
        file: std::fs::File,
        block: Vec<u8>,
        left: Blocks,
        at: usize,
    },
}

/// A sorted run being read back, one record at a time.
pub struct Run {
    source: Source,
    /// The current record's span in its chunk or block.
    record: (usize, usize),
}

fn damaged() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, "a sort run is damaged")
}

/// The span of the record at `at` in `c`, and where the next one starts.
fn record_at(c: &[u8], at: usize) -> io::Result<((usize, usize), usize)> {
    let mut rest = c.get(at..).ok_or_else(damaged)?;
    let len = u32::from_le_bytes(arr(&mut rest).ok_or_else(damaged)?) as usize;
    if rest.len() < len {
        return Err(damaged());
    }
    Ok(((at + 4, at + 4 + len), at + 4 + len))
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
            Source::File { block, .. } => &block[a..b],
        }
    }

    /// Moves to the next record; false at the end.
    pub fn advance(&mut self) -> io::Result<bool> {
        let (c, at) = match &mut self.source {
            Source::Memory { chunks, chunk, at } => {
                while *chunk < chunks.len() && *at >= chunks[*chunk].len() {
                    // A finished chunk is freed as the merge goes on.
                    chunks[*chunk] = Vec::new();
                    *chunk += 1;
                    *at = 0;
                }
                match chunks.get(*chunk) {
                    Some(c) => (c, at),
                    None => return Ok(false),
                }
            }
            Source::File {
                file,
                block,
                left,
                at,
            } => {
                if *at >= block.len() {
                    if !read_block(file, block, left)? {
                        // Done: the buffer goes.
                        *block = Vec::new();
                        return Ok(false);
                    }
                    *at = 0;
                }
                (&*block, at)
            }
        };
        let (span, next) = record_at(c, *at)?;
        self.record = span;
        *at = next;
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
            decode_push(&mut b, col).ok_or_else(damaged)?;
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
                RunWriter::disk(Vec::new(), &mut TempDirs::default()).unwrap()
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

    /// The test rows written to a run on disk, and their bytes.
    fn run_on_disk() -> (Run, usize) {
        let mut w = RunWriter::disk(Vec::new(), &mut TempDirs::default()).unwrap();
        let mut bytes = 0;
        for (k, v) in &rows() {
            let mut cells = Vec::new();
            v.iter().for_each(|v| crate::spill::encode(&mut cells, v));
            w.row(k, &cells).unwrap();
            bytes += record_len(k, &cells);
        }
        (w.finish().unwrap().0, bytes)
    }

    fn file(run: &mut Run) -> &mut std::fs::File {
        match &mut run.source {
            Source::File { file, .. } => file,
            Source::Memory { .. } => panic!("a run on disk"),
        }
    }

    /// Reads the whole run: the rows, or the error that stopped it.
    fn read_all(run: &mut Run) -> io::Result<usize> {
        let mut n = 0;
        while run.advance()? {
            n += 1;
        }
        Ok(n)
    }

    #[test]
    fn a_run_on_disk_takes_fewer_bytes_and_damage_is_an_error() {
        use std::io::{Seek, SeekFrom};
        let (mut run, bytes) = run_on_disk();
        let size = file(&mut run).metadata().unwrap().len();
        assert!(
            (size as usize) < bytes / 2,
            "{size} bytes on disk for {bytes}"
        );
        assert_eq!(read_all(&mut run).unwrap(), rows().len());
        // The first block's end: its header, then its compressed bytes.
        let mut head = [0u8; 4];
        let f = file(&mut run);
        f.seek(SeekFrom::Start(0)).unwrap();
        f.read_exact(&mut head).unwrap();
        let first_end = 8 + u64::from(u32::from_le_bytes(head));
        assert!(first_end < size, "more than one block");
        // Cut inside a block, at a block's end, inside a block's header:
        // reading fails, it never ends early as if the run were done.
        for cut in [size / 4, first_end, first_end + 3] {
            let (mut run, _) = run_on_disk();
            file(&mut run).set_len(cut).unwrap();
            assert!(read_all(&mut run).is_err(), "cut at {cut} of {size}");
        }
        // A header asking for more than any block written: refused before
        // anything is allocated for it.
        let (mut run, _) = run_on_disk();
        let f = file(&mut run);
        f.seek(SeekFrom::Start(4)).unwrap();
        f.write_all(&u32::MAX.to_le_bytes()).unwrap();
        f.seek(SeekFrom::Start(0)).unwrap();
        let e = read_all(&mut run).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
    }

    #[test]
    fn an_empty_run_ends_at_once() {
        let (mut run, _) = RunWriter::memory().finish().unwrap();
        assert!(!run.advance().unwrap());
        let (mut run, _) = RunWriter::disk(vec![1], &mut TempDirs::default())
            .unwrap()
            .finish()
            .unwrap();
        assert!(!run.advance().unwrap());
    }
}
