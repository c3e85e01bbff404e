//! The calling thread's last error, kept by the exported wrappers.

use super::status::ssis_status;
use super::strings::OutString;
use crate::error::Error;
use std::cell::RefCell;
use std::ffi::c_char;
use std::panic::{AssertUnwindSafe, catch_unwind};

thread_local! {
    static LAST_ERROR: RefCell<Option<Error>> = const { RefCell::new(None) };
}

/// Records `err` as this thread's last error.
pub(super) fn set(err: Error) {
    // try_with: a call made while the thread is being torn down must not panic.
    let _ = LAST_ERROR.try_with(|slot| {
        if let Ok(mut slot) = slot.try_borrow_mut() {
            *slot = Some(err);
        }
    });
}

/// Forgets this thread's last error (after a successful call).
pub(super) fn clear() {
    let _ = LAST_ERROR.try_with(|slot| {
        if let Ok(mut slot) = slot.try_borrow_mut() {
            if slot.is_some() {
                *slot = None;
            }
        }
    });
}

/// This thread's last error as JSON, or `null`.
fn current_json() -> String {
    LAST_ERROR
        .try_with(|slot| match &*slot.borrow() {
            Some(err) => err.to_json(),
            None => "null".to_string(),
        })
        .unwrap_or_else(|_| "null".to_string())
}

/// Writes the calling thread's last error as a JSON object
/// `{"Kind": "NotFound", "Message": "...", "Target": "...", "Details": {"File": "...",
/// "Line": 3, "Column": 7}}` (`Target` and `Details` only when known), or the JSON text
/// `null` when the last status-returning call on this thread succeeded or none was made.
///
/// Every other status-returning function sets the last error when it fails and clears it
/// when it succeeds; this one reads it without changing it. Free `*out_json` with
/// `ssis_string_free`. Returns `SSIS_INVALID_ARGUMENT` (leaving the last error as it was)
/// when `out_json` is NULL.
///
/// # Safety
/// `out_json` must be NULL or point to writable storage for one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ssis_last_error(out_json: *mut *mut c_char) -> ssis_status {
    let result = catch_unwind(AssertUnwindSafe(|| {
        let out: OutString = out_arg!(out_json)?;
        out.write(current_json())
    }));
    match result {
        Ok(Ok(())) => ssis_status::SSIS_OK,
        Ok(Err(err)) => ssis_status::from_kind(err.kind),
        Err(_) => ssis_status::SSIS_INTERNAL,
    }
}
