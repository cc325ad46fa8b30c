//! Every command-line type: the commands, their options and help text.
//!
//! Behaviour lives in `cmd/`, one file per command; this file only says what
//! can be typed, and turns one parse error (a value typed on the command
//! line) into our own refusal.

use crate::exec::environment::Renamed;
use crate::gateway::spec::GatewaySpec;
use clap::{ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use std::ffi::OsString;
use std::path::PathBuf;

const EXIT_CODES: &str = "\
Exit codes:
  0    success
  1    any other error (no vault, damaged or foreign file, I/O)
  2    usage error: bad option, invalid or reserved name, invalid value,
       `delete` without --yes when stdin is not a terminal, prompts that differ
  3    no such secret
  4    the secret already exists (also when it differs only in case)
  exec exits with the program's own status, or 125 when secrets fails before
  the program runs, 126 when the program cannot be executed, 127 when it is
  not found.";

/// Keep account secrets in a local encrypted vault and run programs with them
/// as environment variables.
#[derive(Debug, Parser)]
#[command(name = "secrets", version, after_long_help = EXIT_CODES)]
pub struct Cli {
    /// The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME)
    /// for a team's vault [default: <data dir>/secrets/vault.db]
    #[arg(
        long,
        global = true,
        env = "SECRETS_VAULT",
        value_name = "PATH|URL",
        hide_env_values = true,
        display_order = 900
    )]
    pub vault: Option<PathBuf>,

    /// Your age identity file (your key), made by `init`; only commands
    /// that decrypt read it [default: <config dir>/secrets/identity.txt]
    #[arg(
        long,
        global = true,
        env = "SECRETS_IDENTITY",
        value_name = "PATH",
        hide_env_values = true,
        display_order = 901
    )]
    pub identity: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// Parses the command line, exiting as clap does on `--help` and on
    /// usage errors, except one: an unexpected argument to `create` or
    /// `update` (a word after the name, `--value VALUE`, an unknown option)
    /// may be the secret itself, which clap's error would repeat. That one
    /// becomes `value::refused_in_argv`, which repeats nothing.
    pub fn parse_args() -> Result<Cli, crate::error::Failure> {
        let args: Vec<OsString> = std::env::args_os().collect();
        match Cli::try_parse_from(&args) {
            Ok(cli) => Ok(cli),
            Err(error) => match value_command(&error, &args) {
                Some(command) => Err(crate::value::refused_in_argv(command)),
                None => error.exit(),
            },
        }
    }
}

/// The command (`create` or `update`) whose parse failed on an unexpected
/// argument, if that is what `error` is.
fn value_command(error: &clap::Error, args: &[OsString]) -> Option<&'static str> {
    if error.kind() != clap::error::ErrorKind::UnknownArgument {
        return None;
    }
    // Parsed again, leniently, only to learn which command it was.
    let matches = Cli::command()
        .ignore_errors(true)
        .try_get_matches_from(args)
        .ok()?;
    match matches.subcommand_name()? {
        "create" => Some("create"),
        "update" => Some("update"),
        _ => None,
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the identity (if none) and the vault, and say where they are
    Init(Lazy<InitArgs>),
    /// Add a secret; its value comes from --from-file, a pipe, or a hidden prompt
    Create(Lazy<CreateArgs>),
    /// List secrets: names and metadata, never values
    #[command(visible_alias = "ls")]
    List(Lazy<ListArgs>),
    /// Show one secret's metadata (never its value)
    Show(Lazy<ShowArgs>),
    /// Replace a secret's value, its description (-d alone asks for no
    /// value), or both
    Update(Lazy<UpdateArgs>),
    /// Give a secret a new name, keeping its value, id, times and history
    Rename(Lazy<RenameArgs>),
    /// Delete secrets permanently
    #[command(visible_alias = "rm")]
    Delete(Lazy<DeleteArgs>),
    /// Run a program with the secrets in its environment
    Exec(Lazy<ExecArgs>),
    /// Add, change or remove the identity's passphrase (the new one comes
    /// from SECRETS_NEW_PASSPHRASE, or is asked twice)
    Passwd(Lazy<PasswdArgs>),
    /// Check names, descriptions, rotation and use against best practice
    Doctor(Lazy<DoctorArgs>),
    /// Import secrets from a dotenv file (or a flat JSON object), all or none
    Import(Lazy<ImportArgs>),
    /// Show the audit log, newest first: every change and every exec
    Log(Lazy<LogArgs>),
    /// Replace your key with a new one (the old one kept, retired), or move
    /// this vault from a retired key to your current one
    Rekey(Lazy<RekeyArgs>),
    /// List, add or remove the public keys the vault is encrypted to
    Recipients(RecipientsArgs),
    /// Copy a whole vault between a file and PostgreSQL
    Vault(VaultArgs),
    /// Serve an AI agent over MCP (stdin/stdout): it lists secrets and runs
    /// the programs a policy allows with them, and never sees a value
    Mcp(Lazy<McpArgs>),
    /// Show the secrets agents asked for (MCP request_secret) that do not
    /// exist yet
    Requests(Lazy<RequestsArgs>),
    /// Print a shell completion script
    Completions(Lazy<CompletionsArgs>),
}

