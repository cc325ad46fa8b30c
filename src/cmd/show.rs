//! `secrets show NAME`: one secret's metadata, never its value.

use super::Run;
use crate::cli::ShowArgs;
use crate::config::Paths;
use crate::output;
use crate::vault::Vault;
use anyhow::Result;

impl Run for ShowArgs {
    fn run(self, paths: &Paths) -> Result<()> {
        let secret = Vault::open_to_read(&paths.vault)?.get(&self.name)?;
        secret.check_times()?;
        if self.json {
            output::json(&secret)
        } else {
            output::stdout(&output::secret_details(&secret))
        }
    }
}
