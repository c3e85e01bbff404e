//! The checked conversions of raw arguments. Every export turns its pointer
//! arguments into references through these macros, so the library's
//! dereferences of caller pointers are these few `unsafe` blocks (and the
//! helpers they call in `strings` and `session`), each justified by the
//! contract that every export states in its `# Safety` section: a pointer
//! argument is NULL or valid for the duration of the call. NULL and invalid
//! UTF-8 become invalid-argument errors naming the parameter.

/// A required `const char *` parameter, as `&str`.
macro_rules! str_arg {
    ($p:ident) => {
        str_arg!($p, stringify!($p))
    };
    ($p:ident, $name:expr) => {
        // SAFETY: the export's contract makes `$p` NULL or a NUL-terminated
        // string that outlives the call; `arg_str` checks NULL and UTF-8.
        unsafe { crate::ffi::strings::arg_str($p, $name) }
    };
}

/// An optional `const char *` parameter (NULL: `None`), as `Option<&str>`.
macro_rules! opt_str_arg {
    ($p:ident) => {
        opt_str_arg!($p, stringify!($p))
    };
    ($p:ident, $name:expr) => {
        // SAFETY: as `str_arg!`; NULL is allowed here.
        unsafe { crate::ffi::strings::opt_str($p, $name) }
    };
}

/// A `char **` output parameter, checked before any work is done and
/// written only on success.
macro_rules! out_arg {
    ($p:ident) => {
        // SAFETY: the export's contract makes `$p` NULL or writable storage for
        // one pointer for the duration of the call; `out_string` checks NULL.
        unsafe { crate::ffi::strings::out_string($p, stringify!($p)) }
    };
}

/// A `const ssis_session *` parameter, as `&Session`.
macro_rules! session_arg {
    ($p:ident) => {
        // SAFETY: the export's contract makes `$p` NULL or a handle from
        // `ssis_connect` not yet disconnected; `session_ref` checks NULL.
        unsafe { crate::ffi::session::session_ref($p, stringify!($p)) }
    };
}

/// A required store-path parameter, parsed (`\File System\Sales`); a
/// malformed path is an invalid-argument error naming the problem.
macro_rules! store_path_arg {
    ($p:ident) => {
        str_arg!($p).and_then(crate::store::StorePath::parse)
    };
}

/// An optional store-path parameter (NULL: `None`).
macro_rules! opt_store_path_arg {
    ($p:ident) => {
        opt_str_arg!($p).and_then(|p| p.map(crate::store::StorePath::parse).transpose())
    };
}

/// A required file-system path parameter, as `&Path`.
macro_rules! file_arg {
    ($p:ident) => {
        str_arg!($p).map(std::path::Path::new)
    };
}
