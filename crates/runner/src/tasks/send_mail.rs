//! The Send Mail Task over an SMTP connection manager (see
//! [`crate::connections::smtp`]): From, To, CC, BCC, Subject, Priority, the
//! message from the task, a variable or a file connection, and attachments
//! (`FileAttachments`, paths separated by `|`) read as the caller.

use super::{TaskContext, TaskOutcome};
use crate::connections::smtp::{Mail, SmtpTarget, addresses, send};
use crate::model::{Package, SendMailSpec, SqlSourceType};
use ssis_core::error::ErrorKind;
use std::path::Path;

/// Runs the task.
pub fn run(spec: &SendMailSpec, pkg: &Package, ctx: &mut TaskContext<'_>) -> TaskOutcome {
    match run_inner(spec, pkg, ctx) {
        Ok(()) => TaskOutcome::Success,
        Err(None) => TaskOutcome::Canceled,
        Err(Some(m)) => TaskOutcome::Failed(m),
    }
}

fn run_inner(
    spec: &SendMailSpec,
    pkg: &Package,
    ctx: &mut TaskContext<'_>,
) -> Result<(), Option<String>> {
    let cm = pkg.connection(&spec.smtp_connection).ok_or_else(|| {
        Some(format!(
            "the SMTP connection manager '{}' does not exist",
            spec.smtp_connection
        ))
    })?;
    let cs = ctx.connection_string(cm)?;
    let target = SmtpTarget::parse(&cm.name, &cs).map_err(|e| Some(e.message))?;
    let body = match spec.source_type {
        SqlSourceType::DirectInput => spec.message_source.clone(),
        SqlSourceType::Variable => ctx
            .var_text(spec.message_source.trim())
            .map_err(|e| Some(format!("the message variable: {e}")))?,
        SqlSourceType::FileConnection => {
            let fcm = pkg.connection(&spec.message_source).ok_or_else(|| {
                Some(format!(
                    "the message's file connection '{}' does not exist",
                    spec.message_source
                ))
            })?;
            let path = ctx.connection_string(fcm)?;
            std::fs::read_to_string(path.trim()).map_err(|e| {
                Some(format!(
                    "cannot read the message file '{}': {e}",
                    path.trim()
                ))
            })?
        }
    };
    let mut attachments = Vec::new();
    for p in spec
        .attachments
        .split('|')
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let data =
            std::fs::read(p).map_err(|e| Some(format!("cannot read the attachment '{p}': {e}")))?;
        let name = Path::new(p)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| p.to_string());
        attachments.push((name, data));
    }
    let mail = Mail {
        from: spec.from.trim().to_string(),
        to: addresses(&spec.to),
        cc: addresses(&spec.cc),
        bcc: addresses(&spec.bcc),
        subject: spec.subject.clone(),
        body,
        priority: spec.priority.clone(),
        attachments,
    };
    match send(&target, &mail, ctx.cancel) {
        Ok(()) => {
            ctx.info(format!(
                "Send Mail Task: the message '{}' was sent through {}:{}",
                mail.subject, target.host, target.port
            ));
            Ok(())
        }
        Err(e) if e.kind == ErrorKind::Canceled => Err(None),
        Err(e) => Err(Some(format!(
            "An error occurred with the following error message: \"{}\".",
            e.message
        ))),
    }
}
