//! dtexec's command line: `/` or `-` options, case-insensitive, accepted
//! in their documented abbreviations (`/F`, `/SQ`, `/Rep`, ...) or any longer
//! unique prefix; `;`-separated compound arguments with optional quotes.
//!
//! This file holds what the command line yields (`ExecOptions` and the
//! overrides), the compound-argument syntax and the usage text;
//! `cmdline/` holds the rest: `options` (the option table and how a word
//! names an option), `overrides` (`/SET` property paths, `/PAR`, `/CONN`),
//! `reporting` (`/REPORTING`, `/CONSOLELOG`) and `parse` (the arguments in
//! order).

mod options;
mod overrides;
mod parse;
mod reporting;
#[cfg(test)]
mod tests;

pub use options::{decrypt_takes_value, is_option, redact_secrets};
pub use overrides::parse_path;
pub use parse::parse;

/// Where the package comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PackageSource {
    /// `/FILE path`.
    File(String),
    /// `/SQL path` (msdb).
    Sql(String),
    /// `/DTS path` (the service's package store).
    Dts(String),
    /// `/PROJECT path /PACKAGE name`: a package of a project (an `.ispac`,
    /// a `.dtproj` or a project folder).
    Project {
        /// The project.
        project: String,
        /// The package's stream name (`Load.dtsx`).
        package: String,
    },
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

impl SetOverride {
    /// How messages name it: `/SET path '\Package...'`, or the `/PAR` or
    /// `/CONN` it came from as given.
    pub fn described(&self) -> String {
        if self.path.starts_with('/') {
            self.path.clone()
        } else {
            format!("/SET path '{}'", self.path)
        }
    }

    /// The option that gave it, an error's target: `/SET`, `/PAR`, `/CONN`.
    pub fn option(&self) -> String {
        match self.path.split_once(' ') {
            Some((option, _)) if self.path.starts_with('/') => option.to_string(),
            _ => "/SET".into(),
        }
    }
}

/// Everything the command line asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExecOptions {
    /// `/FILE`, `/SQL`, `/DTS` or `/PROJECT` with `/PACKAGE`.
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
    /// A bare `/DECRYPT` without `SSIS_PACKAGE_DECRYPT`: the password is
    /// asked for at the terminal, as dtexec does.
    pub decrypt_prompt: bool,
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

/// The environment variable SSIS on Linux reads a package password from.
pub const DECRYPT_ENV: &str = ssis_core::protocol::executions::PASSWORD_ENV;

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

/// The usage text for `/?`.
pub const USAGE: &str = "\
Usage: ssis exec /F[ILE] package.dtsx [options]
  /F[ILE] path | /SQ[L] path /SER[VER] name | /D[TS] path   package to run
  /SET \\Package.Variables[User::Name].Properties[Value];value  set a variable
       \\Package.Connections[Name].Properties[ConnectionString];value  a connection
       \\Package\\Task.Properties[Disabled];True  an executable's property
  /PROJ[ECT] path /PACK[AGE] name  a package of a project (.ispac, .dtproj
                                  or project folder)
  /PAR [$Package::]Name;value     set a package parameter
       $Project::Name;value       a project parameter (with /PROJECT)
       CM.Manager.Property;value  a connection manager's property
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
