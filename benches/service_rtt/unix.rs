use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::ssis_bin::ssis_bin;
const CLIENTS: usize = 8;
const STAMP_DIR: &str = "SSIS_BENCH_STAMP_DIR";

pub fn main() {
    if let Some(dir) = std::env::var_os(STAMP_DIR) {
        if std::env::args().any(|a| a == "/F") {
            stamp(Path::new(&dir));
            return;
        }
    }
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
    let requests = number(0, 20_000).max(100);
    let rounds = number(1, 3).max(1);
    let runs = number(2, 100).max(1);
    println!("machine: {}", machine());
    let load = || std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("load average before: {}", load().trim());

    let dir = tempfile::tempdir().expect("temporary directory");
    let stamps = dir.path().join("stamps");
    std::fs::create_dir_all(&stamps).unwrap();
    let service = Service::start(dir.path(), &stamps);
    let echo_socket = dir.path().join("echo.sock");
    let _echo = start_echo(&echo_socket);

    let list = json!({"Method": "ListFolders", "Params": {"Path": null}});
    // Below the top level the store reads the disk, on the blocking pool.
    let sub = json!({"Method": "ListFolders", "Params": {"Path": "\\File System"}});
    let mut sub_results = Vec::new();
    let mut lat = (Vec::new(), Vec::new());
    let mut tput = (Vec::new(), Vec::new());
    for round in 0..rounds {
        let e = latency(&echo_socket, false, &list, requests);
        let s = latency(&service.socket, true, &list, requests);
        let et = throughput(&echo_socket, false, &list, requests);
        let st = throughput(&service.socket, true, &list, requests);
        println!(
            "round {}: echo p50 {:.1} µs p99 {:.1} µs, {et:.0}/s; service p50 {:.1} µs p99 {:.1} µs, {st:.0}/s ({:.0}%)",
            round + 1,
            e.0,
            e.1,
            s.0,
            s.1,
            100.0 * st / et
        );
        let sl = latency(&service.socket, true, &sub, requests / 4);
        let stp = throughput(&service.socket, true, &sub, requests / 4);
        sub_results.push((sl.0, sl.1, stp));
        lat.0.push(e);
        lat.1.push(s);
        tput.0.push(et);
        tput.1.push(st);
    }
    let med = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (mut e50, mut e99): (Vec<f64>, Vec<f64>) = lat.0.iter().copied().unzip();
    let (mut s50, mut s99): (Vec<f64>, Vec<f64>) = lat.1.iter().copied().unzip();
    let mut ratios: Vec<f64> = tput.0.iter().zip(&tput.1).map(|(e, s)| s / e).collect();
    let ratio = med(&mut ratios);
    let (et, st) = (med(&mut tput.0), med(&mut tput.1));
    let (mut b50, mut b99, mut btp) = (Vec::new(), Vec::new(), Vec::new());
    for (a, b, c) in sub_results {
        b50.push(a);
        b99.push(b);
        btp.push(c);
    }
    println!(
        "ListFolders round trip, 1 client (median of {rounds} rounds of {requests}): \
         echo p50 {:.1} µs p99 {:.1} µs; service p50 {:.1} µs p99 {:.1} µs",
        med(&mut e50),
        med(&mut e99),
        med(&mut s50),
        med(&mut s99)
    );
    println!(
        "ListFolders throughput, {CLIENTS} clients (medians): echo {et:.0}/s; service {st:.0}/s; \
         service/echo per round, median {:.0}% (target ≥ 50%)",
        100.0 * ratio
    );

    println!(
        "ListFolders \\File System (reads the disk, blocking pool): p50 {:.1} µs p99 {:.1} µs, \
         {CLIENTS} clients {:.0}/s",
        med(&mut b50),
        med(&mut b99),
        med(&mut btp)
    );

    let (direct, via_service, reply) = start_overhead(&service, &stamps, runs);
    println!(
        "executor start, median of {runs}: direct spawn {:.2} ms; through the service {:.2} ms \
         (ExecutionRun reply {:.2} ms); overhead {:.2} ms (target < 2 ms)",
        direct,
        via_service,
        reply,
        via_service - direct
    );
    println!("load average after: {}", load().trim());
    service.stop();
}

