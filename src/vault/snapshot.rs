//! `exec`'s copy of what it reads from the vault, kept beside it as
//! `vault.db-exec`: the vault id and every secret's name and value, sealed
//! as one message with XChaCha20-Poly1305 under a key derived from the
//! identity (`crypto::SnapshotKey`). An `exec` of an unchanged vault reads
//! this one file instead of opening SQLite (schema, locks, page reads: about
//! half a millisecond, and about a millisecond per thousand secrets), and
//! opens one message instead of the data key (an age decryption) and then
//! each value (about 2 us apiece).
//!
//! Only a copy, never trusted over the vault (`unseal` decides when it is
//! read and written; this module only knows the file):
//! - `exec` writes it from inside its read transaction, stamped with the
//!   vault file's state: SQLite's change counter (which every committed write
//!   bumps) and the file's device, inode, size and modification time; the
//!   stamp, vault id and count are the sealed message's associated data;
//! - it is used only while the vault file carries exactly that stamp;
//! - every write removes it as it commits (`open` registers that with the
//!   storage); anything wrong with it (missing, stale, damaged, sealed for
//!   another identity or vault) sends `exec` to the vault, which decides.
//!
//! The format: `MAGIC`, the stamp, the vault id, the number of secrets
//! (never 0: an empty vault gets no snapshot), then the nonce and the sealed
//! message: each name and
//! value, every field a little-endian u32 length and its bytes.

use super::crypto::{self, SnapshotKey};
use super::header::Stamp;
use super::identity::Identity;
use super::unsealed::Unsealed;
use crate::files;
use crate::value::SecretValue;
use anyhow::Result;
use std::fs::OpenOptions;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// Starts the file; a later format gets a new one.
const MAGIC: &[u8] = b"secrets exec snapshot v2\n";

/// The snapshot file of the vault at `vault`.
pub fn path(vault: &Path) -> PathBuf {
    files::beside(vault, "-exec")
}

/// A snapshot read from its file, still sealed.
pub struct Snapshot {
    vault_id: String,
    count: u32,
    /// The whole file: up to `sealed_at`, the associated data; from there,
    /// the sealed message.
    bytes: Vec<u8>,
    sealed_at: usize,
}

impl Snapshot {
    /// The snapshot of the vault at `vault`, if there is one and it was
    /// taken of the vault file in its `current` state. Something other
    /// than our own regular file in its place (a symbolic link, a FIFO,
    /// another user's file) is refused: the command stops and names it.
    pub fn load(vault: &Path, current: Stamp) -> Result<Option<Snapshot>> {
        let loaded = Snapshot::load_file(&path(vault))?;
        Ok(loaded.and_then(|(stamp, snapshot)| (stamp == current).then_some(snapshot)))
    }

    /// The snapshot in the file at `path`, with the stamp it was taken at.
    pub fn load_file(path: &Path) -> Result<Option<(Stamp, Snapshot)>> {
        let (file, metadata) = match files::open_own_file(OpenOptions::new().read(true), path) {
            Ok(opened) => opened,
            Err(e) => match files::refusal(path, &e) {
                Some(refusal) => return Err(refusal.into()),
                None => return Ok(None),
            },
        };
        let mut bytes = Vec::with_capacity(metadata.len() as usize + 1);
        if file
            .take(metadata.len() + 1)
            .read_to_end(&mut bytes)
            .is_err()
        {
            return Ok(None);
        }
        Ok(parse(bytes))
    }

    /// The id of the vault it was taken of.
    pub fn vault_id(&self) -> &str {
        &self.vault_id
    }

    /// Every secret in the snapshot (the vault's own, as of its stamp),
    /// opened with `identity`'s snapshot key; `None` if it does not open.
    pub fn open(&self, identity: &Identity) -> Option<Vec<Unsealed>> {
        let key = SnapshotKey::derive(identity, &self.vault_id).ok()?;
        let (associated, sealed) = self.bytes.split_at(self.sealed_at);
        let plain = key.open(associated, sealed)?;
        entries(&plain, self.count)
    }
}

