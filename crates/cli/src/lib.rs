//! The `ssis` command-line tool: clap parsing, then one call into
//! [`ssis_client`] per command. `--json` prints exactly the JSON the C API
//! returns; without it, readable tables.
//!
//! Exit codes: 0 success; 1 failure; 2 a listing over several top-level
//! folders (`package list` without a folder) printed what it could but one or
//! more folders could not be listed; 3 canceled; 4 not found; 5 package could
//! not be loaded; 6 command-line error (dtutil's codes, see [`ssis_core::ErrorKind::exit_code`]).
//! `ssis exists` exits 0 when the path exists and 1 when it does not.

mod access;
mod args;
mod commands;
mod config_import;
mod multi;
mod output;
mod register;
mod service;
mod windows_service;

use clap::Parser;
use ssis_core::error::Error;
use std::ffi::OsString;

/// Runs the CLI with the process arguments; returns the exit code.
pub fn main() -> i32 {
    run(std::env::args_os().collect())
}

/// Runs the CLI with `argv` (program name first); returns the exit code.
pub fn run(argv: Vec<OsString>) -> i32 {
    // `ssis exec` takes dtexec's own syntax (`/F path`, `/SET ...`), not clap's.
    if argv.get(1).is_some_and(|a| a == "exec") {
        register::install();
        ssis_dataflow::install();
        return ssis_runner::exec_main(&argv[2..]);
    }
    // The service's per-execution wrapper: no clap, the executor's command line follows.
    if argv.get(1).is_some_and(|a| a == "service") && argv.get(2).is_some_and(|a| a == "supervise")
    {
        return ssis_daemon::supervise::main(&argv[3..]);
    }
    let cli = match args::Cli::try_parse_from(argv) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 6 } else { 0 };
        }
    };
    let json = cli.json;
    match commands::execute(cli) {
        Ok(code) => code,
        Err(err) => report(&err, json),
    }
}

/// Prints an error (as JSON with `--json`) to stderr; returns its exit code.
fn report(err: &Error, json: bool) -> i32 {
    if json {
        eprintln!("{}", err.to_json());
    } else {
        eprintln!("ssis: error: {err}");
    }
    err.kind.exit_code()
}
