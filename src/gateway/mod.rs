//! The agent gateway: for the life of one `exec`, a small HTTP proxy on
//! loopback per `--gateway`, that takes the program's requests carrying a
//! token made for this run and sends them to the configured upstream with
//! the real credential in the token's place. The program gets the token
//! and the proxy's address, never the secret.
//!
//! `spec` reads what the user asked for; `proxy` decides each request;
//! `upstream` is the HTTPS client; `body` masks response bodies. This module
//! starts and stops the proxy on a thread of its own (a single-threaded
//! tokio runtime), so `exec`'s own threads are unchanged. Not an open proxy:
//! only the configured upstream, below its base path.

pub mod spec;

mod body;
mod proxy;
mod upstream;

use crate::exec::mask::Masker;
use crate::vault::Unsealed;
use crate::vault::location::Location;
use crate::vault::usage::{self, GatewayEntry};
use anyhow::{Context, Result};
use proxy::Route;
use spec::{Auth, GatewaySpec};
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::thread::JoinHandle;
use zeroize::Zeroizing;

/// A gateway ready to start: what was asked, and the credential's value
/// under the secret's stored name. Holds plaintext: never derive `Clone`,
/// `Debug` or `Serialize`.
pub struct Prepared {
    pub spec: GatewaySpec,
    /// The secret's name as stored (for masks and the log).
    pub stored_name: String,
    pub value: Zeroizing<Vec<u8>>,
}

/// What one gateway did in a run, for the audit log: no value, header or
/// body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayUse {
    pub variable: String,
    pub secret: String,
    pub upstream: String,
    pub requests: u64,
}

impl GatewayUse {
    /// The log entry's detail: `VAR -> HOST, N requests`.
    pub fn detail(&self) -> String {
        let plural = if self.requests == 1 { "" } else { "s" };
        format!(
            "{} -> {}, {} request{plural}",
            self.variable, self.upstream, self.requests
        )
    }
}

/// The gateways of a run, serving until `stop`.
pub struct Running {
    routes: Vec<Arc<Route>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
    variables: Vec<(String, String)>,
}

impl Running {
    /// Binds a loopback port for each gateway and starts serving on a
    /// thread of its own. The variables the program gets (`VAR`, `VAR_URL`)
    /// are ready when this returns; the system's root certificates are
    /// loaded on the gateway's thread, while the program starts.
    pub fn start(prepared: Vec<Prepared>, extra_ca: Option<&Path>) -> Result<Running> {
        let extra_roots = extra_ca.map(upstream::read_ca_file).transpose()?;
        let any_https = prepared.iter().any(|p| p.spec.upstream.https);
        let masker = Masker::new(
            prepared
                .iter()
                .map(|p| (p.stored_name.as_str(), p.value.as_slice())),
        )
        .map(Arc::new);
        let mut routes = Vec::with_capacity(prepared.len());
        let mut listeners = Vec::with_capacity(prepared.len());
        let mut variables = Vec::with_capacity(2 * prepared.len());
        for gateway in prepared {
            let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
                .and_then(|l| l.set_nonblocking(true).map(|()| l))
                .context("cannot open a port on 127.0.0.1 for the gateway")?;
            let port = listener.local_addr()?.port();
            let route = Route::new(gateway, port, masker.clone())?;
            variables.push((route.spec.variable.clone(), route.token().to_owned()));
            variables.push((
                route.spec.url_variable(),
                format!("http://127.0.0.1:{port}{}", route.spec.upstream.base_path),
            ));
            routes.push(Arc::new(route));
            listeners.push(listener);
        }
        let (stop, stopped) = tokio::sync::oneshot::channel();
        let serving: Vec<_> = routes.iter().cloned().zip(listeners).collect();
        let thread = std::thread::Builder::new()
            .name("gateway".to_owned())
            .spawn(move || proxy::serve(serving, any_https, extra_roots, stopped))
            .context("cannot start the gateway's thread")?;
        Ok(Running {
            routes,
            stop: Some(stop),
            thread: Some(thread),
            variables,
        })
    }

    /// `VAR` (the run's token) and `VAR_URL` (the gateway's address) for
    /// each gateway.
    pub fn variables(&self) -> &[(String, String)] {
        &self.variables
    }

    /// Stops serving (the ports close, requests in flight are cut) and says
    /// what each gateway did.
    pub fn stop(mut self) -> Vec<GatewayUse> {
        self.shut_down();
        self.routes
            .iter()
            .map(|route| GatewayUse {
                variable: route.spec.variable.clone(),
                secret: route.stored_name.clone(),
                upstream: route.spec.upstream.authority.clone(),
                requests: route.requests.load(Ordering::Relaxed),
            })
            .collect()
    }

    fn shut_down(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.shut_down();
    }
}

/// Starts a gateway for each of `specs`, each with the value of its secret
/// among `opened` (every secret opened for the run); `None` for none.
pub fn start_for(
    specs: &[GatewaySpec],
    opened: &[Unsealed],
    extra_ca: Option<&Path>,
) -> Result<Option<Running>> {
    if specs.is_empty() {
        return Ok(None);
    }
    let mut prepared = Vec::with_capacity(specs.len());
    for spec in specs {
        let Some(secret) = opened
            .iter()
            .find(|i| i.name.eq_ignore_ascii_case(&spec.secret))
        else {
            anyhow::bail!("secret '{}' was not opened for its gateway", spec.secret);
        };
        check_credential(spec, &secret.name, secret.value.as_bytes())?;
        prepared.push(Prepared {
            spec: spec.clone(),
            stored_name: secret.name.clone(),
            value: Zeroizing::new(secret.value.as_bytes().to_vec()),
        });
    }
    Running::start(prepared, extra_ca).map(Some)
}

/// Logs what the gateways of a run of `program` did, in the vault at
/// `vault` (`usage::log_gateway_use`).
pub fn log_use(vault: &Location, program: &str, uses: &[GatewayUse]) -> Result<()> {
    let entries: Vec<GatewayEntry> = uses
        .iter()
        .map(|used| GatewayEntry {
            secret: used.secret.clone(),
            detail: used.detail(),
        })
        .collect();
    usage::log_gateway_use(vault, program, &entries)
}

/// Refuses, before anything runs, a credential that cannot travel in an
/// HTTP header as the gateway's mechanism sends it (a line break or other
/// control character in a bearer or header value). Names only.
pub fn check_credential(spec: &GatewaySpec, stored_name: &str, value: &[u8]) -> Result<()> {
    let fits = match spec.auth {
        // Base64 carries any bytes.
        Auth::Basic(_) => true,
        Auth::Bearer | Auth::Header(_) => {
            !value.is_empty()
                && value
                    .iter()
                    .all(|&b| b == b'\t' || (b' '..=b'~').contains(&b) || b >= 0x80)
        }
    };
    if fits {
        return Ok(());
    }
    Err(crate::error::Failure::new(
        crate::error::EXEC_FAILED,
        format!(
            "secret '{stored_name}' cannot be sent in an HTTP header (it is empty or holds a line break or control character); nothing was run"
        ),
    )
    .with_hint(format!(
        "store the credential as the API expects it (`secrets update {stored_name}`), or use auth=basic"
    ))
    .into())
}
