//! Packages and command lines the runner refuses, with dtexec's exit codes,
//! and the shared corpus: every package validates or is refused with a list.

use crate::common;
use common::{exec, packages, stage};
use ssis_service::runner::{check_runnable, model, unsupported};

#[test]
fn unsupported_component_refused_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = stage("unsupported_2012.dtsx", dir.path(), &[]);
    for extra in [None, Some("/VALIDATE")] {
        let mut args = vec!["/F", pkg.to_str().unwrap()];
        args.extend(extra);
        let r = exec(&args);
        assert_eq!(r.code, 1, "{}", r.out);
        assert!(
            r.out.contains("Package\\Load Rows (Data Flow Task)"),
            "{}",
            r.out
        );
        assert!(
            !r.out.contains("Old Script"),
            "disabled components are not listed: {}",
            r.out
        );
        assert!(!dir.path().join("first.txt").exists(), "nothing ran");
    }
    let loaded = model::load_package(&pkg).unwrap();
    let items = unsupported::find_unsupported(&loaded);
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].path, "Package\\Load Rows");
}

#[test]
fn load_failures_and_sources_have_dtexec_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.dtsx");
    let r = exec(&["/F", missing.to_str().unwrap()]);
    assert_eq!(r.code, 4, "{}", r.out);
    assert!(r.out.contains("missing.dtsx"));

    let bad = dir.path().join("bad.dtsx");
    std::fs::write(
        &bad,
        "<DTS:Executable xmlns:DTS=\"www.microsoft.com/SqlServer/Dts\">\n<DTS:Property>",
    )
    .unwrap();
    let r = exec(&["/F", bad.to_str().unwrap()]);
    assert_eq!(r.code, 5, "{}", r.out);
    assert!(
        r.out.contains("bad.dtsx:"),
        "the error names the file and line: {}",
        r.out
    );

    // No SQL login is configured in the test environment: msdb cannot be
    // reached, and the message says what to set (Windows: integrated
    // authentication is tried, and no SQL Server answers here).
    let r = exec(&["/SQL", "Folder\\Pkg", "/SER", "."]);
    assert_eq!(r.code, 5);
    let why = if cfg!(windows) {
        "not present or not available"
    } else {
        "SSIS_MSDB_USER"
    };
    assert!(r.out.contains("/SQL") && r.out.contains(why), "{}", r.out);
    let r = exec(&["/DTS", "File System\\a|b"]);
    assert_eq!(r.code, 6, "a malformed store path is a command-line error");
    assert!(r.out.contains("/DTS") && r.out.contains("a|b"), "{}", r.out);

    let r = exec(&["/Fx", "a.dtsx"]);
    assert_eq!(r.code, 6);
    assert!(r.err.contains("/Fx"), "{}", r.err);
    let r = exec(&["/C", "x"]);
    assert_eq!(r.code, 6);
    assert!(r.err.contains("ambiguous"), "{}", r.err);
    assert_eq!(exec(&["/?"]).code, 0);
}

/// `ssis exec` as a process, the way a user or SQL Agent runs it.
use crate::common::exec_process as exec_binary;

fn fixture(name: &str) -> String {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/packages")
        .join(name)
        .to_str()
        .unwrap()
        .to_string()
}

#[test]
fn package_encrypted_whole_with_the_user_key_is_refused_with_exit_5() {
    // A real SSIS 2005 package saved with EncryptAllWithUserKey: only
    // PackageFormatVersion and an <EncryptedData> without Salt are readable.
    let pkg = fixture("encrypted-all-userkey-2005.dtsx");
    for extra in [None, Some("/VALIDATE")] {
        let mut args = vec!["/F", pkg.as_str()];
        args.extend(extra);
        let (code, out) = exec_binary(&args);
        assert_eq!(code, 5, "{out}");
        assert!(
            out.contains("encrypted as a whole")
                && out.contains("EncryptAllWithUserKey")
                && out.contains("Windows user"),
            "the reason is given: {out}"
        );
        assert!(
            out.contains("encrypted-all-userkey-2005.dtsx"),
            "the package is named: {out}"
        );
        assert!(!out.contains("DTSER_SUCCESS"), "{out}");
    }
}

