//! One gateway's decisions on each request: refuse what is not a request to
//! the configured upstream with this run's token in the credential's place;
//! forward the rest with the credential put in, and stream the response
//! back with the secret masked.
//!
//! Refusals never reach the upstream and never echo the request: a one-line
//! `secrets gateway: ...` body with the status that says why.

use super::Prepared;
use super::body::{self, GatewayBody};
use super::spec::{Auth, GatewaySpec};
use super::upstream::{self, Client};
use crate::exec::mask::Masker;
use anyhow::Result;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use hyper::body::Incoming;
use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use rustls::pki_types::CertificateDer;
use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use subtle::ConstantTimeEq;
use tokio::sync::OnceCell;
use zeroize::Zeroizing;

/// One gateway: its listener's port, the run's token, and the credential.
/// Holds plaintext (the credential, inside a header value): never derive
/// `Clone`, `Debug` or `Serialize`.
pub(super) struct Route {
    pub(super) spec: GatewaySpec,
    pub(super) stored_name: String,
    pub(super) requests: AtomicU64,
    port: u16,
    token: Zeroizing<String>,
    /// What goes in the credential's place (for basic: the secret alone,
    /// encoded with the user on each request).
    credential: Zeroizing<Vec<u8>>,
    /// The header value sent for bearer and named headers, made once.
    header_value: Option<HeaderValue>,
    masker: Option<Arc<Masker>>,
}

impl Route {
    pub(super) fn new(gateway: Prepared, port: u16, masker: Option<Arc<Masker>>) -> Result<Route> {
        let token = Zeroizing::new(format!("gws_{}", crate::random::token(40)?));
        let header_value = match &gateway.spec.auth {
            Auth::Basic(_) => None,
            Auth::Bearer => Some(sensitive(&[b"Bearer ", gateway.value.as_slice()].concat())?),
            Auth::Header(_) => Some(sensitive(&gateway.value)?),
        };
        Ok(Route {
            spec: gateway.spec,
            stored_name: gateway.stored_name,
            requests: AtomicU64::new(0),
            port,
            token,
            credential: gateway.value,
            header_value,
            masker,
        })
    }

    pub(super) fn token(&self) -> &str {
        &self.token
    }
}

fn sensitive(bytes: &[u8]) -> Result<HeaderValue> {
    let mut value = HeaderValue::from_bytes(bytes)
        .map_err(|_| anyhow::anyhow!("the credential cannot be sent in an HTTP header"))?;
    value.set_sensitive(true);
    Ok(value)
}

/// Serves every gateway until `stopped` fires (or its sender is dropped);
/// then the runtime goes, and with it every listener and connection.
pub(super) fn serve(
    gateways: Vec<(Arc<Route>, std::net::TcpListener)>,
    any_https: bool,
    extra_roots: Option<Vec<CertificateDer<'static>>>,
    stopped: tokio::sync::oneshot::Receiver<()>,
) {
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
    else {
        return;
    };
    runtime.block_on(async move {
        let client = Arc::new(LazyClient {
            client: OnceCell::new(),
            any_https,
            extra_roots,
        });
        // Made now, while the program starts, not on its first request.
        {
            let client = Arc::clone(&client);
            tokio::spawn(async move {
                client.get().await;
            });
        }
        for (route, listener) in gateways {
            let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                continue;
            };
            tokio::spawn(accept(listener, route, Arc::clone(&client)));
        }
        let _ = stopped.await;
    });
    // Without waiting for a name lookup still running on a blocking
    // thread: the program has ended, and so has every request's purpose.
    runtime.shutdown_background();
}

/// The client to the upstreams, made once by whichever asks first. The
/// system's roots load on a blocking thread: the runtime keeps serving, and
/// stopping it never waits for them (a short program's exec would).
struct LazyClient {
    client: OnceCell<Result<Client, String>>,
    any_https: bool,
    extra_roots: Option<Vec<CertificateDer<'static>>>,
}

impl LazyClient {
    async fn get(&self) -> &Result<Client, String> {
        self.client
            .get_or_init(|| async {
                let (any_https, extra_roots) = (self.any_https, self.extra_roots.clone());
                let config = tokio::task::spawn_blocking(move || {
                    upstream::tls_config(any_https, extra_roots)
                })
                .await
                .unwrap_or_else(|_| Err("cannot set up TLS".to_owned()))?;
                Ok(upstream::client(config))
            })
            .await
    }
}

