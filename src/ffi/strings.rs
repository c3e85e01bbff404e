//! Strings and other pointers crossing the boundary: borrowed inputs checked for NULL
//! and UTF-8, results handed out as `CString`s that [`ssis_string_free`] takes back.

use super::boundary;
use crate::error::{Error, Result};
use serde::Serialize;
use std::ffi::{CStr, CString, c_char};

/// A required input string: NULL or invalid UTF-8 is an invalid argument naming `name`.
///
/// # Safety
/// `ptr` must be NULL or point to a NUL-terminated string that outlives `'a`.
pub(super) unsafe fn arg_str<'a>(ptr: *const c_char, name: &'static str) -> Result<&'a str> {
    if ptr.is_null() {
        return Err(
            Error::invalid(format!("parameter '{name}' must not be NULL")).with_target(name),
        );
    }
    // SAFETY: not NULL (checked above) and, by the caller's contract, NUL-terminated and
    // valid for 'a.
    utf8(unsafe { CStr::from_ptr(ptr) }, name)
}

/// An optional input string: NULL is `None`; invalid UTF-8 is an invalid argument.
///
/// # Safety
/// As [`arg_str`].
pub(super) unsafe fn opt_str<'a>(
    ptr: *const c_char,
    name: &'static str,
) -> Result<Option<&'a str>> {
    if ptr.is_null() {
        return Ok(None);
    }
    // SAFETY: as in `arg_str`.
    utf8(unsafe { CStr::from_ptr(ptr) }, name).map(Some)
}

fn utf8<'a>(text: &'a CStr, name: &'static str) -> Result<&'a str> {
    text.to_str().map_err(|e| {
        Error::invalid(format!(
            "parameter '{name}' is not valid UTF-8 (invalid byte at offset {})",
            e.valid_up_to()
        ))
        .with_target(name)
    })
}

/// A boolean passed as `int32_t`: 0 or 1; anything else is an invalid argument.
pub(super) fn arg_bool(value: i32, name: &'static str) -> Result<bool> {
    match value {
        0 => Ok(false),
        1 => Ok(true),
        other => Err(
            Error::invalid(format!("parameter '{name}' must be 0 or 1, not {other}"))
                .with_target(name),
        ),
    }
}

/// A checked `char **` output, written only on success.
pub(super) struct OutString<'a>(&'a mut *mut c_char);

/// Checks a `char **` output parameter (before any work is done).
///
/// # Safety
/// `ptr` must be NULL or point to writable storage for one pointer, valid for `'a`.
pub(super) unsafe fn out_string<'a>(
    ptr: *mut *mut c_char,
    name: &'static str,
) -> Result<OutString<'a>> {
    // SAFETY: the caller guarantees `ptr` is NULL or writable storage for one pointer for 'a.
    match unsafe { ptr.as_mut() } {
        Some(slot) => Ok(OutString(slot)),
        None => {
            Err(Error::invalid(format!("parameter '{name}' must not be NULL")).with_target(name))
        }
    }
}

impl OutString<'_> {
    /// Hands `text` to the caller (who frees it with `ssis_string_free`).
    pub(super) fn write(self, text: String) -> Result<()> {
        let c = CString::new(text)
            .map_err(|_| Error::internal("a result string contains a NUL byte"))?;
        *self.0 = c.into_raw();
        Ok(())
    }

    /// Hands `value` serialized as JSON to the caller.
    pub(super) fn write_json<T: Serialize>(self, value: &T) -> Result<()> {
        let text = serde_json::to_string(value)
            .map_err(|e| Error::internal(format!("cannot serialize the result as JSON: {e}")))?;
        self.write(text)
    }
}

/// Frees a string returned by this library (`*out_json` of any function). NULL is
/// ignored. Do not pass static strings (`ssis_version`, `ssis_status_name`) or memory
/// from another allocator, and free each string once.
///
/// # Safety
/// `s` must be NULL or a string returned by this library and not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ssis_string_free(s: *mut c_char) {
    if s.is_null() {
        return;
    }
    // SAFETY: not NULL and, by the contract, a string this library made with
    // CString::into_raw and not yet freed.
    boundary::guard((), || drop(unsafe { CString::from_raw(s) }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_and_bad_utf8_name_the_parameter() {
        let err = unsafe { arg_str(std::ptr::null(), "path") }.unwrap_err();
        assert_eq!(err.kind, crate::ErrorKind::InvalidArgument);
        assert_eq!(err.target.as_deref(), Some("path"));
        let bad = c"ab\xffcd";
        let err = unsafe { arg_str(bad.as_ptr(), "folder") }.unwrap_err();
        assert!(err.message.contains("'folder'") && err.message.contains("offset 2"));
        let err = unsafe { opt_str(bad.as_ptr(), "folder") }.unwrap_err();
        assert_eq!(err.target.as_deref(), Some("folder"));
        assert_eq!(unsafe { opt_str(std::ptr::null(), "x") }.unwrap(), None);
        let ok = c"\xc3\x9cberweisung \xe2\x82\xac";
        assert_eq!(
            unsafe { arg_str(ok.as_ptr(), "x") }.unwrap(),
            "Überweisung €"
        );
    }

    #[test]
    fn booleans_are_zero_or_one() {
        assert!(!arg_bool(0, "r").unwrap());
        assert!(arg_bool(1, "r").unwrap());
        let err = arg_bool(2, "recursive").unwrap_err();
        assert!(err.message.contains("'recursive'") && err.message.contains('2'));
        assert!(arg_bool(-1, "r").is_err());
    }

    #[test]
    fn outputs_round_trip_and_free() {
        let mut slot: *mut c_char = std::ptr::null_mut();
        let out = unsafe { out_string(&mut slot, "out_json") }.unwrap();
        out.write_json(&vec!["€"]).unwrap();
        assert_eq!(unsafe { CStr::from_ptr(slot) }.to_str().unwrap(), "[\"€\"]");
        unsafe { ssis_string_free(slot) };
        unsafe { ssis_string_free(std::ptr::null_mut()) };
        assert!(unsafe { out_string(std::ptr::null_mut(), "out_json") }.is_err());
    }
}
