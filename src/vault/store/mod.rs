//! Where a vault's rows live: one transaction interface (`Rows`) with two
//! implementations, the SQLite file (`sqlite`, the default) and a
//! PostgreSQL schema (`postgres`, a team's shared vault).
//!
//! A store moves sealed bytes and metadata only: it never sees a value or
//! a key, and knows nothing of crypto, caches or commands. Each store keeps
//! its own schema and migrations, and turns its database's errors into one
//! line naming the vault.

pub mod postgres;
pub mod sqlite;

use super::crypto::Sealing;
use super::header::Stamp;
use super::queries::{SealedSecret, SecretMeta};
use super::recipients::PublicKey;
use anyhow::Result;

/// The first state of a new vault: its id, one recipient, the data key
/// wrapped to it, and the commitment to both (`trust`).
pub struct NewVault<'a> {
    pub vault_id: &'a str,
    pub recipient: &'a str,
    pub wrapped_key: &'a [u8],
    pub commitment: &'a [u8],
}

/// A new row of `secrets`, sealed with age (writes hold only public keys).
pub struct NewRow<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub ciphertext: &'a [u8],
    pub description: Option<&'a str>,
    pub time_ms: i64,
}

/// A new row of the audit log.
pub struct NewEvent<'a> {
    pub time_ms: i64,
    pub action: &'a str,
    /// The names as the JSON list the log stores.
    pub names_json: &'a str,
    pub program: Option<&'a str>,
    pub detail: Option<&'a str>,
    pub host: Option<&'a str>,
}

/// A row of the audit log as stored, checked by `events` as it is read.
pub struct StoredEvent {
    pub time_ms: i64,
    pub action: String,
    pub names_json: String,
    pub program: Option<String>,
    pub detail: Option<String>,
    /// The id of the usage-journal line it came from (file vaults).
    pub usage_id: Option<String>,
    pub host: Option<String>,
}

/// Everything a vault holds, as stored: what `secrets vault copy` moves from
/// one store to another. Only sealed bytes and metadata, never a value or a
/// key: the values stay sealed to the vault id and their names, and the data
/// key stays wrapped to the recipients.
pub struct VaultImage {
    pub vault: VaultRow,
    /// In the order they were added.
    pub recipients: Vec<RecipientRow>,
    pub secrets: Vec<SecretRow>,
    /// The audit log, in the order `log` shows it. A file vault's usage
    /// journal ids are not kept: they belong to the journal beside it.
    pub events: Vec<StoredEvent>,
}

/// The one row of `vault`.
pub struct VaultRow {
    pub vault_id: String,
    pub create_time_ms: i64,
    pub wrapped_key: Option<Vec<u8>>,
    /// The last `exec` of every secret (each secret's own last use is in
    /// its row).
    pub all_used_time_ms: Option<i64>,
    pub commitment: Option<Vec<u8>>,
}

/// A row of `recipients`.
pub struct RecipientRow {
    pub recipient: String,
    pub add_time_ms: i64,
    pub comment: Option<String>,
}

/// A row of `secrets`, as stored (its own last use, not the one `list`
/// shows, which also counts the vault's last `exec` of every secret).
pub struct SecretRow {
    pub id: String,
    pub name: String,
    pub ciphertext: Vec<u8>,
    pub sealing: Sealing,
    pub description: Option<String>,
    pub create_time_ms: i64,
    pub update_time_ms: i64,
    pub last_used_time_ms: Option<i64>,
}

/// One transaction on a vault's rows: nothing written is kept unless
/// `commit` is called, and a write's reads see the state it writes over.
/// (A read-only one may let each statement see the latest state: see
/// `PgStore::read`.) Names match in any case, as the unique index does.
pub trait Rows {
    fn vault_id(&mut self) -> Result<String>;
    /// The data key, wrapped with age to the recipients.
    fn wrapped_key(&mut self) -> Result<Option<Vec<u8>>>;
    fn set_wrapped_key(&mut self, wrapped: &[u8]) -> Result<()>;
    /// The commitment to the recipients and data key (`trust`), if made.
    fn commitment(&mut self) -> Result<Option<Vec<u8>>>;
    fn set_commitment(&mut self, commitment: &[u8]) -> Result<()>;

