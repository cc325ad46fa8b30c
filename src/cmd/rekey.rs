//! `secrets rekey`: move the vault to the identity's current key, after
//! making a new current key when the vault already uses only that one; and
//! `secrets rekey --drop-retired`, which removes retired keys for good.
//!
//! A new key never strands another vault: the identity file keeps the keys
//! it replaced, marked retired, and every command still decrypts with them.
//! The order keeps an identity on disk that opens the vault at every step:
//! 1. the identity is rewritten with a new key first and the old ones marked
//!    retired (written beside, synced, renamed; same passphrase);
//! 2. it is read back and must hold the new key as the current one;
//! 3. the vault is moved to it: the current key becomes a recipient, then
//!    the retired keys stop being recipients, which rotates the data key and
//!    reseals every value.
//!
//! Interrupted after step 1, the vault opens with a retired key and says
//! so; `rekey` on it then does step 3 alone, as it does for every other
//! vault of the user's.

use super::Run;
use crate::cli::RekeyArgs;
use crate::config::Paths;
use crate::error::{FAILED, Failure};
use crate::files;
use crate::output;
use crate::vault::events::Action;
use crate::vault::location::Location;
use crate::vault::{Identity, Vault};
use anyhow::{Context, Result};

impl Run for RekeyArgs {
    fn run(self, paths: &Paths) -> Result<()> {
        if self.drop_retired {
            return drop_retired_keys(paths);
        }
        let mut vault = Vault::open(&paths.vault)?;
        let (identity, passphrase) = Identity::unlock(&paths.identity)?;
        // Before the identity changes: a vault this machine would refuse
        // (recipients or data key not what it verified) is refused now,
        // with the identity as it was.
        vault.verify_trust(&identity)?;
        let recipients = vault.recipient_texts()?;
        let current = identity.recipient().to_string();
        let uses_only_current =
            recipients.contains(&current) && !recipients.iter().any(|r| identity.is_retired(r));
        if !uses_only_current {
            let dropped = move_to_current_key(&mut vault, &identity)?;
            output::done(&format!(
                "moved the vault at {} to your current key {current}{}",
                paths.vault.shown(),
                no_longer_opens(&dropped)
            ));
            return Ok(());
        }
        let rotated = identity.with_new_current_key();
        let new_key = rotated.recipient().to_string();
        files::replace_private_file(
            &paths.identity,
            &rotated.to_file_bytes(passphrase.as_ref())?,
        )?;
        let reread = Identity::load_with(&paths.identity, passphrase.as_ref())?;
        anyhow::ensure!(
            reread.recipient().to_string() == new_key,
            "the new identity {} did not read back with its new key",
            paths.identity.display()
        );
        let dropped = move_to_current_key(&mut vault, &reread).with_context(|| {
            format!(
                "identity {} has a new current key, but the vault still uses the retired one (run `secrets rekey` again to move it)",
                paths.identity.display()
            )
        })?;
        output::done(&format!(
            "rekeyed: new current key {new_key} in identity {}{}",
            paths.identity.display(),
            no_longer_opens(&dropped)
        ));
        output::note(
            "the old key stays in the identity, marked retired, so your other vaults still open: \
             move each with `secrets --vault PATH rekey`, then `secrets rekey --drop-retired` removes it",
        );
        Ok(())
    }
}

/// Makes the identity's current key a recipient of `vault` and removes its
/// retired keys from the recipients (which rotates the data key). Records
/// one `rekey` event. Returns the retired keys removed.
fn move_to_current_key(vault: &mut Vault, identity: &Identity) -> Result<Vec<String>> {
    let current = identity.recipient().to_string();
    vault.add_recipients(identity, std::slice::from_ref(&current))?;
    let retired: Vec<String> = vault
        .recipient_texts()?
        .into_iter()
        .filter(|r| identity.is_retired(r))
        .collect();
    if !retired.is_empty() {
        vault.remove_recipients(identity, &retired)?;
    }
    vault.record_event(Action::Rekey, Some(&current))?;
    Ok(retired)
}

/// The end of a success message: which retired keys no longer open the
/// vault.
fn no_longer_opens(dropped: &[String]) -> String {
    if dropped.is_empty() {
        String::new()
    } else {
        format!(
            "; the retired key {} no longer opens this vault",
            dropped.join(", ")
        )
    }
}

/// Removes the retired keys from the identity, unless a vault that secrets
/// knows of still lists one as a recipient. It cannot know every vault on
/// the machine, and says so.
fn drop_retired_keys(paths: &Paths) -> Result<()> {
    let (identity, passphrase) = Identity::unlock(&paths.identity)?;
    if identity.retired_recipients().is_empty() {
        output::done(&format!(
            "identity {} holds no retired key; nothing changed",
            paths.identity.display()
        ));
        return Ok(());
    }
    let known = known_vaults(paths)?;
    for path in &known {
        refuse_if_still_used(path, &identity)?;
    }
    let (kept, dropped) = identity.without_retired_keys();
    files::replace_private_file(&paths.identity, &kept.to_file_bytes(passphrase.as_ref())?)?;
    for key in &dropped {
        output::done(&format!("dropped retired key {key}"));
    }
    let checked = if known.is_empty() {
        "found no vault to check".to_owned()
    } else {
        let shown: Vec<String> = known.iter().map(Location::shown).collect();
        format!(
            "checked only the vault at {}",
            shown.join(" and the one at ")
        )
    };
    output::warning(&format!(
        "{checked}: secrets cannot know your other vaults; one still encrypted only to a dropped key no longer opens with your identity"
    ));
    Ok(())
}

/// The vaults secrets knows of: the one this command points at and the
/// default one, those that exist.
fn known_vaults(paths: &Paths) -> Result<Vec<Location>> {
    let mut known = vec![paths.vault.clone()];
    let default = Paths::default_vault()?;
    if paths.vault.file() != Some(default.as_path()) {
        known.push(Location::File(default));
    }
    known.retain(Location::exists);
    Ok(known)
}

fn refuse_if_still_used(location: &Location, identity: &Identity) -> Result<()> {
    let mut vault = Vault::open_to_read(location).with_context(|| {
        format!(
            "cannot check the vault at {} for retired keys",
            location.shown()
        )
    })?;
    let still_used: Vec<String> = vault
        .recipient_texts()?
        .into_iter()
        .filter(|r| identity.is_retired(r))
        .collect();
    if still_used.is_empty() {
        return Ok(());
    }
    Err(Failure::new(
        FAILED,
        format!(
            "the vault at {} is still encrypted to the retired key {}; nothing was dropped",
            location.shown(),
            still_used.join(", ")
        ),
    )
    .with_hint(format!(
        "move it to your current key: secrets --vault {} rekey",
        location.shown()
    ))
    .into())
}
