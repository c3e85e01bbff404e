//! Data Flow Task pipelines for test packages, written the way SSDT 2014+
//! (refId paths, `#{...}` references) and BIDS 2008 (numeric ids, `#N`
//! references, CLSIDs) write them, from one description.

use crate::runner_execute_sql::{Task, esc};
use std::collections::HashMap;

/// Which layout.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Layout {
    /// Format 8.
    Ssdt,
    /// Format 3.
    Bids2008,
}

/// An output column: name, type attributes (`dataType="i4"`), custom
/// properties (values may hold `@{path}`: a lineage reference), and its
/// external column (same name) when it has one.
pub struct OutCol {
    pub name: &'static str,
    pub ty: &'static str,
    pub props: Vec<(&'static str, String)>,
    pub external: bool,
    /// errorRowDisposition, truncationRowDisposition.
    pub disp: (&'static str, &'static str),
    /// 1 ErrorCode, 2 ErrorColumn.
    pub special: u32,
}

pub fn col(name: &'static str, ty: &'static str) -> OutCol {
    OutCol {
        name,
        ty,
        props: Vec::new(),
        external: false,
        disp: ("FailComponent", "FailComponent"),
        special: 0,
    }
}

/// ErrorCode and ErrorColumn.
pub fn error_cols() -> Vec<OutCol> {
    let mut a = col("ErrorCode", "dataType=\"i4\"");
    a.special = 1;
    let mut b = col("ErrorColumn", "dataType=\"i4\"");
    b.special = 2;
    vec![a, b]
}

pub struct Output {
    pub name: &'static str,
    pub is_error: bool,
    /// The input it is synchronous to.
    pub sync: Option<&'static str>,
    pub cols: Vec<OutCol>,
}

/// An input column: the upstream output column's path (`Comp.Outputs[O].Columns[C]`),
/// its name, read-write, properties, and the external column it maps to.
pub struct InCol {
    pub upstream: String,
    pub name: &'static str,
    pub read_write: bool,
    pub props: Vec<(&'static str, String)>,
    pub external: Option<&'static str>,
    /// errorRowDisposition (none written when empty).
    pub disp: &'static str,
}

pub fn input_col(upstream: &str, name: &'static str) -> InCol {
    InCol {
        upstream: upstream.to_string(),
        name,
        read_write: false,
        props: Vec::new(),
        external: None,
        disp: "",
    }
}

pub struct Input {
    pub name: &'static str,
    pub error_disp: &'static str,
    pub cols: Vec<InCol>,
    /// External columns (name, type attributes).
    pub external: Vec<(&'static str, &'static str)>,
}

pub struct Comp {
    pub name: &'static str,
    /// 2014+ class id, e.g. `Microsoft.Lookup`.
    pub class: &'static str,
    /// The first segment of contactInfo, e.g. `Lookup`.
    pub contact: &'static str,
    pub props: Vec<(&'static str, String)>,
    /// (connection name, connection manager name, its DTSID).
    pub conn: Option<(&'static str, &'static str, &'static str)>,
    pub inputs: Vec<Input>,
    pub outputs: Vec<Output>,
}

pub fn comp(name: &'static str, class: &'static str, contact: &'static str) -> Comp {
    Comp {
        name,
        class,
        contact,
        props: Vec::new(),
        conn: None,
        inputs: Vec::new(),
        outputs: Vec::new(),
    }
}

/// A path: name, `Comp.Outputs[O]`, `Comp.Inputs[I]`.
pub type PathSpec = (&'static str, String, String);

struct Keys {
    layout: Layout,
    ids: HashMap<String, u32>,
}

impl Keys {
    fn key(&mut self, path: &str) -> String {
        let full = format!("Package\\Data Flow Task\\{path}");
        match self.layout {
            Layout::Ssdt => full,
            Layout::Bids2008 => {
                let n = self.ids.len() as u32 + 1;
                self.ids.entry(full).or_insert(n).to_string()
            }
        }
    }
    fn reference(&mut self, path: &str) -> String {
        match self.layout {
            Layout::Ssdt => format!("#{{{}}}", self.key(path)),
            Layout::Bids2008 => format!("#{}", self.key(path)),
        }
    }
    /// Replaces every `@{path}` with a lineage reference.
    fn expand(&mut self, text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(i) = rest.find("@{") {
            out.push_str(&rest[..i]);
            let end = rest[i..].find('}').map(|e| i + e).unwrap_or(rest.len());
            out.push_str(&self.reference(&rest[i + 2..end]));
            rest = rest.get(end + 1..).unwrap_or("");
        }
        out.push_str(rest);
        esc(&out)
    }
    fn props(&mut self, props: &[(&str, String)]) -> String {
        if props.is_empty() {
            return String::new();
        }
        let mut x = String::from("<properties>");
        for (n, v) in props {
            x += &format!("<property name=\"{n}\">{}</property>", self.expand(v));
        }
        x + "</properties>"
    }
    /// `refId` (2014+) or `id` (2008).
    fn id_attr(&mut self, path: &str) -> String {
        match self.layout {
            Layout::Ssdt => format!("refId=\"{}\"", esc(&self.key(path))),
            Layout::Bids2008 => format!("id=\"{}\"", self.key(path)),
        }
    }
}

/// The `<pipeline>` element.
pub fn pipeline(layout: Layout, comps: &[Comp], paths: &[PathSpec]) -> String {
    let mut k = Keys {
        layout,
        ids: HashMap::new(),
    };
    let mut x = String::from("<pipeline version=\"1\"><components>");
    for c in comps {
        let (class, version) = match layout {
            Layout::Ssdt => (c.class.to_string(), "Microsoft SQL Server"),
            Layout::Bids2008 if c.class.contains(',') => (
                "{2E42D45B-F83C-400F-8D77-61DDE6A7DF29}".to_string(),
                "Microsoft SqlServer v10",
            ),
            Layout::Bids2008 => (
                "{00000000-0000-0000-0000-00000000C1D0}".to_string(),
                "Microsoft SqlServer v10",
            ),
        };
        let mut props = c.props.clone();
        if class.starts_with('{') && c.class.contains(',') {
            props.push(("UserComponentTypeName", c.class.to_string()));
        }
        x += &format!(
            "<component {} name=\"{}\" componentClassID=\"{}\" contactInfo=\"{};Microsoft Corporation; {version}; (C) Microsoft Corporation; All Rights Reserved; http://www.microsoft.com/sql/support;0\" usesDispositions=\"true\">",
            k.id_attr(c.name),
            c.name,
            esc(&class),
            c.contact
        );
        x += &k.props(&props);
        if let Some((cname, cm, id)) = c.conn {
            let path = format!("{}.Connections[{cname}]", c.name);
            let manager = match layout {
                Layout::Ssdt => format!(
                    "connectionManagerID=\"Package.ConnectionManagers[{cm}]\" connectionManagerRefId=\"Package.ConnectionManagers[{cm}]\""
                ),
                Layout::Bids2008 => format!("connectionManagerID=\"{id}\""),
            };
            x += &format!(
                "<connections><connection {} name=\"{cname}\" {manager} /></connections>",
                k.id_attr(&path)
            );
        }
        x += "<inputs>";
        for i in &c.inputs {
            let ip = format!("{}.Inputs[{}]", c.name, i.name);
            x += &format!(
                "<input {} name=\"{}\" errorRowDisposition=\"{}\"><inputColumns>",
                k.id_attr(&ip),
                i.name,
                i.error_disp
            );
            for ic in &i.cols {
                let ext = ic
                    .external
                    .map(|e| {
                        format!(
                            " externalMetadataColumnId=\"{}\"",
                            esc(&k.key(&format!("{ip}.ExternalColumns[{e}]")))
                        )
                    })
                    .unwrap_or_default();
                let disp = if ic.disp.is_empty() {
                    String::new()
                } else {
                    format!(" errorRowDisposition=\"{}\"", ic.disp)
                };
                x += &format!(
                    "<inputColumn {} cachedName=\"{}\" lineageId=\"{}\" usageType=\"{}\"{ext}{disp}>{}</inputColumn>",
                    k.id_attr(&format!("{ip}.Columns[{}]", ic.name)),
                    ic.name,
                    esc(&k.key(&ic.upstream)),
                    if ic.read_write {
                        "readWrite"
                    } else {
                        "readOnly"
                    },
                    k.props(&ic.props)
                );
            }
            x += "</inputColumns><externalMetadataColumns>";
            for (n, ty) in &i.external {
                x += &format!(
                    "<externalMetadataColumn {} name=\"{n}\" {ty} />",
                    k.id_attr(&format!("{ip}.ExternalColumns[{n}]"))
                );
            }
            x += "</externalMetadataColumns></input>";
        }
        x += "</inputs><outputs>";
        for o in &c.outputs {
            let op = format!("{}.Outputs[{}]", c.name, o.name);
            let sync = o
                .sync
                .map(|i| {
                    format!(
                        " synchronousInputId=\"{}\"",
                        esc(&k.key(&format!("{}.Inputs[{i}]", c.name)))
                    )
                })
                .unwrap_or_default();
            x += &format!(
                "<output {} name=\"{}\" isErrorOut=\"{}\"{sync}><outputColumns>",
                k.id_attr(&op),
                o.name,
                o.is_error
            );
            let mut externals = Vec::new();
            for oc in &o.cols {
                let cp = format!("{op}.Columns[{}]", oc.name);
                let ext = if oc.external {
                    let e = format!("{op}.ExternalColumns[{}]", oc.name);
                    externals.push((e.clone(), oc.name, oc.ty));
                    format!(" externalMetadataColumnId=\"{}\"", esc(&k.key(&e)))
                } else {
                    String::new()
                };
                x += &format!(
                    "<outputColumn {} name=\"{}\" lineageId=\"{}\" {} errorRowDisposition=\"{}\" truncationRowDisposition=\"{}\" specialFlags=\"{}\"{ext}>{}</outputColumn>",
                    k.id_attr(&cp),
                    oc.name,
                    esc(&k.key(&cp)),
                    oc.ty,
                    oc.disp.0,
                    oc.disp.1,
                    oc.special,
                    k.props(&oc.props)
                );
            }
            x += "</outputColumns><externalMetadataColumns>";
            for (e, n, ty) in externals {
                x += &format!(
                    "<externalMetadataColumn {} name=\"{n}\" {ty} />",
                    k.id_attr(&e)
                );
            }
            x += "</externalMetadataColumns></output>";
        }
        x += "</outputs></component>";
    }
    x += "</components><paths>";
    for (n, from, to) in paths {
        x += &format!(
            "<path {} name=\"{n}\" startId=\"{}\" endId=\"{}\" />",
            k.id_attr(&format!("Paths[{n}]")),
            esc(&k.key(from)),
            esc(&k.key(to))
        );
    }
    x + "</paths></pipeline>"
}

/// A Data Flow Task holding `pipeline`.
pub fn data_flow(pipeline: String) -> Task {
    data_flow_named("Data Flow Task", pipeline)
}

/// A Data Flow Task named `name`.
pub fn data_flow_named(name: &'static str, pipeline: String) -> Task {
    Task {
        name,
        kind: "Microsoft.Pipeline",
        data: pipeline,
        enumerator: None,
        mappings: Vec::new(),
        children: Vec::new(),
        handlers: Vec::new(),
        disable_handlers: false,
    }
}
