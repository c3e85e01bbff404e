//! `ssis config import`: takes over a SQL Server installation's service
//! configuration (`MsDtsSrvr.ini.xml`). Without `--from`, on Windows the file
//! is the one the registry names
//! (`HKLM\SOFTWARE\Microsoft\Microsoft SQL Server\<version>\SSIS\ServiceConfigFile`,
//! newest version first, or `--version`). Relative `StorePath`s are made
//! absolute against the imported file's folder (they meant `DTS\Binn\..`),
//! and the result is written to the configuration file in force.

use serde::Serialize;
use ssis_core::config::{ServiceConfig, TopLevelFolder};
use ssis_core::error::{Error, ErrorKind, Result};
use std::path::{Path, PathBuf};

/// What was imported where (the JSON of `--json`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ImportResult {
    /// The file read.
    pub from: String,
    /// The SQL Server version whose registry value named it, if any.
    pub version: Option<String>,
    /// The file written.
    pub to: String,
    /// The File System folders and the directories they now name.
    pub store_paths: Vec<String>,
}

/// The SQL Server configuration file to import: `from`, else (Windows) the
/// registry's, of `version` or the newest.
pub fn source(from: Option<&Path>, version: Option<&str>) -> Result<(PathBuf, Option<String>)> {
    if let Some(from) = from {
        return Ok((from.to_path_buf(), None));
    }
    #[cfg(windows)]
    {
        let found = ssis_daemon::windows::sqlserver::service_config_files();
        let pick = match version {
            Some(v) => found.into_iter().find(|(fv, _)| fv == v.trim()),
            None => found.into_iter().next(),
        };
        if let Some((v, file)) = pick {
            return Ok((file, Some(v)));
        }
        Err(Error::new(
            ErrorKind::NotFound,
            format!(
                "no SQL Server installation names its SSIS service configuration in the registry \
                 (HKLM\\{}\\{}\\SSIS\\ServiceConfigFile); name the file with --from",
                ssis_daemon::windows::sqlserver::SQL_SERVER_KEY,
                version.unwrap_or("<version>")
            ),
        ))
    }
    #[cfg(not(windows))]
    {
        let _ = version;
        Err(Error::invalid(
            "name the MsDtsSrvr.ini.xml to import with --from (the SQL Server registry is Windows-only)",
        )
        .with_target("--from"))
    }
}

/// Where Windows drive letters' paths live on this machine (`--map-drive`):
/// `C:` is `/` unless mapped otherwise, as SSIS on Linux does; any other
/// drive must be mapped. On Windows drive paths are kept as they are.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DriveMap(Vec<(char, PathBuf)>);

impl DriveMap {
    /// Parses `LETTER=DIR` mappings.
    pub fn parse(specs: &[String]) -> Result<DriveMap> {
        let mut map = Vec::new();
        for spec in specs {
            let bad = || {
                Error::invalid(format!(
                    "--map-drive '{spec}' is not LETTER=DIR (e.g. D=/mnt/d)"
                ))
                .with_target("--map-drive")
            };
            let (letter, dir) = spec.split_once('=').ok_or_else(bad)?;
            let letter = letter.trim().trim_end_matches(':');
            let mut chars = letter.chars();
            let (Some(c), None) = (chars.next(), chars.next()) else {
                return Err(bad());
            };
            if !c.is_ascii_alphabetic() || dir.trim().is_empty() {
                return Err(bad());
            }
            map.push((c.to_ascii_uppercase(), PathBuf::from(dir.trim())));
        }
        Ok(DriveMap(map))
    }

