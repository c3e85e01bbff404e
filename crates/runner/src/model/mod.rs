//! The package model the engine runs: containers, tasks, precedence
//! constraints, variables and connection managers, read from either `.dtsx`
//! layout (2005/2008 format 2/3 and 2012+ format 6/8).

mod load;
pub mod xml;

pub use load::{load_package, load_package_bytes, load_package_bytes_with, load_package_with};
pub use ssis_core::package::ProtectionLevel;

/// Parses an SSIS boolean as written in either layout: `True`/`False`, `-1`/`0`, `1`.
pub fn xml_bool(s: &str) -> Option<bool> {
    load::boolean(s)
}

/// How an executable ended, as precedence constraints and parents see it
/// (`DTSExecResult` values).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExecResult {
    /// 0: it succeeded.
    Success,
    /// 1: it failed.
    Failure,
    /// 2: completed (a constraint value matching success or failure).
    Completion,
    /// 3: it was canceled.
    Canceled,
}

impl ExecResult {
    /// The result for a `DTSExecResult` number.
    pub fn from_code(code: i64) -> Option<ExecResult> {
        match code {
            0 => Some(ExecResult::Success),
            1 => Some(ExecResult::Failure),
            2 => Some(ExecResult::Completion),
            3 => Some(ExecResult::Canceled),
            _ => None,
        }
    }
}

/// A precedence constraint's evaluation operation (`DTS:EvalOp`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvalOp {
    /// 1: the expression alone.
    Expression,
    /// 2: the execution result alone (the default).
    Constraint,
    /// 3: both the expression and the result.
    ExpressionAndConstraint,
    /// 4: either the expression or the result.
    ExpressionOrConstraint,
}

/// A precedence constraint between two executables of one container.
#[derive(Debug, Clone)]
pub struct Constraint {
    /// `ObjectName`.
    pub name: String,
    /// Index of the source executable in the container's `executables`.
    pub from: usize,
    /// Index of the constrained executable.
    pub to: usize,
    /// The result the source must have (`Success`, `Failure` or `Completion`).
    pub value: ExecResult,
    /// How the constraint is evaluated.
    pub eval_op: EvalOp,
    /// The expression (empty when none).
    pub expression: String,
    /// `LogicalAnd`: combined with AND (true) or OR (false) with the other
    /// constraints into the same executable.
    pub logical_and: bool,
}

/// A variable's declared value and flags as written in the package.
#[derive(Debug, Clone)]
pub struct VariableDef {
    /// `User`, `System` or a custom namespace.
    pub namespace: String,
    /// The name without namespace.
    pub name: String,
    /// `DTSID` (what a data flow component's `ParameterMapping` names).
    pub id: String,
    /// `DTS:DataType` of the value (3 Int32, 8 String, 11 Boolean, ...).
    pub data_type: i32,
    /// The value as written.
    pub value: String,
    /// `ReadOnly`.
    pub read_only: bool,
    /// `EvaluateAsExpression`.
    pub evaluate_as_expression: bool,
    /// `Expression`.
    pub expression: String,
    /// `RaiseChangedEvent`: a change raises OnVariableValueChanged.
    pub raise_changed_event: bool,
}

impl VariableDef {
    /// `Namespace::Name`.
    pub fn qualified_name(&self) -> String {
        format!("{}::{}", self.namespace, self.name)
    }
}

/// A package configuration (`<DTS:Configuration>`): where a value, or a
/// set of values, comes from when the package is loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageConfiguration {
    /// `ObjectName`.
    pub name: String,
    /// `ConfigurationType` as written: 0 parent variable, 1 XML file,
    /// 2 environment variable, 3 registry entry, 4/5/6 the indirect forms of
    /// 0/1/3 (an environment variable holds the string), 7 SQL Server,
    /// 8 INI file, 9 indirect SQL Server, 10 indirect INI file.
    pub kind: i32,
    /// `ConfigurationString`: the file, variable or table it reads.
    pub string: String,
    /// `ConfigurationVariable`: the property path it sets (for the types
    /// that set one value).
    pub target: String,
}

