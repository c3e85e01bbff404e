//! The one list of operations: [`Request`], a variant per protocol method,
//! each carrying its typed parameters.
//!
//! On the wire a request is `{"Id", "Method", "Params"}`; `Method` is the
//! variant's name and `Params` its parameters (see [`super::envelope`]). The
//! facts the service needs about a request are methods here with exhaustive
//! `match`es, so a new variant does not compile until it says which right it
//! needs ([`Request::right`]), which files it names ([`Request::files`]) and
//! whether it is logged ([`Request::logged`]).
//!
//! Adding an operation: a variant here (with its parameter type in the
//! group's file), its handler in `ops` (store, configuration, access) or in
//! the daemon (executions, events, service), and the front ends that expose
//! it (client session, CLI, C API, PowerShell). docs/ARCHITECTURE.md keeps
//! this recipe.

use super::access::{GrantParams, RevokeParams, TokenCreateParams, TokenRevokeParams};
use super::events::{EventFilter, SubscribeParams};
use super::executions::{
    ExecutionIdParams, FinishParams, HistoryFilter, OutputParams, RegisterParams, RunParams,
    WaitParams,
};
use super::service::HelloParams;
use super::store::{
    ExportParams, FolderDeleteParams, FolderRenameParams, ImportParams, ListFoldersParams,
    ListPackagesParams, PatchConfigParams, PathParams, SetConfigParams, TransferParams,
};
use crate::config::Right;
use crate::error::{Error, ErrorKind, Result};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};
use strum::{EnumDiscriminants, EnumIter, EnumString, IntoStaticStr};

/// A request, by method. Serializes as `{"Method": name, "Params": {...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, EnumDiscriminants, EnumIter)]
#[serde(tag = "Method", content = "Params")]
#[strum_discriminants(
    name(Method),
    derive(EnumString, IntoStaticStr, EnumIter, Hash),
    doc = "A protocol method's name, without its parameters."
)]
pub enum Request {
    /// The first message of every connection: protocol version, client, token.
    Hello(HelloParams),
    /// What the service is and runs with.
    ServiceInfo(NoParams),
    /// Re-read the configuration file.
    ServiceReload(NoParams),
    /// Shut the service down.
    ServiceStop(NoParams),
    /// Top-level folders, or the subfolders of `Path`.
    ListFolders(ListFoldersParams),
    /// Packages in a folder.
    ListPackages(ListPackagesParams),
    /// One package in detail.
    PackageInfo(PathParams),
    /// What a store path names.
    Exists(PathParams),
    /// Create a folder.
    FolderCreate(PathParams),
    /// Rename a folder.
    FolderRename(FolderRenameParams),
    /// Delete a folder.
    FolderDelete(FolderDeleteParams),
    /// A package file becomes a stored package.
    PackageImport(ImportParams),
    /// A stored package is written to a file.
    PackageExport(ExportParams),
    /// Copy a package.
    PackageCopy(TransferParams),
    /// Move a package.
    PackageMove(TransferParams),
    /// Delete a package.
    PackageDelete(PathParams),
    /// The configuration in force.
    GetConfig(NoParams),
    /// Validate, write and apply a configuration (JSON form).
    SetConfig(SetConfigParams),
    /// Change only the settings a JSON merge patch names, atomically
    /// (grants, listeners and the file's unknown elements are kept).
    PatchConfig(PatchConfigParams),
    /// Start a stored package or a package file.
    ExecutionRun(RunParams),
    /// Stop a running execution (graceful, then forced).
    ExecutionStop(ExecutionIdParams),
    /// Register a run of `ssis exec` started outside the service, so that it
    /// is listed, kept in history and can be asked to stop; the connection
    /// then carries `CancelRequested` notifications for it.
    ExecutionRegister(RegisterParams),
    /// How a registered run ended (from the process that registered it).
    ExecutionFinish(FinishParams),
    /// Executions that have not finished.
    ExecutionList(NoParams),
    /// One execution.
    ExecutionGet(ExecutionIdParams),
    /// A range of an execution's output log.
    ExecutionOutput(OutputParams),
    /// Wait until an execution finishes.
    ExecutionWait(WaitParams),
    /// Executions, finished or not, with filters.
    ExecutionHistory(HistoryFilter),
    /// Query the event log.
    EventsRead(EventFilter),
    /// Receive `ExecutionEvent` and `LogEvent` notifications on this connection.
    EventsSubscribe(SubscribeParams),
    /// The grants in force.
    AccessList(NoParams),
    /// Add rights to a user or group.
    AccessGrant(GrantParams),
    /// Take rights from a user or group.
    AccessRevoke(RevokeParams),
    /// Create a bearer token for the TLS listener.
    AccessTokenCreate(TokenCreateParams),
    /// The bearer tokens (never their secret).
    AccessTokenList(NoParams),
    /// Delete bearer tokens.
    AccessTokenRevoke(TokenRevokeParams),
}

