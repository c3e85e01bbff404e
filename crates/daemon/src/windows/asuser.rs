//! Packages run with the named-pipe client's token, as the SSIS catalog's
//! ISServerExec runs each execution under the calling Windows account.
//!
//! In the service ([`for_caller`], [`hand_over`]): a pipe caller other than
//! the service's own account runs as itself — the primary token taken when
//! it connected goes with the run, copied (not inheritable) into the
//! supervisor that takes the job. Administrators are no exception: their
//! packages run with their own (elevated) token, never as the service. A
//! caller without a token (a network caller: its account would need a
//! password, LogonUser; a pipe client that allowed identification only) is
//! refused, and so is a `RunAs` proxy grant (it would need the account's
//! password too).
//!
//! In the supervisor ([`run_job`], [`spawn`]), which stays the service's so the output
//! log and exit file in the private state folder need no new rights: the
//! executor is started with CreateProcessAsUserW, the caller's environment
//! (CreateEnvironmentBlock) and profile folder, and only its three standard
//! handles inherited. The supervisor's Job Object and console process
//! group take the executor in, so stops work as for any run. Without
//! SeAssignPrimaryTokenPrivilege and SeIncreaseQuotaPrivilege (LocalSystem
//! holds both) the start fails, saying so; the executor is never started
//! as the service instead.

use super::caller;
use super::spawn;
use super::token::{PrimaryToken, Win32Error};
use crate::identity::Peer;
use crate::runas::{RunAs, proxy_of};
use crate::supervise::{EXIT_NOT_STARTED, ExitReport, Job, report};
use ssis_core::config::Grant;
use ssis_core::error::{Error, ErrorKind, Result};
use std::io::Write;
use std::sync::OnceLock;
use windows_sys::Win32::Foundation::{ERROR_PRIVILEGE_NOT_HELD, HANDLE};

/// Set (to anything) in the service's environment: the service's own
/// account also runs its packages with its pipe token, the way every other
/// caller does. Never more power than the caller has; it lets a machine
/// with one account (Wine) show the path other accounts take.
pub const TOKEN_FOR_OWN_ACCOUNT: &str = "SSIS_SERVICE_TOKEN_FOR_OWN_ACCOUNT";

/// Whom `peer`'s package runs as on Windows: `None` (as the service) for
/// the service's own account, else the caller with its pipe token; refused
/// for a caller the service holds no token of.
pub fn for_caller(peer: &Peer, grants: &[Grant]) -> Result<Option<RunAs>> {
    if let Some(proxy) = proxy_of(peer, grants)? {
        return Err(Error::new(
            ErrorKind::Configuration,
            format!(
                "the grant to {} names RunAs=\"{proxy}\": on Windows the service starts packages \
                 only with the token of the named-pipe client who asks, and running as another \
                 account would need its password; remove RunAs (see docs/WINDOWS.md)",
                peer.user
            ),
        )
        .with_target(proxy));
    }
    let own = is_service_account(peer) && std::env::var_os(TOKEN_FOR_OWN_ACCOUNT).is_none();
    match &peer.caller_token {
        Some(token) if !own => Ok(Some(RunAs {
            user: token.user.name.clone(),
            token: Some(token.clone()),
            token_handle: None,
        })),
        _ if own => Ok(None),
        _ => Err(no_token(peer)),
    }
}

/// Whether `peer` is the account the service runs as: by the SID of its
/// token when it has one, else by name.
fn is_service_account(peer: &Peer) -> bool {
    static SERVICE: OnceLock<Option<caller::Principal>> = OnceLock::new();
    let Some(service) = SERVICE.get_or_init(|| caller::current().ok().map(|c| c.user)) else {
        return false;
    };
    match &peer.caller_token {
        Some(token) => token.user.sid.eq_ignore_ascii_case(&service.sid),
        None => !peer.needs_token && peer.user.eq_ignore_ascii_case(&service.name),
    }
}

fn no_token(peer: &Peer) -> Error {
    let why = if peer.transport.starts_with("pipe:") {
        "the service could not take their token when they connected (its log says why: a pipe \
         client must allow impersonation, and the service must be able to open the token)"
    } else {
        "on Windows the service starts packages only with the token of a named-pipe client, and \
         a network caller's account would need its password (LogonUser)"
    };
    Error::new(
        ErrorKind::AccessDenied,
        format!(
            "Access is denied: packages run as the account of whoever starts them, and {why}; \
             {} may connect over the named pipe or run the package with 'ssis exec' (see \
             docs/WINDOWS.md)",
            peer.user
        ),
    )
    .with_target(peer.user.clone())
}

/// In the service, once the supervisor `process` is chosen: copies the
/// caller's token into it and records the copy's value in `run_as`.
///
/// # Safety
/// `process` is the handle of a live child of this process (which holds
/// PROCESS_DUP_HANDLE on it) for the whole call.
pub unsafe fn hand_over(run_as: &mut RunAs, process: HANDLE) -> Result<()> {
    let Some(token) = &run_as.token else {
        return Ok(());
    };
    // SAFETY: the caller's promise about `process`.
    let value = unsafe { token.duplicate_into(process) }.map_err(|e| {
        Error::internal(format!(
            "cannot give {}'s token to the supervisor: {e}",
            run_as.user
        ))
    })?;
    run_as.token_handle = Some(value);
    Ok(())
}

