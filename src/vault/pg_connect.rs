//! Where a PostgreSQL vault lives and how to open one connection to it: the
//! `postgres://` URL completed as libpq completes it (URL parameters, then
//! the `PG*` environment variables, then the password file), TLS as
//! `sslmode` asks, and errors that name the vault but never its password.
//! Not the store: nothing here knows the vault's tables.
//!
//! Where we part from libpq, and why:
//! - We read `host`, `port`, `user`, `password`, `dbname`, `sslmode`,
//!   `sslrootcert`, `connect_timeout`, `application_name` and `schema`
//!   (ours). Any other URL parameter is refused, naming it, libpq's own ones
//!   too (`sslcert`, `target_session_attrs`, ...): ignoring a setting about
//!   certificates or which server to use would connect in a way the user did
//!   not ask for. So is `sslmode=allow` (plain text first). `PG*` variables
//!   we do not read (`PGHOSTADDR`, `PGAPPNAME`, `PGOPTIONS`, `PGSSLCERT`,
//!   ...) are ignored: the environment is shared with every PostgreSQL tool.
//! - `verify-ca` and `verify-full` without `sslrootcert` trust the system's
//!   roots (libpq would want `~/.postgresql/root.crt`).
//! - With an `sslrootcert` file, `prefer` and `require` check the chain as
//!   `verify-ca` does (as libpq); a failed check under `prefer` fails rather
//!   than retrying in plain text.
//! - A raw `@` after the host part is refused: a password with an unencoded
//!   `/` or `?` would otherwise end the user part early and be shown as a
//!   host or database name.
//! - The schema must be a plain identifier, and not one of PostgreSQL's own
//!   (`pg_*`). The store names it in every statement: no start-up
//!   `options` are sent (no `search_path`), which a connection pooler such
//!   as PgBouncer would refuse.
//! - `connect_timeout` bounds each socket connection (all tokio-postgres
//!   offers), not the TLS handshake and start-up that follow.
//!
//! As libpq: TLS is never used over a Unix socket, whatever `sslmode` says;
//! `sslrootcert=system` makes `verify-full` the default and refuses weaker
//! modes; the password file is ignored, with a warning, when its group or
//! others may use it, and matches the default socket directory as
//! `localhost` (another socket directory by its path).

use crate::error::{FAILED, Failure};
use anyhow::{Context, Result, anyhow, bail};
use postgres::NoTls;
use postgres::error::SqlState;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use std::fmt;
use std::fmt::Write as _;
use std::io::Read;
use std::net::IpAddr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio_postgres_rustls::MakeRustlsConnect;
use zeroize::{Zeroize, Zeroizing};

/// The URL parameters we read; every other one is refused.
const PARAMETERS: &[&str] = &[
    "host",
    "port",
    "user",
    "password",
    "dbname",
    "sslmode",
    "sslrootcert",
    "connect_timeout",
    "application_name",
    "schema",
];

/// libpq's parameters that we do not support: refused like unknown ones,
/// with a message that does not call them unknown.
const LIBPQ_ONLY_PARAMETERS: &[&str] = &[
    "hostaddr",
    "passfile",
    "require_auth",
    "channel_binding",
    "client_encoding",
    "options",
    "fallback_application_name",
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_count",
    "tcp_user_timeout",
    "replication",
    "gssencmode",
    "sslnegotiation",
    "sslcompression",
    "sslcert",
    "sslkey",
    "sslpassword",
    "sslcertmode",
    "sslcrl",
    "sslcrldir",
    "sslsni",
    "ssl_min_protocol_version",
    "ssl_max_protocol_version",
    "requirepeer",
    "krbsrvname",
    "gsslib",
    "gssdelegation",
    "service",
    "target_session_attrs",
    "load_balance_hosts",
];

const DEFAULT_PORT: u16 = 5432;
/// Where Debian's and Ubuntu's libpq look for the server's socket.
const DEFAULT_SOCKET_DIR: &str = "/var/run/postgresql";
const DEFAULT_SCHEMA: &str = "secrets";
const APPLICATION_NAME: &str = "secrets";
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// libpq's floor: one second can run out before a healthy server answers.
const MIN_CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// Sent in the TLS handshake, as libpq 17 does; older servers ignore it.
const ALPN_POSTGRESQL: &[u8] = b"postgresql";

/// Whether `text` names a PostgreSQL vault (`postgres://` or
/// `postgresql://`, case-insensitive scheme).
pub fn is_postgres_url(text: &str) -> bool {
    strip_scheme(text).is_some()
}

fn strip_scheme(text: &str) -> Option<&str> {
    ["postgres://", "postgresql://"].iter().find_map(|scheme| {
        let head = text.get(..scheme.len())?;
        head.eq_ignore_ascii_case(scheme)
            .then(|| &text[scheme.len()..])
    })
}

/// Where a PostgreSQL vault lives and how to reach it: URL parameters, then
/// the standard PG* variables, then ~/.pgpass (or PGPASSFILE) for a
/// password, as libpq does. Holds the password: its `Debug` shows only
/// [`Target::shown`].
pub struct Target {
    endpoints: Vec<Endpoint>,
    user: String,
    dbname: String,
    schema: String,
    ssl_mode: SslMode,
    root_certs: Option<RootCerts>,
    connect_timeout: Option<Duration>,
    application_name: String,
    /// From the URL or PGPASSWORD: for every host.
    password: Option<Password>,
}

/// One host to try, in order, with the password file's password for it.
struct Endpoint {
    host: Host,
    port: u16,
    pass_file_password: Option<Password>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Host {
    /// A host name or IP address, as given (IPv6 without brackets).
    Tcp(String),
    /// The directory holding the server's socket.
    Socket(String),
}

/// A password and where it came from (for the hint when it is refused).
/// Never derive `Clone`, `Debug` or `Serialize`; zeroed on drop.
struct Password {
    text: Zeroizing<String>,
    source: PasswordSource,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum PasswordSource {
    Url,
    Environment,
    File(PathBuf),
}

/// libpq's `sslmode` values, but `allow` (plain text first) which we refuse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SslMode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

const SSL_MODES: [SslMode; 5] = [
    SslMode::Disable,
    SslMode::Prefer,
    SslMode::Require,
    SslMode::VerifyCa,
    SslMode::VerifyFull,
];

impl SslMode {
    fn name(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }

    /// `text` as a mode; `source` names where it came from in the error.
    fn parse(text: &str, source: &str) -> Result<SslMode> {
        if let Some(mode) = SSL_MODES.into_iter().find(|mode| mode.name() == text) {
            return Ok(mode);
        }
        let accepted: Vec<&str> = SSL_MODES.iter().map(|mode| mode.name()).collect();
        bail!(
            "unknown sslmode {} in {source}: use {}",
            quoted_if_plain(text),
            accepted.join(", ")
        )
    }
}

/// Which certificates `sslrootcert` trusts.
#[derive(Clone, Debug, PartialEq, Eq)]
enum RootCerts {
    /// A PEM file of one or more certificates.
    File(PathBuf),
    /// The system's roots (`sslrootcert=system`, or none given for verify-*).
    System,
}

/// What the TLS handshake checks of the server's certificate.
#[derive(Debug, PartialEq, Eq)]
enum Trust {
    Plain,
    /// Any certificate; the handshake's signatures are still checked.
    AnyCertificate,
    /// A chain to these roots, whatever name the certificate is for.
    Chain(RootCerts),
    /// A chain to these roots, for the host name connected to.
    ChainAndName(RootCerts),
}

/// What the process can tell about its user and machine; tests fake it.
trait Env {
    /// An environment variable; an empty one reads as unset.
    fn var(&self, name: &str) -> Result<Option<String>>;
    /// The name of the user this process runs as.
    fn os_user(&self) -> Option<String>;
    fn home(&self) -> Option<PathBuf>;
    fn is_dir(&self, path: &Path) -> bool;
}

/// The real process environment.
struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, name: &str) -> Result<Option<String>> {
        match std::env::var(name) {
            Ok(value) if value.is_empty() => Ok(None),
            Ok(value) => Ok(Some(value)),
            Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => bail!("{name} is not valid UTF-8"),
        }
    }

    fn os_user(&self) -> Option<String> {
        passwd_user_name().or_else(|| std::env::var("USER").ok().filter(|u| !u.is_empty()))
    }

    fn home(&self) -> Option<PathBuf> {
        dirs::home_dir()
    }

    fn is_dir(&self, path: &Path) -> bool {
        path.is_dir()
    }
}

/// The effective user's name from the password database, as libpq takes it.
fn passwd_user_name() -> Option<String> {
    let uid = crate::files::effective_uid();
    let mut buffer = vec![0u8; 1024];
    loop {
        let mut entry = std::mem::MaybeUninit::<libc::passwd>::uninit();
        let mut found: *mut libc::passwd = std::ptr::null_mut();
        // SAFETY: every pointer is to memory of ours that outlives the call,
        // and the buffer's real length is passed; on success `found` points
        // at `entry`, whose strings live in `buffer`.
        let rc = unsafe {
            libc::getpwuid_r(
                uid,
                entry.as_mut_ptr(),
                buffer.as_mut_ptr().cast(),
                buffer.len(),
                &mut found,
            )
        };
        if rc == libc::ERANGE && buffer.len() < 1 << 20 {
            buffer.resize(buffer.len() * 4, 0);
            continue;
        }
        if rc != 0 || found.is_null() {
            return None;
        }
        // SAFETY: getpwuid_r succeeded, so `entry` is initialized and its
        // `pw_name` is a NUL-terminated string inside `buffer`, still alive.
        let name = unsafe { std::ffi::CStr::from_ptr(entry.assume_init_ref().pw_name) };
        return name
            .to_str()
            .ok()
            .filter(|n| !n.is_empty())
            .map(str::to_owned);
    }
}

/// What the URL says, decoded, before defaults. Empty values read as unset,
/// but for `schema`, which must then be valid.
#[derive(Default)]
struct UrlSettings {
    /// Host entries in order; "" means the default host.
    hosts: Option<Vec<String>>,
    /// Port entries; "" means the default port.
    ports: Option<Vec<String>>,
    user: Option<String>,
    password: Option<Zeroizing<String>>,
    dbname: Option<String>,
    sslmode: Option<String>,
    sslrootcert: Option<String>,
    connect_timeout: Option<String>,
    application_name: Option<String>,
    schema: Option<String>,
}

