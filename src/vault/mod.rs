//! The vault: SQLite storage (`db`), age encryption of values (`crypto`) and
//! the user's key file (`identity`).

pub mod crypto;
pub mod damage;
pub mod db;
pub mod events;
pub mod identity;
pub mod import;
pub mod journal;
mod permissions;
pub mod recipients;
pub mod rename;
pub mod snapshot;
pub mod usage;

pub use db::{Chosen, NewSecret, SealedSecret, SecretMeta, Unsealed, Vault};
pub use identity::Identity;
