//! `secrets mcp` through the real binary, driven by the official MCP client
//! (`rmcp`) over the server's stdin and stdout. Every byte both ways and
//! everything on the server's stderr is kept, and every test ends by
//! searching all of it for every value it stored.

use crate::common::{PgSchema, Sandbox, Upstream, assert_success, can_run, can_run_pg, stdout};
use rmcp::model::{CallToolRequestParams, CallToolResult};
use rmcp::service::RunningService;
use rmcp::{RoleClient, ServiceExt};
use serde_json::{Value, json};
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::pin::Pin;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, ReadBuf};

const TOKEN: &str = "tok-4f9a2c71e0b3-very-secret";
const PASSWORD: &str = "pw-Zq81LmNx0vRt";

/// A sandbox with an identity, a vault holding two secrets, and `policy`
/// (none when `None`) beside the identity.
fn vault_with_policy(policy: Option<Value>) -> Sandbox {
    let sb = Sandbox::new();
    sb.init();
    sb.create("API_TOKEN", TOKEN);
    sb.create("DB_PASSWORD", PASSWORD);
    if let Some(policy) = policy {
        write_policy(&sb, &policy);
    }
    sb
}

fn write_policy(sb: &Sandbox, policy: &Value) {
    let path = sb.identity_dir().join("mcp-policy.json");
    std::fs::write(&path, policy.to_string()).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
}

/// Everything that crossed the server's stdin, stdout and stderr.
type Transcript = Arc<Mutex<Vec<u8>>>;

/// A stream that keeps a copy of every byte read from or written to it.
struct Recorded<S> {
    inner: S,
    transcript: Transcript,
}

impl<S: AsyncRead + Unpin> AsyncRead for Recorded<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        let read = buf.filled()[before..].to_vec();
        self.transcript.lock().unwrap().extend_from_slice(&read);
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Recorded<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(written)) = polled {
            self.transcript
                .lock()
                .unwrap()
                .extend_from_slice(&buf[..written]);
        }
        polled
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// An agent connected to `secrets mcp` in a sandbox.
struct Agent {
    client: RunningService<RoleClient, ()>,
    server: tokio::process::Child,
    transcript: Transcript,
    stderr: tokio::task::JoinHandle<Vec<u8>>,
}

