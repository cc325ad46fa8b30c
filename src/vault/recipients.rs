//! Who can open the vault: listing, adding and removing recipients, and
//! rotating the data key so that a removed recipient is really revoked.
//!
//! Every change is one transaction. Adding wraps the same data key to one
//! more recipient; removing makes a new data key and reseals every value,
//! since the removed key may have seen the old one.

use super::crypto::{self, DataKey, OpenedWith, Sealing};
use super::damage::{Table, in_table};
use super::db::{Vault, begin_write};
use super::events::{self, Action};
use super::identity::Identity;
use super::queries::{read_sealed, recipients};
use crate::clock;
use crate::error::{FAILED, Failure};
use anyhow::{Result, anyhow};
use rusqlite::{Transaction, params};

/// A recipient's public key (canonical text) and, for an ssh key, the
/// comment that followed it (`me@laptop`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    pub text: String,
    pub comment: Option<String>,
}

impl Vault {
    /// The recipients with their comments, in the order they were added.
    pub fn recipient_list(&self) -> Result<Vec<PublicKey>> {
        let damaged = in_table(Table::Recipients);
        let mut stmt = self
            .conn
            .prepare("SELECT recipient, comment FROM recipients ORDER BY add_time_ms, recipient")
            .map_err(&damaged)?;
        let keys = stmt
            .query_map([], |r| {
                Ok(PublicKey {
                    text: r.get(0)?,
                    comment: r.get(1)?,
                })
            })
            .map_err(&damaged)?
            .collect::<rusqlite::Result<_>>()
            .map_err(damaged)?;
        Ok(keys)
    }

    /// The recipients' public keys, as stored.
    pub fn recipient_texts(&self) -> Result<Vec<String>> {
        let damaged = in_table(Table::Recipients);
        let mut stmt = self
            .conn
            .prepare("SELECT recipient FROM recipients ORDER BY add_time_ms, recipient")
            .map_err(&damaged)?;
        let texts = stmt
            .query_map([], |r| r.get(0))
            .map_err(&damaged)?
            .collect::<rusqlite::Result<_>>()
            .map_err(damaged)?;
        Ok(texts)
    }

    /// Adds recipients (canonical texts, no comments); returns those that
    /// were new. See `add_public_keys`.
    pub fn add_recipients(&mut self, identity: &Identity, added: &[String]) -> Result<Vec<String>> {
        let keys: Vec<PublicKey> = added
            .iter()
            .map(|text| PublicKey {
                text: text.clone(),
                comment: None,
            })
            .collect();
        self.add_public_keys(identity, &keys)
    }

    /// Adds recipients; returns the texts of those that were new. A key
    /// stored without a comment (added before comments were kept) gets the
    /// one given now. Values still sealed with age only are resealed under
    /// the data key, which the new recipients can open.
    pub fn add_public_keys(
        &mut self,
        identity: &Identity,
        added: &[PublicKey],
    ) -> Result<Vec<String>> {
        let tx = begin_write(&mut self.conn, &self.path)?;
        let (data_key, opened_with) = unwrap_key(&tx, identity, &self.vault_id)?;
        self.opened_with_retired_key |= opened_with == OpenedWith::RetiredKey;
        reseal(&tx, identity, &self.vault_id, &data_key, None)?;
        let mut new = Vec::new();
        for recipient in added {
            let inserted = tx.execute(
                "INSERT OR IGNORE INTO recipients (recipient, add_time_ms, comment)
                 VALUES (?1, ?2, ?3)",
                params![recipient.text, clock::now_ms(), recipient.comment],
            )?;
            if inserted == 1 {
                new.push(recipient.text.clone());
            } else if recipient.comment.is_some() {
                tx.execute(
                    "UPDATE recipients SET comment = ?2 WHERE recipient = ?1 AND comment IS NULL",
                    params![recipient.text, recipient.comment],
                )?;
            }
        }
        wrap_key(&tx, &data_key, &self.vault_id)?;
        if !new.is_empty() {
            events::record(&tx, Action::RecipientsAdd, &[], None, Some(&new.join(", ")))?;
        }
        tx.commit()?;
        Ok(new)
    }

