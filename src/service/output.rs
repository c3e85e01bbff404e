//! Per-execution output logs: the executor writes stdout and stderr straight
//! into `<state>/output/<id>.log` (so a package keeps running, and logging,
//! while the service restarts); the service tails the file for the runner's
//! JSON event lines and holds it to a size cap.
//!
//! Cap: the first `cap` bytes are kept, then one marker line; what the
//! package writes after that is read for events and cut off.

use crate::error::{Error, Result};
use serde::Deserialize;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// Longest line scanned for an event; longer lines are plain output.
const MAX_EVENT_LINE: usize = 64 * 1024;

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
}

/// The tail of one execution's output log.
pub struct OutputTail {
    path: PathBuf,
    cap: u64,
    offset: u64,
    partial: Vec<u8>,
    kept: Option<u64>,
}

/// The marker written where the cap cut the output.
pub fn marker(cap: u64) -> String {
    format!("\n[ssis-service: output truncated at {cap} bytes]\n")
}

impl OutputTail {
    /// Creates the log (empty) and returns the tail and the file the child writes to.
    pub fn create(path: &Path, cap: u64) -> Result<(OutputTail, File)> {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| Error::io(&e, "create the output log", path))?;
        Ok((OutputTail::resume(path, cap), file))
    }

    /// Tails an existing log from its start (after a service restart).
    pub fn resume(path: &Path, cap: u64) -> OutputTail {
        OutputTail {
            path: path.to_path_buf(),
            cap,
            offset: 0,
            partial: Vec::new(),
            kept: None,
        }
    }

    /// Reads what was written since the last poll; returns the events found
    /// and enforces the cap.
    pub fn poll(&mut self) -> Vec<RunnerEvent> {
        let mut events = Vec::new();
        let Ok(mut file) = OpenOptions::new().read(true).write(true).open(&self.path) else {
            return events;
        };
        let len = file.metadata().map(|m| m.len()).unwrap_or(0);
        if len < self.offset {
            self.offset = len;
        }
        if file.seek(SeekFrom::Start(self.offset)).is_err() {
            return events;
        }
        let mut buf = Vec::new();
        let _ = (&mut file).take(len - self.offset).read_to_end(&mut buf);
        self.offset += buf.len() as u64;
        for chunk in buf.split_inclusive(|b| *b == b'\n') {
            if chunk.ends_with(b"\n") {
                self.partial.extend_from_slice(chunk);
                if let Some(ev) = parse_event(&self.partial) {
                    events.push(ev);
                }
                self.partial.clear();
            } else if self.partial.len() + chunk.len() <= MAX_EVENT_LINE {
                self.partial.extend_from_slice(chunk);
            } else {
                self.partial.clear();
            }
        }
        self.enforce_cap(&mut file);
        events
    }

    fn enforce_cap(&mut self, file: &mut File) {
        if self.offset <= self.cap && self.kept.is_none() {
            return;
        }
        let kept = match self.kept {
            Some(kept) => kept,
            None => {
                let mark = marker(self.cap);
                if file.set_len(self.cap).is_err() {
                    return;
                }
                let _ = file.seek(SeekFrom::End(0));
                let _ = file.write_all(mark.as_bytes());
                let kept = self.cap + mark.len() as u64;
                self.kept = Some(kept);
                kept
            }
        };
        if self.offset > kept {
            let _ = file.set_len(kept);
        }
        self.offset = kept;
    }
}

fn parse_event(line: &[u8]) -> Option<RunnerEvent> {
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

    #[test]
    fn finds_events_and_keeps_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.log");
        let (mut tail, mut file) = OutputTail::create(&path, 100).unwrap();
        file.write_all(
            b"hello\n{\"Event\":\"OnPreExecute\",\"SourcePath\":\"\\\\Package\\\\T1\"}\n{\"Ev",
        )
        .unwrap();
        let ev = tail.poll();
        assert_eq!(ev.len(), 1);
        assert_eq!(ev[0].source_path.as_deref(), Some("\\Package\\T1"));
        file.write_all(b"ent\":\"OnPostExecute\"}\nnot json {\n")
            .unwrap();
        let ev = tail.poll();
        assert_eq!(ev.len(), 1);
        assert_eq!(ev[0].event, "OnPostExecute");
        file.write_all(&[b'x'; 200]).unwrap();
        file.write_all(b"\n{\"Event\":\"OnError\"}\n").unwrap();
        let ev = tail.poll();
        assert_eq!(ev.len(), 1, "events past the cap are still seen");
        let kept = 100 + marker(100).len() as u64;
        assert_eq!(std::fs::metadata(&path).unwrap().len(), kept);
        file.write_all(b"more\n").unwrap();
        tail.poll();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.len() as u64, kept);
        assert!(text.ends_with(&marker(100)));
        let (chunk, next, len) = read_chunk(&path, 0, 5).unwrap();
        assert_eq!((chunk.as_str(), next, len), ("hello", 5, kept));
    }
}
