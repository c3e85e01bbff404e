//! The exit file: what a supervisor writes when the executor ends, and
//! what the service reads back to record a run's real result.

use serde::{Deserialize, Serialize};
use ssis_core::error::{Error, Result};
use std::path::Path;
use std::process::ExitStatus;

/// What the supervisor writes when the executor ends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ExitReport {
    /// The exit code; a signal counts as 128 + its number, as shells report it.
    pub exit_code: i32,
    /// The signal that ended the executor, if one did.
    #[serde(default)]
    pub signal: Option<i32>,
    /// The executor's process id (0 when it could not be started).
    pub process_id: u32,
    /// When it ended (RFC 3339 UTC).
    pub end_time: String,
    /// Why the executor could not be started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Output the log could not take (a full disk), said in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_lost: Option<String>,
}

impl ExitReport {
    /// Reads an exit file; `None` if there is none (the supervisor did not
    /// finish) or it cannot be understood.
    pub fn read(path: &Path) -> Option<ExitReport> {
        let text = std::fs::read(path).ok()?;
        serde_json::from_slice(&text).ok()
    }

    /// A sentence about how the executor ended.
    pub fn describe(&self) -> String {
        match (&self.error, self.signal) {
            (Some(e), _) => format!("the executor could not be started: {e}"),
            (None, Some(sig)) => format!("ended by signal {sig}"),
            (None, None) => format!("exit code {}", self.exit_code),
        }
    }
}

/// The exit code and signal of a finished process.
pub fn code_of(status: &ExitStatus) -> (i32, Option<i32>) {
    if let Some(code) = status.code() {
        return (code, None);
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            return (128 + sig, Some(sig));
        }
    }
    (1, None)
}

/// A report of how the executor ended, dated now.
pub(crate) fn report(
    exit_code: i32,
    signal: Option<i32>,
    pid: u32,
    error: Option<String>,
) -> ExitReport {
    ExitReport {
        exit_code,
        signal,
        process_id: pid,
        end_time: ssis_core::timefmt::rfc3339(std::time::SystemTime::now(), true),
        error,
        output_lost: None,
    }
}

/// Writes the exit file atomically (a reader never sees half of it).
pub fn write_report(path: &Path, report: &ExitReport) -> Result<()> {
    let text = serde_json::to_vec(report)
        .map_err(|e| Error::internal(format!("cannot encode the exit report: {e}")))?;
    ssis_core::fsutil::write_atomic(path, &text, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_round_trip_and_describe_themselves() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.exit");
        assert_eq!(ExitReport::read(&path), None);
        let r = report(143, Some(15), 42, None);
        write_report(&path, &r).unwrap();
        let back = ExitReport::read(&path).unwrap();
        assert_eq!(back, r);
        assert_eq!(back.describe(), "ended by signal 15");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("\"ExitCode\":143"), "{text}");
        std::fs::write(&path, "{\"Exit").unwrap();
        assert_eq!(ExitReport::read(&path), None, "a torn file is no report");
    }
}
