//! The MCP tools an agent sees (`rmcp`'s tool router): their input
//! schemas, and each call turned into a result or a one-line tool error
//! (`error: ...` plus a hint). Every call goes into the audit log.
//!
//! Thin: what a tool does lives in `policy`, `requests` and `run`, and the
//! vault; the blocking work runs on a thread of its own, so the protocol
//! keeps answering (the PostgreSQL client runs its own runtime, which may
//! not start inside ours).

use super::policy::{self, Policy};
use super::requests::{self, Request};
use super::run::{self, Call};
use crate::config::Paths;
use crate::error::Failure;
use crate::vault::Vault;
use crate::vault::usage;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResult, ContentBlock, Implementation, ServerCapabilities, ServerConfig};
use rmcp::{ErrorData, ServerHandler, tool, tool_handler, tool_router};
use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// What the agent is told when it connects.
const INSTRUCTIONS: &str = "secrets keeps the person's credentials. You never receive a value: \
list_secrets shows names and descriptions; run_command runs a program the person's policy \
allows, with the secrets it grants in the program's environment, and returns its output with \
every value masked as [MASKED:NAME]; request_secret asks the person for a secret that does \
not exist yet. Never ask the person to paste a value into the conversation.";

/// The tools, and where they find the vault, the identity and the policy.
#[derive(Clone)]
pub struct AgentTools {
    places: Arc<Places>,
    #[allow(dead_code, reason = "read by the code tool_handler generates")]
    tool_router: ToolRouter<Self>,
}

struct Places {
    paths: Paths,
    policy: PathBuf,
}

/// `request_secret`'s input.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestSecret {
    /// The name the secret should have: an environment variable name such
    /// as STRIPE_API_KEY
    pub name: String,
    /// Why it is needed, in one line (the person reads it)
    pub reason: String,
}

/// `run_command`'s input.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RunCommand {
    /// The program and its arguments, run directly (no shell): argv[0] is
    /// a program the policy allows, by name or absolute path
    pub argv: Vec<String>,
    /// Only these of the secrets the policy grants the program (default:
    /// every granted secret that exists)
    #[serde(default)]
    pub only: Option<Vec<String>>,
    /// Put secrets in variables of other names: {"VARIABLE": "SECRET"};
    /// without `only`, only these secrets are given
    #[serde(default)]
    pub env: Option<BTreeMap<String, String>>,
    /// The working directory (default: the server's)
    #[serde(default)]
    pub cwd: Option<String>,
    /// Time limit in seconds (at most the policy's, which is the default)
    #[serde(default)]
    pub timeout_secs: Option<u64>,
    /// Only these of the gateways the policy gives the program, by their
    /// variable (default: all of them). A gateway gives the program a token
    /// in VAR and an address in VAR_URL, never the secret
    #[serde(default)]
    pub gateways: Option<Vec<String>>,
}

#[tool_router]
impl AgentTools {
    pub fn new(paths: Paths, policy: PathBuf) -> AgentTools {
        AgentTools {
            places: Arc::new(Places { paths, policy }),
            tool_router: Self::tool_router(),
        }
    }

    /// Lists the secrets.
    #[tool(
        description = "List the secrets in the vault: name, description, and created, updated \
                       and last-used times (milliseconds since 1970). Never a value."
    )]
    async fn list_secrets(&self) -> Result<CallToolResult, ErrorData> {
        let places = Arc::clone(&self.places);
        answer(blocking(move || places.list_secrets()).await)
    }

    /// Records a request for a secret that does not exist.
    #[tool(
        description = "Ask the person for a secret that does not exist yet: its name and why \
                       it is needed. The request is recorded for the person, who creates the \
                       secret themself (`secrets requests` shows it). Never send a value."
    )]
    async fn request_secret(
        &self,
        Parameters(input): Parameters<RequestSecret>,
    ) -> Result<CallToolResult, ErrorData> {
        let places = Arc::clone(&self.places);
        answer(blocking(move || places.request_secret(&input)).await)
    }

    /// Runs a program the policy allows.
    #[tool(
        description = "Run a program, with the secrets the person's policy grants it in its \
                       environment (by their names, or under other variables with `env`). \
                       Returns its exit code and its stdout and stderr with every value masked \
                       as [MASKED:NAME], cut in the middle past the policy's size limit. No \
                       shell unless the policy allows one; killed at the time limit."
    )]
    async fn run_command(
        &self,
        Parameters(input): Parameters<RunCommand>,
    ) -> Result<CallToolResult, ErrorData> {
        let places = Arc::clone(&self.places);
        answer(blocking(move || places.run_command(input)).await)
    }
}

#[tool_handler]
impl ServerHandler for AgentTools {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("secrets", env!("CARGO_PKG_VERSION")))
            .with_instructions(INSTRUCTIONS)
    }
}

