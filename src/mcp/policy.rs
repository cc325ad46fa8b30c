//! The policy of `secrets mcp`: which programs an agent may run, which
//! secrets each may receive, whether a shell may run, and the time and
//! output limits. Default deny: no file, or a program it does not name,
//! runs nothing.
//!
//! A JSON file the person writes (`mcp-policy.json` beside the identity),
//! read again at every call so that an edit needs no restart. Not for what
//! a call may narrow further (`only`, `env`): `run` applies those within
//! what the policy grants.

use crate::error::Failure;
use crate::gateway::spec::GatewaySpec;
use anyhow::{Context, Result};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::io::Read;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// The file's name, in the identity's directory.
pub const FILE_NAME: &str = "mcp-policy.json";

/// A policy larger than this is not one a person wrote.
const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// Limits when the policy sets none.
const DEFAULT_TIMEOUT_SECS: u64 = 60;
const DEFAULT_MAX_OUTPUT_BYTES: usize = 64 * 1024;

/// Programs that run other programs named in their arguments: allowing one
/// would allow anything, so each needs `"shell": true` as a shell does.
const SHELLS: &[&str] = &[
    "sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "fish", "csh", "tcsh", "busybox", "env",
    "xargs", "nohup", "nice", "timeout", "sudo", "doas", "su", "setsid", "stdbuf", "time",
];

/// Where the policy is by default: beside the identity.
pub fn default_path(identity: &Path) -> PathBuf {
    identity
        .parent()
        .unwrap_or_else(|| Path::new(""))
        .join(FILE_NAME)
}

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Program (a name looked up on PATH, or an absolute path) -> its rule.
    #[serde(default)]
    programs: BTreeMap<String, ProgramRule>,
    /// Whether shells (and programs that run others) may be allowed.
    #[serde(default)]
    shell: bool,
    #[serde(default)]
    timeout_secs: Option<u64>,
    #[serde(default)]
    max_output_bytes: Option<usize>,
    /// Inherited variables the programs keep besides PATH, HOME, USER,
    /// LANG, TERM, TZ and TMPDIR (they start from a clean environment).
    #[serde(default)]
    pass_env: Vec<String>,
    /// A PEM file of CA certificates that gateways trust besides the
    /// system's (exec's --gateway-ca).
    #[serde(default)]
    gateway_ca: Option<PathBuf>,
}

/// What one program may do.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProgramRule {
    /// The secrets it may receive (any case).
    #[serde(default)]
    secrets: Vec<String>,
    /// Gateways started for each of its runs, as exec's `--gateway`
    /// (`VAR=SECRET@URL[,auth=KIND]`): the person, not the agent, names
    /// where each secret may be sent.
    #[serde(default)]
    gateways: Vec<String>,
    #[serde(default)]
    timeout_secs: Option<u64>,
    #[serde(default)]
    max_output_bytes: Option<usize>,
}

/// What the policy allows one program: its secrets and limits.
#[derive(Debug)]
pub struct Grant {
    pub secrets: Vec<String>,
    /// Gateways for every run: their secrets reach the upstream only.
    pub gateways: Vec<GatewaySpec>,
    pub gateway_ca: Option<PathBuf>,
    pub timeout_secs: u64,
    pub max_output_bytes: usize,
    pub pass_env: Vec<String>,
}

impl Policy {
    /// Reads the policy at `path`; `None` when there is none. Refused when
    /// another user owns it or others may write it: whoever can edit it
    /// decides what the agent runs.
    pub fn load(path: &Path) -> Result<Option<Policy>> {
        let cannot = || format!("cannot read the MCP policy {}", path.display());
        let (file, metadata) = match crate::files::open_regular(path) {
            Ok(opened) => opened,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(anyhow::Error::new(e).context(cannot())),
        };
        if metadata.uid() != crate::files::effective_uid() || metadata.mode() & 0o022 != 0 {
            return Err(Failure::usage(format!(
                "the MCP policy {} is not yours alone (another owner, or others may write it)",
                path.display()
            ))
            .with_hint(format!("chmod 600 {}", path.display()))
            .into());
        }
        let mut text = String::new();
        file.take(MAX_FILE_BYTES)
            .read_to_string(&mut text)
            .with_context(cannot)?;
        Self::parse(&text).map(Some).map_err(|why| {
            Failure::usage(format!(
                "the MCP policy {} is invalid: {why}",
                path.display()
            ))
            .with_hint("see `secrets mcp --help` for its format")
            .into()
        })
    }

    /// Parses a policy's text; the error says where it is wrong.
    pub fn parse(text: &str) -> Result<Policy, String> {
        let policy: Policy = serde_json::from_str(text).map_err(|e| e.to_string())?;
        for (program, rule) in &policy.programs {
            if program.is_empty() || (program.contains('/') && !program.starts_with('/')) {
                return Err(format!(
                    "program '{program}': give a name looked up on PATH or an absolute path"
                ));
            }
            for gateway in &rule.gateways {
                GatewaySpec::from_arg(gateway)
                    .map_err(|why| format!("program '{program}': a gateway {why}"))?;
            }
            if let Some(bad) = rule.secrets.iter().find(|s| !crate::name::is_valid(s)) {
                return Err(format!(
                    "program '{program}': '{}' is not a secret name",
                    crate::output::printable(bad)
                ));
            }
        }
        Ok(policy)
    }

