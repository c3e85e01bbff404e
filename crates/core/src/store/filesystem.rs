//! The File System store: packages as `.dtsx` files under a root directory.
//!
//! Safety rules, enforced here for every operation:
//! - On-disk paths are built only by joining validated names to the root.
//! - Symbolic links inside the root are never followed: listings skip them
//!   and operations that meet one refuse (AccessDenied). The root itself may
//!   be a link.
//! - Names are looked up case-insensitively; an exact match wins when two
//!   entries differ only by case.
//! - Every write goes through [`crate::fsutil::write_atomic`]; temporary
//!   files (`.ssis-tmp-*`) are hidden from listings.

use super::backend::{PackageStore, folder_not_found, full_path, package_not_found, split_package};
use super::entries::PackageEntry;
use super::index::{FileKey, Indexed, PackageIndex};
use super::path::{MAX_NAME_BYTES, TEMP_PREFIX, fold_case, validate_name};
use super::wire::{WireEntries, apply_tail, json_escaped};
use crate::config::FileMode;
use crate::error::{Error, ErrorKind, Result};
use crate::package::{PackageMetadata, read_metadata, read_metadata_bytes};
use std::fs;
use std::io;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

/// The package file extension.
const EXTENSION: &str = ".dtsx";

/// A `FileSystemFolder`: packages as `.dtsx` files under `root`.
#[derive(Debug, Clone)]
pub struct FileSystemStore {
    name: String,
    root: PathBuf,
    threads: usize,
    /// The Unix mode of a new package file.
    file_mode: FileMode,
    /// What earlier listings read, by file (the service keeps one warm).
    index: Option<Arc<PackageIndex>>,
}

/// What a lookup wants to find.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Want {
    Folder,
    Package,
}

/// A folder met in a recursive walk: its segments, its store path and its
/// packages (name, file).
type WalkedFolder = (Vec<String>, String, Vec<(String, PathBuf)>);

/// One directory's listing: subfolder names and packages (name, file).
#[derive(Default)]
struct DirListing {
    folders: Vec<String>,
    packages: Vec<(String, PathBuf)>,
}

