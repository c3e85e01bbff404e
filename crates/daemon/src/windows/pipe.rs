//! The service's named pipe (`\\.\pipe\ssis-service`): one pipe instance per
//! client, the same line protocol as the Unix socket. Local clients only
//! (remote clients are rejected); the pipe's DACL lets SYSTEM,
//! Administrators and the owner in fully and authenticated users read and
//! write, so the rights checks of the service decide the rest.

use super::caller::{self, Caller};
use std::io;
use std::os::windows::io::AsRawHandle;
use tokio::net::windows::named_pipe::{NamedPipeServer, ServerOptions};
use tokio::sync::Mutex;
use windows_sys::Win32::Foundation::{HLOCAL, LocalFree};
use windows_sys::Win32::Security::Authorization::{
    ConvertStringSecurityDescriptorToSecurityDescriptorW, SDDL_REVISION_1,
};
use windows_sys::Win32::Security::{PSECURITY_DESCRIPTOR, SECURITY_ATTRIBUTES};

/// The pipe's DACL: SYSTEM, Administrators, owner: all; authenticated users: read/write.
const PIPE_SDDL: &str = "D:P(A;;GA;;;SY)(A;;GA;;;BA)(A;;GA;;;OW)(A;;GRGW;;;AU)";

/// A pipe name being served: the next instance waits for a client.
pub struct PipeListener {
    name: String,
    next: Mutex<NamedPipeServer>,
}

impl PipeListener {
    /// Creates the first instance of `name`; fails when another process
    /// already serves it.
    pub fn bind(name: &str) -> io::Result<PipeListener> {
        let first = create(name, true)?;
        Ok(PipeListener {
            name: name.to_string(),
            next: Mutex::new(first),
        })
    }

    /// The pipe name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Waits for the next client: returns its connected pipe and who it is.
    pub async fn accept(&self) -> io::Result<(NamedPipeServer, Option<Caller>)> {
        let mut next = self.next.lock().await;
        next.connect().await?;
        let fresh = create(&self.name, false)?;
        let connected = std::mem::replace(&mut *next, fresh);
        // SAFETY: the pipe is connected and lives across the call.
        let who = unsafe { caller::of_pipe(connected.as_raw_handle() as _) }.ok();
        Ok((connected, who))
    }
}

/// One pipe instance with [`PIPE_SDDL`].
fn create(name: &str, first: bool) -> io::Result<NamedPipeServer> {
    let sddl: Vec<u16> = PIPE_SDDL.encode_utf16().chain(Some(0)).collect();
    let mut sd: PSECURITY_DESCRIPTOR = std::ptr::null_mut();
    // SAFETY: sddl is NUL-terminated; sd is freed below with LocalFree.
    let ok = unsafe {
        ConvertStringSecurityDescriptorToSecurityDescriptorW(
            sddl.as_ptr(),
            SDDL_REVISION_1,
            &mut sd,
            std::ptr::null_mut(),
        )
    };
    if ok == 0 {
        return Err(io::Error::last_os_error());
    }
    let mut attrs = SECURITY_ATTRIBUTES {
        nLength: std::mem::size_of::<SECURITY_ATTRIBUTES>() as u32,
        lpSecurityDescriptor: sd,
        bInheritHandle: 0,
    };
    let mut options = ServerOptions::new();
    options
        .first_pipe_instance(first)
        .reject_remote_clients(true);
    // SAFETY: attrs and the descriptor it points to live until after the call.
    let made =
        unsafe { options.create_with_security_attributes_raw(name, (&raw mut attrs).cast()) };
    // SAFETY: sd came from LocalAlloc inside the conversion.
    unsafe {
        LocalFree(sd as HLOCAL);
    }
    made
}