/// A connection manager (only what the supported tasks use).
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    /// `ObjectName`.
    pub name: String,
    /// `DTSID`.
    pub id: String,
    /// `CreationName`, e.g. `FILE`, `OLEDB`.
    pub creation_name: String,
    /// The connection string (a path for `FILE`).
    pub connection_string: String,
    /// `FileUsageType` for `FILE` managers: 0 existing file, 1 create file,
    /// 2 existing folder, 3 create folder.
    pub file_usage_type: i32,
    /// The `Password` saved with the manager (only readable when the
    /// package stores it in plain text; never printed).
    pub password: Option<String>,
    /// `Retain` (RetainSameConnection): one connection serves every task
    /// of the run, so temporary tables and session settings carry over.
    pub retain: bool,
    /// Property expressions (property name, expression).
    pub property_expressions: Vec<(String, String)>,
    /// The manager's own `<DTS:ConnectionManager>` inside its object data,
    /// for the types that keep more than a connection string there (the
    /// flat file columns of `FLATFILE`).
    pub data: Option<std::sync::Arc<xml::Element>>,
}

/// The Execute Process task's settings (`ExecuteProcessData`).
#[derive(Debug, Clone, Default)]
pub struct ExecuteProcessSpec {
    /// `Executable`.
    pub executable: String,
    /// `Arguments`, one string split by Windows command-line rules on Unix.
    pub arguments: String,
    /// `WorkingDirectory` (empty: inherit).
    pub working_directory: String,
    /// `RequireFullFileName`: fail when the executable is not found where given.
    pub require_full_file_name: bool,
    /// `SuccessValue`.
    pub success_value: i64,
    /// `FailTaskIfReturnCodeIsNotSuccessValue`.
    pub fail_on_return_code: bool,
    /// `TimeOut` in seconds, 0 for none.
    pub timeout_secs: u64,
    /// `TerminateProcessAfterTimeOut`.
    pub terminate_after_timeout: bool,
    /// `StandardInputVariable` (empty: none).
    pub stdin_variable: String,
    /// `StandardOutputVariable` (empty: none).
    pub stdout_variable: String,
    /// `StandardErrorVariable` (empty: none).
    pub stderr_variable: String,
}

/// Where the Execute SQL Task's statement comes from (`SqlStmtSourceType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqlSourceType {
    /// `DirectInput`: the statement is `SqlStatementSource` itself.
    DirectInput,
    /// `FileConnection`: `SqlStatementSource` names a FILE connection manager.
    FileConnection,
    /// `Variable`: `SqlStatementSource` names a variable holding the statement.
    Variable,
}

/// What the Execute SQL Task does with the rows (`ResultType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqlResultType {
    /// `ResultSetType_None`.
    None,
    /// `ResultSetType_SingleRow`: the first row's columns into variables.
    SingleRow,
    /// `ResultSetType_Rowset`: the whole result set into an Object variable.
    Full,
    /// `ResultSetType_XML`: the result (FOR XML) as one document.
    Xml,
}

/// A parameter's direction (`ParameterDirection`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamDirection {
    /// `Input`.
    Input,
    /// `Output`: the variable receives the value after the statement.
    Output,
    /// `ReturnValue`: the procedure's return status.
    ReturnValue,
}

/// `SQLTask:ParameterBinding`.
#[derive(Debug, Clone)]
pub struct SqlParameterBinding {
    /// `ParameterName`: `0`, `1`, ... (OLE DB), `@Name` (ADO.NET), `1`, ... (ODBC).
    pub name: String,
    /// `DtsVariableName`.
    pub variable: String,
    /// `ParameterDirection`.
    pub direction: ParamDirection,
    /// `DataType` as written (the provider's type code).
    pub data_type: i32,
    /// `ParameterSize` (-1: default).
    pub size: i32,
}

