//! Round trips and time of listing 10,000 packages in one msdb folder and
//! importing 1,000, against the TDS test server (which counts requests).
//! Figures go to docs/PERFORMANCE.md ("msdb store"). The round-trip counts
//! are asserted; the times are printed (`-- --nocapture`).

use crate::support;

use ssis_service::config::{SqlServerFolder, TopLevelFolder};
use ssis_service::package::synthetic_package_xml;
use ssis_service::store::{PackageStore, Store, StorePath};
use std::time::Instant;
use support::TestServer;
use support::msdb::{Folder, Package};
use support::tds::Value;

const LISTED: usize = 10_000;
const IMPORTED: usize = 1_000;

fn seg(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|s| s.to_string()).collect()
}

#[test]
#[ignore = "load/perf test: run by scripts/load-tests.sh (CI runs it as its own step)"]
fn round_trips_per_list_and_per_package_transfer() {
    let server = TestServer::start();
    // Seed 10,000 packages in folder "Big" directly in the tables.
    let big_id = [7u8; 16];
    let xml = synthetic_package_xml("Seed", "{00000000-0000-4000-8000-000000000001}", 8);
    server.with_db(|db| {
        db.folders.push(Folder {
            id: big_id,
            parent: Some(support::msdb::ROOT),
            name: "Big".into(),
        });
        for i in 0..LISTED {
            let name = format!("Package {i:05}");
            db.packages.insert(
                (big_id, name.to_lowercase()),
                Package {
                    name,
                    id: Value::Guid([i as u8; 16]),
                    description: Value::Text("seeded".into()),
                    createdate: Value::DateTime(45_000, 0),
                    folder: big_id,
                    owner: "ssis_admin".into(),
                    data: xml.as_bytes().to_vec(),
                    packageformat: Value::Int(8),
                    packagetype: Value::Int(5),
                    vermajor: Value::Int(1),
                    verminor: Value::Int(0),
                    verbuild: Value::Int(i as i64),
                    vercomments: Value::Text(String::new()),
                    verid: Value::Guid([1; 16]),
                },
            );
        }
    });
    let msdb = ssis_service::store::msdb::SqlServerStore::with_options(
        "MSDB",
        server.server_name(),
        None,
        server.admin_options(),
    );
    let store = Store::from_backends(vec![(
        TopLevelFolder::SqlServerFolder(SqlServerFolder {
            name: "MSDB".into(),
            server_name: server.server_name(),
        }),
        Box::new(msdb) as Box<dyn PackageStore>,
    )])
    .unwrap();
    let big = StorePath::parse("\\MSDB\\Big").unwrap();

    let mut report = Vec::new();
    let mut measure = |what: &str, count: usize, f: &mut dyn FnMut()| {
        let (r0, l0) = (server.requests(), server.logins());
        let t = Instant::now();
        f();
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        let trips = server.requests() - r0;
        let logins = server.logins() - l0;
        report.push(format!(
            "| {what} | {count} | {trips} | {:.2} | {logins} | {ms:.0} ms |",
            trips as f64 / count as f64
        ));
        trips
    };

    // Cold: connect, resolve "Big" (getfolder), list. Warm: the list only.
    let cold = measure("list 10,000 packages, first (cold)", 1, &mut || {
        assert_eq!(store.list_packages(&big, false).unwrap().len(), LISTED);
    });
    assert_eq!(cold, 2, "getfolder + listpackages");
    let warm = measure("list 10,000 packages, again (warm)", 1, &mut || {
        let list = store.list_packages(&big, false).unwrap();
        assert_eq!(list.len(), LISTED);
        assert_eq!(list[42].metadata.as_ref().unwrap().version(), "1.0.42");
    });
    assert_eq!(warm, 1, "one round trip per list");

    // Imports into a new folder.
    store
        .create_folder(&StorePath::parse("\\MSDB\\Imported").unwrap())
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<_> = (0..IMPORTED)
        .map(|i| {
            let name = format!("Import {i:04}");
            let path = dir.path().join(format!("{name}.dtsx"));
            std::fs::write(
                &path,
                synthetic_package_xml(&name, &format!("{{00000000-0000-4000-8000-{i:012}}}"), 8),
            )
            .unwrap();
            (name, path)
        })
        .collect();
    let backend = ssis_service::store::msdb::SqlServerStore::with_options(
        "MSDB",
        server.server_name(),
        None,
        server.admin_options(),
    );
    backend.list_folders(&seg(&["Imported"])).unwrap(); // resolve and log in
    let datas: Vec<Vec<u8>> = files
        .iter()
        .map(|(_, p)| std::fs::read(p).unwrap())
        .collect();
    let put = measure(
        "write package, replace allowed (sp_ssis_putpackage)",
        IMPORTED,
        &mut || {
            for ((name, _), data) in files.iter().zip(&datas) {
                backend
                    .write_package(&seg(&["Imported", name]), data, true)
                    .unwrap();
            }
        },
    );
    assert_eq!(put, IMPORTED as u64, "one round trip per package transfer");
    let read = measure("read package (sp_ssis_getpackage)", IMPORTED, &mut || {
        for ((name, _), data) in files.iter().zip(&datas) {
            assert_eq!(
                &backend.read_package(&seg(&["Imported", name])).unwrap(),
                data
            );
        }
    });
    assert_eq!(read, IMPORTED as u64);
    store
        .create_folder(&StorePath::parse("\\MSDB\\Imported 2").unwrap())
        .unwrap();
    let checked = measure(
        "write package, no replace (begin, lock + checkexists, putpackage, commit)",
        IMPORTED,
        &mut || {
            for ((name, _), data) in files.iter().zip(&datas) {
                backend
                    .write_package(&seg(&["Imported 2", name]), data, false)
                    .unwrap();
            }
        },
    );
    // Four per package: BEGIN and COMMIT are batches of their own (a
    // transaction begun inside sp_executesql is SQL Server's error 266). The
    // folder was created by the other store instance: one getfolder more.
    assert!(
        (4 * IMPORTED as u64..4 * IMPORTED as u64 + 5).contains(&checked),
        "{checked}"
    );
    store
        .create_folder(&StorePath::parse("\\MSDB\\Imported 3").unwrap())
        .unwrap();
    let imported = measure(
        "Store::import, no replace (begin, lock + checkexists, putpackage, commit)",
        IMPORTED,
        &mut || {
            for (name, path) in &files {
                let dest = StorePath::parse(&format!("\\MSDB\\Imported 3\\{name}")).unwrap();
                store.import(path, &dest, false).unwrap();
            }
        },
    );
    // Four per import (the entry returned is the one just written); a few
    // more if the folder id's cache entry expires (Folder Cache, 10 s).
    assert!(
        (4 * IMPORTED as u64..4 * IMPORTED as u64 + 10).contains(&imported),
        "{imported}"
    );
    let replaced = measure("Store::import, replace (putpackage)", IMPORTED, &mut || {
        for (name, path) in &files {
            let dest = StorePath::parse(&format!("\\MSDB\\Imported 3\\{name}")).unwrap();
            store.import(path, &dest, true).unwrap();
        }
    });
    assert!(
        (IMPORTED as u64..IMPORTED as u64 + 5).contains(&replaced),
        "{replaced}"
    );
    eprintln!("| operation | count | round trips | per operation | logins | time |");
    eprintln!("| --- | --- | --- | --- | --- | --- |");
    for line in report {
        eprintln!("{line}");
    }
}
