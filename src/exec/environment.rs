//! Which secrets a program gets, and the environment it starts with.

use crate::error::Failure;
use crate::name::SecretName;
use crate::vault::{SealedSecret, Unsealed};
use anyhow::Result;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::process::Command;

/// What a fresh Devbox would have: kept by `--clean-env` where set.
const CLEAN_ENV_KEEPS: &[&str] = &["PATH", "HOME", "USER", "LANG", "TERM", "TZ", "TMPDIR"];

/// The tool's own variables that carry key material: never passed on.
pub const KEY_MATERIAL_VARIABLES: &[&str] = &["SECRETS_PASSPHRASE", "SECRETS_NEW_PASSPHRASE"];

/// Keeps the secrets named by `only` (all when empty) minus `except`. Names
/// match in any case; one that matches no secret is an error, so a typo never
/// runs the program without its credential. Returns positions in `secrets`.
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

/// How the program's environment is built from ours.
pub struct EnvironmentPlan<'a> {
    pub clean: bool,
    pub pass: &'a [String],
    pub prefix: Option<&'a str>,
}

/// The program's environment: the variables it inherits, then the secrets
/// (which win), under their injected names.
pub struct Environment<'a> {
    inherited: Vec<(OsString, OsString)>,
    injected: Vec<(String, &'a [u8])>,
}

impl<'a> Environment<'a> {
    /// Checks the prefix and builds the environment for `injections`.
    pub fn build(plan: &EnvironmentPlan<'_>, injections: &'a [Unsealed]) -> Result<Self> {
        let prefix = plan.prefix.unwrap_or("");
        let mut injected = Vec::with_capacity(injections.len());
        for injection in injections {
            let name = format!("{prefix}{}", injection.name);
            if !prefix.is_empty() {
                // The prefixed name must be as safe as a stored one.
                SecretName::parse(&name).map_err(|e| {
                    Failure::usage(format!("--env-prefix '{prefix}': {}", e.message))
                })?;
            }
            injected.push((name, injection.value.as_bytes()));
        }
        let inherited = std::env::vars_os()
            .filter(|(key, _)| keeps(plan, key))
            .collect();
        Ok(Environment {
            inherited,
            injected,
        })
    }

    /// Inherited variables that an injected one replaces (names only).
    pub fn shadowed(&self) -> Vec<&str> {
        self.injected
            .iter()
            .filter(|(name, _)| self.inherited.iter().any(|(key, _)| key == name.as_str()))
            .map(|(name, _)| name.as_str())
            .collect()
    }

    /// Gives `command` exactly this environment. One `envs` pass: setenv per
    /// variable would be quadratic in glibc.
    pub fn apply(&self, command: &mut Command) {
        command.env_clear();
        command.envs(self.inherited.iter().map(|(k, v)| (k, v)));
        command.envs(
            self.injected
                .iter()
                .map(|(name, value)| (OsStr::new(name), OsStr::from_bytes(value))),
        );
    }
}

fn keeps(plan: &EnvironmentPlan<'_>, key: &OsStr) -> bool {
    let Some(key) = key.to_str() else {
        return !plan.clean;
    };
    if KEY_MATERIAL_VARIABLES.contains(&key) {
        return false;
    }
    !plan.clean || CLEAN_ENV_KEEPS.contains(&key) || plan.pass.iter().any(|p| p == key)
}