/// Why an executor could not be started with a caller's token, in words:
/// a missing privilege is named, and it is said that nothing ran instead.
pub fn describe_failure(user: &str, e: &Win32Error) -> String {
    if e.code() == Some(ERROR_PRIVILEGE_NOT_HELD) {
        format!(
            "cannot start it as {user}: {e}. The service needs SeAssignPrimaryTokenPrivilege \
             and SeIncreaseQuotaPrivilege (LocalSystem holds both) to start a package with its \
             caller's token; it never runs the package as itself instead"
        )
    } else {
        format!("cannot start it as {user}: {e}")
    }
}

/// In the supervisor: runs the job's executor with the caller's token the
/// service handed over, its stdout and stderr into `output` (the capped
/// log's pipe), and says in the log (`notes`) whom it started it as and
/// how. The executor is never started any other way: without a usable
/// token the job fails.
pub fn run_job(
    job: &Job,
    run_as: &RunAs,
    notes: Option<std::fs::File>,
    output: Option<std::fs::File>,
) -> ExitReport {
    let program = &job.command_line[0];
    let note = |message: &str| {
        if let Some(mut log) = notes.as_ref() {
            let _ = writeln!(log, "ssis service supervise: {message}");
        }
    };
    let failed = |message: String| {
        eprintln!("ssis service supervise: {message}");
        note(&message);
        report(EXIT_NOT_STARTED, None, 0, Some(message))
    };
    let Some(value) = run_as.token_handle else {
        return failed(format!("no token of {} came with the job", run_as.user));
    };
    // SAFETY: the service copied this handle into this process for this job
    // alone; nothing else here owns it. It is checked before it is used.
    let token = match unsafe { PrimaryToken::adopt(value) } {
        Ok(t) => t,
        Err(e) => return failed(format!("the token of {} is not usable: {e}", run_as.user)),
    };
    note(&format!(
        "starting '{program}' as {} with the caller's token (CreateProcessAsUserW)",
        token.user.name
    ));
    let env = job.environment();
    let child = match spawn::spawn(&token, &job.command_line, &env, output.as_ref()) {
        Ok(c) => c,
        Err(e) => return failed(describe_failure(&token.user.name, &e)),
    };
    drop(token);
    // The pipe's writing end now lives only in the executor: the copier
    // sees the end of its output when it exits.
    drop(output);
    drop(notes);
    match child.wait() {
        Ok(code) => report(code as i32, None, child.pid, None),
        Err(e) => report(1, None, child.pid, Some(format!("cannot wait for it: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::super::token::own_primary_token;
    use super::*;
    use std::io;

    #[test]
    fn a_missing_privilege_is_named_and_nothing_runs_instead() {
        let e = Win32Error {
            call: "CreateProcessAsUserW",
            error: io::Error::from_raw_os_error(ERROR_PRIVILEGE_NOT_HELD as i32),
        };
        let text = describe_failure("CORP\\carol", &e);
        assert!(
            text.starts_with("cannot start it as CORP\\carol: CreateProcessAsUserW failed: ")
                && text.contains("SeAssignPrimaryTokenPrivilege")
                && text.contains("SeIncreaseQuotaPrivilege")
                && text.contains("never runs the package as itself"),
            "{text}"
        );
    }

    fn peer(user: &str, transport: &str) -> Peer {
        Peer {
            user: user.into(),
            uid: None,
            gid: None,
            groups: Vec::new(),
            process_id: None,
            transport: transport.into(),
            needs_token: false,
            token: None,
            caller_token: None,
        }
    }

    #[test]
    fn callers_without_a_token_are_refused_and_the_service_account_is_not() {
        let pipe = for_caller(&peer("CORP\\carol", "pipe:x"), &[]).unwrap_err();
        assert_eq!(pipe.kind, ErrorKind::AccessDenied);
        assert!(
            pipe.message.contains("could not take their token"),
            "{pipe}"
        );
        let tls = for_caller(&peer("carol", "tls:0.0.0.0:1"), &[]).unwrap_err();
        assert!(tls.message.contains("LogonUser"), "{tls}");
        let me = caller::current().unwrap().user.name;
        if std::env::var_os(TOKEN_FOR_OWN_ACCOUNT).is_none() {
            assert_eq!(for_caller(&peer(&me, "pipe:x"), &[]).unwrap(), None);
        }
        // With a token: the caller runs with it.
        let mut carol = peer("CORP\\carol", "pipe:x");
        let mut token = own_primary_token();
        token.user.sid = "S-1-5-21-1-2-3-1001".into();
        token.user.name = "CORP\\carol".into();
        carol.caller_token = Some(std::sync::Arc::new(token));
        let run_as = for_caller(&carol, &[]).unwrap().expect("runs as carol");
        assert_eq!(run_as.user, "CORP\\carol");
        assert_eq!(run_as.token, carol.caller_token);
        // A proxy grant would need a password: refused.
        let grant = Grant {
            principal: "user:CORP\\carol".into(),
            rights: vec![],
            run_as: Some("CORP\\etl".into()),
        };
        let proxy = for_caller(&carol, &[grant]).unwrap_err();
        assert_eq!(proxy.kind, ErrorKind::Configuration);
        assert!(proxy.message.contains("RunAs=\"CORP\\etl\""), "{proxy}");
    }
}
