//! The wire protocol between `ssis` clients and the service.
//!
//! One JSON object per line (UTF-8, `\n`-terminated) in each direction, at
//! most [`MAX_MESSAGE_SIZE`] bytes. The client opens with `Hello`, then sends
//! requests `{"Id", "Method", "Params"}`; the service answers each with
//! `{"Id", "Result"}` or `{"Id", "Error": {"Kind", "Message", "Target",
//! "Details"}}` (exactly [`crate::Error`]'s JSON). After
//! `EventsSubscribe` the service also pushes `{"Notification", "Params"}`
//! lines. See docs/PROTOCOL.md.
//!
//! [`Request`] is the one list of methods; their parameter and result
//! shapes live in one file per group: [`store`], [`executions`], [`events`],
//! [`service`], [`access`].

pub mod access;
pub mod codec;
pub mod decode;
pub mod envelope;
pub mod events;
pub mod executions;
pub mod paths;
#[cfg(unix)]
pub mod peer;
pub mod request;
pub mod service;
pub mod store;
pub mod tls;

pub use envelope::{Envelope, Notification, Response};
pub use request::{FileUse, Method, NamedFile, NoParams, Request};

/// Protocol version spoken by this build; bumped on incompatible change.
pub const PROTOCOL_VERSION: u32 = 1;

/// The largest message (one line, newline excluded) either side accepts
/// before `Hello`, and for every message but a package's content.
pub const MAX_MESSAGE_SIZE: usize = 1024 * 1024;

/// The largest package a client may import or export through the protocol.
pub const MAX_PACKAGE_SIZE: usize = 32 * 1024 * 1024;

/// The largest message the service accepts after `Hello`: room for a
/// package of [`MAX_PACKAGE_SIZE`] bytes in base64, and its envelope.
pub const MAX_GREETED_MESSAGE_SIZE: usize = MAX_PACKAGE_SIZE / 3 * 4 + 64 * 1024;

/// A package's bytes as the protocol carries them (`Content`: base64).
pub fn encode_content(data: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(data)
}

/// The bytes of a `Content` parameter or result; not base64, or larger than
/// [`MAX_PACKAGE_SIZE`], is an `InvalidArgument` error.
pub fn decode_content(text: &str) -> crate::Result<Vec<u8>> {
    use base64::Engine;
    if text.len() > MAX_PACKAGE_SIZE / 3 * 4 + 4 {
        return Err(crate::Error::invalid(format!(
            "the package is larger than the largest this product takes ({} MiB)",
            MAX_PACKAGE_SIZE / (1024 * 1024)
        ))
        .with_target("Content"));
    }
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|e| {
            crate::Error::invalid(format!("Content is not base64: {e}")).with_target("Content")
        })
}
