//! Per-execution output logs, the reading side: the supervisor writes the
//! executor's stdout and stderr into `<state>/output/<id>.log` with the cap
//! ([`super::capture`]; the file, not a pipe to the service, so a package
//! keeps running and logging while the service restarts); the service tails
//! the log, and the events file beside it, for the runner's JSON event lines.

use serde::Deserialize;
use ssis_core::error::{Error, Result};
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use super::capture::MAX_EVENT_LINE;

/// A `--events json` line of the runner.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RunnerEvent {
    /// RFC 3339 time.
    #[serde(default)]
    pub time: Option<String>,
    /// `OnPreExecute`, `OnPostExecute`, `OnError`, ...
    pub event: String,
    /// `\Package\Task`.
    #[serde(default)]
    pub source_path: Option<String>,
    /// The source's type.
    #[serde(default)]
    pub source_type: Option<String>,
    /// Event text.
    #[serde(default)]
    pub message: Option<String>,
    /// The package's identity, on the runner's `PackageIdentity` line.
    #[serde(default)]
    pub package: Option<ssis_core::protocol::executions::PackageIdentity>,
    /// Which executor runs the package, on the `PackageIdentity` line
    /// (`built-in`) or an `Executor` line (a fallback dtexec's path).
    #[serde(default)]
    pub executor: Option<String>,
}

/// The runner's line that names the package it runs (`DTSID`, description, version).
pub const PACKAGE_IDENTITY: &str = "PackageIdentity";

/// The runner's line that names the dtexec it handed the package to.
pub const EXECUTOR: &str = "Executor";

/// The reading side of one execution's output: the log and the events
/// file beside it (see [`super::capture`], the writing side). Both only
/// grow, except that the events file may be replaced by a new one.
pub struct OutputTail {
    log_path: PathBuf,
    log: LineTail,
    events_path: PathBuf,
    events: Option<(File, LineTail)>,
}

/// One file read line by line from where the last read stopped.
struct LineTail {
    offset: u64,
    partial: Vec<u8>,
    too_long: bool,
}

impl LineTail {
    fn new() -> LineTail {
        LineTail {
            offset: 0,
            partial: Vec::new(),
            too_long: false,
        }
    }

    /// Reads `file` from the offset to its end; pushes the events found.
    fn read(&mut self, file: &mut File, events: &mut Vec<RunnerEvent>) {
        if file.seek(SeekFrom::Start(self.offset)).is_err() {
            return;
        }
        let mut buf = Vec::new();
        if file.read_to_end(&mut buf).is_err() {
            return;
        }
        self.offset += buf.len() as u64;
        for chunk in buf.split_inclusive(|b| *b == b'\n') {
            if !self.too_long {
                if self.partial.len() + chunk.len() <= MAX_EVENT_LINE {
                    self.partial.extend_from_slice(chunk);
                } else {
                    self.too_long = true;
                    self.partial.clear();
                }
            }
            if chunk.ends_with(b"\n") {
                if !self.too_long {
                    events.extend(parse_event(&self.partial));
                }
                self.partial.clear();
                self.too_long = false;
            }
        }
    }
}

/// The marker written where the cap cut the output.
pub fn marker(cap: u64) -> String {
    format!("\n[ssis-service: output truncated at {cap} bytes]\n")
}

/// The current task after `ev`: a task starting becomes current; when it
/// ends its parent container does; a `CurrentTask` restatement sets it.
pub fn next_task(task: Option<&str>, ev: &RunnerEvent) -> Option<String> {
    match (ev.event.as_str(), ev.source_path.as_deref()) {
        ("OnPreExecute", Some(path)) => Some(path.to_string()),
        ("OnPostExecute", Some(path)) if task == Some(path) => Some(
            path.rfind('\\')
                .filter(|i| *i > 0)
                .map_or(path, |i| &path[..i])
                .to_string(),
        ),
        (super::capture::CURRENT_TASK, path) => path.map(str::to_string),
        _ => task.map(str::to_string),
    }
}

impl OutputTail {
    /// Creates the log (empty) for a new execution and tails it.
    pub fn create(path: &Path) -> Result<OutputTail> {
        super::capture::private(OpenOptions::new().create(true).append(true))
            .open(path)
            .map_err(|e| Error::io(&e, "create the output log", path))?;
        Ok(OutputTail::resume(path))
    }

    /// Tails an existing log from its start (after a service restart).
    pub fn resume(path: &Path) -> OutputTail {
        OutputTail {
            log_path: path.to_path_buf(),
            log: LineTail::new(),
            events_path: super::capture::events_path(path),
            events: None,
        }
    }

    /// Reads what was written since the last poll; returns the events found.
    pub fn poll(&mut self) -> Vec<RunnerEvent> {
        let mut events = Vec::new();
        if let Ok(mut file) = File::open(&self.log_path) {
            self.log.read(&mut file, &mut events);
        }
        self.poll_events_file(&mut events);
        events
    }

    /// Events past the cap. A replaced file is read to its end first, then
    /// the new one from its start.
    fn poll_events_file(&mut self, events: &mut Vec<RunnerEvent>) {
        if let Some((file, tail)) = self.events.as_mut() {
            tail.read(file, events);
        }
        let replaced = match (&self.events, std::fs::metadata(&self.events_path)) {
            (_, Err(_)) => return,
            (None, Ok(_)) => true,
            (Some((file, _)), Ok(now)) => file.metadata().is_ok_and(|open| !same_file(&open, &now)),
        };
        if replaced {
            if let Ok(mut file) = File::open(&self.events_path) {
                let mut tail = LineTail::new();
                tail.read(&mut file, events);
                self.events = Some((file, tail));
            }
        }
    }
}

