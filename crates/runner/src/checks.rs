//! The refusals before a run: a package encrypted with a key this runner
//! does not have, or holding components it cannot run.

use crate::cmdline::{SetOverride, SetTarget};
use crate::model::{EncryptedValue, Executable, Package, Replacement};
use crate::{model, unsupported};
use ssis_core::error::{Error, ErrorKind, Result};

/// Refuses a package the runner cannot run completely: a `Package` error
/// for encryption it cannot undo and `sets` do not replace (see
/// [`check_encryption`]), or an `Unsupported` error listing every
/// unsupported, enabled component.
pub fn check_runnable(pkg: &Package, sets: &[SetOverride]) -> Result<()> {
    check_encryption(pkg, None, sets)?;
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

/// Refuses (a `Package` error: dtexec exit 5) a package encrypted as a
/// whole, or holding a sensitive value still encrypted once loaded that
/// the run's `sets` (configurations, `/SET`, `/CONN`, `/PAR`) do not
/// replace, with the reason and what to do. User-key encryption is Windows
/// DPAPI, bound to the Windows user who saved the package: this runner
/// cannot undo it. Password encryption was undone at load when the run
/// gave the password (`/DECRYPT`, here `password`); what is left was not
/// given one, or is in a layout the loader does not read. Running with the
/// values left empty, as dtexec does after a warning, would run something
/// else than what was saved.
pub fn check_encryption(pkg: &Package, password: Option<&str>, sets: &[SetOverride]) -> Result<()> {
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
    let missing: Vec<&EncryptedValue> = pkg
        .encrypted_values
        .iter()
        .filter(|v| !given(&v.replaced_by, sets, pkg))
        .collect();
    let what = if pkg.encrypted_whole {
        format!("is encrypted as a whole with {key}")
    } else if let Some(first) = missing.first() {
        let more = match missing.len() {
            1 => String::new(),
            n => format!(", and {} more", n - 1),
        };
        format!(
            "holds sensitive values encrypted with {key} that the run does not give (the first: {}{more})",
            first.what
        )
    } else {
        return Ok(());
    };
    let advice = match (level.uses_password(), password, pkg.encrypted_whole) {
        (true, None, _) => "give the password with /DECRYPT",
        (true, Some(_), _) => {
            "the password was given, but this value is stored in a layout \
             this runner does not decrypt"
        }
        (false, _, true) => {
            "this runner cannot decrypt it; re-save it with DontSaveSensitive \
             or EncryptAllWithPassword to run it here"
        }
        (false, _, false) => {
            "this runner cannot decrypt them; give the values (a \
             connection's Password or ConnectionString, a parameter) with /SET, /CONN, /PAR \
             or a configuration, or save the package with EncryptSensitiveWithPassword and \
             give the password with /DECRYPT"
        }
    };
    let msg = format!(
        "package '{}' {what} ({level}); {advice}",
        pkg.display_name()
    );
    if password.is_some() && !level.uses_password() {
        return Err(Error::new(
            ErrorKind::Package,
            format!("/DECRYPT: {msg} (a password does not open it)"),
        )
        .with_target("/DECRYPT"));
    }
    Err(Error::new(ErrorKind::Package, msg))
}

/// Whether `sets` give the value `r` stands for: the manager's encrypted
/// property, or a `ConnectionString` that carries a password (or logs in
/// as the Windows user); the variable declared on that container.
fn given(r: &Replacement, sets: &[SetOverride], pkg: &Package) -> bool {
    match r {
        Replacement::Connection {
            name,
            id,
            property,
            project,
        } => {
            let scoped = if *project {
                format!("Project.ConnectionManagers[{name}]")
            } else {
                format!("Package.ConnectionManagers[{name}]")
            };
            // A bare name sets the package's own manager first (dtexec's
            // default scope), the project's only when the package has none.
            let bare_reaches = !*project
                || !pkg
                    .connections
                    .iter()
                    .any(|c| !c.project && c.name.eq_ignore_ascii_case(name));
            sets.iter().any(|s| {
                let named = s.variable.eq_ignore_ascii_case(&scoped)
                    || (bare_reaches
                        && (s.variable.eq_ignore_ascii_case(name)
                            || (!id.is_empty() && s.variable.eq_ignore_ascii_case(id))));
                named
                    && match &s.target {
                        SetTarget::Connection(p) if p.eq_ignore_ascii_case(property) => true,
                        SetTarget::Connection(p) if p.eq_ignore_ascii_case("ConnectionString") => {
                            carries_password(&s.value)
                        }
                        _ => false,
                    }
            })
        }
        Replacement::Variable { scope, name } => {
            let (ns, n) = split_variable(name);
            // A name without namespace sets the first variable of the name
            // the container declares (as the overrides apply it).
            let first = first_declared(&pkg.root, scope, n);
            sets.iter().any(|s| {
                let (set_ns, set_n) = split_variable(&s.variable);
                let same_ns = match set_ns {
                    Some(x) => ns.is_some_and(|ns| x.eq_ignore_ascii_case(ns)),
                    None => first.is_some_and(|f| ns.is_some_and(|ns| f.eq_ignore_ascii_case(ns))),
                };
                s.target == SetTarget::Variable && s.scope == *scope && set_n == n && same_ns
            })
        }
        Replacement::Nothing => false,
    }
}

/// The namespace of the first variable named `name` that the container at
/// `scope` declares (declaration order, as the variables keep them).
fn first_declared<'a>(exe: &'a Executable, scope: &str, name: &str) -> Option<&'a str> {
    if exe.path == scope {
        return exe
            .variables
            .iter()
            .find(|v| v.name == name)
            .map(|v| v.namespace.as_str());
    }
    let children = exe.body().into_iter().flat_map(|b| b.executables.iter());
    let handlers = exe.event_handlers.iter().map(|h| &h.root);
    children
        .chain(handlers)
        .find_map(|c| first_declared(c, scope, name))
}

/// `User::Name` as (`Some("User")`, `Name`); a bare name has no namespace.
fn split_variable(name: &str) -> (Option<&str>, &str) {
    match name.split_once("::") {
        Some((ns, n)) => (Some(ns.trim()), n.trim()),
        None => (None, name.trim()),
    }
}

/// Whether a connection string gives a password (`Password`, `PWD`) or
/// needs none (Windows authentication), read as the connection reads it
/// (quotes, keys without spaces or underscores).
pub(crate) fn carries_password(connection_string: &str) -> bool {
    use crate::connections::connstr;
    let Ok(pairs) = connstr::parse(connection_string) else {
        return false;
    };
    let windows = pairs
        .get(&["Integrated Security", "Trusted_Connection"])
        .is_some_and(|v| {
            matches!(
                v.trim().to_ascii_lowercase().as_str(),
                "true" | "yes" | "sspi" | "1"
            )
        });
    windows || pairs.get(&["Password", "PWD"]).is_some()
}
