//! The SQL Server package store: a `SqlServerFolder` of the configuration,
//! served from the `sysssispackagefolders` / `sysssispackages` tables of a
//! server's msdb through msdb's own `sp_ssis_*` procedures (see [`procs`]).
//!
//! - Network I/O is tiberius over the store's own tokio runtime
//!   ([`runtime`]); each top-level folder keeps a small pool of connections.
//! - A folder path is resolved to its folder id one `sp_ssis_getfolder` per
//!   segment, remembered for `Folder Cache` seconds (default 10), so a
//!   listing or a package transfer is then one round trip.
//! - Package id, version, description, format and type written to msdb come
//!   from the package's own XML, so copies between File System and msdb
//!   folders keep them.
//! - Connection settings and credentials: [`options`].

mod browser;
mod connection;
pub mod options;
mod procs;
mod runtime;
mod server_name;

pub use browser::{instance_request, parse_response as parse_browser_response};
pub use options::{ConnectOptions, ConnectionString, Encrypt};
pub use server_name::{DEFAULT_PORT, ServerAddress, parse_server_name};

use super::backend::{PackageStore, folder_not_found, full_path, package_not_found, split_package};
use super::entries::PackageEntry;
use super::path::{fold_case, names_equal};
use crate::error::{Error, ErrorKind, Result};
use crate::package::{PackageMetadata, protection_level_name};
use connection::Connector;
use procs::{FolderRow, PackageRow, PutPackage, SqlDateTime};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tiberius::Uuid;

/// The id of msdb's root package folder (its `parentfolderid` is NULL).
pub const ROOT_FOLDER_ID: Uuid = Uuid::nil();

/// Longest name msdb takes (`sysname` is `nvarchar(128)`).
const MAX_SYSNAME: usize = 128;
/// Longest description and version comment (`nvarchar(1024)`).
const MAX_COMMENT: usize = 1024;
/// How long the entry of a package just written answers `package_info`.
const WRITTEN_FRESH: std::time::Duration = std::time::Duration::from_secs(5);

/// A resolved folder: its id, its segments as stored, when it was resolved.
type CachedFolder = (Uuid, Vec<String>, Instant);

/// A `SqlServerFolder`: packages in a SQL Server's msdb.
pub struct SqlServerStore {
    name: String,
    connector: Arc<Connector>,
    /// Folded path below the top → (folder id, stored segment names, when resolved).
    folders: Mutex<HashMap<String, CachedFolder>>,
    /// The entry of the package this store wrote last (folded path, entry,
    /// when): [`PackageStore::package_info`] right after a write (as
    /// `Store::import` and `copy_package` do) answers from it once, instead
    /// of listing the whole folder again.
    written: Mutex<Option<(String, PackageEntry, Instant)>>,
}

impl std::fmt::Debug for SqlServerStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqlServerStore")
            .field("name", &self.name)
            .field("server", &self.connector.server())
            .finish()
    }
}

impl SqlServerStore {
    /// The top-level folder `name` on SQL Server `server` (`.`, `host\instance`,
    /// `host,port`), with credentials and options from the environment (see
    /// [`options`]); no configuration file.
    pub fn new(name: impl Into<String>, server: impl Into<String>) -> SqlServerStore {
        let server = server.into();
        let options = ConnectOptions::for_server(&server, None);
        SqlServerStore::build(name.into(), server, None, options)
    }

    /// As configured in `config_file`: credentials from the environment or
    /// the credentials file (which may sit next to `config_file`). A problem
    /// with them is reported by each operation, not here, so the store's
    /// other folders keep working.
    /// `base` holds the configuration's own settings
    /// ([`ConnectOptions::from_extensions`]); the credentials file and the
    /// environment apply over them.
    pub fn configured(
        name: impl Into<String>,
        server: impl Into<String>,
        config_file: Option<&Path>,
        base: ConnectOptions,
    ) -> SqlServerStore {
        let server = server.into();
        let options = ConnectOptions::for_server_over(base, &server, config_file);
        SqlServerStore::build(
            name.into(),
            server,
            config_file.map(Path::to_path_buf),
            options,
        )
    }

