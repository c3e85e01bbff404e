//! Finds everything in a package this runner cannot run, so a run or a
//! `/VALIDATE` can refuse up front with the full list before anything executes.

use super::engine::MAX_PACKAGE_DEPTH;
use super::expr::Expression;
use super::model::{
    EnumeratorKind, EvalOp, Executable, ExecutableKind, ExecutePackageSpec, FileSystemOp, Package,
    PathSource,
};
use super::property_exprs;
use super::tasks::execute_package::resolve_child;
use serde::Serialize;
use std::path::PathBuf;

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
/// Disabled executables (and everything inside them) are skipped. Child
/// packages of Execute Package tasks with a fixed file path are loaded and
/// checked too (their paths appear as `Package\Task>Package\...`).
pub fn find_unsupported(pkg: &Package) -> Vec<Unsupported> {
    let mut out = Vec::new();
    let mut seen = Vec::new();
    check_package(pkg, "", &mut seen, &mut out);
    out
}

fn check_package(pkg: &Package, prefix: &str, seen: &mut Vec<PathBuf>, out: &mut Vec<Unsupported>) {
    for cm in &pkg.connections {
        if !cm.creation_name.eq_ignore_ascii_case("FILE") {
            continue;
        }
        for (prop, text) in &cm.property_expressions {
            if let Some(why) = property_exprs::check_connection(cm, prop, text) {
                out.push(Unsupported {
                    path: format!("{prefix}Package.Connections[{}]", cm.name),
                    component_type: "FILE Connection Manager".into(),
                    reason: why,
                });
            }
        }
    }
    for c in crate::configurations::enabled(pkg) {
        if let Some(why) = crate::configurations::problem(pkg, c) {
            out.push(Unsupported {
                path: format!("{prefix}Package.Configurations[{}]", c.name),
                component_type: "Package configuration".into(),
                reason: why,
            });
        }
    }
    let by_expr = pkg
        .root
        .property_expressions
        .iter()
        .any(|(p, _)| p == "SaveCheckpoints");
    if pkg.save_checkpoints && !by_expr {
        out.push(Unsupported {
            path: format!("{prefix}Package"),
            component_type: "Package".into(),
            reason: "SaveCheckpoints is True: checkpoints (restarting a failed run where it \
                     stopped) are not supported by this runner; run it with --fallback and a \
                     dtexec, or set SaveCheckpoints False (/SET \\Package.Properties[SaveCheckpoints];False)"
                .into(),
        });
    }
    let mut w = Walker {
        pkg,
        prefix,
        seen,
        out,
    };
    w.walk(&pkg.root);
}

struct Walker<'a> {
    pkg: &'a Package,
    prefix: &'a str,
    seen: &'a mut Vec<PathBuf>,
    out: &'a mut Vec<Unsupported>,
}

fn parse_problem(what: &str, text: &str) -> Option<String> {
    if text.trim().is_empty() {
        return None;
    }
    Expression::parse(text)
        .err()
        .map(|e| format!("{what} \"{text}\" does not parse: {e}"))
}

