//! The child package of an Execute Package task, run in-process: loaded,
//! configured (parent package variables included), its variables scoped
//! under the task, then run by the same engine one level down.

use super::{Engine, MAX_PACKAGE_DEPTH, execute_scoped};
use crate::cmdline::SetOverride;
use crate::events::EventKind;
use crate::model::{ExecResult, Executable, ExecutePackageSpec, Package};
use crate::system_vars;
use crate::tasks::TaskOutcome;
use crate::tasks::execute_package::resolve_child;

impl Engine<'_> {
    /// Loads and runs the child package of an Execute Package task.
    pub(super) fn run_child_package(
        &mut self,
        exe: &Executable,
        spec: &crate::model::ExecutePackageSpec,
    ) -> ExecResult {
        let outcome = self.child_package(exe, spec);
        self.task_result(exe, outcome)
    }

    fn child_package(
        &mut self,
        exe: &Executable,
        spec: &crate::model::ExecutePackageSpec,
    ) -> TaskOutcome {
        if self.depth + 1 >= MAX_PACKAGE_DEPTH {
            return TaskOutcome::Failed(format!(
                "Execute Package tasks nest deeper than {MAX_PACKAGE_DEPTH} levels (does a package run itself?)"
            ));
        }
        let package_scope = self.scope(&self.pkg.root);
        let source = match resolve_child(self.pkg, spec, Some((&*self.vars, &package_scope))) {
            Ok(Some(s)) => s,
            Ok(None) => return TaskOutcome::Failed("the child package is unknown".into()),
            Err(e) => return TaskOutcome::Failed(e),
        };
        let mut child = match source.load(
            self.pkg,
            spec.package_password.as_ref().map(|p| p.0.as_str()),
        ) {
            Ok(c) => c,
            Err(e) => return TaskOutcome::Failed(format!("cannot load the child package: {e}")),
        };
        let env = |n: &str| std::env::var(n).ok();
        let design = match crate::configurations::resolve(&child, &env) {
            Ok(d) => d,
            Err(e) => return TaskOutcome::Failed(format!("the child package: {}", e.message)),
        };
        let parents = match self.parent_variables(exe, &child) {
            Ok(p) => p,
            Err(e) => {
                return TaskOutcome::Failed(format!("the child package's configurations: {e}"));
            }
        };
        // Parent package variables load last; those that set a connection
        // or a property apply to the child as loaded, variables once declared.
        let (to_vars, to_package): (Vec<_>, Vec<_>) = parents
            .into_iter()
            .partition(|(o, _)| o.target == crate::cmdline::SetTarget::Variable);
        let mut sets = design.sets.clone();
        sets.extend(to_package.into_iter().map(|(o, _)| o));
        if let Err(e) = crate::apply_overrides(&mut child, &sets) {
            return TaskOutcome::Failed(format!(
                "the child package's configurations: {}",
                e.message
            ));
        }
        for w in design.warnings {
            self.emit(EventKind::OnWarning, exe, w);
        }
        // What the child is given: its configurations, the parent's
        // variables they name, and the task's parameter assignments.
        let mut given: Vec<SetOverride> = sets
            .iter()
            .chain(to_vars.iter().map(|(o, _)| o))
            .cloned()
            .collect();
        given.extend(
            spec.parameter_assignments
                .iter()
                .map(|(param, parent)| SetOverride {
                    scope: child.root.path.clone(),
                    variable: ExecutePackageSpec::child_parameter(param),
                    value: String::new(),
                    path: format!("the parameter assignment from {parent}"),
                    target: crate::cmdline::SetTarget::Variable,
                }),
        );
        if let Err(e) = crate::check_runnable(&child, &given) {
            return TaskOutcome::Failed(format!(
                "the child package '{}' cannot run: {}",
                source.describe(),
                e.message
            ));
        }
        let prefix = format!("{}>", self.scope(exe));
        if let Err(e) = self.vars.declare_tree(&prefix, &child.root) {
            self.vars.remove_scopes_with_prefix(&prefix);
            return TaskOutcome::Failed(format!("the child package's variables: {}", e.message));
        }
        system_vars::declare(self.vars, &child, &prefix);
        let mut configured =
            crate::apply_variable_sets(self.vars, &prefix, &design.sets).map_err(|e| e.message);
        for (o, value) in to_vars {
            if configured.is_err() {
                break;
            }
            let scope = format!("{prefix}{}", o.scope);
            configured = self
                .vars
                .set_value(&scope, &o.variable, value, true)
                .map_err(|e| format!("{}: {}", o.path, e.message));
        }
        if configured.is_ok() {
            configured = self.pass_parameters(exe, spec, &child, &prefix);
        }
        if let Err(e) = configured {
            self.vars.remove_scopes_with_prefix(&prefix);
            return TaskOutcome::Failed(format!("the child package's configurations: {e}"));
        }
        let result = execute_scoped(
            &child,
            &prefix,
            self.depth + 1,
            self.vars,
            self.events,
            self.cancel,
            self.frames.clone(),
        );
        self.vars.remove_scopes_with_prefix(&prefix);
        match result {
            ExecResult::Canceled => TaskOutcome::Canceled,
            ExecResult::Failure => {
                TaskOutcome::Failed(format!("the child package '{}' failed", child.name()))
            }
            _ => TaskOutcome::Success,
        }
    }

    /// Gives the child, declared under `prefix`, its parameters: the
    /// task's parameter assignments (each from a variable or parameter the
    /// task sees), and the project's parameters as the parent has them
    /// (one project, one set of values).
    fn pass_parameters(
        &mut self,
        exe: &Executable,
        spec: &crate::model::ExecutePackageSpec,
        child: &Package,
        prefix: &str,
    ) -> Result<(), String> {
        let from = self.scope(exe);
        let child_root = format!("{prefix}{}", child.root.path);
        if child.project.is_some() && self.pkg.project.is_some() {
            for p in child
                .root
                .variables
                .iter()
                .filter(|v| v.namespace == "$Project")
            {
                let name = p.qualified_name();
                if let Ok(Some(v)) = self.vars.value(&from, &name) {
                    self.vars
                        .set_value(&child_root, &name, v, true)
                        .map_err(|e| format!("project parameter {name}: {}", e.message))?;
                }
            }
        }
        for (param, parent) in &spec.parameter_assignments {
            let target = crate::model::ExecutePackageSpec::child_parameter(param);
            if !crate::model::ExecutePackageSpec::child_declares(child, param) {
                return Err(format!(
                    "the task assigns '{parent}' to the child's parameter '{param}', which the \
                     child package '{}' does not declare",
                    child.name()
                ));
            }
            let value = match self.vars.value(&from, parent) {
                Ok(Some(v)) => v,
                _ => {
                    return Err(format!(
                        "the task assigns '{parent}' to the child's parameter '{param}', but \
                         the task sees no variable or parameter '{parent}'"
                    ));
                }
            };
            self.vars
                .set_value(&child_root, &target, value, true)
                .map_err(|e| format!("the child's parameter '{param}': {}", e.message))?;
        }
        Ok(())
    }

    /// The child's parent package variable configurations: each sets its
    /// target from the variable of that name seen from the Execute Package
    /// task `exe` (a missing one is a warning, as in SSIS). Returns the
    /// overrides with their typed values.
    fn parent_variables(
        &mut self,
        exe: &Executable,
        child: &Package,
    ) -> Result<Vec<(crate::cmdline::SetOverride, crate::expr::Value)>, String> {
        use crate::configurations as conf;
        let mut out = Vec::new();
        let env = |n: &str| std::env::var(n).ok();
        let from = self.scope(exe);
        for c in conf::enabled(child)
            .iter()
            .filter(|c| conf::is_parent_variable(c))
        {
            let name = match conf::parent_variable(c, &env) {
                Ok(n) => n,
                Err(w) => {
                    self.emit(EventKind::OnWarning, exe, w);
                    continue;
                }
            };
            let value = match self.vars.value(&from, &name) {
                Ok(Some(v)) => v,
                _ => {
                    self.emit(
                        EventKind::OnWarning,
                        exe,
                        format!(
                            "configuration '{}': the parent package has no variable '{name}'; \
                             the value saved in the child package is used",
                            c.name
                        ),
                    );
                    continue;
                }
            };
            let o = conf::target(c, value.to_string()).map_err(|e| e.message)?;
            out.push((o, value));
        }
        let (kept, missing) = conf::existing(child, out.iter().map(|(o, _)| o.clone()).collect());
        for w in missing {
            self.emit(EventKind::OnWarning, exe, w);
        }
        out.retain(|(o, _)| kept.contains(o));
        Ok(out)
    }
}
