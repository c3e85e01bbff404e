//! `Project.params`: the project's parameters, each an `<SSIS:Parameter>`
//! whose properties (ID, Required, Sensitive, Value, DataType, ...) are
//! `<SSIS:Property SSIS:Name="...">` children. DataType is a .NET TypeCode
//! (18 String, 9 Int32, 3 Boolean), not the VARIANT code variables use.

use crate::model::xml::Element;
use crate::model::{ProjectParameter, VariableDef};
use ssis_core::error::{Error, ErrorKind, Result};
use std::path::Path;

/// A parameter whose value is stored encrypted: its name.
pub(super) struct Encrypted(pub(super) String);

/// Reads `<SSIS:Parameters>`. `encrypts` says whether the project's
/// protection level stores sensitive values encrypted; such a value is
/// left empty and reported in the second list.
pub(super) fn read(
    root: &Element,
    origin: &Path,
    encrypts: bool,
) -> Result<(Vec<ProjectParameter>, Vec<Encrypted>)> {
    let bad = |msg: String, line: u64| {
        Error::new(ErrorKind::Package, msg)
            .with_file(origin)
            .at(line, 1)
    };
    if root.local_name() != "Parameters" {
        return Err(bad(
            format!(
                "the root element is <{}>, not project parameters <SSIS:Parameters>",
                root.name
            ),
            root.line,
        ));
    }
    let mut out: Vec<ProjectParameter> = Vec::new();
    let mut encrypted = Vec::new();
    for p in root.children_named("Parameter") {
        let Some(name) = p.attr("Name").map(str::trim).filter(|n| !n.is_empty()) else {
            return Err(bad("a project parameter has no Name".into(), p.line));
        };
        if out
            .iter()
            .any(|o| o.variable.name.eq_ignore_ascii_case(name))
        {
            return Err(bad(
                format!("project parameter '{name}' is declared twice"),
                p.line,
            ));
        }
        let props: Vec<&Element> = p
            .children_named("Properties")
            .flat_map(|x| x.children_named("Property"))
            .collect();
        let prop = |n: &str| props.iter().find(|x| x.attr("Name") == Some(n)).copied();
        let flag = |n: &str| -> Result<bool> {
            match prop(n).map(|x| x.text.trim()) {
                None | Some("") => Ok(false),
                Some(v) => crate::model::xml_bool(v).ok_or_else(|| {
                    bad(
                        format!("project parameter '{name}': {n} '{v}' is not 1 or 0"),
                        p.line,
                    )
                }),
            }
        };
        let type_code = prop("DataType").map(|x| x.text.trim()).unwrap_or("18");
        let data_type = type_code
            .parse::<i32>()
            .ok()
            .and_then(variant_of_type_code)
            .ok_or_else(|| {
                bad(
                    format!(
                        "project parameter '{name}': DataType '{type_code}' is not a parameter \
                         type (a .NET TypeCode: 3 Boolean, 5–7 and 9–12 integers, 13 Single, 14 Double, \
                         15 Decimal, 16 DateTime, 18 String)"
                    ),
                    p.line,
                )
            })?;
        let sensitive = flag("Sensitive")?;
        let value_el = prop("Value");
        let mut value = value_el.map(|v| v.text.clone()).unwrap_or_default();
        let stored_encrypted = value_el.is_some_and(|v| {
            (v.attr("Sensitive").and_then(crate::model::xml_bool) == Some(true) || sensitive)
                && (encrypts || v.attr("Salt").is_some())
                && !v.text.trim().is_empty()
        });
        if stored_encrypted {
            value.clear();
            encrypted.push(Encrypted(name.to_string()));
        }
        out.push(ProjectParameter {
            variable: VariableDef {
                namespace: "$Project".into(),
                name: name.to_string(),
                id: prop("ID")
                    .map(|x| x.text.trim().to_string())
                    .unwrap_or_default(),
                data_type,
                value,
                read_only: true,
                evaluate_as_expression: false,
                expression: String::new(),
                raise_changed_event: false,
            },
            required: flag("Required")?,
            sensitive,
        });
    }
    Ok((out, encrypted))
}

/// The VARIANT code (what variables use) of a .NET TypeCode (what
/// parameters use); `None` for a type a parameter cannot have (Char,
/// UInt16 and the others SSDT does not offer).
pub(super) fn variant_of_type_code(code: i32) -> Option<i32> {
    Some(match code {
        3 => 11,  // Boolean
        5 => 16,  // SByte
        6 => 17,  // Byte
        7 => 2,   // Int16
        9 => 3,   // Int32
        10 => 19, // UInt32
        11 => 20, // Int64
        12 => 21, // UInt64
        13 => 4,  // Single
        14 => 5,  // Double
        15 => 14, // Decimal
        16 => 7,  // DateTime
        18 => 8,  // String
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::variant_of_type_code;

    #[test]
    fn parameter_types_map_to_variable_types_and_others_are_refused() {
        assert_eq!(variant_of_type_code(3), Some(11), "Boolean");
        assert_eq!(variant_of_type_code(9), Some(3), "Int32");
        assert_eq!(variant_of_type_code(18), Some(8), "String");
        for not_a_parameter_type in [0, 1, 2, 4, 8, 17, 19] {
            assert_eq!(variant_of_type_code(not_a_parameter_type), None);
        }
    }
}
