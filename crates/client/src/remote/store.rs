//! The store operations, as the embedded backend has them, over the
//! protocol (package files are read and written here, with the caller's
//! own rights).

use super::{REQUEST_TIMEOUT, Remote, absolute};
use crate::{Items, PackageInfo};
use serde_json::Value;
use ssis_core::error::{Error, ErrorKind, Result};
use ssis_core::protocol::store as st;
use ssis_core::protocol::{NoParams, Request};
use ssis_core::store::{ExistsResult, ExportResult, FolderEntry, PackageEntry, StorePath};
use std::path::Path;

/// The store operations, as the embedded backend has them, over the protocol.
impl Remote {
    pub(crate) fn get_config(&self) -> Result<ssis_core::config::ServiceConfig> {
        self.call(Request::GetConfig(NoParams))
    }
    pub(crate) fn set_config(&self, json: &str) -> Result<ssis_core::config::ServiceConfig> {
        let config: Value = serde_json::from_str(json).map_err(|e| {
            Error::invalid(format!("the configuration is not valid JSON: {e}"))
                .with_target("config_json")
        })?;
        self.call(Request::SetConfig(st::SetConfigParams { config }))
    }
    pub(crate) fn list_folders(&self, path: &StorePath) -> Result<Items<FolderEntry>> {
        let p = st::ListFoldersParams {
            path: Some(path.to_string()),
        };
        self.call(Request::ListFolders(p))
    }
    pub(crate) fn list_packages(
        &self,
        folder: &StorePath,
        recursive: bool,
    ) -> Result<Items<PackageEntry>> {
        let p = st::ListPackagesParams {
            folder: folder.to_string(),
            recursive,
            chunk_bytes: None,
        };
        self.with_conn(|conn, id| conn.list_packages(id, p, Some(REQUEST_TIMEOUT)))
    }
    pub(crate) fn package_info(&self, path: &StorePath) -> Result<PackageInfo> {
        self.call(Request::PackageInfo(st::PathParams {
            path: path.to_string(),
        }))
    }
    pub(crate) fn folder_create(&self, path: &StorePath) -> Result<FolderEntry> {
        self.call(Request::FolderCreate(st::PathParams {
            path: path.to_string(),
        }))
    }
    pub(crate) fn folder_rename(&self, path: &StorePath, new_name: &str) -> Result<FolderEntry> {
        let p = st::FolderRenameParams {
            path: path.to_string(),
            new_name: new_name.into(),
        };
        self.call(Request::FolderRename(p))
    }
    pub(crate) fn folder_delete(&self, path: &StorePath, recursive: bool) -> Result<()> {
        let p = st::FolderDeleteParams {
            path: path.to_string(),
            recursive,
        };
        let _: Value = self.call(Request::FolderDelete(p))?;
        Ok(())
    }
    pub(crate) fn package_import(
        &self,
        file: &Path,
        dest: &StorePath,
        replace: bool,
    ) -> Result<PackageEntry> {
        // The file is read here, with the caller's own rights; the service
        // never opens a path a client names.
        let data = ssis_core::package::read_package_file(file)?;
        let name = file
            .file_stem()
            .and_then(|s| s.to_str())
            .map(str::to_string);
        let p = st::ImportParams {
            file: String::new(),
            content: Some(ssis_core::protocol::encode_content(&data)),
            name,
            dest: dest.to_string(),
            replace,
        };
        self.call(Request::PackageImport(p))
    }
    pub(crate) fn package_export(
        &self,
        path: &StorePath,
        file: &Path,
        replace: bool,
    ) -> Result<ExportResult> {
        // The service returns the bytes; the file is written here, with the
        // caller's own rights (an existing file is checked first, so nothing
        // is fetched for a refusal).
        let target = file;
        if !replace && target.exists() {
            return Err(Error::new(
                ErrorKind::AlreadyExists,
                format!("'{}' already exists", target.display()),
            )
            .with_target(target.display().to_string()));
        }
        let p = st::ExportParams {
            path: path.to_string(),
            file: String::new(),
            replace,
        };
        let mut result: ExportResult = self.call(Request::PackageExport(p))?;
        let content = result.content.take().ok_or_else(|| {
            Error::new(
                ErrorKind::Protocol,
                "the service answered PackageExport without the package's content",
            )
        })?;
        let data = ssis_core::protocol::decode_content(&content)?;
        ssis_core::fsutil::write_atomic(target, &data, replace)?;
        result.file = absolute(file);
        result.size = data.len() as u64;
        Ok(result)
    }
    pub(crate) fn package_copy(
        &self,
        source: &StorePath,
        dest: &StorePath,
        replace: bool,
    ) -> Result<PackageEntry> {
        self.call(Request::PackageCopy(transfer(source, dest, replace)))
    }
    pub(crate) fn package_move(
        &self,
        source: &StorePath,
        dest: &StorePath,
        replace: bool,
    ) -> Result<PackageEntry> {
        self.call(Request::PackageMove(transfer(source, dest, replace)))
    }
    pub(crate) fn package_delete(&self, path: &StorePath) -> Result<()> {
        let _: Value = self.call(Request::PackageDelete(st::PathParams {
            path: path.to_string(),
        }))?;
        Ok(())
    }
    pub(crate) fn exists(&self, path: &StorePath) -> Result<ExistsResult> {
        self.call(Request::Exists(st::PathParams {
            path: path.to_string(),
        }))
    }
}

/// The parameters of a copy or a move.
fn transfer(source: &StorePath, dest: &StorePath, replace: bool) -> st::TransferParams {
    st::TransferParams {
        source: source.to_string(),
        dest: dest.to_string(),
        replace,
    }
}