impl Agent {
    /// Starts the server and completes the handshake.
    async fn connect(sb: &Sandbox) -> Agent {
        let mut command = sb.std_cmd();
        command
            .arg("mcp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut server = tokio::process::Command::from(command)
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let transcript = Transcript::default();
        let reader = Recorded {
            inner: server.stdout.take().unwrap(),
            transcript: Arc::clone(&transcript),
        };
        let writer = Recorded {
            inner: server.stdin.take().unwrap(),
            transcript: Arc::clone(&transcript),
        };
        let mut stderr = server.stderr.take().unwrap();
        let stderr = tokio::spawn(async move {
            let mut bytes = Vec::new();
            let _ = stderr.read_to_end(&mut bytes).await;
            bytes
        });
        let client = tokio::time::timeout(Duration::from_secs(20), ().serve((reader, writer)))
            .await
            .expect("handshake in time")
            .expect("handshake");
        Agent {
            client,
            server,
            transcript,
            stderr,
        }
    }

    /// Calls `tool` with `arguments`; a tool error is a result too.
    async fn call(&self, tool: &'static str, arguments: Value) -> CallToolResult {
        let Value::Object(arguments) = arguments else {
            panic!("arguments are an object");
        };
        let params = CallToolRequestParams::new(tool).with_arguments(arguments);
        tokio::time::timeout(Duration::from_secs(60), self.client.call_tool(params))
            .await
            .expect("the call is answered in time")
            .expect("the call is answered")
    }

    /// Closes the connection, waits for the server to exit, and checks
    /// that nothing it received, sent or printed holds a value.
    async fn close(mut self, values: &[&str]) -> Vec<u8> {
        self.client.cancel().await.unwrap();
        let status = tokio::time::timeout(Duration::from_secs(10), self.server.wait())
            .await
            .expect("the server exits once stdin closes")
            .unwrap();
        assert!(status.success(), "server exit: {status:?}");
        let stderr = self.stderr.await.unwrap();
        let mut everything = self.transcript.lock().unwrap().clone();
        everything.extend_from_slice(&stderr);
        assert!(!everything.is_empty());
        for value in values {
            assert!(
                !crate::common::contains_bytes(&everything, value.as_bytes()),
                "a value is in the transcript or on stderr"
            );
        }
        everything
    }
}

/// The result's text (the tools answer with one text block).
fn text(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|block| block.as_text().map(|t| t.text.clone()))
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_error(result: &CallToolResult) -> bool {
    result.is_error == Some(true)
}

/// A run's outcome, as the agent reads it.
fn outcome(result: &CallToolResult) -> Value {
    serde_json::from_str(&text(result)).expect("run_command answers JSON")
}

/// The one-line tool error, checked for its shape.
fn tool_error(result: &CallToolResult) -> String {
    assert!(is_error(result), "expected a tool error: {}", text(result));
    let text = text(result);
    assert!(text.starts_with("error: "), "{text}");
    assert!(text.lines().count() <= 2, "one line and a hint: {text}");
    text
}

#[tokio::test]
async fn handshake_and_tools_with_input_schemas() {
    let sb = vault_with_policy(None);
    let agent = Agent::connect(&sb).await;
    let info = agent.client.peer_info().expect("server info");
    assert_eq!(info.server_info.as_ref().unwrap().name, "secrets");
    let tools = agent.client.list_all_tools().await.unwrap();
    let mut names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    names.sort_unstable();
    assert_eq!(names, ["list_secrets", "request_secret", "run_command"]);
    for tool in &tools {
        assert!(
            tool.description.is_some(),
            "{} has a description",
            tool.name
        );
        assert_eq!(tool.input_schema.get("type"), Some(&json!("object")));
    }
    let run = tools.iter().find(|t| t.name == "run_command").unwrap();
    let properties = run.input_schema.get("properties").unwrap();
    assert_eq!(properties["argv"]["type"], json!("array"));
    for field in ["only", "env", "cwd", "timeout_secs"] {
        assert!(properties.get(field).is_some(), "run_command takes {field}");
    }
    assert_eq!(run.input_schema["required"], json!(["argv"]));
    let request = tools.iter().find(|t| t.name == "request_secret").unwrap();
    assert_eq!(request.input_schema["required"], json!(["name", "reason"]));
    agent.close(&[TOKEN, PASSWORD]).await;
}

#[tokio::test]
async fn list_secrets_gives_names_and_never_a_value() {
    let sb = vault_with_policy(None);
    let agent = Agent::connect(&sb).await;
    let result = agent.call("list_secrets", json!({})).await;
    assert!(!is_error(&result), "{}", text(&result));
    let listed: Value = serde_json::from_str(&text(&result)).unwrap();
    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["API_TOKEN", "DB_PASSWORD"]);
    // The shape of `list --json`.
    assert_eq!(listed, sb.list_json());
    agent.close(&[TOKEN, PASSWORD]).await;
    let log = sb.cmd().args(["log", "--json"]).output().unwrap();
    let log: Value = serde_json::from_slice(&log.stdout).unwrap();
    assert_eq!(log[0]["action"], json!("mcp"));
    assert_eq!(log[0]["detail"], json!("list_secrets via mcp"));
}

