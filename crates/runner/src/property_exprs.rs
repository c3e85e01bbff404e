//! Property expressions: the properties of executables, tasks, enumerators
//! and connection managers that an expression may set, and applying them
//! just before the object is used (SSIS evaluates them at that moment).

use super::expr::{DataType, Expression, Value};
use super::model::{
    ConnectionManager, EnumeratorKind, ExecResult, Executable, ExecutableKind, FileEnumerator,
    FileNameFormat,
};
use super::variables::Variables;

/// Properties every executable has that may be set by an expression.
const COMMON: &[&str] = &[
    "Disabled",
    "FailPackageOnFailure",
    "FailParentOnFailure",
    "MaximumErrorCount",
    "ForceExecutionResult",
    "Description",
    // Evaluated, without effect: this runner writes no SSIS logs.
    "LoggingMode",
];

/// Package properties an expression may set while checkpoints are off:
/// evaluated (errors are reported), without effect; `SaveCheckpoints`
/// evaluating to true fails the run (checkpoints are not supported).
const PACKAGE: &[&str] = &["CheckpointFileName", "CheckpointUsage", "SaveCheckpoints"];

const EXECUTE_PROCESS: &[&str] = &[
    "Executable",
    "Arguments",
    "WorkingDirectory",
    "SuccessValue",
    "TimeOut",
    "FailTaskIfReturnCodeIsNotSuccessValue",
    "RequireFullFileName",
    "TerminateProcessAfterTimeOut",
    "StandardInputVariable",
    "StandardOutputVariable",
    "StandardErrorVariable",
];

const FILE_SYSTEM: &[&str] = &["OverwriteDestination"];
const SEND_MAIL: &[&str] = &[
    "FromLine",
    "ToLine",
    "CCLine",
    "BCCLine",
    "Subject",
    "MessageSource",
    "Priority",
    "FileAttachments",
];
const EXECUTE_SQL: &[&str] = &[
    "SqlStatementSource",
    "TimeOut",
    "BypassPrepare",
    "Connection",
];
const EXPRESSION_TASK: &[&str] = &["Expression"];
const FILE_ENUMERATOR: &[&str] = &["Directory", "FileSpec", "FileNameRetrieval", "Recurse"];

