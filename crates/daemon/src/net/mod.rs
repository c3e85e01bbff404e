//! Network endpoints of the service, besides the local socket:
//! - [`tcp`]: the optional TCP listeners of the `<Listen>` elements, with TLS
//!   (rustls, ring provider), or plain TCP on a loopback address only.
//!   Callers there are anonymous until the Hello carries a valid bearer token.
//! - [`dial_stdio`]: `ssis service dial-stdio`, which relays stdin/stdout to
//!   the local socket, so that `ssh host -- ssis service dial-stdio` gives a
//!   remote client a connection whose identity is the SSH login user.

pub mod dial_stdio;
pub mod tcp;
pub mod throttle;
pub mod tls;

pub use tcp::start;
