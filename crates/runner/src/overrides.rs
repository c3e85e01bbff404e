//! Overrides applied to a loaded package (`/SET`, `/CONN`, configurations):
//! variable values, connection-manager properties and executable
//! properties; and the run's variables declared with their overrides.

use crate::cmdline::{SetOverride, SetTarget};
use crate::model::{ExecResult, Package};
use crate::variables::Variables;
use crate::{expr, model, property_exprs, system_vars};
use ssis_core::error::{Error, Result};

/// Declares the package's variables and the System variables, then applies
/// the variable (and parameter) overrides of `sets` (an unknown variable is
/// an `InvalidArgument` error naming `/SET`).
pub fn prepare_variables(pkg: &Package, sets: &[SetOverride]) -> Result<Variables> {
    let mut vars = Variables::default();
    vars.declare_tree("", &pkg.root)?;
    system_vars::declare(&mut vars, pkg, "");
    apply_variable_sets(&mut vars, "", sets)?;
    Ok(vars)
}

/// Applies the variable overrides of `sets` to a package whose scopes carry
/// `prefix` (empty for the top package; a child's under its task).
pub(crate) fn apply_variable_sets(
    vars: &mut Variables,
    prefix: &str,
    sets: &[SetOverride],
) -> Result<()> {
    for s in sets.iter().filter(|s| s.target == SetTarget::Variable) {
        let scope = format!("{prefix}{}", s.scope);
        if !vars.declared_in(&scope, &s.variable) {
            return Err(Error::invalid(format!(
                "{}: no variable {} is declared on {}",
                s.described(),
                s.variable,
                s.scope
            ))
            .with_target(s.option()));
        }
        vars.set_text(&scope, &s.variable, &s.value, true)
            .map_err(|e| {
                Error::invalid(format!("{}: {}", s.described(), e.message)).with_target(s.option())
            })?;
    }
    Ok(())
}

/// The manager an override names: by name or DTSID, the package's own
/// before its project's, or only the one scope named
/// (`Project.ConnectionManagers[X]`, `Package.ConnectionManagers[X]`, as
/// `/PAR $Project::CM.X.Property` and `$Package::CM.X.Property` give).
fn connection_to_set<'a>(
    pkg: &'a mut Package,
    reference: &str,
) -> Option<&'a mut model::ConnectionManager> {
    let scoped = |prefix: &str| {
        reference
            .strip_prefix(prefix)
            .and_then(|n| n.strip_prefix('['))
            .and_then(|n| n.strip_suffix(']'))
    };
    let (name, scope) = match (
        scoped("Project.ConnectionManagers"),
        scoped("Package.ConnectionManagers"),
    ) {
        (Some(n), _) => (n, Some(true)),
        (_, Some(n)) => (n, Some(false)),
        _ => (reference, None),
    };
    let named = |c: &model::ConnectionManager| {
        c.name.eq_ignore_ascii_case(name) || c.id.eq_ignore_ascii_case(name)
    };
    let at = match scope {
        Some(project) => pkg
            .connections
            .iter()
            .position(|c| c.project == project && named(c)),
        None => pkg
            .connections
            .iter()
            .position(|c| !c.project && named(c))
            .or_else(|| pkg.connections.iter().position(named)),
    }?;
    pkg.connections.get_mut(at)
}

/// Applies the connection-manager and executable-property overrides of
/// `sets` (`/SET`, `/CONN`, configurations) to `pkg`. An unknown manager,
/// executable or property is an `InvalidArgument` error naming the path.
pub fn apply_overrides(pkg: &mut Package, sets: &[SetOverride]) -> Result<()> {
    for s in sets {
        let bad = |why: String| Error::invalid(format!("{}: {why}", s.path)).with_target("/SET");
        match &s.target {
            SetTarget::Variable => {}
            SetTarget::Connection(prop) => {
                let Some(cm) = connection_to_set(pkg, &s.variable) else {
                    let owner = if pkg.project.is_some() {
                        "neither the package nor its project has"
                    } else {
                        "the package has no"
                    };
                    return Err(bad(format!("{owner} connection manager '{}'", s.variable)));
                };
                match prop.as_str() {
                    "ConnectionString" => cm.connection_string = s.value.clone(),
                    "Password" => cm.password = Some(s.value.clone()),
                    "RetainSameConnection" => {
                        cm.retain = model::xml_bool(&s.value)
                            .ok_or_else(|| bad(format!("'{}' is not True or False", s.value)))?;
                    }
                    "FileUsageType" => {
                        cm.file_usage_type = s
                            .value
                            .trim()
                            .parse::<i32>()
                            .ok()
                            .filter(|n| (0..=3).contains(n))
                            .ok_or_else(|| bad(format!("'{}' is not 0..=3", s.value)))?;
                    }
                    "Description" | "ProtectionLevel" => {}
                    "Name" if s.value.trim().eq_ignore_ascii_case(&cm.name) => {}
                    "Name" => {
                        return Err(bad(format!(
                            "renaming connection manager '{}' to '{}' is not supported",
                            cm.name, s.value
                        )));
                    }
                    other => {
                        cm.connection_string = crate::property_exprs::with_connection_part(
                            &cm.connection_string,
                            other,
                            &s.value,
                        )
                        .map_err(bad)?;
                    }
                }
            }
            SetTarget::Property(prop)
                if s.scope.eq_ignore_ascii_case("Package")
                    && package_property(pkg, prop, &s.value).map_err(bad)? => {}
            SetTarget::Property(prop) => {
                let Some(exe) = find_executable(&mut pkg.root, &s.scope) else {
                    return Err(bad(format!("the package has no executable '{}'", s.scope)));
                };
                set_property(exe, prop, &s.value).map_err(bad)?;
            }
        }
    }
    Ok(())
}

