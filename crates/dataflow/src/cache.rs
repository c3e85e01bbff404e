//! The Cache connection manager (`CACHE`): its columns (`CacheColumns`,
//! each with a data type and an `IndexPosition`: 0 for a plain column,
//! 1, 2, ... for the index columns a Lookup joins on) and the rows a Cache
//! Transform filled it with, kept for the rest of the package's run so that
//! a Lookup in a later data flow reads them (full cache).
//!
//! Only the in-memory cache runs: a manager with `UseFile` (a `.caw` cache
//! file named by its `ConnectionString`) is refused up front, because the
//! `.caw` format is not publicly documented (like SSIS's raw file format,
//! which it resembles), so such files could be neither read nor written
//! faithfully.

use crate::model::Pipeline;
use crate::types::{self, ColumnType};
use crate::values::Key;
use ssis_runner::expr::{DataType, Value};
use ssis_runner::model::ConnectionManager;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

/// One column of the cache.
#[derive(Debug, Clone)]
pub struct CacheColumn {
    /// `ObjectName`.
    pub name: String,
    /// Its type.
    pub ty: ColumnType,
    /// `IndexPosition`: 0 for a plain column, else its place in the key.
    pub index: u32,
}

/// A Cache connection manager as the package defines it.
#[derive(Debug, Clone)]
pub struct CacheSpec {
    /// The manager's name, for messages.
    pub manager: String,
    /// Its columns, in order.
    pub columns: Vec<CacheColumn>,
    /// Positions (in `columns`) of the index columns, by `IndexPosition`.
    pub key: Vec<usize>,
}

impl CacheSpec {
    /// Reads a `CACHE` connection manager; errors name the manager.
    pub fn read(cm: &ConnectionManager) -> Result<CacheSpec, String> {
        if !cm.creation_name.eq_ignore_ascii_case("CACHE") {
            return Err(format!(
                "connection manager '{}' is a {} connection, not a Cache connection manager",
                cm.name, cm.creation_name
            ));
        }
        let Some(data) = cm.data.as_deref() else {
            return Err(format!(
                "Cache connection manager '{}' has no columns",
                cm.name
            ));
        };
        let use_file = data
            .prop("UseFile")
            .and_then(ssis_runner::model::xml_bool)
            .unwrap_or(false);
        if use_file {
            return Err(format!(
                "Cache connection manager '{}' uses a cache file ({}): .caw cache files are not \
                 supported, because their format is not publicly documented; only the in-memory \
                 cache (UseFile False, filled by a Cache Transform earlier in the run) is",
                cm.name,
                match cm.connection_string.trim() {
                    "" => "no file named",
                    f => f,
                }
            ));
        }
        let mut columns = Vec::new();
        // 2012+ wraps the columns in CacheColumns; 2008 lists them bare.
        let listed: Vec<_> = match data.child("CacheColumns") {
            Some(w) => w.children_named("CacheColumn").collect(),
            None => data.children_named("CacheColumn").collect(),
        };
        for c in listed {
            let name = c.prop("ObjectName").unwrap_or("").to_string();
            let n = |k: &str| {
                c.prop(k)
                    .and_then(|v| v.trim().parse::<i64>().ok())
                    .unwrap_or(0)
            };
            let code = n("DataType");
            let data_type = types::from_code(code).ok_or_else(|| {
                format!(
                    "Cache connection manager '{}': column '{name}' has data type {code}, which is not known",
                    cm.name
                )
            })?;
            if matches!(
                data_type,
                DataType::Text | DataType::NText | DataType::Image
            ) {
                return Err(format!(
                    "Cache connection manager '{}': column '{name}' is {}, a BLOB type the cache \
                     does not support (DT_TEXT, DT_NTEXT and DT_IMAGE)",
                    cm.name,
                    types::name_of(data_type).unwrap_or("a BLOB")
                ));
            }
            columns.push(CacheColumn {
                ty: ColumnType {
                    data_type,
                    length: n("Length").max(0) as u32,
                    precision: n("Precision").clamp(0, 38) as u8,
                    scale: n("Scale").clamp(0, 38) as u8,
                    code_page: match n("CodePage") {
                        c if c > 0 => c as u32,
                        _ => 1252,
                    },
                },
                index: n("IndexPosition").max(0) as u32,
                name,
            });
        }
        let mut key: Vec<usize> = (0..columns.len())
            .filter(|&i| columns[i].index > 0)
            .collect();
        key.sort_by_key(|&i| columns[i].index);
        if key.is_empty() {
            return Err(format!(
                "Cache connection manager '{}': at least one index column should be specified \
                 (set the IndexPosition of a cache column)",
                cm.name
            ));
        }
        for (want, &i) in key.iter().enumerate() {
            let pos = columns[i].index as usize;
            if pos != want + 1 {
                return Err(format!(
                    "Cache connection manager '{}': the index position {pos} of column '{}' is a \
                     duplicate or out of sequence (index columns are numbered 1, 2, ...)",
                    cm.name, columns[i].name
                ));
            }
        }
        Ok(CacheSpec {
            manager: cm.name.clone(),
            columns,
            key,
        })
    }

