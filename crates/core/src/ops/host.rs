//! [`Host`]: the configuration in force and its store, swapped as one.

use crate::config::{self, ServiceConfig};
use crate::error::{Error, ErrorKind, Result};
use crate::store::Store;
use crate::store::index::Indexes;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

/// A loaded configuration and the store opened from it.
#[derive(Debug)]
pub struct Workspace {
    /// The configuration.
    pub config: Arc<ServiceConfig>,
    /// The package store of its top-level folders.
    pub store: Store,
    /// When it was loaded (RFC 3339 UTC).
    pub loaded_at: String,
}

impl Workspace {
    /// Opens the store of `config`.
    pub fn new(config: ServiceConfig) -> Result<Workspace> {
        Workspace::indexed(config, None)
    }

    /// Opens the store of `config`, its File System folders listing through
    /// `indexes`.
    pub fn indexed(config: ServiceConfig, indexes: Option<&Indexes>) -> Result<Workspace> {
        let store = Store::open_indexed(&config, indexes)?;
        Ok(Workspace {
            config: Arc::new(config),
            store,
            loaded_at: crate::timefmt::now_rfc3339(),
        })
    }
}

/// The workspace in force, and where to reload it from.
#[derive(Debug)]
pub struct Host {
    current: RwLock<Arc<Workspace>>,
    /// The file named when the host was opened (reloads read it again).
    explicit: Option<PathBuf>,
    /// Held while a change is read, modified and written, so two changes
    /// never both start from the same configuration.
    writer: Mutex<()>,
    /// The warm package indexes, when the host keeps them (the service).
    indexes: Option<Arc<Indexes>>,
}

impl Host {
    /// Opens the configuration at `explicit`, else the one in force by
    /// default (`$SSIS_SERVICE_CONFIG`, the platform file, the built-in
    /// default), and its store.
    pub fn open(explicit: Option<&Path>) -> Result<Host> {
        Host::open_indexed(explicit, None)
    }

    /// As [`Host::open`], File System folders listing through `indexes`.
    pub fn open_indexed(explicit: Option<&Path>, indexes: Option<Arc<Indexes>>) -> Result<Host> {
        let config = config::load_or_default(explicit)?;
        Host::with_indexes(config, explicit.map(Path::to_path_buf), indexes)
    }

    /// A host over a configuration already read (`explicit`: the file
    /// reloads read).
    pub fn with_config(config: ServiceConfig, explicit: Option<PathBuf>) -> Result<Host> {
        Host::with_indexes(config, explicit, None)
    }

    /// As [`Host::with_config`], every store opened listing File System
    /// folders through `indexes`, which outlive reloads.
    pub fn with_indexes(
        config: ServiceConfig,
        explicit: Option<PathBuf>,
        indexes: Option<Arc<Indexes>>,
    ) -> Result<Host> {
        Ok(Host {
            current: RwLock::new(Arc::new(Workspace::indexed(config, indexes.as_deref())?)),
            explicit,
            writer: Mutex::new(()),
            indexes,
        })
    }

    /// The warm package indexes, when kept.
    pub fn indexes(&self) -> Option<&Arc<Indexes>> {
        self.indexes.as_ref()
    }

    fn workspace(&self, config: ServiceConfig) -> Result<Workspace> {
        Workspace::indexed(config, self.indexes.as_deref())
    }

    /// The workspace in force.
    pub fn current(&self) -> Arc<Workspace> {
        Arc::clone(&self.current.read().unwrap_or_else(|p| p.into_inner()))
    }

    /// The configuration in force.
    pub fn config(&self) -> Arc<ServiceConfig> {
        Arc::clone(&self.current().config)
    }

    fn swap(&self, next: Workspace) -> Arc<Workspace> {
        let next = Arc::new(next);
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = Arc::clone(&next);
        next
    }

    /// The file a reload reads: the one named at open, else the one in force.
    pub fn config_file(&self) -> Option<PathBuf> {
        self.explicit.clone().or_else(|| self.config().path.clone())
    }

    /// Re-reads the configuration file and swaps it in; on error the
    /// configuration in force stays.
    pub fn reload(&self) -> Result<Arc<Workspace>> {
        let _writer = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let config = config::load_or_default(self.config_file().as_deref())?;
        Ok(self.swap(self.workspace(config)?))
    }

    /// Writes `new` over the configuration file in force (keeping what the
    /// file holds that the model does not) and swaps it in.
    pub fn set_config(&self, new: ServiceConfig) -> Result<Arc<Workspace>> {
        let _writer = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        self.write(new)
    }

    /// Applies `change` to a copy of the configuration in force, then
    /// writes and swaps it in as [`Self::set_config`] does; `change`'s
    /// value is returned. Nothing is written when `change` fails.
    pub fn update<T>(&self, change: impl FnOnce(&mut ServiceConfig) -> Result<T>) -> Result<T> {
        let _writer = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let mut config = (*self.config()).clone();
        let value = change(&mut config)?;
        self.write(config)?;
        Ok(value)
    }

    fn write(&self, new: ServiceConfig) -> Result<Arc<Workspace>> {
        let path = self.config().path.clone().ok_or_else(|| {
            Error::new(
                ErrorKind::Configuration,
                "the built-in default configuration is in force, which has no file to write: \
                 name one with --config <MsDtsSrvr.ini.xml> (or $SSIS_SERVICE_CONFIG)",
            )
        })?;
        let written = new.save_over_existing(&path)?;
        Ok(self.swap(self.workspace(written)?))
    }
}
