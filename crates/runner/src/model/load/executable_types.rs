//! Executable type names (`ExecutableType`/`CreationName`): which kind of
//! executable each known name is, and a readable label for unknown ones.

/// The short form of an executable type: the class name before any
/// assembly qualification, e.g. `Microsoft.SqlServer.Dts.Tasks.ExecuteProcess.ExecuteProcess`.
fn type_key(type_name: &str) -> String {
    type_name
        .split(',')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// What kind of executable a known type name is, and its readable label.
pub(super) fn known_type(type_name: &str) -> Option<(&'static str, &'static str)> {
    let key = type_key(type_name);
    let known: &[(&[&str], &str, &str)] = &[
        (
            &[
                "microsoft.package",
                "ssis.package.2",
                "ssis.package.3",
                "msdts.package.1",
                "microsoft.sqlserver.dts.runtime.package",
            ],
            "package",
            "Package",
        ),
        (&["stock:sequence"], "sequence", "Sequence Container"),
        (&["stock:forloop"], "forloop", "For Loop Container"),
        (
            &["stock:foreachloop"],
            "foreachloop",
            "Foreach Loop Container",
        ),
        (
            &[
                "microsoft.executeprocess",
                "stock:executeprocesstask",
                "microsoft.sqlserver.dts.tasks.executeprocess.executeprocess",
            ],
            "process",
            "Execute Process Task",
        ),
        (
            &[
                "microsoft.filesystemtask",
                "stock:filesystemtask",
                "microsoft.sqlserver.dts.tasks.filesystemtask.filesystemtask",
            ],
            "filesystem",
            "File System Task",
        ),
        (
            &[
                "microsoft.pipeline",
                "ssis.pipeline.2",
                "ssis.pipeline.3",
                "ssis.pipeline.4",
                "dts.pipeline.1",
                "stock:pipelinetask",
            ],
            "pipeline",
            "Data Flow Task",
        ),
        (
            // Files may name the Data Flow task by its COM class id.
            &[
                "{c3bf9dc1-4715-4694-936f-d3cfda9e42c5}",
                "{e3cfbea8-1f48-40d8-91e1-2dedc1eddd56}",
                // SSIS 2012 (SSIS.Pipeline.3), as some SSDT files name it.
                "{5918251b-2970-45a4-ab5f-01c3c588fe5a}",
            ],
            "pipeline",
            "Data Flow Task",
        ),
        (
            &[
                "microsoft.executesqltask",
                "microsoft.sqlserver.dts.tasks.executesqltask.executesqltask",
                "stock:sqltask",
            ],
            "executesql",
            "Execute SQL Task",
        ),
        (
            &[
                "microsoft.scripttask",
                "microsoft.sqlserver.dts.tasks.scripttask.scripttask",
                "stock:scripttask",
            ],
            "other",
            "Script Task",
        ),
        (
            &[
                "microsoft.executepackagetask",
                // SSIS 2005 (a native task, named by its ProgID).
                "dts.executepackagetask.1",
                "ssis.executepackagetask.2",
                "ssis.executepackagetask.3",
                "stock:executepackagetask",
                "microsoft.sqlserver.dts.tasks.executepackagetask.executepackagetask",
            ],
            "executepackage",
            "Execute Package Task",
        ),
        (
            &[
                "microsoft.expressiontask",
                "stock:expressiontask",
                "microsoft.sqlserver.dts.tasks.expressiontask.expressiontask",
            ],
            "expression",
            "Expression Task",
        ),
        (
            &[
                "microsoft.sendmailtask",
                "microsoft.sqlserver.dts.tasks.sendmailtask.sendmailtask",
                "stock:sendmailtask",
            ],
            "sendmail",
            "Send Mail Task",
        ),
        (
            &[
                "microsoft.ftptask",
                "microsoft.sqlserver.dts.tasks.ftptask.ftptask",
            ],
            "other",
            "FTP Task",
        ),
        (
            &[
                "microsoft.webservicetask",
                "microsoft.sqlserver.dts.tasks.webservicetask.webservicetask",
            ],
            "other",
            "Web Service Task",
        ),
        (
            &[
                "microsoft.transferdatabasetask",
                "microsoft.sqlserver.dts.tasks.transferdatabasetask.transferdatabasetask",
            ],
            "other",
            "Transfer Database Task",
        ),
        (
            &[
                "microsoft.transfererrormessagestask",
                "microsoft.sqlserver.dts.tasks.transfererrormessagestask.transfererrormessagestask",
            ],
            "other",
            "Transfer Error Messages Task",
        ),
        (
            &[
                "microsoft.transferjobstask",
                "microsoft.sqlserver.dts.tasks.transferjobstask.transferjobstask",
            ],
            "other",
            "Transfer Jobs Task",
        ),
        (
            &[
                "microsoft.transferloginstask",
                "microsoft.sqlserver.dts.tasks.transferloginstask.transferloginstask",
            ],
            "other",
            "Transfer Logins Task",
        ),
        (
            &[
                "microsoft.transferstoredprocedurestask",
                "microsoft.sqlserver.dts.tasks.transferstoredprocedurestask.transferstoredprocedurestask",
            ],
            "other",
            "Transfer Master Stored Procedures Task",
        ),
        (
            &[
                "microsoft.transfersqlserverobjectstask",
                "microsoft.sqlserver.dts.tasks.transfersqlserverobjectstask.transfersqlserverobjectstask",
            ],
            "other",
            "Transfer SQL Server Objects Task",
        ),
        (&["microsoft.xmltask"], "other", "XML Task"),
        (
            &[
                "microsoft.wmidatareadertask",
                "microsoft.sqlserver.dts.tasks.wmidatareadertask.wmidatareadertask",
            ],
            "other",
            "WMI Data Reader Task",
        ),
        (
            &[
                "microsoft.messagequeuetask",
                "microsoft.sqlserver.dts.tasks.messagequeuetask.messagequeuetask",
            ],
            "other",
            "Message Queue Task",
        ),
        (
            &[
                "microsoft.bulkinserttask",
                "microsoft.sqlserver.dts.tasks.bulkinserttask.bulkinserttask",
            ],
            "other",
            "Bulk Insert Task",
        ),
    ];
    known
        .iter()
        .find(|(names, _, _)| names.contains(&key.as_str()))
        .map(|&(_, kind, label)| (kind, label))
}

/// A readable name for a type the runner does not know: the class of an
/// assembly-qualified name with its words apart
/// (`Microsoft.SqlServer.Dts.Tasks.Foo.BarBazTask, Microsoft.SqlServer.Foo,
/// Version=...` -> `Bar Baz Task`); anything else as written.
pub(super) fn short_type_label(type_name: &str) -> String {
    let Some((class, _assembly)) = type_name.split_once(',') else {
        return type_name.trim().to_string();
    };
    let class = class.trim();
    let last = class.rsplit('.').next().unwrap_or(class);
    let mut out = String::new();
    let mut prev: Option<char> = None;
    for c in last.chars() {
        if c.is_ascii_uppercase() && prev.is_some_and(|p| p.is_ascii_lowercase()) {
            out.push(' ');
        }
        out.push(c);
        prev = Some(c);
    }
    if out.is_empty() {
        type_name.trim().to_string()
    } else {
        out
    }
}
