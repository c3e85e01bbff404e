//! Reading a project into a [`Project`]: where its files are, its
//! manifest, its packages, its connection managers and its parameters.

use super::manifest::{self, Manifest};
use super::params;
use super::parts::{self, Parts};
use crate::cancel::CancelToken;
use crate::model::{
    self, ConnectionManager, EncryptedValue, PartSource, Project, ProjectPackage, ProjectParameter,
    ProtectionLevel, Replacement, xml,
};
use ssis_core::error::{Error, ErrorKind, Result};
use std::path::{Path, PathBuf};
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
    let (parts, manifest_name, dir) = locate(path)?;
    let reader = Reader {
        path,
        dir,
        parts,
        password,
        cancel,
    };
    let manifest = reader.manifest(&manifest_name)?;
    let level = manifest.protection_level;
    // With the password, what the project encrypted with it is clear text.
    let opened = password.is_some() && level.uses_password();
    let encrypts = !opened
        && !matches!(
            level,
            ProtectionLevel::DontSaveSensitive | ProtectionLevel::ServerStorage
        );
    let packages = reader.packages(&manifest, &manifest_name)?;
    let (connections, mut encrypted) = reader.connections(&manifest, encrypts)?;
    let (parameters, hidden) = reader.parameters(encrypts)?;
    encrypted.extend(hidden);
    let name = manifest.name.clone().unwrap_or_else(|| {
        path.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    });
    Ok(Arc::new(Project {
        name,
        source: path.to_path_buf(),
        dir: reader.dir,
        parts: Arc::new(reader.parts),
        protection_level: level,
        password: password.map(str::to_string),
        packages,
        connections,
        parameters,
        encrypted,
    }))
}

/// The project's files, the name of its manifest among them, and the
/// folder its files are named from in messages.
fn locate(path: &Path) -> Result<(Parts, String, PathBuf)> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(&e, "open the project", path))?;
    if meta.is_dir() {
        let parts = Parts::folder(path)?;
        let name = folder_manifest(&parts, path)?;
        return Ok((parts, name, path.to_path_buf()));
    }
    parts::regular_file(path, "open the project")?;
    let is_dtproj = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("dtproj"));
    if !is_dtproj {
        let parts = Parts::ispac(path)?;
        return Ok((parts, "@Project.manifest".into(), path.to_path_buf()));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok((Parts::folder(dir)?, name, dir.to_path_buf()))
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

/// What reading a project's parts needs.
struct Reader<'a> {
    /// The project as named, for messages.
    path: &'a Path,
    /// The folder its parts are named from in messages.
    dir: PathBuf,
    parts: Parts,
    password: Option<&'a str>,
    cancel: &'a CancelToken,
}

