//! Where passphrases come from: an environment variable for scripts, else a
//! hidden prompt on the terminal, else a clear failure naming the variable.
//!
//! A passphrase from the variable gets one try, and a wrong one's hint names
//! the variable; at the prompt a person gets three tries, as sudo and ssh
//! give, and the variable is not mentioned: it was not the source.

use crate::error::{FAILED, Failure};
use crate::output;
use age::secrecy::SecretString;
use anyhow::Result;

/// Unlocks a protected identity (read by commands that decrypt).
pub const PASSPHRASE_VAR: &str = "SECRETS_PASSPHRASE";
/// The new passphrase for `secrets passwd`.
pub const NEW_PASSPHRASE_VAR: &str = "SECRETS_NEW_PASSPHRASE";
/// How many answers the prompt takes before giving up.
pub const PROMPT_TRIES: u32 = 3;

/// Gets the passphrase that unlocks the identity at `shown` and hands it to
/// `open`, which returns `None` when it is the wrong one. Returns what
/// `open` made, with the passphrase that worked.
pub fn unlock<T>(
    shown: &str,
    mut open: impl FnMut(&SecretString) -> Result<Option<T>>,
) -> Result<(T, SecretString)> {
    if let Some(passphrase) = from_env(PASSPHRASE_VAR)? {
        return match open(&passphrase)? {
            Some(opened) => Ok((opened, passphrase)),
            None => Err(wrong(shown)
                .with_hint(format!(
                    "the passphrase came from {PASSPHRASE_VAR}: set it to the right one, or unset it to be asked"
                ))
                .into()),
        };
    }
    for attempt in 1..=PROMPT_TRIES {
        let answer = prompt(&format!("Passphrase for {shown}: "), PASSPHRASE_VAR)?;
        let why = if answer.is_empty() {
            "the passphrase is empty"
        } else {
            let passphrase = SecretString::from(answer.as_str().to_owned());
            if let Some(opened) = open(&passphrase)? {
                return Ok((opened, passphrase));
            }
            "wrong passphrase"
        };
        if attempt < PROMPT_TRIES {
            output::stderr_line(&format!("{why}; try again"));
        }
    }
    Err(Failure::new(
        FAILED,
        format!(
            "wrong passphrase for identity {shown} ({PROMPT_TRIES} tries); nothing was changed"
        ),
    )
    .into())
}

/// The failure of a wrong passphrase for the identity at `shown`.
pub fn wrong(shown: &str) -> Failure {
    Failure::new(FAILED, format!("wrong passphrase for identity {shown}"))
}

/// A new passphrase: from `var` if set, else asked twice on the terminal.
pub fn new(var: &str) -> Result<SecretString> {
    if let Some(passphrase) = from_env(var)? {
        return Ok(passphrase);
    }
    let first = prompt("New passphrase: ", var)?;
    let second = prompt("Repeat the new passphrase: ", var)?;
    if *first != *second {
        return Err(Failure::usage("the two passphrases do not match; nothing was changed").into());
    }
    non_empty(first)
}

fn from_env(var: &str) -> Result<Option<SecretString>> {
    match std::env::var(var) {
        Ok(value) if value.is_empty() => {
            Err(Failure::usage(format!("{var} is set but empty")).into())
        }
        Ok(value) => Ok(Some(SecretString::from(value))),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => {
            Err(Failure::usage(format!("{var} is not valid UTF-8")).into())
        }
    }
}

/// A hidden prompt on the controlling terminal, or a failure that says how
/// to give the passphrase without one.
fn prompt(text: &str, var: &str) -> Result<zeroize::Zeroizing<String>> {
    if std::fs::File::open("/dev/tty").is_err() {
        return Err(Failure::new(
            FAILED,
            "the identity needs a passphrase and there is no terminal to ask on",
        )
        .with_hint(format!("set {var} in the environment of this command"))
        .into());
    }
    crate::value::prompt(text)
}

fn non_empty(answer: zeroize::Zeroizing<String>) -> Result<SecretString> {
    if answer.is_empty() {
        return Err(Failure::usage("the passphrase is empty").into());
    }
    Ok(SecretString::from(answer.as_str().to_owned()))
}
