//! Listing every package of a File System store with metadata, beside the
//! floor `find ROOT -name '*.dtsx' -exec head -c 4096 {} + >/dev/null`.
//!
//! Run: `cargo bench --bench store_list -- [N] [FOLDERS] [RUNS]`
//! (defaults 20000 packages in 1000 folders, 7 runs). Generates the store in
//! a temporary directory, warms the cache, then prints the median of each
//! measurement and the ratio to the floor, for 1 thread and for every CPU.

use ssis_service::config::{FileSystemFolder, TopLevelFolder};
use ssis_service::package::synthetic_package_xml;
use ssis_service::store::{FileSystemStore, PackageStore, Store, StorePath};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let number = |i: usize, default: usize| -> usize {
        args.get(i)
            .map(|a| {
                a.parse()
                    .unwrap_or_else(|_| panic!("argument {} must be a number: {a}", i + 1))
            })
            .unwrap_or(default)
    };
    let packages = number(0, 20_000);
    let folders = number(1, 1_000).max(1);
    let runs = number(2, 7).max(1);

    let dir = tempfile::tempdir().expect("temporary directory");
    let root = dir.path().join("Packages");
    let started = Instant::now();
    let bytes = generate(&root, packages, folders);
    println!(
        "generated {packages} packages in {folders} folders ({:.1} MB) under {} in {:.1?}",
        bytes as f64 / 1e6,
        root.display(),
        started.elapsed()
    );
    println!("machine: {}", machine());

    let floor = || {
        let status = Command::new("sh")
            .arg("-c")
            .arg("find \"$1\" -name '*.dtsx' -exec head -c 4096 {} + >/dev/null")
            .arg("sh")
            .arg(&root)
            .status()
            .expect("run find");
        assert!(status.success(), "find failed: {status}");
    };
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut thread_counts = vec![1];
    if cpus > 1 {
        thread_counts.push(cpus);
    }
    let stores: Vec<(usize, Store)> = thread_counts
        .iter()
        .map(|&threads| {
            let backend = FileSystemStore::new("File System", &root).with_threads(threads);
            let folder = TopLevelFolder::FileSystemFolder(FileSystemFolder {
                name: "File System".into(),
                store_path: root.display().to_string(),
            });
            let store =
                Store::from_backends(vec![(folder, Box::new(backend) as Box<dyn PackageStore>)])
                    .expect("store");
            (threads, store)
        })
        .collect();
    let list = |store: &Store| {
        let entries = store
            .list_packages(&StorePath::root(), true)
            .expect("listing");
        assert_eq!(entries.len(), packages, "every package listed");
        let failed = entries.iter().filter(|e| e.metadata.is_none()).count();
        assert_eq!(failed, 0, "metadata of every package read");
    };

    // Warm the cache, then interleave the measurements round by round so
    // that load from other processes weighs on all of them alike.
    floor();
    for (_, store) in &stores {
        list(store);
    }
    let mut floor_times = Vec::new();
    let mut list_times = vec![Vec::new(); stores.len()];
    for _ in 0..runs {
        floor_times.push(time(floor));
        for (i, (_, store)) in stores.iter().enumerate() {
            list_times[i].push(time(|| list(store)));
        }
    }
    let floor_median = median(floor_times);
    println!("floor (find + head -c 4096): median {floor_median:.3?} over {runs} runs");
    for ((threads, _), times) in stores.iter().zip(list_times) {
        let m = median(times);
        println!(
            "store listing with metadata, {threads} thread(s): median {m:.3?} ({:.2}x the floor)",
            m.as_secs_f64() / floor_median.as_secs_f64()
        );
    }
}

/// How long `f` takes.
fn time(f: impl FnOnce()) -> Duration {
    let t = Instant::now();
    f();
    t.elapsed()
}

/// The median of `times`.
fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// Writes `packages` packages spread over `folders` folders (two levels:
/// `Area NN\Folder NNNN`) with [`synthetic_package_xml`]: nine in ten in the
/// SSIS 2014+ layout (format 8), one in ten in the SSIS 2008 layout (format
/// 3, identity after the contents). Returns the bytes written.
fn generate(root: &Path, packages: usize, folders: usize) -> u64 {
    let areas = (folders as f64).sqrt().ceil() as usize;
    let mut dirs = Vec::with_capacity(folders);
    for i in 0..folders {
        let dir = root
            .join(format!("Area {:02}", i % areas))
            .join(format!("Folder {i:04}"));
        std::fs::create_dir_all(&dir).expect("create folder");
        dirs.push(dir);
    }
    let mut total = 0;
    for i in 0..packages {
        let name = format!("Load Step {i:06}");
        let id = format!("{{A11CE000-0000-4000-8000-{i:012X}}}");
        let format = if i % 10 == 9 { 3 } else { 8 };
        let xml = synthetic_package_xml(&name, &id, format);
        total += xml.len() as u64;
        std::fs::write(dirs[i % folders].join(format!("{name}.dtsx")), xml).expect("write package");
    }
    total
}

/// CPU model, CPU count and OS, as far as the platform tells.
fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    format!(
        "{model}, {cpus} CPU(s), {} {}",
        std::env::consts::OS,
        std::env::consts::ARCH
    )
}
