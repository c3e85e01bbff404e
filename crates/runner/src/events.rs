//! Run events (OnPreExecute, OnError, ...) and where they go: dtexec-style
//! console reporting filtered by `/REPORTING`, `/CONSOLELOG` lines, and our
//! `--events json` stream (one JSON object per line).

use serde::Serialize;
use std::io::Write;
use std::sync::Mutex;
use std::time::SystemTime;

/// The kinds of event the runner raises (SSIS event handler names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum EventKind {
    /// An executable is about to run.
    OnPreExecute,
    /// An executable finished.
    OnPostExecute,
    /// An error; counts towards MaximumErrorCount.
    OnError,
    /// A warning.
    OnWarning,
    /// An informational message.
    OnInformation,
    /// Progress of the package.
    OnProgress,
    /// A task failed.
    OnTaskFailed,
    /// An executable is about to be validated (raised for event handlers
    /// only, just before OnPreExecute: this runner validates the whole
    /// package up front, then each executable as it starts).
    OnPreValidate,
    /// An executable was validated (for event handlers only).
    OnPostValidate,
    /// A variable whose RaiseChangedEvent is set changed (for event
    /// handlers only, once the executable that changed it returns).
    OnVariableValueChanged,
}

/// The events whose handlers this runner runs.
pub const HANDLED_EVENTS: [&str; 10] = [
    "OnVariableValueChanged",
    "OnPreValidate",
    "OnPostValidate",
    "OnError",
    "OnWarning",
    "OnInformation",
    "OnPreExecute",
    "OnPostExecute",
    "OnTaskFailed",
    "OnProgress",
];

impl EventKind {
    /// The name of the event handler for this kind (`OnError`, ...).
    pub fn handler_name(self) -> &'static str {
        match self {
            EventKind::OnPreExecute => "OnPreExecute",
            EventKind::OnPostExecute => "OnPostExecute",
            EventKind::OnError => "OnError",
            EventKind::OnWarning => "OnWarning",
            EventKind::OnInformation => "OnInformation",
            EventKind::OnProgress => "OnProgress",
            EventKind::OnTaskFailed => "OnTaskFailed",
            EventKind::OnPreValidate => "OnPreValidate",
            EventKind::OnPostValidate => "OnPostValidate",
            EventKind::OnVariableValueChanged => "OnVariableValueChanged",
        }
    }

    /// The `/REPORTING` letter that selects this kind (`V` selects all).
    pub fn reporting_letter(self) -> char {
        match self {
            EventKind::OnError | EventKind::OnTaskFailed => 'E',
            EventKind::OnWarning => 'W',
            EventKind::OnInformation => 'I',
            EventKind::OnProgress => 'P',
            EventKind::OnPreExecute
            | EventKind::OnPostExecute
            | EventKind::OnPreValidate
            | EventKind::OnPostValidate
            | EventKind::OnVariableValueChanged => 'V',
        }
    }
}

/// One event.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Event {
    /// When it happened (RFC 3339 UTC with milliseconds).
    pub time: String,
    /// The kind.
    pub event: EventKind,
    /// The executable's path, e.g. `Package\Sequence\Task`.
    pub source_path: String,
    /// The executable's type, e.g. `Execute Process Task`.
    pub source_type: String,
    /// The message (empty for pre/post execute).
    pub message: String,
    /// SSIS's code for it (`0xC002F210`), where this runner raises an
    /// event SSIS documents a code for; shown as dtexec's `Code:` line.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "hex_code")]
    pub code: Option<u32>,
}

/// Writes a code as dtexec shows it: `0xC002F210`.
fn hex_code<S: serde::Serializer>(code: &Option<u32>, s: S) -> Result<S::Ok, S::Error> {
    match code {
        Some(c) => s.serialize_str(&format!("0x{c:08X}")),
        None => s.serialize_none(),
    }
}

