//! Who is on the other end of the named pipe: the client's access token
//! (taken by [`token::capture`], else the client process's token) gives the
//! account (`DOMAIN\user`), its SID and its enabled groups. Administrators
//! (BUILTIN\Administrators, S-1-5-32-544) and the service's own account
//! hold every right.

use std::io;
use std::sync::Arc;

/// Group attributes (winnt.h).
const SE_GROUP_ENABLED: u32 = 0x4;
const SE_GROUP_USE_FOR_DENY_ONLY: u32 = 0x10;
const SE_GROUP_LOGON_ID: u32 = 0xC000_0000;
use super::token::{self, PrimaryToken};
use windows_sys::Win32::Foundation::{CloseHandle, HANDLE, HLOCAL, LocalFree};
use windows_sys::Win32::Security::Authorization::ConvertSidToStringSidW;
use windows_sys::Win32::Security::{
    GetTokenInformation, LookupAccountSidW, PSID, SID_NAME_USE, TOKEN_GROUPS, TOKEN_QUERY,
    TOKEN_USER, TokenGroups, TokenUser,
};
use windows_sys::Win32::System::Pipes::GetNamedPipeClientProcessId;
use windows_sys::Win32::System::Threading::{
    GetCurrentProcess, OpenProcess, OpenProcessToken, PROCESS_QUERY_LIMITED_INFORMATION,
};

/// The SID of BUILTIN\Administrators.
pub const ADMINISTRATORS_SID: &str = "S-1-5-32-544";

/// An account or group: its name (`DOMAIN\name`, or the SID when it has
/// none) and its SID string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// `DOMAIN\name`.
    pub name: String,
    /// `S-1-...`.
    pub sid: String,
}

/// A Windows caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The account.
    pub user: Principal,
    /// Enabled groups (deny-only and logon-session groups left out).
    pub groups: Vec<Principal>,
    /// Client process id.
    pub process_id: Option<u32>,
    /// Its primary token, when it connected over the pipe and let the
    /// service act as it: packages it starts run with this token.
    pub token: Option<Arc<PrimaryToken>>,
}

impl Caller {
    /// Whether the caller holds every right: a member of Administrators
    /// (enabled, so an elevated token under UAC) or the service's account.
    pub fn is_superuser(&self, service_sid: Option<&str>) -> bool {
        self.groups.iter().any(|g| g.sid == ADMINISTRATORS_SID)
            || service_sid.is_some_and(|s| s.eq_ignore_ascii_case(&self.user.sid))
    }

    /// Whether a grant's principal (`DOMAIN\name`, `name`, or a SID) names
    /// this caller or one of its groups. Names compare case-insensitively;
    /// a bare name matches any domain.
    pub fn matches(&self, principal: &str) -> bool {
        let p = principal.trim();
        std::iter::once(&self.user)
            .chain(&self.groups)
            .any(|x| principal_matches(x, p))
    }
}

fn principal_matches(x: &Principal, p: &str) -> bool {
    if p.len() > 2 && p[..2].eq_ignore_ascii_case("S-") {
        return x.sid.eq_ignore_ascii_case(p);
    }
    if x.name.eq_ignore_ascii_case(p) {
        return true;
    }
    !p.contains('\\')
        && x.name
            .rsplit_once('\\')
            .is_some_and(|(_, n)| n.eq_ignore_ascii_case(p))
}

/// The caller on a connected pipe `pipe` (server end), with its primary
/// token when the client lets the service act as it ([`token::capture`]);
/// without impersonation, the client process's token still says who it is.
///
/// # Safety
/// `pipe` is a valid, connected server pipe handle; no `.await` happens
/// while this runs.
pub unsafe fn of_pipe(pipe: HANDLE) -> io::Result<Caller> {
    let mut pid = 0u32;
    // SAFETY: valid pipe handle; pid is an out-parameter.
    let process_id = (unsafe { GetNamedPipeClientProcessId(pipe, &mut pid) } != 0).then_some(pid);
    // SAFETY: the caller's promises.
    let (mut caller, token) = match unsafe { token::capture(pipe) } {
        Ok(captured) => (captured.caller, captured.token),
        Err(e) => {
            let Some(pid) = process_id else {
                return Err(e.into());
            };
            (of_token(process_token(pid)?.0)?, Err(e))
        }
    };
    caller.process_id = process_id;
    match token {
        Ok(token) => caller.token = Some(Arc::new(token)),
        Err(e) => eprintln!(
            "ssis-service: {} connected, but the service cannot act as them ({e}); packages \
             they start are refused",
            caller.user.name
        ),
    }
    Ok(caller)
}

/// The account this process runs as (the service account).
pub fn current() -> io::Result<Caller> {
    let mut token: HANDLE = std::ptr::null_mut();
    // SAFETY: pseudo-handle of this process; token is an out-parameter.
    if unsafe { OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &mut token) } == 0 {
        return Err(io::Error::last_os_error());
    }
    let token = Token(token);
    let mut caller = of_token(token.0)?;
    caller.process_id = Some(std::process::id());
    Ok(caller)
}

struct Token(HANDLE);

impl Drop for Token {
    fn drop(&mut self) {
        // SAFETY: the handle is ours.
        unsafe {
            CloseHandle(self.0);
        }
    }
}

fn process_token(pid: u32) -> io::Result<Token> {
    // SAFETY: handles checked and closed.
    unsafe {
        let process = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid);
        if process.is_null() {
            return Err(io::Error::last_os_error());
        }
        let process = Token(process);
        let mut token: HANDLE = std::ptr::null_mut();
        if OpenProcessToken(process.0, TOKEN_QUERY, &mut token) == 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(Token(token))
    }
}

