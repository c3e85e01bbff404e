//! A named-pipe client's token, kept to start its packages as it: taken
//! when the client connects (ImpersonateNamedPipeClient, OpenThreadToken,
//! RevertToSelf, DuplicateTokenEx to a primary token) and owned by a
//! [`PrimaryToken`] that closes the handle when the last user of the
//! connection's peer lets it go.

use super::caller::{self, Caller};
use std::fmt;
use std::io;
use std::os::windows::io::{AsRawHandle, FromRawHandle, OwnedHandle, RawHandle};
use windows_sys::Win32::Foundation::{DUPLICATE_SAME_ACCESS, DuplicateHandle, HANDLE};
use windows_sys::Win32::Security::{
    DuplicateTokenEx, GetTokenInformation, RevertToSelf, SecurityImpersonation,
    TOKEN_ADJUST_DEFAULT, TOKEN_ADJUST_SESSIONID, TOKEN_ASSIGN_PRIMARY, TOKEN_DUPLICATE,
    TOKEN_IMPERSONATE, TOKEN_QUERY, TOKEN_TYPE, TokenPrimary, TokenType,
};
use windows_sys::Win32::System::Pipes::ImpersonateNamedPipeClient;
use windows_sys::Win32::System::Threading::{GetCurrentProcess, GetCurrentThread, OpenThreadToken};

/// A failed Win32 call: which one, and the system's error.
#[derive(Debug)]
pub struct Win32Error {
    /// The function that failed, e.g. `DuplicateTokenEx`.
    pub call: &'static str,
    /// The error it set (GetLastError).
    pub error: io::Error,
}

impl Win32Error {
    /// The last error of this thread, as set by `call`.
    pub fn last(call: &'static str) -> Win32Error {
        Win32Error {
            call,
            error: io::Error::last_os_error(),
        }
    }

    /// The Win32 error code.
    pub fn code(&self) -> Option<u32> {
        self.error.raw_os_error().map(|c| c as u32)
    }
}

impl fmt::Display for Win32Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} failed: {}", self.call, self.error)
    }
}

impl std::error::Error for Win32Error {}

impl From<Win32Error> for io::Error {
    fn from(e: Win32Error) -> io::Error {
        io::Error::new(e.error.kind(), e.to_string())
    }
}

/// A primary access token (what CreateProcessAsUserW takes) and the
/// account it belongs to. The handle is closed when this is dropped; it is
/// only lent out (`as_raw`) for calls that do not keep it.
#[derive(Debug)]
pub struct PrimaryToken {
    handle: OwnedHandle,
    /// The account (`DOMAIN\name`) and its SID.
    pub user: caller::Principal,
}

/// Two values are the same token when they hold the same open handle
/// (two live values never do), so a peer compares equal to its clones.
impl PartialEq for PrimaryToken {
    fn eq(&self, other: &Self) -> bool {
        self.as_raw() == other.as_raw()
    }
}

impl Eq for PrimaryToken {}

/// The rights the primary token is made with: what CreateProcessAsUserW
/// (query, duplicate, assign primary, adjust session), and
/// CreateEnvironmentBlock (query, impersonate, duplicate) need.
const PRIMARY_ACCESS: u32 = TOKEN_QUERY
    | TOKEN_DUPLICATE
    | TOKEN_ASSIGN_PRIMARY
    | TOKEN_IMPERSONATE
    | TOKEN_ADJUST_DEFAULT
    | TOKEN_ADJUST_SESSIONID;

impl PrimaryToken {
    /// Takes ownership of `handle`, a primary token of `user`.
    ///
    /// # Safety
    /// `handle` is an open token handle owned by nobody else.
    pub unsafe fn from_raw(handle: HANDLE, user: caller::Principal) -> PrimaryToken {
        PrimaryToken {
            // SAFETY: the caller hands over sole ownership of an open handle.
            handle: unsafe { OwnedHandle::from_raw_handle(handle as RawHandle) },
            user,
        }
    }

    /// The handle, for a call that uses it without keeping it.
    pub fn as_raw(&self) -> HANDLE {
        self.handle.as_raw_handle() as HANDLE
    }

