//! Executor process trees on Windows: each executor runs in a Job Object
//! (every process it starts stays in the job), in its own console process
//! group (CREATE_NEW_PROCESS_GROUP), so a stop is a graceful CTRL_BREAK to
//! the group and, after the grace period, TerminateJobObject on the job.
//! The counterpart of process groups and SIGTERM/SIGKILL on Unix.

use std::collections::HashMap;
use std::io;
use std::sync::Mutex;
use windows_sys::Win32::Foundation::{CloseHandle, FILETIME, HANDLE, STILL_ACTIVE};
use windows_sys::Win32::System::Console::{CTRL_BREAK_EVENT, GenerateConsoleCtrlEvent};
use windows_sys::Win32::System::JobObjects::{
    AssignProcessToJobObject, CreateJobObjectW, JOBOBJECT_BASIC_PROCESS_ID_LIST,
    JobObjectBasicProcessIdList, QueryInformationJobObject, TerminateJobObject,
};
use windows_sys::Win32::System::Threading::{
    GetExitCodeProcess, GetProcessTimes, OpenProcess, PROCESS_QUERY_LIMITED_INFORMATION,
};

/// An owned kernel handle, closed on drop.
struct Owned(HANDLE);

// SAFETY: kernel handles may be used from any thread.
unsafe impl Send for Owned {}

impl Drop for Owned {
    fn drop(&mut self) {
        // SAFETY: the handle is ours and closed once.
        unsafe {
            CloseHandle(self.0);
        }
    }
}

/// Jobs of the executors this service started, by the leader's process id.
static JOBS: Mutex<Option<HashMap<u32, Owned>>> = Mutex::new(None);

fn with_jobs<T>(f: impl FnOnce(&mut HashMap<u32, Owned>) -> T) -> T {
    let mut guard = JOBS.lock().unwrap_or_else(|p| p.into_inner());
    f(guard.get_or_insert_with(HashMap::new))
}

/// Puts the just-started process `pid` (handle `process`) in a new Job
/// Object, remembered until [`forget`].
///
/// # Safety
/// `process` is a valid process handle.
pub unsafe fn adopt(pid: u32, process: HANDLE) -> io::Result<()> {
    // SAFETY: plain Win32 calls; the job handle is owned by `Owned`.
    let job = unsafe { CreateJobObjectW(std::ptr::null(), std::ptr::null()) };
    if job.is_null() {
        return Err(io::Error::last_os_error());
    }
    let job = Owned(job);
    // SAFETY: both handles are valid.
    if unsafe { AssignProcessToJobObject(job.0, process) } == 0 {
        return Err(io::Error::last_os_error());
    }
    with_jobs(|jobs| jobs.insert(pid, job));
    Ok(())
}

/// Drops the job of `pid` (its processes are left alone).
pub fn forget(pid: u32) {
    with_jobs(|jobs| jobs.remove(&pid));
}

/// Sends CTRL_BREAK to the console process group led by `pid` (the package
/// may clean up, as with SIGTERM). A group that is gone is not an error.
pub fn ctrl_break(pid: u32) -> io::Result<()> {
    // SAFETY: only sends a console event.
    if unsafe { GenerateConsoleCtrlEvent(CTRL_BREAK_EVENT, pid) } != 0 || !is_alive(pid, None) {
        return Ok(());
    }
    Err(io::Error::last_os_error())
}

/// Ends every process of the job of `pid`; without a job (a service
/// restarted since), ends the process itself.
pub fn terminate(pid: u32) -> io::Result<()> {
    let done = with_jobs(|jobs| {
        jobs.get(&pid).map(|job| {
            // SAFETY: the job handle is valid while in the map.
            unsafe { TerminateJobObject(job.0, 1) != 0 }
        })
    });
    match done {
        Some(true) => Ok(()),
        Some(false) => Err(io::Error::last_os_error()),
        None => terminate_process(pid),
    }
}