    /// Removes recipients, then rotates the data key and reseals every value
    /// under it, so the removed keys open nothing, old or new. Refuses to
    /// remove every recipient that `identity` matches.
    pub fn remove_recipients(&mut self, identity: &Identity, removed: &[String]) -> Result<()> {
        let tx = begin_write(&mut self.conn, &self.path)?;
        let current: Vec<String> = {
            let mut stmt = tx.prepare("SELECT recipient FROM recipients")?;
            stmt.query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?
        };
        for recipient in removed {
            if !current.contains(recipient) {
                return Err(Failure::new(
                    FAILED,
                    format!("{recipient} is not a recipient of this vault"),
                )
                .with_hint("`secrets recipients list` shows them")
                .into());
            }
        }
        let remaining: Vec<&String> = current.iter().filter(|r| !removed.contains(r)).collect();
        if !remaining.iter().any(|r| identity.matches(r)) {
            return Err(Failure::new(
                FAILED,
                "refusing to remove the last recipient your identity matches: you could no longer open the vault",
            )
            .with_hint("add another key you hold first, or use `secrets rekey` to replace yours")
            .into());
        }
        let (old_key, opened_with) = unwrap_key(&tx, identity, &self.vault_id)?;
        self.opened_with_retired_key |= opened_with == OpenedWith::RetiredKey;
        let new_key = DataKey::generate()?;
        for recipient in removed {
            tx.execute("DELETE FROM recipients WHERE recipient = ?1", [recipient])?;
        }
        reseal(&tx, identity, &self.vault_id, &old_key, Some(&new_key))?;
        wrap_key(&tx, &new_key, &self.vault_id)?;
        events::record(
            &tx,
            Action::RecipientsRemove,
            &[],
            None,
            Some(&removed.join(", ")),
        )?;
        tx.commit()?;
        self.scrub_wal();
        Ok(())
    }
}

/// Opens the vault's data key with `identity`, and says which of its keys
/// did.
pub(super) fn unwrap_key(
    tx: &Transaction<'_>,
    identity: &Identity,
    vault_id: &str,
) -> Result<(DataKey, OpenedWith)> {
    let wrapped: Option<Vec<u8>> = tx
        .query_row("SELECT data_key FROM vault", [], |r| r.get(0))
        .map_err(in_table(Table::Vault))?;
    let wrapped = wrapped.ok_or_else(|| anyhow!("the vault has no data key"))?;
    DataKey::unwrap(identity, vault_id, &wrapped)
}

/// Wraps `key` to the vault's current recipients.
fn wrap_key(tx: &Transaction<'_>, key: &DataKey, vault_id: &str) -> Result<()> {
    let wrapped = key.wrap(&recipients(tx)?, vault_id)?;
    tx.execute("UPDATE vault SET data_key = ?1", [wrapped])?;
    Ok(())
}

/// Reseals values under the data key: the age-sealed ones always (under
/// `key`, or `new_key` when rotating), and when rotating also those sealed
/// under `key`. One value that fails to open fails all.
fn reseal(
    tx: &Transaction<'_>,
    identity: &Identity,
    vault_id: &str,
    key: &DataKey,
    new_key: Option<&DataKey>,
) -> Result<()> {
    let target = new_key.unwrap_or(key);
    let keys = identity.age_identities();
    let mut update =
        tx.prepare("UPDATE secrets SET ciphertext = ?2, sealing = 'key' WHERE rowid = ?1")?;
    for secret in read_sealed(tx)? {
        let value = match secret.sealing {
            Sealing::Age => {
                crypto::open_with_age(&keys, vault_id, &secret.name, &secret.ciphertext)?
            }
            Sealing::Key if new_key.is_some() => {
                key.open(vault_id, &secret.name, &secret.ciphertext)?
            }
            Sealing::Key => continue,
        };
        update.execute(params![
            secret.rowid,
            target.seal(vault_id, &secret.name, &value)?
        ])?;
    }
    Ok(())
}
