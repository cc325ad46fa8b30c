//! `secrets exec -- CMD`: run a program with the secrets in its environment,
//! masking them in its output when that output is read by machines.

use super::Run;
use crate::cli::ExecArgs;
use crate::config::Paths;
use crate::exec::environment::{self, Environment, EnvironmentPlan};
use crate::exec::mask::Masker;
use crate::exec::streams::MaskedStreams;
use crate::exec::{launch, supervise};
use crate::output;
use crate::vault::snapshot::{self, Snapshot};
use crate::vault::{Identity, Unsealed, Vault};
use anyhow::Result;
use std::sync::Arc;

impl Run for ExecArgs {
    fn run(self, paths: &Paths) -> Result<()> {
        let injections = self.decrypt(paths)?;
        if injections.is_empty() {
            output::note("no secrets to inject; running the program without any");
        }
        let plan = EnvironmentPlan {
            clean: self.clean_env,
            pass: &self.pass_env,
            prefix: self.env_prefix.as_deref(),
        };
        let environment = Environment::build(&plan, &injections)?;
        let shadowed = environment.shadowed();
        if !shadowed.is_empty() {
            output::warning(&format!(
                "secrets override inherited variables: {}",
                shadowed.join(", ")
            ));
        }
        let masked = MaskedStreams::for_mode(self.mask);
        let masker = if masked.any() {
            Masker::new(
                injections
                    .iter()
                    .map(|i| (i.name.as_str(), i.value.as_bytes())),
            )
        } else {
            None
        };
        let Some(masker) = masker else {
            let block = environment.to_block();
            drop(environment);
            drop(injections);
            return Err(launch::replace_process(&self.command, &block).into());
        };
        let program = &self.command[0];
        let mut command = launch::command(&self.command);
        environment.apply(&mut command);
        drop(environment);
        drop(injections);
        match supervise::run(command, Arc::new(masker), masked) {
            Ok(status) => supervise::exit_like(status),
            Err(error) => match error.downcast_ref::<std::io::Error>() {
                Some(io) => Err(launch::cannot_run(io, program).into()),
                None => Err(error),
            },
        }
    }
}

impl ExecArgs {
    /// Decrypts the chosen secrets, recording their use: from exec's
    /// snapshot of the vault when it is current, else from the vault.
    fn decrypt(&self, paths: &Paths) -> Result<Vec<Unsealed>> {
        // argv[0] only: arguments can hold secrets.
        let program = self.command[0].to_string_lossy();
        let choose = |names: &[&str]| {
            let chosen = environment::select(names, &self.only, &self.except)?;
            environment::refuse_reserved(names, &chosen, self.env_prefix.as_deref())?;
            Ok(chosen)
        };
        let mut identity = None;
        if let Some(snapshot) = Snapshot::load(&paths.vault)? {
            // A snapshot always holds secrets: the identity is needed.
            let loaded = identity.insert(Identity::load(&paths.identity)?);
            match snapshot.open(loaded) {
                // Current and authentic: its names are the vault's, so an
                // unknown --only name is reported from it as well.
                Some(opened) => return opened.unseal_for_exec(&paths.vault, &program, choose),
                // Damaged, or sealed for another identity: the vault decides.
                None => snapshot::discard(&paths.vault),
            }
        }
        let mut vault = Vault::open_for_exec(&paths.vault)?;
        // Loaded before the vault is locked: unlocking it may mean a prompt,
        // and writers must not wait on a person.
        if identity.is_none() && vault.has_secrets()? {
            identity = Some(Identity::load(&paths.identity)?);
        }
        let unsealed = vault.unseal_for_exec(identity.as_ref(), &program, choose)?;
        super::note_if_opened_with_retired_key(&vault);
        Ok(unsealed)
    }
}
