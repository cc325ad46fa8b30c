//! The first 100 bytes of a vault file (SQLite's header, format documented
//! at sqlite.org/fileformat.html), read before SQLite ever opens the file:
//! they say whether it is a vault of a schema this build knows, whether it
//! is whole, and what identifies its committed state (a `Stamp`).
//!
//! Not for anything SQLite reads itself: once the header passes, the
//! database is opened by `db`.

use super::permissions;
use super::schema::{APPLICATION_ID, SCHEMA_VERSION};
use crate::error::{FAILED, Failure};
use crate::files;
use anyhow::{Context, Result};
use std::fs::{File, Metadata};
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// How long the header is.
const HEADER_LEN: usize = 100;

/// What identifies a vault file's committed state: SQLite's change counter,
/// which every committed write bumps, and the file's identity and times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub(super) counter: u32,
    pub(super) dev: u64,
    pub(super) ino: u64,
    pub(super) size: u64,
    pub(super) mtime_sec: i64,
    pub(super) mtime_nsec: i64,
}

impl Stamp {
    /// A PostgreSQL vault's state: its version counter, which every write
    /// bumps (no file to identify: those fields are zero).
    pub fn of_version(version: i64) -> Stamp {
        Stamp {
            counter: 0,
            dev: 0,
            ino: 0,
            size: version as u64,
            mtime_sec: 0,
            mtime_nsec: 0,
        }
    }

    /// The version counter of a PostgreSQL vault's stamp (`of_version`).
    pub fn version(&self) -> i64 {
        self.size as i64
    }

    /// The stamp of a file with change counter `counter` and `metadata`.
    fn of(counter: u32, metadata: &Metadata) -> Stamp {
        Stamp {
            counter,
            dev: metadata.dev(),
            ino: metadata.ino(),
            size: metadata.size(),
            mtime_sec: metadata.mtime(),
            mtime_nsec: metadata.mtime_nsec(),
        }
    }
}

/// What the first bytes of a vault file say.
pub(super) struct Header {
    pub(super) in_wal_mode: bool,
    /// Schema version (`PRAGMA user_version`) as of the last checkpoint.
    pub(super) user_version: i64,
    /// What identifies the file's committed state, when the header can tell
    /// (not in WAL mode): see `snapshot`.
    pub(super) stamp: Option<Stamp>,
}

/// What the header's bytes say, before the file's metadata is added.
#[derive(Debug, PartialEq, Eq)]
struct Fields {
    in_wal_mode: bool,
    user_version: i64,
    /// The change counter, when the header was written by the commit it
    /// counts (outside WAL mode).
    counter: Option<u32>,
}

/// Why a file is refused from its header alone.
#[derive(Debug, PartialEq, Eq)]
enum Refused {
    Empty,
    NotSqlite,
    OtherApplication,
    Newer(i64),
    CutOff,
}

/// Reads the vault's header and refuses, before SQLite touches the file,
/// anything that is not a vault of a schema this build knows, or that others
/// can change (`permissions`). Cheaper than asking SQLite: no lock, no WAL.
///
/// Returns the open file too. Never close a descriptor of the vault file
/// while this process has it open in SQLite: closing any descriptor of a file
/// drops every POSIX lock the process holds on it, SQLite's included. So a
/// `Vault` keeps this one until its connection is gone, and reads stamps
/// through it (`header_of`).
pub(super) fn open_header(path: &Path) -> Result<(File, Header)> {
    let file = match files::open_regular(path) {
        Ok((file, metadata)) => {
            permissions::check_vault(path, &metadata)?;
            file
        }
        Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => {
            return Err(not_a_vault(path, "not a regular file").into());
        }
        Err(e) => {
            return Err(e).with_context(|| format!("cannot open the vault at {}", path.display()));
        }
    };
    let header = header_of(&file, path)?;
    Ok((file, header))
}

/// The stamp of the vault at `path` as it is now, if it is a vault of this
/// build's schema whose header can tell (see `Header::stamp`); `None` for
/// anything else, which the vault itself reports when opened. Opens and
/// closes a descriptor: only for a process that does not have the vault
/// open in SQLite (see `open_header`).
pub(super) fn current_stamp(path: &Path) -> Option<Stamp> {
    let (_, header) = open_header(path).ok()?;
    header
        .stamp
        .filter(|_| header.user_version == SCHEMA_VERSION)
}

