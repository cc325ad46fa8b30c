//! The vault file: one SQLite database, opened to read or to write, and the
//! writes of secrets (its header is checked by `header`, its schema built by
//! `schema`, shared reads are in `queries`).
//!
//! Each write is one `BEGIN IMMEDIATE` transaction under a busy timeout, so
//! concurrent `secrets` processes queue instead of failing. Values arrive
//! here already as plaintext only long enough to be sealed by `crypto`.

use super::crypto;
use super::damage::{self, Table, in_table};
use super::events;
use super::header::{Header, open_header, refuse_newer};
use super::journal::Unfolded;
use super::permissions;
use super::queries::{SELECT_META, SecretMeta, find_meta, meta_from_row, recipients};
use super::schema::{SCHEMA_VERSION, apply_migrations, ensure_data_key};
use crate::clock;
use crate::error::{FAILED, Failure};
use crate::files;
use crate::name::SecretName;
use crate::random;
use crate::value::SecretValue;
use anyhow::{Context, Result, anyhow};
use rusqlite::{Connection, ErrorCode, OpenFlags, TransactionBehavior, params};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a command waits for another one's write before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Most of the vault file SQLite reads through a memory map rather than
/// `pread` into its own page cache (a 10,000-secret vault is about 4 MiB).
const MMAP_SIZE: i64 = 64 << 20;

/// A secret to store.
pub struct NewSecret {
    pub name: SecretName,
    pub description: Option<String>,
    pub value: SecretValue,
}

/// Told, with the vault's path, whenever a write to it is about to commit:
/// what is kept beside the vault as a copy of it (exec's snapshot) is out
/// of date from then on. Storage knows no such copy; the layer that opens
/// the vault (`open`) registers what goes stale.
pub(super) type OnWrite = fn(&Path);

/// An open vault.
pub struct Vault {
    pub(super) conn: Connection,
    pub(super) path: PathBuf,
    pub(super) vault_id: String,
    /// Set once the data key opened only with a retired key of the identity:
    /// the vault still needs moving to the current key.
    pub(super) opened_with_retired_key: bool,
    /// The usage journal's runs, read when the vault was opened only to
    /// read; empty when it was folded (or not read, for `exec`).
    pub(super) unfolded: Unfolded,
    /// The descriptor the header was read through: kept (and dropped after
    /// `conn`) because closing it would drop SQLite's locks (`open_header`).
    /// Stamps are read through it (`header_of`).
    pub(super) header_file: std::fs::File,
}

/// What a command does with the vault it opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Access {
    /// Reads and writes: the connection may write.
    ReadWrite,
    /// Only reads: SQLite opens the file read-only, when it can.
    ReadOnly,
}

