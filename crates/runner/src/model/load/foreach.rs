//! Reads a Foreach Loop's `<DTS:ForEachEnumerator>` (file, item, node list
//! and ADO enumerators) and its variable mappings.

use super::*;

impl Ctx<'_> {
    pub(super) fn read_enumerator(&self, el: &Element, path: &str) -> Result<Enumerator> {
        let Some(en) = el.child("ForEachEnumerator") else {
            return Ok(Enumerator {
                creation_name: String::new(),
                kind: EnumeratorKind::Unsupported,
                property_expressions: Vec::new(),
            });
        };
        let data = en.child("ObjectData");
        let kind = if let Some(p) = data.and_then(|d| d.child("ForEachFileEnumeratorProperties")) {
            // Each FEFEProperty carries one attribute: Folder, FileSpec,
            // FileNameRetrievalType or Recurse.
            let get = |n: &str| {
                p.children_named("FEFEProperty")
                    .find_map(|x| x.attr(n))
                    .map(str::to_string)
            };
            let format = match get("FileNameRetrievalType").as_deref().map(str::trim) {
                None | Some("0") | Some("") => FileNameFormat::FullyQualified,
                Some("1") => FileNameFormat::NameAndExtension,
                Some("2") => FileNameFormat::NameOnly,
                Some(other) => {
                    return Err(self.bad(
                        format!("{path}: FileNameRetrievalType '{other}' is not 0, 1 or 2"),
                        p.line,
                    ));
                }
            };
            let recurse = match get("Recurse") {
                None => false,
                Some(v) => boolean(&v).ok_or_else(|| {
                    self.bad(format!("{path}: Recurse '{v}' is not a boolean"), p.line)
                })?,
            };
            EnumeratorKind::File(FileEnumerator {
                folder: get("Folder").unwrap_or_default(),
                file_spec: get("FileSpec").unwrap_or_else(|| "*.*".into()),
                format,
                recurse,
            })
        } else if let Some(items) = data.and_then(|d| d.child("FEIEItems")) {
            let mut rows = Vec::new();
            for item in items.children_named("FEIEItem") {
                let mut row = Vec::new();
                for v in item.children_named("FEIEItemValue") {
                    let t = v.attr("Type").unwrap_or("8");
                    let type_code = t.trim().parse::<u16>().map_err(|_| {
                        self.bad(
                            format!("{path}: item value Type '{t}' is not a number"),
                            v.line,
                        )
                    })?;
                    row.push(ItemValue {
                        type_code,
                        text: v
                            .attr("Value")
                            .map(str::to_string)
                            .unwrap_or_else(|| v.text.clone()),
                    });
                }
                rows.push(row);
            }
            EnumeratorKind::Item(rows)
        } else if let Some(nl) = data.and_then(|d| d.child("FEENODELIST")) {
            let source = |kind_attr: &str, text_attr: &str| -> Result<NodeListSource> {
                let kind = match nl.attr(kind_attr).unwrap_or("DirectInput").trim() {
                    "FileConnection" | "0" => SqlSourceType::FileConnection,
                    "Variable" | "1" => SqlSourceType::Variable,
                    "DirectInput" | "2" | "" => SqlSourceType::DirectInput,
                    other => {
                        return Err(self.bad(
                            format!("{path}: NodeList {kind_attr} '{other}' is unknown"),
                            nl.line,
                        ));
                    }
                };
                Ok(NodeListSource {
                    kind,
                    text: nl.attr(text_attr).unwrap_or("").to_string(),
                })
            };
            let kind_of = |attr: &str| -> Result<NodeListKind> {
                Ok(match nl.attr(attr).unwrap_or("NodeText").trim() {
                    "Navigator" | "0" => NodeListKind::Navigator,
                    "Node" | "1" => NodeListKind::Node,
                    "NodeText" | "2" | "" => NodeListKind::NodeText,
                    "ElementCollection" | "3" => NodeListKind::ElementCollection,
                    other => {
                        return Err(self.bad(
                            format!("{path}: NodeList {attr} '{other}' is unknown"),
                            nl.line,
                        ));
                    }
                })
            };
            EnumeratorKind::NodeList(NodeListEnumerator {
                document: source("SourceType", "SourceDocument")?,
                kind: kind_of("EnumerationType")?,
                outer: source("OuterXPathSourceType", "OuterXPathString")?,
                inner_kind: kind_of("InnerElementType")?,
                inner: source("InnerXPathSourceType", "InnerXPathString")?,
            })
        } else if let Some(ado) = data.and_then(|d| d.child("FEEADO")) {
            EnumeratorKind::Ado {
                variable: ado.attr("VarName").unwrap_or("").trim().to_string(),
                enum_type: ado
                    .attr("EnumType")
                    .unwrap_or("EnumerateRowsInFirstTable")
                    .trim()
                    .to_string(),
            }
        } else {
            EnumeratorKind::Unsupported
        };
        Ok(Enumerator {
            creation_name: en.prop("CreationName").unwrap_or("").to_string(),
            kind,
            property_expressions: property_expressions(en),
        })
    }

    pub(super) fn read_mappings(&self, el: &Element, path: &str) -> Result<Vec<VariableMapping>> {
        let mut out = Vec::new();
        for m in collection(el, "ForEachVariableMappings", "ForEachVariableMapping") {
            let idx = m.prop("ValueIndex").unwrap_or("0");
            let value_index = idx.trim().parse::<usize>().map_err(|_| {
                self.bad(
                    format!("{path}: variable mapping ValueIndex '{idx}' is not a number"),
                    m.line,
                )
            })?;
            out.push(VariableMapping {
                value_index,
                variable: m.prop("VariableName").unwrap_or("").trim().to_string(),
            });
        }
        Ok(out)
    }
}
