//! Shared fixture of the service tests: a temporary configuration, store,
//! executor script and state directory, and a real `ssis service run` process.
#![allow(dead_code)]

use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The `ssis` binary under test.
pub use crate::common::ssis_bin::ssis_bin;

/// A dtexec stand-in: honours `/F` and `/SET`, prints JSON event lines, and
/// behaves by package name: `*Sleep*` waits on two `sleep` children,
/// `*Stubborn*` also ignores SIGTERM, `*Fail*` exits 7, `*Gate*` waits for
/// `<package file>.go` and exits with the code written in it, `*Chatty*`
/// prints 3,000 lines and then starts task `Package\Late`, others succeed.
const EXECUTOR: &str = r#"#!/bin/sh
file=""
while [ $# -gt 0 ]; do
  case "$1" in
    /F|/f) file="$2"; shift 2 ;;
    /SET) echo "set: $2"; shift 2 ;;
    *) echo "arg: $1"; shift ;;
  esac
done
[ -f "$file" ] || { echo "no package file '$file'" >&2; exit 4; }
printf '{"Time":"2024-01-01T00:00:00Z","Event":"OnPreExecute","SourcePath":"Package\\\\Work","SourceType":"Task","Message":""}\n'
case "$file" in
  *Chatty*) i=0; while [ $i -lt 3000 ]; do echo "filler line $i"; i=$((i+1)); done
    printf '{"Event":"OnPreExecute","SourcePath":"Package\\\\Late"}\n' ;;
  *Gate*) while [ ! -f "$file.go" ]; do sleep 0.05; done; exit "$(cat "$file.go")" ;;
  *Stubborn*) trap '' TERM; sleep 300 & sleep 300 & wait ;;
  *Sleep*) sleep 300 & sleep 300 & wait ;;
  *Fail*) echo "failing"; exit 7 ;;
  *) echo "ran $file" ;;
esac
printf '{"Event":"OnPostExecute","SourcePath":"Package\\\\Work"}\n'
exit 0
"#;

/// A configuration, store and state directory in a temporary folder.
pub struct Fixture {
    /// The temporary folder.
    pub dir: tempfile::TempDir,
}

