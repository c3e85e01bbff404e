//! Writing a changed configuration keeps everything the model does not hold.

use ssis_service::config::{
    Extensions, FileSystemFolder, ServiceConfig, SqlServerFolder, TopLevelFolder,
};
use std::path::Path;

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/config")
        .join(name);
    std::fs::read_to_string(path).unwrap()
}

fn fs(name: &str, store_path: &str) -> TopLevelFolder {
    TopLevelFolder::FileSystemFolder(FileSystemFolder {
        name: name.into(),
        store_path: store_path.into(),
    })
}

fn sql(name: &str, server: &str) -> TopLevelFolder {
    TopLevelFolder::SqlServerFolder(SqlServerFolder {
        name: name.into(),
        server_name: server.into(),
    })
}

const UNKNOWN: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<!-- top comment -->
<DtsServiceConfiguration xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" Extra="a&amp;b">
  <!-- edited by hand -->
  <StopExecutingPackagesOnShutdown>1</StopExecutingPackagesOnShutdown>
  <SomeFutureSetting Mode="strict">42</SomeFutureSetting>
  <TopLevelFolders Note="n">
    <Folder xsi:type="SqlServerFolder" Tag="keep-sql">
      <Name>MSDB</Name>
      <ServerName>.</ServerName>
      <Timeout>30</Timeout>
    </Folder>
    <!-- the file share -->
    <Folder xsi:type="FileSystemFolder">
      <Name>File System</Name>
      <StorePath>..\Packages</StorePath>
      <Comment>kept</Comment>
    </Folder>
  </TopLevelFolders>
  <SsisService>
    <StateDirectory>/var/lib/ssis-service</StateDirectory>
    <Future>x</Future>
  </SsisService>
</DtsServiceConfiguration>
"#;

#[test]
fn fixtures_are_the_seed_examples_and_write_back_identically() {
    for (name, server) in [
        ("default.xml", "."),
        ("named-instance.xml", "ServerName\\InstanceName"),
    ] {
        let text = fixture(name);
        let config = ServiceConfig::parse(&text, None).unwrap();
        assert_eq!(
            config.top_level_folders,
            vec![sql("MSDB", server), fs("File System", "..\\Packages")]
        );
        assert!(config.stop_executing_packages_on_shutdown);
        assert_eq!(config.to_xml(), text);
    }
}

#[test]
fn a_config_built_in_code_is_written_like_the_seed_default() {
    let config = ServiceConfig::new(
        true,
        vec![sql("MSDB", "."), fs("File System", "..\\Packages")],
    );
    assert_eq!(config.to_xml(), fixture("default.xml"));
}

#[test]
fn unmodified_round_trip_is_identical() {
    let config = ServiceConfig::parse(UNKNOWN, None).unwrap();
    assert_eq!(config.to_xml(), UNKNOWN);
    assert_eq!(
        config.extensions.state_directory.as_deref(),
        Some("/var/lib/ssis-service")
    );
}

#[test]
fn changed_values_keep_unknown_content() {
    let mut config = ServiceConfig::parse(UNKNOWN, None).unwrap();
    config.stop_executing_packages_on_shutdown = false;
    config.top_level_folders = vec![
        sql("MSDB", "sql01\\REPORTING"),
        fs("File System", "/srv/ssis & co"),
    ];
    config.extensions.executor = Some("/opt/dtexec".into());
    let text = config.to_xml();
    let expected = UNKNOWN
        .replace(">1</Stop", ">false</Stop")
        .replace(
            "<ServerName>.</ServerName>",
            "<ServerName>sql01\\REPORTING</ServerName>",
        )
        .replace("..\\Packages", "/srv/ssis &amp; co")
        .replace(
            "    <Future>x</Future>\n",
            "    <Future>x</Future>\n    <Executor>/opt/dtexec</Executor>\n",
        );
    assert_eq!(text, expected);
    assert_eq!(ServiceConfig::parse(&text, None).unwrap(), config);
}