    /// The position of the column named `name` (exactly, else ignoring case).
    pub fn column(&self, name: &str) -> Option<usize> {
        let cols = &self.columns;
        cols.iter()
            .position(|c| c.name == name)
            .or_else(|| cols.iter().position(|c| c.name.eq_ignore_ascii_case(name)))
    }
}

/// A filled cache: its rows by key (the index columns' values, in index
/// order), each row with every column's value.
#[derive(Debug)]
pub struct CacheData {
    /// The Cache Transform that filled it.
    pub filled_by: String,
    /// Rows by key.
    pub rows: HashMap<Vec<Key>, Vec<Value>>,
}

/// The caches filled so far in this package's run, by connection manager
/// (DTSID, or the name when it has none).
pub type Caches = Rc<RefCell<HashMap<String, Arc<CacheData>>>>;

/// What the run keeps the caches under (see [`ssis_runner::tasks::RunState`]).
pub const STATE_KEY: &str = "ssis-dataflow/caches";

/// The key a manager's cache is kept under.
pub fn key_of(cm: &ConnectionManager) -> String {
    if cm.id.is_empty() {
        cm.name.clone()
    } else {
        cm.id.clone()
    }
}

/// The run's caches, taken out of its state for a data flow.
pub fn take(state: &mut ssis_runner::tasks::RunState) -> Caches {
    let kept = state
        .remove(STATE_KEY)
        .and_then(|b| b.downcast::<HashMap<String, Arc<CacheData>>>().ok())
        .map(|b| *b)
        .unwrap_or_default();
    Rc::new(RefCell::new(kept))
}

/// Gives the caches back to the run's state after a data flow.
pub fn give_back(state: &mut ssis_runner::tasks::RunState, caches: Caches) {
    let map = caches.take();
    state.insert(STATE_KEY.to_string(), Box::new(map));
}

/// Lookups of `p` reading a Cache connection manager that a Cache
/// Transform of the same pipeline fills: SSIS requires the Lookup in a
/// separate data flow that runs after the one filling the cache.
pub fn same_pipeline_problems(p: &Pipeline, pkg: &ssis_runner::model::Package) -> Vec<String> {
    use crate::components::{Kind, identify};
    let manager = |c: &crate::model::Component| {
        c.connections
            .first()
            .and_then(|r| pkg.connection(&r.manager))
            .filter(|cm| cm.creation_name.eq_ignore_ascii_case("CACHE"))
    };
    let fillers: Vec<_> = p
        .components
        .iter()
        .filter(|c| identify(c) == Ok(Kind::CacheTransform))
        .filter_map(|c| manager(c).map(|cm| (c, cm)))
        .collect();
    let mut problems = Vec::new();
    for c in &p.components {
        if identify(c) != Ok(Kind::Lookup) || c.prop("ConnectionType").map(str::trim) != Some("1") {
            continue;
        }
        let Some(cm) = manager(c) else { continue };
        if let Some((filler, _)) = fillers.iter().find(|(_, f)| f.name == cm.name) {
            problems.push(format!(
                "component \"{}\": Cache connection manager '{}' is filled by \"{}\" in this same \
                 data flow; a Lookup reads a cache filled by an earlier data flow, so move the \
                 Lookup to a data flow that runs after this one",
                c.name, cm.name, filler.name
            ));
        }
    }
    problems
}
