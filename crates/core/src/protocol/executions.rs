//! Execution methods: run, stop, list, get, output, wait, history.

use serde::{Deserialize, Serialize};

/// `ExecutionRun`: start a stored package or a package file.
pub const RUN: &str = "ExecutionRun";
/// `ExecutionStop`: stop a running execution (graceful, then forced).
pub const STOP: &str = "ExecutionStop";
/// `ExecutionList`: executions that have not finished.
pub const LIST: &str = "ExecutionList";
/// `ExecutionGet`: one execution.
pub const GET: &str = "ExecutionGet";
/// `ExecutionOutput`: a range of an execution's output log.
pub const OUTPUT: &str = "ExecutionOutput";
/// `ExecutionWait`: wait until an execution finishes.
pub const WAIT: &str = "ExecutionWait";
/// `ExecutionHistory`: executions, finished or not, with filters.
pub const HISTORY: &str = "ExecutionHistory";
/// The notification a registered run gets on its registration connection
/// when someone with the right stops it: cancel cooperatively.
pub const CANCEL_REQUESTED: &str = "CancelRequested";

/// Who started an execution.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ExecutionOrigin {
    /// The service, on an `ExecutionRun` request.
    #[default]
    Service,
    /// `ssis exec` started outside the service (a shell, cron, a scheduler)
    /// that registered its run with the service (`ExecutionRegister`).
    CommandLine,
}

impl ExecutionOrigin {
    /// The name as JSON and the database spell it.
    pub fn name(self) -> &'static str {
        match self {
            ExecutionOrigin::Service => "Service",
            ExecutionOrigin::CommandLine => "CommandLine",
        }
    }

    /// Parses a name; anything unknown is `Service`, the origin of rows
    /// written before origins were recorded.
    pub fn parse(text: &str) -> ExecutionOrigin {
        match text {
            "CommandLine" => ExecutionOrigin::CommandLine,
            _ => ExecutionOrigin::Service,
        }
    }
}

/// Where an execution is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ExecutionStatus {
    /// Recorded, process not started yet.
    Created,
    /// The executor process runs.
    Running,
    /// Ended with exit code 0.
    Succeeded,
    /// Ended with another exit code, or could not start.
    Failed,
    /// A stop was asked for; the process has not ended yet.
    Stopping,
    /// Ended after a stop.
    Stopped,
    /// The service lost track of it (gone while the service was down).
    Unknown,
}

impl ExecutionStatus {
    /// Every status.
    pub const ALL: [ExecutionStatus; 7] = [
        ExecutionStatus::Created,
        ExecutionStatus::Running,
        ExecutionStatus::Succeeded,
        ExecutionStatus::Failed,
        ExecutionStatus::Stopping,
        ExecutionStatus::Stopped,
        ExecutionStatus::Unknown,
    ];

    /// The name as JSON and the database spell it.
    pub fn name(self) -> &'static str {
        match self {
            ExecutionStatus::Created => "Created",
            ExecutionStatus::Running => "Running",
            ExecutionStatus::Succeeded => "Succeeded",
            ExecutionStatus::Failed => "Failed",
            ExecutionStatus::Stopping => "Stopping",
            ExecutionStatus::Stopped => "Stopped",
            ExecutionStatus::Unknown => "Unknown",
        }
    }

    /// Parses a name (case-insensitive).
    pub fn parse(text: &str) -> Option<ExecutionStatus> {
        ExecutionStatus::ALL
            .into_iter()
            .find(|s| s.name().eq_ignore_ascii_case(text.trim()))
    }

    /// Whether the execution has ended (no process left to watch).
    pub fn is_final(self) -> bool {
        matches!(
            self,
            ExecutionStatus::Succeeded
                | ExecutionStatus::Failed
                | ExecutionStatus::Stopped
                | ExecutionStatus::Unknown
        )
    }
}

