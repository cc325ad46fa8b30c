//! What `exec`'s read path hands to `exec`: decrypted secrets, whichever
//! way they were read (`unseal`). Plain values, so that the snapshot and
//! the vault can both produce them without knowing each other.

use crate::value::SecretValue;

/// A decrypted secret, ready to inject.
pub struct Unsealed {
    pub name: String,
    pub value: SecretValue,
}

/// What `exec` chose to inject, decrypted.
pub struct Chosen {
    pub secrets: Vec<Unsealed>,
    /// Every secret of the vault was chosen (the journal then says `*`).
    pub everything: bool,
    /// The data key opened only with a retired key of the identity: the
    /// vault should be moved to the current key (`rekey`).
    pub opened_with_retired_key: bool,
    /// A PostgreSQL vault it was read from, still connected: the run is
    /// recorded there (`usage::PendingRun`). File vaults record runs in the
    /// usage journal beside them instead.
    pub connected: Option<Connected>,
}

/// A PostgreSQL vault `exec` read its secrets from, still connected.
pub struct Connected {
    pub(super) vault: super::Vault,
    /// When the secrets came from exec's cache: the vault id and version
    /// they were cached at, which the run's record checks (`StaleCache`).
    pub(super) cached_at: Option<(String, i64)>,
}

/// exec's cache of a PostgreSQL vault turned out stale as the run was
/// about to be recorded: nothing was recorded; read the vault again.
#[derive(Debug)]
pub struct StaleCache;

impl std::fmt::Display for StaleCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("exec's cache of the vault is out of date")
    }
}

impl std::error::Error for StaleCache {}
