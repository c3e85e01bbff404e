//! The session operations only a service can do: running packages and
//! following executions, the event log, and service control.

use super::{Remote, absolute};
use crate::{Items, Session};
use serde_json::Value;
use ssis_core::error::{Error, ErrorKind, Result};
use ssis_core::protocol::events::{EventFilter, LogEntry};
use ssis_core::protocol::executions::{
    Execution, ExecutionIdParams, HistoryFilter, OutputChunk, OutputParams, RunParams, WaitParams,
};
use ssis_core::protocol::service::ServiceInfo;
use ssis_core::protocol::{NoParams, Request};
use std::time::Duration;

/// Operations that need the service.
impl Session {
    pub(super) fn remote(&self) -> Result<&Remote> {
        self.remote_backend().ok_or_else(|| {
            Error::new(
                ErrorKind::Unsupported,
                format!(
                    "'{}' is an in-process session; running and monitoring packages needs the service: \
                     connect to '.' (start the service with 'ssis service run')",
                    self.server()
                ),
            )
        })
    }

    /// Starts a stored package (`Package`), a package file (`File`) or a
    /// package of a project (`Project`, `Package`).
    pub fn run(&self, params: &RunParams) -> Result<Execution> {
        let mut params = params.clone();
        params.file = params.file.as_deref().map(absolute);
        params.project = params.project.as_deref().map(absolute);
        self.remote()?.call(Request::ExecutionRun(params))
    }

    /// Asks an execution to stop; returns it (status `Stopping`, or final).
    pub fn execution_stop(&self, execution_id: &str) -> Result<Execution> {
        let p = ExecutionIdParams {
            execution_id: execution_id.into(),
        };
        self.remote()?.call(Request::ExecutionStop(p))
    }

    /// Executions that have not ended.
    pub fn executions_list(&self) -> Result<Items<Execution>> {
        self.remote()?.call(Request::ExecutionList(NoParams))
    }

    /// One execution.
    pub fn execution_get(&self, execution_id: &str) -> Result<Execution> {
        let p = ExecutionIdParams {
            execution_id: execution_id.into(),
        };
        self.remote()?.call(Request::ExecutionGet(p))
    }

    /// A chunk of an execution's output from `offset`.
    pub fn execution_output(
        &self,
        execution_id: &str,
        offset: u64,
        max_bytes: Option<u64>,
    ) -> Result<OutputChunk> {
        let p = OutputParams {
            execution_id: execution_id.into(),
            offset,
            max_bytes,
        };
        self.remote()?.call(Request::ExecutionOutput(p))
    }

    /// Waits until an execution ends (`timeout` None: for ever; else error `Timeout`).
    pub fn execution_wait(
        &self,
        execution_id: &str,
        timeout: Option<Duration>,
    ) -> Result<Execution> {
        let p = WaitParams {
            execution_id: execution_id.into(),
            timeout_ms: timeout.map(|t| t.as_millis().min(u128::from(u64::MAX)) as u64),
        };
        let client_timeout = timeout.map(|t| t + Duration::from_secs(30));
        self.remote()?
            .call_timeout(Request::ExecutionWait(p), client_timeout)
    }

    /// Execution history, newest first.
    pub fn execution_history(&self, filter: &HistoryFilter) -> Result<Items<Execution>> {
        self.remote()?
            .call(Request::ExecutionHistory(filter.clone()))
    }

    /// Event-log entries, oldest first.
    pub fn events_read(&self, filter: &EventFilter) -> Result<Items<LogEntry>> {
        self.remote()?.call(Request::EventsRead(filter.clone()))
    }

    /// What the service is and runs with.
    pub fn service_info(&self) -> Result<ServiceInfo> {
        self.remote()?.call(Request::ServiceInfo(NoParams))
    }

    /// Makes the service re-read its configuration (refused if invalid).
    pub fn service_reload(&self) -> Result<ServiceInfo> {
        self.remote()?.call(Request::ServiceReload(NoParams))
    }

    /// Asks the service to stop.
    pub fn service_stop(&self) -> Result<()> {
        let _: Value = self.remote()?.call(Request::ServiceStop(NoParams))?;
        Ok(())
    }
}