impl std::fmt::Display for ExecutionStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One execution as the service records it (a row of the history).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Execution {
    /// GUID, lower-case, hyphenated.
    pub execution_id: String,
    /// Package name (store name, or file name without `.dtsx`).
    pub package_name: String,
    /// Store path, for stored packages.
    pub package_path: Option<String>,
    /// The package file run (stored File System packages: the resolved file).
    pub package_file: Option<String>,
    /// Top-level folder of a stored package; `File` for a package file.
    pub store: String,
    /// OS user who started it.
    pub started_by: String,
    /// How the request came in (transport and client process).
    pub started_from: String,
    /// RFC 3339 UTC.
    pub start_time: String,
    /// RFC 3339 UTC, once ended.
    pub end_time: Option<String>,
    /// Seconds from start to end (or to now while running).
    pub duration: f64,
    /// Where it is in its life.
    pub status: ExecutionStatus,
    /// The executor's exit code, once ended (absent when unknown).
    pub exit_code: Option<i32>,
    /// The task running now (from the runner's events), or the last one.
    pub current_task: Option<String>,
    /// Process id of the executor.
    pub process_id: Option<u32>,
    /// The command line started, program first.
    pub command_line: Vec<String>,
    /// Why it failed to start, was stopped, or became Unknown.
    pub message: Option<String>,
    /// Who started it.
    #[serde(default)]
    pub origin: ExecutionOrigin,
    /// The package's `DTSID`, once known (from the runner at start).
    #[serde(default)]
    pub package_id: Option<String>,
    /// The package's description, once known.
    #[serde(default)]
    pub description: Option<String>,
    /// The package's version, `Major.Minor.Build`, once known.
    #[serde(default)]
    pub version: Option<String>,
    /// What runs the package: `built-in` (this product's runner) or the
    /// dtexec program's path; absent until known (an `auto:` executor
    /// chooses per package, and its runner says which it chose).
    #[serde(default)]
    pub executor: Option<String>,
}

impl Execution {
    /// A run just recorded: `Created` at `start_time`, by the service,
    /// nothing else known yet (callers fill in what they know).
    pub fn created(execution_id: String, package_name: String, start_time: String) -> Execution {
        Execution {
            execution_id,
            package_name,
            package_path: None,
            package_file: None,
            store: String::new(),
            started_by: String::new(),
            started_from: String::new(),
            start_time,
            end_time: None,
            duration: 0.0,
            status: ExecutionStatus::Created,
            exit_code: None,
            current_task: None,
            process_id: None,
            command_line: Vec::new(),
            message: None,
            origin: ExecutionOrigin::Service,
            package_id: None,
            description: None,
            version: None,
            executor: None,
        }
    }
}

/// A variable override (`/SET`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct VariableOverride {
    /// A variable name (`Name` or `Namespace::Name`, meaning
    /// `\Package.Variables[User::Name].Properties[Value]`) or a full
    /// property path starting with `\`.
    pub name: String,
    /// The value.
    pub value: String,
}

impl VariableOverride {
    /// The `/SET` argument dtexec takes: `property path;value`, the value
    /// quoted (`"a;b"`, a quote inside as `\"`) when it holds `;` or `"`,
    /// which dtexec would otherwise split on.
    pub fn to_set_argument(&self) -> String {
        let name = self.name.trim();
        let path = if name.starts_with('\\') {
            name.to_string()
        } else if name.contains("::") {
            format!("\\Package.Variables[{name}].Properties[Value]")
        } else {
            format!("\\Package.Variables[User::{name}].Properties[Value]")
        };
        if self.value.contains([';', '"']) {
            format!("{path};\"{}\"", self.value.replace('"', "\\\""))
        } else {
            format!("{path};{}", self.value)
        }
    }

    /// Parses `NAME=VALUE`.
    pub fn parse(text: &str) -> crate::Result<VariableOverride> {
        match text.split_once('=') {
            Some((name, value)) if !name.trim().is_empty() => Ok(VariableOverride {
                name: name.trim().to_string(),
                value: value.to_string(),
            }),
            _ => Err(crate::Error::invalid(format!(
                "variable override '{text}' is not NAME=VALUE"
            ))
            .with_target("--set")),
        }
    }
}

/// `ExecutionRun` parameters: a stored package (`Package`), a package file
/// (`File`), or a package of a project (`Project` and, naming the package
/// in it, `Package`), as dtexec's `/DTS`, `/F` and `/Project /Package`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct RunParams {
    /// Store path of a stored package; with `Project`, the package's name
    /// in the project (`Load.dtsx`).
    #[serde(default)]
    pub package: Option<String>,
    /// A package file, as the service sees it.
    #[serde(default)]
    pub file: Option<String>,
    /// A project (an `.ispac`, a `.dtproj`, or a folder holding one or an
    /// unzipped `.ispac`), as the service sees it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    /// Variable overrides, applied in order.
    #[serde(default)]
    pub set: Vec<VariableOverride>,
    /// The password of a package or project protected with one (dtexec's
    /// `/DECRYPT`). The executor gets it in its environment, never on its
    /// command line, and no record keeps it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<Secret>,
}