#[derive(Debug, Args)]
pub struct VaultArgs {
    #[command(subcommand)]
    pub action: VaultAction,
}

#[derive(Debug, Subcommand)]
pub enum VaultAction {
    /// Copy a vault, as stored, to a new file or PostgreSQL schema (no
    /// identity needed; all or nothing)
    Copy(CopyArgs),
}

#[derive(Debug, Args)]
#[command(after_long_help = COPY_HELP)]
pub struct CopyArgs {
    /// The vault to copy: a file, or a PostgreSQL URL
    /// (postgres://...?schema=NAME)
    #[arg(value_name = "SOURCE")]
    pub source: OsString,
    /// Where to put the copy: a file that does not exist yet, or a
    /// PostgreSQL URL whose schema holds no vault (or an empty one)
    #[arg(value_name = "DEST")]
    pub destination: OsString,
}

const COPY_HELP: &str = "\
What is copied: everything, as stored. The vault's id, its data key
(wrapped to the recipients), the recipients with their comments and times,
every secret (sealed value, description, create, update and last-use
times), and the audit log. Values stay sealed to the vault id and their
names, so the copy opens with the same identities and `exec` works on it
unchanged. Nothing is decrypted: no identity or passphrase is read.

The source is opened as for a write: a file vault's usage journal (exec's
runs not yet in the log) is moved into its log first, so the copy has
every run. --vault and --identity are not used.

The destination must be new, or a vault that holds no secrets:
  - a file that does not exist: a new vault file (0600, directories 0700),
    built under a temporary name and put in place when complete;
  - a PostgreSQL schema with no vault: created, tables and all, in the
    transaction that fills them;
  - an existing vault with no secrets: its rows (recipients, log) are
    replaced by the copy's, in one transaction;
  - a vault that holds any secret, or a file that is not a vault, is
    refused and left as it was.
All or nothing: if anything fails, the destination is as it was (a new
file is not created, a new schema not made). The destination's log gains
one `vault copy` entry naming the source (never a password).

Trust: this machine's pin of the destination becomes the source's (same
vault id, key and recipients), or none if the source has none, so the copy
is trusted exactly as the source is.

Examples:
  # A file vault into a team's PostgreSQL database
  secrets vault copy ~/.local/share/secrets/vault.db 'postgres://me@db.example.com/team?schema=secrets'

  # And back, e.g. for a backup
  secrets vault copy 'postgres://me@db.example.com/team?schema=secrets' backup.db";

#[derive(Debug, Args)]
#[command(after_long_help = MCP_HELP)]
pub struct McpArgs {
    /// The policy file [default: mcp-policy.json in the identity's
    /// directory, e.g. <config dir>/secrets/mcp-policy.json]
    #[arg(long, env = "SECRETS_MCP_POLICY", value_name = "PATH")]
    pub policy: Option<PathBuf>,
}

