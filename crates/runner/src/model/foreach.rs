//! A Foreach Loop's enumerator (File, Item, ADO, NodeList) and the mappings
//! of its values to variables.

use super::SqlSourceType;

/// How the File enumerator returns each file name (`FileNameRetrievalType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileNameFormat {
    /// 0: the full path.
    FullyQualified,
    /// 1: the name with its extension.
    NameAndExtension,
    /// 2: the name without its extension.
    NameOnly,
}

/// The Foreach File enumerator's settings (`ForEachFileEnumeratorProperties`).
#[derive(Debug, Clone)]
pub struct FileEnumerator {
    /// `Folder`.
    pub folder: String,
    /// `FileSpec`, with `*` and `?` wildcards.
    pub file_spec: String,
    /// `FileNameRetrievalType`.
    pub format: FileNameFormat,
    /// `Recurse`: include subfolders.
    pub recurse: bool,
}

/// Where a NodeList enumerator's document or XPath comes from, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeListSource {
    /// `FileConnection`, `Variable` or `DirectInput`.
    pub kind: SqlSourceType,
    /// The connection manager, variable or text.
    pub text: String,
}

/// What a NodeList enumerator yields for each node (`EnumerationType`,
/// `InnerElementType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeListKind {
    /// `Navigator` (0): here, the node's XML, as `Node`.
    Navigator,
    /// `Node` (1): the node's XML.
    Node,
    /// `NodeText` (2): the node's text.
    NodeText,
    /// `ElementCollection` (3): for each outer node, the inner XPath's nodes.
    ElementCollection,
}

/// The Foreach NodeList enumerator's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeListEnumerator {
    /// `SourceType` / `SourceDocument`.
    pub document: NodeListSource,
    /// `EnumerationType`.
    pub kind: NodeListKind,
    /// `OuterXPathSourceType` / `OuterXPathString`.
    pub outer: NodeListSource,
    /// `InnerElementType` (ElementCollection only).
    pub inner_kind: NodeListKind,
    /// `InnerXPathSourceType` / `InnerXPathString` (ElementCollection only).
    pub inner: NodeListSource,
}

/// One value of an Item enumerator row (`FEIEItemValue`).
#[derive(Debug, Clone)]
pub struct ItemValue {
    /// Variant type code (`Type`).
    pub type_code: u16,
    /// The value as written (`Value`).
    pub text: String,
}

/// What a Foreach Loop enumerates.
#[derive(Debug, Clone)]
pub enum EnumeratorKind {
    /// Files of a folder.
    File(FileEnumerator),
    /// Fixed rows of values (`FEIEItems`).
    Item(Vec<Vec<ItemValue>>),
    /// The rows of a result set held by an Object variable (`FEEADO`).
    Ado {
        /// `VarName`.
        variable: String,
        /// `EnumType`: `EnumerateRowsInFirstTable`, `EnumerateAllRows` or
        /// `EnumerateTables` (not supported).
        enum_type: String,
    },
    /// The nodes an XPath expression selects in an XML document (`FEENODELIST`).
    NodeList(NodeListEnumerator),
    /// Any other enumerator (Variable, SMO, Schema Rowset, ...).
    Unsupported,
}

/// A Foreach Loop's enumerator (`DTS:ForEachEnumerator`).
#[derive(Debug, Clone)]
pub struct Enumerator {
    /// `CreationName` as written.
    pub creation_name: String,
    /// What it enumerates.
    pub kind: EnumeratorKind,
    /// Property expressions on the enumerator (e.g. `Directory`, `FileSpec`).
    pub property_expressions: Vec<(String, String)>,
}

/// `DTS:ForEachVariableMapping`: value `value_index` of each item goes to `variable`.
#[derive(Debug, Clone)]
pub struct VariableMapping {
    /// `ValueIndex`.
    pub value_index: usize,
    /// `VariableName`, e.g. `User::FileName`.
    pub variable: String,
}
