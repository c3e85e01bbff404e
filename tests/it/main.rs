//! The integration suites of the root package, in one test binary (one
//! link instead of one per file). Each module is one suite; shared fixtures
//! live in the support modules (a store-fixture builder in `common`, the TDS
//! test server in `support`, a daemon fixture in `service_support`, real
//! users and remote transports in `remote_support`, C-ABI helpers in
//! `ffi_support`). Run one suite with `cargo test --test it -- store_fs::`.
//!
//! Load and performance tests are `#[ignore]`d here and run by
//! `scripts/load-tests.sh`. Two suites are binaries of their own because
//! they own process-wide state: `msdb_credentials` changes the environment,
//! `remote_decoder_alloc` counts every allocation with its global allocator.

#[path = "../common/mod.rs"]
mod common;
mod dataflow_pipe;
mod dataflow_sql_parts;
#[path = "../ffi_support/mod.rs"]
mod ffi_support;
#[cfg(unix)]
#[path = "../remote_support/mod.rs"]
mod remote_support;
#[cfg(unix)]
#[path = "../service_support/mod.rs"]
mod service_support;
#[path = "../support/mod.rs"]
mod support;

mod access_config;
mod access_files;
mod access_isolation;
mod access_rights;
mod access_run_as;
mod access_users;
mod cli_store;
mod config_corpus;
mod config_files;
mod config_proptest;
mod config_roundtrip;
mod expr_functions;
mod expr_operators;
mod expr_proptest;
mod ffi_config_patch;
mod ffi_errors;
mod ffi_header;
mod ffi_json_schemas;
mod ffi_threads;
mod msdb_exec;
mod msdb_failures;
mod msdb_perf;
mod msdb_store;
mod msdb_tds;
mod package_metadata;
mod package_proptest;
mod remote_decoder_proptest;
mod remote_multi;
mod remote_ssh;
mod remote_tls;
mod runner_cancel;
mod runner_configurations;
mod runner_connections;
mod runner_dataflow;
mod runner_dataflow_blob_files;
mod runner_dataflow_cache;
mod runner_dataflow_fast_inserts;
mod runner_dataflow_multi;
mod runner_dataflow_pivot;
mod runner_dataflow_sql;
mod runner_dataflow_sql_types;
mod runner_dataflow_timestamp2;
mod runner_dataflow_types;
mod runner_dataflow_validate;
mod runner_decrypt;
mod runner_event_handlers;
mod runner_execute_package;
mod runner_execute_sql;
mod runner_expressions;
mod runner_fallback;
mod runner_loops;
mod runner_precedence;
mod runner_project;
mod runner_refusals;
mod runner_scale;
mod runner_send_mail;
mod runner_store;
mod runner_tasks;
mod runner_windows;
#[cfg(unix)]
mod security;
mod security_limits;
mod service_addresses;
mod service_audit;
mod service_disk_full;
mod service_executions;
mod service_index;
mod service_lifecycle;
mod service_load;
mod service_protocol;
mod service_registered;
mod service_settings;
mod store_fs;
mod store_open;
mod windows_scm;
mod windows_service_pipe;
