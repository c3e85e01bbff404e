//! Listings: one directory scanned, package entries read (or copied from the
//! index when the file is unchanged), and the recursive walk whose package
//! headers are read on several threads.

use super::FileSystemStore;
use super::files::{OpenDir, guarded_metadata, is_link_error, read_head};
use super::lookup::package_stem;
use crate::error::{Error, Result};
use crate::store::entries::PackageEntry;
use crate::store::index::{FileKey, Indexed};
use crate::store::path::{TEMP_PREFIX, fold_case, validate_name};
use crate::store::wire::{WireEntries, apply_tail};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

/// A folder met in a recursive walk: its segments, its store path and its
/// packages (name, file).
pub(super) type WalkedFolder = (Vec<String>, String, Vec<(String, PathBuf)>);

/// One directory's listing: subfolder names and packages (name, file).
#[derive(Default)]
pub(super) struct DirListing {
    pub(super) folders: Vec<String>,
    pub(super) packages: Vec<(String, PathBuf)>,
}

impl FileSystemStore {
    /// Lists `dir`: valid-named subfolders and `.dtsx` files, sorted; links,
    /// temporary files and names no store path can address are skipped.
    pub(super) fn scan(&self, dir: &Path) -> Result<DirListing> {
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
    pub(super) fn entry(
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

    /// What the index holds for `file`, when its key is still the file's.
    pub(super) fn indexed(&self, file: &Path) -> Option<Arc<Indexed>> {
        let index = self.index.as_ref()?;
        let md = fs::symlink_metadata(file).ok()?;
        index.get(file, &FileKey::of(&md)).filter(|_| md.is_file())
    }

    /// As [`Self::indexed`], the file's status taken relative to its
    /// directory, kept open in `dirs` (no path lookup from the root).
    pub(super) fn indexed_in(&self, dirs: &mut OpenDir, file: &Path) -> Option<Arc<Indexed>> {
        let index = self.index.as_ref()?;
        let key = dirs.key(file)?;
        index.get(file, &key)
    }

    /// Appends the entry of the package `name` stored in `file` to `out`:
    /// from the index's JSON when the file is unchanged, else as [`Self::entry`].
    /// `folder` is the folder's segments, store path and that path escaped
    /// for JSON.
    pub(super) fn entry_wire(
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
    pub(super) fn walk(&self, folder: &[String]) -> Result<Vec<WalkedFolder>> {
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
    pub(super) fn on_threads<R: Send>(
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
