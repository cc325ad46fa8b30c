//! The user's age identity file: creating it, protecting it with a
//! passphrase, reading it, and the public key (recipient) it stands for.
//!
//! Unprotected, the file is a standard age identity file; protected, it is
//! that same text encrypted with age's scrypt passphrase mode (armored), as
//! `age -p` writes it. Both are readable by `age -d`. Only commands that
//! decrypt read it; writes use the vault's stored recipients instead.
//!
//! The file may hold several keys. The first one not marked retired is the
//! current key: new vaults and `rekey` use it, and exec's snapshot key is
//! derived from it. Keys that `rekey` replaced stay in the file under a
//! `# retired: <time>` comment, so that vaults not yet moved to the current
//! key still open; `rekey --drop-retired` removes them.

use crate::error::{FAILED, Failure};
use crate::{files, passphrase};
use age::secrecy::{ExposeSecret, SecretString};
use anyhow::{Context, Result, anyhow};
use std::io::{Read, Write};
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::str::FromStr;
use zeroize::Zeroizing;

/// scrypt cost when writing: 2^18, about a second and 256 MiB here. Pinned,
/// because age's own calibration is noisy.
const WORK_FACTOR: u8 = 18;
/// The most a file may ask of us when reading: 2^20 (about 1 GiB); a
/// tampered file could otherwise demand many GiB.
const MAX_WORK_FACTOR: u8 = 20;
/// How an armored age file starts.
const ARMOR_START: &[u8] = b"-----BEGIN AGE ENCRYPTED FILE-----";
/// How a binary age file starts.
const BINARY_START: &[u8] = b"age-encryption.org/";
/// The largest identity file read: many keys, or one protected, take a few
/// KiB.
const MAX_FILE_LEN: u64 = 1024 * 1024;

/// The keys of an identity file, the current one first. Holds key
/// material: never derive `Clone`, `Debug` or `Serialize`; the age types
/// zero themselves on drop.
pub struct Identity {
    keys: Vec<Key>,
}

/// One secret key of the file, with what its comments say about it.
struct Key {
    secret: age::x25519::Identity,
    /// The `# created:` time, when the file gives one.
    created: Option<String>,
    /// The `# retired:` time: the key was replaced by `rekey` and is kept
    /// only to open vaults not yet moved to the current key.
    retired: Option<String>,
}

impl Key {
    fn new_now() -> Key {
        Key {
            secret: age::x25519::Identity::generate(),
            created: Some(now_rfc3339()),
            retired: None,
        }
    }

    fn public(&self) -> String {
        self.secret.to_public().to_string()
    }
}

impl Identity {
    /// Reads the identity file at `path`, asking for its passphrase if it
    /// has one. Refuses a file that other users can read or change.
    pub fn load(path: &Path) -> Result<Identity> {
        Ok(Self::unlock(path)?.0)
    }

    /// Like `load`, and also returns the passphrase that unlocked it (for
    /// `rekey`, which protects the new identity the same way).
    pub fn unlock(path: &Path) -> Result<(Identity, Option<SecretString>)> {
        let bytes = read_private(path)?;
        if !is_protected(&bytes) {
            return Ok((parse(&bytes, path)?, None));
        }
        let shown = path.display().to_string();
        let (text, passphrase) = passphrase::unlock(&shown, |passphrase| {
            let copy = SecretString::from(passphrase.expose_secret().to_owned());
            unlock(&bytes, copy, path)
        })?;
        Ok((parse(&text, path)?, Some(passphrase)))
    }

    /// Reads the file at `path` with a passphrase already known (`None` for
    /// an unprotected file): no prompt.
    pub fn load_with(path: &Path, passphrase: Option<&SecretString>) -> Result<Identity> {
        let bytes = read_private(path)?;
        match passphrase {
            Some(passphrase) if is_protected(&bytes) => {
                let copy = SecretString::from(passphrase.expose_secret().to_owned());
                let text = unlock(&bytes, copy, path)?
                    .ok_or_else(|| passphrase::wrong(&path.display().to_string()))?;
                parse(&text, path)
            }
            _ => parse(&bytes, path),
        }
    }

    /// A new identity, in memory only.
    pub fn new_random() -> Identity {
        Identity {
            keys: vec![Key::new_now()],
        }
    }

    /// This identity's file bytes, protected by `passphrase` if given.
    pub fn to_file_bytes(&self, passphrase: Option<&SecretString>) -> Result<Zeroizing<Vec<u8>>> {
        self.file_bytes(passphrase.map(|p| SecretString::from(p.expose_secret().to_owned())))
    }

