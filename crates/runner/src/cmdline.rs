//! dtexec's command line: `/` or `-` options, case-insensitive, accepted
//! in their documented abbreviations (`/F`, `/SQ`, `/Rep`, ...) or any longer
//! unique prefix; `;`-separated compound arguments with optional quotes.

use ssis_core::error::{Error, Result};
use std::ffi::OsString;

/// Where the package comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PackageSource {
    /// `/FILE path`.
    File(String),
    /// `/SQL path` (msdb).
    Sql(String),
    /// `/DTS path` (the service's package store).
    Dts(String),
}

/// What a `/SET` (or `/Par`, `/Conn`, a configuration) changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetTarget {
    /// A variable's value (parameters are `$Package::Name` variables).
    Variable,
    /// A connection manager's property: `scope` is unused, `variable`
    /// holds the manager's name; `ConnectionString`, `ServerName`,
    /// `InitialCatalog`, `UserName`, `Password`, `RetainSameConnection`,
    /// `FileUsageType`, and (without effect) `Description`,
    /// `ProtectionLevel` and `Name` (its own name only).
    Connection(String),
    /// A property of the executable at `scope` (`Disabled`, `MaxErrorCount`, ...).
    Property(String),
}

/// One `/SET` override.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetOverride {
    /// The container path, e.g. `Package` or `Package\Sequence`.
    pub scope: String,
    /// The variable, `User::Name` or `Name` (the manager's name for a connection).
    pub variable: String,
    /// The new value as text.
    pub value: String,
    /// The property path as given, for messages.
    pub path: String,
    /// What is set.
    pub target: SetTarget,
}

/// Everything the command line asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExecOptions {
    /// `/FILE`, `/SQL` or `/DTS`.
    pub source: Option<PackageSource>,
    /// `/SERVER`.
    pub server: Option<String>,
    /// `/SET` overrides, in order.
    pub sets: Vec<SetOverride>,
    /// `/REPORTING` letters (default `EWP`).
    pub reporting: String,
    /// `/VALIDATE`: validate only, do not run.
    pub validate: bool,
    /// `/DECRYPT` password.
    pub decrypt: Option<String>,
    /// `/REPORTING` event list (`/Rep E;OnError;OnWarning`): when not
    /// empty, only these events (of the selected levels) are reported.
    pub report_events: Vec<String>,
    /// `/CONSOLELOG` display options (`Some("")` when given without any).
    pub console_log: Option<String>,
    /// `/CONSOLELOG` `I;source` lists: when not empty, only events of these
    /// sources (executable names or paths) are logged.
    pub console_log_include: Vec<String>,
    /// `/CONSOLELOG` `E;source` lists: events of these sources are not logged.
    pub console_log_exclude: Vec<String>,
    /// `--events json`.
    pub events_json: bool,
    /// `/?` or `/HELP`.
    pub help: bool,
    /// `/MAXCONCURRENT` (accepted; the engine runs one executable at a time).
    pub max_concurrent: Option<i32>,
    /// `/CONFIGFILE` files (XML configurations), applied before `/SET`.
    pub config_files: Vec<String>,
    /// `/WARNASERROR`: a warning fails the run (or the validation).
    pub warn_as_error: bool,
    /// `--fallback PROGRAM`: a dtexec-compatible program that runs the
    /// package when the built-in runner refuses it.
    pub fallback: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Opt {
    Help,
    File,
    Sql,
    Server,
    Dts,
    Set,
    Reporting,
    Validate,
    Decrypt,
    ConsoleLog,
    User,
    Password,
    MaxConcurrent,
    Remark,
    Checkpointing,
    ConfigFile,
    Conn,
    Par,
    WarnAsError,
    /// Accepted and ignored, as dtexec ignores them at the command prompt.
    Ignored {
        takes_value: bool,
    },
    NotSupported,
}

