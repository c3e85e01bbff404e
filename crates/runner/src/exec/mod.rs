//! The `ssis exec` command: dtexec's command line parsed, the package
//! loaded, configured, checked (or handed to `--fallback`), validated or
//! run, and dtexec's exit code returned.
//!
//! [`run_cli`] lists the stages. A stage that ends the run returns
//! `Err(code)`, dtexec's exit code, with the reason already reported; the
//! configuration stages are in `configure`, the run's own in `run`.

mod configure;
mod run;

use crate::cancel::CancelToken;
use crate::cmdline::{ExecOptions, PackageSource, SetOverride};
use crate::events::{ConsoleLog, ConsoleReporter, EventSink, Fanout, JsonLines};
use crate::model::Package;
use crate::sinks::{SharedWriter, WarningCount};
use crate::{EXIT_CANCELED, EXIT_COMMAND_LINE, EXIT_NOT_FOUND, EXIT_NOT_LOADED, EXIT_SUCCESS};
use crate::{cancel, check_encryption, cmdline, fallback, model, project, store_source};
use configure::Configured;
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
    out: SharedWriter,
    err: SharedWriter,
    cancel: &CancelToken,
) -> i32 {
    /// The stages in order; `Err(code)` ends the run, already reported.
    fn stages(
        args: &[OsString],
        mut out: SharedWriter,
        mut err: SharedWriter,
        cancel: &CancelToken,
    ) -> Result<i32, i32> {
        let opts = parse_command_line(args, &mut out, &mut err)?;
        let mut x = Exec::new(args, opts, out, err, cancel);
        x.banner();
        let mut pkg = x.load_package()?;
        if pkg.encrypted_whole {
            // Nothing to configure: only the package's identity is readable.
            x.check_encryption(&pkg, &[])?;
        }
        let Configured {
            sets,
            warnings,
            error,
        } = x.configure(&mut pkg)?;
        x.check_encryption(&pkg, &sets)?;
        x.refuse_unsupported(&pkg)?;
        x.report_config_error(error)?;
        x.emit_config_warnings(&pkg, warnings);
        let mut vars = x.prepare_variables(&pkg, &sets)?;
        let started = x.started();
        if x.opts.validate {
            return x.validate(&pkg, &vars);
        }
        x.identity_line(&pkg);
        let result = x.execute(&pkg, &mut vars);
        Ok(x.summary(result, &started))
    }
    match stages(args, out, err, cancel) {
        Ok(code) | Err(code) => code,
    }
}

/// Parses dtexec's command line; a bad one is reported on `err`, and `/?`
/// prints the usage on `out`, both ending the run.
fn parse_command_line(
    args: &[OsString],
    out: &mut SharedWriter,
    err: &mut SharedWriter,
) -> Result<ExecOptions, i32> {
    let mut opts = match cmdline::parse(args) {
        Ok(o) => o,
        Err(e) => {
            let _ = writeln!(err, "ssis exec: {e}");
            let _ = writeln!(err, "Run 'ssis exec /?' for the options.");
            return Err(EXIT_COMMAND_LINE);
        }
    };
    if opts.decrypt_prompt && !opts.help {
        match ssis_core::terminal::read_password("Package password: ") {
            Ok(Some(p)) => opts.decrypt = Some(p),
            Ok(None) => {
                let _ = writeln!(
                    err,
                    "ssis exec: option /DECRYPT needs a password: give it after /DECRYPT, in {}, \
                     or at a terminal",
                    cmdline::DECRYPT_ENV
                );
                return Err(EXIT_COMMAND_LINE);
            }
            Err(e) => {
                let _ = writeln!(err, "ssis exec: cannot read the password: {e}");
                return Err(EXIT_COMMAND_LINE);
            }
        }
    }
    if opts.help {
        let _ = writeln!(out, "{}", cmdline::USAGE);
        return Err(EXIT_SUCCESS);
    }
    Ok(opts)
}

/// Reports `e` on the text stream; returns `code` (the run's exit code).
fn fail(text: &mut SharedWriter, e: &Error, code: i32) -> i32 {
    let _ = writeln!(text, "ssis exec: {e}");
    code
}