impl Target {
    /// Reads `url`, completing it from the environment and the password
    /// file; warns on stderr about a password file it has to ignore.
    pub fn parse(url: &str) -> Result<Target> {
        Target::parse_in(url, &ProcessEnv, &mut |warning| {
            crate::output::warning(&warning);
        })
    }

    fn parse_in(url: &str, env: &dyn Env, warn: &mut dyn FnMut(String)) -> Result<Target> {
        let settings = parse_url(url).context("invalid PostgreSQL URL")?;
        resolve(settings, env, warn)
    }

    /// The URL as shown to people: scheme, user, host(s), port, database,
    /// schema and sslmode, never a password. Used in every message that
    /// names the vault.
    pub fn shown(&self) -> String {
        format!(
            "postgres://{}@{}/{}?schema={}&sslmode={}",
            encoded(&self.user),
            self.hosts_shown(),
            encoded(&self.dbname),
            self.schema,
            self.ssl_mode.name()
        )
    }

    /// The schema that holds the vault's tables: `?schema=NAME` in the URL,
    /// else "secrets".
    pub fn schema(&self) -> &str {
        &self.schema
    }

    /// A stable key for this vault's location: the hosts and ports, the
    /// database and the schema, canonical (the same for equivalent URLs).
    /// The user and the TLS settings are not part of it: they are how one
    /// reaches the vault, not where it is.
    pub fn location_key(&self) -> String {
        format!(
            "postgres://{}/{}?schema={}",
            self.hosts_shown(),
            encoded(&self.dbname),
            self.schema
        )
    }

    /// Opens one connection, trying each host in order: TLS per sslmode,
    /// application_name "secrets", the connect timeout (default 10 s). The password is handed
    /// to the `postgres` crate, whose copy is freed, not zeroed, once the
    /// connection is made: nothing here can reach it.
    pub fn connect(&self) -> Result<postgres::Client> {
        let tls = self
            .tls()
            .with_context(|| format!("cannot connect to the vault at {}", self.shown()))?;
        let mut failures = Vec::new();
        for endpoint in &self.endpoints {
            match self.connect_to(endpoint, tls.as_ref()) {
                Ok(client) => return Ok(client),
                Err(error) => failures.push((endpoint, error)),
            }
        }
        Err(self.failure(&failures))
    }

    fn hosts_shown(&self) -> String {
        let shown: Vec<String> = self.endpoints.iter().map(Endpoint::shown).collect();
        shown.join(",")
    }

    fn password_for<'a>(&'a self, endpoint: &'a Endpoint) -> Option<&'a Password> {
        self.password
            .as_ref()
            .or(endpoint.pass_file_password.as_ref())
    }

    fn trust(&self) -> Trust {
        let roots = self.root_certs.clone();
        match self.ssl_mode {
            SslMode::Disable => Trust::Plain,
            SslMode::Prefer | SslMode::Require => match roots {
                Some(roots) => Trust::Chain(roots),
                None => Trust::AnyCertificate,
            },
            SslMode::VerifyCa => Trust::Chain(roots.unwrap_or(RootCerts::System)),
            SslMode::VerifyFull => Trust::ChainAndName(roots.unwrap_or(RootCerts::System)),
        }
    }

    /// The TLS connector, or `None` for plain connections. Roots are read
    /// only here, and system roots only for the modes that need them: they
    /// are slow to load, and `exec` must start fast.
    fn tls(&self) -> Result<Option<MakeRustlsConnect>> {
        let only_sockets = self
            .endpoints
            .iter()
            .all(|endpoint| matches!(endpoint.host, Host::Socket(_)));
        if only_sockets {
            return Ok(None);
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier: Arc<dyn ServerCertVerifier> = match self.trust() {
            Trust::Plain => return Ok(None),
            Trust::AnyCertificate => Arc::new(AnyCertificate::new(&provider)),
            Trust::Chain(roots) => Arc::new(ChainOnly(webpki_verifier(&roots, &provider)?)),
            Trust::ChainAndName(roots) => webpki_verifier(&roots, &provider)?,
        };
        let mut config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .context("cannot set up TLS")?
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth();
        config.alpn_protocols = vec![ALPN_POSTGRESQL.to_vec()];
        Ok(Some(MakeRustlsConnect::new(config)))
    }

    fn connect_to(
        &self,
        endpoint: &Endpoint,
        tls: Option<&MakeRustlsConnect>,
    ) -> std::result::Result<postgres::Client, postgres::Error> {
        let tls = tls.filter(|_| matches!(endpoint.host, Host::Tcp(_)));
        let config = self.config(endpoint, tls.is_some());
        match tls {
            Some(tls) => config.connect(tls.clone()),
            None => config.connect(NoTls),
        }
    }

    fn config(&self, endpoint: &Endpoint, use_tls: bool) -> postgres::Config {
        let mut config = postgres::Config::new();
        match &endpoint.host {
            Host::Tcp(host) => config.host(host),
            Host::Socket(dir) => config.host_path(dir),
        };
        config
            .port(endpoint.port)
            .user(&self.user)
            .dbname(&self.dbname)
            .application_name(&self.application_name)
            .ssl_mode(self.postgres_ssl_mode(use_tls));
        if let Some(timeout) = self.connect_timeout {
            config.connect_timeout(timeout);
        }
        if let Some(password) = self.password_for(endpoint) {
            config.password(password.text.as_bytes());
        }
        config
    }

    fn postgres_ssl_mode(&self, use_tls: bool) -> postgres::config::SslMode {
        use postgres::config::SslMode as Mode;
        match self.ssl_mode {
            _ if !use_tls => Mode::Disable,
            SslMode::Disable => Mode::Disable,
            SslMode::Prefer => Mode::Prefer,
            SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => Mode::Require,
        }
    }

    /// One line naming the vault and why each host failed, with a hint when
    /// a password was refused or missing.
    fn failure(&self, failures: &[(&Endpoint, postgres::Error)]) -> anyhow::Error {
        let causes: Vec<String> = match failures {
            [(endpoint, error)] => vec![self.describe(endpoint, error)],
            _ => failures
                .iter()
                .map(|(endpoint, error)| {
                    format!("{}: {}", endpoint.shown(), self.describe(endpoint, error))
                })
                .collect(),
        };
        let message = format!(
            "cannot connect to the vault at {}: {}",
            self.shown(),
            causes.join("; ")
        );
        let hint = failures
            .iter()
            .find_map(|(endpoint, error)| self.password_hint(endpoint, error));
        match hint {
            Some(hint) => Failure::new(FAILED, message).with_hint(hint).into(),
            None => anyhow!(message),
        }
    }

    /// The useful cause in `error`: the server's message, the TLS or socket
    /// failure, rather than the `postgres` crate's generic wording.
    fn describe(&self, endpoint: &Endpoint, error: &postgres::Error) -> String {
        if let Some(db) = error.as_db_error() {
            return db.message().to_owned();
        }
        let mut last = None;
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            if let Some(tls) = cause.downcast_ref::<rustls::Error>() {
                return describe_tls(tls, endpoint);
            }
            if let Some(io) = cause.downcast_ref::<std::io::Error>() {
                let inner = io.get_ref().and_then(|e| e.downcast_ref::<rustls::Error>());
                return match inner {
                    Some(tls) => describe_tls(tls, endpoint),
                    None => self.describe_io(io, endpoint),
                };
            }
            last = Some(cause);
            source = cause.source();
        }
        match last {
            Some(cause) if is_password_missing(cause) => {
                "the server asks for a password and none was found".to_owned()
            }
            // The crate's wording says what went wrong, the cause in what.
            Some(cause) => format!("{error}: {cause}"),
            None => error.to_string(),
        }
    }

    fn describe_io(&self, error: &std::io::Error, endpoint: &Endpoint) -> String {
        use std::io::ErrorKind;
        match (error.kind(), &endpoint.host) {
            (ErrorKind::ConnectionRefused, _) => "connection refused".to_owned(),
            (ErrorKind::TimedOut, _) => match self.connect_timeout {
                Some(timeout) => format!("no answer within {} s", timeout.as_secs()),
                None => "timed out".to_owned(),
            },
            (ErrorKind::NotFound, Host::Socket(dir)) => {
                format!("no server socket for port {} in {dir}", endpoint.port)
            }
            (ErrorKind::PermissionDenied, _) => "permission denied".to_owned(),
            (ErrorKind::ConnectionReset, _) => "the server closed the connection".to_owned(),
            (ErrorKind::UnexpectedEof, _) => "the server closed the connection".to_owned(),
            _ => error.to_string(),
        }
    }

    fn password_hint(&self, endpoint: &Endpoint, error: &postgres::Error) -> Option<String> {
        let refused = error.code() == Some(&SqlState::INVALID_PASSWORD);
        let missing = std::error::Error::source(error).is_some_and(is_password_missing);
        if !refused && !missing {
            return None;
        }
        let hint = match self.password_for(endpoint).map(|p| &p.source) {
            Some(PasswordSource::Url) => "the password came from the URL: check it".to_owned(),
            Some(PasswordSource::Environment) => {
                "the password came from PGPASSWORD: check it".to_owned()
            }
            Some(PasswordSource::File(path)) => format!(
                "the password came from {}: check its line for this server",
                path.display()
            ),
            None => "give the password in ~/.pgpass (a line host:port:database:user:password, \
                     mode 0600) or in PGPASSWORD"
                .to_owned(),
        };
        Some(hint)
    }
}

impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Target")
            .field("url", &self.shown())
            .finish_non_exhaustive()
    }
}

impl Endpoint {
    /// `host:port`, canonical: IP addresses normalized (IPv6 in brackets),
    /// host names in lower case, a socket directory percent-encoded.
    fn shown(&self) -> String {
        let host = match &self.host {
            Host::Tcp(name) => match name.parse::<IpAddr>() {
                Ok(IpAddr::V6(ip)) => format!("[{ip}]"),
                Ok(IpAddr::V4(ip)) => ip.to_string(),
                Err(_) => encoded(&name.to_ascii_lowercase()),
            },
            Host::Socket(dir) => encoded(dir),
        };
        format!("{host}:{}", self.port)
    }

    /// The host as the password file names it: libpq matches a connection
    /// through the default socket directory against `localhost`.
    fn pass_file_host(&self) -> &str {
        match &self.host {
            Host::Tcp(name) => name,
            Host::Socket(dir) if dir == DEFAULT_SOCKET_DIR => "localhost",
            Host::Socket(dir) => dir,
        }
    }
}

