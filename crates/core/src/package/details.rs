//! The full read behind [`read_details`]: the identity plus executables,
//! connection managers, variables, parameters and precedence constraints,
//! from either layout.
//!
//! The file is parsed into a small element tree, then read through one
//! accessor, [`Node::prop`], that finds a value as an attribute (2012+) or
//! as a `<DTS:Property DTS:Name="...">` child (2005/2008). Event handlers
//! are not listed.

use super::xml::{
    Failure, MAX_DEPTH, Origin, for_each_attribute, is_dts, parse_bool, push_reference,
};
use super::{PackageMetadata, bytes_error, metadata};
use crate::error::{Error, Result};
use quick_xml::NsReader;
use quick_xml::events::Event;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// A package's full summary: its identity and what it contains.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PackageDetails {
    /// The identity, as [`read_metadata`](super::read_metadata) reads it.
    #[serde(flatten)]
    pub metadata: PackageMetadata,
    /// Every task and container, depth first, the package itself excluded.
    pub executables: Vec<ExecutableInfo>,
    /// How many executables of each type (`ExecutableType`).
    pub executable_counts: BTreeMap<String, usize>,
    /// The package's connection managers.
    pub connection_managers: Vec<ConnectionManagerInfo>,
    /// Variables of the package and of every container, with their scope.
    pub variables: Vec<VariableInfo>,
    /// Package parameters (SSIS 2012+).
    pub parameters: Vec<ParameterInfo>,
    /// Precedence constraints of the package and of every container.
    pub precedence_constraints: Vec<PrecedenceConstraintInfo>,
}

/// A task or container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ExecutableInfo {
    /// Path from the package, e.g. `Package\Load\Run Script`.
    pub path: String,
    /// `ObjectName`.
    pub name: String,
    /// `DTSID`.
    pub id: String,
    /// `ExecutableType`, e.g. `Microsoft.ExecuteProcess` (2012+) or
    /// `SSIS.Pipeline.2` (2008).
    pub executable_type: String,
    /// `CreationName`.
    pub creation_name: String,
    /// `Description`.
    pub description: String,
    /// `Disabled`.
    pub disabled: bool,
}

/// A connection manager.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConnectionManagerInfo {
    /// `ObjectName`.
    pub name: String,
    /// `DTSID`.
    pub id: String,
    /// `CreationName`: the connection type, e.g. `OLEDB`, `FLATFILE`, `FILE`.
    pub creation_name: String,
    /// `Description`.
    pub description: String,
    /// The connection string, with any password replaced by `********`.
    pub connection_string: Option<String>,
    /// The expression that sets the connection string at run time, if any.
    pub connection_string_expression: Option<String>,
}

/// A variable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VariableInfo {
    /// Path of the package or container that owns it (`Package`, `Package\Load`).
    pub scope: String,
    /// `Namespace`, usually `User`.
    pub namespace: String,
    /// `ObjectName`.
    pub name: String,
    /// `DataType` number (3 Int32, 8 String, ...).
    pub data_type: i32,
    /// `DataType` name, e.g. `String`.
    pub data_type_name: String,
    /// The value as written; `None` when sensitive or absent.
    pub value: Option<String>,
    /// `ReadOnly`.
    pub read_only: bool,
    /// `EvaluateAsExpression`.
    pub evaluate_as_expression: bool,
    /// `Expression`, when one is set.
    pub expression: Option<String>,
    /// The value is marked sensitive (and so not shown).
    pub sensitive: bool,
}

/// A package parameter (SSIS 2012+).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ParameterInfo {
    /// `ObjectName`.
    pub name: String,
    /// `DataType` number.
    pub data_type: i32,
    /// `DataType` name.
    pub data_type_name: String,
    /// The default value; `None` when sensitive or absent.
    pub value: Option<String>,
    /// `Required`.
    pub required: bool,
    /// `Sensitive`.
    pub sensitive: bool,
    /// `Description`.
    pub description: String,
}

