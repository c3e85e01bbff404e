//! The properties of a Data Flow Task that a property expression or `/SET`
//! may set: the task's own (`DefaultBufferMaxRows`, `BufferTempStoragePath`,
//! ...: attributes of its `pipeline` element) and its components' custom
//! properties that SSIS exposes to expressions (`expressionType="Notify"`),
//! named `[Component].[Property]`. Setting one gives a new pipeline element;
//! the package as loaded is not changed.

use super::model::xml::Element;

/// The task's properties, with the `pipeline` attribute each sets, and
/// whether it is a number (else text or a boolean, as written).
const TASK: &[(&str, &str, Kind)] = &[
    ("DefaultBufferMaxRows", "defaultBufferMaxRows", Kind::Number),
    ("DefaultBufferSize", "defaultBufferSize", Kind::Number),
    ("EngineThreads", "engineThreads", Kind::Number),
    ("BufferTempStoragePath", "bufferTempStoragePath", Kind::Text),
    ("BLOBTempStoragePath", "BLOBTempStoragePath", Kind::Text),
    ("RunInOptimizedMode", "runInOptimizedMode", Kind::Boolean),
    (
        "AutoAdjustBufferSize",
        "autoAdjustBufferSize",
        Kind::Boolean,
    ),
];

/// How a task property's value is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Number,
    Text,
    Boolean,
}

/// What a property name sets.
enum Target<'a> {
    /// A `pipeline` attribute.
    Task(&'static str),
    /// A component's custom property: (component, property).
    Component(&'a str, &'a str),
}

fn target(property: &str) -> Option<Target<'_>> {
    if let Some((_, attr, _)) = TASK.iter().find(|t| t.0 == property) {
        return Some(Target::Task(attr));
    }
    let inner = property.strip_prefix('[')?.strip_suffix(']')?;
    let (component, prop) = inner.split_once("].[")?;
    Some(Target::Component(component, prop))
}

/// The components of `pipeline`.
fn components(pipeline: &Element) -> impl Iterator<Item = &Element> {
    pipeline
        .children_named("components")
        .flat_map(|c| c.children_named("component"))
}

/// Whether `p` is a component property SSIS lets an expression set.
fn exposed(p: &Element) -> bool {
    p.attr("expressionType")
        .is_some_and(|t| t.eq_ignore_ascii_case("Notify"))
}

/// Why `property` cannot be set on the Data Flow Task of `pipeline`, or
/// `None` when it can.
pub fn check(pipeline: &Element, property: &str) -> Option<String> {
    match target(property) {
        Some(Target::Task(_)) => None,
        Some(Target::Component(name, prop)) => {
            let Some(c) = components(pipeline).find(|c| c.attr("name") == Some(name)) else {
                return Some(format!("the data flow has no component named \"{name}\""));
            };
            let found = c
                .children_named("properties")
                .flat_map(|ps| ps.children_named("property"))
                .find(|p| p.attr("name") == Some(prop));
            match found {
                Some(p) if exposed(p) => None,
                Some(_) => Some(format!(
                    "property {prop} of component \"{name}\" cannot be set by an expression (SSIS exposes only the properties marked expressionType=\"Notify\")"
                )),
                None => Some(format!("component \"{name}\" has no property {prop}")),
            }
        }
        None => Some(format!(
            "{property} is not a property of a Data Flow Task (its own: {}; a component's: [Component].[Property])",
            TASK.iter().map(|t| t.0).collect::<Vec<_>>().join(", ")
        )),
    }
}

/// `pipeline` with `property` set to `value` (already converted to the
/// text written in the package: a number, `true`/`false`, or text).
pub fn set(pipeline: &Element, property: &str, value: &str) -> Result<Element, String> {
    if let Some(why) = check(pipeline, property) {
        return Err(why);
    }
    let mut p = pipeline.clone();
    match target(property) {
        Some(Target::Task(attr)) => {
            p.attrs.retain(|(n, _)| n != attr);
            p.attrs.push((attr.to_string(), value.to_string()));
        }
        Some(Target::Component(name, prop)) => {
            let slot = p
                .children
                .iter_mut()
                .filter(|c| c.local_name() == "components")
                .flat_map(|c| c.children.iter_mut())
                .filter(|c| c.local_name() == "component" && c.attr("name") == Some(name))
                .flat_map(|c| c.children.iter_mut())
                .filter(|c| c.local_name() == "properties")
                .flat_map(|ps| ps.children.iter_mut())
                .find(|x| x.local_name() == "property" && x.attr("name") == Some(prop));
            if let Some(slot) = slot {
                slot.text = value.to_string();
            }
        }
        None => {}
    }
    Ok(p)
}

/// How the task property `property` is written, if it is one.
pub fn task_kind(property: &str) -> Option<Kind> {
    TASK.iter().find(|t| t.0 == property).map(|t| t.2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn pipeline() -> Element {
        let xml = r#"<pipeline version="1" defaultBufferMaxRows="5"><components>
            <component name="Write"><properties>
              <property name="Header" expressionType="Notify">old</property>
              <property name="Overwrite">true</property>
            </properties></component></components></pipeline>"#;
        super::super::model::xml::parse(xml.as_bytes(), Path::new("t.dtsx")).unwrap()
    }

    #[test]
    fn task_and_exposed_component_properties_are_set_others_named() {
        let p = pipeline();
        let q = set(&p, "DefaultBufferMaxRows", "7").unwrap();
        assert_eq!(q.attr("defaultBufferMaxRows"), Some("7"));
        assert_eq!(
            p.attr("defaultBufferMaxRows"),
            Some("5"),
            "the original stays"
        );
        let q = set(&q, "[Write].[Header]", "new").unwrap();
        let header = |e: &Element| {
            components(e)
                .flat_map(|c| c.children_named("properties"))
                .flat_map(|ps| ps.children_named("property"))
                .find(|x| x.attr("name") == Some("Header"))
                .map(|x| x.text.clone())
        };
        assert_eq!(header(&q).as_deref(), Some("new"));
        assert_eq!(q.attr("defaultBufferMaxRows"), Some("7"));
        let refused = |prop: &str| set(&p, prop, "x").unwrap_err();
        assert!(refused("[Write].[Overwrite]").contains("expressionType=\"Notify\""));
        assert!(refused("[Read].[Header]").contains("no component named \"Read\""));
        assert!(refused("[Write].[Footer]").contains("has no property Footer"));
        assert!(refused("Bogus").contains("not a property of a Data Flow Task"));
    }
}