/// `SQLTask:ResultBinding`: result `name` (a column name or ordinal, or `0`
/// for the whole result) into `variable`.
#[derive(Debug, Clone)]
pub struct SqlResultBinding {
    /// `ResultName`.
    pub name: String,
    /// `DtsVariableName`.
    pub variable: String,
}

/// The Execute SQL Task's settings (`SqlTaskData`).
#[derive(Debug, Clone)]
pub struct ExecuteSqlSpec {
    /// `Connection`: the connection manager (DTSID or name).
    pub connection: String,
    /// `SqlStmtSourceType`.
    pub source_type: SqlSourceType,
    /// `SqlStatementSource`.
    pub source: String,
    /// `ResultType`.
    pub result_type: SqlResultType,
    /// `TimeOut` in seconds (0: none).
    pub timeout_secs: u64,
    /// `BypassPrepare` (statements are never prepared here; kept for messages).
    pub bypass_prepare: bool,
    /// `IsStoredProc` (ADO.NET: the statement is a procedure name).
    pub is_stored_procedure: bool,
    /// Parameter mappings.
    pub parameters: Vec<SqlParameterBinding>,
    /// Result set mappings.
    pub results: Vec<SqlResultBinding>,
}

/// The Send Mail Task's settings (`SendMailTaskData`).
#[derive(Debug, Clone)]
pub struct SendMailSpec {
    /// `SMTPServer`: the SMTP connection manager (name or DTSID).
    pub smtp_connection: String,
    /// `From`.
    pub from: String,
    /// `To`: addresses separated by `;` or `,`.
    pub to: String,
    /// `CC`.
    pub cc: String,
    /// `BCC`.
    pub bcc: String,
    /// `Subject`.
    pub subject: String,
    /// `Priority`: `High`, `Normal`, `Low`.
    pub priority: String,
    /// `MessageSourceType` (direct, file connection, variable).
    pub source_type: SqlSourceType,
    /// `MessageSource`.
    pub message_source: String,
    /// `FileAttachments`: paths separated by `|`.
    pub attachments: String,
}

/// A File System task operation (`TaskOperationType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileSystemOp {
    /// `CopyFile`.
    CopyFile,
    /// `MoveFile`.
    MoveFile,
    /// `DeleteFile`.
    DeleteFile,
    /// `RenameFile`.
    RenameFile,
    /// `CreateDirectory`.
    CreateDirectory,
    /// `CopyDirectory`.
    CopyDirectory,
    /// `MoveDirectory`.
    MoveDirectory,
    /// `DeleteDirectory`.
    DeleteDirectory,
    /// `DeleteDirectoryContent`.
    DeleteDirectoryContent,
    /// `SetAttributes` (not supported yet).
    SetAttributes,
}

impl FileSystemOp {
    /// The operation for its `TaskOperationType` name or number.
    pub fn parse(s: &str) -> Option<FileSystemOp> {
        use FileSystemOp::*;
        Some(match s.trim() {
            "CopyFile" | "3" => CopyFile,
            "MoveFile" | "4" => MoveFile,
            "DeleteFile" | "5" => DeleteFile,
            "RenameFile" | "6" => RenameFile,
            "CreateDirectory" | "0" => CreateDirectory,
            "CopyDirectory" | "1" => CopyDirectory,
            "MoveDirectory" | "8" => MoveDirectory,
            "DeleteDirectory" | "2" => DeleteDirectory,
            "DeleteDirectoryContent" | "7" => DeleteDirectoryContent,
            "SetAttributes" | "9" => SetAttributes,
            _ => return None,
        })
    }

    /// Whether the operation needs a destination.
    pub fn needs_destination(self) -> bool {
        use FileSystemOp::*;
        matches!(
            self,
            CopyFile | MoveFile | RenameFile | CopyDirectory | MoveDirectory
        )
    }
}

/// Where a File System task path comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathSource {
    /// A variable (`User::Name`).
    Variable(String),
    /// A connection manager (DTSID, refId or name as written).
    Connection(String),
}

