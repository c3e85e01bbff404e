//! Listing every package of a File System store with metadata, beside the
//! floor `find ROOT -name '*.dtsx' -exec head -c 4096 {} + >/dev/null`, at
//! several store sizes in one run:
//!
//! - in process, no index (`Store::list_packages`), on 1 thread and on every CPU;
//! - through a running service (`ssis service run`, release build), warm: the
//!   service's package index holds every file, so a listing stats each file
//!   instead of reading it. Two figures: the reply's bytes received (one
//!   `ListPackages` request on the Unix socket, answered in one line, read,
//!   not parsed) and `Session::list_packages` (the client asks for chunks of
//!   1 MiB and parses them into entries).
//!
//! Run: `cargo bench --bench store_list -- [SIZES] [RUNS]` (defaults
//! `20000,100000` packages, 20 per folder, 7 runs). Generates each store in a
//! temporary directory, warms the cache, then prints the median of each
//! measurement and its ratio to the floor.

#[path = "../tests/common/ssis_bin.rs"]
mod ssis_bin;
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
    let sizes: Vec<usize> = args
        .first()
        .map_or("20000,100000", String::as_str)
        .split(',')
        .map(|n| {
            n.trim()
                .parse()
                .unwrap_or_else(|_| panic!("SIZES must be numbers separated by commas: {n}"))
        })
        .collect();
    let runs: usize = args.get(1).map_or(7, |r| {
        r.parse()
            .unwrap_or_else(|_| panic!("RUNS must be a number: {r}"))
    });
    println!("machine: {}", machine());
    for packages in sizes {
        measure(packages, (packages / 20).max(1), runs.max(1));
    }
}

fn measure(packages: usize, folders: usize, runs: usize) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let root = dir.path().join("Packages");
    let started = Instant::now();
    let bytes = generate(&root, packages, folders);
    println!(
        "\n== {packages} packages in {folders} folders ({:.1} MB), generated in {:.1?}",
        bytes as f64 / 1e6,
        started.elapsed()
    );

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

    // Warm the cache (and let every file age past the index's racy window),
    // then interleave the measurements round by round so that load from
    // other processes weighs on all of them alike.
    floor();
    for (_, store) in &stores {
        list(store);
    }
    #[cfg(unix)]
    let service = service::Service::start(dir.path(), &root, packages);
    let mut floor_times = Vec::new();
    let mut list_times = vec![Vec::new(); stores.len()];
    #[cfg(unix)]
    let (mut raw_times, mut session_times) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        floor_times.push(time(floor));
        for (i, (_, store)) in stores.iter().enumerate() {
            list_times[i].push(time(|| list(store)));
        }
        #[cfg(unix)]
        {
            raw_times.push(time(|| service.list_raw()));
            session_times.push(time(|| service.list_session()));
        }
    }
    let floor_median = median(floor_times);
    let ratio = |m: Duration| m.as_secs_f64() / floor_median.as_secs_f64();
    println!("floor (find + head -c 4096): median {floor_median:.3?} over {runs} runs");
    for ((threads, _), times) in stores.iter().zip(list_times) {
        let m = median(times);
        println!(
            "in process, no index, {threads} thread(s): median {m:.3?} ({:.2}x the floor)",
            ratio(m)
        );
    }
    #[cfg(unix)]
    {
        let m = median(raw_times);
        println!(
            "service, warm index, reply received ({:.1} MB): median {m:.3?} ({:.2}x the floor)",
            service.reply_bytes() as f64 / 1e6,
            ratio(m)
        );
        let m = median(session_times);
        println!(
            "service, warm index, Session::list_packages (parsed): median {m:.3?} ({:.2}x the floor)",
            ratio(m)
        );
        service.stop();
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

/// A real `ssis service run` on one File System folder, and its clients.
#[cfg(unix)]
mod service {
    use std::io::{BufRead, BufReader, Write};
    use std::os::unix::net::UnixStream;
    use std::path::{Path, PathBuf};
    use std::process::{Child, Command, Stdio};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::{Duration, Instant};

    pub struct Service {
        child: Child,
        socket: PathBuf,
        packages: usize,
        reply: AtomicUsize,
    }

    impl Service {
        /// Starts the service on `root` and lists once (untimed) so that its
        /// index holds every package.
        pub fn start(dir: &Path, root: &Path, packages: usize) -> Service {
            let config = dir.join("MsDtsSrvr.ini.xml");
            std::fs::write(
                &config,
                format!(
                    r#"<?xml version="1.0" encoding="utf-8"?>
<DtsServiceConfiguration xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <StopExecutingPackagesOnShutdown>true</StopExecutingPackagesOnShutdown>
  <TopLevelFolders>
    <Folder xsi:type="FileSystemFolder"><Name>File System</Name><StorePath>{}</StorePath></Folder>
  </TopLevelFolders>
</DtsServiceConfiguration>
"#,
                    root.display()
                ),
            )
            .unwrap();
            let socket = dir.join("ssis.sock");
            let child = Command::new(crate::ssis_bin::ssis_bin())
                .arg("--config")
                .arg(&config)
                .args(["service", "run", "--socket"])
                .arg(&socket)
                .arg("--state-dir")
                .arg(dir.join("state"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("start ssis service run");
            let deadline = Instant::now() + Duration::from_secs(60);
            while UnixStream::connect(&socket).is_err() {
                assert!(Instant::now() < deadline, "the service did not start");
                std::thread::sleep(Duration::from_millis(20));
            }
            let s = Service {
                child,
                socket,
                packages,
                reply: AtomicUsize::new(0),
            };
            s.list_raw();
            s.list_session();
            s
        }

        /// One `ListPackages` request; the reply line is read, not parsed.
        pub fn list_raw(&self) {
            let mut w = UnixStream::connect(&self.socket).expect("connect");
            let mut r = BufReader::with_capacity(1 << 20, w.try_clone().unwrap());
            let mut line = String::new();
            w.write_all(b"{\"Id\":1,\"Method\":\"Hello\",\"Params\":{\"Protocol\":1,\"Client\":\"bench\"}}\n")
                .unwrap();
            r.read_line(&mut line).unwrap();
            line.clear();
            w.write_all(b"{\"Id\":2,\"Method\":\"ListPackages\",\"Params\":{\"Folder\":\"\\\\File System\",\"Recursive\":true}}\n")
                .unwrap();
            r.read_line(&mut line).unwrap();
            assert!(
                line.starts_with("{\"Id\":2,\"Result\""),
                "bad reply: {:.300}",
                line
            );
            if std::env::var_os("STORE_LIST_DUMP").is_some() {
                eprintln!("reply {} bytes: {:.3000}", line.len(), line);
            }
            self.reply.store(line.len(), Ordering::Relaxed);
        }

        /// The client's `list_packages`, parsed into entries.
        pub fn list_session(&self) {
            let address = format!("unix:{}", self.socket.display());
            let session =
                ssis_service::client::Session::connect(Some(&address), None).expect("session");
            let folder = ssis_service::store::StorePath::parse("\\File System").unwrap();
            let list = session.list_packages(&folder, true).expect("listing");
            assert_eq!(list.items.len(), self.packages, "every package listed");
        }

        pub fn reply_bytes(&self) -> usize {
            self.reply.load(Ordering::Relaxed)
        }

        pub fn stop(mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
