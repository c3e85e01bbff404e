//! The configuration reader never panics, whatever it is fed; whatever it
//! accepts it writes back so that it reads the same again.

use proptest::prelude::*;
use ssis_service::ErrorKind;
use ssis_service::config::{FileSystemFolder, ServiceConfig, SqlServerFolder, TopLevelFolder};

const VALID: &str = include_str!("../fixtures/config/default.xml");

const UNKNOWN: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<DtsServiceConfiguration xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <!-- c -->
  <StopExecutingPackagesOnShutdown>1</StopExecutingPackagesOnShutdown>
  <X a="1"><Y/></X>
  <TopLevelFolders>
    <Folder xsi:type="FileSystemFolder"><Name>A &amp; B</Name><StorePath><![CDATA[..\P]]></StorePath><Z/></Folder>
  </TopLevelFolders>
  <SsisService><Executor>e</Executor></SsisService>
</DtsServiceConfiguration>"#;

/// Parses; on success the written text must parse to the same model, on
/// failure the error must be a configuration error with a message.
fn check(text: &str) {
    match ServiceConfig::parse(text, None) {
        Ok(config) => {
            let written = config.to_xml();
            let again = ServiceConfig::parse(&written, None)
                .unwrap_or_else(|e| panic!("written text does not read back: {e}\n{written}"));
            assert_eq!(again, config);
        }
        Err(e) => {
            assert_eq!(e.kind, ErrorKind::Configuration);
            assert!(!e.message.is_empty());
        }
    }
}

/// A mutation of a valid file: delete, insert or replace a slice.
fn mutate(base: &str, at: usize, len: usize, insert: &str) -> String {
    let chars: Vec<char> = base.chars().collect();
    let at = at % (chars.len() + 1);
    let end = (at + len).min(chars.len());
    let mut out: String = chars[..at].iter().collect();
    out.push_str(insert);
    out.extend(&chars[end..]);
    out
}

fn xmlish() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("<".to_string()),
            Just(">".to_string()),
            Just("</".to_string()),
            Just("/>".to_string()),
            Just("&".to_string()),
            Just("&amp;".to_string()),
            Just("&#x0;".to_string()),
            Just("<!--".to_string()),
            Just("-->".to_string()),
            Just("<![CDATA[".to_string()),
            Just("]]>".to_string()),
            Just("<?".to_string()),
            Just("\"".to_string()),
            Just("xsi:type=\"FileSystemFolder\"".to_string()),
            Just("<Folder>".to_string()),
            Just("</Folder>".to_string()),
            Just("\u{FEFF}".to_string()),
            Just("\r\n".to_string()),
            "\\PC{0,4}",
        ],
        0..6,
    )
    .prop_map(|v| v.concat())
}

fn any_name() -> impl Strategy<Value = String> {
    "\\PC{1,12}"
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        check(&text);
    }

    #[test]
    fn mutated_valid_files_never_panic(
        base in prop_oneof![Just(VALID), Just(UNKNOWN)],
        at in 0usize..2000,
        len in 0usize..12,
        insert in xmlish(),
    ) {
        check(&mutate(base, at, len, &insert));
    }

    /// Any valid model survives the XML form and the JSON form, merged into
    /// a file with unknown content or written fresh.
    #[test]
    fn models_round_trip(
        stop in any::<bool>(),
        folders in proptest::collection::vec((any::<bool>(), any_name(), "\\PC{1,20}"), 0..5),
        executor in proptest::option::of("\\PC{1,10}"),
    ) {
        let folders: Vec<TopLevelFolder> = folders
            .into_iter()
            .map(|(sql, name, value)| if sql {
                TopLevelFolder::SqlServerFolder(SqlServerFolder { name, server_name: value })
            } else {
                TopLevelFolder::FileSystemFolder(FileSystemFolder { name, store_path: value })
            })
            .collect();
        let mut config = ServiceConfig::new(stop, folders);
        config.extensions.executor = executor;
        if config.validate().is_err() {
            return Ok(());
        }
        let fresh = ServiceConfig::parse(&config.to_xml(), None).unwrap();
        prop_assert_eq!(&fresh, &config);
        let mut merged = ServiceConfig::parse(UNKNOWN, None).unwrap();
        merged.stop_executing_packages_on_shutdown = config.stop_executing_packages_on_shutdown;
        merged.top_level_folders = config.top_level_folders.clone();
        merged.extensions = config.extensions.clone();
        let text = merged.to_xml();
        prop_assert!(text.contains("<X a=\"1\"><Y/></X>"));
        prop_assert_eq!(&ServiceConfig::parse(&text, None).unwrap(), &config);
        let json = ServiceConfig::from_json(&config.to_json_value().to_string()).unwrap();
        prop_assert_eq!(json, config);
    }
}
