//! What Export Column and Import Column share: input columns holding file
//! paths, each paired through its `FileDataColumnID` with the column of
//! the file's data (an input column for Export Column, an output column for
//! Import Column), checked as SSIS validates them.

use super::{BuildCtx, RowError};
use crate::model::{Disposition, InputColumn, lineage_ref, prop};
use crate::types::ColumnType;
use ssis_runner::expr::DataType;

/// Which component the pairs are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// Export Column: the data is an input column.
    Export,
    /// Import Column: the data is a column of the output.
    Import,
}

/// A path column and its data column.
pub struct FileColumns {
    /// The path's position in the input buffer.
    pub path: usize,
    /// The data's position: in the input buffer (Export Column) or in the
    /// output buffer (Import Column).
    pub data: usize,
    pub path_name: String,
    pub data_name: String,
    /// ErrorColumn of a row failing on each.
    pub path_number: i32,
    pub data_number: i32,
    /// Opening a file: the path column's disposition.
    pub open_disposition: Disposition,
    /// Writing or reading it: the data column's.
    pub write_disposition: Disposition,
}

/// Whether `ty` is a BLOB type (what the data of a file must be).
fn is_blob(ty: &ColumnType) -> bool {
    matches!(
        ty.data_type,
        DataType::Text | DataType::NText | DataType::Image
    )
}

/// The column `FileDataColumnID` names, if it names one (a data column of
/// Export Column carries 0 or an invalid reference).
fn reference(c: &InputColumn) -> Option<&str> {
    let r = lineage_ref(prop(&c.properties, "FileDataColumnID")?);
    let unset = r.is_empty() || r == "0" || r.ends_with(":invalid");
    (!unset).then_some(r)
}

/// A boolean custom property of an input column; an error names a value
/// that is not one.
pub fn bool_prop(c: &InputColumn, name: &str) -> Result<bool, String> {
    match prop(&c.properties, name) {
        None => Ok(false),
        Some(v) => ssis_runner::model::xml_bool(v).ok_or_else(|| {
            format!(
                "input column \"{}\": {name} is \"{v}\", not true or false",
                c.name
            )
        }),
    }
}

/// The pairs of the component's input, each with its path column as
/// written; an error for anything SSIS's validation refuses.
pub fn pairs<'a>(
    ctx: &'a BuildCtx,
    op: Operation,
) -> Result<Vec<(&'a InputColumn, FileColumns)>, String> {
    let input = ctx.comp.inputs.first().ok_or("it has no input")?;
    let layout = ctx.inputs.first().ok_or("it has no input")?;
    let (main, error) = ctx.main_and_error_outputs();
    let main = main.ok_or("it has no output")?;
    // Rows pass through: each output extends the input's buffer.
    for o in std::iter::once(main).chain(error) {
        let out = &ctx.comp.outputs[o];
        if out.sync_input.as_deref() != Some(input.key.as_str()) {
            return Err(format!(
                "output \"{}\" is not synchronous with input \"{}\"",
                out.name, input.name
            ));
        }
    }
    let position = |c: &InputColumn| {
        layout
            .find(&c.lineage)
            .ok_or_else(|| format!("input column \"{}\" is not in its input", c.name))
    };
    let mut pairs = Vec::new();
    let mut referenced = Vec::new();
    for c in &input.columns {
        let Some(r) = reference(c) else { continue };
        let path = position(c)?;
        if !matches!(layout.0[path].ty.data_type, DataType::Str | DataType::WStr) {
            return Err(format!(
                "input column \"{}\" should hold a file name, but it is not of a string type (DT_STR or DT_WSTR)",
                c.name
            ));
        }
        let (data, data_name, data_number, disposition, ty) = match op {
            Operation::Export => {
                let d = input.columns.iter().find(|d| d.key == r).ok_or_else(|| {
                    format!(
                        "input column \"{}\" names input column {r} in FileDataColumnID, which is not on the input",
                        c.name
                    )
                })?;
                let at = position(d)?;
                let col = &layout.0[at];
                (
                    at,
                    d.name.clone(),
                    col.number,
                    d.error_disposition,
                    col.ty.clone(),
                )
            }
            Operation::Import => {
                let columns = &ctx.comp.outputs[main].columns;
                let i = columns
                    .iter()
                    .position(|o| o.id == r)
                    .or_else(|| columns.iter().position(|o| o.lineage == r))
                    .ok_or_else(|| {
                        format!(
                            "input column \"{}\" names output column {r} in FileDataColumnID, which is not on the output",
                            c.name
                        )
                    })?;
                let at = layout.0.len() + i;
                let col = &ctx.outputs[main].0[at];
                let o = &columns[i];
                (
                    at,
                    o.name.clone(),
                    col.number,
                    o.error_disposition,
                    o.ty.clone(),
                )
            }
        };
        if data == path {
            return Err(format!(
                "input column \"{}\" names itself in FileDataColumnID",
                c.name
            ));
        }
        if referenced.contains(&data) {
            return Err(format!(
                "column \"{data_name}\" is named by more than one file path column"
            ));
        }
        referenced.push(data);
        if !is_blob(&ty) {
            return Err(format!(
                "input column \"{}\" names column \"{data_name}\", which is not DT_TEXT, DT_NTEXT or DT_IMAGE",
                c.name
            ));
        }
        pairs.push((
            c,
            FileColumns {
                path,
                data,
                path_name: c.name.clone(),
                data_name,
                path_number: layout.0[path].number,
                data_number,
                open_disposition: c.error_disposition,
                write_disposition: disposition,
            },
        ));
    }
    unreferenced(ctx, op, &pairs)?;
    if error.is_none() {
        for (_, f) in &pairs {
            for (name, d) in [
                (&f.path_name, f.open_disposition),
                (&f.data_name, f.write_disposition),
            ] {
                if d == Disposition::Redirect {
                    return Err(format!(
                        "column \"{name}\" redirects failing rows, but the component has no error output"
                    ));
                }
            }
        }
    }
    Ok(pairs)
}

