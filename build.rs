//! Build script: generates the C header and stamps the version.
//!
//! - Runs cbindgen (version pinned in Cargo.toml) over `src/ffi` with the committed
//!   `cbindgen.toml`, adding the `SSIS_VERSION_*` macros taken from Cargo.toml. The result
//!   goes to `$OUT_DIR/ssis_service.h`; `tests/ffi_header.rs` (run by `tests/c/check-header.sh`
//!   and CI) fails when it differs from the committed `include/ssis_service.h`. To refresh the
//!   committed header after changing `src/ffi`: `SSIS_UPDATE_HEADER=1 cargo build`, then commit.
//!   (It is also written when missing.)
//! - Passes the revision named by `$SSIS_GIT_REVISION` (release packaging
//!   sets it) to `ssis_version()` as `SSIS_BUILD_REVISION_SUFFIX`. Git is not
//!   asked: a commit that changes no source must rebuild nothing.
//! - Links the Linux cdylib with `-z nodelete`: the library owns threads (the tokio runtime),
//!   so `dlclose` must never unmap its code.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};

fn main() {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR"));

    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-changed=src/ffi");
    println!("cargo:rerun-if-env-changed=SSIS_UPDATE_HEADER");
    println!("cargo:rerun-if-env-changed=SSIS_GIT_REVISION");

    generate_header(&manifest_dir, &out_dir);
    stamp_revision();

    if env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-z,nodelete");
    }
}

/// Writes the header to `$OUT_DIR` and, when asked (or missing), to `include/`.
fn generate_header(manifest_dir: &Path, out_dir: &Path) {
    let config_path = manifest_dir.join("cbindgen.toml");
    let config = cbindgen::Config::from_file(&config_path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", config_path.display()));
    let version_macros = format!(
        "\n/* Version of the library this header belongs to (from Cargo.toml). */\n\
         #define SSIS_VERSION_MAJOR {}\n#define SSIS_VERSION_MINOR {}\n#define SSIS_VERSION_PATCH {}\n\
         #define SSIS_VERSION_STRING \"{}\"",
        env::var("CARGO_PKG_VERSION_MAJOR").expect("version"),
        env::var("CARGO_PKG_VERSION_MINOR").expect("version"),
        env::var("CARGO_PKG_VERSION_PATCH").expect("version"),
        env::var("CARGO_PKG_VERSION").expect("version"),
    );
    let bindings = cbindgen::Builder::new()
        .with_config(config)
        .with_after_include(version_macros)
        .with_src(manifest_dir.join("src/ffi/mod.rs"))
        .generate()
        .unwrap_or_else(|e| panic!("cbindgen failed on src/ffi: {e}"));

    let generated = out_dir.join("ssis_service.h");
    bindings.write_to_file(&generated);
    println!(
        "cargo:rustc-env=SSIS_GENERATED_HEADER={}",
        generated.display()
    );

    let committed = manifest_dir.join("include/ssis_service.h");
    let update = env::var("SSIS_UPDATE_HEADER").is_ok_and(|v| v == "1");
    if !update && committed.exists() {
        return;
    }
    let fresh = fs::read(&generated).expect("read generated header");
    if fs::read(&committed).ok().as_deref() != Some(fresh.as_slice()) {
        let _ = fs::create_dir_all(manifest_dir.join("include"));
        fs::write(&committed, &fresh)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", committed.display()));
        println!("cargo:warning=include/ssis_service.h regenerated from src/ffi: commit it");
    }
}

/// Sets `SSIS_BUILD_REVISION_SUFFIX` to `+<revision>` from `$SSIS_GIT_REVISION`,
/// or the empty string.
fn stamp_revision() {
    let suffix = match env::var("SSIS_GIT_REVISION") {
        Ok(r) if !r.trim().is_empty() && r.trim().chars().all(|c| c.is_ascii_alphanumeric()) => {
            format!("+{}", r.trim())
        }
        _ => String::new(),
    };
    println!("cargo:rustc-env=SSIS_BUILD_REVISION_SUFFIX={suffix}");
}
