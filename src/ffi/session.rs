//! Sessions: `ssis_connect`, `ssis_disconnect`, and the configuration through a session.

use super::boundary;
use super::runtime;
use super::status::ssis_status;

use crate::client::Session;
use crate::error::{Error, Result};
use std::ffi::c_char;

/// An open session (opaque). Create with `ssis_connect`, release with `ssis_disconnect`.
/// One handle may be used by several threads at once.
#[allow(non_camel_case_types)]
pub struct ssis_session {
    pub(super) session: Session,
}

// A handle is shared between threads by C callers: the session must allow it.
const _: fn() = || {
    fn shareable<T: Send + Sync>() {}
    shareable::<ssis_session>();
};

/// The session behind a handle; NULL is an invalid argument naming `name`.
///
/// # Safety
/// `ptr` must be NULL or a handle from `ssis_connect` not yet disconnected.
pub(super) unsafe fn session_ref<'a>(
    ptr: *const ssis_session,
    name: &'static str,
) -> Result<&'a Session> {
    // SAFETY: the caller guarantees `ptr` is NULL or a live handle (Box from ssis_connect).
    match unsafe { ptr.as_ref() } {
        Some(handle) => Ok(&handle.session),
        None => {
            Err(Error::invalid(format!("parameter '{name}' must not be NULL")).with_target(name))
        }
    }
}

/// Opens a session and writes its handle to `*out`.
///
/// `server`:
/// - NULL, `""`, `"."`, `"(local)"` or `"localhost"`: the local SSIS service (its socket
///   from `$SSIS_SERVICE_SOCKET`, else the per-user then the system socket);
/// - `"unix:<socket path>"`: the service listening on that socket;
/// - `"ssh://[user@]host[:port]"`, `"tls://host:port"`, `"tcp://127.0.0.1:port"`: a service
///   elsewhere (docs/SECURITY.md);
/// - `"embedded:<path to MsDtsSrvr.ini.xml>"`: that configuration and its package store
///   opened in this process, no service needed; `"embedded:"` alone opens the configuration
///   in force (`$SSIS_SERVICE_CONFIG`, else the platform's default file, else the built-in
///   default).
///
/// No service answering, or another server name: `SSIS_CONNECTION` (the message lists the
/// sockets tried). `options_json`: NULL, `""` or a JSON object of connection options:
/// `Token`, `CaFile`, `SshConfig`, `RemoteProgram` (any other key is an
/// `SSIS_INVALID_ARGUMENT`).
///
/// # Safety
/// String parameters must be NULL or NUL-terminated; `out` must be NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ssis_connect(
    server: *const c_char,
    options_json: *const c_char,
    out: *mut *mut ssis_session,
) -> ssis_status {
    boundary::call("ssis_connect", || {
        let server = opt_str_arg!(server)?;
        let options = opt_str_arg!(options_json)?;
        // SAFETY: the contract makes `out` NULL or writable storage for one pointer.
        let Some(out) = (unsafe { out.as_mut() }) else {
            return Err(Error::invalid("parameter 'out' must not be NULL").with_target("out"));
        };
        let session = runtime::call(|| Session::connect(server, options))?;
        *out = Box::into_raw(Box::new(ssis_session { session }));
        Ok(())
    })
}

/// Closes a session and frees its handle. NULL is ignored. The handle must not be used
/// afterwards, nor concurrently with this call.
///
/// # Safety
/// `session` must be NULL or a handle from `ssis_connect` not yet disconnected.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ssis_disconnect(session: *mut ssis_session) {
    if session.is_null() {
        return;
    }
    // SAFETY: `session` is not NULL and, by the contract, a handle from ssis_connect
    // (Box::into_raw) not yet disconnected and not in use by another thread.
    boundary::guard((), || drop(unsafe { Box::from_raw(session) }));
}

/// Writes the configuration in force for the session as JSON (the shape of
/// `ssis_config_read`).
///
/// # Safety
/// `session` must be a live handle (or NULL); `out_json` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ssis_get_config(
    session: *const ssis_session,
    out_json: *mut *mut c_char,
) -> ssis_status {
    boundary::call("ssis_get_config", || {
        let session = session_arg!(session)?;
        let out = out_arg!(out_json)?;
        let config = runtime::call(|| session.get_config())?;
        out.write_json(&config)
    })
}

/// Validates the configuration `config_json` (the shape `ssis_get_config` returns), writes
/// it over the session's configuration file (atomically, keeping elements this library
/// does not know) and applies it to the session. An invalid configuration changes
/// nothing and returns `SSIS_CONFIGURATION` (or `SSIS_INVALID_ARGUMENT` for bad JSON).
///
/// # Safety
/// `session` must be a live handle (or NULL); `config_json` NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ssis_set_config(
    session: *const ssis_session,
    config_json: *const c_char,
) -> ssis_status {
    boundary::call("ssis_set_config", || {
        let session = session_arg!(session)?;
        let json = str_arg!(config_json)?;
        runtime::call(|| session.set_config(json)).map(|_| ())
    })
}
