//! Secrets an agent asked for (`request_secret`) and the person has not
//! created yet: one JSON line per request in `mcp-requests.jsonl` beside
//! the identity (0600), shown by `secrets requests`.
//!
//! A request holds a name, the agent's reason, the time and the vault it
//! is for; never a value (the person creates it with `secrets create`).
//! A request is answered once a secret of its name exists in its vault:
//! readers leave those out, and `secrets requests --clear` drops the rest.

use crate::error::Failure;
use crate::files;
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::fs::OpenOptions;
use std::io::{Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// The file's name, in the identity's directory.
const FILE_NAME: &str = "mcp-requests.jsonl";

/// A reason longer than this is not a reason.
const MAX_REASON_CHARS: usize = 500;

/// At most this many requests are kept: an agent in a loop cannot fill
/// the disk.
const MAX_REQUESTS: usize = 1000;

/// One request.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Request {
    pub time_ms: i64,
    pub name: String,
    pub reason: String,
    /// The vault it is for, as `Location::shown` gives it.
    pub vault: String,
}

/// Where the requests are: beside the identity.
pub fn path(identity: &Path) -> PathBuf {
    identity
        .parent()
        .unwrap_or_else(|| Path::new(""))
        .join(FILE_NAME)
}

/// Checks what an agent sent: a valid, unreserved name and a reason of one
/// reasonable line.
pub fn check(name: &str, reason: &str) -> Result<(), Failure> {
    crate::name::SecretName::parse(name)?;
    if reason.trim().is_empty() {
        return Err(Failure::usage(
            "say why the secret is needed (the person reads it)",
        ));
    }
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(Failure::usage(format!(
            "the reason is longer than {MAX_REASON_CHARS} characters"
        )));
    }
    if reason.chars().any(char::is_control) {
        return Err(Failure::usage(
            "the reason contains control characters (newlines, tabs, escapes)",
        ));
    }
    Ok(())
}

/// Appends `request` to the file at `path` (created 0600, its directory
/// 0700), under a lock; refused once `MAX_REQUESTS` are waiting.
pub fn record(path: &Path, request: &Request) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        files::create_private_dir(dir)?;
    }
    let cannot = || format!("cannot record the request in {}", path.display());
    let (mut file, _) = files::open_own_file(
        OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .mode(0o600),
        path,
    )
    .with_context(cannot)?;
    file.lock().with_context(cannot)?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).with_context(cannot)?;
    if parse(&bytes).len() >= MAX_REQUESTS {
        return Err(
            Failure::usage(format!("{MAX_REQUESTS} requests are waiting already"))
                .with_hint("the person reads them with `secrets requests`")
                .into(),
        );
    }
    let mut line = serde_json::to_string(request)?;
    line.push('\n');
    file.write_all(line.as_bytes()).with_context(cannot)
}

/// Every request in the file at `path` (none when it does not exist).
pub fn read(path: &Path) -> Result<Vec<Request>> {
    let cannot = || format!("cannot read {}", path.display());
    let mut file = match files::open_own_file(OpenOptions::new().read(true), path) {
        Ok((file, _)) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(anyhow::Error::new(e).context(cannot())),
    };
    file.lock_shared().with_context(cannot)?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).with_context(cannot)?;
    Ok(parse(&bytes))
}

/// Rewrites the file at `path` with only the requests `keep` says.
pub fn retain(path: &Path, keep: impl Fn(&Request) -> bool) -> Result<()> {
    let kept: Vec<Request> = read(path)?.into_iter().filter(keep).collect();
    let mut text = String::new();
    for request in &kept {
        text.push_str(&serde_json::to_string(request)?);
        text.push('\n');
    }
    files::replace_private_file(path, text.as_bytes())
}

/// The requests of a file's bytes; lines that do not parse are skipped.
fn parse(bytes: &[u8]) -> Vec<Request> {
    bytes
        .split(|&b| b == b'\n')
        .filter_map(|line| serde_json::from_slice(line).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_reasons_are_checked() {
        assert!(check("STRIPE_KEY", "to test payments").is_ok());
        assert!(check("not a name", "why").is_err());
        assert!(check("PATH", "why").is_err(), "reserved");
        assert!(check("KEY", " ").is_err());
        assert!(check("KEY", "a\nb").is_err());
        assert!(check("KEY", &"x".repeat(501)).is_err());
    }
}
