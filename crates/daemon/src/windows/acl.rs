//! The state directory's access list on Windows: `%ProgramData%` lets every
//! user read what is created under it, so the service replaces the
//! directory's inherited DACL with a protected one (SYSTEM, Administrators
//! and the service's own account, full control, inherited by everything
//! below), which `SetNamedSecurityInfoW` also applies to what is already
//! there. Other users then cannot read `state.db` or the output logs.

use std::io;
use std::path::Path;
use windows_sys::Win32::Foundation::{ERROR_SUCCESS, HLOCAL, LocalFree};
use windows_sys::Win32::Security::Authorization::{
    ConvertSecurityDescriptorToStringSecurityDescriptorW,
    ConvertStringSecurityDescriptorToSecurityDescriptorW, GetNamedSecurityInfoW, SDDL_REVISION_1,
    SE_FILE_OBJECT, SetNamedSecurityInfoW,
};
use windows_sys::Win32::Security::{
    ACL, DACL_SECURITY_INFORMATION, GetSecurityDescriptorDacl, PROTECTED_DACL_SECURITY_INFORMATION,
    PSECURITY_DESCRIPTOR,
};

/// The protected DACL in SDDL: full control (`FA`) for SYSTEM, the
/// Administrators group and `owner_sid`, inherited by files and folders.
pub fn private_sddl(owner_sid: &str) -> String {
    format!("D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;FA;;;{owner_sid})")
}

/// Well-known SIDs as SDDL writes them (`SY`) and in full (`S-1-5-18`).
const ALIASES: [(&str, &str); 4] = [
    ("SY", "S-1-5-18"),
    ("BA", "S-1-5-32-544"),
    ("LS", "S-1-5-19"),
    ("NS", "S-1-5-20"),
];

/// Whether the DACL in `sddl` keeps other users out: protected (nothing
/// inherited from the parent) and allowing access to no one but SYSTEM,
/// Administrators, the owner (`OW`, `CO`) and `owner_sid`. Deny entries
/// are fine whoever they name.
pub fn is_private(sddl: &str, owner_sid: &str) -> bool {
    let Some(rest) = sddl.strip_prefix("D:") else {
        return false;
    };
    let (flags, aces) = rest.split_at(rest.find('(').unwrap_or(rest.len()));
    if !flags.contains('P') {
        return false;
    }
    let owner = normalise(owner_sid);
    aces.trim_start_matches('(')
        .trim_end_matches(')')
        .split(")(")
        .filter(|ace| !ace.is_empty())
        .all(|ace| {
            let fields: Vec<&str> = ace.split(';').collect();
            let allow = fields
                .first()
                .is_some_and(|t| t.starts_with('A') || *t == "OA");
            let sid = normalise(fields.get(5).copied().unwrap_or(""));
            !allow
                || ["S-1-5-18", "S-1-5-32-544", "OW", "CO", owner.as_str()].contains(&sid.as_str())
        })
}

fn normalise(sid: &str) -> String {
    ALIASES
        .iter()
        .find(|(alias, _)| *alias == sid)
        .map_or(sid, |(_, full)| full)
        .to_string()
}

/// Gives `dir` (and everything in it) the protected DACL of
/// [`private_sddl`] for `owner_sid`.
pub fn make_private(dir: &Path, owner_sid: &str) -> io::Result<()> {
    let sddl = wide(&private_sddl(owner_sid));
    let mut sd: PSECURITY_DESCRIPTOR = std::ptr::null_mut();
    // SAFETY: a NUL-terminated string; sd is an out-parameter freed below.
    if unsafe {
        ConvertStringSecurityDescriptorToSecurityDescriptorW(
            sddl.as_ptr(),
            SDDL_REVISION_1,
            &mut sd,
            std::ptr::null_mut(),
        )
    } == 0
    {
        return Err(io::Error::last_os_error());
    }
    let sd = Local(sd);
    let (mut present, mut defaulted) = (0, 0);
    let mut dacl: *mut ACL = std::ptr::null_mut();
    // SAFETY: sd is a valid descriptor; the DACL pointer points into it
    // and is used only while it lives.
    if unsafe { GetSecurityDescriptorDacl(sd.0, &mut present, &mut dacl, &mut defaulted) } == 0 {
        return Err(io::Error::last_os_error());
    }
    let path = wide(&dir.to_string_lossy());
    // SAFETY: a NUL-terminated path and a DACL inside the live descriptor.
    let status = unsafe {
        SetNamedSecurityInfoW(
            path.as_ptr(),
            SE_FILE_OBJECT,
            DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            dacl,
            std::ptr::null(),
        )
    };
    if status != ERROR_SUCCESS {
        return Err(io::Error::from_raw_os_error(status as i32));
    }
    Ok(())
}

