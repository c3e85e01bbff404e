//! What a process started as another account gets: that account's own
//! environment (CreateEnvironmentBlock, not the service's), a command line
//! quoted the way programs split it again (CommandLineToArgvW's rules),
//! and the privileges the starting process enables first.

use super::token::{PrimaryToken, Win32Error};
use windows_sys::Win32::Foundation::{CloseHandle, HANDLE, LUID};
use windows_sys::Win32::Security::{
    AdjustTokenPrivileges, GetTokenInformation, LUID_AND_ATTRIBUTES, LookupPrivilegeValueW,
    SE_ASSIGNPRIMARYTOKEN_NAME, SE_INCREASE_QUOTA_NAME, SE_PRIVILEGE_ENABLED, SE_TCB_NAME,
    SetTokenInformation, TOKEN_ADJUST_PRIVILEGES, TOKEN_PRIVILEGES, TOKEN_QUERY, TokenSessionId,
};
use windows_sys::Win32::System::Environment::{CreateEnvironmentBlock, DestroyEnvironmentBlock};
use windows_sys::Win32::System::Threading::{GetCurrentProcess, OpenProcessToken};

/// `s` as a NUL-terminated UTF-16 string.
pub fn wide(s: &str) -> Vec<u16> {
    s.encode_utf16().chain(Some(0)).collect()
}

/// An account's environment: `NAME=value` entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environment(Vec<String>);

impl Environment {
    /// The environment of `token`'s account (CreateEnvironmentBlock without
    /// this process's own variables).
    pub fn of(token: &PrimaryToken) -> Result<Environment, Win32Error> {
        let mut block: *mut core::ffi::c_void = std::ptr::null_mut();
        // SAFETY: the token is open with TOKEN_QUERY | TOKEN_DUPLICATE |
        // TOKEN_IMPERSONATE; block is an out-parameter freed below.
        if unsafe { CreateEnvironmentBlock(&mut block, token.as_raw(), 0) } == 0 {
            return Err(Win32Error::last("CreateEnvironmentBlock"));
        }
        let mut entries = Vec::new();
        let mut p = block as *const u16;
        // SAFETY: the block is a sequence of NUL-terminated UTF-16 strings
        // ending with an empty one; each read stays inside it.
        unsafe {
            loop {
                let mut len = 0;
                while *p.add(len) != 0 {
                    len += 1;
                }
                if len == 0 {
                    break;
                }
                entries.push(String::from_utf16_lossy(std::slice::from_raw_parts(p, len)));
                p = p.add(len + 1);
            }
            DestroyEnvironmentBlock(block);
        }
        Ok(Environment(entries))
    }

    /// The value of `name` (names compare case-insensitively).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find_map(|e| {
            let (k, v) = e.split_once('=')?;
            (!k.is_empty() && k.eq_ignore_ascii_case(name)).then_some(v)
        })
    }

    /// A UTF-16 environment block (CREATE_UNICODE_ENVIRONMENT) of these
    /// entries with `extra` set (replacing entries of the same names).
    pub fn with(&self, extra: &[(&str, &str)]) -> Vec<u16> {
        let mut block = Vec::new();
        let replaced = |e: &str| {
            e.split_once('=')
                .is_some_and(|(k, _)| extra.iter().any(|(n, _)| n.eq_ignore_ascii_case(k)))
        };
        let kept = self.0.iter().filter(|e| !replaced(e)).cloned();
        for entry in kept.chain(extra.iter().map(|(k, v)| format!("{k}={v}"))) {
            block.extend(entry.encode_utf16());
            block.push(0);
        }
        if block.is_empty() {
            block.push(0);
        }
        block.push(0);
        block
    }
}

/// One command line from `args` (program first), each quoted so that
/// CommandLineToArgvW (and the C runtime) gives it back unchanged.
pub fn command_line(args: &[String]) -> String {
    args.iter().map(|a| quote(a)).collect::<Vec<_>>().join(" ")
}

fn quote(arg: &str) -> String {
    if !arg.is_empty() && !arg.contains([' ', '\t', '\n', '\u{b}', '"']) {
        return arg.to_string();
    }
    let mut out = String::from('"');
    let mut backslashes = 0;
    for c in arg.chars() {
        match c {
            '\\' => {
                backslashes += 1;
                continue;
            }
            // Backslashes before a quote are doubled, and the quote escaped.
            '"' => out.push_str(&"\\".repeat(backslashes * 2 + 1)),
            _ => out.push_str(&"\\".repeat(backslashes)),
        }
        out.push(c);
        backslashes = 0;
    }
    // Before the closing quote, backslashes are doubled.
    out.push_str(&"\\".repeat(backslashes * 2));
    out.push('"');
    out
}

