//! Where the `ssis` binary is, for tests and benches of the root package.
//!
//! The binary belongs to the `ssis-cli` package, so Cargo does not build it
//! for the root's tests by itself (`CARGO_BIN_EXE_ssis` is set only for a
//! package's own binaries). The first call builds it with the Cargo that
//! runs the tests, for the same target folder and profile (a no-op when it
//! is up to date), so a test never runs a stale `ssis`: it builds
//! `crates/cli/tests/readme.rs`, whose Cargo-built binary it is. Under Wine (Windows
//! tests) there is no Cargo to call: the binary must have been built first
//! (`scripts/windows-test.sh` does).

// Benches include this file too, some only on Unix.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The path of `ssis` (`ssis.exe`), built and up to date.
pub fn ssis_bin() -> &'static str {
    static BIN: OnceLock<String> = OnceLock::new();
    BIN.get_or_init(|| {
        let exe = std::env::current_exe().expect("the test binary's path");
        // <target dir>[/<triple>]/<profile>/deps/<test binary>
        let profile_dir = exe
            .parent()
            .and_then(Path::parent)
            .expect("the test binary sits in <profile>/deps");
        let bin = profile_dir.join(format!("ssis{}", std::env::consts::EXE_SUFFIX));
        if cfg!(unix) {
            build(profile_dir);
        }
        assert!(
            bin.is_file(),
            "{} does not exist: build it first with `cargo build -p ssis-cli --bin ssis` \
             (with the same --target and profile as the tests)",
            bin.display()
        );
        bin.to_str().expect("a UTF-8 target path").to_string()
    })
}

/// Builds `ssis` into `profile_dir` the way `cargo test --workspace` (the
/// README's test command) does: through the `ssis-cli` test that needs it,
/// so the binary is built with the same features and nothing is rebuilt.
fn build(profile_dir: &Path) {
    let Some(cargo) = std::env::var_os("CARGO") else {
        return; // Not run by Cargo: use what was built.
    };
    let profile = profile_dir
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("debug");
    let parent = profile_dir.parent().expect("a target folder");
    let mut command = Command::new(cargo);
    command.args([
        "test",
        "--no-run",
        "--quiet",
        "--workspace",
        "--test",
        "readme",
    ]);
    command.current_dir(env!("CARGO_MANIFEST_DIR"));
    // What Cargo sets for the test process is not the caller's environment:
    // build scripts that watch such a variable (ring watches
    // CARGO_MANIFEST_DIR) would otherwise rebuild everything.
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        let set_for_tests = name.starts_with("CARGO_PKG_")
            || name.starts_with("CARGO_BIN_")
            || matches!(
                &*name,
                "CARGO_MANIFEST_DIR"
                    | "CARGO_MANIFEST_PATH"
                    | "CARGO_CRATE_NAME"
                    | "CARGO_PRIMARY_PACKAGE"
                    | "CARGO_TARGET_TMPDIR"
                    | "CARGO_RUSTC_CURRENT_DIR"
                    | "OUT_DIR"
            );
        if set_for_tests {
            command.env_remove(&*name);
        }
    }
    match profile {
        "debug" => {}
        "release" => {
            command.arg("--release");
        }
        other => {
            command.args(["--profile", other]);
        }
    }
    // Cargo marks the root of a target folder with CACHEDIR.TAG; below it,
    // a folder named after a target triple holds cross builds.
    let target_dir: PathBuf = match parent.parent() {
        Some(root) if !parent.join("CACHEDIR.TAG").exists() => {
            let triple = parent.file_name().and_then(|n| n.to_str()).unwrap_or("");
            command.args(["--target", triple]);
            root.to_path_buf()
        }
        _ => parent.to_path_buf(),
    };
    command.arg("--target-dir").arg(target_dir);
    let status = command.status().expect("running cargo to build ssis");
    assert!(
        status.success(),
        "cargo build -p ssis-cli --bin ssis failed"
    );
}
