//! Flat File Destination: writes its input to the connection's file, one
//! file column per mapped input column (unmapped file columns are written
//! empty), with the header row, optional `Header` text, `Overwrite`.
//! Formatting and writing run on a thread of their own, at most two
//! batches behind (a bounded channel).

use super::BuildCtx;
use crate::buffer::Batch;
use crate::exec::{Component, Out, Report, Step};
use crate::flatfile::writer::Writer;
use crate::flatfile::{FlatFileSpec, codec, is_multiple};
use std::sync::mpsc::{SyncSender, sync_channel};
use std::thread::JoinHandle;

/// The writing thread: where batches go, and its result.
struct Writing {
    tx: SyncSender<Batch>,
    done: JoinHandle<Result<(), String>>,
}

pub struct FlatFileDestination {
    spec: FlatFileSpec,
    path: String,
    /// For each file column, the buffer position feeding it.
    sources: Vec<Option<usize>>,
    overwrite: bool,
    header: String,
    writing: Option<Writing>,
    rows: u64,
}

impl FlatFileDestination {
    pub fn build(ctx: &BuildCtx) -> Result<FlatFileDestination, String> {
        let cm = ctx.connection()?;
        let spec = FlatFileSpec::read(cm)?;
        if is_multiple(cm) {
            return Err(format!(
                "connection manager '{}' is a Multiple Flat Files connection: the Flat File Destination writes one file, through a Flat File connection",
                cm.name
            ));
        }
        codec(spec.code_page).map_err(|e| format!("connection manager '{}': {e}", cm.name))?;
        let input = ctx.comp.inputs.first().ok_or("it has no input")?;
        let layout = &ctx.inputs[0];
        let mut sources = vec![None; spec.columns.len()];
        for c in &input.columns {
            let ext_name = input
                .external
                .iter()
                .find(|e| !c.external.is_empty() && e.key == c.external)
                .map(|e| e.name.as_str())
                .unwrap_or(&c.name);
            let field = spec.column(ext_name).ok_or_else(|| {
                format!(
                    "input column \"{}\": the file of connection manager '{}' has no column \"{ext_name}\"",
                    c.name, spec.name
                )
            })?;
            sources[field] = layout.find(&c.lineage);
        }
        Ok(FlatFileDestination {
            path: if ctx.checking {
                String::new()
            } else {
                (ctx.conn_string)(cm)?
            },
            overwrite: ctx
                .comp
                .prop("Overwrite")
                .and_then(ssis_runner::model::xml_bool)
                .unwrap_or(true),
            header: ctx.comp.prop("Header").unwrap_or("").to_string(),
            spec,
            sources,
            writing: None,
            rows: 0,
        })
    }

    /// Opens the file, writes the header rows and starts the writing thread.
    fn start(&mut self) -> Result<&Writing, String> {
        if self.writing.is_none() {
            let path = self.path.clone();
            let io = move |e: std::io::Error| format!("cannot write the file \"{path}\": {e}");
            let exists = std::path::Path::new(&self.path)
                .metadata()
                .is_ok_and(|m| m.len() > 0);
            let append = !self.overwrite && exists;
            let file = std::fs::OpenOptions::new()
                .create(true)
                .write(true)
                .append(append)
                .truncate(!append)
                .open(&self.path)
                .map_err(io.clone())?;
            let mut w =
                Writer::new(file, codec(self.spec.code_page)?, !append).map_err(io.clone())?;
            if !append {
                if !self.header.is_empty() {
                    w.write_text(&self.header).map_err(io.clone())?;
                    w.write_text(&self.spec.header_row_delimiter)
                        .map_err(io.clone())?;
                }
                if self.spec.header_names {
                    w.write_names(&self.spec).map_err(io.clone())?;
                }
            }
            let (tx, rx) = sync_channel::<Batch>(2);
            let spec = self.spec.clone();
            let sources = self.sources.clone();
            let done = std::thread::spawn(move || -> Result<(), String> {
                for batch in rx {
                    let mut row = Vec::with_capacity(sources.len());
                    for r in 0..batch.rows {
                        row.clear();
                        row.extend(sources.iter().map(|s| s.map(|c| &batch.cols[c][r])));
                        w.write_values(&spec, &row).map_err(io.clone())?;
                    }
                }
                w.finish().map_err(io)
            });
            self.writing = Some(Writing { tx, done });
        }
        Ok(self.writing.as_ref().expect("started above"))
    }

    /// Waits for the writing thread; its error, if it failed.
    fn join(&mut self) -> Result<(), String> {
        match self.writing.take() {
            None => Ok(()),
            Some(Writing { tx, done }) => {
                drop(tx);
                done.join()
                    .unwrap_or_else(|_| Err("the writing thread panicked".into()))
            }
        }
    }
}

impl Component for FlatFileDestination {
    fn push(&mut self, _input: usize, batch: Batch, _out: &mut Out<'_>) -> Step {
        self.rows += batch.rows as u64;
        if self.start()?.tx.send(batch).is_err() {
            // The thread ended early: its error says why.
            self.join()?;
            return Err("the writing thread ended early".into());
        }
        Ok(())
    }

    fn finish(&mut self, _out: &mut Out<'_>) -> Step {
        self.start()?;
        Ok(self.join()?)
    }

    fn report(&mut self, r: &mut Report) {
        r.info.push(format!("wrote {} rows.", self.rows));
    }
}

impl Drop for FlatFileDestination {
    fn drop(&mut self) {
        let _ = self.join();
    }
}
