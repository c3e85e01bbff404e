//! The client end of the service's named pipe (`\\.\pipe\ssis-service`):
//! a blocking stream like the Unix socket's, with read time-outs (polling
//! PeekNamedPipe, as synchronous pipe handles have none of their own).

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::windows::io::AsRawHandle;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use windows_sys::Win32::System::Pipes::{PeekNamedPipe, WaitNamedPipeW};

/// ERROR_PIPE_BUSY: every instance is taken; wait for one.
const ERROR_PIPE_BUSY: i32 = 231;

/// A connected pipe; clones share the handle and the read time-out.
pub struct PipeStream {
    file: File,
    timeout: Arc<Mutex<Option<Duration>>>,
}

impl PipeStream {
    /// Opens the pipe `path`, waiting up to 5 s while all instances are busy.
    pub fn connect(path: &Path) -> io::Result<PipeStream> {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            match std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open(path)
            {
                Ok(file) => {
                    return Ok(PipeStream {
                        file,
                        timeout: Arc::new(Mutex::new(None)),
                    });
                }
                Err(e)
                    if e.raw_os_error() == Some(ERROR_PIPE_BUSY) && Instant::now() < deadline =>
                {
                    let wide: Vec<u16> = path
                        .as_os_str()
                        .to_string_lossy()
                        .encode_utf16()
                        .chain(Some(0))
                        .collect();
                    // SAFETY: NUL-terminated name.
                    unsafe { WaitNamedPipeW(wide.as_ptr(), 500) };
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Reads give up with `TimedOut` after `timeout` without data (None: wait).
    pub fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        *self.timeout.lock().unwrap_or_else(|p| p.into_inner()) = timeout;
        Ok(())
    }

    /// Bytes waiting in the pipe (0 at end of stream is reported by read).
    fn available(&self) -> io::Result<u32> {
        let mut n = 0u32;
        // SAFETY: valid handle; only the byte count is asked for.
        let ok = unsafe {
            PeekNamedPipe(
                self.file.as_raw_handle() as _,
                std::ptr::null_mut(),
                0,
                std::ptr::null_mut(),
                &mut n,
                std::ptr::null_mut(),
            )
        };
        if ok == 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(n)
    }
}

impl Read for PipeStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let timeout = *self.timeout.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(timeout) = timeout {
            let deadline = Instant::now() + timeout;
            loop {
                match self.available() {
                    Ok(0) if Instant::now() < deadline => {
                        std::thread::sleep(Duration::from_millis(5))
                    }
                    Ok(0) => return Err(io::Error::from(io::ErrorKind::TimedOut)),
                    // Data, or a broken pipe that read reports as end of stream.
                    _ => break,
                }
            }
        }
        match self.file.read(buf) {
            // ERROR_BROKEN_PIPE: the service closed its end.
            Err(e) if e.raw_os_error() == Some(109) => Ok(0),
            r => r,
        }
    }
}

impl Write for PipeStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}
