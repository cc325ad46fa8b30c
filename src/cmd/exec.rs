//! `secrets exec -- CMD`: run a program with the secrets in its environment.

use super::Run;
use crate::cli::ExecArgs;
use crate::config::Paths;
use crate::exec::{environment, launch};
use crate::output;
use crate::vault::{Identity, Vault};
use anyhow::Result;

impl Run for ExecArgs {
    fn run(self, paths: &Paths) -> Result<()> {
        let mut vault = Vault::open(&paths.vault)?;
        vault.prefer_speed_to_durability()?;
        // Loaded before the vault is locked for writing: unlocking it may
        // mean a prompt, and other writers must not wait on a person.
        let identity = if vault.has_secrets()? {
            Some(Identity::load(&paths.identity)?)
        } else {
            None
        };
        let injections = vault.unseal_for_exec(identity.as_ref(), |all| {
            environment::select(all, &self.only, &self.except)
        })?;
        if injections.is_empty() {
            output::note("no secrets to inject; running the program without any");
        }
        drop(vault);
        let shadowed = environment::shadowed(&injections);
        if !shadowed.is_empty() {
            output::warning(&format!(
                "secrets override inherited variables: {}",
                shadowed.join(", ")
            ));
        }
        let command = launch::command(&self.command, &injections);
        Err(launch::replace_process(command, &self.command[0]).into())
    }
}
