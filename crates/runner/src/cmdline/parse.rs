//! The dtexec arguments read in order into [`ExecOptions`]: each option's
//! value, the checks between options, and the `--fallback` and `--events`
//! options of this runner.

use super::options::{Opt, decrypt_takes_value, lookup};
use super::overrides::{parse_conn, parse_par, parse_set};
use super::reporting::{console_log, reporting};
use super::{DECRYPT_ENV, ExecOptions, PackageSource, unquote};
use ssis_core::error::{Error, Result};
use std::ffi::OsString;

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
    // /PACKAGE may come before /PROJECT: both are joined at the end.
    let mut project: Option<String> = None;
    let mut package: Option<String> = None;
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
            Opt::Project | Opt::Package => {
                let v = unquote(&value(true)?.unwrap_or_default());
                let slot = if opt == Opt::Project {
                    &mut project
                } else {
                    &mut package
                };
                if slot.is_some() {
                    return Err(Error::invalid(format!("option /{full} may be given once"))
                        .with_target(format!("/{full}")));
                }
                if v.trim().is_empty() {
                    return Err(Error::invalid(format!("option /{full} needs a value"))
                        .with_target(format!("/{full}")));
                }
                *slot = Some(v);
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
                // The word after it is the password unless it is a dtexec
                // option. Without one, SSIS on Linux's SSIS_PACKAGE_DECRYPT
                // is read, else dtexec prompts (`decrypt_prompt`).
                if next_is_password {
                    o.decrypt = Some(unquote(&value(true)?.unwrap_or_default()));
                } else {
                    match std::env::var(DECRYPT_ENV) {
                        Ok(p) if !p.is_empty() => o.decrypt = Some(p),
                        _ => o.decrypt_prompt = true,
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
    match (project, package) {
        (Some(_), _) | (_, Some(_)) if o.source.is_some() => {
            return Err(Error::invalid(
                "option /PROJECT: only one of /FILE, /SQL, /DTS and /PROJECT may be given",
            )
            .with_target("/PROJECT"));
        }
        (Some(project), Some(package)) => {
            o.source = Some(PackageSource::Project { project, package })
        }
        (Some(_), None) => {
            return Err(Error::invalid(
                "option /PROJECT needs /PACKAGE: the package of the project to run (Name.dtsx)",
            )
            .with_target("/PACKAGE"));
        }
        (None, Some(_)) => {
            return Err(Error::invalid(
                "option /PACKAGE names a package of a project: give the project with /PROJECT",
            )
            .with_target("/PROJECT"));
        }
        (None, None) => {}
    }
    if o.source.is_none() && !o.help {
        return Err(Error::invalid(
            "no package given: use /FILE, /SQL, /DTS or /PROJECT with /PACKAGE",
        )
        .with_target("/FILE"));
    }
    let in_project = matches!(o.source, Some(PackageSource::Project { .. }));
    if let Some(s) = o
        .sets
        .iter()
        .find(|s| !in_project && s.variable.starts_with("$Project::"))
    {
        return Err(Error::invalid(format!(
            "{}: $Project:: parameters belong to a project: run the package with /PROJECT and \
             /PACKAGE",
            s.path
        ))
        .with_target("/PAR"));
    }
    if o.server.is_some()
        && matches!(
            o.source,
            Some(PackageSource::File(_) | PackageSource::Project { .. })
        )
    {
        return Err(
            Error::invalid("option /SERVER applies to /SQL and /DTS only").with_target("/SERVER"),
        );
    }
    Ok(o)
}