impl FileSystemStore {
    /// The top-level folder `name` stored in the directory `root`. The
    /// directory need not exist yet; operations report it when it does not.
    pub fn new(name: impl Into<String>, root: impl Into<PathBuf>) -> FileSystemStore {
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1);
        FileSystemStore {
            name: name.into(),
            root: root.into(),
            threads,
            file_mode: FileMode::STORE_DEFAULT,
            index: None,
        }
    }

    /// Sets the Unix mode new package files get (`StoreFileMode`; default
    /// 0644). A replaced package keeps the mode it had.
    pub fn with_file_mode(mut self, mode: FileMode) -> FileSystemStore {
        self.file_mode = mode;
        self
    }

    /// Lists through `index`: a file whose key (size, mtime, inode, ctime)
    /// is the one the index read it with is not read again.
    pub fn with_index(mut self, index: Arc<PackageIndex>) -> FileSystemStore {
        self.index = Some(index);
        self
    }

    /// Sets how many threads a recursive listing reads package headers with
    /// (default: the number of CPUs; at least 1).
    pub fn with_threads(mut self, threads: usize) -> FileSystemStore {
        self.threads = threads.max(1);
        self
    }

    /// The directory this store keeps its packages in.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn path_of(&self, segments: &[String]) -> String {
        full_path(&self.name, segments)
    }

    /// The root directory, checked to exist.
    fn root_dir(&self) -> Result<&Path> {
        match fs::metadata(&self.root) {
            Ok(md) if md.is_dir() => Ok(&self.root),
            Ok(_) => Err(Error::new(
                ErrorKind::Configuration,
                format!(
                    "the store path '{}' of folder '{}' is not a directory",
                    self.root.display(),
                    self.name
                ),
            )
            .with_target(self.root.display().to_string())),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Err(Error::not_found(format!(
                "the directory '{}' of store folder '{}' does not exist",
                self.root.display(),
                self.name
            ))
            .with_target(self.root.display().to_string())),
            Err(e) => Err(Error::io(&e, "open the store directory", &self.root)),
        }
    }

    fn symlink_refused(&self, segments: &[String]) -> Error {
        let path = self.path_of(segments);
        Error::new(
            ErrorKind::AccessDenied,
            format!(
                "'{path}' is a symbolic link; the store does not follow links \
                 (nothing outside the store directory is read or written)"
            ),
        )
        .with_target(path)
    }

    /// Finds `name` (a folder, or a package without its extension) in `dir`:
    /// the exact name first, else a case-insensitive match (the first in
    /// sorted order). `segments` is the store path of the wanted item, for errors.
    fn find(
        &self,
        dir: &Path,
        name: &str,
        want: Want,
        segments: &[String],
    ) -> Result<Option<PathBuf>> {
        let file_name = match want {
            Want::Folder => name.to_string(),
            Want::Package => format!("{name}{EXTENSION}"),
        };
        // Checked before the file system is asked: a longer name would come
        // back as an I/O error (ENAMETOOLONG) from the lookup.
        if file_name.len() > MAX_NAME_BYTES {
            return Err(Error::invalid(format!(
                "package name '{name}' is {} bytes long; with '{EXTENSION}' a file name may be at \
                 most {MAX_NAME_BYTES} bytes, so a package name at most {} bytes (UTF-8)",
                name.len(),
                MAX_NAME_BYTES - EXTENSION.len()
            ))
            .with_target(self.path_of(segments)));
        }
        let exact = dir.join(&file_name);
        let wanted = |ft: fs::FileType| match want {
            Want::Folder => ft.is_dir(),
            Want::Package => ft.is_file(),
        };
        match fs::symlink_metadata(&exact) {
            Ok(md) if md.file_type().is_symlink() => {
                // On a case-insensitive file system this may be another
                // spelling of the same link; either way, it is refused.
                return Err(self.symlink_refused(segments));
            }
            // On a case-insensitive file system (Windows) the exact spelling
            // opens the file whatever its stored case: the scan below finds
            // the stored name, which listings and renames report.
            Ok(md) if wanted(md.file_type()) && !cfg!(windows) => {
                return Ok(Some(exact));
            }
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(&e, "look up", &exact)),
        }
        let folded = fold_case(&file_name);
        let mut matches = Vec::new();
        let mut link = false;
        let entries = fs::read_dir(dir).map_err(|e| Error::io(&e, "list", dir))?;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(&e, "list", dir))?;
            let os_name = entry.file_name();
            let Some(candidate) = os_name.to_str() else {
                continue;
            };
            if fold_case(candidate) != folded {
                continue;
            }
            let ft = entry
                .file_type()
                .map_err(|e| Error::io(&e, "look up", &entry.path()))?;
            if ft.is_symlink() {
                link = true;
            } else if wanted(ft) {
                matches.push(candidate.to_string());
            }
        }
        if matches.contains(&file_name) {
            return Ok(Some(exact));
        }
        matches.sort();
        match matches.into_iter().next() {
            Some(found) => Ok(Some(dir.join(found))),
            None if link => Err(self.symlink_refused(segments)),
            None => Ok(None),
        }
    }

    /// The directory of `folder`, every step checked.
    fn resolve_folder(&self, folder: &[String]) -> Result<PathBuf> {
        Ok(self.resolve_folder_named(folder)?.0)
    }

    /// The directory of `folder` and its segments as spelled on disk.
    fn resolve_folder_named(&self, folder: &[String]) -> Result<(PathBuf, Vec<String>)> {
        let mut dir = self.root_dir()?.to_path_buf();
        let mut stored = Vec::with_capacity(folder.len());
        for (i, name) in folder.iter().enumerate() {
            validate_name(name, "folder name")?;
            match self.find(&dir, name, Want::Folder, &folder[..=i])? {
                Some(next) => {
                    let spelled = next.file_name().and_then(|n| n.to_str()).unwrap_or(name);
                    stored.push(spelled.to_string());
                    dir = next;
                }
                None => return Err(folder_not_found(&self.path_of(&folder[..=i]))),
            }
        }
        Ok((dir, stored))
    }

    /// The folder directory and the existing file (if any) of `package`.
    fn resolve_package(&self, package: &[String]) -> Result<(PathBuf, Option<PathBuf>)> {
        let (folder, name) = split_package(&self.name, package)?;
        validate_name(name, "package name")?;
        let dir = self.resolve_folder(folder)?;
        let file = self.find(&dir, name, Want::Package, package)?;
        Ok((dir, file))
    }

    /// The existing file of `package`, or NotFound.
    fn existing_package(&self, package: &[String]) -> Result<PathBuf> {
        match self.resolve_package(package)? {
            (_, Some(file)) => Ok(file),
            (_, None) => Err(package_not_found(&self.path_of(package))),
        }
    }

    /// Lists `dir`: valid-named subfolders and `.dtsx` files, sorted; links,
    /// temporary files and names no store path can address are skipped.
    fn scan(&self, dir: &Path) -> Result<DirListing> {
        let mut out = DirListing::default();
        let entries = fs::read_dir(dir).map_err(|e| Error::io(&e, "list", dir))?;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(&e, "list", dir))?;
            let os_name = entry.file_name();
            let Some(name) = os_name.to_str() else {
                continue;
            };
            if name.starts_with(TEMP_PREFIX) {
                continue;
            }
            let Ok(ft) = entry.file_type() else {
                continue;
            };
            if ft.is_dir() {
                if validate_name(name, "folder name").is_ok() {
                    out.folders.push(name.to_string());
                }
            } else if ft.is_file() {
                if let Some(stem) = package_stem(name) {
                    if validate_name(stem, "package name").is_ok() {
                        out.packages.push((stem.to_string(), entry.path()));
                    }
                }
            }
        }
        out.folders
            .sort_by_cached_key(|n| (fold_case(n), n.clone()));
        out.packages
            .sort_by_cached_key(|(n, _)| (fold_case(n), n.clone()));
        Ok(out)
    }

    /// The entry of the package `name` stored in `file`, in folder `folder`.
    /// `head` is a scratch buffer, reused from call to call.
    fn entry(
        &self,
        folder: &[String],
        folder_path: &str,
        name: &str,
        file: &Path,
        head: &mut Vec<u8>,
    ) -> PackageEntry {
        let mut segments = folder.to_vec();
        segments.push(name.to_string());
        let mut entry = PackageEntry {
            name: name.to_string(),
            path: self.path_of(&segments),
            folder: folder_path.to_string(),
            size: 0,
            modified: None,
            metadata: None,
            error: None,
            folder_unavailable: false,
        };
        if let Some(hit) = self.indexed(file) {
            if apply_tail(&mut entry, hit.tail()) {
                return entry;
            }
        }
        let read_at = SystemTime::now();
        match read_head(file, head) {
            Ok(md) => {
                entry.size = md.len();
                entry.modified = md
                    .modified()
                    .ok()
                    .map(|t| crate::timefmt::rfc3339(t, false));
                match guarded_metadata(file, head) {
                    Ok(md) => entry.metadata = Some(md),
                    Err(e) => entry.error = Some(e),
                }
                if let Some(index) = &self.index {
                    index.put(file, &md, read_at, &entry);
                }
            }
            Err(e) if is_link_error(&e) => entry.error = Some(self.symlink_refused(&segments)),
            Err(e) => entry.error = Some(Error::io(&e, "read", file)),
        }
        entry
    }
}

