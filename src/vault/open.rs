//! How commands open the vault: the database (`db`), with what is kept
//! beside it held in step. Every write, as it commits, removes exec's
//! snapshot, which a write makes stale; a command that writes folds the
//! usage journal first, and one that only reads leaves both files alone and
//! reads the journal's runs instead.
//!
//! Storage knows nothing of these files: this module decides.

use super::db::Vault;
use super::header;
use super::journal::Unfolded;
use super::location::Location;
use super::pg_connect::Target;
use super::snapshot;
use super::store::Store;
use super::store::postgres::PgStore;
use super::store::sqlite::Access;
use anyhow::Result;
use std::path::Path;
use std::sync::Arc;

impl Vault {
    /// Opens the vault at `path` for a command that writes it, which must
    /// exist and be a vault; migrates an older schema and folds `exec`'s
    /// usage journal in. A foreign or newer file is refused untouched.
    pub fn open(location: &Location) -> Result<Vault> {
        match location {
            Location::File(path) => {
                let mut vault = for_exec(path)?;
                vault.fold_usage()?;
                Ok(vault)
            }
            Location::Postgres(target) => open_postgres(target),
        }
    }

    /// Opens the vault at `path` for a command that only reads it: the file
    /// stays byte for byte as it was (so `exec`'s snapshot stays current),
    /// and the usage journal is read, not folded: its runs show in the last
    /// uses and the log as if they were. A vault that needs a one-time
    /// upgrade (an older schema, or the old WAL mode) gets it here as with
    /// `open`; it has no snapshot to keep.
    pub fn open_to_read(location: &Location) -> Result<Vault> {
        let path = match location {
            Location::File(path) => path,
            Location::Postgres(target) => return open_postgres(target),
        };
        // A vault others can change, or a file that is not a vault, is
        // refused before anything beside it is read. (No connection is
        // open yet, so closing this descriptor drops no SQLite lock.)
        // (A missing vault is reported by `connect`, with its hint.)
        if path.exists() {
            drop(header::open_header(path)?);
        }
        // Before the database: see `Unfolded::read`.
        let unfolded = Unfolded::read(path)?;
        let mut vault = Vault::connect_file(path, Access::ReadOnly, snapshot::discard)?;
        vault.unfolded = unfolded;
        Ok(vault)
    }
}

impl Vault {
    /// Opens a PostgreSQL vault for `exec`, whose read is made as it
    /// connects (`PgStore::connect_for_exec`); a file vault as `open` does.
    pub(super) fn open_for_exec(location: &Location) -> Result<Vault> {
        let Location::Postgres(target) = location else {
            return Vault::open(location);
        };
        let store = PgStore::connect_for_exec(target)?;
        Vault::over(
            Store::Postgres(Box::new(store)),
            Location::Postgres(Arc::clone(target)),
        )
    }
}

/// A vault in PostgreSQL: no files beside it, and every command's reads
/// and writes are transactions of the server's.
fn open_postgres(target: &Arc<Target>) -> Result<Vault> {
    let store = PgStore::connect(target)?;
    Vault::over(
        Store::Postgres(Box::new(store)),
        Location::Postgres(Arc::clone(target)),
    )
}

/// Like `Vault::open`, without folding the usage journal: `exec` only
/// appends to it, and never writes the database unless it reseals.
pub(super) fn for_exec(path: &Path) -> Result<Vault> {
    Vault::connect_file(path, Access::ReadWrite, snapshot::discard)
}
