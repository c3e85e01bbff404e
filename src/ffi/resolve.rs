//! Store-path resolution with and without wildcards.

use super::boundary;
use super::runtime;
use super::session::{session_ref, ssis_session};
use super::status::ssis_status;
use super::strings::{arg_bool, arg_str, out_string};
use std::ffi::c_char;

/// Resolves the store path `path` to packages. With `literal` 1, `path` is taken as written;
/// with 0 it is a pattern when it has an unescaped wildcard (PowerShell's: `*`, `?`,
/// `[abc]`, `[a-z]`, per segment, without regard to case; a backtick escapes the next
/// character) and literal otherwise (its escapes removed). Writes `{"Path": "...",
/// "Literal": true, "Items": [<package>, ...]}`: for a literal path, the package it names
/// or the packages of the folder it names (below it too with `recursive` 1); for a
/// pattern, the packages it matches (a matching folder gives its packages; with
/// `recursive`, also those below it, and packages of that name at any depth). A literal
/// path naming nothing is `SSIS_NOT_FOUND`; a pattern matching nothing gives no items; a
/// malformed pattern is `SSIS_INVALID_ARGUMENT`. `literal` and `recursive` must be 0 or 1.
///
/// # Safety
/// `session` must be a live handle (or NULL); `path` NULL or NUL-terminated; `out_json`
/// NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ssis_resolve_packages(
    session: *const ssis_session,
    path: *const c_char,
    literal: i32,
    recursive: i32,
    out_json: *mut *mut c_char,
) -> ssis_status {
    boundary::call("ssis_resolve_packages", || {
        let session = unsafe { session_ref(session, "session") }?;
        let path = unsafe { arg_str(path, "path") }?;
        let literal = arg_bool(literal, "literal")?;
        let recursive = arg_bool(recursive, "recursive")?;
        let out = unsafe { out_string(out_json, "out_json") }?;
        let resolved = runtime::call(|| session.resolve_packages(path, literal, recursive))?;
        out.write_json(&resolved)
    })
}
