//! Printing results: JSON with `--json`, readable tables otherwise.

use serde::Serialize;
use ssis_client::PackageInfo;
use ssis_core::config::{ServiceConfig, TopLevelFolder};
use ssis_core::package::PackageDetails;
use ssis_core::store::{FolderEntry, PackageEntry};

/// Exit code of a listing that printed what it could but could not list one
/// or more top-level folders (each reported by an entry with its error).
pub const PARTIAL_EXIT: i32 = 2;

/// How results are printed.
#[derive(Debug, Clone, Copy)]
pub struct Out {
    /// Print JSON instead of text.
    pub json: bool,
}

impl Out {
    /// Prints `value` as JSON, or runs `text` to print it for people.
    pub fn emit<T: Serialize>(self, value: &T, text: impl FnOnce()) {
        if self.json {
            match serde_json::to_string(value) {
                Ok(s) => println!("{s}"),
                Err(e) => eprintln!("ssis: error: cannot serialize the result: {e}"),
            }
        } else {
            text();
        }
    }

    /// For commands without a result: `{}` in JSON mode, else `text`.
    pub fn done(self, text: impl FnOnce()) {
        if self.json {
            println!("{{}}");
        } else {
            text();
        }
    }
}

/// Prints rows under a header, each column as wide as its widest cell.
pub fn print_table(header: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &mut dyn Iterator<Item = &str>| {
        let text: Vec<String> = cells
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        println!("{}", text.join("  ").trim_end());
    };
    line(&mut header.iter().copied());
    let rules: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    line(&mut rules.iter().map(String::as_str));
    for row in rows {
        line(&mut row.iter().map(String::as_str));
    }
}

/// Folders as a table.
pub fn print_folders(folders: &[FolderEntry]) {
    let rows: Vec<Vec<String>> = folders
        .iter()
        .map(|f| vec![f.name.clone(), f.folder_type.clone(), f.path.clone()])
        .collect();
    print_table(&["Name", "Type", "Path"], &rows);
}

/// Packages as a table.
pub fn print_packages(packages: &[PackageEntry]) {
    let rows: Vec<Vec<String>> = packages
        .iter()
        .filter(|p| !p.folder_unavailable)
        .map(|p| match (&p.metadata, &p.error) {
            (Some(m), _) => vec![
                p.path.clone(),
                format!(
                    "{}.{}.{}",
                    m.version_major, m.version_minor, m.version_build
                ),
                m.package_format_version.to_string(),
                m.protection_level_name.clone(),
                m.description.clone(),
            ],
            (None, err) => vec![
                p.path.clone(),
                String::new(),
                String::new(),
                String::new(),
                err.as_ref()
                    .map(|e| format!("(unreadable: {})", e.message))
                    .unwrap_or_default(),
            ],
        })
        .collect();
    print_table(
        &["Path", "Version", "Format", "Protection", "Description"],
        &rows,
    );
}

/// One package in detail.
pub fn print_info(info: &PackageInfo) {
    let e = &info.entry;
    println!("Path:        {}", e.path);
    println!("Size:        {} bytes", e.size);
    if let Some(m) = &e.metadata {
        println!("Name:        {}", m.object_name);
        println!("ID:          {}", m.id);
        println!("Description: {}", m.description);
        println!(
            "Version:     {}.{}.{} {}",
            m.version_major, m.version_minor, m.version_build, m.version_guid
        );
        println!("Format:      {}", m.package_format_version);
        println!(
            "Protection:  {} ({})",
            m.protection_level_name, m.protection_level
        );
        println!(
            "Created:     {} by {} on {}",
            m.creation_date.as_deref().unwrap_or("?"),
            m.creator_name,
            m.creator_computer_name
        );
        if m.encrypted {
            println!("Encrypted:   the whole package is encrypted; only its identity is readable");
        }
    }
    if let Some(err) = &e.error {
        println!("Error:       {err}");
    }
    if let Some(details) = &info.details {
        print_details(details);
    }
}

/// The configuration as text.
pub fn print_config(config: &ServiceConfig) {
    if let Some(path) = &config.path {
        println!("File: {}", path.display());
    }
    println!(
        "StopExecutingPackagesOnShutdown: {}",
        config.stop_executing_packages_on_shutdown
    );
    let rows: Vec<Vec<String>> = config
        .top_level_folders
        .iter()
        .map(|f| match f {
            TopLevelFolder::SqlServerFolder(s) => {
                vec![
                    s.name.clone(),
                    "SqlServerFolder".into(),
                    s.server_name.clone(),
                ]
            }
            TopLevelFolder::FileSystemFolder(fs) => vec![
                fs.name.clone(),
                "FileSystemFolder".into(),
                format!(
                    "{} ({})",
                    fs.store_path,
                    config.resolve_store_path(fs).display()
                ),
            ],
        })
        .collect();
    print_table(&["Name", "Type", "Location"], &rows);
}

/// The contents of a package read in full, as sections of tables.
fn print_details(details: &PackageDetails) {
    let section = |title: &str, header: &[&str], rows: Vec<Vec<String>>| {
        if !rows.is_empty() {
            println!("\n{title}:");
            print_table(header, &rows);
        }
    };
    section(
        "Executables",
        &["Path", "Type", "Disabled"],
        details
            .executables
            .iter()
            .map(|e| {
                vec![
                    e.path.clone(),
                    e.executable_type.clone(),
                    yes_no(e.disabled),
                ]
            })
            .collect(),
    );
    section(
        "Connection managers",
        &["Name", "Type", "Connection string"],
        details
            .connection_managers
            .iter()
            .map(|c| {
                let conn = c.connection_string.clone().unwrap_or_default();
                vec![c.name.clone(), c.creation_name.clone(), conn]
            })
            .collect(),
    );
    section(
        "Variables",
        &["Name", "Type", "Value", "Expression"],
        details
            .variables
            .iter()
            .map(|v| {
                vec![
                    format!("{}::{}", v.namespace, v.name),
                    v.data_type_name.clone(),
                    v.value.clone().unwrap_or_default(),
                    v.expression.clone().unwrap_or_default(),
                ]
            })
            .collect(),
    );
    section(
        "Parameters",
        &["Name", "Type", "Value", "Required"],
        details
            .parameters
            .iter()
            .map(|p| {
                vec![
                    p.name.clone(),
                    p.data_type_name.clone(),
                    p.value.clone().unwrap_or_default(),
                    yes_no(p.required),
                ]
            })
            .collect(),
    );
}

fn yes_no(flag: bool) -> String {
    if flag { "yes" } else { "no" }.to_string()
}
