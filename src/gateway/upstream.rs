//! The gateway's client to its upstreams: HTTP/1.1 with keep-alive, HTTPS
//! through rustls checking the chain and host name against the system's
//! roots plus an optional CA file (`--gateway-ca`, for private CAs and
//! tests).

use anyhow::{Context, Result, bail};
use hyper::body::Incoming;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use rustls::RootCertStore;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

pub(super) type Client =
    hyper_util::client::legacy::Client<HttpsConnector<HttpConnector>, Incoming>;

/// How long connecting to an upstream may take before the request gets 502.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The certificates of a PEM file given as an extra CA; read before the
/// program starts, so a bad file is an error of `exec`, not a 502 later.
pub(super) fn read_ca_file(path: &Path) -> Result<Vec<CertificateDer<'static>>> {
    let certs = CertificateDer::pem_file_iter(path)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .with_context(|| format!("cannot read the gateway CA file {}", path.display()))?;
    if certs.is_empty() {
        bail!(
            "the gateway CA file {} holds no certificate (PEM expected)",
            path.display()
        );
    }
    let mut store = RootCertStore::empty();
    for cert in &certs {
        store.add(cert.clone()).with_context(|| {
            format!(
                "the gateway CA file {} holds a certificate that cannot be used",
                path.display()
            )
        })?;
    }
    Ok(certs)
}

/// The TLS settings for the run's upstreams. The system's roots are read
/// only when some upstream is HTTPS; a system without them trusts the extra
/// CA alone (and an upstream that needs them gets 502, unknown issuer).
/// Reading the roots takes a while: called on a blocking thread.
pub(super) fn tls_config(
    any_https: bool,
    extra_roots: Option<Vec<CertificateDer<'static>>>,
) -> Result<rustls::ClientConfig, String> {
    let mut roots = RootCertStore::empty();
    if any_https {
        roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
    }
    roots.add_parsable_certificates(extra_roots.unwrap_or_default());
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("cannot set up TLS: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// A client for the run's upstreams, with keep-alive, using `config` for
/// HTTPS.
pub(super) fn client(config: rustls::ClientConfig) -> Client {
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_nodelay(true);
    http.set_connect_timeout(Some(CONNECT_TIMEOUT));
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(config)
        .https_or_http()
        .enable_http1()
        .wrap_connector(http);
    hyper_util::client::legacy::Client::builder(TokioExecutor::new()).build(connector)
}

/// Why a request could not be sent, in a few words: the innermost cause
/// (connection refused, the certificate's problem, a timeout). Built from
/// errors of connecting, which carry no header or body.
pub(super) fn reason(error: &hyper_util::client::legacy::Error) -> String {
    let mut innermost: &dyn std::error::Error = error;
    while let Some(source) = innermost.source() {
        innermost = source;
    }
    let text = innermost.to_string();
    let text = text.lines().next().unwrap_or("").trim();
    if text.is_empty() {
        "the connection failed".to_owned()
    } else {
        text.to_owned()
    }
}