const MCP_HELP: &str = "\
Tools: list_secrets (names, descriptions and times, as `list --json`),
request_secret (a name and a reason, recorded for `secrets requests`) and
run_command (argv, and optionally only, env {VAR: SECRET}, cwd,
timeout_secs, gateways [VAR]). No tool ever returns a value: a program's stdout and stderr
come back with every value it was given replaced by [MASKED:NAME], and a
secret shorter than 4 bytes (too short to mask) is never given. Every call
is in the audit log (`secrets log`, action mcp).

The policy: mcp-policy.json in the identity's directory (beside
identity.txt: <config dir>/secrets/mcp-policy.json by default; --policy or
SECRETS_MCP_POLICY name another). Default deny: without it run_command runs
nothing. It must be yours and writable only by you. Its format (JSON):
  {
    \"programs\": {
      \"gh\": { \"secrets\": [\"GITHUB_TOKEN\"] },
      \"/usr/local/bin/deploy\": { \"secrets\": [\"DEPLOY_KEY\"], \"timeout_secs\": 600 },
      \"/usr/local/bin/agent-step\": {
        \"gateways\": [\"OPENAI_API_KEY=OPENAI_KEY@https://api.openai.com/v1\"]
      }
    },
    \"shell\": false,
    \"timeout_secs\": 60,
    \"max_output_bytes\": 65536,
    \"pass_env\": [\"GOPATH\"],
    \"gateway_ca\": \"/etc/ssl/private-ca.pem\"
  }
programs: a name (matched as argv[0] is given, found on PATH) or an
absolute path, each with the secrets it may receive and, optionally, its
own limits, and the gateways started for each of its runs (as exec's
--gateway VAR=SECRET@URL[,auth=KIND]: the program gets VAR, a token, and
VAR_URL, never the secret, which only reaches URL; gateway_ca is exec's
--gateway-ca). shell: whether shells and programs that run others (sh, bash,
env, xargs, sudo, ...) may be listed at all. timeout_secs (default 60): the
program and everything it started are killed then. max_output_bytes
(default 65536, per stream): past it, the middle is cut and a note says
how much. Programs start from a clean environment (PATH, HOME, USER, LANG,
TERM, TZ, TMPDIR, plus pass_env) and the secrets.

Allow only programs that do not run code the agent writes: a program that
evaluates its arguments (python -c, node -e, a shell) can print a value
transformed past the masker.

An identity with a passphrase needs SECRETS_PASSPHRASE in the server's
environment: the server has no terminal to ask on.

