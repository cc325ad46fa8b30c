//! `secrets update NAME`: replace a secret's value (and description), or
//! only its description.

use super::{Run, check_description};
use crate::cli::UpdateArgs;
use crate::config::Paths;
use crate::error::Failure;
use crate::output;
use crate::value::{read_value, read_value_if_given};
use crate::vault::Vault;
use anyhow::Result;

impl Run for UpdateArgs {
    fn run(self, paths: &Paths) -> Result<()> {
        check_description(self.input.description.as_deref())?;
        let mut vault = Vault::open(&paths.vault)?;
        // Fail on a missing name before asking for a value.
        let Some(existing) = vault.find(&self.name)? else {
            return Err(Failure::not_found_to_create(&self.name).into());
        };
        let from_file = self.input.from_file.as_deref();
        // With a new description the value is optional: no prompt, and an
        // empty stdin keeps the stored value.
        let value = match self.input.description {
            Some(_) => read_value_if_given(from_file)?,
            None => Some(read_value(&existing.name, from_file)?),
        };
        let description = self.input.description.as_deref();
        let meta = vault.update(&existing.name, description, value.as_ref())?;
        output::done(&match value {
            Some(_) => format!("updated secret '{}'", meta.name),
            None => format!(
                "updated the description of secret '{}' (value unchanged)",
                meta.name
            ),
        });
        drop(value);
        if self.json {
            output::json(&meta)?;
        }
        Ok(())
    }
}
