//! The built-in package runner: runs `.dtsx` control flow with dtexec's
//! command line (`ssis exec`).
//!
//! - [`cmdline`]: dtexec options; [`configurations`]: package configurations.
//! - [`connections`]: connection managers; SQL Server connections (OLE DB,
//!   ADO.NET, ODBC connection strings) over tiberius.
//! - [`model`]: the package model, read from both `.dtsx` layouts.
//! - [`unsupported`]: what cannot run here, refused before anything runs.
//! - [`engine`]: precedence, error counting, failure propagation, event
//!   handlers and their propagation.
//! - [`tasks`]: Execute Process, File System, Expression Task, Execute
//!   Package, Execute SQL, Send Mail.
//! - [`variables`]: typed variables in container scopes, System variables.
//! - [`property_exprs`]: property expressions; [`enumerators`]: Foreach
//!   enumerators; [`xpath`]: the XPath subset of the NodeList enumerator.
//! - [`events`]: console reporting and `--events json`.
//! - [`cancel`]: cancellation and the signal seam.
//! - [`dataflow_hook`]: the seam a data flow engine registers through.
//! - [`observe`]: the seam through which `ssis exec` reports its run.
//! - `fallback`: `--fallback PROGRAM`, handing a refused package to a dtexec.

pub mod cancel;
pub mod cmdline;
pub mod configurations;
pub mod connections;
pub mod dataflow_hook;
pub mod engine;
pub mod enumerators;
pub mod events;
pub mod expr;
mod fallback;
mod loops;
pub mod model;
pub mod observe;
pub mod property_exprs;
pub mod store_source;
mod system_vars;
pub mod tasks;
pub mod unsupported;
pub mod variables;
pub mod xpath;

use cancel::CancelToken;
use cmdline::{PackageSource, SetOverride, SetTarget};
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
/// the variable (and parameter) overrides of `sets` (an unknown variable is
/// an `InvalidArgument` error naming `/SET`).
pub fn prepare_variables(pkg: &Package, sets: &[SetOverride]) -> Result<Variables> {
    let mut vars = Variables::default();
    vars.declare_tree("", &pkg.root)?;
    system_vars::declare(&mut vars, pkg, "");
    apply_variable_sets(&mut vars, "", sets)?;
    Ok(vars)
}

/// Applies the variable overrides of `sets` to a package whose scopes carry
/// `prefix` (empty for the top package; a child's under its task).
pub(crate) fn apply_variable_sets(
    vars: &mut Variables,
    prefix: &str,
    sets: &[SetOverride],
) -> Result<()> {
    for s in sets.iter().filter(|s| s.target == SetTarget::Variable) {
        let scope = format!("{prefix}{}", s.scope);
        if !vars.declared_in(&scope, &s.variable) {
            return Err(Error::invalid(format!(
                "/SET path '{}': no variable {} is declared on {}",
                s.path, s.variable, s.scope
            ))
            .with_target("/SET"));
        }
        vars.set_text(&scope, &s.variable, &s.value, true)
            .map_err(|e| {
                Error::invalid(format!("/SET path '{}': {}", s.path, e.message)).with_target("/SET")
            })?;
    }
    Ok(())
}

