//! `secrets recipients list|add|remove`: who can open the vault.

use super::Run;
use crate::cli::{RecipientInput, RecipientsAction, RecipientsArgs};
use crate::config::Paths;
use crate::error::Failure;
use crate::output;
use crate::vault::crypto::parse_recipient_text;
use crate::vault::recipients::PublicKey;
use crate::vault::trusted::Checked;
use crate::vault::{Identity, Vault};
use anyhow::{Context, Result};
use std::path::Path;

impl Run for RecipientsArgs {
    fn run(self, paths: &Paths) -> Result<()> {
        match self.action {
            RecipientsAction::List => {
                list(&mut Vault::open_to_read(&paths.vault)?, &paths.identity)
            }
            RecipientsAction::Add(input) => {
                let mut vault = Vault::open(&paths.vault)?;
                let keys = input.public_keys()?;
                let identity = Identity::load(&paths.identity)?;
                let added = vault.add_public_keys(&identity, &keys)?;
                super::note_if_opened_with_retired_key(&vault);
                for key in &keys {
                    let verb = if added.contains(&key.text) {
                        "added"
                    } else {
                        "already a recipient:"
                    };
                    output::done(&format!("{verb} {}", key.text));
                }
                Ok(())
            }
            RecipientsAction::Remove(input) => {
                let mut vault = Vault::open(&paths.vault)?;
                let keys: Vec<String> = input.public_keys()?.into_iter().map(|k| k.text).collect();
                let identity = Identity::load(&paths.identity)?;
                vault.remove_recipients(&identity, &keys)?;
                super::note_if_opened_with_retired_key(&vault);
                for key in &keys {
                    output::done(&format!("removed {key}"));
                }
                output::done("the vault has a new data key: the removed keys open nothing in it");
                Ok(())
            }
            RecipientsAction::Verify => {
                let mut vault = Vault::open(&paths.vault)?;
                let identity = Identity::load(&paths.identity)?;
                // A change found is noted as it is verified.
                let checked = vault.verify_trust(&identity)?;
                report(&checked, "verified", false)
            }
            RecipientsAction::Accept => {
                let mut vault = Vault::open(&paths.vault)?;
                let identity = Identity::load(&paths.identity)?;
                let checked = vault.accept_trust(&identity)?;
                report(&checked, "accepted", true)
            }
        }
    }
}

/// One line per recipient: the key, its comment if it has one (ssh keys),
/// and `(yours)` on the keys of the user's identity. Which keys are the
/// user's is read from an identity file without a passphrase only: listing
/// asks for none, so with a protected one a note says nothing is marked.
fn list(vault: &mut Vault, identity: &Path) -> Result<()> {
    let keys = vault.recipient_list()?;
    let yours = Identity::public_keys_unprompted(identity);
    let mut text = String::new();
    for key in &keys {
        let mut line = key.text.clone();
        if let Some(comment) = &key.comment {
            line.push_str("  ");
            line.push_str(comment);
        }
        if let Ok(Some(own)) = &yours
            && own.contains(&key.text)
        {
            line.push_str("  (yours)");
        }
        text.push_str(&output::printable(&line));
        text.push('\n');
    }
    output::stdout(&text)?;
    match yours {
        Ok(Some(own)) if !keys.iter().any(|k| own.contains(&k.text)) => {
            output::note(&format!(
                "none of these is the key of your identity {}: it cannot open this vault",
                identity.display()
            ));
            if let Some(current) = own.first() {
                output::hint(&format!(
                    "to let it in, run on a machine that opens the vault: secrets recipients add {current}"
                ));
            }
        }
        Ok(Some(_)) => {}
        Ok(None) => output::note(
            "your identity is protected by a passphrase, which listing does not ask for: \
             your key is not marked",
        ),
        Err(error) => output::note(&format!("{error:#}: your key is not marked")),
    }
    Ok(())
}

/// What `verify` or `accept` now trusts: the recipients on stdout, one per
/// line; with `changes`, what changed since this machine last trusted the
/// vault, on stderr.
fn report(checked: &Checked, verb: &str, changes: bool) -> Result<()> {
    let mut text = String::new();
    for key in &checked.recipients {
        text.push_str(&output::printable(key));
        text.push('\n');
    }
    output::stdout(&text)?;
    if changes && checked.key_changed {
        output::note("the data key is not the one this machine trusted before");
    }
    if let Some(change) = checked.change.as_ref().filter(|c| changes && !c.is_empty()) {
        output::note(&format!(
            "since this machine last trusted the vault: {}",
            output::printable(&change.describe())
        ));
    }
    output::done(&format!(
        "{verb}: {} recipients, data key {}",
        checked.recipients.len(),
        checked.key_id
    ));
    Ok(())
}

impl RecipientInput {
    /// The keys given, each checked and in canonical form, with the comment
    /// that followed an ssh key.
    fn public_keys(&self) -> Result<Vec<PublicKey>> {
        let lines: Vec<String> = match (&self.recipient, &self.file) {
            (Some(one), _) => vec![one.clone()],
            (None, Some(path)) => std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(str::to_owned)
                .collect(),
            (None, None) => Vec::new(),
        };
        if lines.is_empty() {
            return Err(Failure::usage("no public key given").into());
        }
        lines
            .iter()
            .enumerate()
            .map(|(index, line)| {
                parse_recipient_text(line)
                    .map(|(_, text)| PublicKey {
                        comment: ssh_comment(&text, line),
                        text,
                    })
                    .map_err(|why| {
                        let place = match &self.file {
                            Some(path) => format!("{} line {}", path.display(), index + 1),
                            None => "the argument".to_owned(),
                        };
                        Failure::usage(format!("{place}: {why}")).into()
                    })
            })
            .collect()
    }
}

/// The comment after an ssh public key (`ssh-ed25519 AAAA... me@laptop`),
/// which the canonical `text` drops. age keys have none.
fn ssh_comment(text: &str, line: &str) -> Option<String> {
    if !text.starts_with("ssh-") {
        return None;
    }
    let words: Vec<&str> = line.split_whitespace().skip(2).collect();
    (!words.is_empty()).then(|| words.join(" "))
}
