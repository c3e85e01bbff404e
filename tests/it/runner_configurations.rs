//! Package configurations (EnableConfigurations): XML files, environment
//! variables and parent package variables, in the 2012+ and 2005/2008
//! layouts; the order against `/SET`; missing sources as warnings; what is
//! refused (registry entries, SaveCheckpoints).
#![cfg(unix)] // the test packages run /bin/sh

use crate::common;
use crate::runner_connections::oledb_string;
use crate::support::tds::{ColType, DONE_COUNT, Tokens, Value};
use crate::support::{ADMIN_PASSWORD, TestServer};
use common::{exec, stage};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Stages `name` with its XML configuration file at `config` (`None`: the
/// fixture's `configs.dtsConfig`), configuration 'Home' of type `env_type`
/// and SaveCheckpoints `save_cp`; 2005/2008 fixtures get format `format`.
fn setup(d: &Path, name: &str, config: Option<&str>, env_type: &str, save_cp: &str) -> PathBuf {
    let file = stage("configs.dtsConfig", d, &[]);
    let config = config.map_or_else(|| file.to_str().unwrap().to_string(), str::to_string);
    stage(
        name,
        d,
        &[
            ("@@CONFIG@@", &config),
            ("@@ENVTYPE@@", env_type),
            ("@@SAVECP@@", save_cp),
            ("@@FORMAT@@", "3"),
        ],
    )
}

fn out(d: &Path) -> String {
    std::fs::read_to_string(d.join("out.txt")).unwrap_or_else(|e| panic!("out.txt: {e}"))
}

fn home() -> String {
    std::env::var("HOME").expect("HOME is set")
}

#[test]
fn runner_configurations_set_values_in_both_layouts() {
    for (name, save_cp) in [("configs_2012.dtsx", "False"), ("configs_2008.dtsx", "0")] {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let pkg = setup(d, name, None, "2", save_cp);
        let r = exec(&["/F", pkg.to_str().unwrap(), "/REP", "EW"]);
        assert_eq!(r.code, 0, "{name}: {}{}", r.out, r.err);
        // The file sets Color and Size, HOME sets Home, the unset variable
        // and the missing parent leave their saved values.
        assert_eq!(out(d), format!("Red 42 {} saved saved\n", home()), "{name}");
        for warning in [
            "configuration 'Unset': the environment variable 'SSIS_TEST_CONFIG_NEVER_SET' is not set; the value saved in the package is used",
            "the configuration path '\\Package.Variables[User::Gone].Properties[Value]",
            "configuration 'From Parent' reads a parent package variable, but the package does not run under a parent package",
        ] {
            assert!(r.out.contains(warning), "{name}: {warning}\n{}", r.out);
        }
        assert_eq!(r.out.matches("Warning: ").count(), 4, "{name}: {}", r.out);
    }
}

#[test]
fn runner_configurations_win_over_set_since_2008_not_in_2005() {
    let set = "\\Package.Variables[User::Color].Properties[Value];Blue";
    for (format, expected) in [("3", "Red"), ("2", "Blue")] {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let file = stage("configs.dtsConfig", d, &[]);
        let pkg = stage(
            "configs_2008.dtsx",
            d,
            &[
                ("@@CONFIG@@", file.to_str().unwrap()),
                ("@@ENVTYPE@@", "2"),
                ("@@SAVECP@@", "0"),
                ("@@FORMAT@@", format),
            ],
        );
        let r = exec(&["/F", pkg.to_str().unwrap(), "/SET", set]);
        assert_eq!(r.code, 0, "{}", r.out);
        assert_eq!(
            out(d),
            format!("{expected} 42 {} saved saved\n", home()),
            "format {format}"
        );
    }
}

#[test]
fn runner_configurations_missing_file_is_a_warning_and_warnaserror_fails() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pkg = setup(
        d,
        "configs_2012.dtsx",
        Some(r"C:\nowhere\colors.dtsConfig"),
        "2",
        "False",
    );
    let r = exec(&["/F", pkg.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.out);
    assert!(
        r.out.contains(
            "configuration 'Colors': the configuration file 'C:\\nowhere\\colors.dtsConfig' \
             (here '/nowhere/colors.dtsConfig') cannot be found; the values saved in the package are used"
        ),
        "{}",
        r.out
    );
    assert_eq!(out(d), format!("saved 1 {} saved saved\n", home()));
    std::fs::remove_file(d.join("out.txt")).unwrap();
    let r = exec(&["/F", pkg.to_str().unwrap(), "/WARNASERROR"]);
    assert_eq!(r.code, 1, "{}", r.out);
}

#[test]
fn runner_configurations_bad_file_is_refused_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("bad.dtsConfig"), "<NotAConfiguration/>").unwrap();
    let bad = d.join("bad.dtsConfig");
    let pkg = setup(
        d,
        "configs_2008.dtsx",
        Some(bad.to_str().unwrap()),
        "2",
        "0",
    );
    let r = exec(&["/F", pkg.to_str().unwrap()]);
    assert_eq!(r.code, 5, "{}", r.out);
    assert!(
        r.out
            .contains("package configuration 'Colors': the configuration file")
            && r.out
                .contains("is not an XML configuration (the root is <NotAConfiguration>"),
        "{}",
        r.out
    );
    assert!(!d.join("out.txt").exists());
}

