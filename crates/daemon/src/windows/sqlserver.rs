//! A SQL Server installation on this machine: the service configuration
//! file its SSIS service uses (the registry value
//! `HKLM\SOFTWARE\Microsoft\Microsoft SQL Server\<version>\SSIS\ServiceConfigFile`)
//! and Microsoft's `DTExec.exe` (on PATH, else under
//! `%ProgramFiles%\Microsoft SQL Server\<NNN>\DTS\Binn`).

use super::registry;
use std::path::{Path, PathBuf};

/// The key whose subkeys are SQL Server versions (`130`, `140`, `150`, `160`...).
pub const SQL_SERVER_KEY: &str = r"SOFTWARE\Microsoft\Microsoft SQL Server";

/// The `ServiceConfigFile` of each installed version, newest first.
pub fn service_config_files() -> Vec<(String, PathBuf)> {
    let Ok(root) = registry::open_local_machine_key(SQL_SERVER_KEY) else {
        return Vec::new();
    };
    let mut versions: Vec<String> = root
        .subkeys()
        .into_iter()
        .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
        .collect();
    newest_first(&mut versions);
    versions
        .into_iter()
        .filter_map(|v| {
            let key =
                registry::open_local_machine_key(&format!(r"{SQL_SERVER_KEY}\{v}\SSIS")).ok()?;
            let file = key.string("ServiceConfigFile").ok()??;
            Some((v, PathBuf::from(file)))
        })
        .collect()
}

/// Sorts version numbers (`90`, `100`, `160`) newest first.
pub fn newest_first(versions: &mut [String]) {
    versions.sort_by_key(|v| std::cmp::Reverse(v.parse::<u32>().unwrap_or(0)));
}

/// Microsoft's DTExec.exe: the first on PATH, else the newest under the
/// SQL Server folders of `%ProgramFiles%` (and `%ProgramFiles(x86)%`).
pub fn find_dtexec() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let roots: Vec<PathBuf> = ["ProgramFiles", "ProgramW6432", "ProgramFiles(x86)"]
        .iter()
        .filter_map(std::env::var_os)
        .map(PathBuf::from)
        .collect();
    find_dtexec_in(&std::env::split_paths(&path).collect::<Vec<_>>(), &roots)
}

/// [`find_dtexec`] over the given PATH entries and program folders.
pub fn find_dtexec_in(path: &[PathBuf], program_files: &[PathBuf]) -> Option<PathBuf> {
    if let Some(found) = path
        .iter()
        .map(|d| d.join("DTExec.exe"))
        .find(|f| f.is_file())
    {
        return Some(found);
    }
    for root in program_files {
        let base = root.join("Microsoft SQL Server");
        let Ok(entries) = std::fs::read_dir(&base) else {
            continue;
        };
        let mut versions: Vec<String> = entries
            .flatten()
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
            .collect();
        newest_first(&mut versions);
        if let Some(found) = versions
            .iter()
            .map(|v| dts_binn(&base, v).join("DTExec.exe"))
            .find(|f| f.is_file())
        {
            return Some(found);
        }
    }
    None
}

/// Whether the configured executor is Microsoft's DTExec named without a
/// folder (`DTExec`, `dtexec.exe`): then it is looked for with [`find_dtexec`].
pub fn is_bare_dtexec(executor: &str) -> bool {
    let e = executor.trim();
    !e.contains(['\\', '/'])
        && (e.eq_ignore_ascii_case("dtexec") || e.eq_ignore_ascii_case("dtexec.exe"))
}

/// The error when [`find_dtexec`] finds nothing.
pub fn dtexec_not_found() -> ssis_core::Error {
    ssis_core::Error::new(
        ssis_core::ErrorKind::Configuration,
        "the configured executor DTExec.exe is neither on PATH nor under \
         %ProgramFiles%\\Microsoft SQL Server\\<NNN>\\DTS\\Binn; install the SQL Server \
         Integration Services feature, name its full path as the Executor, or leave the \
         Executor empty for the built-in runner",
    )
    .with_target("Executor")
}

fn dts_binn(base: &Path, version: &str) -> PathBuf {
    base.join(version).join("DTS").join("Binn")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_bare_dtexec_is_looked_up() {
        assert!(is_bare_dtexec("DTExec.exe") && is_bare_dtexec(" dtexec "));
        assert!(!is_bare_dtexec(r"C:\SQL\DTExec.exe") && !is_bare_dtexec("ssis.exe"));
        let e = dtexec_not_found();
        assert_eq!(e.kind, ssis_core::ErrorKind::Configuration);
        assert!(e.message.contains("DTS\\Binn"), "{}", e.message);
    }

    #[test]
    fn versions_sort_numerically() {
        let mut v: Vec<String> = ["90", "160", "100", "150"].map(String::from).to_vec();
        newest_first(&mut v);
        assert_eq!(v, ["160", "150", "100", "90"]);
    }

    #[test]
    fn dtexec_is_found_on_path_first_then_the_newest_binn() {
        let dir = tempfile::tempdir().unwrap();
        let pf = dir.path().join("Program Files");
        for v in ["130", "160", "150"] {
            let binn = dts_binn(&pf.join("Microsoft SQL Server"), v);
            std::fs::create_dir_all(&binn).unwrap();
            if v != "160" {
                std::fs::write(binn.join("DTExec.exe"), b"MZ").unwrap();
            }
        }
        let empty = dir.path().join("empty");
        std::fs::create_dir_all(&empty).unwrap();
        let found = find_dtexec_in(std::slice::from_ref(&empty), std::slice::from_ref(&pf));
        assert_eq!(
            found,
            Some(dts_binn(&pf.join("Microsoft SQL Server"), "150").join("DTExec.exe")),
            "160 has no DTExec.exe; 150 is the newest that has"
        );
        let on_path = dir.path().join("tools");
        std::fs::create_dir_all(&on_path).unwrap();
        std::fs::write(on_path.join("DTExec.exe"), b"MZ").unwrap();
        assert_eq!(
            find_dtexec_in(&[empty.clone(), on_path.clone()], std::slice::from_ref(&pf)),
            Some(on_path.join("DTExec.exe"))
        );
        assert_eq!(find_dtexec_in(&[empty], &[dir.path().join("none")]), None);
    }

    #[test]
    fn the_registry_names_the_config_file_of_each_version() {
        let key = format!(r"{SQL_SERVER_KEY}\160\SSIS");
        let Ok(k) = registry::create_local_machine_key(&key) else {
            eprintln!("HKLM is not writable here; skipped");
            return;
        };
        // Only in a throw-away prefix (Wine): never overwrite a real installation's value.
        if !matches!(k.string("ServiceConfigFile"), Ok(None))
            || std::env::var_os("WINEPREFIX").is_none()
        {
            eprintln!("not a throw-away Wine prefix; skipped");
            return;
        }
        k.set_expand_string("ServiceConfigFile", r"C:\SSIS\MsDtsSrvr.ini.xml")
            .unwrap();
        let found = service_config_files();
        assert!(
            found.contains(&("160".into(), PathBuf::from(r"C:\SSIS\MsDtsSrvr.ini.xml"))),
            "{found:?}"
        );
        registry::delete_local_machine_key(&format!(r"{SQL_SERVER_KEY}\160")).unwrap();
    }
}
