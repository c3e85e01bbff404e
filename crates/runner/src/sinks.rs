//! What `ssis exec` reports through besides the console: a writer shared by
//! several event sinks, and the warning counter of `/WARNASERROR`.

use crate::events::{Event, EventKind, EventSink};
use std::io::Write;
use std::sync::{Arc, Mutex};

/// Counts warnings, for `/WARNASERROR`.
#[derive(Default)]
pub(crate) struct WarningCount(pub(crate) std::sync::atomic::AtomicUsize);

impl EventSink for WarningCount {
    fn emit(&self, event: &Event) {
        if event.event == EventKind::OnWarning {
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    }
}

impl EventSink for Arc<WarningCount> {
    fn emit(&self, event: &Event) {
        self.as_ref().emit(event);
    }
}

/// A writer shared by several sinks.
#[derive(Clone)]
pub struct SharedWriter(Arc<Mutex<Box<dyn Write + Send>>>);

impl SharedWriter {
    /// Wraps `w`.
    pub fn new(w: Box<dyn Write + Send>) -> SharedWriter {
        SharedWriter(Arc::new(Mutex::new(w)))
    }
}

impl Write for SharedWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self.0.lock() {
            Ok(mut w) => w.write(buf),
            Err(_) => Ok(buf.len()),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match self.0.lock() {
            Ok(mut w) => w.flush(),
            Err(_) => Ok(()),
        }
    }
}