#[test]
fn package_encrypted_whole_with_a_password_is_refused_without_the_right_one() {
    // The 2012 layout where the root keeps its identity and one
    // <EncryptedData> (with a Salt: a password) holds the rest.
    let pkg = fixture("encrypted-all-password.dtsx");
    let (code, out) = exec_binary(&["/F", &pkg]);
    assert_eq!(code, 5, "{out}");
    assert!(
        out.contains("'Payroll Export' is encrypted as a whole with a password")
            && out.contains("EncryptAllWithPassword")
            && out.contains("give the password with /DECRYPT"),
        "{out}"
    );
    // Its cipher text opens with no password: every one is wrong.
    let (code, out) = exec_binary(&["/F", &pkg, "/DE", "secret"]);
    assert_eq!(code, 5, "{out}");
    assert!(
        out.contains(
            "the /DECRYPT password does not decrypt the value encrypted in <DTS:Executable>"
        ) && out.contains("encrypted-all-password.dtsx:20:1"),
        "{out}"
    );
}

/// A connection manager whose password SSIS encrypted with the Windows
/// user key (EncryptSensitiveWithUserKey, the default level, not written
/// in 2012+ files), as SSIS writes it.
const USER_KEY_MANAGER: &str = r#"<DTS:ConnectionManagers>
    <DTS:ConnectionManager DTS:refId="Package.ConnectionManagers[Sales DB]" DTS:CreationName="OLEDB" DTS:DTSID="{99999999-0000-0000-0000-000000000002}" DTS:ObjectName="Sales DB">
      <DTS:ObjectData>
        <DTS:ConnectionManager DTS:ConnectionString="Data Source=db;User ID=etl;Initial Catalog=Sales;Provider=SQLNCLI11.1;">
          <DTS:Password DTS:Name="Password" Sensitive="1" Encrypted="1">AQAAANCMnd8BFdERjHoAwE/Cl+sBAAAAsomething==</DTS:Password>
        </DTS:ConnectionManager>
      </DTS:ObjectData>
    </DTS:ConnectionManager>
  </DTS:ConnectionManagers>"#;

#[test]
fn sensitive_values_encrypted_with_the_user_key_are_refused_not_left_empty() {
    // EncryptSensitiveWithUserKey (the default level, not written in 2012+
    // files): a connection manager's password as SSIS writes it.
    let dir = tempfile::tempdir().unwrap();
    let connection = USER_KEY_MANAGER;
    let pkg = stage(
        "precedence_2012.dtsx",
        dir.path(),
        &[
            ("@@MAXERR@@", "1"),
            (
                "8</DTS:Property>",
                &format!("8</DTS:Property>\n  {connection}"),
            ),
        ],
    );
    let (code, out) = exec_binary(&["/F", pkg.to_str().unwrap()]);
    assert_eq!(code, 5, "{out}");
    assert!(
        out.contains("EncryptSensitiveWithUserKey") && out.contains("Password of 'Sales DB'"),
        "{out}"
    );
    assert!(!dir.path().join("a.txt").exists(), "nothing ran");
}

