//! `secrets vault copy`: a whole vault, as stored, from one place to another
//! (a file or a PostgreSQL schema, either way round).
//!
//! The rows move as they are: the vault id, the wrapped data key, the
//! commitment, the recipients, every sealed value with its times, and the
//! audit log. Values are sealed bound to the vault id and their names, so
//! the copy opens with the same identities; nothing is decrypted, and no
//! identity is read. Not for moving secrets between two vaults (values
//! would need resealing under the other vault's key).

use super::damage;
use super::db::Vault;
use super::events::{self, Action};
use super::location::Location;
use super::store::postgres::PgStore;
use super::store::sqlite::SqliteStore;
use super::store::{Rows, VaultImage};
use super::trust::Pins;
use crate::error::{FAILED, Failure};
use crate::output;
use anyhow::Result;
use std::os::unix::fs::MetadataExt;

/// What a copy moved.
pub struct Copied {
    pub secrets: usize,
    pub recipients: usize,
    /// The source's log entries (the destination's log also gains the
    /// copy's own entry).
    pub events: usize,
    /// The empty vault the copy replaced at the destination, if there was
    /// one.
    pub replaced: Option<Replaced>,
}

/// An empty vault that was at the destination, replaced by the copy.
pub struct Replaced {
    pub recipients: usize,
    pub events: usize,
}

/// Copies the vault at `source` to `destination`, all or nothing.
///
/// The source is opened as a command that writes it opens it (`Vault::open`):
/// a file vault's usage journal is folded in first, so the copy's log and
/// last-use times hold every `exec` run so far, through the one code path
/// that ever turns journal lines into rows.
///
/// The destination is either new (a missing file, built under a temporary
/// name and linked into place; a PostgreSQL schema without a vault, whose
/// tables are made in the transaction that fills them) or a vault that
/// holds no secrets, whose rows are replaced in one transaction. One that
/// holds any secret is refused untouched.
///
/// This machine's pin of the destination becomes the source's pin, or none
/// when the source has none: the copy is trusted exactly as its source is.
pub fn copy(source: &Location, destination: &Location) -> Result<Copied> {
    if same_place(source, destination) {
        return Err(Failure::usage(format!(
            "SOURCE and DEST are the same vault ({}); nothing was copied",
            source.shown()
        ))
        .with_hint("name a new file, or a PostgreSQL schema, as DEST")
        .into());
    }
    let mut image = read_image(source).map_err(|e| not_read(e, source))?;
    let source_pin = Pins::load()?.get(&source.pin_key()).cloned();
    let mut copied = Copied {
        secrets: image.secrets.len(),
        recipients: image.recipients.len(),
        events: image.events.len(),
        replaced: None,
    };
    image
        .events
        .push(events::stored_now(Action::VaultCopy, Some(&source.shown())));
    copied.replaced = write_image(destination, &image).map_err(|e| not_copied(e, destination))?;

    let mut pins = Pins::load()?;
    let key = destination.pin_key();
    match source_pin {
        Some(pin) => pins.set(&key, pin),
        None if pins.get(&key).is_some() => pins.forget(&key),
        None => {}
    }
    pins.save()?;
    Ok(copied)
}

/// Everything in the vault at `source`, in one read transaction.
fn read_image(source: &Location) -> Result<VaultImage> {
    let mut vault = Vault::open(source)?;
    let mut rows = vault.store.read_snapshot()?;
    let image = rows.image()?;
    rows.commit()?;
    Ok(image)
}

/// Writes `image` as the vault at `destination`: a new one, or in place of
/// an empty one (returned).
fn write_image(destination: &Location, image: &VaultImage) -> Result<Option<Replaced>> {
    let created = match destination {
        Location::File(path) => SqliteStore::create_from_image(path, image)?,
        Location::Postgres(target) => PgStore::create_from_image(target, image)?,
    };
    if created {
        return Ok(None);
    }
    // Something is there: a file that is not a vault is refused here,
    // untouched, and a vault is opened as for any write.
    let mut vault = Vault::open(destination)?;
    let mut rows = vault.store.write()?;
    refuse_if_holding_secrets(rows.as_mut(), destination)?;
    let replaced = Replaced {
        recipients: rows.recipients()?.len(),
        events: rows.events()?.len(),
    };
    rows.replace_with(image)?;
    rows.commit()?;
    vault.scrub();
    Ok(Some(replaced))
}

/// Refuses a destination vault that holds any secret (rolled back: the
/// transaction is dropped uncommitted).
fn refuse_if_holding_secrets(rows: &mut dyn Rows, destination: &Location) -> Result<()> {
    let held = rows.list()?.len();
    if held == 0 {
        return Ok(());
    }
    Err(Failure::new(
        FAILED,
        format!(
            "the vault at {} already holds {}; nothing was copied",
            destination.shown(),
            output::count(held, "secret")
        ),
    )
    .with_hint("copy to a file that does not exist yet, or a PostgreSQL schema with no vault")
    .into())
}

/// A failure to read the source, as the user reads it: damage named as the
/// source's, and a missing vault with a hint of what SOURCE must be (the
/// stores' hint is to create one there).
fn not_read(error: anyhow::Error, source: &Location) -> anyhow::Error {
    let shown = source.shown();
    let mut error = damage::explain(error, &shown);
    if let Some(failure) = error.downcast_mut::<Failure>()
        && (failure.message == format!("no vault at {shown}") || points_at_options(failure))
    {
        failure.hint = Some("SOURCE must be a vault: its file, or its PostgreSQL URL".to_owned());
    }
    error
}

/// Whether `failure`'s hint is about --vault, which `vault copy` does not
/// read: the stores' refusals (a file that is not a vault) say to point it
/// elsewhere.
fn points_at_options(failure: &Failure) -> bool {
    failure
        .hint
        .as_deref()
        .is_some_and(|hint| hint.contains("--vault"))
}

/// A failure to write the destination, as the user reads it: damage named
/// as the destination's, and every other error said to have copied nothing
/// (each write is one transaction, or a file not yet in place).
fn not_copied(error: anyhow::Error, destination: &Location) -> anyhow::Error {
    let shown = destination.shown();
    let mut error = damage::explain(error, &shown);
    if let Some(failure) = error.downcast_mut::<Failure>() {
        if points_at_options(failure) {
            failure.hint = Some(
                "DEST must be a file that does not exist yet, or a vault that holds no secrets"
                    .to_owned(),
            );
        } else if failure.hint.is_none() {
            failure.hint = Some(format!("nothing was copied; {shown} was left as it was"));
        }
        return error;
    }
    Failure::new(FAILED, format!("cannot copy to {shown}: {error:#}"))
        .with_hint(format!("nothing was copied; {shown} was left as it was"))
        .into()
}

/// Whether `a` and `b` name the same vault: the same file (through links
/// too), or the same PostgreSQL location.
fn same_place(a: &Location, b: &Location) -> bool {
    match (a, b) {
        (Location::File(x), Location::File(y)) => {
            match (std::fs::metadata(x), std::fs::metadata(y)) {
                (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
                _ => a.pin_key() == b.pin_key(),
            }
        }
        (Location::Postgres(_), Location::Postgres(_)) => a.pin_key() == b.pin_key(),
        _ => false,
    }
}