    /// Whether the identity file at `path` is protected by a passphrase.
    pub fn is_protected(path: &Path) -> Result<bool> {
        Ok(is_protected(&read_private(path)?))
    }

    /// Generates a new identity and writes it to `path`, which must not
    /// exist, protected by `passphrase` if given.
    pub fn generate(path: &Path, passphrase: Option<SecretString>) -> Result<Identity> {
        let identity = Self::new_random();
        files::write_new_private_file(path, &identity.file_bytes(passphrase)?)?;
        Ok(identity)
    }

    /// Replaces the file at `path` with this identity, protected by
    /// `passphrase` if given: written in full beside it, synced, renamed.
    pub fn replace_file(&self, path: &Path, passphrase: Option<SecretString>) -> Result<()> {
        files::replace_private_file(path, &self.file_bytes(passphrase)?)
    }

    /// This identity with a new current key: every key that was current is
    /// marked retired now, and the retired ones stay, so every vault that
    /// opened before still opens.
    pub fn with_new_current_key(mut self) -> Identity {
        let now = now_rfc3339();
        for key in &mut self.keys {
            key.retired.get_or_insert_with(|| now.clone());
        }
        self.keys.insert(0, Key::new_now());
        self
    }

    /// This identity without its retired keys, and their public keys.
    pub fn without_retired_keys(mut self) -> (Identity, Vec<String>) {
        let dropped = self.retired_recipients();
        self.keys.retain(|key| key.retired.is_none());
        (self, dropped)
    }

    /// The public key that new vaults and new recipients use: the current
    /// (newest) key's.
    pub fn recipient(&self) -> age::x25519::Recipient {
        self.keys[0].secret.to_public()
    }

    /// The public keys of the identity file at `path`, read without a
    /// prompt: `None` when the file is protected by a passphrase, as they
    /// are sealed with the rest of it.
    pub fn public_keys_unprompted(path: &Path) -> Result<Option<Vec<String>>> {
        let bytes = read_private(path)?;
        if is_protected(&bytes) {
            return Ok(None);
        }
        let identity = parse(&bytes, path)?;
        Ok(Some(identity.keys.iter().map(Key::public).collect()))
    }

    /// Whether `recipient` (canonical text) is one of this identity's keys,
    /// current or retired.
    pub fn matches(&self, recipient: &str) -> bool {
        self.keys.iter().any(|k| k.public() == recipient)
    }

    /// Whether `recipient` is one of the keys not retired (the current one,
    /// or another the user keeps in the file unmarked).
    pub fn is_active(&self, recipient: &str) -> bool {
        self.keys
            .iter()
            .any(|k| k.retired.is_none() && k.public() == recipient)
    }

    /// Whether `recipient` is one of the retired keys.
    pub fn is_retired(&self, recipient: &str) -> bool {
        self.keys
            .iter()
            .any(|k| k.retired.is_some() && k.public() == recipient)
    }

    /// The retired keys' public keys.
    pub fn retired_recipients(&self) -> Vec<String> {
        self.keys
            .iter()
            .filter(|k| k.retired.is_some())
            .map(Key::public)
            .collect()
    }

    /// The current key's secret as text (`AGE-SECRET-KEY-1...`): what keys
    /// of this identity's own are derived from (see `crypto::SnapshotKey`).
    pub(super) fn secret_text(&self) -> Option<SecretString> {
        self.keys.first().map(|key| key.secret.to_string())
    }

    /// Every key as age wants them for decryption, the active ones first.
    pub fn age_identities(&self) -> Vec<&dyn age::Identity> {
        let mut keys = self.active_identities();
        keys.extend(self.retired_identities());
        keys
    }

    /// The keys not retired, for decryption.
    pub fn active_identities(&self) -> Vec<&dyn age::Identity> {
        self.identities_where(|key| key.retired.is_none())
    }

    /// The retired keys, for decryption.
    pub fn retired_identities(&self) -> Vec<&dyn age::Identity> {
        self.identities_where(|key| key.retired.is_some())
    }

    fn identities_where(&self, keep: impl Fn(&Key) -> bool) -> Vec<&dyn age::Identity> {
        self.keys
            .iter()
            .filter(|key| keep(key))
            .map(|key| &key.secret as &dyn age::Identity)
            .collect()
    }