    /// With explicit options (and, for error messages, the configuration file).
    pub fn with_options(
        name: impl Into<String>,
        server: impl Into<String>,
        config_file: Option<PathBuf>,
        options: ConnectOptions,
    ) -> SqlServerStore {
        SqlServerStore::build(name.into(), server.into(), config_file, Ok(options))
    }

    fn build(
        name: String,
        server: String,
        config_file: Option<PathBuf>,
        options: Result<ConnectOptions>,
    ) -> SqlServerStore {
        SqlServerStore {
            connector: Arc::new(Connector::new(server, name.clone(), config_file, options)),
            name,
            folders: Mutex::new(HashMap::new()),
            written: Mutex::new(None),
        }
    }

    /// The server name as configured.
    pub fn server(&self) -> &str {
        self.connector.server()
    }

    /// Closes the idle pooled connections.
    pub fn close_idle_connections(&self) {
        self.connector.clear_pool();
    }

    fn call<T, F>(&self, op: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'c> Fn(&'c mut connection::Client) -> connection::Op<'c, T> + Send + Sync + 'static,
    {
        let connector = self.connector.clone();
        runtime::run(async move { connector.call(op).await })
    }

    fn path(&self, segments: &[String]) -> String {
        full_path(&self.name, segments)
    }

    fn cache_key(segments: &[String]) -> String {
        segments
            .iter()
            .map(|s| fold_case(s))
            .collect::<Vec<_>>()
            .join("\\")
    }

    fn cached(&self, segments: &[String]) -> Option<(Uuid, Vec<String>)> {
        let ttl = self.connector.options().ok()?.folder_cache;
        let cache = self.folders.lock().ok()?;
        let (id, names, at) = cache.get(&Self::cache_key(segments))?;
        (at.elapsed() < ttl).then(|| (*id, names.clone()))
    }

    fn remember(&self, names: &[String], id: Uuid) {
        if let Ok(mut cache) = self.folders.lock() {
            cache.insert(Self::cache_key(names), (id, names.to_vec(), Instant::now()));
        }
    }

    /// Forgets `segments` and everything below it.
    fn forget(&self, segments: &[String]) {
        let key = Self::cache_key(segments);
        let below = format!("{key}\\");
        if let Ok(mut cache) = self.folders.lock() {
            cache.retain(|k, _| k != &key && !k.starts_with(&below));
        }
    }

    /// The folder id and stored names of `segments`; None when it does not exist.
    fn find_folder(&self, segments: &[String]) -> Result<Option<(Uuid, Vec<String>)>> {
        if segments.is_empty() {
            return Ok(Some((ROOT_FOLDER_ID, Vec::new())));
        }
        // Start from the deepest cached ancestor.
        let mut start = 0;
        let mut id = ROOT_FOLDER_ID;
        let mut names = Vec::new();
        for depth in (1..=segments.len()).rev() {
            if let Some((found, stored)) = self.cached(&segments[..depth]) {
                start = depth;
                id = found;
                names = stored;
                break;
            }
        }
        for segment in &segments[start..] {
            match self.call(procs::get_folder(segment.clone(), id))? {
                Some(FolderRow { id: child, name }) => {
                    id = child;
                    names.push(name);
                    self.remember(&names, id);
                }
                None => return Ok(None),
            }
        }
        Ok(Some((id, names)))
    }

    /// As [`Self::find_folder`], NotFound when missing.
    fn folder(&self, segments: &[String]) -> Result<(Uuid, Vec<String>)> {
        self.find_folder(segments)?
            .ok_or_else(|| folder_not_found(&self.path(segments)))
    }

    fn entry(&self, folder_names: &[String], row: PackageRow) -> PackageEntry {
        let mut segments = folder_names.to_vec();
        segments.push(row.name.clone());
        let brace = |g: Option<Uuid>| {
            g.map(|g| format!("{{{}}}", g.hyphenated().to_string().to_uppercase()))
                .unwrap_or_default()
        };
        PackageEntry {
            path: self.path(&segments),
            folder: self.path(folder_names),
            size: row.size,
            modified: row.createdate.clone(),
            metadata: Some(PackageMetadata {
                object_name: row.name.clone(),
                id: brace(row.id),
                description: row.description,
                creation_date: row.createdate,
                creator_name: String::new(),
                creator_computer_name: String::new(),
                version_major: row.vermajor,
                version_minor: row.verminor,
                version_build: row.verbuild,
                version_guid: brace(row.verid),
                version_comments: row.vercomments,
                // msdb's listing does not carry these; reading them would
                // take one round trip per package.
                package_format_version: 0,
                protection_level: -1,
                protection_level_name: protection_level_name(-1),
                package_type: 0,
                encrypted: false,
            }),
            error: None,
            folder_unavailable: false,
            name: row.name,
        }
    }

