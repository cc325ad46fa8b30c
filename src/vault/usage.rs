//! `exec`'s usage journal: one line per run, appended to a file beside the
//! vault (`vault.db-usage`), instead of a write transaction on every launch
//! (a rollback journal and its fsyncs, about a millisecond).
//!
//! Every command that writes the vault folds the journal into the audit log
//! (`events`) and the last-used times, in one transaction, before it writes;
//! `exec` folds it itself once it passes `FOLD_AT` bytes, so it stays small.
//! Commands that only read never fold it: they read its runs (`journal`)
//! and show them as if folded.
//!
//! A line holds what the `events` row will: the time, the program's name
//! (argv[0]) and the injected names (`*` for the whole vault, spelled out
//! when folded), plus a random id, so that folding a line twice (a crash
//! between the commit and the truncation) records it once. Never a value.
//!
//! Only a program that started is a run: `exec` writes its line just before
//! starting the program and holds a shared lock (`flock`) on the journal until the
//! program has started (a successful `execve` closes the descriptor, and so
//! releases it); if the program cannot be started, a cancelling line follows
//! under the same lock. The folder holds an exclusive lock from its read to
//! its truncation, so it never sees a run without its cancellation, and no
//! line is lost.

use super::db::Vault;
use super::events::Action;
use super::journal::{self, EVERY_SECRET, Line, Run, refused_or};
use super::location::Location;
use super::store::{NewEvent, Store};
use super::unsealed::{Chosen, Connected, StaleCache};
use crate::clock;
use crate::{files, random};
use anyhow::{Context, Result};
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// Journal size from which `exec` folds it (about 600 runs).
const FOLD_AT: u64 = 64 * 1024;

/// A run recorded before its program starts. In a file vault's journal,
/// it holds the journal's shared lock, so no command folds the line before
/// it is known whether the program started. In a PostgreSQL vault, it is
/// in the log already, and the connection is closed: a program may run for
/// hours, and must not hold one of the server's connections meanwhile.
pub struct PendingRun {
    recorded: Recorded,
}

enum Recorded {
    Journal {
        file: File,
        path: PathBuf,
        id: String,
    },
    Logged {
        location: Location,
        event_id: i64,
    },
}

impl PendingRun {
    /// Records the run of `program` with `chosen` (as `EVERY_SECRET` when
    /// every secret was chosen): in the journal of the vault at `location`,
    /// or, for a vault still `connected` (`Chosen::connected`), in its log.
    pub fn begin(
        location: &Location,
        program: &str,
        chosen: &Chosen,
        connected: Option<Connected>,
    ) -> Result<PendingRun> {
        Self::begin_via(location, program, chosen, connected, None)
    }

    /// `begin`, for a run that `secrets mcp` makes for an agent: `via` is
    /// the log entry's detail (`run_command via mcp`), and the entry's
    /// action `mcp` rather than `exec`.
    pub fn begin_via(
        location: &Location,
        program: &str,
        chosen: &Chosen,
        connected: Option<Connected>,
        via: Option<&str>,
    ) -> Result<PendingRun> {
        let every = chosen.everything && !chosen.secrets.is_empty();
        if let Some(Connected {
            mut vault,
            cached_at,
        }) = connected
        {
            let mut names: Vec<String> = chosen.secrets.iter().map(|u| u.name.clone()).collect();
            if every {
                // As a file vault's log spells out a run of every secret.
                names.sort_by_cached_key(|name| name.to_ascii_lowercase());
            }
            let cached_at = cached_at
                .as_ref()
                .map(|(id, version)| (id.as_str(), *version));
            let Some(event_id) = vault.log_run(program, &names, every, cached_at, via)? else {
                if let Some(cache) = vault.snapshot_file() {
                    let _ = std::fs::remove_file(cache);
                }
                return Err(StaleCache.into());
            };
            return Ok(PendingRun {
                recorded: Recorded::Logged {
                    location: location.clone(),
                    event_id,
                },
            });
        }
        let Some(vault) = location.file() else {
            anyhow::bail!("exec read a PostgreSQL vault but did not keep its connection");
        };
        let names = if every {
            vec![EVERY_SECRET.to_owned()]
        } else {
            chosen.secrets.iter().map(|u| u.name.clone()).collect()
        };
        let run = Run {
            id: random::token(20)?,
            time_ms: clock::now_ms(),
            program: program.to_owned(),
            names,
            host: crate::host::name(),
            gateway: None,
            mcp: via.map(str::to_owned),
        };
        let path = journal::path(vault);
        let file = open_to_append(&path, "this run")?;
        let id = run.id.clone();
        let pending = PendingRun {
            recorded: Recorded::Journal {
                file,
                path: path.clone(),
                id,
            },
        };
        pending.append(&Line::Run(run))?;
        Ok(pending)
    }

