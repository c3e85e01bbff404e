//! The command line on its own: option spellings and values, compound
//! arguments and `/SET` paths, `/PAR`, `/CONN`, reporting and console-log
//! options.

use super::*;
use ssis_core::error::Result;
use std::ffi::OsString;

fn p(args: &[&str]) -> Result<ExecOptions> {
    parse(&args.iter().map(OsString::from).collect::<Vec<_>>())
}

#[test]
fn abbreviations_prefixes_and_case() {
    for f in ["/F", "-f", "/FILE", "/fi", "-File"] {
        let o = p(&[f, "a.dtsx"]).unwrap();
        assert_eq!(o.source, Some(PackageSource::File("a.dtsx".into())), "{f}");
    }
    assert_eq!(
        p(&["/SQ", "x\\y"]).unwrap().source,
        Some(PackageSource::Sql("x\\y".into()))
    );
    assert_eq!(
        p(&["/D", "File System\\p"]).unwrap().source,
        Some(PackageSource::Dts("File System\\p".into()))
    );
    let o = p(&["/f", "a", "/rep", "ew", "/va", "/de", "pw"]).unwrap();
    assert_eq!(o.reporting, "EW");
    assert!(o.validate);
    assert_eq!(o.decrypt.as_deref(), Some("pw"));
    // /De followed by an option has no password: /F is not taken as one.
    let o = p(&["/De", "/F", "a"]);
    match std::env::var(DECRYPT_ENV) {
        Ok(v) if !v.is_empty() => assert_eq!(o.unwrap().decrypt, Some(v)),
        _ => assert!(o.unwrap().decrypt_prompt, "asked for at the terminal"),
    }
    assert!(decrypt_takes_value(Some("/secret")));
    assert!(!decrypt_takes_value(Some("/Rep")));
}

#[test]
fn ambiguous_unknown_and_missing_values_are_exit_6() {
    let err = p(&["/Se", "x"]).unwrap_err();
    assert!(
        err.message.contains("ambiguous")
            && err.message.contains("/Server")
            && err.message.contains("/Set"),
        "{}",
        err.message
    );
    assert_eq!(err.kind.exit_code(), 6);
    let err = p(&["/Bogus"]).unwrap_err();
    assert!(err.message.contains("/Bogus"));
    let err = p(&["/F"]).unwrap_err();
    assert!(
        err.message.contains("/File needs a value"),
        "{}",
        err.message
    );
    let err = p(&["/F", "a", "/REP", "Q"]).unwrap_err();
    assert!(err.message.contains("'Q'"));
    let err = p(&["/F", "a", "/Dump", "x"]).unwrap_err();
    assert!(err.message.contains("/Dump"), "{}", err.message);
    assert_eq!(err.target.as_deref(), Some("/Dump"));
    assert!(p(&["/F", "a", "/SQL", "b"]).is_err());
    assert!(p(&["plain"]).is_err());
    assert!(p(&[]).is_err());
}

#[test]
fn agent_options_ignored_at_the_prompt_are_accepted() {
    // SQL Agent writes /X86 and /CALLERINFO; dtexec ignores them at the
    // command prompt.
    let o = p(&["/F", "a", "/X86", "/CALLERINFO", "SQLAGENT", "/REP", "E"]).unwrap();
    assert_eq!(o.source, Some(PackageSource::File("a".into())));
    assert_eq!(o.reporting, "E");
    assert!(
        p(&["/Ca", "/F", "a"]).is_ok(),
        "/CallerInfo without a value"
    );
    assert!(p(&["/F", "a", "/CHECKPOINTING", "OFF"]).is_ok());
    assert!(p(&["/F", "a", "/CheckP", "off"]).is_ok());
    for on in [
        &["/F", "a", "/CHECKPOINTING", "ON"][..],
        &["/F", "a", "/CheckP"],
    ] {
        let err = p(on).unwrap_err();
        assert_eq!(err.kind.exit_code(), 6);
        assert!(
            err.message.contains("checkpoints are not supported"),
            "{}",
            err.message
        );
    }
}

#[test]
fn reporting_takes_event_lists_and_v_and_n_stand_alone() {
    let o = p(&["/F", "a", "/Rep", "E;OnError"]).unwrap();
    assert_eq!(o.reporting, "E");
    assert_eq!(o.report_events, ["OnError"]);
    let o = p(&["/F", "a", "/Rep", "EW;onwarning;OnTaskFailed"]).unwrap();
    assert_eq!(o.reporting, "EW");
    assert_eq!(o.report_events, ["OnWarning", "OnTaskFailed"]);
    for bad in ["NE", "VE", "EN"] {
        let err = p(&["/F", "a", "/Rep", bad]).unwrap_err();
        assert!(
            err.message.contains("stand alone"),
            "{bad}: {}",
            err.message
        );
    }
    assert_eq!(p(&["/F", "a", "/Rep", "N"]).unwrap().reporting, "N");
    let err = p(&["/F", "a", "/Rep", "E;OnSomething"]).unwrap_err();
    assert!(err.message.contains("'OnSomething'"), "{}", err.message);
}

