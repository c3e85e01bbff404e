//! Packages run with the named-pipe client's token, as the SSIS catalog's
//! ISServerExec runs each execution under the calling Windows account.
//!
//! In the service ([`for_caller`], [`hand_over`]): a pipe caller other than
//! the service's own account runs as itself — the primary token taken when
//! it connected goes with the run, copied (not inheritable) into the
//! supervisor that takes the job. Administrators are no exception: their
//! packages run with their own (elevated) token, never as the service. A
//! caller without a token (a network caller: its account would need a
//! password, LogonUser; a pipe client that allowed identification only) is
//! refused, and so is a `RunAs` proxy grant (it would need the account's
//! password too).
//!
//! In the supervisor ([`spawn`]), which stays the service's so the output
//! log and exit file in the private state folder need no new rights: the
//! executor is started with CreateProcessAsUserW, the caller's environment
//! (CreateEnvironmentBlock) and profile folder, and only its three standard
//! handles inherited. The supervisor's Job Object and console process
//! group take the executor in, so stops work as for any run. Without
//! SeAssignPrimaryTokenPrivilege and SeIncreaseQuotaPrivilege (LocalSystem
//! holds both) the start fails, saying so; the executor is never started
//! as the service instead.

use super::caller;
use super::token::{PrimaryToken, Win32Error};
use super::userenv;
use crate::identity::Peer;
use crate::runas::{RunAs, proxy_of};
use ssis_core::config::Grant;
use ssis_core::error::{Error, ErrorKind, Result};
use std::io;
use std::os::windows::io::{AsRawHandle, FromRawHandle, OwnedHandle, RawHandle};
use std::sync::OnceLock;
use windows_sys::Win32::Foundation::{
    DUPLICATE_SAME_ACCESS, DuplicateHandle, ERROR_PRIVILEGE_NOT_HELD, HANDLE, WAIT_OBJECT_0,
};
use windows_sys::Win32::System::Threading::{
    CREATE_UNICODE_ENVIRONMENT, CreateProcessAsUserW, DeleteProcThreadAttributeList,
    EXTENDED_STARTUPINFO_PRESENT, GetCurrentProcess, GetExitCodeProcess, INFINITE,
    InitializeProcThreadAttributeList, LPPROC_THREAD_ATTRIBUTE_LIST,
    PROC_THREAD_ATTRIBUTE_HANDLE_LIST, PROCESS_INFORMATION, STARTF_USESTDHANDLES, STARTUPINFOEXW,
    UpdateProcThreadAttribute, WaitForSingleObject,
};

/// Set (to anything) in the service's environment: the service's own
/// account also runs its packages with its pipe token, the way every other
/// caller does. Never more power than the caller has; it lets a machine
/// with one account (Wine) show the path other accounts take.
pub const TOKEN_FOR_OWN_ACCOUNT: &str = "SSIS_SERVICE_TOKEN_FOR_OWN_ACCOUNT";

/// Whom `peer`'s package runs as on Windows: `None` (as the service) for
/// the service's own account, else the caller with its pipe token; refused
/// for a caller the service holds no token of.
pub fn for_caller(peer: &Peer, grants: &[Grant]) -> Result<Option<RunAs>> {
    if let Some(proxy) = proxy_of(peer, grants)? {
        return Err(Error::new(
            ErrorKind::Configuration,
            format!(
                "the grant to {} names RunAs=\"{proxy}\": on Windows the service starts packages \
                 only with the token of the named-pipe client who asks, and running as another \
                 account would need its password; remove RunAs (see docs/WINDOWS.md)",
                peer.user
            ),
        )
        .with_target(proxy));
    }
    let own = is_service_account(peer) && std::env::var_os(TOKEN_FOR_OWN_ACCOUNT).is_none();
    match &peer.caller_token {
        Some(token) if !own => Ok(Some(RunAs {
            user: token.user.name.clone(),
            token: Some(token.clone()),
            token_handle: None,
        })),
        _ if own => Ok(None),
        _ => Err(no_token(peer)),
    }
}

