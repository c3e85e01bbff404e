//! The refusals before a run: a package encrypted with a key this runner
//! does not have, or holding components it cannot run.

use crate::model::Package;
use crate::{model, unsupported};
use ssis_core::error::{Error, ErrorKind, Result};

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
