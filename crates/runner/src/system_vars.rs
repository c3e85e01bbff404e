//! The System variables a run provides (read-only).

use super::expr::{DataType, DateTime, Value};
use super::model::{Executable, Package};
use super::variables::{Variable, Variables};

/// A random (version 4) GUID in SSIS's `{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}` form.
pub fn new_guid() -> String {
    format!(
        "{{{}}}",
        uuid::Uuid::new_v4().hyphenated().to_string().to_uppercase()
    )
}

fn machine_name() -> String {
    #[cfg(unix)]
    {
        let mut buf = [0u8; 256];
        // SAFETY: the buffer is valid for its length; gethostname NUL-terminates on success.
        if unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) } == 0 {
            let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
            return String::from_utf8_lossy(&buf[..end]).into_owned();
        }
        String::new()
    }
    #[cfg(windows)]
    {
        std::env::var("COMPUTERNAME").unwrap_or_default()
    }
}

fn system(name: &str, type_code: u16, value: Value) -> Variable {
    Variable {
        namespace: "System".into(),
        name: name.into(),
        type_code,
        value: Some(value),
        read_only: true,
        expression: None,
        object: None,
        raise_changed: false,
    }
}

/// Declares the package-wide System variables (PackageName, PackageID,
/// StartTime, ExecutionInstanceGUID (new per run), MachineName, UserName,
/// VersionBuild/Major/Minor, VersionGUID, CreatorName, ...) in the package
/// scope `prefix` + `Package`.
pub fn declare(vars: &mut Variables, pkg: &Package, prefix: &str) {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_default();
    let now = DateTime::now_local();
    let p = &pkg.properties;
    let text = |s: &str| Value::WStr(s.into());
    let created = DateTime::parse(&p.creation_date)
        .map(Value::Date)
        .unwrap_or(Value::Null(DataType::Date));
    let list = [
        system("PackageName", 8, text(pkg.name())),
        system("PackageID", 8, text(pkg.id())),
        system("StartTime", 7, Value::Date(now)),
        system("ExecutionInstanceGUID", 8, text(&new_guid())),
        system("MachineName", 8, text(&machine_name())),
        system("UserName", 8, text(&user)),
        system("VersionBuild", 3, Value::I4(p.version_build)),
        system("VersionMajor", 3, Value::I4(p.version_major)),
        system("VersionMinor", 3, Value::I4(p.version_minor)),
        system("VersionGUID", 8, text(&p.version_guid)),
        system("VersionComments", 8, text(&p.version_comments)),
        system("CreatorName", 8, text(&p.creator_name)),
        system("CreatorComputerName", 8, text(&p.creator_computer_name)),
        system("CreationDate", 7, created),
        system("InteractiveMode", 11, Value::Bool(false)),
        system("OfflineMode", 11, Value::Bool(false)),
        system("CancelEvent", 3, Value::I4(0)),
        system("ServerExecutionID", 20, Value::I8(0)),
    ];
    let scope = format!("{prefix}{}", pkg.root.path);
    for v in list {
        vars.insert(&scope, v);
    }
}

/// Declares the System variables every container has (TaskName, TaskID,
/// ContainerStartTime, LocaleID) in `scope` as the executable starts.
pub fn declare_container(vars: &mut Variables, scope: &str, exe: &Executable) {
    for v in [
        system("TaskName", 8, Value::WStr(exe.name.as_str().into())),
        system("TaskID", 8, Value::WStr(exe.id.as_str().into())),
        system("ContainerStartTime", 7, Value::Date(DateTime::now_local())),
    ] {
        vars.insert(scope, v);
    }
}

/// A typed NULL for a System variable every container declares as it
/// starts (`System::TaskName`, `System::TaskID`,
/// `System::ContainerStartTime`), for checks made before it starts.
pub fn container_placeholder(name: &str) -> Option<Value> {
    let bare = name.strip_prefix("System::").unwrap_or(name);
    match bare {
        "TaskName" | "TaskID" => Some(Value::Null(crate::expr::DataType::WStr)),
        "ContainerStartTime" => Some(Value::Null(crate::expr::DataType::Date)),
        _ => None,
    }
}