/// Whether `peer` is the account the service runs as: by the SID of its
/// token when it has one, else by name.
fn is_service_account(peer: &Peer) -> bool {
    static SERVICE: OnceLock<Option<caller::Principal>> = OnceLock::new();
    let Some(service) = SERVICE.get_or_init(|| caller::current().ok().map(|c| c.user)) else {
        return false;
    };
    match &peer.caller_token {
        Some(token) => token.user.sid.eq_ignore_ascii_case(&service.sid),
        None => !peer.needs_token && peer.user.eq_ignore_ascii_case(&service.name),
    }
}

fn no_token(peer: &Peer) -> Error {
    let why = if peer.transport.starts_with("pipe:") {
        "the service holds no token of theirs: the client let the service identify it but not \
         act as it (a pipe client must allow impersonation)"
    } else {
        "on Windows the service starts packages only with the token of a named-pipe client, and \
         a network caller's account would need its password (LogonUser)"
    };
    Error::new(
        ErrorKind::AccessDenied,
        format!(
            "Access is denied: packages run as the account of whoever starts them, and {why}; \
             {} may connect over the named pipe or run the package with 'ssis exec' (see \
             docs/WINDOWS.md)",
            peer.user
        ),
    )
    .with_target(peer.user.clone())
}

/// In the service, once the supervisor `process` is chosen: copies the
/// caller's token into it and records the copy's value in `run_as`.
///
/// # Safety
/// `process` is the handle of a live child of this process (which holds
/// PROCESS_DUP_HANDLE on it) for the whole call.
pub unsafe fn hand_over(run_as: &mut RunAs, process: HANDLE) -> Result<()> {
    let Some(token) = &run_as.token else {
        return Ok(());
    };
    // SAFETY: the caller's promise about `process`.
    let value = unsafe { token.duplicate_into(process) }.map_err(|e| {
        Error::internal(format!(
            "cannot give {}'s token to the supervisor: {e}",
            run_as.user
        ))
    })?;
    run_as.token_handle = Some(value);
    Ok(())
}

/// An executor started as another account; its handle is closed on drop.
pub struct UserProcess {
    process: OwnedHandle,
    /// Its process id.
    pub pid: u32,
}

impl UserProcess {
    /// Waits for it to end: its exit code.
    pub fn wait(&self) -> io::Result<u32> {
        let h = self.process.as_raw_handle() as HANDLE;
        // SAFETY: a valid process handle owned by self.
        if unsafe { WaitForSingleObject(h, INFINITE) } != WAIT_OBJECT_0 {
            return Err(Win32Error::last("WaitForSingleObject").into());
        }
        let mut code = 0u32;
        // SAFETY: valid handle; out-parameter.
        if unsafe { GetExitCodeProcess(h, &mut code) } == 0 {
            return Err(Win32Error::last("GetExitCodeProcess").into());
        }
        Ok(code)
    }
}

/// Why an executor could not be started with a caller's token, in words:
/// a missing privilege is named, and it is said that nothing ran instead.
pub fn describe_failure(user: &str, e: &Win32Error) -> String {
    if e.code() == Some(ERROR_PRIVILEGE_NOT_HELD) {
        format!(
            "cannot start it as {user}: {e}. The service needs SeAssignPrimaryTokenPrivilege \
             and SeIncreaseQuotaPrivilege (LocalSystem holds both) to start a package with its \
             caller's token; it never runs the package as itself instead"
        )
    } else {
        format!("cannot start it as {user}: {e}")
    }
}

