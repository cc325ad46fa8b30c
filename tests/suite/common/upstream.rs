//! An upstream HTTP(S) server for the tests of `exec --gateway`: it runs on
//! its own tokio runtime thread, on a random port of 127.0.0.1, records
//! every request it gets (method, target, headers, body) and how many it
//! serves at once, and answers by the last segment of the path:
//!
//! - `echo`: 200; the body is `METHOD TARGET`, one `name: value` line per
//!   request header, an empty line and the request's body; every request
//!   header (but the framing ones) comes back as an `x-echo-NAME` header.
//! - `stream`: 200, chunked: `chunk 1\n` ... `chunk 5\n`, 200 ms apart.
//! - `sse`: 200, `text/event-stream`: `data: event 1\n\n` ... 4 events,
//!   200 ms apart.
//! - `slow`: 200 `slow` after `?ms=N` milliseconds (300 by default).
//! - `split`: 200, chunked: `before ` and the first half of the request's
//!   Authorization value, then 300 ms later the second half and ` after`.
//! - anything else: 404 `upstream: no such route`.
//!
//! For HTTPS, `TestCa` is a CA made for one test; the server's certificate
//! (for `127.0.0.1` and `localhost`) is signed by it. Not for assertions.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::thread::JoinHandle;
use std::time::Duration;

use http_body_util::BodyExt;
use http_body_util::combinators::BoxBody;
use hyper::body::{Body, Bytes, Frame, Incoming};
use hyper::header::{HeaderName, HeaderValue};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use tokio::sync::{mpsc, oneshot};

/// One request as the upstream received it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    /// Path and query, as sent on the request line.
    pub target: String,
    /// Names in lower case, in the order received.
    pub headers: Vec<(String, Vec<u8>)>,
    pub body: Vec<u8>,
}

impl Seen {
    /// The first value of header `name` (any case), as text.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
    }

    /// Every header line and the body, to search for something that must
    /// not have arrived.
    pub fn everything(&self) -> Vec<u8> {
        let mut all = format!("{} {}\n", self.method, self.target).into_bytes();
        for (name, value) in &self.headers {
            all.extend_from_slice(name.as_bytes());
            all.extend_from_slice(b": ");
            all.extend_from_slice(value);
            all.push(b'\n');
        }
        all.extend_from_slice(&self.body);
        all
    }
}

#[derive(Default)]
struct State {
    seen: Mutex<Vec<Seen>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

/// A running upstream; stopped when dropped.
pub struct Upstream {
    addr: SocketAddr,
    scheme: &'static str,
    state: Arc<State>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Upstream {
    /// A plain HTTP upstream.
    pub fn http() -> Upstream {
        Upstream::start(None)
    }

    /// An HTTPS upstream whose certificate `ca` signed.
    pub fn https(ca: &TestCa) -> Upstream {
        Upstream::start(Some(ca.server_config()))
    }

    fn start(tls: Option<Arc<rustls::ServerConfig>>) -> Upstream {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind the upstream");
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let scheme = if tls.is_some() { "https" } else { "http" };
        let state = Arc::new(State::default());
        let (stop, stopped) = oneshot::channel();
        let thread = {
            let state = state.clone();
            std::thread::spawn(move || serve(listener, tls, state, stopped))
        };
        Upstream {
            addr,
            scheme,
            state,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `http(s)://127.0.0.1:PORT` followed by `path` (which starts with `/`,
    /// or is empty).
    pub fn url(&self, path: &str) -> String {
        format!("{}://{}{path}", self.scheme, self.addr)
    }

    /// `127.0.0.1:PORT`, as a Host header names it.
    pub fn authority(&self) -> String {
        self.addr.to_string()
    }

    /// How many requests arrived so far.
    pub fn count(&self) -> usize {
        self.state.seen.lock().unwrap().len()
    }

    /// The requests received so far, in order of arrival.
    pub fn seen(&self) -> Vec<Seen> {
        self.state.seen.lock().unwrap().clone()
    }

    /// The most requests it was ever serving at once.
    pub fn max_in_flight(&self) -> usize {
        self.state.max_in_flight.load(Ordering::SeqCst)
    }
}

impl Drop for Upstream {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The server's thread: accepts until told to stop; dropping the runtime
/// then ends every connection still open.
fn serve(
    listener: std::net::TcpListener,
    tls: Option<Arc<rustls::ServerConfig>>,
    state: Arc<State>,
    mut stopped: oneshot::Receiver<()>,
) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("the upstream's runtime");
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener).unwrap();
        let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
        loop {
            let accepted = tokio::select! {
                _ = &mut stopped => break,
                accepted = listener.accept() => accepted,
            };
            let Ok((tcp, _)) = accepted else { continue };
            let state = state.clone();
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |request| {
                    let state = state.clone();
                    async move { Ok::<_, Infallible>(handle(request, state).await) }
                });
                let http = hyper::server::conn::http1::Builder::new();
                match acceptor {
                    None => {
                        let _ = http.serve_connection(TokioIo::new(tcp), service).await;
                    }
                    Some(acceptor) => {
                        // A client that refuses the certificate ends here.
                        if let Ok(tls) = acceptor.accept(tcp).await {
                            let _ = http.serve_connection(TokioIo::new(tls), service).await;
                        }
                    }
                }
            });
        }
    });
}