/// (full name, shortest accepted abbreviation length, option).
const OPTIONS: &[(&str, usize, Opt)] = &[
    ("?", 1, Opt::Help),
    ("Help", 1, Opt::Help),
    ("File", 1, Opt::File),
    ("SQL", 2, Opt::Sql),
    ("Server", 3, Opt::Server),
    ("DTS", 1, Opt::Dts),
    ("Set", 3, Opt::Set),
    ("Reporting", 3, Opt::Reporting),
    ("Validate", 2, Opt::Validate),
    ("Decrypt", 2, Opt::Decrypt),
    ("ConsoleLog", 4, Opt::ConsoleLog),
    ("User", 1, Opt::User),
    ("Password", 1, Opt::Password),
    ("MaxConcurrent", 1, Opt::MaxConcurrent),
    ("Remark", 3, Opt::Remark),
    ("CallerInfo", 2, Opt::Ignored { takes_value: true }),
    ("CheckFile", 6, Opt::NotSupported),
    ("Checkpointing", 6, Opt::Checkpointing),
    ("CommandFile", 3, Opt::NotSupported),
    ("ConfigFile", 4, Opt::ConfigFile),
    ("Connection", 4, Opt::Conn),
    ("Dump", 4, Opt::NotSupported),
    ("DumpOnError", 11, Opt::NotSupported),
    ("EnvReference", 3, Opt::NotSupported),
    ("ISServer", 1, Opt::NotSupported),
    ("Logger", 1, Opt::NotSupported),
    ("Package", 4, Opt::NotSupported),
    ("Parameter", 3, Opt::Par),
    ("Project", 4, Opt::NotSupported),
    ("Restart", 3, Opt::NotSupported),
    ("Sum", 2, Opt::NotSupported),
    ("VerifyBuild", 7, Opt::NotSupported),
    ("VerifyPackageID", 7, Opt::NotSupported),
    ("VerifySigned", 7, Opt::NotSupported),
    ("VerifyVersionID", 7, Opt::NotSupported),
    ("VLog", 4, Opt::NotSupported),
    ("WarnAsError", 1, Opt::WarnAsError),
    ("X86", 3, Opt::Ignored { takes_value: false }),
];

/// The environment variable SSIS on Linux reads a package password from.
pub const DECRYPT_ENV: &str = "SSIS_PACKAGE_DECRYPT";

/// Whether the word after `/DECRYPT` is its password: there is one, and it
/// is not a dtexec option (`/De /F x` has no password).
pub fn decrypt_takes_value(next: Option<&str>) -> bool {
    match next {
        None => false,
        Some(w) => {
            let as_option = w
                .strip_prefix('/')
                .or_else(|| w.strip_prefix('-'))
                .filter(|r| !r.starts_with('-'))
                .is_some_and(|r| lookup(r).is_ok());
            !as_option && !w.starts_with("--")
        }
    }
}

/// Whether `word` (with its `/` or `-`) is the dtexec option `full`
/// (`Decrypt`, ...) in any accepted spelling.
pub fn is_option(word: &str, full: &str) -> bool {
    word.strip_prefix('/')
        .or_else(|| word.strip_prefix('-'))
        .filter(|w| !w.starts_with('-'))
        .and_then(|w| lookup(w).ok())
        .is_some_and(|(name, _)| name == full)
}

/// Resolves an option word (without its prefix) to its full name and kind.
fn lookup(word: &str) -> Result<(&'static str, Opt)> {
    let w = word.to_ascii_lowercase();
    if let Some(&(name, _, opt)) = OPTIONS.iter().find(|(n, _, _)| n.to_ascii_lowercase() == w) {
        return Ok((name, opt));
    }
    let prefixed: Vec<_> = OPTIONS
        .iter()
        .filter(|(n, _, _)| n.to_ascii_lowercase().starts_with(&w))
        .collect();
    let accepted: Vec<_> = prefixed
        .iter()
        .filter(|(_, min, _)| w.len() >= *min)
        .collect();
    match accepted.as_slice() {
        [one] => Ok((one.0, one.2)),
        [] if prefixed.is_empty() => Err(Error::invalid(format!(
            "option /{word} is not a dtexec option"
        ))
        .with_target(format!("/{word}"))),
        _ => {
            let names: Vec<_> = prefixed.iter().map(|(n, _, _)| format!("/{n}")).collect();
            Err(Error::invalid(format!(
                "option /{word} is ambiguous: it could be {}",
                names.join(", ")
            ))
            .with_target(format!("/{word}")))
        }
    }
}

/// Splits a compound argument at `;` outside double quotes and removes the
/// quotes; `\"` inside quotes is a literal quote.
pub fn split_compound(arg: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut quoted = false;
    let mut chars = arg.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                if let Some(p) = parts.last_mut() {
                    p.push('"');
                }
            }
            '"' => quoted = !quoted,
            ';' if !quoted => parts.push(String::new()),
            _ => {
                if let Some(p) = parts.last_mut() {
                    p.push(c);
                }
            }
        }
    }
    parts
}