/// In the supervisor: starts `command_line` with `token` (CreateProcessAsUserW),
/// the account's own environment plus `extra_env`, its profile folder as
/// working folder, stdin from NUL and stdout and stderr into `output`
/// (NUL when absent). Only those handles are inherited.
pub fn spawn(
    token: &PrimaryToken,
    command_line: &[String],
    extra_env: &[(&str, &str)],
    output: Option<&std::fs::File>,
) -> std::result::Result<UserProcess, Win32Error> {
    userenv::enable_privileges();
    userenv::join_own_session(token);
    let env = userenv::Environment::of(token)?;
    let mut block = env.with(extra_env);
    let cwd = env
        .get("USERPROFILE")
        .filter(|p| std::path::Path::new(p).is_dir())
        .map(userenv::wide);
    let stdin = open_nul()?;
    let out = match output {
        Some(f) => inheritable_copy(f.as_raw_handle() as HANDLE)?,
        None => open_nul()?,
    };
    let inherited = [
        stdin.as_raw_handle() as HANDLE,
        out.as_raw_handle() as HANDLE,
    ];
    let attributes = HandleList::new(&inherited)?;
    // SAFETY: STARTUPINFOEXW is plain data; zero is its empty value.
    let mut si: STARTUPINFOEXW = unsafe { std::mem::zeroed() };
    si.StartupInfo.cb = std::mem::size_of::<STARTUPINFOEXW>() as u32;
    si.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
    si.StartupInfo.hStdInput = inherited[0];
    si.StartupInfo.hStdOutput = inherited[1];
    si.StartupInfo.hStdError = inherited[1];
    si.lpAttributeList = attributes.as_ptr();
    let mut cmd = userenv::wide(&userenv::command_line(command_line));
    // SAFETY: plain data, filled by the call.
    let mut pi: PROCESS_INFORMATION = unsafe { std::mem::zeroed() };
    // SAFETY: every pointer is valid for the call: the token is open with
    // the rights CreateProcessAsUserW needs; cmd is a mutable
    // NUL-terminated buffer; block is a UTF-16 environment block ending in
    // two NULs; cwd is NUL-terminated or null; si (with its attribute list
    // naming only the inheritable handles above, all alive) and pi live
    // across the call.
    let ok = unsafe {
        CreateProcessAsUserW(
            token.as_raw(),
            std::ptr::null(),
            cmd.as_mut_ptr(),
            std::ptr::null(),
            std::ptr::null(),
            1,
            CREATE_UNICODE_ENVIRONMENT | EXTENDED_STARTUPINFO_PRESENT,
            block.as_mut_ptr().cast(),
            cwd.as_ref().map_or(std::ptr::null(), |c| c.as_ptr()),
            &si.StartupInfo,
            &mut pi,
        )
    };
    if ok == 0 {
        return Err(Win32Error::last("CreateProcessAsUserW"));
    }
    // SAFETY: the call made both handles for us; the thread's is not needed.
    let (process, _thread) = unsafe {
        (
            OwnedHandle::from_raw_handle(pi.hProcess as RawHandle),
            OwnedHandle::from_raw_handle(pi.hThread as RawHandle),
        )
    };
    Ok(UserProcess {
        process,
        pid: pi.dwProcessId,
    })
}

/// An inheritable copy of `handle` (this process's), owned.
fn inheritable_copy(handle: HANDLE) -> std::result::Result<OwnedHandle, Win32Error> {
    let mut copy: HANDLE = std::ptr::null_mut();
    // SAFETY: valid handles of this process; copy is an out-parameter.
    let ok = unsafe {
        DuplicateHandle(
            GetCurrentProcess(),
            handle,
            GetCurrentProcess(),
            &mut copy,
            0,
            1,
            DUPLICATE_SAME_ACCESS,
        )
    };
    if ok == 0 {
        return Err(Win32Error::last("DuplicateHandle"));
    }
    // SAFETY: a new handle nobody else owns.
    Ok(unsafe { OwnedHandle::from_raw_handle(copy as RawHandle) })
}

