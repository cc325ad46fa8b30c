//! Trust in a shared vault: whether the recipients and the data key a
//! command is about to use are the ones a member left (a member being
//! whoever holds the data key), and not ones written by whoever can write
//! the vault's storage (a PostgreSQL server's tables, say).
//!
//! The vault stores a commitment: an HMAC, under a key derived from the data
//! key, over the vault id, the key id and the recipients
//! (`DataKey::commitment`); only a member can make one. Each machine keeps
//! a pin per vault location in `pins.json` beside the identity: the vault
//! id, key id and recipients it last verified. Commands that open the data
//! key check the commitment and compare with the pin (`verify_with_key`);
//! commands that seal with the public keys only compare the recipients with
//! the pin (`check_public_only`). The verdict says what the command does.
//!
//! What this stops, once a machine holds a pin: sealing to a recipient that
//! someone without the data key added; resealing under a data key that
//! someone made up (refused until the user accepts it, since a member's
//! `recipients remove` or `rekey` also makes a new key, and only people can
//! tell the two apart); using another vault put at the same location.
//!
//! What it does not stop: whoever writes the storage can still store new
//! age-sealed values with the public keys (a value no member set), put back
//! an older ciphertext under the same name, delete rows, withhold updates,
//! or show different machines different states. A machine trusts what it
//! finds the first time it sees a vault, and a pin written by a command
//! that holds no key has no key id, so the data key is trusted as found the
//! first time the identity opens it there. A removed member still knows the
//! old data key: with the storage's writer they can put back the state from
//! before the removal (recipients, wrapped key, commitment), or the old key
//! under today's recipients. That fools exactly the machines whose pin
//! holds no key id from after the removal: those that have not opened the
//! vault with the identity since. A machine that has refuses the old key as
//! a changed one.
//!
//! Callers seal to the recipients they checked, read in the same
//! transaction as the commitment, never to a second reading.

use super::crypto::{COMMITMENT_LEN, DataKey};
use crate::error::{FAILED, Failure};
use crate::{clock, files, output};
use anyhow::{Context, Result, anyhow};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fs::OpenOptions;
use std::io::Read;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// The pins file's name, in the directory of the default identity.
const PINS_FILE: &str = "pins.json";
/// The pins file's format; a newer one is refused, not rewritten.
const PINS_VERSION: u32 = 1;
/// The largest pins file read: a few hundred bytes per vault.
const MAX_PINS_LEN: u64 = 16 * 1024 * 1024;

/// What the vault says about who may open it, as read from it: nothing here
/// is trusted until checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTrust {
    /// The id the vault gives itself.
    pub vault_id: String,
    /// The recipients' canonical texts, in any order.
    pub recipients: Vec<String>,
    /// `None` for a vault written before commitments existed.
    pub commitment: Option<Vec<u8>>,
}

/// The state of one vault this machine last verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pin {
    /// The id of the vault verified at this location.
    pub vault_id: String,
    /// `None` until a command holding the identity verified the vault here.
    pub key_id: Option<String>,
    /// Canonical texts, sorted, without repeats.
    pub recipients: Vec<String>,
    /// When this state was pinned (milliseconds since the Unix epoch).
    pub verified_time_ms: i64,
}

impl Pin {
    /// A pin of this state, verified now. Commands that hold no key pass
    /// `None` as `key_id`, and write a pin only where there was none.
    /// Whether `other` pins the same vault, key and recipients (whenever
    /// it was verified).
    pub fn same_state(&self, other: &Pin) -> bool {
        self.vault_id == other.vault_id
            && self.key_id == other.key_id
            && self.recipients == other.recipients
    }

    pub fn from_state(vault_id: &str, key_id: Option<&str>, recipients: &[String]) -> Pin {
        Pin {
            vault_id: vault_id.to_owned(),
            key_id: key_id.map(str::to_owned),
            recipients: sorted_set(recipients)
                .into_iter()
                .map(str::to_owned)
                .collect(),
            verified_time_ms: clock::now_ms(),
        }
    }
}

/// Recipients added and removed since the pin, each sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Change {
    /// In the vault, not in the pin.
    pub added: Vec<String>,
    /// In the pin, no longer in the vault.
    pub removed: Vec<String>,
}

impl Change {
    /// From the `pinned` recipients to the `stored` ones.
    pub fn between(pinned: &[String], stored: &[String]) -> Change {
        let (pinned, stored) = (sorted_set(pinned), sorted_set(stored));
        Change {
            added: stored
                .difference(&pinned)
                .map(|r| (*r).to_owned())
                .collect(),
            removed: pinned
                .difference(&stored)
                .map(|r| (*r).to_owned())
                .collect(),
        }
    }

