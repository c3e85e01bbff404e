//! From the pipeline model to a runnable graph: components recognised,
//! paths resolved, components ordered, the column layout of every output
//! computed (a synchronous output extends its input's buffer), every input
//! column checked against what arrives, and each component built. Errors
//! name the component and the column at fault.

use crate::buffer::{ColInfo, Layout};
use crate::components::{self, BuildCtx};
use crate::exec::{Exec, Route};
use crate::model::Pipeline;
use ssis_runner::cancel::CancelToken;
use ssis_runner::expr::Value;
use ssis_runner::model::{ConnectionManager, Package};
use std::collections::HashMap;

/// What building needs from the run.
pub struct Env<'a> {
    /// A variable's value by name.
    pub var: &'a dyn Fn(&str) -> Option<Value>,
    /// A connection manager's connection string.
    pub conn_string: &'a dyn Fn(&ConnectionManager) -> Result<String, String>,
    /// Only validating.
    pub checking: bool,
    /// The run's cancel token.
    pub cancel: CancelToken,
    /// The run's retained connections (RetainSameConnection).
    pub retained: components::Retained,
    /// The Cache connection managers filled so far in the run.
    pub caches: crate::cache::Caches,
}

/// A graph ready to run.
pub struct Plan {
    /// The graph.
    pub exec: Exec,
    /// Components in topological order.
    pub order: Vec<usize>,
    /// Per path: its name, its start and end components' names.
    pub paths: Vec<(String, String, String)>,
}

