//! One error type for the whole product.
//!
//! Every failure has an [`ErrorKind`]; the kind decides the C status code
//! (`ssis_status`), the CLI exit code, the protocol error code and the
//! PowerShell error category, so all front ends agree on what went wrong.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::{Path, PathBuf};

/// What kind of failure an [`Error`] is. The numeric values are the C ABI's
/// `ssis_status` codes: never renumber them; retired codes stay reserved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[repr(i32)]
pub enum ErrorKind {
    /// A parameter is missing, malformed or out of range.
    InvalidArgument = 1,
    /// The folder, package, execution or file does not exist.
    NotFound = 2,
    /// The target already exists and replacing it was not asked for.
    AlreadyExists = 3,
    /// The caller lacks the right for the operation.
    AccessDenied = 4,
    /// A server (service or SQL Server) could not be reached or dropped the connection.
    Connection = 5,
    /// The service configuration is missing, malformed or invalid.
    Configuration = 6,
    /// A file is not a readable SSIS package.
    Package = 7,
    /// An operating-system I/O error.
    Io = 8,
    /// The operation or component is not supported (yet) by this product.
    Unsupported = 9,
    /// A bug: a panic or an impossible state. Please report it.
    Internal = 10,
    /// The operation did not finish in the allowed time.
    Timeout = 11,
    /// The operation was canceled.
    Canceled = 12,
    /// A folder is not empty and recursive deletion was not asked for.
    NotEmpty = 13,
    /// A peer broke the wire protocol.
    Protocol = 14,
}

impl ErrorKind {
    /// Every kind, in code order.
    pub const ALL: [ErrorKind; 14] = [
        ErrorKind::InvalidArgument,
        ErrorKind::NotFound,
        ErrorKind::AlreadyExists,
        ErrorKind::AccessDenied,
        ErrorKind::Connection,
        ErrorKind::Configuration,
        ErrorKind::Package,
        ErrorKind::Io,
        ErrorKind::Unsupported,
        ErrorKind::Internal,
        ErrorKind::Timeout,
        ErrorKind::Canceled,
        ErrorKind::NotEmpty,
        ErrorKind::Protocol,
    ];

