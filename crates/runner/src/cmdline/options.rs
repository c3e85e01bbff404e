//! dtexec's options: the table of names, abbreviations and kinds, and how a
//! word (`/F`, `-rep`, `/Decrypt`) is resolved to an option.

use ssis_core::error::{Error, Result};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Opt {
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
    Project,
    Package,
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
    ("Package", 4, Opt::Package),
    ("Parameter", 3, Opt::Par),
    ("Project", 4, Opt::Project),
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

/// `args` (a command line) with its secrets replaced by `********`, for a
/// record others may read: the word after `/DECRYPT` and `/PASSWORD`, and
/// the value of a `/SET`, `/CONN` or `/PAR` that names a password (a
/// `Password` property or parameter, a connection string with `Password=`
/// or `PWD=`), whose target stays readable.
pub fn redact_secrets(args: &[String]) -> Vec<String> {
    const MASK: &str = "********";
    let mut out = args.to_vec();
    let mut i = 0;
    while i + 1 < out.len() {
        let (word, next) = (&out[i], out[i + 1].as_str());
        let hidden = if (is_option(word, "Decrypt") && decrypt_takes_value(Some(next)))
            || is_option(word, "Password")
        {
            Some(MASK.to_string())
        } else if ["Set", "Connection", "Parameter"]
            .iter()
            .any(|o| is_option(word, o))
        {
            let lower: String = next
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                .to_ascii_lowercase();
            (lower.contains("password") || lower.contains("pwd=")).then(|| {
                match next.split_once(';') {
                    Some((target, _)) => format!("{target};{MASK}"),
                    None => MASK.to_string(),
                }
            })
        } else {
            i += 1;
            continue;
        };
        if let Some(h) = hidden {
            out[i + 1] = h;
        }
        i += 2;
    }
    out
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
pub(super) fn lookup(word: &str) -> Result<(&'static str, Opt)> {
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