#[test]
fn a_user_key_value_the_run_gives_does_not_keep_the_package_from_running() {
    // The usual deployment of a package saved with the default level: its
    // connection's encrypted password is replaced by /CONN, /SET or a
    // configuration file; a variable's by /SET.
    let dir = tempfile::tempdir().unwrap();
    let encrypted = format!(
        r#"{USER_KEY_MANAGER}
  <DTS:Variables>
    <DTS:Variable DTS:CreationName="" DTS:DTSID="{{99999999-0000-0000-0000-000000000003}}" DTS:Namespace="User" DTS:ObjectName="ApiKey">
      <DTS:VariableValue DTS:DataType="8" Encrypted="1">AQAAANCMnd8BFdERjHoAwE/Cl+sBAAAAother==</DTS:VariableValue>
    </DTS:Variable>
  </DTS:Variables>"#
    );
    let pkg = stage(
        "precedence_2012.dtsx",
        dir.path(),
        &[
            ("@@MAXERR@@", "1"),
            ("<DTS:Variables />", ""),
            (
                "8</DTS:Property>",
                &format!("8</DTS:Property>\n  {encrypted}"),
            ),
        ],
    );
    let pkg = pkg.to_str().unwrap();
    let key = "\\Package.Variables[User::ApiKey].Properties[Value];k";
    let r = exec(&["/F", pkg, "/SET", key]);
    assert_eq!(r.code, 5, "{}", r.out);
    assert!(
        r.out.contains("the first: Password of 'Sales DB')") && r.out.contains("give the values"),
        "only the password is missing: {}",
        r.out
    );
    let r = exec(&["/F", pkg]);
    assert!(
        r.out.contains("Password of 'Sales DB', and 1 more"),
        "{}",
        r.out
    );
    // Only the variable itself gives it: not another container's, not
    // another case (variable names are case-sensitive).
    let conn = "Sales DB;Data Source=db;User ID=etl;PWD = pw;Initial Catalog=Sales";
    for other in [
        "\\Package\\B.Variables[User::ApiKey].Properties[Value];k",
        "\\Package.Variables[User::apikey].Properties[Value];k",
    ] {
        let r = exec(&["/F", pkg, "/CONN", conn, "/SET", other]);
        assert_eq!(r.code, 5, "{other}: {}", r.out);
        assert!(
            r.out.contains("the first: VariableValue of 'ApiKey'"),
            "{other}: {}",
            r.out
        );
    }
    // A connection string without a password does not give one.
    let no_password = "Sales DB;Data Source=db;User ID=etl;Initial Catalog=Sales";
    let r = exec(&["/F", pkg, "/SET", key, "/CONN", no_password]);
    assert_eq!(r.code, 5, "{}", r.out);
    assert!(
        r.out.contains("the first: Password of 'Sales DB')"),
        "{}",
        r.out
    );
    assert!(!dir.path().join("a.txt").exists(), "nothing ran");
    // A password inside a quoted value is no password; a key written
    // without its space is read as the connection reads it.
    let quoted = dir.path().join("quoted.dtsConfig");
    std::fs::write(
        &quoted,
        r#"<?xml version="1.0"?><DTSConfiguration><Configuration ConfiguredType="Property" Path="\Package.Connections[Sales DB].Properties[ConnectionString]" ValueType="String"><ConfiguredValue>Data Source=db;User ID=etl;Application Name="x;Password=y"</ConfiguredValue></Configuration></DTSConfiguration>"#,
    )
    .unwrap();
    let r = exec(&[
        "/F",
        pkg,
        "/SET",
        key,
        "/CONFIGFILE",
        quoted.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 5, "{}", r.out);
    let r = exec(&[
        "/F",
        pkg,
        "/SET",
        key,
        "/CONN",
        "Sales DB;Data Source=db;IntegratedSecurity=SSPI",
    ]);
    assert!(!r.out.contains("the run does not give"), "{}", r.out);
    // A variable named without its namespace is the first of the name its
    // container declares: here the encrypted User:: one.
    let bare = "\\Package.Variables[ApiKey];k";
    let r = exec(&["/F", pkg, "/CONN", conn, "/SET", bare]);
    assert_eq!(r.code, 1, "{}", r.out);
    assert!(dir.path().join("a.txt").exists());
    // With another namespace's ApiKey declared first, the bare name sets
    // that one, and the encrypted value is not given.
    let text = std::fs::read_to_string(pkg).unwrap().replacen(
        "<DTS:Variable ",
        r#"<DTS:Variable DTS:CreationName="" DTS:DTSID="{99999999-0000-0000-0000-000000000004}" DTS:Namespace="Custom" DTS:ObjectName="ApiKey"><DTS:VariableValue DTS:DataType="8">c</DTS:VariableValue></DTS:Variable>
    <DTS:Variable "#,
        1,
    );
    let custom_first = dir.path().join("custom-first.dtsx");
    std::fs::write(&custom_first, text).unwrap();
    let r = exec(&[
        "/F",
        custom_first.to_str().unwrap(),
        "/CONN",
        conn,
        "/SET",
        bare,
    ]);
    assert_eq!(r.code, 5, "{}", r.out);
    assert!(r.out.contains("VariableValue of 'ApiKey'"), "{}", r.out);
    let config = dir.path().join("secrets.dtsConfig");
    std::fs::write(
        &config,
        r#"<?xml version="1.0"?><DTSConfiguration><Configuration ConfiguredType="Property" Path="\Package.Connections[Sales DB].Properties[Password]" ValueType="String"><ConfiguredValue>pw</ConfiguredValue></Configuration></DTSConfiguration>"#,
    )
    .unwrap();
    let conn = "Sales DB;Data Source=db;User ID=etl;Password=pw;Initial Catalog=Sales";
    let password = "\\Package.Connections[Sales DB].Properties[Password];pw";
    let config = config.to_str().unwrap();
    for given in [["/CONN", conn], ["/SET", password], ["/CONFIGFILE", config]] {
        let _ = std::fs::remove_file(dir.path().join("a.txt"));
        let r = exec(&[&["/F", pkg, "/SET", key][..], &given[..]].concat());
        // The package runs (its task B fails on purpose: exit 1).
        assert_eq!(r.code, 1, "{given:?}: {}", r.out);
        assert!(!r.out.contains("encrypted"), "{given:?}: {}", r.out);
        assert!(dir.path().join("a.txt").exists(), "{given:?} ran");
    }
}

#[test]
fn every_test_package_loads_in_its_layout() {
    for entry in std::fs::read_dir(packages()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "dtsx") {
            continue; // configuration files beside the packages
        }
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replace("@@MAXERR@@", "1")
            .replace("@@SEQMAX@@", "1")
            .replace("@@FORMAT@@", "3")
            .replace("@@DISABLE@@", "False");
        let pkg =
            model::load_package_bytes(text.as_bytes(), &path).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            matches!(pkg.format_version, 2 | 3 | 8),
            "{}",
            path.display()
        );
    }
}

