//! Reading a package file so that a cancel (SIGINT, SIGTERM) ends the wait:
//! a FIFO with no writer yet, or a writer that pauses, would otherwise
//! block the open or the read for ever.

use crate::cancel::CancelToken;
use std::io;
use std::path::Path;

/// How often a wait for a FIFO's data looks at the cancel token.
#[cfg(unix)]
const POLL_MS: i32 = 100;

/// The bytes of `path`. A regular file is read at once; anything else (a
/// FIFO) is waited for in slices, ending with `Interrupted` soon after
/// `cancel` is set.
#[cfg(unix)]
pub(super) fn read(path: &Path, cancel: &CancelToken) -> io::Result<Vec<u8>> {
    use std::io::Read;
    use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
    // Non-blocking, the open of a FIFO returns at once even without a writer.
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    let kind = file.metadata()?.file_type();
    if kind.is_file() {
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        return Ok(bytes);
    }
    if !kind.is_fifo() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "it is neither a regular file nor a FIFO",
        ));
    }
    let fd = std::os::fd::AsRawFd::as_raw_fd(&file);
    let mut bytes = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        if cancel.is_canceled() {
            return Err(io::Error::new(
                io::ErrorKind::Interrupted,
                "canceled while waiting for the package's data",
            ));
        }
        let mut poll = libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd for the file's open descriptor.
        let ready = unsafe { libc::poll(&mut poll, 1, POLL_MS) };
        if ready < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        if ready == 0 {
            continue;
        }
        match file.read(&mut chunk) {
            // Linux reports a hang-up only once a writer has come and gone.
            Ok(0) => return Ok(bytes),
            Ok(n) => bytes.extend_from_slice(&chunk[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
                ) => {}
            Err(e) => return Err(e),
        }
    }
}

/// The bytes of `path` (Windows has no FIFOs in the file system).
#[cfg(not(unix))]
pub(super) fn read(path: &Path, _cancel: &CancelToken) -> io::Result<Vec<u8>> {
    std::fs::read(path)
}
