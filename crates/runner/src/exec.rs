//! The `ssis exec` command: dtexec's command line parsed, the package
//! loaded, configured, checked (or handed to `--fallback`), validated or
//! run, and dtexec's exit code returned.

use crate::cancel::CancelToken;
use crate::cmdline::PackageSource;
use crate::events::{ConsoleLog, ConsoleReporter, Event, EventKind, EventSink, Fanout, JsonLines};
use crate::model::ExecResult;
use crate::sinks::{SharedWriter, WarningCount};
use crate::{
    EXIT_CANCELED, EXIT_COMMAND_LINE, EXIT_FAILURE, EXIT_NOT_FOUND, EXIT_NOT_LOADED, EXIT_SUCCESS,
    apply_overrides, check_encryption, prepare_variables, read_config_file,
};
use crate::{
    cancel, cmdline, configurations, dataflow_hook, engine, events, fallback, model, observe,
    store_source, unsupported,
};
use ssis_core::error::{Error, ErrorKind};
use std::ffi::OsString;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

/// Runs `ssis exec` with dtexec-style arguments (everything after `exec`);
/// installs the SIGINT/SIGTERM handlers and returns dtexec's exit code.
pub fn exec_main(args: &[OsString]) -> i32 {
    if let Err(e) = cancel::install_signal_handlers() {
        eprintln!("ssis exec: cannot install the signal handlers: {e}");
        return EXIT_COMMAND_LINE;
    }
    run_cli(
        args,
        SharedWriter::new(Box::new(std::io::stdout())),
        SharedWriter::new(Box::new(std::io::stderr())),
        &CancelToken::linked_to_signals(),
    )
}

fn exit_for_load_error(e: &Error) -> i32 {
    match e.kind {
        ErrorKind::NotFound => EXIT_NOT_FOUND,
        ErrorKind::InvalidArgument => EXIT_COMMAND_LINE,
        ErrorKind::Canceled => EXIT_CANCELED,
        _ => EXIT_NOT_LOADED,
    }
}

