//! The service on Windows (run under Wine by scripts/windows-test.sh): a
//! daemon on its own named pipe, a client listing the store, running a
//! package (`cmd /c`), stopping a running one (its whole process tree), the
//! caller recorded from the pipe's token, and a package run with the
//! caller's token.
#![cfg(windows)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::ssis_bin::ssis_bin;

struct Daemon {
    child: Child,
    pipe: String,
    dir: tempfile::TempDir,
}

impl Daemon {
    fn start() -> Daemon {
        Daemon::start_with(&[])
    }

    /// A service with `env` set in its environment.
    fn start_with(env: &[(&str, &str)]) -> Daemon {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("Packages/Jobs");
        std::fs::create_dir_all(&store).unwrap();
        for (name, file) in [
            ("Hello", "cmd_2012.dtsx"),
            ("Sleep", "sleep_cmd_2012.dtsx"),
            ("Whoami", "whoami_cmd_2012.dtsx"),
        ] {
            let src = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/windows/packages")
                .join(file);
            let text = std::fs::read_to_string(src).unwrap();
            let work = dir.path().join("work");
            std::fs::create_dir_all(&work).unwrap();
            std::fs::write(
                store.join(format!("{name}.dtsx")),
                text.replace("@@DIR@@", work.to_str().unwrap()),
            )
            .unwrap();
        }
        let config = dir.path().join("MsDtsSrvr.ini.xml");
        std::fs::write(
            &config,
            format!(
                "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<DtsServiceConfiguration>\n  \
                 <StopExecutingPackagesOnShutdown>true</StopExecutingPackagesOnShutdown>\n  \
                 <TopLevelFolders>\n    <Folder xsi:type=\"FileSystemFolder\" \
                 xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n      \
                 <Name>File System</Name>\n      <StorePath>{}</StorePath>\n    </Folder>\n  \
                 </TopLevelFolders>\n</DtsServiceConfiguration>\n",
                dir.path().join("Packages").display()
            ),
        )
        .unwrap();
        let pipe = format!(r"\\.\pipe\ssis-test-{}", uuid::Uuid::new_v4().simple());
        let log = std::fs::File::create(dir.path().join("daemon.log")).unwrap();
        let child = Command::new(ssis_bin())
            .arg("--config")
            .arg(&config)
            .args(["service", "run", "--stop-grace", "2", "--socket", &pipe])
            .arg("--state-dir")
            .arg(dir.path().join("state"))
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let d = Daemon { child, pipe, dir };
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if d.ssis(&["service", "status"]).status.success() {
                return d;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!("the service did not answer on {}: {}", d.pipe, d.log());
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("daemon.log")).unwrap_or_default()
    }

    fn work(&self) -> PathBuf {
        self.dir.path().join("work")
    }

