//! Packages that do not come from a file: `/DTS path` from the service's
//! package store, found through the service configuration in force
//! (`SSIS_SERVICE_CONFIG`, else the default file, else the default
//! configuration), and `/SQL path /SERVER name` from a SQL Server's msdb.

use super::model::{Package, load_package_bytes_with};
use crate::cancel::CancelToken;
use ssis_core::config::ServiceConfig;
use ssis_core::error::{Error, ErrorKind, Result};
use ssis_core::store::{Store, StorePath};
use std::path::Path;

/// Loads the package at store path `path` (`\File System\Folder\Name`)
/// from the store `config` describes, opening what is encrypted with
/// `password` (`/DECRYPT`). A missing package is `NotFound` (dtexec exit
/// 4); a malformed path is `InvalidArgument`.
pub fn load_from_store_with(
    config: &ServiceConfig,
    path: &str,
    password: Option<&str>,
) -> Result<Package> {
    let dts = |e: Error| {
        if e.kind == ErrorKind::Package {
            e
        } else {
            Error::new(e.kind, format!("/DTS: {}", e.message)).with_target("/DTS")
        }
    };
    let sp = StorePath::parse(path).map_err(dts)?;
    let store = Store::open(config).map_err(dts)?;
    let bytes = store.read_package(&sp).map_err(dts)?;
    load_package_bytes_with(
        &bytes,
        Path::new(&sp.to_string()),
        password,
        &CancelToken::new(),
    )
}

/// Like [`load_from_store_with`] with the configuration in force.
pub fn load_from_store(path: &str, password: Option<&str>) -> Result<Package> {
    let config = ssis_core::config::load_or_default(None).map_err(|e| {
        Error::new(e.kind, format!("/DTS: the service configuration: {e}")).with_target("/DTS")
    })?;
    load_from_store_with(&config, path, password)
}

/// Loads the package `path` (`Folder\Sub\Name`) from the msdb of `server`
/// (dtexec `/SQL path /SERVER name`; the local default instance without
/// `/SERVER`). Credentials come from the environment or the credentials file
/// as for msdb folders of the store (see docs/MSDB.md).
pub fn load_from_msdb(server: Option<&str>, path: &str, password: Option<&str>) -> Result<Package> {
    let server = server.filter(|s| !s.trim().is_empty()).unwrap_or(".");
    let bytes = ssis_core::store::msdb::fetch_package(server, path).map_err(|e| {
        if e.kind == ErrorKind::Package {
            e
        } else {
            Error::new(e.kind, format!("/SQL: {}", e.message)).with_target("/SQL")
        }
    })?;
    load_package_bytes_with(&bytes, Path::new(path), password, &CancelToken::new())
}
