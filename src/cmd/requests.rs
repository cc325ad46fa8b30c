//! `secrets requests`: the secrets agents asked for over MCP
//! (`request_secret`) that this vault does not hold yet, for the person to
//! create with `secrets create`; `--clear` forgets them.

use super::Run;
use crate::cli::RequestsArgs;
use crate::config::Paths;
use crate::mcp::requests::{self, Request};
use crate::output::{self, printable};
use crate::vault::Vault;
use anyhow::Result;
use std::fmt::Write as _;

impl Run for RequestsArgs {
    fn run(self, paths: &Paths) -> Result<()> {
        let file = requests::path(&paths.identity);
        let vault = paths.vault.shown();
        if self.clear {
            requests::retain(&file, |r| r.vault != vault)?;
            output::done("forgot this vault's requests");
            return Ok(());
        }
        let waiting = waiting(paths, requests::read(&file)?)?;
        if self.json {
            return output::json(&waiting);
        }
        if waiting.is_empty() {
            return output::stdout("no requests from agents\n");
        }
        output::stdout(&table(&waiting))?;
        output::hint("create one with: secrets create NAME (then the agent can use it)");
        Ok(())
    }
}

/// This vault's requests whose secret it does not hold yet, oldest first.
fn waiting(paths: &Paths, all: Vec<Request>) -> Result<Vec<Request>> {
    let vault = paths.vault.shown();
    let mut mine: Vec<Request> = all.into_iter().filter(|r| r.vault == vault).collect();
    if mine.is_empty() {
        return Ok(mine);
    }
    let existing = Vault::open_to_read(&paths.vault)?.list()?;
    mine.retain(|r| {
        !existing
            .iter()
            .any(|s| s.name.eq_ignore_ascii_case(&r.name))
    });
    Ok(mine)
}

/// One line per request: when, the name, the agent's reason.
fn table(requests: &[Request]) -> String {
    let now = crate::clock::now_ms();
    let width = requests
        .iter()
        .map(|r| r.name.len())
        .max()
        .unwrap_or(4)
        .max(4);
    let mut text = format!("{:<14}  {:<width$}  REASON\n", "ASKED", "NAME");
    for request in requests {
        let _ = writeln!(
            text,
            "{:<14}  {:<width$}  {}",
            crate::clock::relative(request.time_ms, now),
            printable(&request.name),
            printable(&request.reason)
        );
    }
    text
}