#[test]
fn shared_corpus_validates_or_is_refused_with_a_list() {
    let root = crate::common::corpus_dir().join("packages");
    let mut files = Vec::new();
    let mut stack = vec![root];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p
                .extension()
                .is_some_and(|x| x.eq_ignore_ascii_case("dtsx"))
            {
                files.push(p);
            }
        }
    }
    assert!(files.len() >= 10, "the corpus has its packages: {files:?}");
    // The exit code /VALIDATE must give, from what the library says of the
    // package: 0 (runnable), 1 (unsupported components, listed), 5 (not
    // loadable, or encrypted).
    let (mut runnable, mut refused, mut not_loaded) = (0, 0, 0);
    for f in &files {
        let expected = match model::load_package(f) {
            Ok(pkg) => match check_runnable(&pkg, &[]) {
                Ok(()) => {
                    runnable += 1;
                    0
                }
                Err(e) => {
                    let listed = unsupported::find_unsupported(&pkg);
                    assert!(
                        !listed.is_empty() || e.kind == ssis_service::ErrorKind::Package,
                        "{}: refused without a list: {e}",
                        f.display()
                    );
                    if listed.is_empty() {
                        not_loaded += 1;
                        5
                    } else {
                        assert!(e.message.contains(&listed[0].path), "{e}");
                        refused += 1;
                        1
                    }
                }
            },
            Err(e) => {
                assert_eq!(
                    e.kind,
                    ssis_service::ErrorKind::Package,
                    "{}: {e}",
                    f.display()
                );
                not_loaded += 1;
                5
            }
        };
        let r = exec(&["/F", f.to_str().unwrap(), "/VALIDATE"]);
        assert_eq!(r.code, expected, "{}: {}", f.display(), r.out);
        if expected == 0 {
            assert!(
                r.out.contains("validated: every component can run"),
                "{}",
                r.out
            );
        }
    }
    assert!(
        runnable > 0 && refused > 0,
        "the corpus has runnable and refused packages: {runnable} runnable, {refused} refused, {not_loaded} not loaded"
    );
}