/// Applies the connection-manager and executable-property overrides of
/// `sets` (`/SET`, `/CONN`, configurations) to `pkg`. An unknown manager,
/// executable or property is an `InvalidArgument` error naming the path.
pub fn apply_overrides(pkg: &mut Package, sets: &[SetOverride]) -> Result<()> {
    for s in sets {
        let bad = |why: String| Error::invalid(format!("{}: {why}", s.path)).with_target("/SET");
        match &s.target {
            SetTarget::Variable => {}
            SetTarget::Connection(prop) => {
                let Some(cm) = pkg.connections.iter_mut().find(|c| {
                    c.name.eq_ignore_ascii_case(&s.variable)
                        || c.id.eq_ignore_ascii_case(&s.variable)
                }) else {
                    return Err(bad(format!(
                        "the package has no connection manager '{}'",
                        s.variable
                    )));
                };
                match prop.as_str() {
                    "ConnectionString" => cm.connection_string = s.value.clone(),
                    "Password" => cm.password = Some(s.value.clone()),
                    "RetainSameConnection" => {
                        cm.retain = model::xml_bool(&s.value)
                            .ok_or_else(|| bad(format!("'{}' is not True or False", s.value)))?;
                    }
                    "FileUsageType" => {
                        cm.file_usage_type = s
                            .value
                            .trim()
                            .parse::<i32>()
                            .ok()
                            .filter(|n| (0..=3).contains(n))
                            .ok_or_else(|| bad(format!("'{}' is not 0..=3", s.value)))?;
                    }
                    "Description" | "ProtectionLevel" => {}
                    "Name" if s.value.trim().eq_ignore_ascii_case(&cm.name) => {}
                    "Name" => {
                        return Err(bad(format!(
                            "renaming connection manager '{}' to '{}' is not supported",
                            cm.name, s.value
                        )));
                    }
                    other => {
                        let key = match other {
                            "ServerName" => "Data Source",
                            "InitialCatalog" => "Initial Catalog",
                            _ => "User ID",
                        };
                        let mut pairs = connections::connstr::parse(&cm.connection_string)
                            .map_err(|e| bad(e.message))?;
                        pairs.set(key, &s.value);
                        cm.connection_string = pairs
                            .0
                            .iter()
                            .map(|(k, v)| {
                                if v.contains([';', '"']) {
                                    format!("{k}=\"{}\"", v.replace('"', "\"\""))
                                } else {
                                    format!("{k}={v}")
                                }
                            })
                            .collect::<Vec<_>>()
                            .join(";");
                    }
                }
            }
            SetTarget::Property(prop)
                if s.scope.eq_ignore_ascii_case("Package")
                    && package_property(pkg, prop, &s.value).map_err(bad)? => {}
            SetTarget::Property(prop) => {
                let Some(exe) = find_executable(&mut pkg.root, &s.scope) else {
                    return Err(bad(format!("the package has no executable '{}'", s.scope)));
                };
                set_property(exe, prop, &s.value).map_err(bad)?;
            }
        }
    }
    Ok(())
}

/// Sets a property only the package has; `Ok(false)` when `prop` is not one.
/// The checkpoint and logging properties other than `SaveCheckpoints` have
/// no effect here (no checkpoints are read, no SSIS logs written), nor have
/// those of loading and scheduling that configurations often carry
/// (`ProtectionLevel` after the load, `DelayValidation`,
/// `MaxConcurrentExecutables`: executables run one at a time here).
fn package_property(
    pkg: &mut Package,
    prop: &str,
    text: &str,
) -> std::result::Result<bool, String> {
    match prop.to_ascii_lowercase().as_str() {
        "savecheckpoints" => {
            pkg.save_checkpoints =
                model::xml_bool(text).ok_or_else(|| format!("'{text}' is not True or False"))?;
        }
        "checkpointfilename"
        | "checkpointusage"
        | "loggingmode"
        | "description"
        | "protectionlevel"
        | "delayvalidation"
        | "maxconcurrentexecutables"
        | "suppressconfigurationwarnings" => {}
        _ => return Ok(false),
    }
    Ok(true)
}

fn find_executable<'a>(
    exe: &'a mut model::Executable,
    path: &str,
) -> Option<&'a mut model::Executable> {
    if exe.path.eq_ignore_ascii_case(path) {
        return Some(exe);
    }
    let body = match &mut exe.kind {
        model::ExecutableKind::Sequence(b)
        | model::ExecutableKind::ForLoop { body: b, .. }
        | model::ExecutableKind::ForeachLoop { body: b, .. } => b,
        _ => return None,
    };
    body.executables
        .iter_mut()
        .find_map(|c| find_executable(c, path))
}