impl Event {
    /// An event stamped now.
    pub fn now(
        kind: EventKind,
        source_path: &str,
        source_type: &str,
        message: impl Into<String>,
    ) -> Event {
        Event {
            time: ssis_core::timefmt::rfc3339(SystemTime::now(), true),
            event: kind,
            source_path: source_path.to_string(),
            source_type: source_type.to_string(),
            message: message.into(),
            code: None,
        }
    }
}

/// Receives events. Implementations must not fail the run: write errors are ignored.
pub trait EventSink: Send + Sync {
    /// Handles one event.
    fn emit(&self, event: &Event);
}

/// Writes each event as one JSON object per line.
pub struct JsonLines<W: Write + Send>(Mutex<W>);

impl<W: Write + Send> JsonLines<W> {
    /// A JSON-lines sink on `w`.
    pub fn new(w: W) -> Self {
        JsonLines(Mutex::new(w))
    }
}

impl<W: Write + Send> EventSink for JsonLines<W> {
    fn emit(&self, event: &Event) {
        if let (Ok(line), Ok(mut w)) = (serde_json::to_string(event), self.0.lock()) {
            let _ = writeln!(w, "{line}");
            let _ = w.flush();
        }
    }
}

/// dtexec-style console reporting of the kinds selected by `/REPORTING` letters.
pub struct ConsoleReporter<W: Write + Send> {
    out: Mutex<W>,
    letters: String,
    events: Vec<String>,
}

impl<W: Write + Send> ConsoleReporter<W> {
    /// Reports the kinds whose letter is in `letters` (`V` = all, `N` or empty = none).
    pub fn new(out: W, letters: &str) -> Self {
        ConsoleReporter {
            out: Mutex::new(out),
            letters: letters.to_ascii_uppercase(),
            events: Vec::new(),
        }
    }

    /// Reports, of the selected kinds, only the events named (`OnError`,
    /// ...; `/REPORTING E;OnError`); an empty list keeps them all.
    pub fn with_events(mut self, events: &[String]) -> Self {
        self.events = events.to_vec();
        self
    }
}

/// The name an event handler has for `kind`, e.g. `OnError`.
fn event_name(kind: EventKind) -> String {
    format!("{kind:?}")
}

/// Whether `source` (a name or a path) names the executable at `path`
/// (`Package\Sequence\Task`, or `Package\Run>Package\Task` in a child).
fn source_matches(source: &str, path: &str) -> bool {
    let last = path.rsplit(['\\', '>']).next().unwrap_or(path);
    source.eq_ignore_ascii_case(last) || source.eq_ignore_ascii_case(path)
}

/// Whether `/REPORTING` letters (`V` = all, `N` or empty = none) show events of `kind`.
pub fn reporting_shows(letters: &str, kind: EventKind) -> bool {
    let letters = letters.to_ascii_uppercase();
    let selected = letters.contains('V') || letters.contains(kind.reporting_letter());
    selected && !letters.contains('N')
}

impl<W: Write + Send> EventSink for ConsoleReporter<W> {
    fn emit(&self, e: &Event) {
        if !reporting_shows(&self.letters, e.event)
            || !(self.events.is_empty()
                || self
                    .events
                    .iter()
                    .any(|n| n.eq_ignore_ascii_case(&event_name(e.event))))
        {
            return;
        }
        let label = match e.event {
            EventKind::OnError => "Error",
            EventKind::OnTaskFailed => "Task failed",
            EventKind::OnWarning => "Warning",
            EventKind::OnInformation => "Info",
            EventKind::OnProgress => "Progress",
            EventKind::OnPreExecute => "PreExecute",
            EventKind::OnPostExecute => "PostExecute",
            EventKind::OnPreValidate => "PreValidate",
            EventKind::OnPostValidate => "PostValidate",
            EventKind::OnVariableValueChanged => "VariableValueChanged",
        };
        if let Ok(mut w) = self.out.lock() {
            // As dtexec: local time with hundredths. The source keeps the
            // executable's path (dtexec shows the name only), so a task in a
            // container, a loop or a child package is told apart.
            let _ = writeln!(w, "{label}: {}", local_stamp());
            if let Some(code) = e.code {
                let _ = writeln!(w, "   Code: 0x{code:08X}");
            }
            let _ = writeln!(w, "   Source: {} ({})", e.source_path, e.source_type);
            if !e.message.is_empty() {
                let _ = writeln!(w, "   Description: {}", e.message);
            }
            let _ = writeln!(w, "End {label}");
            let _ = w.flush();
        }
    }
}