#[test]
fn a_password_value_in_a_layout_not_read_is_refused_before_anything_runs() {
    // An EncryptedData without the Salt and IV SSIS writes: /DECRYPT cannot
    // open it, and the run does not go on without it.
    let dir = tempfile::tempdir().unwrap();
    let encrypted_variable = r#"<DTS:Variables>
    <DTS:Variable DTS:CreationName="" DTS:DTSID="{99999999-0000-0000-0000-000000000001}" DTS:Namespace="User" DTS:ObjectName="Secret">
      <DTS:VariableValue DTS:DataType="8" Encrypted="1"><EncryptedData xmlns="http://www.w3.org/2001/04/xmlenc#"><CipherData><CipherValue>ZmFrZQ==</CipherValue></CipherData></EncryptedData></DTS:VariableValue>
    </DTS:Variable>
  </DTS:Variables>"#;
    let pkg = stage(
        "precedence_2012.dtsx",
        dir.path(),
        &[
            ("@@MAXERR@@", "1\"\n  DTS:ProtectionLevel=\"2"),
            ("<DTS:Variables />", encrypted_variable),
        ],
    );
    let r = exec(&["/F", pkg.to_str().unwrap(), "/DE", "secret"]);
    assert_eq!(r.code, 5, "{}", r.out);
    assert!(
        r.out.contains("VariableValue of 'Secret'")
            && r.out.contains("a layout this runner does not decrypt"),
        "{}",
        r.out
    );
    assert!(!dir.path().join("a.txt").exists(), "nothing ran");
}

/// A 2012+ package with `tasks` (type, name) and `extra` root content.
fn package_with(dir: &std::path::Path, tasks: &[(&str, &str)], extra: &str) -> String {
    let mut exes = String::new();
    for (i, (ty, name)) in tasks.iter().enumerate() {
        exes.push_str(&format!(
            "    <DTS:Executable\n      DTS:refId=\"Package\\{name}\"\n      DTS:CreationName=\"{ty}\"\n      DTS:DTSID=\"{{00000000-0000-0000-0000-0000000000{i:02}}}\"\n      DTS:ExecutableType=\"{ty}\"\n      DTS:LocaleID=\"-1\"\n      DTS:ObjectName=\"{name}\">\n      <DTS:Variables />\n      <DTS:ObjectData />\n    </DTS:Executable>\n"
        ));
    }
    let text = format!(
        "<?xml version=\"1.0\"?>\n<DTS:Executable xmlns:DTS=\"www.microsoft.com/SqlServer/Dts\"\n  DTS:refId=\"Package\"\n  DTS:CreationName=\"Microsoft.Package\"\n  DTS:DTSID=\"{{44444444-4444-4444-4444-444444444444}}\"\n  DTS:ExecutableType=\"Microsoft.Package\"\n  DTS:ObjectName=\"Refusals\"\n  DTS:ProtectionLevel=\"0\">\n  <DTS:Property\n    DTS:Name=\"PackageFormatVersion\">8</DTS:Property>\n  <DTS:Variables />\n  <DTS:Executables>\n{exes}  </DTS:Executables>\n{extra}</DTS:Executable>\n"
    );
    let path = dir.join("refusals.dtsx");
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn a_data_flow_task_named_by_its_class_id_is_called_data_flow_task() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = package_with(
        dir.path(),
        &[
            ("{C3BF9DC1-4715-4694-936F-D3CFDA9E42C5}", "Load 2005"),
            ("{E3CFBEA8-1F48-40D8-91E1-2DEDC1EDDD56}", "Load 2008"),
        ],
        "",
    );
    let r = exec(&["/F", &pkg, "/VALIDATE"]);
    assert_eq!(r.code, 1, "{}", r.out);
    assert!(
        r.out.contains("Package\\Load 2005 (Data Flow Task)")
            && r.out.contains("Package\\Load 2008 (Data Flow Task)")
            && r.out.contains("Data Flow Task is not supported"),
        "{}",
        r.out
    );
    assert!(!r.out.contains("C3BF9DC1"), "{}", r.out);
}

