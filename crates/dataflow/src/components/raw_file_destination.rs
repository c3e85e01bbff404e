//! Raw File Destination: writes its input columns, in input order, to a
//! file in this engine's raw format ([`crate::rawfile`]) named by
//! `FileName` or the variable `FileNameVariable` (`AccessMode` 0 or 1).
//! `WriteOption`: 0 create always, 1 create once (fails when the file
//! exists), 2 append and 3 truncate and append (the file must exist with
//! the same columns).

use super::BuildCtx;
use crate::buffer::Batch;
use crate::exec::{Component, Out, Report, Step};
use crate::rawfile::{self, RawColumn};
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};

#[derive(Clone, Copy, PartialEq, Eq)]
enum WriteOption {
    CreateAlways,
    CreateOnce,
    Append,
    TruncateAppend,
}

pub struct RawFileDestination {
    path: String,
    option: WriteOption,
    cols: Vec<RawColumn>,
    positions: Vec<usize>,
    file: Option<BufWriter<File>>,
    rows: u64,
}

/// The file a Raw File component names: `FileName` or the variable
/// `FileNameVariable` by `AccessMode`.
pub fn file_name(ctx: &BuildCtx) -> Result<String, String> {
    let path = match ctx.comp.access_mode() {
        "0" => ctx.comp.prop("FileName").unwrap_or("").trim().to_string(),
        "1" => {
            let var = ctx.comp.prop("FileNameVariable").unwrap_or("").trim();
            (ctx.var)(var).map(|v| v.to_string()).ok_or_else(|| {
                format!("the variable \"{var}\" (FileNameVariable) does not exist")
            })?
        }
        m => return Err(format!("access mode {m} is not supported")),
    };
    if path.is_empty() && !ctx.checking {
        return Err("it names no file (FileName)".into());
    }
    Ok(path)
}

impl RawFileDestination {
    pub fn build(ctx: &BuildCtx) -> Result<RawFileDestination, String> {
        let option = match ctx.comp.prop("WriteOption").map(str::trim).unwrap_or("0") {
            "0" => WriteOption::CreateAlways,
            "1" => WriteOption::CreateOnce,
            "2" => WriteOption::Append,
            "3" => WriteOption::TruncateAppend,
            o => return Err(format!("WriteOption {o} is not known")),
        };
        let input = ctx.comp.inputs.first().ok_or("it has no input")?;
        let layout = &ctx.inputs[0];
        let mut cols = Vec::new();
        let mut positions = Vec::new();
        for c in &input.columns {
            let pos = layout
                .find(&c.lineage)
                .ok_or_else(|| format!("input column \"{}\" is not in its input", c.name))?;
            positions.push(pos);
            cols.push(RawColumn {
                name: layout.0[pos].name.clone(),
                ty: layout.0[pos].ty.clone(),
            });
        }
        Ok(RawFileDestination {
            path: file_name(ctx)?,
            option,
            cols,
            positions,
            file: None,
            rows: 0,
        })
    }

    fn open(&mut self) -> Result<&mut BufWriter<File>, String> {
        if self.file.is_none() {
            let io = |e: std::io::Error| format!("raw file \"{}\": {e}", self.path);
            let exists = std::path::Path::new(&self.path).exists();
            let file = match self.option {
                WriteOption::CreateOnce if exists => {
                    return Err(format!(
                        "raw file \"{}\" exists and WriteOption is Create once",
                        self.path
                    ));
                }
                WriteOption::CreateAlways | WriteOption::CreateOnce => {
                    let mut f = BufWriter::new(File::create(&self.path).map_err(io)?);
                    rawfile::write_header(&mut f, &self.cols).map_err(io)?;
                    f
                }
                WriteOption::Append | WriteOption::TruncateAppend => {
                    let mut f = File::open(&self.path).map_err(io)?;
                    let have = rawfile::read_header(&mut f).map_err(io)?;
                    if have != self.cols {
                        return Err(format!(
                            "raw file \"{}\" has other columns than the input ({}): it cannot be appended to",
                            self.path,
                            have.iter()
                                .map(|c| format!("{} {}", c.name, c.ty.describe()))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ));
                    }
                    let mut f = if self.option == WriteOption::Append {
                        BufWriter::new(
                            OpenOptions::new()
                                .append(true)
                                .open(&self.path)
                                .map_err(io)?,
                        )
                    } else {
                        BufWriter::new(File::create(&self.path).map_err(io)?)
                    };
                    if self.option == WriteOption::TruncateAppend {
                        rawfile::write_header(&mut f, &self.cols).map_err(io)?;
                    }
                    f
                }
            };
            self.file = Some(file);
        }
        Ok(self.file.as_mut().expect("opened above"))
    }
}

impl Component for RawFileDestination {
    fn push(&mut self, _input: usize, batch: Batch, _out: &mut Out<'_>) -> Step {
        let path = self.path.clone();
        let positions = self.positions.clone();
        let f = self.open()?;
        let io = |e: std::io::Error| format!("writing raw file \"{path}\": {e}");
        for r in 0..batch.rows {
            for p in &positions {
                rawfile::write_value(f, &batch.cols[*p][r]).map_err(io)?;
            }
        }
        self.rows += batch.rows as u64;
        Ok(())
    }

    fn finish(&mut self, _out: &mut Out<'_>) -> Step {
        let path = self.path.clone();
        let f = self.open()?;
        f.flush()
            .map_err(|e| format!("writing raw file \"{path}\": {e}"))?;
        self.file = None;
        Ok(())
    }

    fn report(&mut self, r: &mut Report) {
        r.info.push(format!("wrote {} rows.", self.rows));
    }
}
