//! The project deployment model: a project (an `.ispac`, an SSDT `.dtproj`
//! or the folder holding one) read into a [`Project`], and a package of it
//! opened with the project's connection managers and parameters, as dtexec
//! `/Project file.ispac /Package Name.dtsx` runs it.
//!
//! `parts` reads the files (zip parts or folder files), `manifest` the
//! project manifest, `params` `Project.params`; connection manager files
//! (`.conmgr`) are read by the package model's own reader.

mod manifest;
mod params;
mod parts;

use crate::cancel::CancelToken;
use crate::model::{
    self, ConnectionManager, EncryptedValue, Package, PartSource, Project, ProjectPackage,
    ProtectionLevel, Replacement, xml,
};
use parts::Parts;
use ssis_core::error::{Error, ErrorKind, Result};
use std::path::Path;
use std::sync::Arc;

/// Reads the project at `path`: an `.ispac`, a `.dtproj`, or a folder
/// holding `@Project.manifest` or one `.dtproj`. A missing path is
/// `NotFound` (dtexec exit 4); a damaged project is `Package` (exit 5).
/// What the project encrypted with a password is opened with `password`
/// (`/DECRYPT`); a wrong one is a `Package` error.
pub fn load_project(
    path: &Path,
    password: Option<&str>,
    cancel: &CancelToken,
) -> Result<Arc<Project>> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(&e, "open the project", path))?;
    if !meta.is_dir() {
        parts::regular_file(path, "open the project")?;
    }
    let is_dtproj = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("dtproj"));
    let (parts, manifest_name) = if meta.is_dir() {
        let parts = Parts::folder(path)?;
        let name = folder_manifest(&parts, path)?;
        (parts, name)
    } else if is_dtproj {
        let dir = path.parent().unwrap_or(Path::new("."));
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        (Parts::folder(dir)?, name)
    } else {
        (Parts::ispac(path)?, "@Project.manifest".to_string())
    };
    let source_dir = if meta.is_dir() || !is_dtproj {
        path.to_path_buf()
    } else {
        path.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    let manifest_origin = source_dir.join(&manifest_name);
    let bytes = parts.read(&manifest_name)?.ok_or_else(|| {
        Error::new(
            ErrorKind::Package,
            format!("the project has no manifest ({manifest_name})"),
        )
        .with_file(path)
    })?;
    let root = parse_part(&bytes, &manifest_origin, password, cancel)?;
    let manifest = if manifest_name.to_ascii_lowercase().ends_with(".dtproj") {
        manifest::read(
            manifest::in_dtproj(&root, &manifest_origin)?,
            &manifest_origin,
        )?
    } else {
        manifest::read(&root, &manifest_origin)?
    };
    let level = manifest.protection_level;
    // With the password, what the project encrypted with it is clear text.
    let opened = password.is_some() && level.uses_password();
    let encrypts = !opened
        && !matches!(
            level,
            ProtectionLevel::DontSaveSensitive | ProtectionLevel::ServerStorage
        );
    let mut encrypted: Vec<EncryptedValue> = Vec::new();

    let listed_or_all = |listed: Vec<String>, ext: &str| -> Vec<String> {
        if listed.is_empty() {
            parts
                .names()
                .into_iter()
                .filter(|n| n.to_ascii_lowercase().ends_with(ext))
                .map(str::to_string)
                .collect()
        } else {
            listed
        }
    };
    let missing = |what: &str, name: &str| {
        Error::new(
            ErrorKind::Package,
            format!(
                "the project's manifest lists {what} '{name}', which the project does not hold"
            ),
        )
        .with_file(path)
    };

    let mut packages: Vec<ProjectPackage> = Vec::new();
    let listed: Vec<(String, bool)> = if manifest.packages.is_empty() {
        listed_or_all(Vec::new(), ".dtsx")
            .into_iter()
            .map(|n| (n, true))
            .collect()
    } else {
        manifest.packages.clone()
    };
    let held: std::collections::HashSet<String> =
        parts.names().iter().map(|n| n.to_lowercase()).collect();
    for (name, entry_point) in listed {
        if packages.iter().any(|p| p.name.eq_ignore_ascii_case(&name)) {
            return Err(Error::new(
                ErrorKind::Package,
                format!("the project's manifest lists package '{name}' twice"),
            )
            .with_file(&manifest_origin));
        }
        let present = held.contains(&name.to_lowercase());
        packages.push(ProjectPackage {
            name,
            entry_point,
            present,
        });
    }

    let mut connections: Vec<model::ConnectionManager> = Vec::new();
    for file in listed_or_all(manifest.connection_files.clone(), ".conmgr") {
        let bytes = parts
            .read(&file)?
            .ok_or_else(|| missing("connection manager", &file))?;
        let origin = source_dir.join(&file);
        let el = parse_part(&bytes, &origin, password, cancel)?;
        match model::read_project_connection(&el, &origin, encrypts)? {
            model::ProjectConnection::EncryptedWhole => {
                encrypted.push(EncryptedValue {
                    what: format!("connection manager file '{file}' (encrypted as a whole)"),
                    replaced_by: Replacement::Nothing,
                });
            }
            model::ProjectConnection::Read {
                manager,
                encrypted: hidden,
            } => {
                if connections.iter().any(|c| c.name == manager.name) {
                    return Err(Error::new(
                        ErrorKind::Package,
                        format!(
                            "two of the project's connection managers are named '{}'",
                            manager.name
                        ),
                    )
                    .with_file(&origin));
                }
                if let Some(what) = hidden {
                    encrypted.push(EncryptedValue {
                        what: format!("{what} of project connection manager '{}'", manager.name),
                        replaced_by: Replacement::Connection {
                            name: manager.name.clone(),
                            property: what,
                            project: true,
                        },
                    });
                }
                connections.push(manager);
            }
        }
    }

    let mut parameters = Vec::new();
    if let Some(bytes) = parts.read("Project.params")? {
        let origin = source_dir.join("Project.params");
        let el = parse_part(&bytes, &origin, password, cancel)?;
        let (read, hidden) = params::read(&el, &origin, encrypts)?;
        parameters = read;
        encrypted.extend(hidden.into_iter().map(|h| EncryptedValue {
            what: format!("Value of project parameter '{}'", h.0),
            replaced_by: Replacement::Variable(format!("$Project::{}", h.0)),
        }));
    }

    let name = manifest.name.clone().unwrap_or_else(|| {
        path.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    });
    Ok(Arc::new(Project {
        name,
        source: path.to_path_buf(),
        dir: source_dir,
        parts: Arc::new(parts),
        protection_level: level,
        password: password.map(str::to_string),
        packages,
        connections,
        parameters,
        encrypted,
    }))
}

