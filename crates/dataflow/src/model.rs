//! The pipeline as the package XML writes it (`pipeline` object data of a
//! Data Flow Task): components with their properties, connections, inputs
//! and outputs, columns with lineage ids, and the paths between them. Both
//! layouts: 2005/2008 (numeric `id`/`lineageId`, paths by id) and 2012+
//! (`refId` paths everywhere, `#{...}` references in properties).

use crate::types::ColumnType;
use ssis_runner::model::xml::Element;
use ssis_runner::model::xml_bool;

/// How a component treats a row that fails (`errorRowDisposition`,
/// `truncationRowDisposition`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    /// `FailComponent` (also the default and `NotUsed`).
    Fail,
    /// `IgnoreFailure`: the value becomes NULL and the row goes on.
    Ignore,
    /// `RedirectRow`: the row goes to the error output.
    Redirect,
}

impl Disposition {
    fn parse(s: Option<&str>) -> Disposition {
        match s.unwrap_or("") {
            "IgnoreFailure" => Disposition::Ignore,
            "RedirectRow" => Disposition::Redirect,
            _ => Disposition::Fail,
        }
    }
}

/// A custom property (`<property name="...">value</property>`).
#[derive(Debug, Clone)]
pub struct Property {
    /// `name`.
    pub name: String,
    /// The text.
    pub value: String,
}

/// Looks a property up by name.
pub fn prop<'a>(props: &'a [Property], name: &str) -> Option<&'a str> {
    props
        .iter()
        .find(|p| p.name == name)
        .map(|p| p.value.as_str())
}

/// A column an output produces.
#[derive(Debug, Clone)]
pub struct OutputColumn {
    /// `name`.
    pub name: String,
    /// `lineageId` (a number in 2005/2008, a refId path in 2012+).
    pub lineage: String,
    /// `id` as written (2005/2008), for ErrorColumn.
    pub id: String,
    /// The data type and its parameters.
    pub ty: ColumnType,
    /// `dataType` when it names no SSIS data type (`ty` is then DT_WSTR;
    /// the plan refuses the column).
    pub unknown_type: Option<String>,
    /// `errorRowDisposition`.
    pub error_disposition: Disposition,
    /// `truncationRowDisposition`.
    pub truncation_disposition: Disposition,
    /// `externalMetadataColumnId`.
    pub external: String,
    /// `specialFlags` (1 ErrorCode, 2 ErrorColumn).
    pub special_flags: u32,
    /// `sortKeyPosition`: the output is sorted on this column (its
    /// absolute value orders the keys; negative is descending; 0 none).
    pub sort_key: i32,
    /// Custom properties.
    pub properties: Vec<Property>,
}

/// A column an input reads from upstream.
#[derive(Debug, Clone)]
pub struct InputColumn {
    /// `refId` or `id` (what Merge Join's `InputColumnID` names).
    pub key: String,
    /// `cachedName` or `name`.
    pub name: String,
    /// The upstream column's lineage id.
    pub lineage: String,
    /// `externalMetadataColumnId`.
    pub external: String,
    /// `usageType`: `readOnly` or `readWrite`.
    pub read_write: bool,
    /// `errorRowDisposition`.
    pub error_disposition: Disposition,
    /// `truncationRowDisposition`.
    pub truncation_disposition: Disposition,
    /// Custom properties.
    pub properties: Vec<Property>,
}

/// An external metadata column (what the connection has).
#[derive(Debug, Clone)]
pub struct ExternalColumn {
    /// `refId` or `id`.
    pub key: String,
    /// `name`.
    pub name: String,
    /// Type.
    pub ty: ColumnType,
    /// `dataType` when it names no SSIS data type (the plan refuses it).
    pub unknown_type: Option<String>,
}

/// An input of a component.
#[derive(Debug, Clone)]
pub struct Input {
    /// `refId` or `id`: what paths name.
    pub key: String,
    /// `name`.
    pub name: String,
    /// Selected upstream columns.
    pub columns: Vec<InputColumn>,
    /// External metadata columns.
    pub external: Vec<ExternalColumn>,
    /// `errorRowDisposition` of the input.
    pub error_disposition: Disposition,
}

/// An output of a component.
#[derive(Debug, Clone)]
pub struct Output {
    /// `refId` or `id`: what paths name.
    pub key: String,
    /// `name`.
    pub name: String,
    /// `isErrorOut`.
    pub is_error: bool,
    /// `synchronousInputId`: the input whose buffer this output extends.
    pub sync_input: Option<String>,
    /// Columns this output adds (synchronous) or has (asynchronous).
    pub columns: Vec<OutputColumn>,
    /// External metadata columns.
    pub external: Vec<ExternalColumn>,
    /// `errorRowDisposition` of the output (Conditional Split).
    pub error_disposition: Disposition,
    /// Custom properties (Conditional Split's expressions).
    pub properties: Vec<Property>,
}