type ResponseBody = BoxBody<Bytes, Infallible>;

/// Keeps the count of requests being served while it lives.
struct InFlight(Arc<State>);

impl InFlight {
    fn new(state: Arc<State>) -> InFlight {
        let now = state.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        state.max_in_flight.fetch_max(now, Ordering::SeqCst);
        InFlight(state)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn handle(request: Request<Incoming>, state: Arc<State>) -> Response<ResponseBody> {
    let in_flight = InFlight::new(state.clone());
    let (parts, body) = request.into_parts();
    let body = match body.collect().await {
        Ok(collected) => collected.to_bytes().to_vec(),
        Err(_) => Vec::new(),
    };
    let target = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.to_string(), |pq| pq.as_str().to_owned());
    let seen = Seen {
        method: parts.method.to_string(),
        target: target.clone(),
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| (n.as_str().to_owned(), v.as_bytes().to_vec()))
            .collect(),
        body,
    };
    state.seen.lock().unwrap().push(seen.clone());

    let path = parts.uri.path();
    let query = parts.uri.query().unwrap_or("");
    match path.rsplit('/').next().unwrap_or("") {
        "echo" => echo(&seen),
        "stream" => {
            let chunks = (1..=5).map(|i| format!("chunk {i}\n").into_bytes());
            streamed(&[], chunks.collect(), Duration::from_millis(200))
        }
        "sse" => {
            let events = (1..=4).map(|i| format!("data: event {i}\n\n").into_bytes());
            streamed(
                &[
                    ("content-type", "text/event-stream"),
                    ("cache-control", "no-cache"),
                ],
                events.collect(),
                Duration::from_millis(200),
            )
        }
        "slow" => {
            let ms = query
                .split('&')
                .find_map(|p| p.strip_prefix("ms="))
                .and_then(|ms| ms.parse().ok())
                .unwrap_or(300);
            tokio::time::sleep(Duration::from_millis(ms)).await;
            drop(in_flight);
            full(StatusCode::OK, "slow")
        }
        "split" => {
            let auth = seen
                .header("authorization")
                .unwrap_or_default()
                .into_bytes();
            let (first, second) = auth.split_at(auth.len() / 2);
            let mut head = b"before ".to_vec();
            head.extend_from_slice(first);
            let mut tail = second.to_vec();
            tail.extend_from_slice(b" after");
            streamed(&[], vec![head, tail], Duration::from_millis(300))
        }
        _ => full(StatusCode::NOT_FOUND, "upstream: no such route"),
    }
}

fn full(status: StatusCode, body: impl Into<Bytes>) -> Response<ResponseBody> {
    let mut response = Response::new(http_body_util::Full::new(body.into()).boxed());
    *response.status_mut() = status;
    response
}

fn echo(seen: &Seen) -> Response<ResponseBody> {
    let mut body = format!("{} {}\n", seen.method, seen.target).into_bytes();
    for (name, value) in &seen.headers {
        body.extend_from_slice(format!("{name}: ").as_bytes());
        body.extend_from_slice(value);
        body.push(b'\n');
    }
    body.push(b'\n');
    body.extend_from_slice(&seen.body);
    let mut response = full(StatusCode::OK, body);
    let headers = response.headers_mut();
    headers.insert("content-type", HeaderValue::from_static("text/plain"));
    for (name, value) in &seen.headers {
        if matches!(
            name.as_str(),
            "content-length" | "transfer-encoding" | "connection" | "host"
        ) {
            continue;
        }
        let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(format!("x-echo-{name}").as_bytes()),
            HeaderValue::from_bytes(value),
        ) else {
            continue;
        };
        headers.append(name, value);
    }
    response
}

