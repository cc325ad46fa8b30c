//! The audit log: every change to the vault and every `exec`, appended to
//! the `events` table in the same transaction as the action itself.
//!
//! Names, times, the program's name (argv[0] only: arguments can hold
//! secrets) and public keys; never a value. Deleting a secret keeps its
//! entries: the history of what existed is what an audit needs.

use super::damage::{Damage, Table, TimeField};
use super::db::Vault;
use super::queries::SecretMeta;
use super::store::{NewEvent, Rows, StoredEvent};
use crate::clock;
use anyhow::Result;
use serde::{Serialize, Serializer};
use std::collections::HashSet;

/// In `names`, stands for every secret in the vault at that moment (an
/// `exec` of the whole vault, which may hold thousands).
pub use super::journal::EVERY_SECRET;

/// What an event records. Stored in the `action` column as [`Action::as_str`]
/// gives it: the strings every version has written, so old rows read back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Create,
    Update,
    /// An update of the description alone.
    Describe,
    /// Names `[old, new]`.
    Rename,
    Delete,
    Import,
    Exec,
    RecipientsAdd,
    RecipientsRemove,
    /// The user trusted the recipients and data key as they were.
    RecipientsAccept,
    Rekey,
    /// The vault was copied here from another place (detail: that place).
    VaultCopy,
    /// What one gateway of an `exec` did (`exec --gateway`), logged when
    /// the program ended: names `[secret]`, detail `VAR -> HOST, N requests`.
    Gateway,
    /// A call of a tool of `secrets mcp` (an AI agent's): names the secrets
    /// a program was given (none for the other tools), program the one it
    /// ran, detail `TOOL via mcp` and what became of the call.
    Mcp,
}

impl Action {
    const ALL: [Action; 14] = [
        Action::Create,
        Action::Update,
        Action::Describe,
        Action::Rename,
        Action::Delete,
        Action::Import,
        Action::Exec,
        Action::RecipientsAdd,
        Action::RecipientsRemove,
        Action::RecipientsAccept,
        Action::Rekey,
        Action::VaultCopy,
        Action::Gateway,
        Action::Mcp,
    ];

    /// The stored and shown word (`log`, `log --json`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Describe => "describe",
            Action::Rename => "rename",
            Action::Delete => "delete",
            Action::Import => "import",
            Action::Exec => "exec",
            Action::RecipientsAdd => "recipients add",
            Action::RecipientsRemove => "recipients remove",
            Action::RecipientsAccept => "recipients accept",
            Action::Rekey => "rekey",
            Action::VaultCopy => "vault copy",
            Action::Gateway => "gateway",
            Action::Mcp => "mcp",
        }
    }

    fn from_stored(stored: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == stored)
    }
}

/// An event's action as read back. A word this version does not know (from
/// a newer version that added an action, or an edit by hand) is kept as
/// stored: `log` shows the row, escaped like all its text, rather than
/// refusing the whole log; `log NAME` takes it as changing nothing about
/// whether the secret exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoggedAction {
    Known(Action),
    Unknown(String),
}

impl LoggedAction {
    fn from_stored(stored: String) -> LoggedAction {
        match Action::from_stored(&stored) {
            Some(action) => LoggedAction::Known(action),
            None => LoggedAction::Unknown(stored),
        }
    }

    /// The word as stored.
    pub fn as_str(&self) -> &str {
        match self {
            LoggedAction::Known(action) => action.as_str(),
            LoggedAction::Unknown(stored) => stored,
        }
    }
}

impl Serialize for LoggedAction {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// One entry of the log.
#[derive(Debug, Serialize)]
pub struct Event {
    pub time_ms: i64,
    pub action: LoggedAction,
    pub names: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub program: Option<String>,
    /// A public key, for recipient changes and rekey.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The machine it happened on (`null` for events logged before
    /// versions recorded it).
    pub host: Option<String>,
}

/// Appends an event inside the caller's transaction.
pub(super) fn record(
    rows: &mut dyn Rows,
    action: Action,
    names: &[&str],
    program: Option<&str>,
    detail: Option<&str>,
) -> Result<()> {
    let host = crate::host::name();
    rows.record(&NewEvent {
        time_ms: clock::now_ms(),
        action: action.as_str(),
        names_json: &serde_json::to_string(names)?,
        program,
        detail,
        host: host.as_deref(),
    })
}

/// An event as the store keeps it, made now on this machine: for a write
/// that hands the store whole rows (`copy`) rather than recording in a
/// transaction.
pub(super) fn stored_now(action: Action, detail: Option<&str>) -> StoredEvent {
    StoredEvent {
        time_ms: clock::now_ms(),
        action: action.as_str().to_owned(),
        names_json: "[]".to_owned(),
        program: None,
        detail: detail.map(str::to_owned),
        usage_id: None,
        host: crate::host::name(),
    }
}

impl Vault {
    /// Records an event on its own (for actions made of several writes).
    pub fn record_event(&mut self, action: Action, detail: Option<&str>) -> Result<()> {
        let mut rows = self.store.write()?;
        record(rows.as_mut(), action, &[], None, detail)?;
        rows.commit()
    }

