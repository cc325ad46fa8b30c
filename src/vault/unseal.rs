//! `exec`'s read path, in one place: the chosen secrets, decrypted, from
//! exec's snapshot of the vault when it is current (no SQLite, one message
//! to open), else from the vault itself, which then leaves a new snapshot.
//! The caller does not know which; either way it gets the same names and
//! values. Recording the run is a separate step (`usage::PendingRun`),
//! taken only once the program starts.
//!
//! Not for writes: those go through `Vault`, whose commits remove the
//! snapshot (`open`).

use super::crypto::{self, DataKey, OpenedWith, Sealing};
use super::db::Vault;
use super::header::{self, Stamp};
use super::identity::Identity;
use super::location::Location;
use super::open;
use super::pg_connect::Target;
use super::queries::SealedSecret;
use super::snapshot::{self, Snapshot};
use super::store::Store;
use super::store::postgres::PgStore;
use super::trusted;
use super::unsealed::{Chosen, Connected, Unsealed};
use super::usage;
use crate::value::SecretValue;
use anyhow::{Context, Result, anyhow};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// From this many values on, `exec` opens them on several threads.
const PARALLEL_OPEN_MIN: usize = 512;

/// From this many rows sealed with age only (written by `create`, `update`
/// or `import`, which hold only the public key), `exec` reseals them under
/// the data key in a write transaction. Fewer are opened with age on each
/// read (one X25519 agreement apiece), which costs less than a write's disk
/// syncs: the first `exec` after an ordinary update stays a read, and leaves
/// its snapshot.
pub const RESEAL_FROM: usize = 8;

/// The secrets of the vault at `vault` that `choose` picks among its names,
/// decrypted with the identity at `identity`: from the snapshot when it is
/// current and opens, else from the vault. A large usage journal is folded
/// first (a write: the vault is read, and a new snapshot left, after it).
///
/// A PostgreSQL vault's secrets come from exec's cache of it (`snapshot`,
/// in the user's cache directory) unless `fresh`: its version is checked as
/// the run is recorded, and a stale cache makes that fail with
/// `StaleCache`, for the caller to come back with `fresh`.
pub fn for_exec(
    location: &Location,
    identity: &Path,
    choose: impl Fn(&[&str]) -> Result<Vec<usize>>,
    fresh: bool,
) -> Result<Chosen> {
    let vault = match location {
        Location::File(path) => path,
        Location::Postgres(target) => {
            if !fresh && let Some(chosen) = from_cache(location, target, identity, &choose)? {
                return Ok(chosen);
            }
            return from_postgres(location, identity, choose);
        }
    };
    if usage::journal_is_large(vault) {
        // Best effort: the next command that writes folds it.
        let _ = Vault::open(location);
    }
    let mut loaded = None;
    if let Some(stamp) = header::current_stamp(vault)
        && let Some(snapshot) = Snapshot::load(vault, stamp)?
    {
        // A snapshot always holds secrets: the identity is needed.
        let identity = loaded.insert(Identity::load(identity)?);
        match snapshot.open(identity) {
            // Current and authentic: its names are the vault's, so an
            // unknown --only name is reported from it as well.
            Some(every) => return choose_among(every, &choose),
            // Damaged, or sealed for another identity: the vault decides.
            None => snapshot::discard(vault),
        }
    }
    let mut opened = open::for_exec(vault)?;
    // Loaded before the vault is locked: unlocking it may mean a prompt,
    // and writers must not wait on a person.
    if loaded.is_none() && opened.has_secrets()? {
        loaded = Some(Identity::load(identity)?);
    }
    opened.unseal_for_exec(loaded.as_ref(), choose)
}

/// `for_exec` for a PostgreSQL vault, from the server: one read, made as
/// it connects (before the identity is loaded, as a file vault is found
/// first: a missing vault is what to report first), which leaves exec's
/// cache. The vault stays connected in the result, to record the run.
fn from_postgres(
    location: &Location,
    identity: &Path,
    choose: impl Fn(&[&str]) -> Result<Vec<usize>>,
) -> Result<Chosen> {
    let mut vault = Vault::open_for_exec(location)?;
    // As for a vault file: an empty vault's exec needs no identity.
    let identity = match Identity::load(identity) {
        Ok(identity) => Some(identity),
        Err(_) if !vault.has_secrets()? => None,
        Err(error) => return Err(error),
    };
    let mut chosen = vault.unseal_for_exec(identity.as_ref(), choose)?;
    chosen.connected = Some(Connected {
        vault,
        cached_at: None,
    });
    Ok(chosen)
}

