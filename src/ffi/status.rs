//! `ssis_status`: the result code of every fallible C function.

use crate::error::ErrorKind;
use std::ffi::{CStr, c_char};

/// Result of a C API call: `SSIS_OK`, or the kind of error (the same numbers as the
/// library's error kinds; codes are never renumbered and retired codes stay reserved).
/// Details of an error: `ssis_last_error`.
#[allow(non_camel_case_types)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i32)]
pub enum ssis_status {
    /// Success; the outputs were written.
    SSIS_OK = 0,
    /// A parameter is NULL, not valid UTF-8, malformed or out of range.
    SSIS_INVALID_ARGUMENT = 1,
    /// The folder, package, execution or file does not exist.
    SSIS_NOT_FOUND = 2,
    /// The target already exists and replacing it was not asked for.
    SSIS_ALREADY_EXISTS = 3,
    /// The caller lacks the right for the operation.
    SSIS_ACCESS_DENIED = 4,
    /// A server could not be reached or dropped the connection.
    SSIS_CONNECTION = 5,
    /// The service configuration is missing, malformed or invalid.
    SSIS_CONFIGURATION = 6,
    /// A file is not a readable SSIS package.
    SSIS_PACKAGE = 7,
    /// An operating-system I/O error.
    SSIS_IO = 8,
    /// The operation is not supported (also: a call from a library thread or after fork()).
    SSIS_UNSUPPORTED = 9,
    /// A bug in the library (a caught panic or an impossible state). Please report it.
    SSIS_INTERNAL = 10,
    /// The operation did not finish in the allowed time.
    SSIS_TIMEOUT = 11,
    /// The operation was canceled.
    SSIS_CANCELED = 12,
    /// A folder is not empty and recursive deletion was not asked for.
    SSIS_NOT_EMPTY = 13,
    /// A peer broke the wire protocol.
    SSIS_PROTOCOL = 14,
}

/// Every status, in code order.
const ALL_STATUSES: [ssis_status; 15] = [
    ssis_status::SSIS_OK,
    ssis_status::SSIS_INVALID_ARGUMENT,
    ssis_status::SSIS_NOT_FOUND,
    ssis_status::SSIS_ALREADY_EXISTS,
    ssis_status::SSIS_ACCESS_DENIED,
    ssis_status::SSIS_CONNECTION,
    ssis_status::SSIS_CONFIGURATION,
    ssis_status::SSIS_PACKAGE,
    ssis_status::SSIS_IO,
    ssis_status::SSIS_UNSUPPORTED,
    ssis_status::SSIS_INTERNAL,
    ssis_status::SSIS_TIMEOUT,
    ssis_status::SSIS_CANCELED,
    ssis_status::SSIS_NOT_EMPTY,
    ssis_status::SSIS_PROTOCOL,
];

impl ssis_status {
    /// Every status, in code order.
    pub fn all() -> [ssis_status; 15] {
        ALL_STATUSES
    }

    /// The status reporting an error of `kind`.
    pub fn from_kind(kind: ErrorKind) -> ssis_status {
        match kind {
            ErrorKind::InvalidArgument => ssis_status::SSIS_INVALID_ARGUMENT,
            ErrorKind::NotFound => ssis_status::SSIS_NOT_FOUND,
            ErrorKind::AlreadyExists => ssis_status::SSIS_ALREADY_EXISTS,
            ErrorKind::AccessDenied => ssis_status::SSIS_ACCESS_DENIED,
            ErrorKind::Connection => ssis_status::SSIS_CONNECTION,
            ErrorKind::Configuration => ssis_status::SSIS_CONFIGURATION,
            ErrorKind::Package => ssis_status::SSIS_PACKAGE,
            ErrorKind::Io => ssis_status::SSIS_IO,
            ErrorKind::Unsupported => ssis_status::SSIS_UNSUPPORTED,
            ErrorKind::Internal => ssis_status::SSIS_INTERNAL,
            ErrorKind::Timeout => ssis_status::SSIS_TIMEOUT,
            ErrorKind::Canceled => ssis_status::SSIS_CANCELED,
            ErrorKind::NotEmpty => ssis_status::SSIS_NOT_EMPTY,
            ErrorKind::Protocol => ssis_status::SSIS_PROTOCOL,
        }
    }

