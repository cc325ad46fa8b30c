//! `secrets init`, and the same set-up done implicitly by the first `create`.

use super::Run;
use crate::cli::InitArgs;
use crate::config::Paths;
use crate::output;
use crate::vault::{Identity, Vault};
use anyhow::{Context, Result};

impl Run for InitArgs {
    fn run(self, paths: &Paths) -> Result<()> {
        if paths.vault.exists() {
            // Refuses a foreign file, untouched; a real vault is left as is.
            Vault::open(&paths.vault)?;
            output::stdout(&format!(
                "vault already exists at {}; nothing changed\n",
                paths.vault.display()
            ))?;
            if !paths.identity.exists() {
                output::warning(&format!(
                    "no identity at {}: the vault's values cannot be decrypted without the one it was created for",
                    paths.identity.display()
                ));
            }
            return Ok(());
        }
        let (identity, identity_is_new) = load_or_generate_identity(paths)?;
        let vault_is_new = Vault::create(&paths.vault, &identity.recipient().to_string())?;
        let mut report = String::new();
        report += &describe("identity", &paths.identity, identity_is_new);
        report += &describe("vault", &paths.vault, vault_is_new);
        output::stdout(&report)
    }
}

/// Opens the vault, creating it (and the identity, if none) when missing,
/// with a note on stderr.
pub fn open_or_create(paths: &Paths) -> Result<Vault> {
    if !paths.vault.exists() {
        let (identity, _) = load_or_generate_identity(paths)?;
        if Vault::create(&paths.vault, &identity.recipient().to_string())? {
            output::note(&format!(
                "created a new vault at {} (identity: {})",
                paths.vault.display(),
                paths.identity.display()
            ));
        }
    }
    Vault::open(&paths.vault)
}

fn load_or_generate_identity(paths: &Paths) -> Result<(Identity, bool)> {
    if paths.identity.exists() {
        return Ok((Identity::load(&paths.identity)?, false));
    }
    if let Some(dir) = paths
        .identity
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
    {
        crate::files::create_private_dir(dir)?;
    }
    match Identity::generate(&paths.identity) {
        Ok(identity) => Ok((identity, true)),
        // Another process created it between our check and our write.
        Err(_) if paths.identity.exists() => Ok((Identity::load(&paths.identity)?, false)),
        Err(e) => Err(e).context("cannot create the identity"),
    }
}

fn describe(what: &str, path: &std::path::Path, created: bool) -> String {
    let verb = if created { "created" } else { "using existing" };
    format!("{what}: {} ({verb})\n", path.display())
}
