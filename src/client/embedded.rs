//! In-process sessions: the configuration and store opened in this process.

use super::results::{Items, PackageInfo, ServerInfo};
use crate::config::{self, ServiceConfig};
use crate::error::{Error, ErrorKind, Result};
use crate::store::{
    ExistsResult, ExportResult, FolderEntry, ItemKind, PackageEntry, Store, StorePath,
};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

/// The configuration and store of an in-process session. Reads share the
/// current store; a configuration change swaps in a new one.
pub(super) struct Embedded {
    state: RwLock<Arc<State>>,
}

struct State {
    config: ServiceConfig,
    store: Store,
}

impl Embedded {
    /// Opens the configuration at `config_path`, or the one in force by
    /// default (`$SSIS_SERVICE_CONFIG`, the platform file, the built-in default).
    pub(super) fn open(config_path: Option<&Path>) -> Result<Embedded> {
        let config = match config_path {
            Some(path) => ServiceConfig::load(path)?,
            None => config::load_or_default(None)?,
        };
        let store = Store::open(&config)?;
        Ok(Embedded {
            state: RwLock::new(Arc::new(State { config, store })),
        })
    }

    fn state(&self) -> Arc<State> {
        match self.state.read() {
            Ok(guard) => Arc::clone(&guard),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    pub(super) fn info(&self, server: &str) -> ServerInfo {
        ServerInfo {
            server: server.to_string(),
            mode: "Embedded".to_string(),
            config_path: self
                .state()
                .config
                .path
                .as_ref()
                .map(|p| p.display().to_string()),
            version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }

    pub(super) fn config(&self) -> ServiceConfig {
        self.state().config.clone()
    }

    /// Validates `json`, writes it over the session's configuration file
    /// (keeping that file's unknown elements) and applies it.
    pub(super) fn set_config(&self, json: &str) -> Result<ServiceConfig> {
        let new = ServiceConfig::from_json(json)?;
        let path: PathBuf = self.state().config.path.clone().ok_or_else(|| {
            Error::new(
                ErrorKind::Configuration,
                "this session has no configuration file to write; connect with \
                 'embedded:<path to MsDtsSrvr.ini.xml>'",
            )
        })?;
        new.save_over_existing(&path)?;
        let config = ServiceConfig::load(&path)?;
        let store = Store::open(&config)?;
        let applied = config.clone();
        let mut guard = match self.state.write() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        *guard = Arc::new(State { config, store });
        Ok(applied)
    }

    pub(super) fn list_folders(&self, path: &str) -> Result<Items<FolderEntry>> {
        let path = StorePath::parse(path)?;
        let state = self.state();
        let folders = if path.is_root() {
            state.store.top_level_folders()
        } else {
            state.store.list_folders(&path)?
        };
        Ok(folders.into())
    }

    pub(super) fn list_packages(
        &self,
        folder: &str,
        recursive: bool,
    ) -> Result<Items<PackageEntry>> {
        let folder = StorePath::parse(folder)?;
        Ok(self.state().store.list_packages(&folder, recursive)?.into())
    }

    pub(super) fn package_info(&self, path: &str) -> Result<PackageInfo> {
        let path = StorePath::parse(path)?;
        let state = self.state();
        let entry = state.store.package_info(&path)?;
        let details = state
            .store
            .read_package(&path)
            .and_then(|bytes| crate::package::read_details_bytes(&bytes, &entry.path))
            .ok();
        Ok(PackageInfo { entry, details })
    }

    pub(super) fn folder_create(&self, path: &str) -> Result<FolderEntry> {
        self.state().store.create_folder(&StorePath::parse(path)?)
    }

    pub(super) fn folder_rename(&self, path: &str, new_name: &str) -> Result<FolderEntry> {
        self.state()
            .store
            .rename_folder(&StorePath::parse(path)?, new_name)
    }

    pub(super) fn folder_delete(&self, path: &str, recursive: bool) -> Result<()> {
        self.state()
            .store
            .delete_folder(&StorePath::parse(path)?, recursive)
    }

    /// Imports `file` as `dest`; when `dest` names a folder, the package
    /// keeps the file's name.
    pub(super) fn package_import(
        &self,
        file: &str,
        dest: &str,
        replace: bool,
    ) -> Result<PackageEntry> {
        let file = Path::new(file);
        let state = self.state();
        let mut dest = StorePath::parse(dest)?;
        if state.store.exists(&dest)?.kind == ItemKind::Folder {
            let stem = file.file_stem().and_then(|s| s.to_str()).ok_or_else(|| {
                Error::invalid(format!("'{}' has no usable file name", file.display()))
            })?;
            dest = dest.join(stem)?;
        }
        state.store.import(file, &dest, replace)
    }

    pub(super) fn package_export(
        &self,
        path: &str,
        file: &str,
        replace: bool,
    ) -> Result<ExportResult> {
        self.state()
            .store
            .export(&StorePath::parse(path)?, Path::new(file), replace)
    }

    pub(super) fn package_copy(
        &self,
        source: &str,
        dest: &str,
        replace: bool,
    ) -> Result<PackageEntry> {
        let (source, dest) = (StorePath::parse(source)?, StorePath::parse(dest)?);
        self.state().store.copy_package(&source, &dest, replace)
    }

    pub(super) fn package_move(
        &self,
        source: &str,
        dest: &str,
        replace: bool,
    ) -> Result<PackageEntry> {
        let (source, dest) = (StorePath::parse(source)?, StorePath::parse(dest)?);
        self.state().store.move_package(&source, &dest, replace)
    }

    pub(super) fn package_delete(&self, path: &str) -> Result<()> {
        self.state().store.delete_package(&StorePath::parse(path)?)
    }

    pub(super) fn exists(&self, path: &str) -> Result<ExistsResult> {
        self.state().store.exists(&StorePath::parse(path)?)
    }
}
