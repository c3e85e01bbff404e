//! Runs of `ssis exec` registered with the service: the registration on its
//! own connection, cancel requests arriving on it, and the reported end.

use super::REQUEST_TIMEOUT;
use crate::Session;
use ssis_core::error::{Error, ErrorKind, Result};
use ssis_core::protocol::MAX_MESSAGE_SIZE;
use ssis_core::protocol::Request;
use ssis_core::protocol::codec::{Frame, read_frame};
use ssis_core::protocol::envelope::ServerMessage;
use ssis_core::protocol::executions::{CANCEL_REQUESTED, Execution, FinishParams, RegisterParams};

/// A run registered with [`Session::register_run`].
pub struct Registration {
    session: Session,
    execution: Execution,
}

impl Registration {
    /// The execution as the service recorded it.
    pub fn execution(&self) -> &Execution {
        &self.execution
    }

    /// Reports how the run ended (dtexec's exit code).
    pub fn finish(&self, exit_code: i32) -> Result<Execution> {
        self.session
            .remote()?
            .call(Request::ExecutionFinish(FinishParams {
                execution_id: self.execution.execution_id.clone(),
                exit_code,
            }))
    }
}

impl Session {
    /// Registers a run of `ssis exec` started outside the service, so that
    /// it is listed and kept in history. `on_cancel` is called (on a thread
    /// of the registration) when someone with the right asks the run to
    /// stop. Report the end with [`Registration::finish`].
    pub fn register_run(
        &self,
        params: RegisterParams,
        on_cancel: impl Fn() + Send + 'static,
    ) -> Result<Registration> {
        let mut conn = self.remote()?.reopen()?;
        let value = conn.call(
            1,
            &Request::ExecutionRegister(params),
            Some(REQUEST_TIMEOUT),
        )?;
        let execution: Execution = serde_json::from_value(value).map_err(|e| {
            Error::new(
                ErrorKind::Protocol,
                format!("bad ExecutionRegister result: {e}"),
            )
        })?;
        // The registration connection only carries CancelRequested from now on.
        std::thread::spawn(move || {
            conn.set_timeout(None);
            while let Ok(frame) = read_frame(&mut conn.reader, MAX_MESSAGE_SIZE) {
                let Frame::Line(line) = frame else {
                    if matches!(frame, Frame::Eof) {
                        break;
                    }
                    continue;
                };
                if let Ok(ServerMessage::Notification(n)) = ServerMessage::parse(&line) {
                    if n.notification == CANCEL_REQUESTED {
                        on_cancel();
                    }
                }
            }
        });
        Ok(Registration {
            session: self.clone(),
            execution,
        })
    }
}