    /// A primary token copied from `token`, with its account looked up.
    ///
    /// # Safety
    /// `token` is an open token handle (TOKEN_DUPLICATE and TOKEN_QUERY)
    /// for the whole call.
    pub unsafe fn duplicate_of(token: HANDLE) -> Result<PrimaryToken, Win32Error> {
        let user = caller::user_of_token(token).map_err(|error| Win32Error {
            call: "GetTokenInformation(TokenUser)",
            error,
        })?;
        let mut primary: HANDLE = std::ptr::null_mut();
        // SAFETY: token is open with TOKEN_DUPLICATE; primary is an
        // out-parameter owned right below when the call succeeds.
        let ok = unsafe {
            DuplicateTokenEx(
                token,
                PRIMARY_ACCESS,
                std::ptr::null(),
                SecurityImpersonation,
                TokenPrimary,
                &mut primary,
            )
        };
        if ok == 0 {
            return Err(Win32Error::last("DuplicateTokenEx"));
        }
        // SAFETY: DuplicateTokenEx made a new handle that nothing else owns.
        Ok(unsafe { PrimaryToken::from_raw(primary, user) })
    }

    /// Copies the handle into `process`, not inheritable: the value the
    /// token has there. That process then owns the copy.
    ///
    /// # Safety
    /// `process` is a valid process handle with PROCESS_DUP_HANDLE (e.g. a
    /// child this process started) for the whole call.
    pub unsafe fn duplicate_into(&self, process: HANDLE) -> Result<u64, Win32Error> {
        let mut there: HANDLE = std::ptr::null_mut();
        // SAFETY: both process handles are valid (the pseudo-handle of this
        // process and the caller's); the token handle is open; `there` is
        // an out-parameter, a value in the other process.
        let ok = unsafe {
            DuplicateHandle(
                GetCurrentProcess(),
                self.as_raw(),
                process,
                &mut there,
                0,
                0,
                DUPLICATE_SAME_ACCESS,
            )
        };
        if ok == 0 {
            return Err(Win32Error::last("DuplicateHandle"));
        }
        Ok(there as usize as u64)
    }

    /// Takes ownership of a token handle `value` that the service copied
    /// into this process ([`duplicate_into`](Self::duplicate_into)),
    /// after checking that it is a primary token.
    ///
    /// # Safety
    /// `value` was duplicated into this process for this one use and is
    /// owned by nothing else here.
    pub unsafe fn adopt(value: u64) -> Result<PrimaryToken, Win32Error> {
        let handle = value as usize as HANDLE;
        let mut kind: TOKEN_TYPE = 0;
        let mut len = 0u32;
        // SAFETY: a size-checked query into a local.
        let ok = unsafe {
            GetTokenInformation(
                handle,
                TokenType,
                (&raw mut kind).cast(),
                std::mem::size_of::<TOKEN_TYPE>() as u32,
                &mut len,
            )
        };
        if ok == 0 {
            return Err(Win32Error::last("GetTokenInformation(TokenType)"));
        }
        if kind != TokenPrimary {
            return Err(Win32Error {
                call: "GetTokenInformation(TokenType)",
                error: io::Error::new(io::ErrorKind::InvalidInput, "not a primary token"),
            });
        }
        // SAFETY: the caller guarantees sole ownership; it is a token.
        let handle = unsafe { OwnedHandle::from_raw_handle(handle as RawHandle) };
        let user = caller::user_of_token(handle.as_raw_handle() as HANDLE).map_err(|error| {
            Win32Error {
                call: "GetTokenInformation(TokenUser)",
                error,
            }
        })?;
        Ok(PrimaryToken { handle, user })
    }
}

/// Reverts this thread to the process's own token when dropped, so an
/// impersonation ends on every path out (errors included).
struct Reverter;

impl Drop for Reverter {
    fn drop(&mut self) {
        // SAFETY: no arguments; ends this thread's impersonation.
        if unsafe { RevertToSelf() } == 0 {
            // A thread that stays the client would serve everyone else
            // with the client's rights: stopping is the only sound answer.
            eprintln!(
                "ssis-service: RevertToSelf failed ({}); stopping",
                io::Error::last_os_error()
            );
            std::process::abort();
        }
    }
}

