//! The server's TLS identity: a certificate given by path, or a self-signed one
//! made at start for the exposed host name, `localhost` and 127.0.0.1.

use std::path::Path;
use std::sync::Arc;

use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use sha2::{Digest, Sha256};

/// What the server presents, and what it prints so a client can trust it.
pub struct Identity {
    pub config: Arc<ServerConfig>,
    pub cert_pem: String,
    /// SHA-256 of the leaf certificate, colon-separated upper-case hex.
    pub fingerprint: String,
}

pub fn identity(host: &str, cert: Option<&Path>, key: Option<&Path>) -> Result<Identity, String> {
    let (chain, key, cert_pem) = match (cert, key) {
        (Some(cert), Some(key)) => {
            let pem = std::fs::read_to_string(cert).map_err(|e| format!("{}: {e}", cert.display()))?;
            let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(pem.as_bytes())
                .collect::<Result<_, _>>()
                .map_err(|e| format!("{}: {e}", cert.display()))?;
            let key = PrivateKeyDer::from_pem_file(key).map_err(|e| format!("{}: {e}", key.display()))?;
            (chain, key, pem)
        }
        _ => {
            let names = vec![host.to_string(), "localhost".to_string(), "127.0.0.1".to_string()];
            let made = rcgen::generate_simple_self_signed(names).map_err(|e| format!("making a certificate: {e}"))?;
            let pem = made.cert.pem();
            let der = made.cert.der().clone();
            let key = PrivateKeyDer::try_from(made.signing_key.serialize_der()).map_err(|e| e.to_string())?;
            (vec![der], key, pem)
        }
    };
    let leaf = chain.first().ok_or("the certificate file holds no certificate")?;
    let fingerprint = Sha256::digest(leaf.as_ref()).iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| format!("the certificate and key do not fit: {e}"))?;
    Ok(Identity { config: Arc::new(config), cert_pem, fingerprint })
}
