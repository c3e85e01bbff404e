//! A warm index of File System packages: what a listing read from each file
//! (size, time, identity, or the error), kept by path and trusted only while
//! the file's key — (size, mtime, inode, ctime) from one `stat` — is the one it
//! was read with. A listing then stats each file instead of reading it.
//!
//! Stale data is never served as fresh: every use checks the key; a file
//! modified within [`RACY_WINDOW`] of being read is read again (a rewrite in the
//! same timestamp tick keeps the key); notifications ([`PackageIndex::invalidate`])
//! and overflows ([`PackageIndex::clear`]) only drop entries early. Memory is
//! bounded: at most `capacity` entries; past it, new files are read as if there
//! were no index.

use super::entries::PackageEntry;
use super::wire::entry_tail;
use std::collections::HashMap;
use std::fs;
use std::hash::BuildHasher;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// A file modified this close to (or after) the moment it was read is read
/// again next time: covers file systems whose timestamps are coarse.
pub const RACY_WINDOW: Duration = Duration::from_secs(2);

/// Entries kept by default per index (about 0.5 KB each).
pub const DEFAULT_CAPACITY: usize = 500_000;

const SHARDS: usize = 16;

/// What identifies one version of a file without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileKey {
    size: u64,
    mtime: Option<SystemTime>,
    inode: u64,
    ctime: i128,
}

impl FileKey {
    /// The key of a file's status.
    pub fn of(md: &fs::Metadata) -> FileKey {
        FileKey {
            size: md.len(),
            mtime: md.modified().ok(),
            inode: inode(md),
            ctime: ctime(md),
        }
    }
}

#[cfg(unix)]
impl FileKey {
    /// The key of a status read with `stat(2)` (the same fields as
    /// [`FileKey::of`] takes from `fs::Metadata`).
    pub fn of_stat(st: &libc::stat) -> FileKey {
        #[allow(clippy::unnecessary_cast)] // the field types vary by target
        let (sec, nsec) = (st.st_mtime as i64, st.st_mtime_nsec as i64);
        let mtime = if sec >= 0 {
            SystemTime::UNIX_EPOCH.checked_add(Duration::new(sec as u64, nsec as u32))
        } else {
            SystemTime::UNIX_EPOCH
                .checked_sub(Duration::from_secs(sec.unsigned_abs()))
                .and_then(|t| t.checked_add(Duration::from_nanos(nsec as u64)))
        };
        #[allow(clippy::unnecessary_cast)]
        FileKey {
            size: st.st_size as u64,
            mtime,
            inode: st.st_ino as u64,
            ctime: i128::from(st.st_ctime as i64) * 1_000_000_000
                + i128::from(st.st_ctime_nsec as i64),
        }
    }
}

#[cfg(unix)]
fn inode(md: &fs::Metadata) -> u64 {
    use std::os::unix::fs::MetadataExt;
    md.ino()
}

#[cfg(unix)]
fn ctime(md: &fs::Metadata) -> i128 {
    use std::os::unix::fs::MetadataExt;
    i128::from(md.ctime()) * 1_000_000_000 + i128::from(md.ctime_nsec())
}

/// Windows: no inode or change time from a directory listing's status, so
/// a file rewritten in place with its size and modification time restored
/// keeps its key; the service's file-system notifications still see it.
#[cfg(windows)]
fn inode(_: &fs::Metadata) -> u64 {
    0
}

#[cfg(windows)]
fn ctime(md: &fs::Metadata) -> i128 {
    md.created()
        .ok()
        .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as i128)
}

/// What a listing read from one version of a file: the entry's size, time,
/// identity or error, kept as the JSON the service sends
/// ([`super::wire::entry_tail`]), so a listing copies it instead of
/// serializing fields.
#[derive(Debug, Clone)]
pub struct Indexed {
    key: FileKey,
    tail: Box<str>,
}

impl Indexed {
    /// The entry's members after `"Folder"`, as JSON without braces.
    pub fn tail(&self) -> &str {
        &self.tail
    }
}

type Shard = Mutex<HashMap<PathBuf, Arc<Indexed>>>;

/// The index of one store directory (shared by every store opened on it).
pub struct PackageIndex {
    shards: Vec<Shard>,
    capacity: usize,
    hasher: std::collections::hash_map::RandomState,
}

impl std::fmt::Debug for PackageIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PackageIndex")
            .field("len", &self.len())
            .field("capacity", &self.capacity)
            .finish()
    }
}

impl PackageIndex {
    /// An empty index of at most `capacity` entries.
    pub fn new(capacity: usize) -> PackageIndex {
        PackageIndex {
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
            capacity,
            hasher: Default::default(),
        }
    }

    fn shard(&self, path: &Path) -> &Shard {
        &self.shards[self.shard_index(path)]
    }

    fn shard_index(&self, path: &Path) -> usize {
        (self.hasher.hash_one(path) as usize) % SHARDS
    }

    /// What was read from `path` when its key was `key`, if that is still
    /// trustworthy.
    pub fn get(&self, path: &Path, key: &FileKey) -> Option<Arc<Indexed>> {
        let shard = self.shard(path).lock().ok()?;
        shard.get(path).filter(|e| e.key == *key).cloned()
    }