impl Walker<'_> {
    /// What stops an Execute SQL Task: a missing connection manager, one
    /// that does not reach SQL Server, a login this runner cannot make.
    fn execute_sql(
        &self,
        exe: &Executable,
        spec: &crate::model::ExecuteSqlSpec,
        found: &mut Vec<String>,
    ) {
        use crate::connections::{Auth, SqlServerTarget};
        let by_expr = |p: &str| exe.property_expressions.iter().any(|(n, _)| n == p);
        if spec.source.trim().is_empty() && !by_expr("SqlStatementSource") {
            found.push("Execute SQL Task has no SQL statement".into());
        }
        if spec.source_type == crate::model::SqlSourceType::FileConnection
            && self.pkg.connection(&spec.source).is_none()
        {
            found.push(format!(
                "Execute SQL Task statement file connection '{}' does not exist",
                spec.source
            ));
        }
        if by_expr("Connection") {
            return;
        }
        let Some(cm) = self.pkg.connection(&spec.connection) else {
            found.push(if spec.connection.is_empty() {
                "Execute SQL Task has no connection manager".to_string()
            } else {
                format!(
                    "Execute SQL Task connection manager '{}' does not exist",
                    spec.connection
                )
            });
            return;
        };
        let by_cm_expr = cm
            .property_expressions
            .iter()
            .any(|(p, _)| p == "ConnectionString");
        if by_cm_expr {
            return;
        }
        match SqlServerTarget::of_manager(cm, &cm.connection_string) {
            Err(e) => found.push(format!("Execute SQL Task: {}", e.message)),
            Ok(t) if t.auth == Auth::Integrated => found.push(format!(
                "Execute SQL Task: connection manager '{}' uses Integrated Security (Windows \
                 authentication), which this runner cannot use here; give it a SQL login \
                 (/Conn, or /SET on its ConnectionString)",
                cm.name
            )),
            Ok(_) => {}
        }
    }

    /// What stops a Send Mail Task: a missing or unusable SMTP manager.
    fn send_mail(
        &self,
        exe: &Executable,
        spec: &crate::model::SendMailSpec,
        found: &mut Vec<String>,
    ) {
        let by_expr = |p: &str| exe.property_expressions.iter().any(|(n, _)| n == p);
        if by_expr("SmtpConnection") {
            return;
        }
        let Some(cm) = self.pkg.connection(&spec.smtp_connection) else {
            found.push(format!(
                "Send Mail Task SMTP connection manager '{}' does not exist",
                spec.smtp_connection
            ));
            return;
        };
        if cm
            .property_expressions
            .iter()
            .any(|(p, _)| p == "ConnectionString" || p == "SmtpServer")
        {
            return;
        }
        if let Err(e) = crate::connections::smtp::SmtpTarget::parse(&cm.name, &cm.connection_string)
        {
            found.push(format!("Send Mail Task: {}", e.message));
        }
    }

    fn walk(&mut self, exe: &Executable) {
        if exe.disabled
            && !exe
                .property_expressions
                .iter()
                .any(|(p, _)| p == "Disabled")
        {
            return;
        }
        let path = format!("{}{}", self.prefix, exe.path);
        let mut found: Vec<String> = Vec::new();
        match &exe.kind {
            ExecutableKind::Unsupported(why) => found.push(why.clone()),
            ExecutableKind::ForLoop {
                init, eval, assign, ..
            } => {
                if eval.trim().is_empty() {
                    found.push("For Loop Container has no EvalExpression".into());
                }
                for (what, text) in [
                    ("InitExpression", init),
                    ("EvalExpression", eval),
                    ("AssignExpression", assign),
                ] {
                    found.extend(parse_problem(what, text));
                }
            }
            ExecutableKind::ForeachLoop {
                enumerator,
                mappings,
                ..
            } => {
                match &enumerator.kind {
                    EnumeratorKind::NodeList(nl) => {
                        use crate::model::SqlSourceType as S;
                        for (what, src) in [("OuterXPathString", &nl.outer), ("InnerXPathString", &nl.inner)] {
                            let needed = what == "OuterXPathString"
                                || nl.kind == crate::model::NodeListKind::ElementCollection;
                            if needed && src.kind == S::DirectInput {
                                if let Err(e) = crate::xpath::XPath::parse(&src.text) {
                                    found.push(format!("Foreach NodeList enumerator {what}: {e}"));
                                }
                            }
                        }
                    }
                    EnumeratorKind::Unsupported => found.push(format!(
                        "the {} is not supported (the File, Item, ADO and NodeList enumerators are)",
                        enumerator_label(&enumerator.creation_name)
                    )),
                    EnumeratorKind::Ado { variable, enum_type } => {
                        if variable.is_empty() {
                            found.push("Foreach ADO enumerator names no variable".into());
                        }
                        if !matches!(
                            enum_type.as_str(),
                            "EnumerateRowsInFirstTable" | "EnumerateAllRows" | "1" | "2"
                        ) {
                            found.push(format!(
                                "Foreach ADO enumerator mode '{enum_type}' is not supported \
                                 (EnumerateRowsInFirstTable and EnumerateAllRows are)"
                            ));
                        }
                    }
                    _ => {}
                }
                for (prop, text) in &enumerator.property_expressions {
                    found.extend(property_exprs::check_enumerator(
                        &enumerator.kind,
                        prop,
                        text,
                    ));
                }
                for m in mappings.iter().filter(|m| m.variable.is_empty()) {
                    found.push(format!(
                        "variable mapping for value {} names no variable",
                        m.value_index
                    ));
                }
            }
            ExecutableKind::ExpressionTask(text) => {
                if text.trim().is_empty()
                    && !exe
                        .property_expressions
                        .iter()
                        .any(|(p, _)| p == "Expression")
                {
                    found.push("Expression Task has no expression".into());
                }
                found.extend(parse_problem("the expression", text));
            }
            ExecutableKind::ExecutePackage(spec) => self.child(exe, spec, &mut found),
            ExecutableKind::ExecuteProcess(spec) => {
                if spec.executable.trim().is_empty()
                    && !exe
                        .property_expressions
                        .iter()
                        .any(|(p, _)| p == "Executable")
                {
                    found.push("Execute Process Task has no Executable".into());
                }
            }
            ExecutableKind::FileSystem(spec) => {
                if spec.op == FileSystemOp::SetAttributes {
                    found.push("File System Task operation SetAttributes is not supported".into());
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
                        None if needed => found.push(format!("File System Task has no {what} path")),
                        Some(PathSource::Connection(r)) => match self.pkg.connection(r) {
                            None => found.push(format!(
                                "File System Task {what} connection '{r}' does not exist"
                            )),
                            Some(cm) if !cm.creation_name.eq_ignore_ascii_case("FILE") => found
                                .push(format!(
                                "File System Task {what} connection '{}' is a {} connection, not FILE",
                                cm.name, cm.creation_name
                            )),
                            _ => {}
                        },
                        _ => {}
                    }
                }
            }
            ExecutableKind::DataFlow(pipeline) => match super::dataflow_hook::engine() {
                Some(engine) => found.extend(engine.check(self.pkg, exe, pipeline)),
                None => found.push(format!("{} is not supported", exe.type_label)),
            },
            ExecutableKind::ExecuteSql(spec) => self.execute_sql(exe, spec, &mut found),
            ExecutableKind::SendMail(spec) => self.send_mail(exe, spec, &mut found),
            ExecutableKind::Sequence(_) => {}
        }
        for (prop, text) in &exe.property_expressions {
            found.extend(property_exprs::check_executable(exe, prop, text));
        }
        for v in exe.variables.iter().filter(|v| v.evaluate_as_expression) {
            found.extend(parse_problem(
                &format!("the expression of variable {}", v.qualified_name()),
                &v.expression,
            ));
        }
        for h in &exe.event_handlers {
            let has_work = h.root.body().is_some_and(|b| !b.executables.is_empty());
            if has_work && !crate::events::HANDLED_EVENTS.contains(&h.event.as_str()) {
                let event = if h.event.is_empty() {
                    "an unnamed"
                } else {
                    &h.event
                };
                found.push(format!(
                    "{event} event handler of {path}: event handlers for {event} are not supported \
                     (supported: {})",
                    crate::events::HANDLED_EVENTS.join(", ")
                ));
            }
        }
        if let Some(body) = exe.body() {
            for c in &body.constraints {
                if c.eval_op != EvalOp::Constraint && !body.executables[c.to].disabled {
                    if c.expression.trim().is_empty() {
                        found.push(format!(
                            "precedence constraint '{}' evaluates an expression but has none",
                            c.name
                        ));
                    }
                    found.extend(parse_problem(
                        &format!("precedence constraint '{}' expression", c.name),
                        &c.expression,
                    ));
                }
            }
        }
        for reason in found {
            self.out.push(Unsupported {
                path: path.clone(),
                component_type: exe.type_label.clone(),
                reason,
            });
        }
        if let Some(body) = exe.body() {
            for child in &body.executables {
                self.walk(child);
            }
        }
        if !exe.disable_event_handlers {
            for h in &exe.event_handlers {
                if let Some(body) = h.root.body() {
                    for child in &body.executables {
                        self.walk(child);
                    }
                }
            }
        }
    }

    /// Checks an Execute Package task's child: resolvable, loadable and
    /// itself runnable (when its path is fixed before the run).
    fn child(&mut self, exe: &Executable, spec: &ExecutePackageSpec, found: &mut Vec<String>) {
        let source = match resolve_child(self.pkg, spec, None) {
            Ok(Some(s)) => s,
            Ok(None) => return,
            Err(e) => {
                found.push(format!("Execute Package Task: {e}"));
                return;
            }
        };
        let key = source.key();
        if self.seen.contains(&key) || self.seen.len() >= MAX_PACKAGE_DEPTH {
            // Recursion is checked at run time (nesting limit).
            return;
        }
        match source.load(
            self.pkg,
            spec.package_password.as_ref().map(|p| p.0.as_str()),
        ) {
            Err(e) => found.push(format!(
                "Execute Package Task: the child package cannot be loaded: {e}"
            )),
            Ok(child) => {
                // Its encrypted values may be given by its own
                // configurations or the task's assignments: checked when it
                // starts (engine::child_package), with those.
                let whole = || super::check_encryption(&child, None, &[]);
                if let Err(e) = child.encrypted_whole.then(whole).unwrap_or(Ok(())) {
                    found.push(format!(
                        "Execute Package Task: the child package '{}' cannot run: {}",
                        source.describe(),
                        e.message
                    ));
                    return;
                }
                found.extend(assignment_problems(self.pkg, exe, spec, &child));
                self.seen.push(key);
                let prefix = format!("{}{}>", self.prefix, exe.path);
                check_package(&child, &prefix, self.seen, self.out);
                self.seen.pop();
            }
        }
    }
}

