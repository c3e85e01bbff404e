//! `ssis exec`'s run stages: the start time, /VALIDATE, the
//! PackageIdentity line, the run itself, /WARNASERROR and the summary.

use super::{Exec, fail};
use crate::events::{Event, EventKind, EventSink};
use crate::model::{ExecResult, Package};
use crate::variables::Variables;
use crate::{EXIT_CANCELED, EXIT_FAILURE, EXIT_SUCCESS};
use crate::{dataflow_hook, engine, events, fallback, observe};
use ssis_core::error::Error;
use std::io::Write;
use std::time::SystemTime;

/// When the run started: the instant (for the elapsed time) and the clock
/// as printed.
pub(super) struct Started {
    /// The instant.
    at: SystemTime,
    /// The local clock time, as dtexec prints it.
    clock: String,
}

impl Exec<'_> {
    /// Notes the start time and prints it, unless quiet.
    pub(super) fn started(&mut self) -> Started {
        let at = SystemTime::now();
        let clock = events::local_clock();
        if !self.quiet {
            let _ = writeln!(self.text, "Started:  {clock}");
        }
        Started { at, clock }
    }

    /// `/VALIDATE`: checks the package instead of running it.
    pub(super) fn validate(&mut self, pkg: &Package, vars: &Variables) -> Result<i32, i32> {
        // Data flows against their tables: what SSIS's validation asks the
        // server before a run.
        let mut failed = 0;
        for f in dataflow_hook::validate_package(pkg, vars, "").0 {
            let kind = if f.error {
                failed += 1;
                EventKind::OnError
            } else {
                EventKind::OnWarning
            };
            self.sink
                .emit(&Event::now(kind, &f.exe.path, &f.exe.type_label, f.message));
        }
        if failed > 0 {
            let e = Error::invalid(format!(
                "Package '{}' failed validation: {failed} error(s), each reported above",
                pkg.name()
            ));
            return Err(fail(&mut self.text, &e, EXIT_FAILURE));
        }
        if !self.quiet {
            let _ = writeln!(
                self.text,
                "Package '{}' validated: every component can run.",
                pkg.name()
            );
        }
        Ok(EXIT_SUCCESS)
    }

    /// With `--events json`, the PackageIdentity line opening the events.
    pub(super) fn identity_line(&mut self, pkg: &Package) {
        if self.opts.events_json {
            // The service records the package's identity from this line.
            let identity = observe::identity(pkg);
            let _ = writeln!(
                self.out,
                "{}",
                serde_json::json!({
                    "Time": ssis_core::timefmt::rfc3339(SystemTime::now(), true),
                    "Event": "PackageIdentity",
                    "SourcePath": "Package",
                    "SourceType": "Package",
                    "Message": "",
                    "Package": identity,
                    "Executor": fallback::BUILT_IN,
                })
            );
        }
    }

    /// Runs the package; with /WARNASERROR, a warning fails a run that was
    /// not canceled.
    pub(super) fn execute(&mut self, pkg: &Package, vars: &mut Variables) -> ExecResult {
        observe::started(
            pkg,
            &observe::source_of(self.opts.source.as_ref()),
            self.cancel,
        );
        let mut result = engine::execute(pkg, vars, &self.sink, self.cancel);
        let raised = self.warnings.0.load(std::sync::atomic::Ordering::SeqCst);
        if self.opts.warn_as_error && raised > 0 && result != ExecResult::Canceled {
            let _ = writeln!(
                self.text,
                "ssis exec: /WARNASERROR: {raised} warning(s) were raised: the run counts as failed"
            );
            result = ExecResult::Failure;
        }
        result
    }

    /// Prints dtexec's closing summary (unless quiet), flushes the streams
    /// and returns the run's exit code.
    pub(super) fn summary(&mut self, result: ExecResult, started: &Started) -> i32 {
        let (code, name) = match result {
            ExecResult::Success | ExecResult::Completion => (EXIT_SUCCESS, "DTSER_SUCCESS"),
            ExecResult::Failure => (EXIT_FAILURE, "DTSER_FAILURE"),
            ExecResult::Canceled => (EXIT_CANCELED, "DTSER_CANCELED"),
        };
        if !self.quiet {
            let _ = writeln!(
                self.text,
                "DTExec: The package execution returned {name} ({code})."
            );
            let end = SystemTime::now();
            let _ = writeln!(self.text, "Started:  {}", started.clock);
            let _ = writeln!(self.text, "Finished: {}", events::local_clock());
            let elapsed = end.duration_since(started.at).unwrap_or_default();
            let _ = writeln!(self.text, "Elapsed:  {:.3} seconds", elapsed.as_secs_f64());
        }
        let _ = self.text.flush();
        let _ = self.out.flush();
        observe::finished(code);
        code
    }
}
