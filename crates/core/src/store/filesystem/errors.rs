//! The errors the File System store's folder and package changes report.

use crate::error::{Error, ErrorKind};
use std::io;
use std::path::Path;

pub(super) fn already_exists(what: &str, path: &str) -> Error {
    Error::new(
        ErrorKind::AlreadyExists,
        format!("{what} '{path}' already exists; ask to replace it to overwrite"),
    )
    .with_target(path)
}

pub(super) fn already_exists_as_file(path: &str, target: &Path) -> Error {
    Error::new(
        ErrorKind::AlreadyExists,
        format!(
            "cannot create folder '{path}': '{}' already exists and is not a folder",
            target.display()
        ),
    )
    .with_target(path)
}

pub(super) fn top_level_fixed(name: &str) -> Error {
    Error::invalid(format!(
        "'\\{name}' is a top-level folder: top-level folders come from the service \
         configuration and cannot be renamed or deleted here"
    ))
    .with_target(format!("\\{name}"))
}

pub(super) fn dir_not_empty(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::DirectoryNotEmpty
}
