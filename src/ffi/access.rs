//! Access control through a session: the grants of the service (or of an
//! embedded session's configuration file). On a service these need the
//! `Administer` right; without it the call fails with `SSIS_ACCESS_DENIED`
//! and a message starting "Access is denied".

use super::boundary;
use super::runtime;
use super::session::ssis_session;
use super::status::ssis_status;

use crate::config::Right;
use crate::error::Error;
use std::ffi::c_char;

fn rights(text: &str) -> crate::Result<Vec<Right>> {
    Right::parse_list(text).map_err(|m| Error::invalid(m).with_target("rights"))
}

/// Writes the grants in force: `{"Items": [{"Principal": "user:alice", "Rights":
/// ["Connect", "Read"]}, ...]}`. No grants: only the service account and root have access.
///
/// # Safety
/// `session` must be a live handle (or NULL); `out_json` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ssis_access_list(
    session: *const ssis_session,
    out_json: *mut *mut c_char,
) -> ssis_status {
    boundary::call("ssis_access_list", || {
        let session = session_arg!(session)?;
        let out = out_arg!(out_json)?;
        out.write_json(&runtime::call(|| session.access_list())?)
    })
}

/// Gives `rights` (`"Connect,Read"`; names `Connect`, `Read`, `Write`, `Execute`,
/// `Administer`, or `All`) to `principal` (`"user:NAME"` or `"group:NAME"`), keeping the
/// rights it had. Writes its grant now: `{"Principal": "user:alice", "Rights": [...]}`.
/// The change is written to the configuration file and applies at once.
///
/// # Safety
/// `session` must be a live handle (or NULL); strings NULL or NUL-terminated; `out_json`
/// NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ssis_access_grant(
    session: *const ssis_session,
    principal: *const c_char,
    rights_list: *const c_char,
    out_json: *mut *mut c_char,
) -> ssis_status {
    boundary::call("ssis_access_grant", || {
        let session = session_arg!(session)?;
        let principal = str_arg!(principal)?;
        let list = rights(str_arg!(rights_list, "rights")?)?;
        let out = out_arg!(out_json)?;
        out.write_json(&runtime::call(|| session.access_grant(principal, &list))?)
    })
}

/// Takes `rights` (NULL: every right) from `principal`; a principal left with none loses
/// its grant. Writes what it keeps: `{"Principal": "...", "Rights": [...]}`. A principal
/// without a grant is `SSIS_NOT_FOUND`.
///
/// # Safety
/// `session` must be a live handle (or NULL); strings NULL or NUL-terminated; `out_json`
/// NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ssis_access_revoke(
    session: *const ssis_session,
    principal: *const c_char,
    rights_list: *const c_char,
    out_json: *mut *mut c_char,
) -> ssis_status {
    boundary::call("ssis_access_revoke", || {
        let session = session_arg!(session)?;
        let principal = str_arg!(principal)?;
        let list = opt_str_arg!(rights_list, "rights")?
            .map(rights)
            .transpose()?;
        let out = out_arg!(out_json)?;
        out.write_json(&runtime::call(|| {
            session.access_revoke(principal, list.as_deref())
        })?)
    })
}