    /// The entry of the package just written at `package`, once, if recent.
    fn take_written(&self, package: &[String]) -> Option<PackageEntry> {
        let mut w = self.written.lock().ok()?;
        let (key, _, at) = w.as_ref()?;
        if *key != Self::cache_key(package) || at.elapsed() > WRITTEN_FRESH {
            return None;
        }
        w.take().map(|(_, entry, _)| entry)
    }

    fn forget_written(&self) {
        if let Ok(mut w) = self.written.lock() {
            *w = None;
        }
    }

    fn check_sysname(&self, name: &str, segments: &[String]) -> Result<()> {
        if name.encode_utf16().count() > MAX_SYSNAME {
            return Err(Error::invalid(format!(
                "name '{name}' is longer than the {MAX_SYSNAME} characters msdb allows"
            ))
            .with_target(self.path(segments)));
        }
        Ok(())
    }
}

fn parse_guid(text: &str) -> Option<Uuid> {
    Uuid::parse_str(text.trim().trim_start_matches('{').trim_end_matches('}')).ok()
}

fn truncate(text: &str, max: usize) -> String {
    let mut out = String::new();
    let mut units = 0;
    for c in text.chars() {
        units += c.len_utf16();
        if units > max {
            break;
        }
        out.push(c);
    }
    out
}

impl PackageStore for SqlServerStore {
    fn top_level_name(&self) -> &str {
        &self.name
    }

