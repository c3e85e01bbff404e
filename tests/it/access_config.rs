//! Grants and listeners in the configuration file: read from the extension
//! element, checked with file/line/column, changed through an embedded
//! session (`ssis --config FILE access grant`), and written back keeping
//! everything else the file had.

use ssis_service::client::Session;
use ssis_service::config::{Right, ServiceConfig};
use std::process::Command;

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
    <!-- who may connect -->
    <GracePeriodSeconds>5</GracePeriodSeconds>
    <Listen Address="127.0.0.1:8443" Certificate="cert.pem" Key="key.pem" />
    <Grants>
      <Grant Principal="group:etl" Rights="Connect,Read,Execute" />
      <Audit Mode="all" />
    </Grants>
    <Future>kept</Future>
  </SsisService>
</DtsServiceConfiguration>
"#;

#[test]
fn extension_settings_are_read_and_kept() {
    let c = ServiceConfig::parse(FILE, None).unwrap();
    let e = &c.extensions;
    assert_eq!(e.grace_period_seconds, Some(5));
    assert_eq!(e.listen[0].address, "127.0.0.1:8443");
    assert_eq!(e.grants[0].principal, "group:etl");
    assert_eq!(
        e.grants[0].rights,
        vec![Right::Connect, Right::Read, Right::Execute]
    );
    // Unchanged: written back byte for byte.
    assert_eq!(c.to_xml(), FILE);
    // JSON round trip.
    let json = c.to_json_value().to_string();
    assert!(
        json.contains(
            r#""Grants":[{"Principal":"group:etl","Rights":["Connect","Read","Execute"]}]"#
        ),
        "{json}"
    );
    let back = ServiceConfig::from_json(&json).unwrap();
    assert_eq!(back.extensions, c.extensions);
}

#[test]
fn grants_change_through_an_embedded_session_and_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("Packages")).unwrap();
    let path = dir.path().join("MsDtsSrvr.ini.xml");
    std::fs::write(&path, FILE).unwrap();
    let s = Session::connect(Some(&format!("embedded:{}", path.display())), None).unwrap();
    let g = s
        .access_grant("User:alice", &[Right::Read, Right::Connect])
        .unwrap();
    assert_eq!(g.principal, "user:alice");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("<Grant Principal=\"user:alice\" Rights=\"Connect,Read\" />"),
        "{text}"
    );
    for kept in [
        "<!-- who may connect -->",
        "<Audit Mode=\"all\" />",
        "<Future>kept</Future>",
        "group:etl",
    ] {
        assert!(text.contains(kept), "{kept} lost:\n{text}");
    }
    let left = s
        .access_revoke("group:etl", Some(&[Right::Execute]))
        .unwrap();
    assert_eq!(left.rights, vec![Right::Connect, Right::Read]);
    assert!(s.access_revoke("user:nobody", None).is_err());

    // The CLI with --config edits the file the same way.
    let out = Command::new(crate::common::ssis_bin::ssis_bin())
        .arg("--config")
        .arg(&path)
        .args(["--json", "access", "revoke", "user:alice"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new(crate::common::ssis_bin::ssis_bin())
        .arg("--config")
        .arg(&path)
        .args(["access", "grant", "user:bob", "Fly"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("'Fly' is not a right"));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        !text.contains("user:alice") && !text.contains("user:bob"),
        "{text}"
    );
}

#[test]
fn bad_grants_and_listeners_are_refused_with_their_position() {
    for (bad, needle, line) in [
        (
            r#"<Grant Principal="alice" Rights="Read" />"#,
            "is not a principal",
            15,
        ),
        (
            r#"<Grant Principal="user:a" Rights="Read,Fly" />"#,
            "'Fly' is not a right",
            15,
        ),
        (r#"<Grant Principal="user:a" />"#, "no Rights attribute", 15),
    ] {
        let text = FILE.replace(
            r#"<Grant Principal="group:etl" Rights="Connect,Read,Execute" />"#,
            bad,
        );
        let e = ServiceConfig::parse(&text, None).unwrap_err();
        assert!(e.message.contains(needle), "{e}");
        assert_eq!(e.details.line, Some(line), "{e:?}");
    }
    for (bad, needle) in [
        (
            r#"<Listen Address="0.0.0.0:9000" Plaintext="true" />"#,
            "refused except on a loopback",
        ),
        (
            r#"<Listen Address="127.0.0.1:9000" />"#,
            "needs Certificate and Key",
        ),
        (
            r#"<Listen Address="db1" Certificate="c" Key="k" />"#,
            "is not IP:port",
        ),
    ] {
        let text = FILE.replace(
            r#"<Listen Address="127.0.0.1:8443" Certificate="cert.pem" Key="key.pem" />"#,
            bad,
        );
        let e = ServiceConfig::parse(&text, None).unwrap_err();
        assert!(e.message.contains(needle), "{e}");
        assert_eq!(e.details.line, Some(13), "{e:?}");
    }
    let text = FILE.replace("<GracePeriodSeconds>5<", "<GracePeriodSeconds>soon<");
    let e = ServiceConfig::parse(&text, None).unwrap_err();
    assert!(
        e.message.contains("GracePeriodSeconds") && e.message.contains("soon"),
        "{e}"
    );
    // JSON is checked too.
    let e = ServiceConfig::from_json(
        r#"{"Extensions":{"Grants":[{"Principal":"x","Rights":["Read"]}]}}"#,
    )
    .unwrap_err();
    assert!(e.message.contains("is not a principal"), "{e}");
}