    /// The local folder of the Windows path `text` when it is a drive path
    /// (`D:\SSIS\Packages`); `None` for other paths. A drive with no
    /// mapping (other than C) and UNC paths are errors naming `folder`.
    fn local(&self, folder: &str, text: &str) -> Result<Option<PathBuf>> {
        if cfg!(windows) {
            return Ok(None);
        }
        let t = text.trim();
        if t.starts_with("\\\\") || t.starts_with("//") {
            return Err(Error::new(
                ErrorKind::Configuration,
                format!(
                    "the StorePath '{t}' of folder '{folder}' is a network share; mount it here and \
                     give the folder's local path (edit the imported file)"
                ),
            )
            .with_target(folder.to_string()));
        }
        let bytes = t.as_bytes();
        let is_drive = bytes.len() >= 2
            && bytes[0].is_ascii_alphabetic()
            && bytes[1] == b':'
            && (bytes.len() == 2 || bytes[2] == b'\\' || bytes[2] == b'/');
        if !is_drive {
            return Ok(None);
        }
        let letter = (bytes[0] as char).to_ascii_uppercase();
        let base = match self.0.iter().find(|(c, _)| *c == letter) {
            Some((_, dir)) => dir.clone(),
            None if letter == 'C' => PathBuf::from("/"),
            None => {
                return Err(Error::new(
                    ErrorKind::Configuration,
                    format!(
                        "the StorePath '{t}' of folder '{folder}' is on drive {letter}:, which has no \
                         folder here: add --map-drive {letter}=<folder> (C: maps to / by default)"
                    ),
                )
                .with_target(folder.to_string()));
            }
        };
        let rest: PathBuf = t[2..]
            .split(['\\', '/'])
            .filter(|s| !s.is_empty())
            .collect();
        Ok(Some(base.join(rest)))
    }
}