#[tokio::test]
async fn request_secret_is_recorded_and_shown_by_requests() {
    let sb = vault_with_policy(None);
    let agent = Agent::connect(&sb).await;
    let result = agent
        .call(
            "request_secret",
            json!({"name": "STRIPE_KEY", "reason": "to run the payment tests"}),
        )
        .await;
    assert!(!is_error(&result), "{}", text(&result));
    assert!(text(&result).contains("secrets create STRIPE_KEY"));
    // A secret that exists, a name that is not one, a missing reason.
    let exists = agent
        .call(
            "request_secret",
            json!({"name": "api_token", "reason": "again"}),
        )
        .await;
    assert!(tool_error(&exists).contains("already exists"));
    let invalid = agent
        .call(
            "request_secret",
            json!({"name": "not a name", "reason": "why"}),
        )
        .await;
    assert!(tool_error(&invalid).contains("invalid secret name"));
    let no_reason = agent
        .call("request_secret", json!({"name": "STRIPE_KEY"}))
        .await;
    assert!(is_error(&no_reason) || text(&no_reason).contains("reason"));
    agent.close(&[TOKEN, PASSWORD]).await;

    let file = sb.identity_dir().join("mcp-requests.jsonl");
    let mode = std::fs::metadata(&file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let shown = sb.cmd().arg("requests").output().unwrap();
    assert_success(&shown, "secrets requests");
    let shown = stdout(&shown);
    assert!(shown.contains("STRIPE_KEY"), "{shown}");
    assert!(shown.contains("to run the payment tests"), "{shown}");
    let json = sb.cmd().args(["requests", "--json"]).output().unwrap();
    let json: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 1);
    assert_eq!(json[0]["name"], json!("STRIPE_KEY"));
    // Created: answered, no longer shown.
    sb.create("STRIPE_KEY", "sk-test-0123456789");
    let after = sb.cmd().arg("requests").output().unwrap();
    assert!(stdout(&after).contains("no requests"), "{}", stdout(&after));
    let log = sb.cmd().args(["log", "--json"]).output().unwrap();
    let log: Value = serde_json::from_slice(&log.stdout).unwrap();
    let details: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == json!("mcp"))
        .map(|e| e["detail"].as_str().unwrap())
        .collect();
    assert!(
        details.contains(&"request_secret via mcp: STRIPE_KEY"),
        "{details:?}"
    );
    assert!(
        details
            .iter()
            .any(|d| d.starts_with("request_secret via mcp: api_token: refused")),
        "{details:?}"
    );
}

#[tokio::test]
async fn an_allowed_program_gets_its_secrets_and_its_output_comes_back_masked() {
    let sb = vault_with_policy(Some(json!({
        "programs": {"printenv": {"secrets": ["API_TOKEN", "DB_PASSWORD"]}}
    })));
    let agent = Agent::connect(&sb).await;
    let result = agent
        .call("run_command", json!({"argv": ["printenv", "API_TOKEN"]}))
        .await;
    assert!(!is_error(&result), "{}", text(&result));
    let ran = outcome(&result);
    assert_eq!(ran["exit_code"], json!(0));
    assert_eq!(ran["stdout"], json!("[MASKED:API_TOKEN]\n"));
    assert_eq!(result.structured_content.as_ref(), Some(&ran));
    // Narrowed by `only`: the other granted secret is not there.
    let narrowed = agent
        .call(
            "run_command",
            json!({"argv": ["printenv", "DB_PASSWORD"], "only": ["API_TOKEN"]}),
        )
        .await;
    let narrowed = outcome(&narrowed);
    assert_eq!(narrowed["exit_code"], json!(1), "{narrowed}");
    assert_eq!(narrowed["stdout"], json!(""));
    // Under another variable, in a working directory: the whole environment.
    let renamed = agent
        .call(
            "run_command",
            json!({"argv": ["printenv"], "env": {"PGPASSWORD": "db_password"},
                   "cwd": sb.root()}),
        )
        .await;
    let renamed = outcome(&renamed);
    let env = renamed["stdout"].as_str().unwrap();
    assert!(env.contains("PGPASSWORD=[MASKED:DB_PASSWORD]"), "{env}");
    assert!(!env.contains("API_TOKEN"), "only what env names: {env}");
    agent.close(&[TOKEN, PASSWORD]).await;
    let log = sb.cmd().args(["log", "--json"]).output().unwrap();
    let log: Value = serde_json::from_slice(&log.stdout).unwrap();
    let run = log
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["names"] == json!(["API_TOKEN", "DB_PASSWORD"]))
        .expect("the first run is logged with its secrets");
    assert_eq!(run["action"], json!("mcp"));
    assert_eq!(run["program"], json!("printenv"));
    assert_eq!(run["detail"], json!("run_command via mcp"));
}