/// The executor: writes the time (ns since the epoch) to
/// `<dir>/<SSIS_EXECUTION_ID>` (write then rename, so readers see all or nothing).
fn stamp(dir: &Path) {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let id = std::env::var("SSIS_EXECUTION_ID").unwrap_or_else(|_| "unknown".into());
    let tmp = dir.join(format!(".{id}.tmp"));
    std::fs::write(&tmp, now.to_string()).unwrap();
    std::fs::rename(&tmp, dir.join(id)).unwrap();
}

fn read_stamp(path: &Path, deadline: Instant) -> u128 {
    loop {
        if let Ok(text) = std::fs::read_to_string(path) {
            if let Ok(v) = text.trim().parse() {
                let _ = std::fs::remove_file(path);
                return v;
            }
        }
        assert!(
            Instant::now() < deadline,
            "no stamp at {} (the executor did not start)",
            path.display()
        );
        std::thread::sleep(Duration::from_micros(200));
    }
}

fn now_ns() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

/// Medians in ms: direct spawn to executor main; run request to executor main; run reply.
fn start_overhead(service: &Service, stamps: &Path, runs: usize) -> (f64, f64, f64) {
    let me = std::env::current_exe().unwrap();
    let package = service.dir.join("Packages/Stamp.dtsx");
    let mut direct = Vec::new();
    let mut via = Vec::new();
    let mut reply = Vec::new();
    let mut client = Client::connect(&service.socket, true);
    for i in 0..runs {
        // Let the previous run's background work (the service starts its
        // next spare supervisor) finish, so it weighs on neither measurement.
        std::thread::sleep(Duration::from_millis(30));
        // Direct: what the service's supervisor does, without the service.
        let id = format!("direct-{i}");
        let t0 = now_ns();
        let mut child = {
            use std::os::unix::process::CommandExt;
            Command::new(&me)
                .args(["/F", package.to_str().unwrap()])
                .env(STAMP_DIR, stamps)
                .env("SSIS_EXECUTION_ID", &id)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .process_group(0)
                .spawn()
                .unwrap()
        };
        let t1 = read_stamp(&stamps.join(&id), Instant::now() + Duration::from_secs(10));
        child.wait().unwrap();
        direct.push((t1 - t0) as f64 / 1e6);

        let t0 = now_ns();
        let started = Instant::now();
        let r = client.call(
            &json!({"Method": "ExecutionRun", "Params": {"Package": "\\File System\\Stamp"}}),
        );
        reply.push(started.elapsed().as_secs_f64() * 1e3);
        let id = r["Result"]["ExecutionId"]
            .as_str()
            .unwrap_or_else(|| panic!("ExecutionRun failed: {r}"))
            .to_string();
        let t1 = read_stamp(&stamps.join(&id), Instant::now() + Duration::from_secs(10));
        via.push((t1 - t0) as f64 / 1e6);
        let done = client.call(&json!({"Method": "ExecutionWait", "Params": {"ExecutionId": id}}));
        assert_eq!(done["Result"]["Status"], "Succeeded", "{done}");
    }
    let med = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    (med(direct), med(via), med(reply))
}

/// A blocking protocol client.
struct Client {
    reader: BufReader<UnixStream>,
    writer: UnixStream,
    next: u64,
    line: String,
}

impl Client {
    fn connect(socket: &Path, hello: bool) -> Client {
        let writer = UnixStream::connect(socket)
            .unwrap_or_else(|e| panic!("connect {}: {e}", socket.display()));
        let mut c = Client {
            reader: BufReader::new(writer.try_clone().unwrap()),
            writer,
            next: 0,
            line: String::new(),
        };
        if hello {
            let r =
                c.call(&json!({"Method": "Hello", "Params": {"Protocol": 1, "Client": "bench"}}));
            assert!(r["Result"].is_object(), "Hello failed: {r}");
        }
        c
    }

    fn call(&mut self, request: &Value) -> Value {
        self.send(request);
        serde_json::from_str(&self.line).unwrap()
    }

    /// Sends and reads the reply into `self.line` (not parsed: the clients of
    /// both servers pay the same).
    fn send(&mut self, request: &Value) {
        self.next += 1;
        let mut req = request.clone();
        req["Id"] = json!(self.next);
        let mut bytes = serde_json::to_vec(&req).unwrap();
        bytes.push(b'\n');
        self.writer.write_all(&bytes).unwrap();
        self.line.clear();
        self.reader.read_line(&mut self.line).unwrap();
        assert!(
            self.line.ends_with('\n') && !self.line.contains("\"Error\""),
            "bad reply: {}",
            self.line
        );
    }
}

