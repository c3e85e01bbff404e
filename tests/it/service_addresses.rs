//! Server addresses and filter times as the CLI passes them to a real
//! service: a `UNIX:` prefix in any case reaches that socket (it used to
//! fall back to the default socket), and an impossible date is refused.
#![cfg(unix)]

use crate::service_support::{Fixture, ssis_bin};
use std::process::Command;

#[test]
fn an_upper_case_unix_prefix_reaches_that_socket() {
    let f = Fixture::new(true);
    let d = f.start();
    for prefix in ["UNIX:", "Unix:", "unix:"] {
        let server = format!("{prefix}{}", f.socket().display());
        let out = Command::new(ssis_bin())
            .args(["--json", "--server", &server, "service", "status"])
            .env_remove("SSIS_SERVICE_SOCKET")
            .env("XDG_RUNTIME_DIR", f.dir.path().join("no-such-runtime-dir"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{server}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let info: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            info["ProcessId"].as_u64(),
            Some(u64::from(d.child.id())),
            "{server} reached this fixture's service: {info}"
        );
    }
    d.stop();
}

#[test]
fn history_since_an_impossible_date_is_refused() {
    let f = Fixture::new(true);
    let d = f.start();
    for bad in ["2024-02-31", "2023-02-29", "2024-02-31T00:00:00Z"] {
        let out = d.ssis(&["history", "--since", bad]);
        assert!(!out.status.success(), "{bad} was accepted");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(bad) && err.contains("RFC 3339"),
            "{bad}: {err}"
        );
    }
    let ok = d.ssis(&["history", "--since", "2024-02-29"]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    d.stop();
}
