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
    pub connected: Option<super::Vault>,
}
