//! `secrets update NAME`: replace a secret's value (and description).

use super::{Run, check_description};
use crate::cli::UpdateArgs;
use crate::config::Paths;
use crate::error::Failure;
use crate::output;
use crate::value::read_value;
use crate::vault::Vault;
use anyhow::Result;

impl Run for UpdateArgs {
    fn run(self, paths: &Paths) -> Result<()> {
        check_description(self.input.description.as_deref())?;
        let mut vault = Vault::open(&paths.vault)?;
        // Fail on a missing name before asking for a value.
        let Some(existing) = vault.find(&self.name)? else {
            return Err(Failure::not_found(&self.name)
                .with_hint(format!("to add it: secrets create {}", self.name))
                .into());
        };
        let value = read_value(&existing.name, self.input.from_file.as_deref())?;
        let meta = vault.update(&existing.name, self.input.description.as_deref(), &value)?;
        drop(value);
        output::done(&format!("updated secret '{}'", meta.name));
        if self.json {
            output::json(&meta)?;
        }
        Ok(())
    }
}
