//! The Execute SQL Task end to end: packages in the 2012+ (format 8) and
//! 2008 (format 3) layouts run by `ssis exec` against the TDS test server,
//! which records what reaches it.

use crate::common::exec;
use crate::support::catalog::Table;
use crate::support::tds::{ColType, DONE_COUNT, DONE_MORE, Tokens, Value};
use crate::support::{ADMIN_PASSWORD, ADMIN_USER, TestServer};
use std::sync::{Arc, Mutex};

pub const CM_ID: &str = "{C0000000-0000-0000-0000-000000000001}";
pub const SQLTASK_NS: &str = "www.microsoft.com/sqlserver/dts/tasks/sqltask";

/// One connection manager of a test package.
#[derive(Clone)]
pub struct Cm {
    pub name: &'static str,
    pub id: &'static str,
    pub creation: String,
    pub connection_string: String,
}

/// A variable: name, DTS:DataType, value.
pub type Var = (&'static str, u16, String);

/// A task: name, ExecutableType (2012 form), ObjectData inner XML; a
/// Foreach Loop (kind `STOCK:FOREACHLOOP`) has an enumerator, mappings and
/// children instead.
pub struct Task {
    pub name: &'static str,
    pub kind: &'static str,
    pub data: String,
    /// Foreach only: (CreationName 2012, CreationName 2008, ObjectData inner XML).
    pub enumerator: Option<(&'static str, &'static str, String)>,
    /// Foreach only: (ValueIndex, VariableName).
    pub mappings: Vec<(usize, &'static str)>,
    pub children: Vec<Task>,
    /// Event handlers on this executable.
    pub handlers: Vec<Handler>,
    /// `DisableEventHandlers`.
    pub disable_handlers: bool,
}

/// An event handler: event, `System::Propagate` as declared, executables.
#[derive(Clone)]
pub struct Handler {
    pub event: &'static str,
    pub propagate: bool,
    pub tasks: Vec<Task>,
}

fn handlers_2012(hs: &[Handler], owner: &str) -> String {
    if hs.is_empty() {
        return String::new();
    }
    let mut x = String::from("<DTS:EventHandlers>\n");
    for h in hs {
        let path = format!("{owner}.EventHandlers[{}]", h.event);
        x += &format!(
            "<DTS:EventHandler DTS:refId=\"{path}\" DTS:CreationName=\"{e}\" DTS:DTSID=\"{id}\" \
             DTS:EventID=\"0\" DTS:EventName=\"{e}\" DTS:LocaleID=\"-1\">\n<DTS:Variables>\n\
             <DTS:Variable DTS:CreationName=\"\" DTS:Description=\"The propagate property of the event\" \
             DTS:DTSID=\"{vid}\" DTS:IncludeInDebugDump=\"6789\" DTS:Namespace=\"System\" \
             DTS:ObjectName=\"Propagate\">\n<DTS:VariableValue DTS:DataType=\"11\">{p}</DTS:VariableValue>\n\
             </DTS:Variable>\n</DTS:Variables>\n",
            e = h.event,
            id = task_id(&path),
            vid = task_id(&format!("{path}.Propagate")),
            p = if h.propagate { "-1" } else { "0" },
        );
        x += &exes_2012(&h.tasks, &path);
        x += "</DTS:EventHandler>\n";
    }
    x += "</DTS:EventHandlers>\n";
    x
}

fn handlers_2008(hs: &[Handler], owner: &str) -> String {
    let mut x = String::new();
    for h in hs {
        let path = format!("{owner}.EventHandlers[{}]", h.event);
        x += &format!(
            "<DTS:EventHandler>{}{}<DTS:Variable>{}{}{}<DTS:VariableValue DTS:DataType=\"11\">{}</DTS:VariableValue>{}{}{}</DTS:Variable>",
            prop("EventID", "0"),
            prop("EventName", h.event),
            prop("Expression", ""),
            prop("Namespace", "System"),
            prop("ReadOnly", "0"),
            if h.propagate { "-1" } else { "0" },
            prop("ObjectName", "Propagate"),
            prop("DTSID", &task_id(&format!("{path}.Propagate"))),
            prop("CreationName", ""),
        );
        x += &exes_2008(&h.tasks, &path);
        x += &format!(
            "{}{}</DTS:EventHandler>\n",
            prop("DTSID", &task_id(&path)),
            prop("CreationName", h.event),
        );
    }
    x
}

impl Clone for Task {
    fn clone(&self) -> Task {
        Task {
            name: self.name,
            kind: self.kind,
            data: self.data.clone(),
            enumerator: self.enumerator.clone(),
            mappings: self.mappings.clone(),
            children: self.children.clone(),
            handlers: self.handlers.clone(),
            disable_handlers: self.disable_handlers,
        }
    }
}

/// A Foreach Loop over a NodeList enumerator with the `FEENODELIST` attributes `attrs`.
pub fn foreach_nodelist(
    name: &'static str,
    attrs: &str,
    mappings: Vec<(usize, &'static str)>,
    children: Vec<Task>,
) -> Task {
    let mut t = foreach_ado(name, "", mappings, children);
    t.enumerator = Some((
        "Microsoft.ForEachNodeListEnumerator",
        "Microsoft.SqlServer.Dts.Runtime.Enumerators.NodeList.ForEachNodeListEnumerator, Microsoft.SqlServer.ForEachNodeListEnumerator, Version=10.0.0.0, Culture=neutral, PublicKeyToken=89845dcd8080cc91",
        format!("<FEENODELIST {attrs} />"),
    ));
    t
}

/// A Foreach Loop over an ADO enumerator of `var`.
pub fn foreach_ado(
    name: &'static str,
    var: &str,
    mappings: Vec<(usize, &'static str)>,
    children: Vec<Task>,
) -> Task {
    Task {
        name,
        kind: "STOCK:FOREACHLOOP",
        data: String::new(),
        enumerator: Some((
            "Microsoft.ForEachADOEnumerator",
            "Microsoft.SqlServer.Dts.Runtime.Enumerators.ADO.ForEachADOEnumerator, Microsoft.SqlServer.ForEachADOEnumerator, Version=10.0.0.0, Culture=neutral, PublicKeyToken=89845dcd8080cc91",
            format!("<FEEADO EnumType=\"EnumerateRowsInFirstTable\" VarName=\"{var}\" />"),
        )),
        mappings,
        children,
        handlers: Vec::new(),
        disable_handlers: false,
    }
}

pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The 2008 ExecutableType of a 2012 one.
fn type_2008(kind: &str) -> &'static str {
    match kind {
        "Microsoft.ExecuteSQLTask" => {
            "Microsoft.SqlServer.Dts.Tasks.ExecuteSQLTask.ExecuteSQLTask, Microsoft.SqlServer.SQLTask, Version=10.0.0.0, Culture=neutral, PublicKeyToken=89845dcd8080cc91"
        }
        "Microsoft.SendMailTask" => {
            "Microsoft.SqlServer.Dts.Tasks.SendMailTask.SendMailTask, Microsoft.SqlServer.SendMailTask, Version=10.0.0.0, Culture=neutral, PublicKeyToken=89845dcd8080cc91"
        }
        "Microsoft.ExpressionTask" => "Microsoft.ExpressionTask",
        "Microsoft.ExecutePackageTask" => "SSIS.ExecutePackageTask.2",
        "Microsoft.Pipeline" => "SSIS.Pipeline.2",
        _ => "Unknown",
    }
}

fn task_id(name: &str) -> String {
    let h = name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    format!("{{7A000000-0000-0000-0000-{:012}}}", h % 1_000_000_000_000)
}

fn exes_2012(tasks: &[Task], parent: &str) -> String {
    let mut x = String::from("<DTS:Executables>\n");
    for t in tasks {
        let path = format!("{parent}\\{}", t.name);
        x += &format!(
            "<DTS:Executable DTS:refId=\"{path}\" DTS:CreationName=\"{k}\" DTS:Description=\"{n}\" \
             DTS:DTSID=\"{id}\" DTS:ExecutableType=\"{k}\" DTS:LocaleID=\"-1\" DTS:ObjectName=\"{n}\" \
             DTS:ThreadHint=\"0\"{d}>\n",
            n = t.name,
            k = t.kind,
            id = task_id(t.name),
            d = if t.disable_handlers {
                " DTS:DisableEventHandlers=\"True\""
            } else {
                ""
            },
        );
        if let Some((cr, _, data)) = &t.enumerator {
            x += &format!(
                "<DTS:ForEachEnumerator DTS:refId=\"{path}.ForEachEnumerator\" DTS:CreationName=\"{cr}\" \
                 DTS:DTSID=\"{id}\" DTS:ObjectName=\"{id}\"><DTS:ObjectData>{data}</DTS:ObjectData></DTS:ForEachEnumerator>\n",
                id = task_id(&format!("{}.enum", t.name))
            );
            x += "<DTS:Variables />\n";
            x += &exes_2012(&t.children, &path);
            x += "<DTS:ForEachVariableMappings>\n";
            for (i, v) in &t.mappings {
                x += &format!(
                    "<DTS:ForEachVariableMapping DTS:CreationName=\"\" DTS:DTSID=\"{id}\" DTS:ObjectName=\"{id}\" \
                     DTS:ValueIndex=\"{i}\" DTS:VariableName=\"{v}\" />\n",
                    id = task_id(&format!("{}.map{i}", t.name))
                );
            }
            x += "</DTS:ForEachVariableMappings>\n";
            x += &handlers_2012(&t.handlers, &path);
        } else {
            x += "<DTS:Variables />\n";
            x += &handlers_2012(&t.handlers, &path);
            x += &format!("<DTS:ObjectData>\n{}\n</DTS:ObjectData>\n", t.data);
        }
        x += "</DTS:Executable>\n";
    }
    x += "</DTS:Executables>\n";
    x += "<DTS:PrecedenceConstraints>\n";
    for i in 1..tasks.len() {
        x += &format!(
            "<DTS:PrecedenceConstraint DTS:refId=\"{parent}.PrecedenceConstraints[C{i}]\" DTS:CreationName=\"\" \
             DTS:DTSID=\"{id}\" DTS:From=\"{parent}\\{f}\" DTS:LogicalAnd=\"True\" \
             DTS:ObjectName=\"C{i}\" DTS:To=\"{parent}\\{t}\" />\n",
            id = task_id(&format!("{parent}.C{i}")),
            f = tasks[i - 1].name,
            t = tasks[i].name
        );
    }
    x += "</DTS:PrecedenceConstraints>\n";
    x
}

fn exes_2008(tasks: &[Task], parent: &str) -> String {
    let mut x = String::new();
    for t in tasks {
        let ty = if t.enumerator.is_some() {
            "STOCK:FOREACHLOOP"
        } else {
            type_2008(t.kind)
        };
        x += &format!(
            "<DTS:Executable DTS:ExecutableType=\"{ty}\">{}{}{}",
            prop("Disabled", "0"),
            prop("MaxErrorCount", "1"),
            prop(
                "DisableEventHandlers",
                if t.disable_handlers { "-1" } else { "0" }
            ),
        );
        x += &handlers_2008(&t.handlers, &format!("{parent}\\{}", t.name));
        if let Some((_, cr, data)) = &t.enumerator {
            x += &format!(
                "<DTS:ForEachEnumerator>{}{}{}<DTS:ObjectData>{data}</DTS:ObjectData></DTS:ForEachEnumerator>\n",
                prop("ObjectName", &task_id(&format!("{}.enum", t.name))),
                prop("DTSID", &task_id(&format!("{}.enum", t.name))),
                prop("CreationName", cr),
            );
            x += &exes_2008(&t.children, t.name);
            for (i, v) in &t.mappings {
                x += &format!(
                    "<DTS:ForEachVariableMapping>{}{}{}{}{}</DTS:ForEachVariableMapping>\n",
                    prop("ValueIndex", &i.to_string()),
                    prop("VariableName", v),
                    prop("ObjectName", &task_id(&format!("{}.map{i}", t.name))),
                    prop("DTSID", &task_id(&format!("{}.map{i}", t.name))),
                    prop("CreationName", ""),
                );
            }
        } else {
            x += &format!("<DTS:ObjectData>{}</DTS:ObjectData>", t.data);
        }
        x += &format!(
            "{}{}{}</DTS:Executable>\n",
            prop("ObjectName", t.name),
            prop("DTSID", &task_id(t.name)),
            prop("CreationName", ty),
        );
    }
    for i in 1..tasks.len() {
        x += &format!(
            "<DTS:PrecedenceConstraint>{}{}{}<DTS:Executable IDREF=\"{}\" DTS:IsFrom=\"-1\"/>\
             <DTS:Executable IDREF=\"{}\" DTS:IsFrom=\"0\"/>{}{}</DTS:PrecedenceConstraint>\n",
            prop("Value", "0"),
            prop("EvalOp", "2"),
            prop("LogicalAnd", "-1"),
            task_id(tasks[i - 1].name),
            task_id(tasks[i].name),
            prop("ObjectName", &format!("C{i}")),
            prop("DTSID", &task_id(&format!("{parent}.C{i}"))),
        );
    }
    x
}

/// A package as SSDT 2014+ writes it: tasks run one after the other, with
/// event handlers on the package.
pub fn package_2012_with(cms: &[Cm], vars: &[Var], tasks: &[Task], handlers: &[Handler]) -> String {
    let mut x = String::from(
        "<?xml version=\"1.0\"?>\n<DTS:Executable xmlns:DTS=\"www.microsoft.com/SqlServer/Dts\"\n  \
         DTS:refId=\"Package\"\n  DTS:CreationName=\"Microsoft.Package\"\n  \
         DTS:DTSID=\"{5A000000-0000-0000-0000-000000000001}\"\n  DTS:ExecutableType=\"Microsoft.Package\"\n  \
         DTS:ObjectName=\"SqlPkg\"\n  DTS:ProtectionLevel=\"0\"\n  DTS:VersionBuild=\"1\">\n  \
         <DTS:Property DTS:Name=\"PackageFormatVersion\">8</DTS:Property>\n  <DTS:ConnectionManagers>\n",
    );
    for c in cms {
        x += &format!(
            "    <DTS:ConnectionManager DTS:refId=\"Package.ConnectionManagers[{n}]\" DTS:CreationName=\"{cr}\" \
             DTS:DTSID=\"{id}\" DTS:ObjectName=\"{n}\">\n      <DTS:ObjectData>\n        \
             <DTS:ConnectionManager DTS:ConnectionString=\"{cs}\" />\n      </DTS:ObjectData>\n    \
             </DTS:ConnectionManager>\n",
            n = c.name,
            cr = esc(&c.creation),
            id = c.id,
            cs = esc(&c.connection_string)
        );
    }
    x += "  </DTS:ConnectionManagers>\n  <DTS:Variables>\n";
    for (i, (name, ty, value)) in vars.iter().enumerate() {
        x += &format!(
            "    <DTS:Variable DTS:CreationName=\"\" DTS:DTSID=\"{{9A000000-0000-0000-0000-{i:012}}}\" \
             DTS:IncludeInDebugDump=\"2345\" DTS:Namespace=\"User\" DTS:ObjectName=\"{name}\">\n      \
             <DTS:VariableValue DTS:DataType=\"{ty}\">{v}</DTS:VariableValue>\n    </DTS:Variable>\n",
            v = esc(value)
        );
    }
    x += "  </DTS:Variables>\n";
    x += &exes_2012(tasks, "Package");
    x += &handlers_2012(handlers, "Package");
    x += "</DTS:Executable>\n";
    x
}

fn prop(name: &str, value: &str) -> String {
    format!(
        "<DTS:Property DTS:Name=\"{name}\">{}</DTS:Property>",
        esc(value)
    )
}

/// The same package as BIDS 2008 writes it (format 3).
pub fn package_2008_with(cms: &[Cm], vars: &[Var], tasks: &[Task], handlers: &[Handler]) -> String {
    let mut x = String::from(
        "<?xml version=\"1.0\"?>\n<DTS:Executable xmlns:DTS=\"www.microsoft.com/SqlServer/Dts\" \
         DTS:ExecutableType=\"SSIS.Package.2\">\n",
    );
    x += &prop("PackageFormatVersion", "3");
    x += &prop("ProtectionLevel", "0");
    x += "\n";
    for c in cms {
        x += &format!(
            "<DTS:ConnectionManager>{}{}{}{}<DTS:ObjectData><DTS:ConnectionManager>{}{}</DTS:ConnectionManager>\
             </DTS:ObjectData></DTS:ConnectionManager>\n",
            prop("DelayValidation", "0"),
            prop("ObjectName", c.name),
            prop("DTSID", c.id),
            prop("CreationName", &c.creation),
            prop("Retain", "0"),
            prop("ConnectionString", &c.connection_string),
        );
    }
    for (i, (name, ty, value)) in vars.iter().enumerate() {
        x += &format!(
            "<DTS:Variable>{}{}{}{}<DTS:VariableValue DTS:DataType=\"{ty}\">{}</DTS:VariableValue>{}{}{}</DTS:Variable>\n",
            prop("Expression", ""),
            prop("EvaluateAsExpression", "0"),
            prop("Namespace", "User"),
            prop("ReadOnly", "0"),
            esc(value),
            prop("ObjectName", name),
            prop("DTSID", &format!("{{9A000000-0000-0000-0000-{i:012}}}")),
            prop("CreationName", ""),
        );
    }
    x += &prop("MaxErrorCount", "1");
    x += &exes_2008(tasks, "Package");
    x += &handlers_2008(handlers, "Package");
    x += &prop("ObjectName", "SqlPkg");
    x += &prop("DTSID", "{5A000000-0000-0000-0000-000000000001}");
    x += &prop("CreationName", "SSIS.Package.2");
    x += "\n</DTS:Executable>\n";
    x
}

/// Writes the package in both layouts; returns their paths.
pub fn both(
    dir: &std::path::Path,
    cms: &[Cm],
    vars: &[Var],
    tasks: &[Task],
) -> [std::path::PathBuf; 2] {
    both_with(dir, cms, vars, tasks, &[])
}

/// [`both`] with event handlers on the package.
pub fn both_with(
    dir: &std::path::Path,
    cms: &[Cm],
    vars: &[Var],
    tasks: &[Task],
    handlers: &[Handler],
) -> [std::path::PathBuf; 2] {
    let a = dir.join("sql_2012.dtsx");
    std::fs::write(&a, package_2012_with(cms, vars, tasks, handlers)).unwrap();
    let b = dir.join("sql_2008.dtsx");
    std::fs::write(&b, package_2008_with(cms, vars, tasks, handlers)).unwrap();
    [a, b]
}

/// An OLE DB manager to the test server, as SSDT writes one.
pub fn oledb(server: &TestServer) -> Cm {
    Cm {
        name: "Sales",
        id: CM_ID,
        creation: "OLEDB".into(),
        connection_string: format!(
            "Data Source={};User ID={ADMIN_USER};Password={ADMIN_PASSWORD};Initial Catalog=Sales;\
             Provider=SQLNCLI11.1;Auto Translate=False;",
            server.server_name()
        ),
    }
}

/// `SqlTaskData` with `attrs` and `children`.
pub fn sql_task(name: &'static str, attrs: &str, children: &str) -> Task {
    Task {
        name,
        kind: "Microsoft.ExecuteSQLTask",
        data: format!(
            "<SQLTask:SqlTaskData SQLTask:Connection=\"{CM_ID}\" {attrs} xmlns:SQLTask=\"{SQLTASK_NS}\">{children}</SQLTask:SqlTaskData>"
        ),
        enumerator: None,
        mappings: Vec::new(),
        children: Vec::new(),
        handlers: Vec::new(),
        disable_handlers: false,
    }
}

pub fn param(name: &str, var: &str, dir: &str, ty: i32) -> String {
    format!(
        "<SQLTask:ParameterBinding SQLTask:ParameterName=\"{name}\" SQLTask:DtsVariableName=\"{var}\" \
         SQLTask:ParameterDirection=\"{dir}\" SQLTask:DataType=\"{ty}\" SQLTask:ParameterSize=\"-1\" />"
    )
}

pub fn result(name: &str, var: &str) -> String {
    format!(
        "<SQLTask:ResultBinding SQLTask:ResultName=\"{name}\" SQLTask:DtsVariableName=\"{var}\" />"
    )
}

/// What reached the server: statement and parameters.
pub type Log = Arc<Mutex<Vec<(String, Vec<Value>)>>>;

/// A test server that describes `tables` (the `sys.columns` questions),
/// records every statement with its parameters in the returned log, and
/// answers with `hook` (statement, parameter values, tokens to send).
pub fn logging_server(
    tables: &'static [Table],
    hook: impl Fn(&str, &[Value], &mut Tokens) -> Option<i32> + Send + Sync + 'static,
) -> (TestServer, Log) {
    let server = TestServer::start();
    server.tables(tables);
    let log: Log = Arc::default();
    let l = log.clone();
    server.on_sql(move |sql, params, t: &mut Tokens| {
        let values: Vec<Value> = params.iter().map(|(_, v)| v.clone()).collect();
        l.lock().unwrap().push((sql.to_string(), values.clone()));
        hook(sql, &values, t)
    });
    (server, log)
}

/// A test server that answers a few statements and records `INSERT`s.
pub fn scripted_server() -> (TestServer, Log) {
    logging_server(&[], move |sql, values, t: &mut Tokens| {
        let int = |k: usize| values.get(k).and_then(Value::as_int);
        if sql.starts_with("SELECT @P1 + 1 AS n") {
            t.col_metadata(&[("n", ColType::Int), ("s", ColType::NVarChar(20))]);
            t.row(&[
                (&Value::Int(int(0).unwrap_or(-100) + 1), ColType::Int),
                (&Value::Text("forty-two".into()), ColType::NVarChar(20)),
            ]);
            t.done_in_proc(DONE_MORE | DONE_COUNT, 0xC1, 1);
        } else if sql.starts_with("SELECT name, qty FROM orders") {
            t.col_metadata(&[("name", ColType::NVarChar(20)), ("qty", ColType::Int)]);
            for (n, q) in [("apples", 3), ("pears", 5), ("plums", 7)] {
                t.row(&[
                    (&Value::Text(n.into()), ColType::NVarChar(20)),
                    (&Value::Int(q), ColType::Int),
                ]);
            }
            t.done(DONE_MORE | DONE_COUNT, 3);
        } else if sql.starts_with("SELECT 'none'") {
            t.col_metadata(&[("v", ColType::Int)]);
            t.done(DONE_MORE | DONE_COUNT, 0);
        } else if sql.contains("FOR XML") {
            t.col_metadata(&[(
                "XML_F52E2B61-18A1-11d1-B105-00805F49916B",
                ColType::NVarChar(100),
            )]);
            for piece in ["<o n=\"apples\"/>", "<o n=\"pears\"/>"] {
                t.row(&[(&Value::Text(piece.into()), ColType::NVarChar(100))]);
            }
            t.done(DONE_MORE | DONE_COUNT, 2);
        } else if sql.starts_with("EXEC @P1 = dbo.next_id @P2, @P3 OUTPUT") {
            // The return value and the output parameter, read back by the
            // task's trailing SELECT.
            t.col_metadata(&[("", ColType::Int), ("", ColType::Int)]);
            t.row(&[
                (&Value::Int(7), ColType::Int),
                (&Value::Int(int(1).unwrap_or(0) * 10), ColType::Int),
            ]);
            t.done_in_proc(DONE_MORE | DONE_COUNT, 0xC1, 1);
        } else if sql.contains("RAISERROR") {
            t.error(50000, 16, "the order table is locked", "");
            return Some(1);
        } else if sql.contains("WAITFOR") {
            std::thread::sleep(std::time::Duration::from_secs(4));
        } else if !sql.starts_with("INSERT") {
            return None;
        }
        Some(0)
    })
}

/// The `INSERT` statements and their parameters, in order.
pub fn inserts(log: &Log) -> Vec<(String, Vec<Value>)> {
    log.lock()
        .unwrap()
        .iter()
        .filter(|(s, _)| s.starts_with("INSERT"))
        .cloned()
        .collect()
}

#[test]
fn runner_execute_sql_single_row_and_ordinal_parameters_in_both_layouts() {
    let (server, log) = scripted_server();
    let dir = tempfile::tempdir().unwrap();
    let vars: Vec<Var> = vec![
        ("In", 3, "41".into()),
        ("N", 3, "0".into()),
        ("S", 8, String::new()),
    ];
    let tasks = [
        sql_task(
            "Get",
            "SQLTask:SqlStatementSource=\"SELECT ? + 1 AS n, N'?' AS s\" SQLTask:ResultType=\"ResultSetType_SingleRow\"",
            &(param("0", "User::In", "Input", 3)
                + &result("n", "User::N")
                + &result("1", "User::S")),
        ),
        sql_task(
            "Put",
            "SQLTask:SqlStatementSource=\"INSERT INTO log (n, s) VALUES (?, ?)\"",
            &(param("0", "User::N", "Input", 3) + &param("1", "User::S", "Input", 130)),
        ),
    ];
    for pkg in both(dir.path(), &[oledb(&server)], &vars, &tasks) {
        log.lock().unwrap().clear();
        let r = exec(&["/F", pkg.to_str().unwrap()]);
        assert_eq!(r.code, 0, "{}: {}{}", pkg.display(), r.out, r.err);
        // dtexec's console shape: a banner, local times on a 12-hour clock.
        assert!(
            r.out
                .starts_with("ssis exec: dtexec-compatible package runner"),
            "{}",
            r.out
        );
        let started = r
            .out
            .lines()
            .find(|l| l.starts_with("Started:  "))
            .unwrap_or("");
        assert!(
            started.ends_with(" AM") || started.ends_with(" PM"),
            "{}",
            r.out
        );
        assert!(
            r.out
                .contains("DTExec: The package execution returned DTSER_SUCCESS (0).")
        );
        let ins = inserts(&log);
        assert_eq!(ins.len(), 1, "{ins:?}");
        assert_eq!(ins[0].0, "INSERT INTO log (n, s) VALUES (@P1, @P2)");
        assert_eq!(
            ins[0].1,
            vec![Value::Int(42), Value::Text("forty-two".into())],
            "{}",
            pkg.display()
        );
    }
}

#[test]
fn connection_parts_set_by_property_expressions() {
    let (server, log) = scripted_server();
    let dir = tempfile::tempdir().unwrap();
    // Saved pointing at a server and login that do not exist; expressions
    // give the test server's address, the database and a SQL login.
    let mut cm = oledb(&server);
    cm.connection_string =
        "Data Source=nowhere;Initial Catalog=Old;User ID=nobody;Provider=SQLNCLI11.1;".into();
    let tasks = [sql_task(
        "Put",
        "SQLTask:SqlStatementSource=\"INSERT INTO log (n, s) VALUES (1, 'x')\"",
        "",
    )];
    let cm_saved = cm.clone();
    let text = package_2012_with(&[cm], &[], &tasks, &[]);
    let exprs = format!(
        "<DTS:PropertyExpression DTS:Name=\"ServerName\">\"{}\"</DTS:PropertyExpression>\
         <DTS:PropertyExpression DTS:Name=\"InitialCatalog\">\"Sa\" + \"les\"</DTS:PropertyExpression>\
         <DTS:PropertyExpression DTS:Name=\"UserName\">\"{ADMIN_USER}\"</DTS:PropertyExpression>\
         <DTS:PropertyExpression DTS:Name=\"Password\">\"{ADMIN_PASSWORD}\"</DTS:PropertyExpression>\n      <DTS:ObjectData>",
        server.server_name()
    );
    let text = text.replacen("\n      <DTS:ObjectData>", &exprs, 1);
    let pkg = dir.path().join("parts.dtsx");
    std::fs::write(&pkg, text).unwrap();
    let r = exec(&["/F", pkg.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}{}", r.out, r.err);
    assert_eq!(inserts(&log).len(), 1);
    // The same parts from the command line, on the package as saved.
    let plain = dir.path().join("plain.dtsx");
    std::fs::write(&plain, package_2012_with(&[cm_saved], &[], &tasks, &[])).unwrap();
    let set = |part: &str, value: &str| {
        format!("\\Package.Connections[Sales].Properties[{part}];{value}")
    };
    let (server_part, user, password) = (
        set("ServerName", &server.server_name()),
        set("UserName", ADMIN_USER),
        set("Password", ADMIN_PASSWORD),
    );
    let r = exec(&[
        "/F",
        plain.to_str().unwrap(),
        "/SET",
        &server_part,
        "/SET",
        &user,
        "/SET",
        &password,
    ]);
    assert_eq!(r.code, 0, "{}{}", r.out, r.err);
    assert_eq!(inserts(&log).len(), 2);
}

#[test]
fn runner_execute_sql_statement_from_variable_file_and_ado_net_names() {
    let (server, log) = scripted_server();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("insert.sql");
    // SSDT saves .sql files as UTF-16 with a byte-order mark.
    let mut bytes = vec![0xFF, 0xFE];
    for u in "INSERT INTO audit VALUES (@Who, @Qty, @Who)".encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    std::fs::write(&file, bytes).unwrap();
    let ado = Cm {
        name: "SalesAdo",
        id: "{C0000000-0000-0000-0000-000000000002}",
        creation: "ADO.NET:System.Data.SqlClient.SqlConnection, System.Data, Version=4.0.0.0, \
                   Culture=neutral, PublicKeyToken=b77a5c561934e089"
            .into(),
        connection_string: format!(
            "Data Source={};User ID={ADMIN_USER};Password={ADMIN_PASSWORD};Initial Catalog=Sales;\
             Application Name=SSIS-SqlPkg;",
            server.server_name()
        ),
    };
    let sql_file = Cm {
        name: "InsertSql",
        id: "{C0000000-0000-0000-0000-000000000003}",
        creation: "FILE".into(),
        connection_string: file.to_str().unwrap().into(),
    };
    let vars: Vec<Var> = vec![
        ("Stmt", 8, "INSERT INTO t VALUES (?)".into()),
        ("Who", 8, "etl".into()),
        ("Qty", 3, "12".into()),
    ];
    let from_var = sql_task(
        "FromVar",
        "SQLTask:SqlStmtSourceType=\"Variable\" SQLTask:SqlStatementSource=\"User::Stmt\"",
        &param("0", "User::Qty", "Input", 3),
    );
    let mut from_file = sql_task(
        "FromFile",
        "SQLTask:SqlStmtSourceType=\"FileConnection\" SQLTask:SqlStatementSource=\"{C0000000-0000-0000-0000-000000000003}\"",
        &(param("@Who", "User::Who", "Input", 16) + &param("@Qty", "User::Qty", "Input", 11)),
    );
    from_file.data = from_file
        .data
        .replace(CM_ID, "{C0000000-0000-0000-0000-000000000002}");
    for pkg in both(
        dir.path(),
        &[oledb(&server), ado, sql_file],
        &vars,
        &[from_var, from_file],
    ) {
        log.lock().unwrap().clear();
        let r = exec(&["/F", pkg.to_str().unwrap()]);
        assert_eq!(r.code, 0, "{}: {}{}", pkg.display(), r.out, r.err);
        let ins = inserts(&log);
        assert_eq!(
            ins,
            vec![
                (
                    "INSERT INTO t VALUES (@P1)".to_string(),
                    vec![Value::Int(12)]
                ),
                (
                    "INSERT INTO audit VALUES (@P1, @P2, @P1)".to_string(),
                    vec![Value::Text("etl".into()), Value::Int(12)]
                ),
            ],
            "{}",
            pkg.display()
        );
    }
}

#[test]
fn runner_execute_sql_output_and_return_values_and_xml() {
    let (server, log) = scripted_server();
    let dir = tempfile::tempdir().unwrap();
    let vars: Vec<Var> = vec![
        ("Rc", 3, "0".into()),
        ("Seed", 3, "4".into()),
        ("Out", 3, "0".into()),
        ("Doc", 8, String::new()),
    ];
    let tasks = [
        sql_task(
            "Proc",
            "SQLTask:SqlStatementSource=\"EXEC ? = dbo.next_id ?, ? OUTPUT\"",
            &(param("0", "User::Rc", "ReturnValue", 3)
                + &param("1", "User::Seed", "Input", 3)
                + &param("2", "User::Out", "Output", 3)),
        ),
        sql_task(
            "Xml",
            "SQLTask:SqlStatementSource=\"SELECT name FROM orders FOR XML AUTO\" SQLTask:ResultType=\"ResultSetType_XML\"",
            &result("0", "User::Doc"),
        ),
        sql_task(
            "Put",
            "SQLTask:SqlStatementSource=\"INSERT INTO log VALUES (?, ?, ?)\"",
            &(param("0", "User::Rc", "Input", 3)
                + &param("1", "User::Out", "Input", 3)
                + &param("2", "User::Doc", "Input", 130)),
        ),
    ];
    for pkg in both(dir.path(), &[oledb(&server)], &vars, &tasks) {
        log.lock().unwrap().clear();
        let r = exec(&["/F", pkg.to_str().unwrap()]);
        assert_eq!(r.code, 0, "{}: {}{}", pkg.display(), r.out, r.err);
        let ins = inserts(&log);
        assert_eq!(
            ins[0].1,
            vec![
                Value::Int(7),
                Value::Int(40),
                Value::Text("<o n=\"apples\"/><o n=\"pears\"/>".into())
            ],
            "{}",
            pkg.display()
        );
    }
}

#[test]
fn runner_execute_sql_errors_carry_sql_servers_message() {
    let (server, _log) = scripted_server();
    let dir = tempfile::tempdir().unwrap();
    let vars: Vec<Var> = vec![("N", 3, "0".into())];
    let cases = [
        (
            sql_task(
                "Lock",
                "SQLTask:SqlStatementSource=\"RAISERROR('x', 16, 1)\"",
                "",
            ),
            vec!["Lock", "the order table is locked", "50000"],
        ),
        (
            sql_task(
                "Empty",
                "SQLTask:SqlStatementSource=\"SELECT 'none'\" SQLTask:ResultType=\"ResultSetType_SingleRow\"",
                &result("0", "User::N"),
            ),
            vec!["Empty", "no rows were returned"],
        ),
        (
            sql_task(
                "Slow",
                "SQLTask:SqlStatementSource=\"WAITFOR DELAY '00:00:04'\" SQLTask:TimeOut=\"1\"",
                "",
            ),
            vec!["Slow", "within 1 s (TimeOut)"],
        ),
        (
            sql_task(
                "Unmapped",
                "SQLTask:SqlStatementSource=\"INSERT INTO t VALUES (?, ?)\"",
                &param("0", "User::N", "Input", 3),
            ),
            vec!["Unmapped", "parameter 1", "not mapped"],
        ),
    ];
    for (task, wants) in cases {
        let name = task.name;
        for pkg in both(
            dir.path(),
            &[oledb(&server)],
            &vars,
            std::slice::from_ref(&task),
        ) {
            let r = exec(&["/F", pkg.to_str().unwrap()]);
            assert_eq!(r.code, 1, "{name}: {}{}", r.out, r.err);
            for w in &wants {
                assert!(r.out.contains(w), "{name}: '{w}' missing in:\n{}", r.out);
            }
            assert!(!r.out.contains(ADMIN_PASSWORD), "{}", r.out);
        }
    }
}

#[test]
fn runner_execute_sql_refuses_what_it_cannot_connect_to_before_running() {
    let (server, log) = scripted_server();
    let dir = tempfile::tempdir().unwrap();
    let put = sql_task(
        "Put",
        "SQLTask:SqlStatementSource=\"INSERT INTO t VALUES (1)\"",
        "",
    );
    for (cs, why) in [
        (
            format!(
                "Data Source={};Initial Catalog=Sales;Provider=SQLNCLI11.1;Integrated Security=SSPI;",
                server.server_name()
            ),
            "Integrated Security",
        ),
        (
            "Provider=Microsoft.ACE.OLEDB.12.0;Data Source=C:\\data\\sales.accdb;".to_string(),
            "'Microsoft.ACE.OLEDB.12.0' is not supported",
        ),
    ] {
        let mut cm = oledb(&server);
        cm.connection_string = cs;
        // A task that would reach the server first shows nothing ran.
        for pkg in both(dir.path(), &[cm], &[], std::slice::from_ref(&put)) {
            let r = exec(&["/F", pkg.to_str().unwrap()]);
            assert_eq!(r.code, 1, "{}{}", r.out, r.err);
            assert!(r.out.contains(why) && r.out.contains("Put"), "{}", r.out);
            assert!(log.lock().unwrap().is_empty(), "nothing may run");
            let r = exec(&["/F", pkg.to_str().unwrap(), "/VALIDATE"]);
            assert_eq!(r.code, 1, "{}", r.out);
        }
    }
}

#[test]
fn runner_execute_sql_full_result_set_feeds_a_foreach_ado_loop() {
    let (server, log) = scripted_server();
    let dir = tempfile::tempdir().unwrap();
    let vars: Vec<Var> = vec![
        ("Rows", 13, String::new()),
        ("Name", 8, String::new()),
        ("Qty", 3, "0".into()),
    ];
    let tasks = [
        sql_task(
            "Load",
            "SQLTask:SqlStatementSource=\"SELECT name, qty FROM orders\" SQLTask:ResultType=\"ResultSetType_Rowset\"",
            &result("0", "User::Rows"),
        ),
        foreach_ado(
            "Each Order",
            "User::Rows",
            vec![(0, "User::Name"), (1, "User::Qty")],
            vec![sql_task(
                "Ship",
                "SQLTask:SqlStatementSource=\"INSERT INTO shipped VALUES (?, ?)\"",
                &(param("0", "User::Name", "Input", 130) + &param("1", "User::Qty", "Input", 3)),
            )],
        ),
    ];
    for pkg in both(dir.path(), &[oledb(&server)], &vars, &tasks) {
        log.lock().unwrap().clear();
        let r = exec(&["/F", pkg.to_str().unwrap()]);
        assert_eq!(r.code, 0, "{}: {}{}", pkg.display(), r.out, r.err);
        let got: Vec<Vec<Value>> = inserts(&log).into_iter().map(|(_, v)| v).collect();
        assert_eq!(
            got,
            vec![
                vec![Value::Text("apples".into()), Value::Int(3)],
                vec![Value::Text("pears".into()), Value::Int(5)],
                vec![Value::Text("plums".into()), Value::Int(7)],
            ],
            "{}",
            pkg.display()
        );
    }

    // A Full result set needs an Object variable.
    let mut bad = vars.clone();
    bad[0].1 = 8;
    for pkg in both(dir.path(), &[oledb(&server)], &bad, &tasks) {
        let r = exec(&["/F", pkg.to_str().unwrap()]);
        assert_eq!(r.code, 1, "{}", r.out);
        assert!(
            r.out.contains("User::Rows is a String, not an Object"),
            "{}",
            r.out
        );
    }
}

#[test]
fn runner_execute_sql_dtexec_conn_set_par_configfile_and_warnaserror() {
    let (server, log) = scripted_server();
    let dir = tempfile::tempdir().unwrap();
    // Saved with Windows authentication, as on a developer's machine.
    let mut cm = oledb(&server);
    cm.connection_string = format!(
        "Data Source={};Initial Catalog=Sales;Provider=SQLNCLI11.1;Integrated Security=SSPI;",
        server.server_name()
    );
    let sql_login = oledb(&server).connection_string;
    let vars: Vec<Var> = vec![("Batch", 3, "1".into())];
    let tasks = [
        sql_task(
            "Fail",
            "SQLTask:SqlStatementSource=\"RAISERROR('x', 16, 1)\"",
            "",
        ),
        sql_task(
            "Put",
            "SQLTask:SqlStatementSource=\"INSERT INTO batches VALUES (?)\"",
            &param("0", "User::Batch", "Input", 3),
        ),
    ];
    let config = dir.path().join("prod.dtsConfig");
    std::fs::write(
        &config,
        "<?xml version=\"1.0\"?><DTSConfiguration><DTSConfigurationHeading>\
         <DTSConfigurationFileInfo GeneratedBy=\"x\" GeneratedFromPackageName=\"SqlPkg\" /></DTSConfigurationHeading>\
         <Configuration ConfiguredType=\"Property\" Path=\"\\Package.Variables[User::Batch].Properties[Value]\" ValueType=\"Int32\">\
         <ConfiguredValue>30</ConfiguredValue></Configuration>\
         <Configuration ConfiguredType=\"Property\" Path=\"\\Package\\Fail.Properties[Disabled]\" ValueType=\"Boolean\">\
         <ConfiguredValue>1</ConfiguredValue></Configuration></DTSConfiguration>",
    )
    .unwrap();
    for pkg in both(dir.path(), &[cm], &vars, &tasks) {
        let p = pkg.to_str().unwrap();
        // As saved: refused (Integrated Security).
        let r = exec(&["/F", p]);
        assert_eq!(r.code, 1, "{}", r.out);
        assert!(r.out.contains("Integrated Security"), "{}", r.out);
        // /CONN gives a SQL login; /SET disables the failing task and sets the variable.
        log.lock().unwrap().clear();
        let r = exec(&[
            "/F",
            p,
            "/Conn",
            &format!("Sales;\"{sql_login}\""),
            "/SET",
            "\\Package\\Fail.Properties[Disabled];True",
            "/SET",
            "\\Package.Variables[User::Batch].Properties[Value];7",
        ]);
        assert_eq!(r.code, 0, "{}: {}", pkg.display(), r.out);
        assert_eq!(inserts(&log)[0].1, vec![Value::Int(7)]);
        // The same through /SET on the connection string, and a configuration file.
        log.lock().unwrap().clear();
        let r = exec(&[
            "/F",
            p,
            "/ConfigFile",
            config.to_str().unwrap(),
            "/SET",
            &format!("\\Package.Connections[Sales].Properties[ConnectionString];\"{sql_login}\""),
        ]);
        assert_eq!(r.code, 0, "{}: {}", pkg.display(), r.out);
        assert_eq!(inserts(&log)[0].1, vec![Value::Int(30)]);
        // Unknown targets are command-line errors.
        let r = exec(&["/F", p, "/SET", "\\Package\\Nope.Properties[Disabled];True"]);
        assert_eq!(r.code, 6, "{}", r.out);
        assert!(r.out.contains("no executable 'Package\\Nope'"), "{}", r.out);
        let r = exec(&["/F", p, "/Conn", "Nope;x=y"]);
        assert_eq!(r.code, 6, "{}", r.out);
        assert!(r.out.contains("no connection manager 'Nope'"), "{}", r.out);
    }

    // /WARNASERROR: an empty Foreach ADO loop warns, and the run then fails.
    let vars: Vec<Var> = vec![("Rows", 13, String::new())];
    let tasks = [
        sql_task(
            "Load",
            "SQLTask:SqlStatementSource=\"SELECT 'none'\" SQLTask:ResultType=\"ResultSetType_Rowset\"",
            &result("0", "User::Rows"),
        ),
        foreach_ado("Each", "User::Rows", vec![], vec![]),
    ];
    for pkg in both(dir.path(), &[oledb(&server)], &vars, &tasks) {
        let p = pkg.to_str().unwrap();
        let r = exec(&["/F", p]);
        assert_eq!(r.code, 0, "{}", r.out);
        assert!(r.out.contains("the enumerator is empty"), "{}", r.out);
        let r = exec(&["/F", p, "/WarnAsError"]);
        assert_eq!(r.code, 1, "{}", r.out);
        assert!(r.out.contains("/WARNASERROR: 1 warning(s)"), "{}", r.out);
    }
}

#[test]
fn runner_foreach_nodelist_feeds_variables_from_xml() {
    let (server, log) = scripted_server();
    let dir = tempfile::tempdir().unwrap();
    let doc = "<orders xmlns=\"urn:orders\"><order id=\"1\"><item>apples</item><qty>3</qty></order>\
               <order id=\"2\"><item>pears</item><qty>5</qty></order></orders>";
    let vars: Vec<Var> = vec![
        ("Doc", 8, doc.into()),
        ("Name", 8, String::new()),
        ("Qty", 3, "0".into()),
    ];
    let insert = |name: &'static str| {
        sql_task(
            name,
            "SQLTask:SqlStatementSource=\"INSERT INTO picked VALUES (?, ?)\"",
            &(param("0", "User::Name", "Input", 130) + &param("1", "User::Qty", "Input", 3)),
        )
    };
    let tasks = [
        // NodeText of each item, the document from a variable.
        foreach_nodelist(
            "Items",
            "SourceType=\"Variable\" SourceDocument=\"User::Doc\" EnumerationType=\"NodeText\" \
             OuterXPathSourceType=\"DirectInput\" OuterXPathString=\"//order[@id='2']/item\"",
            vec![(0, "User::Name")],
            vec![insert("Pick Item")],
        ),
        // ElementCollection: each order's children, the document given inline.
        foreach_nodelist(
            "Orders",
            &format!(
                "SourceType=\"DirectInput\" SourceDocument=\"{}\" EnumerationType=\"ElementCollection\" \
                 OuterXPathSourceType=\"DirectInput\" OuterXPathString=\"/orders/order\" \
                 InnerElementType=\"NodeText\" InnerXPathSourceType=\"DirectInput\" InnerXPathString=\"*\"",
                esc(doc)
            ),
            vec![(0, "User::Name"), (1, "User::Qty")],
            vec![insert("Pick Order")],
        ),
    ];
    for pkg in both(dir.path(), &[oledb(&server)], &vars, &tasks) {
        log.lock().unwrap().clear();
        let r = exec(&["/F", pkg.to_str().unwrap()]);
        assert_eq!(r.code, 0, "{}: {}", pkg.display(), r.out);
        let got: Vec<Vec<Value>> = inserts(&log).into_iter().map(|(_, v)| v).collect();
        assert_eq!(
            got,
            vec![
                vec![Value::Text("pears".into()), Value::Int(0)],
                vec![Value::Text("apples".into()), Value::Int(3)],
                vec![Value::Text("pears".into()), Value::Int(5)],
            ],
            "{}",
            pkg.display()
        );
    }
    // An XPath this runner cannot evaluate is refused before anything runs.
    let bad = [foreach_nodelist(
        "Bad",
        "SourceType=\"Variable\" SourceDocument=\"User::Doc\" EnumerationType=\"NodeText\" \
         OuterXPathSourceType=\"DirectInput\" OuterXPathString=\"count(//order)\"",
        vec![],
        vec![],
    )];
    for pkg in both(dir.path(), &[oledb(&server)], &vars, &bad) {
        let r = exec(&["/F", pkg.to_str().unwrap(), "/VALIDATE"]);
        assert_eq!(r.code, 1, "{}", r.out);
        assert!(r.out.contains("count(//order)"), "{}", r.out);
    }
}

/// Against a real SQL Server (`SSIS_TEST_SQLSERVER`, an ADO-style
/// connection string with a SQL login): a Single-row result into a
/// variable, then a statement that fails unless the value came through.
#[test]
fn runner_execute_sql_on_a_real_server_when_configured() {
    let Ok(cs) = std::env::var("SSIS_TEST_SQLSERVER") else {
        eprintln!(
            "runner_execute_sql: SSIS_TEST_SQLSERVER not set, the real-server run is skipped"
        );
        return;
    };
    if cs.trim().is_empty() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let cm = Cm {
        name: "Real",
        id: CM_ID,
        creation: "ADO.NET:System.Data.SqlClient.SqlConnection, System.Data, Version=4.0.0.0, \
                   Culture=neutral, PublicKeyToken=b77a5c561934e089"
            .into(),
        connection_string: cs,
    };
    let vars: Vec<Var> = vec![("In", 3, "41".into()), ("N", 3, "0".into())];
    let tasks = [
        sql_task(
            "Get",
            "SQLTask:SqlStatementSource=\"SELECT @In + 1 AS n\" SQLTask:ResultType=\"ResultSetType_SingleRow\"",
            &(param("@In", "User::In", "Input", 11) + &result("n", "User::N")),
        ),
        sql_task(
            "Check",
            "SQLTask:SqlStatementSource=\"IF @N &lt;&gt; 42 RAISERROR('N is wrong', 16, 1)\"",
            &param("@N", "User::N", "Input", 11),
        ),
    ];
    for pkg in both(dir.path(), &[cm], &vars, &tasks) {
        let r = exec(&["/F", pkg.to_str().unwrap()]);
        assert_eq!(r.code, 0, "{}: {}", pkg.display(), r.out);
    }
}

#[test]
fn runner_checkpoint_and_logging_property_expressions_are_accepted_while_off() {
    let (server, log) = scripted_server();
    let dir = tempfile::tempdir().unwrap();
    let vars: Vec<Var> = vec![("Dir", 8, "/tmp".into()), ("On", 11, "False".into())];
    let put = sql_task(
        "Put",
        "SQLTask:SqlStatementSource=\"INSERT INTO t VALUES (1)\"",
        "",
    );
    let exprs = "<DTS:PropertyExpression DTS:Name=\"CheckpointFileName\">@[User::Dir] + \"/cp.xml\"</DTS:PropertyExpression>\
                 <DTS:PropertyExpression DTS:Name=\"LoggingMode\">1</DTS:PropertyExpression>\
                 <DTS:PropertyExpression DTS:Name=\"SaveCheckpoints\">@[User::On]</DTS:PropertyExpression>";
    for pkg in both(
        dir.path(),
        &[oledb(&server)],
        &vars,
        std::slice::from_ref(&put),
    ) {
        let text = std::fs::read_to_string(&pkg).unwrap();
        let at = text.find("</DTS:Property>").unwrap() + "</DTS:Property>".len();
        std::fs::write(&pkg, format!("{}{exprs}{}", &text[..at], &text[at..])).unwrap();
        log.lock().unwrap().clear();
        let r = exec(&["/F", pkg.to_str().unwrap()]);
        assert_eq!(r.code, 0, "{}: {}", pkg.display(), r.out);
        assert_eq!(inserts(&log).len(), 1);
        let r = exec(&[
            "/F",
            pkg.to_str().unwrap(),
            "/SET",
            "\\Package.Variables[User::On].Properties[Value];True",
        ]);
        assert_eq!(r.code, 1, "{}", r.out);
        assert!(
            r.out.contains("SaveCheckpoints turns checkpoints on"),
            "{}",
            r.out
        );
    }
}

#[test]
fn runner_execute_sql_runs_a_script_batch_by_batch_at_go_lines() {
    let (server, log) = scripted_server();
    let dir = tempfile::tempdir().unwrap();
    let script = sql_task(
        "Script",
        "SQLTask:SqlStatementSource=\"INSERT INTO a VALUES (1)&#xA;GO&#xA;INSERT INTO b VALUES (2)&#xA;go 2&#xA;\"",
        "",
    );
    for pkg in both(
        dir.path(),
        &[oledb(&server)],
        &[],
        std::slice::from_ref(&script),
    ) {
        log.lock().unwrap().clear();
        let r = exec(&["/F", pkg.to_str().unwrap()]);
        assert_eq!(r.code, 0, "{}: {}", pkg.display(), r.out);
        let sent: Vec<String> = inserts(&log).into_iter().map(|(s, _)| s).collect();
        assert_eq!(
            sent,
            [
                "INSERT INTO a VALUES (1)\n",
                "INSERT INTO b VALUES (2)\n",
                "INSERT INTO b VALUES (2)\n"
            ],
            "{}",
            pkg.display()
        );
    }
}

#[test]
fn runner_execute_sql_parameters_take_their_mapped_data_type() {
    let (server, log) = scripted_server();
    let dir = tempfile::tempdir().unwrap();
    let vars: Vec<Var> = vec![
        ("Code", 8, "12".into()),
        ("Num", 3, "7".into()),
        ("Bad", 8, "x".into()),
    ];
    // LONG (3) from a String variable, NVARCHAR (130) from an Int32 one.
    let put = sql_task(
        "Put",
        "SQLTask:SqlStatementSource=\"INSERT INTO t VALUES (?, ?)\"",
        &(param("0", "User::Code", "Input", 3) + &param("1", "User::Num", "Input", 130)),
    );
    let bad = sql_task(
        "Bad",
        "SQLTask:SqlStatementSource=\"INSERT INTO t VALUES (?)\"",
        &param("0", "User::Bad", "Input", 3),
    );
    for pkg in both(
        dir.path(),
        &[oledb(&server)],
        &vars,
        std::slice::from_ref(&put),
    ) {
        log.lock().unwrap().clear();
        let r = exec(&["/F", pkg.to_str().unwrap()]);
        assert_eq!(r.code, 0, "{}: {}", pkg.display(), r.out);
        assert_eq!(
            inserts(&log)[0].1,
            vec![Value::Int(12), Value::Text("7".into())]
        );
    }
    for pkg in both(
        dir.path(),
        &[oledb(&server)],
        &vars,
        std::slice::from_ref(&bad),
    ) {
        log.lock().unwrap().clear();
        let r = exec(&["/F", pkg.to_str().unwrap()]);
        assert_eq!(r.code, 1, "{}", r.out);
        assert!(
            r.out.contains("'x' is not an integer") && r.out.contains("User::Bad"),
            "{}",
            r.out
        );
        assert!(inserts(&log).is_empty());
    }
}

#[test]
fn runner_execute_sql_retain_same_connection_logs_in_once() {
    let (server, log) = scripted_server();
    let dir = tempfile::tempdir().unwrap();
    let put = |name: &'static str| {
        sql_task(
            name,
            "SQLTask:SqlStatementSource=\"INSERT INTO t VALUES (1)\"",
            "",
        )
    };
    let tasks = [put("One"), put("Two"), put("Three")];
    for retain in [false, true] {
        for pkg in both(dir.path(), &[oledb(&server)], &[], &tasks) {
            if retain {
                let text = std::fs::read_to_string(&pkg).unwrap();
                let text = text
                    .replace(
                        "<DTS:ConnectionManager DTS:ConnectionString=",
                        "<DTS:ConnectionManager DTS:Retain=\"True\" DTS:ConnectionString=",
                    )
                    .replace(
                        "<DTS:Property DTS:Name=\"Retain\">0</DTS:Property>",
                        "<DTS:Property DTS:Name=\"Retain\">-1</DTS:Property>",
                    );
                std::fs::write(&pkg, text).unwrap();
            }
            log.lock().unwrap().clear();
            let before = server.logins();
            let r = exec(&["/F", pkg.to_str().unwrap()]);
            assert_eq!(r.code, 0, "{}", r.out);
            assert_eq!(inserts(&log).len(), 3);
            assert_eq!(
                server.logins() - before,
                if retain { 1 } else { 3 },
                "{} (RetainSameConnection {retain})",
                pkg.display()
            );
        }
    }
}

#[test]
fn runner_execute_sql_over_an_odbc_manager_numbers_parameters_from_1() {
    let (server, log) = scripted_server();
    let dir = tempfile::tempdir().unwrap();
    let odbc = Cm {
        name: "SalesOdbc",
        id: CM_ID,
        creation: "ODBC".into(),
        connection_string: format!(
            "Driver={{ODBC Driver 17 for SQL Server}};Server={};Database=Sales;UID={ADMIN_USER};PWD={{{ADMIN_PASSWORD}}};",
            server.server_name()
        ),
    };
    let vars: Vec<Var> = vec![("A", 3, "1".into()), ("B", 8, "two".into())];
    let put = sql_task(
        "Put",
        "SQLTask:SqlStatementSource=\"INSERT INTO t VALUES (?, ?)\"",
        &(param("1", "User::A", "Input", 4) + &param("2", "User::B", "Input", 12)),
    );
    for pkg in both(dir.path(), &[odbc], &vars, std::slice::from_ref(&put)) {
        log.lock().unwrap().clear();
        let r = exec(&["/F", pkg.to_str().unwrap()]);
        assert_eq!(r.code, 0, "{}: {}", pkg.display(), r.out);
        assert_eq!(
            inserts(&log)[0].1,
            vec![Value::Int(1), Value::Text("two".into())]
        );
    }
}
