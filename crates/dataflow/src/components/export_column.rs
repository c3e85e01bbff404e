//! Export Column: for each pair of input columns, writes the row's data
//! column (DT_TEXT, DT_NTEXT or DT_IMAGE) into the file its path column (a
//! string) names; the path column's `FileDataColumnID` names the data
//! column. `AllowAppend` adds to an existing file, `ForceTruncate` replaces
//! it, and with neither an existing file is an error (both is refused);
//! `WriteBOM` starts a DT_NTEXT file with the UTF-16 byte-order mark when
//! it does not add to an existing file. DT_TEXT is written in its code
//! page, DT_NTEXT as UTF-16LE, DT_IMAGE as its bytes; a NULL data value
//! writes an empty file. Rows pass on unchanged; a row whose file cannot
//! be opened (a NULL path among the causes) meets the path column's
//! disposition, one whose data cannot be written the data column's.

use super::BuildCtx;
use super::blob_files::{Failure, FileColumns, Operation, RowCounter, bool_prop, pairs};
use crate::buffer::{Batch, Layout};
use crate::exec::{Component, Out, Report, Step};
use crate::flatfile::codec;
use crate::types::ColumnType;
use ssis_runner::expr::{DataType, Value};
use std::fs::{File, OpenOptions};
use std::io::{self, Write};

/// DTS_E_TXFILEEXTRACTORSTATIC_FILEOPENERR_FORWRITE_FILEEXISTS.
const FILE_EXISTS: i32 = 0xC020_90A7_u32 as i32;
/// DTS_E_TXFILEEXTRACTORSTATIC_FILEOPENERR_FORWRITE_FILENOTFOUND.
const NOT_FOUND: i32 = 0xC020_909F_u32 as i32;
/// DTS_E_TXFILEEXTRACTORSTATIC_FILEOPENERR_FORWRITE.
const CANNOT_OPEN: i32 = 0xC020_9093_u32 as i32;
/// DTS_E_TXFILEEXTRACTORSTATIC_EXTRACTORCANTWRITE.
const CANNOT_WRITE: i32 = 0xC020_9095_u32 as i32;

/// What happens to a file that exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Existing {
    Refuse,
    Append,
    Truncate,
}

struct Export {
    files: FileColumns,
    existing: Existing,
    bom: bool,
    /// The data column's type (how its values become bytes).
    ty: ColumnType,
}

pub struct ExportColumn {
    exports: Vec<Export>,
    main: usize,
    error: Option<(usize, Layout)>,
    input_cols: usize,
    files: u64,
    rows: RowCounter,
}

impl ExportColumn {
    pub fn build(ctx: &BuildCtx) -> Result<ExportColumn, String> {
        let found = pairs(ctx, Operation::Export)?;
        let (main, err) = ctx.main_and_error_outputs();
        let main = main.ok_or("it has no output")?;
        let layout = &ctx.inputs[0];
        let mut exports = Vec::new();
        for (path_col, files) in found {
            let append = bool_prop(path_col, "AllowAppend")?;
            let truncate = bool_prop(path_col, "ForceTruncate")?;
            let existing = match (append, truncate) {
                (true, true) => {
                    return Err(format!(
                        "input column \"{}\" has both AllowAppend and ForceTruncate set to true; set one of them to false",
                        path_col.name
                    ));
                }
                (true, false) => Existing::Append,
                (false, true) => Existing::Truncate,
                (false, false) => Existing::Refuse,
            };
            let ty = layout.0[files.data].ty.clone();
            if ty.data_type == DataType::Text {
                codec(ty.code_page)
                    .map_err(|e| format!("input column \"{}\": {e}", layout.0[files.data].name))?;
            }
            exports.push(Export {
                bom: bool_prop(path_col, "WriteBOM")? && ty.data_type == DataType::NText,
                existing,
                ty,
                files,
            });
        }
        Ok(ExportColumn {
            exports,
            main,
            error: err.map(|e| (e, ctx.outputs[e].clone())),
            input_cols: layout.0.len(),
            files: 0,
            rows: RowCounter::default(),
        })
    }
}

impl Export {
    /// The bytes of `v` as the file holds them.
    fn bytes(&self, v: &Value, new_file: bool) -> Vec<u8> {
        let mut out = Vec::new();
        match v {
            Value::WStr(s) => {
                if self.bom && new_file {
                    out.extend([0xFF, 0xFE]);
                }
                s.encode_utf16().for_each(|u| out.extend(u.to_le_bytes()));
            }
            Value::Str { text, .. } => {
                // Checked when the component was built.
                if let Ok(c) = codec(self.ty.code_page) {
                    c.encode_into(text, &mut out);
                }
            }
            Value::Bytes(b) => out.extend_from_slice(b),
            _ => {}
        }
        out
    }

    fn open(&self, path: &str) -> Result<(File, bool), Failure> {
        let mut o = OpenOptions::new();
        o.write(true);
        match self.existing {
            Existing::Refuse => o.create_new(true),
            Existing::Append => o.create(true).append(true),
            Existing::Truncate => o.create(true).truncate(true),
        };
        let file = o.open(path).map_err(|e| {
            let code = match e.kind() {
                io::ErrorKind::AlreadyExists => FILE_EXISTS,
                io::ErrorKind::NotFound => NOT_FOUND,
                _ => CANNOT_OPEN,
            };
            Failure {
                code,
                open: true,
                message: format!("cannot open the file \"{path}\" for writing: {e}"),
            }
        })?;
        // A file appended to is new when it was empty.
        let new_file = self.existing != Existing::Append
            || file.metadata().map(|m| m.len() == 0).unwrap_or(false);
        Ok((file, new_file))
    }

    /// Writes row `r`'s data into its file.
    fn write(&self, batch: &Batch, r: usize) -> Result<(), Failure> {
        let path = match batch.cols[self.files.path][r].as_str() {
            Some(p) => p.to_string(),
            None => {
                return Err(Failure {
                    code: CANNOT_OPEN,
                    open: true,
                    message: "the file path is NULL".into(),
                });
            }
        };
        let (mut file, new_file) = self.open(&path)?;
        let data = self.bytes(&batch.cols[self.files.data][r], new_file);
        file.write_all(&data)
            .and_then(|()| file.flush())
            .map_err(|e| Failure {
                code: CANNOT_WRITE,
                open: false,
                message: format!("writing to the file \"{path}\" failed: {e}"),
            })
    }
}

impl Component for ExportColumn {
    fn push(&mut self, _input: usize, batch: Batch, out: &mut Out<'_>) -> Step {
        let mut take = vec![false; batch.rows];
        let mut errors = Vec::new();
        for (r, taken) in take.iter_mut().enumerate() {
            for x in &self.exports {
                let failure = match x.write(&batch, r) {
                    Ok(()) => {
                        self.files += 1;
                        continue;
                    }
                    Err(f) => f,
                };
                let number = self.rows.number(r);
                if let Some(e) = x.files.dispose(failure, r, number, "input column")? {
                    *taken = true;
                    errors.push(e);
                    break;
                }
            }
        }
        self.rows.add(batch.rows);
        if errors.is_empty() {
            return out.send(self.main, batch);
        }
        let err_batch = self
            .error
            .as_ref()
            .map(|(e, l)| (*e, super::error_batch(&batch, self.input_cols, &errors, l)));
        out.send(self.main, batch.split_off(&take).0)?;
        match err_batch {
            Some((e, b)) => out.send(e, b),
            None => Ok(()),
        }
    }

    fn report(&mut self, r: &mut Report) {
        r.info.push(format!("wrote {} files.", self.files));
    }
}