    /// The file's bytes: the text rage-keygen writes, encrypted if asked.
    fn file_bytes(&self, passphrase: Option<SecretString>) -> Result<Zeroizing<Vec<u8>>> {
        let text = self.text();
        match passphrase {
            None => Ok(Zeroizing::new(text.as_bytes().to_vec())),
            Some(passphrase) => lock(text.as_bytes(), passphrase),
        }
    }

    /// Each key as rage-keygen writes one (`# created:`, `# public key:`,
    /// the secret key), a retired one with a `# retired:` line, a blank line
    /// between keys. age reads every key and skips the comments.
    fn text(&self) -> Zeroizing<String> {
        // Sized up front: a growing string would leave copies of the secret
        // keys behind in freed, unzeroed memory.
        let mut text = Zeroizing::new(String::with_capacity(self.keys.len() * KEY_TEXT_ROOM));
        for (index, key) in self.keys.iter().enumerate() {
            if index > 0 {
                text.push('\n');
            }
            if let Some(created) = &key.created {
                text.push_str(&format!("{CREATED}{created}\n"));
            }
            if let Some(retired) = &key.retired {
                text.push_str(&format!("{RETIRED}{retired}\n"));
            }
            text.push_str(&format!("# public key: {}\n", key.public()));
            text.push_str(key.secret.to_string().expose_secret());
            text.push('\n');
        }
        text
    }
}

/// The comment that dates a key.
const CREATED: &str = "# created: ";
/// More than one key's text takes: its three comment lines (about 150
/// bytes) and the secret key (74).
const KEY_TEXT_ROOM: usize = 384;
/// The comment that marks a key as retired, and since when.
const RETIRED: &str = "# retired: ";

fn now_rfc3339() -> String {
    crate::clock::rfc3339_utc(crate::clock::now_ms())
}

/// Reads the file after checking it is a regular file, the user's own and
/// private, as ssh does for its keys (`files::open_regular`).
fn read_private(path: &Path) -> Result<Zeroizing<Vec<u8>>> {
    let cannot_read = || format!("cannot read identity {}", path.display());
    let (file, metadata) = match files::open_regular(path) {
        Ok(opened) => opened,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Failure::new(FAILED, format!("no identity at {}", path.display()))
                .with_hint(
                    "the identity decrypts the vault: restore it, or point --identity or SECRETS_IDENTITY at it",
                )
                .into());
        }
        Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => {
            return Err(Failure::new(
                FAILED,
                format!(
                    "identity {} is not a regular file; refusing to use it",
                    path.display()
                ),
            )
            .into());
        }
        Err(e) => return Err(e).with_context(cannot_read),
    };
    let uid = files::effective_uid();
    if metadata.uid() != uid {
        return Err(Failure::new(
            FAILED,
            format!(
                "identity {} belongs to another user (uid {}); refusing to use it",
                path.display(),
                metadata.uid()
            ),
        )
        .with_hint(format!(
            "chown {uid} {} && chmod 600 {}",
            path.display(),
            path.display()
        ))
        .into());
    }
    let mode = metadata.mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(Failure::new(
            FAILED,
            format!(
                "identity {} is accessible by other users (mode {mode:04o}); refusing to use it",
                path.display()
            ),
        )
        .with_hint(format!("chmod 600 {}", path.display()))
        .into());
    }
    // Room for the whole file, read through `take`: no second size query,
    // and a file far larger than any identity is not read whole.
    let room = metadata.len().min(MAX_FILE_LEN) as usize + 1;
    let mut bytes = Zeroizing::new(Vec::with_capacity(room));
    file.take(MAX_FILE_LEN + 1)
        .read_to_end(&mut bytes)
        .with_context(cannot_read)?;
    if bytes.len() as u64 > MAX_FILE_LEN {
        return Err(Failure::new(
            FAILED,
            format!(
                "identity {} is too large to be an identity file",
                path.display()
            ),
        )
        .into());
    }
    Ok(bytes)
}

fn is_protected(bytes: &[u8]) -> bool {
    bytes.starts_with(ARMOR_START) || bytes.starts_with(BINARY_START)
}

/// Encrypts the identity text with `passphrase` (scrypt), armored.
fn lock(text: &[u8], passphrase: SecretString) -> Result<Zeroizing<Vec<u8>>> {
    let mut recipient = age::scrypt::Recipient::new(passphrase);
    recipient.set_work_factor(WORK_FACTOR);
    let encryptor =
        age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
            .context("cannot protect the identity")?;
    let mut out = Zeroizing::new(Vec::new());
    let armored =
        age::armor::ArmoredWriter::wrap_output(&mut *out, age::armor::Format::AsciiArmor)?;
    let mut writer = encryptor.wrap_output(armored)?;
    writer.write_all(text)?;
    writer.finish()?.finish()?;
    Ok(out)
}

