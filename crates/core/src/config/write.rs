//! Writes the model into an XML document: known values are replaced in place,
//! everything else in the document stays; new elements take XmlSerializer's
//! shape and the document's own indentation and line endings.

use super::extensions::{
    GRANT, GRANTS, LISTEN, grant_element, listen_element, read_grants, read_listen,
};
use super::read::{
    DEFAULT_STOP, EXECUTOR, EXTENSIONS, FOLDER, FOLDERS, GRACE_PERIOD, OUTPUT_CAP, RETENTION_DAYS,
    ROOT, SQL_BROWSER_CACHE, SQL_BROWSER_TIMEOUT, SQL_CONNECT_TIMEOUT, STATE_DIRECTORY, STOP,
    STORE_FILE_MODE, TOKEN_STORE, XSD_NS, XSI_NS, parse_bool,
};
use super::xml::{self, Document, Element, Node, Style};
use super::{Grant, ListenEndpoint, ServiceConfig, TopLevelFolder};

/// A new, empty configuration document as XmlSerializer writes one.
pub(crate) fn fresh_document() -> Document {
    let mut root = Element::new(ROOT);
    root.push_attr("xmlns:xsd", XSD_NS);
    root.push_attr("xmlns:xsi", XSI_NS);
    let style = Style {
        newline: "\n",
        unit: "  ".to_string(),
    };
    let stop = if DEFAULT_STOP { "true" } else { "false" };
    root.append_formatted(Element::with_text(STOP, stop), "", &style);
    root.append_formatted(Element::empty(FOLDERS), "", &style);
    Document {
        bom: false,
        prolog: vec![
            Node::Decl("xml version=\"1.0\" encoding=\"utf-8\"".to_string()),
            Node::Text("\n".to_string()),
        ],
        root,
        epilog: vec![Node::Text("\n".to_string())],
    }
}

/// Updates `doc` so that it says what `config` says.
pub(crate) fn apply(doc: &mut Document, config: &ServiceConfig) {
    let style = Style::of(doc);
    let root = &mut doc.root;
    write_stop(root, config.stop_executing_packages_on_shutdown, &style);
    write_folders(root, &config.top_level_folders, &style);
    write_extensions(root, config, &style);
}

fn write_stop(root: &mut Element, value: bool, style: &Style) {
    if let Some(el) = root.find(STOP).and_then(|i| root.element_mut(i)) {
        let current = el.text().ok().and_then(|t| parse_bool(&t));
        if current != Some(value) {
            el.set_text(if value { "true" } else { "false" });
        }
        return;
    }
    // Absent means the default: a file without it is left as it was.
    if value != DEFAULT_STOP {
        let el = Element::with_text(STOP, if value { "true" } else { "false" });
        let first = root.elements().next().map(|(i, _)| i);
        match first {
            Some(first) => root.insert_formatted(first, el, "", style),
            None => root.append_formatted(el, "", style),
        }
    }
}

/// The prefix the root binds to the XML Schema instance namespace (only a
/// well-formed one: `xmlns::xsi` binds nothing a reader would honour).
fn declared_xsi_prefix(root: &Element) -> Option<String> {
    root.attrs.iter().find_map(|(k, v)| {
        (v == XSI_NS)
            .then(|| k.strip_prefix("xmlns:"))
            .flatten()
            .filter(|p| !p.is_empty() && !p.contains(':'))
            .map(str::to_string)
    })
}