    fn list_folders(&self, folder: &[String]) -> Result<Vec<String>> {
        let (id, names) = self.folder(folder)?;
        let rows = self.call(procs::list_folders(id))?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let mut child = names.clone();
            child.push(row.name.clone());
            self.remember(&child, row.id);
            out.push(row.name);
        }
        out.sort_by_key(|n| fold_case(n));
        Ok(out)
    }

    fn list_packages(&self, folder: &[String]) -> Result<Vec<PackageEntry>> {
        let (id, names) = self.folder(folder)?;
        let rows = self.call(procs::list_packages(id))?;
        let mut out: Vec<PackageEntry> = rows.into_iter().map(|r| self.entry(&names, r)).collect();
        out.sort_by_key(|e| fold_case(&e.name));
        Ok(out)
    }

    fn package_info(&self, package: &[String]) -> Result<PackageEntry> {
        let (folder, name) = split_package(&self.name, package)?;
        if let Some(entry) = self.take_written(package) {
            return Ok(entry);
        }
        let Some((id, names)) = self.find_folder(folder)? else {
            return Err(package_not_found(&self.path(package)));
        };
        self.call(procs::list_packages(id))?
            .into_iter()
            .find(|r| names_equal(&r.name, name))
            .map(|r| self.entry(&names, r))
            .ok_or_else(|| package_not_found(&self.path(package)))
    }

    fn folder_exists(&self, folder: &[String]) -> Result<bool> {
        Ok(self.find_folder(folder)?.is_some())
    }

    fn package_exists(&self, package: &[String]) -> Result<bool> {
        let (folder, name) = split_package(&self.name, package)?;
        match self.find_folder(folder)? {
            Some((id, _)) => self.call(procs::check_exists(name.to_string(), id)),
            None => Ok(false),
        }
    }

    fn create_folder(&self, folder: &[String]) -> Result<()> {
        let Some((name, parent)) = folder.split_last() else {
            return Err(Error::new(
                ErrorKind::AlreadyExists,
                format!("'{}' is a top-level folder", self.path(folder)),
            ));
        };
        self.check_sysname(name, folder)?;
        let (parent_id, parent_names) = self.folder(parent)?;
        if self
            .call(procs::get_folder(name.clone(), parent_id))?
            .is_some()
        {
            return Err(Error::new(
                ErrorKind::AlreadyExists,
                format!("folder '{}' already exists", self.path(folder)),
            )
            .with_target(self.path(folder)));
        }
        let id = procs::new_folder_id();
        self.call(procs::add_folder(parent_id, name.clone(), id))?;
        let mut names = parent_names;
        names.push(name.clone());
        self.remember(&names, id);
        Ok(())
    }

    fn rename_folder(&self, folder: &[String], new_name: &str) -> Result<()> {
        let Some((_, parent)) = folder.split_last() else {
            return Err(Error::invalid(
                "the top-level folder cannot be renamed here",
            ));
        };
        self.check_sysname(new_name, folder)?;
        let (id, _) = self.folder(folder)?;
        let (parent_id, _) = self.folder(parent)?;
        if let Some(existing) = self.call(procs::get_folder(new_name.to_string(), parent_id))? {
            if existing.id != id {
                let mut target = parent.to_vec();
                target.push(new_name.to_string());
                return Err(Error::new(
                    ErrorKind::AlreadyExists,
                    format!("folder '{}' already exists", self.path(&target)),
                )
                .with_target(self.path(&target)));
            }
        }
        self.forget(folder);
        self.forget_written();
        self.call(procs::rename_folder(id, new_name.to_string()))?;
        Ok(())
    }

    fn delete_folder(&self, folder: &[String], recursive: bool) -> Result<()> {
        if folder.is_empty() {
            return Err(Error::invalid(
                "the top-level folder cannot be deleted here",
            ));
        }
        let (id, _) = self.folder(folder)?;
        if recursive {
            for sub in self.list_folders(folder)? {
                let mut child = folder.to_vec();
                child.push(sub);
                self.delete_folder(&child, true)?;
            }
            for package in self.call(procs::list_packages(id))? {
                self.call(procs::delete_package(package.name, id))?;
            }
        }
        self.forget(folder);
        self.forget_written();
        self.call(procs::delete_folder(id)).map_err(|e| {
            if e.kind == ErrorKind::NotEmpty {
                Error::new(
                    ErrorKind::NotEmpty,
                    format!(
                        "folder '{}' is not empty: it holds packages or folders ({})",
                        self.path(folder),
                        e.message
                    ),
                )
                .with_target(self.path(folder))
            } else {
                e
            }
        })?;
        Ok(())
    }

    fn read_package(&self, package: &[String]) -> Result<Vec<u8>> {
        let (folder, name) = split_package(&self.name, package)?;
        let Some((id, _)) = self.find_folder(folder)? else {
            return Err(package_not_found(&self.path(package)));
        };
        self.call(procs::get_package(name.to_string(), id))?
            .ok_or_else(|| package_not_found(&self.path(package)))
    }

    fn write_package(&self, package: &[String], data: &[u8], replace: bool) -> Result<()> {
        let (folder, name) = split_package(&self.name, package)?;
        self.check_sysname(name, package)?;
        self.connector.ready()?;
        let (id, names) = self.folder(folder)?;
        let meta = crate::package::read_metadata_bytes(data, &self.path(package))?;
        let put = PutPackage {
            name: name.to_string(),
            id: parse_guid(&meta.id).unwrap_or(Uuid::nil()),
            description: truncate(&meta.description, MAX_COMMENT),
            createdate: SqlDateTime::from_system_time(std::time::SystemTime::now()),
            folder: id,
            data: data.to_vec(),
            packageformat: meta.package_format_version,
            packagetype: meta.package_type,
            vermajor: meta.version_major,
            verminor: meta.version_minor,
            verbuild: meta.version_build,
            vercomments: truncate(&meta.version_comments, MAX_COMMENT),
            verid: parse_guid(&meta.version_guid).unwrap_or(Uuid::nil()),
        };
        let row = PackageRow {
            name: put.name.clone(),
            id: Some(put.id),
            description: put.description.clone(),
            createdate: Some(put.createdate.rfc3339()),
            size: data.len() as u64,
            vermajor: put.vermajor,
            verminor: put.verminor,
            verbuild: put.verbuild,
            vercomments: put.vercomments.clone(),
            verid: Some(put.verid),
        };
        self.forget_written();
        if replace {
            self.call(procs::put_package(put))?;
        } else if !self.call(procs::put_new_package(put))? {
            // Checked and written in one transaction: of two writers, one
            // writes and the other lands here.
            return Err(Error::new(
                ErrorKind::AlreadyExists,
                format!(
                    "package '{}' already exists; ask for replacement to overwrite it",
                    self.path(package)
                ),
            )
            .with_target(self.path(package)));
        }
        let entry = self.entry(&names, row);
        if let Ok(mut w) = self.written.lock() {
            *w = Some((Self::cache_key(package), entry, Instant::now()));
        }
        Ok(())
    }

    fn delete_package(&self, package: &[String]) -> Result<()> {
        let (folder, name) = split_package(&self.name, package)?;
        let Some((id, _)) = self.find_folder(folder)? else {
            return Err(package_not_found(&self.path(package)));
        };
        self.forget_written();
        // sp_ssis_deletepackage is silent about a missing package.
        if !self.call(procs::check_exists(name.to_string(), id))? {
            return Err(package_not_found(&self.path(package)));
        }
        self.call(procs::delete_package(name.to_string(), id))?;
        Ok(())
    }
}