    /// The log, newest first: all of it, or the events that involve `name`
    /// (in any case; a whole-vault exec involves it if it existed then), at
    /// most `limit`. Runs still in the usage journal are in it, as the fold
    /// will record them.
    pub fn events(&mut self, name: Option<&str>, limit: Option<usize>) -> Result<Vec<Event>> {
        let mut rows = self.store.read()?;
        let stored = rows.events()?;
        let secrets = if self.unfolded.runs().is_empty() {
            Vec::new()
        } else {
            rows.list()?
        };
        rows.commit()?;
        let mut events = Vec::with_capacity(stored.len());
        let mut folded = HashSet::new();
        for row in stored {
            if let Some(id) = &row.usage_id {
                folded.insert(id.clone());
            }
            events.push(event_from_row(row)?);
        }
        let unfolded = self.unfolded_runs(&folded, &secrets);
        if !unfolded.is_empty() {
            events.extend(unfolded);
            // Stable: a run sorts after the logged events of its millisecond,
            // as it will once folded.
            events.sort_by_key(|event| event.time_ms);
        }
        if let Some(name) = name {
            events = involving(events, name);
        }
        events.reverse();
        events.truncate(limit.unwrap_or(usize::MAX));
        Ok(events)
    }
}

impl Vault {
    /// The runs of the usage journal not in the log yet (`folded` holds the
    /// ids of those that are), as the fold will log them: a run of every
    /// secret names the secrets that existed then (no write came since, or
    /// it would have folded the journal).
    fn unfolded_runs(&self, folded: &HashSet<String>, secrets: &[SecretMeta]) -> Vec<Event> {
        let runs: Vec<_> = self
            .unfolded
            .runs()
            .iter()
            .filter(|run| !folded.contains(&run.id))
            .collect();
        runs.into_iter()
            .map(|run| Event {
                time_ms: run.time_ms,
                action: LoggedAction::Known(run.action()),
                names: if run.is_every_secret() {
                    secrets
                        .iter()
                        .filter(|secret| secret.create_time_ms <= run.time_ms)
                        .map(|secret| secret.name.clone())
                        .collect()
                } else {
                    run.names.clone()
                },
                program: run.program().map(str::to_owned),
                detail: run.detail().map(str::to_owned),
                host: run.host.clone(),
            })
            .collect()
    }
}

/// One row of the log, or the damage that makes it unreadable: names that
/// are not the JSON list `record` writes, or a time no clock gave.
fn event_from_row(row: StoredEvent) -> Result<Event> {
    if !clock::is_plausible(row.time_ms) {
        return Err(Damage::time_out_of_range(None, TimeField::Logged).into());
    }
    Ok(Event {
        time_ms: row.time_ms,
        action: LoggedAction::from_stored(row.action),
        names: serde_json::from_str(&row.names_json)
            .map_err(|_| Damage::unexpected_row(Table::Events))?,
        program: row.program,
        detail: row.detail,
        host: row.host,
    })
}

/// The events (oldest first) that name `name`, plus the whole-vault execs
/// made while a secret of that name existed (renames included: a secret
/// renamed away no longer exists under its old name).
fn involving(events: Vec<Event>, name: &str) -> Vec<Event> {
    let mut exists = false;
    let mut kept = Vec::new();
    for event in events {
        let named = event.names.iter().any(|n| n.eq_ignore_ascii_case(name));
        let every = event.names.iter().any(|n| n == EVERY_SECRET);
        if named {
            match event.action {
                LoggedAction::Known(Action::Delete) => exists = false,
                LoggedAction::Known(Action::Create | Action::Import) => exists = true,
                // Names [old, new]: the secret now goes by the last.
                LoggedAction::Known(Action::Rename) => {
                    exists = event
                        .names
                        .last()
                        .is_some_and(|n| n.eq_ignore_ascii_case(name))
                }
                _ => {}
            }
        }
        if named || (every && exists) {
            kept.push(event);
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_reads_back_as_itself() {
        for action in Action::ALL {
            assert_eq!(
                LoggedAction::from_stored(action.as_str().to_owned()),
                LoggedAction::Known(action)
            );
        }
        let words: std::collections::HashSet<_> = Action::ALL.map(Action::as_str).into();
        assert_eq!(words.len(), Action::ALL.len(), "distinct words");
    }
}
