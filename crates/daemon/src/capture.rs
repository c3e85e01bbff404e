//! The writing side of an execution's output, run by the supervisor (the
//! only writer, so nothing races): the executor's stdout and stderr come in
//! through one pipe; the first `cap` bytes go to `<id>.log`, then one marker
//! line, then no more plain output.
//!
//! Runner event lines that do not fit wholly under the cap go to
//! `<id>.log.events` instead, so the service still follows the current task
//! and streams live events. That file is bounded too: past
//! [`EVENTS_FILE_CAP`] a new one replaces it (a rename, so a reader holding
//! the old file reads it to its end), starting with a synthetic
//! `CurrentTask` line that carries the task running at that moment.

use super::output::{RunnerEvent, marker, next_task, parse_event};
use serde_json::json;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Largest size of the events file before it is replaced.
pub const EVENTS_FILE_CAP: u64 = 1024 * 1024;
/// Longest line followed for events; longer lines are plain output.
pub const MAX_EVENT_LINE: usize = 64 * 1024;
/// The synthetic event that restates the current task in a new events file.
pub const CURRENT_TASK: &str = "CurrentTask";

/// The events file beside a log.
pub fn events_path(log: &Path) -> PathBuf {
    let mut name = log.as_os_str().to_owned();
    name.push(".events");
    PathBuf::from(name)
}

/// Writes an execution's output with the cap.
pub struct Capture {
    log: File,
    events_path: PathBuf,
    events: Option<(File, u64)>,
    cap: u64,
    /// Bytes of the stream so far (kept or not).
    seen: u64,
    /// Start of the current (unfinished) line in the stream, and its bytes.
    line_start: u64,
    line: Vec<u8>,
    line_too_long: bool,
    task: Option<String>,
}

/// Files of the state directory are created readable by the service account
/// only (0600 on Unix), so no other user sees a package's output, not even briefly.
pub fn private(options: &mut OpenOptions) -> &mut OpenOptions {
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(options, 0o600);
    options
}

impl Capture {
    /// Appends to `log` (created if needed), holding it to `cap` bytes.
    pub fn open(log: &Path, cap: u64) -> io::Result<Capture> {
        let file = private(OpenOptions::new().create(true).append(true)).open(log)?;
        Ok(Capture {
            log: file,
            events_path: events_path(log),
            events: None,
            cap,
            seen: 0,
            line_start: 0,
            line: Vec::new(),
            line_too_long: false,
            task: None,
        })
    }

    /// Another handle on the log file.
    pub fn log_file(&self) -> io::Result<File> {
        self.log.try_clone()
    }

    /// Takes the next bytes of the executor's output.
    pub fn write(&mut self, buf: &[u8]) -> io::Result<()> {
        let start = self.seen;
        if start < self.cap {
            let keep = (self.cap - start).min(buf.len() as u64) as usize;
            self.log.write_all(&buf[..keep])?;
            if keep < buf.len() {
                self.log.write_all(marker(self.cap).as_bytes())?;
            }
        }
        self.seen += buf.len() as u64;
        let mut pos = start;
        for chunk in buf.split_inclusive(|b| *b == b'\n') {
            pos += chunk.len() as u64;
            if !self.line_too_long {
                if self.line.len() + chunk.len() <= MAX_EVENT_LINE {
                    self.line.extend_from_slice(chunk);
                } else {
                    self.line_too_long = true;
                    self.line.clear();
                }
            }
            if chunk.ends_with(b"\n") {
                let end = self.line_start + self.line.len() as u64;
                if !self.line_too_long {
                    self.end_line(end)?;
                }
                self.line.clear();
                self.line_too_long = false;
                self.line_start = pos;
            }
        }
        Ok(())
    }

    fn end_line(&mut self, end: u64) -> io::Result<()> {
        let Some(ev) = parse_event(&self.line) else {
            return Ok(());
        };
        let before = self.task.clone();
        self.task = next_task(self.task.as_deref(), &ev);
        if end > self.cap {
            let line = std::mem::take(&mut self.line);
            let written = self.write_event_line(&line, before.as_deref());
            self.line = line;
            written?;
        }
        Ok(())
    }