    /// The program started: the run stands (and the lock goes).
    pub fn started(self) {}

    /// The program could not be started: the run is cancelled. Best effort:
    /// the command is failing already. (In a PostgreSQL vault the entry is
    /// removed from the log; the last-used times it touched stay.)
    pub fn failed(self) {
        match &self.recorded {
            Recorded::Journal { id, .. } => {
                let cancel = Line::Cancel { cancel: id.clone() };
                let _ = self.append(&cancel);
            }
            Recorded::Logged { location, event_id } => {
                if let Ok(mut vault) = Vault::open(location) {
                    let _ = vault.unlog_run(*event_id);
                }
            }
        }
    }

    fn append(&self, line: &Line) -> Result<()> {
        let Recorded::Journal { file, path, .. } = &self.recorded else {
            return Ok(());
        };
        let mut text = serde_json::to_string(line)?;
        text.push('\n');
        let mut file: &File = file;
        file.write_all(text.as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))
    }
}

/// What one gateway of a run did, for its log entry: the secret behind it
/// and the entry's detail (`VAR -> HOST, N requests`). Never a value.
pub struct GatewayEntry {
    pub secret: String,
    pub detail: String,
}

/// Logs what the gateways of a run of `program` did, once the program has
/// ended: in a file vault's usage journal (folded like its runs), or
/// straight into a PostgreSQL vault's log. No change to the vault itself,
/// so exec's snapshots and caches stay current.
pub fn log_gateway_use(location: &Location, program: &str, entries: &[GatewayEntry]) -> Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let time_ms = clock::now_ms();
    let host = crate::host::name();
    let Some(vault) = location.file() else {
        let mut events = Vec::with_capacity(entries.len());
        for entry in entries {
            events.push((
                serde_json::to_string(&[&entry.secret])?,
                entry.detail.as_str(),
            ));
        }
        let events: Vec<NewEvent> = events
            .iter()
            .map(|(names_json, detail)| NewEvent {
                time_ms,
                action: Action::Gateway.as_str(),
                names_json,
                program: Some(program),
                detail: Some(detail),
                host: host.as_deref(),
            })
            .collect();
        return log_unsynced(location, &events);
    };
    let mut lines = Vec::with_capacity(entries.len());
    for entry in entries {
        lines.push(Line::Run(Run {
            id: random::token(20)?,
            time_ms,
            program: program.to_owned(),
            names: vec![entry.secret.clone()],
            host: host.clone(),
            gateway: Some(entry.detail.clone()),
            mcp: None,
        }));
    }
    append_lines(vault, &lines, "the gateways' use")
}

/// Logs a call of a tool of `secrets mcp` that gave no program a secret
/// (`list_secrets`, `request_secret`, a refused `run_command`): `program`
/// the one asked for, if any, and `detail` what the call was (`TOOL via
/// mcp: ...`). In a file vault's usage journal, as exec's runs, so that an
/// agent's calls do not each write the vault (and throw away exec's
/// snapshot); straight into a PostgreSQL vault's log.
pub fn log_mcp_call(location: &Location, program: Option<&str>, detail: &str) -> Result<()> {
    let time_ms = clock::now_ms();
    let host = crate::host::name();
    let Some(vault) = location.file() else {
        let event = NewEvent {
            time_ms,
            action: Action::Mcp.as_str(),
            names_json: "[]",
            program,
            detail: Some(detail),
            host: host.as_deref(),
        };
        return log_unsynced(location, &[event]);
    };
    let line = Line::Run(Run {
        id: random::token(20)?,
        time_ms,
        // No program is stored as an empty name (`Run::program`).
        program: program.unwrap_or_default().to_owned(),
        names: Vec::new(),
        host,
        gateway: None,
        mcp: Some(detail.to_owned()),
    });
    append_lines(vault, &[line], "the agent's call")
}

