//! Checks on the configuration model that do not depend on the XML layout.

use super::{ServiceConfig, TopLevelFolder};
use crate::error::{Error, ErrorKind, Result};

/// Characters a top-level folder name may not contain (besides control characters).
pub const INVALID_NAME_CHARS: &[char] = &['"', '<', '>', '|', ':', '*', '?', '\\', '/'];

/// The rule, as shown in error messages.
pub const NAME_RULE: &str = "folder names may contain any characters except \" < > | : * ? \\ / \
     and control characters, must not be \".\" or \"..\", and must not end with a space or a dot";

/// A problem found in the model: the message and the index of the folder at
/// fault, so the reader can point at the folder's line.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Problem {
    pub folder: Option<usize>,
    pub message: String,
    pub target: Option<String>,
}

/// Checks a top-level folder name against [`NAME_RULE`].
pub fn validate_folder_name(name: &str) -> Result<()> {
    name_problem(name).map_or(Ok(()), |problem| {
        Err(Error::new(
            ErrorKind::Configuration,
            format!("the folder name '{name}' {problem}; {NAME_RULE}"),
        )
        .with_target(name))
    })
}

/// What is wrong with `name`, as the end of a sentence starting with the name.
fn name_problem(name: &str) -> Option<String> {
    if name.trim().is_empty() {
        return Some("is empty".to_string());
    }
    if let Some(c) = name
        .chars()
        .find(|c| INVALID_NAME_CHARS.contains(c) || c.is_control())
    {
        return Some(if c.is_control() {
            format!("contains the control character U+{:04X}", c as u32)
        } else {
            format!("contains '{c}'")
        });
    }
    if name == "." || name == ".." {
        return Some("is not allowed".to_string());
    }
    if name.ends_with(' ') || name.ends_with('.') {
        return Some("ends with a space or a dot".to_string());
    }
    None
}

/// Describes folder `index` for messages: `FileSystemFolder 'File System' (folder 2)`.
pub(crate) fn describe(folder: &TopLevelFolder, index: usize) -> String {
    if folder.name().trim().is_empty() {
        format!("{} (folder {})", folder.type_name(), index + 1)
    } else {
        format!(
            "{} '{}' (folder {})",
            folder.type_name(),
            folder.name(),
            index + 1
        )
    }
}

/// Checks every folder and the uniqueness of names.
pub(crate) fn check(config: &ServiceConfig) -> std::result::Result<(), Problem> {
    let mut seen: Vec<(String, usize)> = Vec::new();
    for (index, folder) in config.top_level_folders.iter().enumerate() {
        let problem = |message: String| Problem {
            folder: Some(index),
            message,
            target: Some(folder.name().to_string()),
        };
        let what = describe(folder, index);
        if folder.name().trim().is_empty() {
            return Err(problem(format!("{what} has an empty Name")));
        }
        if let Some(msg) = name_problem(folder.name()) {
            return Err(problem(format!("{what}: the name {msg}; {NAME_RULE}")));
        }
        match folder {
            TopLevelFolder::SqlServerFolder(f) if f.server_name.trim().is_empty() => {
                return Err(problem(format!("{what} has an empty ServerName")));
            }
            TopLevelFolder::FileSystemFolder(f) if f.store_path.trim().is_empty() => {
                return Err(problem(format!("{what} has an empty StorePath")));
            }
            _ => {}
        }
        let key = folder.name().to_lowercase();
        if let Some((_, first)) = seen.iter().find(|(k, _)| *k == key) {
            let first_name = config.top_level_folders[*first].name();
            return Err(problem(format!(
                "top-level folder names must be unique (compared without case): \
                 '{first_name}' (folder {}) and '{}' (folder {})",
                first + 1,
                folder.name(),
                index + 1
            )));
        }
        seen.push((key, index));
    }
    let ext_problem = |message: String| Problem {
        folder: None,
        message,
        target: Some("SsisService".to_string()),
    };
    for endpoint in &config.extensions.listen {
        endpoint.check().map_err(ext_problem)?;
    }
    for grant in &config.extensions.grants {
        super::extensions::check_grant(grant).map_err(ext_problem)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_rule() {
        for good in [
            "File System",
            "MSDB",
            "Finance Übergabe",
            "a.b",
            "x-y_z (1)",
        ] {
            assert!(validate_folder_name(good).is_ok(), "{good}");
        }
        for bad in [
            "", " ", "a|b", "a\"b", "a<b", "a>b", "a:b", "a*b", "a?b", "a\\b", "a/b", "a\tb",
            "a\u{7f}", ".", "..", "a ", "a.",
        ] {
            let err = validate_folder_name(bad).unwrap_err();
            assert_eq!(err.kind, ErrorKind::Configuration);
        }
        let err = validate_folder_name("a|b").unwrap_err();
        assert!(err.message.contains("'|'") && err.message.contains(NAME_RULE));
        let err = validate_folder_name("a\u{1}").unwrap_err();
        assert!(err.message.contains("U+0001"), "{}", err.message);
    }
}
