//! Issue 13: a full state disk is reported, not silently dropped. The
//! state directory is a 4 MiB tmpfs (root only: mounting needs it) that the
//! test fills: a run then fails with an error naming the full disk, and the
//! events the service could not record are counted in an event written once
//! space returns.
#![cfg(unix)]

use crate::remote_support::require_root;
use crate::service_support::Fixture;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A small tmpfs mounted on a folder; unmounted when dropped.
struct SmallDisk(PathBuf);

impl SmallDisk {
    fn mount(at: &Path, size: &str) -> SmallDisk {
        std::fs::create_dir_all(at).unwrap();
        let out = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0700"),
                "tmpfs",
            ])
            .arg(at)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "mount tmpfs on {}: {}",
            at.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        SmallDisk(at.to_path_buf())
    }

    /// Writes a file until the disk refuses more (ENOSPC).
    fn fill(&self) -> PathBuf {
        let filler = self.0.join("filler");
        let mut file = std::fs::File::create(&filler).unwrap();
        let block = vec![0u8; 64 * 1024];
        loop {
            if let Err(e) = file.write_all(&block) {
                assert_eq!(e.raw_os_error(), Some(libc::ENOSPC), "{e}");
                break;
            }
        }
        let _ = file.sync_all();
        filler
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

#[test]
fn a_full_state_disk_fails_runs_clearly_and_the_lost_events_are_counted() {
    require_root("a_full_state_disk_fails_runs_clearly_and_the_lost_events_are_counted");
    let f = Fixture::new(true);
    let disk = SmallDisk::mount(&f.state(), "4m");
    let d = f.start();
    let ok = d.ssis(&["run", "\\File System\\Jobs\\Quick", "--wait"]);
    assert!(ok.status.success(), "{ok:?}");
    let filler = disk.fill();

    // A run is refused, saying the state directory is full.
    let full = d.ssis(&["run", "\\File System\\Jobs\\Quick", "--wait"]);
    assert!(!full.status.success(), "{full:?}");
    let said = String::from_utf8_lossy(&full.stderr);
    let state = f.state().display().to_string();
    assert!(
        said.contains(&format!("the state directory '{state}' is full")),
        "{said}"
    );
    // The refusal could not be recorded either: it is on stderr (the journal).
    let log = d.log_text();
    assert!(
        log.contains("A package could not be started") && log.contains("cannot record the event"),
        "{log}"
    );

    // Once space returns, the next entry is preceded by the count of those lost.
    std::fs::remove_file(&filler).unwrap();
    let ok = d.ssis(&["run", "\\File System\\Jobs\\Quick", "--wait"]);
    assert!(ok.status.success(), "{ok:?}");
    let lost = d.json(&["events", "--event-id", "1041"]);
    let lost = lost["Items"].as_array().unwrap();
    assert_eq!(lost.len(), 1, "{lost:?}");
    let unrecorded = log.matches("cannot record the event").count() as u64;
    assert!(unrecorded >= 1);
    assert_eq!(lost[0]["Data"]["Count"], unrecorded, "{lost:?}");
    assert_eq!(lost[0]["Level"], "Warning");
    assert!(
        lost[0]["Data"]["Error"]
            .as_str()
            .unwrap()
            .contains("is full"),
        "{lost:?}"
    );
    // The failed start itself is in history as nothing (no execution was created).
    let history = d.json(&["history"]);
    assert_eq!(history["Items"].as_array().unwrap().len(), 2, "{history}");
}

/// A run that ends while the state disk is full: its end cannot be written
/// then, and is written (with the time it really ended) once space returns,
/// without a restart.
#[test]
fn a_run_that_ends_on_a_full_disk_is_recorded_once_space_returns() {
    require_root("a_run_that_ends_on_a_full_disk_is_recorded_once_space_returns");
    let f = Fixture::new(true);
    let disk = SmallDisk::mount(&f.state(), "4m");
    let d = f.start();
    let started = d.json(&["run", "\\File System\\Jobs\\GateOk"]);
    let id = started["ExecutionId"].as_str().unwrap().to_string();
    d.wait_for(&id, "running", |e| e["Status"] == "Running");
    let filler = disk.fill();
    f.open_gate("GateOk", 0);
    let failed_write = format!("cannot record the end of execution {id}");
    d.wait_until("the end could not be recorded", || {
        d.log_text().contains(&failed_write)
    });
    let still = d.json(&["history", "--limit", "10"]);
    let row = still["Items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["ExecutionId"] == id.as_str())
        .cloned()
        .unwrap();
    assert_eq!(row["Status"], "Running", "{row}");
    let freed = ssis_service::timefmt::now_ms();
    std::fs::remove_file(&filler).unwrap();
    let done = d.wait_for(&id, "recorded as succeeded", |e| e["Status"] == "Succeeded");
    let end =
        ssis_service::timefmt::parse_rfc3339(done["EndTime"].as_str().unwrap(), "EndTime").unwrap();
    assert!(
        end <= freed,
        "the end time is when it ended, not when it could be written: {done}"
    );
}