/// What a pipe client's connection tells: who it is and, when the client
/// lets the service act as it, its primary token.
pub struct Captured {
    /// The caller.
    pub caller: Caller,
    /// Its primary token, or why there is none.
    pub token: Result<PrimaryToken, Win32Error>,
}

/// Impersonates the client of `pipe` just long enough to open its token
/// (TOKEN_DUPLICATE | TOKEN_QUERY | TOKEN_ASSIGN_PRIMARY) and reverts
/// (always, also on error), then reads who it is and makes the primary
/// token from it.
///
/// # Safety
/// `pipe` is a valid, connected server end of a named pipe. No `.await`
/// may happen while this runs (it does not return to the caller between
/// impersonating and reverting).
pub unsafe fn capture(pipe: HANDLE) -> Result<Captured, Win32Error> {
    let mut token: HANDLE = std::ptr::null_mut();
    {
        // SAFETY: a valid connected pipe (the caller's promise).
        if unsafe { ImpersonateNamedPipeClient(pipe) } == 0 {
            return Err(Win32Error::last("ImpersonateNamedPipeClient"));
        }
        let _revert = Reverter;
        // SAFETY: the pseudo-handle of this thread; token is an
        // out-parameter. OpenAsSelf: the access check is made against the
        // service's own token, not the client's.
        let ok = unsafe {
            OpenThreadToken(
                GetCurrentThread(),
                TOKEN_DUPLICATE | TOKEN_QUERY | TOKEN_ASSIGN_PRIMARY,
                1,
                &mut token,
            )
        };
        if ok == 0 {
            return Err(Win32Error::last("OpenThreadToken"));
        }
    }
    // SAFETY: OpenThreadToken gave a new handle nobody else owns.
    let impersonation = unsafe { OwnedHandle::from_raw_handle(token as RawHandle) };
    let raw = impersonation.as_raw_handle() as HANDLE;
    let caller = caller::of_token(raw).map_err(|error| Win32Error {
        call: "GetTokenInformation",
        error,
    })?;
    // SAFETY: `impersonation` is open with TOKEN_DUPLICATE | TOKEN_QUERY
    // and lives across the call.
    let token = unsafe { PrimaryToken::duplicate_of(raw) };
    Ok(Captured { caller, token })
}

