//! The vault file: one SQLite database, its schema and migrations, and every
//! read and write of secrets.
//!
//! Each write is one `BEGIN IMMEDIATE` transaction under a busy timeout, so
//! concurrent `secrets` processes queue instead of failing. Values arrive
//! here already as plaintext only long enough to be sealed by `crypto`.

use super::crypto;
use crate::clock;
use crate::error::Failure;
use crate::files;
use crate::name::SecretName;
use crate::random;
use crate::value::SecretValue;
use anyhow::{Context, Result, anyhow};
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Marks a SQLite file as ours (`PRAGMA application_id`, "SCRT").
const APPLICATION_ID: i32 = 0x5343_5254;

/// How long a command waits for another one's write before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Schema steps; `user_version` is the number applied. Never edit a step
/// that has shipped: add one.
const MIGRATIONS: &[&str] = &[
    // 1: secrets encrypted one by one with age to the stored recipients.
    "CREATE TABLE vault (
         singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
         vault_id TEXT NOT NULL,
         create_time_ms INTEGER NOT NULL
     );
     CREATE TABLE recipients (
         recipient TEXT PRIMARY KEY,
         add_time_ms INTEGER NOT NULL
     );
     CREATE TABLE secrets (
         id TEXT PRIMARY KEY,
         name TEXT NOT NULL,
         ciphertext BLOB NOT NULL,
         description TEXT,
         create_time_ms INTEGER NOT NULL,
         update_time_ms INTEGER NOT NULL,
         last_used_time_ms INTEGER
     );
     CREATE UNIQUE INDEX secrets_name ON secrets (name COLLATE NOCASE);",
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// A secret's metadata, shaped like the Devbox service's Secret object.
/// Never holds the value.
#[derive(Debug, Clone, Serialize)]
pub struct SecretMeta {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub create_time_ms: i64,
    pub update_time_ms: i64,
    pub last_used_time_ms: Option<i64>,
}

/// A stored secret as `exec` needs it: its id, stored name and ciphertext.
pub struct SealedSecret {
    pub id: String,
    pub name: String,
    pub ciphertext: Vec<u8>,
}

/// An open vault.
pub struct Vault {
    conn: Connection,
    path: PathBuf,
    vault_id: String,
}

