//! The vault: the one API commands use (list, create, update, delete; the
//! rest in `import`, `rename`, `recipients`, `events`, `unseal`), over a
//! store (`store`: a SQLite file or PostgreSQL) that only moves sealed rows.
//!
//! Each write is one transaction of the store. Values arrive here as
//! plaintext only long enough to be sealed by `crypto`.

use super::crypto;
use super::crypto::DataKey;
use super::events;
use super::journal::Unfolded;
use super::location::Location;
use super::queries::SecretMeta;
use super::store::postgres::PgStore;
use super::store::sqlite::{Access, OnWrite, SqliteStore};
use super::store::{NewVault, Store};
use super::trusted;
use crate::clock;
use crate::error::Failure;
use crate::name::SecretName;
use crate::random;
use crate::value::SecretValue;
use anyhow::{Context, Result};
use std::path::Path;

/// A secret to store.
pub struct NewSecret {
    pub name: SecretName,
    pub description: Option<String>,
    pub value: SecretValue,
}

/// An open vault.
pub struct Vault {
    pub(super) store: Store,
    pub(super) location: Location,
    pub(super) vault_id: String,
    /// Set once the data key opened only with a retired key of the identity:
    /// the vault still needs moving to the current key.
    pub(super) opened_with_retired_key: bool,
    /// The usage journal's runs (file vaults), read when the vault was
    /// opened only to read; empty when it was folded (or not read, for
    /// `exec`).
    pub(super) unfolded: Unfolded,
}

impl Vault {
    /// Opens the vault file at `path` with `access` (see
    /// `SqliteStore::connect`); `on_write` is told of every write as it
    /// commits. See `open` for how commands open a vault.
    pub(super) fn connect_file(path: &Path, access: Access, on_write: OnWrite) -> Result<Vault> {
        let store = SqliteStore::connect(path, access, on_write)?;
        Vault::over(Store::Sqlite(store), Location::File(path.to_owned()))
    }

    /// The vault whose rows `store` holds.
    pub(super) fn over(mut store: Store, location: Location) -> Result<Vault> {
        let vault_id = match &mut store {
            Store::Postgres(store) => store.vault_id().to_owned(),
            Store::Sqlite(_) => {
                let mut rows = store.read()?;
                let id = rows.vault_id()?;
                rows.commit()?;
                id
            }
        };
        Ok(Vault {
            store,
            location,
            vault_id,
            opened_with_retired_key: false,
            unfolded: Unfolded::default(),
        })
    }

    /// Creates a vault at `location` encrypting to `recipient`. Returns
    /// `false`, changing nothing, if a vault (or, for a file, anything)
    /// already exists there.
    ///
    /// Its data key is made here, wrapped to `recipient`, with the
    /// commitment to both (`trust`); this machine pins it at once.
    pub fn create(location: &Location, recipient: &str) -> Result<bool> {
        let vault_id = random::vault_id()?;
        let key = DataKey::generate()?;
        let recipients = [recipient.to_owned()];
        let wrapped = key.wrap(&[crypto::parse_recipient(recipient)?], &vault_id)?;
        let new = NewVault {
            vault_id: &vault_id,
            recipient,
            wrapped_key: &wrapped,
            commitment: &key.commitment(&vault_id, &recipients),
        };
        let created = match location {
            Location::File(path) => SqliteStore::create(path, &new)?,
            Location::Postgres(target) => PgStore::create(target, &new)?,
        };
        if created {
            trusted::pin_new(location, &vault_id, &key, recipient)?;
        }
        Ok(created)
    }

    /// Every secret's metadata, sorted by name in any case.
    pub fn list(&mut self) -> Result<Vec<SecretMeta>> {
        let mut rows = self.store.read()?;
        let mut secrets = rows.list()?;
        rows.commit()?;
        for secret in &mut secrets {
            secret.check_times()?;
            self.add_unfolded_use(secret);
        }
        Ok(secrets)
    }

    /// The secret whose name matches `name` in any case.
    pub fn find(&mut self, name: &str) -> Result<Option<SecretMeta>> {
        let mut rows = self.store.read()?;
        let mut found = rows.find(name)?;
        rows.commit()?;
        if let Some(secret) = &mut found {
            self.add_unfolded_use(secret);
        }
        Ok(found)
    }

