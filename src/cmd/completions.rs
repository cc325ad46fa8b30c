//! `secrets completions SHELL`: print a completion script.

use crate::cli::{Cli, CompletionsArgs};
use anyhow::Result;
use clap::CommandFactory;

impl CompletionsArgs {
    /// Needs no vault or identity, so it does not implement `Run`.
    pub fn print(self) -> Result<()> {
        let mut script = Vec::new();
        clap_complete::generate(self.shell, &mut Cli::command(), "secrets", &mut script);
        crate::output::stdout(&String::from_utf8(script)?)
    }
}