/// What the stages share: the command line, the streams, the event sinks.
struct Exec<'a> {
    /// dtexec's arguments as given (handed on to `--fallback`).
    args: &'a [OsString],
    /// The parsed command line.
    opts: ExecOptions,
    /// Standard output: the text, or the JSON lines with `--events json`.
    out: SharedWriter,
    /// Standard error.
    err: SharedWriter,
    /// Where text reporting goes: `out`, or `err` with `--events json`.
    text: SharedWriter,
    /// Every event sink: console, JSON lines, /CONSOLELOG, warning count.
    sink: Fanout,
    /// The warnings raised so far (for /WARNASERROR).
    warnings: Arc<WarningCount>,
    /// `/REPORTING N`: no banner, no start time, no closing summary.
    quiet: bool,
    /// Cancels the load and the run.
    cancel: &'a CancelToken,
}

impl<'a> Exec<'a> {
    /// Builds the event sinks the options ask for.
    fn new(
        args: &'a [OsString],
        opts: ExecOptions,
        out: SharedWriter,
        err: SharedWriter,
        cancel: &'a CancelToken,
    ) -> Exec<'a> {
        let text = if opts.events_json {
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
        let quiet = opts.reporting.contains('N');
        Exec {
            args,
            opts,
            out,
            err,
            text,
            sink: Fanout(sinks),
            warnings,
            quiet,
            cancel,
        }
    }

    /// Prints the banner, unless quiet.
    fn banner(&mut self) {
        if !self.quiet {
            // dtexec opens with its banner; this one says what runs the package.
            let _ = writeln!(
                self.text,
                "ssis exec: dtexec-compatible package runner of ssis-service {}\n",
                env!("CARGO_PKG_VERSION")
            );
        }
    }

    /// Loads the package from /FILE, /SQL (msdb), /DTS (the store) or a
    /// project (/PROJECT with /PACKAGE).
    fn load_package(&mut self) -> Result<Package, i32> {
        let password = self.opts.decrypt.as_deref();
        let loaded = match self.opts.source.clone() {
            Some(PackageSource::File(p)) => {
                model::load_package_with(Path::new(&p), password, self.cancel)
            }
            Some(PackageSource::Sql(p)) => {
                store_source::load_from_msdb(self.opts.server.as_deref(), &p, password)
            }
            Some(PackageSource::Dts(p)) => store_source::load_from_store(&p, password),
            Some(PackageSource::Project { project, package }) => {
                project::load_project(Path::new(&project), password, self.cancel)
                    .and_then(|proj| project::open_package(&proj, &package, self.cancel))
            }
            None => return Err(EXIT_COMMAND_LINE),
        };
        loaded.map_err(|e| fail(&mut self.text, &e, exit_for_load_error(&e)))
    }

    /// Refuses a package whose encryption cannot be opened here and `sets`
    /// do not replace, or hands it to `--fallback`.
    fn check_encryption(&mut self, pkg: &Package, sets: &[SetOverride]) -> Result<(), i32> {
        let Err(e) = check_encryption(pkg, self.opts.decrypt.as_deref(), sets) else {
            return Ok(());
        };
        if let Some(code) = self.hand_over(|| e.message.clone()) {
            return Err(code);
        }
        Err(fail(&mut self.text, &e, EXIT_NOT_LOADED))
    }

    /// With `--fallback PROGRAM`, runs the package with PROGRAM instead,
    /// saying `why`, and returns its exit code; `None` without one.
    fn hand_over(&mut self, why: impl FnOnce() -> String) -> Option<i32> {
        let program = self.opts.fallback.as_deref()?;
        let to = fallback::Handover {
            program,
            args: self.args,
            decrypt: self.opts.decrypt.as_deref(),
        };
        Some(fallback::run(
            &to,
            self.opts.events_json.then(|| self.out.clone()),
            &why(),
            &mut self.text,
            &mut self.err,
            self.cancel,
        ))
    }
}
