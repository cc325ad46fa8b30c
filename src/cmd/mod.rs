//! One file per subcommand, each implementing [`Run`]. `run` dispatches.

mod completions;
mod create;
mod delete;
mod doctor;
mod exec;
mod import;
mod init;
mod list;
mod log;
mod mcp;
mod passwd;
mod recipients;
mod rekey;
mod rename;
mod requests;
mod show;
mod update;
mod vault;

use crate::cli::{Cli, Command, Lazy};
use crate::config::Paths;
use anyhow::Result;

/// What every subcommand does with its parsed arguments.
pub trait Run {
    fn run(self, paths: &Paths) -> Result<()>;
}

impl<T: Run> Run for Lazy<T> {
    fn run(self, paths: &Paths) -> Result<()> {
        self.0.run(paths)
    }
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    if let Command::Completions(Lazy(args)) = cli.command {
        return args.print();
    }
    // Every other command may read a value, a passphrase or a key (from a
    // prompt, stdin, a file or the vault): none of it may end up in a core
    // file, so no command can dump one from here on.
    crate::memory::disable_core_dumps();
    // Names its own two vaults: neither --vault nor --identity is used.
    if let Command::Vault(args) = cli.command {
        return args.run();
    }
    let paths = Paths::resolve(cli.vault, cli.identity)?;
    let result = match cli.command {
        Command::Init(args) => args.run(&paths),
        Command::Create(args) => args.run(&paths),
        Command::List(args) => args.run(&paths),
        Command::Show(args) => args.run(&paths),
        Command::Update(args) => args.run(&paths),
        Command::Rename(args) => args.run(&paths),
        Command::Delete(args) => args.run(&paths),
        Command::Exec(args) => args.run(&paths),
        Command::Passwd(args) => args.run(&paths),
        Command::Rekey(args) => args.run(&paths),
        Command::Log(args) => args.run(&paths),
        Command::Import(args) => args.run(&paths),
        Command::Doctor(args) => args.run(&paths),
        Command::Recipients(args) => args.run(&paths),
        Command::Mcp(args) => args.run(&paths),
        Command::Requests(args) => args.run(&paths),
        Command::Completions(_) | Command::Vault(_) => unreachable!("handled above"),
    };
    // SQLite's words for a damaged vault become one sentence naming it.
    result.map_err(|error| crate::vault::damage::explain(error, &paths.vault.shown()))
}

/// Tells the user when `vault` opened only with a retired key of their
/// identity, and how to move it to the current key.
fn note_if_opened_with_retired_key(vault: &crate::vault::Vault) {
    if vault.opened_with_retired_key() {
        note_opened_with_retired_key(vault.location());
    }
}

/// Tells the user that the vault at `vault` opened only with a retired key
/// of their identity, and how to move it to the current key.
fn note_opened_with_retired_key(vault: &crate::vault::location::Location) {
    let path = vault.shown();
    crate::output::note(&format!(
        "the vault at {path} opens only with a retired key of your identity"
    ));
    crate::output::hint(&format!(
        "move it to your current key: secrets --vault {path} rekey"
    ));
}

/// Checks a description: stored unencrypted and printed in tables, so it is
/// kept to one reasonable line of printable text.
fn check_description(description: Option<&str>) -> Result<()> {
    const MAX_CHARS: usize = 1024;
    let Some(text) = description else {
        return Ok(());
    };
    if text.chars().count() > MAX_CHARS {
        return Err(crate::error::Failure::usage(format!(
            "the description is longer than {MAX_CHARS} characters"
        ))
        .into());
    }
    if text.chars().any(char::is_control) {
        return Err(crate::error::Failure::usage(
            "the description contains control characters (newlines, tabs, escapes)",
        )
        .into());
    }
    Ok(())
}
