//! Reads a `<DTS:ConnectionManager>` into a [`ConnectionManager`].

use super::{boolean, int, property_expressions};
use crate::model::xml::Element;
use crate::model::*;

pub(super) fn read_connection(cm: &Element) -> ConnectionManager {
    let data = cm
        .child("ObjectData")
        .and_then(|d| d.child("ConnectionManager"));
    let from_data = |name: &str| data.and_then(|d| d.prop(name)).unwrap_or("").to_string();
    ConnectionManager {
        name: cm.prop("ObjectName").unwrap_or("").to_string(),
        id: cm.prop("DTSID").unwrap_or("").to_string(),
        creation_name: cm.prop("CreationName").unwrap_or("").to_string(),
        connection_string: from_data("ConnectionString"),
        file_usage_type: int(&from_data("FileUsageType")).unwrap_or(0) as i32,
        password: data
            .and_then(|d| d.child("Password"))
            .filter(|p| p.attr("Encrypted").and_then(boolean) != Some(true))
            .map(|p| p.text.clone())
            .filter(|p| !p.is_empty()),
        retain: boolean(&from_data("Retain")).unwrap_or(false),
        property_expressions: property_expressions(cm),
        data: data.map(|d| std::sync::Arc::new(d.clone())),
    }
}
