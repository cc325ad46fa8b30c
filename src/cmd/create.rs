//! `secrets create NAME`: store a new secret.

use super::{Run, check_description};
use crate::cli::CreateArgs;
use crate::config::Paths;
use crate::error::Failure;
use crate::name::SecretName;
use crate::output;
use crate::value::read_value;
use crate::vault::{NewSecret, Vault};
use anyhow::Result;

impl Run for CreateArgs {
    fn run(self, paths: &Paths) -> Result<()> {
        let name = SecretName::parse(&self.name)?;
        check_description(self.input.description.as_deref())?;
        if let Some(upper) = name.conventional_form() {
            output::hint(&format!(
                "secret names are conventionally UPPER_SNAKE_CASE: consider {upper}"
            ));
        }
        // Fail on a taken name before asking for a value nobody will store.
        let mut opened = None;
        if paths.vault.exists() {
            let vault = opened.insert(Vault::open(&paths.vault)?);
            if let Some(existing) = vault.find(name.as_str())? {
                return Err(Failure::already_exists(&existing.name).into());
            }
        }
        let value = read_value(name.as_str(), self.input.from_file.as_deref())?;
        let mut vault = match opened {
            Some(vault) => vault,
            None => super::init::open_or_create(paths)?,
        };
        let secret = NewSecret {
            name,
            description: self.input.description,
            value,
        };
        let meta = vault.insert(&secret)?;
        drop(secret);
        output::done(&format!("created secret '{}'", meta.name));
        if self.json {
            output::json(&meta)?;
        }
        Ok(())
    }
}
