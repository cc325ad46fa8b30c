//! Which secrets a program gets.

use crate::error::Failure;
use crate::vault::{SealedSecret, Unsealed};
use anyhow::Result;

/// Keeps the secrets named by `only` (all when empty) minus `except`. Names
/// match in any case; one that matches no secret is an error, so a typo never
/// runs the program without its credential.
/// Returns the chosen positions in `secrets`.
pub fn select(secrets: &[SealedSecret], only: &[String], except: &[String]) -> Result<Vec<usize>> {
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
        .iter()
        .enumerate()
        .filter(|(_, s)| (only.is_empty() || named(only, s)) && !named(except, s))
        .map(|(index, _)| index)
        .collect())
}

/// Names of inherited variables that the injections will replace.
pub fn shadowed(injections: &[Unsealed]) -> Vec<&str> {
    injections
        .iter()
        .filter(|i| std::env::var_os(&i.name).is_some())
        .map(|i| i.name.as_str())
        .collect()
}
