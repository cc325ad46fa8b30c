//! `secrets list`: names and metadata, never values; needs no key.

use super::Run;
use crate::cli::ListArgs;
use crate::config::Paths;
use crate::output;
use crate::vault::Vault;
use anyhow::Result;

impl Run for ListArgs {
    fn run(self, paths: &Paths) -> Result<()> {
        let secrets = Vault::open(&paths.vault)?.list()?;
        if self.json {
            return output::json(&secrets);
        }
        if secrets.is_empty() {
            return output::stdout("no secrets yet; add one with: secrets create NAME\n");
        }
        output::stdout(&output::secrets_table(&secrets))
    }
}