/// Why a property expression cannot be used, or `None` when it can:
/// unknown property for the executable's kind, or an expression that does
/// not parse.
pub fn check_executable(exe: &Executable, property: &str, text: &str) -> Option<String> {
    if let ExecutableKind::DataFlow(pipeline) = &exe.kind
        && !COMMON.contains(&property)
    {
        return super::data_flow_properties::check(pipeline, property)
            .map(|why| format!("a property expression on {property}: {why}"))
            .or_else(|| parse_error(property, text));
    }
    let specific: &[&str] = match &exe.kind {
        ExecutableKind::ExecuteProcess(_) => EXECUTE_PROCESS,
        ExecutableKind::FileSystem(_) => FILE_SYSTEM,
        ExecutableKind::ExpressionTask(_) => EXPRESSION_TASK,
        ExecutableKind::ExecuteSql(_) => EXECUTE_SQL,
        ExecutableKind::SendMail(_) => SEND_MAIL,
        ExecutableKind::Sequence(_) if exe.type_label == "Package" => PACKAGE,
        _ => &[],
    };
    if !COMMON.contains(&property) && !specific.contains(&property) {
        return Some(format!(
            "a property expression on {property} is not supported for {} (supported: {})",
            exe.type_label,
            COMMON
                .iter()
                .chain(specific)
                .copied()
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    parse_error(property, text)
}

/// Like [`check_executable`] for a Foreach enumerator's property expressions.
pub fn check_enumerator(kind: &EnumeratorKind, property: &str, text: &str) -> Option<String> {
    if matches!(kind, EnumeratorKind::File(_)) && !FILE_ENUMERATOR.contains(&property) {
        return Some(format!(
            "a property expression on the File enumerator's {property} is not supported (supported: {})",
            FILE_ENUMERATOR.join(", ")
        ));
    }
    if matches!(kind, EnumeratorKind::Item(_)) {
        return Some(format!(
            "a property expression on the Item enumerator's {property} is not supported"
        ));
    }
    if matches!(
        kind,
        EnumeratorKind::Ado { .. } | EnumeratorKind::NodeList(_)
    ) {
        return Some(format!(
            "a property expression on this enumerator's {property} is not supported"
        ));
    }
    parse_error(property, text)
}

/// The properties of a database connection manager that stand for a part
/// of its connection string, with the key each sets.
const CONNECTION_PARTS: &[(&str, &str)] = &[
    ("ServerName", "Data Source"),
    ("InitialCatalog", "Initial Catalog"),
    ("UserName", "User ID"),
    ("Password", "Password"),
];

/// Whether `cm` is a database connection (its string has keys and values).
fn is_database(cm: &ConnectionManager) -> bool {
    let c = cm.creation_name.to_ascii_uppercase();
    c.starts_with("OLEDB") || c.starts_with("ADO.NET") || c.starts_with("ODBC")
}

/// `connection_string` with the part `property` (ServerName,
/// InitialCatalog, UserName, Password) set to `value`.
pub fn with_connection_part(
    connection_string: &str,
    property: &str,
    value: &str,
) -> Result<String, String> {
    let key = CONNECTION_PARTS
        .iter()
        .find(|p| p.0 == property)
        .map(|p| p.1)
        .ok_or_else(|| format!("{property} is not a part of a connection string"))?;
    let mut pairs = super::connections::connstr::parse(connection_string).map_err(|e| e.message)?;
    pairs.set(key, value);
    Ok(pairs.joined())
}

/// Like [`check_executable`] for a connection manager: ConnectionString,
/// and for a database connection ServerName, InitialCatalog, UserName and
/// Password.
pub fn check_connection(cm: &ConnectionManager, property: &str, text: &str) -> Option<String> {
    let part = is_database(cm) && CONNECTION_PARTS.iter().any(|p| p.0 == property);
    if property != "ConnectionString" && !part {
        return Some(format!(
            "a property expression on connection '{}' property {property} is not supported (only ConnectionString{})",
            cm.name,
            if is_database(cm) {
                ", ServerName, InitialCatalog, UserName and Password"
            } else {
                ""
            }
        ));
    }
    parse_error(property, text)
}

fn parse_error(property: &str, text: &str) -> Option<String> {
    Expression::parse(text)
        .err()
        .map(|e| format!("the property expression on {property} does not parse: {e}"))
}

/// Evaluates a property expression in `scope`.
fn eval(vars: &Variables, scope: &str, property: &str, text: &str) -> Result<Value, String> {
    let e = Expression::parse(text)
        .map_err(|e| format!("the property expression on {property}: {e}"))?;
    vars.eval(scope, &e)
        .map_err(|e| format!("the property expression on {property}: {}", e.message))
}

fn as_text(v: &Value) -> String {
    v.to_string()
}

fn as_int(property: &str, v: &Value) -> Result<i64, String> {
    v.cast(DataType::I8)
        .ok()
        .and_then(|x| x.as_i64())
        .ok_or_else(|| {
            format!("the property expression on {property} gave '{v}', which is not an integer")
        })
}

fn as_bool(property: &str, v: &Value) -> Result<bool, String> {
    v.cast(DataType::Bool)
        .ok()
        .and_then(|x| x.as_bool())
        .ok_or_else(|| {
            format!("the property expression on {property} gave '{v}', which is not a boolean")
        })
}

/// The executable-level settings after property expressions.
#[derive(Debug, Clone)]
pub struct Effective {
    /// `Disabled`.
    pub disabled: bool,
    /// `FailPackageOnFailure`.
    pub fail_package_on_failure: bool,
    /// `FailParentOnFailure`.
    pub fail_parent_on_failure: bool,
    /// `MaximumErrorCount` (0: no limit).
    pub max_error_count: u32,
    /// `ForceExecutionResult`.
    pub force_execution_result: Option<ExecResult>,
    /// The task's settings with its property expressions applied, when it has any.
    pub task: Option<ExecutableKind>,
}

/// Evaluates `exe`'s property expressions in `scope` and returns the settings to run it with.
pub fn apply(exe: &Executable, vars: &Variables, scope: &str) -> Result<Effective, String> {
    let mut eff = Effective {
        disabled: exe.disabled,
        fail_package_on_failure: exe.fail_package_on_failure,
        fail_parent_on_failure: exe.fail_parent_on_failure,
        max_error_count: exe.max_error_count,
        force_execution_result: exe.force_execution_result,
        task: None,
    };
    for (prop, text) in &exe.property_expressions {
        let p = prop.as_str();
        let v = eval(vars, scope, p, text)?;
        match p {
            "Disabled" => eff.disabled = as_bool(p, &v)?,
            "FailPackageOnFailure" => eff.fail_package_on_failure = as_bool(p, &v)?,
            "FailParentOnFailure" => eff.fail_parent_on_failure = as_bool(p, &v)?,
            "MaximumErrorCount" => eff.max_error_count = as_int(p, &v)?.max(0) as u32,
            "ForceExecutionResult" => {
                let n = as_int(p, &v)?;
                eff.force_execution_result = if n < 0 {
                    None
                } else {
                    Some(ExecResult::from_code(n).ok_or_else(|| {
                        format!("the property expression on {p} gave {n}, not -1..=3")
                    })?)
                };
            }
            "Description" | "LoggingMode" | "CheckpointFileName" | "CheckpointUsage" => {}
            "SaveCheckpoints" => {
                if as_bool(p, &v)? {
                    return Err(
                        "the property expression on SaveCheckpoints turns checkpoints on, which \
                         this runner does not support"
                            .into(),
                    );
                }
            }
            _ => {
                let task = eff.task.get_or_insert_with(|| exe.kind.clone());
                apply_task(task, p, &v)?;
            }
        }
    }
    Ok(eff)
}

/// Sets the task property `p` of `task` to `v` (property expressions, `/SET`).
pub(crate) fn apply_task(task: &mut ExecutableKind, p: &str, v: &Value) -> Result<(), String> {
    match task {
        ExecutableKind::ExecuteProcess(s) => match p {
            "Executable" => s.executable = as_text(v),
            "Arguments" => s.arguments = as_text(v),
            "WorkingDirectory" => s.working_directory = as_text(v),
            "SuccessValue" => s.success_value = as_int(p, v)?,
            "TimeOut" => {
                s.timeout_secs = u64::try_from(as_int(p, v)?).map_err(|_| {
                    format!("the property expression on {p} gave a negative time-out")
                })?
            }
            "FailTaskIfReturnCodeIsNotSuccessValue" => s.fail_on_return_code = as_bool(p, v)?,
            "RequireFullFileName" => s.require_full_file_name = as_bool(p, v)?,
            "TerminateProcessAfterTimeOut" => s.terminate_after_timeout = as_bool(p, v)?,
            "StandardInputVariable" => s.stdin_variable = as_text(v).trim().to_string(),
            "StandardOutputVariable" => s.stdout_variable = as_text(v).trim().to_string(),
            "StandardErrorVariable" => s.stderr_variable = as_text(v).trim().to_string(),
            _ => return Err(format!("property {p} cannot be set by an expression here")),
        },
        ExecutableKind::FileSystem(s) if p == "OverwriteDestination" => {
            s.overwrite = as_bool(p, v)?
        }
        ExecutableKind::ExpressionTask(e) if p == "Expression" => *e = as_text(v),
        ExecutableKind::DataFlow(pipeline) => {
            use super::data_flow_properties::{Kind, set, task_kind};
            let text = match task_kind(p) {
                Some(Kind::Number) => as_int(p, v)?.to_string(),
                Some(Kind::Boolean) => as_bool(p, v)?.to_string(),
                Some(Kind::Text) | None => as_text(v),
            };
            *pipeline = std::sync::Arc::new(set(pipeline, p, &text)?);
        }
        ExecutableKind::SendMail(s) => match p {
            "FromLine" => s.from = as_text(v),
            "ToLine" => s.to = as_text(v),
            "CCLine" => s.cc = as_text(v),
            "BCCLine" => s.bcc = as_text(v),
            "Subject" => s.subject = as_text(v),
            "MessageSource" => s.message_source = as_text(v),
            "Priority" => s.priority = as_text(v),
            "FileAttachments" => s.attachments = as_text(v),
            _ => return Err(format!("property {p} cannot be set by an expression here")),
        },
        ExecutableKind::ExecuteSql(s) => match p {
            "SqlStatementSource" => s.source = as_text(v),
            "Connection" => s.connection = as_text(v).trim().to_string(),
            "BypassPrepare" => s.bypass_prepare = as_bool(p, v)?,
            "TimeOut" => {
                s.timeout_secs = u64::try_from(as_int(p, v)?).map_err(|_| {
                    format!("the property expression on {p} gave a negative time-out")
                })?
            }
            _ => return Err(format!("property {p} cannot be set by an expression here")),
        },
        _ => return Err(format!("property {p} cannot be set by an expression here")),
    }
    Ok(())
}

/// The File enumerator's settings after its property expressions.
pub fn apply_file_enumerator(
    base: &FileEnumerator,
    exprs: &[(String, String)],
    vars: &Variables,
    scope: &str,
) -> Result<FileEnumerator, String> {
    let mut f = base.clone();
    for (prop, text) in exprs {
        let p = prop.as_str();
        let v = eval(vars, scope, p, text)?;
        match p {
            "Directory" => f.folder = as_text(&v),
            "FileSpec" => f.file_spec = as_text(&v),
            "Recurse" => f.recurse = as_bool(p, &v)?,
            "FileNameRetrieval" => {
                f.format = match as_int(p, &v)? {
                    0 => FileNameFormat::FullyQualified,
                    1 => FileNameFormat::NameAndExtension,
                    2 => FileNameFormat::NameOnly,
                    n => {
                        return Err(format!(
                            "the property expression on {p} gave {n}, not 0..=2"
                        ));
                    }
                }
            }
            _ => return Err(format!("the File enumerator has no property {p}")),
        }
    }
    Ok(f)
}

/// A connection manager's connection string after its property expression,
/// evaluated in the package scope.
pub fn connection_string(
    cm: &ConnectionManager,
    vars: &Variables,
    package_scope: &str,
) -> Result<String, String> {
    let mut s = cm.connection_string.clone();
    let value = |prop: &str, text: &str| {
        eval(vars, package_scope, prop, text)
            .map(|v| as_text(&v))
            .map_err(|e| format!("connection '{}': {e}", cm.name))
    };
    // The whole string first, then its parts (SSIS applies a part to the
    // string the manager has).
    for (prop, text) in &cm.property_expressions {
        if prop == "ConnectionString" {
            s = value(prop, text)?;
        }
    }
    for (prop, text) in &cm.property_expressions {
        let part = CONNECTION_PARTS.iter().any(|p| p.0 == prop);
        if part && is_database(cm) {
            s = with_connection_part(&s, prop, &value(prop, text)?)
                .map_err(|e| format!("connection '{}': {e}", cm.name))?;
        }
    }
    Ok(s)
}
