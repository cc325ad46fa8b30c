//! The vault: SQLite storage (`db`), age encryption of values (`crypto`) and
//! the user's key file (`identity`).

pub mod crypto;
pub mod damage;
pub mod db;
pub mod events;
mod header;
pub mod identity;
pub mod import;
pub mod journal;
mod permissions;
pub mod queries;
pub mod recipients;
pub mod rename;
pub mod schema;
pub mod snapshot;
pub mod usage;

pub use db::{Chosen, NewSecret, Unsealed, Vault};
pub use identity::Identity;
pub use queries::{SealedSecret, SecretMeta};
