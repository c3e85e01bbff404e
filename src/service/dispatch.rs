//! Request dispatch: one arm per method. Store methods are thin pass-throughs
//! to the in-process [`Session`] over the configuration in force.

use super::eventlog::{Entry, ids};
use super::identity::Peer;
use super::state::{Loaded, Service, load, panic_error};
use crate::client::Items;
use crate::client::Session;
use crate::error::{Error, ErrorKind, Result};
use crate::protocol::events::EventLevel;
use crate::protocol::events::{self as ev, EventFilter};
use crate::protocol::executions::{
    self as ex, ExecutionIdParams, HistoryFilter, OutputParams, RunParams, WaitParams,
};
use crate::protocol::store::{self as st, *};
use crate::protocol::{parse_params, service as sv};
use serde::Serialize;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

fn to_value<T: Serialize>(v: T) -> Result<Value> {
    serde_json::to_value(v).map_err(|e| Error::internal(format!("cannot serialize a result: {e}")))
}

/// Runs a store operation on a blocking thread; a panic becomes `Internal`.
async fn store_op<T, F>(svc: &Service, op: F) -> Result<Value>
where
    T: Serialize + Send + 'static,
    F: FnOnce(&Session) -> Result<T> + Send + 'static,
{
    let loaded = svc.loaded();
    let joined = tokio::task::spawn_blocking(move || {
        let session = loaded.session()?;
        Ok(std::panic::catch_unwind(std::panic::AssertUnwindSafe(
            || op(&session),
        )))
    })
    .await;
    match joined {
        Ok(Err(e)) => Err(e),
        Ok(Ok(Ok(result))) => to_value(result?),
        Ok(Ok(Err(panic))) => Err(panic_error("serving the store", panic)),
        Err(e) => Err(Error::internal(format!("a store operation was lost: {e}"))),
    }
}

/// Records a store change in the event log.
fn store_changed(svc: &Service, peer: &Peer, message: String, data: Value) {
    svc.log.write(Entry {
        level: EventLevel::Information,
        event_id: ids::STORE_CHANGED,
        source: "Store",
        user: Some(&peer.user),
        message,
        data,
        execution_id: None,
    });
}

/// Validates, writes and applies a configuration given as JSON (`SetConfig`,
/// and the grant changes of `Access*`).
pub async fn apply_config(svc: &Arc<Service>, peer: &Peer, text: String) -> Result<Value> {
    let r = store_op(svc, move |s| s.set_config(&text)).await?;
    // Re-open from the file just written, so service and store agree.
    let path = svc
        .config_arg
        .clone()
        .or_else(|| svc.loaded().config.path.clone());
    let reloaded: Loaded = tokio::task::spawn_blocking(move || load(path.as_deref()))
        .await
        .map_err(|e| Error::internal(format!("reload lost: {e}")))??;
    svc.replace(reloaded);
    store_changed(
        svc,
        peer,
        format!("The configuration was changed by {}.", peer.user),
        Value::Null,
    );
    Ok(r)
}