/// A gateway named in the policy: the program gets a token and the
/// gateway's address, never the secret (even though the policy also
/// grants it), and its request reaches the upstream with the secret.
#[tokio::test]
async fn a_gateway_in_the_policy_lets_a_program_use_a_secret_it_never_holds() {
    if !can_run(std::path::Path::new("/usr/bin/curl").exists(), "curl") {
        return;
    }
    let up = Upstream::http();
    let gateway = format!("API=API_TOKEN@{}", up.url("/v1"));
    let sb = vault_with_policy(Some(json!({
        "programs": {"sh": {"gateways": [gateway], "secrets": ["API_TOKEN"]}},
        "shell": true
    })));
    let agent = Agent::connect(&sb).await;
    let script = r#"printf '%s\n' "${API_TOKEN-unset}" "$API" "$API_URL";
        curl -s -H "Authorization: Bearer $API" "$API_URL/echo""#;
    let result = agent
        .call("run_command", json!({"argv": ["sh", "-c", script]}))
        .await;
    assert!(!is_error(&result), "{}", text(&result));
    let ran = outcome(&result);
    let out = ran["stdout"].as_str().unwrap();
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("unset"), "the secret went in: {out}");
    assert!(lines.next().unwrap().starts_with("gws_"), "{out}");
    assert!(
        lines.next().unwrap().starts_with("http://127.0.0.1:"),
        "{out}"
    );
    assert!(out.contains("GET /v1/echo"), "the upstream answered: {out}");
    // Narrowed by the call: none of the policy's gateways, or one it lacks.
    let none = agent
        .call(
            "run_command",
            json!({"argv": ["sh", "-c", "printf '%s' \"${API-unset}\""], "gateways": []}),
        )
        .await;
    assert_eq!(outcome(&none)["stdout"], json!("unset"), "{}", text(&none));
    let unknown = agent
        .call(
            "run_command",
            json!({"argv": ["sh", "-c", "true"], "gateways": ["NOPE"]}),
        )
        .await;
    let unknown = tool_error(&unknown);
    assert!(unknown.contains("no gateway 'NOPE'"), "{unknown}");
    let seen = up.seen();
    assert_eq!(seen.len(), 1, "{out}");
    assert_eq!(
        seen[0].header("authorization"),
        Some(format!("Bearer {TOKEN}"))
    );
    agent.close(&[TOKEN, PASSWORD]).await;
    let log = sb.cmd().args(["log", "--json"]).output().unwrap();
    let log: Value = serde_json::from_slice(&log.stdout).unwrap();
    let entry = log
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == json!("gateway"))
        .expect("the gateway's use is logged");
    assert_eq!(entry["names"], json!(["API_TOKEN"]));
    assert_eq!(
        entry["detail"],
        json!(format!("API -> {}, 1 request", up.authority()))
    );
}

