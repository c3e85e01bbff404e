//! The server's TLS configuration: a PEM certificate chain and key, rustls
//! with the ring provider, TLS 1.2 and 1.3, no client certificates (callers
//! authenticate with a bearer token in Hello).

use crate::error::{Error, ErrorKind, Result};
use rustls::ServerConfig;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::path::Path;
use std::sync::Arc;

/// The ring crypto provider, shared by the server and the client.
pub fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn pem_error(what: &str, path: &Path, e: impl std::fmt::Display) -> Error {
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

/// The TLS server configuration for a certificate chain and key.
pub fn server_config(certificate: &Path, key: &Path) -> Result<Arc<ServerConfig>> {
    let certs = read_certificates(certificate)?;
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| pem_error("private key", key, e))?;
    let config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::internal(format!("TLS set-up failed: {e}")))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| {
            Error::new(
                ErrorKind::Configuration,
                format!(
                    "the certificate '{}' and its key do not make a TLS identity: {e}",
                    certificate.display()
                ),
            )
        })?;
    Ok(Arc::new(config))
}