impl FileSystemStore {
    /// What the index holds for `file`, when its key is still the file's.
    fn indexed(&self, file: &Path) -> Option<Arc<Indexed>> {
        let index = self.index.as_ref()?;
        let md = fs::symlink_metadata(file).ok()?;
        index.get(file, &FileKey::of(&md)).filter(|_| md.is_file())
    }

    /// As [`Self::indexed`], the file's status taken relative to its
    /// directory, kept open in `dirs` (no path lookup from the root).
    fn indexed_in(&self, dirs: &mut OpenDir, file: &Path) -> Option<Arc<Indexed>> {
        let index = self.index.as_ref()?;
        let key = dirs.key(file)?;
        index.get(file, &key)
    }

    /// Appends the entry of the package `name` stored in `file` to `out`:
    /// from the index's JSON when the file is unchanged, else as [`Self::entry`].
    /// `folder` is the folder's segments, store path and that path escaped
    /// for JSON.
    fn entry_wire(
        &self,
        (folder, folder_path, escaped): (&[String], &str, &[u8]),
        (name, file): (&str, &Path),
        (dirs, head): (&mut OpenDir, &mut Vec<u8>),
        out: &mut WireEntries,
    ) {
        match self.indexed_in(dirs, file) {
            Some(hit) => out.push_named(name, escaped, hit.tail()),
            None => out.push(&self.entry(folder, folder_path, name, file, head)),
        }
    }

