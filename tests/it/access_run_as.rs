//! Packages run as the account of whoever starts them, never as the
//! service (root here): a user holding Execute runs a package whose Execute
//! Process task writes `id -un`, and the file names that user and belongs to
//! them; root's own runs stay root's. Root only: it creates local accounts.
#![cfg(unix)]

use crate::remote_support::*;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// A copy of examples/Packages/Hello.dtsx whose one task runs `/bin/sh -c
/// "id -un > <file>; id -G >> <file>"`.
fn whoami_package(file: &Path) -> String {
    let sample = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/Packages/Hello.dtsx"),
    )
    .unwrap();
    let task = r#"Executable="echo"
          Arguments="Hello, world""#;
    assert!(
        sample.contains(task),
        "examples/Packages/Hello.dtsx changed"
    );
    sample.replace(
        task,
        &format!(
            "Executable=\"/bin/sh\"\n          Arguments=\"-c &quot;id -un &gt; {0}; echo HOME=$HOME &gt;&gt; {0}&quot;\"",
            file.display()
        ),
    )
}

#[test]
fn a_users_package_runs_as_that_user() {
    require_root("access_run_as");
    ensure_users();
    let f = Fixture::new(true);
    let out = f.dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::set_permissions(&out, std::os::unix::fs::PermissionsExt::from_mode(0o777)).unwrap();
    // The built-in runner (no Executor), and an Execute grant for the user.
    let config = std::fs::read_to_string(f.config()).unwrap();
    let start = config.find("<SsisService>").unwrap();
    let end = config.find("</SsisService>").unwrap() + "</SsisService>".len();
    let grants = format!(
        "<SsisService>\n    <Grants>\n      <Grant Principal=\"user:{GRANTED}\" Rights=\"Connect,Read,Execute\" />\n    </Grants>\n  </SsisService>"
    );
    std::fs::write(
        f.config(),
        format!("{}{grants}{}", &config[..start], &config[end..]),
    )
    .unwrap();
    let users_file = out.join("as-user.txt");
    let root_file = out.join("as-root.txt");
    let jobs = f.dir.path().join("Packages/Jobs");
    std::fs::write(jobs.join("WhoUser.dtsx"), whoami_package(&users_file)).unwrap();
    std::fs::write(jobs.join("WhoRoot.dtsx"), whoami_package(&root_file)).unwrap();
    let bin = open_to_users(&f);
    let d = f.start();
    open_socket(&f);

    let run = run_as(
        GRANTED,
        &bin,
        &f.socket(),
        &["--json", "run", "\\File System\\Jobs\\WhoUser", "--wait"],
    );
    assert!(run.status.success(), "{}", text(&run));
    let written = std::fs::read_to_string(&users_file).expect("the package wrote its file");
    let mut lines = written.lines();
    assert_eq!(lines.next(), Some(GRANTED), "{written}");
    assert_eq!(
        lines.next(),
        Some(format!("HOME=/home/{GRANTED}").as_str()),
        "{written}"
    );
    let uid = std::fs::metadata(&users_file).unwrap().uid();
    let expected = std::process::Command::new("id")
        .args(["-u", GRANTED])
        .output()
        .unwrap();
    assert_eq!(
        uid.to_string(),
        String::from_utf8_lossy(&expected.stdout).trim(),
        "the file belongs to the user"
    );

    // Root's own run is root's.
    let e = d.json(&["run", "\\File System\\Jobs\\WhoRoot", "--wait"]);
    assert_eq!(e["Status"], "Succeeded", "{e}");
    let written = std::fs::read_to_string(&root_file).unwrap();
    assert_eq!(written.lines().next(), Some("root"), "{written}");
    d.stop();
}

