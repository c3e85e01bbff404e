//! The panic boundary every exported function goes through.
//!
//! [`call`] runs the body of a status-returning function: a returned error becomes its
//! status and the thread's last error, a panic becomes `SSIS_INTERNAL` with the panic
//! message as last error, success clears the last error. [`guard`] does the same for the
//! few functions that return no status (a fallback value on panic). Nothing unwinds into C.

use super::last_error;
use super::status::ssis_status;
use crate::error::{Error, Result};
use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Runs the body of the exported function `function` and turns its outcome into a status.
pub(super) fn call(function: &'static str, body: impl FnOnce() -> Result<()>) -> ssis_status {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => {
            last_error::clear();
            ssis_status::SSIS_OK
        }
        Ok(Err(err)) => {
            let status = ssis_status::from_kind(err.kind);
            last_error::set(err);
            status
        }
        Err(payload) => {
            last_error::set(panic_error(function, payload.as_ref()));
            // Dropping a payload can itself panic; never let that unwind into C.
            let _ = catch_unwind(AssertUnwindSafe(move || drop(payload)));
            ssis_status::SSIS_INTERNAL
        }
    }
}

/// Runs the body of a function without a status; `fallback` if it panics.
pub(super) fn guard<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(fallback)
}

/// The `Internal` error reporting a caught panic in `function`.
pub(super) fn panic_error(function: &str, payload: &(dyn Any + Send)) -> Error {
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic payload".to_string());
    Error::internal(format!(
        "internal error in {function}: {message} (this is a bug in ssis-service; please report it)"
    ))
    .with_target(function)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn last_error_json() -> serde_json::Value {
        let mut out = std::ptr::null_mut();
        let st = unsafe { super::super::ssis_last_error(&mut out) };
        assert_eq!(st, ssis_status::SSIS_OK);
        let text = unsafe { std::ffi::CStr::from_ptr(out) }
            .to_str()
            .unwrap()
            .to_owned();
        unsafe { super::super::ssis_string_free(out) };
        serde_json::from_str(&text).unwrap()
    }

    #[test]
    fn errors_become_status_and_last_error() {
        let st = call("f", || {
            Err(Error::not_found("no such folder").with_target("\\X"))
        });
        assert_eq!(st, ssis_status::SSIS_NOT_FOUND);
        let v = last_error_json();
        assert_eq!(v["Kind"], "NotFound");
        assert_eq!(v["Target"], "\\X");
        assert_eq!(call("f", || Ok(())), ssis_status::SSIS_OK);
        assert!(last_error_json().is_null());
    }

    #[test]
    fn panics_become_internal_with_their_message() {
        let st = call("ssis_demo", || panic!("boom {}", 42));
        assert_eq!(st, ssis_status::SSIS_INTERNAL);
        let v = last_error_json();
        assert_eq!(v["Kind"], ErrorKind::Internal.name());
        assert!(v["Message"].as_str().unwrap().contains("boom 42"), "{v}");
        assert!(v["Message"].as_str().unwrap().contains("ssis_demo"), "{v}");
        let st = call("ssis_demo", || std::panic::panic_any(7u8));
        assert_eq!(st, ssis_status::SSIS_INTERNAL);
        assert!(
            last_error_json()["Message"]
                .as_str()
                .unwrap()
                .contains("unknown panic")
        );
    }

    #[test]
    fn guard_returns_the_fallback_on_panic() {
        assert_eq!(guard(1, || 2), 2);
        assert_eq!(guard(1, || panic!("x")), 1);
    }
}
