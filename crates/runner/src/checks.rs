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
/// sensitive values are still encrypted once loaded, with the reason and
/// what to do. User-key encryption is Windows DPAPI, bound to the Windows
/// user who saved the package: this runner cannot undo it. Password
/// encryption was undone at load when the run gave the password
/// (`/DECRYPT`, here `password`); what is left was not given one, or is in
/// a layout the loader does not read. Running with the values left empty,
/// as dtexec does after a warning, would run something else than what was
/// saved.
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
    let advice = match (level.uses_password(), password, pkg.encrypted_whole) {
        (true, None, _) => "give the password with /DECRYPT".to_string(),
        (true, Some(_), _) => "the password was given, but this value is stored in a layout \
             this runner does not decrypt"
            .to_string(),
        (false, _, true) => "this runner cannot decrypt it; re-save it with DontSaveSensitive \
             or EncryptAllWithPassword to run it here"
            .to_string(),
        (false, _, false) => "this runner cannot decrypt it; save it with DontSaveSensitive and \
             pass the values with /SET, or with EncryptSensitiveWithPassword and give the \
             password with /DECRYPT"
            .to_string(),
    };
    let mut msg = format!(
        "package '{}' {what} ({level}); {advice}",
        pkg.display_name()
    );
    let mut e = Error::new(ErrorKind::Package, String::new());
    if password.is_some() && !level.uses_password() {
        msg = format!("/DECRYPT: {msg} (a password does not open it)");
        e = e.with_target("/DECRYPT");
    }
    e.message = msg;
    Err(e)
}