/// A PROC_THREAD_ATTRIBUTE_HANDLE_LIST: the only handles a child inherits.
/// The handles must outlive it (they are borrowed, not copied).
struct HandleList<'a> {
    buf: Vec<u64>,
    _handles: &'a [HANDLE],
}

impl<'a> HandleList<'a> {
    fn new(handles: &'a [HANDLE]) -> std::result::Result<HandleList<'a>, Win32Error> {
        let mut size = 0usize;
        // SAFETY: the size query with a null list (fails with the size set).
        unsafe { InitializeProcThreadAttributeList(std::ptr::null_mut(), 1, 0, &mut size) };
        if size == 0 {
            return Err(Win32Error::last("InitializeProcThreadAttributeList"));
        }
        let mut buf = vec![0u64; size.div_ceil(8)];
        let list: LPPROC_THREAD_ATTRIBUTE_LIST = buf.as_mut_ptr().cast();
        // SAFETY: buf holds `size` bytes, suitably aligned.
        if unsafe { InitializeProcThreadAttributeList(list, 1, 0, &mut size) } == 0 {
            return Err(Win32Error::last("InitializeProcThreadAttributeList"));
        }
        let made = HandleList {
            buf,
            _handles: handles,
        };
        // SAFETY: the list was initialised; the handle array lives as long
        // as the list (the borrow) and is read by the process creation.
        let ok = unsafe {
            UpdateProcThreadAttribute(
                made.as_ptr(),
                0,
                PROC_THREAD_ATTRIBUTE_HANDLE_LIST as usize,
                handles.as_ptr().cast(),
                std::mem::size_of_val(handles),
                std::ptr::null_mut(),
                std::ptr::null(),
            )
        };
        if ok == 0 {
            return Err(Win32Error::last("UpdateProcThreadAttribute"));
        }
        Ok(made)
    }

    fn as_ptr(&self) -> LPPROC_THREAD_ATTRIBUTE_LIST {
        self.buf.as_ptr() as LPPROC_THREAD_ATTRIBUTE_LIST
    }
}

impl Drop for HandleList<'_> {
    fn drop(&mut self) {
        // SAFETY: the list was initialised in `new` (a value exists only then).
        unsafe { DeleteProcThreadAttributeList(self.as_ptr()) };
    }
}