    /// Every folder from `folder` down (directory listings only), in listing
    /// order, with its packages.
    fn walk(&self, folder: &[String]) -> Result<Vec<WalkedFolder>> {
        let (dir, folder) = self.resolve_folder_named(folder)?;
        let mut folders: Vec<WalkedFolder> = Vec::new();
        let mut stack = vec![(folder, dir)];
        while let Some((segments, dir)) = stack.pop() {
            let listing = self.scan(&dir)?;
            for sub in listing.folders.iter().rev() {
                let mut child = segments.clone();
                child.push(sub.clone());
                stack.push((child, dir.join(sub)));
            }
            let path = self.path_of(&segments);
            folders.push((segments, path, listing.packages));
        }
        Ok(folders)
    }

    /// Runs `run` over the packages of `folders` (folder index, name, file)
    /// on up to `threads` threads, in contiguous slices; the results in order.
    fn on_threads<R: Send>(
        &self,
        folders: &[WalkedFolder],
        run: impl Fn(&[(usize, &str, &Path)]) -> R + Sync,
    ) -> Result<Vec<R>> {
        let jobs: Vec<(usize, &str, &Path)> = folders
            .iter()
            .enumerate()
            .flat_map(|(i, (_, _, packages))| {
                packages
                    .iter()
                    .map(move |(n, f)| (i, n.as_str(), f.as_path()))
            })
            .collect();
        let threads = self.threads.min(jobs.len() / 64).max(1);
        if threads == 1 {
            return Ok(vec![run(&jobs)]);
        }
        let chunk = jobs.len().div_ceil(threads);
        let run = &run;
        let results: Vec<Option<R>> = std::thread::scope(|scope| {
            let handles: Vec<_> = jobs
                .chunks(chunk)
                .map(|c| scope.spawn(move || run(c)))
                .collect();
            handles.into_iter().map(|h| h.join().ok()).collect()
        });
        results
            .into_iter()
            .collect::<Option<Vec<R>>>()
            .ok_or_else(|| Error::internal("bug: a listing thread panicked; please report it"))
    }
}

/// The directory a listing is in, kept open so that its files' status is
/// taken relative to it (`fstatat`).
#[derive(Default)]
struct OpenDir {
    #[cfg(unix)]
    dir: Option<(PathBuf, fs::File)>,
}

impl OpenDir {
    /// The key of `file` (not followed if a link), if it is a regular file.
    #[cfg(unix)]
    fn key(&mut self, file: &Path) -> Option<FileKey> {
        use std::os::fd::AsRawFd;
        use std::os::unix::ffi::OsStrExt;
        let (parent, name) = (file.parent()?, file.file_name()?);
        if self
            .dir
            .as_ref()
            .is_none_or(|(p, _)| p.as_os_str() != parent.as_os_str())
        {
            self.dir = fs::File::open(parent)
                .ok()
                .map(|f| (parent.to_path_buf(), f));
        }
        let (_, dir) = self.dir.as_ref()?;
        let name = std::ffi::CString::new(name.as_bytes()).ok()?;
        // SAFETY: a valid descriptor, a NUL-terminated name and a buffer of
        // the right type; the buffer is read only when the call succeeded.
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        let rc = unsafe {
            libc::fstatat(
                dir.as_raw_fd(),
                name.as_ptr(),
                &mut st,
                libc::AT_SYMLINK_NOFOLLOW,
            )
        };
        (rc == 0 && st.st_mode & libc::S_IFMT == libc::S_IFREG).then(|| FileKey::of_stat(&st))
    }

    /// The key of `file` (not followed if a link), if it is a regular file.
    #[cfg(windows)]
    fn key(&mut self, file: &Path) -> Option<FileKey> {
        let md = fs::symlink_metadata(file).ok()?;
        md.is_file().then(|| FileKey::of(&md))
    }
}

/// How much of a package a listing reads at first: the SSIS 2012+ identity
/// sits in the root element, well inside it.
const HEAD_BYTES: usize = 8192;

