//! Configuration files without a session: read, write, validate.

use super::boundary;
use super::runtime;
use super::status::ssis_status;

use crate::client;
use std::ffi::c_char;
use std::path::Path;

/// Reads the configuration file `path` (NULL: the configuration in force, the one
/// `ssis_connect("embedded:", ...)` opens) and writes it as JSON:
/// `{"StopExecutingPackagesOnShutdown": true, "TopLevelFolders": [{"Type":
/// "FileSystemFolder", "Name": "File System", "StorePath": "..\\Packages"}, ...],
/// "Extensions": {...}, "Path": "..."}`. Errors name the file, line and column.
///
/// # Safety
/// `path` must be NULL or NUL-terminated; `out_json` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ssis_config_read(
    path: *const c_char,
    out_json: *mut *mut c_char,
) -> ssis_status {
    boundary::call("ssis_config_read", || {
        let path = opt_str_arg!(path)?;
        let out = out_arg!(out_json)?;
        let config = runtime::call(|| client::config_read(path.map(Path::new)))?;
        out.write_json(&config)
    })
}

/// Validates `config_json` and writes it to the file `path` atomically; elements of an
/// existing file that this library does not know are kept. Nothing is written when the
/// configuration is invalid.
///
/// # Safety
/// `path` and `config_json` must be NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ssis_config_write(
    path: *const c_char,
    config_json: *const c_char,
) -> ssis_status {
    boundary::call("ssis_config_write", || {
        let path = str_arg!(path)?;
        let json = str_arg!(config_json)?;
        runtime::call(|| client::config_write(Path::new(path), json)).map(|_| ())
    })
}

/// Validates a configuration file (`path`), a JSON configuration (`config_json`), or
/// both, without applying anything; with both NULL, the default configuration (the one
/// `ssis_config_read(NULL, ...)` reads), like `ssis config validate`. Writes the report
/// `{"Valid": false, "Errors": [{"Kind": "Configuration", "Message": "...", "Details":
/// {"File": "...", "Line": 3, "Column": 7}}]}`: an invalid configuration is a successful
/// call (`SSIS_OK`) whose report says `"Valid": false`.
///
/// # Safety
/// `path` and `config_json` must be NULL or NUL-terminated; `out_json` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ssis_config_validate(
    path: *const c_char,
    config_json: *const c_char,
    out_json: *mut *mut c_char,
) -> ssis_status {
    boundary::call("ssis_config_validate", || {
        let path = opt_str_arg!(path)?;
        let json = opt_str_arg!(config_json)?;
        let out = out_arg!(out_json)?;
        let report = runtime::call(|| Ok(client::config_validate(path.map(Path::new), json)))?;
        out.write_json(&report)
    })
}
