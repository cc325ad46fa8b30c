//! Renaming a secret: the same row (id, times, description) under a new
//! name. A value is sealed bound to its name, so renaming opens it under the
//! old name and seals it again under the new one, which needs the identity.

use super::crypto::{self, OpenedWith, Sealing};
use super::db::Vault;
use super::events::{self, Action};
use super::identity::Identity;
use super::queries::SecretMeta;
use super::trusted;
use crate::error::Failure;
use crate::name::SecretName;
use crate::value::SecretValue;
use anyhow::{Context, Result};

impl Vault {
    /// Renames the secret matching `old` (any case) to `new`, in one
    /// transaction logged as `rename`. Refuses a `new` that another secret
    /// has in any case; `new` may differ from `old` only in case. The value
    /// ends up sealed under the data key, as `exec` would reseal it.
    pub fn rename(
        &mut self,
        identity: &Identity,
        old: &str,
        new: &SecretName,
    ) -> Result<SecretMeta> {
        let mut rows = self.store.write()?;
        let existing = rows.find(old)?.ok_or_else(|| missing(old))?;
        if let Some(taken) = rows.find(new.as_str())?
            && taken.id != existing.id
        {
            return Err(taken_by(&taken.name).into());
        }
        let (sealing, ciphertext) = rows.sealed_by_id(&existing.id)?;
        let (data_key, opened_with, pin) = trusted::open_key(
            rows.as_mut(),
            identity,
            &self.vault_id,
            &self.location,
            true,
        )?;
        self.opened_with_retired_key |= opened_with == OpenedWith::RetiredKey;
        let value: SecretValue = match sealing {
            Sealing::Age => crypto::open_with_age(
                &identity.age_identities(),
                &self.vault_id,
                &existing.name,
                &ciphertext,
            )?,
            Sealing::Key => data_key.open(&self.vault_id, &existing.name, &ciphertext)?,
        };
        let resealed = data_key.seal(&self.vault_id, new.as_str(), &value)?;
        drop(value);
        rows.rename(&existing.id, new.as_str(), &resealed)?;
        events::record(
            rows.as_mut(),
            Action::Rename,
            &[&existing.name, new.as_str()],
            None,
            None,
        )?;
        let meta = rows
            .find(new.as_str())?
            .context("the renamed secret vanished")?;
        rows.commit()?;
        pin.save()?;
        Ok(meta)
    }
}

/// The refusal of a rename whose old name is not in the vault (exit 3).
pub fn missing(old: &str) -> Failure {
    Failure::not_found(old).with_hint("`secrets list` shows the names in this vault")
}

/// The refusal of a rename to a name another secret has (exit 4).
pub fn taken_by(name: &str) -> Failure {
    Failure::new(
        crate::error::ALREADY_EXISTS,
        format!("secret '{name}' already exists"),
    )
    .with_hint("nothing was renamed; choose another name, or delete that secret first")
}