impl Reader<'_> {
    /// Parses the part `name` (missing: `None`), first decrypting what is
    /// encrypted with the password, if one is given.
    fn parse(&self, name: &str) -> Result<Option<(xml::Element, PathBuf)>> {
        let Some(bytes) = self.parts.read(name)? else {
            return Ok(None);
        };
        let origin = self.dir.join(name);
        let clear = match self.password {
            Some(p) => model::decrypt::decrypt_document(&bytes, p, &origin, self.cancel)?,
            None => None,
        };
        let el = xml::parse_with(clear.as_deref().unwrap_or(&bytes), &origin, self.cancel)?;
        Ok(Some((el, origin)))
    }

    fn manifest(&self, name: &str) -> Result<Manifest> {
        let (root, origin) = self.parse(name)?.ok_or_else(|| {
            Error::new(
                ErrorKind::Package,
                format!("the project has no manifest ({name})"),
            )
            .with_file(self.path)
        })?;
        if name.to_ascii_lowercase().ends_with(".dtproj") {
            manifest::read(manifest::in_dtproj(&root, &origin)?, &origin)
        } else {
            manifest::read(&root, &origin)
        }
    }

    /// The parts named `*ext`, for a manifest that lists none.
    fn all(&self, ext: &str) -> Vec<String> {
        self.parts
            .names()
            .into_iter()
            .filter(|n| n.to_ascii_lowercase().ends_with(ext))
            .map(str::to_string)
            .collect()
    }

    /// The packages the manifest lists (every `.dtsx` part when it lists
    /// none), each marked present or not.
    fn packages(&self, manifest: &Manifest, manifest_name: &str) -> Result<Vec<ProjectPackage>> {
        let listed: Vec<(String, bool)> = if manifest.packages.is_empty() {
            self.all(".dtsx").into_iter().map(|n| (n, true)).collect()
        } else {
            manifest.packages.clone()
        };
        let held: std::collections::HashSet<String> = self
            .parts
            .names()
            .iter()
            .map(|n| n.to_lowercase())
            .collect();
        let mut packages: Vec<ProjectPackage> = Vec::new();
        for (name, entry_point) in listed {
            if packages.iter().any(|p| p.name.eq_ignore_ascii_case(&name)) {
                return Err(Error::new(
                    ErrorKind::Package,
                    format!("the project's manifest lists package '{name}' twice"),
                )
                .with_file(self.dir.join(manifest_name)));
            }
            let present = held.contains(&name.to_lowercase());
            packages.push(ProjectPackage {
                name,
                entry_point,
                present,
            });
        }
        Ok(packages)
    }

    /// The connection managers (`.conmgr` parts the manifest lists, or all)
    /// and their values stored encrypted.
    fn connections(
        &self,
        manifest: &Manifest,
        encrypts: bool,
    ) -> Result<(Vec<ConnectionManager>, Vec<EncryptedValue>)> {
        let files = match manifest.connection_files.is_empty() {
            true => self.all(".conmgr"),
            false => manifest.connection_files.clone(),
        };
        let mut connections: Vec<ConnectionManager> = Vec::new();
        let mut encrypted = Vec::new();
        for file in files {
            let (el, origin) = self.parse(&file)?.ok_or_else(|| {
                Error::new(
                    ErrorKind::Package,
                    format!(
                        "the project's manifest lists connection manager '{file}', which the \
                         project does not hold"
                    ),
                )
                .with_file(self.path)
            })?;
            let (manager, hidden) = match model::read_project_connection(&el, &origin, encrypts)? {
                model::ProjectConnection::EncryptedWhole => {
                    encrypted.push(EncryptedValue {
                        what: format!("connection manager file '{file}' (encrypted as a whole)"),
                        replaced_by: Replacement::Nothing,
                    });
                    continue;
                }
                model::ProjectConnection::Read { manager, encrypted } => (manager, encrypted),
            };
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
            if let Some(property) = hidden {
                encrypted.push(EncryptedValue {
                    what: format!(
                        "{property} of project connection manager '{}'",
                        manager.name
                    ),
                    replaced_by: Replacement::Connection {
                        name: manager.name.clone(),
                        id: manager.id.clone(),
                        property,
                        project: true,
                    },
                });
            }
            connections.push(manager);
        }
        Ok((connections, encrypted))
    }

    /// The parameters of `Project.params` (none without it) and their
    /// values stored encrypted.
    fn parameters(&self, encrypts: bool) -> Result<(Vec<ProjectParameter>, Vec<EncryptedValue>)> {
        let Some((el, origin)) = self.parse("Project.params")? else {
            return Ok((Vec::new(), Vec::new()));
        };
        let (parameters, hidden) = params::read(&el, &origin, encrypts)?;
        let encrypted = hidden
            .into_iter()
            .map(|h| EncryptedValue {
                what: format!("Value of project parameter '{}'", h.0),
                replaced_by: Replacement::Variable {
                    scope: "Package".into(),
                    name: format!("$Project::{}", h.0),
                },
            })
            .collect();
        Ok((parameters, encrypted))
    }
}
