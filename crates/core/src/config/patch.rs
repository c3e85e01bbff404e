//! Configuration patches: a JSON merge patch (RFC 7396) over the configuration's
//! JSON form ([`ServiceConfig::to_json_value`]), so a caller names only the settings it
//! changes and everything else — grants, listeners, the token store, unknown elements
//! of the file — is kept.
//!
//! ```json
//! {"StopExecutingPackagesOnShutdown": false, "Extensions": {"StateDirectory": null}}
//! ```
//!
//! Objects merge key by key; `null` removes a setting (it takes its default); any other
//! value, arrays included (`TopLevelFolders`, `Extensions.Grants`,
//! `Extensions.Listen`), replaces the old value whole. `Path` (the file a configuration
//! came from) cannot be patched.

use super::ServiceConfig;
use crate::error::{Error, Result};
use serde_json::Value;

/// Applies the merge patch `patch` to `target` (RFC 7396, section 2).
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(changes) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(serde_json::Map::new());
    }
    if let Value::Object(map) = target {
        for (key, value) in changes {
            if value.is_null() {
                map.remove(key);
            } else {
                merge_patch(map.entry(key.clone()).or_insert(Value::Null), value);
            }
        }
    }
}

/// Parses a patch: a JSON object; anything else is an invalid argument naming `name`.
pub fn parse_patch(patch_json: &str, name: &str) -> Result<Value> {
    let patch: Value = serde_json::from_str(patch_json).map_err(|e| {
        Error::invalid(format!("the configuration patch is not valid JSON: {e}"))
            .with_target(name)
            .at(e.line() as u64, e.column() as u64)
    })?;
    let Value::Object(map) = &patch else {
        return Err(Error::invalid(format!(
            "the configuration patch must be a JSON object (a merge patch such as \
             {{\"StopExecutingPackagesOnShutdown\": false}}), not {}",
            kind_of(&patch)
        ))
        .with_target(name));
    };
    if map.contains_key("Path") {
        return Err(Error::invalid(
            "the configuration patch names 'Path', the file the configuration came from, \
             which cannot be patched; write to another file instead",
        )
        .with_target(name));
    }
    Ok(patch)
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl ServiceConfig {
    /// This configuration with the merge patch `patch_json` applied and validated. The
    /// result keeps this configuration's file (`path`) and the document it was read
    /// from, so saving it keeps what the settings do not hold. Invalid JSON or a patch
    /// that is not an object: `InvalidArgument`; a result that is not a valid
    /// configuration: `Configuration`, naming the setting.
    pub fn patched(&self, patch_json: &str) -> Result<ServiceConfig> {
        let patch = parse_patch(patch_json, "patch_json")?;
        let mut value = self.to_json_value();
        if let Value::Object(map) = &mut value {
            map.remove("Path");
        }
        merge_patch(&mut value, &patch);
        let mut config = ServiceConfig::from_json(&value.to_string()).map_err(|mut e| {
            // Line and column would point into the merged text, which nobody sees.
            e.details.line = None;
            e.details.column = None;
            Error {
                message: format!("the patched configuration is not valid: {}", e.message),
                ..e
            }
        })?;
        config.path = self.path.clone();
        config.source = self.source.clone();
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use serde_json::json;

    const FILE: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<DtsServiceConfiguration xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <!-- keep me -->
  <StopExecutingPackagesOnShutdown>true</StopExecutingPackagesOnShutdown>
  <TopLevelFolders>
    <Folder xsi:type="FileSystemFolder">
      <Name>File System</Name>
      <StorePath>..\Packages</StorePath>
    </Folder>
  </TopLevelFolders>
  <SsisService>
    <StateDirectory>/var/lib/ssis</StateDirectory>
    <GracePeriodSeconds>7</GracePeriodSeconds>
    <OutputCapBytes>1000</OutputCapBytes>
    <RetentionDays>9</RetentionDays>
    <TokenStore>/etc/ssis/tokens.json</TokenStore>
    <Listen Address="0.0.0.0:8443" Certificate="/c.pem" Key="/k.pem" />
    <Grants>
      <Grant Principal="user:alice" Rights="Connect,Read" />
    </Grants>
    <Unknown Keep="yes" />
  </SsisService>
</DtsServiceConfiguration>
"#;

    #[test]
    fn merge_patch_follows_rfc_7396_examples() {
        // RFC 7396, appendix A (a selection).
        let cases = [
            (json!({"a": "b"}), json!({"a": "c"}), json!({"a": "c"})),
            (
                json!({"a": "b"}),
                json!({"b": "c"}),
                json!({"a": "b", "b": "c"}),
            ),
            (json!({"a": "b"}), json!({"a": null}), json!({})),
            (
                json!({"a": "b", "b": "c"}),
                json!({"a": null}),
                json!({"b": "c"}),
            ),
            (json!({"a": ["b"]}), json!({"a": "c"}), json!({"a": "c"})),
            (json!({"a": "c"}), json!({"a": ["b"]}), json!({"a": ["b"]})),
            (
                json!({"a": {"b": "c"}}),
                json!({"a": {"b": "d", "c": null}}),
                json!({"a": {"b": "d"}}),
            ),
            (
                json!({"a": [{"b": "c"}]}),
                json!({"a": [1]}),
                json!({"a": [1]}),
            ),
            (json!(["a", "b"]), json!(["c", "d"]), json!(["c", "d"])),
            (json!({"a": "b"}), json!(["c"]), json!(["c"])),
            (json!({"a": "foo"}), json!(null), json!(null)),
            (
                json!({"e": null}),
                json!({"a": 1}),
                json!({"e": null, "a": 1}),
            ),
            (
                json!([1, 2]),
                json!({"a": "b", "c": null}),
                json!({"a": "b"}),
            ),
            (
                json!({}),
                json!({"a": {"bb": {"ccc": null}}}),
                json!({"a": {"bb": {}}}),
            ),
        ];
        for (target, patch, expected) in cases {
            let mut value = target.clone();
            merge_patch(&mut value, &patch);
            assert_eq!(value, expected, "{target} + {patch}");
        }
    }

    #[test]
    fn a_patch_changes_only_what_it_names() {
        let config = ServiceConfig::parse(FILE, None).unwrap();
        let before = config.to_json_value();
        let patched = config
            .patched(r#"{"StopExecutingPackagesOnShutdown": false}"#)
            .unwrap();
        let mut expected = before.clone();
        expected["StopExecutingPackagesOnShutdown"] = json!(false);
        assert_eq!(patched.to_json_value(), expected);
        let ext = &patched.to_json_value()["Extensions"];
        assert_eq!(ext["Grants"].as_array().map(Vec::len), Some(1), "{ext}");
        assert_eq!(ext["Listen"].as_array().map(Vec::len), Some(1), "{ext}");
        assert_eq!(ext["GracePeriodSeconds"], 7);
        assert_eq!(ext["OutputCapBytes"], 1000);
        assert_eq!(ext["RetentionDays"], 9);
        assert_eq!(ext["TokenStore"], "/etc/ssis/tokens.json");
        // The document is kept: comments and unknown elements survive a save.
        let xml = patched.to_xml();
        assert!(xml.contains("<!-- keep me -->"), "{xml}");
        assert!(xml.contains("<Unknown Keep=\"yes\""), "{xml}");
        assert!(
            xml.contains("<StopExecutingPackagesOnShutdown>false<"),
            "{xml}"
        );
    }

    #[test]
    fn null_removes_a_setting_and_nested_objects_merge() {
        let config = ServiceConfig::parse(FILE, None).unwrap();
        let patched = config
            .patched(r#"{"Extensions": {"StateDirectory": null, "Executor": "/usr/bin/dtexec"}}"#)
            .unwrap();
        assert_eq!(patched.extensions.state_directory, None);
        assert_eq!(
            patched.extensions.executor.as_deref(),
            Some("/usr/bin/dtexec")
        );
        assert_eq!(patched.extensions.grants.len(), 1);
        let patched = config.patched(r#"{"Extensions": {"Grants": []}}"#).unwrap();
        assert!(patched.extensions.grants.is_empty());
        assert_eq!(patched.extensions.listen.len(), 1);
        let patched = config.patched("{}").unwrap();
        assert_eq!(patched, config);
    }

    #[test]
    fn bad_patches_are_explained() {
        let config = ServiceConfig::parse(FILE, None).unwrap();
        let err = config.patched("{\"Stop").unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidArgument);
        assert_eq!(err.target.as_deref(), Some("patch_json"));
        assert_eq!(err.details.line, Some(1));
        for text in ["[]", "1", "null", "\"x\""] {
            let err = config.patched(text).unwrap_err();
            assert_eq!(err.kind, ErrorKind::InvalidArgument, "{text}");
            assert!(err.message.contains("JSON object"), "{}", err.message);
        }
        let err = config.patched(r#"{"Path": "/tmp/x"}"#).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidArgument);
        assert!(err.message.contains("'Path'"), "{}", err.message);
        let err = config
            .patched(r#"{"Extensions": {"StateDirektory": "/x"}}"#)
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::Configuration);
        assert!(err.message.contains("StateDirektory"), "{}", err.message);
        assert_eq!(err.details.line, None);
        let err = config
            .patched(r#"{"TopLevelFolders": [{"Type": "FileSystemFolder", "Name": "a|b", "StorePath": "x"}]}"#)
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::Configuration);
        assert!(err.message.contains("'|'"), "{}", err.message);
        let err = config
            .patched(r#"{"StopExecutingPackagesOnShutdown": "no"}"#)
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::Configuration);
    }
}
