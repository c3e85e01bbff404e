//! Reads `<DTS:Variable>` and `<DTS:PackageParameter>` elements into
//! [`VariableDef`]s.

use super::{boolean, int};
use crate::model::xml::Element;
use crate::model::*;

pub(super) fn read_variable(v: &Element) -> VariableDef {
    let value = v.child("VariableValue");
    VariableDef {
        namespace: v.prop("Namespace").unwrap_or("User").to_string(),
        name: v.prop("ObjectName").unwrap_or("").to_string(),
        id: v.prop("DTSID").unwrap_or("").to_string(),
        data_type: value
            .and_then(|x| x.attr("DataType"))
            .and_then(int)
            .unwrap_or(8) as i32,
        value: value.map(|x| x.text.clone()).unwrap_or_default(),
        read_only: v.prop("ReadOnly").and_then(boolean).unwrap_or(false),
        evaluate_as_expression: v
            .prop("EvaluateAsExpression")
            .and_then(boolean)
            .unwrap_or(false),
        expression: v.prop("Expression").unwrap_or("").to_string(),
        raise_changed_event: v
            .prop("RaiseChangedEvent")
            .and_then(boolean)
            .unwrap_or(false),
    }
}

/// A package parameter (2012+) as a read-only variable in the `$Package`
/// namespace, so expressions read it as `@[$Package::Name]`.
pub(super) fn read_parameter(p: &Element) -> VariableDef {
    let value = p
        .children_named("Property")
        .find(|x| x.attr("Name") == Some("ParameterValue"));
    VariableDef {
        namespace: "$Package".into(),
        name: p.prop("ObjectName").unwrap_or("").to_string(),
        id: p.prop("DTSID").unwrap_or("").to_string(),
        // The same VARIANT codes as variables (3 Int32, 8 String, ...),
        // on the parameter and again on its ParameterValue.
        data_type: p
            .attr("DataType")
            .or_else(|| value.and_then(|v| v.attr("DataType")))
            .and_then(int)
            .unwrap_or(8) as i32,
        value: value.map(|v| v.text.clone()).unwrap_or_default(),
        read_only: true,
        evaluate_as_expression: false,
        expression: String::new(),
        raise_changed_event: false,
    }
}
