//! Configuration patches: only the settings a JSON merge patch names change.

use super::boundary;
use super::runtime;
use super::session::{session_ref, ssis_session};
use super::status::ssis_status;
use super::strings::{arg_str, out_string};
use crate::client;
use std::ffi::c_char;
use std::path::Path;

/// Applies the JSON merge patch `patch_json` (RFC 7396: objects merge key by key, `null`
/// removes a setting, any other value — arrays included — replaces it) to the
/// configuration file `path` and writes it back atomically. Settings the patch does not
/// name (grants, listeners, the token store, ...) and the file's comments and unknown
/// elements are kept. Writes the configuration written (the shape of
/// `ssis_config_read`). The file must exist (else `SSIS_NOT_FOUND`); a patch that is not
/// a JSON object, or names `Path`: `SSIS_INVALID_ARGUMENT`; a result that is not a valid
/// configuration: `SSIS_CONFIGURATION`, and nothing is written.
///
/// # Safety
/// `path` and `patch_json` must be NULL or NUL-terminated; `out_json` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ssis_config_patch(
    path: *const c_char,
    patch_json: *const c_char,
    out_json: *mut *mut c_char,
) -> ssis_status {
    boundary::call("ssis_config_patch", || {
        let path = unsafe { arg_str(path, "path") }?;
        let patch = unsafe { arg_str(patch_json, "patch_json") }?;
        let out = unsafe { out_string(out_json, "out_json") }?;
        let config = runtime::call(|| client::config_patch(Path::new(path), patch))?;
        out.write_json(&config)
    })
}

/// Applies the JSON merge patch `patch_json` (as `ssis_config_patch`) to the session's
/// configuration: reads the configuration in force, merges, and sets the result as
/// `ssis_set_config` does (validated, written over the configuration file keeping its
/// unknown elements, applied). Writes the configuration applied. Another writer between
/// the read and the write is not detected.
///
/// # Safety
/// `session` must be a live handle (or NULL); `patch_json` NULL or NUL-terminated;
/// `out_json` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ssis_set_config_patch(
    session: *const ssis_session,
    patch_json: *const c_char,
    out_json: *mut *mut c_char,
) -> ssis_status {
    boundary::call("ssis_set_config_patch", || {
        let session = unsafe { session_ref(session, "session") }?;
        let patch = unsafe { arg_str(patch_json, "patch_json") }?;
        let out = unsafe { out_string(out_json, "out_json") }?;
        let config = runtime::call(|| session.patch_config(patch))?;
        out.write_json(&config)
    })
}