async fn accept(listener: tokio::net::TcpListener, route: Arc<Route>, client: Arc<LazyClient>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            // Out of descriptors or similar: wait, as a server would.
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            continue;
        };
        let _ = stream.set_nodelay(true);
        let route = Arc::clone(&route);
        let client = Arc::clone(&client);
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                let route = Arc::clone(&route);
                let client = Arc::clone(&client);
                async move { Ok::<_, Infallible>(handle(request, &route, &client).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// The response to one request of the program's.
async fn handle(
    request: Request<Incoming>,
    route: &Route,
    client: &LazyClient,
) -> Response<GatewayBody> {
    if let Err((status, why)) = check(&request, route) {
        return refusal(status, &why);
    }
    let forwarded = match forward_request(request, route) {
        Ok(forwarded) => forwarded,
        Err((status, why)) => return refusal(status, &why),
    };
    route.requests.fetch_add(1, Ordering::Relaxed);
    match client.get().await {
        Ok(client) => send(client, forwarded, route).await,
        Err(why) => refusal(StatusCode::BAD_GATEWAY, why),
    }
}

async fn send(
    client: &Client,
    forwarded: Request<Incoming>,
    route: &Route,
) -> Response<GatewayBody> {
    let is_head = forwarded.method() == Method::HEAD;
    match client.request(forwarded).await {
        Ok(response) => masked_response(response, route, is_head),
        Err(error) => refusal(
            StatusCode::BAD_GATEWAY,
            &format!(
                "cannot reach {}: {}",
                route.spec.upstream.authority,
                upstream::reason(&error)
            ),
        ),
    }
}

/// Why a request is refused before anything is sent upstream.
type Refused = (StatusCode, String);

fn check(request: &Request<Incoming>, route: &Route) -> Result<(), Refused> {
    if request.method() == Method::CONNECT {
        return Err((
            StatusCode::METHOD_NOT_ALLOWED,
            "CONNECT is refused: this is not an open proxy".to_owned(),
        ));
    }
    if request.uri().scheme().is_some() || request.uri().authority().is_some() {
        return Err((
            StatusCode::BAD_REQUEST,
            format!(
                "requests name a path, not a URL: send them to {} only",
                route.spec.variable
            ) + "_URL",
        ));
    }
    if let Some(host) = request.headers().get(header::HOST)
        && !is_our_host(host, route.port)
    {
        return Err((
            StatusCode::MISDIRECTED_REQUEST,
            format!("this gateway serves 127.0.0.1:{} only", route.port),
        ));
    }
    if !route.spec.upstream.allows(request.uri().path()) {
        return Err((
            StatusCode::NOT_FOUND,
            format!(
                "only paths below {}/ are forwarded",
                if route.spec.upstream.base_path.is_empty() {
                    ""
                } else {
                    &route.spec.upstream.base_path
                }
            ),
        ));
    }
    if !carries_token(request.headers(), route) {
        return Err((
            StatusCode::UNAUTHORIZED,
            format!(
                "missing or wrong token: send ${} as {}",
                route.spec.variable,
                where_the_token_goes(&route.spec.auth)
            ),
        ));
    }
    Ok(())
}

fn is_our_host(host: &HeaderValue, port: u16) -> bool {
    let Ok(host) = host.to_str() else {
        return false;
    };
    let host = host.to_ascii_lowercase();
    host == format!("127.0.0.1:{port}") || host == format!("localhost:{port}")
}

fn where_the_token_goes(auth: &Auth) -> String {
    match auth {
        Auth::Bearer => "Authorization: Bearer <token>".to_owned(),
        Auth::Header(name) => format!("{name}: <token>"),
        Auth::Basic(_) => "the password of Authorization: Basic".to_owned(),
    }
}

/// Whether the token is where the credential belongs, alone: one header,
/// compared in constant time.
fn carries_token(headers: &HeaderMap, route: &Route) -> bool {
    let token = route.token.as_bytes();
    let same = |given: &[u8]| bool::from(given.ct_eq(token));
    match &route.spec.auth {
        Auth::Bearer => single(headers, &header::AUTHORIZATION)
            .and_then(|value| strip_scheme(value.as_bytes(), b"bearer "))
            .is_some_and(same),
        Auth::Header(name) => single(headers, &HeaderName::from_bytes(name.as_bytes()).ok())
            .is_some_and(|value| same(value.as_bytes())),
        Auth::Basic(_) => {
            basic_credentials(headers).is_some_and(|(_, password)| same(password.as_bytes()))
        }
    }
}

/// The value of `name` when the request has exactly one.
fn single<'h>(headers: &'h HeaderMap, name: &impl HeaderLookup) -> Option<&'h HeaderValue> {
    let name = name.header_name()?;
    let mut values = headers.get_all(name).iter();
    let first = values.next()?;
    values.next().is_none().then_some(first)
}

trait HeaderLookup {
    fn header_name(&self) -> Option<&HeaderName>;
}

impl HeaderLookup for HeaderName {
    fn header_name(&self) -> Option<&HeaderName> {
        Some(self)
    }
}

impl HeaderLookup for Option<HeaderName> {
    fn header_name(&self) -> Option<&HeaderName> {
        self.as_ref()
    }
}

