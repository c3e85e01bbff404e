//! The built-in package runner: runs `.dtsx` control flow with dtexec's
//! command line (`ssis exec`).
//!
//! - [`cmdline`]: dtexec options.
//! - [`connections`]: connection managers; SQL Server connections (OLE DB,
//!   ADO.NET, ODBC connection strings) over tiberius.
//! - [`model`]: the package model, read from both `.dtsx` layouts.
//! - [`unsupported`]: what cannot run here, refused before anything runs.
//! - [`engine`]: precedence, error counting, failure propagation.
//! - [`tasks`]: Execute Process, File System, Expression Task, Execute Package.
//! - [`variables`]: typed variables in container scopes, System variables.
//! - [`property_exprs`]: property expressions; [`enumerators`]: Foreach enumerators.
//! - [`events`]: console reporting and `--events json`.
//! - [`cancel`]: cancellation and the signal seam.

pub mod cancel;
pub mod cmdline;
pub mod connections;
pub mod engine;
pub mod enumerators;
pub mod events;
pub mod expr;
mod loops;
pub mod model;
pub mod property_exprs;
pub mod store_source;
mod system_vars;
pub mod tasks;
pub mod unsupported;
pub mod variables;

use cancel::CancelToken;
use cmdline::{PackageSource, SetOverride};
use events::{ConsoleLog, ConsoleReporter, Event, EventKind, EventSink, Fanout, JsonLines};
use model::{ExecResult, Package};
use ssis_core::error::{Error, ErrorKind, Result};
use std::ffi::OsString;
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};
use variables::Variables;

/// dtexec exit code: the package ran successfully.
pub const EXIT_SUCCESS: i32 = 0;
/// dtexec exit code: the package failed (or was refused).
pub const EXIT_FAILURE: i32 = 1;
/// dtexec exit code: the run was canceled.
pub const EXIT_CANCELED: i32 = 3;
/// dtexec exit code: the package was not found.
pub const EXIT_NOT_FOUND: i32 = 4;
/// dtexec exit code: the package could not be loaded.
pub const EXIT_NOT_LOADED: i32 = 5;
/// dtexec exit code: command-line or internal error.
pub const EXIT_COMMAND_LINE: i32 = 6;

/// How to run a package through the library.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// `/SET` variable overrides.
    pub sets: Vec<SetOverride>,
    /// Cancels the run when set.
    pub cancel: CancelToken,
}

/// Refuses a package the runner cannot run completely: a `Package` error
/// for encryption it cannot undo (see [`check_encryption`]), or an
/// `Unsupported` error listing every unsupported, enabled component.
pub fn check_runnable(pkg: &Package) -> Result<()> {
    check_encryption(pkg, None)?;
    let items = unsupported::find_unsupported(pkg);
    if items.is_empty() {
        Ok(())
    } else {
        Err(Error::new(
            ErrorKind::Unsupported,
            unsupported::describe(&items),
        ))
    }
}

/// Refuses (a `Package` error: dtexec exit 5) a package whose content or
/// sensitive values are encrypted, with the reason. This runner can decrypt
/// neither: user-key encryption is Windows DPAPI, bound to the Windows user
/// who saved the package, and password encryption is not implemented, so a
/// `password` given with `/DECRYPT` is not used (the message says so).
/// Running with the values left empty, as dtexec does after a warning,
/// would run something else than what was saved.
pub fn check_encryption(pkg: &Package, password: Option<&str>) -> Result<()> {
    use model::ProtectionLevel as L;
    let level = pkg.protection_level;
    let key = match level {
        L::EncryptAllWithUserKey | L::EncryptSensitiveWithUserKey => {
            "the key of the Windows user who saved it (DPAPI), which only that user can use, on Windows"
        }
        L::EncryptAllWithPassword | L::EncryptSensitiveWithPassword => "a password",
        // Levels that encrypt nothing, yet the file holds encrypted data.
        L::DontSaveSensitive | L::ServerStorage => "a key this runner does not have",
    };
    let what = if pkg.encrypted_whole {
        format!("is encrypted as a whole with {key}")
    } else if let Some(value) = &pkg.encrypted_value {
        format!("holds sensitive values encrypted with {key} (the first: {value})")
    } else {
        return Ok(());
    };
    let advice = if pkg.encrypted_whole {
        "re-save it with DontSaveSensitive to run it here"
    } else {
        "save it with DontSaveSensitive and pass the values with /SET"
    };
    let mut msg = format!(
        "package '{}' {what} ({level}); this runner cannot decrypt it",
        pkg.display_name()
    );
    let mut err_target = None;
    if password.is_some() {
        msg = format!(
            "/DECRYPT: {msg}: decryption with a password is not implemented, the password was not used"
        );
        err_target = Some("/DECRYPT");
    }
    msg.push_str(&format!("; {advice}"));
    let e = Error::new(ErrorKind::Package, msg);
    Err(match err_target {
        Some(t) => e.with_target(t),
        None => e,
    })
}