/// The environment variable an executor reads a package password from
/// (a bare `/DECRYPT`; SSIS on Linux reads the same).
pub const PASSWORD_ENV: &str = "SSIS_PACKAGE_DECRYPT";

/// A secret sent in a request: serialized as its text, shown by `Debug`
/// as `********`, so a logged request does not carry it.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("\"********\"")
    }
}

/// Parameters naming one execution.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ExecutionIdParams {
    /// The execution id.
    pub execution_id: String,
}

/// `ExecutionWait` parameters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct WaitParams {
    /// The execution id.
    pub execution_id: String,
    /// Give up after this many milliseconds (error `Timeout`); absent waits for ever.
    #[serde(default)]
    pub timeout_ms: Option<u64>,
}

/// `ExecutionOutput` parameters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct OutputParams {
    /// The execution id.
    pub execution_id: String,
    /// Byte offset to read from.
    #[serde(default)]
    pub offset: u64,
    /// At most this many bytes (default and ceiling: 512 KiB).
    #[serde(default)]
    pub max_bytes: Option<u64>,
}

/// `ExecutionOutput` result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OutputChunk {
    /// The execution id.
    pub execution_id: String,
    /// Where this chunk starts.
    pub offset: u64,
    /// Where the next read should start.
    pub next_offset: u64,
    /// The text (invalid UTF-8 replaced).
    pub text: String,
    /// The log reached its size cap; later output was dropped.
    pub truncated: bool,
    /// The execution ended and this chunk reaches the end of the log.
    pub complete: bool,
}

/// `ExecutionHistory` filters (all optional, combined with AND).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct HistoryFilter {
    /// Package name or path contains this text (case-insensitive).
    #[serde(default)]
    pub package: Option<String>,
    /// Exactly this status.
    #[serde(default)]
    pub status: Option<ExecutionStatus>,
    /// Started by this user.
    #[serde(default)]
    pub user: Option<String>,
    /// Started at or after this RFC 3339 time.
    #[serde(default)]
    pub since: Option<String>,
    /// Started before this RFC 3339 time.
    #[serde(default)]
    pub until: Option<String>,
    /// At most this many, newest first (default 100, ceiling 10,000).
    #[serde(default)]
    pub limit: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_arguments_follow_dtexec() {
        let o = VariableOverride::parse("Count=5").unwrap();
        assert_eq!(
            o.to_set_argument(),
            "\\Package.Variables[User::Count].Properties[Value];5"
        );
        let o = VariableOverride::parse("System::X=a=b").unwrap();
        assert_eq!(
            o.to_set_argument(),
            "\\Package.Variables[System::X].Properties[Value];a=b"
        );
        let o = VariableOverride::parse("Msg=a;b \"c\"").unwrap();
        assert_eq!(
            o.to_set_argument(),
            "\\Package.Variables[User::Msg].Properties[Value];\"a;b \\\"c\\\"\""
        );
        assert!(VariableOverride::parse("=1").is_err());
        assert!(VariableOverride::parse("x").is_err());
        assert_eq!(
            ExecutionStatus::parse("running"),
            Some(ExecutionStatus::Running)
        );
        assert!(ExecutionStatus::Stopped.is_final());
        assert!(!ExecutionStatus::Stopping.is_final());
    }
}

/// A package's identity, as the runner reads it when the package loads.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct PackageIdentity {
    /// `ObjectName`.
    pub name: String,
    /// `DTSID`.
    #[serde(default)]
    pub package_id: Option<String>,
    /// `Description`.
    #[serde(default)]
    pub description: Option<String>,
    /// `VersionMajor.VersionMinor.VersionBuild`.
    #[serde(default)]
    pub version: Option<String>,
}

/// `ExecutionRegister` parameters: a run of `ssis exec` started outside the
/// service tells it what runs. The caller's account and process id come from
/// the connection, never from these parameters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct RegisterParams {
    /// The package.
    pub package: PackageIdentity,
    /// The package file, for `/FILE` runs.
    #[serde(default)]
    pub package_file: Option<String>,
    /// The store path, for `/DTS` and `/SQL` runs.
    #[serde(default)]
    pub package_path: Option<String>,
    /// The command line, program first.
    #[serde(default)]
    pub command_line: Vec<String>,
}

/// `ExecutionFinish` parameters: how a registered run ended.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct FinishParams {
    /// The execution id `ExecutionRegister` gave.
    pub execution_id: String,
    /// The runner's exit code (dtexec's codes).
    pub exit_code: i32,
}