/// What an Execute Package task's parameter assignments name that does not
/// exist: a parameter the child does not declare, or a variable or
/// parameter the task does not see in `parent`.
fn assignment_problems(
    parent: &Package,
    exe: &Executable,
    spec: &ExecutePackageSpec,
    child: &Package,
) -> Vec<String> {
    let mut chain = Vec::new();
    find_chain(&parent.root, &exe.path, &mut chain);
    let mut problems = Vec::new();
    for (param, bound) in &spec.parameter_assignments {
        if !ExecutePackageSpec::child_declares(child, param) {
            problems.push(format!(
                "Execute Package Task assigns '{bound}' to the child's parameter '{param}', which \
                 the child package '{}' does not declare",
                child.name()
            ));
        }
        let (ns, name) = match bound.split_once("::") {
            Some((ns, n)) => (Some(ns.trim()), n.trim()),
            None => (None, bound.trim()),
        };
        let seen = ns.is_some_and(|ns| ns.eq_ignore_ascii_case("System"))
            || chain.iter().any(|e| {
                e.variables.iter().any(|v| {
                    v.name == name && ns.is_none_or(|ns| ns.eq_ignore_ascii_case(&v.namespace))
                })
            });
        if !seen {
            problems.push(format!(
                "Execute Package Task assigns '{bound}' to the child's parameter '{param}', but \
                 the task sees no variable or parameter '{bound}'"
            ));
        }
    }
    problems
}

