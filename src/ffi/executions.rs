//! Running packages on the service and watching them: run, stop, list (running or
//! history), get, output, wait.
//!
//! These need a service session (`ssis_connect` with `"."`, `"unix:<socket>"`, ...); an
//! in-process session (`"embedded:..."`) gets `SSIS_UNSUPPORTED`. Each result is the JSON
//! the CLI prints with `--json`; an Execution is `{"ExecutionId", "PackageName",
//! "PackagePath", "PackageFile", "Store", "StartedBy", "StartedFrom", "StartTime",
//! "EndTime", "Duration", "Status", "ExitCode", "CurrentTask", "ProcessId", "CommandLine",
//! "Message"}` (docs/C-API.md and docs/PROTOCOL.md describe each field).

use super::boundary;
use super::options;
use super::runtime;
use super::session::ssis_session;
use super::status::ssis_status;

use crate::error::{Error, Result};
use crate::protocol::executions::{HistoryFilter, RunParams, Secret, VariableOverride};
use serde_json::Value;
use std::ffi::c_char;
use std::time::Duration;

/// Keys of `ssis_package_run`'s `options_json`.
const RUN_KEYS: [&str; 4] = ["Set", "File", "Project", "Password"];
/// Keys of `ssis_executions_list`'s `filter_json` that select the history.
const HISTORY_KEYS: [&str; 6] = ["Package", "Status", "User", "Since", "Until", "Limit"];
/// The key of `ssis_executions_list`'s `filter_json` that selects the running executions.
const RUNNING_KEY: &str = "Running";
/// Keys of `ssis_execution_output`'s `options_json`.
const OUTPUT_KEYS: [&str; 2] = ["Offset", "MaxBytes"];

/// What `ssis_package_run` starts, from its arguments.
fn run_params(path: &str, options_json: Option<&str>) -> Result<RunParams> {
    const NAME: &str = "options_json";
    let map = options::object(options_json, NAME, &RUN_KEYS)?;
    let file = options::field::<bool>(&map, "File", NAME)?.unwrap_or(false);
    let password = options::field::<String>(&map, "Password", NAME)?.map(Secret);
    let project = options::field::<String>(&map, "Project", NAME)?;
    if file && project.is_some() {
        return Err(
            Error::invalid("parameter 'options_json': give 'File' or 'Project', not both")
                .with_target(NAME),
        );
    }
    let set = match map.get("Set") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| variable_override(i, item))
            .collect::<Result<Vec<_>>>()?,
        Some(_) => {
            return Err(Error::invalid(
                "parameter 'options_json': 'Set' must be an array of {\"Name\": ..., \"Value\": ...} objects",
            )
            .with_target(NAME));
        }
    };
    let path = path.trim();
    if path.is_empty() {
        return Err(Error::invalid(if project.is_some() {
            "parameter 'path' is empty: give the name of the project's package to run"
        } else if file {
            "parameter 'path' is empty: give the package file to run"
        } else {
            "parameter 'path' is empty: give the store path of the package to run"
        })
        .with_target("path"));
    }
    let (package, file) = if file {
        (None, Some(path.to_string()))
    } else {
        (Some(path.to_string()), None)
    };
    Ok(RunParams {
        package,
        file,
        project,
        set,
        password,
    })
}

/// Item `index` of the `Set` array: `{"Name": "User::X", "Value": "1"}`.
fn variable_override(index: usize, item: &Value) -> Result<VariableOverride> {
    let bad = |what: String| {
        Error::invalid(format!("parameter 'options_json': Set[{index}] {what}"))
            .with_target("options_json")
    };
    let o: VariableOverride = serde_json::from_value(item.clone()).map_err(|e| {
        bad(format!(
            "is not a {{\"Name\": \"User::X\", \"Value\": \"text\"}} object: {e}"
        ))
    })?;
    if o.name.trim().is_empty() {
        return Err(bad("has an empty Name".into()));
    }
    Ok(o)
}

