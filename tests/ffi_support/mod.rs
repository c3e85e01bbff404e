//! Helpers for the Rust-side C API tests: a temporary store and safe call wrappers.

#![allow(dead_code)]

use ssis_service::ffi::*;
use std::ffi::{CStr, CString, c_char};
use std::path::{Path, PathBuf};

/// A minimal SSIS 2012+ package.
pub const PACKAGE_XML: &str = r#"<?xml version="1.0"?>
<DTS:Executable xmlns:DTS="www.microsoft.com/SqlServer/Dts" DTS:refId="Package"
  DTS:CreationDate="1/2/2024 10:00:00 AM" DTS:CreationName="Microsoft.Package"
  DTS:CreatorComputerName="HOST" DTS:CreatorName="HOST\user"
  DTS:DTSID="{5C4F0C1E-2B9A-4E4B-9B2F-1A2B3C4D5E6F}" DTS:ExecutableType="Microsoft.Package"
  DTS:LastModifiedProductVersion="15.0.2000.170" DTS:LocaleID="1033"
  DTS:ObjectName="RustTest" DTS:PackageType="5" DTS:VersionBuild="3"
  DTS:VersionGUID="{0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0}">
  <DTS:Property DTS:Name="PackageFormatVersion">8</DTS:Property>
  <DTS:Variables />
  <DTS:Executables />
</DTS:Executable>
"#;

/// A temporary configuration with one File System folder (`Packages/`), `folders`
/// subfolders `F00..` each holding one package, and a package file outside the store.
pub struct Store {
    pub dir: tempfile::TempDir,
}

impl Store {
    pub fn new(folders: usize) -> Store {
        let dir = tempfile::tempdir().unwrap();
        let packages = dir.path().join("Packages");
        std::fs::create_dir_all(&packages).unwrap();
        for i in 0..folders {
            let folder = packages.join(format!("F{i:02}"));
            std::fs::create_dir_all(&folder).unwrap();
            std::fs::write(folder.join("Load.dtsx"), PACKAGE_XML).unwrap();
        }
        std::fs::write(dir.path().join("Sample.dtsx"), PACKAGE_XML).unwrap();
        std::fs::write(
            dir.path().join("MsDtsSrvr.ini.xml"),
            r#"<?xml version="1.0" encoding="utf-8"?>
<DtsServiceConfiguration xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <StopExecutingPackagesOnShutdown>true</StopExecutingPackagesOnShutdown>
  <TopLevelFolders>
    <Folder xsi:type="FileSystemFolder">
      <Name>File System</Name>
      <StorePath>Packages</StorePath>
    </Folder>
  </TopLevelFolders>
</DtsServiceConfiguration>
"#,
        )
        .unwrap();
        Store { dir }
    }

    pub fn config(&self) -> PathBuf {
        self.dir.path().join("MsDtsSrvr.ini.xml")
    }

    pub fn sample(&self) -> PathBuf {
        self.dir.path().join("Sample.dtsx")
    }

    /// Opens a session on this store through `ssis_connect`.
    pub fn connect(&self) -> Session {
        let server = c(&format!("embedded:{}", self.config().display()));
        let mut handle: *mut ssis_session = std::ptr::null_mut();
        let st = unsafe { ssis_connect(server.as_ptr(), std::ptr::null(), &mut handle) };
        assert_eq!(st, ssis_status::SSIS_OK, "connect: {}", last_error());
        Session(handle)
    }
}

/// A session handle disconnected on drop; shareable between threads like in C.
pub struct Session(pub *mut ssis_session);
unsafe impl Send for Session {}
unsafe impl Sync for Session {}

impl Drop for Session {
    fn drop(&mut self) {
        unsafe { ssis_disconnect(self.0) };
    }
}

pub fn c(text: &str) -> CString {
    CString::new(text).unwrap()
}

pub fn path_c(path: &Path) -> CString {
    c(path.to_str().unwrap())
}

/// Takes a string the library returned, freeing it.
pub fn take(ptr: *mut c_char) -> String {
    assert!(!ptr.is_null());
    let text = unsafe { CStr::from_ptr(ptr) }.to_str().unwrap().to_owned();
    unsafe { ssis_string_free(ptr) };
    text
}

/// This thread's last error JSON.
pub fn last_error() -> String {
    let mut out = std::ptr::null_mut();
    assert_eq!(unsafe { ssis_last_error(&mut out) }, ssis_status::SSIS_OK);
    take(out)
}

/// Runs a call with an out_json; Ok(json) on success, Err((status, last error)) else.
pub fn call(
    f: impl FnOnce(*mut *mut c_char) -> ssis_status,
) -> Result<serde_json::Value, (ssis_status, String)> {
    let mut out = std::ptr::null_mut();
    let st = f(&mut out);
    if st == ssis_status::SSIS_OK {
        Ok(serde_json::from_str(&take(out)).unwrap())
    } else {
        assert!(out.is_null(), "out_json written on failure");
        Err((st, last_error()))
    }
}
