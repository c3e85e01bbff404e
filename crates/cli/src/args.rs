//! Command-line grammar of `ssis`.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Manage SSIS packages and their store like the Integration Services service.
#[derive(Debug, Parser)]
#[command(name = "ssis", version, about, long_about = None)]
pub struct Cli {
    /// Service configuration file (default: $SSIS_SERVICE_CONFIG, then the platform default).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Server to connect to: `.` or empty (the local service), `unix:<socket>`,
    /// `ssh://[user@]host[:port]`, `tls://host:port`, `embedded:<config>` (a configuration file
    /// opened in-process; `embedded:` alone for the one in force).
    /// List commands (ps, history, events, folder list, package list) take several, comma-separated.
    #[arg(long, global = true, value_name = "NAME", conflicts_with = "config")]
    pub server: Option<String>,
    /// Print the JSON the C API returns instead of a table.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Command,
}

/// Top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Folders of the package store.
    #[command(subcommand)]
    Folder(FolderCommand),
    /// Packages in the store.
    #[command(subcommand)]
    Package(PackageCommand),
    /// Whether a store path names a folder or a package (exit 0 if it exists, 1 if not).
    Exists {
        /// Store path, e.g. `\File System\Sales\Daily Load`.
        path: String,
    },
    /// The service configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// The SSIS service: run it, show its status, stop it, reload its configuration.
    #[command(subcommand)]
    Service(super::service::ServiceCommand),
    /// Start a package on the service (store path, or --file).
    Run(super::service::RunArgs),
    /// Stop a running execution.
    Stop(super::service::StopArgs),
    /// Executions running on the service.
    Ps,
    /// Execution history, with filters.
    History(super::service::HistoryArgs),
    /// An execution's output.
    Logs(super::service::LogsArgs),
    /// The service's event log, with filters.
    Events(super::service::EventsArgs),
    /// Who may do what on the service: grants and bearer tokens.
    #[command(subcommand)]
    Access(super::access::AccessCommand),
    /// Run a package with dtexec's command line (`ssis exec /F file.dtsx`).
    Exec {
        /// dtexec arguments.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

/// `ssis folder ...`
#[derive(Debug, Subcommand)]
pub enum FolderCommand {
    /// List top-level folders, or the subfolders of PATH.
    List {
        /// Store path of a folder (default: the root).
        path: Option<String>,
    },
    /// Create a folder (its parent must exist).
    Create {
        /// Store path of the new folder.
        path: String,
    },
    /// Rename a folder in place.
    Rename {
        /// Store path of the folder.
        path: String,
        /// New name (no path separators).
        new_name: String,
    },
    /// Delete a folder.
    Delete {
        /// Store path of the folder.
        path: String,
        /// Also delete everything it contains.
        #[arg(long, short)]
        recursive: bool,
    },
}

/// Options shared by commands that may overwrite a package.
#[derive(Debug, Args)]
pub struct Replace {
    /// Replace an existing package.
    #[arg(long)]
    pub replace: bool,
}

/// `ssis package ...`
#[derive(Debug, Subcommand)]
pub enum PackageCommand {
    /// List packages in a folder.
    List {
        /// Store path of the folder (default: every top-level folder).
        folder: Option<String>,
        /// Include packages in subfolders.
        #[arg(long, short)]
        recursive: bool,
    },
    /// Show one package's metadata and contents.
    Info {
        /// Store path of the package.
        path: String,
    },
    /// Import a .dtsx file into the store.
    Import {
        /// The .dtsx file.
        file: PathBuf,
        /// Store path of the new package (a folder path keeps the file's name).
        dest: String,
        #[command(flatten)]
        replace: Replace,
    },
    /// Export a package to a .dtsx file.
    Export {
        /// Store path of the package.
        path: String,
        /// Destination file.
        file: PathBuf,
        #[command(flatten)]
        replace: Replace,
    },
    /// Copy a package to another store path.
    Copy {
        /// Source store path.
        source: String,
        /// Destination store path.
        dest: String,
        #[command(flatten)]
        replace: Replace,
    },
    /// Move a package to another store path.
    Move {
        /// Source store path.
        source: String,
        /// Destination store path.
        dest: String,
        #[command(flatten)]
        replace: Replace,
    },
    /// Delete a package.
    Delete {
        /// Store path of the package.
        path: String,
    },
    /// Whether a package exists (exit 0 if it does, 1 if not).
    Exists {
        /// Store path of the package.
        path: String,
    },
}

/// `ssis config ...`
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Show the configuration in force (or the one in FILE).
    Show {
        /// A configuration file to show instead.
        file: Option<PathBuf>,
    },
    /// Check a configuration file; prints every problem with file, line and column.
    Validate {
        /// The file to check (default: the configuration in force).
        file: Option<PathBuf>,
    },
    /// Print where the configuration is looked for, and which one is used.
    Path,
    /// Take over a SQL Server installation's MsDtsSrvr.ini.xml (Windows: the
    /// one the registry names) as the configuration in force (or --config).
    Import {
        /// The file to import (default, Windows: the registry's ServiceConfigFile).
        #[arg(long, value_name = "FILE")]
        from: Option<PathBuf>,
        /// SQL Server version key to take it from (e.g. 160; default: the newest).
        #[arg(long, value_name = "NNN")]
        version: Option<String>,
        /// Overwrite an existing configuration file (kept as .bak).
        #[arg(long)]
        replace: bool,
        /// Where a Windows drive's paths live here, `LETTER=DIR` (repeatable;
        /// `C` maps to `/` unless given, as SSIS on Linux does). Not on Windows.
        #[arg(long = "map-drive", value_name = "LETTER=DIR")]
        map_drive: Vec<String>,
    },
}