#[test]
fn transfer_web_service_and_unknown_managed_tasks_show_short_names() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = package_with(
        dir.path(),
        &[
            (
                "Microsoft.SqlServer.Dts.Tasks.TransferSqlServerObjectsTask.TransferSqlServerObjectsTask, Microsoft.SqlServer.TransferSqlServerObjectsTask, Version=9.0.242.0, Culture=neutral, PublicKeyToken=89845dcd8080cc91",
                "Copy Objects",
            ),
            (
                "Microsoft.SqlServer.Dts.Tasks.WebServiceTask.WebServiceTask, Microsoft.SqlServer.WebServiceTask, Version=10.0.0.0, Culture=neutral, PublicKeyToken=89845dcd8080cc91",
                "Call Service",
            ),
            ("Microsoft.TransferJobsTask", "Copy Jobs"),
            (
                "Contoso.Etl.Tasks.ZipFilesTask, Contoso.Etl.Tasks, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null",
                "Zip",
            ),
        ],
        "",
    );
    let r = exec(&["/F", &pkg, "/VALIDATE"]);
    assert_eq!(r.code, 1, "{}", r.out);
    for shown in [
        "Package\\Copy Objects (Transfer SQL Server Objects Task)",
        "Package\\Call Service (Web Service Task)",
        "Package\\Copy Jobs (Transfer Jobs Task)",
        "Package\\Zip (Zip Files Task)",
    ] {
        assert!(r.out.contains(shown), "{shown}: {}", r.out);
    }
    assert!(
        !r.out.contains("PublicKeyToken") && !r.out.contains("Version="),
        "{}",
        r.out
    );
}

#[test]
fn each_refused_component_is_printed_once() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = stage("unsupported_2012.dtsx", dir.path(), &[]);
    // Errors shown (the default /REP E W P): each one as an error event,
    // then a summary.
    let r = exec(&["/F", pkg.to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}", r.out);
    assert_eq!(
        r.out.matches("Data Flow Task is not supported").count(),
        1,
        "{}",
        r.out
    );
    assert!(r.out.contains("1 unsupported component(s)"), "{}", r.out);
    // Errors not reported: the summary lists them, once.
    let r = exec(&["/F", pkg.to_str().unwrap(), "/REP", "N"]);
    assert_eq!(r.code, 1, "{}", r.out);
    assert_eq!(
        r.out.matches("Data Flow Task is not supported").count(),
        1,
        "{}",
        r.out
    );
    assert!(
        r.out.contains("Package\\Load Rows (Data Flow Task)"),
        "{}",
        r.out
    );
}

#[test]
fn an_event_handler_refusal_names_its_event_and_container() {
    let dir = tempfile::tempdir().unwrap();
    let handler = r#"  <DTS:EventHandlers>
    <DTS:EventHandler
      DTS:refId="Package.EventHandlers[OnQueryCancel]"
      DTS:CreationName="OnQueryCancel"
      DTS:DTSID="{44444444-0000-0000-0000-0000000000E1}"
      DTS:EventID="0"
      DTS:EventName="OnQueryCancel"
      DTS:LocaleID="-1">
      <DTS:Variables />
      <DTS:Executables>
        <DTS:Executable
          DTS:refId="Package.EventHandlers[OnQueryCancel]\Note"
          DTS:CreationName="Microsoft.ExecuteProcess"
          DTS:DTSID="{44444444-0000-0000-0000-0000000000E2}"
          DTS:ExecutableType="Microsoft.ExecuteProcess"
          DTS:ObjectName="Note">
          <DTS:ObjectData>
            <ExecuteProcessData Executable="/bin/true" />
          </DTS:ObjectData>
        </DTS:Executable>
      </DTS:Executables>
    </DTS:EventHandler>
    <DTS:EventHandler
      DTS:refId="Package.EventHandlers[OnPostExecute]"
      DTS:CreationName="OnPostExecute"
      DTS:DTSID="{44444444-0000-0000-0000-0000000000E3}"
      DTS:EventID="0"
      DTS:EventName="OnPostExecute"
      DTS:LocaleID="-1">
      <DTS:Variables />
    </DTS:EventHandler>
  </DTS:EventHandlers>
"#;
    let pkg = package_with(dir.path(), &[], handler);
    let r = exec(&["/F", &pkg, "/VALIDATE"]);
    assert_eq!(r.code, 1, "{}", r.out);
    assert!(
        r.out
            .contains("OnQueryCancel event handler of Package: event handlers for OnQueryCancel are not supported"),
        "{}",
        r.out
    );
    assert!(
        !r.out.contains("OnPostExecute event handler"),
        "an empty handler runs nothing and is not refused: {}",
        r.out
    );
}