impl Vault {
    /// Opens the vault at `path` with `access`, which must exist and be a
    /// vault; migrates an older schema. A foreign or newer file is refused
    /// untouched. `on_write` is told of every write as it commits (see
    /// `OnWrite`). See `open` for how commands open it.
    pub(super) fn connect(path: &Path, access: Access, on_write: OnWrite) -> Result<Vault> {
        if !path.exists() {
            return Err(Failure::new(FAILED, format!("no vault at {}", path.display()))
                .with_hint(
                    "run `secrets init` to create one, or point --vault or SECRETS_VAULT at yours",
                )
                .into());
        }
        // Refuses foreign and newer files, and files others can change,
        // before SQLite ever opens them.
        let (header_file, header) = open_header(path)?;
        permissions::check_sqlite_side_files(path)?;
        configure_sqlite();
        let read_only = access == Access::ReadOnly && !needs_writing_to_read(path, &header);
        let mode = if read_only {
            OpenFlags::SQLITE_OPEN_READ_ONLY
        } else {
            OpenFlags::SQLITE_OPEN_READ_WRITE
        };
        let mut conn = Connection::open_with_flags(path, mode | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .map_err(|e| explain(e, path))?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // Registered before the first write this connection may make (a
        // migration); told while the write lock is still held.
        let written = path.to_owned();
        conn.commit_hook(Some(move || {
            on_write(&written);
            false
        }))?;
        let mut vault = Vault {
            conn,
            path: path.to_owned(),
            vault_id: String::new(),
            opened_with_retired_key: false,
            unfolded: Unfolded::default(),
            header_file,
        };
        vault.configure(&header)?;
        let vault_id: String = vault
            .conn
            .query_row("SELECT vault_id FROM vault", [], |r| r.get(0))
            .map_err(|e| explain_read(e, path, Table::Vault))?;
        // The header's version is current unless a WAL holds newer pages.
        let version = if header.in_wal_mode {
            vault
                .conn
                .pragma_query_value(None, "user_version", |r| r.get(0))
                .map_err(|e| explain(e, path))?
        } else {
            header.user_version
        };
        refuse_newer(version, path)?;
        if version < SCHEMA_VERSION {
            vault.migrate()?;
        }
        vault.vault_id = vault_id;
        Ok(vault)
    }

    /// Creates a vault at `path` encrypting to `recipient`. Returns `false`,
    /// changing nothing, if something already exists there.
    ///
    /// The database is built under a temporary name and linked into place, so
    /// a concurrent reader never sees a half-made vault.
    pub fn create(path: &Path, recipient: &str) -> Result<bool> {
        if path.exists() {
            return Ok(false);
        }
        if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            files::create_private_dir(dir)?;
        }
        permissions::check_new_vault_directory(path)?;
        let temp = files::sibling_temp_path(path)?;
        let built = build_new(&temp, recipient);
        let linked = built.and_then(|()| match std::fs::hard_link(&temp, path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
            Err(e) => Err(e).with_context(|| format!("cannot create {}", path.display())),
        });
        let _ = std::fs::remove_file(&temp);
        if matches!(linked, Ok(true)) {
            files::sync_parent(path);
        }
        linked
    }

    /// Every secret's metadata, sorted by name in any case (names are unique
    /// in any case, so this follows the unique index: no sort step).
    pub fn list(&self) -> Result<Vec<SecretMeta>> {
        let damaged = in_table(Table::Secrets);
        let mut stmt = self
            .conn
            .prepare(&format!("{SELECT_META} ORDER BY s.name COLLATE NOCASE"))
            .map_err(&damaged)?;
        let rows = stmt.query_map([], meta_from_row).map_err(&damaged)?;
        let mut secrets: Vec<SecretMeta> =
            rows.collect::<rusqlite::Result<_>>().map_err(damaged)?;
        for secret in &mut secrets {
            secret.check_times()?;
            self.add_unfolded_use(secret);
        }
        Ok(secrets)
    }

    /// The secret whose name matches `name` in any case.
    pub fn find(&self, name: &str) -> Result<Option<SecretMeta>> {
        let mut found = find_meta(&self.conn, name)?;
        if let Some(secret) = &mut found {
            self.add_unfolded_use(secret);
        }
        Ok(found)
    }

    /// Counts the runs still in the usage journal in `secret`'s last use.
    fn add_unfolded_use(&self, secret: &mut SecretMeta) {
        secret.last_used_time_ms = self.unfolded.last_use(
            &secret.name,
            secret.create_time_ms,
            secret.last_used_time_ms,
        );
    }

    /// Like `find`, but a missing secret is a `not found` failure with a hint.
    pub fn get(&self, name: &str) -> Result<SecretMeta> {
        self.find(name)?.ok_or_else(|| {
            Failure::not_found(name)
                .with_hint("`secrets list` shows the names in this vault")
                .into()
        })
    }

    /// Stores a new secret; refuses a name that exists in any case.
    pub fn insert(&mut self, secret: &NewSecret) -> Result<SecretMeta> {
        let refuse = super::import::Conflict::Refuse;
        self.write(
            std::slice::from_ref(secret),
            refuse,
            false,
            events::Action::Create,
        )?;
        find_meta(&self.conn, secret.name.as_str())?.context("the new secret vanished")
    }

