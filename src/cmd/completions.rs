//! `secrets completions SHELL`: print a completion script.
//!
//! clap_complete writes the options and subcommands; for bash, zsh and fish
//! a short addition of ours (`completions/names.*` beside this file)
//! completes secret names too, from `secrets list --names`, which reads the
//! vault's plaintext names and never the identity.

use crate::cli::{Cli, CompletionsArgs};
use anyhow::{Context, Result};
use clap::CommandFactory;
use clap_complete::Shell;

const BASH_NAMES: &str = include_str!("completions/names.bash");
const ZSH_NAMES: &str = include_str!("completions/names.zsh");
const FISH_NAMES: &str = include_str!("completions/names.fish");

/// The line that starts clap's zsh function: renamed, so that `_secrets`
/// (what zsh calls) is ours and falls back to it.
const ZSH_FUNCTION: &str = "\n_secrets() {\n";
/// Where clap's zsh script ends with its own dispatch: ours goes before it.
const ZSH_DISPATCH: &str = "\nif [ \"$funcstack[1]\" = \"_secrets\" ]; then";

impl CompletionsArgs {
    /// Needs no vault or identity, so it does not implement `Run`.
    pub fn print(self) -> Result<()> {
        crate::output::stdout(&script(self.shell)?)
    }
}

/// The whole completion script for `shell`.
fn script(shell: Shell) -> Result<String> {
    let mut bytes = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "secrets", &mut bytes);
    let generated = String::from_utf8(bytes)?;
    Ok(match shell {
        Shell::Bash => generated + BASH_NAMES,
        Shell::Fish => generated + FISH_NAMES,
        Shell::Zsh => with_zsh_names(&generated)?,
        _ => generated,
    })
}

/// clap's zsh script with its function renamed `_secrets_clap` and ours
/// defined before the dispatch.
fn with_zsh_names(generated: &str) -> Result<String> {
    let dispatch = generated
        .find(ZSH_DISPATCH)
        .context("clap's zsh script changed shape: no dispatch at its end")?;
    let (functions, rest) = generated.split_at(dispatch);
    anyhow::ensure!(
        functions.matches(ZSH_FUNCTION).count() == 1,
        "clap's zsh script changed shape: no single _secrets function"
    );
    let renamed = functions.replacen(ZSH_FUNCTION, "\n_secrets_clap() {\n", 1);
    Ok(format!("{renamed}{ZSH_NAMES}{rest}"))
}
