//! Where the vault and the identity live: the `--vault`/`--identity` options
//! (or `SECRETS_VAULT`/`SECRETS_IDENTITY`, which clap reads), else the
//! platform's data and config directories.

use crate::vault::location::Location;
use anyhow::{Context, Result};
use std::path::PathBuf;

/// The vault and the identity file every command works with.
pub struct Paths {
    pub vault: Location,
    pub identity: PathBuf,
}

impl Paths {
    /// Fills in the defaults for whatever was not given.
    pub fn resolve(vault: Option<PathBuf>, identity: Option<PathBuf>) -> Result<Paths> {
        let vault = Location::parse(match vault {
            Some(path) => path.into_os_string(),
            None => Self::default_vault()?.into_os_string(),
        })?;
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
