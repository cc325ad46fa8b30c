//! Writing new values, one secret (`create`) or many (`import`), in one
//! transaction: all of them or none.

use super::crypto;
use super::db::{NewSecret, Vault};
use super::events::{self, Action};
use super::queries::SecretMeta;
use super::store::{NewRow, Rows};
use super::trusted;
use crate::clock;
use crate::error::Failure;
use crate::random;
use anyhow::{Result, anyhow};

/// What to do with a name that already exists in the vault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conflict {
    /// Refuse the whole import (exit 4).
    Refuse,
    /// Replace the stored value (and description, if the import has one).
    Overwrite,
    /// Keep the stored secret.
    Skip,
}

/// The names an import creates, updates and skips (stored spelling).
#[derive(Debug, Default)]
pub struct ImportPlan {
    pub created: Vec<String>,
    pub updated: Vec<String>,
    pub skipped: Vec<String>,
}

impl Vault {
    /// Stores `secrets` in one transaction under `conflict`; with `dry_run`
    /// only says what it would do. Any refusal leaves the vault untouched.
    pub fn import(
        &mut self,
        secrets: &[NewSecret],
        conflict: Conflict,
        dry_run: bool,
    ) -> Result<ImportPlan> {
        self.write(secrets, conflict, dry_run, Action::Import)
            .map_err(|error| match error.downcast::<Failure>() {
                Ok(failure) if failure.code == crate::error::ALREADY_EXISTS => failure
                    .with_hint("nothing was imported; pass --overwrite or --skip-existing")
                    .into(),
                Ok(failure) => failure.into(),
                Err(error) => error,
            })
    }

    /// Every write of new values (`create` and `import`): one transaction,
    /// values sealed with age to the recipients (on all cores when many),
    /// the event logged as `action`.
    pub(super) fn write(
        &mut self,
        secrets: &[NewSecret],
        conflict: Conflict,
        dry_run: bool,
        action: Action,
    ) -> Result<ImportPlan> {
        if dry_run {
            // Only reads: the vault may be open read-only.
            let mut rows = self.store.read()?;
            let (plan, _) = plan(rows.as_mut(), secrets, conflict)?;
            rows.commit()?;
            return Ok(plan);
        }
        let mut rows = self.store.write()?;
        let (plan, writes) = plan(rows.as_mut(), secrets, conflict)?;
        let (recipients, pin) =
            trusted::checked_recipients(rows.as_mut(), &self.vault_id, &self.location)?;
        // An update is sealed under the stored spelling: exec checks that one.
        let items: Vec<(&str, &crate::value::SecretValue)> = writes
            .iter()
            .map(|(index, existing)| {
                let secret = &secrets[*index];
                let name = existing
                    .as_ref()
                    .map_or(secret.name.as_str(), |e| e.name.as_str());
                (name, &secret.value)
            })
            .collect();
        let sealed = crypto::seal_many_with_age(&recipients, &self.vault_id, &items)?;
        let now = clock::now_ms();
        for ((index, existing), ciphertext) in writes.iter().zip(sealed) {
            let secret = &secrets[*index];
            let description = secret.description.as_deref();
            match existing {
                None => rows.insert(&NewRow {
                    id: &random::secret_id()?,
                    name: secret.name.as_str(),
                    ciphertext: &ciphertext,
                    description,
                    time_ms: now,
                })?,
                Some(existing) => rows.update_value(&existing.id, &ciphertext, now, description)?,
            }
        }
        let names: Vec<&str> = plan
            .created
            .iter()
            .chain(&plan.updated)
            .map(String::as_str)
            .collect();
        events::record(rows.as_mut(), action, &names, None, None)?;
        rows.commit()
            .map_err(|e| anyhow!("cannot store the import: {e}"))?;
        pin.save()?;
        Ok(plan)
    }
}

/// A row an import writes: the index of its secret, and the stored secret
/// it replaces, if any.
type Write = (usize, Option<SecretMeta>);

/// What importing `secrets` under `conflict` does, read through `rows`.
fn plan(
    rows: &mut dyn Rows,
    secrets: &[NewSecret],
    conflict: Conflict,
) -> Result<(ImportPlan, Vec<Write>)> {
    let mut plan = ImportPlan::default();
    let mut writes = Vec::with_capacity(secrets.len());
    for (index, secret) in secrets.iter().enumerate() {
        let name = secret.name.as_str();
        match (rows.find(name)?, conflict) {
            (None, _) => {
                plan.created.push(name.to_owned());
                writes.push((index, None));
            }
            (Some(existing), Conflict::Refuse) => {
                return Err(Failure::already_exists(&existing.name).into());
            }
            (Some(existing), Conflict::Overwrite) => {
                plan.updated.push(existing.name.clone());
                writes.push((index, Some(existing)));
            }
            (Some(existing), Conflict::Skip) => plan.skipped.push(existing.name),
        }
    }
    Ok((plan, writes))
}
