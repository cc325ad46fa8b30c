//! Where commands apply `trust`: every command that opens the data key
//! checks the vault's recipients and commitment against this machine's pin
//! first (`open_key`); every command that seals with the public keys only
//! checks the recipients against the pin (`checked_recipients`); every
//! change of the recipients or the key renews the commitment
//! (`commit_state`). The pin is written once the command's transaction has
//! committed (`PinUpdate::save`).

use super::crypto::{DataKey, OpenedWith};
use super::identity::Identity;
use super::location::Location;
use super::queries::recipient_texts;
use super::store::Rows;
use super::trust::{self, Pin, Pins, StoredTrust, Verdict};
use anyhow::{Result, anyhow};

/// A pin to write once the transaction it describes has committed.
#[must_use = "a pin is written only by `save`, after the commit"]
pub struct PinUpdate {
    pins: Option<Pins>,
    location: String,
    pin: Pin,
}

impl PinUpdate {
    /// Writes the pin, unless it is what the pins file holds already.
    pub fn save(self) -> Result<()> {
        let Some(mut pins) = self.pins else {
            return Ok(());
        };
        let pinned = pins.get(&self.location);
        if !pinned.is_some_and(|pinned| pinned.same_state(&self.pin)) {
            pins.set(&self.location, self.pin);
            pins.save()?;
        }
        Ok(())
    }
}

/// The data key opened with `identity`, once the vault's recipients and
/// commitment pass this machine's pin (`trust::verify_with_key`); refused
/// otherwise, before anything is sealed or opened with it. In a `writable`
/// transaction, a vault without a commitment gets one.
pub(super) fn open_key(
    rows: &mut dyn Rows,
    identity: &Identity,
    vault_id: &str,
    location: &Location,
    writable: bool,
) -> Result<(DataKey, OpenedWith, PinUpdate)> {
    let wrapped = rows
        .wrapped_key()?
        .ok_or_else(|| anyhow!("the vault has no data key"))?;
    let (key, opened_with) = DataKey::unwrap(identity, vault_id, &wrapped)?;
    let stored = StoredTrust {
        vault_id: vault_id.to_owned(),
        recipients: recipient_texts(rows)?,
        commitment: rows.commitment()?,
    };
    let pins = Pins::load()?;
    let location_key = location.pin_key();
    let verdict = trust::verify_with_key(pins.get(&location_key), &stored, &key);
    verdict.enforce(&location.shown())?;
    if writable && let Some(commitment) = trust::commitment_to_write(&stored, &verdict, &key) {
        rows.set_commitment(&commitment)?;
    }
    let pin = Pin::from_state(vault_id, Some(&key.key_id(vault_id)), &stored.recipients);
    let update = PinUpdate {
        pins: Some(pins),
        location: location_key,
        pin,
    };
    Ok((key, opened_with, update))
}

/// After a change of the recipients or the key (now `key`): commits to the
/// new state, and pins it.
pub(super) fn commit_state(
    rows: &mut dyn Rows,
    key: &DataKey,
    vault_id: &str,
    location: &Location,
) -> Result<PinUpdate> {
    let recipients = recipient_texts(rows)?;
    rows.set_commitment(&key.commitment(vault_id, &recipients))?;
    Ok(PinUpdate {
        pins: Some(Pins::load()?),
        location: location.pin_key(),
        pin: Pin::from_state(vault_id, Some(&key.key_id(vault_id)), &recipients),
    })
}

/// The recipients to seal new values to, for a command that holds only the
/// public keys, once they pass this machine's pin
/// (`trust::check_public_only`). The first use pins them, with no key id.
pub(super) fn checked_recipients(
    rows: &mut dyn Rows,
    vault_id: &str,
    location: &Location,
) -> Result<(Vec<String>, PinUpdate)> {
    let recipients = recipient_texts(rows)?;
    let pins = Pins::load()?;
    let location_key = location.pin_key();
    let verdict = trust::check_public_only(pins.get(&location_key), vault_id, &recipients);
    verdict.enforce(&location.shown())?;
    let pin = Pin::from_state(vault_id, None, &recipients);
    let update = PinUpdate {
        // Only a first use is pinned: a pin with a key id stays as it is.
        pins: (verdict == Verdict::FirstUse).then_some(pins),
        location: location_key,
        pin,
    };
    Ok((recipients, update))
}

/// Pins a vault just created, with its key: no first use to trust later.
pub(super) fn pin_new(
    location: &Location,
    vault_id: &str,
    key: &DataKey,
    recipient: &str,
) -> Result<()> {
    PinUpdate {
        pins: Some(Pins::load()?),
        location: location.pin_key(),
        pin: Pin::from_state(
            vault_id,
            Some(&key.key_id(vault_id)),
            &[recipient.to_owned()],
        ),
    }
    .save()
}

/// What `secrets recipients verify` or `accept` found: the vault's state as
/// now pinned, and how it differs from the pin before.
pub struct Checked {
    pub recipients: Vec<String>,
    pub key_id: String,
    /// The pinned recipients before, if the vault was pinned.
    pub change: Option<trust::Change>,
    pub key_changed: bool,
}

/// Checks the vault as any command that opens the data key does (a change
/// a member made is accepted and noted), and pins what it verified.
pub(super) fn verify(
    rows: &mut dyn Rows,
    identity: &Identity,
    vault_id: &str,
    location: &Location,
) -> Result<(Checked, PinUpdate)> {
    let before = Pins::load()?.get(&location.pin_key()).cloned();
    let (key, _, pin) = open_key(rows, identity, vault_id, location, true)?;
    Ok((checked(before, vault_id, &key, &pin.pin), pin))
}

/// Trusts the vault as it is now, whatever the pin says: the user checked
/// the change with their team. Only a holder of the data key can: the
/// commitment is made anew under it, so the refusal does not come back.
pub(super) fn accept(
    rows: &mut dyn Rows,
    identity: &Identity,
    vault_id: &str,
    location: &Location,
) -> Result<(Checked, PinUpdate)> {
    let before = Pins::load()?.get(&location.pin_key()).cloned();
    let wrapped = rows
        .wrapped_key()?
        .ok_or_else(|| anyhow!("the vault has no data key"))?;
    let (key, _) = DataKey::unwrap(identity, vault_id, &wrapped)?;
    let pin = commit_state(rows, &key, vault_id, location)?;
    Ok((checked(before, vault_id, &key, &pin.pin), pin))
}

fn checked(before: Option<Pin>, vault_id: &str, key: &DataKey, now: &Pin) -> Checked {
    let key_id = key.key_id(vault_id);
    Checked {
        recipients: now.recipients.clone(),
        change: before
            .as_ref()
            .map(|pin| trust::Change::between(&pin.recipients, &now.recipients)),
        key_changed: before
            .as_ref()
            .is_some_and(|pin| pin.key_id.as_ref().is_some_and(|id| *id != key_id)),
        key_id,
    }
}