fn is_password_missing(error: &(dyn std::error::Error + 'static)) -> bool {
    // tokio-postgres reports this only as text (a configuration error).
    error.to_string() == "password missing"
}

fn describe_tls(error: &rustls::Error, endpoint: &Endpoint) -> String {
    let host = match &endpoint.host {
        Host::Tcp(name) => name.as_str(),
        Host::Socket(dir) => dir.as_str(),
    };
    match error {
        rustls::Error::InvalidCertificate(
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
        ) => format!(
            "the server's certificate is not valid for {host} (sslmode=verify-full checks the host name)"
        ),
        rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer) => {
            "the server's certificate is not signed by a trusted root (unknown issuer; see sslrootcert)"
                .to_owned()
        }
        rustls::Error::InvalidCertificate(
            CertificateError::Expired | CertificateError::ExpiredContext { .. },
        ) => "the server's certificate has expired".to_owned(),
        other => format!("TLS: {other}"),
    }
}

/// A verifier for the roots, checking chain and host name (verify-full).
fn webpki_verifier(
    roots: &RootCerts,
    provider: &Arc<CryptoProvider>,
) -> Result<Arc<WebPkiServerVerifier>> {
    let store = root_store(roots)?;
    WebPkiServerVerifier::builder_with_provider(Arc::new(store), Arc::clone(provider))
        .build()
        .context("cannot set up certificate checks")
}

fn root_store(roots: &RootCerts) -> Result<RootCertStore> {
    let mut store = RootCertStore::empty();
    match roots {
        RootCerts::File(path) => {
            for cert in pem_certificates(path)? {
                store
                    .add(cert)
                    .with_context(|| format!("sslrootcert file {}", path.display()))?;
            }
        }
        RootCerts::System => {
            let loaded = rustls_native_certs::load_native_certs();
            if loaded.certs.is_empty() {
                match loaded.errors.first() {
                    Some(error) => bail!("cannot read the system's root certificates: {error}"),
                    None => bail!("the system has no root certificates"),
                }
            }
            store.add_parsable_certificates(loaded.certs);
        }
    }
    Ok(store)
}

fn pem_certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>> {
    let unreadable = |error: rustls::pki_types::pem::Error| {
        anyhow!("cannot read sslrootcert file {}: {error}", path.display())
    };
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(unreadable)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(unreadable)?;
    if certs.is_empty() {
        bail!("sslrootcert file {} holds no certificate", path.display());
    }
    Ok(certs)
}

/// `require` and `prefer` without a root certificate, as libpq: any
/// certificate is taken, but the handshake's signatures must still be made
/// by its key, so the session is encrypted to whoever holds that key.
#[derive(Debug)]
struct AnyCertificate {
    algorithms: WebPkiSupportedAlgorithms,
}

