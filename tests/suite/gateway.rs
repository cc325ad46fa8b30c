//! `exec --gateway VAR=SECRET@URL[,auth=KIND]`: for the life of the
//! program, an HTTP proxy on 127.0.0.1 that puts SECRET's value where KIND
//! says on each request to URL, while the program only gets a token
//! (`VAR`) and the proxy's address (`VAR_URL`). The program run by `exec`
//! writes its environment to a file and waits; the test process plays the
//! program's part as the client (`Call`), against an upstream of its own
//! (`Upstream`) that records what reached it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::{Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::common::*;
use serde_json::Value;

const SECRET: &str = "sk-live-gateway-value-6f1c2a9e";
const OTHER: &str = "other-injected-value-83b7";

/// A vault with API_TOKEN (SECRET) and OTHER.
fn with_secrets() -> Sandbox {
    let sb = Sandbox::new();
    sb.init();
    sb.create("API_TOKEN", SECRET);
    sb.create("OTHER", OTHER);
    sb
}

/// The program `exec` runs: writes its environment to `$1/env`, waits for
/// `$1/done` (30 s at most, then exits 91) and exits with `$2`.
const WAIT: &str = r#"env > "$1/env.tmp" && mv "$1/env.tmp" "$1/env" || exit 90
i=0
while [ ! -e "$1/done" ]; do
  i=$((i + 1))
  [ "$i" -gt 600 ] && exit 91
  sleep 0.05
done
exit "$2""#;

/// An `exec` running in the background, its program waiting.
struct Running {
    dir: PathBuf,
    env_text: String,
    env: BTreeMap<String, String>,
    pid: u32,
    output: mpsc::Receiver<std::io::Result<Output>>,
    finished: bool,
}

/// Starts `exec OPTIONS -- sh -c WAIT` (exiting 0) and waits until the
/// program has written its environment.
fn start(sb: &Sandbox, options: &[&str]) -> Running {
    start_with(sb, options, 0, |_| {})
}

