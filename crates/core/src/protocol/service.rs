//! Service methods: the handshake, information, reload, stop.

use serde::{Deserialize, Serialize};

/// `Hello`: the first message of every connection.
pub const HELLO: &str = "Hello";
/// `ServiceInfo`: what the service is and runs with.
pub const INFO: &str = "ServiceInfo";
/// `ServiceReload`: re-read the configuration file.
pub const RELOAD: &str = "ServiceReload";
/// `ServiceStop`: shut the service down.
pub const STOP: &str = "ServiceStop";

/// `Hello` parameters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct HelloParams {
    /// The protocol version the client speaks.
    pub protocol: u32,
    /// Client program and version, for the event log (`ssis 0.1.0`).
    #[serde(default)]
    pub client: Option<String>,
    /// Bearer token: required on the TLS (and loopback TCP) listener, ignored on
    /// the local socket, where the kernel identifies the caller.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

/// `Hello` result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct HelloResult {
    /// The protocol version the service speaks.
    pub protocol: u32,
    /// Product name, `ssis-service`.
    pub server: String,
    /// Product version.
    pub version: String,
    /// The caller as the service identified it.
    pub user: String,
}

/// `ServiceInfo` result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ServiceInfo {
    /// Product version.
    pub version: String,
    /// Protocol version.
    pub protocol: u32,
    /// Process id of the service.
    pub process_id: u32,
    /// When the service started (RFC 3339 UTC).
    pub start_time: String,
    /// Where it listens.
    pub listen: String,
    /// The configuration file in force (absent: the built-in default).
    pub config_path: Option<String>,
    /// When the configuration in force was loaded.
    pub config_loaded: String,
    /// Where history, output logs and the event log live.
    pub state_directory: String,
    /// The executor command (program first).
    pub executor: Vec<String>,
    /// Whether running packages are stopped when the service stops.
    pub stop_executing_packages_on_shutdown: bool,
    /// Executions not finished yet.
    pub running_executions: usize,
}