/// A chunked response: the first chunk at once, each next one `gap` later.
fn streamed(
    headers: &[(&'static str, &'static str)],
    chunks: Vec<Vec<u8>>,
    gap: Duration,
) -> Response<ResponseBody> {
    let (tx, rx) = mpsc::channel(1);
    tokio::spawn(async move {
        for (i, chunk) in chunks.into_iter().enumerate() {
            if i > 0 {
                tokio::time::sleep(gap).await;
            }
            if tx.send(Bytes::from(chunk)).await.is_err() {
                return;
            }
        }
    });
    let mut response = Response::new(ChunkBody(rx).boxed());
    for (name, value) in headers {
        response
            .headers_mut()
            .insert(*name, HeaderValue::from_static(value));
    }
    response
}

/// A body of the chunks received on a channel, each sent as it comes.
struct ChunkBody(mpsc::Receiver<Bytes>);

impl Body for ChunkBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        self.0
            .poll_recv(cx)
            .map(|chunk| chunk.map(|c| Ok(Frame::data(c))))
    }
}

/// A certificate authority made for one test.
pub struct TestCa {
    issuer: Issuer<'static, KeyPair>,
    pem: String,
}

impl TestCa {
    pub fn new(name: &str) -> TestCa {
        let mut params = CertificateParams::new(Vec::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let key = KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        TestCa {
            issuer: Issuer::new(params, key),
            pem: cert.pem(),
        }
    }

    /// The CA's certificate, PEM.
    pub fn pem(&self) -> &str {
        &self.pem
    }

    /// A server configuration with a certificate for `127.0.0.1` and
    /// `localhost` that this CA signed.
    fn server_config(&self) -> Arc<rustls::ServerConfig> {
        let mut params =
            CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()]).unwrap();
        params
            .distinguished_name
            .push(DnType::CommonName, "gateway test upstream");
        params.use_authority_key_identifier_extension = true;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        let key = rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into());
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![cert.der().clone()], key)
            .unwrap();
        Arc::new(config)
    }
}

/// A request the test sends (to a gateway, as the program would), one
/// connection per request. The Host header is the URL's authority unless
/// `host` says otherwise.
#[derive(Clone, Debug)]
pub struct Call {
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    host: Option<String>,
}

/// What came back, with when each piece of the body arrived (counted from
/// when the request was sent).
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, Vec<u8>)>,
    pub body: Vec<u8>,
    pub arrivals: Vec<(Duration, Vec<u8>)>,
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The first value of header `name` (any case), as text.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
    }

    /// Every header line and the body, to search for what must not be there.
    pub fn everything(&self) -> Vec<u8> {
        let mut all = Vec::new();
        for (name, value) in &self.headers {
            all.extend_from_slice(name.as_bytes());
            all.extend_from_slice(b": ");
            all.extend_from_slice(value);
            all.push(b'\n');
        }
        all.extend_from_slice(&self.body);
        all
    }
}

impl Call {
    pub fn new(method: &str, url: &str) -> Call {
        Call {
            method: method.to_owned(),
            url: url.to_owned(),
            headers: Vec::new(),
            body: Vec::new(),
            host: None,
        }
    }

    pub fn get(url: &str) -> Call {
        Call::new("GET", url)
    }

    pub fn header(mut self, name: &str, value: &str) -> Call {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Call {
        self.body = body.into();
        self
    }

    /// Send this Host header instead of the URL's authority.
    pub fn host(mut self, host: &str) -> Call {
        self.host = Some(host.to_owned());
        self
    }

    /// Sends it and reads the whole reply (at most 20 s).
    pub fn send(self) -> Reply {
        send_all(vec![self]).pop().unwrap()
    }
}

/// Sends every call at once, each on its own connection, and returns the
/// replies in the same order (at most 20 s for all).
pub fn send_all(calls: Vec<Call>) -> Vec<Reply> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let tasks: Vec<_> = calls
            .into_iter()
            .map(|call| {
                tokio::spawn(async move {
                    let what = format!("{} {}", call.method, call.url);
                    match tokio::time::timeout(Duration::from_secs(20), send_one(call)).await {
                        Ok(Ok(reply)) => reply,
                        Ok(Err(error)) => panic!("{what}: {error}"),
                        Err(_) => panic!("{what}: no whole reply within 20 s"),
                    }
                })
            })
            .collect();
        let mut replies = Vec::new();
        for task in tasks {
            replies.push(
                task.await
                    .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic())),
            );
        }
        replies
    })
}