impl AnyCertificate {
    fn new(provider: &CryptoProvider) -> Self {
        AnyCertificate {
            algorithms: provider.signature_verification_algorithms,
        }
    }
}

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// verify-ca: the full check but for the host name. webpki checks the
/// chain before the name, so a name error means the chain was good.
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        let checked =
            self.0
                .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now);
        match checked {
            Err(rustls::Error::InvalidCertificate(
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
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// `postgres://[user[:password]@][host][:port][,...][/dbname][?param=value&...]`,
/// every part percent-decoded.
fn parse_url(url: &str) -> Result<UrlSettings> {
    let rest = strip_scheme(url)
        .ok_or_else(|| anyhow!("it must start with postgres:// or postgresql://"))?;
    let (before_query, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (authority, path) = before_query.split_once('/').unwrap_or((before_query, ""));
    if path.contains('@') || query.contains('@') {
        bail!(
            "an '@' after the host part must be written %40 (a password with '/', '?' or '@' \
             in it must be percent-encoded)"
        );
    }
    let mut settings = UrlSettings::default();
    parse_authority(authority, &mut settings)?;
    settings.dbname = non_empty(decoded(path)?);
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        parse_parameter(pair, &mut settings)?;
    }
    Ok(settings)
}

fn parse_authority(authority: &str, settings: &mut UrlSettings) -> Result<()> {
    let (user_info, host_list) = match authority.rsplit_once('@') {
        Some((user_info, host_list)) => (Some(user_info), host_list),
        None => (None, authority),
    };
    if let Some(user_info) = user_info {
        let (user, password) = match user_info.split_once(':') {
            Some((user, password)) => (user, Some(password)),
            None => (user_info, None),
        };
        settings.user = non_empty(decoded(user)?);
        if let Some(password) = password {
            let password = Zeroizing::new(decoded(password)?);
            settings.password = (!password.is_empty()).then_some(password);
        }
    }
    if host_list.is_empty() {
        return Ok(());
    }
    let mut hosts = Vec::new();
    let mut ports = Vec::new();
    for spec in host_list.split(',') {
        let (host, port) = split_host_port(spec)?;
        hosts.push(decoded(host)?);
        ports.push(decoded(port.unwrap_or(""))?);
    }
    // An empty host part (`postgres://:5433/db`) leaves PGHOST in force,
    // as libpq; and ports count only when one is given.
    if hosts.iter().any(|host| !host.is_empty()) {
        settings.hosts = Some(hosts);
    }
    if ports.iter().any(|port| !port.is_empty()) {
        settings.ports = Some(ports);
    }
    Ok(())
}

/// `host[:port]` or `[ipv6][:port]`.
fn split_host_port(spec: &str) -> Result<(&str, Option<&str>)> {
    let Some(bracketed) = spec.strip_prefix('[') else {
        return Ok(match spec.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (spec, None),
        });
    };
    let (address, after) = bracketed
        .split_once(']')
        .ok_or_else(|| anyhow!("an IPv6 address lacks its closing ']'"))?;
    match after {
        "" => Ok((address, None)),
        _ => match after.strip_prefix(':') {
            Some(port) => Ok((address, Some(port))),
            None => bail!("unexpected text after an IPv6 address"),
        },
    }
}

fn parse_parameter(pair: &str, settings: &mut UrlSettings) -> Result<()> {
    let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
    let key = decoded(key)?;
    if !pair.contains('=') {
        bail!("URL parameter {} has no '=value'", quoted_if_plain(&key));
    }
    let value = Zeroizing::new(decoded(value)?);
    let text = || non_empty(String::clone(&value));
    match key.as_str() {
        "host" => settings.hosts = Some(list(&value)),
        "port" => settings.ports = Some(list(&value)),
        "user" => settings.user = text(),
        "password" => settings.password = (!value.is_empty()).then(|| value.clone()),
        "dbname" => settings.dbname = text(),
        "sslmode" => settings.sslmode = text(),
        "sslrootcert" => settings.sslrootcert = text(),
        "connect_timeout" => settings.connect_timeout = text(),
        "application_name" => settings.application_name = text(),
        "schema" => settings.schema = Some(String::clone(&value)),
        _ => return Err(unsupported_parameter(&key)),
    }
    Ok(())
}

fn unsupported_parameter(key: &str) -> anyhow::Error {
    let supported = PARAMETERS.join(", ");
    if LIBPQ_ONLY_PARAMETERS.contains(&key) {
        anyhow!("URL parameter '{key}' (a libpq setting) is not supported; supported: {supported}")
    } else {
        anyhow!(
            "unknown URL parameter {}; supported: {supported}",
            quoted_if_plain(key)
        )
    }
}

/// `text` in quotes when it looks like a name or a setting; anything else
/// is not repeated: it may be part of a password misplaced in the URL.
fn quoted_if_plain(text: &str) -> String {
    let plain = !text.is_empty()
        && text.len() <= 64
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    if plain {
        format!("'{text}'")
    } else {
        "(not repeated: it does not look like a setting)".to_owned()
    }
}

/// The URL's settings completed from the environment and password file.
fn resolve(settings: UrlSettings, env: &dyn Env, warn: &mut dyn FnMut(String)) -> Result<Target> {
    let hosts = hosts(settings.hosts, env)?;
    let ports = ports(settings.ports, env, hosts.len())?;
    let user = match settings.user.or(env.var("PGUSER")?) {
        Some(user) => user,
        None => env
            .os_user()
            .ok_or_else(|| anyhow!("no user name: give one in the URL or in PGUSER"))?,
    };
    let dbname = match settings.dbname.or(env.var("PGDATABASE")?) {
        Some(dbname) => dbname,
        None => user.clone(),
    };
    let (ssl_mode, root_certs) = tls_settings(settings.sslmode, settings.sslrootcert, env)?;
    let password = match settings.password {
        Some(text) => Some(Password {
            text,
            source: PasswordSource::Url,
        }),
        None => env.var("PGPASSWORD")?.map(|text| Password {
            text: Zeroizing::new(text),
            source: PasswordSource::Environment,
        }),
    };
    let mut target = Target {
        endpoints: hosts
            .into_iter()
            .zip(ports)
            .map(|(host, port)| Endpoint {
                host,
                port,
                pass_file_password: None,
            })
            .collect(),
        user,
        dbname,
        schema: schema(settings.schema)?,
        ssl_mode,
        root_certs,
        connect_timeout: connect_timeout(settings.connect_timeout, env)?,
        application_name: settings
            .application_name
            .unwrap_or_else(|| APPLICATION_NAME.to_owned()),
        password,
    };
    if target.password.is_none() {
        fill_from_pass_file(&mut target, env, warn)?;
    }
    Ok(target)
}

fn hosts(given: Option<Vec<String>>, env: &dyn Env) -> Result<Vec<Host>> {
    let given = match given {
        Some(given) => given,
        None => env.var("PGHOST")?.map(|v| list(&v)).unwrap_or_default(),
    };
    if given.is_empty() {
        return Ok(vec![default_host(env)]);
    }
    Ok(given.iter().map(|text| host(text, env)).collect())
}

fn host(text: &str, env: &dyn Env) -> Host {
    if text.is_empty() {
        default_host(env)
    } else if text.starts_with('/') {
        let trimmed = text.trim_end_matches('/');
        Host::Socket(if trimmed.is_empty() { "/" } else { trimmed }.to_owned())
    } else {
        Host::Tcp(text.to_owned())
    }
}

fn default_host(env: &dyn Env) -> Host {
    if env.is_dir(Path::new(DEFAULT_SOCKET_DIR)) {
        Host::Socket(DEFAULT_SOCKET_DIR.to_owned())
    } else {
        Host::Tcp("localhost".to_owned())
    }
}

/// One port per host: none given means 5432 for all, one means that one
/// for all; otherwise there must be as many as hosts.
fn ports(given: Option<Vec<String>>, env: &dyn Env, host_count: usize) -> Result<Vec<u16>> {
    let (given, source) = match given {
        Some(given) => (given, "the URL"),
        None => match env.var("PGPORT")? {
            Some(text) => (list(&text), "PGPORT"),
            None => (Vec::new(), ""),
        },
    };
    let ports = given
        .iter()
        .map(|text| port(text, source))
        .collect::<Result<Vec<u16>>>()?;
    match ports.len() {
        0 => Ok(vec![DEFAULT_PORT; host_count]),
        1 => Ok(vec![ports[0]; host_count]),
        n if n == host_count => Ok(ports),
        n => bail!("{n} ports for {host_count} hosts: give one port, or one for each host"),
    }
}

fn port(text: &str, source: &str) -> Result<u16> {
    if text.is_empty() {
        return Ok(DEFAULT_PORT);
    }
    text.parse::<u16>()
        .ok()
        .filter(|port| *port != 0 && text.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| anyhow!("a port in {source} is not a number from 1 to 65535"))
}

fn tls_settings(
    mode: Option<String>,
    root: Option<String>,
    env: &dyn Env,
) -> Result<(SslMode, Option<RootCerts>)> {
    let mode = match mode {
        Some(text) => Some(SslMode::parse(&text, "the URL")?),
        None => match env.var("PGSSLMODE")? {
            Some(text) => Some(SslMode::parse(&text, "PGSSLMODE")?),
            None => None,
        },
    };
    let root = match root.or(env.var("PGSSLROOTCERT")?) {
        Some(text) if text == "system" => Some(RootCerts::System),
        Some(text) => Some(RootCerts::File(PathBuf::from(text))),
        None => None,
    };
    match (mode, &root) {
        (None, Some(RootCerts::System)) => Ok((SslMode::VerifyFull, root)),
        (Some(mode), Some(RootCerts::System)) if mode != SslMode::VerifyFull => bail!(
            "weak sslmode \"{}\" may not be used with sslrootcert=system (use \"verify-full\")",
            mode.name()
        ),
        (mode, _) => Ok((mode.unwrap_or(SslMode::Prefer), root)),
    }
}

fn schema(given: Option<String>) -> Result<String> {
    let Some(name) = given else {
        return Ok(DEFAULT_SCHEMA.to_owned());
    };
    if !is_plain_identifier(&name) {
        bail!(
            "the schema must be a plain SQL identifier: lower-case letters, digits and '_', \
             at most 63, not starting with a digit (not repeated here)"
        );
    }
    if name.starts_with("pg_") {
        bail!("schema '{name}': names starting with pg_ are PostgreSQL's own");
    }
    Ok(name)
}

fn is_plain_identifier(name: &str) -> bool {
    let mut bytes = name.bytes();
    let first_ok = bytes
        .next()
        .is_some_and(|b| b.is_ascii_lowercase() || b == b'_');
    first_ok
        && name.len() <= 63
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// libpq's rule: whole seconds; zero or less waits forever; 1 means 2.
fn connect_timeout(given: Option<String>, env: &dyn Env) -> Result<Option<Duration>> {
    let (text, source) = match given {
        Some(text) => (text, "connect_timeout"),
        None => match env.var("PGCONNECT_TIMEOUT")? {
            Some(text) => (text, "PGCONNECT_TIMEOUT"),
            None => return Ok(Some(DEFAULT_CONNECT_TIMEOUT)),
        },
    };
    let seconds: i64 = text
        .trim()
        .parse()
        .map_err(|_| anyhow!("{source} must be a whole number of seconds"))?;
    Ok(u64::try_from(seconds)
        .ok()
        .filter(|s| *s > 0)
        .map(|s| Duration::from_secs(s).max(MIN_CONNECT_TIMEOUT)))
}

/// Gives each host the password file's password for it, if any.
fn fill_from_pass_file(
    target: &mut Target,
    env: &dyn Env,
    warn: &mut dyn FnMut(String),
) -> Result<()> {
    let path = match env.var("PGPASSFILE")? {
        Some(path) => PathBuf::from(path),
        None => match env.home() {
            Some(home) => home.join(".pgpass"),
            None => return Ok(()),
        },
    };
    let Some(contents) = read_pass_file(&path, warn) else {
        return Ok(());
    };
    for endpoint in &mut target.endpoints {
        let found = pass_file_password(
            &contents,
            [
                endpoint.pass_file_host(),
                &endpoint.port.to_string(),
                &target.dbname,
                &target.user,
            ],
        );
        endpoint.pass_file_password = found.map(|text| Password {
            text,
            source: PasswordSource::File(path.clone()),
        });
    }
    Ok(())
}

/// The password file's text, or `None` (with a warning when the file is
/// there but cannot be used). A missing file is no warning: most users
/// have none.
fn read_pass_file(path: &Path, warn: &mut dyn FnMut(String)) -> Option<Zeroizing<String>> {
    let shown = path.display();
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return None,
        Err(error) => {
            warn(format!("cannot read password file \"{shown}\": {error}"));
            return None;
        }
    };
    let metadata = match file.metadata() {
        Ok(metadata) => metadata,
        Err(error) => {
            warn(format!("cannot read password file \"{shown}\": {error}"));
            return None;
        }
    };
    if !metadata.is_file() {
        warn(format!("password file \"{shown}\" is not a plain file"));
        return None;
    }
    if metadata.permissions().mode() & 0o077 != 0 {
        warn(format!(
            "password file \"{shown}\" has group or world access; permissions should be u=rw (0600) or less"
        ));
        return None;
    }
    // Room for the whole file up front: growing would leave copies behind.
    let capacity = usize::try_from(metadata.len())
        .unwrap_or(0)
        .saturating_add(1);
    let mut bytes = Zeroizing::new(Vec::with_capacity(capacity));
    if let Err(error) = file.read_to_end(&mut bytes) {
        warn(format!("cannot read password file \"{shown}\": {error}"));
        return None;
    }
    match String::from_utf8(std::mem::take(&mut *bytes)) {
        Ok(text) => Some(Zeroizing::new(text)),
        Err(error) => {
            error.into_bytes().zeroize();
            warn(format!("password file \"{shown}\" is not UTF-8 text"));
            None
        }
    }
}

/// The password of the first line of `contents` whose host, port,
/// database and user fields match `wanted` (`*` matches anything; `\`
/// escapes `:` and `\`); lines starting with `#` are comments.
fn pass_file_password(contents: &str, wanted: [&str; 4]) -> Option<Zeroizing<String>> {
    for line in contents.lines() {
        if line.starts_with('#') {
            continue;
        }
        let mut rest = Some(line);
        for want in wanted {
            rest = rest.and_then(|text| matched_field(text, want));
        }
        if let Some(password_field) = rest {
            let password = unescaped_field(password_field);
            return (!password.is_empty()).then_some(password);
        }
    }
    None
}

/// If the field at the start of `text` matches `want`, what follows its
/// `:`; libpq's `*` is a wildcard only as the whole field.
fn matched_field<'a>(text: &'a str, want: &str) -> Option<&'a str> {
    if let Some(after) = text.strip_prefix("*:") {
        return Some(after);
    }
    let mut want = want.chars();
    let mut chars = text.char_indices();
    while let Some((at, c)) = chars.next() {
        let c = match c {
            '\\' => chars.next()?.1,
            ':' => return want.next().is_none().then(|| &text[at + 1..]),
            c => c,
        };
        if want.next() != Some(c) {
            return None;
        }
    }
    None
}

/// The password field: up to an unescaped `:`, with `\x` read as `x`.
fn unescaped_field(text: &str) -> Zeroizing<String> {
    let mut field = Zeroizing::new(String::with_capacity(text.len()));
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ':' => break,
            '\\' if chars.peek().is_some() => field.extend(chars.next()),
            c => field.push(c),
        }
    }
    field
}

fn list(text: &str) -> Vec<String> {
    text.split(',').map(str::to_owned).collect()
}

fn non_empty(text: String) -> Option<String> {
    (!text.is_empty()).then_some(text)
}

/// `text` percent-decoded. `+` stays `+` (as libpq); a NUL, a bad escape or
/// bytes that are not UTF-8 are refused without repeating the text.
fn decoded(text: &str) -> Result<String> {
    let mut bytes = Zeroizing::new(Vec::with_capacity(text.len()));
    let mut rest = text.as_bytes();
    while let Some((&byte, after)) = rest.split_first() {
        if byte != b'%' {
            bytes.push(byte);
            rest = after;
            continue;
        }
        let value = after
            .get(..2)
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok())
            .filter(|value| *value != 0)
            .ok_or_else(|| anyhow!("a '%' is not followed by two hex digits (or encodes NUL)"))?;
        bytes.push(value);
        rest = &after[2..];
    }
    match String::from_utf8(std::mem::take(&mut *bytes)) {
        Ok(text) => Ok(text),
        Err(error) => {
            error.into_bytes().zeroize();
            bail!("a percent-encoded part is not UTF-8")
        }
    }
}

