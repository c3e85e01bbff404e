//! Relative `StorePath` resolution.
//!
//! Microsoft's default `..\Packages` is relative to the folder holding the
//! configuration file (`...\DTS\Binn`), so it names `...\DTS\Packages`. Here
//! `\` and `/` are both separators on every operating system, so the same
//! file works on Windows, Linux and macOS.

use std::path::{Component, Path, PathBuf};

/// Resolves `store_path` against `base`: separators unified, relative paths
/// joined to `base` (absolute ones kept), `.` and `..` removed lexically (as
/// .NET's `Path.GetFullPath` does).
pub fn resolve_store_path_from(base: &Path, store_path: &str) -> PathBuf {
    let native: String = store_path
        .chars()
        .map(|c| {
            if c == '\\' || c == '/' {
                std::path::MAIN_SEPARATOR
            } else {
                c
            }
        })
        .collect();
    normalize(&base.join(native))
}

/// Removes `.` and resolves `..` against the preceding component; `..` at
/// the root stays at the root, leading `..` of a relative path are kept.
fn normalize(path: &Path) -> PathBuf {
    let mut parts: Vec<Component<'_>> = Vec::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => match parts.last() {
                Some(Component::Normal(_)) => {
                    parts.pop();
                }
                Some(Component::RootDir) | Some(Component::Prefix(_)) => {}
                _ => parts.push(component),
            },
            other => parts.push(other),
        }
    }
    if parts.is_empty() {
        return PathBuf::from(".");
    }
    parts.iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn both_separators_resolve_against_the_base() {
        let base = Path::new("/opt/ssis/DTS/Binn");
        for p in [
            "..\\Packages",
            "../Packages",
            "..\\Packages\\",
            ".\\..\\Packages",
        ] {
            assert_eq!(
                resolve_store_path_from(base, p),
                PathBuf::from("/opt/ssis/DTS/Packages"),
                "{p}"
            );
        }
        assert_eq!(
            resolve_store_path_from(base, "Sub\\Dir/x"),
            PathBuf::from("/opt/ssis/DTS/Binn/Sub/Dir/x")
        );
        assert_eq!(
            resolve_store_path_from(base, "/srv/ssis/finance"),
            PathBuf::from("/srv/ssis/finance")
        );
        assert_eq!(
            resolve_store_path_from(base, "\\srv\\x"),
            PathBuf::from("/srv/x")
        );
        assert_eq!(
            resolve_store_path_from(Path::new("/a"), "..\\..\\..\\x"),
            PathBuf::from("/x")
        );
        assert_eq!(
            resolve_store_path_from(Path::new("rel"), "..\\..\\x"),
            PathBuf::from("../x")
        );
    }

    #[cfg(windows)]
    #[test]
    fn both_separators_resolve_against_the_base() {
        let base = Path::new(r"C:\Program Files\Microsoft SQL Server\130\DTS\Binn");
        for p in ["..\\Packages", "../Packages", ".\\..\\Packages"] {
            assert_eq!(
                resolve_store_path_from(base, p),
                PathBuf::from(r"C:\Program Files\Microsoft SQL Server\130\DTS\Packages"),
                "{p}"
            );
        }
        assert_eq!(
            resolve_store_path_from(base, "D:/ssis/x"),
            PathBuf::from(r"D:\ssis\x")
        );
        assert_eq!(
            resolve_store_path_from(base, r"\\server\share\x"),
            PathBuf::from(r"\\server\share\x")
        );
    }
}
