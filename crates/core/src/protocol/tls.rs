//! TLS material both sides load: the crypto provider (ring) and PEM
//! certificates. The server's configuration is in the daemon; the client's
//! in the client.

use crate::error::{Error, ErrorKind, Result};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use std::path::Path;
use std::sync::Arc;

/// The ring crypto provider, shared by the server and the client.
pub fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A PEM file that cannot be used, named.
pub fn pem_error(what: &str, path: &Path, e: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorKind::Configuration,
        format!("cannot read the {what} '{}': {e}", path.display()),
    )
    .with_file(path)
}

/// Reads every certificate of a PEM file.
pub fn read_certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>> {
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| pem_error("certificate file", path, e))?
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| pem_error("certificate file", path, e))?;
    if certs.is_empty() {
        return Err(pem_error(
            "certificate file",
            path,
            "it holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
        ));
    }
    Ok(certs)
}