#[test]
fn console_log_filters_and_several_options_combine() {
    let o = p(&["/F", "a", "/ConsoleLog", "NM;I;Load Rows;E;Package\\Seq"]).unwrap();
    assert_eq!(o.console_log.as_deref(), Some("NM"));
    assert_eq!(o.console_log_include, ["Load Rows"]);
    assert_eq!(o.console_log_exclude, ["Package\\Seq"]);
    let o = p(&["/F", "a", "/Cons", ";E;Source", "/Cons", "T"]).unwrap();
    assert_eq!(o.console_log.as_deref(), Some("T"));
    assert_eq!(o.console_log_exclude, ["Source"]);
    let o = p(&["/F", "a", "/Cons", "NM", "/Cons", "TM"]).unwrap();
    assert_eq!(o.console_log.as_deref(), Some("NMT"));
    for (bad, why) in [
        ("N;X;Src", "not I (include) or E (exclude)"),
        ("N;I", "needs a source name"),
        ("N;I;{1B2C3D4E-0000-0000-0000-000000000000}", "not by GUID"),
        ("Q", "'Q'"),
    ] {
        let err = p(&["/F", "a", "/Cons", bad]).unwrap_err();
        assert!(err.message.contains(why), "{bad}: {}", err.message);
    }
}

#[test]
fn set_paths_and_compound_quoting() {
    let o = p(&[
        "/F",
        "a",
        "/SET",
        "\\Package.Variables[User::Out].Properties[Value];hello;world",
    ])
    .unwrap();
    assert_eq!(o.sets[0].scope, "Package");
    assert_eq!(o.sets[0].variable, "User::Out");
    assert_eq!(o.sets[0].value, "hello;world");
    let o = p(&[
        "/F",
        "a",
        "-set",
        "\"\\package\\Seq.Variables[N].Value\";\"a; b\"",
    ])
    .unwrap();
    assert_eq!(o.sets[0].scope, "Package\\Seq");
    assert_eq!(o.sets[0].value, "a; b");
    let o = p(&[
        "/F",
        "a",
        "/SET",
        "\\Package\\Load.Properties[Disabled];True",
    ])
    .unwrap();
    assert_eq!(o.sets[0].scope, "Package\\Load");
    assert_eq!(o.sets[0].target, SetTarget::Property("Disabled".into()));
    let o = p(&[
        "/F",
        "a",
        "/SET",
        "\\Package.Connections[Sales DB].Properties[ConnectionString];\"Data Source=x;Initial Catalog=y\"",
    ])
    .unwrap();
    assert_eq!(o.sets[0].variable, "Sales DB");
    assert_eq!(o.sets[0].value, "Data Source=x;Initial Catalog=y");
    assert_eq!(
        o.sets[0].target,
        SetTarget::Connection("ConnectionString".into())
    );
    // The documented example sets a parameter with no property.
    let o = p(&[
        "/F",
        "a",
        "/SET",
        "\\Package.Variables[$Package::Parameter];1",
    ])
    .unwrap();
    assert_eq!(o.sets[0].variable, "$Package::Parameter");
    assert!(
        p(&[
            "/F",
            "a",
            "/SET",
            "\\Package.Connections[X].Properties[Retain];1"
        ])
        .unwrap_err()
        .message
        .contains("Retain")
    );
    assert!(p(&["/F", "a", "/SET", "\\Package.Nothing[X];1"]).is_err());
    assert!(p(&["/F", "a", "/SET", "\\Package.Variables[User::X].Value"]).is_err());
    assert_eq!(
        split_compound("a;\"b;c\";\"d\\\"e\""),
        vec!["a", "b;c", "d\"e"]
    );
}

#[test]
fn par_conn_configfile_and_warnaserror() {
    let o = p(&[
        "/F",
        "a",
        "/Par",
        "\"$Package::Batch(Int32)\";7",
        "/Par",
        "Region;north",
        "/Conn",
        "Sales;\"Data Source=h;User ID=u\"",
        "/ConfigFile",
        "c.dtsConfig",
        "/WarnAsError",
    ])
    .unwrap();
    assert_eq!(o.sets[0].variable, "$Package::Batch");
    assert_eq!(o.sets[0].value, "7");
    assert_eq!(o.sets[1].variable, "$Package::Region");
    assert_eq!(
        o.sets[2].target,
        SetTarget::Connection("ConnectionString".into())
    );
    assert_eq!(o.sets[2].value, "Data Source=h;User ID=u");
    assert_eq!(o.config_files, ["c.dtsConfig"]);
    assert!(o.warn_as_error);
    let e = p(&["/F", "a", "/Par", "$Project::P;1"]).unwrap_err();
    assert!(e.message.contains("belong to a project"), "{e}");
    let e = p(&[
        "/F",
        "a",
        "/Par",
        "$ServerOption::SYNCHRONIZED(Boolean);True",
    ])
    .unwrap_err();
    assert!(e.message.contains("SSIS catalog"), "{e}");
    assert!(p(&["/F", "a", "/Conn", "Sales"]).is_err());
}

