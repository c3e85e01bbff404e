//! Extracts the configuration model from the XML document, the way
//! XmlSerializer reads it: known elements by exact name, unknown ones ignored
//! (but kept in the document), `xsi:type` choosing the folder kind.

use super::extensions;
use super::xml::{Document, Element, XmlError};
use super::{
    Extensions, FileMode, FileSystemFolder, ServiceConfig, SqlServerFolder, TopLevelFolder,
};

/// The root element's name.
pub(crate) const ROOT: &str = "DtsServiceConfiguration";
/// `StopExecutingPackagesOnShutdown`.
pub(crate) const STOP: &str = "StopExecutingPackagesOnShutdown";
/// `TopLevelFolders`.
pub(crate) const FOLDERS: &str = "TopLevelFolders";
/// `Folder`.
pub(crate) const FOLDER: &str = "Folder";
/// This product's extension element.
pub(crate) const EXTENSIONS: &str = "SsisService";
/// `StateDirectory` inside [`EXTENSIONS`].
pub(crate) const STATE_DIRECTORY: &str = "StateDirectory";
/// `Executor` inside [`EXTENSIONS`].
pub(crate) const EXECUTOR: &str = "Executor";
/// `GracePeriodSeconds` inside [`EXTENSIONS`].
pub(crate) const GRACE_PERIOD: &str = "GracePeriodSeconds";
/// `OutputCapBytes` inside [`EXTENSIONS`].
pub(crate) const OUTPUT_CAP: &str = "OutputCapBytes";
/// `RetentionDays` inside [`EXTENSIONS`].
pub(crate) const RETENTION_DAYS: &str = "RetentionDays";
/// `TokenStore` inside [`EXTENSIONS`].
pub(crate) const TOKEN_STORE: &str = "TokenStore";
/// `SqlConnectTimeoutSeconds` inside [`EXTENSIONS`].
pub(crate) const SQL_CONNECT_TIMEOUT: &str = "SqlConnectTimeoutSeconds";
/// `SqlBrowserTimeoutSeconds` inside [`EXTENSIONS`].
pub(crate) const SQL_BROWSER_TIMEOUT: &str = "SqlBrowserTimeoutSeconds";
/// `SqlBrowserCacheSeconds` inside [`EXTENSIONS`].
pub(crate) const SQL_BROWSER_CACHE: &str = "SqlBrowserCacheSeconds";
/// `StoreFileMode` inside [`EXTENSIONS`].
pub(crate) const STORE_FILE_MODE: &str = "StoreFileMode";
/// The XML Schema instance namespace (`xsi`).
pub(crate) const XSI_NS: &str = "http://www.w3.org/2001/XMLSchema-instance";
/// The XML Schema namespace (`xsd`).
pub(crate) const XSD_NS: &str = "http://www.w3.org/2001/XMLSchema";
/// The `xsi:type` values this product knows.
pub(crate) const FOLDER_TYPES: [&str; 2] = ["SqlServerFolder", "FileSystemFolder"];

/// `StopExecutingPackagesOnShutdown` when the element is absent: Microsoft's
/// default file stops packages.
pub(crate) const DEFAULT_STOP: bool = true;

/// The model read from a document, with the byte offset of each folder's
/// `<Folder>` so later checks can point at it.
pub(crate) struct Extracted {
    pub config: ServiceConfig,
    pub folder_offsets: Vec<usize>,
}