/// The File System task's settings (`FileSystemData`).
#[derive(Debug, Clone)]
pub struct FileSystemSpec {
    /// The operation.
    pub op: FileSystemOp,
    /// The source path.
    pub source: Option<PathSource>,
    /// The destination path.
    pub destination: Option<PathSource>,
    /// `TaskOverwriteDestFile`.
    pub overwrite: bool,
}

/// How the File enumerator returns each file name (`FileNameRetrievalType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileNameFormat {
    /// 0: the full path.
    FullyQualified,
    /// 1: the name with its extension.
    NameAndExtension,
    /// 2: the name without its extension.
    NameOnly,
}

/// The Foreach File enumerator's settings (`ForEachFileEnumeratorProperties`).
#[derive(Debug, Clone)]
pub struct FileEnumerator {
    /// `Folder`.
    pub folder: String,
    /// `FileSpec`, with `*` and `?` wildcards.
    pub file_spec: String,
    /// `FileNameRetrievalType`.
    pub format: FileNameFormat,
    /// `Recurse`: include subfolders.
    pub recurse: bool,
}

/// Where a NodeList enumerator's document or XPath comes from, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeListSource {
    /// `FileConnection`, `Variable` or `DirectInput`.
    pub kind: SqlSourceType,
    /// The connection manager, variable or text.
    pub text: String,
}

/// What a NodeList enumerator yields for each node (`EnumerationType`,
/// `InnerElementType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeListKind {
    /// `Navigator` (0): here, the node's XML, as `Node`.
    Navigator,
    /// `Node` (1): the node's XML.
    Node,
    /// `NodeText` (2): the node's text.
    NodeText,
    /// `ElementCollection` (3): for each outer node, the inner XPath's nodes.
    ElementCollection,
}

/// The Foreach NodeList enumerator's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeListEnumerator {
    /// `SourceType` / `SourceDocument`.
    pub document: NodeListSource,
    /// `EnumerationType`.
    pub kind: NodeListKind,
    /// `OuterXPathSourceType` / `OuterXPathString`.
    pub outer: NodeListSource,
    /// `InnerElementType` (ElementCollection only).
    pub inner_kind: NodeListKind,
    /// `InnerXPathSourceType` / `InnerXPathString` (ElementCollection only).
    pub inner: NodeListSource,
}

/// One value of an Item enumerator row (`FEIEItemValue`).
#[derive(Debug, Clone)]
pub struct ItemValue {
    /// Variant type code (`Type`).
    pub type_code: u16,
    /// The value as written (`Value`).
    pub text: String,
}

/// What a Foreach Loop enumerates.
#[derive(Debug, Clone)]
pub enum EnumeratorKind {
    /// Files of a folder.
    File(FileEnumerator),
    /// Fixed rows of values (`FEIEItems`).
    Item(Vec<Vec<ItemValue>>),
    /// The rows of a result set held by an Object variable (`FEEADO`).
    Ado {
        /// `VarName`.
        variable: String,
        /// `EnumType`: `EnumerateRowsInFirstTable`, `EnumerateAllRows` or
        /// `EnumerateTables` (not supported).
        enum_type: String,
    },
    /// The nodes an XPath expression selects in an XML document (`FEENODELIST`).
    NodeList(NodeListEnumerator),
    /// Any other enumerator (Variable, SMO, Schema Rowset, ...).
    Unsupported,
}

/// A Foreach Loop's enumerator (`DTS:ForEachEnumerator`).
#[derive(Debug, Clone)]
pub struct Enumerator {
    /// `CreationName` as written.
    pub creation_name: String,
    /// What it enumerates.
    pub kind: EnumeratorKind,
    /// Property expressions on the enumerator (e.g. `Directory`, `FileSpec`).
    pub property_expressions: Vec<(String, String)>,
}

/// `DTS:ForEachVariableMapping`: value `value_index` of each item goes to `variable`.
#[derive(Debug, Clone)]
pub struct VariableMapping {
    /// `ValueIndex`.
    pub value_index: usize,
    /// `VariableName`, e.g. `User::FileName`.
    pub variable: String,
}