/// Which list `ssis_executions_list` returns.
#[derive(Debug, PartialEq)]
enum ListQuery {
    /// The executions that have not ended.
    Running,
    /// The history with these filters.
    History(HistoryFilter),
}

fn list_query(filter_json: Option<&str>) -> Result<ListQuery> {
    const NAME: &str = "filter_json";
    let allowed: Vec<&str> = std::iter::once(RUNNING_KEY).chain(HISTORY_KEYS).collect();
    let mut map = options::object(filter_json, NAME, &allowed)?;
    let running = options::field::<bool>(&map, RUNNING_KEY, NAME)?.unwrap_or(false);
    map.remove(RUNNING_KEY);
    if running {
        if let Some(key) = map.keys().next() {
            return Err(Error::invalid(format!(
                "parameter 'filter_json': \"Running\": true lists the executions that have not \
                 ended and cannot be combined with '{key}' (a history filter); leave out Running \
                 to filter the history"
            ))
            .with_target(NAME));
        }
        return Ok(ListQuery::Running);
    }
    Ok(ListQuery::History(options::typed(map, NAME)?))
}

/// Output range of `ssis_execution_output`: (offset, max bytes).
fn output_range(options_json: Option<&str>) -> Result<(u64, Option<u64>)> {
    const NAME: &str = "options_json";
    let map = options::object(options_json, NAME, &OUTPUT_KEYS)?;
    let offset = options::field::<u64>(&map, "Offset", NAME)?.unwrap_or(0);
    let max = options::field::<u64>(&map, "MaxBytes", NAME)?;
    if max == Some(0) {
        return Err(Error::invalid(
            "parameter 'options_json': 'MaxBytes' must be at least 1 (leave it out for the largest chunk)",
        )
        .with_target(NAME));
    }
    Ok((offset, max))
}

/// The wait limit of `ssis_execution_wait`: negative means none.
fn wait_limit(timeout_ms: i64) -> Option<Duration> {
    u64::try_from(timeout_ms).ok().map(Duration::from_millis)
}

/// Starts a package on the service and writes its Execution JSON (status `Running`, or
/// `Failed` when it could not start) without waiting for it to end; use
/// `ssis_execution_wait` for that.
///
/// `path` is the store path of the package (`\File System\Sales\Daily Load`). `options_json`
/// is NULL, `""` or an object:
/// - `"Set"`: variable overrides applied in order, as dtexec's `/SET`:
///   `[{"Name": "User::Count", "Value": "5"}]`; a name without namespace means `User::`,
///   a name starting with `\` is a full property path (`\Package.Variables[...].Properties[Value]`);
///   values are strings;
/// - `"File"`: `true` when `path` is a package file (`.dtsx`, as dtexec `/F`) instead of a
///   store path; a relative file is taken from the caller's working directory;
/// - `"Project"`: a project (`.ispac`, `.dtproj`, or a folder holding one or an unzipped
///   `.ispac`) whose package `path` names (`Load.dtsx`), as dtexec `/Project` with `/Package`;
///   a relative project is taken from the caller's working directory;
/// - `"Password"`: the password of a package or project protected with one (dtexec's
///   `/DECRYPT`); the executor gets it in its environment, and no record keeps it.
///
/// An unknown key is `SSIS_INVALID_ARGUMENT` naming it. A missing package is
/// `SSIS_NOT_FOUND`; an in-process session `SSIS_UNSUPPORTED`.
///
/// # Safety
/// `session` must be a live handle (or NULL); strings NULL or NUL-terminated; `out_json`
/// NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ssis_package_run(
    session: *const ssis_session,
    path: *const c_char,
    options_json: *const c_char,
    out_json: *mut *mut c_char,
) -> ssis_status {
    boundary::call("ssis_package_run", || {
        let session = session_arg!(session)?;
        let path = str_arg!(path)?;
        let options = opt_str_arg!(options_json)?;
        let out = out_arg!(out_json)?;
        let params = run_params(path, options)?;
        out.write_json(&runtime::call(|| session.run(&params))?)
    })
}

