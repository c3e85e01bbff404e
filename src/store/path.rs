//! Store paths: `\File System\Sales\Daily Load`.

use crate::error::Result;

/// A path in the package store: top-level folder, subfolders, package name.
/// Compared case-insensitively; displayed with backslashes.
#[derive(Debug, Clone)]
pub struct StorePath {
    segments: Vec<String>,
}

impl StorePath {
    /// Parses `\A\B\C` or `/A/B/C`.
    pub fn parse(text: &str) -> Result<StorePath> {
        let _ = text;
        todo!("store helper")
    }

    /// The segments, top-level folder first.
    pub fn segments(&self) -> &[String] {
        &self.segments
    }
}

/// Checks one folder or package name; `what` names it in the error.
pub fn validate_name(name: &str, what: &str) -> Result<()> {
    let _ = (name, what);
    todo!("store helper")
}
