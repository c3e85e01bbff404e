//! The settings of the tasks the runner runs: Execute Process, Execute SQL,
//! Send Mail, File System and Execute Package.

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
    /// `ParameterAssignment`s: (the child's parameter, the parent's
    /// variable or parameter whose value it gets), e.g.
    /// (`BatchId`, `User::BatchId`).
    pub parameter_assignments: Vec<(String, String)>,
    /// `PackagePassword`: the password of a child package file (or msdb
    /// package) protected with one; a project's packages open with the
    /// project's. Shown as `********` by `Debug`.
    pub package_password: Option<ssis_core::protocol::executions::Secret>,
}

impl ExecutePackageSpec {
    /// The child's variable an assignment to `param` sets: `$Package::P`
    /// for a bare name, else the name as written (`$Project::P`).
    pub fn child_parameter(param: &str) -> String {
        if param.contains("::") {
            param.to_string()
        } else {
            format!("$Package::{param}")
        }
    }

    /// Whether `child` declares the parameter an assignment to `param` sets.
    pub fn child_declares(child: &super::Package, param: &str) -> bool {
        let target = Self::child_parameter(param);
        child
            .root
            .variables
            .iter()
            .any(|v| v.qualified_name() == target)
    }
}