#[test]
fn events_json_both_spellings() {
    assert!(p(&["/F", "a", "--events", "json"]).unwrap().events_json);
    assert!(p(&["--events=JSON", "/F", "a"]).unwrap().events_json);
    assert!(p(&["/F", "a", "--events", "xml"]).is_err());
}

#[test]
fn project_and_package_name_a_package_of_a_project() {
    let o = p(&[
        "/Pack",
        "Load Sales.dtsx",
        "/Proj",
        "/tmp/Sales.ispac",
        "/Par",
        "\"$Project::Region(String)\";North",
        "/Par",
        "CM.localhost.Sales DB.ConnectionString;Data Source=h",
        "/SET",
        "\\Package.Variables[$Project::Batch];7",
    ])
    .unwrap();
    assert_eq!(
        o.source,
        Some(PackageSource::Project {
            project: "/tmp/Sales.ispac".into(),
            package: "Load Sales.dtsx".into(),
        })
    );
    assert_eq!(o.sets[0].variable, "$Project::Region");
    assert_eq!(o.sets[0].value, "North");
    // The manager's name keeps its dots: the property is after the last.
    assert_eq!(o.sets[1].variable, "localhost.Sales DB");
    assert_eq!(
        o.sets[1].target,
        SetTarget::Connection("ConnectionString".into())
    );
    assert_eq!(o.sets[2].variable, "$Project::Batch");

    // Prefixes in any case; a manager's parameter with its scope, as SSMS writes it.
    let o = p(&[
        "/Project",
        "a",
        "/Package",
        "b",
        "/Par",
        "$PROJECT::Region;x",
        "/Par",
        "$Project::cm.DW.Password;pw",
    ])
    .unwrap();
    assert_eq!(o.sets[0].variable, "$Project::Region");
    assert_eq!(o.sets[1].variable, "Project.ConnectionManagers[DW]");
    assert_eq!(o.sets[1].target, SetTarget::Connection("Password".into()));

    let e = p(&["/Project", "a.ispac"]).unwrap_err();
    assert!(e.message.contains("needs /PACKAGE"), "{e}");
    let e = p(&["/Package", "a.dtsx"]).unwrap_err();
    assert!(e.message.contains("give the project with /PROJECT"), "{e}");
    let e = p(&["/F", "x.dtsx", "/Project", "a.ispac", "/Package", "b"]).unwrap_err();
    assert!(e.message.contains("only one of"), "{e}");
    let e = p(&["/Project", "a", "/Project", "b", "/Package", "c"]).unwrap_err();
    assert!(e.message.contains("once"), "{e}");
    let e = p(&["/F", "x", "/Par", "CM.NoProperty;1"]).unwrap_err();
    assert!(e.message.contains("CM.<manager>.<property>"), "{e}");
    let e = p(&["/F", "x", "/SET", "\\Package.Variables[$Project::B];1"]).unwrap_err();
    assert!(e.message.contains("belong to a project"), "{e}");
}

#[test]
fn a_registered_command_line_hides_its_secrets() {
    let words = |s: &str| s.split(' ').map(String::from).collect::<Vec<_>>();
    assert_eq!(
        redact_secrets(&words("ssis exec /F p.dtsx /De s3cret /SET x;1")),
        words("ssis exec /F p.dtsx /De ******** /SET x;1")
    );
    assert_eq!(
        redact_secrets(&words("ssis exec -decrypt pw /decrypt /F p.dtsx")),
        words("ssis exec -decrypt ******** /decrypt /F p.dtsx"),
        "a bare /DECRYPT (the password in the environment) hides nothing"
    );
    assert_eq!(
        redact_secrets(&words(
            "exec /U sa /P pw1 /SET \\Package.Connections[Db].Properties[Password];pw2 /CONN \
             Db2;\"PWD\t=pw5\" \
             /CONN Db;Server=s;PWD=pw3 /PAR CM.Db.Password;pw4 /CONN Files;C:\\in.csv /SET Password"
        )),
        words(
            "exec /U sa /P ******** /SET \\Package.Connections[Db].Properties[Password];******** /CONN \
             Db2;******** \
             /CONN Db;******** /PAR CM.Db.Password;******** /CONN Files;C:\\in.csv /SET ********"
        )
    );
}
