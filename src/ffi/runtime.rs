//! The library's one tokio runtime.
//!
//! Built on first use (by the first call that needs it), multi-threaded, shared by
//! every caller of every host thread. Each C call blocks on it from the caller's own
//! thread ([`call`]): today's session operations (embedded, and the service client over a
//! blocking socket) are synchronous and run right there, inside the runtime's context, so
//! there is no thread hop; operations that become asynchronous run their futures the same
//! way without changing the C API.
//!
//! Two misuses fail with `Unsupported` instead of deadlocking: a call from a thread
//! that is itself running a tokio runtime (nesting `block_on` would panic or hang),
//! and a call in the child of a `fork()` made after the runtime was built (its worker
//! threads do not exist there).

use crate::error::{Error, ErrorKind, Result};
use once_cell::sync::OnceCell;
use tokio::runtime::{Builder, Handle, Runtime};

/// The runtime and the process that built it.
struct LibraryRuntime {
    runtime: Runtime,
    pid: u32,
}

static RUNTIME: OnceCell<LibraryRuntime> = OnceCell::new();

/// Worker threads: enough for I/O multiplexing, modest beside the host's own threads.
const MAX_WORKERS: usize = 4;

fn runtime() -> Result<&'static LibraryRuntime> {
    RUNTIME.get_or_try_init(|| {
        let workers = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
            .clamp(1, MAX_WORKERS);
        let runtime = Builder::new_multi_thread()
            .worker_threads(workers)
            .thread_name("ssis-runtime")
            .build()
            .map_err(|e| {
                Error::internal(format!("cannot start the library's async runtime: {e}"))
            })?;
        Ok(LibraryRuntime {
            runtime,
            pid: std::process::id(),
        })
    })
}

/// Checks that the calling thread may block on the library runtime.
fn check_caller(rt: &LibraryRuntime) -> Result<()> {
    let pid = std::process::id();
    if pid != rt.pid {
        return Err(Error::new(
            ErrorKind::Unsupported,
            format!(
                "the ssis_service library was initialized in process {} and cannot be used in \
                 process {pid}, a fork() child: its runtime threads do not exist here; \
                 call it only before fork() in the parent, or exec() a new program",
                rt.pid
            ),
        ));
    }
    if Handle::try_current().is_ok() {
        return Err(Error::new(
            ErrorKind::Unsupported,
            "ssis_service functions block until done and cannot be called from a thread \
             that runs an async runtime (for instance from inside a library callback); \
             call them from an ordinary thread",
        ));
    }
    Ok(())
}

/// Runs `work` on the calling thread inside the library runtime and returns its result.
pub(super) fn call<T>(work: impl FnOnce() -> Result<T>) -> Result<T> {
    let rt = runtime()?;
    check_caller(rt)?;
    rt.runtime.block_on(async move { work() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_work_from_any_thread() {
        assert_eq!(call(|| Ok(5)).unwrap(), 5);
        let handles: Vec<_> = (0..4)
            .map(|i| std::thread::spawn(move || call(|| Ok(i * 2)).unwrap()))
            .collect();
        let sum: i32 = handles.into_iter().map(|h| h.join().unwrap()).sum();
        assert_eq!(sum, 12);
        let err = call::<()>(|| Err(Error::not_found("x"))).unwrap_err();
        assert_eq!(err.kind, ErrorKind::NotFound);
    }

    #[test]
    fn refuses_calls_from_a_runtime_thread() {
        let rt = runtime().unwrap();
        let err = rt
            .runtime
            .block_on(async { tokio::task::spawn(async { call(|| Ok(1)) }).await })
            .unwrap()
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::Unsupported);
        assert!(err.message.contains("async runtime"), "{}", err.message);
    }
}