fn write_folders(root: &mut Element, folders: &[TopLevelFolder], style: &Style) {
    let index = match root.find(FOLDERS) {
        Some(i) => i,
        None if folders.is_empty() => return,
        None => {
            let list = Element::new(FOLDERS);
            match root.find(EXTENSIONS) {
                Some(ext) => root.insert_formatted(ext, list, "", style),
                None => root.append_formatted(list, "", style),
            }
            match root.find(FOLDERS) {
                Some(i) => i,
                None => return,
            }
        }
    };
    let declared = declared_xsi_prefix(root);
    let prefix = declared.clone().unwrap_or_else(|| "xsi".to_string());
    let list_indent = xml::indent_before(&root.children, index).unwrap_or_default();
    let Some(list) = root.element_mut(index) else {
        return;
    };
    if list.self_closing && folders.is_empty() {
        return;
    }
    let folder_indent = list.child_indent(&list_indent, style);
    let slots: Vec<usize> = list
        .elements()
        .filter(|(_, e)| e.name == FOLDER)
        .map(|(i, _)| i)
        .collect();
    let existing: Vec<Option<(String, String)>> = slots
        .iter()
        .map(|&i| match &list.children[i] {
            Node::Element(e) => folder_key(e, &prefix),
            _ => None,
        })
        .collect();
    let matches = match_folders(folders, &existing);
    let mut updated: Vec<Element> = Vec::with_capacity(folders.len());
    let mut created = false;
    for (folder, matched) in folders.iter().zip(&matches) {
        let el = match matched.and_then(|k| match &list.children[slots[k]] {
            Node::Element(e) => Some(e.clone()),
            _ => None,
        }) {
            Some(mut el) => {
                update_folder(&mut el, folder, &folder_indent, style);
                el
            }
            None => {
                created = true;
                new_folder(folder, &prefix, &folder_indent, style)
            }
        };
        updated.push(el);
    }
    let mut updated = updated.into_iter();
    for &slot in &slots {
        match updated.next() {
            Some(el) => list.children[slot] = Node::Element(el),
            None => break,
        }
    }
    for &slot in slots.iter().skip(folders.len()).rev() {
        list.remove_formatted(slot);
    }
    for el in updated {
        list.append_formatted(el, &list_indent, style);
    }
    // New folders say `xsi:type`: declare `xsi` where the file did not.
    if created && declared.is_none() {
        root.push_attr("xmlns:xsi", XSI_NS);
    }
}

/// The (type, lower-case name) of a `<Folder>` element, when readable.
fn folder_key(el: &Element, prefix: &str) -> Option<(String, String)> {
    let kind = el.attr(&format!("{prefix}:type"))?.to_string();
    let name = el
        .find("Name")
        .and_then(|i| match &el.children[i] {
            Node::Element(n) => n.text().ok(),
            _ => None,
        })
        .unwrap_or_default();
    Some((kind, name.to_lowercase()))
}

/// For each model folder, the index of the existing `<Folder>` it updates:
/// first the one of the same type and name, then the one of the same type at
/// the same position; each existing folder is used once.
fn match_folders(
    folders: &[TopLevelFolder],
    existing: &[Option<(String, String)>],
) -> Vec<Option<usize>> {
    let mut used = vec![false; existing.len()];
    let mut result = vec![None; folders.len()];
    for (i, folder) in folders.iter().enumerate() {
        let key = (folder.type_name().to_string(), folder.name().to_lowercase());
        if let Some(k) =
            (0..existing.len()).find(|&k| !used[k] && existing[k].as_ref() == Some(&key))
        {
            used[k] = true;
            result[i] = Some(k);
        }
    }
    for (i, folder) in folders.iter().enumerate() {
        let same_type = existing
            .get(i)
            .and_then(|e| e.as_ref())
            .is_some_and(|(t, _)| t == folder.type_name());
        if result[i].is_none() && same_type && !used[i] {
            used[i] = true;
            result[i] = Some(i);
        }
    }
    result
}

