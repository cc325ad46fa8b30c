//! The user's age identity file: creating it, protecting it with a
//! passphrase, reading it, and the public key (recipient) it stands for.
//!
//! Unprotected, the file is a standard age identity file; protected, it is
//! that same text encrypted with age's scrypt passphrase mode (armored), as
//! `age -p` writes it. Both are readable by `age -d`. Only commands that
//! decrypt read it; writes use the vault's stored recipients instead.

use crate::error::Failure;
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

/// The keys of an identity file. Holds key material: never derive `Clone`,
/// `Debug` or `Serialize`; the age types zero themselves on drop.
pub struct Identity {
    keys: Vec<age::x25519::Identity>,
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
        let passphrase = passphrase::current(&path.display().to_string())?;
        Ok((
            Self::open_protected(&bytes, &passphrase, path)?,
            Some(passphrase),
        ))
    }

    /// Reads the file at `path` with a passphrase already known (`None` for
    /// an unprotected file): no prompt.
    pub fn load_with(path: &Path, passphrase: Option<&SecretString>) -> Result<Identity> {
        let bytes = read_private(path)?;
        match passphrase {
            Some(passphrase) if is_protected(&bytes) => {
                Self::open_protected(&bytes, passphrase, path)
            }
            _ => parse(&bytes, path),
        }
    }

    fn open_protected(bytes: &[u8], passphrase: &SecretString, path: &Path) -> Result<Identity> {
        let copy = SecretString::from(passphrase.expose_secret().to_owned());
        parse(&unlock(bytes, copy, path)?, path)
    }

    /// A new identity, in memory only.
    pub fn new_random() -> Identity {
        Identity {
            keys: vec![age::x25519::Identity::generate()],
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

    /// The public key that values must be encrypted to for this identity.
    pub fn recipient(&self) -> age::x25519::Recipient {
        self.keys[0].to_public()
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
        Ok(Some(
            identity
                .keys
                .iter()
                .map(|k| k.to_public().to_string())
                .collect(),
        ))
    }

    /// Whether `recipient` (canonical text) is one of this identity's keys.
    pub fn matches(&self, recipient: &str) -> bool {
        self.keys
            .iter()
            .any(|k| k.to_public().to_string() == recipient)
    }

    /// The first key's secret as text (`AGE-SECRET-KEY-1...`): what keys of
    /// this identity's own are derived from (see `crypto::SnapshotKey`).
    pub(super) fn secret_text(&self) -> Option<SecretString> {
        self.keys.first().map(|key| key.to_string())
    }

    /// The keys as age wants them for decryption.
    pub fn age_identities(&self) -> Vec<&dyn age::Identity> {
        self.keys.iter().map(|k| k as &dyn age::Identity).collect()
    }

    /// The file's bytes: the text rage-keygen writes, encrypted if asked.
    fn file_bytes(&self, passphrase: Option<SecretString>) -> Result<Zeroizing<Vec<u8>>> {
        let text = self.text();
        match passphrase {
            None => Ok(Zeroizing::new(text.as_bytes().to_vec())),
            Some(passphrase) => lock(text.as_bytes(), passphrase),
        }
    }

    fn text(&self) -> Zeroizing<String> {
        let created = crate::clock::rfc3339_utc(crate::clock::now_ms());
        let mut text = Zeroizing::new(format!("# created: {created}\n"));
        for key in &self.keys {
            text.push_str(&format!("# public key: {}\n", key.to_public()));
            text.push_str(key.to_string().expose_secret());
            text.push('\n');
        }
        text
    }
}

/// Reads the file after checking it is a regular file, the user's own and
/// private, as ssh does for its keys (`files::open_regular`).
fn read_private(path: &Path) -> Result<Zeroizing<Vec<u8>>> {
    let cannot_read = || format!("cannot read identity {}", path.display());
    let (file, metadata) = match files::open_regular(path) {
        Ok(opened) => opened,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Failure::new(1, format!("no identity at {}", path.display()))
                .with_hint(
                    "the identity decrypts the vault: restore it, or point --identity or SECRETS_IDENTITY at it",
                )
                .into());
        }
        Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => {
            return Err(Failure::new(
                1,
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
            1,
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
            1,
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
            1,
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

/// Decrypts a protected identity file with `passphrase`.
fn unlock(bytes: &[u8], passphrase: SecretString, path: &Path) -> Result<Zeroizing<Vec<u8>>> {
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
    let mut reader = decryptor
        .decrypt(std::iter::once(&identity as &dyn age::Identity))
        .map_err(|e| match e {
            age::DecryptError::ExcessiveWork { .. } => anyhow!(
                "identity {} asks for more scrypt work than allowed (2^{MAX_WORK_FACTOR}); refusing it",
                path.display()
            ),
            age::DecryptError::DecryptionFailed
            | age::DecryptError::KeyDecryptionFailed
            | age::DecryptError::NoMatchingKeys => Failure::new(
                1,
                format!("wrong passphrase for identity {}", path.display()),
            )
            .with_hint("set SECRETS_PASSPHRASE to the right one, or unset it to be asked")
            .into(),
            _ => damaged(),
        })?;
    let mut text = Zeroizing::new(Vec::new());
    reader.read_to_end(&mut text).map_err(|_| damaged())?;
    Ok(text)
}

/// Every non-comment line is one `AGE-SECRET-KEY-1...` key.
fn parse(bytes: &[u8], path: &Path) -> Result<Identity> {
    let unusable = || format!("identity {} is not usable", path.display());
    let text = std::str::from_utf8(bytes)
        .map_err(|_| anyhow!("it is neither text nor an age file"))
        .with_context(unusable)?;
    let mut keys = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        // The parse error never includes the line: it may be a key.
        let key = age::x25519::Identity::from_str(line)
            .map_err(|_| anyhow!("line {} is not an age secret key", index + 1))
            .with_context(unusable)?;
        keys.push(key);
    }
    if keys.is_empty() {
        return Err(anyhow!("it holds no age secret key")).with_context(unusable);
    }
    Ok(Identity { keys })
}