/// Asks the service to stop the execution `execution_id`, and returns at once: the stop is
/// asynchronous. The package's process group gets a graceful stop (SIGTERM), then is killed
/// after the service's grace period; meanwhile the execution's status is `Stopping`, then
/// `Stopped`. Call `ssis_execution_wait` to wait for the end. Stopping an execution that has
/// already ended does nothing and succeeds; an unknown id is `SSIS_NOT_FOUND`.
///
/// # Safety
/// `session` must be a live handle (or NULL); `execution_id` NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ssis_execution_stop(
    session: *const ssis_session,
    execution_id: *const c_char,
) -> ssis_status {
    boundary::call("ssis_execution_stop", || {
        let session = session_arg!(session)?;
        let id = str_arg!(execution_id)?;
        runtime::call(|| session.execution_stop(id)).map(|_| ())
    })
}

/// Lists executions as `{"Items": [Execution, ...]}`.
///
/// `filter_json`:
/// - `{"Running": true}`: the executions that have not ended (status `Created`, `Running` or
///   `Stopping`), oldest first: what SSMS shows under Running Packages;
/// - NULL, `""`, `{}` or history filters: the execution history (ended or not), newest
///   first. Filters, all optional and combined with AND: `"Package"` (name or store path
///   contains the text, case-insensitive), `"Status"` (`"Succeeded"`, `"Failed"`, ...),
///   `"User"` (started by), `"Since"` and `"Until"` (RFC 3339 start-time bounds, `Until`
///   excluded), `"Limit"` (at most this many; default 100, ceiling 10,000).
///
/// `"Running": true` combined with a history filter, or an unknown key, is
/// `SSIS_INVALID_ARGUMENT`.
///
/// # Safety
/// As `ssis_package_run`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ssis_executions_list(
    session: *const ssis_session,
    filter_json: *const c_char,
    out_json: *mut *mut c_char,
) -> ssis_status {
    boundary::call("ssis_executions_list", || {
        let session = session_arg!(session)?;
        let filter = opt_str_arg!(filter_json)?;
        let out = out_arg!(out_json)?;
        let items = match list_query(filter)? {
            ListQuery::Running => runtime::call(|| session.executions_list())?,
            ListQuery::History(f) => runtime::call(|| session.execution_history(&f))?,
        };
        out.write_json(&items)
    })
}

/// Writes the Execution JSON of `execution_id` (running or ended); an unknown id is
/// `SSIS_NOT_FOUND`.
///
/// # Safety
/// As `ssis_package_run`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ssis_execution_get(
    session: *const ssis_session,
    execution_id: *const c_char,
    out_json: *mut *mut c_char,
) -> ssis_status {
    boundary::call("ssis_execution_get", || {
        let session = session_arg!(session)?;
        let id = str_arg!(execution_id)?;
        let out = out_arg!(out_json)?;
        out.write_json(&runtime::call(|| session.execution_get(id))?)
    })
}

/// Reads a chunk of what the execution's process wrote (its output log, kept by the
/// service up to a size cap) and writes `{"ExecutionId", "Offset", "NextOffset", "Text",
/// "Truncated", "Complete"}`.
///
/// `options_json` is NULL, `""` or `{"Offset": n, "MaxBytes": n}`: the byte offset to read
/// from (default 0) and the most bytes to return (default and ceiling 512 KiB, at least 1).
/// To read everything, call again from `NextOffset` until `Complete` is true (the execution
/// has ended and the chunk reaches the end of the log); while it runs, a chunk may be empty.
/// `Truncated` is true when the log reached its cap and later output was dropped.
///
/// # Safety
/// As `ssis_package_run`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ssis_execution_output(
    session: *const ssis_session,
    execution_id: *const c_char,
    options_json: *const c_char,
    out_json: *mut *mut c_char,
) -> ssis_status {
    boundary::call("ssis_execution_output", || {
        let session = session_arg!(session)?;
        let id = str_arg!(execution_id)?;
        let options = opt_str_arg!(options_json)?;
        let out = out_arg!(out_json)?;
        let (offset, max_bytes) = output_range(options)?;
        out.write_json(&runtime::call(|| {
            session.execution_output(id, offset, max_bytes)
        })?)
    })
}