/// Builds the graph, or lists every problem found.
pub fn build(p: &Pipeline, pkg: &Package, env: &Env) -> Result<Plan, Vec<String>> {
    let mut problems = crate::cache::same_pipeline_problems(p, pkg);
    let n = p.components.len();
    let mut kinds = Vec::with_capacity(n);
    for c in &p.components {
        match components::identify(c) {
            Ok(k) => kinds.push(Some(k)),
            Err(label) => {
                problems.push(format!(
                    "component \"{}\" ({label}) is not supported by this runner yet",
                    c.name
                ));
                kinds.push(None);
            }
        }
    }
    let mut outputs: HashMap<&str, (usize, usize)> = HashMap::new();
    let mut inputs: HashMap<&str, (usize, usize)> = HashMap::new();
    for (ci, c) in p.components.iter().enumerate() {
        for (oi, o) in c.outputs.iter().enumerate() {
            outputs.insert(&o.key, (ci, oi));
        }
        for (ii, i) in c.inputs.iter().enumerate() {
            inputs.insert(&i.key, (ci, ii));
        }
    }
    let mut routes: Vec<Vec<Route>> = p
        .components
        .iter()
        .map(|c| vec![None; c.outputs.len()])
        .collect();
    let mut feeds: Vec<Vec<Option<(usize, usize)>>> = p
        .components
        .iter()
        .map(|c| vec![None; c.inputs.len()])
        .collect();
    let mut paths = Vec::new();
    for (pi, path) in p.paths.iter().enumerate() {
        match (
            outputs.get(path.start.as_str()),
            inputs.get(path.end.as_str()),
        ) {
            (Some(&(sc, so)), Some(&(ec, ei))) => {
                routes[sc][so] = Some((pi, ec, ei));
                feeds[ec][ei] = Some((sc, so));
            }
            _ => problems.push(format!(
                "path \"{}\" joins {} to {}, which do not both exist",
                path.name, path.start, path.end
            )),
        }
        let name_of = |k: &str, m: &HashMap<&str, (usize, usize)>| {
            m.get(k)
                .map(|(c, _)| p.components[*c].name.clone())
                .unwrap_or_default()
        };
        paths.push((
            path.name.clone(),
            name_of(&path.start, &outputs),
            name_of(&path.end, &inputs),
        ));
    }
    for (ci, c) in p.components.iter().enumerate() {
        for (ii, i) in c.inputs.iter().enumerate() {
            if feeds[ci][ii].is_none() {
                problems.push(format!(
                    "component \"{}\": input \"{}\" is not attached to a path",
                    c.name, i.name
                ));
            }
        }
    }
    // Topological order (Kahn).
    let mut indegree: Vec<usize> = feeds.iter().map(|f| f.iter().flatten().count()).collect();
    let mut order: Vec<usize> = (0..n).filter(|c| indegree[*c] == 0).collect();
    let mut k = 0;
    while k < order.len() {
        let c = order[k];
        for r in routes[c].iter().flatten() {
            indegree[r.1] -= 1;
            if indegree[r.1] == 0 {
                order.push(r.1);
            }
        }
        k += 1;
    }
    if order.len() < n {
        problems.push("the paths form a cycle".into());
        return Err(problems);
    }
    // Layouts, in order.
    let mut out_layouts: Vec<Vec<Layout>> = p
        .components
        .iter()
        .map(|c| vec![Layout::default(); c.outputs.len()])
        .collect();
    let mut nodes: Vec<Option<Box<dyn crate::exec::Component>>> = (0..n).map(|_| None).collect();
    for &ci in &order {
        let c = &p.components[ci];
        let in_layouts: Vec<Layout> = feeds[ci]
            .iter()
            .map(|f| {
                f.map(|(sc, so)| out_layouts[sc][so].clone())
                    .unwrap_or_default()
            })
            .collect();
        let mut bad = false;
        let externals = c.inputs.iter().flat_map(|i| &i.external);
        for col in externals.chain(c.outputs.iter().flat_map(|o| &o.external)) {
            if let Some(p) = unknown_type(&c.name, "external", &col.name, &col.unknown_type) {
                problems.push(p);
                bad = true;
            }
        }
        for (ii, input) in c.inputs.iter().enumerate() {
            for col in &input.columns {
                if in_layouts[ii].find(&col.lineage).is_none() {
                    problems.push(format!(
                        "component \"{}\", input column \"{}\": its upstream column ({}) does not reach input \"{}\"",
                        c.name, col.name, col.lineage, input.name
                    ));
                    bad = true;
                }
            }
        }
        for (oi, o) in c.outputs.iter().enumerate() {
            let mut layout = match &o.sync_input {
                Some(key) => c
                    .inputs
                    .iter()
                    .position(|i| &i.key == key)
                    .map(|ii| in_layouts[ii].clone())
                    .unwrap_or_default(),
                None => Layout::default(),
            };
            for col in &o.columns {
                if let Some(p) = unknown_type(&c.name, "output", &col.name, &col.unknown_type) {
                    problems.push(p);
                    bad = true;
                }
                let number = col.id.parse().unwrap_or(layout.0.len() as i32 + 1);
                layout.0.push(ColInfo {
                    lineage: col.lineage.clone(),
                    name: col.name.clone(),
                    number,
                    ty: col.ty.clone(),
                    sort_key: col.sort_key,
                });
            }
            out_layouts[ci][oi] = layout;
        }
        let Some(kind) = kinds[ci] else { continue };
        if bad {
            continue;
        }
        let ctx = BuildCtx {
            comp: c,
            pipeline: p,
            inputs: in_layouts,
            outputs: out_layouts[ci].clone(),
            pkg,
            var: env.var,
            conn_string: env.conn_string,
            max_rows: p.buffer_max_rows,
            buffer_size: p.buffer_size,
            checking: env.checking,
            cancel: env.cancel.clone(),
            retained: env.retained.clone(),
            caches: env.caches.clone(),
        };
        match components::build(kind, &ctx) {
            Ok(node) => nodes[ci] = Some(node),
            Err(e) => problems.push(format!("component \"{}\": {e}", c.name)),
        }
    }
    if !problems.is_empty() {
        // Once each (a column type may be refused on an output and its error output).
        let mut seen = std::collections::HashSet::new();
        problems.retain(|p| seen.insert(p.clone()));
        return Err(problems);
    }
    Ok(Plan {
        exec: Exec {
            nodes,
            names: p.components.iter().map(|c| c.name.clone()).collect(),
            routes,
            open_inputs: feeds.iter().map(Vec::len).collect(),
            path_rows: vec![0; p.paths.len()],
            warnings: Vec::new(),
            cancel: env.cancel.clone(),
        },
        order,
        paths,
    })
}

/// The problem of a `kind` column whose `dataType` is no SSIS type.
fn unknown_type(
    component: &str,
    kind: &str,
    column: &str,
    name: &Option<String>,
) -> Option<String> {
    name.as_ref().map(|name| {
        format!(
            "component \"{component}\", {kind} column \"{column}\": data type \"{name}\" is not an \
             SSIS data type"
        )
    })
}