/// Now in local time as dtexec stamps events: `2024-01-15 15:15:43.21`.
pub fn local_stamp() -> String {
    let now = crate::expr::DateTime::now_local();
    let p = now.parts();
    format!(
        "{} {:02}:{:02}:{:02}.{:02}",
        now.format_date(),
        p.hour,
        p.minute,
        p.second,
        p.ticks / 100_000
    )
}

/// Now in local time as dtexec's Started/Finished lines: `3:15:42 PM`.
pub fn local_clock() -> String {
    let p = crate::expr::DateTime::now_local().parts();
    let (h, ampm) = match p.hour {
        0 => (12, "AM"),
        1..=11 => (p.hour, "AM"),
        12 => (12, "PM"),
        h => (h - 12, "PM"),
    };
    format!("{h}:{:02}:{:02} {ampm}", p.minute, p.second)
}

/// `/CONSOLELOG` lines: every event as a comma-separated log entry with the
/// columns chosen by the display options (N event name, S source name,
/// T time, M message; others are not tracked and are left out).
pub struct ConsoleLog<W: Write + Send> {
    out: Mutex<W>,
    columns: String,
    include: Vec<String>,
    exclude: Vec<String>,
}

impl<W: Write + Send> ConsoleLog<W> {
    /// A log on `out` with display option letters `columns` (empty: all).
    pub fn new(out: W, columns: &str) -> Self {
        let c = columns.to_ascii_uppercase();
        ConsoleLog {
            out: Mutex::new(out),
            columns: if c.is_empty() { "NSTM".into() } else { c },
            include: Vec::new(),
            exclude: Vec::new(),
        }
    }

    /// Logs only events of the sources in `include` (when not empty) and
    /// none of those in `exclude`; sources are executable names or paths.
    pub fn with_sources(mut self, include: &[String], exclude: &[String]) -> Self {
        self.include = include.to_vec();
        self.exclude = exclude.to_vec();
        self
    }
}

impl<W: Write + Send> EventSink for ConsoleLog<W> {
    fn emit(&self, e: &Event) {
        let listed = |l: &[String]| l.iter().any(|s| source_matches(s, &e.source_path));
        if (!self.include.is_empty() && !listed(&self.include)) || listed(&self.exclude) {
            return;
        }
        let mut fields = Vec::new();
        for c in self.columns.chars() {
            match c {
                'N' => fields.push(format!("{:?}", e.event)),
                'S' => fields.push(e.source_path.clone()),
                'T' => fields.push(e.time.clone()),
                'M' => fields.push(e.message.clone()),
                _ => {}
            }
        }
        if let Ok(mut w) = self.out.lock() {
            let _ = writeln!(w, "{}", fields.join(","));
        }
    }
}

/// Sends every event to several sinks.
pub struct Fanout(pub Vec<Box<dyn EventSink>>);

impl EventSink for Fanout {
    fn emit(&self, e: &Event) {
        for s in &self.0 {
            s.emit(e);
        }
    }
}

/// Keeps events in memory (tests, the service).
#[derive(Default)]
pub struct Collect(pub Mutex<Vec<Event>>);

impl Collect {
    /// A copy of the events so far.
    pub fn events(&self) -> Vec<Event> {
        self.0.lock().map(|v| v.clone()).unwrap_or_default()
    }
}

