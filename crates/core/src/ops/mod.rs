//! The operations layer: store, configuration and access operations over
//! one loaded configuration, called directly by the in-process session
//! (`client`) and by the daemon (`service`). Nothing here knows who calls or
//! over what transport; the daemon checks rights before it calls.
//!
//! A [`Host`] holds the configuration in force and the store opened from
//! it as one [`Workspace`]; readers take the current workspace (an `Arc`,
//! no lock held while they work), writers (a new configuration, a grant
//! change, a reload) build the next one and swap it in atomically. The
//! configuration is read once per change, never re-read to serve a call.

pub mod access;
pub mod config;
mod host;
mod results;
mod store;

pub use host::{Host, Workspace};
pub use results::{Items, PackageInfo, ServerInfo, ValidationReport};