/// The Execute Package task's settings (`ExecutePackageTask`).
#[derive(Debug, Clone, Default)]
pub struct ExecutePackageSpec {
    /// `UseProjectReference`: the child is a package of the same project (2012+).
    pub use_project_reference: bool,
    /// `Connection`: the connection manager naming the child package.
    pub connection: String,
    /// `PackageName`: with a project reference, the child's name; with an
    /// OLEDB connection (msdb), its path in the store.
    pub package_name: String,
}

/// Package-level properties the System variables show.
#[derive(Debug, Clone, Default)]
pub struct PackageProperties {
    /// `VersionBuild`.
    pub version_build: i32,
    /// `VersionMajor`.
    pub version_major: i32,
    /// `VersionMinor`.
    pub version_minor: i32,
    /// `VersionGUID`.
    pub version_guid: String,
    /// `VersionComments`.
    pub version_comments: String,
    /// `CreatorName`.
    pub creator_name: String,
    /// `CreatorComputerName`.
    pub creator_computer_name: String,
    /// `CreationDate` as written.
    pub creation_date: String,
    /// `Description`.
    pub description: String,
}

/// What an executable is.
#[derive(Debug, Clone)]
pub enum ExecutableKind {
    /// The package or a Sequence container.
    Sequence(Body),
    /// A For Loop container with its init, eval and assign expressions.
    ForLoop {
        /// The children.
        body: Body,
        /// `InitExpression`.
        init: String,
        /// `EvalExpression`.
        eval: String,
        /// `AssignExpression`.
        assign: String,
    },
    /// A Foreach Loop container.
    ForeachLoop {
        /// The children.
        body: Body,
        /// What it enumerates.
        enumerator: Enumerator,
        /// Which enumerated value goes to which variable.
        mappings: Vec<VariableMapping>,
    },
    /// An Expression Task with its expression (usually an assignment).
    ExpressionTask(String),
    /// An Execute Package task.
    ExecutePackage(ExecutePackageSpec),
    /// An Execute Process task.
    ExecuteProcess(ExecuteProcessSpec),
    /// A File System task.
    FileSystem(FileSystemSpec),
    /// A Data Flow Task with its `pipeline` object data, run by the
    /// engine registered in [`crate::dataflow_hook`].
    DataFlow(std::sync::Arc<xml::Element>),
    /// An Execute SQL Task.
    ExecuteSql(ExecuteSqlSpec),
    /// A Send Mail Task.
    SendMail(SendMailSpec),
    /// Anything this runner cannot run, with the reason.
    Unsupported(String),
}

/// An event handler: a container run when its owner (or a descendant,
/// by propagation) raises the event.
#[derive(Debug, Clone)]
pub struct EventHandler {
    /// `EventName`: `OnError`, `OnPreExecute`, ...
    pub event: String,
    /// The handler as a Sequence container whose path is
    /// `<owner path>.EventHandlers[<event>]` (its variables, including
    /// `System::Propagate`, are declared on it).
    pub root: Executable,
}

/// A container's children and the constraints between them.
#[derive(Debug, Clone, Default)]
pub struct Body {
    /// The child executables in document order.
    pub executables: Vec<Executable>,
    /// The precedence constraints between them.
    pub constraints: Vec<Constraint>,
}

