//! Reading executions: one, the unfinished ones, history, waiting for an
//! end, and chunks of the output log.

use super::Executions;
use crate::output;
use ssis_core::error::{Error, ErrorKind, Result};
use ssis_core::protocol::executions::{Execution, HistoryFilter, OutputChunk, OutputParams};
use std::time::Duration;

/// Largest `ExecutionOutput` chunk.
const MAX_OUTPUT_CHUNK: u64 = 512 * 1024;

impl Executions {
    /// One execution.
    pub fn get(&self, id: &str) -> Result<Execution> {
        self.db
            .get_execution(&id.trim().to_ascii_lowercase())?
            .ok_or_else(|| {
                Error::not_found(format!("there is no execution '{id}'"))
                    .with_target(id.to_string())
            })
    }

    /// Executions that have not ended, oldest first.
    pub fn list(&self) -> Result<Vec<Execution>> {
        Ok(self
            .db
            .unfinished()?
            .into_iter()
            .map(|u| u.execution)
            .collect())
    }

    /// History with filters, newest first.
    pub fn history(&self, filter: &HistoryFilter) -> Result<Vec<Execution>> {
        self.db.history(filter)
    }

    /// Waits until the execution ends (or `timeout` passes: error `Timeout`).
    pub async fn wait(&self, id: &str, timeout: Option<Duration>) -> Result<Execution> {
        let registered = self.registered_done(&id.trim().to_ascii_lowercase());
        let mut done = match (registered, self.find_active(id)) {
            (Some(done), _) => done,
            (None, Some(active)) => active.done.subscribe(),
            (None, None) => return self.get(id),
        };
        let waiting = done.wait_for(|d| *d);
        match timeout {
            Some(t) => {
                if tokio::time::timeout(t, waiting).await.is_err() {
                    return Err(Error::new(
                        ErrorKind::Timeout,
                        format!("execution {id} did not finish within {} ms", t.as_millis()),
                    )
                    .with_target(id.to_string()));
                }
            }
            None => {
                let _ = waiting.await;
            }
        }
        drop(done);
        self.get(id)
    }

    /// A chunk of an execution's output log.
    pub fn output(&self, p: &OutputParams) -> Result<OutputChunk> {
        let record = self.get(&p.execution_id)?;
        let max = p
            .max_bytes
            .unwrap_or(MAX_OUTPUT_CHUNK)
            .clamp(1, MAX_OUTPUT_CHUNK);
        let (text, next, len) =
            output::read_chunk(&self.log_path(&record.execution_id), p.offset, max)?;
        Ok(OutputChunk {
            execution_id: record.execution_id,
            offset: p.offset.min(len),
            next_offset: next,
            text,
            truncated: len > self.settings.output_cap,
            complete: record.status.is_final() && next >= len,
        })
    }
}
