//! Users see and stop their own executions; another user's need the
//! Operate right, given on purpose. Root only: it creates local accounts.
#![cfg(unix)]

use crate::remote_support::*;
use crate::service_support::kill_group;

fn grant(extra_rights: &str) -> String {
    format!(
        "    <Grants>\n      <Grant Principal=\"user:{GRANTED}\" Rights=\"Connect,Read,Execute{extra_rights}\" />\n    </Grants>"
    )
}

#[test]
fn another_users_execution_needs_operate_to_be_seen_or_stopped() {
    require_root("access_isolation");
    ensure_users();
    let f = Fixture::new(true);
    write_config(&f, &grant(""));
    let bin = open_to_users(&f);
    let d = f.start();
    open_socket(&f);
    let started = d.json(&["run", "\\File System\\Jobs\\Sleep"]);
    let id = started["ExecutionId"].as_str().unwrap().to_string();
    let pid = started["ProcessId"].as_u64().unwrap() as u32;
    let as_user = |args: &[&str]| run_as(GRANTED, &bin, &f.socket(), args);

    let ps = as_user(&["--json", "ps"]);
    assert!(ps.status.success(), "{}", text(&ps));
    let rows: serde_json::Value = serde_json::from_slice(&ps.stdout).unwrap();
    assert!(
        rows["Items"].as_array().unwrap().is_empty(),
        "root's run is not listed for the user: {rows}"
    );
    let history = as_user(&["--json", "history"]);
    let rows: serde_json::Value = serde_json::from_slice(&history.stdout).unwrap();
    assert!(rows["Items"].as_array().unwrap().is_empty(), "{rows}");
    for args in [vec!["stop", id.as_str()], vec!["logs", id.as_str()]] {
        let out = as_user(&args);
        assert!(!out.status.success(), "{args:?}: {}", text(&out));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("Access is denied") && err.contains("Operate"),
            "{args:?}: {err}"
        );
    }
    let running = d.json(&["ps"]);
    assert_eq!(
        running["Items"].as_array().unwrap().len(),
        1,
        "still running: {running}"
    );

    // Operate, given on purpose, shows and stops it.
    write_config(&f, &grant(",Operate"));
    d.json(&["service", "reload"]);
    let ps = as_user(&["--json", "ps"]);
    let rows: serde_json::Value = serde_json::from_slice(&ps.stdout).unwrap();
    assert_eq!(rows["Items"][0]["ExecutionId"], id.as_str(), "{rows}");
    let stop = as_user(&["--json", "stop", &id]);
    assert!(stop.status.success(), "{}", text(&stop));
    kill_group(pid);
    d.stop();
}

#[test]
fn a_revoke_ends_an_open_subscription() {
    require_root("access_isolation");
    ensure_users();
    let f = Fixture::new(true);
    write_config(&f, &grant(""));
    let bin = open_to_users(&f);
    let d = f.start();
    open_socket(&f);
    // The user follows the event log.
    let mut follower = std::process::Command::new("runuser")
        .args(["-u", GRANTED, "--", "env"])
        .arg(format!("SSIS_SERVICE_SOCKET={}", f.socket().display()))
        .arg(&bin)
        .args(["events", "--follow"])
        .current_dir("/")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Its output, line by line, as it comes.
    let seen = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let reader = {
        let seen = std::sync::Arc::clone(&seen);
        let stdout = follower.stdout.take().unwrap();
        std::thread::spawn(move || {
            use std::io::BufRead;
            for line in std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
            {
                seen.lock().unwrap().push_str(&(line + "\n"));
            }
        })
    };
    // Subscribed: a run's events reach it.
    d.wait_until("the follower sees live events", || {
        d.json(&["run", "\\File System\\Jobs\\Quick", "--wait"]);
        seen.lock().unwrap().contains("Quick")
    });
    d.json(&["access", "revoke", &format!("user:{GRANTED}")]);
    let before = seen.lock().unwrap().len();
    // The next event is not delivered: the subscription ends.
    d.ssis(&["run", "\\File System\\Jobs\\Fail", "--wait"]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let status = loop {
        if let Some(s) = follower.try_wait().unwrap() {
            break s;
        }
        if std::time::Instant::now() > deadline {
            let _ = follower.kill();
            panic!("the follower kept its subscription after the revoke");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    reader.join().unwrap();
    let mut err = String::new();
    std::io::Read::read_to_string(&mut follower.stderr.take().unwrap(), &mut err).unwrap();
    assert!(!status.success());
    assert!(err.contains("was revoked"), "{err}");
    let after = seen.lock().unwrap()[before..].to_string();
    assert!(
        !after.contains("Fail"),
        "nothing of the later run reached it: {after}"
    );
    d.stop();
}

#[test]
fn a_socket_closed_to_the_caller_says_permission_denied() {
    require_root("a_socket_closed_to_the_caller_says_permission_denied");
    ensure_users();
    let f = Fixture::new(true);
    write_config(&f, &grant(""));
    let bin = open_to_users(&f);
    let d = f.start();
    std::fs::set_permissions(
        f.socket(),
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )
    .unwrap();
    let out = run_as(GRANTED, &bin, &f.socket(), &["ps"]);
    assert!(!out.status.success(), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("permission denied on") && err.contains("ask an administrator"),
        "{err}"
    );
    assert!(!err.contains("no service answers"), "{err}");
    d.stop();
}