/// A program the policy allows that cannot be started is not a run: the
/// log keeps the refusal only, in a file vault (the journal's cancelling
/// line) and in a PostgreSQL one (the entry removed again).
#[test]
fn a_program_that_cannot_start_is_not_logged_as_a_run() {
    // The test server's schema is made and dropped outside the runtime
    // (its client blocks).
    let schema = can_run_pg().then(PgSchema::new);
    let mut sandboxes = vec![Sandbox::new()];
    if let Some(schema) = &schema {
        sandboxes.push(Sandbox::with_vault(&schema.url()));
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for sb in sandboxes {
        sb.init();
        sb.create("API_TOKEN", TOKEN);
        write_policy(
            &sb,
            &json!({"programs": {"/no/such/program": {"secrets": ["API_TOKEN"]}}}),
        );
        runtime.block_on(async {
            let agent = Agent::connect(&sb).await;
            let result = agent
                .call("run_command", json!({"argv": ["/no/such/program"]}))
                .await;
            let error = tool_error(&result);
            assert!(error.contains("program not found"), "{error}");
            agent.close(&[TOKEN]).await;
        });
        let log = sb.cmd().args(["log", "--json"]).output().unwrap();
        let log: Value = serde_json::from_slice(&log.stdout).unwrap();
        let details: Vec<&str> = log
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == json!("mcp"))
            .filter_map(|e| e["detail"].as_str())
            .collect();
        assert_eq!(details.len(), 1, "{details:?}");
        assert!(
            details[0].starts_with("run_command via mcp: refused"),
            "{details:?}"
        );
    }
}

#[tokio::test]
async fn refusals_are_clear_tool_errors() {
    let sb = vault_with_policy(None);
    let agent = Agent::connect(&sb).await;
    // No policy: nothing runs, and the error says how to allow programs.
    let none = agent
        .call("run_command", json!({"argv": ["printenv"]}))
        .await;
    let none = tool_error(&none);
    assert!(none.contains("no MCP policy"), "{none}");
    assert!(none.contains("mcp-policy.json"), "{none}");
    write_policy(
        &sb,
        &json!({"programs": {"printenv": {"secrets": ["API_TOKEN", "NOT_CREATED"]},
                             "sh": {"secrets": ["API_TOKEN"]}}}),
    );
    let cases = [
        (
            json!({"argv": ["cat", "/etc/hostname"]}),
            "does not allow running 'cat'",
        ),
        (
            json!({"argv": ["/usr/bin/printenv"]}),
            "does not allow running",
        ),
        (
            json!({"argv": ["printenv"], "only": ["DB_PASSWORD"]}),
            "does not grant secret 'DB_PASSWORD'",
        ),
        (
            json!({"argv": ["printenv"], "env": {"X_PW": "DB_PASSWORD"}}),
            "does not grant",
        ),
        (
            json!({"argv": ["printenv"], "only": ["NOT_CREATED"]}),
            "no secret named 'NOT_CREATED'",
        ),
        (json!({"argv": ["sh", "-c", "echo $API_TOKEN"]}), "shell"),
        (json!({"argv": []}), "argv is empty"),
    ];
    for (arguments, expected) in cases {
        let result = agent.call("run_command", arguments.clone()).await;
        let error = tool_error(&result);
        assert!(error.contains(expected), "{arguments}: {error}");
    }
    agent.close(&[TOKEN, PASSWORD]).await;
}

#[tokio::test]
async fn a_program_past_its_time_limit_is_killed() {
    let sb = vault_with_policy(Some(json!({
        "programs": {"sleep": {"secrets": ["API_TOKEN"], "timeout_secs": 1}}
    })));
    let agent = Agent::connect(&sb).await;
    let started = Instant::now();
    let result = agent
        .call(
            "run_command",
            json!({"argv": ["sleep", "30"], "timeout_secs": 100}),
        )
        .await;
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert!(is_error(&result));
    let ran = outcome(&result);
    assert_eq!(ran["timed_out"], json!(true));
    assert_eq!(ran["signal"], json!(9));
    assert!(
        ran["notes"][0]
            .as_str()
            .unwrap()
            .contains("time limit (1 s)"),
        "{ran}"
    );
    agent.close(&[TOKEN, PASSWORD]).await;
}