Example (an MCP client's configuration):
  { \"mcpServers\": { \"secrets\": { \"command\": \"secrets\", \"args\": [\"mcp\"] } } }";

#[derive(Debug, Args)]
pub struct RequestsArgs {
    /// Print a JSON array of requests
    #[arg(long)]
    pub json: bool,
    /// Forget this vault's waiting requests
    #[arg(long, conflicts_with = "json")]
    pub clear: bool,
}

#[derive(Debug, Args)]
pub struct RekeyArgs {
    /// Instead, remove the retired keys from your identity for good (refused
    /// while this vault or the default one still uses one)
    #[arg(long)]
    pub drop_retired: bool,
}

#[derive(Debug, Args)]
#[command(after_long_help = IMPORT_EXAMPLES)]
pub struct ImportArgs {
    /// The file to read, or - for stdin
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Read a flat JSON object of string values instead of dotenv
    #[arg(long)]
    pub json: bool,
    /// Replace the values of names that exist already
    #[arg(long, conflicts_with = "skip_existing")]
    pub overwrite: bool,
    /// Leave names that exist already as they are
    #[arg(long)]
    pub skip_existing: bool,
    /// Leave out entries whose value is empty (named on stderr) instead of
    /// refusing the whole file
    #[arg(long)]
    pub skip_empty: bool,
    /// Print what would be created, updated and skipped; change nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct LogArgs {
    /// Print a JSON array of events
    #[arg(long)]
    pub json: bool,
    /// Only events that involve this secret (any case)
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// At most this many events
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
}

#[derive(Debug, Args)]
pub struct RecipientsArgs {
    #[command(subcommand)]
    pub action: RecipientsAction,
}

#[derive(Debug, Subcommand)]
pub enum RecipientsAction {
    /// Print the public keys the vault is encrypted to, one per line, each
    /// followed by its comment (ssh keys) and (yours) for your identity's
    List,
    /// Let another key open the vault (a teammate, a Devbox)
    Add(RecipientInput),
    /// Revoke keys: the vault gets a new data key they never saw
    Remove(RecipientInput),
    /// Check with your identity that the recipients and data key are as a
    /// member left them, and remember them on this machine
    Verify,
    /// Trust the recipients and data key as they are now, after checking a
    /// change this machine refused with your team
    Accept,
}

/// Public keys: an age key (age1...) or an ssh-ed25519 / ssh-rsa public key
/// line, given as an argument or read from a file, one per line.
#[derive(Debug, Args)]
pub struct RecipientInput {
    /// The public key
    #[arg(required_unless_present = "file", conflicts_with = "file")]
    pub recipient: Option<String>,
    /// Read the public keys from this file, one per line (# comments allowed)
    #[arg(long, value_name = "PATH")]
    pub file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Protect a new identity with a passphrase (from SECRETS_PASSPHRASE, or
    /// asked twice on the terminal); unlocking it then takes about a second
    #[arg(long)]
    pub passphrase: bool,
}

#[derive(Debug, Args)]
pub struct PasswdArgs {
    /// Remove the passphrase instead of setting a new one
    #[arg(long)]
    pub remove: bool,
}

#[derive(Debug, Args)]
#[command(after_long_help = CREATE_EXAMPLES)]
pub struct CreateArgs {
    /// The secret's name: an environment variable name such as API_KEY
    pub name: String,
    #[command(flatten)]
    pub input: ValueInput,
    /// Print the new secret's metadata as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
#[command(after_long_help = UPDATE_EXAMPLES)]
pub struct UpdateArgs {
    /// The secret to change (any case)
    pub name: String,
    #[command(flatten)]
    pub input: ValueInput,
    /// Print the secret's metadata as JSON
    #[arg(long)]
    pub json: bool,
}

// Where a value comes from. There is deliberately no option that takes the
// value itself: argv is visible to every user and lands in shell history.
// (Not a doc comment: clap would make it the about text of the commands that
// flatten this, once it builds them lazily; see `Lazy`.)
#[derive(Debug, Args)]
pub struct ValueInput {
    /// What the secret is for, shown by `list` (stored unencrypted)
    #[arg(long, short = 'd', value_name = "TEXT")]
    pub description: Option<String>,
    /// Read the value from this file, bytes exactly as they are; without it
    /// the value is read from a pipe (one trailing newline removed) or asked
    /// for twice on the terminal, hidden
    #[arg(long, value_name = "PATH")]
    pub from_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print a JSON array of secret objects
    #[arg(long)]
    pub json: bool,
    /// Print only the names, one per line (for scripts and shell completion)
    #[arg(long, conflicts_with = "json")]
    pub names: bool,
    /// Only secrets not updated for more than --max-age days
    #[arg(long)]
    pub stale: bool,
    /// Only secrets older than --unused-days and not used by exec within them
    #[arg(long)]
    pub unused: bool,
    #[command(flatten)]
    pub limits: LimitArgs,
}

// The thresholds of `doctor`, `list --stale` and `list --unused`. (Not a doc
// comment: see `ValueInput`.)
#[derive(Debug, Args)]
pub struct LimitArgs {
    /// A secret not updated for more than this many days should be rotated
    #[arg(long, value_name = "DAYS", default_value_t = 90)]
    pub max_age: u32,
    /// A secret older than this many days and not used by exec within them
    /// may be unused
    #[arg(long, value_name = "DAYS", default_value_t = 30)]
    pub unused_days: u32,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Print a JSON array of findings: name, rule, message
    #[arg(long)]
    pub json: bool,
    /// Exit 1 when anything is found (for CI)
    #[arg(long)]
    pub strict: bool,
    #[command(flatten)]
    pub limits: LimitArgs,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The secret to show (any case)
    pub name: String,
    /// Print the secret object as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
#[command(after_long_help = RENAME_EXAMPLES)]
pub struct RenameArgs {
    /// The secret to rename (any case)
    #[arg(value_name = "OLD")]
    pub old: String,
    /// Its new name: unused in any case, but it may differ from OLD only in
    /// case (api_key to API_KEY)
    #[arg(value_name = "NEW")]
    pub new: String,
}

#[derive(Debug, Args)]
#[command(after_long_help = DELETE_EXAMPLES)]
pub struct DeleteArgs {
    /// The secrets to delete; if any does not exist, none is deleted
    #[arg(required = true, value_name = "NAME")]
    pub names: Vec<String>,
    /// Do not ask for confirmation (needed when stdin is not a terminal)
    #[arg(long, short = 'y')]
    pub yes: bool,
}

#[derive(Debug, Args)]
#[command(
    override_usage = "secrets exec [OPTIONS] -- <CMD>...",
    after_long_help = EXEC_HELP
)]
pub struct ExecArgs {
    /// Inject only these secrets (comma-separated or repeated; any case)
    #[arg(long, value_name = "NAMES", value_delimiter = ',')]
    pub only: Vec<String>,
    /// Inject every secret but these (comma-separated or repeated; any case)
    #[arg(long, value_name = "NAMES", value_delimiter = ',')]
    pub except: Vec<String>,
    /// Replace injected values in the program's output with [MASKED:NAME]
    /// (values shorter than 4 bytes are never masked); SECRETS_MASK sets
    /// the default, e.g. for a harness that runs commands in a terminal
    #[arg(
        long,
        value_enum,
        value_name = "WHEN",
        env = "SECRETS_MASK",
        default_value_t = MaskMode::Auto
    )]
    pub mask: MaskMode,
    /// Start the program from an empty environment (plus PATH, HOME, USER,
    /// LANG, TERM, TZ and TMPDIR where set) and the secrets
    #[arg(long)]
    pub clean_env: bool,
    /// With --clean-env, keep these inherited variables too (comma-separated
    /// or repeated)
    #[arg(
        long,
        value_name = "NAMES",
        value_delimiter = ',',
        requires = "clean_env"
    )]
    pub pass_env: Vec<String>,
    /// Inject each secret as PREFIX followed by its name
    #[arg(long, value_name = "PREFIX")]
    pub env_prefix: Option<String>,
    /// Inject secret SECRET as variable VAR (repeatable); without --only or
    /// --except, only the secrets named this way are injected
    #[arg(long = "env", value_name = "VAR=SECRET", value_parser = RenamedParser)]
    pub env: Vec<Renamed>,
    /// Let the program use secret SECRET at URL without holding it: VAR gets
    /// a token for this run and VAR_URL a gateway on 127.0.0.1 that puts the
    /// secret in the token's place (KIND: bearer, the default; header:NAME;
    /// basic or basic:USER). Repeatable; see below
    #[arg(
        long = "gateway",
        value_name = "VAR=SECRET@URL[,auth=KIND]",
        value_parser = GatewayParser
    )]
    pub gateway: Vec<GatewaySpec>,
    /// Trust the CA certificates in this PEM file too, for HTTPS upstreams
    /// of --gateway (a private CA)
    #[arg(long, value_name = "FILE", env = "SECRETS_GATEWAY_CA")]
    pub gateway_ca: Option<PathBuf>,
    /// The program and its arguments, run directly (no shell)
    #[arg(
        required = true,
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "CMD"
    )]
    pub command: Vec<OsString>,
}

