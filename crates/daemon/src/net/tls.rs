//! The server's TLS configuration: a PEM certificate chain and key, rustls
//! with the ring provider, TLS 1.2 and 1.3, no client certificates (callers
//! authenticate with a bearer token in Hello).

use rustls::ServerConfig;
use rustls_pki_types::PrivateKeyDer;
use rustls_pki_types::pem::PemObject;
use ssis_core::error::{Error, ErrorKind, Result};
use ssis_core::protocol::tls::{pem_error, provider, read_certificates};
use std::path::Path;
use std::sync::Arc;

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
