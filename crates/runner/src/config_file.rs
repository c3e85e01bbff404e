//! `/CONFIGFILE`: the property configurations of an XML configuration file
//! (`.dtsConfig`) read as `/SET` overrides.

use crate::cmdline::SetOverride;
use crate::{cmdline, model};
use ssis_core::error::{Error, ErrorKind, Result};
use std::path::Path;

/// Reads the property configurations of an XML configuration file
/// (`.dtsConfig`: `<Configuration ConfiguredType="Property" Path="...">
/// <ConfiguredValue>...`), as `/SET` overrides in file order.
pub fn read_config_file(path: &Path) -> Result<Vec<SetOverride>> {
    let bytes = std::fs::read(path).map_err(|e| {
        let kind = if e.kind() == std::io::ErrorKind::NotFound {
            ErrorKind::InvalidArgument
        } else {
            ErrorKind::Io
        };
        Error::new(kind, format!("/CONFIGFILE '{}': {e}", path.display()))
            .with_target("/CONFIGFILE")
    })?;
    let root = model::xml::parse(&bytes, path).map_err(|e| {
        Error::invalid(format!("/CONFIGFILE '{}': {}", path.display(), e.message))
            .with_target("/CONFIGFILE")
    })?;
    if root.local_name() != "DTSConfiguration" {
        return Err(Error::invalid(format!(
            "/CONFIGFILE '{}' is not an XML configuration (the root is <{}>, not <DTSConfiguration>)",
            path.display(),
            root.local_name()
        ))
        .with_target("/CONFIGFILE"));
    }
    let mut out = Vec::new();
    for c in root.children_named("Configuration") {
        let kind = c.attr("ConfiguredType").unwrap_or("Property");
        if !kind.eq_ignore_ascii_case("Property") {
            return Err(Error::invalid(format!(
                "/CONFIGFILE '{}' line {}: ConfiguredType '{kind}' is not supported (Property is)",
                path.display(),
                c.line
            ))
            .with_target("/CONFIGFILE"));
        }
        let p = c.attr("Path").unwrap_or("");
        let value = c
            .child("ConfiguredValue")
            .map(|v| v.text.clone())
            .unwrap_or_default();
        let mut o = cmdline::parse_path(p, value, "/CONFIGFILE").map_err(|e| {
            Error::invalid(format!(
                "{} (file '{}', line {})",
                e.message,
                path.display(),
                c.line
            ))
            .with_target("/CONFIGFILE")
        })?;
        o.path = format!("{} ({})", o.path, path.display());
        out.push(o);
    }
    Ok(out)
}
