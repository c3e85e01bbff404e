//! Finds everything in a package this runner cannot run, so a run or a
//! `/VALIDATE` can refuse up front with the full list before anything executes.

use super::model::{EvalOp, Executable, ExecutableKind, FileSystemOp, Package, PathSource};
use serde::Serialize;

/// One component the runner cannot run (or a setting it cannot honour).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Unsupported {
    /// The executable's path, e.g. `Package\Data Flow Task`.
    pub path: String,
    /// Its type as shown to people, e.g. `Data Flow Task`.
    pub component_type: String,
    /// Why it cannot run.
    pub reason: String,
}

/// Every unsupported, enabled component of `pkg`, in document order.
/// Disabled executables (and everything inside them) are skipped.
pub fn find_unsupported(pkg: &Package) -> Vec<Unsupported> {
    let mut out = Vec::new();
    walk(pkg, &pkg.root, &mut out);
    out
}

const NEEDS_EXPR: &str = "needs the SSIS expression language, which this runner does not have yet";

fn walk(pkg: &Package, exe: &Executable, out: &mut Vec<Unsupported>) {
    if exe.disabled {
        return;
    }
    let mut add = |reason: String| {
        out.push(Unsupported {
            path: exe.path.clone(),
            component_type: exe.type_label.clone(),
            reason,
        })
    };
    match &exe.kind {
        ExecutableKind::Unsupported(why) => add(why.clone()),
        ExecutableKind::ForLoop { .. } => add(format!("For Loop Container {NEEDS_EXPR}")),
        ExecutableKind::ForeachLoop { enumerator, .. } => add(format!(
            "Foreach Loop Container (enumerator '{enumerator}') is not supported yet"
        )),
        ExecutableKind::ExecuteProcess(spec) => {
            if spec.executable.trim().is_empty() {
                add("Execute Process Task has no Executable".into());
            }
        }
        ExecutableKind::FileSystem(spec) => {
            if spec.op == FileSystemOp::SetAttributes {
                add("File System Task operation SetAttributes is not supported".into());
            }
            let ends = [
                ("source", &spec.source, true),
                (
                    "destination",
                    &spec.destination,
                    spec.op.needs_destination(),
                ),
            ];
            for (what, end, needed) in ends {
                match end {
                    None if needed => add(format!("File System Task has no {what} path")),
                    Some(PathSource::Connection(r)) => match pkg.connection(r) {
                        None => add(format!(
                            "File System Task {what} connection '{r}' does not exist"
                        )),
                        Some(cm) if !cm.creation_name.eq_ignore_ascii_case("FILE") => add(format!(
                            "File System Task {what} connection '{}' is a {} connection, not FILE",
                            cm.name, cm.creation_name
                        )),
                        Some(cm) if !cm.property_expressions.is_empty() => add(format!(
                            "connection '{}' has property expressions, which {NEEDS_EXPR}",
                            cm.name
                        )),
                        _ => {}
                    },
                    _ => {}
                }
            }
        }
        ExecutableKind::Sequence(_) => {}
    }
    for (prop, _) in &exe.property_expressions {
        add(format!("property expression on {prop} {NEEDS_EXPR}"));
    }
    for v in exe.variables.iter().filter(|v| v.evaluate_as_expression) {
        add(format!(
            "variable {} is evaluated as an expression, which {NEEDS_EXPR}",
            v.qualified_name()
        ));
    }
    if exe.has_event_handlers {
        add("event handlers are not supported yet".into());
    }
    if let Some(body) = exe.body() {
        for c in &body.constraints {
            if c.eval_op != EvalOp::Constraint && !body.executables[c.to].disabled {
                add(format!(
                    "precedence constraint '{}' uses an expression, which {NEEDS_EXPR}",
                    c.name
                ));
            }
        }
        for child in &body.executables {
            walk(pkg, child, out);
        }
    }
}

/// The refusal text: one line per component.
pub fn describe(items: &[Unsupported]) -> String {
    let mut s = format!(
        "the package cannot run here: {} unsupported component(s):",
        items.len()
    );
    for u in items {
        s.push_str(&format!(
            "\n  {} ({}): {}",
            u.path, u.component_type, u.reason
        ));
    }
    s
}
