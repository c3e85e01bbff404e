//! The executor's output on its way into the capped log: one pipe for
//! stdout and stderr copied on a thread, and what a full disk made the log
//! lose.

use super::super::capture::Capture;
use std::process::Command;
#[cfg(unix)]
use std::process::Stdio;
use std::sync::mpsc::{self, Receiver};

/// Points the executor's stdout and stderr at one pipe and copies it into
/// `capture` on a thread; the receiver hears when the pipe is drained.
#[cfg(unix)]
pub(super) fn copy_output(
    command: &mut Command,
    mut capture: Capture,
) -> std::io::Result<Receiver<Lost>> {
    use std::os::fd::{FromRawFd, OwnedFd};
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: pipe2 fills two descriptors, which are owned right below.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: fresh descriptors from pipe2, owned once each.
    let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    let write2 = write.try_clone()?;
    command
        .stdout(Stdio::from(write))
        .stderr(Stdio::from(write2));
    let (tx, rx) = mpsc::channel();
    let mut pipe = std::fs::File::from(read);
    std::thread::spawn(move || {
        let lost = copy(&mut pipe, &mut capture);
        let _ = tx.send(lost);
    });
    Ok(rx)
}

/// Windows: the same through an anonymous pipe (`CreatePipe`).
#[cfg(windows)]
pub(super) fn copy_output(
    command: &mut Command,
    capture: Capture,
) -> std::io::Result<Receiver<Lost>> {
    let (write, rx) = pipe_into(capture)?;
    command.stdout(write.try_clone()?).stderr(write);
    Ok(rx)
}

/// Windows: a pipe whose reading end is copied into `capture` on a thread;
/// the writing end (not inheritable: whoever starts the executor hands it
/// over) and the receiver that hears when the pipe is drained.
#[cfg(windows)]
pub(crate) fn pipe_into(mut capture: Capture) -> std::io::Result<(std::fs::File, Receiver<Lost>)> {
    use std::os::windows::io::FromRawHandle;
    use windows_sys::Win32::System::Pipes::CreatePipe;
    let (mut read, mut write) = (std::ptr::null_mut(), std::ptr::null_mut());
    // SAFETY: two out-parameters; no security attributes (not inheritable).
    if unsafe { CreatePipe(&mut read, &mut write, std::ptr::null(), 0) } == 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: fresh handles from CreatePipe, owned once each.
    let (mut pipe, write) = unsafe {
        (
            std::fs::File::from_raw_handle(read),
            std::fs::File::from_raw_handle(write),
        )
    };
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let lost = copy(&mut pipe, &mut capture);
        let _ = tx.send(lost);
    });
    Ok((write, rx))
}

/// Output bytes the log could not take, and the first error.
#[derive(Debug, Default)]
pub struct Lost {
    /// How many bytes of output were not written.
    pub bytes: u64,
    /// Why (the first failure).
    pub error: Option<String>,
}

impl Lost {
    /// In words, when anything was lost.
    pub fn describe(&self) -> Option<String> {
        (self.bytes > 0).then(|| {
            format!(
                "the output log could not take {} bytes of the package's output ({})",
                self.bytes,
                self.error.as_deref().unwrap_or("write failed")
            )
        })
    }
}

/// Copies the executor's output into the log until the pipe closes; what
/// the log cannot take (a full disk) is counted, and the pipe is still
/// drained so the executor is never blocked.
fn copy(pipe: &mut impl std::io::Read, capture: &mut Capture) -> Lost {
    let mut buf = vec![0u8; 64 * 1024];
    let mut lost = Lost::default();
    loop {
        match pipe.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                if let Err(e) = capture.write(&buf[..n]) {
                    lost.bytes += n as u64;
                    lost.error.get_or_insert_with(|| e.to_string());
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    lost
}
