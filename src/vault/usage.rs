//! `exec`'s usage journal: one line per run, appended to a file beside the
//! vault (`vault.db-usage`), instead of a write transaction on every launch
//! (a rollback journal and its fsyncs, about a millisecond).
//!
//! Every other command folds the journal into the audit log (`events`) and
//! the last-used times, in one transaction, before it reads the vault; `exec`
//! folds it itself once it passes `FOLD_AT` bytes, so it stays small.
//!
//! A line holds what the `events` row will: the time, the program's name
//! (argv[0]) and the injected names (`*` for the whole vault), plus a random
//! id, so that folding a line twice (a crash between the commit and the
//! truncation) records it once. Never a value.
//!
//! Appenders hold a shared `flock` for their single write; the folder holds
//! an exclusive one from its read to its truncation, so no line is lost.

use super::db::{Unsealed, Vault, begin_write};
use super::events::EVERY_SECRET;
use crate::clock;
use crate::{files, random};
use anyhow::{Context, Result};
use rusqlite::params;
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// Journal size from which `exec` folds it (about 600 runs).
const FOLD_AT: u64 = 64 * 1024;

/// One `exec` run, as a line of the journal.
#[derive(Serialize, Deserialize)]
struct Use {
    id: String,
    time_ms: i64,
    program: String,
    names: Vec<String>,
}

/// The journal of the vault at `vault`.
pub fn journal_path(vault: &Path) -> PathBuf {
    crate::files::beside(vault, "-usage")
}

/// Records that `exec` ran `program` with `unsealed` now (as `EVERY_SECRET`
/// when `everything` was chosen), then folds the journal if it has grown
/// large.
pub(super) fn record(
    vault: &Path,
    program: &str,
    unsealed: &[Unsealed],
    everything: bool,
) -> Result<()> {
    let names: Vec<String> = if everything && !unsealed.is_empty() {
        vec![EVERY_SECRET.to_owned()]
    } else {
        unsealed.iter().map(|u| u.name.clone()).collect()
    };
    let line = Use {
        id: random::token(20)?,
        time_ms: clock::now_ms(),
        program: program.to_owned(),
        names,
    };
    let mut text = serde_json::to_string(&line)?;
    text.push('\n');
    let path = journal_path(vault);
    let cannot = || format!("cannot record this run in {}", path.display());
    let (mut file, metadata) = files::open_own_file(
        OpenOptions::new().append(true).create(true).mode(0o600),
        &path,
    )
    .map_err(|e| refused_or(e, &path, cannot))?;
    lock(&file, libc::LOCK_SH).with_context(cannot)?;
    file.write_all(text.as_bytes()).with_context(cannot)?;
    drop(file);
    // About the size now (others may append too): enough to decide to fold.
    let size = metadata.len() + text.len() as u64;
    if size >= FOLD_AT {
        // Best effort: the next command that opens the vault folds it.
        let _ = Vault::open(vault);
    }
    Ok(())
}

impl Vault {
    /// Moves the journal's runs into the audit log and the last-used times,
    /// then empties it. Lines that do not parse (a run cut off mid-write) are
    /// skipped.
    pub fn fold_usage(&mut self) -> Result<()> {
        let path = journal_path(&self.path);
        let cannot = || format!("cannot read {}", path.display());
        let opened = files::open_own_file(OpenOptions::new().read(true).write(true), &path);
        let mut file = match opened {
            Ok((file, _)) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(refused_or(e, &path, cannot)),
        };
        lock(&file, libc::LOCK_EX).with_context(cannot)?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).with_context(cannot)?;
        if bytes.is_empty() {
            return Ok(());
        }
        let tx = begin_write(&mut self.conn, &self.path)?;
        for line in bytes.split(|&b| b == b'\n') {
            if let Ok(run) = serde_json::from_slice::<Use>(line) {
                apply(&tx, &run)?;
            }
        }
        tx.commit()?;
        file.set_len(0).with_context(cannot)?;
        Ok(())
    }
}

/// Records one run: its event, and its secrets' last use (only for secrets
/// that existed then: a name may have been deleted and created again since).
fn apply(tx: &rusqlite::Transaction<'_>, run: &Use) -> Result<()> {
    let added = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO events (time_ms, action, names, program, usage_id)
             VALUES (?1, 'exec', ?2, ?3, ?4)",
        )?
        .execute(params![
            run.time_ms,
            serde_json::to_string(&run.names)?,
            run.program,
            run.id
        ])?;
    if added == 0 {
        return Ok(());
    }
    if run.names.iter().any(|n| n == EVERY_SECRET) {
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

/// The refusal of a journal that is not ours (`files::refusal`), else
/// `error` with the context `cannot`.
fn refused_or(error: std::io::Error, path: &Path, cannot: impl Fn() -> String) -> anyhow::Error {
    match files::refusal(path, &error) {
        Some(refusal) => refusal.into(),
        None => anyhow::Error::new(error).context(cannot()),
    }
}

/// Takes a `flock` on `file`, waiting for it (released when the file closes).
fn lock(file: &File, how: libc::c_int) -> std::io::Result<()> {
    loop {
        // SAFETY: a valid open descriptor and a flock operation.
        if unsafe { libc::flock(file.as_raw_fd(), how) } == 0 {
            return Ok(());
        }
        let error = std::io::Error::last_os_error();
        if error.kind() != std::io::ErrorKind::Interrupted {
            return Err(error);
        }
    }
}