#[test]
fn runner_configurations_parent_variable_reaches_the_child() {
    for child in ["configs_2008.dtsx", "configs_2012.dtsx"] {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let save_cp = if child.ends_with("2008.dtsx") {
            "0"
        } else {
            "False"
        };
        setup(d, child, None, "2", save_cp);
        let parent = stage(
            "configs_parent_2012.dtsx",
            d,
            &[("@@CHILD@@", child), ("@@DISABLE@@", "False")],
        );
        let r = exec(&["/F", parent.to_str().unwrap(), "/REP", "EW"]);
        assert_eq!(r.code, 0, "{child}: {}", r.out);
        assert_eq!(
            out(d),
            format!("Red 42 {} saved Green\n", home()),
            "{child}"
        );
        assert!(!r.out.contains("does not run under a parent"), "{}", r.out);
        // A parent variable may set a property too: the child's task disabled.
        std::fs::remove_file(d.join("out.txt")).unwrap();
        let parent = stage(
            "configs_parent_2012.dtsx",
            d,
            &[("@@CHILD@@", child), ("@@DISABLE@@", "True")],
        );
        let r = exec(&["/F", parent.to_str().unwrap(), "/REP", "EW"]);
        assert_eq!(r.code, 0, "{child}: {}", r.out);
        assert!(!d.join("out.txt").exists(), "{child}: Write was disabled");
    }
}

#[test]
fn runner_configurations_registry_entry_is_refused_before_running() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pkg = setup(d, "configs_2012.dtsx", None, "3", "False");
    let r = exec(&["/F", pkg.to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}", r.out);
    assert!(
        r.out.contains("Package.Configurations[Home] (Package configuration)")
            && r.out.contains(
                "configuration 'Home' (ConfigurationType 3) is a Windows registry entry configuration, and there is no registry here"
            ),
        "{}",
        r.out
    );
    assert!(!d.join("out.txt").exists());
}

#[test]
fn runner_save_checkpoints_is_refused_unless_set_false() {
    for (name, on) in [("configs_2012.dtsx", "True"), ("configs_2008.dtsx", "-1")] {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let pkg = setup(d, name, None, "2", on);
        let r = exec(&["/F", pkg.to_str().unwrap()]);
        assert_eq!(r.code, 1, "{name}: {}", r.out);
        assert!(
            r.out.contains("SaveCheckpoints is True: checkpoints (restarting a failed run where it stopped) are not supported"),
            "{name}: {}",
            r.out
        );
        assert!(!d.join("out.txt").exists());
        let off = "\\Package.Properties[SaveCheckpoints];False";
        let r = exec(&["/F", pkg.to_str().unwrap(), "/SET", off]);
        assert_eq!(r.code, 0, "{name}: {}", r.out);
        assert!(d.join("out.txt").exists());
    }
}

/// Answers the configuration query with two rows for the filter `Colors`,
/// recording each filter asked for.
fn config_table(server: &TestServer) -> Arc<Mutex<Vec<String>>> {
    let filters = Arc::new(Mutex::new(Vec::new()));
    let seen = filters.clone();
    server.on_sql(move |sql, params, t: &mut Tokens| {
        if !sql.contains("FROM [dbo].[SSIS Configurations] WHERE ConfigurationFilter = @P1") {
            return None;
        }
        let filter = params.first().and_then(|(_, v)| v.as_text()).unwrap_or("");
        seen.lock().unwrap().push(filter.to_string());
        let cols = [
            ("ConfiguredValue", ColType::NVarChar(255)),
            ("PackagePath", ColType::NVarChar(255)),
            ("ConfiguredValueType", ColType::NVarChar(20)),
        ];
        t.col_metadata(&cols);
        if filter == "Colors" {
            for (value, var, ty) in [("Red", "Color", "String"), ("42", "Size", "Int32")] {
                let path = format!("\\Package.Variables[User::{var}].Properties[Value]");
                t.row(&[
                    (&Value::Text(value.into()), ColType::NVarChar(255)),
                    (&Value::Text(path), ColType::NVarChar(255)),
                    (&Value::Text(ty.into()), ColType::NVarChar(20)),
                ]);
            }
        }
        t.done_in_proc(DONE_COUNT, 0xC1, 2);
        Some(0)
    });
    filters
}

