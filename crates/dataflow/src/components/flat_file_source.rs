//! Flat File Source: reads the connection's file in batches, converts each
//! field to its output column's type, and applies the column's error and
//! truncation dispositions (a redirected row goes to the error output with
//! its raw text, ErrorCode and ErrorColumn). One thread splits records,
//! a few workers convert them, and the component's thread sends the
//! batches on in file order. A Multiple Flat Files connection's files are
//! read one after the other, each with its header rows, as one input.

use super::{BuildCtx, dispose};
use crate::buffer::{Batch, Layout};
use crate::exec::{Component, Out, Report, Step};
use crate::flatfile::files::files;
use crate::flatfile::reader::Reader;
use crate::flatfile::records::{self, Chunk};
use crate::flatfile::{FlatFileSpec, codec, fast, is_multiple};
use crate::model::Disposition;
use crate::ordered;
use crate::types::ColumnType;
use ssis_runner::expr::{DataType, Value};
use std::ops::ControlFlow;

struct Col {
    /// The file column it reads.
    field: usize,
    ty: ColumnType,
    name: String,
    number: i32,
    error: Disposition,
    truncation: Disposition,
    /// Whether anything downstream reads it: a column nothing reads is
    /// checked (its errors and truncations count) but not kept.
    read: bool,
    /// How its cells are read.
    kind: CellKind,
}

/// How a column's cells are read, resolved once per column.
#[derive(Clone, Copy)]
enum CellKind {
    /// Text: kept as it is (or truncated).
    Text,
    /// A type with a fast path (this value type), else the general
    /// conversion.
    Fast(DataType),
    /// The general conversion.
    General,
}

impl CellKind {
    fn of(ty: &ColumnType) -> CellKind {
        match ty.value_type() {
            _ if ty.is_text() => CellKind::Text,
            t if fast::handles(t) => CellKind::Fast(t),
            _ => CellKind::General,
        }
    }
}

/// Whether `text` holds `word` with no letter, digit or `_` either side.
fn mentions(text: &str, word: &str) -> bool {
    let ident = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    !word.is_empty()
        && text.match_indices(word).any(|(i, _)| {
            !ident(text[..i].chars().next_back()) && !ident(text[i + word.len()..].chars().next())
        })
}

/// `s.trim()`, without decoding chars when the ends are ASCII and not
/// white space (the usual case): every other white space char starts with
/// a byte at or below a space, or a non-ASCII one.
#[inline]
fn trim(s: &str) -> &str {
    let plain = |b: &u8| *b > b' ' && b.is_ascii();
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(a), Some(z)) if plain(a) && plain(z) => s,
        _ => s.trim(),
    }
}

/// Checks a field of a column nothing reads without keeping it: its
/// length, or the fast parse, else the general conversion (which also
/// words the error).
#[inline]
fn check(ty: &ColumnType, kind: CellKind, s: &str) -> Result<(), crate::types::CellError> {
    let fits = match kind {
        CellKind::Text => ty.length == 0 || s.len() <= ty.length as usize,
        CellKind::Fast(t) => fast::valid(t, ty.precision, ty.scale, trim(s)),
        CellKind::General => false,
    };
    if fits {
        Ok(())
    } else {
        convert_to_check(ty, s)
    }
}

/// The general conversion of a field [`check`] could not pass quickly.
#[cold]
#[inline(never)]
fn convert_to_check(ty: &ColumnType, s: &str) -> Result<(), crate::types::CellError> {
    ty.parse_text(s).map(|_| ())
}

/// Whether a component other than the source can read the output column
/// `c`: an input column of its lineage, or a property (expressions, sort
/// and aggregation columns, join keys...) naming its lineage or its name
/// (in any case);
/// sort keys always count (Merge and Merge Join find them by position).
fn is_read(ctx: &BuildCtx, c: &crate::model::OutputColumn) -> bool {
    if c.sort_key != 0 {
        return true;
    }
    // Names in expressions may differ in case (`[QTY]` finds `qty`).
    let name = c.name.to_lowercase();
    let named = |props: &[crate::model::Property]| {
        props
            .iter()
            .any(|p| mentions(&p.value, &c.lineage) || mentions(&p.value.to_lowercase(), &name))
    };
    ctx.pipeline
        .components
        .iter()
        .filter(|other| !std::ptr::eq(*other, ctx.comp))
        .any(|other| {
            named(&other.properties)
                || other.inputs.iter().any(|i| {
                    i.columns
                        .iter()
                        .any(|ic| ic.lineage == c.lineage || named(&ic.properties))
                })
                || other.outputs.iter().any(|o| {
                    named(&o.properties) || o.columns.iter().any(|oc| named(&oc.properties))
                })
        })
}

pub struct FlatFileSource {
    spec: FlatFileSpec,
    /// The files read, in order (several for a Multiple Flat Files
    /// connection).
    paths: Vec<String>,
    /// Whether the connection is a Multiple Flat Files one (failures then
    /// name their file).
    multiple: bool,
    cols: Vec<Col>,
    retain_nulls: bool,
    main: usize,
    error: Option<(usize, Layout)>,
    rows_per_batch: usize,
    /// Data rows read, per file.
    rows: Vec<u64>,
}

