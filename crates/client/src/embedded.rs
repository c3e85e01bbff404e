//! In-process sessions: the operations layer ([`ssis_core::ops`]) over a
//! configuration opened in this process.

use ssis_core::config::ServiceConfig;
use ssis_core::error::Result;
use ssis_core::ops::{Host, Items, PackageInfo, ServerInfo};
use ssis_core::store::{ExistsResult, ExportResult, FolderEntry, PackageEntry, StorePath};
use std::path::Path;

/// The configuration and store of an in-process session.
pub(super) struct Embedded {
    host: Host,
}

impl Embedded {
    /// Opens the configuration at `config_path`, or the one in force by
    /// default (`$SSIS_SERVICE_CONFIG`, the platform file, the built-in default).
    pub(super) fn open(config_path: Option<&Path>) -> Result<Embedded> {
        let host = match config_path {
            Some(path) => Host::with_config(ServiceConfig::load(path)?, Some(path.into()))?,
            None => Host::open(None)?,
        };
        Ok(Embedded { host })
    }

    pub(super) fn host(&self) -> &Host {
        &self.host
    }

    pub(super) fn info(&self, server: &str) -> ServerInfo {
        ServerInfo {
            server: server.to_string(),
            mode: "Embedded".to_string(),
            config_path: self
                .host
                .config()
                .path
                .as_ref()
                .map(|p| p.display().to_string()),
            version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }

    pub(super) fn config(&self) -> ServiceConfig {
        (*self.host.config()).clone()
    }

    /// Validates `json`, writes it over the session's configuration file
    /// (keeping that file's unknown elements) and applies it.
    pub(super) fn set_config(&self, json: &str) -> Result<ServiceConfig> {
        let new = ServiceConfig::from_json(json)?;
        Ok((*self.host.set_config(new)?.config).clone())
    }

    pub(super) fn list_folders(&self, path: &StorePath) -> Result<Items<FolderEntry>> {
        self.host.current().list_folders(path)
    }

    pub(super) fn list_packages(
        &self,
        folder: &StorePath,
        recursive: bool,
    ) -> Result<Items<PackageEntry>> {
        self.host.current().list_packages(folder, recursive)
    }

    pub(super) fn package_info(&self, path: &StorePath) -> Result<PackageInfo> {
        self.host.current().package_info(path)
    }

    pub(super) fn folder_create(&self, path: &StorePath) -> Result<FolderEntry> {
        self.host.current().folder_create(path)
    }

    pub(super) fn folder_rename(&self, path: &StorePath, new_name: &str) -> Result<FolderEntry> {
        self.host.current().folder_rename(path, new_name)
    }

    pub(super) fn folder_delete(&self, path: &StorePath, recursive: bool) -> Result<()> {
        self.host.current().folder_delete(path, recursive)
    }

    pub(super) fn package_import(
        &self,
        file: &Path,
        dest: &StorePath,
        replace: bool,
    ) -> Result<PackageEntry> {
        self.host.current().package_import(file, dest, replace)
    }

    pub(super) fn package_export(
        &self,
        path: &StorePath,
        file: &Path,
        replace: bool,
    ) -> Result<ExportResult> {
        self.host.current().package_export(path, file, replace)
    }

    pub(super) fn package_copy(
        &self,
        source: &StorePath,
        dest: &StorePath,
        replace: bool,
    ) -> Result<PackageEntry> {
        self.host.current().package_copy(source, dest, replace)
    }

    pub(super) fn package_move(
        &self,
        source: &StorePath,
        dest: &StorePath,
        replace: bool,
    ) -> Result<PackageEntry> {
        self.host.current().package_move(source, dest, replace)
    }

    pub(super) fn package_delete(&self, path: &StorePath) -> Result<()> {
        self.host.current().package_delete(path)
    }

    pub(super) fn exists(&self, path: &StorePath) -> Result<ExistsResult> {
        self.host.current().exists(path)
    }
}