/// p50 and p99 in µs of `n` sequential requests from one client.
fn latency(socket: &Path, hello: bool, req: &Value, n: usize) -> (f64, f64) {
    let mut c = Client::connect(socket, hello);
    for _ in 0..n / 10 {
        c.send(req);
    }
    let mut t: Vec<f64> = (0..n)
        .map(|_| {
            let s = Instant::now();
            c.send(req);
            s.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    t.sort_by(f64::total_cmp);
    (t[n / 2], t[n * 99 / 100])
}

/// Requests per second of `CLIENTS` clients sending `n` requests in all.
fn throughput(socket: &Path, hello: bool, req: &Value, n: usize) -> f64 {
    let per = n / CLIENTS;
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(CLIENTS + 1));
    let threads: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let socket = socket.to_path_buf();
            let req = req.clone();
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                let mut c = Client::connect(&socket, hello);
                barrier.wait();
                for _ in 0..per {
                    c.send(&req);
                }
            })
        })
        .collect();
    barrier.wait();
    let s = Instant::now();
    for t in threads {
        t.join().unwrap();
    }
    (per * CLIENTS) as f64 / s.elapsed().as_secs_f64()
}

/// The floor: a tokio Unix-socket server that parses each JSON line and writes it back.
fn start_echo(socket: &Path) -> std::thread::JoinHandle<()> {
    let socket = socket.to_path_buf();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let handle = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
            let listener = tokio::net::UnixListener::bind(&socket).unwrap();
            ready_tx.send(()).unwrap();
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                tokio::spawn(async move {
                    let (r, mut w) = stream.into_split();
                    let mut r = tokio::io::BufReader::new(r);
                    let mut line = Vec::new();
                    loop {
                        line.clear();
                        match r.read_until(b'\n', &mut line).await {
                            Ok(0) | Err(_) => break,
                            Ok(_) => {}
                        }
                        let v: Value = serde_json::from_slice(&line).unwrap_or(Value::Null);
                        let mut out = serde_json::to_vec(&v).unwrap();
                        out.push(b'\n');
                        if w.write_all(&out).await.is_err() {
                            break;
                        }
                    }
                });
            }
        });
    });
    ready_rx.recv().unwrap();
    handle
}

/// A real `ssis service run` on a temporary configuration whose executor is this binary.
struct Service {
    child: Child,
    socket: PathBuf,
    dir: PathBuf,
}

impl Service {
    fn start(dir: &Path, stamps: &Path) -> Service {
        let packages = dir.join("Packages");
        std::fs::create_dir_all(&packages).unwrap();
        let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/Packages/Hello.dtsx");
        std::fs::copy(&sample, packages.join("Stamp.dtsx")).unwrap();
        let config = dir.join("MsDtsSrvr.ini.xml");
        std::fs::write(
            &config,
            format!(
                r#"<?xml version="1.0" encoding="utf-8"?>
<DtsServiceConfiguration xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <StopExecutingPackagesOnShutdown>true</StopExecutingPackagesOnShutdown>
  <TopLevelFolders>
    <Folder xsi:type="FileSystemFolder"><Name>File System</Name><StorePath>Packages</StorePath></Folder>
  </TopLevelFolders>
  <SsisService><Executor>{}</Executor></SsisService>
</DtsServiceConfiguration>
"#,
                std::env::current_exe().unwrap().display()
            ),
        )
        .unwrap();
        let socket = dir.join("ssis.sock");
        let child = Command::new(ssis_bin())
            .arg("--config")
            .arg(&config)
            .args(["service", "run", "--socket"])
            .arg(&socket)
            .arg("--state-dir")
            .arg(dir.join("state"))
            .env(STAMP_DIR, stamps)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.join("service.log")).unwrap())
            .spawn()
            .expect("start ssis service run");
        let deadline = Instant::now() + Duration::from_secs(30);
        while UnixStream::connect(&socket).is_err() {
            assert!(Instant::now() < deadline, "the service did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        Service {
            child,
            socket,
            dir: dir.to_path_buf(),
        }
    }

    fn stop(mut self) {
        let mut c = Client::connect(&self.socket, true);
        c.call(&json!({"Method": "ServiceStop", "Params": {}}));
        let _ = self.child.wait();
    }
}

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
