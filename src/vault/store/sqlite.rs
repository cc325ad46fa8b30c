//! The default store: one SQLite file (its header is checked by `header`,
//! its schema built by `schema`).
//!
//! Each write is one `BEGIN IMMEDIATE` transaction under a busy timeout, so
//! concurrent `secrets` processes queue instead of failing. Freed space is
//! overwritten (`secure_delete`), so old ciphertexts do not linger.

use super::{
    NewEvent, NewRow, NewVault, RecipientRow, Rows, SecretRow, StoredEvent, VaultImage, VaultRow,
};
use crate::clock;
use crate::error::{FAILED, Failure};
use crate::files;
use crate::vault::crypto::Sealing;
use crate::vault::damage::{self, Damage, Table, in_table};
use crate::vault::header::{Header, Stamp, header_of, open_header, refuse_newer};
use crate::vault::journal::Run;
use crate::vault::permissions;
use crate::vault::queries::{SealedSecret, SecretMeta};
use crate::vault::recipients::PublicKey;
use crate::vault::schema::{SCHEMA_VERSION, apply_migrations};
use anyhow::{Context, Result, anyhow};
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, TransactionBehavior, params};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a command waits for another one's write before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Most of the vault file SQLite reads through a memory map rather than
/// `pread` into its own page cache (a 10,000-secret vault is about 4 MiB).
const MMAP_SIZE: i64 = 64 << 20;

/// Told, with the vault's path, whenever a write to it is about to commit:
/// what is kept beside the vault as a copy of it (exec's snapshot) is out
/// of date from then on. Storage knows no such copy; the layer that opens
/// the vault (`open`) registers what goes stale.
pub type OnWrite = fn(&Path);

/// What a command does with the vault it opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Reads and writes: the connection may write.
    ReadWrite,
    /// Only reads: SQLite opens the file read-only, when it can.
    ReadOnly,
}

/// An open vault file.
pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
    /// The descriptor the header was read through: kept (and dropped after
    /// `conn`) because closing it would drop SQLite's locks (`open_header`).
    /// Stamps are read through it.
    header_file: std::fs::File,
}

/// Metadata columns in `meta_from_row`'s order. A secret's last use is the
/// later of its own and the vault's last "exec of every secret", if it
/// existed by then.
const SELECT_META: &str = "
    SELECT s.id, s.name, s.description, s.create_time_ms, s.update_time_ms,
           CASE WHEN v.all_used_time_ms >= s.create_time_ms
                 AND v.all_used_time_ms > COALESCE(s.last_used_time_ms, 0)
                THEN v.all_used_time_ms ELSE s.last_used_time_ms END
    FROM secrets s CROSS JOIN vault v";

impl SqliteStore {
    /// Opens the vault at `path` with `access`, which must exist and be a
    /// vault; migrates an older schema. A foreign or newer file is refused
    /// untouched. `on_write` is told of every write as it commits.
    pub fn connect(path: &Path, access: Access, on_write: OnWrite) -> Result<SqliteStore> {
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
        let mut store = SqliteStore {
            conn,
            path: path.to_owned(),
            header_file,
        };
        store.configure(&header)?;
        store
            .conn
            .query_row("SELECT vault_id FROM vault", [], |r| r.get::<_, String>(0))
            .map_err(|e| explain_read(e, path, Table::Vault))?;
        // The header's version is current unless a WAL holds newer pages.
        let version = if header.in_wal_mode {
            store
                .conn
                .pragma_query_value(None, "user_version", |r| r.get(0))
                .map_err(|e| explain(e, path))?
        } else {
            header.user_version
        };
        refuse_newer(version, path)?;
        if version < SCHEMA_VERSION {
            store.migrate()?;
        }
        Ok(store)
    }

