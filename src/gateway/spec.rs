//! What `exec --gateway VAR=SECRET@URL[,auth=KIND]` asks for: the variable
//! the program gets, the secret the gateway adds, the upstream it may reach
//! and where the credential goes in a request.
//!
//! Names and an upstream only, never a value: a refusal never repeats what
//! was given (a value pasted in the wrong place must not reach a log).

use crate::name::{self, SecretName};

/// One gateway of a run, as given on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewaySpec {
    /// The variable that holds the run's token; `VAR_URL` holds the address.
    pub variable: String,
    /// The stored secret the gateway puts in place of the token.
    pub secret: String,
    pub upstream: Upstream,
    pub auth: Auth,
}

/// Where requests go: a scheme, an authority and a base path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upstream {
    pub https: bool,
    /// `host` or `host:port` (the port only when given), as in the URL.
    pub authority: String,
    /// The host alone (brackets kept for IPv6), for the TLS server name.
    pub host: String,
    /// The path requests must stay under, without a trailing slash (empty
    /// for the root).
    pub base_path: String,
}

/// Where the credential goes in a request, and so where the program must
/// put its token (and nowhere else).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// `Authorization: Bearer CREDENTIAL`.
    Bearer,
    /// `NAME: CREDENTIAL`, e.g. `x-api-key` (lowercase).
    Header(String),
    /// `Authorization: Basic base64(USER:CREDENTIAL)`: USER as given here,
    /// else the one the program sent.
    Basic(Option<String>),
}

impl Auth {
    /// The `auth=` word that gives this mechanism (for messages).
    pub fn shown(&self) -> String {
        match self {
            Auth::Bearer => "bearer".to_owned(),
            Auth::Header(name) => format!("header:{name}"),
            Auth::Basic(None) => "basic".to_owned(),
            Auth::Basic(Some(user)) => format!("basic:{user}"),
        }
    }

    fn parse(text: &str) -> Result<Auth, String> {
        let (kind, argument) = match text.split_once(':') {
            Some((kind, argument)) => (kind, Some(argument)),
            None => (text, None),
        };
        match (kind, argument) {
            ("bearer", None) => Ok(Auth::Bearer),
            ("basic", None) => Ok(Auth::Basic(None)),
            ("basic", Some(user))
                if !user.is_empty() && !user.contains(':') && is_visible(user) =>
            {
                Ok(Auth::Basic(Some(user.to_owned())))
            }
            ("header", Some(header)) if is_header_name(header) => {
                let header = header.to_ascii_lowercase();
                if matches!(
                    header.as_str(),
                    "host" | "content-length" | "transfer-encoding" | "connection"
                ) {
                    return Err(format!(
                        "auth=header:{header} would replace part of HTTP itself; name the header the API reads the key from"
                    ));
                }
                Ok(Auth::Header(header))
            }
            _ => Err(
                "auth= takes bearer, basic, basic:USER or header:NAME (e.g. auth=header:x-api-key)"
                    .to_owned(),
            ),
        }
    }
}

impl GatewaySpec {
    /// `VAR=SECRET@URL[,auth=KIND]`, as clap reads `--gateway` (a refusal is
    /// a usage error, exit 2).
    pub fn from_arg(text: &str) -> Result<GatewaySpec, String> {
        const FORM: &str = "takes VAR=SECRET@URL[,auth=KIND], e.g. \
             --gateway OPENAI_API_KEY=OPENAI_KEY@https://api.openai.com/v1 (what was given is \
             not repeated: it may be a value)";
        let (mapping, auth) = match text.rsplit_once(",auth=") {
            Some((mapping, auth)) => (mapping, Auth::parse(auth)?),
            None => (text, Auth::Bearer),
        };
        let Some((variable, rest)) = mapping.split_once('=') else {
            return Err(FORM.to_owned());
        };
        let Some((secret, url)) = rest.split_once('@') else {
            return Err(FORM.to_owned());
        };
        let variable = SecretName::parse(variable).map_err(|e| e.message)?;
        let url_variable = format!("{}_URL", variable.as_str());
        SecretName::parse(&url_variable).map_err(|e| e.message)?;
        if !name::is_valid(secret) {
            return Err(format!(
                "between '=' and '@' comes the name of a stored secret; {FORM}"
            ));
        }
        Ok(GatewaySpec {
            variable: variable.as_str().to_owned(),
            secret: secret.to_owned(),
            upstream: Upstream::parse(url)?,
            auth,
        })
    }

