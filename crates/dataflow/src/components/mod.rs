//! The components this engine runs, one module each, and what they share:
//! recognising a component by class id, the build context, and error rows.

mod aggregate;
mod audit;
mod blob_files;
mod cache_transform;
mod character_map;
mod conditional_split;
mod copy_column;
mod data_conversion;
mod derived_column;
mod excel_destination;
mod excel_query;
mod excel_source;
mod export_column;
mod fast_load;
mod flat_file_destination;
mod flat_file_source;
mod import_column;
mod lookup;
mod merge;
mod merge_join;
mod multicast;
mod oledb_command;
mod pivot;
mod raw_file_destination;
mod raw_file_source;
mod recordset_destination;
mod row_count;
mod sort;
mod sort_spill;
mod sql;
mod sql_destination;
mod sql_source;
mod union_all;
mod unpivot;

use crate::buffer::{Batch, Layout};
use crate::exec::Component as Running;
use crate::model::{Component, Disposition};
use crate::types::CellError;
pub use sql::{Retained, quote_name};
use sql_destination::{Flavor, SqlDestination};
use ssis_runner::expr::Value;
use ssis_runner::model::{ConnectionManager, Package};

/// The components that run here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Flat File Source.
    FlatFileSource,
    /// Flat File Destination.
    FlatFileDestination,
    /// Derived Column.
    DerivedColumn,
    /// Conditional Split.
    ConditionalSplit,
    /// Row Count.
    RowCount,
    /// Multicast.
    Multicast,
    /// Union All.
    UnionAll,
    /// Data Conversion.
    DataConversion,
    /// Sort.
    Sort,
    /// Aggregate.
    Aggregate,
    /// Copy Column.
    CopyColumn,
    /// Character Map.
    CharacterMap,
    /// Audit.
    Audit,
    /// Merge Join.
    MergeJoin,
    /// Merge.
    Merge,
    /// Excel Source.
    ExcelSource,
    /// Lookup.
    Lookup,
    /// OLE DB Source.
    OleDbSource,
    /// OLE DB Destination.
    OleDbDestination,
    /// ADO.NET Source (managed: `DataReaderSourceAdapter`).
    AdoNetSource,
    /// ADO.NET Destination (managed: `ADONETDestination`).
    AdoNetDestination,
    /// Recordset Destination.
    RecordsetDestination,
    /// OLE DB Command.
    OleDbCommand,
    /// Raw File Source.
    RawFileSource,
    /// Raw File Destination.
    RawFileDestination,
    /// Excel Destination.
    ExcelDestination,
    /// Cache Transform.
    CacheTransform,
    /// SQL Server Destination.
    SqlServerDestination,
    /// Pivot.
    Pivot,
    /// Unpivot.
    Unpivot,
    /// Export Column.
    ExportColumn,
    /// Import Column.
    ImportColumn,
}

/// (ProgID suffix after `Microsoft.`, 2005/2008 contact-info name, kind).
const KNOWN: &[(&str, &str, Kind)] = &[
    ("FlatFileSource", "Flat File Source", Kind::FlatFileSource),
    (
        "FlatFileDestination",
        "Flat File Destination",
        Kind::FlatFileDestination,
    ),
    ("DerivedColumn", "Derived Column", Kind::DerivedColumn),
    (
        "ConditionalSplit",
        "Conditional Split",
        Kind::ConditionalSplit,
    ),
    ("RowCount", "Row Count", Kind::RowCount),
    ("Multicast", "Multicast", Kind::Multicast),
    ("UnionAll", "Union All", Kind::UnionAll),
    ("DataConvert", "Data Conversion", Kind::DataConversion),
    ("Sort", "Sort", Kind::Sort),
    ("Aggregate", "Aggregate", Kind::Aggregate),
    ("CopyMap", "Copy Column", Kind::CopyColumn),
    ("CharacterMap", "Character Map", Kind::CharacterMap),
    ("Lineage", "Audit", Kind::Audit),
    ("MergeJoin", "Merge Join", Kind::MergeJoin),
    ("Merge", "Merge", Kind::Merge),
    ("ExcelSource", "Excel Source", Kind::ExcelSource),
    ("Lookup", "Lookup", Kind::Lookup),
    ("OLEDBSource", "OLE DB Source", Kind::OleDbSource),
    (
        "OLEDBDestination",
        "OLE DB Destination",
        Kind::OleDbDestination,
    ),
    ("OLEDBCommand", "OLE DB Command", Kind::OleDbCommand),
    ("RawSource", "Raw File Source", Kind::RawFileSource),
    (
        "ExcelDestination",
        "Excel Destination",
        Kind::ExcelDestination,
    ),
    (
        "RawDestination",
        "Raw File Destination",
        Kind::RawFileDestination,
    ),
    (
        "RecordsetDestination",
        "Recordset Destination",
        Kind::RecordsetDestination,
    ),
    ("Cache", "Cache Transform", Kind::CacheTransform),
    (
        "SQLServerDestination",
        "SQL Server Destination",
        Kind::SqlServerDestination,
    ),
    ("Pivot", "Pivot", Kind::Pivot),
    ("UnPivot", "Unpivot", Kind::Unpivot),
    ("Extractor", "Export Column", Kind::ExportColumn),
    ("Inserter", "Import Column", Kind::ImportColumn),
];