/// Puts `token` in this process's session (the service's, session 0 for a
/// Windows service), so the executor shares the supervisor's console (a
/// stop's CTRL_BREAK reaches it) rather than starting in the caller's
/// interactive session. Needs SeTcbPrivilege (LocalSystem holds it); where
/// the service lacks it the token keeps the caller's session, and a stop
/// still ends the executor through the Job Object.
pub fn join_own_session(token: &PrimaryToken) {
    let Some(own) = OwnToken::open(TOKEN_QUERY) else {
        return;
    };
    let (mut session, mut len) = (0u32, 0u32);
    // SAFETY: a u32-sized query into a local.
    let ok = unsafe {
        GetTokenInformation(
            own.0,
            TokenSessionId,
            (&raw mut session).cast(),
            std::mem::size_of::<u32>() as u32,
            &mut len,
        )
    };
    if ok == 0 {
        return;
    }
    // SAFETY: the token is open with TOKEN_ADJUST_SESSIONID; the value is a
    // u32 as TokenSessionId takes. A refusal leaves the token unchanged.
    unsafe {
        SetTokenInformation(
            token.as_raw(),
            TokenSessionId,
            (&raw const session).cast(),
            std::mem::size_of::<u32>() as u32,
        )
    };
}

/// Enables SeAssignPrimaryTokenPrivilege, SeIncreaseQuotaPrivilege and
/// SeTcbPrivilege in this process's token where it holds them (LocalSystem
/// holds all three, the first two disabled). Where the first two are
/// missing, CreateProcessAsUserW says so itself.
pub fn enable_privileges() {
    let Some(token) = OwnToken::open(TOKEN_ADJUST_PRIVILEGES | TOKEN_QUERY) else {
        return;
    };
    for name in [
        SE_ASSIGNPRIMARYTOKEN_NAME,
        SE_INCREASE_QUOTA_NAME,
        SE_TCB_NAME,
    ] {
        let mut luid = LUID {
            LowPart: 0,
            HighPart: 0,
        };
        // SAFETY: name is a NUL-terminated constant; luid an out-parameter.
        if unsafe { LookupPrivilegeValueW(std::ptr::null(), name, &mut luid) } == 0 {
            continue;
        }
        let privileges = TOKEN_PRIVILEGES {
            PrivilegeCount: 1,
            Privileges: [LUID_AND_ATTRIBUTES {
                Luid: luid,
                Attributes: SE_PRIVILEGE_ENABLED,
            }],
        };
        // SAFETY: the token is open with TOKEN_ADJUST_PRIVILEGES; the new
        // state is a complete one-entry TOKEN_PRIVILEGES. A privilege not
        // held is left out (ERROR_NOT_ALL_ASSIGNED), which is fine here.
        unsafe {
            AdjustTokenPrivileges(
                token.0,
                0,
                &privileges,
                0,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
            )
        };
    }
}

/// This process's own token, closed on drop.
struct OwnToken(HANDLE);

impl OwnToken {
    fn open(access: u32) -> Option<OwnToken> {
        let mut token: HANDLE = std::ptr::null_mut();
        // SAFETY: pseudo-handle of this process; token is an out-parameter.
        let ok = unsafe { OpenProcessToken(GetCurrentProcess(), access, &mut token) };
        (ok != 0).then_some(OwnToken(token))
    }
}

impl Drop for OwnToken {
    fn drop(&mut self) {
        // SAFETY: the handle is ours, closed once.
        unsafe { CloseHandle(self.0) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_are_quoted_so_they_split_back_unchanged() {
        let args: Vec<String> = [
            r"C:\Program Files\ssis\ssis.exe",
            "exec",
            "/SET",
            r"\Package.Variables[User::N].Properties[Value];a b",
            "",
            r#"say "hi""#,
            r"C:\dir with space\",
            r"a\\b",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            command_line(&args),
            r#""C:\Program Files\ssis\ssis.exe" exec /SET "\Package.Variables[User::N].Properties[Value];a b" "" "say \"hi\"" "C:\dir with space\\" a\\b"#
        );
    }

    #[test]
    fn an_environment_block_sets_extra_variables_over_the_accounts() {
        let env = Environment(vec![
            "=C:=C:\\".into(),
            "Path=C:\\Windows".into(),
            "SSIS_EXECUTION_ID=old".into(),
        ]);
        assert_eq!(env.get("PATH"), Some("C:\\Windows"));
        assert_eq!(env.get("C:"), None, "hidden drive entries are no variables");
        let block = env.with(&[("ssis_execution_id", "new")]);
        let text = String::from_utf16(&block).unwrap();
        assert_eq!(
            text,
            "=C:=C:\\\0Path=C:\\Windows\0ssis_execution_id=new\0\0"
        );
        assert_eq!(Environment(Vec::new()).with(&[]), vec![0, 0]);
    }
}