/// Sets an executable's property from `/SET` text.
fn set_property(
    exe: &mut model::Executable,
    prop: &str,
    text: &str,
) -> std::result::Result<(), String> {
    let flag = || model::xml_bool(text).ok_or_else(|| format!("'{text}' is not True or False"));
    let number = || {
        text.trim()
            .parse::<i64>()
            .map_err(|_| format!("'{text}' is not a number"))
    };
    match prop.to_ascii_lowercase().as_str() {
        "disabled" => exe.disabled = flag()?,
        "failpackageonfailure" => exe.fail_package_on_failure = flag()?,
        "failparentonfailure" => exe.fail_parent_on_failure = flag()?,
        "disableeventhandlers" => exe.disable_event_handlers = flag()?,
        "delayvalidation" => exe.delay_validation = flag()?,
        "maxerrorcount" | "maximumerrorcount" => exe.max_error_count = number()?.max(0) as u32,
        "forceexecutionresult" => {
            let n = number()?;
            exe.force_execution_result = if n < 0 {
                None
            } else {
                Some(
                    ExecResult::from_code(n)
                        .ok_or_else(|| format!("ForceExecutionResult {n} is not -1..=3"))?,
                )
            };
        }
        _ => {
            let value = match (model::xml_bool(text), text.trim().parse::<i64>()) {
                (_, Ok(n)) => expr::Value::I8(n),
                (Some(b), _) => expr::Value::Bool(b),
                _ => expr::Value::WStr(text.into()),
            };
            property_exprs::apply_task(&mut exe.kind, prop, &value).map_err(|e| {
                format!(
                    "{} has no property {prop} that /SET can change ({e})",
                    exe.type_label
                )
            })?;
        }
    }
    Ok(())
}

/// Reads the property configurations of an XML configuration file
/// (`.dtsConfig`: `<Configuration ConfiguredType="Property" Path="...">
/// <ConfiguredValue>...`), as `/SET` overrides in file order.
pub fn read_config_file(path: &Path) -> Result<Vec<SetOverride>> {
    let bytes = std::fs::read(path).map_err(|e| {
        let kind = if e.kind() == std::io::ErrorKind::NotFound {
            ErrorKind::InvalidArgument
        } else {
            ErrorKind::Io
        };
        Error::new(kind, format!("/CONFIGFILE '{}': {e}", path.display()))
            .with_target("/CONFIGFILE")
    })?;
    let root = model::xml::parse(&bytes, path).map_err(|e| {
        Error::invalid(format!("/CONFIGFILE '{}': {}", path.display(), e.message))
            .with_target("/CONFIGFILE")
    })?;
    if root.local_name() != "DTSConfiguration" {
        return Err(Error::invalid(format!(
            "/CONFIGFILE '{}' is not an XML configuration (the root is <{}>, not <DTSConfiguration>)",
            path.display(),
            root.local_name()
        ))
        .with_target("/CONFIGFILE"));
    }
    let mut out = Vec::new();
    for c in root.children_named("Configuration") {
        let kind = c.attr("ConfiguredType").unwrap_or("Property");
        if !kind.eq_ignore_ascii_case("Property") {
            return Err(Error::invalid(format!(
                "/CONFIGFILE '{}' line {}: ConfiguredType '{kind}' is not supported (Property is)",
                path.display(),
                c.line
            ))
            .with_target("/CONFIGFILE"));
        }
        let p = c.attr("Path").unwrap_or("");
        let value = c
            .child("ConfiguredValue")
            .map(|v| v.text.clone())
            .unwrap_or_default();
        let mut o = cmdline::parse_path(p, value, "/CONFIGFILE").map_err(|e| {
            Error::invalid(format!(
                "{} (file '{}', line {})",
                e.message,
                path.display(),
                c.line
            ))
            .with_target("/CONFIGFILE")
        })?;
        o.path = format!("{} ({})", o.path, path.display());
        out.push(o);
    }
    Ok(out)
}

/// Checks, prepares and runs a package; returns `Success`, `Failure` or `Canceled`.
pub fn run_package(pkg: &Package, opts: &RunOptions, events: &dyn EventSink) -> Result<ExecResult> {
    let mut pkg = pkg.clone();
    apply_overrides(&mut pkg, &opts.sets)?;
    check_runnable(&pkg)?;
    let mut vars = prepare_variables(&pkg, &opts.sets)?;
    Ok(engine::execute(&pkg, &mut vars, events, &opts.cancel))
}

/// Counts warnings, for `/WARNASERROR`.
#[derive(Default)]
struct WarningCount(std::sync::atomic::AtomicUsize);

impl EventSink for WarningCount {
    fn emit(&self, event: &Event) {
        if event.event == EventKind::OnWarning {
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    }
}

impl EventSink for Arc<WarningCount> {
    fn emit(&self, event: &Event) {
        self.as_ref().emit(event);
    }
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