/// `open_header`'s reading and checks, through `file` (the vault at `path`).
pub(super) fn header_of(file: &File, path: &Path) -> Result<Header> {
    let mut bytes = [0u8; HEADER_LEN];
    let cannot_read = || format!("cannot read the vault at {}", path.display());
    let read = read_up_to(file, &mut bytes).with_context(cannot_read)?;
    let metadata = file.metadata().with_context(cannot_read)?;
    let fields = parse(&bytes[..read], metadata.len()).map_err(|refused| refusal(path, refused))?;
    Ok(Header {
        in_wal_mode: fields.in_wal_mode,
        user_version: fields.user_version,
        stamp: fields.counter.map(|counter| Stamp::of(counter, &metadata)),
    })
}

/// What the header `bytes` (as many as the file has, up to 100) of a file of
/// `file_len` bytes say, or why the file is refused.
fn parse(bytes: &[u8], file_len: u64) -> Result<Fields, Refused> {
    if bytes.is_empty() {
        return Err(Refused::Empty);
    }
    if bytes.len() < HEADER_LEN || !bytes.starts_with(b"SQLite format 3\0") {
        return Err(Refused::NotSqlite);
    }
    let be32 =
        |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    if be32(68) as i32 != APPLICATION_ID {
        return Err(Refused::OtherApplication);
    }
    let user_version = i64::from(be32(60) as i32);
    if user_version > SCHEMA_VERSION {
        return Err(Refused::Newer(user_version));
    }
    // Bytes 18 and 19 (read and write format versions) are 2 in WAL mode.
    let in_wal_mode = bytes[18] == 2 && bytes[19] == 2;
    // The change counter (24) counts committed writes; "version valid for"
    // (92) equal to it says the header was written by such a commit, and so
    // that the page count at 28 is exact. Outside WAL mode, SQLite would read
    // a shorter file as a smaller database and carry on without the rest.
    let committed = !in_wal_mode && be32(92) == be32(24);
    let page_size = match u16::from_be_bytes([bytes[16], bytes[17]]) {
        1 => 65_536,
        size => u64::from(size),
    };
    if committed && file_len < u64::from(be32(28)) * page_size {
        return Err(Refused::CutOff);
    }
    Ok(Fields {
        in_wal_mode,
        user_version,
        counter: committed.then(|| be32(24)),
    })
}

/// The error the user reads for a file refused as `refused`.
fn refusal(path: &Path, refused: Refused) -> anyhow::Error {
    match refused {
        Refused::Empty => not_a_vault(path, "an empty file").into(),
        Refused::NotSqlite => not_a_vault(path, "not an SQLite database").into(),
        Refused::OtherApplication => {
            not_a_vault(path, "another application's SQLite database").into()
        }
        Refused::Newer(version) => newer(version, path),
        Refused::CutOff => Failure::new(
            FAILED,
            format!(
                "the vault at {} is damaged (shorter than its header says: cut off?); it was left untouched",
                path.display()
            ),
        )
        .with_hint("restore it from a backup")
        .into(),
    }
}

/// The refusal of a file that is not a vault, saying `what` it is.
fn not_a_vault(path: &Path, what: &str) -> Failure {
    Failure::new(
        FAILED,
        format!(
            "{} is not a secrets vault ({what}); it was left untouched",
            path.display()
        ),
    )
    .with_hint("point --vault or SECRETS_VAULT at a vault, or move that file away")
}

