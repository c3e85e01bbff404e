//! Request dispatch: one `match` over [`Request`]. Store, configuration and
//! grant requests call the operations layer ([`ssis_core::ops`]) on the
//! configuration in force; executions, events and service control are the
//! daemon's own.

use super::access::policy::rights_of;
use super::eventlog::{Entry, ids};
use super::identity::Peer;
use super::state::{Service, panic_error};
use serde::Serialize;
use serde_json::{Value, json};
use ssis_core::config::{Right, ServiceConfig};
use ssis_core::error::{Error, ErrorKind, Result};
use ssis_core::ops::{Items, Workspace};
use ssis_core::protocol::Request;
use ssis_core::protocol::events::EventLevel;
use ssis_core::protocol::executions::Execution;
use ssis_core::store::StorePath;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

fn to_value<T: Serialize>(v: T) -> Result<Value> {
    serde_json::to_value(v).map_err(|e| Error::internal(format!("cannot serialize a result: {e}")))
}

/// Runs `op` on a blocking thread (the store does I/O); a panic becomes `Internal`.
pub async fn blocking<T, F>(op: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T> + Send + 'static,
{
    let joined = tokio::task::spawn_blocking(move || {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(op))
    })
    .await;
    match joined {
        Ok(Ok(result)) => result,
        Ok(Err(panic)) => Err(panic_error("serving the store", panic)),
        Err(e) => Err(Error::internal(format!("a store operation was lost: {e}"))),
    }
}

/// Runs a store operation on the workspace in force.
async fn store_op<T, F>(svc: &Service, op: F) -> Result<Value>
where
    T: Serialize + Send + 'static,
    F: FnOnce(&Workspace) -> Result<T> + Send + 'static,
{
    let ws = svc.loaded();
    to_value(blocking(move || op(&ws)).await?)
}

fn path(text: &str) -> Result<StorePath> {
    StorePath::parse(text)
}

