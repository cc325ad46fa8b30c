//! `secrets rekey`: replace the identity with a new one, and the vault's
//! data key with it.
//!
//! The order keeps an identity on disk that opens the vault at every step:
//! 1. the new identity is written beside the old one (same passphrase);
//! 2. the vault is opened to both (the new key becomes a recipient);
//! 3. the old file is kept as `identity.txt.old`, the new one renamed in;
//! 4. the new file is read back and must open the vault;
//! 5. the old key is removed, which rotates the data key and reseals all;
//! 6. `identity.txt.old` is deleted.

use super::Run;
use crate::cli::RekeyArgs;
use crate::config::Paths;
use crate::files;
use crate::output;
use crate::vault::{Identity, Vault};
use anyhow::{Context, Result};
use std::path::PathBuf;

impl Run for RekeyArgs {
    fn run(self, paths: &Paths) -> Result<()> {
        let mut vault = Vault::open(&paths.vault)?;
        let (old, passphrase) = Identity::unlock(&paths.identity)?;
        let old_recipient = old.recipient().to_string();
        let new = Identity::new_random();
        let new_recipient = new.recipient().to_string();
        let staged = files::sibling_temp_path(&paths.identity)?;
        files::write_new_private_file(&staged, &new.to_file_bytes(passphrase.as_ref())?)?;

        let result = (|| -> Result<()> {
            vault.add_recipients(&old, std::slice::from_ref(&new_recipient))?;
            let kept = backup_path(paths);
            let _ = std::fs::remove_file(&kept);
            std::fs::hard_link(&paths.identity, &kept)
                .with_context(|| format!("cannot keep the old identity as {}", kept.display()))?;
            std::fs::rename(&staged, &paths.identity)
                .with_context(|| format!("cannot replace {}", paths.identity.display()))?;
            files::sync_parent(&paths.identity);
            let reread = Identity::load_with(&paths.identity, passphrase.as_ref())?;
            anyhow::ensure!(
                reread.matches(&new_recipient),
                "the new identity did not read back; the old one is kept at {}",
                kept.display()
            );
            vault.remove_recipients(&reread, std::slice::from_ref(&old_recipient))?;
            std::fs::remove_file(&kept)
                .with_context(|| format!("cannot remove {}", kept.display()))?;
            vault.record_event("rekey", Some(&new_recipient))?;
            Ok(())
        })();
        let _ = std::fs::remove_file(&staged);
        result?;
        output::done(&format!(
            "rekeyed: new identity {} (public key {new_recipient}); the old key no longer opens the vault",
            paths.identity.display()
        ));
        Ok(())
    }
}

/// `identity.txt.old` beside the identity.
fn backup_path(paths: &Paths) -> PathBuf {
    let mut name = paths.identity.clone().into_os_string();
    name.push(".old");
    PathBuf::from(name)
}
