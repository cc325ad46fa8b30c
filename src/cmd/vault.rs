//! `secrets vault copy SOURCE DEST`: a whole vault, as stored, to a new
//! place (`vault::copy` says what moves and what is refused).

use crate::cli::{CopyArgs, VaultAction, VaultArgs};
use crate::output::{self, printable};
use crate::vault::copy;
use crate::vault::location::Location;
use anyhow::Result;

impl VaultArgs {
    /// Runs the `vault` command given. It names its own vaults, so it takes
    /// no `Paths`.
    pub fn run(self) -> Result<()> {
        match self.action {
            VaultAction::Copy(args) => args.run(),
        }
    }
}

impl CopyArgs {
    fn run(self) -> Result<()> {
        let source = Location::parse(self.source)?;
        let destination = Location::parse(self.destination)?;
        let copied = copy::copy(&source, &destination)?;
        let (from, to) = (source.shown(), destination.shown());
        if let Some(replaced) = &copied.replaced {
            output::note(&format!(
                "replaced the empty vault that was at {} ({} and {})",
                printable(&to),
                output::count(replaced.recipients, "recipient"),
                log_entries(replaced.events)
            ));
        }
        output::done(&format!(
            "copied {}, {} and {} from {} to {}",
            output::count(copied.secrets, "secret"),
            output::count(copied.recipients, "recipient"),
            log_entries(copied.events),
            printable(&from),
            printable(&to)
        ));
        Ok(())
    }
}

/// "1 log entry", "2 log entries".
fn log_entries(count: usize) -> String {
    match count {
        1 => "1 log entry".to_owned(),
        n => format!("{n} log entries"),
    }
}