/// `for_exec` for a PostgreSQL vault from exec's cache of it, if there is
/// one that opens with the identity and `choose` accepts (a name it does
/// not know may be newer than the cache: the server decides then). The
/// vault is connected, but not read: recording the run checks the cache.
fn from_cache(
    location: &Location,
    target: &Arc<Target>,
    identity: &Path,
    choose: &impl Fn(&[&str]) -> Result<Vec<usize>>,
) -> Result<Option<Chosen>> {
    let Some(cache) = snapshot::cache_path(&location.pin_key()) else {
        return Ok(None);
    };
    let Some((stamp, snapshot)) = Snapshot::load_file(&cache)? else {
        return Ok(None);
    };
    let identity = Identity::load(identity)?;
    let Some(every) = snapshot.open(&identity) else {
        let _ = std::fs::remove_file(&cache);
        return Ok(None);
    };
    let Ok(mut chosen) = choose_among(every, choose) else {
        return Ok(None);
    };
    let store = PgStore::connect_only(target, snapshot.vault_id())?;
    let vault = Vault::over(Store::Postgres(Box::new(store)), location.clone())?;
    chosen.connected = Some(Connected {
        vault,
        cached_at: Some((snapshot.vault_id().to_owned(), stamp.version())),
    });
    Ok(Some(chosen))
}

/// The secrets `choose` picks among `every` (a snapshot's), in its order.
fn choose_among(
    every: Vec<Unsealed>,
    choose: &impl Fn(&[&str]) -> Result<Vec<usize>>,
) -> Result<Chosen> {
    let names: Vec<&str> = every.iter().map(|e| e.name.as_str()).collect();
    let chosen = choose(&names)?;
    let everything = chosen.len() == every.len();
    let mut slots: Vec<Option<Unsealed>> = every.into_iter().map(Some).collect();
    let secrets: Vec<Unsealed> = chosen
        .iter()
        .filter_map(|&index| slots.get_mut(index)?.take())
        .collect();
    Ok(Chosen {
        secrets,
        everything,
        // A vault opened only with a retired key gets no snapshot.
        opened_with_retired_key: false,
        connected: None,
    })
}

impl Vault {
    /// Where `exec` keeps its snapshot of this vault: beside a vault file,
    /// in the user's cache directory for a PostgreSQL vault.
    pub(super) fn snapshot_file(&self) -> Option<PathBuf> {
        match &self.location {
            Location::File(path) => Some(snapshot::path(path)),
            Location::Postgres(_) => snapshot::cache_path(&self.location.pin_key()),
        }
    }

    /// `exec`'s whole use of the vault, in one transaction so that nothing
    /// changes underneath it: reads every secret, lets `choose` pick, and
    /// decrypts the chosen with `identity` (the data key: one age
    /// decryption). A read transaction, unless a chosen row is still sealed
    /// with age and `RESEAL_FROM` rows or more are: then it starts over in a
    /// write transaction and reseals them under the data key. One failure fails all and changes
    /// nothing. The run is recorded later, when the program starts
    /// (`usage::PendingRun`).
    fn unseal_for_exec(
        &mut self,
        identity: Option<&Identity>,
        choose: impl Fn(&[&str]) -> Result<Vec<usize>>,
    ) -> Result<Chosen> {
        let (secrets, everything) = match self.unseal(identity, &choose, false)? {
            Some(done) => done,
            None => self
                .unseal(identity, &choose, true)?
                .context("the vault changed while exec started; run it again")?,
        };
        Ok(Chosen {
            secrets,
            everything,
            opened_with_retired_key: self.opened_with_retired_key,
            connected: None,
        })
    }

    /// One attempt of `unseal_for_exec`. Without `reseal`, returns `None`
    /// when a chosen row needs resealing. Also says whether every secret was
    /// chosen.
    fn unseal(
        &mut self,
        identity: Option<&Identity>,
        choose: &impl Fn(&[&str]) -> Result<Vec<usize>>,
        reseal: bool,
    ) -> Result<Option<(Vec<Unsealed>, bool)>> {
        let snapshot_file = self.snapshot_file();
        let mut rows = if reseal {
            self.store.write()?
        } else {
            self.store.read_for_exec()?
        };
        let secrets = rows.sealed()?;
        let names: Vec<&str> = secrets.iter().map(|s| s.name.as_str()).collect();
        let chosen = choose(&names)?;
        drop(names);
        let everything = chosen.len() == secrets.len();
        if chosen.is_empty() {
            return Ok(Some((Vec::new(), everything)));
        }
        let age_rows = secrets.iter().filter(|s| s.sealing == Sealing::Age).count();
        let age_chosen = chosen.iter().any(|&i| secrets[i].sealing == Sealing::Age);
        if age_chosen && age_rows >= RESEAL_FROM && !reseal {
            return Ok(None);
        }
        let identity = identity.context("the vault changed while exec started; run it again")?;
        let keys = identity.age_identities();
        let (data_key, opened_with, pin) = trusted::open_key(
            rows.as_mut(),
            identity,
            &self.vault_id,
            &self.location,
            reseal,
        )?;
        self.opened_with_retired_key |= opened_with == OpenedWith::RetiredKey;
        let mut values: Vec<Option<SecretValue>> = chosen.iter().map(|_| None).collect();
        // Rows written with only the public key: open with age, and reseal
        // them in the write attempt.
        for (slot, &index) in chosen.iter().enumerate() {
            let secret = &secrets[index];
            if secret.sealing == Sealing::Age {
                let value =
                    crypto::open_with_age(&keys, &self.vault_id, &secret.name, &secret.ciphertext)?;
                if reseal {
                    let resealed = data_key.seal(&self.vault_id, &secret.name, &value)?;
                    rows.reseal(&secret.id, Sealing::Key, &resealed)?;
                }
                values[slot] = Some(value);
            }
        }
        open_with_data_key(&data_key, &self.vault_id, &secrets, &chosen, &mut values)?;
        // No snapshot for a vault that opens only with a retired key: every
        // exec goes to the vault and says so, until the vault is moved.
        if !reseal
            && opened_with == OpenedWith::ActiveKey
            && age_rows < RESEAL_FROM
            && let Some(target) = &snapshot_file
            && let Some(stamp) = rows.stamp()?
        {
            let opened = ReadAndOpened {
                secrets: &secrets,
                chosen: &chosen,
                values: &values,
            };
            leave_snapshot(target, stamp, &self.vault_id, identity, &data_key, opened);
        }
        let unsealed = into_unsealed(&secrets, &chosen, values);
        rows.commit()?;
        pin.save()?;
        Ok(Some((unsealed, everything)))
    }
}

