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

/// A listing longer than one message of the client's limit: the service
/// answers `ListPackages` with `ChunkBytes` in lines that each fit, and
/// `Session::list_packages` joins them into the same entries as an in-process
/// listing (here with a 16 KiB limit, so 300 packages need many lines).
#[test]
fn a_listing_larger_than_the_clients_message_limit_comes_in_chunks() {
    use ssis_service::client::{ConnectOptions, ServerAddress, Session};
    use ssis_service::store::StorePath;
    use std::io::{BufRead, BufReader, Write};

    const LIMIT: usize = 16 * 1024;
    let fx = Fixture::new(true);
    let text = std::fs::read_to_string(fx.package("Quick")).unwrap();
    for i in 0..300 {
        let dir = fx
            .dir
            .path()
            .join(format!("Packages/Many/Sub {:02}", i % 7));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join(format!("P {i:03} é.dtsx"));
        std::fs::write(&file, text.replace("Says hello:", &format!("Number {i}:"))).unwrap();
        age(&file);
    }
    let daemon = fx.start();
    let folder = StorePath::parse("\\File System").unwrap();
    let embedded = Session::connect(Some(&format!("embedded:{}", fx.config().display())), None)
        .unwrap()
        .list_packages(&folder, true)
        .unwrap();
    assert_eq!(embedded.items.len(), 308);

    // In one line the reply is well over the limit; in chunks every line fits.
    let reply = |chunk: Option<usize>| -> Vec<String> {
        let mut w = std::os::unix::net::UnixStream::connect(&daemon.socket).unwrap();
        let mut r = BufReader::new(w.try_clone().unwrap());
        let mut line = String::new();
        w.write_all(b"{\"Id\":1,\"Method\":\"Hello\",\"Params\":{\"Protocol\":1}}\n")
            .unwrap();
        r.read_line(&mut line).unwrap();
        let mut params = serde_json::json!({"Folder": "\\File System", "Recursive": true});
        if let Some(n) = chunk {
            params["ChunkBytes"] = n.into();
        }
        let request = serde_json::json!({"Id": 2, "Method": "ListPackages", "Params": params});
        w.write_all(format!("{request}\n").as_bytes()).unwrap();
        let mut lines = Vec::new();
        loop {
            let mut line = String::new();
            r.read_line(&mut line).unwrap();
            let v: Value = serde_json::from_str(&line).unwrap();
            assert_eq!(v["Id"], 2, "{line:.300}");
            lines.push(line);
            if v.get("More").is_none() {
                return lines;
            }
        }
    };
    let whole = reply(None);
    assert_eq!(whole.len(), 1);
    assert!(whole[0].len() > 5 * LIMIT, "{} bytes", whole[0].len());
    let parts = reply(Some(LIMIT));
    assert!(parts.len() > 5, "{} lines", parts.len());
    assert!(
        parts.iter().all(|l| l.len() <= LIMIT),
        "a line over the limit"
    );

    // Twice: read from the files, then from the warm index.
    let options = ConnectOptions {
        max_message_bytes: Some(LIMIT),
        ..Default::default()
    };
    let session = Session::open(&ServerAddress::Socket(daemon.socket.clone()), options).unwrap();
    for _ in 0..2 {
        let listed = session.list_packages(&folder, true).unwrap();
        assert_eq!(listed, embedded);
    }
    daemon.stop();
}