/// The service as the unprivileged account contrib's systemd unit sets up:
/// a dedicated account holding only CAP_SETUID and CAP_SETGID (ambient, as
/// systemd's AmbientCapabilities gives them). A user's package runs as that
/// user, and its process holds no capability at all: it cannot use the
/// service's power to become someone else.
#[test]
fn a_service_with_only_setuid_capabilities_runs_packages_as_callers_without_them() {
    require_root("access_run_as");
    ensure_users();
    let service_account = DENIED;
    let f = Fixture::new(true);
    let out = f.dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::set_permissions(&out, std::os::unix::fs::PermissionsExt::from_mode(0o777)).unwrap();
    write_config(
        &f,
        &format!(
            "    <Grants>\n      <Grant Principal=\"user:{GRANTED}\" Rights=\"Connect,Read,Execute\" />\n    </Grants>"
        ),
    );
    // The built-in runner: no Executor.
    let config = std::fs::read_to_string(f.config()).unwrap();
    let config = without_executor(&config);
    std::fs::write(f.config(), config).unwrap();
    let report = out.join("caps.txt");
    let package = whoami_package(&report).replace(
        &format!("echo HOME=$HOME &gt;&gt; {}", report.display()),
        &format!("grep ^Cap /proc/self/status &gt;&gt; {}", report.display()),
    );
    std::fs::write(f.dir.path().join("Packages/Jobs/Caps.dtsx"), package).unwrap();
    let bin = open_to_users(&f);
    // The service's own folder (socket, state), owned by its account.
    let own = f.dir.path().join("svc");
    std::fs::create_dir(&own).unwrap();
    let chown = std::process::Command::new("chown")
        .arg(format!("{service_account}:"))
        .arg(&own)
        .status()
        .unwrap();
    assert!(chown.success());
    let socket = own.join("ssis.sock");
    let mut service = std::process::Command::new("setpriv")
        .arg(format!("--reuid={service_account}"))
        .arg(format!("--regid={service_account}"))
        .args([
            "--init-groups",
            "--inh-caps=+setuid,+setgid",
            "--ambient-caps=+setuid,+setgid",
            "--",
        ])
        .arg(&bin)
        .arg("--config")
        .arg(f.config())
        .args(["service", "run", "--stop-grace", "1", "--socket"])
        .arg(&socket)
        .arg("--state-dir")
        .arg(own.join("state"))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("setpriv (util-linux)");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !socket.exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "the service did not start"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    std::fs::set_permissions(&socket, std::os::unix::fs::PermissionsExt::from_mode(0o666)).unwrap();
    let run = std::process::Command::new("runuser")
        .args(["-u", GRANTED, "--", "env"])
        .arg(format!("SSIS_SERVICE_SOCKET={}", socket.display()))
        .arg(format!("SSIS_SERVICE_ACCOUNT={service_account}"))
        .arg(&bin)
        .args(["--json", "run", "\\File System\\Jobs\\Caps", "--wait"])
        .current_dir("/")
        .output()
        .unwrap();
    let _ = service.kill();
    let _ = service.wait();
    assert!(run.status.success(), "{}", text(&run));
    let written = std::fs::read_to_string(&report).expect("the package wrote its report");
    let mut lines = written.lines();
    assert_eq!(lines.next(), Some(GRANTED), "{written}");
    let caps: Vec<&str> = lines.collect();
    for set in ["CapInh", "CapPrm", "CapEff", "CapAmb"] {
        let line = caps
            .iter()
            .find(|l| l.starts_with(set))
            .unwrap_or_else(|| panic!("{set} missing: {written}"));
        assert!(
            line.trim_start_matches(set)
                .trim_start_matches(':')
                .trim()
                .chars()
                .all(|c| c == '0'),
            "the package kept a capability: {line}"
        );
    }
}

/// The configuration without its `<Executor>` element (the built-in runner).
fn without_executor(config: &str) -> String {
    match (config.find("<Executor>"), config.find("</Executor>")) {
        (Some(a), Some(b)) => format!("{}{}", &config[..a], &config[b + "</Executor>".len()..]),
        _ => config.to_string(),
    }
}