    /// Appends an event line to the events file, replacing the file first
    /// when it would grow past its cap.
    fn write_event_line(&mut self, line: &[u8], task: Option<&str>) -> io::Result<()> {
        let full = self
            .events
            .as_ref()
            .is_some_and(|(_, len)| len + line.len() as u64 > EVENTS_FILE_CAP);
        if self.events.is_none() || full {
            let tmp = {
                let mut name = self.events_path.as_os_str().to_owned();
                name.push(".new");
                PathBuf::from(name)
            };
            let mut file =
                private(OpenOptions::new().create(true).write(true).truncate(true)).open(&tmp)?;
            let mut len = 0;
            if full {
                let restate = current_task_line(task);
                file.write_all(&restate)?;
                len = restate.len() as u64;
            }
            // Our handle on the old file goes first: Windows refuses to
            // replace a file this process still holds open.
            self.events = None;
            std::fs::rename(&tmp, &self.events_path)?;
            self.events = Some((file, len));
        }
        if let Some((file, len)) = self.events.as_mut() {
            let mut line = line.to_vec();
            if !line.ends_with(b"\n") {
                line.push(b'\n');
            }
            file.write_all(&line)?;
            *len += line.len() as u64;
        }
        Ok(())
    }
}

/// `{"Event":"CurrentTask","SourcePath":...}` and a newline.
fn current_task_line(task: Option<&str>) -> Vec<u8> {
    let mut v = json!({"Event": CURRENT_TASK, "SourcePath": task})
        .to_string()
        .into_bytes();
    v.push(b'\n');
    v
}

/// Whether `ev` is the synthetic current-task restatement.
pub fn is_restatement(ev: &RunnerEvent) -> bool {
    ev.event == CURRENT_TASK
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pre(task: &str) -> String {
        format!("{{\"Event\":\"OnPreExecute\",\"SourcePath\":\"Package\\\\{task}\"}}\n")
    }

    #[test]
    fn keeps_the_cap_and_sends_later_events_aside() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("x.log");
        let mut c = Capture::open(&log, 40).unwrap();
        c.write(b"0123456789\n").unwrap();
        // This event line straddles the cap: cut in the log, whole in the events file.
        c.write(pre("A").as_bytes()).unwrap();
        c.write(b"plain text past the cap\n").unwrap();
        let b = pre("B");
        let (b1, b2) = b.as_bytes().split_at(10);
        c.write(b1).unwrap();
        c.write(b2).unwrap();
        let text = std::fs::read_to_string(&log).unwrap();
        assert_eq!(text.len(), 40 + marker(40).len());
        assert!(text.starts_with("0123456789\n{\"Event\""));
        assert!(text.ends_with(&marker(40)));
        let events = std::fs::read_to_string(events_path(&log)).unwrap();
        assert_eq!(events, format!("{}{}", pre("A"), pre("B")));
        assert_eq!(c.task.as_deref(), Some("Package\\B"));
    }

    #[test]
    fn the_events_file_is_replaced_with_the_current_task_first() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("y.log");
        let mut c = Capture::open(&log, 0).unwrap();
        let line = pre("Loop");
        let n = EVENTS_FILE_CAP as usize / line.len() + 5;
        for _ in 0..n {
            c.write(line.as_bytes()).unwrap();
        }
        let events = std::fs::read_to_string(events_path(&log)).unwrap();
        assert!(events.len() as u64 <= EVENTS_FILE_CAP);
        let first = events.lines().next().unwrap();
        let ev = parse_event(first.as_bytes()).unwrap();
        assert!(is_restatement(&ev));
        assert_eq!(ev.source_path.as_deref(), Some("Package\\Loop"));
        assert_eq!(
            events.lines().count(),
            6,
            "the restatement and the last 5 lines"
        );
    }
}