/// Declares the package's variables and the System variables, then applies
/// the `/SET` overrides (an unknown variable is an `InvalidArgument` error
/// naming `/SET`).
pub fn prepare_variables(pkg: &Package, sets: &[SetOverride]) -> Result<Variables> {
    let mut vars = Variables::default();
    vars.declare_tree("", &pkg.root)?;
    system_vars::declare(&mut vars, pkg, "");
    for s in sets {
        if !vars.declared_in(&s.scope, &s.variable) {
            return Err(Error::invalid(format!(
                "/SET path '{}': no variable {} is declared on {}",
                s.path, s.variable, s.scope
            ))
            .with_target("/SET"));
        }
        vars.set_text(&s.scope, &s.variable, &s.value, true)
            .map_err(|e| {
                Error::invalid(format!("/SET path '{}': {}", s.path, e.message)).with_target("/SET")
            })?;
    }
    Ok(vars)
}

/// Checks, prepares and runs a package; returns `Success`, `Failure` or `Canceled`.
pub fn run_package(pkg: &Package, opts: &RunOptions, events: &dyn EventSink) -> Result<ExecResult> {
    check_runnable(pkg)?;
    let mut vars = prepare_variables(pkg, &opts.sets)?;
    Ok(engine::execute(pkg, &mut vars, events, &opts.cancel))
}

/// A writer shared by several sinks.
#[derive(Clone)]
pub struct SharedWriter(Arc<Mutex<Box<dyn Write + Send>>>);

impl SharedWriter {
    /// Wraps `w`.
    pub fn new(w: Box<dyn Write + Send>) -> SharedWriter {
        SharedWriter(Arc::new(Mutex::new(w)))
    }
}

impl Write for SharedWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self.0.lock() {
            Ok(mut w) => w.write(buf),
            Err(_) => Ok(buf.len()),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match self.0.lock() {
            Ok(mut w) => w.flush(),
            Err(_) => Ok(()),
        }
    }
}

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
    let sink = Fanout(sinks);
    let quiet = opts.reporting.contains('N');
    let fail = |text: &mut SharedWriter, e: &Error, code: i32| {
        let _ = writeln!(text, "ssis exec: {e}");
        code
    };
    let pkg = match opts.source.clone() {
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
        return fail(&mut text, &e, EXIT_NOT_LOADED);
    }
    let items = unsupported::find_unsupported(&pkg);
    if !items.is_empty() {
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
    let mut vars = match prepare_variables(&pkg, &opts.sets) {
        Ok(v) => v,
        Err(e) if e.kind == ErrorKind::InvalidArgument => {
            return fail(&mut text, &e, EXIT_COMMAND_LINE);
        }
        Err(e) => return fail(&mut text, &e, EXIT_NOT_LOADED),
    };
    let start = std::time::SystemTime::now();
    if !quiet {
        let _ = writeln!(
            text,
            "Started: {}",
            ssis_core::timefmt::rfc3339(start, false)
        );
    }
    if opts.validate {
        if !quiet {
            let _ = writeln!(
                text,
                "Package '{}' validated: every component can run.",
                pkg.name()
            );
        }
        return EXIT_SUCCESS;
    }
    let result = engine::execute(&pkg, &mut vars, &sink, cancel);
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
        let _ = writeln!(
            text,
            "Finished: {}",
            ssis_core::timefmt::rfc3339(end, false)
        );
        let elapsed = end.duration_since(start).unwrap_or_default();
        let _ = writeln!(text, "Elapsed: {:.3} seconds", elapsed.as_secs_f64());
    }
    let _ = text.flush();
    let _ = out.flush();
    code
}
