//! SQL Server configurations: rows of a configuration table (by default
//! `[dbo].[SSIS Configurations]`: `ConfigurationFilter`, `ConfiguredValue`,
//! `PackagePath`, `ConfiguredValueType`) selected by a filter, read through
//! one of the package's SQL Server connection managers. The configuration
//! string names the three: `"Manager";"[dbo].[Table]";"Filter";`.
//!
//! A table that cannot be read stops the load with the reason (dtexec exit
//! 5), rather than running with the values saved for development.

use super::{PackageConfiguration, bad};
use crate::cancel::CancelToken;
use crate::cmdline::{self, SetOverride};
use crate::connections::{Auth, SqlConnection, SqlServerTarget, SqlValue};
use crate::model::Package;
use ssis_core::error::{Error, ErrorKind, Result};

/// The three parts of a SQL Server configuration string.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Source {
    /// The connection manager's name.
    pub manager: String,
    /// The table, as SQL names it.
    pub table: String,
    /// The `ConfigurationFilter` value.
    pub filter: String,
}

/// Splits `"Manager";"[dbo].[Table]";"Filter";` (quotes optional).
pub(crate) fn parse(text: &str) -> std::result::Result<Source, String> {
    let mut fields = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for ch in text.chars() {
        match ch {
            '"' => quoted = !quoted,
            ';' if !quoted => fields.push(std::mem::take(&mut cur)),
            _ => cur.push(ch),
        }
    }
    if !cur.trim().is_empty() {
        fields.push(cur);
    }
    let [manager, table, filter] = <[String; 3]>::try_from(fields).map_err(|f| {
        format!(
            "its string '{text}' has {} parts, not the three \"Manager\";\"Table\";\"Filter\";",
            f.len()
        )
    })?;
    let table = table.trim().to_string();
    let unsafe_text = table.is_empty()
        || table.contains(['\'', '"', ';'])
        || table.contains("--")
        || table.contains("/*");
    if unsafe_text {
        return Err(format!("its table name '{table}' is not a table name"));
    }
    Ok(Source {
        manager: manager.trim().to_string(),
        table,
        filter,
    })
}

/// What stops a direct SQL Server configuration before anything runs: a
/// string that is not one, a missing connection manager, one that does not
/// reach SQL Server or logs in with Integrated Security.
pub(crate) fn problem(pkg: &Package, c: &PackageConfiguration) -> Option<String> {
    let src = match parse(&c.string) {
        Ok(s) => s,
        Err(e) => return Some(format!("configuration '{}': {e}", c.name)),
    };
    let Some(cm) = pkg.connection(&src.manager) else {
        return Some(format!(
            "configuration '{}' reads its table through connection manager '{}', which the \
             package does not have",
            c.name, src.manager
        ));
    };
    if cm
        .property_expressions
        .iter()
        .any(|(p, _)| p == "ConnectionString")
    {
        return None;
    }
    match SqlServerTarget::of_manager(cm, &cm.connection_string) {
        Err(e) => Some(format!("configuration '{}': {}", c.name, e.message)),
        Ok(t) if t.auth == Auth::Integrated => Some(integrated(c, &cm.name)),
        Ok(_) => None,
    }
}

/// The encrypted value of `cm` its SQL login lacks: an empty password
/// where the package stored one encrypted.
fn encrypted_password(
    pkg: &Package,
    cm: &crate::model::ConnectionManager,
    target: &SqlServerTarget,
) -> Option<String> {
    if !matches!(&target.auth, Auth::SqlLogin { password, .. } if password.is_empty()) {
        return None;
    }
    pkg.encrypted_values
        .iter()
        .find_map(|v| match &v.replaced_by {
            crate::model::Replacement::Connection { name, project, .. }
                if name.eq_ignore_ascii_case(&cm.name) && *project == cm.project =>
            {
                Some(v.what.clone())
            }
            _ => None,
        })
}

fn integrated(c: &PackageConfiguration, cm: &str) -> String {
    format!(
        "configuration '{}': connection manager '{cm}' uses Integrated Security (Windows \
         authentication), which this runner cannot use here; give it a SQL login (/Conn, or \
         /SET on its ConnectionString)",
        c.name
    )
}

/// The overrides the configuration's table rows make.
pub(crate) fn read(
    pkg: &Package,
    c: &PackageConfiguration,
    text: &str,
) -> Result<Vec<SetOverride>> {
    let src = parse(text).map_err(|e| bad(c, e))?;
    let cm = pkg.connection(&src.manager).ok_or_else(|| {
        bad(
            c,
            format!("the package has no connection manager '{}'", src.manager),
        )
    })?;
    let target =
        SqlServerTarget::of_manager(cm, &cm.connection_string).map_err(|e| bad(c, e.message))?;
    if target.auth == Auth::Integrated {
        return Err(Error::new(ErrorKind::Package, integrated(c, &cm.name)));
    }
    if let Some(what) = encrypted_password(pkg, cm, &target) {
        // Logging in with the empty password would be a failed login (or a
        // locked account) on the server: not tried.
        return Err(bad(
            c,
            format!(
                "{what} is stored encrypted and the run does not give it (/SET, /CONN or an \
                 earlier configuration): the table is not read"
            ),
        ));
    }
    let cancel = CancelToken::new();
    let reading = |e: ssis_core::Error| {
        bad(
            c,
            format!(
                "reading {} on {}: {}",
                src.table,
                target.describe(),
                e.message
            ),
        )
    };
    let mut conn = SqlConnection::open(&target, &cancel).map_err(reading)?;
    let sql = format!(
        "SELECT ConfiguredValue, PackagePath, ConfiguredValueType FROM {} \
         WHERE ConfigurationFilter = @P1",
        src.table
    );
    let sets = conn
        .query(&sql, &[SqlValue::Text(src.filter.clone())], None, &cancel)
        .map_err(reading)?;
    let mut out = Vec::new();
    for row in sets.into_iter().flat_map(|s| s.rows) {
        let text = |i: usize| match row.get(i) {
            None | Some(SqlValue::Null) => String::new(),
            Some(v) => v.to_text(),
        };
        let mut o = cmdline::parse_path(&text(1), text(0), "PackagePath")
            .map_err(|e| bad(c, format!("a row of {}: {}", src.table, e.message)))?;
        o.path = format!("{} (configuration '{}')", o.path, c.name);
        out.push(o);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_string_names_manager_table_and_filter() {
        assert_eq!(
            parse("\"T15P.AdventureWorks2022\";\"[dbo].[SSIS Configurations]\";\"Color\";"),
            Ok(Source {
                manager: "T15P.AdventureWorks2022".into(),
                table: "[dbo].[SSIS Configurations]".into(),
                filter: "Color".into(),
            })
        );
        assert_eq!(
            parse("Db;Cfg;a;b").unwrap_err(),
            "its string 'Db;Cfg;a;b' has 4 parts, not the three \"Manager\";\"Table\";\"Filter\";"
        );
        assert_eq!(
            parse("\"Db\";\"Cfg; DROP TABLE x --\";\"F\";").unwrap_err(),
            "its table name 'Cfg; DROP TABLE x --' is not a table name"
        );
    }
}