#[test]
fn a_configuration_table_is_not_read_with_an_encrypted_password_left_empty() {
    // The manager's password is stored encrypted with the Windows user key:
    // logging in without it would be a failed login (or a locked account)
    // on the server. Nothing connects until the run gives it.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let cm = format!(
        r#"<DTS:ConnectionManager DTS:ConnectionString="Data Source=127.0.0.1,{port};User ID=sa;Initial Catalog=Cfg;Provider=SQLNCLI11.1;">
          <DTS:Password DTS:Name="Password" Sensitive="1" Encrypted="1">AQAAANCMnd8BFdERjHoAwE/Cl+sBAAAAsomething==</DTS:Password>
        </DTS:ConnectionManager>"#
    );
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pkg = stage(
        "sqlconfig_2012.dtsx",
        d,
        &[(
            r#"<DTS:ConnectionManager DTS:ConnectionString="@@CONN@@" />"#,
            &cm,
        )],
    );
    let r = exec(&["/F", pkg.to_str().unwrap()]);
    assert_eq!(r.code, 5, "{}", r.out);
    assert!(r.out.contains("Password of 'Config DB'"), "{}", r.out);
    assert!(
        listener.accept().is_err(),
        "no connection was made to the configuration's server"
    );
    assert!(!d.join("out.txt").exists());
    // Given the password, the table is read.
    let server = TestServer::start();
    let _filters = config_table(&server);
    let conn = format!("Config DB;\"{}\"", oledb_string(&server, ADMIN_PASSWORD));
    let r = exec(&["/F", pkg.to_str().unwrap(), "/CONN", &conn]);
    assert_eq!(r.code, 0, "{}", r.out);
    assert_eq!(out(d), "Red 42\n");
}

#[test]
fn runner_configurations_sql_server_table_in_both_layouts_and_through_conn() {
    let server = TestServer::start();
    let filters = config_table(&server);
    let good = oledb_string(&server, ADMIN_PASSWORD);
    // Nothing listens on port 1: only /CONN makes the table reachable.
    let dead =
        "Data Source=127.0.0.1,1;User ID=sa;Password=x;Initial Catalog=Cfg;Provider=SQLNCLI11.1;";
    for name in ["sqlconfig_2012.dtsx", "sqlconfig_2008.dtsx"] {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let pkg = stage(name, d, &[("@@CONN@@", &good.replace('"', "&quot;"))]);
        let r = exec(&["/F", pkg.to_str().unwrap()]);
        assert_eq!(r.code, 0, "{name}: {}", r.out);
        assert_eq!(out(d), "Red 42\n", "{name}");

        let pkg = stage(name, d, &[("@@CONN@@", dead)]);
        std::fs::remove_file(d.join("out.txt")).unwrap();
        let r = exec(&["/F", pkg.to_str().unwrap()]);
        assert_eq!(r.code, 5, "{name}: {}", r.out);
        assert!(
            r.out.contains("package configuration 'Color Table': reading [dbo].[SSIS Configurations] on server '127.0.0.1,1'"),
            "{name}: {}",
            r.out
        );
        assert!(!d.join("out.txt").exists());
        let conn = format!("Config DB;\"{good}\"");
        let r = exec(&["/F", pkg.to_str().unwrap(), "/CONN", &conn]);
        assert_eq!(r.code, 0, "{name}: {}", r.out);
        assert_eq!(out(d), "Red 42\n", "{name} through /CONN");

        // Integrated Security: refused with the list before anything runs,
        // unless /CONN gives the manager a SQL login.
        let sspi = "Data Source=127.0.0.1,1;Integrated Security=SSPI;Initial Catalog=Cfg;Provider=SQLNCLI11.1;";
        let pkg = stage(name, d, &[("@@CONN@@", sspi)]);
        std::fs::remove_file(d.join("out.txt")).unwrap();
        let r = exec(&["/F", pkg.to_str().unwrap()]);
        assert_eq!(r.code, 1, "{name}: {}", r.out);
        assert!(
            r.out
                .contains("Source: Package.Configurations[Color Table] (Package configuration)")
                && r.out
                    .contains("connection manager 'Config DB' uses Integrated Security"),
            "{name}: {}",
            r.out
        );
        assert!(!d.join("out.txt").exists());
        let r = exec(&["/F", pkg.to_str().unwrap(), "/CONN", &conn]);
        assert_eq!(r.code, 0, "{name}: {}", r.out);
        assert_eq!(out(d), "Red 42\n", "{name} through /CONN");
    }
    assert!(filters.lock().unwrap().iter().all(|f| f == "Colors"));
    assert!(filters.lock().unwrap().len() >= 4);
}