/// Executes one request (not `Hello` or `EventsSubscribe`, which the connection handles).
pub async fn dispatch(
    svc: &Arc<Service>,
    peer: &Peer,
    method: &str,
    params: Value,
) -> Result<Value> {
    let m = method;
    match m {
        st::LIST_FOLDERS => {
            let p: ListFoldersParams = parse_params(m, params)?;
            let top = p
                .path
                .as_deref()
                .is_none_or(|p| p.trim_matches(['\\', '/']).is_empty());
            // The top level comes from the configuration in memory: no I/O,
            // so no hop to a blocking thread.
            match svc.loaded().session_if_open() {
                Some(session) if top => to_value(session.list_folders(None)?),
                _ => store_op(svc, move |s| s.list_folders(p.path.as_deref())).await,
            }
        }
        st::LIST_PACKAGES => {
            let p: ListPackagesParams = parse_params(m, params)?;
            store_op(svc, move |s| s.list_packages(&p.folder, p.recursive)).await
        }
        st::PACKAGE_INFO => {
            let p: PathParams = parse_params(m, params)?;
            store_op(svc, move |s| s.package_info(&p.path)).await
        }
        st::EXISTS => {
            let p: PathParams = parse_params(m, params)?;
            store_op(svc, move |s| s.exists(&p.path)).await
        }
        st::FOLDER_CREATE => {
            let p: PathParams = parse_params(m, params)?;
            let r = store_op(svc, move |s| s.folder_create(&p.path)).await?;
            store_changed(
                svc,
                peer,
                format!("Folder {} created by {}.", r["Path"], peer.user),
                r.clone(),
            );
            Ok(r)
        }
        st::FOLDER_RENAME => {
            let p: FolderRenameParams = parse_params(m, params)?;
            let from = p.path.clone();
            let r = store_op(svc, move |s| s.folder_rename(&p.path, &p.new_name)).await?;
            store_changed(
                svc,
                peer,
                format!("Folder {from} renamed to {} by {}.", r["Path"], peer.user),
                r.clone(),
            );
            Ok(r)
        }
        st::FOLDER_DELETE => {
            let p: FolderDeleteParams = parse_params(m, params)?;
            let data = json!({"Path": p.path, "Recursive": p.recursive});
            let path = p.path.clone();
            let r = store_op(svc, move |s| s.folder_delete(&p.path, p.recursive)).await?;
            store_changed(
                svc,
                peer,
                format!("Folder {path} deleted by {}.", peer.user),
                data,
            );
            Ok(r)
        }
        st::PACKAGE_IMPORT => {
            let p: ImportParams = parse_params(m, params)?;
            let file = p.file.clone();
            let r = store_op(svc, move |s| s.package_import(&p.file, &p.dest, p.replace)).await?;
            store_changed(
                svc,
                peer,
                format!(
                    "Package {} imported from '{file}' by {}.",
                    r["Path"], peer.user
                ),
                r.clone(),
            );
            Ok(r)
        }
        st::PACKAGE_EXPORT => {
            let p: ExportParams = parse_params(m, params)?;
            store_op(svc, move |s| s.package_export(&p.path, &p.file, p.replace)).await
        }
        st::PACKAGE_COPY | st::PACKAGE_MOVE => {
            let p: TransferParams = parse_params(m, params)?;
            let copy = m == st::PACKAGE_COPY;
            let source = p.source.clone();
            let r = store_op(svc, move |s| {
                if copy {
                    s.package_copy(&p.source, &p.dest, p.replace)
                } else {
                    s.package_move(&p.source, &p.dest, p.replace)
                }
            })
            .await?;
            let verb = if copy { "copied" } else { "moved" };
            store_changed(
                svc,
                peer,
                format!("Package {source} {verb} to {} by {}.", r["Path"], peer.user),
                r.clone(),
            );
            Ok(r)
        }
        st::PACKAGE_DELETE => {
            let p: PathParams = parse_params(m, params)?;
            let path = p.path.clone();
            let r = store_op(svc, move |s| s.package_delete(&p.path)).await?;
            store_changed(
                svc,
                peer,
                format!("Package {path} deleted by {}.", peer.user),
                json!({"Path": path}),
            );
            Ok(r)
        }
        st::GET_CONFIG => {
            let _: serde::de::IgnoredAny = parse_params(m, params)?;
            to_value(&*svc.loaded().config)
        }
        st::SET_CONFIG => {
            let p: SetConfigParams = parse_params(m, params)?;
            apply_config(svc, peer, p.config.to_string()).await
        }
        ex::RUN => {
            let p: RunParams = parse_params(m, params)?;
            let config = svc.loaded().config;
            to_value(svc.executions.start(&config, &p, peer).await?)
        }
        ex::STOP => {
            let p: ExecutionIdParams = parse_params(m, params)?;
            to_value(svc.executions.stop(
                &p.execution_id,
                &peer.user,
                &format!("asked by {}", peer.user),
            )?)
        }
        ex::LIST => {
            let _: serde::de::IgnoredAny = parse_params(m, params)?;
            to_value(Items::from(svc.executions.list()?))
        }
        ex::GET => {
            let p: ExecutionIdParams = parse_params(m, params)?;
            to_value(svc.executions.get(&p.execution_id)?)
        }
        ex::OUTPUT => {
            let p: OutputParams = parse_params(m, params)?;
            to_value(svc.executions.output(&p)?)
        }
        ex::WAIT => {
            let p: WaitParams = parse_params(m, params)?;
            let timeout = p.timeout_ms.map(Duration::from_millis);
            to_value(svc.executions.wait(&p.execution_id, timeout).await?)
        }
        ex::HISTORY => {
            let f: HistoryFilter = parse_params(m, params)?;
            to_value(Items::from(svc.executions.history(&f)?))
        }
        ev::READ => {
            let f: EventFilter = parse_params(m, params)?;
            to_value(Items::from(svc.db.events(&f)?))
        }
        sv::INFO => {
            let _: serde::de::IgnoredAny = parse_params(m, params)?;
            to_value(svc.info())
        }
        sv::RELOAD => {
            let _: serde::de::IgnoredAny = parse_params(m, params)?;
            let me = Arc::clone(svc);
            let user = peer.user.clone();
            tokio::task::spawn_blocking(move || me.reload(&user))
                .await
                .map_err(|e| Error::internal(format!("reload lost: {e}")))
                .and_then(|r| r)
                .and_then(to_value)
        }
        sv::STOP => {
            let _: serde::de::IgnoredAny = parse_params(m, params)?;
            svc.request_shutdown(format!("asked by {} ({})", peer.user, peer.describe()));
            Ok(json!({}))
        }
        m if m.starts_with("Access") && super::access::methods::is_known(m) => {
            super::access::admin::handle(svc, peer, m, params).await
        }
        sv::HELLO => Err(Error::new(
            ErrorKind::Protocol,
            "Hello was already sent on this connection",
        )),
        other => Err(Error::new(
            ErrorKind::Protocol,
            format!("unknown method '{other}' (see docs/PROTOCOL.md for the methods)"),
        )
        .with_target("Method")),
    }
}
