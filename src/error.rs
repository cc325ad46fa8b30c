//! The few failures that carry their own exit code and hint.
//!
//! Everything else is a plain `anyhow::Error` and exits [`FAILED`]. `main`
//! downcasts to [`Failure`] to pick the exit code and print the hint line.

use std::fmt;

/// Exit code for every other failure: the vault, the identity, a file, a
/// decryption (what a plain `anyhow::Error` exits with).
pub const FAILED: u8 = 1;
/// Exit code for usage errors: clap's own, refused names and values.
pub const USAGE: u8 = 2;
/// Exit code when a named secret does not exist.
pub const NOT_FOUND: u8 = 3;
/// Exit code when a secret of that name (in any case) already exists.
pub const ALREADY_EXISTS: u8 = 4;
/// Exit code of `exec` when `secrets` fails before the program runs (as `env`).
pub const EXEC_FAILED: u8 = 125;
/// Exit code of `exec` when the program exists but cannot be run.
pub const CANNOT_EXECUTE: u8 = 126;
/// Exit code of `exec` when the program is not found.
pub const COMMAND_NOT_FOUND: u8 = 127;

/// A failure with a chosen exit code and an optional next step for the user.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
    pub hint: Option<String>,
}

impl Failure {
    pub fn new(code: u8, message: impl Into<String>) -> Self {
        Failure {
            code,
            message: message.into(),
            hint: None,
        }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(USAGE, message)
    }

    /// No secret of that name. A name no secret could have is not repeated:
    /// it may be a value typed where the name belongs.
    pub fn not_found(name: &str) -> Self {
        if crate::name::is_valid(name) {
            Self::new(NOT_FOUND, format!("no secret named '{name}'"))
        } else {
            Self::new(
                NOT_FOUND,
                "no secret by that name (not repeated here: it is not a valid name, and may be a value)",
            )
        }
    }

    /// `not_found`, with how to add it: the `create` command for a valid
    /// name (never repeating one that is not).
    pub fn not_found_to_create(name: &str) -> Self {
        let hint = if crate::name::is_valid(name) {
            format!("to add it: secrets create {name}")
        } else {
            "names are environment variable names, e.g. API_KEY".to_owned()
        };
        Self::not_found(name).with_hint(hint)
    }

    pub fn already_exists(name: &str) -> Self {
        Self::new(ALREADY_EXISTS, format!("secret '{name}' already exists"))
            .with_hint(format!("to change its value: secrets update {name}"))
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}