/// Managed components by the class name of their type (`componentClassID`
/// or `UserComponentTypeName`, assembly-qualified or not).
const MANAGED: &[(&str, Kind)] = &[
    ("DataReaderSourceAdapter", Kind::AdoNetSource),
    ("ADONETDestination", Kind::AdoNetDestination),
];

/// The class name of a managed type: `Microsoft.SqlServer.Dts.Pipeline.X, Assembly, ...` -> `X`.
fn managed_class(type_name: &str) -> &str {
    let t = type_name.split(',').next().unwrap_or("").trim();
    t.rsplit('.').next().unwrap_or(t)
}

/// 2008 class ids known for certain.
const CLSIDS: &[(&str, Kind)] = &[
    (
        "{5ACD952A-F16A-41D8-A681-713640837664}",
        Kind::FlatFileSource,
    ),
    (
        "{D658C424-8CF0-441C-B3C4-955E183B7FBA}",
        Kind::FlatFileDestination,
    ),
    (
        "{2932025B-AB99-40F6-B5B8-783A73F80E24}",
        Kind::DerivedColumn,
    ),
    (
        "{BF818E79-2C1C-410D-ADEA-B2D1A04FED01}",
        Kind::CacheTransform,
    ),
    ("{86151302-DCDB-49FB-92FE-772EC02712B6}", Kind::ExportColumn),
    ("{C8AEEE54-67A0-41A8-821D-D1C8BED62C68}", Kind::ImportColumn),
];

/// What the component is, or its readable type for a refusal.
pub fn identify(c: &Component) -> Result<Kind, String> {
    let class = c.class_id.trim();
    if let Some(p) = class.strip_prefix("Microsoft.") {
        let p = p.split(['.', ',']).next().unwrap_or(p);
        if let Some(k) = KNOWN.iter().find(|k| k.0.eq_ignore_ascii_case(p)) {
            return Ok(k.2);
        }
    }
    if let Some(k) = CLSIDS.iter().find(|k| k.0.eq_ignore_ascii_case(class)) {
        return Ok(k.1);
    }
    for t in [class, c.prop("UserComponentTypeName").unwrap_or("")] {
        if let Some(k) = MANAGED
            .iter()
            .find(|k| k.0.eq_ignore_ascii_case(managed_class(t)))
        {
            return Ok(k.1);
        }
    }
    // 2005/2008: "Sort;Microsoft Corporation;..." names Microsoft's own.
    let mut parts = c.contact.split(';');
    let first = parts.next().unwrap_or("").trim();
    let microsoft = parts
        .next()
        .is_some_and(|s| s.trim() == "Microsoft Corporation");
    if microsoft
        && let Some(k) = KNOWN.iter().find(|k| {
            first.eq_ignore_ascii_case(k.1)
                || first.eq_ignore_ascii_case(&format!("{} Transformation", k.1))
        })
    {
        return Ok(k.2);
    }
    let managed = c.prop("UserComponentTypeName").unwrap_or("");
    let label = if managed.contains("ScriptComponent") {
        "Script Component".to_string()
    } else if !managed.is_empty() {
        managed
            .split(',')
            .next()
            .unwrap_or(managed)
            .trim()
            .to_string()
    } else if let Some(name) = class
        .strip_prefix("Microsoft.")
        .filter(|n| !n.is_empty() && !n.contains([',', ' ']))
        .filter(|n| !n.eq_ignore_ascii_case(&first.replace(' ', "")))
    {
        // Microsoft's own whose contact name is not its class's (localized:
        // "Dinâmico" for Pivot): named by its class.
        name.to_string()
    } else if !first.is_empty() && first.len() <= 40 {
        first.to_string()
    } else if !class.is_empty() {
        class.to_string()
    } else {
        "unknown".to_string()
    };
    Err(label)
}

