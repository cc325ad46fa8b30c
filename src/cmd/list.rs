//! `secrets list`: names and metadata, never values; needs no key.

use super::Run;
use crate::cli::ListArgs;
use crate::config::Paths;
use crate::output;
use crate::vault::Vault;
use anyhow::Result;

impl Run for ListArgs {
    fn run(self, paths: &Paths) -> Result<()> {
        let mut secrets = Vault::open_to_read(&paths.vault)?.list()?;
        let (now, limits) = (crate::clock::now_ms(), self.limits.to_limits());
        secrets.retain(|s| {
            (!self.stale || crate::doctor::is_stale(s, limits, now))
                && (!self.unused || crate::doctor::is_unused(s, limits, now))
        });
        if self.json {
            return output::json(&secrets);
        }
        if self.names {
            // Printable names only (an older vault's name is escaped rather
            // than put raw into a shell's completion).
            let names: String = secrets
                .iter()
                .map(|s| format!("{}\n", output::printable(&s.name)))
                .collect();
            return output::stdout(&names);
        }
        if secrets.is_empty() {
            let note = if self.stale || self.unused {
                "no secrets match\n"
            } else {
                "no secrets yet; add one with: secrets create NAME\n"
            };
            return output::stdout(note);
        }
        output::stdout(&output::secrets_table(&secrets))
    }
}
