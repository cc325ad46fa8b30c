//! Who can open the vault: listing, adding and removing recipients, and
//! rotating the data key so that a removed recipient is really revoked.
//!
//! Every change is one transaction. Adding wraps the same data key to one
//! more recipient; removing makes a new data key and reseals every value,
//! since the removed key may have seen the old one.

use super::crypto::{self, DataKey, OpenedWith, Sealing};
use super::db::Vault;
use super::events::{self, Action};
use super::identity::Identity;
use super::queries::recipients;
use super::store::Rows;
use super::trusted;
use crate::clock;
use crate::error::{FAILED, Failure};
use anyhow::Result;

/// A recipient's public key (canonical text) and, for an ssh key, the
/// comment that followed it (`me@laptop`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    pub text: String,
    pub comment: Option<String>,
}

impl Vault {
    /// The recipients with their comments, in the order they were added.
    pub fn recipient_list(&mut self) -> Result<Vec<PublicKey>> {
        let mut rows = self.store.read()?;
        let keys = rows.recipients()?;
        rows.commit()?;
        Ok(keys)
    }

    /// The recipients' public keys, as stored.
    pub fn recipient_texts(&mut self) -> Result<Vec<String>> {
        Ok(self.recipient_list()?.into_iter().map(|k| k.text).collect())
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
        let mut rows = self.store.write()?;
        let (data_key, opened_with, _) = trusted::open_key(
            rows.as_mut(),
            identity,
            &self.vault_id,
            &self.location,
            true,
        )?;
        self.opened_with_retired_key |= opened_with == OpenedWith::RetiredKey;
        reseal(rows.as_mut(), identity, &self.vault_id, &data_key, None)?;
        let mut new = Vec::new();
        for recipient in added {
            if rows.add_recipient(recipient, clock::now_ms())? {
                new.push(recipient.text.clone());
            }
        }
        wrap_key(rows.as_mut(), &data_key, &self.vault_id)?;
        let pin = trusted::commit_state(rows.as_mut(), &data_key, &self.vault_id, &self.location)?;
        if !new.is_empty() {
            let detail = new.join(", ");
            events::record(
                rows.as_mut(),
                Action::RecipientsAdd,
                &[],
                None,
                Some(&detail),
            )?;
        }
        rows.commit()?;
        pin.save()?;
        Ok(new)
    }

    /// Checks the vault's recipients and data key against this machine's
    /// pin with `identity`, as every command that opens the key does, and
    /// pins them (`secrets recipients verify`).
    pub fn verify_trust(&mut self, identity: &Identity) -> Result<trusted::Checked> {
        let mut rows = self.store.write()?;
        let (checked, pin) =
            trusted::verify(rows.as_mut(), identity, &self.vault_id, &self.location)?;
        rows.commit()?;
        pin.save()?;
        Ok(checked)
    }

    /// Trusts the vault's recipients and data key as they are now: commits
    /// to them under the data key and pins them (`secrets recipients
    /// accept`), logged.
    pub fn accept_trust(&mut self, identity: &Identity) -> Result<trusted::Checked> {
        let mut rows = self.store.write()?;
        let (checked, pin) =
            trusted::accept(rows.as_mut(), identity, &self.vault_id, &self.location)?;
        let detail = format!("data key {}", checked.key_id);
        events::record(
            rows.as_mut(),
            Action::RecipientsAccept,
            &[],
            None,
            Some(&detail),
        )?;
        rows.commit()?;
        pin.save()?;
        Ok(checked)
    }

    /// Removes recipients, then rotates the data key and reseals every value
    /// under it, so the removed keys open nothing, old or new. Refuses to
    /// remove every recipient that `identity` matches.
    pub fn remove_recipients(&mut self, identity: &Identity, removed: &[String]) -> Result<()> {
        let mut rows = self.store.write()?;
        let current: Vec<String> = rows.recipients()?.into_iter().map(|k| k.text).collect();
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
        let (old_key, opened_with, _) = trusted::open_key(
            rows.as_mut(),
            identity,
            &self.vault_id,
            &self.location,
            true,
        )?;
        self.opened_with_retired_key |= opened_with == OpenedWith::RetiredKey;
        let new_key = DataKey::generate()?;
        for recipient in removed {
            rows.remove_recipient(recipient)?;
        }
        reseal(
            rows.as_mut(),
            identity,
            &self.vault_id,
            &old_key,
            Some(&new_key),
        )?;
        wrap_key(rows.as_mut(), &new_key, &self.vault_id)?;
        let pin = trusted::commit_state(rows.as_mut(), &new_key, &self.vault_id, &self.location)?;
        events::record(
            rows.as_mut(),
            Action::RecipientsRemove,
            &[],
            None,
            Some(&removed.join(", ")),
        )?;
        rows.commit()?;
        self.scrub();
        pin.save()
    }
}

/// Wraps `key` to the vault's current recipients.
fn wrap_key(rows: &mut dyn Rows, key: &DataKey, vault_id: &str) -> Result<()> {
    let wrapped = key.wrap(&recipients(rows)?, vault_id)?;
    rows.set_wrapped_key(&wrapped)
}

/// Reseals values under the data key: the age-sealed ones always (under
/// `key`, or `new_key` when rotating), and when rotating also those sealed
/// under `key`. One value that fails to open fails all.
fn reseal(
    rows: &mut dyn Rows,
    identity: &Identity,
    vault_id: &str,
    key: &DataKey,
    new_key: Option<&DataKey>,
) -> Result<()> {
    let target = new_key.unwrap_or(key);
    let keys = identity.age_identities();
    for secret in rows.sealed()? {
        let value = match secret.sealing {
            Sealing::Age => {
                crypto::open_with_age(&keys, vault_id, &secret.name, &secret.ciphertext)?
            }
            Sealing::Key if new_key.is_some() => {
                key.open(vault_id, &secret.name, &secret.ciphertext)?
            }
            Sealing::Key => continue,
        };
        let sealed = target.seal(vault_id, &secret.name, &value)?;
        rows.reseal(&secret.id, Sealing::Key, &sealed)?;
    }
    Ok(())
}
