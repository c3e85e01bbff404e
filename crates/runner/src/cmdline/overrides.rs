//! The overrides the command line and configurations give: `/SET` with its
//! property paths (variables, connections, executables' properties),
//! `/PAR` for package parameters and `/CONN` for connection strings.

use super::{SetOverride, SetTarget, split_compound};
use ssis_core::error::{Error, Result};

/// Parses a `/SET` argument: a property path and a value separated by `;`.
pub(super) fn parse_set(arg: &str) -> Result<SetOverride> {
    let parts = split_compound(arg);
    let (path, value) = match parts.as_slice() {
        [path, rest @ ..] if !rest.is_empty() => (path.trim().to_string(), rest.join(";")),
        _ => {
            return Err(Error::invalid(format!(
                "/SET '{arg}' needs a property path and a value separated by ';'"
            ))
            .with_target("/SET"));
        }
    };
    parse_path(&path, value, "/SET")
}

/// Parses a property path as `/SET` and configurations write it:
/// `\Package.Variables[User::X].Properties[Value]` (or `.Value`, or no
/// property: `\Package.Variables[$Package::P]`), under a container
/// (`\Package\Sequence.Variables[...]`);
/// `\Package.Connections[Name].Properties[ConnectionString]` (or
/// `ServerName`, `InitialCatalog`, `UserName`, `Password`); an
/// executable's property: `\Package\Task.Properties[Disabled]`, a data flow
/// component's: `\Package\Data Flow Task.Properties[[Component].[Property]]`.
pub fn parse_path(path: &str, value: String, option: &str) -> Result<SetOverride> {
    let bad = |why: &str| {
        Error::invalid(format!("{option} path '{path}' {why}")).with_target(option.to_string())
    };
    let p = path.trim().trim_start_matches('\\');
    let lower = p.to_ascii_lowercase();
    let bracket = |rest: &str| -> Result<(String, String)> {
        let close = rest
            .find(']')
            .ok_or_else(|| bad("has no closing ']' after the name"))?;
        Ok((
            rest[..close].trim().to_string(),
            rest[close + 1..].to_string(),
        ))
    };
    // The property named after the collection item: `.Properties[X]` or `.X`.
    let property = |tail: &str| -> Result<String> {
        let t = tail.trim();
        if t.is_empty() {
            return Ok(String::new());
        }
        if t.to_ascii_lowercase().starts_with(".properties[") {
            let inner = &t[".properties[".len()..];
            if inner.starts_with('[') {
                // A data flow component's: `.Properties[[Component].[Property]]`.
                return inner
                    .strip_suffix(']')
                    .filter(|n| n.ends_with(']') && n.contains("].["))
                    .map(str::to_string)
                    .ok_or_else(|| bad("does not end in .Properties[[Component].[Property]]"));
            }
            let (name, after) = bracket(inner)?;
            if !after.trim().is_empty() {
                return Err(bad("has text after the property"));
            }
            return Ok(name);
        }
        match t.strip_prefix('.') {
            Some(name) if !name.contains(['.', '[', ']']) => Ok(name.to_string()),
            _ => Err(bad("does not end in .Properties[Name]")),
        }
    };
    let container = |scope: &str| -> Result<String> {
        if scope.is_empty()
            || !scope
                .split('\\')
                .next()
                .is_some_and(|s| s.eq_ignore_ascii_case("package"))
        {
            return Err(bad("must start with \\Package"));
        }
        Ok(format!("Package{}", &scope["package".len()..]))
    };
    let (scope, variable, target) = if let Some(at) = lower.find(".variables[") {
        let (variable, tail) = bracket(&p[at + ".variables[".len()..])?;
        let prop = property(&tail)?;
        if variable.is_empty() {
            return Err(bad("names no variable"));
        }
        if !prop.is_empty() && !prop.eq_ignore_ascii_case("value") {
            return Err(bad(
                "sets a variable property other than Value, which is not supported",
            ));
        }
        (container(&p[..at])?, variable, SetTarget::Variable)
    } else if let Some(at) = lower.find(".connections[") {
        let (name, tail) = bracket(&p[at + ".connections[".len()..])?;
        let prop = property(&tail)?;
        let known = [
            "ConnectionString",
            "ServerName",
            "InitialCatalog",
            "UserName",
            "Password",
            "RetainSameConnection",
            "FileUsageType",
            "Description",
            "Name",
            "ProtectionLevel",
        ];
        let Some(prop) = known.iter().find(|k| k.eq_ignore_ascii_case(&prop)) else {
            return Err(bad(&format!(
                "sets connection property '{prop}', which is not supported (supported: {})",
                known.join(", ")
            )));
        };
        if name.is_empty() {
            return Err(bad("names no connection manager"));
        }
        (
            container(&p[..at])?,
            name,
            SetTarget::Connection(prop.to_string()),
        )
    } else if let Some(at) = lower.rfind(".properties[") {
        let prop = property(&p[at..])?;
        if prop.is_empty() {
            return Err(bad("names no property"));
        }
        (
            container(&p[..at])?,
            String::new(),
            SetTarget::Property(prop),
        )
    } else {
        return Err(bad(
            "is not a property path (\\Package.Variables[User::Name].Properties[Value], \
             \\Package.Connections[Name].Properties[ConnectionString], \\Package\\Task.Properties[Name])",
        ));
    };
    Ok(SetOverride {
        scope,
        variable,
        value,
        path: path.to_string(),
        target,
    })
}