/// A store path from a result, as people read it (`\File System\X`, not
/// its JSON form).
fn shown(path: &Value) -> &str {
    path.as_str().unwrap_or_default()
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

/// Validates, writes and applies a new configuration (`SetConfig`).
async fn set_config(svc: &Arc<Service>, peer: &Peer, config: Value) -> Result<Value> {
    let new = ServiceConfig::from_json(&config.to_string())?;
    let me = Arc::clone(svc);
    let ws = blocking(move || me.host.set_config(new)).await?;
    store_changed(
        svc,
        peer,
        format!("The configuration was changed by {}.", peer.user),
        Value::Null,
    );
    to_value(&*ws.config)
}

/// Executes one request (not `Hello` or `EventsSubscribe`, which the
/// connection handles). The caller's rights were checked.
pub async fn dispatch(svc: &Arc<Service>, peer: &Peer, request: Request) -> Result<Value> {
    use Request::*;
    match request {
        ListFolders(p) => {
            let folder = path(p.path.as_deref().unwrap_or(""))?;
            if folder.is_root() {
                // The top level comes from the configuration in memory: no
                // I/O, so no hop to a blocking thread.
                to_value(svc.loaded().list_folders(&folder)?)
            } else {
                store_op(svc, move |w| w.list_folders(&folder)).await
            }
        }
        ListPackages(p) => {
            let folder = path(&p.folder)?;
            store_op(svc, move |w| w.list_packages(&folder, p.recursive)).await
        }
        PackageInfo(p) => {
            let package = path(&p.path)?;
            store_op(svc, move |w| w.package_info(&package)).await
        }
        Exists(p) => {
            let item = path(&p.path)?;
            store_op(svc, move |w| w.exists(&item)).await
        }
        FolderCreate(p) => {
            let folder = path(&p.path)?;
            let r = store_op(svc, move |w| w.folder_create(&folder)).await?;
            let message = format!("Folder {} created by {}.", shown(&r["Path"]), peer.user);
            store_changed(svc, peer, message, r.clone());
            Ok(r)
        }
        FolderRename(p) => {
            let folder = path(&p.path)?;
            let r = store_op(svc, move |w| w.folder_rename(&folder, &p.new_name)).await?;
            let message = format!(
                "Folder {} renamed to {} by {}.",
                p.path,
                shown(&r["Path"]),
                peer.user
            );
            store_changed(svc, peer, message, r.clone());
            Ok(r)
        }
        FolderDelete(p) => {
            let folder = path(&p.path)?;
            let r = store_op(svc, move |w| w.folder_delete(&folder, p.recursive)).await?;
            let message = format!("Folder {} deleted by {}.", p.path, peer.user);
            let data = json!({"Path": p.path, "Recursive": p.recursive});
            store_changed(svc, peer, message, data);
            Ok(r)
        }
        PackageImport(p) => {
            let dest = path(&p.dest)?;
            let from = match &p.content {
                Some(_) => format!("sent by {}", peer.user),
                None => format!("imported from '{}'", p.file),
            };
            let r = match p.content {
                Some(content) => {
                    let data = ssis_core::protocol::decode_content(&content)?;
                    store_op(svc, move |w| {
                        w.package_import_bytes(&data, p.name.as_deref(), &dest, p.replace)
                    })
                    .await?
                }
                None if !p.file.is_empty() => {
                    store_op(svc, move |w| {
                        w.package_import(Path::new(&p.file), &dest, p.replace)
                    })
                    .await?
                }
                None => {
                    return Err(Error::invalid(
                        "PackageImport needs the package's bytes (Content)",
                    )
                    .with_target("Content"));
                }
            };
            let message = format!("Package {} {from} by {}.", shown(&r["Path"]), peer.user);
            store_changed(svc, peer, message, r.clone());
            Ok(r)
        }
        PackageExport(p) => {
            let package = path(&p.path)?;
            if p.file.is_empty() {
                let shown = package.to_string();
                let data = blocking({
                    let ws = svc.loaded();
                    move || ws.package_read(&package)
                })
                .await?;
                to_value(ssis_core::store::ExportResult {
                    path: shown,
                    file: String::new(),
                    size: data.len() as u64,
                    content: Some(ssis_core::protocol::encode_content(&data)),
                })
            } else {
                store_op(svc, move |w| {
                    w.package_export(&package, Path::new(&p.file), p.replace)
                })
                .await
            }
        }
        PackageCopy(p) => transfer(svc, peer, p, true).await,
        PackageMove(p) => transfer(svc, peer, p, false).await,
        PackageDelete(p) => {
            let package = path(&p.path)?;
            let r = store_op(svc, move |w| w.package_delete(&package)).await?;
            let message = format!("Package {} deleted by {}.", p.path, peer.user);
            store_changed(svc, peer, message, json!({"Path": p.path}));
            Ok(r)
        }
        GetConfig(_) => to_value(&*svc.loaded().config),
        SetConfig(p) => set_config(svc, peer, p.config).await,
        PatchConfig(p) => {
            let (me, patch) = (Arc::clone(svc), p.patch.to_string());
            let ws = blocking(move || ssis_core::ops::config::patch(&me.host, &patch)).await?;
            let message = format!(
                "The configuration was patched by {}: {}.",
                peer.user, p.patch
            );
            store_changed(svc, peer, message, p.patch);
            to_value(&*ws.config)
        }
        ExecutionRun(p) => {
            // A stored package must exist before the run is answered: the
            // store's own lookup (one round trip for msdb), so a missing
            // package or an unreachable server is an error now, not a
            // failed run found later in the history.
            if let (Some(package), None) = (&p.package, &p.project) {
                let package = path(package)?;
                let shown = package.to_string();
                let ws = svc.loaded();
                let found = blocking(move || ws.exists(&package)).await?;
                if found.kind != ssis_core::store::ItemKind::Package {
                    return Err(
                        Error::not_found(format!("the package '{shown}' does not exist"))
                            .with_target(shown),
                    );
                }
            }
            let ws = svc.loaded();
            to_value(svc.executions.start(&ws, &p, peer).await?)
        }
        ExecutionStop(p) => {
            own_execution(svc, peer, "ExecutionStop", &p.execution_id)?;
            to_value(svc.executions.stop(
                &p.execution_id,
                &peer.user,
                &format!("asked by {}", peer.user),
            )?)
        }
        ExecutionFinish(p) => to_value(svc.executions.finish_registered(peer, &p)?),
        ExecutionList(_) => {
            let all = operates_all(svc, peer);
            let mine = svc
                .executions
                .list()?
                .into_iter()
                .filter(|e| all || e.started_by == peer.user)
                .collect::<Vec<_>>();
            to_value(Items::from(mine))
        }
        ExecutionGet(p) => to_value(own_execution(svc, peer, "ExecutionGet", &p.execution_id)?),
        ExecutionOutput(p) => {
            own_execution(svc, peer, "ExecutionOutput", &p.execution_id)?;
            to_value(svc.executions.output(&p)?)
        }
        ExecutionWait(p) => {
            own_execution(svc, peer, "ExecutionWait", &p.execution_id)?;
            let timeout = p.timeout_ms.map(Duration::from_millis);
            to_value(svc.executions.wait(&p.execution_id, timeout).await?)
        }
        ExecutionHistory(mut f) => {
            if !operates_all(svc, peer) {
                let other = f
                    .user
                    .as_deref()
                    .is_some_and(|u| !u.eq_ignore_ascii_case(&peer.user));
                if other {
                    return to_value(Items::<Execution>::from(Vec::new()));
                }
                f.user = Some(peer.user.clone());
            }
            to_value(Items::from(svc.executions.history(&f)?))
        }
        EventsRead(f) => to_value(Items::from(svc.db.events(&f)?)),
        ServiceInfo(_) => to_value(svc.info()),
        ServiceReload(_) => {
            let me = Arc::clone(svc);
            let user = peer.user.clone();
            to_value(blocking(move || me.reload(&user)).await?)
        }
        ServiceStop(_) => {
            let reason = format!("asked by {} ({})", peer.user, peer.describe());
            svc.request_shutdown(reason, Some(peer.user.clone()));
            Ok(json!({}))
        }
        request @ (AccessList(_) | AccessGrant(_) | AccessRevoke(_) | AccessTokenCreate(_)
        | AccessTokenList(_) | AccessTokenRevoke(_)) => {
            super::access::admin::handle(svc, peer, request).await
        }
        Hello(_) => Err(Error::new(
            ErrorKind::Protocol,
            "Hello was already sent on this connection",
        )),
        EventsSubscribe(_) | ExecutionRegister(_) => Err(Error::internal(
            "EventsSubscribe and ExecutionRegister are handled by the connection",
        )),
    }
}

/// Whether `peer` may see and stop every user's executions (the Operate right).
fn operates_all(svc: &Service, peer: &Peer) -> bool {
    rights_of(peer, &svc.loaded().config.extensions.grants).contains(&Right::Operate)
}

/// For a subscription: `None` when `peer` may follow every execution, else
/// the user whose executions it may follow; refused when it names another
/// user's execution.
pub fn execution_viewer(svc: &Service, peer: &Peer, id: Option<&str>) -> Result<Option<String>> {
    if operates_all(svc, peer) {
        return Ok(None);
    }
    if let Some(id) = id {
        own_execution(svc, peer, "EventsSubscribe", id)?;
    }
    Ok(Some(peer.user.clone()))
}

/// The execution `id`, if `peer` started it or holds Operate; else a
/// logged refusal naming the Operate right.
fn own_execution(svc: &Service, peer: &Peer, method: &str, id: &str) -> Result<Execution> {
    let e = svc.executions.get(id)?;
    if e.started_by == peer.user || operates_all(svc, peer) {
        Ok(e)
    } else {
        Err(super::access::check::deny(
            svc,
            peer,
            method,
            Right::Operate,
        ))
    }
}

/// `PackageCopy` and `PackageMove`: the same parameters, another verb.
async fn transfer(
    svc: &Arc<Service>,
    peer: &Peer,
    p: ssis_core::protocol::store::TransferParams,
    copy: bool,
) -> Result<Value> {
    let (source, dest) = (path(&p.source)?, path(&p.dest)?);
    let r = store_op(svc, move |w| {
        if copy {
            w.package_copy(&source, &dest, p.replace)
        } else {
            w.package_move(&source, &dest, p.replace)
        }
    })
    .await?;
    let verb = if copy { "copied" } else { "moved" };
    let message = format!(
        "Package {} {verb} to {} by {}.",
        p.source,
        shown(&r["Path"]),
        peer.user
    );
    store_changed(svc, peer, message, r.clone());
    Ok(r)
}
