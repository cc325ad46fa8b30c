//! Which secrets a program gets, and the environment it starts with.

use crate::error::{EXEC_FAILED, Failure};
use crate::name::{self, SecretName};
use crate::vault::Unsealed;
use anyhow::Result;
use std::borrow::Cow;
use std::collections::HashSet;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::process::Command;
use zeroize::Zeroizing;

/// What a fresh Devbox would have: kept by `--clean-env` where set.
const CLEAN_ENV_KEEPS: &[&str] = &["PATH", "HOME", "USER", "LANG", "TERM", "TZ", "TMPDIR"];

/// The tool's own variables that carry key material: never passed on.
pub const KEY_MATERIAL_VARIABLES: &[&str] = &["SECRETS_PASSPHRASE", "SECRETS_NEW_PASSPHRASE"];

/// Keeps the secrets named by `only` (all when empty) minus `except`. Names
/// match in any case; one that matches no secret is an error, so a typo never
/// runs the program without its credential. Returns positions in `names`.
pub fn select(names: &[&str], only: &[String], except: &[String]) -> Result<Vec<usize>> {
    for wanted in only.iter().chain(except) {
        if !names.iter().any(|n| n.eq_ignore_ascii_case(wanted)) {
            return Err(Failure::not_found(wanted)
                .with_hint("`secrets list` shows the names; nothing was run")
                .into());
        }
    }
    let named = |list: &[String], name: &str| list.iter().any(|n| name.eq_ignore_ascii_case(n));
    Ok(names
        .iter()
        .enumerate()
        .filter(|(_, name)| (only.is_empty() || named(only, name)) && !named(except, name))
        .map(|(index, _)| index)
        .collect())
}

/// Refuses to inject a stored secret whose name is reserved (a vault
/// written before the name was reserved keeps it). Checked on names alone,
/// before any value is opened or the program runs. With a prefix the
/// injected name is another one, checked whole by [`Environment::build`].
pub fn refuse_reserved(names: &[&str], chosen: &[usize], prefix: Option<&str>) -> Result<()> {
    if prefix.is_some_and(|p| !p.is_empty()) {
        return Ok(());
    }
    let refused: Vec<&str> = chosen
        .iter()
        .filter_map(|&index| names.get(index).copied())
        .filter(|name| name::reserved(name).is_some())
        .collect();
    let Some(first) = refused.first() else {
        return Ok(());
    };
    let list = refused.join(",");
    let (message, hint) = match refused.len() {
        1 => (
            format!("secret '{first}' cannot be injected: it would"),
            format!(
                "rename it (create the value under a name of its own, then delete '{first}'), \
                 inject it under a prefix with --env-prefix, or leave it out with --except {list}"
            ),
        ),
        _ => (
            format!(
                "secrets '{}' cannot be injected: they would",
                refused.join("', '")
            ),
            format!(
                "rename them (create each value under a name of its own, then delete the old \
                 names), inject them under a prefix with --env-prefix, or leave them out with \
                 --except {list}"
            ),
        ),
    };
    let message = format!("{message} change how programs run, not what they know");
    Err(Failure::new(EXEC_FAILED, message).with_hint(hint).into())
}

/// A secret injected under a variable name of the user's choosing
/// (`exec --env VAR=SECRET`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Renamed {
    pub variable: String,
    pub secret: String,
}

impl Renamed {
    /// `VAR=SECRET`, as clap reads `--env` (a refusal is a usage error,
    /// exit 2): VAR must be a name a secret could have (valid, not
    /// reserved); SECRET is looked up when the vault is read.
    pub fn from_arg(text: &str) -> Result<Renamed, String> {
        let Some((variable, secret)) = text.split_once('=') else {
            return Err(
                "takes VAR=SECRET, e.g. --env DB_PASSWORD=PROD_DB_PASSWORD (what was given is \
                 not repeated: it may be a value)"
                    .to_owned(),
            );
        };
        // Its message names a reserved name, never an invalid one.
        let variable = SecretName::parse(variable).map_err(|e| e.message)?;
        if !name::is_valid(secret) {
            return Err(
                "after '=' comes the name of a stored secret (what was given is not repeated: \
                 it may be a value)"
                    .to_owned(),
            );
        }
        Ok(Renamed {
            variable: variable.as_str().to_owned(),
            secret: secret.to_owned(),
        })
    }
}

