//! Reads a `.dtsx` file in either layout into the [`Package`] model.
//!
//! 2012+ (format 6/8) writes properties as `DTS:` attributes, wraps children
//! in `DTS:Executables`, `DTS:Variables`, `DTS:PrecedenceConstraints`, ... and
//! names constraint ends by refId (`DTS:From`/`DTS:To`). 2005/2008 (format
//! 2/3) writes `<DTS:Property DTS:Name="...">` children, puts executables and
//! constraints directly under their container and names constraint ends with
//! `<DTS:Executable IDREF="{DTSID}" DTS:IsFrom="-1|0"/>`. Booleans are
//! `True`/`False` or `-1`/`0`.

use super::xml::{self, Element};
use super::*;
use crate::cancel::CancelToken;
use ssis_core::error::{Error, ErrorKind, Result};
use std::path::Path;

/// Loads a package file. A missing file is `NotFound` (dtexec exit 4); an
/// unreadable or malformed one is `Package` (exit 5).
pub fn load_package(path: &Path) -> Result<Package> {
    load_package_with(path, &CancelToken::new())
}

/// [`load_package`], ending with a `Canceled` error (dtexec exit 3) soon
/// after `cancel` is set: a large package takes a moment to read.
pub fn load_package_with(path: &Path, cancel: &CancelToken) -> Result<Package> {
    let bytes = std::fs::read(path).map_err(|e| {
        let err = Error::io(&e, "read the package", path);
        if err.kind == ErrorKind::NotFound {
            err
        } else {
            Error::new(ErrorKind::Package, err.message).with_file(path)
        }
    })?;
    load_package_bytes_with(&bytes, path, cancel)
}

/// Loads a package from bytes; `origin` names it in errors.
pub fn load_package_bytes(bytes: &[u8], origin: &Path) -> Result<Package> {
    load_package_bytes_with(bytes, origin, &CancelToken::new())
}

/// [`load_package_bytes`] with a cancel token, as [`load_package_with`].
pub fn load_package_bytes_with(
    bytes: &[u8],
    origin: &Path,
    cancel: &CancelToken,
) -> Result<Package> {
    let root = xml::parse_with(bytes, origin, cancel)?;
    let bad = |msg: String, line: u64| {
        Error::new(ErrorKind::Package, msg)
            .with_file(origin)
            .at(line, 1)
    };
    if root.local_name() != "Executable" {
        return Err(bad(
            format!(
                "the root element is <{}>, not a package <DTS:Executable>",
                root.name
            ),
            root.line,
        ));
    }
    let format_version = match root.property_child("PackageFormatVersion") {
        Some(v) => v.trim().parse::<i32>().map_err(|_| {
            bad(
                format!("PackageFormatVersion '{v}' is not a number"),
                root.line,
            )
        })?,
        None => {
            return Err(bad(
                "the package has no PackageFormatVersion".into(),
                root.line,
            ));
        }
    };
    if !matches!(format_version, 2 | 3 | 5 | 6 | 7 | 8) {
        return Err(bad(
            format!("PackageFormatVersion {format_version} is not supported (2, 3, 6 and 8 are)"),
            root.line,
        ));
    }
    let declared_level = match root.prop("ProtectionLevel") {
        Some(v) => Some(ProtectionLevel::parse(v).ok_or_else(|| {
            bad(
                format!(
                    "ProtectionLevel '{v}' is not one of 0..=5 (DontSaveSensitive .. ServerStorage)"
                ),
                root.line,
            )
        })?),
        None => None,
    };
    // Encrypted whole, the root keeps its identity (2012+) and replaces
    // everything else with one <EncryptedData>; a 2005/2008 file keeps only
    // PackageFormatVersion, its ProtectionLevel then being inside the cipher
    // text.
    let encrypted_data = root
        .children
        .iter()
        .any(|c| c.local_name() == "EncryptedData");
    let protection_level = match declared_level {
        Some(level) => level,
        None if encrypted_data => {
            // The metadata reader tells password encryption (a Salt on
            // EncryptedData) from user-key encryption.
            ssis_core::package::read_metadata_bytes(bytes, &origin.display().to_string())
                .ok()
                .and_then(|m| m.protection())
                .filter(|l| l.encrypts_all())
                .unwrap_or(ProtectionLevel::EncryptAllWithUserKey)
        }
        None => ProtectionLevel::DEFAULT,
    };
    let encrypted_whole = encrypted_data || protection_level.encrypts_all();
    let mut connections = Vec::new();
    for cm in collection(&root, "ConnectionManagers", "ConnectionManager") {
        connections.push(read_connection(cm));
    }
    let ctx = Ctx { origin };
    let root_exe = ctx.read_executable(&root, "", true)?;
    let text = |n: &str| root.prop(n).unwrap_or("").to_string();
    let number = |n: &str| root.prop(n).and_then(int).unwrap_or(0) as i32;
    let properties = PackageProperties {
        version_build: number("VersionBuild"),
        // Left out by 2012+ files when it has its default: a new package's 1
        // (the package metadata reader in ssis-core says why).
        version_major: root.prop("VersionMajor").and_then(int).unwrap_or(1) as i32,
        version_minor: number("VersionMinor"),
        version_guid: text("VersionGUID"),
        version_comments: text("VersionComments"),
        creator_name: text("CreatorName"),
        creator_computer_name: text("CreatorComputerName"),
        creation_date: text("CreationDate"),
        description: text("Description"),
    };
    Ok(Package {
        format_version,
        protection_level,
        encrypted_whole,
        encrypted_value: if encrypted_whole {
            None
        } else {
            first_encrypted(&root, "the package")
        },
        connections,
        properties,
        source_path: origin.to_path_buf(),
        enable_configurations: root
            .prop("EnableConfig")
            .or_else(|| root.prop("EnableConfigurations"))
            .and_then(boolean)
            .unwrap_or(false),
        configurations: collection(&root, "Configurations", "Configuration")
            .into_iter()
            .map(|c| PackageConfiguration {
                name: c.prop("ObjectName").unwrap_or("").to_string(),
                kind: c.prop("ConfigurationType").and_then(int).unwrap_or(-1) as i32,
                string: c.prop("ConfigurationString").unwrap_or("").to_string(),
                target: c.prop("ConfigurationVariable").unwrap_or("").to_string(),
            })
            .collect(),
        save_checkpoints: root
            .prop("SaveCheckpoints")
            .and_then(boolean)
            .unwrap_or(false),
        root: root_exe,
    })
}

