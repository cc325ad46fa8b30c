//! `secrets exec -- CMD`: run a program with the secrets in its environment,
//! masking them in its output when that output is read by machines, and
//! serving it the gateways it was given (`--gateway`).

use super::Run;
use crate::cli::ExecArgs;
use crate::config::Paths;
use crate::exec::environment::{self, Environment, EnvironmentPlan, Renamed, Wanted};
use crate::exec::mask::Masker;
use crate::exec::streams::MaskedStreams;
use crate::exec::{launch, supervise};
use crate::gateway::{self, GatewayUse};
use crate::output;
use crate::vault::location::Location;
use crate::vault::unsealed::StaleCache;
use crate::vault::usage::PendingRun;
use crate::vault::{Chosen, unseal};
use anyhow::Result;
use std::cell::RefCell;
use std::sync::Arc;

impl Run for ExecArgs {
    fn run(self, paths: &Paths) -> Result<()> {
        // argv[0] only: arguments can hold secrets.
        let program = self.command[0].to_string_lossy();
        let renamed = &self.env;
        // A PostgreSQL vault's secrets may come from exec's cache of it,
        // checked as the run is recorded: if it is stale, read them again.
        let (chosen, own_name, pending) = match self.prepare(paths, &program, renamed, false) {
            Err(error) if error.is::<StaleCache>() => {
                self.prepare(paths, &program, renamed, true)?
            }
            prepared => prepared?,
        };
        let injections = &chosen.secrets;
        let gateways =
            match gateway::start_for(&self.gateway, injections, self.gateway_ca.as_deref()) {
                Ok(gateways) => gateways,
                Err(error) => {
                    pending.failed();
                    return Err(error);
                }
            };
        let plan = EnvironmentPlan {
            clean: self.clean_env,
            pass: &self.pass_env,
            prefix: self.env_prefix.as_deref(),
            renamed,
            gateway_variables: gateways.as_ref().map_or(&[], |g| g.variables()),
        };
        let environment = match Environment::build(&plan, injections, &own_name) {
            Ok(environment) => environment,
            Err(error) => {
                pending.failed();
                return Err(error);
            }
        };
        if injections.is_empty() {
            output::note("no secrets to inject; running the program without any");
        }
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
        if masker.is_none() && gateways.is_none() {
            let block = environment.to_block();
            drop(environment);
            drop(chosen);
            let failure = launch::replace_process(&self.command, &block);
            pending.failed();
            return Err(failure.into());
        }
        let mut command = launch::command(&self.command);
        environment.apply(&mut command);
        drop(environment);
        drop(chosen);
        let mut pending = Some(pending);
        let started = || pending.take().map_or((), PendingRun::started);
        let masking = masker.map(|masker| (Arc::new(masker), masked));
        let outcome = supervise::run(command, masking, started);
        let failed_to_start = pending.is_some();
        if let Some(pending) = pending {
            pending.failed();
        }
        if let Some(gateways) = gateways {
            let uses = gateways.stop();
            if !failed_to_start {
                log_gateway_use(&paths.vault, &program, &uses);
            }
        }
        match outcome {
            Ok(status) => supervise::exit_like(status),
            Err(error) => match error.downcast_ref::<std::io::Error>() {
                Some(io) => Err(launch::cannot_run(io, &self.command[0]).into()),
                None => Err(error),
            },
        }
    }
}

/// Logs what the gateways did; a failure is a warning, not the program's
/// outcome (the run itself is already in the log).
fn log_gateway_use(vault: &Location, program: &str, uses: &[GatewayUse]) {
    if let Err(error) = gateway::log_use(vault, program, uses) {
        output::warning(&format!(
            "the gateways' requests were not logged: {error:#}"
        ));
    }
}

impl ExecArgs {
    /// The chosen secrets, and the run recorded: just before the program
    /// starts, so that a run refused before it is not a use (one refused
    /// after it, or a program that cannot start, cancels it). With
    /// `fresh`, a PostgreSQL vault is read without exec's cache. Also says,
    /// for each chosen secret, whether it goes in under its own name
    /// (`environment::choose`).
    fn prepare(
        &self,
        paths: &Paths,
        program: &str,
        renamed: &[Renamed],
        fresh: bool,
    ) -> Result<(Chosen, Vec<bool>, PendingRun)> {
        let (mut chosen, own_name) = self.decrypt(paths, renamed, fresh)?;
        let connected = chosen.connected.take();
        let pending = PendingRun::begin(&paths.vault, program, &chosen, connected)?;
        Ok((chosen, own_name, pending))
    }

    /// Decrypts the chosen secrets (`vault::unseal`: from exec's snapshot
    /// of the vault when it is current, else from the vault).
    fn decrypt(
        &self,
        paths: &Paths,
        renamed: &[Renamed],
        fresh: bool,
    ) -> Result<(Chosen, Vec<bool>)> {
        let own_name = RefCell::new(Vec::new());
        let behind_gateway: Vec<&str> = self.gateway.iter().map(|g| g.secret.as_str()).collect();
        let wanted = Wanted {
            only: &self.only,
            except: &self.except,
            renamed,
            behind_gateway: &behind_gateway,
        };
        let choose = |names: &[&str]| {
            let (chosen, own) =
                environment::choose_injectable(names, &wanted, self.env_prefix.as_deref())?;
            *own_name.borrow_mut() = own;
            Ok(chosen)
        };
        let chosen = unseal::for_exec(&paths.vault, &paths.identity, choose, fresh)?;
        if chosen.opened_with_retired_key {
            super::note_opened_with_retired_key(&paths.vault);
        }
        Ok((chosen, own_name.into_inner()))
    }
}
