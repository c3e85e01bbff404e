//! Flat File Destination: writes its input to the connection's file, one
//! file column per mapped input column (unmapped file columns are written
//! empty), with the header row, optional `Header` text, `Overwrite`.

use super::BuildCtx;
use crate::buffer::Batch;
use crate::exec::{Component, Out, Report, Step};
use crate::flatfile::writer::Writer;
use crate::flatfile::{FlatFileSpec, codec};
use std::fs::File;

pub struct FlatFileDestination {
    spec: FlatFileSpec,
    path: String,
    /// For each file column, the buffer position feeding it.
    sources: Vec<Option<usize>>,
    overwrite: bool,
    header: String,
    writer: Option<Writer<File>>,
    rows: u64,
}

impl FlatFileDestination {
    pub fn build(ctx: &BuildCtx) -> Result<FlatFileDestination, String> {
        let cm = ctx.connection()?;
        let spec = FlatFileSpec::read(cm)?;
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
            writer: None,
            rows: 0,
        })
    }

    fn writer(&mut self) -> Result<&mut Writer<File>, String> {
        if self.writer.is_none() {
            let io = |e: std::io::Error| format!("cannot write the file \"{}\": {e}", self.path);
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
                .map_err(io)?;
            let mut w = Writer::new(file, codec(self.spec.code_page)?, !append).map_err(io)?;
            if !append {
                if !self.header.is_empty() {
                    w.write_text(&self.header).map_err(io)?;
                    w.write_text(&self.spec.header_row_delimiter).map_err(io)?;
                }
                if self.spec.header_names {
                    w.write_names(&self.spec).map_err(io)?;
                }
            }
            self.writer = Some(w);
        }
        Ok(self.writer.as_mut().expect("opened above"))
    }
}

impl Component for FlatFileDestination {
    fn push(&mut self, _input: usize, batch: Batch, _out: &mut Out<'_>) -> Step {
        let path = self.path.clone();
        let sources = std::mem::take(&mut self.sources);
        let spec = self.spec.clone();
        let w = self.writer()?;
        let mut row = Vec::with_capacity(sources.len());
        let mut result = Ok(());
        for r in 0..batch.rows {
            row.clear();
            row.extend(sources.iter().map(|s| s.map(|c| &batch.cols[c][r])));
            if let Err(e) = w.write_values(&spec, &row) {
                result = Err(format!("cannot write the file \"{path}\": {e}").into());
                break;
            }
        }
        self.sources = sources;
        self.rows += batch.rows as u64;
        result
    }

    fn finish(&mut self, _out: &mut Out<'_>) -> Step {
        self.writer()?;
        if let Some(w) = self.writer.take() {
            w.finish()
                .map_err(|e| format!("cannot write the file \"{}\": {e}", self.path))?;
        }
        Ok(())
    }

    fn report(&mut self, r: &mut Report) {
        r.info.push(format!("wrote {} rows.", self.rows));
    }
}
