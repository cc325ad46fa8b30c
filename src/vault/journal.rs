//! The usage journal's file (`vault.db-usage`): what one line holds, and the
//! runs a journal holds that are not folded yet, as read commands see them.
//!
//! Writing lines (`usage::PendingRun`) and folding them into the database
//! (`Vault::fold_usage`) live in `usage`; this module knows the format and
//! nothing of SQLite, so that the storage can carry the runs it read
//! without depending on the module that writes them.

use super::events::Action;
use crate::files;
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::fs::OpenOptions;
use std::io::Read;
use std::path::{Path, PathBuf};

/// In a run's names, stands for every secret in the vault at that moment
/// (an `exec` of the whole vault, which may hold thousands).
pub const EVERY_SECRET: &str = "*";

/// One line of the journal: an `exec` run (or what one of its gateways did,
/// once its program ended), or the cancellation of a run whose program
/// could not be started.
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
pub(super) enum Line {
    Run(Run),
    Cancel { cancel: String },
}

/// One `exec` run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Run {
    pub(super) id: String,
    pub(super) time_ms: i64,
    pub(super) program: String,
    pub(super) names: Vec<String>,
    /// The machine that ran it (absent from lines of older versions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) host: Option<String>,
    /// For a gateway's line: its log detail (`VAR -> HOST, N requests`);
    /// `names` is then the secret behind it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) gateway: Option<String>,
    /// For a call of a tool of `secrets mcp`: its log detail (`TOOL via
    /// mcp`, and what became of it); `names` are the secrets a program was
    /// given, if any. Older versions ignore the field and log the line as
    /// an exec.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) mcp: Option<String>,
}

impl Run {
    /// The action its log entry records.
    pub(super) fn action(&self) -> Action {
        if self.gateway.is_some() {
            Action::Gateway
        } else if self.mcp.is_some() {
            Action::Mcp
        } else {
            Action::Exec
        }
    }

    /// The program it ran: none for an MCP call that ran none (stored as
    /// an empty name, which no program has).
    pub(super) fn program(&self) -> Option<&str> {
        Some(self.program.as_str()).filter(|p| !p.is_empty())
    }

    /// Its log entry's detail (a gateway's or an MCP call's), if any.
    pub(super) fn detail(&self) -> Option<&str> {
        self.gateway.as_deref().or(self.mcp.as_deref())
    }

    /// The run injected every secret of the vault (`EVERY_SECRET`).
    pub(super) fn is_every_secret(&self) -> bool {
        self.names.iter().any(|n| n == EVERY_SECRET)
    }

    /// Whether the run injected the secret stored as `name`, created at
    /// `created_ms` (a name may have been deleted and created again since).
    fn used(&self, name: &str, created_ms: i64) -> bool {
        created_ms <= self.time_ms
            && (self.is_every_secret() || self.names.iter().any(|n| n == name))
    }
}

/// The journal of the vault at `vault`.
pub fn path(vault: &Path) -> PathBuf {
    files::beside(vault, "-usage")
}

/// The runs of a journal's `bytes` that stand, in the journal's order:
/// cancelled runs and lines that do not parse (a run cut off mid-write) are
/// left out.
pub(super) fn standing_runs(bytes: &[u8]) -> Vec<Run> {
    let lines: Vec<Line> = bytes
        .split(|&b| b == b'\n')
        .filter_map(|line| serde_json::from_slice(line).ok())
        .collect();
    let cancelled: HashSet<String> = lines
        .iter()
        .filter_map(|line| match line {
            Line::Cancel { cancel } => Some(cancel.clone()),
            Line::Run(_) => None,
        })
        .collect();
    lines
        .into_iter()
        .filter_map(|line| match line {
            Line::Run(run) if !cancelled.contains(&run.id) => Some(run),
            _ => None,
        })
        .collect()
}

/// The refusal of a journal that is not ours (`files::refusal`), else
/// `error` with the context `cannot`.
pub(super) fn refused_or(
    error: std::io::Error,
    path: &Path,
    cannot: impl Fn() -> String,
) -> anyhow::Error {
    match files::refusal(path, &error) {
        Some(refusal) => refusal.into(),
        None => anyhow::Error::new(error).context(cannot()),
    }
}

/// The runs still in the journal, which a command that only reads shows
/// without folding them (folding writes the vault, and would throw away
/// `exec`'s snapshot).
#[derive(Debug, Default)]
pub struct Unfolded {
    runs: Vec<Run>,
}

impl Unfolded {
    /// Reads the journal of the vault at `vault`. Read before the database:
    /// a fold in between then shows a run twice, which the readers drop by
    /// id, rather than not at all. Takes the exclusive lock for the read,
    /// as the fold does, so a run whose program has not started yet is
    /// never seen without its cancellation.
    pub(super) fn read(vault: &Path) -> Result<Unfolded> {
        let path = path(vault);
        let cannot = || format!("cannot read {}", path.display());
        let mut file = match files::open_own_file(OpenOptions::new().read(true), &path) {
            Ok((file, _)) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Unfolded::default()),
            Err(e) => return Err(refused_or(e, &path, cannot)),
        };
        file.lock().with_context(cannot)?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).with_context(cannot)?;
        Ok(Unfolded {
            runs: standing_runs(&bytes),
        })
    }

    /// The runs, in the journal's order.
    pub(super) fn runs(&self) -> &[Run] {
        &self.runs
    }

    /// The latest of `last_used_ms` and the unfolded runs that used the
    /// secret stored as `name`, created at `created_ms`: what its last use
    /// will be once the journal is folded.
    pub(super) fn last_use(
        &self,
        name: &str,
        created_ms: i64,
        last_used_ms: Option<i64>,
    ) -> Option<i64> {
        self.runs
            .iter()
            .filter(|run| run.used(name, created_ms))
            .map(|run| run.time_ms)
            .chain(last_used_ms)
            .max()
    }
}