/// Why a connection manager a component names is not there: a project's
/// are named `Project.ConnectionManagers[...]` and live beside the
/// package in its project, which a package run alone does not have.
fn missing_manager(name: &str) -> String {
    if name.starts_with("Project.ConnectionManagers[") {
        format!(
            "its connection manager '{name}' belongs to the package's project (a .conmgr \
             file): run the package from its project (ssis exec /Project <.ispac, .dtproj or \
             project folder> /Package <name>.dtsx)"
        )
    } else {
        format!("its connection manager '{name}' does not exist")
    }
}

/// What building a component may use.
pub struct BuildCtx<'a> {
    /// The component as written.
    pub comp: &'a Component,
    /// The whole pipeline (what reads a column).
    pub pipeline: &'a crate::model::Pipeline,
    /// The layout arriving on each input.
    pub inputs: Vec<Layout>,
    /// The layout of each output.
    pub outputs: Vec<Layout>,
    /// The package (connection managers).
    pub pkg: &'a Package,
    /// A variable's value by name as written (`User::X`).
    pub var: &'a dyn Fn(&str) -> Option<Value>,
    /// A connection manager's connection string after its expressions.
    pub conn_string: &'a dyn Fn(&ConnectionManager) -> Result<String, String>,
    /// Rows per batch.
    pub max_rows: usize,
    /// Bytes per batch.
    pub buffer_size: usize,
    /// Only validating: open nothing.
    pub checking: bool,
    /// The run's cancel token (for connections opened while building).
    pub cancel: ssis_runner::cancel::CancelToken,
    /// The run's retained connections (RetainSameConnection).
    pub retained: Retained,
    /// The Cache connection managers filled so far in the run.
    pub caches: crate::cache::Caches,
}

impl BuildCtx<'_> {
    /// The connection manager of the component's first connection.
    pub fn connection(&self) -> Result<&ConnectionManager, String> {
        let r = self
            .comp
            .connections
            .first()
            .ok_or("it has no connection manager")?;
        let cm = self
            .pkg
            .connection(&r.manager)
            .ok_or_else(|| missing_manager(&r.manager))?;
        // Only ConnectionString expressions are applied; refuse the others
        // rather than run with the value as saved.
        for (prop, text) in &cm.property_expressions {
            if let Some(why) = ssis_runner::property_exprs::check_connection(cm, prop, text) {
                return Err(why);
            }
        }
        Ok(cm)
    }

    /// The index of the first non-error output and of the error output.
    pub fn main_and_error_outputs(&self) -> (Option<usize>, Option<usize>) {
        let o = &self.comp.outputs;
        (
            o.iter().position(|o| !o.is_error),
            o.iter().position(|o| o.is_error),
        )
    }

    /// Rows per batch for `layout`: `DefaultBufferMaxRows`, fewer when
    /// rows are so wide that `DefaultBufferSize` would be exceeded.
    pub fn rows_for(&self, layout: &Layout) -> usize {
        let per_row = Batch::approx_row_bytes(layout);
        self.max_rows.min(self.buffer_size / per_row).max(1)
    }
}

/// Builds a running component.
pub fn build(kind: Kind, ctx: &BuildCtx) -> Result<Box<dyn Running>, String> {
    Ok(match kind {
        Kind::FlatFileSource => Box::new(flat_file_source::FlatFileSource::build(ctx)?),
        Kind::FlatFileDestination => {
            Box::new(flat_file_destination::FlatFileDestination::build(ctx)?)
        }
        Kind::DerivedColumn => Box::new(derived_column::DerivedColumn::build(ctx)?),
        Kind::ConditionalSplit => Box::new(conditional_split::ConditionalSplit::build(ctx)?),
        Kind::RowCount => Box::new(row_count::RowCount::build(ctx)?),
        Kind::Multicast => Box::new(multicast::Multicast::build(ctx)),
        Kind::UnionAll => Box::new(union_all::UnionAll::build(ctx)?),
        Kind::DataConversion => Box::new(data_conversion::DataConversion::build(ctx)?),
        Kind::Sort => Box::new(sort::Sort::build(ctx)?),
        Kind::Aggregate => Box::new(aggregate::Aggregate::build(ctx)?),
        Kind::CopyColumn => Box::new(copy_column::CopyColumn::build(ctx)?),
        Kind::CharacterMap => Box::new(character_map::CharacterMap::build(ctx)?),
        Kind::Audit => Box::new(audit::Audit::build(ctx)?),
        Kind::MergeJoin => Box::new(merge_join::MergeJoin::build(ctx)?),
        Kind::Merge => Box::new(merge::Merge::build(ctx)?),
        Kind::ExcelSource => Box::new(excel_source::ExcelSource::build(ctx)?),
        Kind::Lookup => Box::new(lookup::Lookup::build(ctx)?),
        Kind::OleDbSource => Box::new(sql_source::SqlSource::build(ctx, false)?),
        Kind::AdoNetSource => Box::new(sql_source::SqlSource::build(ctx, true)?),
        Kind::OleDbDestination => Box::new(SqlDestination::build(ctx, Flavor::OleDb)?),
        Kind::AdoNetDestination => Box::new(SqlDestination::build(ctx, Flavor::AdoNet)?),
        Kind::SqlServerDestination => Box::new(SqlDestination::build(ctx, Flavor::SqlServer)?),
        Kind::OleDbCommand => Box::new(oledb_command::OleDbCommand::build(ctx)?),
        Kind::ExcelDestination => Box::new(excel_destination::ExcelDestination::build(ctx)?),
        Kind::RawFileSource => Box::new(raw_file_source::RawFileSource::build(ctx)?),
        Kind::RawFileDestination => Box::new(raw_file_destination::RawFileDestination::build(ctx)?),
        Kind::RecordsetDestination => {
            Box::new(recordset_destination::RecordsetDestination::build(ctx)?)
        }
        Kind::CacheTransform => Box::new(cache_transform::CacheTransform::build(ctx)?),
        Kind::Pivot => Box::new(pivot::Pivot::build(ctx)?),
        Kind::Unpivot => Box::new(unpivot::Unpivot::build(ctx)?),
        Kind::ExportColumn => Box::new(export_column::ExportColumn::build(ctx)?),
        Kind::ImportColumn => Box::new(import_column::ImportColumn::build(ctx)?),
    })
}