    /// The enumerator's name as spelled in the header, e.g. `SSIS_NOT_FOUND`.
    pub fn name(self) -> &'static CStr {
        match self {
            ssis_status::SSIS_OK => c"SSIS_OK",
            ssis_status::SSIS_INVALID_ARGUMENT => c"SSIS_INVALID_ARGUMENT",
            ssis_status::SSIS_NOT_FOUND => c"SSIS_NOT_FOUND",
            ssis_status::SSIS_ALREADY_EXISTS => c"SSIS_ALREADY_EXISTS",
            ssis_status::SSIS_ACCESS_DENIED => c"SSIS_ACCESS_DENIED",
            ssis_status::SSIS_CONNECTION => c"SSIS_CONNECTION",
            ssis_status::SSIS_CONFIGURATION => c"SSIS_CONFIGURATION",
            ssis_status::SSIS_PACKAGE => c"SSIS_PACKAGE",
            ssis_status::SSIS_IO => c"SSIS_IO",
            ssis_status::SSIS_UNSUPPORTED => c"SSIS_UNSUPPORTED",
            ssis_status::SSIS_INTERNAL => c"SSIS_INTERNAL",
            ssis_status::SSIS_TIMEOUT => c"SSIS_TIMEOUT",
            ssis_status::SSIS_CANCELED => c"SSIS_CANCELED",
            ssis_status::SSIS_NOT_EMPTY => c"SSIS_NOT_EMPTY",
            ssis_status::SSIS_PROTOCOL => c"SSIS_PROTOCOL",
        }
    }

    /// The status with numeric `code`, if there is one.
    pub fn from_code(code: i32) -> Option<ssis_status> {
        ALL_STATUSES.into_iter().find(|s| *s as i32 == code)
    }
}

/// The name of a status code as spelled in this header (`"SSIS_NOT_FOUND"`), or
/// `"SSIS_UNKNOWN_STATUS"` for a number that is not a status. Static: do not free.
#[unsafe(no_mangle)]
pub extern "C" fn ssis_status_name(code: i32) -> *const c_char {
    ssis_status::from_code(code)
        .map(ssis_status::name)
        .unwrap_or(c"SSIS_UNKNOWN_STATUS")
        .as_ptr()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_match_error_kinds_one_to_one() {
        assert_eq!(ALL_STATUSES.len(), ErrorKind::ALL.len() + 1);
        assert_eq!(ALL_STATUSES[0] as i32, 0);
        for kind in ErrorKind::ALL {
            let status = ssis_status::from_kind(kind);
            assert_eq!(status as i32, kind.code(), "{kind}");
            assert_eq!(ssis_status::from_code(kind.code()), Some(status));
        }
        for (i, status) in ALL_STATUSES.into_iter().enumerate() {
            assert_eq!(status as i32, i as i32, "codes are dense and in order");
        }
    }

    #[test]
    fn names_follow_the_kind_names() {
        // SSIS_ALREADY_EXISTS <-> AlreadyExists: the enumerator is the kind in SCREAMING_SNAKE.
        for kind in ErrorKind::ALL {
            let mut expected = String::from("SSIS");
            for c in kind.name().chars() {
                if c.is_ascii_uppercase() {
                    expected.push('_');
                }
                expected.push(c.to_ascii_uppercase());
            }
            let name = ssis_status::from_kind(kind).name().to_str().unwrap();
            assert_eq!(name, expected);
        }
    }

    #[test]
    fn unknown_codes_have_a_name_too() {
        let name = |c| {
            unsafe { CStr::from_ptr(ssis_status_name(c)) }
                .to_str()
                .unwrap()
        };
        assert_eq!(name(0), "SSIS_OK");
        assert_eq!(name(2), "SSIS_NOT_FOUND");
        assert_eq!(name(15), "SSIS_UNKNOWN_STATUS");
        assert_eq!(name(-1), "SSIS_UNKNOWN_STATUS");
    }
}