/// `choose`, then `refuse_reserved` on the secrets that go in under their
/// stored names (a variable of `renamed` was checked when it was read).
pub fn choose_injectable(
    names: &[&str],
    wanted: &Wanted<'_>,
    prefix: Option<&str>,
) -> Result<(Vec<usize>, Vec<bool>)> {
    let (chosen, own) = choose(names, wanted)?;
    let under_own_name: Vec<usize> = chosen
        .iter()
        .zip(&own)
        .filter_map(|(&index, &own)| own.then_some(index))
        .collect();
    refuse_reserved(names, &under_own_name, prefix)?;
    Ok((chosen, own))
}

/// What `exec` was asked to inject.
pub struct Wanted<'a> {
    pub only: &'a [String],
    pub except: &'a [String],
    pub renamed: &'a [Renamed],
    /// Secrets that gateways add to requests (`exec --gateway`): opened,
    /// never injected.
    pub behind_gateway: &'a [&'a str],
}

/// Which secrets `exec` opens: those `only` and `except` pick (every one
/// when both are empty, unless `renamed` or `behind_gateway` names some),
/// those `renamed` names, under their variables, and those behind a
/// gateway, which go in under no name. Returns the positions in `names` of
/// every secret to open, and for each whether it is injected under its own
/// name. A name that matches no secret is an error, as in `only`; a
/// secret behind a gateway that `only` or `renamed` names too is refused
/// (one that `except` leaves in is just not injected).
pub fn choose(names: &[&str], wanted: &Wanted<'_>) -> Result<(Vec<usize>, Vec<bool>)> {
    let Wanted {
        only,
        except,
        renamed,
        behind_gateway,
    } = *wanted;
    let mapped_only = !renamed.is_empty() || !behind_gateway.is_empty();
    let mut by_name = if !mapped_only || !only.is_empty() || !except.is_empty() {
        select(names, only, except)?
    } else {
        Vec::new()
    };
    let mut gateway_secrets = Vec::with_capacity(behind_gateway.len());
    for wanted in behind_gateway {
        let index = position_of(names, wanted)?;
        let named_too = only.iter().any(|n| n.eq_ignore_ascii_case(names[index]))
            || renamed
                .iter()
                .any(|r| r.secret.eq_ignore_ascii_case(names[index]));
        if named_too {
            return Err(Failure::usage(format!(
                "secret '{}' is behind a gateway: the program cannot also have it in its environment",
                names[index]
            ))
            .with_hint("leave it out of --only and --env; the program reaches it through the gateway")
            .into());
        }
        by_name.retain(|&chosen| chosen != index);
        if !gateway_secrets.contains(&index) {
            gateway_secrets.push(index);
        }
    }
    // Every secret picked by name goes in under it; those only mapped
    // follow, under their variables alone.
    let mut own_name = vec![true; by_name.len()];
    let mut chosen = by_name;
    for wanted in renamed {
        let index = position_of(names, &wanted.secret)?;
        if !chosen.contains(&index) {
            chosen.push(index);
            own_name.push(false);
        }
    }
    for index in gateway_secrets {
        if !chosen.contains(&index) {
            chosen.push(index);
            own_name.push(false);
        }
    }
    Ok((chosen, own_name))
}

/// Where the secret `wanted` (any case) is in `names`; not there is an
/// error that names it, as `--only` does.
fn position_of(names: &[&str], wanted: &str) -> Result<usize> {
    names
        .iter()
        .position(|n| n.eq_ignore_ascii_case(wanted))
        .ok_or_else(|| {
            Failure::not_found(wanted)
                .with_hint("`secrets list` shows the names; nothing was run")
                .into()
        })
}

/// How the program's environment is built from ours.
pub struct EnvironmentPlan<'a> {
    pub clean: bool,
    pub pass: &'a [String],
    pub prefix: Option<&'a str>,
    /// Secrets injected under variables of the user's choosing.
    pub renamed: &'a [Renamed],
    /// Each gateway's token and address (`VAR`, `VAR_URL`): not secrets.
    pub gateway_variables: &'a [(String, String)],
}

/// The program's environment: the variables it inherits, then the secrets
/// (which win), under their injected names.
pub struct Environment<'a> {
    inherited: Vec<(OsString, OsString)>,
    injected: Vec<(Cow<'a, str>, &'a [u8])>,
}

