//! Where a vault is: a SQLite file (the default) or a schema of a
//! PostgreSQL database (`--vault postgres://...`), as the user named it.

use super::pg_connect::{self, Target};
use anyhow::Result;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A vault's place.
#[derive(Clone)]
pub enum Location {
    File(PathBuf),
    /// Shared: its password is never copied.
    Postgres(Arc<Target>),
}

impl Location {
    /// The place `given` names: a `postgres://` or `postgresql://` URL, else
    /// a file path.
    pub fn parse(given: OsString) -> Result<Location> {
        match given.to_str() {
            Some(text) if pg_connect::is_postgres_url(text) => {
                Ok(Location::Postgres(Arc::new(Target::parse(text)?)))
            }
            _ => Ok(Location::File(PathBuf::from(given))),
        }
    }

    /// How messages name it: the path, or the URL without its password.
    pub fn shown(&self) -> String {
        match self {
            Location::File(path) => path.display().to_string(),
            Location::Postgres(target) => target.shown(),
        }
    }

    /// Whether the vault is known to exist: a file vault's file is there.
    /// A PostgreSQL vault is assumed to (opening it tells), so that a
    /// mistyped URL is never taken for a place to create a new vault.
    pub fn exists(&self) -> bool {
        match self {
            Location::File(path) => path.exists(),
            Location::Postgres(_) => true,
        }
    }

    /// The key of the vault's pin (`trust`): a file vault's absolute path,
    /// with links resolved when it exists; a PostgreSQL vault's location
    /// without credentials.
    pub fn pin_key(&self) -> String {
        match self {
            Location::File(path) => std::fs::canonicalize(path)
                .or_else(|_| std::path::absolute(path))
                .unwrap_or_else(|_| path.clone())
                .display()
                .to_string(),
            Location::Postgres(target) => target.location_key(),
        }
    }

    /// The file, for a file vault.
    pub fn file(&self) -> Option<&Path> {
        match self {
            Location::File(path) => Some(path),
            Location::Postgres(_) => None,
        }
    }
}