/// A component's reference to a connection manager.
#[derive(Debug, Clone)]
pub struct ConnectionRef {
    /// `name`, e.g. `FlatFileConnection`.
    pub name: String,
    /// `connectionManagerID` (DTSID or `Package.ConnectionManagers[Name]`).
    pub manager: String,
}

/// One component of the pipeline.
#[derive(Debug, Clone, Default)]
pub struct Component {
    /// `name`.
    pub name: String,
    /// `componentClassID` as written (a ProgID or a CLSID).
    pub class_id: String,
    /// `contactInfo` (its first segment names Microsoft's components in
    /// 2005/2008 files, whose class ids are CLSIDs).
    pub contact: String,
    /// Custom properties.
    pub properties: Vec<Property>,
    /// Connections.
    pub connections: Vec<ConnectionRef>,
    /// Inputs.
    pub inputs: Vec<Input>,
    /// Outputs.
    pub outputs: Vec<Output>,
    /// `validateExternalMetadata` (true unless written False): its
    /// external columns are checked against the connection before a run.
    pub validate_external: bool,
}

impl Component {
    /// A custom property's value.
    pub fn prop(&self, name: &str) -> Option<&str> {
        prop(&self.properties, name)
    }

    /// `AccessMode`, trimmed; "0" (table or view, or the default) when absent.
    pub fn access_mode(&self) -> &str {
        self.prop("AccessMode").map(str::trim).unwrap_or("0")
    }
}

/// A path from an output to an input.
#[derive(Debug, Clone)]
pub struct PathDef {
    /// `name`.
    pub name: String,
    /// The output's key.
    pub start: String,
    /// The input's key.
    pub end: String,
}

/// The whole pipeline.
#[derive(Debug, Clone)]
pub struct Pipeline {
    /// Components in document order.
    pub components: Vec<Component>,
    /// Paths.
    pub paths: Vec<PathDef>,
    /// `defaultBufferMaxRows` (10,000 when not written).
    pub buffer_max_rows: usize,
    /// `defaultBufferSize` in bytes (10 MB when not written).
    pub buffer_size: usize,
    /// `bufferTempStoragePath`: directories (`;` between them) for data
    /// spilled to disk; empty for the system's temporary directory.
    pub buffer_temp_storage: String,
}

fn key(el: &Element) -> String {
    el.attr("refId")
        .or_else(|| el.attr("id"))
        .unwrap_or("")
        .to_string()
}