/// Waits until the execution ends and writes its final Execution JSON (status `Succeeded`,
/// `Failed`, `Stopped` or `Unknown`); an execution that has already ended is written at
/// once. `timeout_ms` < 0 waits without limit; otherwise, when the execution is still
/// running after that many milliseconds, the result is `SSIS_TIMEOUT` (the package goes on
/// running; `0` only checks). Other threads' calls on the same session go on meanwhile (the
/// session opens another connection to the service when its connections are busy).
///
/// # Safety
/// As `ssis_package_run`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ssis_execution_wait(
    session: *const ssis_session,
    execution_id: *const c_char,
    timeout_ms: i64,
    out_json: *mut *mut c_char,
) -> ssis_status {
    boundary::call("ssis_execution_wait", || {
        let session = session_arg!(session)?;
        let id = str_arg!(execution_id)?;
        let out = out_arg!(out_json)?;
        let limit = wait_limit(timeout_ms);
        out.write_json(&runtime::call(|| session.execution_wait(id, limit))?)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use crate::protocol::executions::ExecutionStatus;

    #[test]
    fn run_options_select_store_or_file_and_overrides() {
        let p = run_params("\\File System\\Hello", None).unwrap();
        assert_eq!(p.package.as_deref(), Some("\\File System\\Hello"));
        assert_eq!((p.file, p.set.len()), (None, 0));
        let p = run_params(
            "/tmp/x.dtsx",
            Some(r#"{"File": true, "Set": [{"Name": "User::X", "Value": "1"}, {"Name": "Y", "Value": ""}]}"#),
        )
        .unwrap();
        assert_eq!((p.package, p.file.as_deref()), (None, Some("/tmp/x.dtsx")));
        assert_eq!(p.set[0].name, "User::X");
        assert_eq!(p.set[1].value, "");
        let p = run_params(
            "\\File System\\Hello",
            Some(r#"{"File": false, "Set": null}"#),
        )
        .unwrap();
        assert!(p.package.is_some() && p.set.is_empty());
    }

    #[test]
    fn a_project_run_names_the_package_in_path() {
        let p = run_params("Load.dtsx", Some(r#"{"Project": "/p/Sales.ispac"}"#)).unwrap();
        assert_eq!(p.project.as_deref(), Some("/p/Sales.ispac"));
        assert_eq!(p.package.as_deref(), Some("Load.dtsx"));
        assert_eq!(p.file, None);
        let e = run_params(" ", Some(r#"{"Project": "/p/Sales.ispac"}"#)).unwrap_err();
        assert!(e.message.contains("project's package"), "{e}");
        let e = run_params("x", Some(r#"{"Project": "p", "File": true}"#)).unwrap_err();
        assert!(e.message.contains("not both"), "{e}");
    }

    #[test]
    fn a_run_password_is_taken_and_not_shown() {
        let p = run_params("\\File System\\P", Some(r#"{"Password": "pw 1"}"#)).unwrap();
        assert_eq!(p.password, Some(Secret("pw 1".into())));
        assert!(!format!("{p:?}").contains("pw 1"), "{p:?}");
        let e = run_params("\\File System\\P", Some(r#"{"Password": 1}"#)).unwrap_err();
        assert!(e.message.contains("Password"), "{e}");
    }

    #[test]
    fn bad_run_options_name_the_key() {
        let msg = |path: &str, json: &str| {
            let e = run_params(path, Some(json)).unwrap_err();
            assert_eq!(e.kind, ErrorKind::InvalidArgument);
            e.message
        };
        assert!(msg("p", r#"{"Wait": true}"#).contains("'Wait'"));
        assert!(msg("p", r#"{"File": "yes"}"#).contains("'File'"));
        assert!(msg("p", r#"{"Set": {"X": "1"}}"#).contains("'Set' must be an array"));
        assert!(msg("p", r#"{"Set": [{"Name": "X"}]}"#).contains("Set[0]"));
        assert!(
            msg("p", r#"{"Set": [{"Name": "X", "Value": "1", "Type": 3}]}"#).contains("Set[0]")
        );
        assert!(msg("p", r#"{"Set": [{"Name": " ", "Value": "1"}]}"#).contains("empty Name"));
        assert!(msg("p", r#"{"Set": [{"Name": "X", "Value": 1}]}"#).contains("Set[0]"));
        assert!(msg(" ", "{}").contains("'path' is empty"));
        assert!(msg("p", "{").contains("not valid JSON"));
    }

    #[test]
    fn list_filters_choose_running_or_history() {
        assert_eq!(
            list_query(Some(r#"{"Running": true}"#)).unwrap(),
            ListQuery::Running
        );
        for empty in [None, Some(""), Some("{}"), Some(r#"{"Running": false}"#)] {
            assert_eq!(
                list_query(empty).unwrap(),
                ListQuery::History(HistoryFilter::default())
            );
        }
        let ListQuery::History(f) = list_query(Some(
            r#"{"Package": "Daily", "Status": "Failed", "User": "etl", "Since": "2024-01-01T00:00:00Z",
                "Until": "2025-01-01T00:00:00Z", "Limit": 5}"#,
        ))
        .unwrap() else {
            panic!("history expected")
        };
        assert_eq!(f.status, Some(ExecutionStatus::Failed));
        assert_eq!((f.user.as_deref(), f.limit), (Some("etl"), Some(5)));
        let e = list_query(Some(r#"{"Running": true, "Package": "x"}"#)).unwrap_err();
        assert!(e.message.contains("'Package'"), "{}", e.message);
        let e = list_query(Some(r#"{"Status": "Done"}"#)).unwrap_err();
        assert!(e.message.contains("'Status'"), "{}", e.message);
        let e = list_query(Some(r#"{"Running": 1}"#)).unwrap_err();
        assert!(e.message.contains("'Running'"), "{}", e.message);
        let e = list_query(Some(r#"{"Offset": 1}"#)).unwrap_err();
        assert!(e.message.contains("unknown key 'Offset'"), "{}", e.message);
    }

    #[test]
    fn every_history_key_is_a_filter_field() {
        for key in HISTORY_KEYS {
            let text = if key == "Limit" {
                format!("{{\"{key}\": 1}}")
            } else if key == "Status" {
                format!("{{\"{key}\": \"Failed\"}}")
            } else {
                format!("{{\"{key}\": \"2024-01-01T00:00:00Z\"}}")
            };
            let ListQuery::History(f) = list_query(Some(&text)).unwrap() else {
                panic!("{key}")
            };
            assert_ne!(f, HistoryFilter::default(), "{key} was ignored");
        }
    }

    #[test]
    fn output_ranges_and_wait_limits() {
        assert_eq!(output_range(None).unwrap(), (0, None));
        assert_eq!(
            output_range(Some(r#"{"Offset": 10, "MaxBytes": 4}"#)).unwrap(),
            (10, Some(4))
        );
        assert!(output_range(Some(r#"{"MaxBytes": 0}"#)).is_err());
        assert!(output_range(Some(r#"{"Offset": -5}"#)).is_err());
        assert!(output_range(Some(r#"{"Offset": 1.5}"#)).is_err());
        assert!(output_range(Some(r#"{"Limit": 1}"#)).is_err());
        assert_eq!(wait_limit(-1), None);
        assert_eq!(wait_limit(i64::MIN), None);
        assert_eq!(wait_limit(0), Some(Duration::ZERO));
        assert_eq!(wait_limit(1500), Some(Duration::from_millis(1500)));
    }
}