/// Decrypts a protected identity file with `passphrase`; `None` if the
/// passphrase is wrong.
fn unlock(
    bytes: &[u8],
    passphrase: SecretString,
    path: &Path,
) -> Result<Option<Zeroizing<Vec<u8>>>> {
    let mut identity = age::scrypt::Identity::new(passphrase);
    identity.set_max_work_factor(MAX_WORK_FACTOR);
    let damaged = || {
        anyhow!(
            "identity {} is damaged (not a readable age file)",
            path.display()
        )
    };
    let decryptor = age::Decryptor::new_buffered(age::armor::ArmoredReader::new(bytes))
        .map_err(|_| damaged())?;
    let mut reader = match decryptor.decrypt(std::iter::once(&identity as &dyn age::Identity)) {
        Ok(reader) => reader,
        Err(
            age::DecryptError::DecryptionFailed
            | age::DecryptError::KeyDecryptionFailed
            | age::DecryptError::NoMatchingKeys,
        ) => return Ok(None),
        Err(age::DecryptError::ExcessiveWork { .. }) => {
            return Err(anyhow!(
                "identity {} asks for more scrypt work than allowed (2^{MAX_WORK_FACTOR}); refusing it",
                path.display()
            ));
        }
        Err(_) => return Err(damaged()),
    };
    let mut text = Zeroizing::new(Vec::new());
    reader.read_to_end(&mut text).map_err(|_| damaged())?;
    Ok(Some(text))
}

/// Every non-comment line is one `AGE-SECRET-KEY-1...` key; the
/// `# created:` and `# retired:` comments since the previous key are about
/// it. The keys not retired come first, in the file's order: the first is
/// the current key.
fn parse(bytes: &[u8], path: &Path) -> Result<Identity> {
    let unusable = || format!("identity {} is not usable", path.display());
    let text = std::str::from_utf8(bytes)
        .map_err(|_| anyhow!("it is neither text nor an age file"))
        .with_context(unusable)?;
    let (mut active, mut retired) = (Vec::new(), Vec::new());
    let (mut created, mut retired_at) = (None, None);
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if let Some(time) = line.strip_prefix(CREATED) {
            created = Some(time.trim().to_owned());
        } else if let Some(time) = line.strip_prefix(RETIRED) {
            retired_at = Some(time.trim().to_owned());
        }
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        // The parse error never includes the line: it may be a key.
        let secret = age::x25519::Identity::from_str(line)
            .map_err(|_| anyhow!("line {} is not an age secret key", index + 1))
            .with_context(unusable)?;
        let key = Key {
            secret,
            created: created.take(),
            retired: retired_at.take(),
        };
        if key.retired.is_some() {
            retired.push(key);
        } else {
            active.push(key);
        }
    }
    if active.is_empty() {
        let why = if retired.is_empty() {
            "it holds no age secret key"
        } else {
            "it holds only retired keys (marked `# retired:`)"
        };
        return Err(anyhow!(why)).with_context(unusable);
    }
    active.append(&mut retired);
    Ok(Identity { keys: active })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retired_keys_stay_in_a_standard_age_identity_file() {
        let first = Identity::new_random();
        let first_key = first.recipient().to_string();
        let rotated = first.with_new_current_key();
        let text = rotated.text();
        // age itself reads both keys and skips the comments.
        let file = age::IdentityFile::from_buffer(text.as_bytes()).unwrap();
        assert_eq!(file.into_identities().unwrap().len(), 2);

        let read = parse(text.as_bytes(), Path::new("identity.txt")).unwrap();
        assert_ne!(read.recipient().to_string(), first_key);
        assert!(read.is_retired(&first_key) && !read.is_active(&first_key));
        assert!(read.is_active(&read.recipient().to_string()));
        assert_eq!(read.retired_recipients(), std::slice::from_ref(&first_key));

        let (kept, dropped) = read.without_retired_keys();
        assert_eq!(dropped, std::slice::from_ref(&first_key));
        assert!(!kept.matches(&first_key));
        assert_eq!(kept.keys.len(), 1);
    }

    #[test]
    fn a_file_of_only_retired_keys_is_refused() {
        let mut identity = Identity::new_random();
        identity.keys[0].retired = Some(now_rfc3339());
        let error = parse(identity.text().as_bytes(), Path::new("id"))
            .err()
            .unwrap();
        assert!(format!("{error:#}").contains("only retired keys"));
    }
}