impl FlatFileSource {
    pub fn build(ctx: &BuildCtx) -> Result<FlatFileSource, String> {
        let cm = ctx.connection()?;
        let spec = FlatFileSpec::read(cm)?;
        codec(spec.code_page).map_err(|e| format!("connection manager '{}': {e}", cm.name))?;
        let (main, err) = ctx.main_and_error_outputs();
        let main = main.ok_or("it has no output")?;
        let out = &ctx.comp.outputs[main];
        let mut cols = Vec::new();
        for (i, c) in out.columns.iter().enumerate() {
            let ext_name = out
                .external
                .iter()
                .find(|e| !c.external.is_empty() && e.key == c.external)
                .map(|e| e.name.as_str())
                .unwrap_or(&c.name);
            let field = spec.column(ext_name).ok_or_else(|| {
                format!(
                    "output column \"{}\": the file of connection manager '{}' has no column \"{ext_name}\"",
                    c.name, spec.name
                )
            })?;
            cols.push(Col {
                field,
                ty: c.ty.clone(),
                name: c.name.clone(),
                number: ctx.outputs[main].0[i].number,
                error: c.error_disposition,
                truncation: c.truncation_disposition,
                read: is_read(ctx, c),
                kind: CellKind::of(&c.ty),
            });
        }
        let multiple = is_multiple(cm);
        let paths = if ctx.checking {
            Vec::new()
        } else {
            files(&(ctx.conn_string)(cm)?, multiple)
                .map_err(|e| format!("connection manager '{}': {e}", cm.name))?
        };
        Ok(FlatFileSource {
            retain_nulls: ctx
                .comp
                .prop("RetainNulls")
                .and_then(ssis_runner::model::xml_bool)
                .unwrap_or(false),
            rows_per_batch: ctx.rows_for(&ctx.outputs[main]),
            error: err.map(|e| (e, ctx.outputs[e].clone())),
            spec,
            rows: vec![0; paths.len()],
            paths,
            multiple,
            cols,
            main,
        })
    }

    /// Pushes the cell of `c` onto `col`: text that fits, fields in their
    /// fast form and unread fields through [`crate::push`] (built where they
    /// land), the rest through [`FlatFileSource::value`].
    #[inline]
    fn push_value(
        &self,
        c: &Col,
        field: Option<&str>,
        col: &mut Vec<Value>,
    ) -> Result<(), crate::types::CellError> {
        if let Some(s) = field.filter(|s| !s.is_empty()) {
            if !c.read {
                // Checked, not kept.
                check(&c.ty, c.kind, s)?;
                crate::push::null(col, c.ty.value_type());
                return Ok(());
            }
            match c.kind {
                CellKind::Text
                    if (c.ty.length == 0 || s.len() <= c.ty.length as usize)
                        && c.ty.value_type() == ssis_runner::expr::DataType::WStr =>
                {
                    crate::push::wstr(col, s);
                    return Ok(());
                }
                CellKind::Fast(t)
                    if fast::parse_onto(t, c.ty.precision, c.ty.scale, trim(s), col) =>
                {
                    return Ok(());
                }
                _ => {}
            }
        }
        col.push(self.value(c, field)?);
        Ok(())
    }

    fn value(&self, c: &Col, field: Option<&str>) -> Result<Value, crate::types::CellError> {
        match field {
            None => Ok(c.ty.null()),
            Some("") => Ok(if self.retain_nulls {
                c.ty.null()
            } else {
                c.ty.empty_value()
            }),
            Some(s) if !c.read => check(&c.ty, c.kind, s).map(|()| c.ty.null()),
            Some(s) => match c.kind {
                // What `parse_text` does for text.
                CellKind::Text => c.ty.text_value(s.into()),
                CellKind::Fast(t) => match fast::parse(t, c.ty.precision, c.ty.scale, trim(s)) {
                    Some(v) => Ok(v),
                    None => c.ty.parse_text(s),
                },
                CellKind::General => c.ty.parse_text(s),
            },
        }
    }
}

/// A converted chunk: its file, a batch for the output and one for the
/// error output, or the failure that ends the read.
type Converted = Result<(usize, Batch, Option<Batch>), String>;

impl FlatFileSource {
    /// Opens the file `path` and skips its header and skipped data rows:
    /// the reader and the data row number of the last skipped line.
    fn open(&self, path: &str) -> Result<(Reader<std::fs::File>, usize), String> {
        let file = std::fs::File::open(path)
            .map_err(|e| format!("cannot open the file \"{path}\": {e}"))?;
        let mut reader = Reader::new(file, codec(self.spec.code_page)?);
        let io = |e: std::io::Error| format!("reading \"{path}\": {e}");
        let skip = self.spec.header_rows_to_skip + usize::from(self.spec.header_names);
        for _ in 0..skip {
            reader
                .skip_line(&self.spec.header_row_delimiter)
                .map_err(io)?;
        }
        let mut fields = Vec::new();
        for _ in 0..self.spec.data_rows_to_skip {
            if reader.next(&self.spec, &mut fields).map_err(io)?.is_none() {
                break;
            }
        }
        Ok((reader, skip))
    }

