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

use super::db::{Vault, begin_write};
use super::journal::{self, EVERY_SECRET, Line, Run, refused_or};
use super::unsealed::Chosen;
use crate::clock;
use crate::{files, random};
use anyhow::{Context, Result};
use rusqlite::params;
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// Journal size from which `exec` folds it (about 600 runs).
const FOLD_AT: u64 = 64 * 1024;

/// A run written to the journal whose program has not started yet: holds
/// the journal's shared lock, so no command folds the line before it is
/// known whether the program started.
pub struct PendingRun {
    file: File,
    path: PathBuf,
    id: String,
}

impl PendingRun {
    /// Writes the run of `program` with `chosen` (as `EVERY_SECRET` when
    /// every secret was chosen) to the journal of the vault at `vault`.
    pub fn begin(vault: &Path, program: &str, chosen: &Chosen) -> Result<PendingRun> {
        let path = journal::path(vault);
        let names: Vec<String> = if chosen.everything && !chosen.secrets.is_empty() {
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
        };
        let cannot = || format!("cannot record this run in {}", path.display());
        let (file, _) = files::open_own_file(
            OpenOptions::new().append(true).create(true).mode(0o600),
            &path,
        )
        .map_err(|e| refused_or(e, &path, cannot))?;
        file.lock_shared().with_context(cannot)?;
        let id = run.id.clone();
        let pending = PendingRun {
            file,
            path: path.clone(),
            id,
        };
        pending.append(&Line::Run(run))?;
        Ok(pending)
    }

    /// The program started: the run stands (and the lock goes).
    pub fn started(self) {}

    /// The program could not be started: the run is cancelled. Best effort:
    /// the command is failing already.
    pub fn failed(self) {
        let cancel = Line::Cancel {
            cancel: self.id.clone(),
        };
        let _ = self.append(&cancel);
    }

    fn append(&self, line: &Line) -> Result<()> {
        let mut text = serde_json::to_string(line)?;
        text.push('\n');
        (&self.file)
            .write_all(text.as_bytes())
            .with_context(|| format!("cannot write {}", self.path.display()))
    }
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
        let path = journal::path(&self.path);
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
        let tx = begin_write(&mut self.conn, &self.path)?;
        for run in &journal::standing_runs(&bytes) {
            apply(&tx, run)?;
        }
        tx.commit()?;
        file.set_len(0).with_context(cannot)?;
        Ok(())
    }
}

/// Records one run: its event, and its secrets' last use (only for secrets
/// that existed then: a name may have been deleted and created again since).
/// A run of every secret is logged with their names: every write folds the
/// journal first, so the secrets that exist now and existed then are the
/// ones the run injected.
fn apply(tx: &rusqlite::Transaction<'_>, run: &Run) -> Result<()> {
    let every = run.is_every_secret();
    let names = if every {
        names_at(tx, run.time_ms)?
    } else {
        run.names.clone()
    };
    let added = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO events (time_ms, action, names, program, usage_id, host)
             VALUES (?1, ?5, ?2, ?3, ?4, ?6)",
        )?
        .execute(params![
            run.time_ms,
            serde_json::to_string(&names)?,
            run.program,
            run.id,
            super::events::Action::Exec,
            run.host
        ])?;
    if added == 0 {
        return Ok(());
    }
    if every {
        tx.execute(
            "UPDATE vault SET all_used_time_ms = MAX(COALESCE(all_used_time_ms, 0), ?1)",
            [run.time_ms],
        )?;
        return Ok(());
    }
    let mut stmt = tx.prepare_cached(
        "UPDATE secrets SET last_used_time_ms = MAX(COALESCE(last_used_time_ms, 0), ?1)
         WHERE name = ?2 AND create_time_ms <= ?1",
    )?;
    for name in &run.names {
        stmt.execute(params![run.time_ms, name])?;
    }
    Ok(())
}

/// The names of the secrets that existed at `time_ms` and still exist, by
/// name.
fn names_at(tx: &rusqlite::Transaction<'_>, time_ms: i64) -> Result<Vec<String>> {
    let mut stmt = tx.prepare_cached(
        "SELECT name FROM secrets WHERE create_time_ms <= ?1 ORDER BY name COLLATE NOCASE",
    )?;
    let names = stmt
        .query_map([time_ms], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(names)
}