fn folder_fields(folder: &TopLevelFolder) -> [(&'static str, &str); 2] {
    match folder {
        TopLevelFolder::SqlServerFolder(f) => [("Name", &f.name), ("ServerName", &f.server_name)],
        TopLevelFolder::FileSystemFolder(f) => [("Name", &f.name), ("StorePath", &f.store_path)],
    }
}

fn update_folder(el: &mut Element, folder: &TopLevelFolder, indent: &str, style: &Style) {
    for (name, value) in folder_fields(folder) {
        set_child_text(el, name, value, indent, style);
    }
}

/// Sets the text of the first child element `name`, adding it when absent.
fn set_child_text(el: &mut Element, name: &str, value: &str, indent: &str, style: &Style) {
    match el.find(name).and_then(|i| el.element_mut(i)) {
        Some(child) => child.set_text(value),
        None => el.append_formatted(Element::with_text(name, value), indent, style),
    }
}

fn new_folder(folder: &TopLevelFolder, prefix: &str, indent: &str, style: &Style) -> Element {
    let mut el = Element::new(FOLDER);
    el.push_attr(&format!("{prefix}:type"), folder.type_name());
    for (name, value) in folder_fields(folder) {
        el.append_formatted(Element::with_text(name, value), indent, style);
    }
    el
}

fn write_extensions(root: &mut Element, config: &ServiceConfig, style: &Style) {
    let ext = &config.extensions;
    let grace = ext.grace_period_seconds.map(|n| n.to_string());
    let cap = ext.output_cap_bytes.map(|n| n.to_string());
    let days = ext.retention_days.map(|n| n.to_string());
    let connect = ext.sql_connect_timeout_seconds.map(|n| n.to_string());
    let browser = ext.sql_browser_timeout_seconds.map(|n| n.to_string());
    let cache = ext.sql_browser_cache_seconds.map(|n| n.to_string());
    let mode = ext.store_file_mode.map(|m| m.to_string());
    let fields = [
        (STATE_DIRECTORY, ext.state_directory.as_deref()),
        (EXECUTOR, ext.executor.as_deref()),
        (GRACE_PERIOD, grace.as_deref()),
        (OUTPUT_CAP, cap.as_deref()),
        (RETENTION_DAYS, days.as_deref()),
        (TOKEN_STORE, ext.token_store.as_deref()),
        (SQL_CONNECT_TIMEOUT, connect.as_deref()),
        (SQL_BROWSER_TIMEOUT, browser.as_deref()),
        (SQL_BROWSER_CACHE, cache.as_deref()),
        (STORE_FILE_MODE, mode.as_deref()),
    ];
    let index = match root.find(EXTENSIONS) {
        Some(i) => i,
        None if fields.iter().all(|(_, v)| v.is_none())
            && ext.listen.is_empty()
            && ext.grants.is_empty() =>
        {
            return;
        }
        None => {
            root.append_formatted(Element::new(EXTENSIONS), "", style);
            match root.find(EXTENSIONS) {
                Some(i) => i,
                None => return,
            }
        }
    };
    let indent = xml::indent_before(&root.children, index).unwrap_or_default();
    let Some(el) = root.element_mut(index) else {
        return;
    };
    for (name, value) in fields {
        match value {
            Some(v) => set_child_text(el, name, v, &indent, style),
            None => {
                // An empty element means "not set" too: keep it as written.
                let set = el.find(name).filter(|&i| match &el.children[i] {
                    Node::Element(c) => c.text().map_or(true, |t| !t.is_empty()),
                    _ => false,
                });
                if let Some(i) = set {
                    el.remove_formatted(i);
                }
            }
        }
    }
    write_listen(el, &ext.listen, &indent, style);
    write_grants(el, &ext.grants, &indent, style);
}

/// Rewrites the `<Listen>` elements when they differ from the model.
fn write_listen(el: &mut Element, listen: &[ListenEndpoint], indent: &str, style: &Style) {
    let current: Vec<ListenEndpoint> = el
        .elements()
        .filter(|(_, c)| c.name == LISTEN)
        .filter_map(|(_, c)| read_listen(c).ok())
        .collect();
    if current == listen {
        return;
    }
    while let Some(i) = el.find(LISTEN) {
        el.remove_formatted(i);
    }
    for endpoint in listen {
        el.append_formatted(listen_element(endpoint), indent, style);
    }
}

/// Rewrites `<Grants>` when it differs from the model (other children of
/// `<Grants>` stay).
fn write_grants(el: &mut Element, grants: &[Grant], indent: &str, style: &Style) {
    let index = el.find(GRANTS);
    let current = index
        .and_then(|i| match &el.children[i] {
            Node::Element(g) => read_grants(g).ok(),
            _ => None,
        })
        .unwrap_or_default();
    if current == grants {
        return;
    }
    let index = match index {
        Some(i) => i,
        None => {
            el.append_formatted(Element::new(GRANTS), indent, style);
            match el.find(GRANTS) {
                Some(i) => i,
                None => return,
            }
        }
    };
    let grants_indent = xml::indent_before(&el.children, index).unwrap_or_default();
    let Some(g) = el.element_mut(index) else {
        return;
    };
    while let Some(i) = g.find(GRANT) {
        g.remove_formatted(i);
    }
    for grant in grants {
        g.append_formatted(grant_element(grant), &grants_indent, style);
    }
    if grants.is_empty() && g.elements().next().is_none() {
        el.remove_formatted(index);
    }
}

#[cfg(test)]
mod tests {
    /// Found by proptest: a malformed namespace declaration on the root must
    /// not become the prefix of the folders written back.
    #[test]
    fn a_malformed_xsi_declaration_is_not_used_for_new_folders() {
        use crate::config::{FileSystemFolder, ServiceConfig, TopLevelFolder};
        let text = "<DtsServiceConfiguration xmlns::xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\
                    <StopExecutingPackagesOnShutdown>true</StopExecutingPackagesOnShutdown>\
                    <TopLevelFolders /></DtsServiceConfiguration>";
        let mut config = ServiceConfig::parse(text, None).unwrap();
        config
            .top_level_folders
            .push(TopLevelFolder::FileSystemFolder(FileSystemFolder {
                name: "File System".into(),
                store_path: "Packages".into(),
            }));
        let written = config.to_xml();
        let again =
            ServiceConfig::parse(&written, None).unwrap_or_else(|e| panic!("{e}\n{written}"));
        assert_eq!(again.top_level_folders, config.top_level_folders);
    }

    use super::*;
    use crate::config::FileSystemFolder;

    #[test]
    fn fresh_document_has_the_xml_serializer_shape() {
        let mut doc = fresh_document();
        let config = ServiceConfig::new(
            true,
            vec![TopLevelFolder::FileSystemFolder(FileSystemFolder {
                name: "File System".into(),
                store_path: "..\\Packages".into(),
            })],
        );
        apply(&mut doc, &config);
        assert_eq!(
            xml::write(&doc),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
             <DtsServiceConfiguration xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n\
             \x20 <StopExecutingPackagesOnShutdown>true</StopExecutingPackagesOnShutdown>\n\
             \x20 <TopLevelFolders>\n\
             \x20   <Folder xsi:type=\"FileSystemFolder\">\n\
             \x20     <Name>File System</Name>\n\
             \x20     <StorePath>..\\Packages</StorePath>\n\
             \x20   </Folder>\n\
             \x20 </TopLevelFolders>\n\
             </DtsServiceConfiguration>\n"
        );
    }

    #[test]
    fn matching_prefers_name_then_position() {
        let fs = |n: &str| {
            TopLevelFolder::FileSystemFolder(FileSystemFolder {
                name: n.into(),
                store_path: "p".into(),
            })
        };
        let key = |n: &str| Some(("FileSystemFolder".to_string(), n.to_lowercase()));
        let existing = [
            key("A"),
            key("B"),
            Some(("SqlServerFolder".into(), "c".into())),
        ];
        // B moved first, A renamed to Z (kept by position? position 1 is B, used) → new.
        let m = match_folders(&[fs("b"), fs("Z"), fs("Q")], &existing);
        assert_eq!(m, vec![Some(1), None, None]);
        let m = match_folders(&[fs("Renamed"), fs("B")], &existing);
        assert_eq!(m, vec![Some(0), Some(1)]);
    }
}