fn terminate_process(pid: u32) -> io::Result<()> {
    use windows_sys::Win32::System::Threading::{PROCESS_TERMINATE, TerminateProcess};
    // SAFETY: the handle is checked and closed by `Owned`.
    let process = unsafe { OpenProcess(PROCESS_TERMINATE, 0, pid) };
    if process.is_null() {
        return Ok(()); // gone
    }
    let process = Owned(process);
    // SAFETY: valid handle with PROCESS_TERMINATE.
    if unsafe { TerminateProcess(process.0, 1) } == 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// The processes in the job of `pid` (the leader included while it runs).
pub fn members(pid: u32) -> Vec<u32> {
    with_jobs(|jobs| {
        let Some(job) = jobs.get(&pid) else {
            return if is_alive(pid, None) {
                vec![pid]
            } else {
                Vec::new()
            };
        };
        // Room for 1024 ids after the two counts.
        let mut buf = vec![0usize; 2 + 1024];
        let size = (buf.len() * std::mem::size_of::<usize>()) as u32;
        // SAFETY: buf is large enough and suitably aligned for the list.
        let ok = unsafe {
            QueryInformationJobObject(
                job.0,
                JobObjectBasicProcessIdList,
                buf.as_mut_ptr().cast(),
                size,
                std::ptr::null_mut(),
            )
        };
        if ok == 0 {
            return Vec::new();
        }
        // SAFETY: the list header is at the start of buf.
        let list = unsafe { &*(buf.as_ptr() as *const JOBOBJECT_BASIC_PROCESS_ID_LIST) };
        let n = list.NumberOfProcessIdsInList as usize;
        let header = std::mem::offset_of!(JOBOBJECT_BASIC_PROCESS_ID_LIST, ProcessIdList)
            / std::mem::size_of::<usize>();
        buf[header..header + n.min(1024)]
            .iter()
            .map(|&p| p as u32)
            .collect()
    })
}

/// The creation time of `pid` (100 ns units since 1601), to recognize it
/// after a service restart.
pub fn start_time(pid: u32) -> Option<u64> {
    let process = open_query(pid)?;
    let zero = FILETIME {
        dwLowDateTime: 0,
        dwHighDateTime: 0,
    };
    let (mut created, mut exited, mut kernel, mut user) = (zero, zero, zero, zero);
    // SAFETY: valid handle; four out-parameters.
    let ok =
        unsafe { GetProcessTimes(process.0, &mut created, &mut exited, &mut kernel, &mut user) };
    (ok != 0).then(|| (u64::from(created.dwHighDateTime) << 32) | u64::from(created.dwLowDateTime))
}

/// Whether `pid` still runs and, when `start` is known, is the process
/// started then.
pub fn is_alive(pid: u32, start: Option<u64>) -> bool {
    let Some(process) = open_query(pid) else {
        return false;
    };
    let mut code = 0u32;
    // SAFETY: valid handle.
    if unsafe { GetExitCodeProcess(process.0, &mut code) } == 0 || code != STILL_ACTIVE as u32 {
        return false;
    }
    match start {
        Some(start) => start_time(pid) == Some(start),
        None => true,
    }
}

fn open_query(pid: u32) -> Option<Owned> {
    // SAFETY: the handle is checked and owned.
    let h = unsafe { OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid) };
    (!h.is_null()).then_some(Owned(h))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::windows::io::AsRawHandle;

    #[test]
    fn a_job_ends_the_whole_tree() {
        let mut child = std::process::Command::new("cmd.exe")
            .args(["/c", "ping -n 60 127.0.0.1 >NUL"])
            .spawn()
            .expect("cmd.exe");
        let pid = child.id();
        // SAFETY: the child's own handle.
        unsafe { adopt(pid, child.as_raw_handle() as HANDLE) }.unwrap();
        let start = start_time(pid);
        assert!(start.is_some());
        assert!(is_alive(pid, start));
        assert!(!is_alive(pid, start.map(|s| s + 1)));
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while members(pid).len() < 2 && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let tree = members(pid);
        assert!(
            tree.contains(&pid) && tree.len() >= 2,
            "cmd and ping: {tree:?}"
        );
        terminate(pid).unwrap();
        child.wait().unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !members(pid).is_empty() && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        assert_eq!(members(pid), Vec::<u32>::new(), "ping went with the job");
        assert!(!is_alive(pid, None));
        forget(pid);
        assert!(terminate(pid).is_ok(), "a gone process is not an error");
    }
}
