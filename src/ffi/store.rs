//! The package store through a session: folders and packages.
//!
//! Store paths are written `\File System\Sales\Daily Load` (`/` is accepted too) and
//! compared case-insensitively; names may contain any Unicode letter (`Überweisung €`).
//! Each result is the JSON the CLI prints with `--json`.

use super::boundary;
use super::runtime;
use super::session::ssis_session;
use super::status::ssis_status;
use super::strings::{OutString, arg_bool};
use crate::Result;
use crate::client::Session;
use serde::Serialize;
use std::ffi::c_char;

/// Lists folders: the top-level folders when `path` is NULL, `""` or `"\"`, else the
/// subfolders of `path`. Writes `{"Items": [{"Name": "Sales", "Path": "\\File System\\Sales",
/// "FolderType": "Folder"}, ...]}` (`FolderType` is `FileSystemFolder` or `SqlServerFolder`
/// for top-level folders).
///
/// # Safety
/// `session` must be a live handle (or NULL); strings NULL or NUL-terminated; `out_json`
/// NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ssis_list_folders(
    session: *const ssis_session,
    path: *const c_char,
    out_json: *mut *mut c_char,
) -> ssis_status {
    boundary::call("ssis_list_folders", || {
        let session = session_arg!(session)?;
        let path = opt_store_path_arg!(path)?;
        let out = out_arg!(out_json)?;
        out.write_json(&runtime::call(|| session.list_folders(path.as_ref()))?)
    })
}

/// Lists the packages in `folder` (and in all its subfolders when `recursive` is 1).
/// Writes `{"Items": [{"Name", "Path", "Folder", "Size", "Modified", "Metadata", "Error"}]}`;
/// a package whose identity cannot be read is listed with `Metadata` null and `Error` set.
///
/// # Safety
/// As `ssis_list_folders`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ssis_list_packages(
    session: *const ssis_session,
    folder: *const c_char,
    recursive: i32,
    out_json: *mut *mut c_char,
) -> ssis_status {
    boundary::call("ssis_list_packages", || {
        let session = session_arg!(session)?;
        let folder = store_path_arg!(folder)?;
        let recursive = arg_bool(recursive, "recursive")?;
        let out = out_arg!(out_json)?;
        out.write_json(&runtime::call(|| {
            session.list_packages(&folder, recursive)
        })?)
    })
}

/// Describes the package `path`: its listing entry plus `Details` (executables,
/// connection managers, variables, parameters; null when it could not be read in full).
///
/// # Safety
/// As `ssis_list_folders`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ssis_package_info(
    session: *const ssis_session,
    path: *const c_char,
    out_json: *mut *mut c_char,
) -> ssis_status {
    boundary::call("ssis_package_info", || {
        let session = session_arg!(session)?;
        let path = store_path_arg!(path)?;
        let out = out_arg!(out_json)?;
        out.write_json(&runtime::call(|| session.package_info(&path))?)
    })
}

/// Creates the folder `path` (its parent must exist) and writes its entry
/// `{"Name", "Path", "FolderType"}`.
///
/// # Safety
/// As `ssis_list_folders`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ssis_folder_create(
    session: *const ssis_session,
    path: *const c_char,
    out_json: *mut *mut c_char,
) -> ssis_status {
    boundary::call("ssis_folder_create", || {
        let session = session_arg!(session)?;
        let path = store_path_arg!(path)?;
        let out = out_arg!(out_json)?;
        out.write_json(&runtime::call(|| session.folder_create(&path))?)
    })
}

/// Renames the folder `path` to `new_name` (a name, not a path) in the same parent and
/// writes the renamed folder's entry.
///
/// # Safety
/// As `ssis_list_folders`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ssis_folder_rename(
    session: *const ssis_session,
    path: *const c_char,
    new_name: *const c_char,
    out_json: *mut *mut c_char,
) -> ssis_status {
    boundary::call("ssis_folder_rename", || {
        let session = session_arg!(session)?;
        let path = store_path_arg!(path)?;
        let new_name = str_arg!(new_name)?;
        let out = out_arg!(out_json)?;
        out.write_json(&runtime::call(|| session.folder_rename(&path, new_name))?)
    })
}

/// Deletes the folder `path`. A folder that is not empty is deleted only when
/// `recursive` is 1 (else `SSIS_NOT_EMPTY`).
///
/// # Safety
/// `session` must be a live handle (or NULL); `path` NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ssis_folder_delete(
    session: *const ssis_session,
    path: *const c_char,
    recursive: i32,
) -> ssis_status {
    boundary::call("ssis_folder_delete", || {
        let session = session_arg!(session)?;
        let path = store_path_arg!(path)?;
        let recursive = arg_bool(recursive, "recursive")?;
        runtime::call(|| session.folder_delete(&path, recursive))
    })
}