/// Parses an `xs:boolean` as XmlSerializer does: `true`, `false`, `1`, `0`,
/// surrounding whitespace allowed.
pub(crate) fn parse_bool(text: &str) -> Option<bool> {
    match text.trim_matches([' ', '\t', '\r', '\n']) {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

fn err(offset: usize, message: impl Into<String>) -> XmlError {
    XmlError {
        offset,
        message: message.into(),
    }
}

/// Reads the model out of `doc`.
pub(crate) fn extract(doc: &Document) -> Result<Extracted, XmlError> {
    let root = &doc.root;
    if root.name != ROOT {
        return Err(err(
            root.offset,
            format!(
                "the root element is <{}>, expected <{ROOT}>: this is not a service configuration file",
                root.name
            ),
        ));
    }
    let mut stop: Option<bool> = None;
    let mut folders: Option<(Vec<TopLevelFolder>, Vec<usize>)> = None;
    let mut extensions: Option<Extensions> = None;
    for (_, el) in root.elements() {
        match el.name.as_str() {
            STOP => {
                once(stop.is_some(), el)?;
                let text = el.text()?;
                stop = Some(parse_bool(&text).ok_or_else(|| {
                    err(
                        el.offset,
                        format!(
                            "{STOP} must be a boolean (true, false, 1 or 0), found '{}'",
                            text.trim()
                        ),
                    )
                })?);
            }
            FOLDERS => {
                once(folders.is_some(), el)?;
                folders = Some(read_folders(root, el)?);
            }
            EXTENSIONS => {
                once(extensions.is_some(), el)?;
                extensions = Some(read_extensions(el)?);
            }
            _ => {}
        }
    }
    let (top_level_folders, folder_offsets) = folders.unwrap_or_default();
    Ok(Extracted {
        config: ServiceConfig::new(stop.unwrap_or(DEFAULT_STOP), top_level_folders)
            .with_extensions(extensions.unwrap_or_default()),
        folder_offsets,
    })
}

fn once(seen: bool, el: &Element) -> Result<(), XmlError> {
    if seen {
        Err(err(
            el.offset,
            format!("<{}> appears more than once", el.name),
        ))
    } else {
        Ok(())
    }
}

fn read_folders(
    root: &Element,
    list: &Element,
) -> Result<(Vec<TopLevelFolder>, Vec<usize>), XmlError> {
    let mut folders = Vec::new();
    let mut offsets = Vec::new();
    for (_, el) in list.elements().filter(|(_, e)| e.name == FOLDER) {
        let index = folders.len();
        folders.push(read_folder(&[root, list, el], index)?);
        offsets.push(el.offset);
    }
    Ok((folders, offsets))
}

/// The namespace bound to `prefix` on the innermost element of `scope` that declares it.
fn namespace_of<'a>(scope: &[&'a Element], prefix: &str) -> Option<&'a str> {
    let key = format!("xmlns:{prefix}");
    scope.iter().rev().find_map(|e| e.attr(&key))
}

/// The `xsi:type` of the last element of `scope`, with any prefix bound to
/// the XML Schema instance namespace (`xsi` itself also when undeclared).
fn xsi_type<'a>(scope: &[&'a Element]) -> Option<&'a str> {
    let el = scope.last()?;
    el.attrs.iter().find_map(|(key, value)| {
        let (prefix, local) = key.split_once(':')?;
        let ns = namespace_of(scope, prefix);
        let is_xsi = ns == Some(XSI_NS) || (ns.is_none() && prefix == "xsi");
        (local == "type" && is_xsi).then_some(value.as_str())
    })
}

fn read_folder(scope: &[&Element], index: usize) -> Result<TopLevelFolder, XmlError> {
    let el = scope[scope.len() - 1];
    let allowed = FOLDER_TYPES.join(", ");
    let label = match el
        .find("Name")
        .and_then(|i| match &el.children[i] {
            super::xml::Node::Element(n) => n.text().ok(),
            _ => None,
        })
        .filter(|n| !n.trim().is_empty())
    {
        Some(name) => format!("folder {} ('{name}')", index + 1),
        None => format!("folder {}", index + 1),
    };
    let kind = match xsi_type(scope) {
        Some(kind) if FOLDER_TYPES.contains(&kind) => kind,
        Some(kind) => {
            return Err(err(
                el.offset,
                format!("{label} has an unknown xsi:type '{kind}'; allowed types: {allowed}"),
            ));
        }
        None => {
            return Err(err(
                el.offset,
                format!("{label} has no xsi:type attribute; allowed types: {allowed}"),
            ));
        }
    };
    let value_name = if kind == "SqlServerFolder" {
        "ServerName"
    } else {
        "StorePath"
    };
    let mut name: Option<String> = None;
    let mut value: Option<String> = None;
    for (_, child) in el.elements() {
        let slot = if child.name == "Name" {
            &mut name
        } else if child.name == value_name {
            &mut value
        } else {
            continue;
        };
        once(slot.is_some(), child)?;
        *slot = Some(child.text()?);
    }
    let what = match &name {
        Some(n) if !n.trim().is_empty() => format!("{kind} '{n}' (folder {})", index + 1),
        _ => format!("{kind} (folder {})", index + 1),
    };
    let name = name.ok_or_else(|| err(el.offset, format!("{what} has no Name")))?;
    let value = value.ok_or_else(|| err(el.offset, format!("{what} has no {value_name}")))?;
    Ok(if kind == "SqlServerFolder" {
        TopLevelFolder::SqlServerFolder(SqlServerFolder {
            name,
            server_name: value,
        })
    } else {
        TopLevelFolder::FileSystemFolder(FileSystemFolder {
            name,
            store_path: value,
        })
    })
}

