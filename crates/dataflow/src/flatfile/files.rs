//! The files a connection names: one path for a Flat File connection
//! (`FLATFILE`); for a Multiple Flat Files connection (`MULTIFLATFILE`),
//! paths separated by `|`, each of whose file names may hold the wildcards
//! `*` and `?` (every file matching, in name order), read one after the
//! other as one input.

use ssis_runner::enumerators::wildcard_match;
use std::path::Path;

/// The files `conn` names, in the order they are read.
pub fn files(conn: &str, multiple: bool) -> Result<Vec<String>, String> {
    if !multiple {
        return Ok(vec![conn.to_string()]);
    }
    let mut out = Vec::new();
    for part in conn.split('|').map(str::trim).filter(|p| !p.is_empty()) {
        let path = Path::new(part);
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if !name.contains(['*', '?']) {
            out.push(part.to_string());
            continue;
        }
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let entries = std::fs::read_dir(dir)
            .map_err(|e| format!("cannot list the folder of \"{part}\": {e}"))?;
        let mut found: Vec<String> = entries
            .flatten()
            .filter(|e| wildcard_match(&name, &e.file_name().to_string_lossy()))
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        if found.is_empty() {
            return Err(format!("no file matches \"{part}\""));
        }
        // In name order ignoring case, as Windows lists them.
        found.sort_by_cached_key(|p| (p.to_lowercase(), p.clone()));
        out.extend(found);
    }
    if out.is_empty() {
        return Err("the connection names no file".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_path_lists_and_wildcards() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().display().to_string();
        // A match is its folder joined with its name (a `\` on Windows).
        let found = |name: &str| dir.path().join(name).display().to_string();
        for name in ["b.csv", "a.csv", "c.txt", "A2.CSV"] {
            std::fs::write(dir.path().join(name), "x").unwrap();
        }
        std::fs::create_dir(dir.path().join("dir.csv")).unwrap();
        // A Flat File connection: the string as it is, wildcards and all.
        assert_eq!(files("x*|y", false).unwrap(), ["x*|y"]);
        // Wildcards ignore case, as Windows does; folders are left out;
        // the matches in name order ignoring case, the parts in their order.
        assert_eq!(
            files(&format!("{d}/c.txt | {d}/*.csv"), true).unwrap(),
            [
                format!("{d}/c.txt"),
                found("a.csv"),
                found("A2.CSV"),
                found("b.csv")
            ]
        );
        assert_eq!(
            files(&format!("{d}/?.csv"), true).unwrap(),
            [found("a.csv"), found("b.csv")]
        );
        let e = files(&format!("{d}/*.xml"), true).unwrap_err();
        assert_eq!(e, format!("no file matches \"{d}/*.xml\""));
        let e = files(&format!("{d}/missing/*.csv"), true).unwrap_err();
        assert!(e.starts_with("cannot list the folder of"), "{e}");
        assert_eq!(
            files(" | ", true).unwrap_err(),
            "the connection names no file"
        );
    }
}
