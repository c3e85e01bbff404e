//! The System variables a run provides (read-only).

use super::expr::{DataType, DateTime, Value};
use super::model::{Executable, Package};
use super::variables::{Variable, Variables};
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

fn system(name: &str, type_code: u16, value: Value) -> Variable {
    Variable {
        namespace: "System".into(),
        name: name.into(),
        type_code,
        value: Some(value),
        read_only: true,
        expression: None,
    }
}

/// Declares the package-wide System variables (PackageName, PackageID,
/// StartTime, ExecutionInstanceGUID (new per run), MachineName, UserName,
/// VersionBuild/Major/Minor, VersionGUID, CreatorName, ...) in the package
/// scope `prefix` + `Package`.
pub fn declare(vars: &mut Variables, pkg: &Package, prefix: &str) {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_default();
    let now = DateTime::now_local();
    let p = &pkg.properties;
    let text = |s: &str| Value::WStr(s.to_string());
    let created = DateTime::parse(&p.creation_date)
        .map(Value::Date)
        .unwrap_or(Value::Null(DataType::Date));
    let list = [
        system("PackageName", 8, text(pkg.name())),
        system("PackageID", 8, text(pkg.id())),
        system("StartTime", 7, Value::Date(now)),
        system("ExecutionInstanceGUID", 8, text(&new_guid())),
        system("MachineName", 8, text(&machine_name())),
        system("UserName", 8, text(&user)),
        system("VersionBuild", 3, Value::I4(p.version_build)),
        system("VersionMajor", 3, Value::I4(p.version_major)),
        system("VersionMinor", 3, Value::I4(p.version_minor)),
        system("VersionGUID", 8, text(&p.version_guid)),
        system("VersionComments", 8, text(&p.version_comments)),
        system("CreatorName", 8, text(&p.creator_name)),
        system("CreatorComputerName", 8, text(&p.creator_computer_name)),
        system("CreationDate", 7, created),
        system("InteractiveMode", 11, Value::Bool(false)),
        system("OfflineMode", 11, Value::Bool(false)),
        system("CancelEvent", 3, Value::I4(0)),
        system("ServerExecutionID", 20, Value::I8(0)),
    ];
    let scope = format!("{prefix}{}", pkg.root.path);
    for v in list {
        vars.insert(&scope, v);
    }
}

/// Declares the System variables every container has (TaskName, TaskID,
/// ContainerStartTime, LocaleID) in `scope` as the executable starts.
pub fn declare_container(vars: &mut Variables, scope: &str, exe: &Executable) {
    for v in [
        system("TaskName", 8, Value::WStr(exe.name.clone())),
        system("TaskID", 8, Value::WStr(exe.id.clone())),
        system("ContainerStartTime", 7, Value::Date(DateTime::now_local())),
    ] {
        vars.insert(scope, v);
    }
}