/// Strips one pair of surrounding double quotes.
fn unquote(s: &str) -> String {
    split_compound(s).join(";")
}

/// Parses a `/SET` argument: a property path and a value separated by `;`.
fn parse_set(arg: &str) -> Result<SetOverride> {
    let parts = split_compound(arg);
    let (path, value) = match parts.as_slice() {
        [path, rest @ ..] if !rest.is_empty() => (path.trim().to_string(), rest.join(";")),
        _ => {
            return Err(Error::invalid(format!(
                "/SET '{arg}' needs a property path and a value separated by ';'"
            ))
            .with_target("/SET"));
        }
    };
    parse_path(&path, value, "/SET")
}

/// Parses a property path as `/SET` and configurations write it:
/// `\Package.Variables[User::X].Properties[Value]` (or `.Value`, or no
/// property: `\Package.Variables[$Package::P]`), under a container
/// (`\Package\Sequence.Variables[...]`);
/// `\Package.Connections[Name].Properties[ConnectionString]` (or
/// `ServerName`, `InitialCatalog`, `UserName`, `Password`); an
/// executable's property: `\Package\Task.Properties[Disabled]`.
pub fn parse_path(path: &str, value: String, option: &str) -> Result<SetOverride> {
    let bad = |why: &str| {
        Error::invalid(format!("{option} path '{path}' {why}")).with_target(option.to_string())
    };
    let p = path.trim().trim_start_matches('\\');
    let lower = p.to_ascii_lowercase();
    let bracket = |rest: &str| -> Result<(String, String)> {
        let close = rest
            .find(']')
            .ok_or_else(|| bad("has no closing ']' after the name"))?;
        Ok((
            rest[..close].trim().to_string(),
            rest[close + 1..].to_string(),
        ))
    };
    // The property named after the collection item: `.Properties[X]` or `.X`.
    let property = |tail: &str| -> Result<String> {
        let t = tail.trim();
        if t.is_empty() {
            return Ok(String::new());
        }
        if t.to_ascii_lowercase().starts_with(".properties[") {
            let (name, after) = bracket(&t[".properties[".len()..])?;
            if !after.trim().is_empty() {
                return Err(bad("has text after the property"));
            }
            return Ok(name);
        }
        match t.strip_prefix('.') {
            Some(name) if !name.contains(['.', '[', ']']) => Ok(name.to_string()),
            _ => Err(bad("does not end in .Properties[Name]")),
        }
    };
    let container = |scope: &str| -> Result<String> {
        if scope.is_empty()
            || !scope
                .split('\\')
                .next()
                .is_some_and(|s| s.eq_ignore_ascii_case("package"))
        {
            return Err(bad("must start with \\Package"));
        }
        Ok(format!("Package{}", &scope["package".len()..]))
    };
    let (scope, variable, target) = if let Some(at) = lower.find(".variables[") {
        let (variable, tail) = bracket(&p[at + ".variables[".len()..])?;
        let prop = property(&tail)?;
        if variable.is_empty() {
            return Err(bad("names no variable"));
        }
        if !prop.is_empty() && !prop.eq_ignore_ascii_case("value") {
            return Err(bad(
                "sets a variable property other than Value, which is not supported",
            ));
        }
        (container(&p[..at])?, variable, SetTarget::Variable)
    } else if let Some(at) = lower.find(".connections[") {
        let (name, tail) = bracket(&p[at + ".connections[".len()..])?;
        let prop = property(&tail)?;
        let known = [
            "ConnectionString",
            "ServerName",
            "InitialCatalog",
            "UserName",
            "Password",
            "RetainSameConnection",
            "FileUsageType",
            "Description",
            "Name",
            "ProtectionLevel",
        ];
        let Some(prop) = known.iter().find(|k| k.eq_ignore_ascii_case(&prop)) else {
            return Err(bad(&format!(
                "sets connection property '{prop}', which is not supported (supported: {})",
                known.join(", ")
            )));
        };
        if name.is_empty() {
            return Err(bad("names no connection manager"));
        }
        (
            container(&p[..at])?,
            name,
            SetTarget::Connection(prop.to_string()),
        )
    } else if let Some(at) = lower.rfind(".properties[") {
        let prop = property(&p[at..])?;
        if prop.is_empty() {
            return Err(bad("names no property"));
        }
        (
            container(&p[..at])?,
            String::new(),
            SetTarget::Property(prop),
        )
    } else {
        return Err(bad(
            "is not a property path (\\Package.Variables[User::Name].Properties[Value], \
             \\Package.Connections[Name].Properties[ConnectionString], \\Package\\Task.Properties[Name])",
        ));
    };
    Ok(SetOverride {
        scope,
        variable,
        value,
        path: path.to_string(),
        target,
    })
}