    /// The variable that holds the gateway's address.
    pub fn url_variable(&self) -> String {
        format!("{}_URL", self.variable)
    }
}

impl Upstream {
    /// `https://HOST[:PORT][/PATH]`, or `http://` for a loopback host: no
    /// user, query or fragment.
    fn parse(url: &str) -> Result<Upstream, String> {
        let (https, rest) = if let Some(rest) = strip_prefix_ignore_case(url, "https://") {
            (true, rest)
        } else if let Some(rest) = strip_prefix_ignore_case(url, "http://") {
            (false, rest)
        } else {
            return Err("the upstream URL must start with https:// (or http:// for a server on this machine)".to_owned());
        };
        if rest.contains(['?', '#']) {
            return Err(
                "the upstream URL takes no query or fragment: give the base the requests go below"
                    .to_owned(),
            );
        }
        let (authority, path) = match rest.find('/') {
            Some(slash) => (&rest[..slash], &rest[slash..]),
            None => (rest, ""),
        };
        if authority.contains('@') {
            return Err(
                "the upstream URL takes no user or password: the credential comes from the secret"
                    .to_owned(),
            );
        }
        let uri: hyper::Uri = format!("http://{authority}/")
            .parse()
            .map_err(|_| "the upstream URL's host is not valid".to_owned())?;
        let Some(host) = uri.host().filter(|h| !h.is_empty()) else {
            return Err("the upstream URL has no host".to_owned());
        };
        if !path.is_empty() && path.parse::<hyper::Uri>().is_err() {
            return Err("the upstream URL's path is not valid".to_owned());
        }
        if has_dot_segment(path) {
            return Err("the upstream URL's path holds a '.' or '..' segment".to_owned());
        }
        let host = host.to_ascii_lowercase();
        if !https && !is_loopback(&host) {
            return Err(format!(
                "plain http:// is only for a server on this machine (loopback); use https://{authority}"
            ));
        }
        // The scheme's own port goes without saying (as in the Host header).
        let default_port = if https { ":443" } else { ":80" };
        let authority = authority.to_ascii_lowercase();
        let authority = authority
            .strip_suffix(default_port)
            .unwrap_or(&authority)
            .to_owned();
        Ok(Upstream {
            https,
            authority,
            host,
            base_path: path.trim_end_matches('/').to_owned(),
        })
    }

    /// The scheme and authority requests are sent to.
    pub fn origin(&self) -> String {
        let scheme = if self.https { "https" } else { "http" };
        format!("{scheme}://{}", self.authority)
    }