/// A token information block, in a buffer aligned for its struct.
fn token_info(token: HANDLE, class: i32) -> io::Result<Vec<u64>> {
    let mut needed = 0u32;
    // SAFETY: size query with a null buffer.
    unsafe { GetTokenInformation(token, class, std::ptr::null_mut(), 0, &mut needed) };
    if needed == 0 {
        return Err(io::Error::last_os_error());
    }
    let mut buf = vec![0u64; (needed as usize).div_ceil(8)];
    // SAFETY: buf holds `needed` bytes.
    if unsafe { GetTokenInformation(token, class, buf.as_mut_ptr().cast(), needed, &mut needed) }
        == 0
    {
        return Err(io::Error::last_os_error());
    }
    Ok(buf)
}

/// The account a token (opened with TOKEN_QUERY) belongs to.
pub fn user_of_token(token: HANDLE) -> io::Result<Principal> {
    let user_buf = token_info(token, TokenUser)?;
    // SAFETY: the buffer holds a TOKEN_USER whose SID points into it.
    let user_sid = unsafe { (*(user_buf.as_ptr() as *const TOKEN_USER)).User.Sid };
    principal(user_sid)
}

/// Who a token (opened with TOKEN_QUERY) says its holder is.
pub fn of_token(token: HANDLE) -> io::Result<Caller> {
    let user = user_of_token(token)?;
    let groups_buf = token_info(token, TokenGroups)?;
    // SAFETY: the buffer holds a TOKEN_GROUPS with GroupCount entries.
    let groups = unsafe {
        let tg = &*(groups_buf.as_ptr() as *const TOKEN_GROUPS);
        std::slice::from_raw_parts(tg.Groups.as_ptr(), tg.GroupCount as usize)
    };
    let groups = groups
        .iter()
        .filter(|g| {
            let a = g.Attributes;
            a & SE_GROUP_ENABLED != 0
                && a & SE_GROUP_USE_FOR_DENY_ONLY == 0
                && a & SE_GROUP_LOGON_ID != SE_GROUP_LOGON_ID
        })
        .filter_map(|g| principal(g.Sid).ok())
        .collect();
    Ok(Caller {
        user,
        groups,
        process_id: None,
        token: None,
    })
}

/// The name and SID string of `sid`; the name is the SID when it cannot
/// be looked up.
fn principal(sid: PSID) -> io::Result<Principal> {
    let sid_text = sid_string(sid)?;
    let name = account_name(sid).unwrap_or_else(|| sid_text.clone());
    Ok(Principal {
        name,
        sid: sid_text,
    })
}

fn sid_string(sid: PSID) -> io::Result<String> {
    let mut text: *mut u16 = std::ptr::null_mut();
    // SAFETY: sid is valid; text is freed with LocalFree.
    unsafe {
        if ConvertSidToStringSidW(sid, &mut text) == 0 {
            return Err(io::Error::last_os_error());
        }
        let s = wide_to_string(text);
        LocalFree(text as HLOCAL);
        Ok(s)
    }
}

fn account_name(sid: PSID) -> Option<String> {
    let (mut name, mut domain) = (vec![0u16; 256], vec![0u16; 256]);
    let (mut n, mut d) = (name.len() as u32, domain.len() as u32);
    let mut use_: SID_NAME_USE = 0;
    // SAFETY: both buffers hold the sizes given.
    let ok = unsafe {
        LookupAccountSidW(
            std::ptr::null(),
            sid,
            name.as_mut_ptr(),
            &mut n,
            domain.as_mut_ptr(),
            &mut d,
            &mut use_,
        )
    };
    if ok == 0 {
        return None;
    }
    let name = String::from_utf16_lossy(&name[..n as usize]);
    let domain = String::from_utf16_lossy(&domain[..d as usize]);
    Some(if domain.is_empty() {
        name
    } else {
        format!("{domain}\\{name}")
    })
}

/// # Safety
/// `p` is a NUL-terminated UTF-16 string.
unsafe fn wide_to_string(p: *const u16) -> String {
    let mut len = 0;
    // SAFETY: reads up to the terminating NUL.
    while unsafe { *p.add(len) } != 0 {
        len += 1;
    }
    // SAFETY: len elements were just read.
    String::from_utf16_lossy(unsafe { std::slice::from_raw_parts(p, len) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(name: &str, sid: &str) -> Principal {
        Principal {
            name: name.into(),
            sid: sid.into(),
        }
    }

    #[test]
    fn grants_match_names_bare_names_and_sids() {
        let c = Caller {
            user: p("CORP\\alice", "S-1-5-21-1-2-3-1001"),
            groups: vec![p("CORP\\ETL Operators", "S-1-5-21-1-2-3-2001")],
            process_id: None,
            token: None,
        };
        assert!(c.matches("corp\\ALICE"));
        assert!(c.matches("alice"));
        assert!(c.matches("s-1-5-21-1-2-3-1001"));
        assert!(c.matches("CORP\\etl operators"));
        assert!(!c.matches("OTHER\\alice"));
        assert!(!c.matches("bob"));
        assert!(!c.matches("S-1-5-32-544"));
        assert!(!c.is_superuser(None));
        assert!(
            c.is_superuser(Some("S-1-5-21-1-2-3-1001")),
            "the service account"
        );
        let mut admin = c.clone();
        admin
            .groups
            .push(p("BUILTIN\\Administrators", ADMINISTRATORS_SID));
        assert!(admin.is_superuser(None));
    }

    #[test]
    fn this_process_has_an_account_with_a_sid() {
        let me = current().unwrap();
        assert!(me.user.sid.starts_with("S-1-"), "{:?}", me.user);
        assert!(!me.user.name.is_empty());
        assert_eq!(me.process_id, Some(std::process::id()));
    }
}