/// Imports the package file `file` (a file-system path) as the store path `dest` (folder
/// path plus package name, without `.dtsx`). An existing package is replaced only when
/// `replace` is 1 (else `SSIS_ALREADY_EXISTS`). Writes the new package's entry.
///
/// # Safety
/// As `ssis_list_folders`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ssis_package_import(
    session: *const ssis_session,
    file: *const c_char,
    dest: *const c_char,
    replace: i32,
    out_json: *mut *mut c_char,
) -> ssis_status {
    boundary::call("ssis_package_import", || {
        let args = (
            session_arg!(session)?,
            file_arg!(file)?,
            &store_path_arg!(dest)?,
        );
        let replace = arg_bool(replace, "replace")?;
        transfer(args, replace, out_arg!(out_json)?, Session::package_import)
    })
}

/// Exports the package `path` to the file `file` (written atomically; an existing file
/// is replaced only when `replace` is 1). Writes `{"Path": "\\File System\\X", "File":
/// "/tmp/x.dtsx", "Size": 1234}`.
///
/// # Safety
/// As `ssis_list_folders`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ssis_package_export(
    session: *const ssis_session,
    path: *const c_char,
    file: *const c_char,
    replace: i32,
    out_json: *mut *mut c_char,
) -> ssis_status {
    boundary::call("ssis_package_export", || {
        let args = (
            session_arg!(session)?,
            &store_path_arg!(path)?,
            file_arg!(file)?,
        );
        let replace = arg_bool(replace, "replace")?;
        transfer(args, replace, out_arg!(out_json)?, Session::package_export)
    })
}

/// Copies the package `source` to the store path `dest` (an existing package replaced
/// only when `replace` is 1). Writes the copy's entry.
///
/// # Safety
/// As `ssis_list_folders`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ssis_package_copy(
    session: *const ssis_session,
    source: *const c_char,
    dest: *const c_char,
    replace: i32,
    out_json: *mut *mut c_char,
) -> ssis_status {
    boundary::call("ssis_package_copy", || {
        let args = (
            session_arg!(session)?,
            &store_path_arg!(source)?,
            &store_path_arg!(dest)?,
        );
        let replace = arg_bool(replace, "replace")?;
        transfer(args, replace, out_arg!(out_json)?, Session::package_copy)
    })
}

/// Moves the package `source` to the store path `dest` (an existing package replaced
/// only when `replace` is 1). Writes the moved package's entry.
///
/// # Safety
/// As `ssis_list_folders`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ssis_package_move(
    session: *const ssis_session,
    source: *const c_char,
    dest: *const c_char,
    replace: i32,
    out_json: *mut *mut c_char,
) -> ssis_status {
    boundary::call("ssis_package_move", || {
        let args = (
            session_arg!(session)?,
            &store_path_arg!(source)?,
            &store_path_arg!(dest)?,
        );
        let replace = arg_bool(replace, "replace")?;
        transfer(args, replace, out_arg!(out_json)?, Session::package_move)
    })
}

/// Deletes the package `path`.
///
/// # Safety
/// `session` must be a live handle (or NULL); `path` NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ssis_package_delete(
    session: *const ssis_session,
    path: *const c_char,
) -> ssis_status {
    boundary::call("ssis_package_delete", || {
        let session = session_arg!(session)?;
        let path = store_path_arg!(path)?;
        runtime::call(|| session.package_delete(&path))
    })
}

/// Tells what the store path `path` names: `{"Path": "\\File System\\X", "Kind":
/// "Folder", "Folder": true, "Package": false}`. `Kind` is `None`, `Folder` or `Package` (a
/// package wins over a folder of the same name; then both flags are true).
///
/// # Safety
/// As `ssis_list_folders`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ssis_exists(
    session: *const ssis_session,
    path: *const c_char,
    out_json: *mut *mut c_char,
) -> ssis_status {
    boundary::call("ssis_exists", || {
        let session = session_arg!(session)?;
        let path = store_path_arg!(path)?;
        let out = out_arg!(out_json)?;
        out.write_json(&runtime::call(|| session.exists(&path))?)
    })
}

/// The shape of import, export, copy and move: a session, two paths, `replace`, and
/// `op`'s result written as JSON.
fn transfer<A: ?Sized, B: ?Sized, T: Serialize>(
    (session, first, second): (&Session, &A, &B),
    replace: bool,
    out: OutString<'_>,
    op: fn(&Session, &A, &B, bool) -> Result<T>,
) -> Result<()> {
    out.write_json(&runtime::call(|| op(session, first, second, replace))?)
}
