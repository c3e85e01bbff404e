//! Reads a `<DTS:ConnectionManager>` into a [`ConnectionManager`]: a
//! package's, or a project's (the root of a `.conmgr` file).

use super::{boolean, int, property_expressions};
use crate::model::xml::Element;
use crate::model::*;
use ssis_core::error::{Error, ErrorKind, Result};
use std::path::Path;

/// A project connection manager file as read.
pub enum ProjectConnection {
    /// The manager, and what of it is stored encrypted (`Password`), which
    /// is left out.
    Read {
        /// The manager, marked `project`.
        manager: ConnectionManager,
        /// The encrypted property's name, if one is.
        encrypted: Option<String>,
    },
    /// The whole file is cipher text (EncryptAllWith...): not even its
    /// name is readable.
    EncryptedWhole,
}

/// Reads the root `<DTS:ConnectionManager>` of a `.conmgr` file. Under a
/// protection level that encrypts sensitive values (`encrypts`), a saved
/// `Password` is cipher text even where it is not marked `Encrypted`.
pub fn read_project_connection(
    root: &Element,
    origin: &Path,
    encrypts: bool,
) -> Result<ProjectConnection> {
    if root.local_name() != "ConnectionManager" {
        return Err(Error::new(
            ErrorKind::Package,
            format!(
                "the root element is <{}>, not a connection manager <DTS:ConnectionManager>",
                root.name
            ),
        )
        .with_file(origin)
        .at(root.line, 1));
    }
    let whole = root.attr("Salt").is_some()
        || root
            .children
            .iter()
            .any(|c| c.local_name() == "EncryptedData");
    if whole {
        return Ok(ProjectConnection::EncryptedWhole);
    }
    let mut manager = read_connection(root);
    manager.project = true;
    if manager.name.trim().is_empty() {
        return Err(Error::new(
            ErrorKind::Package,
            "the connection manager has no ObjectName",
        )
        .with_file(origin)
        .at(root.line, 1));
    }
    let saved = root
        .child("ObjectData")
        .and_then(|d| d.child("ConnectionManager"))
        .and_then(|d| d.child("Password"))
        .filter(|p| !p.text.trim().is_empty());
    let encrypted = saved.and_then(|p| {
        let marked = p.attr("Encrypted").and_then(boolean) == Some(true);
        let cipher = encrypts || p.attr("Salt").is_some() || marked;
        cipher.then(|| "Password".to_string())
    });
    if encrypted.is_some() {
        manager.password = None;
    }
    Ok(ProjectConnection::Read { manager, encrypted })
}

pub(super) fn read_connection(cm: &Element) -> ConnectionManager {
    let data = cm
        .child("ObjectData")
        .and_then(|d| d.child("ConnectionManager"));
    let from_data = |name: &str| data.and_then(|d| d.prop(name)).unwrap_or("").to_string();
    ConnectionManager {
        name: cm.prop("ObjectName").unwrap_or("").to_string(),
        id: cm.prop("DTSID").unwrap_or("").to_string(),
        creation_name: cm.prop("CreationName").unwrap_or("").to_string(),
        connection_string: from_data("ConnectionString"),
        file_usage_type: int(&from_data("FileUsageType")).unwrap_or(0) as i32,
        password: data
            .and_then(|d| d.child("Password"))
            .filter(|p| p.attr("Encrypted").and_then(boolean) != Some(true))
            .map(|p| p.text.clone())
            .filter(|p| !p.is_empty()),
        retain: boolean(&from_data("Retain")).unwrap_or(false),
        property_expressions: property_expressions(cm),
        data: data.map(|d| std::sync::Arc::new(d.clone())),
        project: false,
    }
}