/// How a request uses a file it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileUse {
    /// The service would read the file itself (superusers only).
    Read,
    /// The service would create or replace the file itself (superusers only).
    Write,
    /// The executor, started as the caller, reads the file (the OS decides).
    Run,
}

/// A file a request names, by the parameter that names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NamedFile<'a> {
    /// The parameter (`File`).
    pub param: &'static str,
    /// The path as the request gives it.
    pub path: &'a str,
    /// Read or written.
    pub usage: FileUse,
}

impl Request {
    /// The method's name, as on the wire.
    pub fn method(&self) -> Method {
        Method::from(self)
    }

    /// Parses a method's parameters: an unknown method is a `Protocol` error
    /// targeting `Method`, parameters of the wrong shape an `InvalidArgument`
    /// targeting `<Method>.Params`. Absent (`null`) parameters are `{}`.
    pub fn decode(method: &str, params: Value) -> Result<Request> {
        if method.parse::<Method>().is_err() {
            return Err(Error::new(
                ErrorKind::Protocol,
                format!("unknown method '{method}' (see docs/PROTOCOL.md for the methods)"),
            )
            .with_target("Method"));
        }
        let params = match params {
            Value::Null => Value::Object(Map::new()),
            other => other,
        };
        let mut tagged = Map::new();
        tagged.insert("Method".into(), Value::String(method.to_string()));
        tagged.insert("Params".into(), params);
        serde_json::from_value(Value::Object(tagged)).map_err(|e| {
            Error::invalid(format!("invalid parameters for {method}: {e}"))
                .with_target(format!("{method}.Params"))
        })
    }

    /// One request of every method, each with default parameters: what
    /// tests iterate over, so a new method is covered by them at once.
    pub fn every() -> impl Iterator<Item = Request> {
        <Request as strum::IntoEnumIterator>::iter()
    }

    /// The parameters as the wire carries them.
    pub fn params(&self) -> Value {
        match serde_json::to_value(self) {
            Ok(Value::Object(mut m)) => m.remove("Params").unwrap_or(Value::Null),
            _ => Value::Null,
        }
    }

    /// The right a caller needs (beside `Connect`, which every request needs).
    pub fn right(&self) -> Right {
        use Request::*;
        match self {
            Hello(_) => Right::Connect,
            ServiceInfo(_) | ListFolders(_) | ListPackages(_) | PackageInfo(_) | Exists(_)
            | PackageExport(_) | ExecutionList(_) | ExecutionGet(_) | ExecutionOutput(_)
            | ExecutionWait(_) | ExecutionHistory(_) | EventsRead(_) | EventsSubscribe(_) => {
                Right::Read
            }
            FolderCreate(_) | FolderRename(_) | FolderDelete(_) | PackageImport(_)
            | PackageCopy(_) | PackageMove(_) | PackageDelete(_) => Right::Write,
            ExecutionRun(_) | ExecutionStop(_) | ExecutionRegister(_) | ExecutionFinish(_) => {
                Right::Execute
            }
            ServiceReload(_) | ServiceStop(_) | GetConfig(_) | SetConfig(_) | PatchConfig(_)
            | AccessList(_) | AccessGrant(_) | AccessRevoke(_) | AccessTokenCreate(_)
            | AccessTokenList(_) | AccessTokenRevoke(_) => Right::Administer,
        }
    }

    /// The local files the request names, and how the service would use them.
    pub fn files(&self) -> Vec<NamedFile<'_>> {
        use Request::*;
        match self {
            PackageImport(p) if !p.file.is_empty() => vec![NamedFile {
                param: "File",
                path: &p.file,
                usage: FileUse::Read,
            }],
            PackageExport(p) if !p.file.is_empty() => vec![NamedFile {
                param: "File",
                path: &p.file,
                usage: FileUse::Write,
            }],
            PackageImport(_) | PackageExport(_) => Vec::new(),
            ExecutionRun(p) => [("File", &p.file), ("Project", &p.project)]
                .into_iter()
                .filter_map(|(param, path)| {
                    Some(NamedFile {
                        param,
                        path: path.as_deref()?,
                        usage: FileUse::Run,
                    })
                })
                .collect(),
            Hello(_) | ServiceInfo(_) | ServiceReload(_) | ServiceStop(_) | ListFolders(_)
            | ListPackages(_) | PackageInfo(_) | Exists(_) | FolderCreate(_) | FolderRename(_)
            | FolderDelete(_) | PackageCopy(_) | PackageMove(_) | PackageDelete(_)
            | GetConfig(_) | SetConfig(_) | PatchConfig(_) | ExecutionStop(_)
            | ExecutionList(_) | ExecutionGet(_) | ExecutionOutput(_) | ExecutionWait(_)
            | ExecutionHistory(_) | EventsRead(_) | EventsSubscribe(_) | AccessList(_)
            | AccessGrant(_) | AccessRevoke(_) | AccessTokenCreate(_) | AccessTokenList(_)
            | AccessTokenRevoke(_) | ExecutionRegister(_) | ExecutionFinish(_) => Vec::new(),
        }
    }

    /// Whether a successful call changes state and so writes an event-log
    /// entry naming the caller.
    pub fn logged(&self) -> bool {
        use Request::*;
        match self {
            ServiceReload(_) | ServiceStop(_) | FolderCreate(_) | FolderRename(_)
            | FolderDelete(_) | PackageImport(_) | PackageCopy(_) | PackageMove(_)
            | PackageDelete(_) | SetConfig(_) | PatchConfig(_) | ExecutionRun(_)
            | ExecutionStop(_) | ExecutionRegister(_) | ExecutionFinish(_) | AccessGrant(_)
            | AccessRevoke(_) | AccessTokenCreate(_) | AccessTokenRevoke(_) => true,
            Hello(_) | ServiceInfo(_) | ListFolders(_) | ListPackages(_) | PackageInfo(_)
            | Exists(_) | PackageExport(_) | GetConfig(_) | ExecutionList(_) | ExecutionGet(_)
            | ExecutionOutput(_) | ExecutionWait(_) | ExecutionHistory(_) | EventsRead(_)
            | EventsSubscribe(_) | AccessList(_) | AccessTokenList(_) => false,
        }
    }
}