fn read_extensions(el: &Element) -> Result<Extensions, XmlError> {
    let mut ext = Extensions::default();
    let mut seen: Vec<&str> = Vec::new();
    let mut grants_seen = false;
    for (_, child) in el.elements() {
        let name = child.name.as_str();
        match name {
            extensions::LISTEN => {
                ext.listen.push(extensions::read_listen(child)?);
                continue;
            }
            extensions::GRANTS => {
                once(grants_seen, child)?;
                grants_seen = true;
                ext.grants = extensions::read_grants(child)?;
                continue;
            }
            STATE_DIRECTORY | EXECUTOR | TOKEN_STORE | GRACE_PERIOD | OUTPUT_CAP
            | RETENTION_DAYS | SQL_CONNECT_TIMEOUT | SQL_BROWSER_TIMEOUT | SQL_BROWSER_CACHE
            | STORE_FILE_MODE => {}
            _ => continue,
        }
        once(seen.contains(&name), child)?;
        seen.push(&child.name);
        let text = child.text()?;
        let value = (!text.is_empty()).then_some(text);
        match name {
            STATE_DIRECTORY => ext.state_directory = value,
            EXECUTOR => ext.executor = value,
            TOKEN_STORE => ext.token_store = value,
            GRACE_PERIOD => ext.grace_period_seconds = number(child, value)?,
            OUTPUT_CAP => ext.output_cap_bytes = number(child, value)?,
            SQL_CONNECT_TIMEOUT => ext.sql_connect_timeout_seconds = number(child, value)?,
            SQL_BROWSER_TIMEOUT => ext.sql_browser_timeout_seconds = number(child, value)?,
            SQL_BROWSER_CACHE => ext.sql_browser_cache_seconds = number(child, value)?,
            STORE_FILE_MODE => ext.store_file_mode = file_mode(child, value)?,
            _ => ext.retention_days = number(child, value)?,
        }
    }
    Ok(ext)
}

/// An octal file mode in an extension element; the error names the element.
fn file_mode(el: &Element, text: Option<String>) -> Result<Option<FileMode>, XmlError> {
    let Some(text) = text.filter(|t| !t.trim().is_empty()) else {
        return Ok(None);
    };
    FileMode::parse(&text)
        .map(Some)
        .map_err(|e| err(el.offset, format!("<{}>: {e}", el.name)))
}

