//! ssis-service: an open re-implementation of the SQL Server Integration
//! Services (SSIS) Service.
//!
//! The data flows down this list; no module reaches back up it:
//!
//! - [`config`]: the service configuration file (`MsDtsSrvr.ini.xml`).
//! - [`package`]: reading `.dtsx` packages (identity metadata, summary).
//! - [`store`]: the package store: top-level folders, File System and msdb backends.
//! - [`runner`]: the built-in package runner (`ssis exec`, dtexec-compatible),
//!   with the SSIS expression language ([`runner::expr`]).
//! - [`service`]: the daemon: serves the store, runs packages as child
//!   processes of the executor, keeps history and the event log (SQLite).
//! - [`protocol`]: the JSON-lines wire protocol between clients and the service.
//! - [`client`]: a session with a server (the local service, or a configuration
//!   opened in-process); the operations every front end shares, with the JSON
//!   shapes the CLI (`--json`) and the C API return.
//! - [`cli`]: the `ssis` command-line tool.
//! - [`ffi`]: the C API (`include/ssis_service.h`).
//! - [`error`]: the one error type, whose kinds are the C status codes,
//!   CLI exit codes and PowerShell error categories.
//! - [`fsutil`], [`timefmt`]: atomic writes, RFC 3339 timestamps.

pub mod cli;
pub mod client;
pub mod config;
pub mod error;
pub mod ffi;
pub mod fsutil;
pub mod ops;
pub mod package;
pub mod protocol;
pub mod runner;
pub mod service;
pub mod store;
pub mod timefmt;

pub use error::{Error, ErrorKind, Result};