    /// Emits the files' records, file after file, in chunks of a batch's
    /// rows, each with its file's place in `paths` (the failure to open or
    /// read a file as the last one).
    fn split(&self, emit: &mut dyn FnMut((usize, Chunk)) -> bool) {
        for (i, path) in self.paths.iter().enumerate() {
            let (reader, line) = match self.open(path) {
                Ok(opened) => opened,
                Err(e) => {
                    emit((i, Err(e)));
                    return;
                }
            };
            let mut stop = false;
            records::split(
                reader,
                &self.spec,
                self.rows_per_batch,
                path,
                line,
                &mut |c| {
                    // A read error is sent on, and ends the read.
                    let failed = c.is_err();
                    stop = !emit((i, c)) || failed;
                    !stop
                },
            );
            if stop {
                return;
            }
        }
    }

    /// Where data row `line` of file `file` is, for messages: the file is
    /// named when the connection has several.
    fn place(&self, file: usize, line: usize) -> String {
        match self.paths.get(file).filter(|_| self.multiple) {
            Some(path) => format!("file \"{path}\", data row {line}"),
            None => format!("data row {line}"),
        }
    }

    /// Converts a chunk of records into a batch (and the error output's
    /// batch of its redirected rows); a failure names its data row.
    fn convert(&self, (file, chunk): (usize, Chunk)) -> Converted {
        let (mut line, chunk) = chunk?;
        let nf = self.spec.columns.len();
        let mut batch = Batch::with_capacity(self.cols.len(), chunk.count());
        let mut errors = self
            .error
            .as_ref()
            .map(|(_, l)| Batch::with_capacity(l.0.len(), 16));
        chunk.for_each(nf, |record, fields| {
            line += 1;
            // Cells go straight into the batch's columns; a redirected
            // row's cells are taken back out.
            let mut redirect = None;
            for (c, col) in self.cols.iter().zip(&mut batch.cols) {
                match self.push_value(c, fields.text(c.field, record), col) {
                    Ok(()) => {}
                    Err(e) => {
                        let to_error = dispose(&e, c.error, c.truncation, &c.name)
                            .map_err(|m| format!("{}: {m}", self.place(file, line)))?;
                        if to_error {
                            redirect = Some((e.code(), c.number));
                            break;
                        }
                        col.push(e.kept(&c.ty));
                    }
                }
            }
            match redirect {
                None => batch.rows += 1,
                Some((code, column)) => {
                    let kept = batch.rows;
                    batch.cols.iter_mut().for_each(|col| col.truncate(kept));
                    if let (Some(eb), Some((_, layout))) = (errors.as_mut(), self.error.as_ref()) {
                        let raw = record
                            .strip_suffix(self.spec.row_delimiter.as_str())
                            .unwrap_or(record);
                        let vals = layout.0.iter().map(|c| match c.name.as_str() {
                            "ErrorCode" => Value::I4(code),
                            "ErrorColumn" => Value::I4(column),
                            _ if c.ty.is_text() => Value::Str {
                                text: raw.into(),
                                codepage: c.ty.code_page,
                            },
                            _ => c.ty.null(),
                        });
                        eb.push_row(vals.collect::<Vec<_>>());
                    }
                }
            }
            Ok::<_, String>(())
        })?;
        Ok((file, batch, errors.filter(|e| e.rows > 0)))
    }
}

impl Component for FlatFileSource {
    /// One thread splits the file into chunks of records, a few workers
    /// convert them, and this thread sends the batches on in file order;
    /// a few chunks are in flight at most (bounded channels).
    fn run_source(&mut self, out: &mut Out<'_>) -> Step {
        let this = &*self;
        let mut rows = vec![0u64; this.paths.len()];
        let mut send = |converted: Converted| -> Step {
            let (file, batch, errors) = converted?;
            rows[file] += batch.rows as u64;
            out.send(this.main, batch)?;
            if let (Some(b), Some((e, _))) = (errors, this.error.as_ref()) {
                out.send(*e, b)?;
            }
            Ok(())
        };
        let failed = ordered::map(
            ordered::workers(),
            |emit| this.split(emit),
            |chunk| this.convert(chunk),
            |converted| match send(converted) {
                Ok(()) => ControlFlow::Continue(()),
                Err(e) => ControlFlow::Break(e),
            },
        );
        if let Some(e) = failed {
            return Err(e);
        }
        self.rows = rows;
        Ok(())
    }

    fn report(&mut self, r: &mut Report) {
        for (path, rows) in self.paths.iter().zip(&self.rows) {
            r.info.push(format!(
                "the total number of data rows processed for file \"{path}\" is {rows}."
            ));
        }
    }
}

#[cfg(test)]
#[path = "flat_file_source_tests.rs"]
mod tests;
