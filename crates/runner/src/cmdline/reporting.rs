//! What is reported on the console: `/REPORTING` levels and events, and
//! `/CONSOLELOG` display options with the sources to include or exclude.

use super::{ExecOptions, split_compound};
use ssis_core::error::{Error, Result};

/// The events `/REPORTING` may list after its level.
const REPORT_EVENTS: &[&str] = &[
    "OnError",
    "OnWarning",
    "OnInformation",
    "OnProgress",
    "OnPreExecute",
    "OnPostExecute",
    "OnTaskFailed",
    "OnPreValidate",
    "OnPostValidate",
    "OnQueryCancel",
    "OnVariableValueChanged",
    "OnExecStatusChanged",
    "OnCustomEvent",
    "Diagnostic",
];

/// `/REPORTING level[;event[;event...]]`: the level letters (V and N
/// stand alone) and the event names.
pub(super) fn reporting(arg: &str) -> Result<(String, Vec<String>)> {
    let mut parts = split_compound(arg).into_iter();
    let level = parts.next().unwrap_or_default();
    let letters: String = level
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    if letters.is_empty() {
        return Err(
            Error::invalid("/REPORTING needs a level: E, W, I, C, D, P, V or N")
                .with_target("/REPORTING"),
        );
    }
    if let Some(bad) = letters.chars().find(|c| !"EWICDPVN".contains(*c)) {
        return Err(Error::invalid(format!(
            "/REPORTING level '{bad}' is not one of E, W, I, C, D, P, V, N"
        ))
        .with_target("/REPORTING"));
    }
    if letters.len() > 1 && (letters.contains('V') || letters.contains('N')) {
        return Err(Error::invalid(format!(
            "/REPORTING level '{letters}': V (verbose) and N (no reporting) stand alone"
        ))
        .with_target("/REPORTING"));
    }
    let mut events = Vec::new();
    for e in parts
        .map(|e| e.trim().to_string())
        .filter(|e| !e.is_empty())
    {
        match REPORT_EVENTS.iter().find(|n| n.eq_ignore_ascii_case(&e)) {
            Some(name) => events.push(name.to_string()),
            None => {
                return Err(Error::invalid(format!(
                    "/REPORTING event '{e}' is not an event name ({})",
                    REPORT_EVENTS.join(", ")
                ))
                .with_target("/REPORTING"));
            }
        }
    }
    Ok((letters, events))
}

/// `/CONSOLELOG [display][;I|E;source...]`: display letters, then sources to
/// include (I) or exclude (E), added to `o`.
pub(super) fn console_log(arg: &str, o: &mut ExecOptions) -> Result<()> {
    let bad = |msg: String| Error::invalid(msg).with_target("/CONSOLELOG");
    let mut parts = split_compound(arg).into_iter();
    let display = parts.next().unwrap_or_default().trim().to_ascii_uppercase();
    if let Some(c) = display.chars().find(|c| !"NCOSGXMT".contains(*c)) {
        return Err(bad(format!(
            "/CONSOLELOG display option '{c}' is not one of N, C, O, S, G, X, M, T"
        )));
    }
    // Several /CONSOLELOG options combine.
    let mut columns = o.console_log.take().unwrap_or_default();
    for c in display.chars() {
        if !columns.contains(c) {
            columns.push(c);
        }
    }
    o.console_log = Some(columns);
    let rest: Vec<String> = parts.collect();
    for pair in rest.chunks(2) {
        let kind = pair[0].trim().to_ascii_uppercase();
        let Some(source) = pair.get(1).map(|s| s.trim()).filter(|s| !s.is_empty()) else {
            return Err(bad(format!(
                "/CONSOLELOG list option '{}' needs a source name after it",
                pair[0]
            )));
        };
        if source.starts_with('{') {
            return Err(bad(format!(
                "/CONSOLELOG source '{source}': sources are matched by name here, not by GUID"
            )));
        }
        match kind.as_str() {
            "I" => o.console_log_include.push(source.to_string()),
            "E" => o.console_log_exclude.push(source.to_string()),
            _ => {
                return Err(bad(format!(
                    "/CONSOLELOG list option '{}' is not I (include) or E (exclude)",
                    pair[0]
                )));
            }
        }
    }
    Ok(())
}