/// Reads `--env VAR=SECRET` (`Renamed::from_arg`). A refusal is a usage
/// error (exit 2) that never repeats what was given: a value pasted where
/// `VAR=SECRET` belongs must not end up in a log.
#[derive(Clone)]
struct RenamedParser;

impl clap::builder::TypedValueParser for RenamedParser {
    type Value = Renamed;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<Renamed, clap::Error> {
        let refused = |why: &str| {
            clap::Error::raw(
                clap::error::ErrorKind::ValueValidation,
                format!("--env: {why}\n"),
            )
            .with_cmd(cmd)
        };
        let text = value
            .to_str()
            .ok_or_else(|| refused("VAR=SECRET is not UTF-8"))?;
        Renamed::from_arg(text).map_err(|why| refused(&why))
    }
}

/// Reads `--gateway VAR=SECRET@URL[,auth=KIND]` (`GatewaySpec::from_arg`),
/// as `RenamedParser` does: a refusal never repeats what was given.
#[derive(Clone)]
struct GatewayParser;

impl clap::builder::TypedValueParser for GatewayParser {
    type Value = GatewaySpec;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<GatewaySpec, clap::Error> {
        let refused = |why: &str| {
            clap::Error::raw(
                clap::error::ErrorKind::ValueValidation,
                format!("--gateway: {why}\n"),
            )
            .with_cmd(cmd)
        };
        let text = value
            .to_str()
            .ok_or_else(|| refused("VAR=SECRET@URL is not UTF-8"))?;
        GatewaySpec::from_arg(text).map_err(|why| refused(&why))
    }
}