/// Writes the snapshot of the vault at `vault` in state `stamp`, holding
/// `secrets` (every secret of the vault), sealed for `identity`. Best
/// effort, and not synced: a snapshot lost or cut short is never used.
///
/// An empty vault gets none: nothing could authenticate it without the
/// identity, which an empty vault's exec does not need, and a forged "no
/// secrets" copy would run the program without them.
pub(super) fn store(
    target: &Path,
    stamp: Stamp,
    vault_id: &str,
    identity: &Identity,
    secrets: &[(&str, &SecretValue)],
) {
    let Ok(count) = u32::try_from(secrets.len()) else {
        return;
    };
    if count == 0 {
        return;
    }
    let mut bytes = Vec::with_capacity(256);
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&stamp.counter.to_le_bytes());
    for field in [stamp.dev, stamp.ino, stamp.size] {
        bytes.extend_from_slice(&field.to_le_bytes());
    }
    for field in [stamp.mtime_sec, stamp.mtime_nsec] {
        bytes.extend_from_slice(&field.to_le_bytes());
    }
    put(&mut bytes, vault_id.as_bytes());
    bytes.extend_from_slice(&count.to_le_bytes());
    let Some(sealed) = seal(identity, vault_id, &bytes, secrets) else {
        return;
    };
    bytes.extend_from_slice(&sealed);
    if let Some(dir) = target.parent().filter(|d| !d.exists())
        && files::create_private_dir(dir).is_err()
    {
        return;
    }
    let Ok(temp) = files::sibling_temp_path(target) else {
        return;
    };
    let written = files::create_private_file(&temp).and_then(|mut f| f.write_all(&bytes));
    if written.is_err() || std::fs::rename(&temp, target).is_err() {
        let _ = std::fs::remove_file(&temp);
    }
}

/// The names and values of `secrets` as one message sealed for `identity`,
/// bound to `associated` (the file's bytes before it).
fn seal(
    identity: &Identity,
    vault_id: &str,
    associated: &[u8],
    secrets: &[(&str, &SecretValue)],
) -> Option<Vec<u8>> {
    let len = secrets
        .iter()
        .map(|(name, value)| 8 + name.len() + value.as_bytes().len())
        .sum();
    let mut plain = crypto::plaintext_buffer(len);
    for (name, value) in secrets {
        put(&mut plain, name.as_bytes());
        put(&mut plain, value.as_bytes());
    }
    let key = SnapshotKey::derive(identity, vault_id).ok()?;
    key.seal(associated, plain).ok()
}

/// Removes the snapshot of the vault at `vault`, if any (before a write).
pub fn discard(vault: &Path) {
    let _ = std::fs::remove_file(path(vault));
}

/// Where `exec` keeps its snapshot of the PostgreSQL vault at
/// `location_key` (see `Location::pin_key`): this user's cache directory,
/// under a name derived from the location (which holds no credentials).
/// Checked against the vault's version counter instead of a file's stamp.
pub fn cache_path(location_key: &str) -> Option<PathBuf> {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(location_key.as_bytes());
    let name: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    Some(
        dirs::cache_dir()?
            .join("secrets")
            .join(format!("exec-{name}")),
    )
}

/// A length (u32, little-endian), then the bytes. Never grows `out` past
/// its capacity when the caller sized it (plaintext must not be copied).
fn put(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
    out.extend_from_slice(bytes);
}

/// Reads what `store` wrote, still sealed; `None` for anything else.
fn parse(bytes: Vec<u8>) -> Option<(Stamp, Snapshot)> {
    let mut reader = Reader(bytes.strip_prefix(MAGIC)?);
    let stamp = Stamp {
        counter: reader.u32()?,
        dev: reader.u64()?,
        ino: reader.u64()?,
        size: reader.u64()?,
        mtime_sec: reader.u64()? as i64,
        mtime_nsec: reader.u64()? as i64,
    };
    let vault_id = String::from_utf8(reader.field()?.to_vec()).ok()?;
    // Never written for an empty vault (see `store`): a copy that says so
    // is forged.
    let count = reader.u32().filter(|&count| count > 0)?;
    let sealed_at = bytes.len() - reader.0.len();
    let snapshot = Snapshot {
        vault_id,
        count,
        bytes,
        sealed_at,
    };
    Some((stamp, snapshot))
}

/// The `count` names and values of an opened snapshot; `None` unless that is
/// exactly what `plain` holds.
fn entries(plain: &[u8], count: u32) -> Option<Vec<Unsealed>> {
    let mut reader = Reader(plain);
    // Each entry takes at least its two lengths: a bound before allocating.
    let mut entries = Vec::with_capacity((count as usize).min(plain.len() / 8));
    for _ in 0..count {
        let name = String::from_utf8(reader.field()?.to_vec()).ok()?;
        let value = SecretValue::new(Zeroizing::new(reader.field()?.to_vec())).ok()?;
        entries.push(Unsealed { name, value });
    }
    reader.0.is_empty().then_some(entries)
}

/// A cursor over the snapshot's bytes.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, len: usize) -> Option<&'a [u8]> {
        if self.0.len() < len {
            return None;
        }
        let (head, rest) = self.0.split_at(len);
        self.0 = rest;
        Some(head)
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    fn field(&mut self) -> Option<&'a [u8]> {
        let len = self.u32()? as usize;
        self.take(len)
    }
}