/// A row that failed: which, why, and on which column.
pub struct RowError {
    /// Row index in the batch.
    pub row: usize,
    /// ErrorCode.
    pub code: i32,
    /// ErrorColumn.
    pub column: i32,
}

/// What to do with a cell that failed under `disp` (error or truncation
/// disposition chosen by the error's kind): `Err` fails the component,
/// `Ok(true)` redirects the row, `Ok(false)` keeps it with
/// [`CellError::kept`] (the cut value of a truncation, NULL otherwise).
pub fn dispose(
    err: &CellError,
    error: Disposition,
    truncation: Disposition,
    column: &str,
) -> Result<bool, String> {
    let disp = match err {
        CellError::Conversion(_) => error,
        CellError::Truncation(..) => truncation,
    };
    match disp {
        Disposition::Fail => Err(format!(
            "column \"{column}\": {} ({} disposition is FailComponent)",
            err.message(),
            match err {
                CellError::Conversion(_) => "the error",
                CellError::Truncation(..) => "the truncation",
            }
        )),
        Disposition::Redirect => Ok(true),
        Disposition::Ignore => Ok(false),
    }
}

/// The error output's batch for the failed rows of `batch` (the input
/// columns), followed by the error output's own columns (ErrorCode,
/// ErrorColumn; others NULL).
pub fn error_batch(
    batch: &Batch,
    input_cols: usize,
    errors: &[RowError],
    error_layout: &Layout,
) -> Batch {
    let mut out = Batch::with_capacity(error_layout.0.len(), errors.len());
    for e in errors {
        let mut row: Vec<Value> = (0..input_cols)
            .map(|c| batch.cols[c][e.row].clone())
            .collect();
        for col in &error_layout.0[input_cols..] {
            row.push(match col.name.as_str() {
                "ErrorCode" => Value::I4(e.code),
                "ErrorColumn" => Value::I4(e.column),
                _ => col.ty.null(),
            });
        }
        out.push_row(row);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unsupported_microsoft_component_is_named_by_its_class_when_its_contact_is_localized() {
        let comp = |class: &str, contact: &str| Component {
            class_id: class.into(),
            contact: format!("{contact};Microsoft Corporation; Microsoft SQL Server;0"),
            ..Component::default()
        };
        assert_eq!(
            identify(&comp("Microsoft.FuzzyLookup", "Pesquisa Difusa")),
            Err("FuzzyLookup".into())
        );
        assert_eq!(
            identify(&comp("Microsoft.TermExtraction", "Term Extraction")),
            Err("Term Extraction".into())
        );
        assert_eq!(
            identify(&comp("Microsoft.Pivot", "Dinâmico")),
            Ok(Kind::Pivot)
        );
    }

    #[test]
    fn a_missing_project_connection_manager_is_named_as_the_projects() {
        let e = missing_manager("Project.ConnectionManagers[DW]");
        assert!(e.contains("belongs to the package's project"), "{e}");
        assert!(e.contains("/Project <.ispac"), "{e}");
        assert_eq!(
            missing_manager("Orders"),
            "its connection manager 'Orders' does not exist"
        );
    }
}