/// A row's failure on one pair: its ErrorCode, whether opening the file
/// failed (the path column's failure) or writing or reading it (the data
/// column's), and why.
pub struct Failure {
    pub code: i32,
    pub open: bool,
    pub message: String,
}

impl FileColumns {
    /// What `failure` of row `r` (the run's row `number`) comes to under
    /// its column's disposition: the component fails (an error naming the
    /// row and the column, called `label`), the row goes on (`None`), or
    /// the row is redirected with this error.
    pub fn dispose(
        &self,
        failure: Failure,
        r: usize,
        number: u64,
        label: &str,
    ) -> Result<Option<RowError>, String> {
        let (disposition, column, column_number) = if failure.open {
            (self.open_disposition, &self.path_name, self.path_number)
        } else {
            (self.write_disposition, &self.data_name, self.data_number)
        };
        match disposition {
            Disposition::Fail => Err(format!(
                "row {number}, {label} \"{column}\": {} (its disposition is FailComponent)",
                failure.message
            )),
            Disposition::Ignore => Ok(None),
            Disposition::Redirect => Ok(Some(RowError {
                row: r,
                code: failure.code,
                column: column_number,
            })),
        }
    }
}

/// Row numbers for messages: rows are counted across batches.
#[derive(Debug, Default)]
pub struct RowCounter(u64);

impl RowCounter {
    /// The run's number (from 1) of row `r` of the current batch.
    pub fn number(&self, r: usize) -> u64 {
        self.0 + r as u64 + 1
    }

    /// Counts a batch of `rows` as done.
    pub fn add(&mut self, rows: usize) {
        self.0 += rows as u64;
    }
}

/// SSIS refuses a data column no path names: for Export Column an input
/// column that is neither, for Import Column an output column.
fn unreferenced(
    ctx: &BuildCtx,
    op: Operation,
    pairs: &[(&InputColumn, FileColumns)],
) -> Result<(), String> {
    let named = |at: usize| pairs.iter().any(|(_, f)| f.data == at || f.path == at);
    match op {
        Operation::Export => {
            let layout = &ctx.inputs[0];
            for c in &ctx.comp.inputs[0].columns {
                if layout.find(&c.lineage).is_some_and(|at| !named(at)) {
                    return Err(format!(
                        "input column \"{}\" is neither a file path nor named by one (FileDataColumnID)",
                        c.name
                    ));
                }
            }
        }
        Operation::Import => {
            let main = ctx.main_and_error_outputs().0.unwrap_or(0);
            let start = ctx.inputs[0].0.len();
            for (i, o) in ctx.comp.outputs[main].columns.iter().enumerate() {
                if !named(start + i) {
                    return Err(format!(
                        "output column \"{}\" is named by no input column's FileDataColumnID",
                        o.name
                    ));
                }
            }
        }
    }
    Ok(())
}