/// The whole `ssis exec` command with explicit output streams and cancel
/// token (what [`exec_main`] calls; tests call it in-process).
/// Text reporting goes to `out`, or to `err` with `--events json`, whose
/// JSON lines then own `out`.
pub fn run_cli(
    args: &[OsString],
    mut out: SharedWriter,
    mut err: SharedWriter,
    cancel: &CancelToken,
) -> i32 {
    let opts = match cmdline::parse(args) {
        Ok(o) => o,
        Err(e) => {
            let _ = writeln!(err, "ssis exec: {e}");
            let _ = writeln!(err, "Run 'ssis exec /?' for the options.");
            return EXIT_COMMAND_LINE;
        }
    };
    if opts.help {
        let _ = writeln!(out, "{}", cmdline::USAGE);
        return EXIT_SUCCESS;
    }
    let mut text = if opts.events_json {
        err.clone()
    } else {
        out.clone()
    };
    let mut sinks: Vec<Box<dyn EventSink>> = vec![Box::new(
        ConsoleReporter::new(text.clone(), &opts.reporting).with_events(&opts.report_events),
    )];
    if opts.events_json {
        sinks.push(Box::new(JsonLines::new(out.clone())));
    }
    if let Some(cols) = &opts.console_log {
        sinks.push(Box::new(ConsoleLog::new(text.clone(), cols).with_sources(
            &opts.console_log_include,
            &opts.console_log_exclude,
        )));
    }
    let warnings = Arc::new(WarningCount::default());
    sinks.push(Box::new(warnings.clone()));
    let sink = Fanout(sinks);
    let quiet = opts.reporting.contains('N');
    if !quiet {
        // dtexec opens with its banner; this one says what runs the package.
        let _ = writeln!(
            text,
            "ssis exec: dtexec-compatible package runner of ssis-service {}\n",
            env!("CARGO_PKG_VERSION")
        );
    }
    let fail = |text: &mut SharedWriter, e: &Error, code: i32| {
        let _ = writeln!(text, "ssis exec: {e}");
        code
    };
    let mut pkg = match opts.source.clone() {
        Some(PackageSource::File(p)) => match model::load_package_with(Path::new(&p), cancel) {
            Ok(pkg) => pkg,
            Err(e) => return fail(&mut text, &e, exit_for_load_error(&e)),
        },
        Some(PackageSource::Sql(p)) => {
            match store_source::load_from_msdb(opts.server.as_deref(), &p) {
                Ok(pkg) => pkg,
                Err(e) => return fail(&mut text, &e, exit_for_load_error(&e)),
            }
        }
        Some(PackageSource::Dts(p)) => match store_source::load_from_store(&p) {
            Ok(pkg) => pkg,
            Err(e) => return fail(&mut text, &e, exit_for_load_error(&e)),
        },
        None => return EXIT_COMMAND_LINE,
    };
    if let Err(e) = check_encryption(&pkg, opts.decrypt.as_deref()) {
        if let Some(program) = &opts.fallback {
            return fallback::run(
                program,
                args,
                opts.events_json.then(|| out.clone()),
                &e.message,
                &mut text,
                &mut err,
                cancel,
            );
        }
        return fail(&mut text, &e, EXIT_NOT_LOADED);
    }
    // The package's configurations, then /CONFIGFILE, /SET, /PAR and /CONN
    // in command-line order, then (2008 and later) the package's again.
    // From 2008 on, a first reading that fails (a configuration table on a
    // server only a /CONN reaches) counts only if the second fails too. A
    // failure is reported after the refusals: a configuration this runner
    // cannot read at all is refused with the rest (so --fallback takes it).
    let mut config_error = None;
    let mut design = match configurations::resolve(&pkg, &|n| std::env::var(n).ok()) {
        Ok(d) => d,
        Err(e) => {
            config_error = Some(e);
            configurations::Resolved::default()
        }
    };
    let mut sets = design.sets.clone();
    for f in &opts.config_files {
        match read_config_file(Path::new(f)) {
            Ok(s) => sets.extend(s),
            Err(e) if e.kind == ErrorKind::InvalidArgument => {
                return fail(&mut text, &e, EXIT_COMMAND_LINE);
            }
            Err(e) => return fail(&mut text, &e, EXIT_NOT_LOADED),
        }
    }
    sets.extend(opts.sets.iter().cloned());
    if let Err(e) = apply_overrides(&mut pkg, &sets) {
        return fail(&mut text, &e, EXIT_COMMAND_LINE);
    }
    if pkg.format_version >= 3 && (config_error.is_some() || !design.sets.is_empty()) {
        // Read again with the command line's values (a /CONN may have moved
        // a configuration table); the values win over /SET, as in SSIS.
        match configurations::resolve(&pkg, &|n| std::env::var(n).ok()) {
            Ok(d) => {
                if config_error.take().is_some() {
                    design.warnings = d.warnings;
                }
                if let Err(e) = apply_overrides(&mut pkg, &d.sets) {
                    return fail(&mut text, &e, EXIT_COMMAND_LINE);
                }
                sets.extend(d.sets);
            }
            Err(e) => config_error = Some(e),
        }
    }
    let items = unsupported::find_unsupported(&pkg);
    if !items.is_empty() {
        if let Some(program) = &opts.fallback {
            let why = format!(
                "{} unsupported component(s): {}",
                items.len(),
                unsupported::describe(&items)
            );
            return fallback::run(
                program,
                args,
                opts.events_json.then(|| out.clone()),
                &why,
                &mut text,
                &mut err,
                cancel,
            );
        }
        for u in &items {
            sink.emit(&Event::now(
                EventKind::OnError,
                &u.path,
                &u.component_type,
                u.reason.clone(),
            ));
        }
        // Each item once: listed in the summary only when the console
        // did not show its error event.
        let listed =
            opts.report_events.is_empty() || opts.report_events.iter().any(|e| e == "OnError");
        let summary = if listed && events::reporting_shows(&opts.reporting, EventKind::OnError) {
            format!(
                "the package cannot run here: {} unsupported component(s), each reported above",
                items.len()
            )
        } else {
            unsupported::describe(&items)
        };
        let e = Error::new(ErrorKind::Unsupported, summary);
        return fail(&mut text, &e, EXIT_FAILURE);
    }
    if let Some(e) = config_error {
        return fail(&mut text, &e, EXIT_NOT_LOADED);
    }
    let mut warnings_before = design.warnings;
    for c in configurations::enabled(&pkg)
        .iter()
        .filter(|c| configurations::is_parent_variable(c))
    {
        warnings_before.push(format!(
            "configuration '{}' reads a parent package variable, but the package does not run \
             under a parent package; the value saved in the package is used",
            c.name
        ));
    }
    for w in warnings_before {
        sink.emit(&Event::now(EventKind::OnWarning, "Package", "Package", w));
    }
    let mut vars = match prepare_variables(&pkg, &sets) {
        Ok(v) => v,
        Err(e) if e.kind == ErrorKind::InvalidArgument => {
            return fail(&mut text, &e, EXIT_COMMAND_LINE);
        }
        Err(e) => return fail(&mut text, &e, EXIT_NOT_LOADED),
    };
    let start = std::time::SystemTime::now();
    let started = events::local_clock();
    if !quiet {
        let _ = writeln!(text, "Started:  {started}");
    }
    if opts.validate {
        // Data flows against their tables: what SSIS's validation asks the
        // server before a run.
        let mut failed = 0;
        for f in dataflow_hook::validate_package(&pkg, &vars, "").0 {
            let kind = if f.error {
                failed += 1;
                EventKind::OnError
            } else {
                EventKind::OnWarning
            };
            sink.emit(&Event::now(kind, &f.exe.path, &f.exe.type_label, f.message));
        }
        if failed > 0 {
            let e = Error::invalid(format!(
                "Package '{}' failed validation: {failed} error(s), each reported above",
                pkg.name()
            ));
            return fail(&mut text, &e, EXIT_FAILURE);
        }
        if !quiet {
            let _ = writeln!(
                text,
                "Package '{}' validated: every component can run.",
                pkg.name()
            );
        }
        return EXIT_SUCCESS;
    }
    if opts.events_json {
        // The service records the package's identity from this line.
        let identity = observe::identity(&pkg);
        let _ = writeln!(
            out,
            "{}",
            serde_json::json!({
                "Time": ssis_core::timefmt::rfc3339(std::time::SystemTime::now(), true),
                "Event": "PackageIdentity",
                "SourcePath": "Package",
                "SourceType": "Package",
                "Message": "",
                "Package": identity,
                "Executor": fallback::BUILT_IN,
            })
        );
    }
    observe::started(&pkg, &observe::source_of(opts.source.as_ref()), cancel);
    let mut result = engine::execute(&pkg, &mut vars, &sink, cancel);
    let raised = warnings.0.load(std::sync::atomic::Ordering::SeqCst);
    if opts.warn_as_error && raised > 0 && result != ExecResult::Canceled {
        let _ = writeln!(
            text,
            "ssis exec: /WARNASERROR: {raised} warning(s) were raised: the run counts as failed"
        );
        result = ExecResult::Failure;
    }
    let (code, name) = match result {
        ExecResult::Success | ExecResult::Completion => (EXIT_SUCCESS, "DTSER_SUCCESS"),
        ExecResult::Failure => (EXIT_FAILURE, "DTSER_FAILURE"),
        ExecResult::Canceled => (EXIT_CANCELED, "DTSER_CANCELED"),
    };
    if !quiet {
        let _ = writeln!(
            text,
            "DTExec: The package execution returned {name} ({code})."
        );
        let end = std::time::SystemTime::now();
        let _ = writeln!(text, "Started:  {started}");
        let _ = writeln!(text, "Finished: {}", events::local_clock());
        let elapsed = end.duration_since(start).unwrap_or_default();
        let _ = writeln!(text, "Elapsed:  {:.3} seconds", elapsed.as_secs_f64());
    }
    let _ = text.flush();
    let _ = out.flush();
    observe::finished(code);
    code
}