/// Opens every chosen value sealed under the data key (the slots still
/// empty), on all cores when there are many: a 10,000-secret exec is mostly
/// this loop.
fn open_with_data_key(
    data_key: &DataKey,
    vault_id: &str,
    secrets: &[SealedSecret],
    chosen: &[usize],
    values: &mut [Option<SecretValue>],
) -> Result<()> {
    let open_chunk = |indices: &[usize], slots: &mut [Option<SecretValue>]| -> Result<()> {
        for (&index, slot) in indices.iter().zip(slots) {
            if slot.is_none() {
                let secret = &secrets[index];
                *slot = Some(data_key.open(vault_id, &secret.name, &secret.ciphertext)?);
            }
        }
        Ok(())
    };
    if chosen.len() < PARALLEL_OPEN_MIN {
        return open_chunk(chosen, values);
    }
    let threads = crate::threads::usable();
    if threads < 2 {
        return open_chunk(chosen, values);
    }
    let chunk = chosen.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let workers: Vec<_> = chosen
            .chunks(chunk)
            .zip(values.chunks_mut(chunk))
            .map(|(indices, slots)| scope.spawn(move || open_chunk(indices, slots)))
            .collect();
        // Joined in order, so the error reported is the first secret's.
        // (The scope joins any worker left when one fails.)
        workers.into_iter().try_for_each(|w| {
            w.join()
                .unwrap_or_else(|_| Err(anyhow!("a decryption thread failed")))
        })
    })
}

/// What `exec` read and opened so far: the chosen values, in `chosen`'s
/// order.
struct ReadAndOpened<'a> {
    secrets: &'a [SealedSecret],
    chosen: &'a [usize],
    values: &'a [Option<SecretValue>],
}

/// Leaves `exec` a snapshot of the vault it just read (see `snapshot`): the
/// chosen values are open, the others are opened for it, with age for the
/// few rows still sealed that way (one that fails only means no snapshot).
/// `stamp` is read inside the read transaction (`Rows::stamp`): the file
/// cannot change between the read and its stamp.
fn leave_snapshot(
    path: &Path,
    stamp: Stamp,
    vault_id: &str,
    identity: &Identity,
    data_key: &DataKey,
    opened: ReadAndOpened<'_>,
) {
    let ReadAndOpened {
        secrets,
        chosen,
        values,
    } = opened;
    let mut is_chosen = vec![false; secrets.len()];
    for &index in chosen {
        is_chosen[index] = true;
    }
    let rest: Vec<usize> = (0..secrets.len()).filter(|&i| !is_chosen[i]).collect();
    let mut rest_values: Vec<Option<SecretValue>> = rest.iter().map(|_| None).collect();
    let keys = identity.age_identities();
    for (slot, &index) in rest_values.iter_mut().zip(&rest) {
        let secret = &secrets[index];
        if secret.sealing == Sealing::Age {
            let opened = crypto::open_with_age(&keys, vault_id, &secret.name, &secret.ciphertext);
            let Ok(value) = opened else {
                return;
            };
            *slot = Some(value);
        }
    }
    if open_with_data_key(data_key, vault_id, secrets, &rest, &mut rest_values).is_err() {
        return;
    }
    let every: Vec<(&str, &SecretValue)> = chosen
        .iter()
        .zip(values)
        .chain(rest.iter().zip(&rest_values))
        .filter_map(|(&index, value)| Some((secrets[index].name.as_str(), value.as_ref()?)))
        .collect();
    snapshot::store(path, stamp, vault_id, identity, &every);
}

/// The chosen secrets with their opened values, in `chosen`'s order.
fn into_unsealed(
    secrets: &[SealedSecret],
    chosen: &[usize],
    values: Vec<Option<SecretValue>>,
) -> Vec<Unsealed> {
    chosen
        .iter()
        .zip(values)
        .map(|(&index, value)| Unsealed {
            name: secrets[index].name.clone(),
            value: value.expect("every chosen value was opened"),
        })
        .collect()
}