/// Declares the System variables of an event handler (scope `scope`) for
/// an event `kind` raised on `source` with `msg`: SourceName, SourceID,
/// SourceDescription, Propagate (as the handler declares it, else True;
/// writable), Cancel, and for OnError/OnWarning/OnInformation ErrorCode
/// (SSIS's code where this runner raises an error SSIS documents one for,
/// else 0) and ErrorDescription, for OnProgress ProgressDescription, for
/// OnVariableValueChanged VariableName, VariableValue (as text),
/// VariableDescription and VariableID (empty).
pub fn declare_handler(
    vars: &mut Variables,
    scope: &str,
    handler: &Executable,
    kind: crate::events::EventKind,
    source: &Executable,
    code: Option<u32>,
    msg: &str,
) {
    use crate::events::EventKind as K;
    let propagate = handler
        .variables
        .iter()
        .find(|v| v.namespace == "System" && v.name == "Propagate")
        .and_then(|v| crate::model::xml_bool(&v.value))
        .unwrap_or(true);
    let text = |s: &str| Value::WStr(s.into());
    let mut list = vec![
        system("SourceName", 8, text(&source.name)),
        system("SourceID", 8, text(&source.id)),
        system("SourceDescription", 8, text(&source.type_label)),
        writable(system("Propagate", 11, Value::Bool(propagate))),
        writable(system("Cancel", 11, Value::Bool(false))),
    ];
    match kind {
        K::OnError | K::OnWarning | K::OnInformation => {
            // An Int32, as SSIS stores the HRESULT: 0xC002F210 is -1073548784.
            let code = code.map_or(0, |c| c as i32);
            list.push(system("ErrorCode", 3, Value::I4(code)));
            list.push(system("ErrorDescription", 8, text(msg)));
            list.push(system("SubComponent", 8, text("")));
        }
        K::OnProgress => list.push(system("ProgressDescription", 8, text(msg))),
        K::OnVariableValueChanged => {
            // `msg` is `Namespace::Name=value`.
            let (name, value) = msg.split_once('=').unwrap_or((msg, ""));
            list.push(system("VariableName", 8, text(name)));
            list.push(system("VariableValue", 8, text(value)));
            list.push(system("VariableDescription", 8, text("")));
            list.push(system("VariableID", 8, text("")));
        }
        _ => {}
    }
    declare_container(vars, scope, handler);
    for v in list {
        vars.insert(scope, v);
    }
}

fn writable(mut v: Variable) -> Variable {
    v.read_only = false;
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package() -> Package {
        let xml = r#"<DTS:Executable xmlns:DTS="www.microsoft.com/SqlServer/Dts" DTS:ObjectName="P" DTS:DTSID="{A}" DTS:VersionBuild="9" DTS:CreatorName="me">
<DTS:Property DTS:Name="PackageFormatVersion">8</DTS:Property></DTS:Executable>"#;
        crate::model::load_package_bytes(xml.as_bytes(), std::path::Path::new("p.dtsx")).unwrap()
    }

    #[test]
    fn package_variables_are_typed_read_only_and_new_per_run() {
        let pkg = package();
        let mut a = Variables::default();
        declare(&mut a, &pkg, "");
        let mut b = Variables::default();
        declare(&mut b, &pkg, "");
        let guid = a.text("Package", "System::ExecutionInstanceGUID").unwrap();
        assert_eq!(guid.len(), 38);
        assert!(guid.starts_with('{') && guid.ends_with('}'));
        assert_ne!(guid, b.text("Package", "ExecutionInstanceGUID").unwrap());
        assert_eq!(a.text("Package", "System::PackageName").unwrap(), "P");
        assert_eq!(a.text("Package", "System::PackageID").unwrap(), "{A}");
        assert_eq!(
            a.value("Package", "System::VersionBuild").unwrap(),
            Some(Value::I4(9))
        );
        assert_eq!(a.text("Package", "System::CreatorName").unwrap(), "me");
        assert!(matches!(
            a.value("Package\\T", "System::StartTime").unwrap(),
            Some(Value::Date(_))
        ));
        assert!(
            a.set_text("Package", "System::PackageName", "x", false)
                .is_err()
        );
    }

    #[test]
    fn container_variables_name_the_innermost_container() {
        let pkg = package();
        let mut vars = Variables::default();
        declare(&mut vars, &pkg, "");
        declare_container(&mut vars, "Package", &pkg.root);
        let mut task = pkg.root.clone();
        task.name = "Task".into();
        task.path = "Package\\Task".into();
        declare_container(&mut vars, "Package\\Task", &task);
        assert_eq!(
            vars.text("Package\\Task", "System::TaskName").unwrap(),
            "Task"
        );
        assert_eq!(vars.text("Package", "System::TaskName").unwrap(), "P");
        assert!(matches!(
            vars.value("Package\\Task", "ContainerStartTime").unwrap(),
            Some(Value::Date(_))
        ));
    }
}