#[test]
fn reordered_renamed_added_and_removed_folders() {
    let mut config = ServiceConfig::parse(UNKNOWN, None).unwrap();
    // File System moves first (matched by name), MSDB is dropped, a new one is added.
    config.top_level_folders = vec![fs("File System", "..\\Packages"), fs("Archive", "/srv/a")];
    let text = config.to_xml();
    assert!(
        !text.contains("MSDB") && !text.contains("keep-sql"),
        "{text}"
    );
    assert!(text.contains("<Comment>kept</Comment>"), "{text}");
    assert!(text.contains("<!-- the file share -->"));
    assert!(
        text.contains(
            "    <Folder xsi:type=\"FileSystemFolder\">\n      <Name>Archive</Name>\n      \
         <StorePath>/srv/a</StorePath>\n    </Folder>\n  </TopLevelFolders>"
        ),
        "{text}"
    );
    assert_eq!(ServiceConfig::parse(&text, None).unwrap(), config);

    // A renamed folder keeps its unknown children (matched by position and type).
    let mut config = ServiceConfig::parse(UNKNOWN, None).unwrap();
    config.top_level_folders[0] = sql("Primary", ".");
    let text = config.to_xml();
    assert!(text.contains("<Name>Primary</Name>") && text.contains("<Timeout>30</Timeout>"));
    assert!(text.contains("Tag=\"keep-sql\""));

    // No folders at all: the comment between them stays.
    config.top_level_folders.clear();
    let text = config.to_xml();
    assert!(
        text.contains(
            "<TopLevelFolders Note=\"n\">\n    <!-- the file share -->\n  </TopLevelFolders>"
        ),
        "{text}"
    );
    assert_eq!(ServiceConfig::parse(&text, None).unwrap(), config);
    // Without anything else inside, the list closes as XmlSerializer writes it.
    let mut config = ServiceConfig::parse(&fixture("default.xml"), None).unwrap();
    config.top_level_folders.clear();
    let text = config.to_xml();
    assert!(text.contains("\n  <TopLevelFolders />\n</Dts"), "{text}");
    assert_eq!(ServiceConfig::parse(&text, None).unwrap(), config);
}

#[test]
fn removed_extension_values_are_removed_and_unknown_ones_stay() {
    let mut config = ServiceConfig::parse(UNKNOWN, None).unwrap();
    config.extensions = Extensions::default();
    let text = config.to_xml();
    assert!(!text.contains("StateDirectory"));
    assert!(
        text.contains("<SsisService>\n    <Future>x</Future>\n  </SsisService>"),
        "{text}"
    );
}

#[test]
fn extensions_are_added_after_the_folders() {
    let mut config = ServiceConfig::parse(&fixture("default.xml"), None).unwrap();
    config.extensions.state_directory = Some("C:\\ProgramData\\ssis-service".into());
    let text = config.to_xml();
    assert!(
        text.ends_with(
            "  </TopLevelFolders>\n  <SsisService>\n    \
         <StateDirectory>C:\\ProgramData\\ssis-service</StateDirectory>\n  </SsisService>\n\
         </DtsServiceConfiguration>\n"
        ),
        "{text}"
    );
    assert_eq!(ServiceConfig::parse(&text, None).unwrap(), config);
}

#[test]
fn crlf_and_bom_are_kept_and_used_for_new_lines() {
    let text = format!("\u{FEFF}{}", fixture("default.xml").replace('\n', "\r\n"));
    let mut config = ServiceConfig::parse(&text, None).unwrap();
    assert_eq!(config.to_xml(), text);
    config.top_level_folders.push(fs("More", "x"));
    let out = config.to_xml();
    assert!(out.starts_with('\u{FEFF}'));
    assert!(
        !out.replace("\r\n", "").contains('\n'),
        "a bare LF was written"
    );
    assert!(out.contains("<Name>More</Name>\r\n      <StorePath>x</StorePath>\r\n    </Folder>"));
}

#[test]
fn a_file_without_the_stop_element_keeps_its_absence() {
    let text = "<DtsServiceConfiguration>\n  <TopLevelFolders />\n</DtsServiceConfiguration>";
    let mut config = ServiceConfig::parse(text, None).unwrap();
    assert!(config.stop_executing_packages_on_shutdown);
    assert_eq!(config.to_xml(), text);
    config.stop_executing_packages_on_shutdown = false;
    config.top_level_folders.push(sql("M", "."));
    let out = config.to_xml();
    // xsi is declared where it was missing, so the written file reads back.
    assert!(out.contains("xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""));
    assert!(out.starts_with(
        "<DtsServiceConfiguration xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n  \
         <StopExecutingPackagesOnShutdown>false</StopExecutingPackagesOnShutdown>\n  <TopLevelFolders>"
    ), "{out}");
    assert_eq!(ServiceConfig::parse(&out, None).unwrap(), config);
}

#[test]
fn json_form_round_trips_and_merges_into_xml() {
    let config = ServiceConfig::parse(UNKNOWN, None).unwrap();
    let json = config.to_json_value().to_string();
    let back = ServiceConfig::from_json(&json).unwrap();
    assert_eq!(back, config);
    // From JSON there is no document: XmlSerializer's layout, unknown content absent.
    assert!(!back.to_xml().contains("SomeFutureSetting"));
}