impl<'a> Environment<'a> {
    /// Checks the prefix and builds the environment for `injections`: each
    /// under its own (prefixed) name where `own_name` says so, and under the
    /// variables `plan.renamed` gives it. A variable given twice is refused.
    pub fn build(
        plan: &EnvironmentPlan<'a>,
        injections: &'a [Unsealed],
        own_name: &[bool],
    ) -> Result<Self> {
        let mut injected = Vec::with_capacity(injections.len() + plan.renamed.len());
        for (injection, _) in injections.iter().zip(own_name).filter(|(_, own)| **own) {
            let name = match plan.prefix.filter(|p| !p.is_empty()) {
                None => Cow::Borrowed(injection.name.as_str()),
                Some(prefix) => {
                    let name = format!("{prefix}{}", injection.name);
                    // The prefixed name must be as safe as a stored one.
                    SecretName::parse(&name).map_err(|e| {
                        Failure::usage(format!("--env-prefix '{prefix}': {}", e.message))
                    })?;
                    Cow::Owned(name)
                }
            };
            injected.push((name, injection.value.as_bytes()));
        }
        for renamed in plan.renamed {
            let injection = injections
                .iter()
                .find(|i| i.name.eq_ignore_ascii_case(&renamed.secret))
                .ok_or_else(|| Failure::not_found(&renamed.secret))?;
            injected.push((
                Cow::Owned(renamed.variable.clone()),
                injection.value.as_bytes(),
            ));
        }
        for (name, value) in plan.gateway_variables {
            injected.push((Cow::Borrowed(name.as_str()), value.as_bytes()));
        }
        // Stored names are unique: only a variable of --env or --gateway
        // can repeat one.
        let mut seen = HashSet::new();
        let twice = if plan.renamed.is_empty() && plan.gateway_variables.is_empty() {
            None
        } else {
            injected
                .iter()
                .find(|(name, _)| !seen.insert(name.as_ref()))
        };
        if let Some((twice, _)) = twice {
            return Err(Failure::usage(format!(
                "variable {twice} would be injected twice (--env or --gateway, and a secret of that name or another --env or --gateway)"
            ))
            .with_hint("give each --env and --gateway a variable of its own, or leave the secret out with --except")
            .into());
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
        let inherited: HashSet<&OsStr> =
            self.inherited.iter().map(|(k, _)| k.as_os_str()).collect();
        self.injected
            .iter()
            .map(|(name, _)| name.as_ref())
            .filter(|name| inherited.contains(OsStr::new(name)))
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
                .map(|(name, value)| (OsStr::new(name.as_ref()), OsStr::from_bytes(value))),
        );
    }

    /// This environment as `execve` takes it: `NAME=value` strings, each
    /// ending in NUL, in one buffer that is zeroed when dropped (the values
    /// are secrets). An inherited variable that a secret replaces is left out.
    pub fn to_block(&self) -> EnvironmentBlock {
        let injected: HashSet<&str> = self.injected.iter().map(|(n, _)| n.as_ref()).collect();
        let inherited: Vec<(&[u8], &[u8])> = self
            .inherited
            .iter()
            .filter(|(k, _)| k.to_str().is_none_or(|k| !injected.contains(k)))
            .map(|(k, v)| (k.as_bytes(), v.as_bytes()))
            .collect();
        let variables = || {
            inherited.iter().copied().chain(
                self.injected
                    .iter()
                    .map(|(name, value)| (name.as_bytes(), *value)),
            )
        };
        // Sized up front: a growing buffer would leave copies of values behind.
        let len = variables().map(|(k, v)| k.len() + v.len() + 2).sum();
        let mut bytes = Zeroizing::new(Vec::with_capacity(len));
        for (key, value) in variables() {
            bytes.extend_from_slice(key);
            bytes.push(b'=');
            bytes.extend_from_slice(value);
            bytes.push(0);
        }
        EnvironmentBlock { bytes }
    }
}

/// `NAME=value\0` strings back to back (see `Environment::to_block`).
pub struct EnvironmentBlock {
    bytes: Zeroizing<Vec<u8>>,
}

impl EnvironmentBlock {
    /// A NULL-terminated array of pointers into the block, for `execve`.
    /// Valid while the block lives.
    pub fn pointers(&self) -> Vec<*const libc::c_char> {
        self.bytes
            .split_inclusive(|&b| b == 0)
            .map(|variable| variable.as_ptr().cast())
            .chain(std::iter::once(std::ptr::null()))
            .collect()
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
