//! The Windows Event Log: every entry of the service's own log is also
//! reported to the Application log under our event source ([`SOURCE`]), as
//! the original service reports under its own. [`register_source`] (run by
//! the installer, needs Administrators) names the message file; without it
//! the events are still written and Event Viewer shows their text as
//! insertion strings.

use ssis_core::protocol::events::EventLevel;
use std::io;
use std::sync::OnceLock;
use windows_sys::Win32::Foundation::HANDLE;
use windows_sys::Win32::System::EventLog::{
    EVENTLOG_ERROR_TYPE, EVENTLOG_INFORMATION_TYPE, EVENTLOG_WARNING_TYPE, REPORT_EVENT_TYPE,
    RegisterEventSourceW, ReportEventW,
};

/// Our event source in the Application log.
pub const SOURCE: &str = "ssis-service";

/// Longest insertion string ReportEvent accepts (characters).
const MAX_STRING: usize = 31_839;

/// The registry key of [`SOURCE`] under HKLM.
pub const SOURCE_KEY: &str = r"SYSTEM\CurrentControlSet\Services\EventLog\Application\ssis-service";

/// A message file whose every message is `%1` (shipped with .NET
/// Framework), so the insertion string is the whole text.
pub const MESSAGE_FILE: &str =
    r"%SystemRoot%\Microsoft.NET\Framework64\v4.0.30319\EventLogMessages.dll";

/// One event as ReportEventW takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// EVENTLOG_ERROR_TYPE, _WARNING_TYPE or _INFORMATION_TYPE.
    pub kind: REPORT_EVENT_TYPE,
    /// The service's event id (the same number as in its own log).
    pub event_id: u32,
    /// The insertion string: the message, then the component, user and
    /// execution, each on its own line.
    pub text: String,
}

/// Builds the record of an entry of the service's log.
pub fn record(
    level: EventLevel,
    event_id: u32,
    source: &str,
    user: Option<&str>,
    message: &str,
    execution_id: Option<&str>,
) -> Record {
    let kind = match level {
        EventLevel::Error => EVENTLOG_ERROR_TYPE,
        EventLevel::Warning => EVENTLOG_WARNING_TYPE,
        EventLevel::Information => EVENTLOG_INFORMATION_TYPE,
    };
    let mut text = message.replace("\r\n", "\n").replace('\n', "\r\n");
    text.push_str(&format!("\r\n\r\nComponent: {source}"));
    if let Some(user) = user {
        text.push_str(&format!("\r\nUser: {user}"));
    }
    if let Some(id) = execution_id {
        text.push_str(&format!("\r\nExecution: {id}"));
    }
    // '%' followed by a digit would be taken for another insertion.
    let mut text = text.replace('%', "%%");
    if text.chars().count() > MAX_STRING {
        text = text.chars().take(MAX_STRING - 1).collect();
        text.push('…');
    }
    Record {
        kind,
        event_id,
        text,
    }
}

/// The registered source handle of this process (None when the Event Log
/// service refuses it; then events only go to the service's own log).
fn source() -> Option<HANDLE> {
    static SOURCE_HANDLE: OnceLock<usize> = OnceLock::new();
    let h = *SOURCE_HANDLE.get_or_init(|| {
        let name = wide(SOURCE);
        // SAFETY: NUL-terminated name; the handle lives for the process.
        unsafe { RegisterEventSourceW(std::ptr::null(), name.as_ptr()) as usize }
    });
    (h != 0).then_some(h as HANDLE)
}

