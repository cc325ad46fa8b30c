//! `secrets recipients list|add|remove`: who can open the vault.

use super::Run;
use crate::cli::{RecipientInput, RecipientsAction, RecipientsArgs};
use crate::config::Paths;
use crate::error::Failure;
use crate::output;
use crate::vault::crypto::parse_recipient_text;
use crate::vault::{Identity, Vault};
use anyhow::{Context, Result};

impl Run for RecipientsArgs {
    fn run(self, paths: &Paths) -> Result<()> {
        let mut vault = Vault::open(&paths.vault)?;
        match self.action {
            RecipientsAction::List => {
                let mut text = String::new();
                for key in vault.recipient_texts()? {
                    text.push_str(&output::printable(&key));
                    text.push('\n');
                }
                output::stdout(&text)
            }
            RecipientsAction::Add(input) => {
                let keys = input.public_keys()?;
                let identity = Identity::load(&paths.identity)?;
                let added = vault.add_recipients(&identity, &keys)?;
                super::note_if_opened_with_retired_key(&vault);
                for key in &keys {
                    let verb = if added.contains(key) {
                        "added"
                    } else {
                        "already a recipient:"
                    };
                    output::done(&format!("{verb} {key}"));
                }
                Ok(())
            }
            RecipientsAction::Remove(input) => {
                let keys = input.public_keys()?;
                let identity = Identity::load(&paths.identity)?;
                vault.remove_recipients(&identity, &keys)?;
                super::note_if_opened_with_retired_key(&vault);
                for key in &keys {
                    output::done(&format!("removed {key}"));
                }
                output::done("the vault has a new data key: the removed keys open nothing in it");
                Ok(())
            }
        }
    }
}

impl RecipientInput {
    /// The keys given, each checked and in canonical form.
    fn public_keys(&self) -> Result<Vec<String>> {
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
                    .map(|(_, text)| text)
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
