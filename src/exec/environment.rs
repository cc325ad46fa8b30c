//! Which secrets a program gets, and their decrypted values.

use crate::error::Failure;
use crate::value::SecretValue;
use crate::vault::{Identity, SealedSecret, Vault};
use anyhow::Result;

/// One variable to inject: the secret's stored name and its plaintext.
pub struct Injection {
    pub name: String,
    pub value: SecretValue,
}

/// Keeps the secrets named by `only` (all when empty) minus `except`. Names
/// match in any case; one that matches no secret is an error, so a typo never
/// runs the program without its credential.
pub fn select(
    secrets: Vec<SealedSecret>,
    only: &[String],
    except: &[String],
) -> Result<Vec<SealedSecret>> {
    for wanted in only.iter().chain(except) {
        if !secrets.iter().any(|s| s.name.eq_ignore_ascii_case(wanted)) {
            return Err(Failure::not_found(wanted)
                .with_hint("`secrets list` shows the names; nothing was run")
                .into());
        }
    }
    let named =
        |list: &[String], s: &SealedSecret| list.iter().any(|n| s.name.eq_ignore_ascii_case(n));
    Ok(secrets
        .into_iter()
        .filter(|s| only.is_empty() || named(only, s))
        .filter(|s| !named(except, s))
        .collect())
}

/// Decrypts every chosen secret; one failure fails all, so nothing runs
/// with a partial environment.
pub fn decrypt(
    vault: &Vault,
    identity: &Identity,
    chosen: &[SealedSecret],
) -> Result<Vec<Injection>> {
    let keys = identity.age_identities();
    chosen
        .iter()
        .map(|secret| {
            Ok(Injection {
                name: secret.name.clone(),
                value: vault.unseal(&keys, secret)?,
            })
        })
        .collect()
}

/// Names of inherited variables that the injections will replace.
pub fn shadowed(injections: &[Injection]) -> Vec<&str> {
    injections
        .iter()
        .filter(|i| std::env::var_os(&i.name).is_some())
        .map(|i| i.name.as_str())
        .collect()
}