/// The containers from `exe` down to the executable at `path`, that one
/// included (an event handler's root counts as a container).
fn find_chain<'a>(exe: &'a Executable, path: &str, chain: &mut Vec<&'a Executable>) -> bool {
    chain.push(exe);
    if exe.path == path {
        return true;
    }
    let children = exe
        .body()
        .map(|b| b.executables.iter().collect::<Vec<_>>())
        .unwrap_or_default();
    let handlers = exe.event_handlers.iter().map(|h| &h.root);
    for next in children.into_iter().chain(handlers) {
        if find_chain(next, path, chain) {
            return true;
        }
    }
    chain.pop();
    false
}

/// How an enumerator the runner does not run is named in its refusal: the
/// product's name for the built-in ones, else the type without its
/// namespace and assembly.
fn enumerator_label(creation_name: &str) -> String {
    const KNOWN: &[(&str, &str)] = &[
        ("SchemaRowset", "Foreach Schema Rowset enumerator"),
        ("FromVar", "Foreach From Variable enumerator"),
        ("SMO", "Foreach SMO enumerator"),
        ("HDFS", "Foreach HDFS File enumerator"),
        ("AzureBlob", "Foreach Azure Blob enumerator"),
        ("DataLake", "Foreach Data Lake Storage enumerator"),
    ];
    if let Some((_, label)) = KNOWN.iter().find(|(k, _)| creation_name.contains(k)) {
        return (*label).to_string();
    }
    let ty = creation_name.split(',').next().unwrap_or("").trim();
    match ty.rsplit('.').next().filter(|t| !t.is_empty()) {
        Some(short) => format!("Foreach enumerator '{short}'"),
        None => "Foreach Loop Container's enumerator (it has none, or no CreationName)".into(),
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

#[cfg(test)]
mod tests {
    use super::enumerator_label;

    #[test]
    fn enumerators_are_refused_by_their_short_names() {
        let rowset = "Microsoft.SqlServer.Dts.Runtime.Enumerators.ADO.ForEachSchemaRowsetEnumerator, \
                      Microsoft.SqlServer.ForEachADOEnumerator, Version=10.0.0.0, Culture=neutral";
        assert_eq!(enumerator_label(rowset), "Foreach Schema Rowset enumerator");
        assert_eq!(
            enumerator_label("Microsoft.ForEachFromVarEnumerator"),
            "Foreach From Variable enumerator"
        );
        assert_eq!(
            enumerator_label("Contoso.Etl.ForEachQueueEnumerator, Contoso.Etl, Version=1.0.0.0"),
            "Foreach enumerator 'ForEachQueueEnumerator'"
        );
        assert_eq!(
            enumerator_label(""),
            "Foreach Loop Container's enumerator (it has none, or no CreationName)"
        );
    }
}