/// A precedence constraint between two executables.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PrecedenceConstraintInfo {
    /// Path of the container holding both ends.
    pub scope: String,
    /// `ObjectName`.
    pub name: String,
    /// Path of the executable that runs first.
    pub from: String,
    /// Path of the executable that runs after.
    pub to: String,
    /// `Success`, `Failure` or `Completion`.
    pub value: String,
    /// `Constraint`, `Expression`, `ExpressionAndConstraint` or `ExpressionOrConstraint`.
    pub eval_op: String,
    /// The expression, when one is set.
    pub expression: Option<String>,
    /// `LogicalAnd`: with several constraints into one executable, all must hold.
    pub logical_and: bool,
}

/// Reads a whole `.dtsx` file: the identity plus its contents. Unlike
/// [`read_metadata`](super::read_metadata) this finds damage anywhere in the file.
pub fn read_details(path: &Path) -> Result<PackageDetails> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(&e, "read package", path))?;
    details_from(&bytes).map_err(|f| {
        f.into_error(Origin::File(path), |n| {
            let end = usize::try_from(n).unwrap_or(usize::MAX).min(bytes.len());
            Some(bytes[..end].to_vec())
        })
    })
}

/// Reads a whole package from bytes; `origin` names the source in errors.
pub fn read_details_bytes(bytes: &[u8], origin: &str) -> Result<PackageDetails> {
    details_from(bytes).map_err(|f| bytes_error(f, bytes, origin))
}

/// The name of a variable or parameter `DataType` number (a VARIANT type,
/// as SSIS uses them); `Unknown(<n>)` for others.
pub fn variable_type_name(n: i32) -> String {
    let name = match n {
        0 => "Empty",
        1 => "DBNull",
        2 => "Int16",
        3 => "Int32",
        4 => "Single",
        5 => "Double",
        7 => "DateTime",
        8 => "String",
        11 => "Boolean",
        13 => "Object",
        14 => "Decimal",
        16 => "SByte",
        17 => "Byte",
        18 => "Char",
        19 => "UInt32",
        20 => "Int64",
        21 => "UInt64",
        _ => return format!("Unknown({n})"),
    };
    name.to_string()
}

fn details_from(bytes: &[u8]) -> Result<PackageDetails, Failure> {
    let metadata = metadata::read_identity(bytes)?;
    let root = parse_tree(bytes)?;
    let mut d = PackageDetails {
        metadata,
        executables: Vec::new(),
        executable_counts: BTreeMap::new(),
        connection_managers: Vec::new(),
        variables: Vec::new(),
        parameters: Vec::new(),
        precedence_constraints: Vec::new(),
    };
    if d.metadata.encrypted {
        // The content is ciphertext: nothing more is readable.
        return Ok(d);
    }
    d.connection_managers = root
        .objects("ConnectionManagers", "ConnectionManager")
        .map(connection_manager)
        .collect();
    d.parameters = root
        .objects("PackageParameters", "PackageParameter")
        .map(parameter)
        .collect();
    let mut ids = HashMap::new();
    let mut pending = Vec::new();
    walk(&root, "Package", &mut d, &mut ids, &mut pending);
    // 2005/2008 constraints name their ends by DTSID: resolve them to paths.
    for (mut c, from_id, to_id) in pending {
        if let Some(p) = ids.get(from_id.as_str()) {
            c.from = p.clone();
        }
        if let Some(p) = ids.get(to_id.as_str()) {
            c.to = p.clone();
        }
        d.precedence_constraints.push(c);
    }
    for e in &d.executables {
        // 2005/2008 name task types by assembly-qualified class name: count
        // by the class name alone.
        let raw = if e.executable_type.is_empty() {
            &e.creation_name
        } else {
            &e.executable_type
        };
        let key = raw.split(',').next().unwrap_or_default().trim();
        // An empty key is not a property name PowerShell's ConvertFrom-Json accepts.
        let key = if key.is_empty() {
            UNKNOWN_EXECUTABLE_TYPE
        } else {
            key
        };
        *d.executable_counts.entry(key.to_string()).or_insert(0) += 1;
    }
    Ok(d)
}

