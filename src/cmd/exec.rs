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
        let chosen = environment::select(vault.sealed_secrets()?, &self.only, &self.except)?;
        let injections = if chosen.is_empty() {
            output::note("no secrets to inject; running the program without any");
            Vec::new()
        } else {
            let identity = Identity::load(&paths.identity)?;
            environment::decrypt(&vault, &identity, &chosen)?
        };
        let ids: Vec<&str> = chosen.iter().map(|s| s.id.as_str()).collect();
        if !ids.is_empty() {
            vault.mark_used(&ids)?;
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