/// `/PAR name;value`: a package parameter (`$Package::Name`, or a bare
/// name); `$Project::` parameters need a project, which `/FILE` has not;
/// a `(Type)` suffix on the name is accepted.
fn parse_par(arg: &str) -> Result<SetOverride> {
    let parts = split_compound(arg);
    let (name, value) = match parts.as_slice() {
        [name, rest @ ..] if !rest.is_empty() => (name.trim().to_string(), rest.join(";")),
        _ => {
            return Err(Error::invalid(format!(
                "/PAR '{arg}' needs a parameter name and a value separated by ';'"
            ))
            .with_target("/PAR"));
        }
    };
    let bare = match name.find('(') {
        Some(i) if name.ends_with(')') => name[..i].trim().to_string(),
        _ => name.clone(),
    };
    let variable = if let Some(n) = bare.strip_prefix("$Package::") {
        format!("$Package::{n}")
    } else if bare.starts_with("$Project::") || bare.starts_with("$ServerOption::") {
        return Err(Error::invalid(format!(
            "/PAR '{name}': only package parameters ($Package::Name) can be set here: a package \
             run with /FILE has no project or server options"
        ))
        .with_target("/PAR"));
    } else {
        format!("$Package::{bare}")
    };
    Ok(SetOverride {
        scope: "Package".into(),
        variable,
        value,
        path: format!("/PAR {name}"),
        target: SetTarget::Variable,
    })
}