    /// The stable name used in JSON (`"NotFound"`) and in PowerShell error ids.
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::InvalidArgument => "InvalidArgument",
            ErrorKind::NotFound => "NotFound",
            ErrorKind::AlreadyExists => "AlreadyExists",
            ErrorKind::AccessDenied => "AccessDenied",
            ErrorKind::Connection => "Connection",
            ErrorKind::Configuration => "Configuration",
            ErrorKind::Package => "Package",
            ErrorKind::Io => "Io",
            ErrorKind::Unsupported => "Unsupported",
            ErrorKind::Internal => "Internal",
            ErrorKind::Timeout => "Timeout",
            ErrorKind::Canceled => "Canceled",
            ErrorKind::NotEmpty => "NotEmpty",
            ErrorKind::Protocol => "Protocol",
        }
    }

    /// The C status code (`ssis_status`).
    pub fn code(self) -> i32 {
        self as i32
    }

    /// The kind for a C status code, if it is one.
    pub fn from_code(code: i32) -> Option<ErrorKind> {
        ErrorKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The `ssis` CLI exit code, following dtutil where it has one:
    /// 1 failure, 4 not found, 5 package could not be loaded, 6 command-line error.
    pub fn exit_code(self) -> i32 {
        match self {
            ErrorKind::NotFound => 4,
            ErrorKind::Package => 5,
            ErrorKind::InvalidArgument => 6,
            ErrorKind::Canceled => 3,
            _ => 1,
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where in a file an error was found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ErrorDetails {
    /// The file at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<PathBuf>,
    /// 1-based line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// 1-based column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u64>,
}

impl ErrorDetails {
    fn is_empty(&self) -> bool {
        self.file.is_none() && self.line.is_none() && self.column.is_none()
    }
}

/// An error with its kind, a message for people, the object at fault and,
/// for file errors, where in the file.
///
/// Serialized as `{"Kind": "NotFound", "Message": "...", "Target": "...",
/// "Details": {"File": "...", "Line": 3, "Column": 7}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Error {
    /// What kind of failure.
    pub kind: ErrorKind,
    /// A complete sentence for people.
    pub message: String,
    /// The path, store path, parameter or name at fault.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub target: Option<String>,
    /// File, line and column, when the error is in a file.
    #[serde(skip_serializing_if = "ErrorDetails::is_empty", default)]
    pub details: ErrorDetails,
}

/// Result with the product's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error of `kind` with `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
            target: None,
            details: ErrorDetails::default(),
        }
    }

    /// Names the object at fault.
    pub fn with_target(mut self, target: impl Into<String>) -> Error {
        self.target = Some(target.into());
        self
    }

    /// Names the file at fault.
    pub fn with_file(mut self, file: impl AsRef<Path>) -> Error {
        self.details.file = Some(file.as_ref().to_path_buf());
        self
    }

    /// Records the 1-based line and column in the file.
    pub fn at(mut self, line: u64, column: u64) -> Error {
        self.details.line = Some(line);
        self.details.column = Some(column);
        self
    }

    /// Shorthand for [`ErrorKind::InvalidArgument`].
    pub fn invalid(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::InvalidArgument, message)
    }

    /// Shorthand for [`ErrorKind::NotFound`].
    pub fn not_found(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::NotFound, message)
    }

    /// Shorthand for [`ErrorKind::Internal`].
    pub fn internal(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Internal, message)
    }

    /// Wraps an I/O error, keeping its kind where it maps to one of ours and
    /// naming the path in the message.
    pub fn io(err: &std::io::Error, what: &str, path: &Path) -> Error {
        use std::io::ErrorKind as Io;
        let kind = match err.kind() {
            Io::NotFound => ErrorKind::NotFound,
            Io::PermissionDenied => ErrorKind::AccessDenied,
            Io::AlreadyExists => ErrorKind::AlreadyExists,
            Io::InvalidInput => ErrorKind::InvalidArgument,
            Io::TimedOut => ErrorKind::Timeout,
            Io::DirectoryNotEmpty => ErrorKind::NotEmpty,
            _ => ErrorKind::Io,
        };
        Error::new(kind, format!("cannot {what} '{}': {err}", path.display()))
            .with_target(path.display().to_string())
    }

    /// The error as its JSON object.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| {
            format!(
                "{{\"Kind\":\"{}\",\"Message\":\"error could not be serialized\"}}",
                self.kind
            )
        })
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.details.file {
            write!(f, "{}", file.display())?;
            if let Some(line) = self.details.line {
                write!(f, ":{line}")?;
                if let Some(column) = self.details.column {
                    write!(f, ":{column}")?;
                }
            }
            f.write_str(": ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_unique() {
        for kind in ErrorKind::ALL {
            assert_eq!(ErrorKind::from_code(kind.code()), Some(kind));
        }
        assert_eq!(ErrorKind::from_code(0), None);
        assert_eq!(ErrorKind::from_code(99), None);
    }

    #[test]
    fn json_names_kind_target_and_position() {
        let err = Error::new(ErrorKind::Configuration, "unexpected end of file")
            .with_file("/etc/x.xml")
            .at(3, 7)
            .with_target("TopLevelFolders");
        let v: serde_json::Value = serde_json::from_str(&err.to_json()).unwrap();
        assert_eq!(v["Kind"], "Configuration");
        assert_eq!(v["Target"], "TopLevelFolders");
        assert_eq!(v["Details"]["Line"], 3);
        assert_eq!(v["Details"]["Column"], 7);
        assert_eq!(err.to_string(), "/etc/x.xml:3:7: unexpected end of file");
    }

    #[test]
    fn io_errors_keep_their_kind() {
        let e = std::io::Error::from(std::io::ErrorKind::NotFound);
        let err = Error::io(&e, "read", Path::new("a.dtsx"));
        assert_eq!(err.kind, ErrorKind::NotFound);
        assert!(err.message.contains("a.dtsx"));
    }
}
