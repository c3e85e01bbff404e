//! Sort's runs made on a thread of their own: a set of held rows is encoded
//! where it was held (the pipeline's thread, otherwise idle while a Sort
//! takes rows in), then sorted and stored on the run-making thread while
//! the pipeline goes on filling the next (at most one set in flight). At
//! most [`FAN_IN`] runs of a level are kept ([`Merged`]), so files open and
//! read buffers stay bounded however large the input.

use crate::buffer::Batch;
use crate::runs::{Merged, Run, RunWriter, TempDirs, record_len};
use crate::sortkey::Keys;
use crate::spill::encode;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

/// How many runs of a level are kept before they are merged into one.
const FAN_IN: usize = 64;

/// What making runs needs (the columns encode each set where it was held).
pub struct RunSpec {
    /// Per output column, the input buffer position.
    pub columns: Vec<usize>,
    /// Whether rows whose keys repeat are dropped.
    pub eliminate_duplicates: bool,
    /// Bytes of runs that may stay in memory; past them runs go to disk.
    pub memory: usize,
    /// Where runs on disk go.
    pub dirs: TempDirs,
}

/// The runs made, and how many of them went to disk.
pub struct Made {
    pub runs: Vec<Run>,
    pub on_disk: usize,
}

/// Where each row's encoded cells start: `row[batch[b] + r]` for row `r`
/// of batch `b`; `row` ends with the total length.
#[derive(Default)]
struct Starts {
    batch: Vec<usize>,
    row: Vec<usize>,
}

/// The output columns of every held row, encoded in the order the rows
/// came: each column is read front to back (the sort then moves only
/// offsets, and each row's bytes are copied once, in one piece), into
/// `cells` and `starts` (cleared first).
fn encode_rows(held: &[Batch], columns: &[usize], cells: &mut Vec<u8>, starts: &mut Starts) {
    cells.clear();
    starts.batch.clear();
    starts.row.clear();
    for b in held {
        starts.batch.push(starts.row.len());
        for r in 0..b.rows {
            starts.row.push(cells.len());
            for c in columns {
                encode(cells, &b.cols[*c][r]);
            }
        }
    }
    starts.row.push(cells.len());
}

/// A set of held rows, encoded: their keys and their cells.
struct Set {
    keys: Keys,
    cells: Vec<u8>,
    starts: Starts,
}

/// The run-making thread.
pub struct Spiller {
    tx: Option<SyncSender<Set>>,
    /// Encoding buffers the thread is done with, for the next set.
    spare: Receiver<(Vec<u8>, Starts)>,
    columns: Vec<usize>,
    thread: Option<JoinHandle<Result<Made, String>>>,
}

impl Spiller {
    /// Starts the thread.
    pub fn start(spec: RunSpec) -> Spiller {
        // A rendezvous: a second set waits until the first is taken.
        let (tx, rx) = sync_channel::<Set>(0);
        let (spare_tx, spare) = sync_channel(1);
        let columns = spec.columns.clone();
        let thread = std::thread::spawn(move || {
            let mut dirs = spec.dirs.clone();
            let mut runs = Merged::new(FAN_IN, spec.dirs.clone());
            let mut on_disk = 0;
            let mut in_memory = 0;
            // Kept from one set to the next.
            let mut write_buf = Vec::new();
            for set in rx {
                let Set {
                    mut keys,
                    cells,
                    starts,
                } = set;
                keys.sort(spec.eliminate_duplicates);
                let row = |e: &crate::sortkey::Entry| {
                    let i = starts.batch[e.batch as usize] + e.row as usize;
                    (keys.key(e), &cells[starts.row[i]..starts.row[i + 1]])
                };
                let bytes: usize = keys
                    .entries
                    .iter()
                    .map(|e| {
                        let (k, c) = row(e);
                        record_len(k, c)
                    })
                    .sum();
                let disk_error =
                    |e: std::io::Error| format!("cannot write a sort run to disk: {e}");
                let mut w = if in_memory + bytes <= spec.memory {
                    in_memory += bytes;
                    RunWriter::memory()
                } else {
                    on_disk += 1;
                    RunWriter::disk(std::mem::take(&mut write_buf), &mut dirs)
                        .map_err(disk_error)?
                };
                for e in &keys.entries {
                    let (k, c) = row(e);
                    w.row(k, c).map_err(disk_error)?;
                }
                let (run, buf) = w.finish().map_err(disk_error)?;
                if buf.capacity() > 0 {
                    write_buf = buf;
                }
                runs.push(run, &mut write_buf).map_err(disk_error)?;
                let _ = spare_tx.try_send((cells, starts));
            }
            Ok(Made {
                runs: runs.into_runs(),
                on_disk,
            })
        });
        Spiller {
            tx: Some(tx),
            spare,
            columns,
            thread: Some(thread),
        }
    }

    /// Encodes a set of held rows with their keys and hands it over; an
    /// error when the thread has stopped (its error comes from
    /// [`Spiller::finish`]).
    pub fn send(&mut self, held: Vec<Batch>, keys: Keys) -> Result<(), ()> {
        let (mut cells, mut starts) = self.spare.try_recv().unwrap_or_default();
        encode_rows(&held, &self.columns, &mut cells, &mut starts);
        drop(held);
        let set = Set {
            keys,
            cells,
            starts,
        };
        match &self.tx {
            Some(tx) => tx.send(set).map_err(|_| ()),
            None => Err(()),
        }
    }

    /// Waits for the runs of every set sent.
    pub fn finish(mut self) -> Result<Made, String> {
        self.tx = None;
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(made)) => made,
            Some(Err(_)) => Err("the thread making sort runs failed".into()),
            None => Err("the thread making sort runs is gone".into()),
        }
    }
}

impl Drop for Spiller {
    /// A run canceled half way: the thread ends after its current set.
    fn drop(&mut self) {
        self.tx = None;
    }
}