    /// Nothing added or removed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty()
    }

    /// "added a, b; removed c" (public keys only: they may be shown).
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.added.is_empty() {
            parts.push(format!("added {}", self.added.join(", ")));
        }
        if !self.removed.is_empty() {
            parts.push(format!("removed {}", self.removed.join(", ")));
        }
        parts.join("; ")
    }
}

/// Why a vault's state was made by someone who does not hold its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Forgery {
    /// The commitment does not match the recipients under the vault's key
    /// (the change is from the pin; empty without one).
    BadCommitment(Change),
    /// The pinned location now holds a vault of another id.
    OtherVault {
        /// The vault id in the pin.
        pinned: String,
        /// The vault id found there now.
        found: String,
    },
    /// No commitment, and the recipients or the key differ from the pin.
    MissingCommitment { change: Change, key_changed: bool },
}

/// What a command may do with the vault's recipients and data key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// No pin: the first use here; trusted as found, then pinned.
    FirstUse,
    /// As pinned.
    Same,
    /// Recipients changed by a holder of the pinned data key: accepted,
    /// noted once.
    RecipientsChanged(Change),
    /// The data key is not the pinned one: refused until the user accepts.
    KeyChanged(Change),
    /// Recipients changed, and the pin has no key id to tell whether a
    /// member changed them: refused until the user accepts.
    UnprovenChange(Change),
    /// Recipients changed, seen by a command that holds no key: refused
    /// until `secrets recipients verify` checks them.
    Unverified(Change),
    /// Written by someone who does not hold the key: refused.
    Forged(Forgery),
}

/// The verdict for a command that opened the vault's data key `key`.
pub fn verify_with_key(pin: Option<&Pin>, stored: &StoredTrust, key: &DataKey) -> Verdict {
    if let Some(pin) = pin
        && pin.vault_id != stored.vault_id
    {
        return other_vault(pin, &stored.vault_id);
    }
    let change = pin
        .map(|pin| Change::between(&pin.recipients, &stored.recipients))
        .unwrap_or_default();
    if let Some(commitment) = &stored.commitment
        && !key.verify_commitment(&stored.vault_id, &stored.recipients, commitment)
    {
        return Verdict::Forged(Forgery::BadCommitment(change));
    }
    let Some(pin) = pin else {
        return Verdict::FirstUse;
    };
    let pinned_key = pin.key_id.as_deref();
    let key_changed = pinned_key.is_some_and(|id| id != key.key_id(&stored.vault_id));
    if stored.commitment.is_none() && (key_changed || !change.is_empty()) {
        return Verdict::Forged(Forgery::MissingCommitment {
            change,
            key_changed,
        });
    }
    if key_changed {
        Verdict::KeyChanged(change)
    } else if change.is_empty() {
        Verdict::Same
    } else if pinned_key.is_some() {
        Verdict::RecipientsChanged(change)
    } else {
        Verdict::UnprovenChange(change)
    }
}

/// The verdict for a command that seals with the public keys only.
pub fn check_public_only(pin: Option<&Pin>, vault_id: &str, recipients: &[String]) -> Verdict {
    let Some(pin) = pin else {
        return Verdict::FirstUse;
    };
    if pin.vault_id != vault_id {
        return other_vault(pin, vault_id);
    }
    let change = Change::between(&pin.recipients, recipients);
    if change.is_empty() {
        Verdict::Same
    } else {
        Verdict::Unverified(change)
    }
}

fn other_vault(pin: &Pin, found: &str) -> Verdict {
    Verdict::Forged(Forgery::OtherVault {
        pinned: pin.vault_id.clone(),
        found: found.to_owned(),
    })
}

/// The commitment to store after an accepted `verify_with_key` verdict on
/// a vault that has none; `None` when there is nothing to write.
pub fn commitment_to_write(
    stored: &StoredTrust,
    verdict: &Verdict,
    key: &DataKey,
) -> Option<[u8; COMMITMENT_LEN]> {
    (stored.commitment.is_none() && verdict.is_accepted())
        .then(|| key.commitment(&stored.vault_id, &stored.recipients))
}

/// The hint of every refusal a user may overrule after checking.
const ACCEPT_HINT: &str =
    "if your team made this change, check it and run `secrets recipients accept`";

impl Verdict {
    /// Whether the command goes on. Then a command that opened the key
    /// pins what it verified, `Pin::from_state` with the key id; one that
    /// holds no key pins only on `FirstUse`, with none (it never replaces a
    /// pin that has a key id). A command that changes the recipients or the
    /// key pins the state it wrote.
    pub fn is_accepted(&self) -> bool {
        matches!(
            self,
            Verdict::FirstUse | Verdict::Same | Verdict::RecipientsChanged(_)
        )
    }

    /// Refuses with the verdict's failure, or notes an accepted change on
    /// stderr. `location` is the vault's, as pinned.
    pub fn enforce(&self, location: &str) -> Result<()> {
        if let Some(failure) = self.refusal(location) {
            return Err(failure.into());
        }
        if let Some(note) = self.note() {
            output::note(&note);
        }
        Ok(())
    }