/// The `ExecutableCounts` key of an executable that names no type.
pub const UNKNOWN_EXECUTABLE_TYPE: &str = "(unknown)";

/// A constraint whose ends are still DTSIDs.
type Pending = (PrecedenceConstraintInfo, String, String);

/// Collects the contents of the container `node` (path `path`), depth first.
fn walk(
    node: &Node,
    path: &str,
    d: &mut PackageDetails,
    ids: &mut HashMap<String, String>,
    pending: &mut Vec<Pending>,
) {
    ids.insert(
        node.prop("DTSID").unwrap_or_default().to_string(),
        path.to_string(),
    );
    for v in node.objects("Variables", "Variable") {
        d.variables.push(variable(v, path));
    }
    for c in node.objects("PrecedenceConstraints", "PrecedenceConstraint") {
        let (info, from_id, to_id) = constraint(c, path);
        if from_id.is_empty() && to_id.is_empty() {
            d.precedence_constraints.push(info);
        } else {
            pending.push((info, from_id, to_id));
        }
    }
    for child in node.objects("Executables", "Executable") {
        if child.attr("IDREF").is_some() {
            continue;
        }
        let name = child.prop("ObjectName").unwrap_or_default().to_string();
        let child_path = match child.attr("refId") {
            Some(r) if !r.is_empty() => r.to_string(),
            _ => format!("{path}\\{name}"),
        };
        d.executables.push(ExecutableInfo {
            path: child_path.clone(),
            name,
            id: child.prop("DTSID").unwrap_or_default().to_string(),
            executable_type: child.attr("ExecutableType").unwrap_or_default().to_string(),
            creation_name: child.prop("CreationName").unwrap_or_default().to_string(),
            description: child.prop("Description").unwrap_or_default().to_string(),
            disabled: child.prop("Disabled").is_some_and(parse_bool),
        });
        walk(child, &child_path, d, ids, pending);
    }
}

fn connection_manager(cm: &Node) -> ConnectionManagerInfo {
    // 2012+: ObjectData/ConnectionManager@ConnectionString; 2005/2008:
    // ObjectData/ConnectionManager/Property[@Name='ConnectionString'].
    let inner = cm
        .child("ObjectData")
        .and_then(|o| o.child("ConnectionManager"));
    let raw = cm
        .prop("ConnectionString")
        .or_else(|| inner.and_then(|i| i.prop("ConnectionString")));
    let expression = cm
        .children_named("PropertyExpression")
        .find(|p| p.attr("Name") == Some("ConnectionString"))
        .map(|p| p.text.trim().to_string());
    ConnectionManagerInfo {
        name: cm.prop("ObjectName").unwrap_or_default().to_string(),
        id: cm.prop("DTSID").unwrap_or_default().to_string(),
        creation_name: cm.prop("CreationName").unwrap_or_default().to_string(),
        description: cm.prop("Description").unwrap_or_default().to_string(),
        connection_string: raw.map(redact_connection_string),
        connection_string_expression: expression,
    }
}

/// Replaces the value of `Password=` / `Pwd=` pairs in a connection string.
fn redact_connection_string(s: &str) -> String {
    s.split(';')
        .map(|pair| match pair.split_once('=') {
            Some((k, _))
                if k.trim().eq_ignore_ascii_case("password")
                    || k.trim().eq_ignore_ascii_case("pwd") =>
            {
                format!("{k}=********")
            }
            _ => pair.to_string(),
        })
        .collect::<Vec<_>>()
        .join(";")
}

