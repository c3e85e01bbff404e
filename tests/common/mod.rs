//! Helpers shared by the runner's integration tests.
#![allow(dead_code)]

pub mod ssis_bin;

use ssis_service::runner::{SharedWriter, cancel::CancelToken, run_cli};
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// A writer whose bytes can be read back.
#[derive(Clone, Default)]
pub struct Buf(pub Arc<Mutex<Vec<u8>>>);

impl Write for Buf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Buf {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// The test package folder.
/// The test corpus in the repository (tests/corpus: configurations and real
/// packages); its absence fails the test that asks, never skips it.
pub fn corpus_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    assert!(
        dir.join("config").is_dir() && dir.join("packages").is_dir(),
        "the test corpus is missing at {}",
        dir.display()
    );
    dir
}

pub fn packages() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/packages")
}

/// Copies a test package into `dir`, replacing `@@DIR@@` with `dir` and the
/// other placeholders as given; returns the copy's path.
pub fn stage(name: &str, dir: &Path, replacements: &[(&str, &str)]) -> PathBuf {
    let mut text = std::fs::read_to_string(packages().join(name)).unwrap();
    text = text.replace("@@DIR@@", dir.to_str().unwrap());
    for (from, to) in replacements {
        text = text.replace(from, to);
    }
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Result of an in-process `ssis exec`.
pub struct Run {
    pub code: i32,
    pub out: String,
    pub err: String,
}

impl Run {
    /// Standard output, then standard error.
    pub fn text(&self) -> String {
        format!("{}{}", self.out, self.err)
    }
}

/// Runs `ssis exec` with `args` as a process (the binary registers the
/// data flow engine; the in-process [`exec`] has none), with `env` set.
pub fn exec_process_with(args: &[&str], env: &[(&str, &std::ffi::OsStr)]) -> Run {
    let o = std::process::Command::new(ssis_bin::ssis_bin())
        .arg("exec")
        .args(args)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    Run {
        code: o.status.code().unwrap_or(-1),
        out: String::from_utf8_lossy(&o.stdout).into_owned(),
        err: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// [`exec_process_with`] without environment: its exit code and its
/// output (standard output, then standard error).
pub fn exec_process(args: &[&str]) -> (i32, String) {
    let run = exec_process_with(args, &[]);
    (run.code, run.text())
}

/// Runs `ssis exec` in-process with `args`.
pub fn exec(args: &[&str]) -> Run {
    let args: Vec<OsString> = args.iter().map(OsString::from).collect();
    let (out, err) = (Buf::default(), Buf::default());
    let code = run_cli(
        &args,
        SharedWriter::new(Box::new(out.clone())),
        SharedWriter::new(Box::new(err.clone())),
        &CancelToken::new(),
    );
    Run {
        code,
        out: out.text(),
        err: err.text(),
    }
}
