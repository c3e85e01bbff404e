//! Import Column: for each input column holding a file path, reads the
//! whole file into the output column its `FileDataColumnID` names
//! (DT_TEXT in its code page, DT_NTEXT as UTF-16LE, DT_IMAGE as bytes),
//! appended to the row. `ExpectBOM` (DT_NTEXT only) skips the file's
//! byte-order mark. A NULL path gives a NULL value; a row whose file cannot
//! be opened meets the path column's disposition, one whose file cannot be
//! read or decoded the output column's.

use super::BuildCtx;
use super::blob_files::{Failure, FileColumns, Operation, RowCounter, bool_prop, pairs};
use crate::buffer::{Batch, Layout};
use crate::exec::{Component, Out, Report, Step};
use crate::flatfile::{Codec, codec};
use crate::types::ColumnType;
use ssis_runner::expr::{DataType, Value};
use std::io::{self, Read};

/// DTS_E_TXFILEINSERTERSTATIC_FILEOPENERR_FORREAD_FILENOTFOUND.
const NOT_FOUND: i32 = 0xC020_90BC_u32 as i32;
/// DTS_E_TXFILEINSERTERSTATIC_FILEOPENERR_FORREAD.
const CANNOT_OPEN: i32 = 0xC020_9091_u32 as i32;
/// DTS_E_TXFILEINSERTERSTATIC_INSERTERCANTREAD.
const CANNOT_READ: i32 = 0xC020_9094_u32 as i32;

struct Import {
    files: FileColumns,
    expect_bom: bool,
    /// The output column's type and, for DT_TEXT, its code page's codec.
    ty: ColumnType,
    codec: Option<Codec>,
}

pub struct ImportColumn {
    imports: Vec<Import>,
    /// The output's new columns, in buffer order (`data` positions).
    new_cols: usize,
    main: usize,
    error: Option<(usize, Layout)>,
    input_cols: usize,
    files: u64,
    rows: RowCounter,
}

impl ImportColumn {
    pub fn build(ctx: &BuildCtx) -> Result<ImportColumn, String> {
        let found = pairs(ctx, Operation::Import)?;
        let (main, err) = ctx.main_and_error_outputs();
        let main = main.ok_or("it has no output")?;
        let input_cols = ctx.inputs[0].0.len();
        let mut imports = Vec::new();
        for (path_col, files) in found {
            let ty = ctx.outputs[main].0[files.data].ty.clone();
            let expect_bom = bool_prop(path_col, "ExpectBOM")?;
            if expect_bom && ty.data_type != DataType::NText {
                return Err(format!(
                    "input column \"{}\" has ExpectBOM set to true, but its output column \"{}\" is not DT_NTEXT",
                    path_col.name, files.data_name
                ));
            }
            let codec = match ty.data_type {
                DataType::Text => Some(
                    codec(ty.code_page)
                        .map_err(|e| format!("output column \"{}\": {e}", files.data_name))?,
                ),
                _ => None,
            };
            imports.push(Import {
                files,
                expect_bom,
                ty,
                codec,
            });
        }
        Ok(ImportColumn {
            new_cols: ctx.comp.outputs[main].columns.len(),
            imports,
            main,
            error: err.map(|e| (e, ctx.outputs[e].clone())),
            input_cols,
            files: 0,
            rows: RowCounter::default(),
        })
    }
}

impl Import {
    /// The value of the file named in row `r`.
    fn read(&self, batch: &Batch, r: usize) -> Result<Value, Failure> {
        let Some(path) = batch.cols[self.files.path][r].as_str() else {
            return Ok(self.ty.null());
        };
        let mut file = std::fs::File::open(path).map_err(|e| Failure {
            code: match e.kind() {
                io::ErrorKind::NotFound => NOT_FOUND,
                _ => CANNOT_OPEN,
            },
            open: true,
            message: format!("cannot open the file \"{path}\" for reading: {e}"),
        })?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(|e| Failure {
            code: CANNOT_READ,
            open: false,
            message: format!("cannot read the file \"{path}\": {e}"),
        })?;
        let bad = |why: &str| Failure {
            code: CANNOT_READ,
            open: false,
            message: format!("the file \"{path}\" {why}"),
        };
        Ok(match self.ty.data_type {
            DataType::NText => {
                let body = match bytes.strip_prefix(&[0xFF, 0xFE]) {
                    Some(rest) if self.expect_bom => rest,
                    _ => &bytes[..],
                };
                if body.len() % 2 != 0 {
                    return Err(bad("has an odd number of bytes: it is not UTF-16 text"));
                }
                let units = body
                    .chunks_exact(2)
                    .map(|b| u16::from_le_bytes([b[0], b[1]]));
                let text: String = char::decode_utf16(units)
                    .collect::<Result<_, _>>()
                    .map_err(|_| bad("is not valid UTF-16 text"))?;
                Value::WStr(text.into())
            }
            DataType::Text => {
                let enc = self
                    .codec
                    .map_or(encoding_rs::WINDOWS_1252, Codec::encoding);
                let (text, malformed) = enc.decode_without_bom_handling(&bytes);
                if malformed {
                    return Err(bad(&format!(
                        "is not valid text in code page {}",
                        self.ty.code_page
                    )));
                }
                Value::Str {
                    text: text.as_ref().into(),
                    codepage: self.ty.code_page,
                }
            }
            _ => Value::Bytes(bytes),
        })
    }
}

impl Component for ImportColumn {
    fn push(&mut self, _input: usize, mut batch: Batch, out: &mut Out<'_>) -> Step {
        let mut new_cols = vec![Vec::with_capacity(batch.rows); self.new_cols];
        let mut take = vec![false; batch.rows];
        let mut errors = Vec::new();
        for (r, taken) in take.iter_mut().enumerate() {
            for x in &self.imports {
                let col = x.files.data - self.input_cols;
                if *taken {
                    // Redirected already: the rest of the row is not read.
                    new_cols[col].push(x.ty.null());
                    continue;
                }
                let failure = match x.read(&batch, r) {
                    Ok(v) => {
                        self.files += u64::from(!v.is_null());
                        new_cols[col].push(v);
                        continue;
                    }
                    Err(f) => f,
                };
                new_cols[col].push(x.ty.null());
                let number = self.rows.number(r);
                if let Some(e) = x.files.dispose(failure, r, number, "column")? {
                    *taken = true;
                    errors.push(e);
                }
            }
        }
        self.rows.add(batch.rows);
        let err_batch = match &self.error {
            Some((e, l)) if !errors.is_empty() => {
                Some((*e, super::error_batch(&batch, self.input_cols, &errors, l)))
            }
            _ => None,
        };
        batch.cols.extend(new_cols);
        if !errors.is_empty() {
            batch = batch.split_off(&take).0;
        }
        out.send(self.main, batch)?;
        match err_batch {
            Some((e, b)) => out.send(e, b),
            None => Ok(()),
        }
    }

    fn report(&mut self, r: &mut Report) {
        r.info.push(format!("read {} files.", self.files));
    }
}