    /// The recipients in the order they were added.
    fn recipients(&mut self) -> Result<Vec<PublicKey>>;
    /// Adds `key`; `false` if it was there (then a missing comment is set).
    fn add_recipient(&mut self, key: &PublicKey, time_ms: i64) -> Result<bool>;
    fn remove_recipient(&mut self, text: &str) -> Result<()>;

    /// Every secret's metadata, by name in any case.
    fn list(&mut self) -> Result<Vec<SecretMeta>>;
    fn find(&mut self, name: &str) -> Result<Option<SecretMeta>>;
    /// Every secret's sealed value, in no order.
    fn sealed(&mut self) -> Result<Vec<SealedSecret>>;
    fn sealed_by_id(&mut self, id: &str) -> Result<(Sealing, Vec<u8>)>;
    fn has_secrets(&mut self) -> Result<bool>;

    /// Adds a secret; a name taken in any case is `Failure::already_exists`.
    fn insert(&mut self, row: &NewRow<'_>) -> Result<()>;
    /// A new value (sealed with age), updated at `time_ms`, and the
    /// description when one is given.
    fn update_value(
        &mut self,
        id: &str,
        ciphertext: &[u8],
        time_ms: i64,
        description: Option<&str>,
    ) -> Result<()>;
    fn set_description(&mut self, id: &str, description: &str) -> Result<()>;
    /// The same value sealed another way (`exec`'s and rotation's reseals).
    fn reseal(&mut self, id: &str, sealing: Sealing, ciphertext: &[u8]) -> Result<()>;
    /// A new name, with the value sealed under the data key for it.
    fn rename(&mut self, id: &str, name: &str, ciphertext: &[u8]) -> Result<()>;
    fn delete(&mut self, id: &str) -> Result<()>;

    fn record(&mut self, event: &NewEvent<'_>) -> Result<()>;
    /// The whole log, oldest first.
    fn events(&mut self) -> Result<Vec<StoredEvent>>;

    /// Everything in the vault, as stored.
    fn image(&mut self) -> Result<VaultImage>;
    /// Replaces everything in the vault with `image` (its vault id, key,
    /// recipients, secrets and log: the rows of another vault).
    fn replace_with(&mut self, image: &VaultImage) -> Result<()>;

    /// The file's stamp as of this transaction, for exec's snapshot (file
    /// vaults only).
    fn stamp(&self) -> Result<Option<Stamp>> {
        Ok(None)
    }

    fn commit(self: Box<Self>) -> Result<()>;
}

/// An open connection to where a vault's rows live.
pub enum Store {
    Sqlite(sqlite::SqliteStore),
    Postgres(Box<postgres::PgStore>),
}

impl Store {
    /// A transaction that only reads.
    pub fn read(&mut self) -> Result<Box<dyn Rows + '_>> {
        match self {
            Store::Sqlite(store) => store.read(),
            Store::Postgres(store) => store.read(),
        }
    }

    /// A read in which every statement sees one state (`vault copy`).
    pub fn read_snapshot(&mut self) -> Result<Box<dyn Rows + '_>> {
        match self {
            Store::Sqlite(store) => store.read(),
            Store::Postgres(store) => store.read_snapshot(),
        }
    }

    /// `exec`'s read: every sealed value with what opening them needs, as
    /// one consistent state (a PostgreSQL vault reads it in one round trip).
    pub fn read_for_exec(&mut self) -> Result<Box<dyn Rows + '_>> {
        match self {
            Store::Sqlite(store) => store.read(),
            Store::Postgres(store) => store.read_for_exec(),
        }
    }

    /// A transaction that writes: writers queue one behind another.
    pub fn write(&mut self) -> Result<Box<dyn Rows + '_>> {
        match self {
            Store::Sqlite(store) => store.write(),
            Store::Postgres(store) => store.write(),
        }
    }
}
