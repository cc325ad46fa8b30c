//! `exec`'s copy of what it reads from the vault, kept beside it as
//! `vault.db-exec`: the vault id, the wrapped data key and every sealed value
//! (ciphertext only, as in the vault). An `exec` of an unchanged vault reads
//! this one file instead of opening SQLite (schema, locks, page reads: about
//! half a millisecond, and about a millisecond per thousand secrets).
//!
//! Only a copy, never trusted over the vault:
//! - `exec` writes it from inside its read transaction, stamped with the
//!   vault file's state: SQLite's change counter (which every committed write
//!   bumps) and the file's device, inode, size and modification time;
//! - it is used only while the vault file carries exactly that stamp, and
//!   only holds vaults whose values are all sealed under the data key;
//! - every write removes it first; anything wrong with it (missing, stale,
//!   damaged, failing to decrypt) sends `exec` to the vault, which decides.

use super::crypto::{DataKey, Sealing};
use super::db::{self, SCHEMA_VERSION, SealedSecret, Unsealed};
use super::identity::Identity;
use super::usage;
use crate::files;
use anyhow::{Context, Result};
use std::fs::Metadata;
use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// Starts the file; a later format gets a new one.
const MAGIC: &[u8] = b"secrets exec snapshot v1\n";

/// What identifies a vault file's committed state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    counter: u32,
    dev: u64,
    ino: u64,
    size: u64,
    mtime_sec: i64,
    mtime_nsec: i64,
}

impl Stamp {
    /// The stamp of a file with change counter `counter` and `metadata`.
    pub(super) fn of(counter: i32, metadata: &Metadata) -> Stamp {
        Stamp {
            counter: counter as u32,
            dev: metadata.dev(),
            ino: metadata.ino(),
            size: metadata.size(),
            mtime_sec: metadata.mtime(),
            mtime_nsec: metadata.mtime_nsec(),
        }
    }
}

/// The snapshot file of the vault at `vault`.
pub fn path(vault: &Path) -> PathBuf {
    files::beside(vault, "-exec")
}

/// What `exec` needs of a vault, read from its snapshot.
pub struct Snapshot {
    vault_id: String,
    wrapped_key: Vec<u8>,
    secrets: Vec<SealedSecret>,
}

impl Snapshot {
    /// The snapshot of the vault at `vault`, if there is one and the vault
    /// file is still exactly as it was when it was taken.
    pub fn load(vault: &Path) -> Option<Snapshot> {
        let header = db::read_header(vault).ok()?;
        let current = header
            .stamp
            .filter(|_| header.user_version == SCHEMA_VERSION)?;
        let bytes = std::fs::read(path(vault)).ok()?;
        let (stamp, snapshot) = parse(&bytes)?;
        (stamp == current).then_some(snapshot)
    }

    /// Whether the vault holds any secret (so `exec` needs the identity).
    pub fn has_secrets(&self) -> bool {
        !self.secrets.is_empty()
    }

    /// `Vault::unseal_for_exec` on the copy: lets `choose` pick, decrypts
    /// the chosen and records the run in the usage journal.
    pub fn unseal_for_exec(
        &self,
        vault: &Path,
        identity: Option<&Identity>,
        program: &str,
        choose: impl Fn(&[SealedSecret]) -> Result<Vec<usize>>,
    ) -> Result<Vec<Unsealed>> {
        let chosen = choose(&self.secrets)?;
        let everything = chosen.len() == self.secrets.len();
        let unsealed = if chosen.is_empty() {
            Vec::new()
        } else {
            let identity = identity.context("the identity is needed to decrypt")?;
            let keys = identity.age_identities();
            let data_key = DataKey::unwrap(&keys, &self.vault_id, &self.wrapped_key)?;
            let mut values = chosen.iter().map(|_| None).collect::<Vec<_>>();
            db::open_with_data_key(
                &data_key,
                &self.vault_id,
                &self.secrets,
                &chosen,
                &mut values,
            )?;
            db::into_unsealed(&self.secrets, &chosen, values)
        };
        usage::record(vault, program, &unsealed, everything)?;
        Ok(unsealed)
    }
}

/// Writes the snapshot of the vault at `vault` in state `stamp`; every one
/// of `secrets` is sealed under the data key (the caller checks). Best
/// effort, and not synced: a snapshot lost or cut short is never used.
pub(super) fn store(
    vault: &Path,
    stamp: Stamp,
    vault_id: &str,
    wrapped_key: &[u8],
    secrets: &[SealedSecret],
) {
    let mut bytes = Vec::with_capacity(
        256 + secrets
            .iter()
            .map(|s| s.name.len() + s.ciphertext.len() + 6)
            .sum::<usize>(),
    );
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&stamp.counter.to_le_bytes());
    for field in [stamp.dev, stamp.ino, stamp.size] {
        bytes.extend_from_slice(&field.to_le_bytes());
    }
    for field in [stamp.mtime_sec, stamp.mtime_nsec] {
        bytes.extend_from_slice(&field.to_le_bytes());
    }
    put(&mut bytes, vault_id.as_bytes());
    put(&mut bytes, wrapped_key);
    bytes.extend_from_slice(&(secrets.len() as u32).to_le_bytes());
    for secret in secrets {
        put(&mut bytes, secret.name.as_bytes());
        put(&mut bytes, &secret.ciphertext);
    }
    let target = path(vault);
    let Ok(temp) = files::sibling_temp_path(&target) else {
        return;
    };
    let written = files::create_private_file(&temp).and_then(|mut f| f.write_all(&bytes));
    if written.is_err() || std::fs::rename(&temp, &target).is_err() {
        let _ = std::fs::remove_file(&temp);
    }
}

/// Removes the snapshot of the vault at `vault`, if any (before a write).
pub fn discard(vault: &Path) {
    let _ = std::fs::remove_file(path(vault));
}

/// A length (u32, little-endian), then the bytes.
fn put(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
    out.extend_from_slice(bytes);
}

/// Reads what `store` wrote; `None` for anything else.
fn parse(bytes: &[u8]) -> Option<(Stamp, Snapshot)> {
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
    let wrapped_key = reader.field()?.to_vec();
    let count = reader.u32()? as usize;
    // Each entry takes at least its two lengths: a bound before allocating.
    let mut secrets = Vec::with_capacity(count.min(reader.0.len() / 8));
    for _ in 0..count {
        secrets.push(SealedSecret {
            rowid: 0,
            name: String::from_utf8(reader.field()?.to_vec()).ok()?,
            sealing: Sealing::Key,
            ciphertext: reader.field()?.to_vec(),
        });
    }
    if !reader.0.is_empty() {
        return None;
    }
    let snapshot = Snapshot {
        vault_id,
        wrapped_key,
        secrets,
    };
    Some((stamp, snapshot))
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