/// When `exec` masks the program's output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MaskMode {
    /// Mask stdout and stderr each when it is a pipe or a file (what agents
    /// and log collectors read); a terminal or /dev/null gets the program's
    /// output untouched
    Auto,
    /// Mask both streams
    Always,
    /// Never mask: the program replaces secrets' process (unless a
    /// --gateway needs secrets to stay and serve it)
    Never,
}

const EXEC_HELP: &str = "\
Masking: a masked stream reaches its destination through secrets, which
replaces every injected value of 4 bytes or more with [MASKED:NAME] (the
secret's stored name) as the output streams past; bytes that could be the
start of a value wait for the next output or the end of the stream. secrets
reads until every writer has closed the stream, processes the program left
in the background included; once the program has exited, INT, TERM, HUP or
QUIT stop the wait and what is held is printed masked. Signals sent to
secrets (INT, TERM, HUP, QUIT, USR1, USR2, WINCH) are passed to the program,
and secrets exits as the program did. With nothing to mask, secrets replaces
itself with the program.

Gateways (--gateway VAR=SECRET@URL): for each, secrets serves HTTP on
127.0.0.1 (a random port) while the program runs. The program gets VAR, a
token made for this run (gws_...), and VAR_URL, the gateway's address with
URL's path; SECRET itself is not in its environment (naming it in --only or
--env too is refused). A request to VAR_URL with the token where the
credential belongs (auth=bearer: Authorization: Bearer; auth=header:NAME:
that header; auth=basic: the password) goes to URL's host with the secret
in the token's place; the response streams back with the secret masked.
Anything else is refused there: a wrong or missing token (401), a path
outside URL's (404), another host or a full URL (421, 400), CONNECT (405);
an upstream that cannot be reached gives 502. HTTPS is verified against the
system's roots and --gateway-ca; plain http:// only to this machine. With
--gateway, and without --only or --except, only --env's secrets are
injected. The log records each gateway's requests when the program ends.

SECRETS_PASSPHRASE and SECRETS_NEW_PASSPHRASE are never passed to the
program. Programs run by exec do not dump core: their memory holds secrets.

