//! The service configuration file, `MsDtsSrvr.ini.xml`.
//!
//! Read and written faithfully: elements and attributes this product does not
//! know survive a read/write round trip. See docs/CONFIG.md.
//!
//! - `xml`: a small XML document model that keeps everything it reads.
//! - `read`: the model out of the document (XmlSerializer's rules).
//! - `write`: the model back into the document.
//! - `validate`: checks on names, values and uniqueness.
//! - `file`: loading and saving (atomic, with one backup).
//! - `location`: where the file is looked for; the default configuration.
//! - `json`: the JSON form for the C API and PowerShell.
//! - `filemode`: the `StoreFileMode` setting.
//! - `resolve`: relative `StorePath` resolution.
//! - `patch`: JSON merge patches over the JSON form.

mod extensions;
mod file;
mod filemode;
mod json;
mod location;
mod patch;
mod read;
mod resolve;
mod validate;
mod write;
mod xml;

pub use extensions::{
    Grant, ListenEndpoint, PrincipalKind, Right, canonical_principal, is_loopback, parse_principal,
};
pub use file::backup_path;
pub use filemode::FileMode;
pub use location::{
    CONFIG_ENV, CONFIG_FILE_NAME, ConfigLocation, ConfigSource, default_config_path,
    default_packages_dir, load_or_default, locate,
};
pub use patch::{merge_patch, parse_patch};
pub use resolve::resolve_store_path_from;
pub use validate::{INVALID_NAME_CHARS, NAME_RULE, validate_folder_name};

use crate::error::{Error, ErrorKind, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The service configuration: Microsoft's settings plus this product's extensions.
///
/// Equality compares the settings and `path`, not the layout of the file read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ServiceConfig {
    /// Stop running packages when the service stops (`true` when absent).
    #[serde(default = "default_stop")]
    pub stop_executing_packages_on_shutdown: bool,
    /// The top-level folders of the package store, in file order.
    #[serde(default)]
    pub top_level_folders: Vec<TopLevelFolder>,
    /// Settings this product adds (ignored by Microsoft's reader).
    #[serde(default)]
    pub extensions: Extensions,
    /// The file this configuration was read from, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<PathBuf>,
    /// The document read, so that writing back keeps what the model does not hold.
    #[serde(skip)]
    source: Source,
}

fn default_stop() -> bool {
    read::DEFAULT_STOP
}

/// The XML document a configuration was read from. Always compares equal:
/// two configurations are equal when their settings are.
#[derive(Clone, Default)]
struct Source(Option<Arc<xml::Document>>);

impl PartialEq for Source {
    fn eq(&self, _: &Source) -> bool {
        true
    }
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Source(xml)"
        } else {
            "Source(none)"
        })
    }
}

/// A top-level folder of the package store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "Type")]
pub enum TopLevelFolder {
    /// Packages in a SQL Server's msdb database.
    SqlServerFolder(SqlServerFolder),
    /// Packages as `.dtsx` files under a directory.
    FileSystemFolder(FileSystemFolder),
}

/// `<Folder xsi:type="SqlServerFolder">`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct SqlServerFolder {
    /// Display name of the folder.
    pub name: String,
    /// `.`, `(local)`, `host`, `host\instance` or `host,port`.
    pub server_name: String,
}

/// `<Folder xsi:type="FileSystemFolder">`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct FileSystemFolder {
    /// Display name of the folder.
    pub name: String,
    /// Directory as written in the file; relative paths resolve against the
    /// configuration file's folder.
    pub store_path: String,
}

/// Settings this product adds to the file.
///
/// Written as `<SsisService>` under the root element; its unknown children survive.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Extensions {
    /// Where execution history, output logs and the event log live.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_directory: Option<String>,
    /// The package executor: the built-in runner when empty, else a dtexec path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub executor: Option<String>,
    /// Seconds between SIGTERM and SIGKILL when a package is stopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grace_period_seconds: Option<u64>,
    /// Size cap of one execution's output log, in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_cap_bytes: Option<u64>,
    /// Days history and event-log entries are kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_days: Option<u32>,
    /// The bearer-token store (hashes only); default `tokens.json` in the state directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_store: Option<String>,
    /// SQL Server folders: seconds for resolving, connecting and logging in (default 15).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sql_connect_timeout_seconds: Option<u64>,
    /// SQL Server folders: seconds to wait for the SQL Server Browser (default 60 % of
    /// the connect timeout).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sql_browser_timeout_seconds: Option<u64>,
    /// SQL Server folders: seconds a Browser answer (or its silence) is reused (default 60).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sql_browser_cache_seconds: Option<u64>,
    /// File System folders: the Unix mode of a new package file (default 0644).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_file_mode: Option<FileMode>,
    /// Network listeners (`<Listen>`); none by default: only the local socket.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub listen: Vec<ListenEndpoint>,
    /// Access grants (`<Grants>`); none by default: only the service account and root.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<Grant>,
}