fn variable(v: &Node, scope: &str) -> VariableInfo {
    let value_node = v.child("VariableValue");
    let data_type = value_node
        .and_then(|n| n.attr("DataType"))
        .and_then(|t| t.trim().parse().ok())
        .unwrap_or(0);
    let sensitive = value_node
        .and_then(|n| n.attr("Sensitive"))
        .is_some_and(parse_bool)
        || v.prop("Sensitive").is_some_and(parse_bool);
    let expression = v
        .prop("Expression")
        .map(str::to_string)
        .filter(|e| !e.is_empty());
    VariableInfo {
        scope: scope.to_string(),
        namespace: v.prop("Namespace").unwrap_or_default().to_string(),
        name: v.prop("ObjectName").unwrap_or_default().to_string(),
        data_type,
        data_type_name: variable_type_name(data_type),
        value: if sensitive {
            None
        } else {
            value_node.map(|n| n.text.clone())
        },
        read_only: v.prop("ReadOnly").is_some_and(parse_bool),
        evaluate_as_expression: v.prop("EvaluateAsExpression").is_some_and(parse_bool),
        expression,
        sensitive,
    }
}

fn parameter(p: &Node) -> ParameterInfo {
    let data_type = p
        .attr("DataType")
        .and_then(|t| t.trim().parse().ok())
        .unwrap_or(0);
    let sensitive = p.prop("Sensitive").is_some_and(parse_bool);
    ParameterInfo {
        name: p.prop("ObjectName").unwrap_or_default().to_string(),
        data_type,
        data_type_name: variable_type_name(data_type),
        value: if sensitive {
            None
        } else {
            p.prop("ParameterValue").map(str::to_string)
        },
        required: p.prop("Required").is_some_and(parse_bool),
        sensitive,
        description: p.prop("Description").unwrap_or_default().to_string(),
    }
}

/// A constraint, with the DTSIDs of its ends when the file names them so
/// (2005/2008); 2012+ files give the paths directly.
fn constraint(c: &Node, scope: &str) -> Pending {
    let value = match c.prop("Value").map(str::trim) {
        Some("1") => "Failure",
        Some("2") => "Completion",
        _ => "Success",
    };
    let eval_op = match c.prop("EvalOp").map(str::trim) {
        Some("1") => "Expression",
        Some("3") => "ExpressionAndConstraint",
        Some("4") => "ExpressionOrConstraint",
        _ => "Constraint",
    };
    let mut from_id = String::new();
    let mut to_id = String::new();
    for end in c.children_named("Executable") {
        if let Some(id) = end.attr("IDREF") {
            if end.attr("IsFrom").is_some_and(parse_bool) {
                from_id = id.to_string();
            } else {
                to_id = id.to_string();
            }
        }
    }
    let info = PrecedenceConstraintInfo {
        scope: scope.to_string(),
        name: c.prop("ObjectName").unwrap_or_default().to_string(),
        from: c.attr("From").unwrap_or_default().to_string(),
        to: c.attr("To").unwrap_or_default().to_string(),
        value: value.to_string(),
        eval_op: eval_op.to_string(),
        expression: c
            .prop("Expression")
            .map(str::to_string)
            .filter(|e| !e.is_empty()),
        logical_and: c.prop("LogicalAnd").is_none_or(parse_bool),
    };
    (info, from_id, to_id)
}

/// One element of the parsed file.
#[derive(Debug, Default)]
struct Node {
    /// Local name (prefix dropped).
    local: String,
    /// In the package namespace (or unqualified).
    dts: bool,
    /// Attributes by local name.
    attrs: Vec<(String, String)>,
    /// Direct text content.
    text: String,
    children: Vec<Node>,
}