    /// Whether `path` (a request's path, without the query) is the base
    /// path or below it, and has no `.`/`..` segment that an upstream could
    /// resolve to somewhere outside it.
    pub fn allows(&self, path: &str) -> bool {
        let below = path == self.base_path
            || path
                .strip_prefix(self.base_path.as_str())
                .is_some_and(|rest| rest.starts_with('/'));
        below && !has_dot_segment(path)
    }
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// A host that can only be this machine.
fn is_loopback(host: &str) -> bool {
    if host == "localhost" {
        return true;
    }
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}

/// A path segment that is `.` or `..`, also percent-encoded (`%2e`), or a
/// percent-encoded slash or backslash that an upstream might decode into one.
fn has_dot_segment(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    if lower.contains("%2f") || lower.contains("%5c") || lower.contains('\\') {
        return true;
    }
    lower
        .split('/')
        .map(|segment| segment.replace("%2e", "."))
        .any(|segment| segment == "." || segment == "..")
}

/// A header field name (RFC 9110 token).
fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

fn is_visible(text: &str) -> bool {
    text.bytes().all(|b| b.is_ascii_graphic())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(text: &str) -> GatewaySpec {
        GatewaySpec::from_arg(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn a_bearer_gateway_with_a_base_path() {
        let g = spec("OPENAI_API_KEY=OPENAI_KEY@https://api.openai.com/v1/");
        assert_eq!(g.variable, "OPENAI_API_KEY");
        assert_eq!(g.secret, "OPENAI_KEY");
        assert_eq!(g.auth, Auth::Bearer);
        assert!(g.upstream.https);
        assert_eq!(g.upstream.authority, "api.openai.com");
        assert_eq!(g.upstream.base_path, "/v1");
        assert_eq!(g.upstream.origin(), "https://api.openai.com");
        assert_eq!(g.url_variable(), "OPENAI_API_KEY_URL");
        assert_eq!(
            spec("K=S@https://H.example:443").upstream.authority,
            "h.example"
        );
        assert_eq!(
            spec("K=S@http://localhost:80/").upstream.authority,
            "localhost"
        );
        assert_eq!(
            spec("K=S@https://h.example:8443").upstream.authority,
            "h.example:8443"
        );
    }

    #[test]
    fn auth_kinds() {
        let g = spec("K=S@https://api.anthropic.com,auth=header:X-Api-Key");
        assert_eq!(g.auth, Auth::Header("x-api-key".into()));
        assert_eq!(spec("K=S@https://h,auth=basic").auth, Auth::Basic(None));
        assert_eq!(
            spec("K=S@https://h,auth=basic:git").auth,
            Auth::Basic(Some("git".into()))
        );
        assert_eq!(spec("K=S@https://h,auth=bearer").auth, Auth::Bearer);
        for bad in [
            "bearer:x",
            "header:",
            "header:a b",
            "basic:a:b",
            "digest",
            "header:host",
        ] {
            assert!(
                GatewaySpec::from_arg(&format!("K=S@https://h,auth={bad}")).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn plain_http_only_to_loopback() {
        for ok in [
            "http://127.0.0.1:8080",
            "http://localhost/x",
            "http://[::1]:9/",
            "HTTP://127.0.0.2",
        ] {
            assert!(!spec(&format!("K=S@{ok}")).upstream.https, "{ok}");
        }
        for refused in [
            "http://example.com",
            "http://10.0.0.1",
            "ftp://h",
            "h.example",
            "https://",
            "https://u:p@h",
            "https://h/?q=1",
            "https://h/#f",
            "https://h/a/../b",
        ] {
            assert!(
                GatewaySpec::from_arg(&format!("K=S@{refused}")).is_err(),
                "{refused}"
            );
        }
    }

    #[test]
    fn refusals_never_repeat_the_input() {
        let pasted = "sk-live-123456789";
        for text in [
            pasted.to_owned(),
            format!("K={pasted}"),
            format!("K=S@{pasted}"),
            format!("{pasted}=S@https://h"),
        ] {
            let error = GatewaySpec::from_arg(&text).unwrap_err();
            assert!(!error.contains(pasted), "{error}");
        }
    }

    #[test]
    fn paths_stay_below_the_base() {
        let up = spec("K=S@https://h/v1").upstream;
        assert!(up.allows("/v1"));
        assert!(up.allows("/v1/chat/completions"));
        for outside in [
            "/",
            "/v10",
            "/v2/x",
            "/v1/../admin",
            "/v1/%2E%2E/admin",
            "/v1/a%2fb",
            "/v1/./x",
        ] {
            assert!(!up.allows(outside), "{outside}");
        }
        let root = spec("K=S@https://h").upstream;
        assert!(root.allows("/"));
        assert!(root.allows("/anything"));
    }
}