    /// Replaces the value of the secret matching `name` (any case), and its
    /// description when one is given. Without a value only the description
    /// changes: the update time, which says how old the value is (`stale`),
    /// stays, and the log says `describe`.
    pub fn update(
        &mut self,
        name: &str,
        description: Option<&str>,
        value: Option<&SecretValue>,
    ) -> Result<SecretMeta> {
        let tx = begin_write(&mut self.conn, &self.path)?;
        let Some(existing) = find_meta(&tx, name)? else {
            return Err(Failure::not_found_to_create(name).into());
        };
        let action = match value {
            Some(value) => {
                // Sealed under the stored spelling: that is what exec will check.
                let ciphertext = crypto::seal_with_age(
                    &recipients(&tx)?,
                    &self.vault_id,
                    &existing.name,
                    value,
                )?;
                tx.execute(
                    "UPDATE secrets SET ciphertext = ?2, sealing = 'age', update_time_ms = ?3,
                         description = COALESCE(?4, description)
                     WHERE id = ?1",
                    params![existing.id, ciphertext, clock::now_ms(), description],
                )?;
                events::Action::Update
            }
            None => {
                tx.execute(
                    "UPDATE secrets SET description = COALESCE(?2, description) WHERE id = ?1",
                    params![existing.id, description],
                )?;
                events::Action::Describe
            }
        };
        let meta = find_meta(&tx, &existing.name)?.context("the secret vanished")?;
        events::record(&tx, action, &[&meta.name], None, None)?;
        tx.commit()?;
        Ok(meta)
    }

    /// Deletes every named secret, or none if any is missing. Returns the
    /// stored names.
    pub fn delete(&mut self, names: &[String]) -> Result<Vec<String>> {
        let tx = begin_write(&mut self.conn, &self.path)?;
        let mut deleted = Vec::with_capacity(names.len());
        for name in names {
            let Some(existing) = find_meta(&tx, name)? else {
                return Err(Failure::not_found(name)
                    .with_hint("nothing was deleted; `secrets list` shows the names")
                    .into());
            };
            if !deleted.contains(&existing.name) {
                tx.execute("DELETE FROM secrets WHERE id = ?1", [&existing.id])?;
                deleted.push(existing.name);
            }
        }
        let names: Vec<&str> = deleted.iter().map(String::as_str).collect();
        events::record(&tx, events::Action::Delete, &names, None, None)?;
        tx.commit()?;
        self.scrub_wal();
        Ok(deleted)
    }

    /// Whether a command so far opened the data key only with a retired key
    /// of the identity: the vault should be moved to the current key.
    pub fn opened_with_retired_key(&self) -> bool {
        self.opened_with_retired_key
    }

    /// The vault's path, as given.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the vault holds any secret (so `exec` needs the identity).
    pub fn has_secrets(&self) -> Result<bool> {
        self.conn
            .query_row("SELECT EXISTS (SELECT 1 FROM secrets)", [], |r| r.get(0))
            .map_err(in_table(Table::Secrets))
    }

    fn configure(&self, header: &Header) -> Result<()> {
        self.conn.pragma_update(None, "mmap_size", MMAP_SIZE)?;
        if header.in_wal_mode {
            // Vaults made before exec stopped writing used WAL, whose -shm
            // set-up and WAL replay cost every open more than a rollback
            // journal does. The switch needs the vault to itself: if another
            // process has it open, it stays WAL (which works) until next time.
            let _ = self
                .conn
                .pragma_update_and_check(None, "journal_mode", "DELETE", |r| r.get::<_, String>(0));
        }
        Ok(())
    }

    fn migrate(&mut self) -> Result<()> {
        let tx = begin_write(&mut self.conn, &self.path)?;
        apply_migrations(&tx)?;
        tx.commit()?;
        Ok(())
    }

    /// Writes the WAL back into the main file and empties it. `secure_delete`
    /// overwrites freed pages only then. Best effort: readers may hold it.
    pub(super) fn scrub_wal(&self) {
        let _ = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
    }
}

