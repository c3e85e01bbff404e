//! The tokio runtime the msdb store's network I/O runs on.
//!
//! The store API is synchronous; every operation is spawned on this small
//! process-wide runtime and its caller waits on a channel. That works from
//! any thread: a plain thread, a worker of another multi-thread runtime
//! (through `block_in_place`), even a current-thread runtime (whose thread
//! simply waits, as for any blocking call) — never a nested `block_on` panic.

use crate::error::{Error, Result};
use std::future::Future;
use std::sync::OnceLock;
use tokio::runtime::{Builder, Handle, Runtime, RuntimeFlavor};

static RUNTIME: OnceLock<std::result::Result<Runtime, String>> = OnceLock::new();

fn runtime() -> Result<&'static Runtime> {
    RUNTIME
        .get_or_init(|| {
            Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("ssis-msdb")
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| Error::internal(format!("cannot start the SQL Server I/O runtime: {e}")))
}

/// Runs `fut` on the store's runtime and waits for its result.
pub fn run<T, F>(fut: F) -> Result<T>
where
    T: Send + 'static,
    F: Future<Output = Result<T>> + Send + 'static,
{
    let rt = runtime()?;
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    rt.spawn(async move {
        let _ = tx.send(fut.await);
    });
    let wait = move || {
        rx.recv().unwrap_or_else(|_| {
            Err(Error::internal(
                "a SQL Server operation ended without an answer (it panicked); please report it",
            ))
        })
    };
    match Handle::try_current() {
        Ok(h) if h.runtime_flavor() == RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(wait)
        }
        _ => wait(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_from_a_plain_thread() {
        assert_eq!(run(async { Ok(41 + 1) }).unwrap(), 42);
    }

    #[test]
    fn runs_from_inside_other_runtimes() {
        let multi = Builder::new_multi_thread().build().unwrap();
        assert_eq!(
            multi
                .block_on(async { tokio::spawn(async { run(async { Ok(1) }) }).await })
                .unwrap()
                .unwrap(),
            1
        );
        let single = Builder::new_current_thread().build().unwrap();
        assert_eq!(single.block_on(async { run(async { Ok(2) }) }).unwrap(), 2);
    }

    #[test]
    fn a_panicking_operation_is_an_internal_error() {
        let e = run::<(), _>(async { panic!("boom") }).unwrap_err();
        assert_eq!(e.kind, crate::error::ErrorKind::Internal);
    }
}