    /// What a refused command prints (exit code `FAILED`); `None` when the
    /// verdict is accepted.
    pub fn refusal(&self, location: &str) -> Option<Failure> {
        let (message, hint) = match self {
            Verdict::FirstUse | Verdict::Same | Verdict::RecipientsChanged(_) => return None,
            Verdict::KeyChanged(change) => key_changed(change),
            Verdict::UnprovenChange(change) => unproven(change),
            Verdict::Unverified(change) => unverified(change),
            Verdict::Forged(forgery) => forged(forgery, location),
        };
        Some(Failure::new(FAILED, message).with_hint(hint))
    }

    /// The one-line note of an accepted change, shown once (the pin then
    /// holds the new state); `None` for anything else.
    pub fn note(&self) -> Option<String> {
        let Verdict::RecipientsChanged(change) = self else {
            return None;
        };
        let mut note = format!(
            "the vault's recipients were changed by a holder of its data key since this machine last verified them: {}",
            change.describe()
        );
        if !change.removed.is_empty() {
            note.push_str(" (the data key is the same: the removed keys still open what it seals)");
        }
        Some(note)
    }
}

fn key_changed(change: &Change) -> (String, String) {
    let mut message = "the vault's data key changed since this machine last verified it".to_owned();
    if !change.is_empty() {
        message.push_str(&format!("; recipients {}", change.describe()));
    }
    let hint = format!(
        "nothing was sealed under the new key; a member's `recipients remove` or `rekey` makes a new one, and so can someone forging the vault: {ACCEPT_HINT}"
    );
    (message, hint)
}

fn unproven(change: &Change) -> (String, String) {
    let message = format!(
        "the vault's recipients changed since this machine last saw them, and it never verified the vault's data key, so it cannot tell whether a member changed them: {}",
        change.describe()
    );
    (message, nothing_sealed(change))
}

fn unverified(change: &Change) -> (String, String) {
    let message = format!(
        "the vault's recipients changed since this machine last verified them: {}; nothing was sealed",
        change.describe()
    );
    let hint =
        "`secrets recipients verify` checks with your identity that a member made the change"
            .to_owned();
    (message, hint)
}

fn forged(forgery: &Forgery, location: &str) -> (String, String) {
    match forgery {
        Forgery::OtherVault { pinned, found } => (
            format!(
                "a different vault now lives at {location}: this machine verified vault {pinned} there, it now holds {found}"
            ),
            format!("nothing was read or sealed; {ACCEPT_HINT}"),
        ),
        Forgery::BadCommitment(change) if !change.is_empty() => (
            format!(
                "the vault's recipients were changed by someone who does not hold its key: {}",
                change.describe()
            ),
            nothing_sealed(change),
        ),
        Forgery::BadCommitment(change) => (
            "the vault's recipients and data key do not match their commitment: someone who does not hold the key changed them".to_owned(),
            nothing_sealed(change),
        ),
        Forgery::MissingCommitment { change, key_changed } => {
            (missing_commitment(change, *key_changed), nothing_sealed(change))
        }
    }
}

fn missing_commitment(change: &Change, key_changed: bool) -> String {
    let what = if key_changed {
        "the vault's data key changed since this machine last verified it"
    } else {
        "the vault's recipients changed since this machine last verified them"
    };
    let mut message = format!("{what}, and the vault has no commitment from a holder of its key");
    if !change.is_empty() {
        message.push_str(&format!(": {}", change.describe()));
    }
    message
}

/// The hint of a refused change: what did not happen, and how to accept.
fn nothing_sealed(change: &Change) -> String {
    if change.added.is_empty() {
        format!("nothing was sealed; {ACCEPT_HINT}")
    } else {
        format!("nothing was sealed to them; {ACCEPT_HINT}")
    }
}

/// `recipients` sorted, without repeats.
fn sorted_set(recipients: &[String]) -> BTreeSet<&str> {
    recipients.iter().map(String::as_str).collect()
}

/// Where this machine keeps its pins: `pins.json` in the directory that
/// holds the default identity (`secrets` in the platform's config
/// directory), whichever identity a command uses.
pub fn pins_path() -> Result<PathBuf> {
    Ok(dirs::config_dir()
        .context("cannot find the config directory (is HOME set?)")?
        .join("secrets")
        .join(PINS_FILE))
}

/// The pins file as stored.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PinsFile {
    version: u32,
    vaults: BTreeMap<String, Pin>,
}

/// This machine's pins, by location key (a canonical vault path, or a
/// PostgreSQL location without credentials).
#[derive(Debug)]
pub struct Pins {
    path: PathBuf,
    vaults: BTreeMap<String, Pin>,
    /// Set (or, `None`, removed) since loading: what `save` writes over the
    /// file as it is then.
    changed: BTreeMap<String, Option<Pin>>,
}