/// Parses a part of the project, first decrypting what is encrypted with
/// `password`, if one is given.
fn parse_part(
    bytes: &[u8],
    origin: &Path,
    password: Option<&str>,
    cancel: &CancelToken,
) -> Result<xml::Element> {
    let clear = match password {
        Some(p) => model::decrypt::decrypt_document(bytes, p, origin, cancel)?,
        None => None,
    };
    xml::parse_with(clear.as_deref().unwrap_or(bytes), origin, cancel)
}

/// The manifest of a project folder: `@Project.manifest` (an unzipped
/// `.ispac`), or its one `.dtproj`.
fn folder_manifest(parts: &Parts, dir: &Path) -> Result<String> {
    let names = parts.names();
    if let Some(m) = names
        .iter()
        .find(|n| n.eq_ignore_ascii_case("@Project.manifest"))
    {
        return Ok(m.to_string());
    }
    let projects: Vec<&&str> = names
        .iter()
        .filter(|n| n.to_ascii_lowercase().ends_with(".dtproj"))
        .collect();
    match projects.as_slice() {
        [one] => Ok(one.to_string()),
        [] => Err(Error::new(
            ErrorKind::NotFound,
            "the folder holds no project: neither @Project.manifest nor a .dtproj file",
        )
        .with_file(dir)),
        many => Err(Error::new(
            ErrorKind::InvalidArgument,
            format!(
                "the folder holds {} project files ({}): name the one to run",
                many.len(),
                many.iter()
                    .map(|n| format!("'{n}'"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
        .with_file(dir)),
    }
}

/// Opens the package `name` (its stream name, `.dtsx` optional) of
/// `project` to run it, with the project's connection managers and
/// parameters, and the project's encrypted values, which the run must give
/// (`checks::check_encryption`). A package the project does not hold is
/// `NotFound` (dtexec exit 4).
pub fn open_package(project: &Arc<Project>, name: &str, cancel: &CancelToken) -> Result<Package> {
    let mut pkg = attach(project, name, project.connections.clone(), cancel)?;
    if pkg.encrypted_values.is_empty() && !project.encrypted.is_empty() {
        // The messages name the level that encrypted them.
        pkg.protection_level = project.protection_level;
    }
    pkg.encrypted_values
        .extend(project.encrypted.iter().cloned());
    Ok(pkg)
}

/// Opens the package `name` of the project of `parent` for an Execute
/// Package task: it shares the parent's project connection managers, as
/// the run configured them.
pub fn open_child(parent: &Package, name: &str, cancel: &CancelToken) -> Result<Package> {
    let Some(project) = &parent.project else {
        return Err(Error::invalid(
            "the parent package does not belong to a project",
        ));
    };
    let shared: Vec<ConnectionManager> = parent
        .connections
        .iter()
        .filter(|c| c.project)
        .cloned()
        .collect();
    attach(project, name, shared, cancel)
}

/// Loads the package `name` of `project` with `connections` as its
/// project connection managers and the project's parameters.
fn attach(
    project: &Arc<Project>,
    name: &str,
    connections: Vec<ConnectionManager>,
    cancel: &CancelToken,
) -> Result<Package> {
    let p = project.package(name).ok_or_else(|| {
        Error::new(
            ErrorKind::NotFound,
            format!(
                "the project '{}' has no package '{}'; its packages: {}",
                project.name,
                name.trim(),
                project.package_names()
            ),
        )
        .with_file(&project.source)
        .with_target("/Package")
    })?;
    let origin = project.dir.join(&p.name);
    let missing = || {
        Error::new(
            ErrorKind::NotFound,
            format!(
                "the project's manifest lists package '{}', but the project holds no such file",
                p.name
            ),
        )
        .with_file(&project.source)
    };
    if !p.present {
        return Err(missing());
    }
    let bytes = project.parts.read(&p.name)?.ok_or_else(missing)?;
    let password = project.password.as_deref();
    let mut pkg = model::load_package_bytes_with(&bytes, &origin, password, cancel)?;
    pkg.connections.extend(connections);
    pkg.root
        .variables
        .extend(project.parameters.iter().map(|p| p.variable.clone()));
    pkg.project = Some(project.clone());
    Ok(pkg)
}
