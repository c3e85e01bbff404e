//! Library and ABI versions.

use std::ffi::{CStr, c_char};

/// The ABI version: bumped whenever a change breaks existing callers (a function removed
/// or changed, a status renumbered, a JSON property removed or retyped). Check
/// `ssis_abi_version() == SSIS_ABI_VERSION` after loading the library.
pub const SSIS_ABI_VERSION: i32 = 1;

/// `<crate version>[+<git revision>]`, NUL-terminated.
const VERSION: &CStr = match CStr::from_bytes_with_nul(
    concat!(
        env!("CARGO_PKG_VERSION"),
        env!("SSIS_BUILD_REVISION_SUFFIX"),
        "\0"
    )
    .as_bytes(),
) {
    Ok(version) => version,
    Err(_) => panic!("the version string contains a NUL byte"),
};

/// The library version, `MAJOR.MINOR.PATCH` optionally followed by `+<git revision>`
/// (for example `0.1.0+9796138abcde`). Static: do not free.
#[unsafe(no_mangle)]
pub extern "C" fn ssis_version() -> *const c_char {
    VERSION.as_ptr()
}

/// The ABI version of the loaded library; compare with `SSIS_ABI_VERSION`.
#[unsafe(no_mangle)]
pub extern "C" fn ssis_abi_version() -> i32 {
    SSIS_ABI_VERSION
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_starts_with_the_crate_version() {
        let v = unsafe { CStr::from_ptr(ssis_version()) }.to_str().unwrap();
        let (base, revision) = v.split_once('+').unwrap_or((v, ""));
        assert_eq!(base, env!("CARGO_PKG_VERSION"));
        assert!(revision.chars().all(|c| c.is_ascii_hexdigit()), "{v}");
        assert_eq!(ssis_abi_version(), SSIS_ABI_VERSION);
    }
}
