//! The vault: SQLite storage (`db`, over `header`, `schema` and `queries`),
//! how commands open it with the files kept beside it in step (`open`:
//! exec's `snapshot`, the usage `journal`), exec's read path (`unseal`),
//! age encryption of values (`crypto`) and the user's key file (`identity`).

pub mod copy;
pub mod crypto;
pub mod damage;
pub mod db;
pub mod events;
pub mod header;
pub mod identity;
pub mod import;
pub mod journal;
pub mod location;
mod open;
mod permissions;
pub mod pg_connect;
pub mod queries;
pub mod recipients;
pub mod rename;
pub mod schema;
pub mod snapshot;
pub mod store;
pub mod trust;
pub mod trusted;
pub mod unseal;
pub mod unsealed;
pub mod usage;

pub use db::{NewSecret, Vault};
pub use identity::Identity;
pub use queries::{SealedSecret, SecretMeta};
pub use unsealed::{Chosen, Unsealed};
