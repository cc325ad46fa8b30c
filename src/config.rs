//! Where the vault and the identity live: the `--vault`/`--identity` options
//! (or `SECRETS_VAULT`/`SECRETS_IDENTITY`, which clap reads), else the
//! platform's data and config directories.

use anyhow::{Context, Result};
use std::path::PathBuf;

/// The two files every command works with.
#[derive(Debug, Clone)]
pub struct Paths {
    pub vault: PathBuf,
    pub identity: PathBuf,
}

impl Paths {
    /// Fills in the defaults for whatever was not given.
    pub fn resolve(vault: Option<PathBuf>, identity: Option<PathBuf>) -> Result<Paths> {
        let vault = match vault {
            Some(path) => path,
            None => Self::default_vault()?,
        };
        let identity = match identity {
            Some(path) => path,
            None => dirs::config_dir()
                .context("cannot find the config directory (is HOME set?); use --identity PATH")?
                .join("secrets")
                .join("identity.txt"),
        };
        Ok(Paths { vault, identity })
    }

    /// The vault used when neither --vault nor SECRETS_VAULT is given.
    pub fn default_vault() -> Result<PathBuf> {
        Ok(dirs::data_dir()
            .context("cannot find the data directory (is HOME set?); use --vault PATH")?
            .join("secrets")
            .join("vault.db"))
    }
}