async fn send_one(call: Call) -> Result<Reply, String> {
    let rest = call
        .url
        .strip_prefix("http://")
        .ok_or("the test client speaks plain HTTP only")?;
    let (authority, target) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let tcp = tokio::net::TcpStream::connect(authority)
        .await
        .map_err(|e| format!("connect to {authority}: {e}"))?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(tcp))
        .await
        .map_err(|e| format!("handshake: {e}"))?;
    tokio::spawn(connection);
    let mut request = Request::builder()
        .method(call.method.as_str())
        .uri(target)
        .header("host", call.host.as_deref().unwrap_or(authority));
    for (name, value) in &call.headers {
        request = request.header(name, value);
    }
    let request = request
        .body(http_body_util::Full::new(Bytes::from(call.body)))
        .map_err(|e| format!("build the request: {e}"))?;
    let start = std::time::Instant::now();
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| format!("send: {e}"))?;
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(n, v)| (n.as_str().to_owned(), v.as_bytes().to_vec()))
        .collect();
    let mut body = response.into_body();
    let mut reply = Reply {
        status,
        headers,
        body: Vec::new(),
        arrivals: Vec::new(),
    };
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| format!("read the body: {e}"))?;
        if let Ok(data) = frame.into_data()
            && !data.is_empty()
        {
            reply.body.extend_from_slice(&data);
            reply.arrivals.push((start.elapsed(), data.to_vec()));
        }
    }
    Ok(reply)
}

/// A reply to a request written by hand (`raw`).
#[derive(Debug)]
pub struct RawReply {
    pub status: u16,
    pub head: String,
    pub body: Vec<u8>,
}

/// Writes `request` (a whole HTTP/1.1 request, which should say
/// `Connection: close`) to 127.0.0.1:`port` as is, for what clients will
/// not send (CONNECT, an absolute-form target), and reads the reply until
/// the server closes (at most 10 s).
pub fn raw(port: u16, request: &str) -> RawReply {
    use std::io::{Read, Write};
    let mut tcp = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    tcp.set_write_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    tcp.write_all(request.as_bytes()).unwrap();
    let mut all = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match tcp.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                all.extend_from_slice(&buf[..n]);
                if whole_reply(&all, false).is_some() {
                    break;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => panic!("reading the reply to {request:?}: {e}; got {all:?}"),
        }
    }
    whole_reply(&all, true).unwrap_or_else(|| {
        panic!(
            "no whole reply to {request:?}: {:?}",
            String::from_utf8_lossy(&all)
        )
    })
}

/// The reply in `bytes`, once all of it arrived (by Content-Length or
/// chunked framing, else once the server `closed`).
fn whole_reply(bytes: &[u8], closed: bool) -> Option<RawReply> {
    let end = bytes.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&bytes[..end]).into_owned();
    let rest = &bytes[end + 4..];
    let status = head.split(' ').nth(1)?.parse().ok()?;
    let header = |name: &str| {
        head.lines().skip(1).find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_owned())
        })
    };
    let body = if let Some(length) = header("content-length") {
        let length: usize = length.parse().ok()?;
        if rest.len() < length {
            return None;
        }
        rest[..length].to_vec()
    } else if header("transfer-encoding").is_some_and(|t| t.eq_ignore_ascii_case("chunked")) {
        let mut body = Vec::new();
        let mut at = rest;
        loop {
            let line_end = at.windows(2).position(|w| w == b"\r\n")?;
            let size = String::from_utf8_lossy(&at[..line_end]);
            let size = usize::from_str_radix(size.split(';').next()?.trim(), 16).ok()?;
            at = &at[line_end + 2..];
            if size == 0 {
                break;
            }
            if at.len() < size + 2 {
                return None;
            }
            body.extend_from_slice(&at[..size]);
            at = &at[size + 2..];
        }
        body
    } else if closed {
        rest.to_vec()
    } else {
        return None;
    };
    Some(RawReply { status, head, body })
}