/// A task or container with the properties every executable has.
#[derive(Debug, Clone)]
pub struct Executable {
    /// Path as SSIS writes refIds: `Package\Sequence\Task`.
    pub path: String,
    /// `ObjectName`.
    pub name: String,
    /// `DTSID`.
    pub id: String,
    /// `ExecutableType` (or `CreationName`) as written.
    pub type_name: String,
    /// A readable task type, e.g. `Execute Process Task`.
    pub type_label: String,
    /// `Disabled`.
    pub disabled: bool,
    /// `FailPackageOnFailure`.
    pub fail_package_on_failure: bool,
    /// `FailParentOnFailure`.
    pub fail_parent_on_failure: bool,
    /// `MaxErrorCount` (0: no limit).
    pub max_error_count: u32,
    /// `ForceExecutionResult` (None for -1).
    pub force_execution_result: Option<ExecResult>,
    /// Variables declared on this executable.
    pub variables: Vec<VariableDef>,
    /// Property expressions (property name, expression).
    pub property_expressions: Vec<(String, String)>,
    /// This executable's event handlers, in document order.
    pub event_handlers: Vec<std::sync::Arc<EventHandler>>,
    /// `DisableEventHandlers`: this executable's handlers do not run
    /// (events still propagate to its parents).
    pub disable_event_handlers: bool,
    /// `DelayValidation`: validated when it runs, not when the package starts.
    pub delay_validation: bool,
    /// What it is.
    pub kind: ExecutableKind,
}

impl Executable {
    /// The container body, for containers.
    pub fn body(&self) -> Option<&Body> {
        match &self.kind {
            ExecutableKind::Sequence(b)
            | ExecutableKind::ForLoop { body: b, .. }
            | ExecutableKind::ForeachLoop { body: b, .. } => Some(b),
            _ => None,
        }
    }
}

/// A loaded package.
#[derive(Debug, Clone)]
pub struct Package {
    /// `PackageFormatVersion`: 2, 3, 6 or 8.
    pub format_version: i32,
    /// `ProtectionLevel` as written (EncryptSensitiveWithUserKey when not
    /// written). A package encrypted whole may hide it inside the cipher
    /// text; then it is the level the metadata reader infers.
    pub protection_level: ProtectionLevel,
    /// The package's content is encrypted as a whole (an `EncryptedData`
    /// child of the root, or an `EncryptAll*` level): nothing of it but the
    /// identity is readable here.
    pub encrypted_whole: bool,
    /// Where the first sensitive value stored encrypted is, e.g.
    /// `Password of 'Sales DB'`; `None` when no value is encrypted.
    pub encrypted_value: Option<String>,
    /// Connection managers.
    pub connections: Vec<ConnectionManager>,
    /// Version and creator properties.
    pub properties: PackageProperties,
    /// Where the package was read from (file path, or a store path as given).
    pub source_path: std::path::PathBuf,
    /// `EnableConfigurations` (`EnableConfig` in 2012+ files).
    pub enable_configurations: bool,
    /// The package configurations, in the order they are applied.
    pub configurations: Vec<PackageConfiguration>,
    /// `SaveCheckpoints`.
    pub save_checkpoints: bool,
    /// The package itself as the root container.
    pub root: Executable,
}

impl Package {
    /// `ObjectName`.
    pub fn name(&self) -> &str {
        &self.root.name
    }

    /// `DTSID`.
    pub fn id(&self) -> &str {
        &self.root.id
    }

    /// The name to show: `ObjectName`, or the file name when the name is
    /// not readable (a package encrypted whole in the 2005 layout).
    pub fn display_name(&self) -> String {
        if !self.root.name.is_empty() {
            return self.root.name.clone();
        }
        self.source_path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    /// A variable declared anywhere in the package by its DTSID
    /// (`{...}`, case-insensitive).
    pub fn variable_by_id(&self, id: &str) -> Option<&VariableDef> {
        fn find<'a>(e: &'a Executable, id: &str) -> Option<&'a VariableDef> {
            e.variables
                .iter()
                .find(|v| !v.id.is_empty() && v.id.eq_ignore_ascii_case(id))
                .or_else(|| e.body()?.executables.iter().find_map(|c| find(c, id)))
        }
        find(&self.root, id.trim())
    }

    /// A connection manager by DTSID, refId-style reference or name.
    pub fn connection(&self, reference: &str) -> Option<&ConnectionManager> {
        let r = reference.trim();
        self.connections.iter().find(|c| {
            c.id.eq_ignore_ascii_case(r)
                || c.name == r
                || format!("Package.ConnectionManagers[{}]", c.name) == r
        })
    }
}