#[tokio::test]
async fn a_hundred_megabytes_of_output_come_back_cut_and_masked() {
    let sb = vault_with_policy(Some(json!({
        "programs": {"sh": {"secrets": ["API_TOKEN"]}},
        "shell": true,
        "max_output_bytes": 4096
    })));
    let agent = Agent::connect(&sb).await;
    let script = "printf '%s\\n' \"$API_TOKEN\"; head -c 100000000 /dev/zero | tr '\\0' x; \
                  printf '\\n%s\\n' \"$API_TOKEN\"; printf '%s' \"$API_TOKEN\" >&2";
    let result = agent
        .call("run_command", json!({"argv": ["sh", "-c", script]}))
        .await;
    assert!(!is_error(&result), "{}", text(&result));
    let ran = outcome(&result);
    assert_eq!(ran["exit_code"], json!(0));
    let out = ran["stdout"].as_str().unwrap();
    assert!(out.len() < 4096 + 200, "{} bytes", out.len());
    assert!(out.starts_with("[MASKED:API_TOKEN]\nxxx"), "{}", &out[..40]);
    assert!(out.ends_with("xxx\n[MASKED:API_TOKEN]\n"));
    assert!(out.contains(" bytes cut ...]"));
    assert_eq!(ran["stderr"], json!("[MASKED:API_TOKEN]"));
    let note = ran["notes"][0].as_str().unwrap();
    assert!(note.starts_with("stdout: "), "{note}");
    assert!(
        note.contains("cut from the middle (limit 4096 bytes)"),
        "{note}"
    );
    agent.close(&[TOKEN, PASSWORD]).await;
}

#[tokio::test]
async fn malformed_calls_are_refused_and_the_server_goes_on() {
    let sb = vault_with_policy(Some(
        json!({"programs": {"printenv": {"secrets": ["API_TOKEN"]}}}),
    ));
    let agent = Agent::connect(&sb).await;
    // Wrong types, an unknown field, an unknown tool: each refused alone.
    for arguments in [
        json!({"argv": "printenv"}),
        json!({"argv": ["printenv"], "shell": true}),
        json!({"argv": ["printenv"], "timeout_secs": -1}),
    ] {
        let params = CallToolRequestParams::new("run_command")
            .with_arguments(arguments.as_object().unwrap().clone());
        match agent.client.call_tool(params).await {
            Err(error) => {
                assert!(error.to_string().contains("argument") || !error.to_string().is_empty())
            }
            Ok(result) => assert!(is_error(&result), "{arguments}: {}", text(&result)),
        }
    }
    let unknown = agent
        .client
        .call_tool(CallToolRequestParams::new("no_such_tool"))
        .await;
    assert!(unknown.is_err() || unknown.is_ok_and(|r| is_error(&r)));
    let still = agent.call("list_secrets", json!({})).await;
    assert!(!is_error(&still), "{}", text(&still));
    agent.close(&[TOKEN, PASSWORD]).await;
}

#[test]
fn garbage_on_stdin_is_answered_and_the_server_goes_on() {
    let sb = vault_with_policy(None);
    let mut server = sb
        .std_cmd()
        .arg("mcp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = [
        r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#,
        r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
        "this is not json {",
        r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"run_command","arguments":{"argv":7}}}"#,
        r#"{"jsonrpc":"2.0","id":3,"method":"no/such/method"}"#,
        r#"[1, 2, {"id": null}]"#,
        "\u{0}\u{1}\u{ff}",
        r#"{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"list_secrets","arguments":{}}}"#,
    ];
    let mut stdin = server.stdin.take().unwrap();
    for line in lines {
        writeln!(stdin, "{line}").unwrap();
    }
    // Give the last call time to be answered before stdin closes.
    std::thread::sleep(Duration::from_millis(1500));
    drop(stdin);
    let out = server.wait_with_output().unwrap();
    let replies = String::from_utf8_lossy(&out.stdout);
    assert!(replies.contains(r#""id":4"#), "{replies}");
    assert!(replies.contains("API_TOKEN"), "{replies}");
    assert!(!replies.contains(TOKEN) && !replies.contains(PASSWORD));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}