/// Reads from the start of `file` until `buffer` is full or the file ends.
fn read_up_to(file: &File, buffer: &mut [u8]) -> std::io::Result<usize> {
    use std::os::unix::fs::FileExt;
    let mut filled = 0;
    while filled < buffer.len() {
        match file.read_at(&mut buffer[filled..], filled as u64)? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// A vault from a newer build is refused, never modified.
pub(super) fn refuse_newer(version: i64, path: &Path) -> Result<()> {
    if version <= SCHEMA_VERSION {
        return Ok(());
    }
    Err(newer(version, path))
}

fn newer(version: i64, path: &Path) -> anyhow::Error {
    Failure::new(
        FAILED,
        format!(
            "the vault at {} was written by a newer version of secrets (schema {version}; \
             this one knows up to {SCHEMA_VERSION}); it was left untouched",
            path.display()
        ),
    )
    .with_hint("install the newer secrets to use this vault")
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: u64 = 4096;

    /// A vault's header: 4096-byte pages, `pages` of them, change counter
    /// `counter` (written by that commit), schema `version`, rollback mode.
    fn header(pages: u32, counter: u32, version: i32) -> Vec<u8> {
        let mut bytes = vec![0u8; HEADER_LEN];
        bytes[..16].copy_from_slice(b"SQLite format 3\0");
        bytes[16..18].copy_from_slice(&(PAGE as u16).to_be_bytes());
        bytes[18] = 1;
        bytes[19] = 1;
        bytes[24..28].copy_from_slice(&counter.to_be_bytes());
        bytes[28..32].copy_from_slice(&pages.to_be_bytes());
        bytes[60..64].copy_from_slice(&version.to_be_bytes());
        bytes[68..72].copy_from_slice(&APPLICATION_ID.to_be_bytes());
        bytes[92..96].copy_from_slice(&counter.to_be_bytes());
        bytes
    }

    fn current() -> i32 {
        SCHEMA_VERSION as i32
    }

    #[test]
    fn a_current_vault_gives_its_version_and_stamp() {
        let fields = parse(&header(3, 41, current()), 3 * PAGE).unwrap();
        assert_eq!(
            fields,
            Fields {
                in_wal_mode: false,
                user_version: SCHEMA_VERSION,
                counter: Some(41),
            }
        );
        // An older schema is read (and migrated by `db`).
        assert_eq!(parse(&header(3, 41, 1), 3 * PAGE).unwrap().user_version, 1);
    }

    #[test]
    fn a_header_not_written_by_its_commit_gives_no_stamp() {
        let mut bytes = header(3, 41, current());
        bytes[92..96].copy_from_slice(&40u32.to_be_bytes());
        let fields = parse(&bytes, PAGE).unwrap();
        assert_eq!(fields.counter, None);
        // Nor is its page count trusted: a shorter file is not refused.
        assert!(!fields.in_wal_mode);
    }

    #[test]
    fn wal_mode_gives_no_stamp_and_no_length_check() {
        let mut bytes = header(3, 41, current());
        bytes[18] = 2;
        bytes[19] = 2;
        let fields = parse(&bytes, PAGE).unwrap();
        assert!(fields.in_wal_mode);
        assert_eq!(fields.counter, None);
    }

    #[test]
    fn foreign_files_are_refused() {
        assert_eq!(parse(&[], 0), Err(Refused::Empty));
        assert_eq!(parse(b"hello", 5), Err(Refused::NotSqlite));
        let mut text = header(1, 1, current());
        text[..16].copy_from_slice(b"SQLite format 2\0");
        assert_eq!(parse(&text, PAGE), Err(Refused::NotSqlite));
        let mut other = header(1, 1, current());
        other[68..72].copy_from_slice(&0x1234_5678u32.to_be_bytes());
        assert_eq!(parse(&other, PAGE), Err(Refused::OtherApplication));
    }

    #[test]
    fn a_header_cut_short_is_not_sqlite() {
        let bytes = header(1, 1, current());
        assert_eq!(parse(&bytes[..99], 99), Err(Refused::NotSqlite));
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let newer = current() + 1;
        assert_eq!(
            parse(&header(1, 1, newer), PAGE),
            Err(Refused::Newer(i64::from(newer)))
        );
    }

    #[test]
    fn a_file_shorter_than_its_pages_is_cut_off() {
        assert_eq!(
            parse(&header(3, 7, current()), 3 * PAGE - 1),
            Err(Refused::CutOff)
        );
        assert!(parse(&header(3, 7, current()), 3 * PAGE).is_ok());
        // Page size 1 stands for 65,536.
        let mut big = header(2, 7, current());
        big[16..18].copy_from_slice(&1u16.to_be_bytes());
        assert_eq!(parse(&big, 2 * 65_536 - 1), Err(Refused::CutOff));
        assert!(parse(&big, 2 * 65_536).is_ok());
    }
}
