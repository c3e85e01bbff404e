//! Configuration changes through a [`Host`]: a merge patch applied to the
//! configuration in force under the host's writer lock, so a concurrent
//! change is never overwritten between the read and the write.

use super::{Host, Workspace};
use crate::error::Result;
use std::sync::Arc;

/// Applies the JSON merge patch `patch_json` to the configuration in force,
/// writes it (keeping the file's unknown elements) and applies it.
pub fn patch(host: &Host, patch_json: &str) -> Result<Arc<Workspace>> {
    crate::config::parse_patch(patch_json, "patch_json")?;
    host.update(|config| {
        *config = config.patched(patch_json)?;
        Ok(())
    })?;
    Ok(host.current())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concurrent_patches_of_different_settings_both_land() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("Packages")).unwrap();
        let file = dir.path().join("MsDtsSrvr.ini.xml");
        std::fs::write(
            &file,
            r#"<?xml version="1.0" encoding="utf-8"?>
<DtsServiceConfiguration xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <StopExecutingPackagesOnShutdown>true</StopExecutingPackagesOnShutdown>
  <TopLevelFolders>
    <Folder xsi:type="FileSystemFolder">
      <Name>File System</Name>
      <StorePath>Packages</StorePath>
    </Folder>
  </TopLevelFolders>
  <!-- kept -->
</DtsServiceConfiguration>
"#,
        )
        .unwrap();
        let host = Host::open(Some(&file)).unwrap();
        std::thread::scope(|s| {
            s.spawn(|| {
                for i in 1..=20 {
                    let p = format!(r#"{{"Extensions": {{"GracePeriodSeconds": {i}}}}}"#);
                    patch(&host, &p).unwrap();
                }
            });
            s.spawn(|| {
                for i in 1..=20 {
                    let p = format!(r#"{{"Extensions": {{"OutputCapBytes": {}}}}}"#, 4096 + i);
                    patch(&host, &p).unwrap();
                }
            });
        });
        let ext = host.config().extensions.clone();
        assert_eq!(ext.grace_period_seconds, Some(20));
        assert_eq!(ext.output_cap_bytes, Some(4116));
        let reread = crate::config::ServiceConfig::load(&file).unwrap();
        assert_eq!(reread.extensions, ext);
        assert!(
            std::fs::read_to_string(&file)
                .unwrap()
                .contains("<!-- kept -->")
        );
    }
}
