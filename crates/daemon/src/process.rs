//! Executor processes: their own process group, signals to the group,
//! liveness by pid plus start time (so a reused pid is not mistaken for ours).

use std::io;

/// Puts the child in a new process group led by itself, so the whole tree
/// can be signalled at once.
pub fn own_group(cmd: &mut tokio::process::Command) {
    #[cfg(unix)]
    {
        cmd.process_group(0);
    }
    #[cfg(windows)]
    {
        // CREATE_NEW_PROCESS_GROUP: CTRL_BREAK reaches the executor's group.
        cmd.creation_flags(0x0000_0200);
    }
}

/// Right after spawn: on Windows puts the child in its own Job Object, so
/// a forced stop ends every process it started (Unix: the group suffices).
pub fn adopt(child: &tokio::process::Child) -> io::Result<()> {
    #[cfg(windows)]
    {
        if let (Some(pid), Some(handle)) = (child.id(), child.raw_handle()) {
            // SAFETY: the handle belongs to the live child.
            unsafe { super::windows::jobs::adopt(pid, handle as _)? };
        }
    }
    #[cfg(unix)]
    let _ = child;
    Ok(())
}

/// When an execution is finished: on Windows closes its job handle.
pub fn release(pgid: u32) {
    #[cfg(windows)]
    super::windows::jobs::forget(pgid);
    #[cfg(unix)]
    let _ = pgid;
}

/// How hard to stop a process group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// SIGTERM: the package may clean up.
    Graceful,
    /// SIGKILL.
    Forced,
}

/// Signals every process of the group led by `pgid`. A group that is
/// already gone is not an error.
pub fn signal_group(pgid: u32, how: Stop) -> io::Result<()> {
    #[cfg(unix)]
    {
        let sig = match how {
            Stop::Graceful => libc::SIGTERM,
            Stop::Forced => libc::SIGKILL,
        };
        // A forced stop also ends the process groups that descendants of
        // the group made for themselves (the built-in runner gives each
        // Execute Process task one, to end it alone on a time-out): once
        // their parents are killed they could not be found any more, so the
        // tree is taken first and every group in it signalled at once.
        if how == Stop::Forced {
            for other in descendant_groups(pgid) {
                if let Ok(other) = libc::pid_t::try_from(other) {
                    // SAFETY: killpg only sends a signal.
                    unsafe { libc::killpg(other, sig) };
                }
            }
        }
        let pgid = libc::pid_t::try_from(pgid)
            .map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
        // SAFETY: killpg only sends a signal.
        if unsafe { libc::killpg(pgid, sig) } == 0 {
            return Ok(());
        }
        let err = io::Error::last_os_error();
        if err.raw_os_error() == Some(libc::ESRCH) {
            Ok(())
        } else {
            Err(err)
        }
    }
    #[cfg(windows)]
    {
        match how {
            Stop::Graceful => super::windows::jobs::ctrl_break(pgid),
            Stop::Forced => super::windows::jobs::terminate(pgid),
        }
    }
}

/// The start time of process `pid` in clock ticks since boot (Linux; on
/// Windows its creation time in 100 ns units), to
/// recognize it again after a service restart.
pub fn start_ticks(pid: u32) -> Option<u64> {
    #[cfg(windows)]
    {
        super::windows::jobs::start_time(pid)
    }
    #[cfg(not(windows))]
    {
        stat_fields(pid).and_then(|f| f.get(19).and_then(|v| v.parse().ok()))
    }
}

/// Whether process `pid` runs (not a zombie) and, when `start` is known,
/// is the same process that was started then.
pub fn is_alive(pid: u32, start: Option<u64>) -> bool {
    #[cfg(target_os = "linux")]
    {
        let Some(fields) = stat_fields(pid) else {
            return false;
        };
        if fields.first().is_some_and(|s| s == "Z" || s == "X") {
            return false;
        }
        match start {
            Some(start) => fields.get(19).and_then(|v| v.parse::<u64>().ok()) == Some(start),
            None => true,
        }
    }
    #[cfg(all(unix, not(target_os = "linux")))]
    {
        let _ = start;
        // SAFETY: signal 0 only checks for existence.
        libc::pid_t::try_from(pid).is_ok_and(|p| unsafe { libc::kill(p, 0) } == 0)
    }
    #[cfg(windows)]
    {
        super::windows::jobs::is_alive(pid, start)
    }
}

