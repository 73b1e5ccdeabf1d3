//! TLS with rustls, following libpq's `sslmode` semantics:
//! - `disable`: no TLS; `allow`/`prefer`: TLS when the server offers it, certificate not checked;
//! - `require`: TLS, certificate not checked, unless `sslrootcert` is given (then as `verify-ca`);
//! - `verify-ca`: the chain must lead to a trusted root; `verify-full`: and match the host name.
//!
//! Roots come from `sslrootcert` (a PEM file, or `system` for the OS store), else
//! `~/.postgresql/root.crt` when it exists, else the OS store. `sslcert`/`sslkey` give a client
//! certificate.

use std::path::PathBuf;
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, Error as TlsError, RootCertStore, SignatureScheme,
};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::DbError;
use crate::config::{ResolvedParams, SslMode, env_var};

enum Verify {
    Nothing,
    Chain,
    ChainAndHost,
}

/// The TLS connector for these parameters, or `None` when TLS is disabled.
pub(super) fn connector(r: &ResolvedParams) -> Result<Option<MakeRustlsConnect>, DbError> {
    let fail = |message: String| DbError::Tls { target: r.display_target(), message };
    let verify = match r.sslmode {
        SslMode::Disable => return Ok(None),
        SslMode::Allow | SslMode::Prefer => Verify::Nothing,
        SslMode::Require if r.options.contains_key("sslrootcert") => Verify::Chain,
        SslMode::Require => Verify::Nothing,
        SslMode::VerifyCa => Verify::Chain,
        SslMode::VerifyFull => Verify::ChainAndHost,
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| fail(e.to_string()))?;
    let algorithms = provider.signature_verification_algorithms;
    let verifier: Arc<dyn ServerCertVerifier> = match verify {
        Verify::Nothing => Arc::new(Lenient { chain: None, algorithms }),
        Verify::Chain | Verify::ChainAndHost => {
            let roots = Arc::new(root_store(r).map_err(fail)?);
            let webpki = WebPkiServerVerifier::builder_with_provider(roots, provider)
                .build()
                .map_err(|e| fail(e.to_string()))?;
            if matches!(verify, Verify::Chain) { Arc::new(Lenient { chain: Some(webpki), algorithms }) } else { webpki }
        }
    };
    let builder = builder.dangerous().with_custom_certificate_verifier(verifier);
    let config = match (r.options.get("sslcert"), r.options.get("sslkey")) {
        (Some(cert), Some(key)) => {
            let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
                .and_then(|it| it.collect::<Result<_, _>>())
                .map_err(|e| fail(format!("cannot read sslcert {cert}: {e}")))?;
            let key = PrivateKeyDer::from_pem_file(key).map_err(|e| fail(format!("cannot read sslkey {key}: {e}")))?;
            builder.with_client_auth_cert(certs, key).map_err(|e| fail(e.to_string()))?
        }
        _ => builder.with_no_client_auth(),
    };
    Ok(Some(MakeRustlsConnect::new(config)))
}

fn root_store(r: &ResolvedParams) -> Result<RootCertStore, String> {
    let explicit = r.options.get("sslrootcert").cloned();
    let home_root = env_var("HOME").map(|h| PathBuf::from(h).join(".postgresql").join("root.crt"));
    let file = match explicit.as_deref() {
        Some("system") => None,
        Some(path) => Some(PathBuf::from(path)),
        None => home_root.filter(|p| p.is_file()),
    };
    let mut store = RootCertStore::empty();
    match file {
        Some(path) => {
            let certs = CertificateDer::pem_file_iter(&path)
                .and_then(|it| it.collect::<Result<Vec<_>, _>>())
                .map_err(|e| format!("cannot read sslrootcert {}: {e}", path.display()))?;
            let (added, _) = store.add_parsable_certificates(certs);
            if added == 0 {
                return Err(format!("sslrootcert {} holds no usable certificate", path.display()));
            }
        }
        None => {
            let native = rustls_native_certs::load_native_certs();
            store.add_parsable_certificates(native.certs);
            if store.is_empty() {
                return Err("no trusted root certificates found; set sslrootcert".to_string());
            }
        }
    }
    Ok(store)
}

/// libpq's weaker modes: with no chain verifier (`prefer`, `require`) any certificate is accepted —
/// the connection is encrypted but the server is not authenticated; with one (`verify-ca`) the
/// chain must be trusted but the host name is not checked. Handshake signatures are always verified.
#[derive(Debug)]
struct Lenient {
    chain: Option<Arc<WebPkiServerVerifier>>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for Lenient {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, TlsError> {
        let Some(chain) = &self.chain else { return Ok(ServerCertVerified::assertion()) };
        match chain.verify_server_cert(end_entity, intermediates, server_name, ocsp, now) {
            Err(TlsError::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, TlsError> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, TlsError> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}
