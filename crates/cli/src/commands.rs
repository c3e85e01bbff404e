//! One function per command: call the client, print the result.

use super::args::{Cli, Command, ConfigCommand, FolderCommand, PackageCommand};
use super::output::{Out, print_folders, print_packages};
use ssis_client::{self, ConnectOptions, ServerAddress, Session};
use ssis_core::error::Result;
use ssis_core::store::{ItemKind, StorePath};
use std::ffi::OsString;
use std::path::Path;

/// Runs the parsed command; returns the exit code on success.
pub fn execute(cli: Cli) -> Result<i32> {
    let out = Out { json: cli.json };
    let connect = || match (&cli.server, &cli.config) {
        (None, Some(config)) => Session::open(
            &ServerAddress::Embedded(Some(config.clone())),
            ConnectOptions::default(),
        ),
        (server, _) => Session::connect(server.as_deref(), None),
    };
    if let Some(spec) = cli
        .server
        .as_deref()
        .filter(|s| super::multi::is_multi(Some(s)))
    {
        if let Some(code) = fan_out(spec, &cli.command, out) {
            return code;
        }
        let n = ssis_client::split_servers(spec).len();
        return Err(ssis_core::error::Error::invalid(format!(
            "--server '{spec}' names {n} servers, but this command works on one; only ps, \
             history, events, folder list and package list take several"
        ))
        .with_target("--server"));
    }
    match cli.command {
        Command::Folder(cmd) => folder(&connect()?, cmd, out),
        Command::Package(cmd) => package(&connect()?, cmd, out),
        Command::Exists { path } => exists(&connect()?, &path, out),
        Command::Config(cmd) => config(cmd, cli.config.as_deref(), &connect, out),
        Command::Service(cmd) => {
            super::service::service(cmd, cli.server.as_deref(), cli.config.as_deref(), out)
        }
        Command::Run(a) => super::service::run(a, cli.server.as_deref(), out),
        Command::Stop(a) => super::service::stop(a, cli.server.as_deref(), out),
        Command::Ps => super::service::ps(cli.server.as_deref(), out),
        Command::History(a) => super::service::history(a, cli.server.as_deref(), out),
        Command::Logs(a) => super::service::logs(a, cli.server.as_deref(), out),
        Command::Events(a) => super::service::events(a, cli.server.as_deref(), out),
        Command::Access(cmd) => {
            super::access::access(cmd, cli.server.as_deref(), cli.config.as_deref(), out)
        }
        Command::Exec { args } => {
            super::register::install();
            let args: Vec<OsString> = args.into_iter().map(OsString::from).collect();
            ssis_dataflow::install();
            Ok(ssis_runner::exec_main(&args))
        }
    }
}

/// A list command over several servers (`--server a,b,c`); `None` for
/// commands that take one server (the caller then refuses the list).
fn fan_out(spec: &str, command: &Command, out: Out) -> Option<Result<i32>> {
    use super::multi::{EXECUTION_HEADER, execution_cells, list};
    Some(match command {
        Command::Ps => list(
            spec,
            out,
            &EXECUTION_HEADER,
            |s| s.executions_list(),
            execution_cells,
            |_| None,
        ),
        Command::History(a) => {
            let filter = super::service::history_filter(a);
            list(
                spec,
                out,
                &EXECUTION_HEADER,
                move |s| s.execution_history(&filter),
                execution_cells,
                |_| None,
            )
        }
        Command::Events(a) if !a.follow => {
            let filter = super::service::event_filter(a);
            list(
                spec,
                out,
                &["Time", "Level", "Id", "Category", "Message"],
                move |s| s.events_read(&filter),
                |e| {
                    vec![
                        e.time.clone(),
                        e.level.name().to_string(),
                        e.event_id.to_string(),
                        e.category.clone(),
                        e.message.clone(),
                    ]
                },
                |_| None,
            )
        }
        Command::Folder(FolderCommand::List { path }) => list(
            spec,
            out,
            &["Name", "Type", "Path"],
            |s| s.list_folders(store_path_opt(path.as_deref())?.as_ref()),
            |f| vec![f.name.clone(), f.folder_type.clone(), f.path.clone()],
            |_| None,
        ),
        Command::Package(PackageCommand::List { folder, recursive }) => list(
            spec,
            out,
            &["Path", "Size"],
            |s| match folder {
                Some(f) => s.list_packages(&StorePath::parse(f)?, *recursive),
                None => s.list_packages(&StorePath::root(), true),
            },
            |p| vec![p.path.clone(), p.size.to_string()],
            |p| p.error.as_ref().filter(|_| p.folder_unavailable),
        ),
        _ => return None,
    })
}

fn folder(session: &Session, cmd: FolderCommand, out: Out) -> Result<i32> {
    match cmd {
        FolderCommand::List { path } => {
            let folders = session.list_folders(store_path_opt(path.as_deref())?.as_ref())?;
            out.emit(&folders, || print_folders(&folders.items));
        }
        FolderCommand::Create { path } => {
            let folder = session.folder_create(&StorePath::parse(&path)?)?;
            out.emit(&folder, || println!("Created folder {}", folder.path));
        }
        FolderCommand::Rename { path, new_name } => {
            let folder = session.folder_rename(&StorePath::parse(&path)?, &new_name)?;
            out.emit(&folder, || println!("Renamed {path} to {}", folder.path));
        }
        FolderCommand::Delete { path, recursive } => {
            session.folder_delete(&StorePath::parse(&path)?, recursive)?;
            out.done(|| println!("Deleted folder {path}"));
        }
    }
    Ok(0)
}