    fn ssis(&self, args: &[&str]) -> Output {
        Command::new(ssis_bin())
            .arg("--server")
            .arg(format!("pipe:{}", self.pipe))
            .args(args)
            .output()
            .unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.ssis(&all);
        assert!(
            out.status.success(),
            "ssis {args:?}: {}{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            self.log()
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    fn wait_status(&self, id: &str, want: &[&str]) -> Value {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let items = self.json(&["history", "--limit", "100"]);
            let found = items["Items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["ExecutionId"] == id)
                .cloned();
            if let Some(e) = found {
                if want.iter().any(|w| e["Status"] == *w) {
                    return e;
                }
                assert!(
                    Instant::now() < deadline,
                    "{id} never reached {want:?}: {e}"
                );
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.ssis(&["service", "stop"]);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn running(image: &str) -> usize {
    let out = Command::new("tasklist.exe").output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.to_ascii_lowercase().starts_with(image))
        .count()
}

#[test]
fn list_run_and_stop_over_the_named_pipe() {
    let d = Daemon::start();
    let info = d.json(&["service", "status"]);
    assert!(
        info.to_string()
            .contains(&format!("pipe:{}", d.pipe).replace('\\', "\\\\")),
        "the service names its pipe: {info}"
    );

    let listed = d.json(&["package", "list", "\\File System\\Jobs"]);
    let names: Vec<&str> = listed["Items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["Name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Hello", "Sleep", "Whoami"], "{listed}");

    // A run to the end: cmd /c writes the file, the failing task fails it.
    let run = d.json(&["run", "\\File System\\Jobs\\Hello"]);
    let id = run["ExecutionId"].as_str().unwrap().to_string();
    let done = d.wait_status(&id, &["Succeeded", "Failed"]);
    assert_eq!(done["Status"], "Failed", "{done}");
    assert_eq!(done["ExitCode"], 1, "{done}");
    assert_eq!(
        std::fs::read_to_string(d.work().join("hello.txt"))
            .unwrap()
            .trim_end(),
        "hello"
    );
    let started_by = done["StartedBy"].as_str().unwrap_or_default().to_string();
    assert!(
        started_by.contains('\\') && !started_by.contains("unknown"),
        "the caller comes from the pipe token as DOMAIN\\user: {done}"
    );

    // Stop a running package: CTRL_BREAK, then its job.
    let pings = running("ping.exe");
    let run = d.json(&["run", "\\File System\\Jobs\\Sleep"]);
    let id = run["ExecutionId"].as_str().unwrap().to_string();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !d.work().join("started.txt").exists() {
        assert!(
            Instant::now() < deadline,
            "the package never started: {}",
            d.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let ps = d.json(&["ps"]);
    assert!(ps.to_string().contains(&id), "{ps}");
    let t = Instant::now();
    d.json(&["stop", &id]);
    let stopped = d.wait_status(&id, &["Stopped"]);
    assert!(t.elapsed() < Duration::from_secs(30), "{stopped}");
    assert!(
        !d.work().join("done.txt").exists(),
        "the next task never ran"
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while running("ping.exe") > pings && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(
        running("ping.exe"),
        pings,
        "the ping grandchild ended with the job"
    );
}

/// A pipe caller's package runs with the caller's token: the supervisor
/// starts the executor with CreateProcessAsUserW and says so in the output,
/// and the Execute Process task sees the caller's account and environment
/// (CreateEnvironmentBlock), not the service's. Wine has one account, so the
/// service's own account is made to take the path every other caller takes.
#[test]
fn a_pipe_callers_package_runs_with_the_callers_token() {
    let d = Daemon::start_with(&[
        ("SSIS_SERVICE_TOKEN_FOR_OWN_ACCOUNT", "1"),
        ("SSIS_TEST_SERVICE_ONLY", "from-the-service"),
    ]);
    let run = d.json(&["run", "\\File System\\Jobs\\Whoami"]);
    let id = run["ExecutionId"].as_str().unwrap().to_string();
    let done = d.wait_status(&id, &["Succeeded", "Failed"]);
    let logs = d.ssis(&["logs", &id]);
    let output = String::from_utf8_lossy(&logs.stdout);
    assert_eq!(done["Status"], "Succeeded", "{done}\n{output}\n{}", d.log());
    let caller = done["StartedBy"].as_str().unwrap().to_string();
    assert!(
        output.contains(&format!(
            "as {caller} with the caller's token (CreateProcessAsUserW)"
        )),
        "the supervisor says how it started the executor: {output}"
    );
    assert!(
        output.contains("DTSER_SUCCESS"),
        "the executor's own output reaches the log through the supervisor's pipe: {output}"
    );
    let written = std::fs::read_to_string(d.work().join("whoami.txt")).unwrap();
    let (user, service_only) = written.trim_end().split_once('|').unwrap();
    let account = caller.rsplit('\\').next().unwrap();
    assert!(
        user.eq_ignore_ascii_case(account),
        "the task runs as {caller}: {written}"
    );
    assert_eq!(
        service_only, "%SSIS_TEST_SERVICE_ONLY%",
        "the caller's environment, not the service's"
    );
}