impl Vault {
    /// Opens the vault at `path`, which must exist and be a vault; migrates
    /// an older schema. A foreign or newer file is refused untouched.
    pub fn open(path: &Path) -> Result<Vault> {
        if !path.exists() {
            return Err(Failure::new(1, format!("no vault at {}", path.display()))
                .with_hint(
                    "run `secrets init` to create one, or point --vault or SECRETS_VAULT at yours",
                )
                .into());
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| explain(e, path))?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // Read-only checks first: nothing may be written to a file that is
        // not ours, or not ours yet.
        check_is_vault(&conn, path)?;
        let mut vault = Vault {
            conn,
            path: path.to_owned(),
            vault_id: String::new(),
        };
        vault.configure()?;
        vault.migrate()?;
        vault.vault_id = vault
            .conn
            .query_row("SELECT vault_id FROM vault", [], |r| r.get(0))
            .map_err(|e| explain(e, path))?;
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

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every secret's metadata, sorted by name.
    pub fn list(&self) -> Result<Vec<SecretMeta>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, name, description, create_time_ms, update_time_ms, last_used_time_ms
             FROM secrets ORDER BY name COLLATE NOCASE, name",
        )?;
        let rows = stmt.query_map([], meta_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The secret whose name matches `name` in any case.
    pub fn find(&self, name: &str) -> Result<Option<SecretMeta>> {
        find_meta(&self.conn, name)
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
    pub fn insert(
        &mut self,
        name: &SecretName,
        description: Option<&str>,
        value: &SecretValue,
    ) -> Result<SecretMeta> {
        let tx = begin_write(&mut self.conn, &self.path)?;
        if let Some(existing) = find_meta(&tx, name.as_str())? {
            return Err(Failure::already_exists(&existing.name).into());
        }
        let ciphertext = crypto::seal(&recipients(&tx)?, &self.vault_id, name.as_str(), value)?;
        let now = clock::now_ms();
        let id = random::secret_id()?;
        tx.execute(
            "INSERT INTO secrets (id, name, ciphertext, description, create_time_ms, update_time_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
            params![id, name.as_str(), ciphertext, description, now],
        )?;
        let meta = find_meta(&tx, name.as_str())?.context("the new secret vanished")?;
        tx.commit()?;
        Ok(meta)
    }

    /// Replaces the value of the secret matching `name` (any case), and its
    /// description when one is given.
    pub fn update(
        &mut self,
        name: &str,
        description: Option<&str>,
        value: &SecretValue,
    ) -> Result<SecretMeta> {
        let tx = begin_write(&mut self.conn, &self.path)?;
        let Some(existing) = find_meta(&tx, name)? else {
            return Err(Failure::not_found(name)
                .with_hint(format!("to add it: secrets create {name}"))
                .into());
        };
        // Sealed under the stored spelling: that is what exec will check.
        let ciphertext = crypto::seal(&recipients(&tx)?, &self.vault_id, &existing.name, value)?;
        tx.execute(
            "UPDATE secrets SET ciphertext = ?2, update_time_ms = ?3,
                 description = COALESCE(?4, description)
             WHERE id = ?1",
            params![existing.id, ciphertext, clock::now_ms(), description],
        )?;
        let meta = find_meta(&tx, &existing.name)?.context("the secret vanished")?;
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
        tx.commit()?;
        self.scrub_wal();
        Ok(deleted)
    }

    /// Every secret with its ciphertext, for `exec`.
    pub fn sealed_secrets(&self) -> Result<Vec<SealedSecret>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, name, ciphertext FROM secrets ORDER BY name")?;
        let rows = stmt.query_map([], |r| {
            Ok(SealedSecret {
                id: r.get(0)?,
                name: r.get(1)?,
                ciphertext: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Opens a sealed secret of this vault with `identity`'s keys.
    pub fn unseal(
        &self,
        identities: &[&dyn age::Identity],
        secret: &SealedSecret,
    ) -> Result<SecretValue> {
        crypto::open(identities, &self.vault_id, &secret.name, &secret.ciphertext)
    }

    /// Records that `exec` injected the secrets with these ids, now.
    pub fn mark_used(&mut self, ids: &[&str]) -> Result<()> {
        let tx = begin_write(&mut self.conn, &self.path)?;
        {
            let mut stmt = tx.prepare("UPDATE secrets SET last_used_time_ms = ?1 WHERE id = ?2")?;
            let now = clock::now_ms();
            for id in ids {
                stmt.execute(params![now, id])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn configure(&self) -> Result<()> {
        let mode: String = self
            .conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
            .map_err(|e| explain(e, &self.path))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(anyhow!("cannot switch {} to WAL mode", self.path.display()));
        }
        self.conn.pragma_update(None, "secure_delete", "ON")?;
        Ok(())
    }

    fn migrate(&mut self) -> Result<()> {
        if user_version(&self.conn)? >= SCHEMA_VERSION {
            return Ok(());
        }
        let tx = begin_write(&mut self.conn, &self.path)?;
        apply_migrations(&tx)?;
        tx.commit()?;
        Ok(())
    }

    /// `secure_delete` overwrites freed pages only once the WAL is written
    /// back into the main file; best effort, readers may hold it.
    fn scrub_wal(&self) {
        let _ = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
    }
}

/// Starts a write: `BEGIN IMMEDIATE` takes the write lock up front, so two
/// writers queue on the busy timeout instead of deadlocking mid-transaction.
fn begin_write<'c>(conn: &'c mut Connection, path: &Path) -> Result<rusqlite::Transaction<'c>> {
    conn.transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(|e| explain(e, path))
}

/// Builds a complete, empty vault at `temp` (a fresh private file).
fn build_new(temp: &Path, recipient: &str) -> Result<()> {
    // Pre-created 0600 so SQLite's -wal and -shm files copy that mode.
    files::create_private_file(temp)
        .with_context(|| format!("cannot create {}", temp.display()))?;
    let mut conn = Connection::open(temp)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
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
    tx.commit()?;
    // Closing checkpoints the WAL into the file and removes it.
    conn.close().map_err(|(_, e)| e)?;
    Ok(())
}

/// Runs the schema steps not yet applied, inside the caller's transaction.
fn apply_migrations(tx: &rusqlite::Transaction<'_>) -> Result<()> {
    let from = user_version(tx)?;
    for (index, step) in MIGRATIONS.iter().enumerate().skip(from as usize) {
        tx.execute_batch(step)
            .with_context(|| format!("cannot upgrade the vault to schema {}", index + 1))?;
        tx.pragma_update(None, "user_version", index as i64 + 1)?;
    }
    tx.pragma_update(None, "application_id", APPLICATION_ID)?;
    Ok(())
}

/// Refuses, without writing, a file that is not a vault of a known version.
fn check_is_vault(conn: &Connection, path: &Path) -> Result<()> {
    let not_a_vault = |what: &str| {
        Failure::new(
            1,
            format!(
                "{} is not a secrets vault ({what}); it was left untouched",
                path.display()
            ),
        )
        .with_hint("point --vault or SECRETS_VAULT at a vault, or move that file away")
    };
    let application_id: i32 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .map_err(|e| match e.sqlite_error_code() {
            Some(ErrorCode::NotADatabase) => not_a_vault("not an SQLite database").into(),
            _ => explain(e, path),
        })?;
    if std::fs::metadata(path)
        .map(|m| m.len() == 0)
        .unwrap_or(false)
    {
        return Err(not_a_vault("an empty file").into());
    }
    if application_id != APPLICATION_ID {
        return Err(not_a_vault("another application's SQLite database").into());
    }
    let version = user_version(conn)?;
    if version > SCHEMA_VERSION {
        return Err(Failure::new(
            1,
            format!(
                "the vault at {} was written by a newer version of secrets (schema {version}; \
                 this one knows up to {SCHEMA_VERSION}); it was left untouched",
                path.display()
            ),
        )
        .with_hint("install the newer secrets to use this vault")
        .into());
    }
    Ok(())
}

fn user_version(conn: &Connection) -> Result<i64> {
    Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
}

fn recipients(conn: &Connection) -> Result<Vec<Box<dyn age::Recipient + Send>>> {
    let mut stmt = conn.prepare("SELECT recipient FROM recipients ORDER BY recipient")?;
    let texts = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    if texts.is_empty() {
        return Err(anyhow!("the vault has no recipients to encrypt to"));
    }
    texts.iter().map(|t| crypto::parse_recipient(t)).collect()
}

fn find_meta(conn: &Connection, name: &str) -> Result<Option<SecretMeta>> {
    Ok(conn
        .query_row(
            "SELECT id, name, description, create_time_ms, update_time_ms, last_used_time_ms
             FROM secrets WHERE name = ?1 COLLATE NOCASE",
            [name],
            meta_from_row,
        )
        .optional()?)
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

/// Turns SQLite's error codes into one line that names the file.
fn explain(error: rusqlite::Error, path: &Path) -> anyhow::Error {
    let shown = path.display();
    match error.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => Failure::new(
            1,
            format!("the vault at {shown} is locked by another process"),
        )
        .with_hint("try again when the other secrets command has finished")
        .into(),
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => Failure::new(
            1,
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
