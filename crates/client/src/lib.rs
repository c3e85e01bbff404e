//! A session with a server and the operations every front end shares.
//!
//! The CLI and the C API both call [`Session`]; what they print or return is
//! the JSON serialization of these results, so `ssis ... --json` and the C
//! functions give the same text. Lists are wrapped as `{"Items": [...]}`.
//!
//! A session talks to the local service (`.`, `(local)`, `localhost`, an
//! empty name, or `unix:<socket>`), to a service on another machine
//! (`ssh://[user@]host[:port]`, `tls://host:port`; docs/SECURITY.md), to
//! several at once ([`MultiSession`]), or opens a configuration in-process
//! (`embedded:<path>`; `embedded:` alone for the configuration in force),
//! which scripts and tests use without a running service.

mod access;
mod address;
mod embedded;
mod multi;
mod patch;
#[cfg(windows)]
mod pipe;
mod remote;
mod resolve;
mod ssh;
mod tls;
mod transport;

pub use address::{
    EMBEDDED_PREFIX, LOCAL_NAMES, PIPE_PREFIX, SSH_PREFIX, ServerAddress, TCP_PREFIX, TLS_PREFIX,
    UNIX_PREFIX, parse_list,
};
pub use multi::{Labeled, MultiSession, split_servers};
pub use patch::config_patch;
pub use remote::{DEFAULT_MESSAGE_LIMIT, EventStream, LiveEvent, Registration};
pub use resolve::Resolved;
pub use ssh::SshTarget;
pub use ssis_core::ops::{Items, PackageInfo, ServerInfo, ValidationReport};
pub use tls::TlsTarget;
pub use transport::{
    CA_ENV, ConnectOptions, REMOTE_PROGRAM_ENV, SSH_CONFIG_ENV, TOKEN_ENV, is_service_name,
};

use embedded::Embedded;
use remote::Remote;
use ssis_core::config::ServiceConfig;
use ssis_core::error::{Error, Result};
use ssis_core::store::{ExistsResult, ExportResult, FolderEntry, PackageEntry, StorePath};
use std::path::Path;
use std::sync::Arc;

/// A connection to one server. Cheap to clone; safe to share between threads.
#[derive(Clone)]
pub struct Session {
    inner: Backend,
    server: String,
}

/// Where a session's operations go.
#[derive(Clone)]
enum Backend {
    /// The configuration and store opened in this process.
    Embedded(Arc<Embedded>),
    /// The local service, over its socket.
    Remote(Arc<Remote>),
}

/// Calls the same operation on whichever backend the session has.
macro_rules! via {
    ($self:ident . $m:ident ( $($a:expr),* )) => {
        match &$self.inner {
            Backend::Embedded(b) => b.$m($($a),*),
            Backend::Remote(b) => b.$m($($a),*),
        }
    };
}

impl Session {
    /// Opens a session with the server `server` names ([`ServerAddress`]'s
    /// forms; empty or `None`: the local service). `options_json`: connection
    /// options, a JSON object with `Token`, `CaFile`, `SshConfig`,
    /// `RemoteProgram` ([`ConnectOptions`]; the environment fills the rest);
    /// unknown keys are refused.
    pub fn connect(server: Option<&str>, options_json: Option<&str>) -> Result<Session> {
        let options = ConnectOptions::parse(options_json)?;
        let text = server.unwrap_or("").trim();
        let address: ServerAddress = text.parse()?;
        Session::open_as(&address, options, text.to_string())
    }

    /// Opens a session with `address`.
    pub fn open(address: &ServerAddress, options: ConnectOptions) -> Result<Session> {
        Session::open_as(address, options, address.to_string())
    }

    /// Opens `address`, reporting `server` as the name it was given.
    fn open_as(
        address: &ServerAddress,
        options: ConnectOptions,
        server: String,
    ) -> Result<Session> {
        let inner = match address {
            ServerAddress::Embedded(path) => {
                if options != ConnectOptions::default() {
                    return Err(Error::invalid(
                        "connection options are for service connections; an embedded session takes none",
                    )
                    .with_target("options_json"));
                }
                Backend::Embedded(Arc::new(Embedded::open(path.as_deref())?))
            }
            service => Backend::Remote(Arc::new(Remote::connect(service, &options.with_env())?)),
        };
        Ok(Session { inner, server })
    }

    /// The service connection, when this session has one.
    fn remote_backend(&self) -> Option<&Remote> {
        match &self.inner {
            Backend::Remote(r) => Some(r),
            Backend::Embedded(_) => None,
        }
    }

    /// The in-process host, when this session is embedded.
    fn embedded_host(&self) -> Result<&ssis_core::ops::Host> {
        match &self.inner {
            Backend::Embedded(e) => Ok(e.host()),
            Backend::Remote(_) => Err(Error::internal("not an in-process session")),
        }
    }

    /// The server name this session was opened with.
    pub fn server(&self) -> &str {
        &self.server
    }

    /// What this session is connected to.
    pub fn info(&self) -> ServerInfo {
        via!(self.info(&self.server))
    }