/// A primary token of this process's own account (for tests).
#[cfg(test)]
pub(crate) fn own_primary_token() -> PrimaryToken {
    use windows_sys::Win32::System::Threading::OpenProcessToken;
    let mut raw: HANDLE = std::ptr::null_mut();
    // SAFETY: pseudo-handle of this process; raw is owned right below.
    let ok =
        unsafe { OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY | TOKEN_DUPLICATE, &mut raw) };
    assert_ne!(ok, 0, "{}", io::Error::last_os_error());
    // SAFETY: a fresh handle.
    let source = unsafe { OwnedHandle::from_raw_handle(raw as RawHandle) };
    // SAFETY: `source` is open with TOKEN_DUPLICATE | TOKEN_QUERY.
    unsafe { PrimaryToken::duplicate_of(source.as_raw_handle() as HANDLE) }.unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;
    use windows_sys::Win32::Foundation::GetHandleInformation;
    use windows_sys::Win32::System::Threading::OpenProcessToken;

    fn own_token() -> OwnedHandle {
        let mut token: HANDLE = std::ptr::null_mut();
        // SAFETY: pseudo-handle of this process; token is an out-parameter.
        let ok = unsafe {
            OpenProcessToken(
                GetCurrentProcess(),
                TOKEN_QUERY | TOKEN_DUPLICATE,
                &mut token,
            )
        };
        assert_ne!(ok, 0, "{}", io::Error::last_os_error());
        // SAFETY: a fresh handle.
        unsafe { OwnedHandle::from_raw_handle(token as RawHandle) }
    }

    fn is_open(h: HANDLE) -> bool {
        let mut flags = 0u32;
        // SAFETY: only asks about the handle value.
        unsafe { GetHandleInformation(h, &mut flags) != 0 }
    }

    #[test]
    fn a_primary_token_names_its_account_and_closes_when_dropped() {
        let source = own_token();
        // SAFETY: `source` is open with TOKEN_DUPLICATE | TOKEN_QUERY.
        let token =
            unsafe { PrimaryToken::duplicate_of(source.as_raw_handle() as HANDLE) }.unwrap();
        let me = caller::current().unwrap();
        assert_eq!(token.user, me.user);
        let raw = token.as_raw();
        assert!(is_open(raw));
        // Copied into this same process (as the service does into a
        // supervisor) and adopted there: a second owner of its own copy.
        // SAFETY: the pseudo-handle of this process (all access).
        let copy = unsafe { token.duplicate_into(GetCurrentProcess()) }.unwrap();
        // SAFETY: the copy was made for this one use.
        let adopted = unsafe { PrimaryToken::adopt(copy) }.unwrap();
        assert_eq!(adopted.user, me.user);
        assert_ne!(adopted, token, "two handles, two owners");
        let copy_raw = adopted.as_raw();
        drop(token);
        assert!(!is_open(raw), "the handle is closed on drop");
        assert!(is_open(copy_raw), "the copy lives on");
        drop(adopted);
        assert!(!is_open(copy_raw));
    }

    #[test]
    fn errors_name_the_call_that_failed() {
        // Not a pipe: impersonation fails, and nothing is left impersonated.
        let source = own_token();
        // SAFETY: a valid handle that is not a pipe.
        let e = unsafe { capture(source.as_raw_handle() as HANDLE) }
            .err()
            .expect("a token is no pipe");
        assert!(
            e.to_string()
                .starts_with("ImpersonateNamedPipeClient failed: "),
            "{e}"
        );
        // A handle opened without TOKEN_DUPLICATE cannot be made primary.
        let mut query_only: HANDLE = std::ptr::null_mut();
        // SAFETY: pseudo-handle of this process; out-parameter owned below.
        let ok = unsafe { OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &mut query_only) };
        assert_ne!(ok, 0);
        // SAFETY: a fresh handle.
        let query_only = unsafe { OwnedHandle::from_raw_handle(query_only as RawHandle) };
        // SAFETY: an open token handle (without TOKEN_DUPLICATE: the call fails).
        let e = unsafe { PrimaryToken::duplicate_of(query_only.as_raw_handle() as HANDLE) }
            .unwrap_err();
        assert!(
            e.to_string().starts_with("DuplicateTokenEx failed: "),
            "{e}"
        );
        // A value that is no handle is not adopted (nor closed).
        // SAFETY: the value is checked before it is owned; the check fails.
        let e = unsafe { PrimaryToken::adopt(0x7fff_fff0_0000) }.unwrap_err();
        assert!(
            e.to_string()
                .starts_with("GetTokenInformation(TokenType) failed: "),
            "{e}"
        );
    }

    /// A real pipe: the client's token is taken (this process's account,
    /// the client being this process), and the thread is itself again.
    #[test]
    fn a_pipe_clients_token_is_captured_and_the_thread_reverts() {
        use std::os::windows::io::AsRawHandle;
        let name = format!(r"\\.\pipe\ssis-token-test-{}", std::process::id());
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let server = tokio::net::windows::named_pipe::ServerOptions::new()
                .first_pipe_instance(true)
                .create(&name)
                .unwrap();
            let _client = tokio::net::windows::named_pipe::ClientOptions::new()
                .open(&name)
                .unwrap();
            server.connect().await.unwrap();
            // SAFETY: a connected server end; no await until it returns.
            let captured = unsafe { capture(server.as_raw_handle() as HANDLE) }.unwrap();
            let me = caller::current().unwrap();
            assert_eq!(captured.caller.user, me.user);
            let token = captured.token.unwrap();
            assert_eq!(token.user, me.user);
            let mut thread: HANDLE = std::ptr::null_mut();
            // SAFETY: pseudo-handle; out-parameter (set only on success).
            let impersonating = unsafe {
                windows_sys::Win32::System::Threading::OpenThreadToken(
                    GetCurrentThread(),
                    TOKEN_QUERY,
                    1,
                    &mut thread,
                )
            } != 0;
            assert!(!impersonating, "the thread reverted to the service");
        });
    }
}