/// Opens `file` without following a link (one open, no path race), and
/// reads its status and up to [`HEAD_BYTES`] of its start into `head`.
fn read_head(file: &Path, head: &mut Vec<u8>) -> io::Result<fs::Metadata> {
    let f = open_no_follow(file)?;
    let md = f.metadata()?;
    head.clear();
    head.reserve(HEAD_BYTES);
    io::Read::take(&f, HEAD_BYTES as u64).read_to_end(head)?;
    Ok(md)
}

/// Opens `path` for reading; a symbolic link is an error (see [`is_link_error`]).
#[cfg(unix)]
fn open_no_follow(path: &Path) -> io::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
}

/// Opens `path` for reading; a symbolic link or other reparse point is an
/// error (see [`is_link_error`]).
#[cfg(windows)]
fn open_no_follow(path: &Path) -> io::Result<fs::File> {
    use std::os::windows::fs::OpenOptionsExt;
    const FILE_FLAG_OPEN_REPARSE_POINT: u32 = 0x0020_0000;
    let f = fs::OpenOptions::new()
        .read(true)
        .custom_flags(FILE_FLAG_OPEN_REPARSE_POINT)
        .open(path)?;
    if f.metadata()?.file_type().is_symlink() {
        return Err(io::Error::from_raw_os_error(ERROR_STOPPED_ON_SYMLINK));
    }
    Ok(f)
}

/// Windows' "the operation stopped at a symbolic link" error code.
#[cfg(windows)]
const ERROR_STOPPED_ON_SYMLINK: i32 = 681;

/// True for the error [`open_no_follow`] gives on a link.
#[cfg(unix)]
fn is_link_error(e: &io::Error) -> bool {
    e.raw_os_error() == Some(libc::ELOOP)
}

/// True for the error [`open_no_follow`] gives on a link.
#[cfg(windows)]
fn is_link_error(e: &io::Error) -> bool {
    e.raw_os_error() == Some(ERROR_STOPPED_ON_SYMLINK)
}

/// The package name of a file name ending in `.dtsx` (any case).
fn package_stem(file_name: &str) -> Option<&str> {
    let cut = file_name.len().checked_sub(EXTENSION.len())?;
    if cut == 0 || !file_name.is_char_boundary(cut) {
        return None;
    }
    let (stem, ext) = file_name.split_at(cut);
    ext.eq_ignore_ascii_case(EXTENSION).then_some(stem)
}

/// Reads a package's metadata from `head` (the start of `file`), or from
/// the whole file when the head is not enough (SSIS 2005/2008 packages keep
/// their identity after their contents); errors always come from the file
/// reader, so they name the file. A panic in the reader becomes an Internal
/// error on that one package instead of taking the whole listing down.
fn guarded_metadata(file: &Path, head: &[u8]) -> Result<PackageMetadata> {
    std::panic::catch_unwind(|| {
        read_metadata_bytes(head, &file.display().to_string()).or_else(|_| read_metadata(file))
    })
    .unwrap_or_else(|_| {
        Err(Error::internal(format!(
            "bug: the package reader panicked on '{}'; please report it",
            file.display()
        ))
        .with_file(file))
    })
}

impl PackageStore for FileSystemStore {
    fn top_level_name(&self) -> &str {
        &self.name
    }

    fn list_folders(&self, folder: &[String]) -> Result<Vec<String>> {
        let dir = self.resolve_folder(folder)?;
        Ok(self.scan(&dir)?.folders)
    }

    fn list_packages(&self, folder: &[String]) -> Result<Vec<PackageEntry>> {
        let (dir, folder) = self.resolve_folder_named(folder)?;
        let folder_path = self.path_of(&folder);
        let mut head = Vec::new();
        Ok(self
            .scan(&dir)?
            .packages
            .iter()
            .map(|(name, file)| self.entry(&folder, &folder_path, name, file, &mut head))
            .collect())
    }

    /// Walks the folders first (directory listings only), then reads the
    /// package headers on up to `threads` threads.
    fn list_packages_recursive(&self, folder: &[String]) -> Result<Vec<PackageEntry>> {
        let folders = self.walk(folder)?;
        let parts = self.on_threads(&folders, |chunk| {
            let mut head = Vec::new();
            chunk
                .iter()
                .map(|&(i, name, file)| {
                    self.entry(&folders[i].0, &folders[i].1, name, file, &mut head)
                })
                .collect::<Vec<_>>()
        })?;
        Ok(parts.into_iter().flatten().collect())
    }

