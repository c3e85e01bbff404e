//! Reading a package file that a caller names: only a regular file, at most
//! [`MAX_PACKAGE_SIZE`] bytes, opened so that a FIFO or a device cannot
//! block or flood the reader.

use crate::error::{Error, ErrorKind, Result};
use crate::protocol::MAX_PACKAGE_SIZE;
use std::io::Read;
use std::path::Path;

/// The bytes of the package file `path`. A FIFO, a device or a folder is
/// refused without reading (a FIFO is opened non-blocking, so no writer is
/// waited for); a file larger than [`MAX_PACKAGE_SIZE`] is refused by its
/// size, and a file that grows while read is cut off at the limit and refused.
pub fn read_package_file(path: &Path) -> Result<Vec<u8>> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let file = options
        .open(path)
        .map_err(|e| Error::io(&e, "open", path).with_file(path))?;
    let meta = file
        .metadata()
        .map_err(|e| Error::io(&e, "read", path).with_file(path))?;
    if !meta.is_file() {
        return Err(Error::invalid(format!(
            "'{}' is not a regular file (a package must be a .dtsx file, not a folder, FIFO or device)",
            path.display()
        ))
        .with_target(path.display().to_string()));
    }
    let too_big = || {
        Error::new(
            ErrorKind::InvalidArgument,
            format!(
                "'{}' is larger than the largest package this product takes ({} MiB)",
                path.display(),
                MAX_PACKAGE_SIZE / (1024 * 1024)
            ),
        )
        .with_target(path.display().to_string())
    };
    if meta.len() > MAX_PACKAGE_SIZE as u64 {
        return Err(too_big());
    }
    let mut data = Vec::with_capacity(meta.len() as usize);
    file.take(MAX_PACKAGE_SIZE as u64 + 1)
        .read_to_end(&mut data)
        .map_err(|e| Error::io(&e, "read", path).with_file(path))?;
    if data.len() > MAX_PACKAGE_SIZE {
        return Err(too_big());
    }
    Ok(data)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn fifos_devices_folders_and_huge_files_are_refused_without_reading() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe.dtsx");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let e = read_package_file(&fifo).unwrap_err();
        assert!(e.message.contains("not a regular file"), "{e}");
        assert!(read_package_file(Path::new("/dev/zero")).is_err());
        assert!(read_package_file(dir.path()).is_err());
        let sparse = dir.path().join("huge.dtsx");
        let f = std::fs::File::create(&sparse).unwrap();
        f.set_len(100 * 1024 * 1024 * 1024).unwrap();
        let e = read_package_file(&sparse).unwrap_err();
        assert!(e.message.contains("larger than"), "{e}");
        let ok = dir.path().join("ok.dtsx");
        std::fs::write(&ok, b"<x/>").unwrap();
        assert_eq!(read_package_file(&ok).unwrap(), b"<x/>");
    }
}