/// NUL, open for reading and writing, inheritable.
fn open_nul() -> std::result::Result<OwnedHandle, Win32Error> {
    let nul = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("NUL")
        .map_err(|error| Win32Error {
            call: "CreateFileW(NUL)",
            error,
        })?;
    inheritable_copy(nul.as_raw_handle() as HANDLE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use windows_sys::Win32::Security::{TOKEN_DUPLICATE, TOKEN_QUERY};
    use windows_sys::Win32::System::Threading::OpenProcessToken;

    fn own_primary_token() -> PrimaryToken {
        let mut raw: HANDLE = std::ptr::null_mut();
        // SAFETY: pseudo-handle of this process; raw is owned right below.
        let ok = unsafe {
            OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY | TOKEN_DUPLICATE, &mut raw)
        };
        assert_ne!(ok, 0, "{}", io::Error::last_os_error());
        // SAFETY: a fresh handle.
        let source = unsafe { OwnedHandle::from_raw_handle(raw as RawHandle) };
        // SAFETY: `source` is open with TOKEN_DUPLICATE | TOKEN_QUERY.
        unsafe { PrimaryToken::duplicate_of(source.as_raw_handle() as HANDLE) }.unwrap()
    }

    /// The executor gets the account's environment (not this process's),
    /// the extra variables, and its output in the log.
    #[test]
    fn a_process_started_with_a_token_has_the_accounts_environment() {
        let token = own_primary_token();
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("out.log");
        let file = std::fs::File::create(&log).unwrap();
        let script = "echo %SSIS_EXECUTION_ID%^|%USERNAME%^|%CARGO_PKG_NAME%& exit 5";
        let line = ["cmd.exe", "/c", script].map(String::from);
        let child = spawn(
            &token,
            &line,
            &[("SSIS_EXECUTION_ID", "run-1")],
            Some(&file),
        )
        .unwrap();
        assert!(child.pid > 0);
        assert_eq!(child.wait().unwrap(), 5);
        drop(file);
        let text = std::fs::read_to_string(&log).unwrap();
        let fields: Vec<&str> = text.trim_end().split('|').collect();
        assert_eq!(fields[0], "run-1", "{text}");
        let me = token.user.name.rsplit('\\').next().unwrap().to_string();
        assert!(fields[1].eq_ignore_ascii_case(&me), "{text} vs {me}");
        if std::env::var_os("CARGO_PKG_NAME").is_some() {
            assert_eq!(
                fields[2], "%CARGO_PKG_NAME%",
                "the service's own variables are not passed on: {text}"
            );
        }
    }

    #[test]
    fn a_missing_privilege_is_named_and_nothing_runs_instead() {
        let e = Win32Error {
            call: "CreateProcessAsUserW",
            error: io::Error::from_raw_os_error(ERROR_PRIVILEGE_NOT_HELD as i32),
        };
        let text = describe_failure("CORP\\carol", &e);
        assert!(
            text.starts_with("cannot start it as CORP\\carol: CreateProcessAsUserW failed: ")
                && text.contains("SeAssignPrimaryTokenPrivilege")
                && text.contains("SeIncreaseQuotaPrivilege")
                && text.contains("never runs the package as itself"),
            "{text}"
        );
        let missing = spawn(
            &own_primary_token(),
            &["no-such-program-here.exe".to_string()],
            &[],
            None,
        )
        .err()
        .expect("no such program");
        assert_eq!(missing.call, "CreateProcessAsUserW", "{missing}");
    }

    fn peer(user: &str, transport: &str) -> Peer {
        Peer {
            user: user.into(),
            uid: None,
            gid: None,
            groups: Vec::new(),
            process_id: None,
            transport: transport.into(),
            needs_token: false,
            token: None,
            caller_token: None,
        }
    }

    #[test]
    fn callers_without_a_token_are_refused_and_the_service_account_is_not() {
        let pipe = for_caller(&peer("CORP\\carol", "pipe:x"), &[]).unwrap_err();
        assert_eq!(pipe.kind, ErrorKind::AccessDenied);
        assert!(pipe.message.contains("allow impersonation"), "{pipe}");
        let tls = for_caller(&peer("carol", "tls:0.0.0.0:1"), &[]).unwrap_err();
        assert!(tls.message.contains("LogonUser"), "{tls}");
        let me = caller::current().unwrap().user.name;
        if std::env::var_os(TOKEN_FOR_OWN_ACCOUNT).is_none() {
            assert_eq!(for_caller(&peer(&me, "pipe:x"), &[]).unwrap(), None);
        }
        // With a token: the caller runs with it.
        let mut carol = peer("CORP\\carol", "pipe:x");
        let mut token = own_primary_token();
        token.user.sid = "S-1-5-21-1-2-3-1001".into();
        token.user.name = "CORP\\carol".into();
        carol.caller_token = Some(std::sync::Arc::new(token));
        let run_as = for_caller(&carol, &[]).unwrap().expect("runs as carol");
        assert_eq!(run_as.user, "CORP\\carol");
        assert_eq!(run_as.token, carol.caller_token);
        // A proxy grant would need a password: refused.
        let grant = Grant {
            principal: "user:CORP\\carol".into(),
            rights: vec![],
            run_as: Some("CORP\\etl".into()),
        };
        let proxy = for_caller(&carol, &[grant]).unwrap_err();
        assert_eq!(proxy.kind, ErrorKind::Configuration);
        assert!(proxy.message.contains("RunAs=\"CORP\\etl\""), "{proxy}");
    }
}
