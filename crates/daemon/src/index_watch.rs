//! Keeps the warm package index of each File System folder
//! ([`ssis_core::store::index`]) ahead of the listings: file-system
//! notifications (`notify`) drop what changed and wake a pass that re-lists
//! the File System folders, reading only files whose key changed; the same
//! pass runs every [`PERIOD`] as a fallback. Freshness never depends on this:
//! every listing checks each file's key with one `stat`, so a missed
//! notification costs a read at listing time, never a stale entry.

use super::state::Service;
use notify::{EventKind, RecursiveMode, Watcher};
use ssis_core::config::TopLevelFolder;
use ssis_core::store::StorePath;
use ssis_core::store::index::{Indexes, RACY_WINDOW};
use std::path::PathBuf;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Weak};
use std::time::Duration;

/// The fallback pass's period.
pub const PERIOD: Duration = Duration::from_secs(60);

/// Starts the watcher and its thread (nothing when the host keeps no index).
pub fn start(svc: &Arc<Service>) {
    let Some(indexes) = svc.host.indexes().cloned() else {
        return;
    };
    let (wake, woken) = mpsc::channel::<()>();
    let on_event = {
        let indexes = Arc::clone(&indexes);
        move |event: notify::Result<notify::Event>| {
            match event {
                Ok(e) if e.need_rescan() => clear_all(&indexes),
                Ok(e) if matches!(e.kind, EventKind::Access(_)) => return,
                Ok(e) => {
                    for (root, index) in indexes.all() {
                        for path in e.paths.iter().filter(|p| p.starts_with(&root)) {
                            index.invalidate(path);
                        }
                    }
                }
                // Events may have been lost.
                Err(_) => clear_all(&indexes),
            }
            let _ = wake.send(());
        }
    };
    let watcher = match notify::recommended_watcher(on_event) {
        Ok(w) => Some(w),
        Err(e) => {
            eprintln!(
                "ssis-service: file-system notifications are unavailable ({e}); the package \
                 index is refreshed every {} s",
                PERIOD.as_secs()
            );
            None
        }
    };
    let weak = Arc::downgrade(svc);
    let spawned = std::thread::Builder::new()
        .name("ssis-index".into())
        .spawn(move || run(weak, indexes, watcher, woken));
    if let Err(e) = spawned {
        eprintln!("ssis-service: cannot start the package index thread: {e}");
    }
}

fn clear_all(indexes: &Indexes) {
    for (_, index) in indexes.all() {
        index.clear();
    }
}

fn run(
    svc: Weak<Service>,
    indexes: Arc<Indexes>,
    mut watcher: Option<notify::RecommendedWatcher>,
    woken: mpsc::Receiver<()>,
) {
    let mut watched: Vec<PathBuf> = Vec::new();
    loop {
        let Some(service) = svc.upgrade() else {
            return;
        };
        let workspace = service.loaded();
        drop(service);
        let folders: Vec<(String, PathBuf)> = workspace
            .config
            .top_level_folders
            .iter()
            .filter_map(|f| match f {
                TopLevelFolder::FileSystemFolder(fs) => {
                    Some((fs.name.clone(), workspace.config.resolve_store_path(fs)))
                }
                TopLevelFolder::SqlServerFolder(_) => None,
            })
            .collect();
        let roots: Vec<PathBuf> = folders.iter().map(|(_, r)| r.clone()).collect();
        indexes.retain(&roots);
        if let Some(w) = watcher.as_mut() {
            for gone in watched.iter().filter(|r| !roots.contains(r)) {
                let _ = w.unwatch(gone);
            }
            watched.retain(|r| roots.contains(r));
            for root in &roots {
                // A directory that does not exist yet is tried again next pass.
                if !watched.contains(root) && w.watch(root, RecursiveMode::Recursive).is_ok() {
                    watched.push(root.clone());
                }
            }
        }
        for (name, _) in &folders {
            if let Ok(path) = StorePath::from_segments(std::slice::from_ref(name)) {
                let _ = workspace.store.list_packages_wire(&path, true);
            }
        }
        drop(workspace);
        match woken.recv_timeout(PERIOD) {
            Ok(()) => {
                // Let a burst of changes settle, and let the changed files age
                // past the window in which the index does not trust them.
                std::thread::sleep(RACY_WINDOW + Duration::from_millis(200));
                while woken.try_recv().is_ok() {}
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => std::thread::sleep(PERIOD),
        }
    }
}
