//! The System variables a run provides (read-only).

use super::model::Package;
use super::variables::{Value, Variable, Variables};
use std::hash::{BuildHasher, Hasher};

/// A random GUID in SSIS's `{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}` form.
pub fn new_guid() -> String {
    let mut bytes = [0u8; 16];
    for (i, chunk) in bytes.chunks_mut(8).enumerate() {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_usize(i);
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0),
        );
        chunk.copy_from_slice(&h.finish().to_le_bytes());
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02X}")).collect();
    format!(
        "{{{}-{}-{}-{}-{}}}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

fn machine_name() -> String {
    #[cfg(unix)]
    {
        let mut buf = [0u8; 256];
        // SAFETY: the buffer is valid for its length; gethostname NUL-terminates on success.
        if unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) } == 0 {
            let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
            return String::from_utf8_lossy(&buf[..end]).into_owned();
        }
        String::new()
    }
    #[cfg(windows)]
    {
        std::env::var("COMPUTERNAME").unwrap_or_default()
    }
}

/// Declares PackageName, PackageID, StartTime, ExecutionInstanceGUID,
/// MachineName and UserName in the package scope.
pub fn declare(vars: &mut Variables, pkg: &Package) {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_default();
    let now = crate::timefmt::rfc3339(std::time::SystemTime::now(), false);
    let list = [
        ("PackageName", 8, Value::Text(pkg.name().to_string())),
        ("PackageID", 8, Value::Text(pkg.id().to_string())),
        ("StartTime", 7, Value::Text(now)),
        ("ExecutionInstanceGUID", 8, Value::Text(new_guid())),
        ("MachineName", 8, Value::Text(machine_name())),
        ("UserName", 8, Value::Text(user)),
    ];
    for (name, data_type, value) in list {
        vars.insert(
            &pkg.root.path,
            Variable {
                namespace: "System".into(),
                name: name.into(),
                data_type,
                value,
                read_only: true,
            },
        );
    }
}