/// Reports `r` to the Application log.
pub fn report(r: &Record) -> io::Result<()> {
    let Some(h) = source() else {
        return Err(io::Error::other("the event source could not be registered"));
    };
    let text = wide(&r.text);
    let strings = [text.as_ptr()];
    // SAFETY: one NUL-terminated string; no raw data.
    let ok = unsafe {
        ReportEventW(
            h,
            r.kind,
            0,
            r.event_id,
            std::ptr::null_mut(),
            1,
            0,
            strings.as_ptr(),
            std::ptr::null(),
        )
    };
    if ok == 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Creates [`SOURCE_KEY`] with [`MESSAGE_FILE`] and the types it reports
/// (Administrators only; done by `ssis service install`).
pub fn register_source() -> io::Result<()> {
    let key = super::registry::create_local_machine_key(SOURCE_KEY)?;
    key.set_expand_string("EventMessageFile", MESSAGE_FILE)?;
    key.set_dword(
        "TypesSupported",
        u32::from(EVENTLOG_ERROR_TYPE | EVENTLOG_WARNING_TYPE | EVENTLOG_INFORMATION_TYPE),
    )
}

/// Removes [`SOURCE_KEY`] (`ssis service uninstall`).
pub fn unregister_source() -> io::Result<()> {
    super::registry::delete_local_machine_key(SOURCE_KEY)
}

fn wide(s: &str) -> Vec<u16> {
    s.encode_utf16().chain(Some(0)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_carry_the_level_id_and_context() {
        let r = record(
            EventLevel::Warning,
            1203,
            "Executions",
            Some("CORP\\alice"),
            "Execution x did not stop within 10 s;\nkilling it (100% sure).",
            Some("0a1b"),
        );
        assert_eq!(r.kind, EVENTLOG_WARNING_TYPE);
        assert_eq!(r.event_id, 1203);
        assert_eq!(
            r.text,
            "Execution x did not stop within 10 s;\r\nkilling it (100%% sure).\r\n\r\n\
             Component: Executions\r\nUser: CORP\\alice\r\nExecution: 0a1b"
        );
        let e = record(EventLevel::Error, 1, "Service", None, "x", None);
        assert_eq!(e.kind, EVENTLOG_ERROR_TYPE);
        assert_eq!(e.text, "x\r\n\r\nComponent: Service");
        let i = record(EventLevel::Information, 2, "Service", None, "y", None);
        assert_eq!(i.kind, EVENTLOG_INFORMATION_TYPE);
    }

    #[test]
    fn long_messages_are_cut_to_the_event_log_limit() {
        let r = record(
            EventLevel::Information,
            1,
            "S",
            None,
            &"é".repeat(40_000),
            None,
        );
        assert_eq!(r.text.chars().count(), MAX_STRING);
        assert!(r.text.ends_with('…'));
    }

    /// The newest records of the Application log from our source: (event
    /// type, event id, first insertion string). Empty when the log cannot
    /// be read.
    fn read_back(newest: usize) -> Vec<(u16, u32, String)> {
        use windows_sys::Win32::System::EventLog::{
            CloseEventLog, EVENTLOG_SEQUENTIAL_READ, EVENTLOGRECORD, OpenEventLogW, ReadEventLogW,
        };
        /// Newest first (winnt.h; not in windows-sys' EventLog module).
        const EVENTLOG_BACKWARDS_READ: u32 = 0x0008;
        let log = wide("Application");
        // SAFETY: NUL-terminated name; the handle is closed below.
        let h = unsafe { OpenEventLogW(std::ptr::null(), log.as_ptr()) };
        if h.is_null() {
            return Vec::new();
        }
        let mut found = Vec::new();
        let mut buf = vec![0u8; 64 * 1024];
        'read: while found.len() < newest {
            let (mut read, mut needed) = (0u32, 0u32);
            // SAFETY: buf is writable for its length; read/needed are out params.
            let ok = unsafe {
                ReadEventLogW(
                    h,
                    EVENTLOG_SEQUENTIAL_READ | EVENTLOG_BACKWARDS_READ,
                    0,
                    buf.as_mut_ptr().cast(),
                    buf.len() as u32,
                    &mut read,
                    &mut needed,
                )
            };
            if ok == 0 {
                break;
            }
            let mut at = 0usize;
            while at + std::mem::size_of::<EVENTLOGRECORD>() <= read as usize {
                // SAFETY: a whole EVENTLOGRECORD header lies at `at` (read_unaligned).
                let rec: EVENTLOGRECORD =
                    unsafe { std::ptr::read_unaligned(buf.as_ptr().add(at).cast()) };
                let end = at + rec.Length as usize;
                if rec.Length == 0 || end > read as usize {
                    break 'read;
                }
                let words = |from: usize| -> Vec<u16> {
                    buf[from..end]
                        .chunks_exact(2)
                        .map(|c| u16::from_le_bytes([c[0], c[1]]))
                        .take_while(|&w| w != 0)
                        .collect()
                };
                // The source name follows the fixed header.
                let source =
                    String::from_utf16_lossy(&words(at + std::mem::size_of::<EVENTLOGRECORD>()));
                if source == SOURCE && rec.NumStrings > 0 {
                    let text = String::from_utf16_lossy(&words(at + rec.StringOffset as usize));
                    found.push((rec.EventType, rec.EventID & 0xFFFF, text));
                    if found.len() >= newest {
                        break 'read;
                    }
                }
                at = end;
            }
        }
        // SAFETY: opened above.
        unsafe { CloseEventLog(h) };
        found
    }

    /// The event reaches the Application log with its type, id and text.
    /// Under Wine, which accepts events and keeps none, only the report is
    /// checked and the read-back says it was skipped.
    #[test]
    fn reported_events_are_in_the_application_log() {
        let marker = format!(
            "ssis-service unit test {}",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        );
        let r = record(EventLevel::Warning, 1203, "Test", None, &marker, None);
        report(&r).unwrap();
        if crate::windows::under_wine() {
            eprintln!("skipped: reading the event back (Wine keeps no event log)");
            return;
        }
        let records = read_back(50);
        let ours = records
            .iter()
            .find(|(_, _, text)| text.starts_with(&marker))
            .unwrap_or_else(|| panic!("the event is not in the Application log: {records:?}"));
        assert_eq!(ours.0, EVENTLOG_WARNING_TYPE);
        assert_eq!(ours.1, 1203);
        assert_eq!(ours.2, r.text.replace("%%", "%"));
    }
}
