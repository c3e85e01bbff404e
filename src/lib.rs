//! ssis-service: an open re-implementation of the SQL Server Integration
//! Services (SSIS) Service, as a workspace of crates along its layers. This
//! root crate is the C ABI (`libssis_service`, [`ffi`]); it re-exports the
//! layers under their module names for Rust users and the tests.
//!
//! The data flows down this list; Cargo enforces that no crate reaches back up:
//!
//! - `ssis-core` ([`config`], [`package`], [`store`], [`protocol`], [`ops`],
//!   [`error`], [`fsutil`], [`timefmt`]): configuration, package reading, the
//!   package store, the typed operation list and wire protocol, and the
//!   operations layer both the in-process session and the daemon call.
//! - `ssis-runner` ([`runner`]): the built-in package runner (`ssis exec`).
//! - `ssis-dataflow` ([`dataflow`]): the Data Flow Task's engine, registered
//!   with the runner by the `ssis` binary.
//! - `ssis-client` ([`client`]): sessions with a server (in-process, local
//!   socket, ssh, TLS) and the JSON every front end returns.
//! - `ssis-daemon` ([`service`]): the service: listeners, access control,
//!   executions, history and the event log.
//! - `ssis-cli`: the `ssis` command-line tool, a package of its own beside this
//!   one (the C library does not depend on it, so a CLI change relinks only `ssis`).
//! - [`ffi`]: the C API (`include/ssis_service.h`).

pub mod ffi;

pub use ssis_client as client;
pub use ssis_core::{Error, ErrorKind, Result};
pub use ssis_core::{config, error, fsutil, ops, package, protocol, store, timefmt};
pub use ssis_daemon as service;
pub use ssis_dataflow as dataflow;
pub use ssis_runner as runner;
