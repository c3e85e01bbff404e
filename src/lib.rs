//! ssis-service: an open re-implementation of the SQL Server Integration
//! Services (SSIS) Service.
//!
//! The data flows down this list; no module reaches back up it:
//!
//! - [`config`]: the service configuration file (`MsDtsSrvr.ini.xml`).
//! - [`package`]: reading `.dtsx` packages (identity metadata, summary).
//! - [`store`]: the package store: top-level folders, File System and msdb backends.
//! - [`client`]: a session with a server; the operations every front end shares,
//!   with the JSON shapes the CLI (`--json`) and the C API return.
//! - [`runner`]: the built-in package runner (`ssis exec`, dtexec-compatible).
//! - [`cli`]: the `ssis` command-line tool.
//! - [`ffi`]: the C API (`include/ssis_service.h`).
//! - [`error`]: the one error type, whose kinds are the C status codes,
//!   CLI exit codes and PowerShell error categories.

pub mod cli;
pub mod client;
pub mod config;
pub mod error;
pub mod ffi;
pub mod fsutil;
pub mod package;
pub mod protocol;
pub mod runner;
pub mod service;
pub mod store;
pub mod timefmt;

pub use error::{Error, ErrorKind, Result};