impl TopLevelFolder {
    /// The folder's name.
    pub fn name(&self) -> &str {
        match self {
            TopLevelFolder::SqlServerFolder(f) => &f.name,
            TopLevelFolder::FileSystemFolder(f) => &f.name,
        }
    }

    /// `"SqlServerFolder"` or `"FileSystemFolder"`, as `xsi:type` spells it.
    pub fn type_name(&self) -> &'static str {
        match self {
            TopLevelFolder::SqlServerFolder(_) => "SqlServerFolder",
            TopLevelFolder::FileSystemFolder(_) => "FileSystemFolder",
        }
    }
}

impl Extensions {
    /// True when no extension is set.
    pub fn is_empty(&self) -> bool {
        self == &Extensions::default()
    }
}

impl ServiceConfig {
    /// A configuration with these settings, no extensions and no file.
    pub fn new(
        stop_executing_packages_on_shutdown: bool,
        top_level_folders: Vec<TopLevelFolder>,
    ) -> ServiceConfig {
        ServiceConfig {
            stop_executing_packages_on_shutdown,
            top_level_folders,
            extensions: Extensions::default(),
            path: None,
            source: Source::default(),
        }
    }

    /// The same configuration with `extensions`.
    pub fn with_extensions(mut self, extensions: Extensions) -> ServiceConfig {
        self.extensions = extensions;
        self
    }

    /// The documented default: packages stop with the service, `MSDB` on the
    /// local default SQL Server instance (`.`), and `File System` at
    /// `packages_dir`. Only `File System` works without SQL Server.
    pub fn default_for(packages_dir: &Path) -> ServiceConfig {
        ServiceConfig::new(
            read::DEFAULT_STOP,
            vec![
                TopLevelFolder::SqlServerFolder(SqlServerFolder {
                    name: "MSDB".to_string(),
                    server_name: ".".to_string(),
                }),
                TopLevelFolder::FileSystemFolder(FileSystemFolder {
                    name: "File System".to_string(),
                    store_path: packages_dir.display().to_string(),
                }),
            ],
        )
    }

    /// Reads a configuration from `text` (a UTF-8 byte-order mark and CRLF
    /// line ends are fine) and validates it. `origin` names the file in
    /// errors and is the base of relative store paths.
    pub fn parse(text: &str, origin: Option<&Path>) -> Result<ServiceConfig> {
        let (bom, body) = xml::split_bom(text);
        let located = |e: xml::XmlError| {
            let (line, column) = xml::line_col(body, e.offset);
            let err = Error::new(ErrorKind::Configuration, e.message);
            let err = match origin {
                Some(p) => err.with_file(p),
                None => err,
            };
            err.at(line, column)
        };
        let mut doc = xml::parse(body).map_err(located)?;
        doc.bom = bom;
        let extracted = read::extract(&doc).map_err(located)?;
        let mut config = extracted.config;
        if let Err(problem) = validate::check(&config) {
            let offset = problem
                .folder
                .and_then(|i| extracted.folder_offsets.get(i).copied())
                .unwrap_or(doc.root.offset);
            let mut err = located(xml::XmlError {
                offset,
                message: problem.message,
            });
            if let Some(target) = problem.target {
                err = err.with_target(target);
            }
            return Err(err);
        }
        config.path = origin.map(Path::to_path_buf);
        config.source = Source(Some(Arc::new(doc)));
        Ok(config)
    }

    /// Checks the settings: names (non-empty, allowed characters, unique
    /// without regard to case), server names and store paths non-empty.
    pub fn validate(&self) -> Result<()> {
        validate::check(self).map_err(|problem| {
            let mut err = Error::new(ErrorKind::Configuration, problem.message);
            if let Some(target) = problem.target {
                err = err.with_target(target);
            }
            match &self.path {
                Some(p) => err.with_file(p),
                None => err,
            }
        })
    }

    /// The configuration as `MsDtsSrvr.ini.xml` text. A configuration read
    /// from a file keeps everything that file had (comments, unknown
    /// elements and attributes, layout); otherwise XmlSerializer's layout.
    pub fn to_xml(&self) -> String {
        let mut doc = match &self.source.0 {
            Some(doc) => doc.as_ref().clone(),
            None => write::fresh_document(),
        };
        write::apply(&mut doc, self);
        xml::write(&doc)
    }

    /// The folder relative store paths resolve against: the folder holding
    /// the configuration file, or the current directory when there is none.
    pub fn base_dir(&self) -> PathBuf {
        let parent = self
            .path
            .as_deref()
            .and_then(Path::parent)
            .filter(|p| !p.as_os_str().is_empty());
        let dir = match parent {
            Some(p) => p.to_path_buf(),
            None => PathBuf::from("."),
        };
        std::path::absolute(&dir).unwrap_or(dir)
    }

    /// The directory of a File System folder: its `StorePath` with `\` and
    /// `/` both as separators, relative paths resolved against
    /// [`Self::base_dir`], `.` and `..` removed.
    pub fn resolve_store_path(&self, folder: &FileSystemFolder) -> PathBuf {
        resolve::resolve_store_path_from(&self.base_dir(), &folder.store_path)
    }
}