    /// Counts the runs still in the usage journal in `secret`'s last use.
    fn add_unfolded_use(&self, secret: &mut SecretMeta) {
        secret.last_used_time_ms = self.unfolded.last_use(
            &secret.name,
            secret.create_time_ms,
            secret.last_used_time_ms,
        );
    }

    /// Like `find`, but a missing secret is a `not found` failure with a hint.
    pub fn get(&mut self, name: &str) -> Result<SecretMeta> {
        self.find(name)?.ok_or_else(|| {
            Failure::not_found(name)
                .with_hint("`secrets list` shows the names in this vault")
                .into()
        })
    }

    /// Stores a new secret; refuses a name that exists in any case.
    pub fn insert(&mut self, secret: &NewSecret) -> Result<SecretMeta> {
        let refuse = super::import::Conflict::Refuse;
        self.write(
            std::slice::from_ref(secret),
            refuse,
            false,
            events::Action::Create,
        )?;
        self.find(secret.name.as_str())?
            .context("the new secret vanished")
    }

    /// Replaces the value of the secret matching `name` (any case), and its
    /// description when one is given. Without a value only the description
    /// changes: the update time, which says how old the value is (`stale`),
    /// stays, and the log says `describe`.
    pub fn update(
        &mut self,
        name: &str,
        description: Option<&str>,
        value: Option<&SecretValue>,
    ) -> Result<SecretMeta> {
        let mut rows = self.store.write()?;
        let Some(existing) = rows.find(name)? else {
            return Err(Failure::not_found_to_create(name).into());
        };
        let mut pending_pin = None;
        let action = match value {
            Some(value) => {
                // Sealed under the stored spelling: that is what exec will check.
                let (texts, pin) =
                    trusted::checked_recipients(rows.as_mut(), &self.vault_id, &self.location)?;
                pending_pin = Some(pin);
                let recipients = crypto::parse_recipients(&texts)?;
                let ciphertext =
                    crypto::seal_with_age(&recipients, &self.vault_id, &existing.name, value)?;
                rows.update_value(&existing.id, &ciphertext, clock::now_ms(), description)?;
                events::Action::Update
            }
            None => {
                if let Some(description) = description {
                    rows.set_description(&existing.id, description)?;
                }
                events::Action::Describe
            }
        };
        let meta = rows.find(&existing.name)?.context("the secret vanished")?;
        events::record(rows.as_mut(), action, &[&meta.name], None, None)?;
        rows.commit()?;
        if let Some(pin) = pending_pin {
            pin.save()?;
        }
        Ok(meta)
    }

    /// Deletes every named secret, or none if any is missing. Returns the
    /// stored names.
    pub fn delete(&mut self, names: &[String]) -> Result<Vec<String>> {
        let mut rows = self.store.write()?;
        let mut deleted = Vec::with_capacity(names.len());
        for name in names {
            let Some(existing) = rows.find(name)? else {
                return Err(Failure::not_found(name)
                    .with_hint("nothing was deleted; `secrets list` shows the names")
                    .into());
            };
            if !deleted.contains(&existing.name) {
                rows.delete(&existing.id)?;
                deleted.push(existing.name);
            }
        }
        let names: Vec<&str> = deleted.iter().map(String::as_str).collect();
        events::record(rows.as_mut(), events::Action::Delete, &names, None, None)?;
        rows.commit()?;
        self.scrub();
        Ok(deleted)
    }

    /// Whether a command so far opened the data key only with a retired key
    /// of the identity: the vault should be moved to the current key.
    pub fn opened_with_retired_key(&self) -> bool {
        self.opened_with_retired_key
    }

    /// Where the vault is, as given.
    pub fn location(&self) -> &Location {
        &self.location
    }

    /// Whether the vault holds any secret (so `exec` needs the identity).
    pub fn has_secrets(&mut self) -> Result<bool> {
        let mut rows = self.store.read()?;
        let any = rows.has_secrets()?;
        rows.commit()?;
        Ok(any)
    }

    /// After a write that removed ciphertexts: a file vault's WAL is written
    /// back and emptied, so that `secure_delete` overwrites them.
    pub(super) fn scrub(&self) {
        if let Store::Sqlite(store) = &self.store {
            store.scrub_wal();
        }
    }
}