/// Whether a command that only reads must still open the vault at `path`
/// for writing: for the one-time upgrade of an older schema or of the old
/// WAL mode, or to roll back a write cut off by a crash (a hot journal,
/// which SQLite refuses to read read-only). A journal of a write under way
/// looks the same; the read then waits for it, as it always did.
fn needs_writing_to_read(path: &Path, header: &Header) -> bool {
    header.in_wal_mode
        || header.user_version < SCHEMA_VERSION
        || std::fs::metadata(files::beside(path, "-journal")).is_ok_and(|m| m.len() > 0)
}

/// Process-wide SQLite settings, made once before the first connection: no
/// lookaside slots and no up-front page-cache block per connection. Each
/// command opens one connection for a few statements, and every page of
/// memory it touches costs a page fault (2-3 us on a VM): these two alone
/// were about 25 of them, and pages come from the memory map (`MMAP_SIZE`).
fn configure_sqlite() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: called before any connection exists (sqlite3_config must
        // precede sqlite3_initialize), with the argument types these two
        // options take; a failure only leaves SQLite's defaults.
        unsafe {
            use rusqlite::ffi;
            ffi::sqlite3_config(
                ffi::SQLITE_CONFIG_LOOKASIDE,
                0 as libc::c_int,
                0 as libc::c_int,
            );
            ffi::sqlite3_config(
                ffi::SQLITE_CONFIG_PAGECACHE,
                std::ptr::null_mut::<libc::c_void>(),
                0 as libc::c_int,
                0 as libc::c_int,
            );
        }
    });
}

/// Starts a write: `BEGIN IMMEDIATE` takes the write lock up front, so two
/// writers queue on the busy timeout instead of deadlocking mid-transaction.
/// Freed space is overwritten (`secure_delete`): old ciphertexts of deleted
/// or replaced values do not linger in the file. (Set here, not on open:
/// `exec` usually only reads.)
pub(super) fn begin_write<'c>(
    conn: &'c mut Connection,
    path: &Path,
) -> Result<rusqlite::Transaction<'c>> {
    conn.pragma_update(None, "secure_delete", "ON")
        .map_err(|e| explain(e, path))?;
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(|e| explain(e, path))?;
    Ok(tx)
}

/// Builds a complete, empty vault at `temp` (a fresh private file).
fn build_new(temp: &Path, recipient: &str) -> Result<()> {
    // Pre-created 0600 so SQLite's journal copies that mode.
    files::create_private_file(temp)
        .with_context(|| format!("cannot create {}", temp.display()))?;
    configure_sqlite();
    let mut conn = Connection::open(temp)?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    apply_migrations(&tx)?;
    let now = clock::now_ms();
    tx.execute(
        "INSERT INTO vault (singleton, vault_id, create_time_ms) VALUES (1, ?1, ?2)",
        params![random::vault_id()?, now],
    )?;
    tx.execute(
        "INSERT INTO recipients (recipient, add_time_ms) VALUES (?1, ?2)",
        params![recipient, now],
    )?;
    ensure_data_key(&tx)?;
    tx.commit()?;
    conn.close().map_err(|(_, e)| e)?;
    Ok(())
}

/// `explain`, unless the error says that `table` is damaged.
fn explain_read(error: rusqlite::Error, path: &Path, table: Table) -> anyhow::Error {
    match damage::found_in(error, table) {
        Ok(damage) => damage.into(),
        Err(error) => explain(error, path),
    }
}

/// Turns SQLite's error codes into one line that names the file.
pub(super) fn explain(error: rusqlite::Error, path: &Path) -> anyhow::Error {
    let shown = path.display();
    match error.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => Failure::new(
            FAILED,
            format!("the vault at {shown} is locked by another process"),
        )
        .with_hint("try again when the other secrets command has finished")
        .into(),
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => Failure::new(
            FAILED,
            format!("the vault at {shown} is damaged (not a valid SQLite database)"),
        )
        .with_hint("restore it from a backup")
        .into(),
        Some(ErrorCode::CannotOpen | ErrorCode::PermissionDenied | ErrorCode::ReadOnly) => {
            anyhow!("cannot open the vault at {shown}: {error}")
        }
        _ => anyhow::Error::new(error).context(format!("vault {shown}")),
    }
}