impl Fixture {
    /// Packages `Quick`, `Sleep`, `Stubborn`, `Fail` in `\File System`, the
    /// script executor, and `StopExecutingPackagesOnShutdown` as given.
    pub fn new(stop_on_shutdown: bool) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let packages = dir.path().join("Packages/Jobs");
        std::fs::create_dir_all(&packages).unwrap();
        let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/Packages/Hello.dtsx");
        for name in [
            "Quick", "Sleep", "Stubborn", "Fail", "GateOk", "GateFail", "GateLate", "Chatty",
        ] {
            std::fs::copy(&sample, packages.join(format!("{name}.dtsx"))).unwrap();
        }
        let exec = dir.path().join("executor.sh");
        std::fs::write(&exec, EXECUTOR).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&exec, std::fs::Permissions::from_mode(0o755)).unwrap();
        let f = Fixture { dir };
        f.write_config(stop_on_shutdown, &["File System"]);
        f
    }

    /// A fixture whose configuration names no executor (the built-in runner,
    /// `ssis exec`), with one-task packages `Nap` (Execute Process `sleep
    /// <nap_seconds>`, succeeds) and `Broken` (Execute Process `false`, fails).
    pub fn builtin(nap_seconds: u32) -> Fixture {
        let f = Fixture::new(true);
        let sample = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/Packages/Hello.dtsx"),
        )
        .unwrap();
        let task = r#"Executable="echo"
          Arguments="Hello, world""#;
        assert!(
            sample.contains(task),
            "examples/Packages/Hello.dtsx changed"
        );
        let nap = sample.replace(
            task,
            &format!("Executable=\"sleep\"\n          Arguments=\"{nap_seconds}\""),
        );
        let broken = sample.replace(task, "Executable=\"false\"");
        let jobs = f.dir.path().join("Packages/Jobs");
        std::fs::write(jobs.join("Nap.dtsx"), nap).unwrap();
        std::fs::write(jobs.join("Broken.dtsx"), broken).unwrap();
        f.write_config_with(true, &["File System"], None);
        f
    }

    /// Rewrites the configuration with these File System folder names (all on `Packages`).
    pub fn write_config(&self, stop_on_shutdown: bool, folders: &[&str]) {
        let exec = self.dir.path().join("executor.sh");
        self.write_config_with(stop_on_shutdown, folders, Some(&exec));
    }

    /// Rewrites the configuration: folders as [`Fixture::write_config`], and
    /// this executor (`None`: the built-in runner).
    pub fn write_config_with(
        &self,
        stop_on_shutdown: bool,
        folders: &[&str],
        executor: Option<&Path>,
    ) {
        let folders: String = folders
            .iter()
            .map(|n| {
                format!(
                    "    <Folder xsi:type=\"FileSystemFolder\">\n      <Name>{n}</Name>\n      <StorePath>Packages</StorePath>\n    </Folder>\n"
                )
            })
            .collect();
        let text = format!(
            r#"<?xml version="1.0" encoding="utf-8"?>
<DtsServiceConfiguration xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <StopExecutingPackagesOnShutdown>{stop_on_shutdown}</StopExecutingPackagesOnShutdown>
  <TopLevelFolders>
{folders}  </TopLevelFolders>
{}</DtsServiceConfiguration>
"#,
            executor
                .map(|e| format!(
                    "  <SsisService>\n    <Executor>{}</Executor>\n  </SsisService>\n",
                    e.display()
                ))
                .unwrap_or_default()
        );
        std::fs::write(self.config(), text).unwrap();
    }

    /// The configuration file.
    pub fn config(&self) -> PathBuf {
        self.dir.path().join("MsDtsSrvr.ini.xml")
    }

    /// The socket.
    pub fn socket(&self) -> PathBuf {
        self.dir.path().join("ssis.sock")
    }

    /// Adds `settings` (XML elements) to the configuration's `<SsisService>`.
    pub fn add_settings(&self, settings: &str) {
        let text = std::fs::read_to_string(self.config()).unwrap();
        let text = if text.contains("<SsisService>") {
            text.replace("<SsisService>", &format!("<SsisService>\n    {settings}"))
        } else {
            text.replace(
                "</DtsServiceConfiguration>",
                &format!(
                    "  <SsisService>\n    {settings}\n  </SsisService>\n</DtsServiceConfiguration>"
                ),
            )
        };
        std::fs::write(self.config(), text).unwrap();
    }

    /// The state directory.
    pub fn state(&self) -> PathBuf {
        self.dir.path().join("state")
    }

    /// Lets a `Gate*` package end with `code`.
    pub fn open_gate(&self, name: &str, code: i32) {
        let go = self
            .dir
            .path()
            .join(format!("Packages/Jobs/{name}.dtsx.go"));
        std::fs::write(go, code.to_string()).unwrap();
    }

    /// A package file of the store.
    pub fn package(&self, name: &str) -> PathBuf {
        self.dir.path().join(format!("Packages/Jobs/{name}.dtsx"))
    }

    /// Starts `ssis service run` and waits until it answers.
    pub fn start(&self) -> Daemon {
        self.start_with(&[])
    }

    /// Starts `ssis service run` with extra options and waits until it answers.
    /// The stop grace is 1 s unless `extra` or the configuration sets one.
    pub fn start_with(&self, extra: &[&str]) -> Daemon {
        self.start_program(Path::new(ssis_bin()), extra)
    }

    /// Starts `program service run` (a copy of `ssis`) as [`Fixture::start_with`] does.
    pub fn start_program(&self, program: &Path, extra: &[&str]) -> Daemon {
        let config = std::fs::read_to_string(self.config()).unwrap_or_default();
        let grace: &[&str] =
            if extra.contains(&"--stop-grace") || config.contains("<GracePeriodSeconds>") {
                &[]
            } else {
                &["--stop-grace", "1"]
            };
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path().join("daemon.log"))
            .unwrap();
        let child = Command::new(program)
            .arg("--config")
            .arg(self.config())
            .args(["service", "run"])
            .args(grace)
            .arg("--socket")
            .arg(self.socket())
            .arg("--state-dir")
            .arg(self.state())
            .args(extra)
            .env_remove("SSIS_SERVICE_SOCKET")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let d = Daemon {
            child,
            socket: self.socket(),
            log: self.dir.path().join("daemon.log"),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if d.ssis(&["service", "status"]).status.success() {
                return d;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the service did not start:\n{}", d.log_text());
    }
}

