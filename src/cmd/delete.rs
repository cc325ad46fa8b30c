//! `secrets delete NAME...`: remove secrets permanently, all or none.

use super::Run;
use crate::cli::DeleteArgs;
use crate::config::Paths;
use crate::error::Failure;
use crate::output;
use crate::vault::Vault;
use anyhow::{Context, Result};
use std::io::{BufRead, IsTerminal, Write};

impl Run for DeleteArgs {
    fn run(self, paths: &Paths) -> Result<()> {
        let mut vault = Vault::open(&paths.vault)?;
        // Check every name before asking, so the question is about real secrets.
        let mut stored = Vec::with_capacity(self.names.len());
        for name in &self.names {
            let name = vault.get(name)?.name;
            if !stored.contains(&name) {
                stored.push(name);
            }
        }
        if !self.yes && !confirm(&stored)? {
            output::done("nothing deleted");
            return Ok(());
        }
        let deleted = vault.delete(&self.names)?;
        output::done(&match deleted.as_slice() {
            [one] => format!("deleted secret '{one}'"),
            many => format!("deleted {} secrets: {}", many.len(), many.join(", ")),
        });
        Ok(())
    }
}

/// Asks on the terminal; refuses outright when there is no one to ask.
fn confirm(names: &[String]) -> Result<bool> {
    if !std::io::stdin().is_terminal() {
        return Err(Failure::usage(
            "refusing to delete without confirmation: stdin is not a terminal",
        )
        .with_hint("pass --yes to delete without asking")
        .into());
    }
    let mut stderr = std::io::stderr().lock();
    write!(
        stderr,
        "Permanently delete {} ({})? This cannot be undone. [y/N] ",
        if names.len() == 1 {
            "1 secret".to_owned()
        } else {
            format!("{} secrets", names.len())
        },
        crate::output::printable(&names.join(", "))
    )?;
    stderr.flush()?;
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .context("cannot read the answer")?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes"))
}
