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

mod errors;
mod files;
mod fs_ops;
mod listing;
mod lookup;
mod operations;

use super::backend::full_path;
use super::index::PackageIndex;
use crate::config::FileMode;
use std::path::{Path, PathBuf};
use std::sync::Arc;

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
}