impl Pins {
    /// Reads the pins file at `pins_path()`; none yet is no pins.
    pub fn load() -> Result<Pins> {
        Self::load_from(pins_path()?)
    }

    /// Reads the pins file at `path`; none yet is no pins.
    pub fn load_from(path: PathBuf) -> Result<Pins> {
        let vaults = read_pins(&path)?;
        Ok(Pins {
            path,
            vaults,
            changed: BTreeMap::new(),
        })
    }

    /// The pin of the vault at `location`.
    pub fn get(&self, location: &str) -> Option<&Pin> {
        match self.changed.get(location) {
            Some(changed) => changed.as_ref(),
            None => self.vaults.get(location),
        }
    }

    /// Pins the vault at `location` (written by `save`).
    pub fn set(&mut self, location: &str, pin: Pin) {
        self.changed.insert(location.to_owned(), Some(pin));
    }

    /// Removes the pin of `location`, if any (written by `save`): the next
    /// command there trusts what it finds, as on a first use.
    pub fn forget(&mut self, location: &str) {
        self.changed.insert(location.to_owned(), None);
    }

    /// Writes the pins set since loading over the file as it is now (so
    /// that two commands saving at once both keep theirs), atomically: a
    /// new 0600 file renamed over the old one, under a lock file beside it.
    pub fn save(&mut self) -> Result<()> {
        if self.changed.is_empty() {
            return Ok(());
        }
        if let Some(dir) = self.path.parent() {
            files::create_private_dir(dir)?;
        }
        let _lock = lock_pins(&self.path)?;
        let mut vaults = read_pins(&self.path)?;
        for (location, pin) in std::mem::take(&mut self.changed) {
            match pin {
                Some(pin) => vaults.insert(location, pin),
                None => vaults.remove(&location),
            };
        }
        let file = PinsFile {
            version: PINS_VERSION,
            vaults,
        };
        let mut text = serde_json::to_vec_pretty(&file)?;
        text.push(b'\n');
        files::replace_private_file(&self.path, &text)?;
        self.vaults = file.vaults;
        Ok(())
    }
}

/// Takes the lock beside the pins file at `path` (held until dropped).
fn lock_pins(path: &Path) -> Result<std::fs::File> {
    let lock_path = files::beside(path, ".lock");
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).mode(0o600);
    let (file, _) =
        files::open_own_file(&mut options, &lock_path).map_err(|e| not_usable(&lock_path, e))?;
    file.lock()
        .with_context(|| format!("cannot lock {}", lock_path.display()))?;
    Ok(file)
}

/// The pins in the file at `path`: none if it does not exist; refused if it
/// is not ours, others can change it, or it is damaged.
fn read_pins(path: &Path) -> Result<BTreeMap<String, Pin>> {
    let (file, metadata) = match files::open_own_file(OpenOptions::new().read(true), path) {
        Ok(opened) => opened,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => return Err(not_usable(path, e)),
    };
    if metadata.mode() & 0o022 != 0 {
        return Err(Failure::new(
            FAILED,
            format!(
                "refusing to use {}: other users can change it",
                path.display()
            ),
        )
        .with_hint(format!("chmod 600 {}", path.display()))
        .into());
    }
    let mut text = Vec::new();
    file.take(MAX_PINS_LEN + 1)
        .read_to_end(&mut text)
        .with_context(|| format!("cannot read {}", path.display()))?;
    if text.len() as u64 > MAX_PINS_LEN {
        return Err(damaged(path, "it is too large"));
    }
    parse_pins(path, &text)
}

/// The pins in `text`, read from `path`.
fn parse_pins(path: &Path, text: &[u8]) -> Result<BTreeMap<String, Pin>> {
    let file: PinsFile = serde_json::from_slice(text).map_err(|e| damaged(path, &e.to_string()))?;
    if file.version != PINS_VERSION {
        return Err(Failure::new(
            FAILED,
            format!(
                "{} has format {}, which this version of secrets does not know",
                path.display(),
                file.version
            ),
        )
        .with_hint("a newer secrets wrote it: upgrade this one")
        .into());
    }
    Ok(file
        .vaults
        .into_iter()
        .map(|(location, mut pin)| {
            pin.recipients = sorted_set(&pin.recipients)
                .into_iter()
                .map(str::to_owned)
                .collect();
            (location, pin)
        })
        .collect())
}

fn damaged(path: &Path, why: &str) -> anyhow::Error {
    Failure::new(
        FAILED,
        format!("the pins file {} is damaged: {why}", path.display()),
    )
    .with_hint(
        "it holds the vault states this machine verified: move it aside, and each vault is trusted as found on its next use",
    )
    .into()
}