struct Ctx<'a> {
    origin: &'a Path,
}

/// Children named `item` either directly under `el` (2005/2008) or inside a
/// `wrapper` child (2012+).
fn collection<'a>(el: &'a Element, wrapper: &'a str, item: &'a str) -> Vec<&'a Element> {
    let mut out: Vec<&Element> = el.children_named(item).collect();
    for w in el.children_named(wrapper) {
        out.extend(w.children_named(item));
    }
    out
}

/// Parses an SSIS boolean: `True`/`False`, `-1`/`0`, `1`.
pub(crate) fn boolean(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "-1" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

fn int(s: &str) -> Option<i64> {
    s.trim().parse::<i64>().ok()
}

/// Where the first value stored encrypted under `el` is (an element marked
/// `Encrypted="1"`, or an `<EncryptedData>`), named after the property and
/// the nearest object around it: `Password of 'Sales DB'`.
fn first_encrypted(el: &Element, owner: &str) -> Option<String> {
    let marked = el
        .attr("Encrypted")
        .is_some_and(|v| boolean(v) == Some(true));
    if marked || el.local_name() == "EncryptedData" {
        let what = match el.attr("Name") {
            Some(n) if el.local_name() == "Property" => n,
            _ => el.local_name(),
        };
        return Some(format!("{what} of {owner}"));
    }
    let named;
    let owner = match el.prop("ObjectName") {
        Some(n) if el.local_name() != "Property" => {
            named = format!("'{n}'");
            named.as_str()
        }
        _ => owner,
    };
    el.children.iter().find_map(|c| first_encrypted(c, owner))
}

fn read_connection(cm: &Element) -> ConnectionManager {
    let data = cm
        .child("ObjectData")
        .and_then(|d| d.child("ConnectionManager"));
    let from_data = |name: &str| data.and_then(|d| d.prop(name)).unwrap_or("").to_string();
    ConnectionManager {
        name: cm.prop("ObjectName").unwrap_or("").to_string(),
        id: cm.prop("DTSID").unwrap_or("").to_string(),
        creation_name: cm.prop("CreationName").unwrap_or("").to_string(),
        connection_string: from_data("ConnectionString"),
        file_usage_type: int(&from_data("FileUsageType")).unwrap_or(0) as i32,
        password: data
            .and_then(|d| d.child("Password"))
            .filter(|p| p.attr("Encrypted").and_then(boolean) != Some(true))
            .map(|p| p.text.clone())
            .filter(|p| !p.is_empty()),
        retain: boolean(&from_data("Retain")).unwrap_or(false),
        property_expressions: property_expressions(cm),
        data: data.map(|d| std::sync::Arc::new(d.clone())),
    }
}

fn property_expressions(el: &Element) -> Vec<(String, String)> {
    el.children_named("PropertyExpression")
        .map(|p| (p.attr("Name").unwrap_or("").to_string(), p.text.clone()))
        .collect()
}

fn read_variable(v: &Element) -> VariableDef {
    let value = v.child("VariableValue");
    VariableDef {
        namespace: v.prop("Namespace").unwrap_or("User").to_string(),
        name: v.prop("ObjectName").unwrap_or("").to_string(),
        id: v.prop("DTSID").unwrap_or("").to_string(),
        data_type: value
            .and_then(|x| x.attr("DataType"))
            .and_then(int)
            .unwrap_or(8) as i32,
        value: value.map(|x| x.text.clone()).unwrap_or_default(),
        read_only: v.prop("ReadOnly").and_then(boolean).unwrap_or(false),
        evaluate_as_expression: v
            .prop("EvaluateAsExpression")
            .and_then(boolean)
            .unwrap_or(false),
        expression: v.prop("Expression").unwrap_or("").to_string(),
        raise_changed_event: v
            .prop("RaiseChangedEvent")
            .and_then(boolean)
            .unwrap_or(false),
    }
}

/// A package parameter (2012+) as a read-only variable in the `$Package`
/// namespace, so expressions read it as `@[$Package::Name]`.
fn read_parameter(p: &Element) -> VariableDef {
    let value = p
        .children_named("Property")
        .find(|x| x.attr("Name") == Some("ParameterValue"));
    VariableDef {
        namespace: "$Package".into(),
        name: p.prop("ObjectName").unwrap_or("").to_string(),
        id: p.prop("DTSID").unwrap_or("").to_string(),
        // The same VARIANT codes as variables (3 Int32, 8 String, ...),
        // on the parameter and again on its ParameterValue.
        data_type: p
            .attr("DataType")
            .or_else(|| value.and_then(|v| v.attr("DataType")))
            .and_then(int)
            .unwrap_or(8) as i32,
        value: value.map(|v| v.text.clone()).unwrap_or_default(),
        read_only: true,
        evaluate_as_expression: false,
        expression: String::new(),
        raise_changed_event: false,
    }
}

/// The short form of an executable type: the class name before any
/// assembly qualification, e.g. `Microsoft.SqlServer.Dts.Tasks.ExecuteProcess.ExecuteProcess`.
fn type_key(type_name: &str) -> String {
    type_name
        .split(',')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// What kind of executable a known type name is, and its readable label.
fn known_type(type_name: &str) -> Option<(&'static str, &'static str)> {
    let key = type_key(type_name);
    let known: &[(&[&str], &str, &str)] = &[
        (
            &[
                "microsoft.package",
                "ssis.package.2",
                "ssis.package.3",
                "msdts.package.1",
                "microsoft.sqlserver.dts.runtime.package",
            ],
            "package",
            "Package",
        ),
        (&["stock:sequence"], "sequence", "Sequence Container"),
        (&["stock:forloop"], "forloop", "For Loop Container"),
        (
            &["stock:foreachloop"],
            "foreachloop",
            "Foreach Loop Container",
        ),
        (
            &[
                "microsoft.executeprocess",
                "stock:executeprocesstask",
                "microsoft.sqlserver.dts.tasks.executeprocess.executeprocess",
            ],
            "process",
            "Execute Process Task",
        ),
        (
            &[
                "microsoft.filesystemtask",
                "stock:filesystemtask",
                "microsoft.sqlserver.dts.tasks.filesystemtask.filesystemtask",
            ],
            "filesystem",
            "File System Task",
        ),
        (
            &[
                "microsoft.pipeline",
                "ssis.pipeline.2",
                "ssis.pipeline.3",
                "ssis.pipeline.4",
                "dts.pipeline.1",
                "stock:pipelinetask",
            ],
            "pipeline",
            "Data Flow Task",
        ),
        (
            // SSIS 2005/2008 files may name the Data Flow task by its
            // COM class id.
            &[
                "{c3bf9dc1-4715-4694-936f-d3cfda9e42c5}",
                "{e3cfbea8-1f48-40d8-91e1-2dedc1eddd56}",
            ],
            "pipeline",
            "Data Flow Task",
        ),
        (
            &[
                "microsoft.executesqltask",
                "microsoft.sqlserver.dts.tasks.executesqltask.executesqltask",
                "stock:sqltask",
            ],
            "executesql",
            "Execute SQL Task",
        ),
        (
            &[
                "microsoft.scripttask",
                "microsoft.sqlserver.dts.tasks.scripttask.scripttask",
                "stock:scripttask",
            ],
            "other",
            "Script Task",
        ),
        (
            &[
                "microsoft.executepackagetask",
                // SSIS 2005 (a native task, named by its ProgID).
                "dts.executepackagetask.1",
                "ssis.executepackagetask.2",
                "ssis.executepackagetask.3",
                "stock:executepackagetask",
                "microsoft.sqlserver.dts.tasks.executepackagetask.executepackagetask",
            ],
            "executepackage",
            "Execute Package Task",
        ),
        (
            &[
                "microsoft.expressiontask",
                "stock:expressiontask",
                "microsoft.sqlserver.dts.tasks.expressiontask.expressiontask",
            ],
            "expression",
            "Expression Task",
        ),
        (
            &[
                "microsoft.sendmailtask",
                "microsoft.sqlserver.dts.tasks.sendmailtask.sendmailtask",
                "stock:sendmailtask",
            ],
            "sendmail",
            "Send Mail Task",
        ),
        (
            &[
                "microsoft.ftptask",
                "microsoft.sqlserver.dts.tasks.ftptask.ftptask",
            ],
            "other",
            "FTP Task",
        ),
        (
            &[
                "microsoft.webservicetask",
                "microsoft.sqlserver.dts.tasks.webservicetask.webservicetask",
            ],
            "other",
            "Web Service Task",
        ),
        (
            &[
                "microsoft.transferdatabasetask",
                "microsoft.sqlserver.dts.tasks.transferdatabasetask.transferdatabasetask",
            ],
            "other",
            "Transfer Database Task",
        ),
        (
            &[
                "microsoft.transfererrormessagestask",
                "microsoft.sqlserver.dts.tasks.transfererrormessagestask.transfererrormessagestask",
            ],
            "other",
            "Transfer Error Messages Task",
        ),
        (
            &[
                "microsoft.transferjobstask",
                "microsoft.sqlserver.dts.tasks.transferjobstask.transferjobstask",
            ],
            "other",
            "Transfer Jobs Task",
        ),
        (
            &[
                "microsoft.transferloginstask",
                "microsoft.sqlserver.dts.tasks.transferloginstask.transferloginstask",
            ],
            "other",
            "Transfer Logins Task",
        ),
        (
            &[
                "microsoft.transferstoredprocedurestask",
                "microsoft.sqlserver.dts.tasks.transferstoredprocedurestask.transferstoredprocedurestask",
            ],
            "other",
            "Transfer Master Stored Procedures Task",
        ),
        (
            &[
                "microsoft.transfersqlserverobjectstask",
                "microsoft.sqlserver.dts.tasks.transfersqlserverobjectstask.transfersqlserverobjectstask",
            ],
            "other",
            "Transfer SQL Server Objects Task",
        ),
        (&["microsoft.xmltask"], "other", "XML Task"),
        (
            &[
                "microsoft.wmidatareadertask",
                "microsoft.sqlserver.dts.tasks.wmidatareadertask.wmidatareadertask",
            ],
            "other",
            "WMI Data Reader Task",
        ),
        (
            &[
                "microsoft.messagequeuetask",
                "microsoft.sqlserver.dts.tasks.messagequeuetask.messagequeuetask",
            ],
            "other",
            "Message Queue Task",
        ),
        (
            &[
                "microsoft.bulkinserttask",
                "microsoft.sqlserver.dts.tasks.bulkinserttask.bulkinserttask",
            ],
            "other",
            "Bulk Insert Task",
        ),
    ];
    known
        .iter()
        .find(|(names, _, _)| names.contains(&key.as_str()))
        .map(|&(_, kind, label)| (kind, label))
}

/// A readable name for a type the runner does not know: the class of an
/// assembly-qualified name with its words apart
/// (`Microsoft.SqlServer.Dts.Tasks.Foo.BarBazTask, Microsoft.SqlServer.Foo,
/// Version=...` -> `Bar Baz Task`); anything else as written.
fn short_type_label(type_name: &str) -> String {
    let Some((class, _assembly)) = type_name.split_once(',') else {
        return type_name.trim().to_string();
    };
    let class = class.trim();
    let last = class.rsplit('.').next().unwrap_or(class);
    let mut out = String::new();
    let mut prev: Option<char> = None;
    for c in last.chars() {
        if c.is_ascii_uppercase() && prev.is_some_and(|p| p.is_ascii_lowercase()) {
            out.push(' ');
        }
        out.push(c);
        prev = Some(c);
    }
    if out.is_empty() {
        type_name.trim().to_string()
    } else {
        out
    }
}

/// A container's executables by path and by DTSID (lower case), so each
/// constraint end is found in constant time (a container of thousands of
/// tasks loads in linear time).
struct ExeIndex<'a> {
    by_path: std::collections::HashMap<&'a str, usize>,
    by_id: std::collections::HashMap<String, usize>,
}

impl<'a> ExeIndex<'a> {
    fn new(exes: &'a [Executable]) -> ExeIndex<'a> {
        let mut by_path = std::collections::HashMap::with_capacity(exes.len());
        let mut by_id = std::collections::HashMap::with_capacity(exes.len());
        // The first executable wins on duplicates, as a scan from the start did.
        for (i, e) in exes.iter().enumerate() {
            by_path.entry(e.path.as_str()).or_insert(i);
            by_id.entry(e.id.trim().to_ascii_lowercase()).or_insert(i);
        }
        ExeIndex { by_path, by_id }
    }
}

impl Ctx<'_> {
    fn bad(&self, msg: String, line: u64) -> Error {
        Error::new(ErrorKind::Package, msg)
            .with_file(self.origin)
            .at(line, 1)
    }

    fn read_executable(
        &self,
        el: &Element,
        parent_path: &str,
        is_root: bool,
    ) -> Result<Executable> {
        let name = el.prop("ObjectName").unwrap_or("").to_string();
        let path = match el.attr("refId") {
            Some(r) if !r.is_empty() => r.to_string(),
            _ if is_root => "Package".to_string(),
            _ => format!("{parent_path}\\{name}"),
        };
        let type_name = el
            .attr("ExecutableType")
            .or_else(|| el.prop("CreationName"))
            .unwrap_or("")
            .to_string();
        let (kind_key, type_label) = if is_root {
            ("package", "Package".to_string())
        } else {
            // An unknown ExecutableType: the CreationName may be known.
            match known_type(&type_name).or_else(|| el.prop("CreationName").and_then(known_type)) {
                Some((kind, label)) => (kind, label.to_string()),
                None => ("other", short_type_label(&type_name)),
            }
        };
        let flag = |n: &str, default: bool| -> Result<bool> {
            match el.prop(n) {
                None => Ok(default),
                Some(v) => boolean(v).ok_or_else(|| {
                    self.bad(format!("{path}: {n} '{v}' is not a boolean"), el.line)
                }),
            }
        };
        let number = |n: &str, default: i64| -> Result<i64> {
            match el.prop(n) {
                None => Ok(default),
                Some(v) => int(v)
                    .ok_or_else(|| self.bad(format!("{path}: {n} '{v}' is not a number"), el.line)),
            }
        };
        let force = number("ForceExecutionResult", -1)?;
        let force_execution_result = if force < 0 {
            None
        } else {
            Some(ExecResult::from_code(force).ok_or_else(|| {
                self.bad(
                    format!("{path}: ForceExecutionResult {force} is not -1..=3"),
                    el.line,
                )
            })?)
        };
        let max_errors = number("MaxErrorCount", 1)?;
        let kind = match kind_key {
            "package" | "sequence" => ExecutableKind::Sequence(self.read_body(el, &path)?),
            "forloop" => ExecutableKind::ForLoop {
                body: self.read_body(el, &path)?,
                init: el.prop("InitExpression").unwrap_or("").to_string(),
                eval: el.prop("EvalExpression").unwrap_or("").to_string(),
                assign: el.prop("AssignExpression").unwrap_or("").to_string(),
            },
            "foreachloop" => ExecutableKind::ForeachLoop {
                body: self.read_body(el, &path)?,
                enumerator: self.read_enumerator(el, &path)?,
                mappings: self.read_mappings(el, &path)?,
            },
            "expression" => ExecutableKind::ExpressionTask(
                self.task_data(el, "ExpressionTask", &path)?
                    .and_then(|d| d.prop("Expression"))
                    .unwrap_or("")
                    .to_string(),
            ),
            "executepackage" => self.read_execute_package(el, &path)?,
            "process" => self.read_execute_process(el, &path)?,
            "filesystem" => self.read_file_system(el, &path)?,
            // No pipeline data: an empty data flow.
            "pipeline" => ExecutableKind::DataFlow(std::sync::Arc::new(
                el.child("ObjectData")
                    .and_then(|d| d.child("pipeline"))
                    .cloned()
                    .unwrap_or_default(),
            )),
            "executesql" => self.read_execute_sql(el, &path)?,
            "sendmail" => self.read_send_mail(el, &path)?,
            _ => ExecutableKind::Unsupported(format!("{type_label} is not supported")),
        };
        Ok(Executable {
            name,
            id: el.prop("DTSID").unwrap_or("").to_string(),
            type_label,
            type_name,
            disabled: flag("Disabled", false)?,
            fail_package_on_failure: flag("FailPackageOnFailure", false)?,
            fail_parent_on_failure: flag("FailParentOnFailure", false)?,
            max_error_count: max_errors.max(0) as u32,
            force_execution_result,
            variables: collection(el, "Variables", "Variable")
                .into_iter()
                .map(read_variable)
                .chain(
                    collection(el, "PackageParameters", "PackageParameter")
                        .into_iter()
                        .map(read_parameter),
                )
                .collect(),
            property_expressions: property_expressions(el),
            event_handlers: collection(el, "EventHandlers", "EventHandler")
                .into_iter()
                .map(|h| self.read_event_handler(h, &path).map(std::sync::Arc::new))
                .collect::<Result<Vec<_>>>()?,
            disable_event_handlers: flag("DisableEventHandlers", false)?,
            delay_validation: flag("DelayValidation", false)?,
            kind,
            path,
        })
    }

    /// An event handler of the executable at `owner_path`, as a Sequence.
    fn read_event_handler(&self, h: &Element, owner_path: &str) -> Result<EventHandler> {
        let event = h
            .prop("EventName")
            .or_else(|| h.prop("CreationName"))
            .unwrap_or("")
            .trim()
            .to_string();
        let path = format!("{owner_path}.EventHandlers[{event}]");
        let root = Executable {
            path: path.clone(),
            name: event.clone(),
            id: h.prop("DTSID").unwrap_or("").to_string(),
            type_name: "EventHandler".into(),
            type_label: "Event Handler".into(),
            disabled: false,
            fail_package_on_failure: false,
            fail_parent_on_failure: false,
            max_error_count: 0,
            force_execution_result: None,
            variables: collection(h, "Variables", "Variable")
                .into_iter()
                .map(read_variable)
                .collect(),
            property_expressions: Vec::new(),
            event_handlers: Vec::new(),
            disable_event_handlers: false,
            delay_validation: false,
            kind: ExecutableKind::Sequence(self.read_body(h, &path)?),
        };
        Ok(EventHandler { event, root })
    }

    fn read_body(&self, el: &Element, path: &str) -> Result<Body> {
        let mut executables = Vec::new();
        for child in collection(el, "Executables", "Executable") {
            executables.push(self.read_executable(child, path, false)?);
        }
        let mut constraints = Vec::new();
        let index = ExeIndex::new(&executables);
        for pc in collection(el, "PrecedenceConstraints", "PrecedenceConstraint") {
            constraints.push(self.read_constraint(pc, path, &index)?);
        }
        Ok(Body {
            executables,
            constraints,
        })
    }

    fn read_constraint(&self, pc: &Element, path: &str, exes: &ExeIndex<'_>) -> Result<Constraint> {
        let name = pc.prop("ObjectName").unwrap_or("").to_string();
        let what = format!("{path}: precedence constraint '{name}'");
        let by_ref = |r: &str| exes.by_path.get(r).copied();
        let by_id = |id: &str| exes.by_id.get(&id.trim().to_ascii_lowercase()).copied();
        let end = |is_from: bool| -> Result<usize> {
            let attr = if is_from { "From" } else { "To" };
            if let Some(r) = pc.attr(attr) {
                return by_ref(r).ok_or_else(|| {
                    self.bad(
                        format!("{what}: {attr} '{r}' is not an executable of this container"),
                        pc.line,
                    )
                });
            }
            let node = pc
                .children_named("Executable")
                .find(|x| x.attr("IsFrom").and_then(boolean) == Some(is_from));
            match node.and_then(|x| x.attr("IDREF")) {
                Some(id) => by_id(id).ok_or_else(|| {
                    self.bad(
                        format!("{what}: {attr} executable {id} is not in this container"),
                        pc.line,
                    )
                }),
                None => Err(self.bad(format!("{what} has no {attr} executable"), pc.line)),
            }
        };
        let from = end(true)?;
        let to = end(false)?;
        let value_code = match pc.prop("Value") {
            None => 0,
            Some(v) => int(v)
                .ok_or_else(|| self.bad(format!("{what}: Value '{v}' is not a number"), pc.line))?,
        };
        let value = match value_code {
            0 => ExecResult::Success,
            1 => ExecResult::Failure,
            2 => ExecResult::Completion,
            other => {
                return Err(self.bad(format!("{what}: Value {other} is not 0, 1 or 2"), pc.line));
            }
        };
        let eval_op = match pc.prop("EvalOp").map(int) {
            None => EvalOp::Constraint,
            Some(Some(1)) => EvalOp::Expression,
            Some(Some(2)) => EvalOp::Constraint,
            Some(Some(3)) => EvalOp::ExpressionAndConstraint,
            Some(Some(4)) => EvalOp::ExpressionOrConstraint,
            Some(_) => {
                return Err(self.bad(
                    format!(
                        "{what}: EvalOp '{}' is not 1..=4",
                        pc.prop("EvalOp").unwrap_or("")
                    ),
                    pc.line,
                ));
            }
        };
        Ok(Constraint {
            name,
            from,
            to,
            value,
            eval_op,
            expression: pc.prop("Expression").unwrap_or("").to_string(),
            logical_and: pc.prop("LogicalAnd").and_then(boolean).unwrap_or(true),
        })
    }

    fn task_data<'e>(
        &self,
        el: &'e Element,
        data: &str,
        path: &str,
    ) -> Result<Option<&'e Element>> {
        let Some(od) = el.child("ObjectData") else {
            return Ok(None);
        };
        match od.child(data) {
            Some(d) => Ok(Some(d)),
            None if od.children.is_empty() => Ok(None),
            None => Err(self.bad(
                format!("{path}: the task data has no <{data}> element"),
                od.line,
            )),
        }
    }

    fn read_enumerator(&self, el: &Element, path: &str) -> Result<Enumerator> {
        let Some(en) = el.child("ForEachEnumerator") else {
            return Ok(Enumerator {
                creation_name: String::new(),
                kind: EnumeratorKind::Unsupported,
                property_expressions: Vec::new(),
            });
        };
        let data = en.child("ObjectData");
        let kind = if let Some(p) = data.and_then(|d| d.child("ForEachFileEnumeratorProperties")) {
            // Each FEFEProperty carries one attribute: Folder, FileSpec,
            // FileNameRetrievalType or Recurse.
            let get = |n: &str| {
                p.children_named("FEFEProperty")
                    .find_map(|x| x.attr(n))
                    .map(str::to_string)
            };
            let format = match get("FileNameRetrievalType").as_deref().map(str::trim) {
                None | Some("0") | Some("") => FileNameFormat::FullyQualified,
                Some("1") => FileNameFormat::NameAndExtension,
                Some("2") => FileNameFormat::NameOnly,
                Some(other) => {
                    return Err(self.bad(
                        format!("{path}: FileNameRetrievalType '{other}' is not 0, 1 or 2"),
                        p.line,
                    ));
                }
            };
            let recurse = match get("Recurse") {
                None => false,
                Some(v) => boolean(&v).ok_or_else(|| {
                    self.bad(format!("{path}: Recurse '{v}' is not a boolean"), p.line)
                })?,
            };
            EnumeratorKind::File(FileEnumerator {
                folder: get("Folder").unwrap_or_default(),
                file_spec: get("FileSpec").unwrap_or_else(|| "*.*".into()),
                format,
                recurse,
            })
        } else if let Some(items) = data.and_then(|d| d.child("FEIEItems")) {
            let mut rows = Vec::new();
            for item in items.children_named("FEIEItem") {
                let mut row = Vec::new();
                for v in item.children_named("FEIEItemValue") {
                    let t = v.attr("Type").unwrap_or("8");
                    let type_code = t.trim().parse::<u16>().map_err(|_| {
                        self.bad(
                            format!("{path}: item value Type '{t}' is not a number"),
                            v.line,
                        )
                    })?;
                    row.push(ItemValue {
                        type_code,
                        text: v
                            .attr("Value")
                            .map(str::to_string)
                            .unwrap_or_else(|| v.text.clone()),
                    });
                }
                rows.push(row);
            }
            EnumeratorKind::Item(rows)
        } else if let Some(nl) = data.and_then(|d| d.child("FEENODELIST")) {
            let source = |kind_attr: &str, text_attr: &str| -> Result<NodeListSource> {
                let kind = match nl.attr(kind_attr).unwrap_or("DirectInput").trim() {
                    "FileConnection" | "0" => SqlSourceType::FileConnection,
                    "Variable" | "1" => SqlSourceType::Variable,
                    "DirectInput" | "2" | "" => SqlSourceType::DirectInput,
                    other => {
                        return Err(self.bad(
                            format!("{path}: NodeList {kind_attr} '{other}' is unknown"),
                            nl.line,
                        ));
                    }
                };
                Ok(NodeListSource {
                    kind,
                    text: nl.attr(text_attr).unwrap_or("").to_string(),
                })
            };
            let kind_of = |attr: &str| -> Result<NodeListKind> {
                Ok(match nl.attr(attr).unwrap_or("NodeText").trim() {
                    "Navigator" | "0" => NodeListKind::Navigator,
                    "Node" | "1" => NodeListKind::Node,
                    "NodeText" | "2" | "" => NodeListKind::NodeText,
                    "ElementCollection" | "3" => NodeListKind::ElementCollection,
                    other => {
                        return Err(self.bad(
                            format!("{path}: NodeList {attr} '{other}' is unknown"),
                            nl.line,
                        ));
                    }
                })
            };
            EnumeratorKind::NodeList(NodeListEnumerator {
                document: source("SourceType", "SourceDocument")?,
                kind: kind_of("EnumerationType")?,
                outer: source("OuterXPathSourceType", "OuterXPathString")?,
                inner_kind: kind_of("InnerElementType")?,
                inner: source("InnerXPathSourceType", "InnerXPathString")?,
            })
        } else if let Some(ado) = data.and_then(|d| d.child("FEEADO")) {
            EnumeratorKind::Ado {
                variable: ado.attr("VarName").unwrap_or("").trim().to_string(),
                enum_type: ado
                    .attr("EnumType")
                    .unwrap_or("EnumerateRowsInFirstTable")
                    .trim()
                    .to_string(),
            }
        } else {
            EnumeratorKind::Unsupported
        };
        Ok(Enumerator {
            creation_name: en.prop("CreationName").unwrap_or("").to_string(),
            kind,
            property_expressions: property_expressions(en),
        })
    }

    fn read_mappings(&self, el: &Element, path: &str) -> Result<Vec<VariableMapping>> {
        let mut out = Vec::new();
        for m in collection(el, "ForEachVariableMappings", "ForEachVariableMapping") {
            let idx = m.prop("ValueIndex").unwrap_or("0");
            let value_index = idx.trim().parse::<usize>().map_err(|_| {
                self.bad(
                    format!("{path}: variable mapping ValueIndex '{idx}' is not a number"),
                    m.line,
                )
            })?;
            out.push(VariableMapping {
                value_index,
                variable: m.prop("VariableName").unwrap_or("").trim().to_string(),
            });
        }
        Ok(out)
    }

    fn read_execute_package(&self, el: &Element, path: &str) -> Result<ExecutableKind> {
        let data = self.task_data(el, "ExecutePackageTask", path)?;
        let get = |n: &str| -> String {
            data.and_then(|d| d.attr(n).or_else(|| d.child(n).map(|c| c.text.as_str())))
                .unwrap_or("")
                .trim()
                .to_string()
        };
        let upr = get("UseProjectReference");
        let use_project_reference = if upr.is_empty() {
            false
        } else {
            boolean(&upr).ok_or_else(|| {
                self.bad(
                    format!("{path}: UseProjectReference '{upr}' is not a boolean"),
                    el.line,
                )
            })?
        };
        Ok(ExecutableKind::ExecutePackage(ExecutePackageSpec {
            use_project_reference,
            connection: get("Connection"),
            package_name: get("PackageName"),
        }))
    }

    fn read_execute_process(&self, el: &Element, path: &str) -> Result<ExecutableKind> {
        let data = self.task_data(el, "ExecuteProcessData", path)?;
        let get = |n: &str| -> Option<String> {
            let d = data?;
            d.attr(n)
                .map(str::to_string)
                .or_else(|| d.child(n).map(|c| c.text.clone()))
        };
        let b = |n: &str, default: bool| -> Result<bool> {
            match get(n) {
                None => Ok(default),
                Some(v) => boolean(&v).ok_or_else(|| {
                    self.bad(format!("{path}: {n} '{v}' is not a boolean"), el.line)
                }),
            }
        };
        let i = |n: &str| -> Result<i64> {
            match get(n) {
                None => Ok(0),
                Some(v) if v.trim().is_empty() => Ok(0),
                Some(v) => int(&v)
                    .ok_or_else(|| self.bad(format!("{path}: {n} '{v}' is not a number"), el.line)),
            }
        };
        let timeout = i("TimeOut")?;
        if timeout < 0 {
            return Err(self.bad(format!("{path}: TimeOut {timeout} is negative"), el.line));
        }
        Ok(ExecutableKind::ExecuteProcess(ExecuteProcessSpec {
            executable: get("Executable").unwrap_or_default(),
            arguments: get("Arguments").unwrap_or_default(),
            working_directory: get("WorkingDirectory").unwrap_or_default(),
            require_full_file_name: b("RequireFullFileName", true)?,
            success_value: i("SuccessValue")?,
            fail_on_return_code: b("FailTaskIfReturnCodeIsNotSuccessValue", true)?,
            timeout_secs: timeout as u64,
            terminate_after_timeout: b("TerminateProcessAfterTimeOut", true)?,
            stdin_variable: get("StandardInputVariable")
                .unwrap_or_default()
                .trim()
                .to_string(),
            stdout_variable: get("StandardOutputVariable")
                .unwrap_or_default()
                .trim()
                .to_string(),
            stderr_variable: get("StandardErrorVariable")
                .unwrap_or_default()
                .trim()
                .to_string(),
        }))
    }

    fn read_file_system(&self, el: &Element, path: &str) -> Result<ExecutableKind> {
        let Some(data) = self.task_data(el, "FileSystemData", path)? else {
            return Ok(ExecutableKind::Unsupported(
                "File System Task has no operation configured".into(),
            ));
        };
        let op_text = data.attr("TaskOperationType").unwrap_or("CopyFile");
        let op = FileSystemOp::parse(op_text).ok_or_else(|| {
            self.bad(
                format!("{path}: TaskOperationType '{op_text}' is unknown"),
                data.line,
            )
        })?;
        let source = |path_attr: &str, var_attr: &str| -> Option<PathSource> {
            let p = data.attr(path_attr)?.trim();
            if p.is_empty() {
                return None;
            }
            if data.attr(var_attr).and_then(boolean) == Some(true) {
                Some(PathSource::Variable(p.to_string()))
            } else {
                Some(PathSource::Connection(p.to_string()))
            }
        };
        Ok(ExecutableKind::FileSystem(FileSystemSpec {
            op,
            source: source("TaskSourcePath", "TaskIsSourceVariable"),
            destination: source("TaskDestinationPath", "TaskIsDestinationVariable"),
            overwrite: data
                .attr("TaskOverwriteDestFile")
                .and_then(boolean)
                .unwrap_or(false),
        }))
    }

    fn read_execute_sql(&self, el: &Element, path: &str) -> Result<ExecutableKind> {
        let Some(data) = self.task_data(el, "SqlTaskData", path)? else {
            return Ok(ExecutableKind::Unsupported(
                "Execute SQL Task has no statement configured".into(),
            ));
        };
        let bad = |msg: String, line: u64| self.bad(format!("{path}: {msg}"), line);
        let source_type = match data
            .attr("SqlStmtSourceType")
            .or_else(|| data.attr("SqlStatementSourceType"))
            .unwrap_or("DirectInput")
            .trim()
        {
            "DirectInput" | "" => SqlSourceType::DirectInput,
            "FileConnection" => SqlSourceType::FileConnection,
            "Variable" => SqlSourceType::Variable,
            other => {
                return Err(bad(
                    format!("SqlStmtSourceType '{other}' is unknown"),
                    data.line,
                ));
            }
        };
        let result_type = match data
            .attr("ResultType")
            .unwrap_or("ResultSetType_None")
            .trim()
        {
            "ResultSetType_None" | "" => SqlResultType::None,
            "ResultSetType_SingleRow" => SqlResultType::SingleRow,
            "ResultSetType_Rowset" => SqlResultType::Full,
            "ResultSetType_XML" => SqlResultType::Xml,
            other => return Err(bad(format!("ResultType '{other}' is unknown"), data.line)),
        };
        let timeout = match data.attr("TimeOut").map(str::trim) {
            None | Some("") => 0,
            Some(t) => match int(t) {
                Some(n) if n >= 0 => n as u64,
                _ => {
                    return Err(bad(
                        format!("TimeOut '{t}' is not a number of seconds"),
                        data.line,
                    ));
                }
            },
        };
        let mut parameters = Vec::new();
        for p in data.children_named("ParameterBinding") {
            let direction = match p.attr("ParameterDirection").unwrap_or("Input").trim() {
                "Input" | "" => ParamDirection::Input,
                "Output" => ParamDirection::Output,
                "ReturnValue" => ParamDirection::ReturnValue,
                other => {
                    return Err(bad(
                        format!("ParameterDirection '{other}' is unknown"),
                        p.line,
                    ));
                }
            };
            parameters.push(SqlParameterBinding {
                name: p.attr("ParameterName").unwrap_or("").trim().to_string(),
                variable: p.attr("DtsVariableName").unwrap_or("").trim().to_string(),
                direction,
                data_type: p.attr("DataType").and_then(int).unwrap_or(0) as i32,
                size: p.attr("ParameterSize").and_then(int).unwrap_or(-1) as i32,
            });
        }
        let results = data
            .children_named("ResultBinding")
            .map(|r| SqlResultBinding {
                name: r.attr("ResultName").unwrap_or("").trim().to_string(),
                variable: r.attr("DtsVariableName").unwrap_or("").trim().to_string(),
            })
            .collect();
        Ok(ExecutableKind::ExecuteSql(ExecuteSqlSpec {
            connection: data.attr("Connection").unwrap_or("").trim().to_string(),
            source_type,
            source: data.attr("SqlStatementSource").unwrap_or("").to_string(),
            result_type,
            timeout_secs: timeout,
            bypass_prepare: data.attr("BypassPrepare").and_then(boolean).unwrap_or(true),
            is_stored_procedure: data.attr("IsStoredProc").and_then(boolean).unwrap_or(false),
            parameters,
            results,
        }))
    }

    fn read_send_mail(&self, el: &Element, path: &str) -> Result<ExecutableKind> {
        let Some(data) = self.task_data(el, "SendMailTaskData", path)? else {
            return Ok(ExecutableKind::Unsupported(
                "Send Mail Task has no message configured".into(),
            ));
        };
        let get = |n: &str| data.attr(n).unwrap_or("").to_string();
        let source_type = match data
            .attr("MessageSourceType")
            .unwrap_or("DirectInput")
            .trim()
        {
            "DirectInput" | "" => SqlSourceType::DirectInput,
            "FileConnection" => SqlSourceType::FileConnection,
            "Variable" => SqlSourceType::Variable,
            other => {
                return Err(self.bad(
                    format!("{path}: MessageSourceType '{other}' is unknown"),
                    data.line,
                ));
            }
        };
        Ok(ExecutableKind::SendMail(SendMailSpec {
            smtp_connection: get("SMTPServer").trim().to_string(),
            from: get("From"),
            to: get("To"),
            cc: get("CC"),
            bcc: get("BCC"),
            subject: get("Subject"),
            priority: get("Priority"),
            source_type,
            message_source: get("MessageSource"),
            attachments: get("FileAttachments"),
        }))
    }
}