impl EventSink for Collect {
    fn emit(&self, e: &Event) {
        if let Ok(mut v) = self.0.lock() {
            v.push(e.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_line_has_pascal_case_fields() {
        let buf: Vec<u8> = Vec::new();
        let sink = JsonLines::new(buf);
        sink.emit(&Event::now(
            EventKind::OnError,
            "Package\\T",
            "Execute Process Task",
            "boom",
        ));
        let text = String::from_utf8(sink.0.into_inner().unwrap()).unwrap();
        let v: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
        assert_eq!(v["Event"], "OnError");
        assert_eq!(v["SourcePath"], "Package\\T");
        assert_eq!(v["SourceType"], "Execute Process Task");
        assert_eq!(v["Message"], "boom");
        assert!(v["Time"].as_str().unwrap().ends_with('Z'));
    }

    #[test]
    fn reporter_keeps_only_the_events_listed() {
        let r = ConsoleReporter::new(Vec::new(), "E").with_events(&["OnTaskFailed".into()]);
        r.emit(&Event::now(EventKind::OnError, "P", "Package", "e"));
        r.emit(&Event::now(EventKind::OnTaskFailed, "P", "Package", "t"));
        let text = String::from_utf8(r.out.into_inner().unwrap()).unwrap();
        assert!(text.contains("Description: t") && !text.contains("Description: e"));
    }

    #[test]
    fn console_log_includes_and_excludes_sources_by_name_or_path() {
        let events = [
            Event::now(EventKind::OnError, "Package\\Seq\\Load", "T", "load"),
            Event::now(EventKind::OnError, "Package\\Seq", "S", "seq"),
            Event::now(
                EventKind::OnError,
                "Package\\Run>Package\\Load",
                "T",
                "child",
            ),
        ];
        let log = ConsoleLog::new(Vec::new(), "M").with_sources(&["load".into()], &[]);
        events.iter().for_each(|e| log.emit(e));
        let text = String::from_utf8(log.out.into_inner().unwrap()).unwrap();
        assert_eq!(text, "load\nchild\n");
        let log = ConsoleLog::new(Vec::new(), "M").with_sources(&[], &["Package\\Seq".into()]);
        events.iter().for_each(|e| log.emit(e));
        let text = String::from_utf8(log.out.into_inner().unwrap()).unwrap();
        assert_eq!(text, "load\nchild\n");
    }

    #[test]
    fn a_known_code_is_shown_as_dtexec_shows_it() {
        let mut e = Event::now(EventKind::OnError, "Package\\Q", "Execute SQL Task", "q");
        e.code = Some(0xC002_F210);
        let r = ConsoleReporter::new(Vec::new(), "E");
        r.emit(&e);
        r.emit(&Event::now(
            EventKind::OnError,
            "Package\\P",
            "T",
            "no code",
        ));
        let text = String::from_utf8(r.out.into_inner().unwrap()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("Error: "), "{text}");
        assert_eq!(
            lines[1..5],
            [
                "   Code: 0xC002F210",
                "   Source: Package\\Q (Execute SQL Task)",
                "   Description: q",
                "End Error"
            ]
        );
        assert_eq!(text.matches("Code:").count(), 1, "{text}");
        let sink = JsonLines::new(Vec::new());
        sink.emit(&e);
        sink.emit(&Event::now(EventKind::OnError, "P", "T", "x"));
        let text = String::from_utf8(sink.0.into_inner().unwrap()).unwrap();
        let v: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(v[0]["Code"], "0xC002F210");
        assert!(v[1].get("Code").is_none(), "{text}");
    }

    #[test]
    fn reporter_filters_by_letters() {
        let r = ConsoleReporter::new(Vec::new(), "W");
        r.emit(&Event::now(EventKind::OnError, "P", "Package", "e"));
        r.emit(&Event::now(EventKind::OnWarning, "P", "Package", "w"));
        let text = String::from_utf8(r.out.into_inner().unwrap()).unwrap();
        assert!(text.contains("Description: w") && !text.contains("Description: e"));
    }
}
