//! `secrets init`, and the same set-up done implicitly by the first `create`.

use super::Run;
use crate::cli::InitArgs;
use crate::config::Paths;
use crate::error::{FAILED, Failure};
use crate::output;
use crate::passphrase;
use crate::vault::{Identity, Vault};
use age::secrecy::SecretString;
use anyhow::{Context, Result};
use std::path::Path;

impl Run for InitArgs {
    fn run(self, paths: &Paths) -> Result<()> {
        if paths.vault.file().is_some_and(Path::exists) {
            // Refuses a foreign file, untouched; a real vault is left as is.
            Vault::open_to_read(&paths.vault)?;
            let path = paths.vault.shown();
            output::stdout(&format!(
                "vault already exists at {}; nothing changed\n",
                output::printable(&path)
            ))?;
            if self.passphrase {
                output::hint("to protect an existing identity with a passphrase: secrets passwd");
            }
            if !paths.identity.exists() {
                output::warning(&format!(
                    "no identity at {}: the vault's values cannot be decrypted without the one it was created for",
                    paths.identity.display()
                ));
            }
            return Ok(());
        }
        if self.passphrase && paths.identity.exists() {
            output::hint("the identity exists: `secrets passwd` changes its passphrase");
        }
        let new_passphrase = if self.passphrase && !paths.identity.exists() {
            Some(passphrase::new(passphrase::PASSPHRASE_VAR)?)
        } else {
            None
        };
        let (identity, identity_is_new) = load_or_generate_identity(paths, new_passphrase)?;
        let vault_is_new = Vault::create(&paths.vault, &identity.recipient().to_string())?;
        if !vault_is_new {
            // One there already (a team's, in PostgreSQL) is checked as an
            // existing file is above: a newer or damaged vault is refused.
            Vault::open_to_read(&paths.vault)?;
        }
        let mut report = String::new();
        report += &describe(
            "identity",
            &paths.identity.display().to_string(),
            identity_is_new,
        );
        report += &describe("vault", &paths.vault.shown(), vault_is_new);
        output::stdout(&report)
    }
}

/// Opens the vault, creating it (and the identity, if none) when missing,
/// with a note on stderr.
pub fn open_or_create(paths: &Paths) -> Result<Vault> {
    if !paths.vault.exists() {
        // Writes never ask for a passphrase; a protected identity's public
        // key is only in the vault, so `init` makes the vault first.
        if paths.identity.exists() && Identity::is_protected(&paths.identity)? {
            return Err(Failure::new(FAILED, format!("no vault at {}", paths.vault.shown()))
                .with_hint("the identity is protected by a passphrase: run `secrets init` once to create the vault")
                .into());
        }
        let (identity, _) = load_or_generate_identity(paths, None)?;
        if Vault::create(&paths.vault, &identity.recipient().to_string())? {
            output::note(&format!(
                "created a new vault at {} (identity: {})",
                paths.vault.shown(),
                paths.identity.display()
            ));
        }
    }
    Vault::open(&paths.vault)
}

fn load_or_generate_identity(
    paths: &Paths,
    passphrase: Option<SecretString>,
) -> Result<(Identity, bool)> {
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
    match Identity::generate(&paths.identity, passphrase) {
        Ok(identity) => Ok((identity, true)),
        // Another process created it between our check and our write.
        Err(_) if paths.identity.exists() => Ok((Identity::load(&paths.identity)?, false)),
        Err(e) => Err(e).context("cannot create the identity"),
    }
}

fn describe(what: &str, place: &str, created: bool) -> String {
    let verb = if created { "created" } else { "using existing" };
    format!("{what}: {} ({verb})\n", output::printable(place))
}