    /// What `program` (argv[0] as the agent gave it) may do, or why it may
    /// not run. A name matches a rule for that name, a path only a rule
    /// for that exact path.
    pub fn grant(&self, program: &str) -> Result<Grant, Failure> {
        let Some(rule) = self.programs.get(program) else {
            return Err(Failure::usage(format!(
                "the MCP policy does not allow running '{program}'"
            ))
            .with_hint(format!(
                "the person can allow it in the policy's \"programs\" (allowed: {})",
                self.allowed_list()
            )));
        };
        if is_shell(program) && !self.shell {
            return Err(Failure::usage(format!(
                "'{program}' runs other programs (a shell or launcher): the MCP policy allows none"
            ))
            .with_hint("the person can set \"shell\": true in the policy to allow it"));
        }
        Ok(Grant {
            secrets: rule.secrets.clone(),
            // Checked when the policy was read.
            gateways: rule
                .gateways
                .iter()
                .filter_map(|g| GatewaySpec::from_arg(g).ok())
                .collect(),
            gateway_ca: self.gateway_ca.clone(),
            timeout_secs: rule
                .timeout_secs
                .or(self.timeout_secs)
                .unwrap_or(DEFAULT_TIMEOUT_SECS),
            max_output_bytes: rule
                .max_output_bytes
                .or(self.max_output_bytes)
                .unwrap_or(DEFAULT_MAX_OUTPUT_BYTES),
            pass_env: self.pass_env.clone(),
        })
    }

    fn allowed_list(&self) -> String {
        if self.programs.is_empty() {
            return "none yet".to_owned();
        }
        let names: Vec<&str> = self.programs.keys().map(String::as_str).collect();
        names.join(", ")
    }
}

/// Whether `program`'s file name is a shell or a program that runs others.
fn is_shell(program: &str) -> bool {
    let base = program.rsplit('/').next().unwrap_or(program);
    SHELLS.contains(&base)
}

/// The refusal when no policy file exists: `run_command` runs nothing.
pub fn missing(path: &Path) -> Failure {
    Failure::usage(format!(
        "no MCP policy at {}: run_command runs no program until the person allows some",
        path.display()
    ))
    .with_hint(
        "the person writes it, e.g. {\"programs\": {\"gh\": {\"secrets\": [\"GITHUB_TOKEN\"]}}} \
         (see `secrets mcp --help`)",
    )
}

impl Grant {
    /// Whether the policy grants the secret `name` (any case).
    pub fn grants(&self, name: &str) -> bool {
        self.secrets.iter().any(|s| s.eq_ignore_ascii_case(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn programs_match_by_exact_name_or_path() {
        let policy = Policy::parse(
            r#"{"programs": {"gh": {"secrets": ["GITHUB_TOKEN"]}, "/usr/bin/env": {}},
                "timeout_secs": 5}"#,
        )
        .unwrap();
        let gh = policy.grant("gh").unwrap();
        assert!(gh.grants("github_token"));
        assert!(!gh.grants("OTHER"));
        assert_eq!(gh.timeout_secs, 5);
        assert!(
            policy.grant("/opt/elsewhere/gh").is_err(),
            "a path is not the name"
        );
        assert!(policy.grant("curl").is_err());
        assert!(
            policy.grant("/usr/bin/env").is_err(),
            "a launcher needs shell"
        );
    }

    #[test]
    fn shells_need_shell_true() {
        let policy = Policy::parse(r#"{"programs": {"sh": {}}, "shell": true}"#).unwrap();
        assert!(policy.grant("sh").is_ok());
        let policy = Policy::parse(r#"{"programs": {"bash": {}}}"#).unwrap();
        assert!(policy.grant("bash").is_err());
    }

    #[test]
    fn invalid_policies_say_why() {
        assert!(Policy::parse(r#"{"programs": {"./x": {}}}"#).is_err());
        assert!(Policy::parse(r#"{"programs": {"x": {"secrets": ["a b"]}}}"#).is_err());
        // A gateway as exec's --gateway takes it: plain http off loopback is not.
        assert!(
            Policy::parse(r#"{"programs": {"x": {"gateways": ["A=B@http://example.com"]}}}"#)
                .is_err()
        );
        let policy =
            Policy::parse(r#"{"programs": {"x": {"gateways": ["A=B@https://api.example.com"]}}}"#)
                .unwrap();
        assert_eq!(policy.grant("x").unwrap().gateways[0].secret, "B");
        assert!(
            Policy::parse(r#"{"program": {}}"#).is_err(),
            "unknown field"
        );
    }
}