/// A running service process.
pub struct Daemon {
    /// The process.
    pub child: Child,
    /// Its socket.
    pub socket: PathBuf,
    log: PathBuf,
}

impl Daemon {
    /// Runs `ssis` against this service.
    pub fn ssis(&self, args: &[&str]) -> Output {
        Command::new(ssis_bin())
            .args(args)
            .env("SSIS_SERVICE_SOCKET", &self.socket)
            .env_remove("SSIS_SERVICE_CONFIG")
            .output()
            .unwrap()
    }

    /// Runs `ssis --json ...`, expects success, parses stdout.
    pub fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.ssis(&all);
        assert!(
            out.status.success(),
            "ssis {args:?} failed: {}\n{}",
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// The service's stderr so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// `ssis service stop`, then waits for the process.
    pub fn stop(mut self) {
        let out = self.ssis(&["service", "stop"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let status = self.child.wait().unwrap();
        assert!(
            status.success(),
            "service exit {status:?}\n{}",
            self.log_text()
        );
    }

    /// SIGKILL, as a crash would.
    pub fn kill9(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// Waits (20 s at most, then fails naming `what`) until `cond` holds.
    pub fn wait_until(&self, what: &str, cond: impl Fn() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !cond() {
            assert!(Instant::now() < deadline, "timed out waiting: {what}");
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// Waits until `cond` holds for the execution `id` in the history (30 s
    /// at most, listed or not, then fails naming `what`).
    pub fn wait_for(&self, id: &str, what: &str, cond: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let e = self.json(&["--server", ".", "history", "--limit", "10000"]);
            let found = e["Items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["ExecutionId"] == id);
            if let Some(found) = found {
                if cond(found) {
                    return found.clone();
                }
            }
            // The deadline holds whether or not the execution is listed.
            if Instant::now() > deadline {
                let found = found.map_or("not listed".to_string(), Value::to_string);
                panic!(
                    "execution {id}: {what} did not happen: {found}\n{}",
                    self.log_text()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Live processes of the process group `pgid` (from /proc).
pub fn group_members(pgid: u32) -> Vec<u32> {
    ssis_service::service::process::group_members(pgid)
}

/// Supervisors (`ssis service supervise --stdin`: the spare, and those that
/// got a job) whose parent is `parent`.
pub fn spares_of(parent: u32) -> Vec<u32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            let ppid = stat
                .rfind(')')
                .and_then(|i| stat[i + 1..].split_whitespace().nth(1)?.parse::<u32>().ok());
            let cmd = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            ppid == Some(parent) && cmd.ends_with(b"supervise\0--stdin\0")
        })
        .collect()
}

/// Whether process `pid` still runs (not a zombie).
pub fn alive(pid: u32) -> bool {
    ssis_service::service::process::is_alive(pid, None)
}

/// Kills what is left of a group (test cleanup).
pub fn kill_group(pgid: u32) {
    unsafe {
        libc::killpg(pgid as i32, libc::SIGKILL);
    }
}

/// A raw protocol connection.
pub struct Raw {
    reader: BufReader<UnixStream>,
    writer: UnixStream,
}

impl Raw {
    /// Connects without saying Hello.
    pub fn connect(socket: &Path) -> Raw {
        let writer = UnixStream::connect(socket).unwrap();
        writer
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        Raw {
            reader: BufReader::new(writer.try_clone().unwrap()),
            writer,
        }
    }

    /// Sends raw bytes.
    pub fn send(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).unwrap();
    }

    /// Reads one line as JSON.
    pub fn recv(&mut self) -> Value {
        let mut line = String::new();
        self.reader.read_line(&mut line).unwrap();
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("bad line {line:?}: {e}"))
    }

    /// Sends a request and reads its response.
    pub fn call(&mut self, id: u64, method: &str, params: Value) -> Value {
        let line = serde_json::json!({"Id": id, "Method": method, "Params": params});
        self.send(format!("{line}\n").as_bytes());
        self.recv()
    }
}