Examples:
  # Every secret in the program's environment
  secrets exec -- ./deploy.sh

  # Only some, or all but some (names in any case, comma-separated)
  secrets exec --only GITHUB_TOKEN -- gh repo list
  secrets exec --except DATABASE_URL,REDIS_URL -- npm test

  # A secret in an argument needs a shell to expand it (single quotes)
  secrets exec --only API_KEY -- sh -c 'curl -H \"Authorization: Bearer $API_KEY\" https://example.com'

  # Nothing inherited but PATH, HOME and a few basics, plus the secrets
  secrets exec --clean-env -- ./agent.sh

  # An agent that uses an API key without holding it
  secrets exec --gateway OPENAI_API_KEY=OPENAI_KEY@https://api.openai.com/v1 -- \\
    sh -c 'OPENAI_BASE_URL=$OPENAI_API_KEY_URL exec ./agent'

  # A key sent in a header of its own
  secrets exec --gateway 'ANTHROPIC_API_KEY=ANTHROPIC_KEY@https://api.anthropic.com,auth=header:x-api-key' -- ./agent";

const CREATE_EXAMPLES: &str = "\
Examples:
  # From a pipe (one trailing newline is dropped)
  printf %s \"$TOKEN\" | secrets create GITHUB_TOKEN -d \"CI bot, repo scope\"

  # Asked twice on the terminal, input hidden
  secrets create DATABASE_URL

  # A file's bytes, exactly
  secrets create TLS_KEY --from-file key.pem";

const UPDATE_EXAMPLES: &str = "\
Examples:
  # A new value from a pipe, or asked twice on the terminal
  printf %s \"$NEW_TOKEN\" | secrets update GITHUB_TOKEN
  secrets update GITHUB_TOKEN

  # Only the description: no value is asked for or read
  secrets update GITHUB_TOKEN -d \"CI bot, read-only\"

  # Value and description together
  secrets update TLS_KEY --from-file new-key.pem -d \"renewed\"";

const RENAME_EXAMPLES: &str = "\
Examples:
  # The spelling doctor suggests
  secrets rename api_key API_KEY

  # A clearer name; the value, id, times and history stay
  secrets rename TOKEN GITHUB_DEPLOY_TOKEN";

const IMPORT_EXAMPLES: &str = "\
Examples:
  # A dotenv file, all or none (exit 4 if a name exists already)
  secrets import .env

  # Say first what would change, then replace existing values
  secrets import --dry-run --overwrite .env
  secrets import --overwrite .env

  # A flat JSON object, from a file or stdin
  secrets import --json credentials.json
  secrets import --json - < credentials.json";

const DELETE_EXAMPLES: &str = "\
Examples:
  # Asks first on a terminal
  secrets delete OLD_TOKEN

  # In a script (no terminal to ask on), several at once: all or none
  secrets delete --yes OLD_TOKEN STALE_KEY";

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to print a completion script for
    pub shell: clap_complete::Shell,
}

/// A subcommand's arguments, built only when clap enters that subcommand
/// (`Command::defer`): parsing `exec` need not build every other command's
/// options (about 0.1 ms on every run). The global options are shown last
/// (`display_order`), as they were. Not for `recipients`: clap lists nested
/// subcommands for `help` before deferred parts are built.
#[derive(Debug)]
pub struct Lazy<T>(pub T);

impl<T: Args> Args for Lazy<T> {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        cmd.defer(T::augment_args)
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        cmd.defer(T::augment_args_for_update)
    }

    fn group_id() -> Option<clap::Id> {
        T::group_id()
    }
}

impl<T: FromArgMatches> FromArgMatches for Lazy<T> {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        T::from_arg_matches(matches).map(Lazy)
    }

    fn from_arg_matches_mut(matches: &mut ArgMatches) -> Result<Self, clap::Error> {
        T::from_arg_matches_mut(matches).map(Lazy)
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        self.0.update_from_arg_matches(matches)
    }

    fn update_from_arg_matches_mut(&mut self, matches: &mut ArgMatches) -> Result<(), clap::Error> {
        self.0.update_from_arg_matches_mut(matches)
    }
}