    /// As the listings above, serialized; entries of unchanged files are
    /// copied from the index.
    fn list_packages_wire(&self, folder: &[String], recursive: bool) -> Result<WireEntries> {
        let folders = if recursive {
            self.walk(folder)?
        } else {
            let (dir, folder) = self.resolve_folder_named(folder)?;
            let path = self.path_of(&folder);
            vec![(folder, path, self.scan(&dir)?.packages)]
        };
        let escaped: Vec<Vec<u8>> = folders.iter().map(|f| json_escaped(&f.1)).collect();
        let parts = self.on_threads(&folders, |chunk| {
            let (mut dirs, mut head, mut out) =
                (OpenDir::default(), Vec::new(), WireEntries::new());
            for &(i, name, file) in chunk {
                let (segments, path, _) = &folders[i];
                let folder = (segments.as_slice(), path.as_str(), escaped[i].as_slice());
                self.entry_wire(folder, (name, file), (&mut dirs, &mut head), &mut out);
            }
            out
        })?;
        let mut all = WireEntries::new();
        for part in parts {
            all.append(part);
        }
        Ok(all)
    }

    fn package_info(&self, package: &[String]) -> Result<PackageEntry> {
        let (folder, name) = split_package(&self.name, package)?;
        validate_name(name, "package name")?;
        let (dir, folder) = self.resolve_folder_named(folder)?;
        let file = self
            .find(&dir, name, Want::Package, package)?
            .ok_or_else(|| package_not_found(&self.path_of(package)))?;
        // Report names as stored on disk, which may differ in case.
        let name = file
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(package_stem)
            .unwrap_or(name)
            .to_string();
        Ok(self.entry(
            &folder,
            &self.path_of(&folder),
            &name,
            &file,
            &mut Vec::new(),
        ))
    }

