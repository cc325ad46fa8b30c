//! What every command reads of a vault's rows, whatever the store: a
//! secret's metadata, the sealed values, the recipients to encrypt to.

use super::crypto::{self, Sealing};
use super::damage::{Damage, TimeField};
use super::store::Rows;
use crate::clock;
use anyhow::{Result, anyhow};
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

/// A stored secret as `exec` needs it: its id, stored name and sealed value.
pub struct SealedSecret {
    pub(super) id: String,
    pub name: String,
    pub(super) sealing: Sealing,
    pub(super) ciphertext: Vec<u8>,
}

/// The stored recipients, parsed to encrypt to; never none.
pub(super) fn recipients(rows: &mut dyn Rows) -> Result<Vec<Box<dyn age::Recipient + Send>>> {
    crypto::parse_recipients(&recipient_texts(rows)?)
}

/// The stored recipients' texts; never none.
pub(super) fn recipient_texts(rows: &mut dyn Rows) -> Result<Vec<String>> {
    let texts: Vec<String> = rows.recipients()?.into_iter().map(|k| k.text).collect();
    if texts.is_empty() {
        return Err(anyhow!("the vault has no recipients to encrypt to"));
    }
    Ok(texts)
}