/// Imports `from` into `to`; an existing `to` is replaced (kept as `.bak`)
/// only when `replace`. Windows drive paths are mapped by `drives`.
pub fn import(
    from: &Path,
    version: Option<String>,
    to: &Path,
    replace: bool,
    drives: &DriveMap,
) -> Result<ImportResult> {
    let mut config = ServiceConfig::load(from)?;
    if to.exists() && !replace {
        return Err(Error::new(
            ErrorKind::AlreadyExists,
            format!(
                "'{}' already exists; add --replace to overwrite it (the old file is kept as .bak)",
                to.display()
            ),
        )
        .with_target(to.display().to_string()));
    }
    let resolved: Vec<PathBuf> = config
        .top_level_folders
        .iter()
        .map(|f| match f {
            TopLevelFolder::FileSystemFolder(fs) => match drives.local(&fs.name, &fs.store_path)? {
                Some(local) => Ok(local),
                None => Ok(config.resolve_store_path(fs)),
            },
            TopLevelFolder::SqlServerFolder(_) => Ok(PathBuf::new()),
        })
        .collect::<Result<_>>()?;
    let mut store_paths = Vec::new();
    for (folder, dir) in config.top_level_folders.iter_mut().zip(resolved) {
        if let TopLevelFolder::FileSystemFolder(fs) = folder {
            fs.store_path = dir.display().to_string();
            store_paths.push(format!("{}: {}", fs.name, fs.store_path));
        }
    }
    if let Some(dir) = to.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(&e, "create the folder", dir))?;
    }
    config.save(to)?;
    Ok(ImportResult {
        from: from.display().to_string(),
        version,
        to: to.display().to_string(),
        store_paths,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SQL_CONFIG: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<DtsServiceConfiguration xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <StopExecutingPackagesOnShutdown>false</StopExecutingPackagesOnShutdown>
  <TopLevelFolders>
    <Folder xsi:type="SqlServerFolder">
      <Name>MSDB</Name>
      <ServerName>.\SQL2022</ServerName>
    </Folder>
    <Folder xsi:type="FileSystemFolder">
      <Name>File System</Name>
      <StorePath>..\Packages</StorePath>
    </Folder>
  </TopLevelFolders>
</DtsServiceConfiguration>
"#;

    #[test]
    fn relative_store_paths_become_absolute_and_nothing_is_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let binn = dir.path().join("160/DTS/Binn");
        std::fs::create_dir_all(&binn).unwrap();
        let from = binn.join("MsDtsSrvr.ini.xml");
        std::fs::write(&from, SQL_CONFIG).unwrap();
        let to = dir.path().join("ours/MsDtsSrvr.ini.xml");
        let r = import(&from, Some("160".into()), &to, false, &DriveMap::default()).unwrap();
        let expected = std::path::absolute(dir.path().join("160/DTS/Packages")).unwrap();
        assert_eq!(
            r.store_paths,
            [format!("File System: {}", expected.display())]
        );
        let written = ServiceConfig::load(&to).unwrap();
        assert!(!written.stop_executing_packages_on_shutdown);
        match &written.top_level_folders[1] {
            TopLevelFolder::FileSystemFolder(fs) => {
                assert_eq!(written.resolve_store_path(fs), expected)
            }
            other => panic!("{other:?}"),
        }
        match &written.top_level_folders[0] {
            TopLevelFolder::SqlServerFolder(s) => assert_eq!(s.server_name, ".\\SQL2022"),
            other => panic!("{other:?}"),
        }
        let err = import(&from, None, &to, false, &DriveMap::default()).unwrap_err();
        assert_eq!(err.kind, ErrorKind::AlreadyExists);
        assert!(err.message.contains("--replace"), "{}", err.message);
        import(&from, None, &to, true, &DriveMap::default()).unwrap();
    }

    #[test]
    fn a_broken_file_is_refused_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let from = dir.path().join("MsDtsSrvr.ini.xml");
        std::fs::write(&from, "<DtsServiceConfiguration><TopLevelFolders>").unwrap();
        let to = dir.path().join("out.xml");
        let err = import(&from, None, &to, false, &DriveMap::default()).unwrap_err();
        assert!(err.to_string().contains("MsDtsSrvr.ini.xml"), "{err}");
        assert!(!to.exists(), "nothing written");
        assert_eq!(source(Some(&from), None).unwrap(), (from.clone(), None));
    }

    #[cfg(not(windows))]
    #[test]
    fn drive_paths_are_mapped_or_refused_naming_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let from = dir.path().join("MsDtsSrvr.ini.xml");
        let with = |store: &str| {
            SQL_CONFIG.replace(
                "<StorePath>..\\Packages</StorePath>",
                &format!("<StorePath>{store}</StorePath>"),
            )
        };
        let to = dir.path().join("out.xml");
        // C: maps to / by default.
        std::fs::write(&from, with("C:\\SSIS\\Packages")).unwrap();
        let r = import(&from, None, &to, true, &DriveMap::default()).unwrap();
        assert_eq!(r.store_paths, ["File System: /SSIS/Packages"]);
        // D: needs a mapping; the error names the folder and the fix.
        std::fs::write(&from, with("D:\\SSIS\\Packages")).unwrap();
        let e = import(&from, None, &to, true, &DriveMap::default()).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Configuration);
        assert!(
            e.message.contains("File System") && e.message.contains("--map-drive D="),
            "{e}"
        );
        let map = DriveMap::parse(&["d=/mnt/data".into()]).unwrap();
        let r = import(&from, None, &to, true, &map).unwrap();
        assert_eq!(r.store_paths, ["File System: /mnt/data/SSIS/Packages"]);
        let written = ServiceConfig::load(&to).unwrap();
        match &written.top_level_folders[1] {
            TopLevelFolder::FileSystemFolder(fs) => {
                assert_eq!(fs.store_path, "/mnt/data/SSIS/Packages")
            }
            other => panic!("{other:?}"),
        }
        // A share is refused; bad mappings are named.
        std::fs::write(&from, with("\\\\server\\share")).unwrap();
        assert!(
            import(&from, None, &to, true, &map)
                .unwrap_err()
                .message
                .contains("network share")
        );
        assert!(DriveMap::parse(&["DD=/x".into()]).is_err());
        assert!(DriveMap::parse(&["D".into()]).is_err());
    }
}