/// A tool's outcome: a result, or a refusal the agent reads as a tool
/// error (not a protocol error: the agent should see the explanation).
type Answer = Result<CallToolResult, anyhow::Error>;

impl Places {
    fn list_secrets(&self) -> Answer {
        let listed = Vault::open_to_read(&self.paths.vault).and_then(|mut v| v.list());
        self.log(None, &format!("list_secrets via mcp{}", outcome(&listed)));
        Ok(CallToolResult::success(vec![ContentBlock::json(listed?)?]))
    }

    fn request_secret(&self, input: &RequestSecret) -> Answer {
        let recorded = self.record_request(input);
        let name = if crate::name::is_valid(&input.name) {
            input.name.as_str()
        } else {
            "(not a valid name)"
        };
        self.log(
            None,
            &format!("request_secret via mcp: {name}{}", outcome(&recorded)),
        );
        recorded?;
        Ok(CallToolResult::success(vec![ContentBlock::text(format!(
            "Recorded. The person sees it with `secrets requests` and creates {name} with \
             `secrets create {name}`; until then run_command cannot give it to a program."
        ))]))
    }

    fn record_request(&self, input: &RequestSecret) -> anyhow::Result<()> {
        requests::check(&input.name, &input.reason)?;
        let existing = Vault::open_to_read(&self.paths.vault)?.list()?;
        if let Some(found) = existing
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(&input.name))
        {
            return Err(Failure::already_exists(&found.name)
                .with_hint("run_command can give it to a program the policy grants it to")
                .into());
        }
        requests::record(
            &requests::path(&self.paths.identity),
            &Request {
                time_ms: crate::clock::now_ms(),
                name: input.name.clone(),
                reason: input.reason.clone(),
                vault: self.paths.vault.shown(),
            },
        )
    }

    fn run_command(&self, input: RunCommand) -> Answer {
        let program = input.argv.first().cloned();
        let call = Call {
            argv: input.argv,
            only: input.only,
            env: input.env.unwrap_or_default(),
            cwd: input.cwd.map(PathBuf::from),
            timeout_secs: input.timeout_secs,
            gateways: input.gateways,
        };
        let outcome = self.run_allowed(&call);
        if let Err(error) = &outcome {
            // A run that started is in the log already (`run::VIA`).
            let why = one_line(&format!("{error:#}"));
            self.log(program.as_deref(), &format!("{}: refused: {why}", run::VIA));
        }
        let outcome = outcome?;
        let value = serde_json::to_value(&outcome)?;
        Ok(if outcome.timed_out {
            CallToolResult::structured_error(value)
        } else {
            CallToolResult::structured(value)
        })
    }

    fn run_allowed(&self, call: &Call) -> anyhow::Result<run::Outcome> {
        let Some(policy) = Policy::load(&self.policy)? else {
            return Err(policy::missing(&self.policy).into());
        };
        run::check_argv(call)?;
        let mut grant = policy.grant(&call.argv[0])?;
        run::narrow_gateways(call, &mut grant)?;
        let renamed = run::check(call, &grant)?;
        run::run(&self.paths, call, &grant, &renamed)
    }

    /// Logs a call that gave no program a secret; a failure to log is
    /// not the agent's to see, and must not stop the answer.
    fn log(&self, program: Option<&str>, detail: &str) {
        let _ = usage::log_mcp_call(&self.paths.vault, program, detail);
    }
}

/// `""` for a call that succeeded, else `: refused: WHY`.
fn outcome<T>(result: &anyhow::Result<T>) -> String {
    match result {
        Ok(_) => String::new(),
        Err(error) => format!(": refused: {}", one_line(&format!("{error:#}"))),
    }
}

/// Runs `work` on a thread of its own and waits for it without blocking
/// the protocol.
async fn blocking(work: impl FnOnce() -> Answer + Send + 'static) -> Answer {
    let (send, receive) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let _ = send.send(work());
    });
    receive
        .await
        .unwrap_or_else(|_| Err(anyhow::anyhow!("the tool stopped without an answer")))
}

/// The answer as the agent gets it: a refusal becomes a tool error of one
/// `error:` line and, where there is a next step, a `hint:` line.
fn answer(answer: Answer) -> Result<CallToolResult, ErrorData> {
    let error = match answer {
        Ok(result) => return Ok(result),
        Err(error) => error,
    };
    let mut text = one_line(&format!("error: {error:#}"));
    if let Some(hint) = error
        .downcast_ref::<Failure>()
        .and_then(|f| f.hint.as_deref())
    {
        text.push_str("\nhint: ");
        text.push_str(&one_line(hint));
    }
    Ok(CallToolResult::error(vec![ContentBlock::text(text)]))
}

/// Line breaks read as spaces, as `main` prints errors.
fn one_line(text: &str) -> String {
    text.replace(['\n', '\r'], " ")
}