/// The DACL of `path` in SDDL (`D:...`).
pub fn dacl_sddl(path: &Path) -> io::Result<String> {
    let wpath = wide(&path.to_string_lossy());
    let mut sd: PSECURITY_DESCRIPTOR = std::ptr::null_mut();
    let mut dacl: *mut ACL = std::ptr::null_mut();
    // SAFETY: a NUL-terminated path; sd is an out-parameter freed below.
    let status = unsafe {
        GetNamedSecurityInfoW(
            wpath.as_ptr(),
            SE_FILE_OBJECT,
            DACL_SECURITY_INFORMATION,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            &mut dacl,
            std::ptr::null_mut(),
            &mut sd,
        )
    };
    if status != ERROR_SUCCESS {
        return Err(io::Error::from_raw_os_error(status as i32));
    }
    let sd = Local(sd);
    let mut text: *mut u16 = std::ptr::null_mut();
    // SAFETY: a valid descriptor; text is an out-parameter freed below.
    if unsafe {
        ConvertSecurityDescriptorToStringSecurityDescriptorW(
            sd.0,
            SDDL_REVISION_1,
            DACL_SECURITY_INFORMATION,
            &mut text,
            std::ptr::null_mut(),
        )
    } == 0
    {
        return Err(io::Error::last_os_error());
    }
    let text = Local(text.cast());
    // SAFETY: the call returned a NUL-terminated wide string.
    let s = unsafe {
        let p = text.0 as *const u16;
        let len = (0..).take_while(|&i| *p.add(i) != 0).count();
        String::from_utf16_lossy(std::slice::from_raw_parts(p, len))
    };
    Ok(s)
}

/// Memory the system allocated with `LocalAlloc`, freed on drop.
struct Local(*mut core::ffi::c_void);

impl Drop for Local {
    fn drop(&mut self) {
        if !self.0.is_null() {
            // SAFETY: allocated by the system call that returned it; freed once.
            unsafe {
                LocalFree(self.0 as HLOCAL);
            }
        }
    }
}

fn wide(s: &str) -> Vec<u16> {
    s.encode_utf16().chain(std::iter::once(0)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_protected_dacl_for_system_administrators_and_the_account_is_private() {
        let me = "S-1-5-80-1-2-3";
        assert!(is_private(&private_sddl(me), me));
        assert!(is_private(
            "D:PAI(A;OICI;FA;;;SY)(A;OICI;0x1301bf;;;S-1-5-80-1-2-3)",
            me
        ));
        assert!(
            is_private("D:P(A;OICI;FA;;;SY)(D;;FA;;;BU)", me),
            "a deny entry"
        );
        assert!(is_private("D:P(A;OICI;FA;;;SY)", "S-1-5-18"), "LocalSystem");
        assert!(
            !is_private("D:AI(A;OICI;FA;;;SY)", me),
            "inherits from the parent"
        );
        assert!(
            !is_private("D:P(A;OICI;FA;;;SY)(A;OICIID;FR;;;BU)", me),
            "Users read"
        );
        assert!(!is_private("D:P(A;;FA;;;WD)", me), "Everyone");
        assert!(
            !is_private("D:P(A;;FA;;;S-1-5-21-9-9-9-1001)", me),
            "another account"
        );
        assert!(!is_private("", me));
    }

    #[test]
    fn the_state_directory_and_what_is_in_it_get_the_private_dacl() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("output")).unwrap();
        std::fs::write(dir.path().join("output").join("r1.log"), b"x").unwrap();
        let me = super::super::caller::current().unwrap().user.sid;
        make_private(dir.path(), &me).unwrap();
        let top = dacl_sddl(dir.path()).unwrap();
        if crate::windows::under_wine() {
            // Wine maps a file's DACL to Unix mode bits and reads back one
            // made from them (SYSTEM, the user, Everyone): only the call
            // can be checked here (docs/WINDOWS.md).
            assert!(top.starts_with("D:"), "{top}");
            return;
        }
        assert!(top.starts_with("D:P"), "protected: {top}");
        assert!(top.contains(&me), "the service account keeps access: {top}");
        assert!(
            !top.contains(";;;BU)") && !top.contains(";;;WD)") && !top.contains(";;;AU)"),
            "no ACE for Users, Everyone or Authenticated Users: {top}"
        );
        let inner = dacl_sddl(&dir.path().join("output").join("r1.log")).unwrap();
        assert!(
            inner.contains(&me) && !inner.contains(";;;BU)"),
            "an existing file gets the inherited ACEs: {inner}"
        );
    }
}
