//! The project manifest (`@Project.manifest` in an `.ispac`, the
//! `Manifest` of an SSDT `.dtproj`): the project's name, its protection
//! level, its packages and its connection manager files.

use crate::model::ProtectionLevel;
use crate::model::xml::Element;
use ssis_core::error::{Error, ErrorKind, Result};
use std::path::Path;

/// What the manifest says.
pub(super) struct Manifest {
    /// The project's `Name`, when written.
    pub(super) name: Option<String>,
    /// `ProtectionLevel` (a name, or a number in older files).
    pub(super) protection_level: ProtectionLevel,
    /// The packages: stream name and `EntryPoint`.
    pub(super) packages: Vec<(String, bool)>,
    /// The connection manager files (`X.conmgr`).
    pub(super) connection_files: Vec<String>,
}

/// Reads an `<SSIS:Project>` element.
pub(super) fn read(project: &Element, origin: &Path) -> Result<Manifest> {
    let bad = |msg: String, line: u64| {
        Error::new(ErrorKind::Package, msg)
            .with_file(origin)
            .at(line, 1)
    };
    if project.local_name() != "Project" {
        return Err(bad(
            format!(
                "the root element is <{}>, not a project manifest <SSIS:Project>",
                project.name
            ),
            project.line,
        ));
    }
    let protection_level = match project.attr("ProtectionLevel") {
        None => ProtectionLevel::DEFAULT,
        Some(v) => ProtectionLevel::parse(v).ok_or_else(|| {
            bad(
                format!(
                    "ProtectionLevel '{v}' is not one of DontSaveSensitive .. ServerStorage (0..=5)"
                ),
                project.line,
            )
        })?,
    };
    let name = project
        .children_named("Properties")
        .flat_map(|p| p.children_named("Property"))
        .find(|p| p.attr("Name") == Some("Name"))
        .map(|p| p.text.trim().to_string())
        .filter(|n| !n.is_empty());
    let mut packages = Vec::new();
    for p in project
        .children_named("Packages")
        .flat_map(|p| p.children_named("Package"))
    {
        let Some(n) = p.attr("Name").map(str::trim).filter(|n| !n.is_empty()) else {
            return Err(bad("a <SSIS:Package> has no Name".into(), p.line));
        };
        let entry = match p.attr("EntryPoint") {
            None => true,
            Some(v) => crate::model::xml_bool(v).ok_or_else(|| {
                bad(
                    format!("package '{n}': EntryPoint '{v}' is not 1 or 0"),
                    p.line,
                )
            })?,
        };
        packages.push((n.to_string(), entry));
    }
    let connection_files = project
        .children_named("ConnectionManagers")
        .flat_map(|c| c.children_named("ConnectionManager"))
        .filter_map(|c| c.attr("Name"))
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .collect();
    Ok(Manifest {
        name,
        protection_level,
        packages,
        connection_files,
    })
}

/// The `<SSIS:Project>` inside an SSDT `.dtproj`
/// (`Project/DeploymentModelSpecificContent/Manifest`).
pub(super) fn in_dtproj<'a>(dtproj: &'a Element, origin: &Path) -> Result<&'a Element> {
    let model = dtproj
        .child("DeploymentModel")
        .map(|m| m.text.trim())
        .unwrap_or("Project");
    if !model.eq_ignore_ascii_case("Project") {
        return Err(Error::new(
            ErrorKind::Unsupported,
            format!(
                "the project uses the {model} deployment model: its packages run one by one \
                 (ssis exec /FILE), not as a project"
            ),
        )
        .with_file(origin));
    }
    dtproj
        .child("DeploymentModelSpecificContent")
        .and_then(|c| c.child("Manifest"))
        .and_then(|m| m.child("Project"))
        .ok_or_else(|| {
            Error::new(
                ErrorKind::Package,
                "the project file has no manifest (DeploymentModelSpecificContent/Manifest/SSIS:Project)",
            )
            .with_file(origin)
            .at(dtproj.line, 1)
        })
}
