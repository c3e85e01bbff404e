//! Every store operation on an msdb folder, against the TDS test server or,
//! with `SSIS_TEST_SQLSERVER`, a real SQL Server.

mod support;

use ssis_service::store::PackageStore;
use support::{Target, unique};

fn seg(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|s| s.to_string()).collect()
}

#[test]
fn smoke_list_root() {
    let target = Target::get();
    let store = target.store("MSDB");
    let folders = store.list_folders(&[]).unwrap();
    eprintln!("{folders:?}");
    let name = unique("smoke");
    store.create_folder(&seg(&[&name])).unwrap();
    assert!(store.folder_exists(&seg(&[&name])).unwrap());
    store.delete_folder(&seg(&[&name]), false).unwrap();
}
