//! The service itself through a session: its event log and its description.
//!
//! Like the execution functions, these need a service session; an in-process session
//! (`"embedded:..."`) gets `SSIS_UNSUPPORTED`.

use super::boundary;
use super::options;
use super::runtime;
use super::session::ssis_session;
use super::status::ssis_status;

use crate::error::Result;
use crate::protocol::events::EventFilter;
use std::ffi::c_char;

/// Keys of `ssis_events_read`'s `filter_json`.
const EVENT_KEYS: [&str; 7] = [
    "Since",
    "Level",
    "Text",
    "ExecutionId",
    "EventId",
    "AfterSequence",
    "Limit",
];

fn event_filter(filter_json: Option<&str>) -> Result<EventFilter> {
    const NAME: &str = "filter_json";
    options::typed(options::object(filter_json, NAME, &EVENT_KEYS)?, NAME)
}

/// Reads the service's event log and writes `{"Items": [{"Sequence", "Time", "Level",
/// "EventId", "Source", "Category", "User", "Message", "Data", "ExecutionId"}, ...]}`, oldest first: the
/// newest entries that match, at most `Limit`.
///
/// `filter_json` is NULL, `""` or an object of filters, all optional and combined with AND:
/// `"Since"` (RFC 3339), `"Level"` (`"Information"`, `"Warning"` or `"Error"`: that level or
/// more severe), `"Text"` (message contains, case-insensitive), `"ExecutionId"`, `"EventId"`,
/// `"AfterSequence"` (entries after this `Sequence`, to read on from an earlier call),
/// `"Limit"` (default 1,000, ceiling 10,000). An unknown key is `SSIS_INVALID_ARGUMENT`.
///
/// # Safety
/// `session` must be a live handle (or NULL); `filter_json` NULL or NUL-terminated;
/// `out_json` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ssis_events_read(
    session: *const ssis_session,
    filter_json: *const c_char,
    out_json: *mut *mut c_char,
) -> ssis_status {
    boundary::call("ssis_events_read", || {
        let session = session_arg!(session)?;
        let filter = opt_str_arg!(filter_json)?;
        let out = out_arg!(out_json)?;
        let filter = event_filter(filter)?;
        out.write_json(&runtime::call(|| session.events_read(&filter))?)
    })
}

/// Reads the event log of a service that need not be running, from its state directory
/// `state_dir` (as `ssis events --state-dir`): the entries that explain why it stopped or
/// refused to start (258-260, 272-274) stay readable while it is down. Writes the same
/// `{"Items": [...]}` as `ssis_events_read`, with the same `filter_json`. The database is
/// opened read-only with the caller's own rights; a folder without one is `SSIS_NOT_FOUND`.
///
/// # Safety
/// `state_dir` and `filter_json` NULL or NUL-terminated; `out_json` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ssis_events_read_state(
    state_dir: *const c_char,
    filter_json: *const c_char,
    out_json: *mut *mut c_char,
) -> ssis_status {
    boundary::call("ssis_events_read_state", || {
        let state_dir = file_arg!(state_dir)?;
        let filter = opt_str_arg!(filter_json)?;
        let out = out_arg!(out_json)?;
        let filter = event_filter(filter)?;
        let db = crate::service::db::Db::open_read_only(state_dir)?;
        out.write_json(&crate::ops::Items::from(db.events(&filter)?))
    })
}

/// Describes the service the session is connected to: `{"Version", "Protocol",
/// "ProcessId", "StartTime", "Listen", "ConfigPath", "ConfigLoaded", "StateDirectory",
/// "Executor", "StopExecutingPackagesOnShutdown", "RunningExecutions"}`.
///
/// # Safety
/// `session` must be a live handle (or NULL); `out_json` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ssis_service_info(
    session: *const ssis_session,
    out_json: *mut *mut c_char,
) -> ssis_status {
    boundary::call("ssis_service_info", || {
        let session = session_arg!(session)?;
        let out = out_arg!(out_json)?;
        out.write_json(&runtime::call(|| session.service_info())?)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::events::EventLevel;

    #[test]
    fn event_filters_are_checked_and_typed() {
        assert_eq!(event_filter(None).unwrap(), EventFilter::default());
        let f = event_filter(Some(
            r#"{"Level": "Warning", "Text": "stopped", "EventId": 1021, "AfterSequence": 7, "Limit": 2}"#,
        ))
        .unwrap();
        assert_eq!(f.level, Some(EventLevel::Warning));
        assert_eq!(
            (f.event_id, f.after_sequence, f.limit),
            (Some(1021), Some(7), Some(2))
        );
        let e = event_filter(Some(r#"{"Level": "Fatal"}"#)).unwrap_err();
        assert!(e.message.contains("'Level'"), "{}", e.message);
        let e = event_filter(Some(r#"{"Running": true}"#)).unwrap_err();
        assert!(e.message.contains("unknown key 'Running'"), "{}", e.message);
    }

    #[test]
    fn every_event_key_is_a_filter_field() {
        for key in EVENT_KEYS {
            let value = match key {
                "EventId" | "AfterSequence" | "Limit" => "1",
                "Level" => "\"Error\"",
                _ => "\"x\"",
            };
            let f = event_filter(Some(&format!("{{\"{key}\": {value}}}"))).unwrap();
            assert_ne!(f, EventFilter::default(), "{key} was ignored");
        }
    }
}
