//! Starting a process with another account's primary token
//! (CreateProcessAsUserW): that account's environment and profile folder,
//! and only the standard handles inherited.

use super::token::{PrimaryToken, Win32Error};
use super::userenv;
use std::io;
use std::os::windows::io::{AsRawHandle, FromRawHandle, OwnedHandle, RawHandle};
use windows_sys::Win32::Foundation::{
    DUPLICATE_SAME_ACCESS, DuplicateHandle, HANDLE, WAIT_OBJECT_0,
};
use windows_sys::Win32::System::Threading::{
    CREATE_UNICODE_ENVIRONMENT, CreateProcessAsUserW, DeleteProcThreadAttributeList,
    EXTENDED_STARTUPINFO_PRESENT, GetCurrentProcess, GetExitCodeProcess, INFINITE,
    InitializeProcThreadAttributeList, LPPROC_THREAD_ATTRIBUTE_LIST,
    PROC_THREAD_ATTRIBUTE_HANDLE_LIST, PROCESS_INFORMATION, STARTF_USESTDHANDLES, STARTUPINFOEXW,
    UpdateProcThreadAttribute, WaitForSingleObject,
};

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
    use super::super::token::own_primary_token;
    use super::*;

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
    fn a_program_that_cannot_start_names_the_call() {
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
}
