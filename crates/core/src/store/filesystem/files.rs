//! Package files read without following links: one open that refuses a
//! link, the first bytes of a package and its metadata, and file status
//! taken relative to an open directory.

use crate::error::{Error, Result};
use crate::package::{PackageMetadata, read_metadata, read_metadata_bytes};
use crate::store::index::FileKey;
use std::fs;
use std::io;
use std::io::Read as _;
use std::path::Path;
#[cfg(unix)]
use std::path::PathBuf;

/// The directory a listing is in, kept open so that its files' status is
/// taken relative to it (`fstatat`).
#[derive(Default)]
pub(super) struct OpenDir {
    #[cfg(unix)]
    dir: Option<(PathBuf, fs::File)>,
}

impl OpenDir {
    /// The key of `file` (not followed if a link), if it is a regular file.
    #[cfg(unix)]
    pub(super) fn key(&mut self, file: &Path) -> Option<FileKey> {
        use std::os::fd::AsRawFd;
        use std::os::unix::ffi::OsStrExt;
        let (parent, name) = (file.parent()?, file.file_name()?);
        if self
            .dir
            .as_ref()
            .is_none_or(|(p, _)| p.as_os_str() != parent.as_os_str())
        {
            self.dir = fs::File::open(parent)
                .ok()
                .map(|f| (parent.to_path_buf(), f));
        }
        let (_, dir) = self.dir.as_ref()?;
        let name = std::ffi::CString::new(name.as_bytes()).ok()?;
        // SAFETY: a valid descriptor, a NUL-terminated name and a buffer of
        // the right type; the buffer is read only when the call succeeded.
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        let rc = unsafe {
            libc::fstatat(
                dir.as_raw_fd(),
                name.as_ptr(),
                &mut st,
                libc::AT_SYMLINK_NOFOLLOW,
            )
        };
        (rc == 0 && st.st_mode & libc::S_IFMT == libc::S_IFREG).then(|| FileKey::of_stat(&st))
    }

    /// The key of `file` (not followed if a link), if it is a regular file.
    #[cfg(windows)]
    pub(super) fn key(&mut self, file: &Path) -> Option<FileKey> {
        let md = fs::symlink_metadata(file).ok()?;
        md.is_file().then(|| FileKey::of(&md))
    }
}

/// How much of a package a listing reads at first: the SSIS 2012+ identity
/// sits in the root element, well inside it.
const HEAD_BYTES: usize = 8192;

/// Opens `file` without following a link (one open, no path race), and
/// reads its status and up to [`HEAD_BYTES`] of its start into `head`.
pub(super) fn read_head(file: &Path, head: &mut Vec<u8>) -> io::Result<fs::Metadata> {
    let f = open_no_follow(file)?;
    let md = f.metadata()?;
    head.clear();
    head.reserve(HEAD_BYTES);
    io::Read::take(&f, HEAD_BYTES as u64).read_to_end(head)?;
    Ok(md)
}

/// Opens `path` for reading; a symbolic link is an error (see [`is_link_error`]).
#[cfg(unix)]
pub(super) fn open_no_follow(path: &Path) -> io::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
}

/// Opens `path` for reading; a symbolic link or other reparse point is an
/// error (see [`is_link_error`]).
#[cfg(windows)]
pub(super) fn open_no_follow(path: &Path) -> io::Result<fs::File> {
    use std::os::windows::fs::OpenOptionsExt;
    const FILE_FLAG_OPEN_REPARSE_POINT: u32 = 0x0020_0000;
    let f = fs::OpenOptions::new()
        .read(true)
        .custom_flags(FILE_FLAG_OPEN_REPARSE_POINT)
        .open(path)?;
    if f.metadata()?.file_type().is_symlink() {
        return Err(io::Error::from_raw_os_error(ERROR_STOPPED_ON_SYMLINK));
    }
    Ok(f)
}

/// Windows' "the operation stopped at a symbolic link" error code.
#[cfg(windows)]
const ERROR_STOPPED_ON_SYMLINK: i32 = 681;

/// True for the error [`open_no_follow`] gives on a link.
#[cfg(unix)]
pub(super) fn is_link_error(e: &io::Error) -> bool {
    e.raw_os_error() == Some(libc::ELOOP)
}

/// True for the error [`open_no_follow`] gives on a link.
#[cfg(windows)]
pub(super) fn is_link_error(e: &io::Error) -> bool {
    e.raw_os_error() == Some(ERROR_STOPPED_ON_SYMLINK)
}

/// Reads a package's metadata from `head` (the start of `file`), or from
/// the whole file when the head is not enough (SSIS 2005/2008 packages keep
/// their identity after their contents); errors always come from the file
/// reader, so they name the file. A panic in the reader becomes an Internal
/// error on that one package instead of taking the whole listing down.
pub(super) fn guarded_metadata(file: &Path, head: &[u8]) -> Result<PackageMetadata> {
    std::panic::catch_unwind(|| {
        read_metadata_bytes(head, &file.display().to_string()).or_else(|_| read_metadata(file))
    })
    .unwrap_or_else(|_| {
        Err(Error::internal(format!(
            "bug: the package reader panicked on '{}'; please report it",
            file.display()
        ))
        .with_file(file))
    })
}