fn properties(el: &Element) -> Vec<Property> {
    el.child("properties")
        .map(|ps| {
            ps.children_named("property")
                .map(|p| Property {
                    name: p.attr("name").unwrap_or("").to_string(),
                    value: p.text.clone(),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn items<'a>(el: &'a Element, wrapper: &'a str, item: &'a str) -> Vec<&'a Element> {
    el.child(wrapper)
        .map(|w| w.children_named(item).collect())
        .unwrap_or_default()
}

fn column_type(el: &Element) -> ColumnType {
    ColumnType::from_attrs(
        el.attr("dataType").or_else(|| el.attr("cachedDataType")),
        el.attr("length").or_else(|| el.attr("cachedLength")),
        el.attr("precision").or_else(|| el.attr("cachedPrecision")),
        el.attr("scale").or_else(|| el.attr("cachedScale")),
        el.attr("codePage").or_else(|| el.attr("cachedCodepage")),
    )
}

fn external(el: &Element) -> Vec<ExternalColumn> {
    items(el, "externalMetadataColumns", "externalMetadataColumn")
        .into_iter()
        .map(|c| ExternalColumn {
            key: key(c),
            name: c.attr("name").unwrap_or("").to_string(),
            ty: column_type(c),
            unknown_type: unknown_type(c),
        })
        .collect()
}

/// `dataType` (or `cachedDataType`) when it names no SSIS data type:
/// `column_type` reads such a column as DT_WSTR, so the plan refuses it.
fn unknown_type(el: &Element) -> Option<String> {
    el.attr("dataType")
        .or_else(|| el.attr("cachedDataType"))
        .filter(|t| crate::types::from_name(t).is_none())
        .map(str::to_string)
}

fn read_component(el: &Element, path_ends: &[&str]) -> Component {
    let inputs = items(el, "inputs", "input")
        .into_iter()
        // The spare input a Union All keeps for its next path (`dangling`):
        // attached to nothing, it takes no part in the run, as in SSIS.
        .filter(|i| {
            !i.attr("dangling").and_then(xml_bool).unwrap_or(false)
                || path_ends.contains(&key(i).as_str())
        })
        .map(|i| Input {
            key: key(i),
            name: i.attr("name").unwrap_or("").to_string(),
            columns: items(i, "inputColumns", "inputColumn")
                .into_iter()
                .map(|c| InputColumn {
                    key: key(c),
                    name: c
                        .attr("cachedName")
                        .or_else(|| c.attr("name"))
                        .unwrap_or("")
                        .to_string(),
                    lineage: c.attr("lineageId").unwrap_or("").to_string(),
                    external: c.attr("externalMetadataColumnId").unwrap_or("").to_string(),
                    read_write: c.attr("usageType") == Some("readWrite"),
                    error_disposition: Disposition::parse(c.attr("errorRowDisposition")),
                    truncation_disposition: Disposition::parse(c.attr("truncationRowDisposition")),
                    properties: properties(c),
                })
                .collect(),
            external: external(i),
            error_disposition: Disposition::parse(i.attr("errorRowDisposition")),
        })
        .collect();
    let outputs = items(el, "outputs", "output")
        .into_iter()
        .map(|o| Output {
            key: key(o),
            name: o.attr("name").unwrap_or("").to_string(),
            is_error: o
                .attr("isErrorOut")
                .and_then(ssis_runner::model::xml_bool)
                .unwrap_or(false),
            sync_input: o
                .attr("synchronousInputId")
                .filter(|s| !s.is_empty() && *s != "0")
                .map(str::to_string),
            columns: items(o, "outputColumns", "outputColumn")
                .into_iter()
                .map(|c| OutputColumn {
                    name: c.attr("name").unwrap_or("").to_string(),
                    lineage: c
                        .attr("lineageId")
                        .or_else(|| c.attr("refId"))
                        .unwrap_or("")
                        .to_string(),
                    id: c.attr("id").unwrap_or("").to_string(),
                    ty: column_type(c),
                    unknown_type: unknown_type(c),
                    error_disposition: Disposition::parse(c.attr("errorRowDisposition")),
                    truncation_disposition: Disposition::parse(c.attr("truncationRowDisposition")),
                    external: c.attr("externalMetadataColumnId").unwrap_or("").to_string(),
                    sort_key: c
                        .attr("sortKeyPosition")
                        .and_then(|s| s.trim().parse().ok())
                        .unwrap_or(0),
                    special_flags: c
                        .attr("specialFlags")
                        .and_then(|s| s.parse().ok())
                        .unwrap_or(0),
                    properties: properties(c),
                })
                .collect(),
            external: external(o),
            error_disposition: Disposition::parse(o.attr("errorRowDisposition")),
            properties: properties(o),
        })
        .collect();
    Component {
        name: el.attr("name").unwrap_or("").to_string(),
        class_id: el.attr("componentClassID").unwrap_or("").to_string(),
        contact: el.attr("contactInfo").unwrap_or("").to_string(),
        properties: properties(el),
        connections: items(el, "connections", "connection")
            .into_iter()
            .map(|c| ConnectionRef {
                name: c.attr("name").unwrap_or("").to_string(),
                manager: c
                    .attr("connectionManagerRefId")
                    .or_else(|| c.attr("connectionManagerID"))
                    .unwrap_or("")
                    .to_string(),
            })
            .collect(),
        inputs,
        outputs,
        validate_external: el
            .attr("validateExternalMetadata")
            .and_then(ssis_runner::model::xml_bool)
            .unwrap_or(true),
    }
}

/// Reads the `pipeline` element.
pub fn read(pipeline: &Element) -> Pipeline {
    let num = |n: &str, d: usize| {
        pipeline
            .attr(n)
            .and_then(|v| v.trim().parse().ok())
            .filter(|v| *v > 0)
            .unwrap_or(d)
    };
    let paths = items(pipeline, "paths", "path");
    let path_ends: Vec<&str> = paths.iter().filter_map(|p| p.attr("endId")).collect();
    Pipeline {
        components: items(pipeline, "components", "component")
            .into_iter()
            .map(|c| read_component(c, &path_ends))
            .collect(),
        paths: items(pipeline, "paths", "path")
            .into_iter()
            .map(|p| PathDef {
                name: p.attr("name").unwrap_or("").to_string(),
                start: p.attr("startId").unwrap_or("").to_string(),
                end: p.attr("endId").unwrap_or("").to_string(),
            })
            .collect(),
        buffer_max_rows: num("defaultBufferMaxRows", 10_000),
        buffer_size: num("defaultBufferSize", 10 * 1024 * 1024),
        buffer_temp_storage: pipeline
            .attr("bufferTempStoragePath")
            .unwrap_or("")
            .to_string(),
    }
}

/// The lineage id inside a reference property: `#{Package\...Columns[X]}`
/// (2012+) or `#12` (2005/2008); other text as it is.
pub fn lineage_ref(text: &str) -> &str {
    let t = text.trim();
    let t = t.strip_prefix('#').unwrap_or(t);
    t.strip_prefix('{')
        .and_then(|s| s.strip_suffix('}'))
        .unwrap_or(t)
}