impl Method {
    /// Every method.
    pub fn all() -> impl Iterator<Item = Method> {
        <Method as strum::IntoEnumIterator>::iter()
    }

    /// The name, as on the wire.
    pub fn name(self) -> &'static str {
        self.into()
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The parameters of a method that takes none: `{}` on the wire; any value
/// is accepted (and ignored) from older or newer clients.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NoParams;

impl Serialize for NoParams {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        s.serialize_map(Some(0))?.end()
    }
}

impl<'de> Deserialize<'de> for NoParams {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        serde::de::IgnoredAny::deserialize(d).map(|_| NoParams)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use strum::IntoEnumIterator;

    #[test]
    fn every_request_round_trips_through_its_method_name() {
        for request in Request::iter() {
            let method = request.method();
            let decoded = Request::decode(method.name(), request.params()).unwrap();
            assert_eq!(decoded, request, "{method}");
        }
        assert_eq!(Request::iter().count(), Method::iter().count());
    }

    #[test]
    fn wire_shapes_are_unchanged() {
        let r = Request::decode("ListFolders", json!({"Path": "\\"})).unwrap();
        assert_eq!(
            serde_json::to_value(&r).unwrap(),
            json!({"Method": "ListFolders", "Params": {"Path": "\\"}})
        );
        let info = Request::decode("ServiceInfo", Value::Null).unwrap();
        assert_eq!(info, Request::ServiceInfo(NoParams));
        assert_eq!(info.params(), json!({}));
        // Methods without parameters accept anything, as before.
        assert!(Request::decode("ExecutionList", json!({"Zz": [1]})).is_ok());
    }

    #[test]
    fn unknown_methods_and_bad_params_are_told_apart() {
        let e = Request::decode("Nope", Value::Null).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Protocol);
        assert_eq!(e.target.as_deref(), Some("Method"));
        let e = Request::decode("ExecutionRun", json!({"Bogus": 1})).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidArgument);
        assert_eq!(e.target.as_deref(), Some("ExecutionRun.Params"));
        // Names are exact: the variant name, not the Rust spelling of the tag.
        assert!(Request::decode("listfolders", Value::Null).is_err());
    }

    #[test]
    fn rights_and_files() {
        let run_file = Request::ExecutionRun(RunParams {
            file: Some("/tmp/a.dtsx".into()),
            ..Default::default()
        });
        assert_eq!(run_file.right(), Right::Execute);
        assert_eq!(
            run_file.files(),
            vec![NamedFile {
                param: "File",
                path: "/tmp/a.dtsx",
                usage: FileUse::Run
            }]
        );
        let run_project = Request::ExecutionRun(RunParams {
            project: Some("/p/Sales.ispac".into()),
            package: Some("Load.dtsx".into()),
            ..Default::default()
        });
        assert_eq!(
            run_project.files(),
            vec![NamedFile {
                param: "Project",
                path: "/p/Sales.ispac",
                usage: FileUse::Run
            }]
        );
        let export = Request::decode(
            "PackageExport",
            json!({"Path": "\\File System\\A", "File": "/tmp/x.dtsx"}),
        )
        .unwrap();
        assert_eq!(export.right(), Right::Read);
        assert_eq!(export.files()[0].usage, FileUse::Write);
        assert_eq!(Request::Hello(Default::default()).right(), Right::Connect);
        assert!(Request::ListFolders(Default::default()).files().is_empty());
        // Every file a request names is a parameter it has on the wire.
        for request in Request::iter() {
            for f in request.files() {
                assert!(
                    request.params().get(f.param).is_some(),
                    "{}",
                    request.method()
                );
            }
        }
    }
}