    /// The configuration in force.
    pub fn get_config(&self) -> Result<ServiceConfig> {
        match &self.inner {
            Backend::Embedded(b) => Ok(b.config()),
            Backend::Remote(b) => b.get_config(),
        }
    }

    /// Validates, writes (atomically, keeping unknown elements of the existing
    /// file) and applies a new configuration given as JSON.
    pub fn set_config(&self, config_json: &str) -> Result<ServiceConfig> {
        via!(self.set_config(config_json))
    }

    /// Top-level folders when `path` is `None`, empty or `\`; else the subfolders of `path`.
    pub fn list_folders(&self, path: Option<&StorePath>) -> Result<Items<FolderEntry>> {
        let root = StorePath::root();
        via!(self.list_folders(path.unwrap_or(&root)))
    }

    /// Packages in `folder` (and below it with `recursive`).
    pub fn list_packages(
        &self,
        folder: &StorePath,
        recursive: bool,
    ) -> Result<Items<PackageEntry>> {
        via!(self.list_packages(folder, recursive))
    }

    /// One package: its listing entry and, read in full, its contents summary.
    pub fn package_info(&self, path: &StorePath) -> Result<PackageInfo> {
        via!(self.package_info(path))
    }

    /// Creates the folder `path` (its parent must exist).
    pub fn folder_create(&self, path: &StorePath) -> Result<FolderEntry> {
        via!(self.folder_create(path))
    }

    /// Renames the folder `path` to `new_name` in the same parent.
    pub fn folder_rename(&self, path: &StorePath, new_name: &str) -> Result<FolderEntry> {
        via!(self.folder_rename(path, new_name))
    }

    /// Deletes the folder `path`; a non-empty folder only with `recursive`.
    pub fn folder_delete(&self, path: &StorePath, recursive: bool) -> Result<()> {
        via!(self.folder_delete(path, recursive))
    }

    /// Imports the package file `file` as the store path `dest`.
    pub fn package_import(
        &self,
        file: &Path,
        dest: &StorePath,
        replace: bool,
    ) -> Result<PackageEntry> {
        via!(self.package_import(file, dest, replace))
    }

    /// Exports the package `path` to the file `file`.
    pub fn package_export(
        &self,
        path: &StorePath,
        file: &Path,
        replace: bool,
    ) -> Result<ExportResult> {
        via!(self.package_export(path, file, replace))
    }

    /// Copies a package to another store path.
    pub fn package_copy(
        &self,
        source: &StorePath,
        dest: &StorePath,
        replace: bool,
    ) -> Result<PackageEntry> {
        via!(self.package_copy(source, dest, replace))
    }

    /// Moves a package to another store path.
    pub fn package_move(
        &self,
        source: &StorePath,
        dest: &StorePath,
        replace: bool,
    ) -> Result<PackageEntry> {
        via!(self.package_move(source, dest, replace))
    }

    /// Deletes a package.
    pub fn package_delete(&self, path: &StorePath) -> Result<()> {
        via!(self.package_delete(path))
    }

    /// Whether `path` names a folder, a package or nothing.
    pub fn exists(&self, path: &StorePath) -> Result<ExistsResult> {
        via!(self.exists(path))
    }
}

/// Reads a configuration file (or the default one when `path` is `None`).
pub fn config_read(path: Option<&Path>) -> Result<ServiceConfig> {
    ssis_core::config::load_or_default(path)
}

/// Writes a configuration given as JSON to `path` (atomically; unknown
/// elements of an existing file are kept).
pub fn config_write(path: &Path, config_json: &str) -> Result<ServiceConfig> {
    ServiceConfig::from_json(config_json)?.save_over_existing(path)
}

/// Validates a configuration file and/or a JSON configuration without
/// applying it (with neither, the configuration in force): `Valid` plus the
/// errors found.
pub fn config_validate(path: Option<&Path>, config_json: Option<&str>) -> ValidationReport {
    let results = match (path, config_json) {
        (None, None) => vec![ssis_core::config::load_or_default(None)],
        (path, json) => {
            let from_file = path.map(ServiceConfig::load);
            let from_json = json.map(ServiceConfig::from_json);
            from_file.into_iter().chain(from_json).collect()
        }
    };
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    for result in results {
        match result {
            Ok(config) => warnings.extend(missing_store_paths(&config)),
            Err(e) => errors.push(e),
        }
    }
    ValidationReport {
        valid: errors.is_empty(),
        errors,
        warnings,
    }
}

/// A warning per File System folder whose `StorePath` is not a directory here.
fn missing_store_paths(config: &ServiceConfig) -> Vec<String> {
    use ssis_core::config::TopLevelFolder;
    config
        .top_level_folders
        .iter()
        .filter_map(|f| match f {
            TopLevelFolder::FileSystemFolder(f) => Some(f),
            TopLevelFolder::SqlServerFolder(_) => None,
        })
        .filter_map(|f| {
            let dir = config.resolve_store_path(f);
            (!dir.is_dir()).then(|| {
                format!(
                    "the StorePath '{}' of folder '{}' is not a directory here ('{}'); the folder \
                     will list nothing until it exists",
                    f.store_path,
                    f.name,
                    dir.display()
                )
            })
        })
        .collect()
}