    /// Creates a vault at `path` encrypting to `recipient`. Returns `false`,
    /// changing nothing, if something already exists there.
    pub fn create(path: &Path, new: &NewVault<'_>) -> Result<bool> {
        create_with(path, |tx| {
            let now = clock::now_ms();
            tx.execute(
                "INSERT INTO vault (singleton, vault_id, create_time_ms, data_key, commitment)
                 VALUES (1, ?1, ?2, ?3, ?4)",
                params![new.vault_id, now, new.wrapped_key, new.commitment],
            )?;
            tx.execute(
                "INSERT INTO recipients (recipient, add_time_ms) VALUES (?1, ?2)",
                params![new.recipient, now],
            )?;
            Ok(())
        })
    }

    /// Creates a vault at `path` holding `image` (another vault's rows), as
    /// `create` does. Returns `false`, changing nothing, if something
    /// already exists there.
    pub fn create_from_image(path: &Path, image: &VaultImage) -> Result<bool> {
        create_with(path, |tx| insert_image(tx, image))
    }

    pub(super) fn read(&mut self) -> Result<Box<dyn Rows + '_>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Deferred)
            .map_err(|e| explain(e, &self.path))?;
        Ok(Box::new(SqliteRows {
            tx,
            path: &self.path,
            header_file: &self.header_file,
        }))
    }

    /// `BEGIN IMMEDIATE` takes the write lock up front, so two writers queue
    /// on the busy timeout instead of deadlocking mid-transaction.
    pub(super) fn write(&mut self) -> Result<Box<dyn Rows + '_>> {
        self.conn
            .pragma_update(None, "secure_delete", "ON")
            .map_err(|e| explain(e, &self.path))?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| explain(e, &self.path))?;
        Ok(Box::new(SqliteRows {
            tx,
            path: &self.path,
            header_file: &self.header_file,
        }))
    }

    /// Records exec's `runs` from the usage journal in one transaction: each
    /// run's event, and its secrets' last use (only for secrets that existed
    /// then: a name may have been deleted and created again since). A run of
    /// every secret is logged with their names: every write folds the
    /// journal first, so the secrets that exist now and existed then are the
    /// ones the run injected. A run already logged (same id) is skipped.
    pub(in crate::vault) fn fold_runs(&mut self, runs: &[Run]) -> Result<()> {
        self.conn.pragma_update(None, "secure_delete", "ON")?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| explain(e, &self.path))?;
        for run in runs {
            fold_run(&tx, run)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Writes the WAL back into the main file and empties it. `secure_delete`
    /// overwrites freed pages only then. Best effort: readers may hold it.
    pub fn scrub_wal(&self) {
        let _ = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
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
        self.conn.pragma_update(None, "secure_delete", "ON")?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| explain(e, &self.path))?;
        apply_migrations(&tx)?;
        tx.commit()?;
        Ok(())
    }
}

/// A transaction on a vault file.
struct SqliteRows<'c> {
    tx: rusqlite::Transaction<'c>,
    path: &'c Path,
    header_file: &'c std::fs::File,
}

