//! The few registry operations the Windows side needs: our event source
//! key, and reading SQL Server's SSIS settings (HKLM).

use std::io;
use windows_sys::Win32::System::Registry::{
    HKEY, HKEY_LOCAL_MACHINE, KEY_READ, KEY_WRITE, REG_DWORD, REG_EXPAND_SZ,
    REG_OPTION_NON_VOLATILE, RRF_RT_REG_SZ, RegCloseKey, RegCreateKeyExW, RegDeleteTreeW,
    RegEnumKeyExW, RegGetValueW, RegOpenKeyExW, RegSetValueExW,
};

fn wide(s: &str) -> Vec<u16> {
    s.encode_utf16().chain(Some(0)).collect()
}

fn check(rc: u32) -> io::Result<()> {
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::from_raw_os_error(rc as i32))
    }
}

/// An open registry key, closed on drop.
pub struct Key(HKEY);

impl Drop for Key {
    fn drop(&mut self) {
        // SAFETY: the key is ours.
        unsafe {
            RegCloseKey(self.0);
        }
    }
}

/// Creates (or opens for reading and writing) `HKLM\<path>`.
pub fn create_local_machine_key(path: &str) -> io::Result<Key> {
    let mut key: HKEY = std::ptr::null_mut();
    let p = wide(path);
    // SAFETY: NUL-terminated path; key is an out-parameter.
    check(unsafe {
        RegCreateKeyExW(
            HKEY_LOCAL_MACHINE,
            p.as_ptr(),
            0,
            std::ptr::null(),
            REG_OPTION_NON_VOLATILE,
            KEY_READ | KEY_WRITE,
            std::ptr::null(),
            &mut key,
            std::ptr::null_mut(),
        )
    })?;
    Ok(Key(key))
}

/// Opens `HKLM\<path>` for reading.
pub fn open_local_machine_key(path: &str) -> io::Result<Key> {
    let mut key: HKEY = std::ptr::null_mut();
    let p = wide(path);
    // SAFETY: NUL-terminated path; key is an out-parameter.
    check(unsafe { RegOpenKeyExW(HKEY_LOCAL_MACHINE, p.as_ptr(), 0, KEY_READ, &mut key) })?;
    Ok(Key(key))
}

/// Deletes `HKLM\<path>` and everything under it; a missing key is fine.
pub fn delete_local_machine_key(path: &str) -> io::Result<()> {
    let p = wide(path);
    // SAFETY: NUL-terminated path.
    match unsafe { RegDeleteTreeW(HKEY_LOCAL_MACHINE, p.as_ptr()) } {
        0 | 2 => Ok(()), // ERROR_FILE_NOT_FOUND
        rc => check(rc),
    }
}

impl Key {
    /// Sets a REG_EXPAND_SZ value.
    pub fn set_expand_string(&self, name: &str, value: &str) -> io::Result<()> {
        let n = wide(name);
        let v = wide(value);
        // SAFETY: v holds 2 * len bytes, NUL included.
        check(unsafe {
            RegSetValueExW(
                self.0,
                n.as_ptr(),
                0,
                REG_EXPAND_SZ,
                v.as_ptr().cast(),
                (v.len() * 2) as u32,
            )
        })
    }

    /// Sets a REG_DWORD value.
    pub fn set_dword(&self, name: &str, value: u32) -> io::Result<()> {
        let n = wide(name);
        let bytes = value.to_le_bytes();
        // SAFETY: four bytes.
        check(unsafe { RegSetValueExW(self.0, n.as_ptr(), 0, REG_DWORD, bytes.as_ptr(), 4) })
    }

    /// A string value (REG_SZ, or REG_EXPAND_SZ expanded); None when absent.
    pub fn string(&self, name: &str) -> io::Result<Option<String>> {
        let n = wide(name);
        // REG_EXPAND_SZ values pass RRF_RT_REG_SZ and come back expanded.
        let flags = RRF_RT_REG_SZ;
        let mut size = 0u32;
        // SAFETY: size query.
        let rc = unsafe {
            RegGetValueW(
                self.0,
                std::ptr::null(),
                n.as_ptr(),
                flags,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                &mut size,
            )
        };
        if rc == 2 {
            return Ok(None);
        }
        check(rc)?;
        let mut buf = vec![0u16; (size as usize).div_ceil(2) + 1];
        let mut size = (buf.len() * 2) as u32;
        // SAFETY: buf holds size bytes.
        check(unsafe {
            RegGetValueW(
                self.0,
                std::ptr::null(),
                n.as_ptr(),
                flags,
                std::ptr::null_mut(),
                buf.as_mut_ptr().cast(),
                &mut size,
            )
        })?;
        let len = buf.iter().position(|&c| c == 0).unwrap_or(buf.len());
        Ok(Some(String::from_utf16_lossy(&buf[..len])))
    }

    /// The names of the subkeys.
    pub fn subkeys(&self) -> Vec<String> {
        let mut names = Vec::new();
        for index in 0.. {
            let mut buf = [0u16; 256];
            let mut len = buf.len() as u32;
            // SAFETY: buf holds len characters.
            let rc = unsafe {
                RegEnumKeyExW(
                    self.0,
                    index,
                    buf.as_mut_ptr(),
                    &mut len,
                    std::ptr::null(),
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                )
            };
            if rc != 0 {
                break;
            }
            names.push(String::from_utf16_lossy(&buf[..len as usize]));
        }
        names
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_created_read_and_deleted() {
        let path = format!(r"SOFTWARE\ssis-service-test-{}", std::process::id());
        let Ok(key) = create_local_machine_key(&format!(r"{path}\Sub")) else {
            eprintln!("HKLM is not writable here (not an administrator); skipped");
            return;
        };
        key.set_expand_string("File", r"%SystemRoot%\x.dll")
            .unwrap();
        key.set_dword("Types", 7).unwrap();
        drop(key);
        let parent = open_local_machine_key(&path).unwrap();
        assert_eq!(parent.subkeys(), ["Sub"]);
        let sub = open_local_machine_key(&format!(r"{path}\Sub")).unwrap();
        let file = sub.string("File").unwrap().unwrap();
        assert!(
            file.ends_with(r"\x.dll") && !file.contains('%'),
            "expanded: {file}"
        );
        assert_eq!(sub.string("Missing").unwrap(), None);
        drop((parent, sub));
        delete_local_machine_key(&path).unwrap();
        assert!(open_local_machine_key(&path).is_err());
        delete_local_machine_key(&path).unwrap();
    }
}
