//! The C API: the functions `libssis_service` exports, declared in
//! `include/ssis_service.h` (generated from this module by cbindgen).
//!
//! Conventions (docs/C-API.md has the full text):
//! - every fallible function returns an [`ssis_status`]; results are UTF-8 JSON
//!   strings written through `char **out_json` only on success and freed with
//!   [`ssis_string_free`];
//! - the calling thread's last error is kept as JSON ([`ssis_last_error`]);
//! - nothing unwinds across the boundary ([`boundary`]); pointer arguments become
//!   references only through the checked macros of [`args`], where NULL pointers and
//!   invalid UTF-8 are invalid arguments naming the parameter;
//! - a session handle may be shared between threads;
//! - one lazily created tokio runtime serves the whole library ([`runtime`]).

#[macro_use]
mod args;
mod access;
mod boundary;
mod config;
mod config_patch;
mod executions;
mod last_error;
mod options;
mod resolve;
mod runtime;
mod service;
mod session;
mod status;
mod store;
mod strings;
mod version;

pub use access::{ssis_access_grant, ssis_access_list, ssis_access_revoke};
pub use config::{ssis_config_read, ssis_config_validate, ssis_config_write};
pub use config_patch::{ssis_config_patch, ssis_set_config_patch};
pub use executions::{
    ssis_execution_get, ssis_execution_output, ssis_execution_stop, ssis_execution_wait,
    ssis_executions_list, ssis_package_run,
};
pub use last_error::ssis_last_error;
pub use resolve::ssis_resolve_packages;
pub use service::{ssis_events_read, ssis_events_read_state, ssis_service_info};
pub use session::{ssis_connect, ssis_disconnect, ssis_get_config, ssis_session, ssis_set_config};
pub use status::{ssis_status, ssis_status_name};
pub use store::{
    ssis_exists, ssis_folder_create, ssis_folder_delete, ssis_folder_rename, ssis_list_folders,
    ssis_list_packages, ssis_package_copy, ssis_package_delete, ssis_package_export,
    ssis_package_import, ssis_package_info, ssis_package_move,
};
pub use strings::ssis_string_free;
pub use version::{SSIS_ABI_VERSION, ssis_abi_version, ssis_version};