/// A whole number in an extension element; the error names the element and the text.
fn number<T: std::str::FromStr>(el: &Element, text: Option<String>) -> Result<Option<T>, XmlError> {
    let Some(text) = text.filter(|t| !t.trim().is_empty()) else {
        return Ok(None);
    };
    text.trim().parse::<T>().map(Some).map_err(|_| {
        err(
            el.offset,
            format!(
                "<{}> must be a whole number ≥ 0, found '{}'",
                el.name,
                text.trim()
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::xml::parse;

    fn extract_text(text: &str) -> Result<ServiceConfig, XmlError> {
        extract(&parse(text).unwrap()).map(|e| e.config)
    }

    #[test]
    fn booleans_follow_xml_schema() {
        for (s, v) in [
            ("true", true),
            ("1", true),
            (" false\n", false),
            ("0", false),
        ] {
            assert_eq!(parse_bool(s), Some(v));
        }
        for s in ["True", "yes", "", "2", "-1"] {
            assert_eq!(parse_bool(s), None, "{s}");
        }
    }

    #[test]
    fn xsi_prefix_is_resolved_through_declarations() {
        let cfg = extract_text(&format!(
            "<{ROOT} xmlns:i=\"{XSI_NS}\"><{FOLDERS}><Folder i:type=\"SqlServerFolder\">\
             <Name>M</Name><ServerName>.</ServerName></Folder></{FOLDERS}></{ROOT}>"
        ))
        .unwrap();
        assert_eq!(cfg.top_level_folders[0].type_name(), "SqlServerFolder");
        // A prefix bound to another namespace is not xsi.
        let e = extract_text(&format!(
            "<{ROOT} xmlns:xsi=\"urn:other\"><{FOLDERS}><Folder xsi:type=\"SqlServerFolder\">\
             <Name>M</Name><ServerName>.</ServerName></Folder></{FOLDERS}></{ROOT}>"
        ))
        .unwrap_err();
        assert!(e.message.contains("no xsi:type"), "{}", e.message);
    }

    #[test]
    fn missing_parts_are_named() {
        let e = extract_text(&format!(
            "<{ROOT}><{FOLDERS}><Folder xsi:type=\"SqlServerFolder\"><Name>M</Name></Folder></{FOLDERS}></{ROOT}>"
        ))
        .unwrap_err();
        assert_eq!(
            e.message,
            "SqlServerFolder 'M' (folder 1) has no ServerName"
        );
        let e = extract_text(&format!(
            "<{ROOT}><{FOLDERS}><Folder xsi:type=\"FileSystemFolder\"><StorePath>x</StorePath></Folder></{FOLDERS}></{ROOT}>"
        ))
        .unwrap_err();
        assert_eq!(e.message, "FileSystemFolder (folder 1) has no Name");
        let e = extract_text(&format!(
            "<{ROOT}><{STOP}>1</{STOP}><{STOP}>1</{STOP}></{ROOT}>"
        ))
        .unwrap_err();
        assert!(e.message.contains("more than once"));
    }

    #[test]
    fn absent_elements_take_defaults() {
        let cfg = extract_text(&format!("<{ROOT}/>")).unwrap();
        assert!(cfg.stop_executing_packages_on_shutdown);
        assert!(cfg.top_level_folders.is_empty());
        assert_eq!(cfg.extensions, Extensions::default());
    }

    #[test]
    fn extensions_are_read() {
        let cfg = extract_text(&format!(
            "<{ROOT}><{EXTENSIONS}><Other/><{STATE_DIRECTORY}>/var/x</{STATE_DIRECTORY}>\
             <{EXECUTOR}/></{EXTENSIONS}></{ROOT}>"
        ))
        .unwrap();
        assert_eq!(cfg.extensions.state_directory.as_deref(), Some("/var/x"));
        assert_eq!(cfg.extensions.executor, None);
    }

    #[test]
    fn sql_server_settings_are_read_and_applied() {
        let cfg = extract_text(&format!(
            "<{ROOT}><{EXTENSIONS}><{SQL_CONNECT_TIMEOUT}>4</{SQL_CONNECT_TIMEOUT}>\
             <{SQL_BROWSER_TIMEOUT}> 2 </{SQL_BROWSER_TIMEOUT}>\
             <{SQL_BROWSER_CACHE}>0</{SQL_BROWSER_CACHE}></{EXTENSIONS}></{ROOT}>"
        ))
        .unwrap();
        let o = crate::store::msdb::ConnectOptions::from_extensions(&cfg.extensions);
        assert_eq!(o.connect_timeout, std::time::Duration::from_secs(4));
        assert_eq!(o.browser_limit(), std::time::Duration::from_secs(2));
        assert_eq!(o.browser_cache, std::time::Duration::ZERO);
        let e = extract_text(&format!(
            "<{ROOT}><{EXTENSIONS}><{SQL_BROWSER_CACHE}>soon</{SQL_BROWSER_CACHE}>\
             </{EXTENSIONS}></{ROOT}>"
        ))
        .unwrap_err();
        assert!(
            e.message
                .contains("<SqlBrowserCacheSeconds> must be a whole number"),
            "{}",
            e.message
        );
        // Defaults: 15 s to connect, 60 % of it for the Browser, 60 s cache.
        let d = crate::store::msdb::ConnectOptions::from_extensions(&Extensions::default());
        assert_eq!(d.browser_limit(), std::time::Duration::from_secs(9));
        assert_eq!(d.browser_cache, std::time::Duration::from_secs(60));
    }
}