fn start_with(
    sb: &Sandbox,
    options: &[&str],
    code: i32,
    adjust: impl FnOnce(&mut std::process::Command),
) -> Running {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    let dir = sb
        .root()
        .join(format!("run{}", RUNS.fetch_add(1, Ordering::Relaxed)));
    std::fs::create_dir(&dir).unwrap();
    let mut cmd = sb.std_cmd();
    cmd.arg("exec")
        .args(options)
        .args(["--", "sh", "-c", WAIT, "sh"])
        .arg(&dir)
        .arg(code.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    adjust(&mut cmd);
    let child = cmd.spawn().expect("spawn secrets exec");
    let pid = child.id();
    let (tx, output) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let mut running = Running {
        dir,
        env_text: String::new(),
        env: BTreeMap::new(),
        pid,
        output,
        finished: false,
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    let env_file = running.dir.join("env");
    loop {
        if let Ok(text) = std::fs::read_to_string(&env_file) {
            running.env_text = text;
            break;
        }
        if let Ok(out) = running.output.try_recv() {
            running.finished = true;
            let out = out.unwrap();
            panic!(
                "exec {options:?} ended before its program was ready: {:?}\nstdout:\n{}\nstderr:\n{}",
                out.status,
                stdout(&out),
                stderr(&out)
            );
        }
        assert!(
            Instant::now() < deadline,
            "exec {options:?}: the program did not start within 20 s"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    running.env = running
        .env_text
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    running
}

impl Running {
    /// The program's variable `name` (which must be set).
    fn var(&self, name: &str) -> &str {
        self.env
            .get(name)
            .unwrap_or_else(|| panic!("{name} is not set; the environment:\n{}", self.env_text))
    }

    /// The gateway's token, `VAR`.
    fn token(&self, var: &str) -> String {
        self.var(var).to_owned()
    }

    /// The gateway's base URL, `VAR_URL`.
    fn base(&self, var: &str) -> String {
        self.var(&format!("{var}_URL")).to_owned()
    }

    /// The gateway's port, from `VAR_URL`.
    fn port(&self, var: &str) -> u16 {
        let base = self.base(var);
        let rest = base
            .strip_prefix("http://127.0.0.1:")
            .unwrap_or_else(|| panic!("{var}_URL is not on 127.0.0.1: {base}"));
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        digits.parse().unwrap()
    }

    /// Lets the program exit and waits for `exec` (20 s at most, else it is
    /// killed and the test fails).
    fn finish(mut self) -> Output {
        std::fs::write(self.dir.join("done"), "").unwrap();
        self.finished = true;
        match self.output.recv_timeout(Duration::from_secs(20)) {
            Ok(out) => {
                let out = out.unwrap();
                assert_no_panic(&out);
                out
            }
            Err(_) => {
                // SAFETY: kill touches no memory; the pid is our child's,
                // not yet waited for (its waiter has not returned).
                unsafe { libc::kill(self.pid as libc::pid_t, libc::SIGKILL) };
                panic!("exec did not end within 20 s of its program's end");
            }
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // A test that failed midway: let the program (and exec) end.
        if !self.finished {
            let _ = std::fs::write(self.dir.join("done"), "");
        }
    }
}

fn gateway(var: &str, secret: &str, url: &str) -> String {
    format!("{var}={secret}@{url}")
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

fn basic(user: &str, password: &str) -> String {
    format!("Basic {}", base64(format!("{user}:{password}").as_bytes()))
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Asserts a refusal by the gateway itself: `status`, and a body of one
/// line starting `secrets gateway: `.
fn assert_refusal(status: u16, body: &[u8], expected: u16, what: &str) {
    let text = String::from_utf8_lossy(body);
    assert_eq!(status, expected, "{what}: body {text:?}");
    let line = text.strip_suffix('\n').unwrap_or(&text);
    let line = line.strip_suffix('\r').unwrap_or(line);
    assert!(
        line.starts_with("secrets gateway: ") && !line.contains('\n'),
        "{what}: the body is not one `secrets gateway: ` line: {text:?}"
    );
}

fn refused(reply: &Reply, expected: u16, what: &str) {
    assert_refusal(reply.status, &reply.body, expected, what);
}

fn assert_lacks(haystack: &[u8], needle: &str, what: &str) {
    assert!(
        !contains_bytes(haystack, needle.as_bytes()),
        "{what} holds {needle:?}:\n{}",
        String::from_utf8_lossy(haystack)
    );
}

fn log_json(sb: &Sandbox) -> (Vec<Value>, String) {
    let out = run(sb, &["log", "--json"], "");
    assert_success(&out, "log --json");
    let events: Value = serde_json::from_slice(&out.stdout).unwrap();
    (events.as_array().unwrap().clone(), stdout(&out))
}

#[test]
fn bearer_the_upstream_gets_the_value_and_the_program_only_a_token() {
    let sb = with_secrets();
    let up = Upstream::http();
    let spec = gateway("API", "API_TOKEN", &up.url("/v1"));
    let run = start(&sb, &["--gateway", &spec]);

    let token = run.token("API");
    let random = token
        .strip_prefix("gws_")
        .unwrap_or_else(|| panic!("API is not a gws_ token: {token:?}"));
    assert!(
        !random.is_empty() && random.chars().all(|c| c.is_ascii_alphanumeric()),
        "{token:?}"
    );
    let port = run.port("API");
    assert_ne!(port, up.port());
    assert_eq!(run.base("API"), format!("http://127.0.0.1:{port}/v1"));
    // No secret under any name: not the gateway's, and (with --gateway
    // alone) not the others either.
    assert_lacks(run.env_text.as_bytes(), SECRET, "the program's environment");
    assert_lacks(run.env_text.as_bytes(), OTHER, "the program's environment");
    assert!(!run.env.contains_key("API_TOKEN") && !run.env.contains_key("OTHER"));

    let reply = Call::get(&format!("{}/echo", run.base("API")))
        .header("authorization", &bearer(&token))
        .send();
    assert_eq!(reply.status, 200, "{}", reply.text());
    let seen = up.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, "GET");
    assert_eq!(seen[0].target, "/v1/echo");
    assert_eq!(
        seen[0].header("authorization"),
        Some(format!("Bearer {SECRET}"))
    );
    assert_eq!(seen[0].header("host"), Some(up.authority()));
    assert_lacks(&seen[0].everything(), &token, "the upstream's request");
    assert_lacks(&reply.everything(), SECRET, "the reply");

    let out = run.finish();
    assert_success(&out, "exec --gateway");
    assert_lacks(&out.stdout, SECRET, "exec's stdout");
    assert_lacks(&out.stderr, SECRET, "exec's stderr");
}

#[test]
fn the_gateway_secret_never_enters_the_environment_whatever_else_is_injected() {
    let sb = with_secrets();
    sb.create("THIRD", "third-injected-value-5d2e");
    let up = Upstream::http();
    let spec = gateway("API", "API_TOKEN", &up.url(""));
    for (options, injected) in [
        (vec!["--only", "OTHER"], vec![("OTHER", OTHER)]),
        (vec!["--env", "MAPPED=OTHER"], vec![("MAPPED", OTHER)]),
        (
            vec!["--except", "OTHER"],
            vec![("THIRD", "third-injected-value-5d2e")],
        ),
    ] {
        let mut all = vec!["--mask", "never", "--gateway", spec.as_str()];
        all.extend(&options);
        let run = start(&sb, &all);
        for (var, value) in &injected {
            assert_eq!(run.var(var), *value, "{options:?}");
        }
        assert_lacks(run.env_text.as_bytes(), SECRET, &format!("{options:?}"));
        assert!(!run.env.contains_key("API_TOKEN"), "{options:?}");
        assert!(run.var("API").starts_with("gws_"), "{options:?}");
        let out = run.finish();
        assert_success(&out, &format!("{options:?}"));
    }
}

#[test]
fn tokens_are_new_for_each_gateway_and_each_run() {
    let sb = with_secrets();
    let up = Upstream::http();
    let api = gateway("API", "API_TOKEN", &up.url("/a"));
    let other = gateway("OTHER_API", "OTHER", &up.url("/b"));
    let mut tokens = BTreeSet::new();
    for _ in 0..2 {
        let run = start(&sb, &["--gateway", &api, "--gateway", &other]);
        assert_ne!(run.port("API"), run.port("OTHER_API"), "one listener each");
        for var in ["API", "OTHER_API"] {
            let token = run.token(var);
            assert!(token.starts_with("gws_"), "{token}");
            assert!(tokens.insert(token.clone()), "{token} given twice");
        }
        assert_success(&run.finish(), "two gateways");
    }
}

#[test]
fn var_url_is_the_listener_followed_by_the_urls_path() {
    let sb = Sandbox::new();
    sb.init();
    for name in ["S_A", "S_B", "S_C", "S_D"] {
        sb.create(name, format!("value-of-{name}-0a1b2c"));
    }
    let specs = [
        gateway("A", "S_A", "https://api.example.com/v1"),
        gateway("B", "S_B", "http://127.0.0.1:9/"),
        gateway("C", "S_C", "http://localhost:9/deep/base/"),
        gateway("D", "S_D", "http://[::1]:9"),
    ];
    let mut options = Vec::new();
    for spec in &specs {
        options.extend(["--gateway", spec.as_str()]);
    }
    let run = start(&sb, &options);
    let mut ports = BTreeSet::new();
    for (var, path) in [("A", "/v1"), ("B", ""), ("C", "/deep/base"), ("D", "")] {
        let port = run.port(var);
        assert_ne!(port, 9);
        ports.insert(port);
        assert_eq!(
            run.base(var),
            format!("http://127.0.0.1:{port}{path}"),
            "{var}"
        );
    }
    assert_eq!(ports.len(), 4, "one listener per gateway");
    assert_success(&run.finish(), "four gateways");
}

#[test]
fn header_and_basic_kinds_put_the_value_in_their_place() {
    let sb = Sandbox::new();
    sb.init();
    sb.create("KEY_SECRET", "key-secret-value-91aa");
    sb.create("BASIC_SECRET", "basic-secret-value-27bc");
    sb.create("SVC_SECRET", "svc-secret-value-4ed0");
    let up = Upstream::http();
    let key = format!(
        "{},auth=header:x-api-key",
        gateway("KEY", "KEY_SECRET", &up.url("/k"))
    );
    let basic_any = format!(
        "{},auth=basic",
        gateway("BASIC", "BASIC_SECRET", &up.url("/b"))
    );
    let basic_svc = format!(
        "{},auth=basic:svc-user",
        gateway("SVC", "SVC_SECRET", &up.url("/s"))
    );
    let run = start(
        &sb,
        &[
            "--gateway",
            &key,
            "--gateway",
            &basic_any,
            "--gateway",
            &basic_svc,
        ],
    );

    let replies = [
        Call::get(&format!("{}/echo", run.base("KEY")))
            .header("x-api-key", &run.token("KEY"))
            .send(),
        Call::get(&format!("{}/echo", run.base("BASIC")))
            .header("authorization", &basic("alice", &run.token("BASIC")))
            .send(),
        Call::get(&format!("{}/echo", run.base("SVC")))
            .header("authorization", &basic("whoever", &run.token("SVC")))
            .send(),
    ];
    for reply in &replies {
        assert_eq!(reply.status, 200, "{}", reply.text());
    }
    let seen = up.seen();
    assert_eq!(seen.len(), 3);
    assert_eq!(seen[0].target, "/k/echo");
    assert_eq!(
        seen[0].header("x-api-key").as_deref(),
        Some("key-secret-value-91aa")
    );
    assert_eq!(seen[0].header("authorization"), None);
    assert_eq!(seen[1].target, "/b/echo");
    assert_eq!(
        seen[1].header("authorization"),
        Some(basic("alice", "basic-secret-value-27bc")),
        "the program's user name, the secret as password"
    );
    assert_eq!(seen[2].target, "/s/echo");
    assert_eq!(
        seen[2].header("authorization"),
        Some(basic("svc-user", "svc-secret-value-4ed0")),
        "the user name given by basic:USER"
    );
    for (seen, var) in seen.iter().zip(["KEY", "BASIC", "SVC"]) {
        assert_lacks(
            &seen.everything(),
            &run.token(var),
            "the upstream's request",
        );
    }
    assert_success(&run.finish(), "header and basic gateways");
}

#[test]
fn a_missing_wrong_or_misplaced_token_is_401_and_never_forwarded() {
    let sb = with_secrets();
    sb.create("KEY_SECRET", "key-secret-value-91aa");
    sb.create("BASIC_SECRET", "basic-secret-value-27bc");
    let up = Upstream::http();
    let api = gateway("API", "API_TOKEN", &up.url("/v1"));
    let key = format!(
        "{},auth=header:x-api-key",
        gateway("KEY", "KEY_SECRET", &up.url("/v1"))
    );
    let basic_gw = format!(
        "{},auth=basic",
        gateway("BASIC", "BASIC_SECRET", &up.url("/v1"))
    );
    let run = start(
        &sb,
        &["--gateway", &api, "--gateway", &key, "--gateway", &basic_gw],
    );
    let (api_token, key_token, basic_token) =
        (run.token("API"), run.token("KEY"), run.token("BASIC"));
    let on = |var: &str, path: &str| Call::get(&format!("{}{path}", run.base(var)));

    let cases = vec![
        ("bearer: no token", on("API", "/echo")),
        (
            "bearer: a wrong token",
            on("API", "/echo").header("authorization", "Bearer gws_0000000000000000wrong"),
        ),
        (
            "bearer: the token with a character dropped",
            on("API", "/echo").header("authorization", &bearer(&api_token[..api_token.len() - 1])),
        ),
        (
            "bearer: the real value instead of the token",
            on("API", "/echo").header("authorization", &bearer(SECRET)),
        ),
        (
            "bearer: another gateway's token",
            on("API", "/echo").header("authorization", &bearer(&key_token)),
        ),
        (
            "bearer: the token in x-api-key",
            on("API", "/echo").header("x-api-key", &api_token),
        ),
        (
            "bearer: the token in the query",
            on("API", &format!("/echo?access_token={api_token}")),
        ),
        (
            "bearer: the token as Basic",
            on("API", "/echo").header("authorization", &basic("user", &api_token)),
        ),
        ("header: no token", on("KEY", "/echo")),
        (
            "header: a wrong token",
            on("KEY", "/echo").header("x-api-key", "gws_0000000000000000wrong"),
        ),
        (
            "header: the token as a bearer",
            on("KEY", "/echo").header("authorization", &bearer(&key_token)),
        ),
        (
            "header: the token in another header",
            on("KEY", "/echo").header("x-api-token", &key_token),
        ),
        ("basic: no token", on("BASIC", "/echo")),
        (
            "basic: a wrong password",
            on("BASIC", "/echo").header("authorization", &basic("user", "gws_wrong")),
        ),
        (
            "basic: the token as the user name",
            on("BASIC", "/echo").header("authorization", &basic(&basic_token, "")),
        ),
        (
            "basic: the token as a bearer",
            on("BASIC", "/echo").header("authorization", &bearer(&basic_token)),
        ),
    ];
    for (what, call) in cases {
        let reply = call.send();
        refused(&reply, 401, what);
        assert_lacks(&reply.everything(), SECRET, what);
        assert_eq!(up.count(), 0, "{what}: the upstream was contacted");
    }

    // The same gateways with the right token do forward.
    let reply = on("API", "/echo")
        .header("authorization", &bearer(&api_token))
        .send();
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(up.count(), 1);
    assert_success(&run.finish(), "401s");
}

#[test]
fn connect_absolute_form_a_foreign_host_and_paths_outside_the_base_are_refused() {
    let sb = with_secrets();
    let up = Upstream::http();
    let run = start(
        &sb,
        &["--gateway", &gateway("API", "API_TOKEN", &up.url("/v1"))],
    );
    let port = run.port("API");
    let auth = bearer(&run.token("API"));
    let base = run.base("API");

    let raw_cases = [
        (
            "CONNECT",
            format!(
                "CONNECT {} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n",
                up.authority()
            ),
            405,
        ),
        (
            "absolute-form, another host",
            format!("GET http://other.example/v1/echo HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"),
            400,
        ),
        (
            "absolute-form, the gateway itself",
            format!("GET http://127.0.0.1:{port}/v1/echo HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"),
            400,
        ),
    ];
    for (what, head, code) in raw_cases {
        let request = format!("{head}Authorization: {auth}\r\nConnection: close\r\n\r\n");
        let reply = raw(port, &request);
        let what = format!("{what} ({})", reply.head);
        assert_refusal(reply.status, &reply.body, code, &what);
        assert_eq!(up.count(), 0, "{what}: the upstream was contacted");
    }

    let echo = format!("{base}/echo");
    let calls = [
        ("a foreign Host", Call::get(&echo).host("evil.example"), 421),
        (
            "the upstream's own Host",
            Call::get(&echo).host(&up.authority()),
            421,
        ),
        (
            "Host without the port",
            Call::get(&echo).host("127.0.0.1"),
            421,
        ),
        (
            "Host on another port",
            Call::get(&echo).host(&format!("localhost:{}", up.port())),
            421,
        ),
        (
            "outside the base",
            Call::get(&format!("http://127.0.0.1:{port}/v2/echo")),
            404,
        ),
        (
            "the root",
            Call::get(&format!("http://127.0.0.1:{port}/")),
            404,
        ),
        (
            "a sibling sharing the base's prefix",
            Call::get(&format!("http://127.0.0.1:{port}/v1x/echo")),
            404,
        ),
    ];
    for (what, call, code) in calls {
        let reply = call.header("authorization", &auth).send();
        refused(&reply, code, what);
        assert_eq!(up.count(), 0, "{what}: the upstream was contacted");
    }

    // Both names of the listener are accepted, and the base itself is in it.
    for call in [
        Call::get(&echo).host(&format!("localhost:{port}")),
        Call::get(&echo).host(&format!("127.0.0.1:{port}")),
        Call::get(&base),
    ] {
        let reply = call.header("authorization", &auth).send();
        assert!(
            !reply.text().starts_with("secrets gateway: "),
            "{}",
            reply.text()
        );
    }
    let targets: Vec<String> = up.seen().into_iter().map(|s| s.target).collect();
    assert_eq!(targets, ["/v1/echo", "/v1/echo", "/v1"]);
    assert_success(&run.finish(), "refusals");
}

/// `target` with its dot segments resolved (RFC 3986, 5.2.4), `%2e`
/// read as `.`, the query left out.
fn resolved(target: &str) -> String {
    let path = target.split('?').next().unwrap();
    let path = path.replace("%2e", ".").replace("%2E", ".");
    let mut out: Vec<&str> = Vec::new();
    for segment in path.split('/').skip(1) {
        match segment {
            "." => {}
            ".." => {
                out.pop();
            }
            s => out.push(s),
        }
    }
    format!("/{}", out.join("/"))
}

#[test]
fn dot_segments_do_not_reach_outside_the_base() {
    let sb = with_secrets();
    let up = Upstream::http();
    let run = start(
        &sb,
        &["--gateway", &gateway("API", "API_TOKEN", &up.url("/v1"))],
    );
    let port = run.port("API");
    let auth = bearer(&run.token("API"));
    for target in [
        "/v1/../v2/echo",
        "/v1/./../admin/echo",
        "/v1/%2e%2e/v2/echo",
        "/v1/a/../../v2/echo",
    ] {
        let before = up.count();
        let reply = Call::get(&format!("http://127.0.0.1:{port}{target}"))
            .header("authorization", &auth)
            .send();
        if up.count() == before {
            // Refused: by the gateway, in its own words.
            assert!(
                matches!(reply.status, 400 | 404),
                "{target}: {} {}",
                reply.status,
                reply.text()
            );
            refused(&reply, reply.status, target);
        } else {
            // Forwarded: only to a path that stays under the base.
            let got = up.seen().pop().unwrap().target;
            let path = resolved(&got);
            assert!(
                path.starts_with("/v1/") || path == "/v1",
                "{target} reached the upstream as {got}"
            );
        }
    }
    assert_success(&run.finish(), "dot segments");
}

#[test]
fn method_target_headers_and_body_are_forwarded_and_accept_encoding_is_not() {
    let sb = with_secrets();
    let up = Upstream::http();
    let run = start(
        &sb,
        &["--gateway", &gateway("API", "API_TOKEN", &up.url("/v1"))],
    );
    let auth = bearer(&run.token("API"));
    let base = run.base("API");
    let body: Vec<u8> = (0..1024 * 1024).map(|i| b'a' + (i % 26) as u8).collect();

    let reply = Call::new("POST", &format!("{base}/echo?x=1&y=two%20words"))
        .header("authorization", &auth)
        .header("x-custom", "custom-value")
        .header("content-type", "application/octet-stream")
        .header("accept-encoding", "gzip, br")
        .body(body.clone())
        .send();
    assert_eq!(reply.status, 200);
    assert!(contains_bytes(&reply.body, &body), "the echoed body");
    for method in ["PUT", "DELETE", "PATCH"] {
        let reply = Call::new(method, &format!("{base}/echo"))
            .header("authorization", &auth)
            .body("small")
            .send();
        assert_eq!(reply.status, 200, "{method}");
    }
    // The upstream's own status and body come back as they are.
    let reply = Call::get(&format!("{base}/no-such-route"))
        .header("authorization", &auth)
        .send();
    assert_eq!(reply.status, 404);
    assert_eq!(reply.text(), "upstream: no such route");

    let seen = up.seen();
    assert_eq!(seen.len(), 5);
    assert_eq!(seen[0].method, "POST");
    assert_eq!(seen[0].target, "/v1/echo?x=1&y=two%20words");
    assert_eq!(seen[0].header("x-custom").as_deref(), Some("custom-value"));
    assert_eq!(
        seen[0].header("content-type").as_deref(),
        Some("application/octet-stream")
    );
    assert_eq!(seen[0].header("accept-encoding"), None, "dropped");
    assert_eq!(seen[0].header("host"), Some(up.authority()));
    assert!(seen[0].body == body, "the body arrived changed");
    let methods: Vec<&str> = seen[1..4].iter().map(|s| s.method.as_str()).collect();
    assert_eq!(methods, ["PUT", "DELETE", "PATCH"]);
    assert_eq!(seen[1].body, b"small");
    assert_eq!(seen[4].target, "/v1/no-such-route");
    assert_success(&run.finish(), "forwarding");
}

/// Asserts that `reply`'s body arrived in pieces spread over more than
/// `spread` (the upstream's pace: a gateway that buffers delivers them
/// all at once), and is `expected` in all.
fn assert_streamed(reply: &Reply, expected: &str, spread: Duration, what: &str) {
    assert_eq!(reply.status, 200, "{what}");
    assert_eq!(reply.text(), expected, "{what}");
    let times: Vec<Duration> = reply.arrivals.iter().map(|(t, _)| *t).collect();
    assert!(
        times.len() >= 3,
        "{what}: arrived in {} pieces: {times:?}",
        times.len()
    );
    let (first, last) = (times[0], *times.last().unwrap());
    assert!(
        last - first > spread,
        "{what}: all of it came at once (first {first:?}, last {last:?}): buffered"
    );
}

#[test]
fn streamed_and_event_stream_responses_arrive_as_they_are_sent() {
    let sb = with_secrets();
    let up = Upstream::http();
    let run = start(
        &sb,
        &["--gateway", &gateway("API", "API_TOKEN", &up.url("/v1"))],
    );
    let auth = bearer(&run.token("API"));
    let base = run.base("API");
    let replies = send_all(vec![
        Call::get(&format!("{base}/stream")).header("authorization", &auth),
        Call::get(&format!("{base}/sse"))
            .header("authorization", &auth)
            .header("accept", "text/event-stream"),
    ]);
    let chunks: String = (1..=5).map(|i| format!("chunk {i}\n")).collect();
    // 5 chunks 200 ms apart: 800 ms from the first to the last.
    assert_streamed(&replies[0], &chunks, Duration::from_millis(400), "chunked");
    let events: String = (1..=4).map(|i| format!("data: event {i}\n\n")).collect();
    assert_streamed(&replies[1], &events, Duration::from_millis(400), "SSE");
    assert_eq!(
        replies[1].header("content-type").as_deref(),
        Some("text/event-stream")
    );
    assert_success(&run.finish(), "streaming");
}

#[test]
fn an_upstream_that_does_not_answer_is_502() {
    let sb = with_secrets();
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{closed}/v1");
    let run = start(&sb, &["--gateway", &gateway("API", "API_TOKEN", &url)]);
    let reply = Call::get(&format!("{}/echo", run.base("API")))
        .header("authorization", &bearer(&run.token("API")))
        .send();
    refused(&reply, 502, "connection refused");
    assert_lacks(&reply.everything(), SECRET, "the 502");
    assert_success(&run.finish(), "502");
}

#[test]
fn https_upstreams_are_verified_with_the_ca_given() {
    let sb = with_secrets();
    let ca = TestCa::new("gateway test CA");
    let stranger = TestCa::new("some other CA");
    let up = Upstream::https(&ca);
    let dir = sb.root();
    let ours = dir.join("ca.pem");
    let theirs = dir.join("other-ca.pem");
    let bundle = dir.join("bundle.pem");
    std::fs::write(&ours, ca.pem()).unwrap();
    std::fs::write(&theirs, stranger.pem()).unwrap();
    std::fs::write(&bundle, format!("{}{}", stranger.pem(), ca.pem())).unwrap();
    let spec = gateway("API", "API_TOKEN", &up.url("/v1"));
    let (ours, theirs, bundle) = (
        ours.to_str().unwrap(),
        theirs.to_str().unwrap(),
        bundle.to_str().unwrap(),
    );

    let request = |run: &Running| {
        Call::get(&format!("{}/echo", run.base("API")))
            .header("authorization", &bearer(&run.token("API")))
            .send()
    };
    for (what, options, env) in [
        ("--gateway-ca", vec!["--gateway-ca", ours], None),
        ("a bundle, ours second", vec!["--gateway-ca", bundle], None),
        ("SECRETS_GATEWAY_CA", vec![], Some(ours)),
    ] {
        let before = up.count();
        let mut all = options.clone();
        all.extend(["--gateway", spec.as_str()]);
        let run = start_with(&sb, &all, 0, |cmd| {
            if let Some(file) = env {
                cmd.env("SECRETS_GATEWAY_CA", file);
            }
        });
        let reply = request(&run);
        assert_eq!(reply.status, 200, "{what}: {}", reply.text());
        assert_eq!(up.count(), before + 1, "{what}");
        let seen = up.seen().pop().unwrap();
        assert_eq!(
            seen.header("authorization"),
            Some(format!("Bearer {SECRET}"))
        );
        assert_eq!(seen.target, "/v1/echo");
        assert_success(&run.finish(), what);
    }
    for (what, options) in [
        ("no CA", vec![]),
        ("another CA", vec!["--gateway-ca", theirs]),
    ] {
        let before = up.count();
        let mut all = options.clone();
        all.extend(["--gateway", spec.as_str()]);
        let run = start(&sb, &all);
        let reply = request(&run);
        refused(&reply, 502, what);
        assert_eq!(up.count(), before, "{what}: a request got through");
        assert_success(&run.finish(), what);
    }
}

#[test]
fn values_are_masked_in_response_headers_and_bodies() {
    let sb = with_secrets();
    sb.create("KEY_SECRET", "key-secret-value-91aa");
    let up = Upstream::http();
    let key = format!(
        "{},auth=header:x-api-key",
        gateway("KEY", "KEY_SECRET", &up.url("/k"))
    );
    let run = start(
        &sb,
        &[
            "--gateway",
            &gateway("API", "API_TOKEN", &up.url("/v1")),
            "--gateway",
            &key,
        ],
    );
    let auth = bearer(&run.token("API"));
    // The upstream sends back the Authorization it got (API_TOKEN's value),
    // and what the client sent: the other gateway's value, in a header and
    // in the body.
    let reply = Call::new("POST", &format!("{}/echo", run.base("API")))
        .header("authorization", &auth)
        .header("x-reflect", "key-secret-value-91aa")
        .body(format!("body: {SECRET} and key-secret-value-91aa."))
        .send();
    assert_eq!(reply.status, 200, "{}", reply.text());
    let seen = up.seen().pop().unwrap();
    assert_eq!(
        seen.body,
        format!("body: {SECRET} and key-secret-value-91aa.").into_bytes(),
        "a request's body is forwarded as it is"
    );
    assert_eq!(
        reply.header("x-echo-authorization").as_deref(),
        Some("Bearer [MASKED:API_TOKEN]")
    );
    assert_eq!(
        reply.header("x-echo-x-reflect").as_deref(),
        Some("[MASKED:KEY_SECRET]")
    );
    let text = reply.text();
    assert!(
        text.contains("authorization: Bearer [MASKED:API_TOKEN]\n"),
        "{text}"
    );
    assert!(text.contains("x-reflect: [MASKED:KEY_SECRET]\n"), "{text}");
    assert!(
        text.ends_with("\n\nbody: [MASKED:API_TOKEN] and [MASKED:KEY_SECRET]."),
        "{text}"
    );
    assert_lacks(&reply.everything(), SECRET, "the reply");
    assert_lacks(&reply.everything(), "key-secret-value-91aa", "the reply");

    // A value split across two pieces of a streamed body is still masked.
    let reply = Call::get(&format!("{}/split", run.base("API")))
        .header("authorization", &auth)
        .send();
    assert_eq!(reply.text(), "before Bearer [MASKED:API_TOKEN] after");
    assert_success(&run.finish(), "masking");
}

#[test]
fn the_secret_is_named_in_any_case_and_masks_and_the_log_keep_the_stored_name() {
    let sb = with_secrets();
    let up = Upstream::http();
    let run = start(
        &sb,
        &["--gateway", &gateway("API", "api_token", &up.url("/v1"))],
    );
    let reply = Call::get(&format!("{}/echo", run.base("API")))
        .header("authorization", &bearer(&run.token("API")))
        .send();
    assert_eq!(
        reply.header("x-echo-authorization").as_deref(),
        Some("Bearer [MASKED:API_TOKEN]")
    );
    assert_eq!(
        up.seen()[0].header("authorization"),
        Some(format!("Bearer {SECRET}"))
    );
    assert_success(&run.finish(), "lower-case secret name");
    let (events, _) = log_json(&sb);
    let entry = events.iter().find(|e| e["action"] == "gateway").unwrap();
    assert_eq!(entry["names"], serde_json::json!(["API_TOKEN"]));
}

#[test]
fn sixty_four_requests_in_flight_at_once_all_succeed() {
    let sb = with_secrets();
    let up = Upstream::http();
    let run = start(
        &sb,
        &["--gateway", &gateway("API", "API_TOKEN", &up.url("/v1"))],
    );
    let auth = bearer(&run.token("API"));
    let url = format!("{}/slow?ms=1000", run.base("API"));
    let calls = (0..64)
        .map(|_| Call::get(&url).header("authorization", &auth))
        .collect();
    let started = Instant::now();
    let replies = send_all(calls);
    let took = started.elapsed();
    for reply in &replies {
        assert_eq!(reply.status, 200, "{}", reply.text());
        assert_eq!(reply.text(), "slow");
    }
    assert_eq!(up.count(), 64);
    assert_eq!(
        up.max_in_flight(),
        64,
        "the upstream never had all 64 at once (took {took:?})"
    );
    // One after another would be 64 s.
    assert!(took < Duration::from_secs(10), "took {took:?}");
    assert_success(&run.finish(), "64 at once");
}

#[test]
fn the_listener_is_gone_once_the_program_has_exited() {
    let sb = with_secrets();
    let up = Upstream::http();
    let spec = gateway("API", "API_TOKEN", &up.url("/v1"));
    for mask in ["never", "always"] {
        let run = start(&sb, &["--mask", mask, "--gateway", &spec]);
        let port = run.port("API");
        let reply = Call::get(&format!("{}/echo", run.base("API")))
            .header("authorization", &bearer(&run.token("API")))
            .send();
        assert_eq!(reply.status, 200, "--mask {mask}");
        assert_success(&run.finish(), mask);
        let error = std::net::TcpStream::connect(("127.0.0.1", port))
            .err()
            .unwrap_or_else(|| panic!("--mask {mask}: the port still accepts"));
        assert_eq!(
            error.kind(),
            std::io::ErrorKind::ConnectionRefused,
            "--mask {mask}"
        );
    }
}

#[test]
fn the_exit_status_is_the_programs_with_or_without_masking() {
    let sb = with_secrets();
    let up = Upstream::http();
    let spec = gateway("API", "API_TOKEN", &up.url("/v1"));
    for mask in [None, Some("never"), Some("auto"), Some("always")] {
        let mut options = Vec::new();
        if let Some(mask) = mask {
            options.extend(["--mask", mask]);
        }
        options.extend(["--gateway", spec.as_str()]);
        let run = start_with(&sb, &options, 7, |_| {});
        let reply = Call::get(&format!("{}/echo", run.base("API")))
            .header("authorization", &bearer(&run.token("API")))
            .send();
        assert_eq!(reply.status, 200, "{mask:?}: {}", reply.text());
        let out = run.finish();
        assert_eq!(out.status.code(), Some(7), "{mask:?}: {}", stderr(&out));
        assert_lacks(&out.stdout, SECRET, "stdout");
        assert_lacks(&out.stderr, SECRET, "stderr");
    }
    // A program that exits at once (no request at all) too.
    let out = run(
        &sb,
        &[
            "exec",
            "--mask",
            "never",
            "--gateway",
            &spec,
            "--",
            "sh",
            "-c",
            "exit 3",
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
}

#[test]
fn the_log_records_each_gateway_with_its_request_count_and_never_a_value() {
    let sb = with_secrets();
    sb.create("KEY_SECRET", "key-secret-value-91aa");
    sb.create("WEB_SECRET", "web-secret-value-c3f8");
    let up = Upstream::http();
    let api = gateway("API", "API_TOKEN", &up.url("/v1"));
    let key = format!(
        "{},auth=header:x-api-key",
        gateway("KEY", "KEY_SECRET", "https://api.example.com:443/v2")
    );
    let web = gateway("WEB", "WEB_SECRET", "https://api.example.com:8443");
    let first = start(
        &sb,
        &["--gateway", &api, "--gateway", &key, "--gateway", &web],
    );
    let token = first.token("API");
    let base = first.base("API");
    let auth = bearer(&token);
    // Forwarded: 2 echoes and one the upstream does not know (3); refused
    // by the gateway, not counted: 2 without a token, 1 outside the base.
    for path in ["/echo", "/echo", "/no-such-route"] {
        let reply = Call::get(&format!("{base}{path}"))
            .header("authorization", &auth)
            .header("x-log-canary", "log-canary-header-value")
            .body("log-canary-body-value")
            .send();
        assert!(!reply.text().starts_with("secrets gateway:"), "{path}");
    }
    for _ in 0..2 {
        refused(&Call::get(&format!("{base}/echo")).send(), 401, "no token");
    }
    let outside = format!("http://127.0.0.1:{}/elsewhere", first.port("API"));
    refused(
        &Call::get(&outside).header("authorization", &auth).send(),
        404,
        "outside",
    );
    assert_eq!(up.count(), 3);
    assert_success(&first.finish(), "three gateways");

    // A second run, one request.
    let run2 = start(&sb, &["--gateway", &api]);
    let token2 = run2.token("API");
    let reply = Call::get(&format!("{}/echo", run2.base("API")))
        .header("authorization", &bearer(&token2))
        .send();
    assert_eq!(reply.status, 200);
    assert_success(&run2.finish(), "one request");

    let (events, text) = log_json(&sb);
    let gateways: Vec<&Value> = events.iter().filter(|e| e["action"] == "gateway").collect();
    assert_eq!(gateways.len(), 4, "{text}");
    let details: BTreeSet<(String, String, String)> = gateways
        .iter()
        .map(|e| {
            let names = e["names"].as_array().expect("names");
            assert_eq!(names.len(), 1, "{e}");
            (
                names[0].as_str().unwrap().to_owned(),
                e["program"].as_str().expect("program").to_owned(),
                e["detail"].as_str().expect("detail").to_owned(),
            )
        })
        .collect();
    let expected: BTreeSet<(String, String, String)> = [
        (
            "API_TOKEN",
            format!("API -> {}, 3 requests", up.authority()),
        ),
        ("API_TOKEN", format!("API -> {}, 1 request", up.authority())),
        (
            "KEY_SECRET",
            "KEY -> api.example.com, 0 requests".to_owned(),
        ),
        (
            "WEB_SECRET",
            "WEB -> api.example.com:8443, 0 requests".to_owned(),
        ),
    ]
    .into_iter()
    .map(|(name, detail)| (name.to_owned(), "sh".to_owned(), detail))
    .collect();
    assert_eq!(details, expected);
    // The newest run's entry is the newest gateway entry.
    assert_eq!(
        gateways[0]["detail"],
        format!("API -> {}, 1 request", up.authority())
    );

    // Each run's exec entry names the gateways' secrets.
    let execs: Vec<&Value> = events.iter().filter(|e| e["action"] == "exec").collect();
    assert_eq!(execs.len(), 2, "{text}");
    assert_eq!(execs[0]["names"], serde_json::json!(["API_TOKEN"]));
    let names: BTreeSet<&str> = execs[1]["names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        BTreeSet::from(["API_TOKEN", "KEY_SECRET", "WEB_SECRET"])
    );

    let table = run(&sb, &["log"], "");
    assert_success(&table, "log");
    for log in [text.as_bytes(), table.stdout.as_slice()] {
        for never in [
            SECRET,
            "key-secret-value-91aa",
            "web-secret-value-c3f8",
            token.as_str(),
            token2.as_str(),
            "Bearer",
            "log-canary-header-value",
            "log-canary-body-value",
        ] {
            assert_lacks(log, never, "the log");
        }
    }
}

#[test]
fn bad_gateways_are_refused_before_the_program_runs() {
    let sb = with_secrets();
    let usage = |options: &[&str], what: &str| {
        let out = sb
            .cmd()
            .arg("exec")
            .args(options)
            .arg("--")
            .args(sb.touch_marker_args())
            .output()
            .unwrap();
        assert_no_panic(&out);
        let line = one_error(&out, 2, what);
        assert!(!sb.marker_path().exists(), "{what}: the program ran");
        assert_lacks(&out.stderr, SECRET, what);
        line
    };
    let good = "https://api.example.com/v1";
    for url in [
        "http://example.com/v1",
        "http://api.example.com:8080",
        "http://10.1.2.3/",
        "http://192.168.0.1:9/",
        "http://127.0.0.1.example.com/",
        "ftp://127.0.0.1/",
        "api.example.com/v1",
        "127.0.0.1:8080",
        "https://api.example.com/v1?key=1",
        "https://api.example.com/v1#top",
        "https://user:pw@api.example.com/v1",
        "https://user@api.example.com/v1",
        "http://user@127.0.0.1:9/",
    ] {
        usage(&["--gateway", &gateway("API", "API_TOKEN", url)], url);
    }
    for var in [
        "1BAD",
        "BAD-NAME",
        "LD_PRELOAD",
        "SECRETS_VAULT",
        "PATH",
        "",
    ] {
        usage(&["--gateway", &gateway(var, "API_TOKEN", good)], var);
    }
    for (what, options) in [
        ("no URL", vec!["--gateway", "API=API_TOKEN"]),
        (
            "no variable",
            vec!["--gateway", "API_TOKEN@https://api.example.com"],
        ),
        (
            "an unknown kind",
            vec![
                "--gateway",
                "API=API_TOKEN@https://api.example.com,auth=digest",
            ],
        ),
    ] {
        usage(&options, what);
    }

    // Naming the gateway's secret for the environment too is refused once
    // the vault says which secret the names mean (any case): 125, as a
    // variable that --env would set twice.
    for options in [["--only", "api_token"], ["--env", "T=API_TOKEN"]] {
        let mut options = options.to_vec();
        options.extend(["--gateway", "API=API_TOKEN@https://api.example.com"]);
        let err = exec_refused(&sb, &options, &[SECRET, OTHER]);
        assert!(err.contains("behind a gateway"), "{options:?}: {err}");
    }

    let err = exec_refused(
        &sb,
        &["--gateway", "API=NO_SUCH_SECRET@https://api.example.com"],
        &[SECRET, OTHER],
    );
    assert!(err.contains("NO_SUCH_SECRET"), "{err}");

    // Loopback over plain HTTP is fine (nothing is contacted before a
    // request), as is HTTPS anywhere.
    for url in [
        "http://127.0.0.1:9/",
        "http://127.3.4.5:9",
        "http://localhost:9/v1",
        "http://[::1]:9/",
        "https://api.example.com/v1",
    ] {
        let out = sb
            .cmd()
            .args(["exec", "--gateway", &gateway("API", "API_TOKEN", url), "--"])
            .args(sb.touch_marker_args())
            .output()
            .unwrap();
        assert_success(&out, url);
        assert!(sb.marker_path().exists(), "{url}");
        std::fs::remove_file(sb.marker_path()).unwrap();
    }
}

#[test]
fn a_team_vault_on_postgresql_works_the_same() {
    if !can_run_pg() {
        return;
    }
    let schema = PgSchema::new();
    let sb = Sandbox::with_vault(&schema.url());
    sb.init();
    sb.create("API_TOKEN", SECRET);
    let up = Upstream::http();
    let run = start(
        &sb,
        &["--gateway", &gateway("API", "API_TOKEN", &up.url("/v1"))],
    );
    assert!(run.token("API").starts_with("gws_"));
    assert_lacks(run.env_text.as_bytes(), SECRET, "the program's environment");
    let reply = Call::get(&format!("{}/echo", run.base("API")))
        .header("authorization", &bearer(&run.token("API")))
        .send();
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(
        reply.header("x-echo-authorization").as_deref(),
        Some("Bearer [MASKED:API_TOKEN]")
    );
    assert_eq!(
        up.seen()[0].header("authorization"),
        Some(format!("Bearer {SECRET}"))
    );
    let out = run.finish();
    assert_success(&out, "exec --gateway on PostgreSQL");
    assert_lacks(&out.stdout, SECRET, "stdout");
    assert_lacks(&out.stderr, SECRET, "stderr");
    let (events, _) = log_json(&sb);
    let entry = events.iter().find(|e| e["action"] == "gateway").unwrap();
    assert_eq!(
        entry["detail"],
        format!("API -> {}, 1 request", up.authority())
    );
}