impl Node {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children
            .iter()
            .filter(move |c| c.dts && c.local == name)
    }

    fn child<'a>(&'a self, name: &'a str) -> Option<&'a Node> {
        self.children_named(name).next()
    }

    /// A property: an attribute (2012+) or a `<Property Name="...">` child (2005/2008).
    fn prop(&self, name: &str) -> Option<&str> {
        self.attr(name).or_else(|| {
            self.children_named("Property")
                .find(|p| p.attr("Name") == Some(name))
                .map(|p| p.text.as_str())
        })
    }

    /// Objects of a kind: `<Items><Item/></Items>` (2012+) and direct
    /// `<Item/>` children (2005/2008).
    fn objects<'a>(&'a self, list: &'a str, item: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children_named(item).chain(
            self.children_named(list)
                .flat_map(move |l| l.children_named(item)),
        )
    }
}

/// Parses the whole document into a tree; fails on any XML error or on a
/// document that ends before its root does.
fn parse_tree(bytes: &[u8]) -> Result<Node, Failure> {
    let mut reader = NsReader::from_reader(bytes);
    let mut buf = Vec::new();
    let mut stack: Vec<Node> = Vec::new();
    loop {
        buf.clear();
        let position = reader.buffer_position();
        let (dts, event) = match reader.read_resolved_event_into(&mut buf) {
            Ok((ns, event)) => (is_dts(&ns), event),
            Err(err) => return Err(Failure::xml(err, reader.error_position())),
        };
        let empty = matches!(event, Event::Empty(_));
        match event {
            Event::Start(e) | Event::Empty(e) => {
                let mut node = Node {
                    local: e.local_name().as_ref().to_string(),
                    dts,
                    ..Node::default()
                };
                for_each_attribute(
                    &e,
                    position,
                    |_| true,
                    |k, v| {
                        node.attrs.push((k.to_string(), v));
                        Ok(())
                    },
                )?;
                if empty {
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(node),
                        None => return Ok(node),
                    }
                } else {
                    if stack.len() >= MAX_DEPTH {
                        return Err(Failure::at(
                            format!("elements are nested more than {MAX_DEPTH} deep"),
                            position,
                        ));
                    }
                    stack.push(node);
                }
            }
            Event::End(_) => match stack.pop() {
                Some(node) => match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None => return Ok(node),
                },
                None => return Err(Failure::at("unexpected end tag", position)),
            },
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                if let Some(top) = stack.last_mut() {
                    push_reference(&mut top.text, &r, position)?;
                }
            }
            Event::Eof => {
                return Err(Failure::at(
                    "the file ends before the package does (truncated?)",
                    position,
                ));
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod unknown_type_tests {
    use super::*;

    #[test]
    fn an_executable_without_a_type_is_counted_under_a_named_key() {
        let xml = r#"<?xml version="1.0"?>
<DTS:Executable xmlns:DTS="www.microsoft.com/SqlServer/Dts" DTS:refId="Package"
  DTS:ExecutableType="Microsoft.Package" DTS:ObjectName="P"
  DTS:DTSID="{5C4F0C1E-2B9A-4E4B-9B2F-1A2B3C4D5E6F}">
  <DTS:Property DTS:Name="PackageFormatVersion">8</DTS:Property>
  <DTS:Executables>
    <DTS:Executable DTS:refId="Package\\Untyped" DTS:ObjectName="Untyped" />
    <DTS:Executable DTS:refId="Package\\Typed" DTS:ObjectName="Typed"
      DTS:ExecutableType="Microsoft.ExecuteProcess" />
  </DTS:Executables>
</DTS:Executable>
"#;
        let d = read_details_bytes(xml.as_bytes(), "untyped").unwrap();
        assert_eq!(d.executables.len(), 2, "{d:?}");
        assert_eq!(d.executable_counts.get(UNKNOWN_EXECUTABLE_TYPE), Some(&1));
        assert_eq!(
            d.executable_counts.get("Microsoft.ExecuteProcess"),
            Some(&1)
        );
        let json = serde_json::to_value(&d).unwrap();
        let counts = json["ExecutableCounts"].as_object().unwrap();
        assert!(counts.keys().all(|k| !k.is_empty()), "{counts:?}");
    }
}