impl Rows for SqliteRows<'_> {
    fn vault_id(&mut self) -> Result<String> {
        self.tx
            .query_row("SELECT vault_id FROM vault", [], |r| r.get(0))
            .map_err(in_table(Table::Vault))
    }

    fn wrapped_key(&mut self) -> Result<Option<Vec<u8>>> {
        self.tx
            .query_row("SELECT data_key FROM vault", [], |r| r.get(0))
            .map_err(in_table(Table::Vault))
    }

    fn set_wrapped_key(&mut self, wrapped: &[u8]) -> Result<()> {
        self.tx
            .execute("UPDATE vault SET data_key = ?1", [wrapped])?;
        Ok(())
    }

    fn commitment(&mut self) -> Result<Option<Vec<u8>>> {
        self.tx
            .query_row("SELECT commitment FROM vault", [], |r| r.get(0))
            .map_err(in_table(Table::Vault))
    }

    fn set_commitment(&mut self, commitment: &[u8]) -> Result<()> {
        self.tx
            .execute("UPDATE vault SET commitment = ?1", [commitment])?;
        Ok(())
    }

    fn recipients(&mut self) -> Result<Vec<PublicKey>> {
        let damaged = in_table(Table::Recipients);
        let mut stmt = self
            .tx
            .prepare("SELECT recipient, comment FROM recipients ORDER BY add_time_ms, recipient")
            .map_err(&damaged)?;
        let keys = stmt
            .query_map([], |r| {
                Ok(PublicKey {
                    text: r.get(0)?,
                    comment: r.get(1)?,
                })
            })
            .map_err(&damaged)?
            .collect::<rusqlite::Result<_>>()
            .map_err(damaged)?;
        Ok(keys)
    }

    fn add_recipient(&mut self, key: &PublicKey, time_ms: i64) -> Result<bool> {
        let inserted = self.tx.execute(
            "INSERT OR IGNORE INTO recipients (recipient, add_time_ms, comment)
             VALUES (?1, ?2, ?3)",
            params![key.text, time_ms, key.comment],
        )?;
        if inserted == 0 && key.comment.is_some() {
            self.tx.execute(
                "UPDATE recipients SET comment = ?2 WHERE recipient = ?1 AND comment IS NULL",
                params![key.text, key.comment],
            )?;
        }
        Ok(inserted == 1)
    }

    fn remove_recipient(&mut self, text: &str) -> Result<()> {
        self.tx
            .execute("DELETE FROM recipients WHERE recipient = ?1", [text])?;
        Ok(())
    }

    fn list(&mut self) -> Result<Vec<SecretMeta>> {
        // Names are unique in any case, so this follows the unique index:
        // no sort step.
        let damaged = in_table(Table::Secrets);
        let mut stmt = self
            .tx
            .prepare(&format!("{SELECT_META} ORDER BY s.name COLLATE NOCASE"))
            .map_err(&damaged)?;
        let rows = stmt.query_map([], meta_from_row).map_err(&damaged)?;
        rows.collect::<rusqlite::Result<_>>().map_err(damaged)
    }

    fn find(&mut self, name: &str) -> Result<Option<SecretMeta>> {
        self.tx
            .prepare_cached(&format!("{SELECT_META} WHERE s.name = ?1 COLLATE NOCASE"))
            .and_then(|mut stmt| stmt.query_row([name], meta_from_row).optional())
            .map_err(in_table(Table::Secrets))
    }

    fn sealed(&mut self) -> Result<Vec<SealedSecret>> {
        let damaged = in_table(Table::Secrets);
        let mut stmt = self
            .tx
            .prepare("SELECT id, name, sealing, ciphertext FROM secrets")
            .map_err(&damaged)?;
        let mut rows = stmt.query([]).map_err(&damaged)?;
        let mut secrets = Vec::new();
        while let Some(row) = rows.next().map_err(&damaged)? {
            let sealing = row.get_ref(2).map_err(&damaged)?.as_str().ok();
            secrets.push(SealedSecret {
                id: row.get(0).map_err(&damaged)?,
                name: row.get(1).map_err(&damaged)?,
                sealing: parse_sealing(sealing)?,
                ciphertext: row.get(3).map_err(&damaged)?,
            });
        }
        Ok(secrets)
    }

    fn sealed_by_id(&mut self, id: &str) -> Result<(Sealing, Vec<u8>)> {
        let (sealing, ciphertext): (String, Vec<u8>) = self
            .tx
            .query_row(
                "SELECT sealing, ciphertext FROM secrets WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(in_table(Table::Secrets))?;
        Ok((parse_sealing(Some(&sealing))?, ciphertext))
    }

    fn has_secrets(&mut self) -> Result<bool> {
        self.tx
            .query_row("SELECT EXISTS (SELECT 1 FROM secrets)", [], |r| r.get(0))
            .map_err(in_table(Table::Secrets))
    }

    fn insert(&mut self, row: &NewRow<'_>) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO secrets
                     (id, name, ciphertext, sealing, description, create_time_ms, update_time_ms)
                 VALUES (?1, ?2, ?3, 'age', ?4, ?5, ?5)",
            )?
            .execute(params![
                row.id,
                row.name,
                row.ciphertext,
                row.description,
                row.time_ms
            ])
            .map_err(|e| match e.sqlite_error_code() {
                Some(ErrorCode::ConstraintViolation) => Failure::already_exists(row.name).into(),
                _ => anyhow::Error::new(e),
            })?;
        Ok(())
    }

    fn update_value(
        &mut self,
        id: &str,
        ciphertext: &[u8],
        time_ms: i64,
        description: Option<&str>,
    ) -> Result<()> {
        self.tx
            .prepare_cached(
                "UPDATE secrets SET ciphertext = ?2, sealing = 'age', update_time_ms = ?3,
                     description = COALESCE(?4, description)
                 WHERE id = ?1",
            )?
            .execute(params![id, ciphertext, time_ms, description])?;
        Ok(())
    }

    fn set_description(&mut self, id: &str, description: &str) -> Result<()> {
        self.tx.execute(
            "UPDATE secrets SET description = ?2 WHERE id = ?1",
            params![id, description],
        )?;
        Ok(())
    }

    fn reseal(&mut self, id: &str, sealing: Sealing, ciphertext: &[u8]) -> Result<()> {
        self.tx
            .prepare_cached("UPDATE secrets SET ciphertext = ?2, sealing = ?3 WHERE id = ?1")?
            .execute(params![id, ciphertext, sealing.as_str()])?;
        Ok(())
    }

    fn rename(&mut self, id: &str, name: &str, ciphertext: &[u8]) -> Result<()> {
        self.tx.execute(
            "UPDATE secrets SET name = ?2, ciphertext = ?3, sealing = 'key' WHERE id = ?1",
            params![id, name, ciphertext],
        )?;
        Ok(())
    }

    fn delete(&mut self, id: &str) -> Result<()> {
        self.tx.execute("DELETE FROM secrets WHERE id = ?1", [id])?;
        Ok(())
    }

    fn record(&mut self, event: &NewEvent<'_>) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO events (time_ms, action, names, program, detail, host)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                event.time_ms,
                event.action,
                event.names_json,
                event.program,
                event.detail,
                event.host
            ])?;
        Ok(())
    }

    fn events(&mut self) -> Result<Vec<StoredEvent>> {
        let damaged = in_table(Table::Events);
        let mut stmt = self
            .tx
            .prepare(
                "SELECT time_ms, action, names, program, detail, usage_id, host FROM events
                 ORDER BY time_ms, id",
            )
            .map_err(&damaged)?;
        let rows = stmt
            .query_map([], |r| {
                Ok(StoredEvent {
                    time_ms: r.get(0)?,
                    action: r.get(1)?,
                    names_json: r.get(2)?,
                    program: r.get(3)?,
                    detail: r.get(4)?,
                    usage_id: r.get(5)?,
                    host: r.get(6)?,
                })
            })
            .map_err(&damaged)?;
        rows.collect::<rusqlite::Result<_>>().map_err(damaged)
    }

    fn image(&mut self) -> Result<VaultImage> {
        let vault = self
            .tx
            .query_row(
                "SELECT vault_id, create_time_ms, data_key, all_used_time_ms, commitment
                 FROM vault",
                [],
                |r| {
                    Ok(VaultRow {
                        vault_id: r.get(0)?,
                        create_time_ms: r.get(1)?,
                        wrapped_key: r.get(2)?,
                        all_used_time_ms: r.get(3)?,
                        commitment: r.get(4)?,
                    })
                },
            )
            .map_err(in_table(Table::Vault))?;
        let damaged = in_table(Table::Recipients);
        let recipients = self
            .tx
            .prepare(
                "SELECT recipient, add_time_ms, comment FROM recipients
                 ORDER BY add_time_ms, recipient",
            )
            .and_then(|mut stmt| {
                stmt.query_map([], |r| {
                    Ok(RecipientRow {
                        recipient: r.get(0)?,
                        add_time_ms: r.get(1)?,
                        comment: r.get(2)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(damaged)?;
        let damaged = in_table(Table::Secrets);
        let mut stmt = self
            .tx
            .prepare(
                "SELECT id, name, ciphertext, sealing, description,
                        create_time_ms, update_time_ms, last_used_time_ms
                 FROM secrets ORDER BY name COLLATE NOCASE",
            )
            .map_err(&damaged)?;
        let mut rows = stmt.query([]).map_err(&damaged)?;
        let mut secrets = Vec::new();
        while let Some(row) = rows.next().map_err(&damaged)? {
            let sealing = row.get_ref(3).map_err(&damaged)?.as_str().ok();
            secrets.push(SecretRow {
                id: row.get(0).map_err(&damaged)?,
                name: row.get(1).map_err(&damaged)?,
                ciphertext: row.get(2).map_err(&damaged)?,
                sealing: parse_sealing(sealing)?,
                description: row.get(4).map_err(&damaged)?,
                create_time_ms: row.get(5).map_err(&damaged)?,
                update_time_ms: row.get(6).map_err(&damaged)?,
                last_used_time_ms: row.get(7).map_err(&damaged)?,
            });
        }
        drop(rows);
        drop(stmt);
        // In the order the log shows them: copied in it, they keep it.
        let mut events = self.events()?;
        for event in &mut events {
            // The usage journal's ids belong to the journal beside a file.
            event.usage_id = None;
        }
        Ok(VaultImage {
            vault,
            recipients,
            secrets,
            events,
        })
    }

    fn replace_with(&mut self, image: &VaultImage) -> Result<()> {
        self.tx.execute_batch(
            "DELETE FROM events;
             DELETE FROM secrets;
             DELETE FROM recipients;
             DELETE FROM vault;",
        )?;
        insert_image(&self.tx, image)
    }

    fn stamp(&self) -> Result<Option<Stamp>> {
        Ok(header_of(self.header_file, self.path)?.stamp)
    }

    fn commit(self: Box<Self>) -> Result<()> {
        let path = self.path;
        self.tx.commit().map_err(|e| explain(e, path))
    }
}

fn meta_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<SecretMeta> {
    Ok(SecretMeta {
        id: row.get(0)?,
        name: row.get(1)?,
        description: row.get(2)?,
        create_time_ms: row.get(3)?,
        update_time_ms: row.get(4)?,
        last_used_time_ms: row.get(5)?,
    })
}

fn parse_sealing(stored: Option<&str>) -> Result<Sealing> {
    stored
        .and_then(|s| Sealing::parse(s).ok())
        .ok_or_else(|| Damage::unexpected_row(Table::Secrets).into())
}

/// One run of the usage journal, recorded (see `SqliteStore::fold_runs`).
fn fold_run(tx: &rusqlite::Transaction<'_>, run: &Run) -> Result<()> {
    let every = run.is_every_secret();
    let names = if every {
        names_at(tx, run.time_ms)?
    } else {
        run.names.clone()
    };
    let added = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO events (time_ms, action, names, program, usage_id, host, detail)
             VALUES (?1, ?5, ?2, ?3, ?4, ?6, ?7)",
        )?
        .execute(params![
            run.time_ms,
            serde_json::to_string(&names)?,
            run.program(),
            run.id,
            run.action().as_str(),
            run.host,
            run.detail()
        ])?;
    if added == 0 {
        return Ok(());
    }
    if every {
        tx.execute(
            "UPDATE vault SET all_used_time_ms = MAX(COALESCE(all_used_time_ms, 0), ?1)",
            [run.time_ms],
        )?;
        return Ok(());
    }
    let mut stmt = tx.prepare_cached(
        "UPDATE secrets SET last_used_time_ms = MAX(COALESCE(last_used_time_ms, 0), ?1)
         WHERE name = ?2 AND create_time_ms <= ?1",
    )?;
    for name in &run.names {
        stmt.execute(params![run.time_ms, name])?;
    }
    Ok(())
}

/// The names of the secrets that existed at `time_ms` and still exist, by
/// name.
fn names_at(tx: &rusqlite::Transaction<'_>, time_ms: i64) -> Result<Vec<String>> {
    let mut stmt = tx.prepare_cached(
        "SELECT name FROM secrets WHERE create_time_ms <= ?1 ORDER BY name COLLATE NOCASE",
    )?;
    let names = stmt
        .query_map([time_ms], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(names)
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

/// Creates a vault at `path` whose rows `fill` writes, in the transaction
/// that builds its schema. Returns `false`, changing nothing, if something
/// already exists there.
///
/// The database is built under a temporary name and linked into place, so
/// a concurrent reader never sees a half-made vault, and a failure leaves
/// no file.
fn create_with(
    path: &Path,
    fill: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<()>,
) -> Result<bool> {
    if path.exists() {
        return Ok(false);
    }
    if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        files::create_private_dir(dir)?;
    }
    permissions::check_new_vault_directory(path)?;
    let temp = files::sibling_temp_path(path)?;
    let built = build_new(&temp, fill);
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

/// Builds a complete vault at `temp` (a fresh private file): the schema,
/// then the rows `fill` writes, in one transaction.
fn build_new(
    temp: &Path,
    fill: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<()>,
) -> Result<()> {
    // Pre-created 0600 so SQLite's journal copies that mode.
    files::create_private_file(temp)
        .with_context(|| format!("cannot create {}", temp.display()))?;
    configure_sqlite();
    let mut conn = Connection::open(temp)?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    apply_migrations(&tx)?;
    fill(&tx)?;
    tx.commit()?;
    conn.close().map_err(|(_, e)| e)?;
    Ok(())
}

/// Writes `image` into a vault whose tables are empty.
fn insert_image(conn: &Connection, image: &VaultImage) -> Result<()> {
    let vault = &image.vault;
    conn.execute(
        "INSERT INTO vault
             (singleton, vault_id, create_time_ms, data_key, all_used_time_ms, commitment)
         VALUES (1, ?1, ?2, ?3, ?4, ?5)",
        params![
            vault.vault_id,
            vault.create_time_ms,
            vault.wrapped_key,
            vault.all_used_time_ms,
            vault.commitment
        ],
    )?;
    let mut stmt = conn
        .prepare("INSERT INTO recipients (recipient, add_time_ms, comment) VALUES (?1, ?2, ?3)")?;
    for r in &image.recipients {
        stmt.execute(params![r.recipient, r.add_time_ms, r.comment])?;
    }
    let mut stmt = conn.prepare(
        "INSERT INTO secrets (id, name, ciphertext, sealing, description,
                              create_time_ms, update_time_ms, last_used_time_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for s in &image.secrets {
        stmt.execute(params![
            s.id,
            s.name,
            s.ciphertext,
            s.sealing.as_str(),
            s.description,
            s.create_time_ms,
            s.update_time_ms,
            s.last_used_time_ms
        ])?;
    }
    let mut stmt = conn.prepare(
        "INSERT INTO events (time_ms, action, names, program, detail, host)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for e in &image.events {
        stmt.execute(params![
            e.time_ms,
            e.action,
            e.names_json,
            e.program,
            e.detail,
            e.host
        ])?;
    }
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
pub(crate) fn explain(error: rusqlite::Error, path: &Path) -> anyhow::Error {
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