/// The error for the pins file or its lock when it cannot be opened.
fn not_usable(path: &Path, error: std::io::Error) -> anyhow::Error {
    match files::refusal(path, &error) {
        Some(failure) => failure.into(),
        None => anyhow!(error).context(format!("cannot open {}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    const ALICE: &str = "age1alice";
    const BOB: &str = "age1bob";
    const MALLORY: &str = "age1mallory";

    fn texts(keys: &[&str]) -> Vec<String> {
        keys.iter().map(|k| (*k).to_owned()).collect()
    }

    /// The vault as a member left it: committed under `key`.
    fn committed(key: &DataKey, vault_id: &str, recipients: &[&str]) -> StoredTrust {
        let recipients = texts(recipients);
        StoredTrust {
            vault_id: vault_id.to_owned(),
            commitment: Some(key.commitment(vault_id, &recipients).to_vec()),
            recipients,
        }
    }

    fn pin_of(key: Option<&DataKey>, vault_id: &str, recipients: &[&str]) -> Pin {
        let key_id = key.map(|k| k.key_id(vault_id));
        Pin::from_state(vault_id, key_id.as_deref(), &texts(recipients))
    }

    fn change(added: &[&str], removed: &[&str]) -> Change {
        Change {
            added: texts(added),
            removed: texts(removed),
        }
    }

    #[test]
    fn no_pin_is_first_use_with_or_without_a_commitment() {
        let key = DataKey::generate().unwrap();
        let stored = committed(&key, "vlt_a", &[ALICE]);
        assert_eq!(verify_with_key(None, &stored, &key), Verdict::FirstUse);
        let old = StoredTrust {
            commitment: None,
            ..stored
        };
        assert_eq!(verify_with_key(None, &old, &key), Verdict::FirstUse);
    }

    #[test]
    fn a_wrong_commitment_is_forged_even_without_a_pin() {
        let key = DataKey::generate().unwrap();
        let mut stored = committed(&key, "vlt_a", &[ALICE]);
        stored.recipients.push(MALLORY.to_owned());
        assert_eq!(
            verify_with_key(None, &stored, &key),
            Verdict::Forged(Forgery::BadCommitment(Change::default()))
        );
    }

    #[test]
    fn the_pinned_state_in_any_order_is_the_same() {
        let key = DataKey::generate().unwrap();
        let stored = committed(&key, "vlt_a", &[BOB, ALICE]);
        let pin = pin_of(Some(&key), "vlt_a", &[ALICE, BOB]);
        assert_eq!(verify_with_key(Some(&pin), &stored, &key), Verdict::Same);
        let pin = pin_of(None, "vlt_a", &[ALICE, BOB, ALICE]);
        assert_eq!(verify_with_key(Some(&pin), &stored, &key), Verdict::Same);
    }

    #[test]
    fn a_member_adding_a_recipient_is_accepted_and_noted() {
        let key = DataKey::generate().unwrap();
        let pin = pin_of(Some(&key), "vlt_a", &[ALICE]);
        let stored = committed(&key, "vlt_a", &[ALICE, BOB]);
        let verdict = verify_with_key(Some(&pin), &stored, &key);
        assert_eq!(verdict, Verdict::RecipientsChanged(change(&[BOB], &[])));
        assert!(verdict.is_accepted());
        assert!(verdict.refusal("/v").is_none());
        assert!(verdict.note().unwrap().contains(BOB));
    }

    #[test]
    fn a_change_the_pin_cannot_attribute_is_refused() {
        // Pinned by a command holding no key: a member's change and a
        // writer's new key with its own recipient look alike.
        let key = DataKey::generate().unwrap();
        let pin = pin_of(None, "vlt_a", &[ALICE]);
        let stored = committed(&key, "vlt_a", &[ALICE, MALLORY]);
        assert_eq!(
            verify_with_key(Some(&pin), &stored, &key),
            Verdict::UnprovenChange(change(&[MALLORY], &[]))
        );
    }

    #[test]
    fn a_new_data_key_is_refused_with_or_without_new_recipients() {
        let old = DataKey::generate().unwrap();
        let new = DataKey::generate().unwrap();
        let pin = pin_of(Some(&old), "vlt_a", &[ALICE, BOB]);
        let stored = committed(&new, "vlt_a", &[ALICE, BOB]);
        assert_eq!(
            verify_with_key(Some(&pin), &stored, &new),
            Verdict::KeyChanged(Change::default())
        );
        let stored = committed(&new, "vlt_a", &[ALICE, BOB, MALLORY]);
        assert_eq!(
            verify_with_key(Some(&pin), &stored, &new),
            Verdict::KeyChanged(change(&[MALLORY], &[]))
        );
        // A member's `recipients remove`: also a new key, also refused.
        let stored = committed(&new, "vlt_a", &[ALICE]);
        assert_eq!(
            verify_with_key(Some(&pin), &stored, &new),
            Verdict::KeyChanged(change(&[], &[BOB]))
        );
    }

    #[test]
    fn a_recipient_added_without_the_key_is_forged() {
        let key = DataKey::generate().unwrap();
        let pin = pin_of(Some(&key), "vlt_a", &[ALICE]);
        let mut stored = committed(&key, "vlt_a", &[ALICE]);
        stored.recipients.push(MALLORY.to_owned());
        let verdict = verify_with_key(Some(&pin), &stored, &key);
        assert_eq!(
            verdict,
            Verdict::Forged(Forgery::BadCommitment(change(&[MALLORY], &[])))
        );
        let failure = verdict.refusal("/v").unwrap();
        assert_eq!(
            failure.message,
            format!(
                "the vault's recipients were changed by someone who does not hold its key: added {MALLORY}"
            )
        );
    }

    #[test]
    fn a_damaged_commitment_is_forged() {
        let key = DataKey::generate().unwrap();
        let pin = pin_of(Some(&key), "vlt_a", &[ALICE]);
        let mut stored = committed(&key, "vlt_a", &[ALICE]);
        stored.commitment.as_mut().unwrap()[0] ^= 1;
        assert_eq!(
            verify_with_key(Some(&pin), &stored, &key),
            Verdict::Forged(Forgery::BadCommitment(Change::default()))
        );
        stored.commitment = Some(Vec::new());
        assert!(!verify_with_key(Some(&pin), &stored, &key).is_accepted());
    }

    #[test]
    fn another_vault_at_the_pinned_location_is_forged() {
        let key = DataKey::generate().unwrap();
        let pin = pin_of(Some(&key), "vlt_a", &[ALICE]);
        let stored = committed(&key, "vlt_b", &[ALICE]);
        let forged = Verdict::Forged(Forgery::OtherVault {
            pinned: "vlt_a".to_owned(),
            found: "vlt_b".to_owned(),
        });
        assert_eq!(verify_with_key(Some(&pin), &stored, &key), forged);
        assert_eq!(
            check_public_only(Some(&pin), "vlt_b", &texts(&[ALICE])),
            forged
        );
        let failure = forged.refusal("/srv/vault.db").unwrap();
        assert!(
            failure
                .message
                .starts_with("a different vault now lives at /srv/vault.db")
        );
    }

    #[test]
    fn a_vault_without_commitment_must_match_the_pin() {
        let key = DataKey::generate().unwrap();
        let uncommitted = |recipients: &[&str]| StoredTrust {
            vault_id: "vlt_a".to_owned(),
            recipients: texts(recipients),
            commitment: None,
        };
        let pin = pin_of(Some(&key), "vlt_a", &[ALICE]);
        assert_eq!(
            verify_with_key(Some(&pin), &uncommitted(&[ALICE]), &key),
            Verdict::Same
        );
        let unkeyed = pin_of(None, "vlt_a", &[ALICE]);
        assert_eq!(
            verify_with_key(Some(&unkeyed), &uncommitted(&[ALICE]), &key),
            Verdict::Same
        );
        assert_eq!(
            verify_with_key(Some(&pin), &uncommitted(&[ALICE, MALLORY]), &key),
            Verdict::Forged(Forgery::MissingCommitment {
                change: change(&[MALLORY], &[]),
                key_changed: false,
            })
        );
        let other_key = DataKey::generate().unwrap();
        assert_eq!(
            verify_with_key(Some(&pin), &uncommitted(&[ALICE]), &other_key),
            Verdict::Forged(Forgery::MissingCommitment {
                change: Change::default(),
                key_changed: true,
            })
        );
    }

    #[test]
    fn a_commitment_is_written_only_where_missing_and_accepted() {
        let key = DataKey::generate().unwrap();
        let stored = committed(&key, "vlt_a", &[ALICE]);
        assert_eq!(commitment_to_write(&stored, &Verdict::Same, &key), None);
        let old = StoredTrust {
            commitment: None,
            ..stored.clone()
        };
        assert_eq!(
            commitment_to_write(&old, &Verdict::FirstUse, &key).map(|c| c.to_vec()),
            stored.commitment
        );
        let refused = Verdict::KeyChanged(Change::default());
        assert_eq!(commitment_to_write(&old, &refused, &key), None);
    }

    #[test]
    fn a_removed_member_replaying_the_old_state_is_refused_where_the_removal_was_seen() {
        let before = DataKey::generate().unwrap();
        let after = DataKey::generate().unwrap();
        let old_state = committed(&before, "vlt_a", &[ALICE, MALLORY]);
        let saw_removal = pin_of(Some(&after), "vlt_a", &[ALICE]);
        assert_eq!(
            verify_with_key(Some(&saw_removal), &old_state, &before),
            Verdict::KeyChanged(change(&[MALLORY], &[]))
        );
        assert_eq!(
            check_public_only(Some(&saw_removal), "vlt_a", &old_state.recipients),
            Verdict::Unverified(change(&[MALLORY], &[]))
        );
        // The old key under today's recipients: refused too.
        let old_key_now = committed(&before, "vlt_a", &[ALICE]);
        assert_eq!(
            verify_with_key(Some(&saw_removal), &old_key_now, &before),
            Verdict::KeyChanged(Change::default())
        );
        // A machine that never saw the removal is fooled (documented).
        let missed_removal = pin_of(Some(&before), "vlt_a", &[ALICE, MALLORY]);
        assert_eq!(
            verify_with_key(Some(&missed_removal), &old_state, &before),
            Verdict::Same
        );
    }

    #[test]
    fn public_only_checks_compare_with_the_pin() {
        let key = DataKey::generate().unwrap();
        let recipients = texts(&[BOB, ALICE]);
        assert_eq!(
            check_public_only(None, "vlt_a", &recipients),
            Verdict::FirstUse
        );
        let pin = pin_of(None, "vlt_a", &[ALICE, BOB]);
        assert_eq!(
            check_public_only(Some(&pin), "vlt_a", &recipients),
            Verdict::Same
        );
        let pin = pin_of(Some(&key), "vlt_a", &[ALICE]);
        let verdict = check_public_only(Some(&pin), "vlt_a", &recipients);
        assert_eq!(verdict, Verdict::Unverified(change(&[BOB], &[])));
        assert!(!verdict.is_accepted());
        let hint = verdict.refusal("/v").unwrap().hint.unwrap();
        assert!(hint.contains("secrets recipients verify"), "{hint}");
    }

    #[test]
    fn every_refusal_is_one_line_with_a_hint_and_accepted_verdicts_print_nothing_more() {
        let refused = [
            Verdict::KeyChanged(change(&[MALLORY], &[BOB])),
            Verdict::KeyChanged(Change::default()),
            Verdict::UnprovenChange(change(&[MALLORY], &[])),
            Verdict::Unverified(change(&[], &[BOB])),
            Verdict::Forged(Forgery::BadCommitment(change(&[MALLORY], &[]))),
            Verdict::Forged(Forgery::BadCommitment(Change::default())),
            Verdict::Forged(Forgery::OtherVault {
                pinned: "vlt_a".to_owned(),
                found: "vlt_b".to_owned(),
            }),
            Verdict::Forged(Forgery::MissingCommitment {
                change: change(&[MALLORY], &[]),
                key_changed: true,
            }),
            Verdict::Forged(Forgery::MissingCommitment {
                change: Change::default(),
                key_changed: false,
            }),
        ];
        for verdict in refused {
            assert!(!verdict.is_accepted(), "{verdict:?}");
            assert!(verdict.note().is_none(), "{verdict:?}");
            let failure = verdict.refusal("/v").unwrap();
            assert_eq!(failure.code, FAILED);
            let hint = failure.hint.as_deref().unwrap();
            for line in [failure.message.as_str(), hint] {
                assert!(!line.contains('\n') && !line.is_empty(), "{line:?}");
            }
            let error = verdict.enforce("/v").unwrap_err();
            assert!(error.downcast_ref::<Failure>().is_some());
        }
        for verdict in [Verdict::FirstUse, Verdict::Same] {
            assert!(verdict.is_accepted());
            assert!(verdict.refusal("/v").is_none() && verdict.note().is_none());
            verdict.enforce("/v").unwrap();
        }
    }

    #[test]
    fn messages_name_what_changed() {
        let key_changed = Verdict::KeyChanged(change(&[MALLORY], &[BOB]));
        let failure = key_changed.refusal("/v").unwrap();
        assert_eq!(
            failure.message,
            format!(
                "the vault's data key changed since this machine last verified it; recipients added {MALLORY}; removed {BOB}"
            )
        );
        assert!(
            failure
                .hint
                .unwrap()
                .ends_with("run `secrets recipients accept`")
        );
        let removed = Verdict::RecipientsChanged(change(&[], &[BOB]));
        let note = removed.note().unwrap();
        assert!(note.contains(&format!("removed {BOB}")), "{note}");
        assert!(note.contains("still open"), "{note}");
    }

    fn pins_in(dir: &Path) -> PathBuf {
        dir.join("secrets").join(PINS_FILE)
    }

    #[test]
    fn pins_round_trip_in_a_private_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = pins_in(dir.path());
        let mut pins = Pins::load_from(path.clone()).unwrap();
        assert!(pins.get("/v").is_none());
        let pin = Pin::from_state("vlt_a", Some("00ff"), &texts(&[BOB, ALICE, BOB]));
        assert_eq!(pin.recipients, texts(&[ALICE, BOB]));
        pins.set("/v", pin.clone());
        assert_eq!(pins.get("/v"), Some(&pin));
        pins.save().unwrap();
        let loaded = Pins::load_from(path.clone()).unwrap();
        assert_eq!(loaded.get("/v"), Some(&pin));
        assert!(loaded.get("/w").is_none());
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
        assert_eq!(mode(&files::beside(&path, ".lock")), 0o600);
    }

    #[test]
    fn a_pin_without_key_id_is_stored_as_null() {
        let dir = tempfile::tempdir().unwrap();
        let path = pins_in(dir.path());
        let mut pins = Pins::load_from(path.clone()).unwrap();
        pins.set("/v", Pin::from_state("vlt_a", None, &texts(&[ALICE])));
        pins.save().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("\"key_id\": null"), "{text}");
        let loaded = Pins::load_from(path).unwrap();
        assert_eq!(loaded.get("/v").unwrap().key_id, None);
    }

    #[test]
    fn a_forgotten_pin_is_removed_and_the_others_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = pins_in(dir.path());
        let mut pins = Pins::load_from(path.clone()).unwrap();
        pins.set("/a", Pin::from_state("vlt_a", None, &texts(&[ALICE])));
        pins.set("/b", Pin::from_state("vlt_b", None, &texts(&[BOB])));
        pins.save().unwrap();
        let mut pins = Pins::load_from(path.clone()).unwrap();
        pins.forget("/a");
        assert!(pins.get("/a").is_none());
        pins.save().unwrap();
        let loaded = Pins::load_from(path).unwrap();
        assert!(loaded.get("/a").is_none());
        assert_eq!(loaded.get("/b").unwrap().vault_id, "vlt_b");
    }

    #[test]
    fn saving_nothing_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = pins_in(dir.path());
        Pins::load_from(path.clone()).unwrap().save().unwrap();
        assert!(!path.exists());
    }

    #[test]
    fn save_replaces_the_file_whole_and_keeps_what_others_saved() {
        let dir = tempfile::tempdir().unwrap();
        let path = pins_in(dir.path());
        let mut first = Pins::load_from(path.clone()).unwrap();
        let mut second = Pins::load_from(path.clone()).unwrap();
        first.set("/a", Pin::from_state("vlt_a", None, &texts(&[ALICE])));
        first.save().unwrap();
        let inode = std::fs::metadata(&path).unwrap().ino();
        second.set("/b", Pin::from_state("vlt_b", None, &texts(&[BOB])));
        second.save().unwrap();
        // A new file renamed into place, never the old one rewritten.
        assert_ne!(std::fs::metadata(&path).unwrap().ino(), inode);
        let loaded = Pins::load_from(path.clone()).unwrap();
        assert_eq!(loaded.get("/a").unwrap().vault_id, "vlt_a");
        assert_eq!(loaded.get("/b").unwrap().vault_id, "vlt_b");
        let mut names: Vec<String> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["pins.json", "pins.json.lock"]);
    }

    /// The path of a pins file holding `contents`, and the failure loading
    /// it gives.
    fn load_error(contents: &[u8]) -> (String, Failure) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(PINS_FILE);
        std::fs::write(&path, contents).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        let error = Pins::load_from(path.clone()).unwrap_err();
        (
            path.display().to_string(),
            error.downcast::<Failure>().unwrap(),
        )
    }

    #[test]
    fn a_damaged_pins_file_is_a_one_line_error_naming_it() {
        for contents in [
            &b""[..],
            b"{not json",
            b"\xff\xfe\x00garbage",
            b"[]",
            b"{\"version\": 1}",
            b"{\"version\": 1, \"vaults\": {\"/v\": {\"vault_id\": 3}}}",
            b"{\"version\": 1, \"vaults\": {}, \"extra\": true}",
        ] {
            let (path, failure) = load_error(contents);
            assert!(failure.message.contains(&path), "{}", failure.message);
            assert!(failure.message.contains("damaged"), "{}", failure.message);
            assert!(!failure.message.contains('\n'), "{}", failure.message);
            assert!(failure.hint.is_some());
        }
        let (path, failure) = load_error(b"{\"version\": 2, \"vaults\": {}}");
        assert!(failure.message.contains(&path));
        assert!(failure.message.contains("format 2"), "{}", failure.message);
    }

    #[test]
    fn a_pins_file_others_could_change_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(PINS_FILE);
        std::fs::write(&path, b"{\"version\": 1, \"vaults\": {}}").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o620)).unwrap();
        let failure = Pins::load_from(path.clone())
            .unwrap_err()
            .downcast::<Failure>()
            .unwrap();
        assert!(failure.message.contains("other users can change it"));
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(&path, &link).unwrap();
        let failure = Pins::load_from(link)
            .unwrap_err()
            .downcast::<Failure>()
            .unwrap();
        assert!(
            failure.message.contains("symbolic link"),
            "{}",
            failure.message
        );
    }
}