/// Logs `events` straight into the PostgreSQL vault at `location`, outside
/// any change to the vault (`PgStore::log_unsynced`).
fn log_unsynced(location: &Location, events: &[NewEvent<'_>]) -> Result<()> {
    let mut vault = Vault::open(location)?;
    let Store::Postgres(store) = &mut vault.store else {
        return Ok(());
    };
    for event in events {
        store.log_unsynced(event)?;
    }
    Ok(())
}

/// Appends `lines` to the usage journal of the vault at `vault`, in one
/// write (`what` names them in an error).
fn append_lines(vault: &Path, lines: &[Line], what: &str) -> Result<()> {
    let mut text = String::new();
    for line in lines {
        text.push_str(&serde_json::to_string(line)?);
        text.push('\n');
    }
    let path = journal::path(vault);
    let file = open_to_append(&path, what)?;
    let mut file: &File = &file;
    file.write_all(text.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))
}

/// The journal at `path`, opened (created 0600) to append `what`, under a
/// shared lock: the fold reads and empties it under an exclusive one, so
/// no line is lost.
fn open_to_append(path: &Path, what: &str) -> Result<File> {
    let cannot = || format!("cannot record {what} in {}", path.display());
    let (file, _) = files::open_own_file(
        OpenOptions::new().append(true).create(true).mode(0o600),
        path,
    )
    .map_err(|e| refused_or(e, path, cannot))?;
    file.lock_shared().with_context(cannot)?;
    Ok(file)
}

/// Whether the journal of the vault at `vault` has grown large enough for
/// `exec` to fold it (`unseal::for_exec`).
pub(super) fn journal_is_large(vault: &Path) -> bool {
    std::fs::metadata(journal::path(vault)).is_ok_and(|m| m.len() >= FOLD_AT)
}

impl Vault {
    /// Moves the journal's runs into the audit log and the last-used times,
    /// then empties it. Lines that do not parse (a run cut off mid-write) are
    /// skipped.
    pub fn fold_usage(&mut self) -> Result<()> {
        let Store::Sqlite(store) = &mut self.store else {
            return Ok(());
        };
        let Some(vault) = self.location.file() else {
            return Ok(());
        };
        let path = journal::path(vault);
        let cannot = || format!("cannot read {}", path.display());
        let opened = files::open_own_file(OpenOptions::new().read(true).write(true), &path);
        let mut file = match opened {
            Ok((file, _)) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(refused_or(e, &path, cannot)),
        };
        file.lock().with_context(cannot)?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).with_context(cannot)?;
        if bytes.is_empty() {
            return Ok(());
        }
        store.fold_runs(&journal::standing_runs(&bytes))?;
        file.set_len(0).with_context(cannot)?;
        Ok(())
    }
}

impl Vault {
    /// Logs a run of `program` with `names` (every secret when `every`) and
    /// touches their last use, in one transaction of the store; returns the
    /// log entry's id, for `unlog_run`. (PostgreSQL vaults: a file vault's
    /// runs go through its journal.)
    fn log_run(
        &mut self,
        program: &str,
        names: &[String],
        every: bool,
        cached_at: Option<(&str, i64)>,
        via: Option<&str>,
    ) -> Result<Option<i64>> {
        let Store::Postgres(store) = &mut self.store else {
            anyhow::bail!("runs of a file vault go to its usage journal");
        };
        let host = crate::host::name();
        store.log_run(
            clock::now_ms(),
            program,
            names,
            every,
            host.as_deref(),
            cached_at,
            via,
        )
    }

    /// Removes a run's log entry: its program could not be started.
    fn unlog_run(&mut self, event_id: i64) -> Result<()> {
        let Store::Postgres(store) = &mut self.store else {
            return Ok(());
        };
        store.unlog_run(event_id)
    }
}