/// Whether two metadata describe the same file (not just the same name).
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        a.dev() == b.dev() && a.ino() == b.ino()
    }
    #[cfg(windows)]
    {
        a.created().ok() == b.created().ok() && a.len() <= b.len()
    }
}

/// A runner event line, or `None` for plain output.
pub fn parse_event(line: &[u8]) -> Option<RunnerEvent> {
    let trimmed = line.trim_ascii();
    if !trimmed.starts_with(b"{") {
        return None;
    }
    serde_json::from_slice(trimmed).ok()
}

/// Reads up to `max` bytes of a log from `offset`: the text, the next
/// offset, and the log's length.
pub fn read_chunk(path: &Path, offset: u64, max: u64) -> Result<(String, u64, u64)> {
    let mut file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok((String::new(), offset, 0));
        }
        Err(e) => return Err(Error::io(&e, "read the output log", path)),
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let start = offset.min(len);
    file.seek(SeekFrom::Start(start))
        .map_err(|e| Error::io(&e, "read the output log", path))?;
    let mut buf = Vec::new();
    file.take(max)
        .read_to_end(&mut buf)
        .map_err(|e| Error::io(&e, "read the output log", path))?;
    let next = start + buf.len() as u64;
    Ok((String::from_utf8_lossy(&buf).into_owned(), next, len))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::Capture;
    #[cfg(unix)]
    use crate::capture::EVENTS_FILE_CAP;

    fn line(event: &str, task: &str) -> String {
        format!("{{\"Event\":\"{event}\",\"SourcePath\":\"Package\\\\{task}\"}}\n")
    }

    #[test]
    fn follows_events_in_the_log_and_past_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.log");
        let mut tail = OutputTail::create(&path).unwrap();
        let mut c = Capture::open(&path, 100).unwrap();
        c.write(format!("hello\n{}{{\"Ev", line("OnPreExecute", "T1")).as_bytes())
            .unwrap();
        let ev = tail.poll();
        assert_eq!(ev.len(), 1);
        assert_eq!(ev[0].source_path.as_deref(), Some("Package\\T1"));
        c.write(b"ent\":\"OnPostExecute\"}\nnot json {\n").unwrap();
        assert_eq!(tail.poll()[0].event, "OnPostExecute");
        c.write(&[b'x'; 200]).unwrap();
        c.write(b"\n{\"Event\":\"OnError\"}\n").unwrap();
        assert_eq!(
            tail.poll()[0].event,
            "OnError",
            "events past the cap are still seen"
        );
        let kept = 100 + marker(100).len() as u64;
        assert_eq!(std::fs::metadata(&path).unwrap().len(), kept);
        c.write(b"more\n").unwrap();
        assert!(tail.poll().is_empty());
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.len() as u64, kept);
        assert!(text.ends_with(&marker(100)));
        let (chunk, next, len) = read_chunk(&path, 0, 5).unwrap();
        assert_eq!((chunk.as_str(), next, len), ("hello", 5, kept));
    }

    // Windows replaces a file another handle holds open only with POSIX
    // rename semantics (Windows 10 1709+), which Wine 8 lacks: see
    // docs/WINDOWS.md. The reader's side is exercised on Unix.
    #[cfg(unix)]
    #[test]
    fn a_replaced_events_file_is_read_to_its_end_then_the_new_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("y.log");
        let mut tail = OutputTail::create(&path).unwrap();
        let mut c = Capture::open(&path, 0).unwrap();
        let mut task = None;
        let mut seen = 0;
        let pre = line("OnPreExecute", "Loop");
        let n = 3 * EVENTS_FILE_CAP as usize / pre.len();
        for i in 0..n {
            c.write(pre.as_bytes()).unwrap();
            if i % 1000 == 0 {
                for ev in tail.poll() {
                    task = next_task(task.as_deref(), &ev);
                    seen += 1;
                }
            }
        }
        c.write(line("OnPreExecute", "Last").as_bytes()).unwrap();
        for ev in tail.poll() {
            task = next_task(task.as_deref(), &ev);
            seen += 1;
        }
        assert_eq!(task.as_deref(), Some("Package\\Last"));
        assert!(
            seen > n,
            "every line was read, plus restatements: {seen} of {n}"
        );
    }

    #[test]
    fn the_current_task_follows_pre_and_post_execute() {
        let ev = |e: &str, p: Option<&str>| RunnerEvent {
            time: None,
            event: e.into(),
            source_path: p.map(str::to_string),
            source_type: None,
            message: None,
            package: None,
            executor: None,
        };
        let t = next_task(None, &ev("OnPreExecute", Some("Package\\Seq\\T")));
        assert_eq!(t.as_deref(), Some("Package\\Seq\\T"));
        let t = next_task(t.as_deref(), &ev("OnPostExecute", Some("Package\\Seq\\T")));
        assert_eq!(t.as_deref(), Some("Package\\Seq"));
        let t = next_task(t.as_deref(), &ev("OnPostExecute", Some("Package\\Other")));
        assert_eq!(
            t.as_deref(),
            Some("Package\\Seq"),
            "another task's end changes nothing"
        );
        let t = next_task(t.as_deref(), &ev("CurrentTask", Some("Package\\X")));
        assert_eq!(t.as_deref(), Some("Package\\X"));
    }
}