fn strip_scheme<'v>(value: &'v [u8], scheme: &[u8]) -> Option<&'v [u8]> {
    let head = value.get(..scheme.len())?;
    head.eq_ignore_ascii_case(scheme)
        .then(|| &value[scheme.len()..])
}

/// `Authorization: Basic base64(user:password)`, decoded.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, Zeroizing<String>)> {
    let value = single(headers, &header::AUTHORIZATION)?;
    let encoded = strip_scheme(value.as_bytes(), b"basic ")?;
    let decoded = Zeroizing::new(BASE64.decode(encoded).ok()?);
    let text = std::str::from_utf8(&decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_owned(), Zeroizing::new(password.to_owned())))
}

/// Headers that belong to one connection, not to the request or response.
const HOP_BY_HOP: [&str; 8] = [
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

fn drop_hop_by_hop(headers: &mut HeaderMap) {
    let named: Vec<HeaderName> = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|name| HeaderName::from_bytes(name.trim().as_bytes()).ok())
        .collect();
    for name in named {
        headers.remove(name);
    }
    for name in HOP_BY_HOP {
        headers.remove(name);
    }
}

/// The request as the upstream gets it: same method, path and body; the
/// upstream's host; the credential in the token's place; no
/// `Accept-Encoding`, so that the response can be masked.
fn forward_request(
    request: Request<Incoming>,
    route: &Route,
) -> Result<Request<Incoming>, Refused> {
    let (mut parts, body) = request.into_parts();
    let path = parts
        .uri
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    let upstream = &route.spec.upstream;
    parts.uri = format!("{}{path}", upstream.origin())
        .parse()
        .map_err(|_| {
            (
                StatusCode::BAD_REQUEST,
                "the request's path is not valid".to_owned(),
            )
        })?;
    let headers = &mut parts.headers;
    let basic_user = basic_credentials(headers).map(|(user, _)| user);
    // The body arrives decoded from its chunks; its length, if it had one
    // besides, is not what was read (a smuggling trick): the client frames
    // it anew.
    if headers.contains_key(header::TRANSFER_ENCODING) {
        headers.remove(header::CONTENT_LENGTH);
    }
    drop_hop_by_hop(headers);
    headers.remove(header::ACCEPT_ENCODING);
    let host = HeaderValue::from_str(&upstream.authority).map_err(|_| {
        (
            StatusCode::BAD_GATEWAY,
            "the upstream's host is not valid".to_owned(),
        )
    })?;
    headers.insert(header::HOST, host);
    match &route.spec.auth {
        Auth::Bearer => {
            if let Some(value) = &route.header_value {
                headers.insert(header::AUTHORIZATION, value.clone());
            }
        }
        Auth::Header(name) => {
            if let (Ok(name), Some(value)) =
                (HeaderName::from_bytes(name.as_bytes()), &route.header_value)
            {
                headers.insert(name, value.clone());
            }
        }
        Auth::Basic(configured) => {
            let user = configured.clone().or(basic_user).unwrap_or_default();
            let mut pair =
                Zeroizing::new(Vec::with_capacity(user.len() + 1 + route.credential.len()));
            pair.extend_from_slice(user.as_bytes());
            pair.push(b':');
            pair.extend_from_slice(&route.credential);
            let encoded = Zeroizing::new(format!("Basic {}", BASE64.encode(pair.as_slice())));
            let value = sensitive(encoded.as_bytes()).map_err(|_| {
                (
                    StatusCode::BAD_REQUEST,
                    "the user name is not valid".to_owned(),
                )
            })?;
            headers.insert(header::AUTHORIZATION, value);
        }
    }
    Ok(Request::from_parts(parts, body))
}

/// The upstream's response on its way back: connection headers dropped,
/// every value masked in the other headers and the body.
fn masked_response(
    response: Response<Incoming>,
    route: &Route,
    is_head: bool,
) -> Response<GatewayBody> {
    let (mut parts, incoming) = response.into_parts();
    drop_hop_by_hop(&mut parts.headers);
    let Some(masker) = &route.masker else {
        return Response::from_parts(parts, body::plain(incoming));
    };
    for value in parts.headers.values_mut() {
        if let Some(masked) = body::mask_header(masker, value) {
            *value = masked;
        }
    }
    // A masked body may change length: it goes out chunked. A response
    // with no body keeps its length, which describes the resource.
    let bodiless = is_head
        || parts.status == StatusCode::NO_CONTENT
        || parts.status == StatusCode::NOT_MODIFIED;
    if !bodiless {
        parts.headers.remove(header::CONTENT_LENGTH);
    }
    Response::from_parts(parts, body::masked(incoming, Arc::clone(masker)))
}

/// A refusal: the status and one line saying why.
fn refusal(status: StatusCode, why: &str) -> Response<GatewayBody> {
    let mut response = Response::new(body::text(format!("secrets gateway: {why}\n")));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}