/// `/PAR name;value`: a package parameter (`$Package::Name`, or a bare
/// name), a project parameter (`$Project::Name`, only with `/PROJECT`,
/// which the parser checks) or a connection manager's property
/// (`CM.Manager.Property`; a manager's name may hold dots, the property is
/// after the last). A `(Type)` suffix on the name is accepted.
pub(super) fn parse_par(arg: &str) -> Result<SetOverride> {
    let parts = split_compound(arg);
    let (name, value) = match parts.as_slice() {
        [name, rest @ ..] if !rest.is_empty() => (name.trim().to_string(), rest.join(";")),
        _ => {
            return Err(Error::invalid(format!(
                "/PAR '{arg}' needs a parameter name and a value separated by ';'"
            ))
            .with_target("/PAR"));
        }
    };
    let bare = match name.find('(') {
        Some(i) if name.ends_with(')') => name[..i].trim().to_string(),
        _ => name.clone(),
    };
    // dtexec reads the prefixes in any case; SSMS writes a manager's
    // parameter with its scope (`$Project::CM.Name.Property`).
    let strip = |text: &str, prefix: &str| {
        text.get(..prefix.len())
            .filter(|p| p.eq_ignore_ascii_case(prefix))
            .map(|_| text[prefix.len()..].to_string())
    };
    let scoped = strip(&bare, "$Project::")
        .map(|n| ("$Project", n))
        .or_else(|| strip(&bare, "$Package::").map(|n| ("$Package", n)));
    let unscoped = scoped.as_ref().map_or(bare.clone(), |(_, n)| n.clone());
    if let Some(rest) = strip(&unscoped, "CM.") {
        return match rest.rsplit_once('.') {
            Some((manager, property)) if !manager.is_empty() && !property.is_empty() => {
                // With a scope, only that scope's manager of the name.
                let variable = match &scoped {
                    Some(("$Project", _)) => format!("Project.ConnectionManagers[{manager}]"),
                    Some(_) => format!("Package.ConnectionManagers[{manager}]"),
                    None => manager.to_string(),
                };
                Ok(SetOverride {
                    scope: "Package".into(),
                    variable,
                    value,
                    path: format!("/PAR {name}"),
                    target: SetTarget::Connection(property.to_string()),
                })
            }
            _ => Err(Error::invalid(format!(
                "/PAR '{name}': a connection manager parameter is CM.<manager>.<property>"
            ))
            .with_target("/PAR")),
        };
    }
    let variable = match scoped {
        Some((ns, n)) => format!("{ns}::{n}"),
        None if strip(&bare, "$ServerOption::").is_some() => {
            return Err(Error::invalid(format!(
                "/PAR '{name}': server options ($ServerOption::) belong to runs in the SSIS \
                 catalog (/ISSERVER), which this runner does not have"
            ))
            .with_target("/PAR"));
        }
        None => format!("$Package::{bare}"),
    };
    Ok(SetOverride {
        scope: "Package".into(),
        variable,
        value,
        path: format!("/PAR {name}"),
        target: SetTarget::Variable,
    })
}

/// `/CONN name;connection string`.
pub(super) fn parse_conn(arg: &str) -> Result<SetOverride> {
    let parts = split_compound(arg);
    match parts.as_slice() {
        [name, rest @ ..] if !rest.is_empty() && !name.trim().is_empty() => Ok(SetOverride {
            scope: "Package".into(),
            variable: name.trim().to_string(),
            value: rest.join(";"),
            path: format!("/CONN {}", name.trim()),
            target: SetTarget::Connection("ConnectionString".into()),
        }),
        _ => Err(Error::invalid(format!(
            "/CONN '{arg}' needs a connection manager (name or ID) and a connection string \
             separated by ';' (quote the string: /CONN Name;\"Data Source=...;...\")"
        ))
        .with_target("/CONN")),
    }
}