/// Sets a property only the package has; `Ok(false)` when `prop` is not one.
/// The checkpoint and logging properties other than `SaveCheckpoints` have
/// no effect here (no checkpoints are read, no SSIS logs written), nor have
/// those of loading and scheduling that configurations often carry
/// (`ProtectionLevel` after the load, `DelayValidation`,
/// `MaxConcurrentExecutables`: executables run one at a time here).
fn package_property(
    pkg: &mut Package,
    prop: &str,
    text: &str,
) -> std::result::Result<bool, String> {
    match prop.to_ascii_lowercase().as_str() {
        "savecheckpoints" => {
            pkg.save_checkpoints =
                model::xml_bool(text).ok_or_else(|| format!("'{text}' is not True or False"))?;
        }
        "checkpointfilename"
        | "checkpointusage"
        | "loggingmode"
        | "description"
        | "protectionlevel"
        | "delayvalidation"
        | "maxconcurrentexecutables"
        | "suppressconfigurationwarnings" => {}
        _ => return Ok(false),
    }
    Ok(true)
}

fn find_executable<'a>(
    exe: &'a mut model::Executable,
    path: &str,
) -> Option<&'a mut model::Executable> {
    if exe.path.eq_ignore_ascii_case(path) {
        return Some(exe);
    }
    let body = match &mut exe.kind {
        model::ExecutableKind::Sequence(b)
        | model::ExecutableKind::ForLoop { body: b, .. }
        | model::ExecutableKind::ForeachLoop { body: b, .. } => b,
        _ => return None,
    };
    body.executables
        .iter_mut()
        .find_map(|c| find_executable(c, path))
}

/// Sets an executable's property from `/SET` text.
fn set_property(
    exe: &mut model::Executable,
    prop: &str,
    text: &str,
) -> std::result::Result<(), String> {
    let flag = || model::xml_bool(text).ok_or_else(|| format!("'{text}' is not True or False"));
    let number = || {
        text.trim()
            .parse::<i64>()
            .map_err(|_| format!("'{text}' is not a number"))
    };
    match prop.to_ascii_lowercase().as_str() {
        "disabled" => exe.disabled = flag()?,
        "failpackageonfailure" => exe.fail_package_on_failure = flag()?,
        "failparentonfailure" => exe.fail_parent_on_failure = flag()?,
        "disableeventhandlers" => exe.disable_event_handlers = flag()?,
        "delayvalidation" => exe.delay_validation = flag()?,
        "maxerrorcount" | "maximumerrorcount" => exe.max_error_count = number()?.max(0) as u32,
        "forceexecutionresult" => {
            let n = number()?;
            exe.force_execution_result = if n < 0 {
                None
            } else {
                Some(
                    ExecResult::from_code(n)
                        .ok_or_else(|| format!("ForceExecutionResult {n} is not -1..=3"))?,
                )
            };
        }
        _ => {
            let value = match (model::xml_bool(text), text.trim().parse::<i64>()) {
                // A data flow's properties convert the text by their kind.
                _ if matches!(exe.kind, model::ExecutableKind::DataFlow(_)) => {
                    expr::Value::WStr(text.into())
                }
                (_, Ok(n)) => expr::Value::I8(n),
                (Some(b), _) => expr::Value::Bool(b),
                _ => expr::Value::WStr(text.into()),
            };
            property_exprs::apply_task(&mut exe.kind, prop, &value).map_err(|e| {
                format!(
                    "{} has no property {prop} that /SET can change ({e})",
                    exe.type_label
                )
            })?;
        }
    }
    Ok(())
}
