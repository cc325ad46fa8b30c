//! `secrets rename OLD NEW`: the same secret under a new name.

use super::Run;
use crate::cli::RenameArgs;
use crate::config::Paths;
use crate::name::SecretName;
use crate::output;
use crate::vault::{Identity, Vault, rename};
use anyhow::Result;

impl Run for RenameArgs {
    fn run(self, paths: &Paths) -> Result<()> {
        let new = SecretName::parse(&self.new)?;
        let mut vault = Vault::open(&paths.vault)?;
        // Both names are checked before the identity may ask for its
        // passphrase; `Vault::rename` checks them again under the write lock.
        let old = vault
            .find(&self.old)?
            .ok_or_else(|| rename::missing(&self.old))?;
        if let Some(taken) = vault.find(new.as_str())?
            && taken.id != old.id
        {
            return Err(rename::taken_by(&taken.name).into());
        }
        if old.name == new.as_str() {
            output::done(&format!(
                "secret '{}' already has that name; nothing changed",
                old.name
            ));
            return Ok(());
        }
        let identity = Identity::load(&paths.identity)?;
        let renamed = vault.rename(&identity, &old.name, &new)?;
        super::note_if_opened_with_retired_key(&vault);
        output::done(&format!(
            "renamed secret '{}' to '{}'",
            old.name, renamed.name
        ));
        if let Some(upper) = new.conventional_form() {
            output::hint(&format!(
                "secret names are conventionally UPPER_SNAKE_CASE: consider {upper}"
            ));
        }
        Ok(())
    }
}
