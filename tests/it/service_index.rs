#![cfg(unix)]
//! The service's warm package index (issue 14): a listing through a running
//! service sees every change made since the last one — an edit in place (even
//! one that keeps the size and the modification time), a rename, a deletion,
//! an addition — without waiting for a notification.

use crate::service_support::Fixture;
use serde_json::Value;
use std::path::Path;
use std::time::{Duration, SystemTime};

const DESCRIPTION: &str = "Says hello: the smallest runnable package";

/// Sets a file's modification time an hour back, so the index trusts it.
fn age(path: &Path) -> SystemTime {
    let old = SystemTime::now() - Duration::from_secs(3600);
    let f = std::fs::File::options().write(true).open(path).unwrap();
    f.set_modified(old).unwrap();
    old
}

/// `(name, description, version build)` of every package, sorted by name.
fn listed(list: &Value) -> Vec<(String, String, i64)> {
    let mut out: Vec<(String, String, i64)> = list["Items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["Name"].as_str().unwrap().to_string(),
                p["Metadata"]["Description"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
                p["Metadata"]["VersionBuild"].as_i64().unwrap_or(-1),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn a_listing_through_the_service_sees_every_change_at_once() {
    let fx = Fixture::new(true);
    let jobs = fx.dir.path().join("Packages/Jobs");
    for entry in std::fs::read_dir(&jobs).unwrap() {
        age(&entry.unwrap().path());
    }
    let daemon = fx.start();
    let list = || daemon.json(&["package", "list", "\\File System", "--recursive"]);
    let before = listed(&list());
    assert_eq!(before.len(), 8, "{before:?}");
    assert!(
        before.iter().all(|(_, d, b)| d == DESCRIPTION && *b == 1),
        "{before:?}"
    );
    // Twice: the second is served from the index.
    assert_eq!(listed(&list()), before);

    // An edit in place that keeps the size, the inode and even the time.
    let quick = jobs.join("Quick.dtsx");
    let text = std::fs::read_to_string(&quick).unwrap();
    let edited = text
        .replace("Says hello: the smallest", "Says adieu: the smallest")
        .replace("DTS:VersionBuild=\"1\"", "DTS:VersionBuild=\"7\"");
    assert_eq!(edited.len(), text.len());
    let old = std::fs::metadata(&quick).unwrap().modified().unwrap();
    let mut f = std::fs::File::options().write(true).open(&quick).unwrap();
    std::io::Write::write_all(&mut f, edited.as_bytes()).unwrap();
    f.set_modified(old).unwrap();
    drop(f);
    // A rename, a deletion and an addition.
    std::fs::rename(jobs.join("Sleep.dtsx"), jobs.join("Slumber.dtsx")).unwrap();
    std::fs::remove_file(jobs.join("Fail.dtsx")).unwrap();
    std::fs::write(
        jobs.join("Fresh.dtsx"),
        text.replace("Says hello:", "Brand new:"),
    )
    .unwrap();

    let after = listed(&list());
    let names: Vec<&str> = after.iter().map(|(n, _, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "Chatty", "Fresh", "GateFail", "GateLate", "GateOk", "Quick", "Slumber", "Stubborn"
        ]
    );
    let get = |name: &str| after.iter().find(|(n, _, _)| n == name).unwrap().clone();
    assert_eq!(
        get("Quick"),
        (
            "Quick".into(),
            "Says adieu: the smallest runnable package".into(),
            7
        )
    );
    assert_eq!(get("Fresh").1, "Brand new: the smallest runnable package");
    assert_eq!(get("Slumber").1, DESCRIPTION);

    // A package's own entry agrees with the listing.
    let info = daemon.json(&["package", "info", "\\File System\\Jobs\\Quick"]);
    assert_eq!(info["Metadata"]["VersionBuild"], 7);
    daemon.stop();
}
