//! JSON options and filters passed as `const char *`: NULL, `""` or a JSON object whose
//! keys are checked against the ones the function knows (an unknown key is an invalid
//! argument naming it, never silently ignored), then read into typed values with errors
//! that name the parameter and the key.

use crate::error::{Error, Result};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// The object in `text` (NULL, empty or blank: an empty object), every key one of `allowed`.
pub(super) fn object(
    text: Option<&str>,
    name: &'static str,
    allowed: &[&str],
) -> Result<Map<String, Value>> {
    let Some(text) = text.filter(|t| !t.trim().is_empty()) else {
        return Ok(Map::new());
    };
    let value: Value = serde_json::from_str(text).map_err(|e| {
        Error::invalid(format!("parameter '{name}' is not valid JSON: {e}")).with_target(name)
    })?;
    let Value::Object(map) = value else {
        return Err(Error::invalid(format!(
            "parameter '{name}' must be a JSON object (keys: {})",
            allowed.join(", ")
        ))
        .with_target(name));
    };
    if let Some(key) = map.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(Error::invalid(format!(
            "parameter '{name}' has an unknown key '{key}' (known keys: {}; names are case-sensitive)",
            allowed.join(", ")
        ))
        .with_target(name));
    }
    Ok(map)
}

/// The value of `key` as a `T`, or `None` when the key is absent or null.
pub(super) fn field<T: DeserializeOwned>(
    map: &Map<String, Value>,
    key: &str,
    name: &'static str,
) -> Result<Option<T>> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => serde_json::from_value(v.clone())
            .map(Some)
            .map_err(|e| bad_value(name, key, &e)),
    }
}

/// The whole object read as a `T` (a struct of optional PascalCase fields); a bad value
/// names its key.
pub(super) fn typed<T: DeserializeOwned>(map: Map<String, Value>, name: &'static str) -> Result<T> {
    for (key, value) in &map {
        let mut one = Map::new();
        one.insert(key.clone(), value.clone());
        serde_json::from_value::<T>(Value::Object(one)).map_err(|e| bad_value(name, key, &e))?;
    }
    serde_json::from_value(Value::Object(map)).map_err(|e| {
        Error::invalid(format!("parameter '{name}' is not valid: {e}")).with_target(name)
    })
}

fn bad_value(name: &'static str, key: &str, e: &serde_json::Error) -> Error {
    Error::invalid(format!(
        "parameter '{name}': the value of '{key}' is not valid: {e}"
    ))
    .with_target(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::executions::HistoryFilter;

    #[test]
    fn null_and_blank_are_empty_objects() {
        assert!(object(None, "o", &["A"]).unwrap().is_empty());
        assert!(object(Some("  "), "o", &["A"]).unwrap().is_empty());
        assert_eq!(object(Some("{\"A\": 1}"), "o", &["A"]).unwrap().len(), 1);
    }

    #[test]
    fn bad_json_other_types_and_unknown_keys_name_the_problem() {
        let err = object(Some("{"), "options_json", &["A"]).unwrap_err();
        assert_eq!(err.kind, crate::ErrorKind::InvalidArgument);
        assert_eq!(err.target.as_deref(), Some("options_json"));
        assert!(err.message.contains("not valid JSON"), "{}", err.message);
        let err = object(Some("[1]"), "options_json", &["A", "B"]).unwrap_err();
        assert!(
            err.message.contains("JSON object (keys: A, B)"),
            "{}",
            err.message
        );
        let err = object(Some("{\"A\":1,\"Nope\":2}"), "filter_json", &["A"]).unwrap_err();
        assert!(
            err.message.contains("unknown key 'Nope'"),
            "{}",
            err.message
        );
        assert_eq!(err.target.as_deref(), Some("filter_json"));
        let err = object(Some("{\"a\":1}"), "filter_json", &["A"]).unwrap_err();
        assert!(err.message.contains("'a'"), "{}", err.message);
    }

    #[test]
    fn values_are_typed_and_bad_ones_name_their_key() {
        let map = object(
            Some("{\"Offset\": 5, \"Flag\": null}"),
            "o",
            &["Offset", "Flag"],
        )
        .unwrap();
        assert_eq!(field::<u64>(&map, "Offset", "o").unwrap(), Some(5));
        assert_eq!(field::<bool>(&map, "Flag", "o").unwrap(), None);
        assert_eq!(field::<bool>(&map, "Missing", "o").unwrap(), None);
        let map = object(Some("{\"Offset\": -1}"), "o", &["Offset"]).unwrap();
        let err = field::<u64>(&map, "Offset", "o").unwrap_err();
        assert!(err.message.contains("'Offset'"), "{}", err.message);

        let map = object(
            Some("{\"Package\": \"Daily\", \"Status\": \"Failed\", \"Limit\": 3}"),
            "f",
            &["Package", "Status", "Limit"],
        )
        .unwrap();
        let f: HistoryFilter = typed(map, "f").unwrap();
        assert_eq!(f.package.as_deref(), Some("Daily"));
        assert_eq!(f.limit, Some(3));
        let map = object(
            Some("{\"Package\": \"x\", \"Status\": \"Done\"}"),
            "f",
            &["Package", "Status"],
        )
        .unwrap();
        let err = typed::<HistoryFilter>(map, "f").unwrap_err();
        assert!(err.message.contains("'Status'"), "{}", err.message);
    }
}
