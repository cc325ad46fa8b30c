//! The vault's schema: the steps from an empty file to the tables this
//! build reads and writes, applied in order inside one write transaction
//! (`PRAGMA user_version` counts those applied).
//!
//! Not for reading or writing secrets (`queries`, `db`).

use super::crypto::DataKey;
use super::crypto::parse_recipients;
use anyhow::{Context, Result};
use rusqlite::{Connection, OptionalExtension};

/// Marks a SQLite file as ours (`PRAGMA application_id`, "SCRT").
pub(super) const APPLICATION_ID: i32 = 0x5343_5254;

/// One schema step: SQL, then an optional step that needs Rust (crypto).
struct Migration {
    sql: &'static str,
    then: Option<fn(&rusqlite::Transaction<'_>) -> Result<()>>,
}

/// Schema steps; `user_version` is the number applied. Never edit a step
/// that has shipped: add one.
const MIGRATIONS: &[Migration] = &[
    // 1: secrets encrypted one by one with age to the stored recipients.
    Migration {
        sql: "CREATE TABLE vault (
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
        then: None,
    },
    // 2: a per-vault data key (age-encrypted to the recipients) that seals
    // values, so exec needs one age decryption. Existing rows stay `age`
    // until exec reseals them.
    Migration {
        sql: "ALTER TABLE vault ADD COLUMN data_key BLOB;
              ALTER TABLE vault ADD COLUMN all_used_time_ms INTEGER;
              ALTER TABLE secrets ADD COLUMN sealing TEXT NOT NULL DEFAULT 'age'
                  CHECK (sealing IN ('age', 'key'));",
        then: Some(ensure_data_key),
    },
    // 3: the audit log.
    Migration {
        sql: "CREATE TABLE events (
                  id INTEGER PRIMARY KEY,
                  time_ms INTEGER NOT NULL,
                  action TEXT NOT NULL,
                  names TEXT NOT NULL,
                  program TEXT,
                  detail TEXT
              );",
        then: None,
    },
    // 4: exec's runs arrive from the usage journal, each with an id so that
    // folding it twice records it once.
    Migration {
        sql: "ALTER TABLE events ADD COLUMN usage_id TEXT;
              CREATE UNIQUE INDEX events_usage_id ON events (usage_id);",
        then: None,
    },
    // 5: an ssh key's comment (`me@laptop`), which the canonical key text
    // drops, so that `recipients list` can say whose key it is.
    Migration {
        sql: "ALTER TABLE recipients ADD COLUMN comment TEXT;",
        then: None,
    },
    // 6: which machine did it (several Devboxes may share a vault).
    Migration {
        sql: "ALTER TABLE events ADD COLUMN host TEXT;",
        then: None,
    },
    // 7: a commitment to the recipients and the data key that only a holder
    // of the key can make (`trust`). Versions before it would change the
    // recipients without renewing it: this step makes them refuse the vault.
    Migration {
        sql: "ALTER TABLE vault ADD COLUMN commitment BLOB;",
        then: None,
    },
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Gives the vault a data key, encrypted to its recipients, if it has none
/// (a new vault, or one migrated from schema 1). Needs no identity.
pub(super) fn ensure_data_key(tx: &rusqlite::Transaction<'_>) -> Result<()> {
    let row: Option<(String, Option<Vec<u8>>)> = tx
        .query_row("SELECT vault_id, data_key FROM vault", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    let Some((vault_id, None)) = row else {
        return Ok(());
    };
    let texts = {
        let mut stmt = tx.prepare("SELECT recipient FROM recipients ORDER BY recipient")?;
        stmt.query_map([], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?
    };
    let wrapped = DataKey::generate()?.wrap(&parse_recipients(&texts)?, &vault_id)?;
    tx.execute("UPDATE vault SET data_key = ?1", [wrapped])?;
    Ok(())
}

/// Runs the schema steps not yet applied, inside the caller's transaction.
pub(super) fn apply_migrations(tx: &rusqlite::Transaction<'_>) -> Result<()> {
    let from = user_version(tx)?;
    for (index, step) in MIGRATIONS.iter().enumerate().skip(from as usize) {
        let upgrading = || format!("cannot upgrade the vault to schema {}", index + 1);
        tx.execute_batch(step.sql).with_context(upgrading)?;
        if let Some(then) = step.then {
            then(tx).with_context(upgrading)?;
        }
        tx.pragma_update(None, "user_version", index as i64 + 1)?;
    }
    tx.pragma_update(None, "application_id", APPLICATION_ID)?;
    Ok(())
}

fn user_version(conn: &Connection) -> Result<i64> {
    Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
}