/// The bytes of the package at `path` in the msdb of `server`, for
/// `ssis exec /SQL path /SERVER server` (dtexec's `/SQL`): folders separated
/// by `\` (or `/`), the package name last, a leading separator optional.
/// Credentials and options as for a configured folder without a
/// configuration file ([`options`]).
pub fn fetch_package(server: &str, path: &str) -> Result<Vec<u8>> {
    let store = SqlServerStore::configured("MSDB", server, None, ConnectOptions::default());
    fetch_from(&store, path)
}

/// [`fetch_package`] with explicit options.
pub fn fetch_package_with(server: &str, path: &str, options: ConnectOptions) -> Result<Vec<u8>> {
    let store = SqlServerStore::with_options("MSDB", server, None, options);
    fetch_from(&store, path)
}

fn fetch_from(store: &SqlServerStore, path: &str) -> Result<Vec<u8>> {
    let segments: Vec<String> = path
        .split(['\\', '/'])
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    if segments.is_empty() {
        return Err(Error::invalid(format!(
            "/SQL path '{path}' names no package; write 'folder\\package' or 'package'"
        ))
        .with_target(path.to_string()));
    }
    for s in &segments {
        super::validate_name(s, "/SQL path segment")?;
    }
    store.read_package(&segments).map_err(|e| {
        if e.kind == ErrorKind::NotFound {
            Error::not_found(format!(
                "package '{path}' does not exist in msdb on server '{server}'",
                server = store.server()
            ))
            .with_target(path.to_string())
        } else {
            e
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_counts_utf16_units() {
        assert_eq!(truncate("abc", 2), "ab");
        assert_eq!(truncate("a😀b", 2), "a");
        assert_eq!(truncate("abc", 10), "abc");
    }

    #[test]
    fn guids_parse_with_or_without_braces() {
        let g = parse_guid("{ACAA6774-0E7B-4B4B-9E8D-7C1B1A2B3C4D}").unwrap();
        assert_eq!(
            g.hyphenated().to_string(),
            "acaa6774-0e7b-4b4b-9e8d-7c1b1a2b3c4d"
        );
        assert!(parse_guid("nope").is_none());
    }

    #[test]
    fn unreachable_server_is_a_connection_error_naming_folder_and_file() {
        // A port nobody listens on: bind, read the port, close.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let options = ConnectOptions {
            user: Some("u".into()),
            password: Some("p".into()),
            encrypt: Encrypt::Optional,
            connect_timeout: std::time::Duration::from_secs(5),
            ..ConnectOptions::default()
        };
        let s = SqlServerStore::with_options(
            "MSDB",
            format!("127.0.0.1,{port}"),
            Some(PathBuf::from("/etc/ssis/MsDtsSrvr.ini.xml")),
            options,
        );
        let e = s.list_folders(&[]).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Connection);
        assert!(
            e.message.starts_with(&format!(
                "The SQL Server instance specified in the service configuration ('127.0.0.1,{port}', \
                 folder 'MSDB', configuration file '/etc/ssis/MsDtsSrvr.ini.xml') is not present \
                 or not available: cannot connect to 127.0.0.1:{port}"
            )),
            "{e}"
        );
    }
}
