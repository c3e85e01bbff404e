//! ssis-core: what every layer of ssis-service shares.
//!
//! - [`error`]: the one error type, whose kinds are the C status codes, CLI
//!   exit codes and PowerShell error categories.
//! - [`config`]: the service configuration file (`MsDtsSrvr.ini.xml`).
//! - [`package`]: reading `.dtsx` packages (identity metadata, summary).
//! - [`store`]: the package store: top-level folders, File System and msdb backends.
//! - [`protocol`]: the typed list of operations ([`protocol::Request`]) and the
//!   JSON-lines wire protocol between clients and the service; endpoint defaults.
//! - [`ops`]: the store, configuration and access operations over one loaded
//!   configuration, called by the in-process session and by the daemon.
//! - [`fsutil`], [`timefmt`]: atomic writes, RFC 3339 timestamps.

pub mod config;
pub mod error;
pub mod fsutil;
pub mod ops;
pub mod package;
pub mod protocol;
pub mod store;
pub mod terminal;
pub mod timefmt;

pub use error::{Error, ErrorKind, Result};