/// Live (non-zombie) processes in the group `pgid`.
pub fn group_members(pgid: u32) -> Vec<u32> {
    #[cfg(target_os = "linux")]
    {
        let Ok(dir) = std::fs::read_dir("/proc") else {
            return Vec::new();
        };
        dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
            .filter(|pid| {
                stat_fields(*pid).is_some_and(|f| {
                    f.first().is_some_and(|s| s != "Z" && s != "X")
                        && f.get(2).and_then(|g| g.parse::<u32>().ok()) == Some(pgid)
                })
            })
            .collect()
    }
    #[cfg(all(unix, not(target_os = "linux")))]
    {
        // SAFETY: signal 0 only checks for existence.
        let alive = libc::pid_t::try_from(pgid).is_ok_and(|p| unsafe { libc::killpg(p, 0) } == 0);
        if alive { vec![pgid] } else { Vec::new() }
    }
    #[cfg(windows)]
    {
        super::windows::jobs::members(pgid)
    }
}

/// The process groups, other than `pgid`, of every descendant of the
/// members of group `pgid` (Linux; elsewhere none are found).
#[cfg(unix)]
fn descendant_groups(pgid: u32) -> Vec<u32> {
    #[cfg(target_os = "linux")]
    {
        let Ok(dir) = std::fs::read_dir("/proc") else {
            return Vec::new();
        };
        // (pid, parent, group) of every live process.
        let table: Vec<(u32, u32, u32)> = dir
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
            .filter_map(|pid| {
                let f = stat_fields(pid)?;
                if f.first().is_some_and(|s| s == "Z" || s == "X") {
                    return None;
                }
                Some((pid, f.get(1)?.parse().ok()?, f.get(2)?.parse().ok()?))
            })
            .collect();
        let mut tree: Vec<u32> = table
            .iter()
            .filter(|(_, _, g)| *g == pgid)
            .map(|(p, _, _)| *p)
            .collect();
        let mut i = 0;
        while i < tree.len() {
            let parent = tree[i];
            for (pid, ppid, _) in &table {
                if *ppid == parent && !tree.contains(pid) {
                    tree.push(*pid);
                }
            }
            i += 1;
        }
        // SAFETY: getpgrp has no arguments and cannot fail.
        let own = unsafe { libc::getpgrp() } as u32;
        let mut groups: Vec<u32> = table
            .iter()
            .filter(|(pid, _, g)| tree.contains(pid) && *g != pgid && *g != own && *g > 1)
            .map(|(_, _, g)| *g)
            .collect();
        groups.sort_unstable();
        groups.dedup();
        groups
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = pgid;
        Vec::new()
    }
}

/// The fields of `/proc/<pid>/stat` after the command name: state first
/// (field 3 of proc(5)), so field N of proc(5) is index N-3.
#[cfg(not(windows))]
fn stat_fields(pid: u32) -> Option<Vec<String>> {
    #[cfg(target_os = "linux")]
    {
        let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        let after = &text[text.rfind(')')? + 1..];
        Some(after.split_whitespace().map(str::to_string).collect())
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = pid;
        None
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_with_its_start_time() {
        let me = std::process::id();
        let start = start_ticks(me);
        assert!(start.is_some());
        assert!(is_alive(me, start));
        assert!(!is_alive(me, start.map(|s| s + 1)));
        assert!(!is_alive(u32::MAX - 1, None));
    }

    #[test]
    fn a_forced_stop_ends_groups_that_descendants_made_for_themselves() {
        use std::io::BufRead;
        use std::os::unix::process::CommandExt;
        // The group leader starts a grandchild in a session (and group) of its own.
        let mut leader = std::process::Command::new("sh")
            .args(["-c", "setsid sleep 300 & echo $!; wait"])
            .process_group(0)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufReader::new(leader.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let grandchild: u32 = line.trim().parse().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(100));
        assert!(is_alive(grandchild, None));
        assert_ne!(
            stat_fields(grandchild).and_then(|f| f.get(2).cloned()),
            Some(leader.id().to_string()),
            "the grandchild is in a group of its own"
        );
        signal_group(leader.id(), Stop::Forced).unwrap();
        let _ = leader.wait();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while is_alive(grandchild, None) && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        assert!(!is_alive(grandchild, None), "no orphan is left running");
    }
}