    /// Remembers what was read from `path` (status `md`, read at `read_at`),
    /// unless it is too fresh to trust later or the index is full.
    pub fn put(&self, path: &Path, md: &fs::Metadata, read_at: SystemTime, entry: &PackageEntry) {
        let key = FileKey::of(md);
        let racy = key
            .mtime
            .is_none_or(|m| m + RACY_WINDOW >= read_at || m > SystemTime::now());
        let held = self.shard_index(path);
        let Ok(mut shard) = self.shards[held].lock() else {
            return;
        };
        if racy {
            shard.remove(path);
            return;
        }
        if !shard.contains_key(path) && self.len_over(self.capacity, held, shard.len()) {
            return;
        }
        shard.insert(
            path.to_path_buf(),
            Arc::new(Indexed {
                key,
                tail: entry_tail(entry),
            }),
        );
    }

    /// Drops what is known of `path` and of everything below it.
    pub fn invalidate(&self, path: &Path) {
        for shard in &self.shards {
            if let Ok(mut s) = shard.lock() {
                s.retain(|p, _| !p.starts_with(path));
            }
        }
    }

    /// Drops everything (notifications were lost).
    pub fn clear(&self) {
        for shard in &self.shards {
            if let Ok(mut s) = shard.lock() {
                s.clear();
            }
        }
    }

    /// Entries held.
    pub fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().map_or(0, |s| s.len()))
            .sum()
    }

    /// True when nothing is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether at least `n` entries are held (stops counting early; a shard
    /// being written by this thread counts as its share).
    /// Whether the index holds `n` entries or more, counting the shard
    /// `held` (locked by the caller, holding `held_len`) without locking it
    /// again; a shard another thread holds counts as its share of `n`.
    fn len_over(&self, n: usize, held: usize, held_len: usize) -> bool {
        let mut total = held_len;
        for (i, shard) in self.shards.iter().enumerate() {
            if i == held {
                continue;
            }
            if total >= n {
                return true;
            }
            total += shard.try_lock().map_or(n / SHARDS, |s| s.len());
        }
        total >= n
    }
}

/// The indexes of a process, one per store directory, so that stores opened
/// again (a configuration reload) keep them.
#[derive(Debug)]
pub struct Indexes {
    capacity: usize,
    by_root: Mutex<HashMap<PathBuf, Arc<PackageIndex>>>,
}

impl Indexes {
    /// Indexes of at most `capacity` entries each.
    pub fn new(capacity: usize) -> Indexes {
        Indexes {
            capacity,
            by_root: Mutex::new(HashMap::new()),
        }
    }

    /// The index of the directory `root`, made on first use.
    pub fn for_root(&self, root: &Path) -> Arc<PackageIndex> {
        let mut map = self.by_root.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(root.to_path_buf())
            .or_insert_with(|| Arc::new(PackageIndex::new(self.capacity)))
            .clone()
    }

    /// Every directory indexed and its index.
    pub fn all(&self) -> Vec<(PathBuf, Arc<PackageIndex>)> {
        let map = self.by_root.lock().unwrap_or_else(|p| p.into_inner());
        map.iter().map(|(p, i)| (p.clone(), i.clone())).collect()
    }

    /// Drops the indexes of directories no longer in `roots`.
    pub fn retain(&self, roots: &[PathBuf]) {
        let mut map = self.by_root.lock().unwrap_or_else(|p| p.into_inner());
        map.retain(|p, _| roots.contains(p));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    fn entry(description: &str) -> PackageEntry {
        PackageEntry {
            name: "P".into(),
            path: "\\FS\\P".into(),
            folder: "\\FS".into(),
            size: 1,
            modified: Some("2020-01-01T00:00:00Z".into()),
            metadata: None,
            error: Some(Error::internal(description)),
            folder_unavailable: false,
        }
    }

    fn age(path: &Path, secs: u64) {
        let f = fs::File::options().write(true).open(path).unwrap();
        f.set_modified(SystemTime::now() - Duration::from_secs(secs))
            .unwrap();
    }

    #[test]
    fn a_changed_key_or_a_racy_file_is_not_served() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("P.dtsx");
        fs::write(&file, "one").unwrap();
        let index = PackageIndex::new(10);
        // Just written: too fresh to trust later.
        let md = fs::metadata(&file).unwrap();
        index.put(&file, &md, SystemTime::now(), &entry("one"));
        assert!(index.get(&file, &FileKey::of(&md)).is_none());
        age(&file, 60);
        let md = fs::metadata(&file).unwrap();
        index.put(&file, &md, SystemTime::now(), &entry("one"));
        assert!(index.get(&file, &FileKey::of(&md)).is_some());
        // Same size, other contents, old time set back: ctime still moves.
        fs::write(&file, "two").unwrap();
        age(&file, 60);
        let changed = fs::metadata(&file).unwrap();
        assert!(index.get(&file, &FileKey::of(&changed)).is_none());
        index.invalidate(dir.path());
        assert!(index.is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn a_stat_gives_the_key_metadata_gives() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("P.dtsx");
        fs::write(&file, "x").unwrap();
        let path = std::ffi::CString::new(file.as_os_str().as_bytes()).unwrap();
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        assert_eq!(unsafe { libc::lstat(path.as_ptr(), &mut st) }, 0);
        let md = fs::symlink_metadata(&file).unwrap();
        assert_eq!(FileKey::of_stat(&st), FileKey::of(&md));
    }

    #[test]
    fn the_index_is_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let index = PackageIndex::new(3);
        for i in 0..10 {
            let file = dir.path().join(format!("P{i}.dtsx"));
            fs::write(&file, "x").unwrap();
            age(&file, 60);
            let md = fs::metadata(&file).unwrap();
            index.put(&file, &md, SystemTime::now(), &entry("x"));
        }
        assert_eq!(index.len(), 3);
        index.clear();
        assert!(index.is_empty());
    }
}
