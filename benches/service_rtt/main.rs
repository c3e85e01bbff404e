//! The service over its Unix socket, beside floors measured in the same run:
//!
//! 1. Round trip (p50, p99; one client) and throughput (`CLIENTS` clients)
//!    of `ListFolders`, beside a bare Unix-socket JSON echo server written
//!    here (tokio, one task per connection: one JSON line in, parsed, one
//!    out) — the floor. Rounds alternate echo and service.
//! 2. Execution start overhead: from the `ExecutionRun` request to the
//!    executor's `main` (a timestamp the executor writes), beside spawning
//!    the same executor directly (own process group, as the service does).
//!    This binary is the executor: with `SSIS_BENCH_STAMP_DIR` set and a
//!    dtexec `/F` argument it writes the time and exits.
//!
//! Run: `cargo bench --bench service_rtt -- [REQUESTS] [ROUNDS] [RUNS]`
//! (defaults 20000 requests per measurement, 3 rounds, 100 executions).

#[path = "../../tests/common/ssis_bin.rs"]
mod ssis_bin;
#[cfg(unix)]
mod unix;

#[cfg(unix)]
fn main() {
    unix::main();
}

/// The measured transport is the Unix socket; the named pipe has no bench yet.
#[cfg(not(unix))]
fn main() {
    eprintln!("service_rtt measures the Unix-socket transport and runs on Unix only");
}
