//! The Integration Services service: a daemon that loads the configuration,
//! serves the package store, runs packages as executor processes, keeps
//! their history and an event log, and answers clients over a local socket
//! ([`ssis_core::protocol`]).
//!
//! Layout: [`daemon`] (start-up, accept loop, shutdown), [`connection`] and
//! [`dispatch`] (one client, one request), [`state`] (configuration in force,
//! reload), [`executions`] with [`launch`], [`process`] and [`output`]
//! (running packages; [`supervise`] is the per-execution wrapper process
//! that records the exit code), [`db`] and [`eventlog`] (the state database),
//! [`retention`], [`settings`] (flags over the configuration), [`runas`] (packages run as their caller), [`transport`], [`identity`], [`signals`];
//! [`access`] (who may do what) and [`net`] (TLS listener, `dial-stdio`).

pub mod access;
pub mod capture;
pub mod connection;
pub mod connlog;
pub mod daemon;
pub mod db;
pub mod dispatch;
pub mod eventlog;
pub mod executions;
pub mod identity;
pub mod index_watch;
pub mod launch;
pub mod limits;
pub mod listing;
pub mod net;
pub mod output;
pub mod process;
pub mod program;
pub mod ratelimit;
pub mod retention;
pub mod runas;
pub mod settings;
pub mod signals;
pub mod state;
pub mod supervise;
pub mod transport;
#[cfg(windows)]
pub mod windows;

pub use daemon::{ServiceOptions, run};
