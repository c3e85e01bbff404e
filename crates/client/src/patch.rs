//! Configuration patches through a session and on files: only the settings a JSON merge
//! patch names change (see `ssis_core::config::merge_patch`); grants, listeners and the
//! rest of the configuration, and the file's unknown elements, are kept.

use super::Session;
use ssis_core::config::ServiceConfig;
use ssis_core::error::Result;
use ssis_core::protocol::Request;
use ssis_core::protocol::store::PatchConfigParams;
use std::path::Path;

impl Session {
    /// Applies the merge patch `patch_json` to the configuration in force and
    /// applies the result (validated first: an invalid result changes nothing),
    /// atomically: in one request to the service (`PatchConfig`), or under the
    /// in-process host's writer lock.
    pub fn patch_config(&self, patch_json: &str) -> Result<ServiceConfig> {
        let patch = ssis_core::config::parse_patch(patch_json, "patch_json")?;
        match self.remote_backend() {
            Some(remote) => remote.call(Request::PatchConfig(PatchConfigParams { patch })),
            None => Ok(
                (*ssis_core::ops::config::patch(self.embedded_host()?, patch_json)?.config).clone(),
            ),
        }
    }
}

/// Applies the merge patch `patch_json` to the configuration file `path` (which must
/// exist and be valid) and writes it back atomically, keeping its comments, unknown
/// elements and layout. Nothing is written when the result is invalid.
pub fn config_patch(path: &Path, patch_json: &str) -> Result<ServiceConfig> {
    ssis_core::config::parse_patch(patch_json, "patch_json")?;
    let current = ServiceConfig::load(path)?;
    let patched = current.patched(patch_json)?;
    patched.save(path)?;
    Ok(patched)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ssis_core::error::ErrorKind;

    const FILE: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<DtsServiceConfiguration xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <StopExecutingPackagesOnShutdown>true</StopExecutingPackagesOnShutdown>
  <TopLevelFolders>
    <Folder xsi:type="FileSystemFolder">
      <Name>File System</Name>
      <StorePath>Packages</StorePath>
    </Folder>
  </TopLevelFolders>
  <SsisService>
    <Listen Address="127.0.0.1:8443" Certificate="/c.pem" Key="/k.pem" />
    <Grants>
      <Grant Principal="user:alice" Rights="Connect,Read" />
    </Grants>
    <Custom>kept</Custom>
  </SsisService>
</DtsServiceConfiguration>
"#;

    fn setup() -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("Packages")).unwrap();
        let path = dir.path().join("MsDtsSrvr.ini.xml");
        std::fs::write(&path, FILE).unwrap();
        (dir, path)
    }

    #[test]
    fn file_patch_keeps_grants_listeners_and_unknown_elements() {
        let (_dir, path) = setup();
        let written = config_patch(&path, r#"{"StopExecutingPackagesOnShutdown": false}"#).unwrap();
        assert!(!written.stop_executing_packages_on_shutdown);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("user:alice"), "{text}");
        assert!(text.contains("127.0.0.1:8443"), "{text}");
        assert!(text.contains("<Custom>kept</Custom>"), "{text}");
        let reread = ServiceConfig::load(&path).unwrap();
        assert!(!reread.stop_executing_packages_on_shutdown);
        assert_eq!(reread.extensions.grants.len(), 1);
        assert_eq!(reread.extensions.listen.len(), 1);
    }

    #[test]
    fn invalid_patch_writes_nothing() {
        let (_dir, path) = setup();
        let err = config_patch(&path, r#"{"Extensions": {"Nope": 1}}"#).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Configuration);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), FILE);
        let err = config_patch(&path, "[1]").unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidArgument);
        let err = config_patch(&path.with_file_name("missing.xml"), "{}").unwrap_err();
        assert_eq!(err.kind, ErrorKind::NotFound);
    }

    #[test]
    fn session_patch_keeps_grants_and_applies() {
        let (_dir, path) = setup();
        let session =
            Session::connect(Some(&format!("embedded:{}", path.display())), None).unwrap();
        let applied = session
            .patch_config(r#"{"Extensions": {"RetentionDays": 3}}"#)
            .unwrap();
        assert_eq!(applied.extensions.retention_days, Some(3));
        assert_eq!(applied.extensions.grants.len(), 1);
        let now = session.get_config().unwrap();
        assert_eq!(now.extensions.retention_days, Some(3));
        assert_eq!(now.extensions.listen.len(), 1);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("<Custom>kept</Custom>"), "{text}");
        let err = session.patch_config("{\"Extensions\": 5}").unwrap_err();
        assert_eq!(err.kind, ErrorKind::Configuration);
        assert_eq!(session.get_config().unwrap(), now);
    }
}