    fn folder_exists(&self, folder: &[String]) -> Result<bool> {
        match self.resolve_folder(folder) {
            Ok(_) => Ok(true),
            Err(e) if e.kind == ErrorKind::NotFound && !folder.is_empty() => {
                // A missing root is a configuration problem worth reporting.
                self.root_dir()?;
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    fn package_exists(&self, package: &[String]) -> Result<bool> {
        match self.resolve_package(package) {
            Ok((_, file)) => Ok(file.is_some()),
            Err(e) if e.kind == ErrorKind::NotFound => {
                self.root_dir()?;
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    fn create_folder(&self, folder: &[String]) -> Result<()> {
        let (name, parent) = folder.split_last().ok_or_else(|| {
            Error::new(
                ErrorKind::AlreadyExists,
                format!(
                    "'{}' is a top-level folder; it always exists",
                    self.path_of(&[])
                ),
            )
        })?;
        validate_name(name, "folder name")?;
        let dir = self.resolve_folder(parent)?;
        let path = self.path_of(folder);
        if self.find(&dir, name, Want::Folder, folder)?.is_some() {
            return Err(already_exists("folder", &path));
        }
        let target = dir.join(name);
        fs::create_dir(&target).map_err(|e| match e.kind() {
            io::ErrorKind::AlreadyExists => already_exists_as_file(&path, &target),
            _ => Error::io(&e, "create the folder", &target),
        })
    }

    fn rename_folder(&self, folder: &[String], new_name: &str) -> Result<()> {
        let (_, parent) = folder
            .split_last()
            .ok_or_else(|| top_level_fixed(&self.name))?;
        validate_name(new_name, "new folder name")?;
        let source = self.resolve_folder(folder)?;
        let dir = self.resolve_folder(parent)?;
        let old_name = source
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        if old_name == new_name {
            return Ok(());
        }
        let target = dir.join(new_name);
        let mut new_segments = parent.to_vec();
        new_segments.push(new_name.to_string());
        let new_path = self.path_of(&new_segments);
        if fold_case(&old_name) == fold_case(new_name) {
            // Only the case changes: the same folder, renamed in place.
            return rename_case(&source, &target)
                .map_err(|e| Error::io(&e, "rename the folder", &source));
        }
        if self
            .find(&dir, new_name, Want::Folder, &new_segments)?
            .is_some()
        {
            return Err(already_exists("folder", &new_path));
        }
        rename_dir_no_clobber(&source, &target).map_err(|e| match e.kind() {
            io::ErrorKind::AlreadyExists => already_exists_as_file(&new_path, &target),
            _ => Error::io(&e, "rename the folder", &source),
        })
    }

    fn delete_folder(&self, folder: &[String], recursive: bool) -> Result<()> {
        if folder.is_empty() {
            return Err(top_level_fixed(&self.name));
        }
        let dir = self.resolve_folder(folder)?;
        let path = self.path_of(folder);
        if recursive {
            // std's remove_dir_all removes links without following them.
            return fs::remove_dir_all(&dir).map_err(|e| Error::io(&e, "delete the folder", &dir));
        }
        let listing = self.scan(&dir)?;
        if !listing.folders.is_empty() || !listing.packages.is_empty() {
            return Err(Error::new(
                ErrorKind::NotEmpty,
                format!(
                    "folder '{path}' is not empty ({} folders, {} packages); \
                     ask for a recursive delete to remove it with its contents",
                    listing.folders.len(),
                    listing.packages.len()
                ),
            )
            .with_target(path));
        }
        remove_stale_temp_files(&dir);
        fs::remove_dir(&dir).map_err(|e| {
            if dir_not_empty(&e) {
                Error::new(
                    ErrorKind::NotEmpty,
                    format!(
                        "folder '{path}' holds files that are not packages; \
                         ask for a recursive delete to remove them too"
                    ),
                )
                .with_target(path.clone())
            } else {
                Error::io(&e, "delete the folder", &dir)
            }
        })
    }

    fn package_file(&self, package: &[String]) -> Result<Option<PathBuf>> {
        self.existing_package(package).map(Some)
    }

    fn read_package(&self, package: &[String]) -> Result<Vec<u8>> {
        let file = self.existing_package(package)?;
        let mut data = Vec::new();
        open_no_follow(&file)
            .and_then(|mut f| f.read_to_end(&mut data))
            .map_err(|e| {
                if is_link_error(&e) {
                    self.symlink_refused(package)
                } else {
                    Error::io(&e, "read", &file)
                }
            })?;
        Ok(data)
    }

    fn write_package(&self, package: &[String], data: &[u8], replace: bool) -> Result<()> {
        let (dir, existing) = self.resolve_package(package)?;
        let path = self.path_of(package);
        let name = &package[package.len() - 1];
        let target = match existing {
            Some(_) if !replace => return Err(already_exists("package", &path)),
            Some(file) => file,
            None => dir.join(format!("{name}{EXTENSION}")),
        };
        crate::fsutil::write_atomic_shared(&target, data, replace, self.file_mode.bits()).map_err(
            |e| {
                if e.kind == ErrorKind::AlreadyExists {
                    already_exists("package", &path)
                } else {
                    e
                }
            },
        )
    }

    fn delete_package(&self, package: &[String]) -> Result<()> {
        let file = self.existing_package(package)?;
        fs::remove_file(&file).map_err(|e| Error::io(&e, "delete", &file))
    }

    fn rename_package(&self, from: &[String], to: &[String], replace: bool) -> Result<()> {
        let source = self.existing_package(from)?;
        let (dir, existing) = self.resolve_package(to)?;
        let to_path = self.path_of(to);
        let name = &to[to.len() - 1];
        let target = dir.join(format!("{name}{EXTENSION}"));
        if let Some(existing) = existing {
            if existing == source || same_file(&existing, &source) {
                if existing.file_name() == target.file_name() {
                    return Err(Error::invalid(format!(
                        "'{}' and '{to_path}' are the same package",
                        self.path_of(from)
                    ))
                    .with_target(to_path));
                }
                // Only the case of the name changes.
                return rename_case(&source, &target).map_err(|e| Error::io(&e, "rename", &source));
            }
            if !replace {
                return Err(already_exists("package", &to_path));
            }
            return fs::rename(&source, &existing).map_err(|e| Error::io(&e, "move", &source));
        }
        if replace {
            return fs::rename(&source, &target).map_err(|e| Error::io(&e, "move", &source));
        }
        // No replace: a hard link is an atomic create-if-absent.
        match fs::hard_link(&source, &target) {
            Ok(()) => fs::remove_file(&source).map_err(|e| Error::io(&e, "delete", &source)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                Err(already_exists("package", &to_path))
            }
            Err(_) => {
                // No hard links here (e.g. FAT): copy atomically, then delete.
                let data = fs::read(&source).map_err(|e| Error::io(&e, "read", &source))?;
                self.write_package(to, &data, false)?;
                fs::remove_file(&source).map_err(|e| Error::io(&e, "delete", &source))
            }
        }
    }
}

fn already_exists(what: &str, path: &str) -> Error {
    Error::new(
        ErrorKind::AlreadyExists,
        format!("{what} '{path}' already exists; ask to replace it to overwrite"),
    )
    .with_target(path)
}

fn already_exists_as_file(path: &str, target: &Path) -> Error {
    Error::new(
        ErrorKind::AlreadyExists,
        format!(
            "cannot create folder '{path}': '{}' already exists and is not a folder",
            target.display()
        ),
    )
    .with_target(path)
}

fn top_level_fixed(name: &str) -> Error {
    Error::invalid(format!(
        "'\\{name}' is a top-level folder: top-level folders come from the service \
         configuration and cannot be renamed or deleted here"
    ))
    .with_target(format!("\\{name}"))
}

fn dir_not_empty(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::DirectoryNotEmpty
}

/// Leftovers of interrupted writes (`.ssis-tmp-*`) in `dir`, removed before
/// deleting an otherwise empty folder.
fn remove_stale_temp_files(dir: &Path) {
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries.flatten() {
            let is_temp = entry
                .file_name()
                .to_str()
                .is_some_and(|n| n.starts_with(TEMP_PREFIX));
            if is_temp && entry.file_type().is_ok_and(|t| t.is_file()) {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}

/// True when two paths name the same file (case-insensitive file systems).
fn same_file(a: &Path, b: &Path) -> bool {
    match (fs::canonicalize(a), fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Renames `from` to `to`, two spellings of one name differing only by case.
/// Some case-insensitive file systems (Wine's mapping onto a Unix one) take
/// the rename for a no-op; then it goes through a temporary name.
fn rename_case(from: &Path, to: &Path) -> io::Result<()> {
    fs::rename(from, to)?;
    let (Some(dir), Some(wanted)) = (to.parent(), to.file_name()) else {
        return Ok(());
    };
    let stored = fs::read_dir(dir)?
        .flatten()
        .any(|e| e.file_name().as_os_str() == wanted);
    if stored {
        return Ok(());
    }
    let temp = dir.join(format!("{TEMP_PREFIX}{}", uuid::Uuid::new_v4().simple()));
    fs::rename(from, &temp)?;
    fs::rename(&temp, to).inspect_err(|_| {
        let _ = fs::rename(&temp, from);
    })
}

/// Renames the directory `from` to `to`, failing with AlreadyExists when
/// `to` exists (POSIX rename would silently replace an empty directory).
#[cfg(unix)]
fn rename_dir_no_clobber(from: &Path, to: &Path) -> io::Result<()> {
    // Claim the name atomically, then rename over our own empty directory.
    fs::create_dir(to)?;
    fs::rename(from, to).inspect_err(|_| {
        let _ = fs::remove_dir(to);
    })
}

/// Renames the directory `from` to `to`, failing when `to` exists (Windows
/// never renames a directory over an existing one).
#[cfg(windows)]
fn rename_dir_no_clobber(from: &Path, to: &Path) -> io::Result<()> {
    if fs::symlink_metadata(to).is_ok() {
        return Err(io::Error::from(io::ErrorKind::AlreadyExists));
    }
    fs::rename(from, to)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_stems() {
        assert_eq!(package_stem("A.dtsx"), Some("A"));
        assert_eq!(package_stem("Daily Load.DTSX"), Some("Daily Load"));
        assert_eq!(package_stem(".dtsx"), None);
        assert_eq!(package_stem("a.dtsx.bak"), None);
        assert_eq!(package_stem("ä"), None);
        assert_eq!(package_stem("éé.dtsx"), Some("éé"));
    }
}