/// `/CONN name;connection string`.
fn parse_conn(arg: &str) -> Result<SetOverride> {
    let parts = split_compound(arg);
    match parts.as_slice() {
        [name, rest @ ..] if !rest.is_empty() && !name.trim().is_empty() => Ok(SetOverride {
            scope: "Package".into(),
            variable: name.trim().to_string(),
            value: rest.join(";"),
            path: format!("/CONN {}", name.trim()),
            target: SetTarget::Connection("ConnectionString".into()),
        }),
        _ => Err(Error::invalid(format!(
            "/CONN '{arg}' needs a connection manager (name or ID) and a connection string \
             separated by ';' (quote the string: /CONN Name;\"Data Source=...;...\")"
        ))
        .with_target("/CONN")),
    }
}

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
fn reporting(arg: &str) -> Result<(String, Vec<String>)> {
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
fn console_log(arg: &str, o: &mut ExecOptions) -> Result<()> {
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

/// Parses dtexec arguments (everything after `exec`).
pub fn parse(args: &[OsString]) -> Result<ExecOptions> {
    let mut words = Vec::with_capacity(args.len());
    for a in args {
        words.push(
            a.to_str()
                .map(str::to_string)
                .ok_or_else(|| Error::invalid(format!("argument {a:?} is not valid Unicode")))?,
        );
    }
    let mut o = ExecOptions {
        reporting: "EWP".into(),
        ..ExecOptions::default()
    };
    let mut i = 0;
    while i < words.len() {
        let word = &words[i];
        i += 1;
        if let Some(rest) = word.strip_prefix("--fallback") {
            let program = match rest.strip_prefix('=') {
                Some(p) => p.to_string(),
                None if rest.is_empty() => {
                    i += 1;
                    words.get(i - 1).cloned().ok_or_else(|| {
                        Error::invalid("--fallback needs a program (e.g. /opt/ssis/bin/dtexec)")
                            .with_target("--fallback")
                    })?
                }
                None => {
                    return Err(Error::invalid(format!("option {word} is not known"))
                        .with_target(word.clone()));
                }
            };
            if program.trim().is_empty() {
                return Err(Error::invalid("--fallback needs a program").with_target("--fallback"));
            }
            o.fallback = Some(program);
            continue;
        }
        if let Some(rest) = word.strip_prefix("--events") {
            let fmt = match rest.strip_prefix('=') {
                Some(f) => f.to_string(),
                None if rest.is_empty() => {
                    i += 1;
                    words.get(i - 1).cloned().ok_or_else(|| {
                        Error::invalid("--events needs a format: json").with_target("--events")
                    })?
                }
                None => {
                    return Err(Error::invalid(format!("option {word} is not known"))
                        .with_target(word.clone()));
                }
            };
            if !fmt.eq_ignore_ascii_case("json") {
                return Err(Error::invalid(format!(
                    "--events format '{fmt}' is not supported: use json"
                ))
                .with_target("--events"));
            }
            o.events_json = true;
            continue;
        }
        let Some(name) = word.strip_prefix('/').or_else(|| word.strip_prefix('-')) else {
            return Err(Error::invalid(format!(
                "'{word}' is not an option: options start with / or -"
            ))
            .with_target(word.clone()));
        };
        let (full, opt) = lookup(name)?;
        let next_is_password = decrypt_takes_value(words.get(i).map(String::as_str));
        let mut value = |required: bool| -> Result<Option<String>> {
            match words.get(i) {
                // A required value is taken as is (a Unix path starts with '/').
                Some(v) if required || !(v.starts_with('/') || v.starts_with('-')) => {
                    i += 1;
                    Ok(Some(v.clone()))
                }
                _ if required => Err(Error::invalid(format!("option /{full} needs a value"))
                    .with_target(format!("/{full}"))),
                _ => Ok(None),
            }
        };
        match opt {
            Opt::Help => o.help = true,
            Opt::File | Opt::Sql | Opt::Dts => {
                let v = unquote(&value(true)?.unwrap_or_default());
                if o.source.is_some() {
                    return Err(Error::invalid(format!(
                        "option /{full}: only one of /FILE, /SQL and /DTS may be given, once"
                    ))
                    .with_target(format!("/{full}")));
                }
                o.source = Some(match opt {
                    Opt::File => PackageSource::File(v),
                    Opt::Sql => PackageSource::Sql(v),
                    _ => PackageSource::Dts(v),
                });
            }
            Opt::Server => o.server = Some(unquote(&value(true)?.unwrap_or_default())),
            Opt::Set => o.sets.push(parse_set(&value(true)?.unwrap_or_default())?),
            Opt::Par => o.sets.push(parse_par(&value(true)?.unwrap_or_default())?),
            Opt::Conn => o.sets.push(parse_conn(&value(true)?.unwrap_or_default())?),
            Opt::ConfigFile => o
                .config_files
                .push(unquote(&value(true)?.unwrap_or_default())),
            Opt::WarnAsError => o.warn_as_error = true,
            Opt::Reporting => {
                (o.reporting, o.report_events) = reporting(&value(true)?.unwrap_or_default())?;
            }
            Opt::Validate => o.validate = true,
            Opt::Decrypt => {
                // dtexec prompts when /DECRYPT has no password; the word
                // after it is the password unless it is a dtexec option.
                // Without one, SSIS on Linux's SSIS_PACKAGE_DECRYPT is read.
                if next_is_password {
                    o.decrypt = Some(unquote(&value(true)?.unwrap_or_default()));
                } else {
                    match std::env::var(DECRYPT_ENV) {
                        Ok(p) if !p.is_empty() => o.decrypt = Some(p),
                        _ => {
                            return Err(Error::invalid(format!(
                                "option /{full} needs a password (this runner does not prompt): \
                                 give it after /{full}, or in {DECRYPT_ENV}"
                            ))
                            .with_target(format!("/{full}")));
                        }
                    }
                }
            }
            Opt::ConsoleLog => console_log(&value(false)?.unwrap_or_default(), &mut o)?,
            Opt::User | Opt::Password => {
                value(true)?;
            }
            Opt::MaxConcurrent => {
                let v = value(true)?.unwrap_or_default();
                let n: i32 = v
                    .trim()
                    .parse()
                    .ok()
                    .filter(|n| *n == -1 || *n > 0)
                    .ok_or_else(|| {
                        Error::invalid(format!(
                            "/MAXCONCURRENT '{v}' must be -1 or a positive number"
                        ))
                        .with_target("/MAXCONCURRENT")
                    })?;
                o.max_concurrent = Some(n);
            }
            Opt::Remark | Opt::Ignored { takes_value: true } => {
                value(false)?;
            }
            Opt::Ignored { takes_value: false } => {}
            Opt::Checkpointing => {
                // Without a value dtexec turns checkpoints on.
                let v = value(false)?.unwrap_or_default();
                if !v.trim().eq_ignore_ascii_case("off") {
                    return Err(Error::new(
                        ssis_core::ErrorKind::InvalidArgument,
                        format!(
                            "/CHECKPOINTING {}: checkpoints are not supported by this runner (OFF is accepted)",
                            if v.trim().is_empty() { "ON" } else { v.trim() }
                        ),
                    )
                    .with_target("/CHECKPOINTING"));
                }
            }
            Opt::NotSupported => {
                return Err(Error::new(
                    ssis_core::ErrorKind::InvalidArgument,
                    format!("option /{full} is not supported by this runner"),
                )
                .with_target(format!("/{full}")));
            }
        }
    }
    if o.source.is_none() && !o.help {
        return Err(
            Error::invalid("no package given: use /FILE, /SQL or /DTS").with_target("/FILE")
        );
    }
    if o.server.is_some() && matches!(o.source, Some(PackageSource::File(_))) {
        return Err(Error::invalid("option /SERVER does not apply to /FILE").with_target("/SERVER"));
    }
    Ok(o)
}

/// The usage text for `/?`.
pub const USAGE: &str = "\
Usage: ssis exec /F[ILE] package.dtsx [options]
  /F[ILE] path | /SQ[L] path /SER[VER] name | /D[TS] path   package to run
  /SET \\Package.Variables[User::Name].Properties[Value];value  set a variable
       \\Package.Connections[Name].Properties[ConnectionString];value  a connection
       \\Package\\Task.Properties[Disabled];True  an executable's property
  /PAR [$Package::]Name;value     set a package parameter
  /CONN Name;\"connection string\"  set a connection manager's connection string
  /CONF[IGFILE] file.dtsConfig    apply an XML configuration (before /SET)
  /W[ARNASERROR]                  a warning fails the run
  /REP[ORTING] E|W|I|C|D|P|V|N[;event...]  console events (default EWP);
                                  events listed (OnError, ...): only those
  /CHECKP[OINTING] OFF            accepted (checkpoints are not supported)
  /X86, /CA[LLERINFO] [info]      accepted and ignored, as at dtexec's prompt
  /VA[LIDATE]                     validate only, do not run
  /DE[CRYPT] password             package password
  /CONS[OLELOG] [NCOSGXMT][;I|E;source...]  log events to the console;
                                  I: only these sources, E: not these
  --events json                   one JSON object per event on stdout
  --fallback PROGRAM              run with PROGRAM (a dtexec) what this runner refuses
Exit codes: 0 success, 1 failure, 3 canceled, 4 not found, 5 not loadable, 6 command line";

#[cfg(test)]
mod tests {
    use super::*;

    fn p(args: &[&str]) -> Result<ExecOptions> {
        parse(&args.iter().map(OsString::from).collect::<Vec<_>>())
    }

    #[test]
    fn abbreviations_prefixes_and_case() {
        for f in ["/F", "-f", "/FILE", "/fi", "-File"] {
            let o = p(&[f, "a.dtsx"]).unwrap();
            assert_eq!(o.source, Some(PackageSource::File("a.dtsx".into())), "{f}");
        }
        assert_eq!(
            p(&["/SQ", "x\\y"]).unwrap().source,
            Some(PackageSource::Sql("x\\y".into()))
        );
        assert_eq!(
            p(&["/D", "File System\\p"]).unwrap().source,
            Some(PackageSource::Dts("File System\\p".into()))
        );
        let o = p(&["/f", "a", "/rep", "ew", "/va", "/de", "pw"]).unwrap();
        assert_eq!(o.reporting, "EW");
        assert!(o.validate);
        assert_eq!(o.decrypt.as_deref(), Some("pw"));
        // /De followed by an option has no password: /F is not taken as one.
        let o = p(&["/De", "/F", "a"]);
        match std::env::var(DECRYPT_ENV) {
            Ok(v) if !v.is_empty() => assert_eq!(o.unwrap().decrypt, Some(v)),
            _ => assert!(o.unwrap_err().message.contains(DECRYPT_ENV)),
        }
        assert!(decrypt_takes_value(Some("/secret")));
        assert!(!decrypt_takes_value(Some("/Rep")));
    }

    #[test]
    fn ambiguous_unknown_and_missing_values_are_exit_6() {
        let err = p(&["/Se", "x"]).unwrap_err();
        assert!(
            err.message.contains("ambiguous")
                && err.message.contains("/Server")
                && err.message.contains("/Set"),
            "{}",
            err.message
        );
        assert_eq!(err.kind.exit_code(), 6);
        let err = p(&["/Bogus"]).unwrap_err();
        assert!(err.message.contains("/Bogus"));
        let err = p(&["/F"]).unwrap_err();
        assert!(
            err.message.contains("/File needs a value"),
            "{}",
            err.message
        );
        let err = p(&["/F", "a", "/REP", "Q"]).unwrap_err();
        assert!(err.message.contains("'Q'"));
        let err = p(&["/F", "a", "/Dump", "x"]).unwrap_err();
        assert!(err.message.contains("/Dump"), "{}", err.message);
        assert_eq!(err.target.as_deref(), Some("/Dump"));
        assert!(p(&["/F", "a", "/SQL", "b"]).is_err());
        assert!(p(&["plain"]).is_err());
        assert!(p(&[]).is_err());
    }

    #[test]
    fn agent_options_ignored_at_the_prompt_are_accepted() {
        // SQL Agent writes /X86 and /CALLERINFO; dtexec ignores them at the
        // command prompt.
        let o = p(&["/F", "a", "/X86", "/CALLERINFO", "SQLAGENT", "/REP", "E"]).unwrap();
        assert_eq!(o.source, Some(PackageSource::File("a".into())));
        assert_eq!(o.reporting, "E");
        assert!(
            p(&["/Ca", "/F", "a"]).is_ok(),
            "/CallerInfo without a value"
        );
        assert!(p(&["/F", "a", "/CHECKPOINTING", "OFF"]).is_ok());
        assert!(p(&["/F", "a", "/CheckP", "off"]).is_ok());
        for on in [
            &["/F", "a", "/CHECKPOINTING", "ON"][..],
            &["/F", "a", "/CheckP"],
        ] {
            let err = p(on).unwrap_err();
            assert_eq!(err.kind.exit_code(), 6);
            assert!(
                err.message.contains("checkpoints are not supported"),
                "{}",
                err.message
            );
        }
    }

    #[test]
    fn reporting_takes_event_lists_and_v_and_n_stand_alone() {
        let o = p(&["/F", "a", "/Rep", "E;OnError"]).unwrap();
        assert_eq!(o.reporting, "E");
        assert_eq!(o.report_events, ["OnError"]);
        let o = p(&["/F", "a", "/Rep", "EW;onwarning;OnTaskFailed"]).unwrap();
        assert_eq!(o.reporting, "EW");
        assert_eq!(o.report_events, ["OnWarning", "OnTaskFailed"]);
        for bad in ["NE", "VE", "EN"] {
            let err = p(&["/F", "a", "/Rep", bad]).unwrap_err();
            assert!(
                err.message.contains("stand alone"),
                "{bad}: {}",
                err.message
            );
        }
        assert_eq!(p(&["/F", "a", "/Rep", "N"]).unwrap().reporting, "N");
        let err = p(&["/F", "a", "/Rep", "E;OnSomething"]).unwrap_err();
        assert!(err.message.contains("'OnSomething'"), "{}", err.message);
    }

    #[test]
    fn console_log_filters_and_several_options_combine() {
        let o = p(&["/F", "a", "/ConsoleLog", "NM;I;Load Rows;E;Package\\Seq"]).unwrap();
        assert_eq!(o.console_log.as_deref(), Some("NM"));
        assert_eq!(o.console_log_include, ["Load Rows"]);
        assert_eq!(o.console_log_exclude, ["Package\\Seq"]);
        let o = p(&["/F", "a", "/Cons", ";E;Source", "/Cons", "T"]).unwrap();
        assert_eq!(o.console_log.as_deref(), Some("T"));
        assert_eq!(o.console_log_exclude, ["Source"]);
        let o = p(&["/F", "a", "/Cons", "NM", "/Cons", "TM"]).unwrap();
        assert_eq!(o.console_log.as_deref(), Some("NMT"));
        for (bad, why) in [
            ("N;X;Src", "not I (include) or E (exclude)"),
            ("N;I", "needs a source name"),
            ("N;I;{1B2C3D4E-0000-0000-0000-000000000000}", "not by GUID"),
            ("Q", "'Q'"),
        ] {
            let err = p(&["/F", "a", "/Cons", bad]).unwrap_err();
            assert!(err.message.contains(why), "{bad}: {}", err.message);
        }
    }

    #[test]
    fn set_paths_and_compound_quoting() {
        let o = p(&[
            "/F",
            "a",
            "/SET",
            "\\Package.Variables[User::Out].Properties[Value];hello;world",
        ])
        .unwrap();
        assert_eq!(o.sets[0].scope, "Package");
        assert_eq!(o.sets[0].variable, "User::Out");
        assert_eq!(o.sets[0].value, "hello;world");
        let o = p(&[
            "/F",
            "a",
            "-set",
            "\"\\package\\Seq.Variables[N].Value\";\"a; b\"",
        ])
        .unwrap();
        assert_eq!(o.sets[0].scope, "Package\\Seq");
        assert_eq!(o.sets[0].value, "a; b");
        let o = p(&[
            "/F",
            "a",
            "/SET",
            "\\Package\\Load.Properties[Disabled];True",
        ])
        .unwrap();
        assert_eq!(o.sets[0].scope, "Package\\Load");
        assert_eq!(o.sets[0].target, SetTarget::Property("Disabled".into()));
        let o = p(&[
            "/F",
            "a",
            "/SET",
            "\\Package.Connections[Sales DB].Properties[ConnectionString];\"Data Source=x;Initial Catalog=y\"",
        ])
        .unwrap();
        assert_eq!(o.sets[0].variable, "Sales DB");
        assert_eq!(o.sets[0].value, "Data Source=x;Initial Catalog=y");
        assert_eq!(
            o.sets[0].target,
            SetTarget::Connection("ConnectionString".into())
        );
        // The documented example sets a parameter with no property.
        let o = p(&[
            "/F",
            "a",
            "/SET",
            "\\Package.Variables[$Package::Parameter];1",
        ])
        .unwrap();
        assert_eq!(o.sets[0].variable, "$Package::Parameter");
        assert!(
            p(&[
                "/F",
                "a",
                "/SET",
                "\\Package.Connections[X].Properties[Retain];1"
            ])
            .unwrap_err()
            .message
            .contains("Retain")
        );
        assert!(p(&["/F", "a", "/SET", "\\Package.Nothing[X];1"]).is_err());
        assert!(p(&["/F", "a", "/SET", "\\Package.Variables[User::X].Value"]).is_err());
        assert_eq!(
            split_compound("a;\"b;c\";\"d\\\"e\""),
            vec!["a", "b;c", "d\"e"]
        );
    }

    #[test]
    fn par_conn_configfile_and_warnaserror() {
        let o = p(&[
            "/F",
            "a",
            "/Par",
            "\"$Package::Batch(Int32)\";7",
            "/Par",
            "Region;north",
            "/Conn",
            "Sales;\"Data Source=h;User ID=u\"",
            "/ConfigFile",
            "c.dtsConfig",
            "/WarnAsError",
        ])
        .unwrap();
        assert_eq!(o.sets[0].variable, "$Package::Batch");
        assert_eq!(o.sets[0].value, "7");
        assert_eq!(o.sets[1].variable, "$Package::Region");
        assert_eq!(
            o.sets[2].target,
            SetTarget::Connection("ConnectionString".into())
        );
        assert_eq!(o.sets[2].value, "Data Source=h;User ID=u");
        assert_eq!(o.config_files, ["c.dtsConfig"]);
        assert!(o.warn_as_error);
        let e = p(&["/F", "a", "/Par", "$Project::P;1"]).unwrap_err();
        assert!(e.message.contains("only package parameters"), "{e}");
        assert!(p(&["/F", "a", "/Conn", "Sales"]).is_err());
    }

    #[test]
    fn events_json_both_spellings() {
        assert!(p(&["/F", "a", "--events", "json"]).unwrap().events_json);
        assert!(p(&["--events=JSON", "/F", "a"]).unwrap().events_json);
        assert!(p(&["/F", "a", "--events", "xml"]).is_err());
    }
}