/// `text` with the characters that would change a URL's meaning (and
/// control characters) percent-encoded, the rest as it is, for reading.
fn encoded(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() || " %@:/?&=#,[]\\\"'".contains(c) {
            let mut buffer = [0u8; 4];
            for byte in c.encode_utf8(&mut buffer).bytes() {
                let _ = write!(out, "%{byte:02X}");
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// A made-up process: user `alice`, no PG* variables, no home (so no
    /// password file), no default socket directory unless asked.
    struct FakeEnv {
        vars: HashMap<&'static str, String>,
        user: Option<String>,
        home: Option<PathBuf>,
        socket_dir: bool,
    }

    impl FakeEnv {
        fn new() -> Self {
            FakeEnv {
                vars: HashMap::new(),
                user: Some("alice".to_owned()),
                home: None,
                socket_dir: false,
            }
        }

        fn with(mut self, name: &'static str, value: &str) -> Self {
            self.vars.insert(name, value.to_owned());
            self
        }
    }

    impl Env for FakeEnv {
        fn var(&self, name: &str) -> Result<Option<String>> {
            Ok(self.vars.get(name).filter(|v| !v.is_empty()).cloned())
        }

        fn os_user(&self) -> Option<String> {
            self.user.clone()
        }

        fn home(&self) -> Option<PathBuf> {
            self.home.clone()
        }

        fn is_dir(&self, path: &Path) -> bool {
            self.socket_dir && path == Path::new(DEFAULT_SOCKET_DIR)
        }
    }

    fn parse(url: &str) -> Target {
        parse_in(url, &FakeEnv::new())
    }

    fn parse_in(url: &str, env: &FakeEnv) -> Target {
        Target::parse_in(url, env, &mut |warning| {
            panic!("unexpected warning: {warning}")
        })
        .unwrap_or_else(|error| panic!("{url}: {error:#}"))
    }

    fn refused(url: &str) -> String {
        refused_in(url, &FakeEnv::new())
    }

    fn refused_in(url: &str, env: &FakeEnv) -> String {
        match Target::parse_in(url, env, &mut |_| {}) {
            Ok(target) => panic!("{url} was accepted: {}", target.shown()),
            Err(error) => format!("{error:#}"),
        }
    }

    fn hosts_of(target: &Target) -> Vec<(Host, u16)> {
        let endpoints = target.endpoints.iter();
        endpoints.map(|e| (e.host.clone(), e.port)).collect()
    }

    fn tcp(name: &str, port: u16) -> (Host, u16) {
        (Host::Tcp(name.to_owned()), port)
    }

    fn password_of(target: &Target, endpoint: usize) -> Option<(String, PasswordSource)> {
        let password = target.password_for(&target.endpoints[endpoint])?;
        Some((password.text.to_string(), password.source.clone()))
    }

    #[test]
    fn postgres_urls_are_recognized_by_their_scheme_in_any_case() {
        for url in [
            "postgres://",
            "postgresql://db/x",
            "PostgreSQL://x",
            "POSTGRES://u@h",
        ] {
            assert!(is_postgres_url(url), "{url}");
        }
        for text in [
            "",
            "postgres",
            "postgres:/x",
            "postgre://x",
            "mysql://x",
            "vault.db",
        ] {
            assert!(!is_postgres_url(text), "{text}");
        }
    }

    #[test]
    fn a_full_url_sets_every_part() {
        let target = parse(
            "postgres://me:s3cret@db.example.com:6543/app?schema=prod&sslmode=require\
             &application_name=tool&connect_timeout=30",
        );
        assert_eq!(hosts_of(&target), [tcp("db.example.com", 6543)]);
        assert_eq!(target.user, "me");
        assert_eq!(target.dbname, "app");
        assert_eq!(target.schema(), "prod");
        assert_eq!(target.ssl_mode, SslMode::Require);
        assert_eq!(target.application_name, "tool");
        assert_eq!(target.connect_timeout, Some(Duration::from_secs(30)));
        let password = password_of(&target, 0);
        assert_eq!(password, Some(("s3cret".to_owned(), PasswordSource::Url)));
        assert_eq!(
            target.shown(),
            "postgres://me@db.example.com:6543/app?schema=prod&sslmode=require"
        );
    }

    #[test]
    fn query_parameters_set_what_the_url_parts_set_and_win() {
        let target = parse(
            "postgresql://me:one@a.example.com:5433/first?user=you&password=two&dbname=second\
             &host=b.example.com",
        );
        // As libpq: `host=` replaces the hosts; the port written with them stays.
        assert_eq!(hosts_of(&target), [tcp("b.example.com", 5433)]);
        assert_eq!(
            (target.user.as_str(), target.dbname.as_str()),
            ("you", "second")
        );
        assert_eq!(password_of(&target, 0).unwrap().0, "two");
    }

    #[test]
    fn every_part_is_percent_decoded() {
        let target = parse("postgres://me%40corp:p%3Ass%2Fw%40rd%25@db.example.com/my%20db+1");
        assert_eq!(target.user, "me@corp");
        assert_eq!(password_of(&target, 0).unwrap().0, "p:ss/w@rd%");
        assert_eq!(target.dbname, "my db+1");
        assert_eq!(
            target.shown(),
            "postgres://me%40corp@db.example.com:5432/my%20db+1?schema=secrets&sslmode=prefer"
        );
        let target = parse("postgres://db.example.com/app?application_name=a%26b%3Dc");
        assert_eq!(target.application_name, "a&b=c");
    }

    #[test]
    fn bad_percent_encoding_is_refused_without_repeating_the_text() {
        for bad in ["xq%zzword", "xq%4", "xq%00ss", "xq%ffss"] {
            let error = refused(&format!("postgres://me:{bad}@db.example.com/app"));
            assert!(error.starts_with("invalid PostgreSQL URL: "), "{error}");
            assert!(!error.contains("xq"), "{error}");
        }
    }

    #[test]
    fn ipv6_addresses_are_written_in_brackets() {
        let target = parse("postgres://me@[::1]:5433/app");
        assert_eq!(hosts_of(&target), [tcp("::1", 5433)]);
        assert!(target.shown().starts_with("postgres://me@[::1]:5433/app?"));
        let target = parse("postgres://me@[0:0::1]/app");
        assert_eq!(hosts_of(&target), [tcp("0:0::1", 5432)]);
        assert!(target.shown().starts_with("postgres://me@[::1]:5432/app?"));
        assert!(refused("postgres://me@[::1/app").contains("closing ']'"));
        assert!(refused("postgres://me@[::1]x/app").contains("after an IPv6 address"));
    }

    #[test]
    fn a_host_starting_with_a_slash_is_a_socket_directory() {
        let target = parse("postgres://%2Fvar%2Frun%2Fpostgresql/test");
        let socket = (Host::Socket(DEFAULT_SOCKET_DIR.to_owned()), 5432);
        assert_eq!(hosts_of(&target), [socket]);
        assert_eq!(
            target.shown(),
            "postgres://alice@%2Fvar%2Frun%2Fpostgresql:5432/test?schema=secrets&sslmode=prefer"
        );
        let target = parse("postgres://db.example.com:6000/test?host=/tmp/");
        let socket = (Host::Socket("/tmp".to_owned()), 6000);
        assert_eq!(hosts_of(&target), [socket]);
        let target = parse("postgres:///test?host=%2Ftmp");
        assert_eq!(target.endpoints[0].host, Host::Socket("/tmp".to_owned()));
    }

    #[test]
    fn several_hosts_each_take_their_port_or_a_shared_one() {
        let target = parse("postgres://a.example.com:5433,b.example.com/app");
        let expected = [tcp("a.example.com", 5433), tcp("b.example.com", 5432)];
        assert_eq!(hosts_of(&target), expected);
        assert!(
            target
                .shown()
                .contains("@a.example.com:5433,b.example.com:5432/app?")
        );
        let target = parse("postgres://a.example.com,b.example.com/app?port=6000");
        let expected = [tcp("a.example.com", 6000), tcp("b.example.com", 6000)];
        assert_eq!(hosts_of(&target), expected);
        let target = parse("postgres:///app?host=a.example.com,b.example.com&port=1,2");
        let expected = [tcp("a.example.com", 1), tcp("b.example.com", 2)];
        assert_eq!(hosts_of(&target), expected);
        let error = refused("postgres://a.example.com,b.example.com/app?port=1,2,3");
        assert!(error.contains("3 ports for 2 hosts"), "{error}");
    }

    #[test]
    fn missing_parts_default_as_libpq() {
        for url in ["postgres://", "postgresql:///", "postgres://@/"] {
            let target = parse(url);
            assert_eq!(hosts_of(&target), [tcp("localhost", 5432)], "{url}");
            assert_eq!(
                (target.user.as_str(), target.dbname.as_str()),
                ("alice", "alice")
            );
            assert_eq!(target.schema(), "secrets");
            assert_eq!(target.ssl_mode, SslMode::Prefer);
            assert_eq!(target.root_certs, None);
            assert_eq!(target.connect_timeout, Some(Duration::from_secs(10)));
            assert_eq!(target.application_name, "secrets");
            assert!(target.password.is_none() && password_of(&target, 0).is_none());
        }
        let env = FakeEnv {
            socket_dir: true,
            ..FakeEnv::new()
        };
        let target = parse_in("postgres://", &env);
        let socket = (Host::Socket(DEFAULT_SOCKET_DIR.to_owned()), 5432);
        assert_eq!(hosts_of(&target), [socket]);
        // An empty entry in a host list is the default host too.
        let target = parse("postgres://db.example.com,/app");
        assert_eq!(target.endpoints[1].host, Host::Tcp("localhost".to_owned()));
    }

    #[test]
    fn without_any_user_name_parsing_fails() {
        let env = FakeEnv {
            user: None,
            ..FakeEnv::new()
        };
        assert!(refused_in("postgres://db.example.com/app", &env).contains("no user name"));
        assert_eq!(parse_in("postgres://me@db.example.com", &env).dbname, "me");
    }

    fn full_env() -> FakeEnv {
        FakeEnv::new()
            .with("PGHOST", "pg.example.com")
            .with("PGPORT", "6000")
            .with("PGUSER", "bob")
            .with("PGDATABASE", "inventory")
            .with("PGPASSWORD", "from-env")
            .with("PGSSLMODE", "verify-ca")
            .with("PGSSLROOTCERT", "ca.pem")
            .with("PGCONNECT_TIMEOUT", "3")
    }

    #[test]
    fn pg_variables_fill_what_the_url_leaves_out() {
        let target = parse_in("postgres://", &full_env());
        assert_eq!(hosts_of(&target), [tcp("pg.example.com", 6000)]);
        assert_eq!(
            (target.user.as_str(), target.dbname.as_str()),
            ("bob", "inventory")
        );
        assert_eq!(target.ssl_mode, SslMode::VerifyCa);
        assert_eq!(target.root_certs, Some(RootCerts::File("ca.pem".into())));
        assert_eq!(target.connect_timeout, Some(Duration::from_secs(3)));
        let password = password_of(&target, 0);
        let expected = ("from-env".to_owned(), PasswordSource::Environment);
        assert_eq!(password, Some(expected));
        let target = parse_in("postgres://", &FakeEnv::new().with("PGUSER", "bob"));
        assert_eq!(target.dbname, "bob");
        let env = FakeEnv::new()
            .with("PGHOST", "/tmp,h.example.com")
            .with("PGPORT", "1,2");
        let target = parse_in("postgres://", &env);
        let socket = (Host::Socket("/tmp".to_owned()), 1);
        assert_eq!(hosts_of(&target), [socket, tcp("h.example.com", 2)]);
    }

    #[test]
    fn the_url_wins_over_pg_variables() {
        let target = parse_in(
            "postgres://carol:from-url@url.example.com:7000/urldb?sslmode=disable\
             &sslrootcert=mine.pem&connect_timeout=5",
            &full_env(),
        );
        assert_eq!(hosts_of(&target), [tcp("url.example.com", 7000)]);
        assert_eq!(
            (target.user.as_str(), target.dbname.as_str()),
            ("carol", "urldb")
        );
        assert_eq!(target.ssl_mode, SslMode::Disable);
        assert_eq!(target.root_certs, Some(RootCerts::File("mine.pem".into())));
        assert_eq!(target.connect_timeout, Some(Duration::from_secs(5)));
        assert_eq!(password_of(&target, 0).unwrap().0, "from-url");
        // A port in the URL does not make PGHOST's host go away.
        let target = parse_in("postgres://:7001", &full_env());
        assert_eq!(hosts_of(&target), [tcp("pg.example.com", 7001)]);
    }

    #[test]
    fn bad_ports_are_refused_without_repeating_them() {
        for port in ["9x9", "0", "65536", "-1", "+80"] {
            let error = refused(&format!("postgres://db.example.com:{port}/app"));
            assert!(
                error.contains("a port in the URL is not a number"),
                "{error}"
            );
            assert!(!error.contains(port), "{error}");
        }
        let error = refused_in("postgres://", &FakeEnv::new().with("PGPORT", "x"));
        assert!(error.contains("a port in PGPORT"), "{error}");
    }

    #[test]
    fn a_raw_at_sign_after_the_host_is_refused() {
        // A '/' in the password ends the user part early: without this check
        // "2@db.example.com" would become the database's name.
        let error = refused("postgres://me:hunter/2@db.example.com/app");
        assert!(error.contains("%40"), "{error}");
        assert!(!error.contains("hunter"), "{error}");
        assert!(!refused("postgres://db.example.com/app?user=me@corp").contains("corp"));
    }

    #[test]
    fn unknown_parameters_are_refused_by_name() {
        let error = refused("postgres://db.example.com/app?colour=blue");
        assert!(error.contains("unknown URL parameter 'colour'"), "{error}");
        assert!(
            error.contains("supported: host, port, user, password"),
            "{error}"
        );
        let error = refused("postgres://db.example.com/app?sslcert=me.pem");
        assert!(
            error.contains("'sslcert' (a libpq setting) is not supported"),
            "{error}"
        );
        let error = refused("postgres://db.example.com/app?Secret%21=1");
        assert!(
            error.contains("not repeated") && !error.contains("Secret"),
            "{error}"
        );
        let error = refused("postgres://db.example.com/app?schema");
        assert!(
            error.contains("URL parameter 'schema' has no '=value'"),
            "{error}"
        );
    }

    #[test]
    fn unknown_sslmodes_are_refused_with_the_accepted_ones() {
        let error = refused("postgres://db.example.com/app?sslmode=verify");
        assert_eq!(
            error,
            "unknown sslmode 'verify' in the URL: use disable, prefer, require, verify-ca, \
             verify-full"
        );
        let error = refused_in("postgres://", &FakeEnv::new().with("PGSSLMODE", "allow"));
        assert!(
            error.starts_with("unknown sslmode 'allow' in PGSSLMODE"),
            "{error}"
        );
        for mode in SSL_MODES {
            let target = parse(&format!("postgres://h/d?sslmode={}", mode.name()));
            assert_eq!(target.ssl_mode, mode);
        }
    }

    #[test]
    fn sslrootcert_system_means_verify_full_and_nothing_weaker() {
        let target = parse("postgres://db.example.com/app?sslrootcert=system");
        assert_eq!(target.ssl_mode, SslMode::VerifyFull);
        assert_eq!(target.root_certs, Some(RootCerts::System));
        parse("postgres://db.example.com/app?sslrootcert=system&sslmode=verify-full");
        for weak in ["disable", "prefer", "require", "verify-ca"] {
            let error = refused(&format!("postgres://h/d?sslrootcert=system&sslmode={weak}"));
            let expected = format!(
                "weak sslmode \"{weak}\" may not be used with sslrootcert=system (use \"verify-full\")"
            );
            assert_eq!(error, expected);
        }
        let env = FakeEnv::new().with("PGSSLROOTCERT", "system");
        assert!(refused_in("postgres://h/d?sslmode=require", &env).contains("weak sslmode"));
    }

    #[test]
    fn the_schema_must_be_a_plain_identifier() {
        for good in ["prod", "_x", "a1_b2", &"s".repeat(63)] {
            let target = parse(&format!("postgres://h/d?schema={good}"));
            assert_eq!(target.schema(), good);
        }
        for bad in [
            "Prod",
            "1abc",
            "a-b",
            "",
            "a%20b",
            "x%3Bdrop",
            "caf%C3%A9",
            &"s".repeat(64),
        ] {
            let error = refused(&format!("postgres://h/d?schema={bad}"));
            assert!(error.contains("plain SQL identifier"), "{bad}: {error}");
            assert!(bad.is_empty() || !error.contains(bad), "{error}");
        }
        let error = refused("postgres://h/d?schema=pg_catalog");
        assert!(error.contains("PostgreSQL's own"), "{error}");
    }

    #[test]
    fn connect_timeout_follows_libpq() {
        let timeout = |text: &str| parse(&format!("postgres://h/d?connect_timeout={text}"));
        assert_eq!(timeout("0").connect_timeout, None);
        assert_eq!(timeout("-5").connect_timeout, None);
        assert_eq!(timeout("1").connect_timeout, Some(Duration::from_secs(2)));
        assert_eq!(
            timeout("%2045%20").connect_timeout,
            Some(Duration::from_secs(45))
        );
        assert_eq!(timeout("").connect_timeout, Some(DEFAULT_CONNECT_TIMEOUT));
        let error = refused("postgres://h/d?connect_timeout=1.5");
        assert!(
            error.contains("connect_timeout must be a whole number"),
            "{error}"
        );
        let env = FakeEnv::new().with("PGCONNECT_TIMEOUT", "soon");
        assert!(refused_in("postgres://", &env).contains("PGCONNECT_TIMEOUT must be"));
    }

    #[test]
    fn system_roots_are_wanted_only_by_verify_modes() {
        let trust = |query: &str| parse(&format!("postgres://h/d?{query}")).trust();
        let file = || RootCerts::File("ca.pem".into());
        assert_eq!(trust("sslmode=disable&sslrootcert=ca.pem"), Trust::Plain);
        assert_eq!(trust("sslmode=prefer"), Trust::AnyCertificate);
        assert_eq!(trust("sslmode=require"), Trust::AnyCertificate);
        assert_eq!(
            trust("sslmode=prefer&sslrootcert=ca.pem"),
            Trust::Chain(file())
        );
        assert_eq!(
            trust("sslmode=require&sslrootcert=ca.pem"),
            Trust::Chain(file())
        );
        assert_eq!(trust("sslmode=verify-ca"), Trust::Chain(RootCerts::System));
        assert_eq!(
            trust("sslmode=verify-ca&sslrootcert=ca.pem"),
            Trust::Chain(file())
        );
        assert_eq!(
            trust("sslmode=verify-full"),
            Trust::ChainAndName(RootCerts::System)
        );
        let full_with_file = trust("sslmode=verify-full&sslrootcert=ca.pem");
        assert_eq!(full_with_file, Trust::ChainAndName(file()));
        assert_eq!(
            trust("sslrootcert=system"),
            Trust::ChainAndName(RootCerts::System)
        );
    }

    #[test]
    fn shown_and_debug_never_hold_a_password() {
        let from_url = parse("postgres://me:hunter2@db.example.com/app?password=hunter3");
        let env = FakeEnv::new().with("PGPASSWORD", "hunter4");
        let from_env = parse_in("postgres://me@db.example.com/app", &env);
        let dir = tempfile::tempdir().unwrap();
        let from_file = parse_in(
            "postgres://me@db.example.com/app",
            &pass_file_env(&dir, "*:*:*:*:hunter5"),
        );
        for target in [&from_url, &from_env, &from_file] {
            assert!(password_of(target, 0).is_some());
            for text in [target.shown(), target.location_key(), format!("{target:?}")] {
                assert!(!text.contains("hunter"), "{text}");
            }
        }
        assert_eq!(
            format!("{from_url:?}"),
            "Target { url: \"postgres://me@db.example.com:5432/app?schema=secrets&sslmode=prefer\", .. }"
        );
    }

    #[test]
    fn equivalent_urls_show_the_same_and_share_a_location_key() {
        let a = parse("postgres://me@DB.Example.COM/app");
        let b = parse("PostgreSQL://me:pw@db.example.com:5432/app?sslmode=prefer&schema=secrets");
        assert_eq!(a.shown(), b.shown());
        assert_eq!(a.location_key(), b.location_key());
        assert_eq!(
            a.location_key(),
            "postgres://db.example.com:5432/app?schema=secrets"
        );
        // Who connects and how is not where the vault is.
        let c = parse("postgres://you@db.example.com/app?sslmode=verify-full");
        assert_eq!(a.location_key(), c.location_key());
        assert_ne!(a.shown(), c.shown());
        let d = parse("postgres://me@db.example.com/app?schema=other");
        assert_ne!(a.location_key(), d.location_key());
        let e = parse("postgres://me@[::1]/app");
        let f = parse("postgres://me@[0:0:0:0:0:0:0:1]:5432/app");
        assert_eq!(e.location_key(), f.location_key());
    }

    const WANTED: [&str; 4] = ["db.example.com", "5432", "app", "me"];

    fn password_in(contents: &str, wanted: [&str; 4]) -> Option<String> {
        pass_file_password(contents, wanted).map(|p| p.to_string())
    }

    #[test]
    fn the_first_matching_pass_file_line_wins() {
        let contents = "\
            # db.example.com:5432:app:me:commented-out\n\
            other.example.com:5432:app:me:wrong-host\n\
            db.example.com:5433:app:me:wrong-port\n\
            db.example.com:5432:app2:me:wrong-db\n\
            db.example.com:5432:app:me2:wrong-user\n\
            db.example.com:5432:app:me:first\n\
            db.example.com:5432:app:me:second\n";
        assert_eq!(password_in(contents, WANTED).as_deref(), Some("first"));
        assert_eq!(
            password_in("db.example.com:5432:app:me:crlf\r\n", WANTED).as_deref(),
            Some("crlf")
        );
        assert_eq!(password_in(contents, ["x", "1", "y", "z"]), None);
        // A prefix of a field is no match, nor is a line with too few fields.
        assert_eq!(password_in("db.example:5432:app:me:pw", WANTED), None);
        assert_eq!(
            password_in("db.example.com.evil:5432:app:me:pw", WANTED),
            None
        );
        assert_eq!(password_in("db.example.com:5432:app", WANTED), None);
        // An empty password is no password.
        assert_eq!(password_in("*:*:*:*:", WANTED), None);
    }

    #[test]
    fn pass_file_wildcards_match_whole_fields_only() {
        assert_eq!(password_in("*:*:*:*:any", WANTED).as_deref(), Some("any"));
        let contents = "*:5432:*:me:mine\n*:*:*:*:any\n";
        assert_eq!(password_in(contents, WANTED).as_deref(), Some("mine"));
        assert_eq!(
            password_in(contents, ["h", "5432", "d", "you"]).as_deref(),
            Some("any")
        );
        assert_eq!(password_in("db.*:*:*:*:pw", WANTED), None);
        assert_eq!(password_in("\\*:*:*:*:pw", WANTED), None);
        assert_eq!(
            password_in("\\*:*:*:*:pw", ["*", "1", "d", "u"]).as_deref(),
            Some("pw")
        );
    }

    #[test]
    fn pass_file_escapes_protect_colons_and_backslashes() {
        let wanted = ["a:b", "5432", "d\\b", "me"];
        let line = "a\\:b:5432:d\\\\b:me:p\\:w\\\\d:ignored";
        assert_eq!(password_in(line, wanted).as_deref(), Some("p:w\\d"));
        assert_eq!(password_in("a:b:5432:d\\\\b:me:pw", wanted), None);
        // A lone backslash at the end stays, as libpq.
        assert_eq!(password_in("*:*:*:*:pw\\", WANTED).as_deref(), Some("pw\\"));
    }

    fn pass_file_env(dir: &tempfile::TempDir, contents: &str) -> FakeEnv {
        let path = dir.path().join(".pgpass");
        std::fs::write(&path, contents).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        FakeEnv {
            home: Some(dir.path().to_owned()),
            ..FakeEnv::new()
        }
    }

    #[test]
    fn the_pass_file_gives_each_host_its_password() {
        let dir = tempfile::tempdir().unwrap();
        let env = pass_file_env(
            &dir,
            "a.example.com:5432:app:me:for-a\nlocalhost:5432:app:me:for-socket\n\
             /tmp:5432:app:me:for-tmp\n",
        );
        let target = parse_in("postgres://me@a.example.com,b.example.com/app", &env);
        let from_file = PasswordSource::File(dir.path().join(".pgpass"));
        assert_eq!(
            password_of(&target, 0),
            Some(("for-a".to_owned(), from_file))
        );
        assert_eq!(password_of(&target, 1), None);
        // The default socket directory reads as localhost; another one as itself.
        let url = "postgres://me@%2Fvar%2Frun%2Fpostgresql,%2Ftmp,localhost/app";
        let target = parse_in(url, &env);
        assert_eq!(password_of(&target, 0).unwrap().0, "for-socket");
        assert_eq!(password_of(&target, 1).unwrap().0, "for-tmp");
        assert_eq!(password_of(&target, 2).unwrap().0, "for-socket");
    }

    #[test]
    fn pgpassfile_replaces_the_home_pass_file() {
        let dir = tempfile::tempdir().unwrap();
        let home = pass_file_env(&dir, "*:*:*:*:from-home");
        let other = dir.path().join("other");
        std::fs::write(&other, "*:*:*:*:from-pgpassfile").unwrap();
        std::fs::set_permissions(&other, std::fs::Permissions::from_mode(0o400)).unwrap();
        let env = home.with("PGPASSFILE", other.to_str().unwrap());
        let target = parse_in("postgres://me@db.example.com/app", &env);
        assert_eq!(password_of(&target, 0).unwrap().0, "from-pgpassfile");
    }

    #[test]
    fn url_then_pgpassword_then_the_pass_file() {
        let dir = tempfile::tempdir().unwrap();
        let env = pass_file_env(&dir, "*:*:*:*:from-file").with("PGPASSWORD", "from-env");
        let url = "postgres://me:from-url@db.example.com/app";
        assert_eq!(password_of(&parse_in(url, &env), 0).unwrap().0, "from-url");
        let url = "postgres://me@db.example.com/app";
        assert_eq!(password_of(&parse_in(url, &env), 0).unwrap().0, "from-env");
        let env = pass_file_env(&dir, "*:*:*:*:from-file");
        assert_eq!(password_of(&parse_in(url, &env), 0).unwrap().0, "from-file");
    }

    fn warnings_for(env: &FakeEnv) -> (Target, Vec<String>) {
        let mut warnings = Vec::new();
        let target = Target::parse_in("postgres://me@db.example.com/app", env, &mut |w| {
            warnings.push(w);
        })
        .unwrap();
        (target, warnings)
    }

    #[test]
    fn a_pass_file_others_may_read_is_ignored_with_libpq_s_warning() {
        let dir = tempfile::tempdir().unwrap();
        let env = pass_file_env(&dir, "*:*:*:*:exposed");
        let path = dir.path().join(".pgpass");
        for mode in [0o640, 0o604, 0o610, 0o644] {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            let (target, warnings) = warnings_for(&env);
            assert!(password_of(&target, 0).is_none(), "{mode:o}");
            let expected = format!(
                "password file \"{}\" has group or world access; permissions should be u=rw \
                 (0600) or less",
                path.display()
            );
            assert_eq!(warnings, [expected]);
        }
    }

    #[test]
    fn a_missing_pass_file_is_silent_and_a_directory_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let env = FakeEnv {
            home: Some(dir.path().to_owned()),
            ..FakeEnv::new()
        };
        let (target, warnings) = warnings_for(&env);
        assert!(password_of(&target, 0).is_none() && warnings.is_empty());
        let env = env.with("PGPASSFILE", dir.path().to_str().unwrap());
        let (_, warnings) = warnings_for(&env);
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].ends_with("is not a plain file"), "{warnings:?}");
    }

    #[test]
    fn the_os_user_is_the_effective_user_s_name() {
        let output = std::process::Command::new("id")
            .arg("-un")
            .output()
            .unwrap();
        let expected = String::from_utf8(output.stdout).unwrap();
        assert_eq!(passwd_user_name().as_deref(), Some(expected.trim()));
    }

    /// Connections to the test server: SECRETS_TEST_PG, by default the
    /// local one (trust authentication, TLS with the snakeoil certificate,
    /// made for `localhost`).
    mod server {
        use super::*;
        use std::net::TcpListener;

        /// The fixture certificate the test server presents.
        const SNAKEOIL: &str = "/etc/ssl/certs/ssl-cert-snakeoil.pem";
        /// A bundle of public roots, none of which signed the snakeoil one.
        const PUBLIC_ROOTS: &str = "/etc/ssl/certs/ca-certificates.crt";

        struct Server {
            user: String,
            host: String,
            port: u16,
            dbname: String,
        }

        /// The test server, or `None` (skip) when it is not running; under
        /// CI=true a missing server fails the test instead.
        fn server() -> Option<Server> {
            let url = std::env::var("SECRETS_TEST_PG")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
            let base = Target::parse_in(&url, &FakeEnv::new(), &mut |_| {}).unwrap();
            let endpoint = &base.endpoints[0];
            let host = match &endpoint.host {
                Host::Tcp(name) => name.clone(),
                Host::Socket(dir) => dir.clone(),
            };
            let port = endpoint.port.to_string();
            let ready = std::process::Command::new("pg_isready")
                .args(["-q", "-h", &host, "-p", &port])
                .status()
                .is_ok_and(|status| status.success());
            if !ready {
                let shown = base.shown();
                if std::env::var("CI").as_deref() == Ok("true") {
                    panic!("no PostgreSQL server at {shown} (CI=true: it must be there)");
                }
                eprintln!("skipped: no PostgreSQL server at {shown}");
                return None;
            }
            Some(Server {
                user: base.user.clone(),
                host,
                port: endpoint.port,
                dbname: base.dbname.clone(),
            })
        }

        impl Server {
            fn url(&self, host: &str, query: &str) -> String {
                format!(
                    "postgres://{}@{}:{}/{}?{query}",
                    encoded(&self.user),
                    encoded(host),
                    self.port,
                    encoded(&self.dbname)
                )
            }

            fn connect_to(&self, host: &str, query: &str) -> Result<postgres::Client> {
                let url = self.url(host, query);
                Target::parse_in(&url, &FakeEnv::new(), &mut |_| {})?.connect()
            }

            fn connect(&self, query: &str) -> Result<postgres::Client> {
                self.connect_to(&self.host, query)
            }
        }

        fn uses_tls(client: &mut postgres::Client) -> bool {
            let query = "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()";
            client.query_one(query, &[]).unwrap().get(0)
        }

        fn show(client: &mut postgres::Client, setting: &str) -> String {
            let row = client.query_one(&format!("SHOW {setting}"), &[]).unwrap();
            row.get(0)
        }

        fn one_line_error(result: Result<postgres::Client>) -> String {
            let error = format!("{:#}", result.err().expect("the connection was refused"));
            assert!(!error.contains('\n'), "{error}");
            assert!(
                error.starts_with("cannot connect to the vault at postgres://"),
                "{error}"
            );
            error
        }

        #[test]
        fn disable_connects_in_plain_text() {
            let Some(server) = server() else { return };
            let mut client = server.connect("sslmode=disable").unwrap();
            assert!(!uses_tls(&mut client));
        }

        #[test]
        fn prefer_gets_tls_from_a_server_that_offers_it() {
            let Some(server) = server() else { return };
            let mut client = server.connect("sslmode=prefer").unwrap();
            assert!(uses_tls(&mut client));
        }

        #[test]
        fn require_takes_any_certificate() {
            let Some(server) = server() else { return };
            let mut client = server.connect("sslmode=require").unwrap();
            assert!(uses_tls(&mut client));
        }

        #[test]
        fn verify_ca_checks_the_chain_but_not_the_name() {
            let Some(server) = server() else { return };
            let query = format!("sslmode=verify-ca&sslrootcert={SNAKEOIL}");
            let mut client = server.connect_to("127.0.0.1", &query).unwrap();
            assert!(uses_tls(&mut client));
        }

        #[test]
        fn verify_full_checks_the_name_too() {
            let Some(server) = server() else { return };
            let query = format!("sslmode=verify-full&sslrootcert={SNAKEOIL}");
            let error = one_line_error(server.connect_to("127.0.0.1", &query));
            assert!(
                error.ends_with(
                    "the server's certificate is not valid for 127.0.0.1 \
                     (sslmode=verify-full checks the host name)"
                ),
                "{error}"
            );
            let mut client = server.connect_to("localhost", &query).unwrap();
            assert!(uses_tls(&mut client));
        }

        #[test]
        fn a_certificate_from_another_issuer_is_refused() {
            let Some(server) = server() else { return };
            if !Path::new(PUBLIC_ROOTS).is_file() {
                eprintln!("skipped: no bundle of public roots");
                return;
            }
            for mode in ["verify-full", "verify-ca", "require"] {
                let query = format!("sslmode={mode}&sslrootcert={PUBLIC_ROOTS}");
                let error = one_line_error(server.connect_to("localhost", &query));
                assert!(error.contains("not signed by a trusted root"), "{error}");
            }
        }

        /// Whether this machine's own roots include the snakeoil
        /// certificate (some keep it in their certificate directory).
        fn system_trusts_snakeoil() -> bool {
            let snakeoil = pem_certificates(Path::new(SNAKEOIL)).unwrap();
            let system = rustls_native_certs::load_native_certs().certs;
            system.iter().any(|cert| *cert == snakeoil[0])
        }

        #[test]
        fn without_sslrootcert_verify_full_uses_the_system_roots() {
            let Some(server) = server() else { return };
            let result = server.connect_to("localhost", "sslmode=verify-full");
            if system_trusts_snakeoil() {
                eprintln!("note: this system's roots include the snakeoil certificate");
                assert!(uses_tls(&mut result.unwrap()));
            } else {
                let error = one_line_error(result);
                assert!(error.contains("not signed by a trusted root"), "{error}");
            }
        }

        #[test]
        fn application_name_is_set_and_no_start_up_options_are_sent() {
            let Some(server) = server() else { return };
            let mut client = server
                .connect("schema=pgc_test_path&sslmode=disable")
                .unwrap();
            // The server's default: the schema is named in each statement
            // instead, so that a pooler (which refuses `options`) works.
            assert_eq!(show(&mut client, "search_path"), "\"$user\", public");
            assert_eq!(show(&mut client, "application_name"), "secrets");
            let mut client = server.connect("application_name=other").unwrap();
            assert_eq!(show(&mut client, "application_name"), "other");
        }

        #[test]
        fn a_socket_connection_never_uses_tls() {
            let Some(server) = server() else { return };
            if !Path::new(DEFAULT_SOCKET_DIR).is_dir() {
                eprintln!("skipped: no socket directory");
                return;
            }
            let mut client = server
                .connect_to(DEFAULT_SOCKET_DIR, "sslmode=require")
                .unwrap();
            assert!(!uses_tls(&mut client));
        }

        /// A port on 127.0.0.1 that nothing listens on (just freed).
        fn closed_port() -> u16 {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        }

        #[test]
        fn a_refused_connection_is_one_clear_line_without_the_password() {
            let port = closed_port();
            let url = format!("postgres://me:hunter2@127.0.0.1:{port}/app?sslmode=require");
            let target = Target::parse_in(&url, &FakeEnv::new(), &mut |_| {}).unwrap();
            let error = one_line_error(target.connect());
            let expected = format!(
                "cannot connect to the vault at postgres://me@127.0.0.1:{port}/app\
                 ?schema=secrets&sslmode=require: connection refused"
            );
            assert_eq!(error, expected);
        }

        #[test]
        fn each_host_is_tried_in_turn() {
            let (first, second) = (closed_port(), closed_port());
            let url = format!("postgres://me:hunter2@127.0.0.1:{first},127.0.0.1:{second}/app");
            let target = Target::parse_in(&url, &FakeEnv::new(), &mut |_| {}).unwrap();
            let error = one_line_error(target.connect());
            let expected = format!(
                ": 127.0.0.1:{first}: connection refused; 127.0.0.1:{second}: connection refused"
            );
            assert!(
                error.ends_with(&expected) && !error.contains("hunter2"),
                "{error}"
            );
            let Some(server) = server() else { return };
            let hosts = format!("127.0.0.1:{first},{}:{}", server.host, server.port);
            let url = format!("postgres://{}@{hosts}/{}", server.user, server.dbname);
            let target = Target::parse_in(&url, &FakeEnv::new(), &mut |_| {}).unwrap();
            target.connect().unwrap();
        }

        #[test]
        fn a_missing_database_is_named_by_the_server() {
            let Some(server) = server() else { return };
            let url = format!(
                "postgres://{}@{}:{}/pgc_no_such_db",
                server.user, server.host, server.port
            );
            let target = Target::parse_in(&url, &FakeEnv::new(), &mut |_| {}).unwrap();
            let error = one_line_error(target.connect());
            assert!(
                error.ends_with(": database \"pgc_no_such_db\" does not exist"),
                "{error}"
            );
        }

        #[test]
        fn a_missing_socket_names_the_directory_and_port() {
            let dir = tempfile::tempdir().unwrap();
            let url = format!(
                "postgres://me@{}:6000/app",
                encoded(dir.path().to_str().unwrap())
            );
            let target = Target::parse_in(&url, &FakeEnv::new(), &mut |_| {}).unwrap();
            let error = one_line_error(target.connect());
            let expected = format!(
                ": no server socket for port 6000 in {}",
                dir.path().display()
            );
            assert!(error.ends_with(&expected), "{error}");
        }

        /// A stand-in server (the test server trusts everyone) that asks for
        /// a password in clear and refuses whatever comes. Its thread gives
        /// back the password it was sent, if any.
        fn refusing_server() -> (u16, std::thread::JoinHandle<Option<String>>) {
            use std::io::Write;
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let port = listener.local_addr().unwrap().port();
            let server = std::thread::spawn(move || {
                let (mut stream, _) = listener.accept().unwrap();
                read_message_body(&mut stream); // the start-up message
                let ask_for_cleartext_password = [b'R', 0, 0, 0, 8, 0, 0, 0, 3];
                stream.write_all(&ask_for_cleartext_password).unwrap();
                let mut tag = [0u8];
                stream.read_exact(&mut tag).ok()?;
                let sent = read_message_body(&mut stream);
                let password = String::from_utf8(sent.strip_suffix(&[0]).unwrap().to_vec());
                let mut fields = Vec::new();
                let refusal = "password authentication failed for user \"me\"";
                for (code, text) in [(b'S', "FATAL"), (b'C', "28P01"), (b'M', refusal)] {
                    fields.push(code);
                    fields.extend_from_slice(text.as_bytes());
                    fields.push(0);
                }
                fields.push(0);
                let length = u32::try_from(fields.len() + 4).unwrap();
                let mut message = vec![b'E'];
                message.extend_from_slice(&length.to_be_bytes());
                message.extend_from_slice(&fields);
                stream.write_all(&message).unwrap();
                password.ok()
            });
            (port, server)
        }

        fn read_message_body(stream: &mut std::net::TcpStream) -> Vec<u8> {
            let mut length = [0u8; 4];
            stream.read_exact(&mut length).unwrap();
            let mut body = vec![0u8; u32::from_be_bytes(length) as usize - 4];
            stream.read_exact(&mut body).unwrap();
            body
        }

        fn refused_with_hint(target: &Target) -> (String, String) {
            let error = target.connect().err().expect("the password was refused");
            let failure = error
                .downcast_ref::<Failure>()
                .expect("a failure with a hint");
            let message = format!("{error:#}");
            assert!(!message.contains('\n'), "{message}");
            (message, failure.hint.clone().expect("a hint"))
        }

        #[test]
        fn no_password_for_a_server_that_wants_one_says_where_to_put_it() {
            let (port, server) = refusing_server();
            let url = format!("postgres://me@127.0.0.1:{port}/app?sslmode=disable");
            let target = Target::parse_in(&url, &FakeEnv::new(), &mut |_| {}).unwrap();
            let (message, hint) = refused_with_hint(&target);
            assert_eq!(server.join().unwrap(), None);
            let expected = format!(
                "cannot connect to the vault at postgres://me@127.0.0.1:{port}/app\
                 ?schema=secrets&sslmode=disable: the server asks for a password and none was found"
            );
            assert_eq!(message, expected);
            assert!(
                hint.contains("~/.pgpass") && hint.contains("PGPASSWORD"),
                "{hint}"
            );
        }

        #[test]
        fn a_refused_password_says_so_and_where_it_came_from() {
            let dir = tempfile::tempdir().unwrap();
            let env = pass_file_env(&dir, "127.0.0.1:*:app:me:hunter2\\:x");
            let (port, server) = refusing_server();
            let url = format!("postgres://me@127.0.0.1:{port}/app?sslmode=disable");
            let target = Target::parse_in(&url, &env, &mut |_| {}).unwrap();
            let (message, hint) = refused_with_hint(&target);
            assert_eq!(server.join().unwrap().as_deref(), Some("hunter2:x"));
            assert!(
                message.ends_with(": password authentication failed for user \"me\""),
                "{message}"
            );
            assert!(!message.contains("hunter2") && !hint.contains("hunter2"));
            let pass_file = dir.path().join(".pgpass");
            let expected = format!(
                "the password came from {}: check its line for this server",
                pass_file.display()
            );
            assert_eq!(hint, expected);

            let (port, server) = refusing_server();
            let url = format!("postgres://me@127.0.0.1:{port}/app?sslmode=disable");
            let env = FakeEnv::new().with("PGPASSWORD", "hunter3");
            let target = Target::parse_in(&url, &env, &mut |_| {}).unwrap();
            let (message, hint) = refused_with_hint(&target);
            assert_eq!(server.join().unwrap().as_deref(), Some("hunter3"));
            assert!(!message.contains("hunter3"), "{message}");
            assert_eq!(hint, "the password came from PGPASSWORD: check it");
        }
    }
}
