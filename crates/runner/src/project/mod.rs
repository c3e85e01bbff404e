//! The project deployment model: a project (an `.ispac`, an SSDT `.dtproj`
//! or the folder holding one) read into a [`Project`], and a package of it
//! opened with the project's connection managers and parameters, as dtexec
//! `/Project file.ispac /Package Name.dtsx` runs it.
//!
//! `load` reads a project: `parts` its files (zip parts or folder files),
//! `manifest` the project manifest, `params` `Project.params`; connection
//! manager files (`.conmgr`) are read by the package model's own reader.

mod load;
mod manifest;
mod params;
mod parts;

pub use load::load_project;

use crate::cancel::CancelToken;
use crate::model::{self, ConnectionManager, Package, Project};
use ssis_core::error::{Error, ErrorKind, Result};
use std::sync::Arc;

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
