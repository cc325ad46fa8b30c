//! The reads of rows every command shares: a secret's metadata, the sealed
//! values, the recipients. Each names the table it reads, so that SQLite's
//! words for a damaged row become `damage`'s one sentence.

use super::crypto::{self, Sealing};
use super::damage::{Damage, Table, TimeField, in_table};
use crate::clock;
use anyhow::{Result, anyhow};
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

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

impl SecretMeta {
    /// Refuses times no clock could have written (see `clock::is_plausible`),
    /// which would print as dates millions of years away: the row is damaged.
    pub fn check_times(&self) -> Result<(), Damage> {
        let times = [
            (Some(self.create_time_ms), TimeField::Created),
            (Some(self.update_time_ms), TimeField::Updated),
            (self.last_used_time_ms, TimeField::LastUsed),
        ];
        for (time, field) in times {
            if time.is_some_and(|ms| !clock::is_plausible(ms)) {
                return Err(Damage::time_out_of_range(Some(&self.name), field));
            }
        }
        Ok(())
    }
}

/// A stored secret as `exec` needs it: its row, stored name and sealed value.
pub struct SealedSecret {
    pub(super) rowid: i64,
    pub name: String,
    pub(super) sealing: Sealing,
    pub(super) ciphertext: Vec<u8>,
}

pub(super) fn recipients(conn: &Connection) -> Result<Vec<Box<dyn age::Recipient + Send>>> {
    recipient_texts(conn)?
        .iter()
        .map(|t| crypto::parse_recipient(t))
        .collect()
}

/// The stored recipients' texts; never none.
pub(super) fn recipient_texts(conn: &Connection) -> Result<Vec<String>> {
    let damaged = in_table(Table::Recipients);
    let mut stmt = conn
        .prepare("SELECT recipient FROM recipients ORDER BY recipient")
        .map_err(&damaged)?;
    let texts = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .map_err(&damaged)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(damaged)?;
    if texts.is_empty() {
        return Err(anyhow!("the vault has no recipients to encrypt to"));
    }
    Ok(texts)
}

/// Metadata columns in `meta_from_row`'s order. A secret's last use is the
/// later of its own and the vault's last "exec of every secret", if it
/// existed by then.
pub(super) const SELECT_META: &str = "
    SELECT s.id, s.name, s.description, s.create_time_ms, s.update_time_ms,
           CASE WHEN v.all_used_time_ms >= s.create_time_ms
                 AND v.all_used_time_ms > COALESCE(s.last_used_time_ms, 0)
                THEN v.all_used_time_ms ELSE s.last_used_time_ms END
    FROM secrets s CROSS JOIN vault v";

pub(super) fn find_meta(conn: &Connection, name: &str) -> Result<Option<SecretMeta>> {
    conn.query_row(
        &format!("{SELECT_META} WHERE s.name = ?1 COLLATE NOCASE"),
        [name],
        meta_from_row,
    )
    .optional()
    .map_err(in_table(Table::Secrets))
}

pub(super) fn meta_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<SecretMeta> {
    Ok(SecretMeta {
        id: row.get(0)?,
        name: row.get(1)?,
        description: row.get(2)?,
        create_time_ms: row.get(3)?,
        update_time_ms: row.get(4)?,
        last_used_time_ms: row.get(5)?,
    })
}

/// Every secret with its sealed value, by name.
pub(super) fn read_sealed(tx: &rusqlite::Transaction<'_>) -> Result<Vec<SealedSecret>> {
    // Unordered: the environment has no order, and sorting 10,000 names
    // costs more than reading them.
    let damaged = in_table(Table::Secrets);
    let mut stmt = tx
        .prepare("SELECT rowid, name, sealing, ciphertext FROM secrets")
        .map_err(&damaged)?;
    let mut rows = stmt.query([]).map_err(&damaged)?;
    let mut secrets = Vec::new();
    while let Some(row) = rows.next().map_err(&damaged)? {
        let sealing = row.get_ref(2).map_err(&damaged)?.as_str().ok();
        secrets.push(SealedSecret {
            rowid: row.get(0).map_err(&damaged)?,
            name: row.get(1).map_err(&damaged)?,
            sealing: sealing
                .and_then(|s| Sealing::parse(s).ok())
                .ok_or_else(|| Damage::unexpected_row(Table::Secrets))?,
            ciphertext: row.get(3).map_err(&damaged)?,
        });
    }
    Ok(secrets)
}