fn package(session: &Session, cmd: PackageCommand, out: Out) -> Result<i32> {
    match cmd {
        PackageCommand::List { folder, recursive } => {
            let packages = match folder {
                Some(folder) => session.list_packages(&StorePath::parse(&folder)?, recursive)?,
                None => session.list_packages(&StorePath::root(), true)?,
            };
            out.emit(&packages, || print_packages(&packages.items));
            // A top-level folder that could not be listed: its entry is in
            // the JSON; in text, an error line each. Exit 2 either way.
            let mut code = 0;
            for entry in packages.items.iter().filter(|p| p.folder_unavailable) {
                code = super::output::PARTIAL_EXIT;
                if let (false, Some(e)) = (out.json, &entry.error) {
                    eprintln!("ssis: error: folder '{}' was not listed: {e}", entry.path);
                }
            }
            return Ok(code);
        }
        PackageCommand::Info { path } => {
            let info = session.package_info(&StorePath::parse(&path)?)?;
            out.emit(&info, || super::output::print_info(&info));
        }
        PackageCommand::Import {
            file,
            dest,
            replace,
        } => {
            let entry =
                session.package_import(&file, &StorePath::parse(&dest)?, replace.replace)?;
            out.emit(&entry, || {
                println!("Imported {} as {}", file.display(), entry.path)
            });
        }
        PackageCommand::Export {
            path,
            file,
            replace,
        } => {
            let entry =
                session.package_export(&StorePath::parse(&path)?, &file, replace.replace)?;
            out.emit(&entry, || {
                println!("Exported {} to {}", entry.path, file.display())
            });
        }
        PackageCommand::Copy {
            source,
            dest,
            replace,
        } => {
            let entry = session.package_copy(
                &StorePath::parse(&source)?,
                &StorePath::parse(&dest)?,
                replace.replace,
            )?;
            out.emit(&entry, || println!("Copied {source} to {}", entry.path));
        }
        PackageCommand::Move {
            source,
            dest,
            replace,
        } => {
            let entry = session.package_move(
                &StorePath::parse(&source)?,
                &StorePath::parse(&dest)?,
                replace.replace,
            )?;
            out.emit(&entry, || println!("Moved {source} to {}", entry.path));
        }
        PackageCommand::Delete { path } => {
            session.package_delete(&StorePath::parse(&path)?)?;
            out.done(|| println!("Deleted package {path}"));
        }
        PackageCommand::Exists { path } => {
            let found = session.exists(&StorePath::parse(&path)?)?;
            let is_package = found.package;
            out.emit(&found, || {
                println!(
                    "{}",
                    if is_package {
                        "The package exists."
                    } else {
                        "The package does not exist."
                    }
                )
            });
            return Ok(if is_package { 0 } else { 1 });
        }
    }
    Ok(0)
}

fn exists(session: &Session, path: &str, out: Out) -> Result<i32> {
    let found = session.exists(&StorePath::parse(path)?)?;
    out.emit(&found, || match found.kind {
        ItemKind::None => println!("{} does not exist.", found.path),
        kind => println!("{kind:?} {} exists.", found.path),
    });
    Ok(if found.kind == ItemKind::None { 1 } else { 0 })
}

fn config(
    cmd: ConfigCommand,
    explicit: Option<&Path>,
    connect: &dyn Fn() -> Result<Session>,
    out: Out,
) -> Result<i32> {
    match cmd {
        ConfigCommand::Show { file } => {
            let config = match file {
                Some(file) => ssis_client::config_read(Some(&file))?,
                None => connect()?.get_config()?,
            };
            out.emit(&config, || super::output::print_config(&config));
            Ok(0)
        }
        ConfigCommand::Validate { file } => {
            let file = file.or_else(|| Some(ssis_core::config::locate(explicit).path));
            let report = ssis_client::config_validate(file.as_deref(), None);
            out.emit(&report, || {
                if report.valid {
                    println!("The configuration is valid.");
                }
                for err in &report.errors {
                    println!("{err}");
                }
                for warning in &report.warnings {
                    println!("warning: {warning}");
                }
            });
            Ok(if report.valid { 0 } else { 1 })
        }
        ConfigCommand::Import {
            from,
            version,
            replace,
            map_drive,
        } => {
            let (from, version) =
                super::config_import::source(from.as_deref(), version.as_deref())?;
            let to = ssis_core::config::locate(explicit).path;
            let drives = super::config_import::DriveMap::parse(&map_drive)?;
            let r = super::config_import::import(&from, version, &to, replace, &drives)?;
            out.emit(&r, || {
                println!("Imported '{}' into '{}'.", r.from, r.to);
                for p in &r.store_paths {
                    println!("  {p}");
                }
            });
            Ok(0)
        }
        ConfigCommand::Path => {
            let location = ssis_core::config::locate(explicit);
            out.emit(&location, || {
                println!("{} ({})", location.path.display(), location.source);
            });
            Ok(0)
        }
    }
}

/// An optional store path given on the command line.
fn store_path_opt(text: Option<&str>) -> Result<Option<StorePath>> {
    text.map(StorePath::parse).transpose()
}
