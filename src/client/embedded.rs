//! In-process sessions: the configuration and store opened in this process.

use super::results::{ExistsResult, Items, PackageInfo, ServerInfo};
use crate::config::ServiceConfig;
use crate::error::Result;
use crate::store::{FolderEntry, PackageEntry};
use std::path::Path;

/// The configuration and store of an in-process session.
pub(super) struct Embedded {}

impl Embedded {
    pub(super) fn open(config_path: Option<&Path>) -> Result<Embedded> {
        let _ = config_path;
        todo!()
    }
    pub(super) fn info(&self, server: &str) -> ServerInfo {
        let _ = server;
        todo!()
    }
    pub(super) fn config(&self) -> ServiceConfig {
        todo!()
    }
    pub(super) fn set_config(&self, json: &str) -> Result<ServiceConfig> {
        let _ = json;
        todo!()
    }
    pub(super) fn list_folders(&self, path: &str) -> Result<Items<FolderEntry>> {
        let _ = path;
        todo!()
    }
    pub(super) fn list_packages(
        &self,
        folder: &str,
        recursive: bool,
    ) -> Result<Items<PackageEntry>> {
        let _ = (folder, recursive);
        todo!()
    }
    pub(super) fn package_info(&self, path: &str) -> Result<PackageInfo> {
        let _ = path;
        todo!()
    }
    pub(super) fn folder_create(&self, path: &str) -> Result<FolderEntry> {
        let _ = path;
        todo!()
    }
    pub(super) fn folder_rename(&self, path: &str, new_name: &str) -> Result<FolderEntry> {
        let _ = (path, new_name);
        todo!()
    }
    pub(super) fn folder_delete(&self, path: &str, recursive: bool) -> Result<()> {
        let _ = (path, recursive);
        todo!()
    }
    pub(super) fn package_import(
        &self,
        file: &str,
        dest: &str,
        replace: bool,
    ) -> Result<PackageEntry> {
        let _ = (file, dest, replace);
        todo!()
    }
    pub(super) fn package_export(
        &self,
        path: &str,
        file: &str,
        replace: bool,
    ) -> Result<PackageEntry> {
        let _ = (path, file, replace);
        todo!()
    }
    pub(super) fn package_copy(
        &self,
        source: &str,
        dest: &str,
        replace: bool,
    ) -> Result<PackageEntry> {
        let _ = (source, dest, replace);
        todo!()
    }
    pub(super) fn package_move(
        &self,
        source: &str,
        dest: &str,
        replace: bool,
    ) -> Result<PackageEntry> {
        let _ = (source, dest, replace);
        todo!()
    }
    pub(super) fn package_delete(&self, path: &str) -> Result<()> {
        let _ = path;
        todo!()
    }
    pub(super) fn exists(&self, path: &str) -> Result<ExistsResult> {
        let _ = path;
        todo!()
    }
}
