//! What a valid secret name is: an environment variable name that cannot
//! hijack the program it is injected into.
//!
//! Uniqueness (case-insensitive) is the vault's job, not this module's.

use crate::error::Failure;
use std::fmt;

/// Longest accepted name, in bytes.
pub const MAX_LEN: usize = 256;

/// Names that change how a program or its shell runs rather than what it
/// knows. Compared case-insensitively (Windows environments are).
const RESERVED: &[&str] = &["PATH", "IFS", "BASH_ENV", "ENV", "PS4", "SHELLOPTS"];

/// Prefixes with the same power: the dynamic loaders' variables, exported
/// bash functions, and this tool's own control variables (`SECRETS_VAULT`,
/// `SECRETS_IDENTITY`, `SECRETS_PASSPHRASE`, and any added later).
const RESERVED_PREFIXES: &[&str] = &["LD_", "DYLD_", "BASH_FUNC_", "SECRETS_"];

/// A validated secret name, spelled as the user gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretName(String);

impl SecretName {
    /// Checks `raw` against the naming rules; the error says what a valid name is.
    pub fn parse(raw: &str) -> Result<Self, Failure> {
        if !is_valid(raw) {
            return Err(Failure::usage(format!(
                "invalid secret name '{}': a name starts with a letter or underscore, \
                 continues with letters, digits or underscores, and has at most {MAX_LEN} characters",
                printable(raw)
            ))
            .with_hint("names are environment variable names, e.g. API_KEY"));
        }
        if is_reserved(raw) {
            return Err(Failure::usage(format!(
                "the name '{raw}' is reserved: it would change how the program runs, not what it knows"
            ))
            .with_hint("pick a name of its own, e.g. MY_APP_TOKEN"));
        }
        Ok(SecretName(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The UPPER_SNAKE_CASE spelling, when the name is not already in it.
    pub fn conventional_form(&self) -> Option<String> {
        let upper = upper_snake_case(&self.0);
        (upper != self.0).then_some(upper)
    }
}

impl fmt::Display for SecretName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn is_valid(raw: &str) -> bool {
    let mut bytes = raw.bytes();
    let Some(first) = bytes.next() else {
        return false;
    };
    raw.len() <= MAX_LEN
        && (first.is_ascii_alphabetic() || first == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

fn is_reserved(raw: &str) -> bool {
    let upper = raw.to_ascii_uppercase();
    RESERVED.contains(&upper.as_str()) || RESERVED_PREFIXES.iter().any(|p| upper.starts_with(p))
}

/// `apiKey` -> `API_KEY`, `db-url`-like input is never valid so never seen here.
fn upper_snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let mut previous: Option<char> = None;
    for c in name.chars() {
        if c.is_ascii_uppercase()
            && previous.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit())
        {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
        previous = Some(c);
    }
    out
}

/// A bounded, escaped rendering of user input for error messages.
fn printable(raw: &str) -> String {
    let shown: String = raw
        .chars()
        .take(64)
        .flat_map(char::escape_default)
        .collect();
    if raw.chars().count() > 64 {
        format!("{shown}...")
    } else {
        shown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_environment_variable_names() {
        for ok in ["A", "_", "API_KEY", "a1", "_x_2", &"A".repeat(MAX_LEN)] {
            assert!(SecretName::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn refuses_other_names() {
        for bad in [
            "",
            "1A",
            "A-B",
            "A B",
            "Ä",
            "A=B",
            "A\0",
            &"A".repeat(MAX_LEN + 1),
        ] {
            let err = SecretName::parse(bad).unwrap_err();
            assert_eq!(err.code, crate::error::USAGE, "{bad:?}");
            assert!(err.message.contains("letter or underscore"));
        }
    }

    #[test]
    fn refuses_reserved_names_in_any_case() {
        for bad in [
            "PATH",
            "path",
            "LD_PRELOAD",
            "ld_library_path",
            "DYLD_X",
            "IFS",
        ] {
            assert!(
                SecretName::parse(bad)
                    .unwrap_err()
                    .message
                    .contains("reserved")
            );
        }
        for bad in [
            "BASH_ENV",
            "ENV",
            "BASH_FUNC_x",
            "PS4",
            "SHELLOPTS",
            "SECRETS_VAULT",
        ] {
            assert!(
                SecretName::parse(bad)
                    .unwrap_err()
                    .message
                    .contains("reserved")
            );
        }
        assert!(SecretName::parse("ENVIRONMENT").is_ok());
        assert!(SecretName::parse("MY_PATH").is_ok());
    }

    #[test]
    fn suggests_upper_snake_case() {
        let form = |s: &str| SecretName::parse(s).unwrap().conventional_form();
        assert_eq!(form("apiKey").as_deref(), Some("API_KEY"));
        assert_eq!(form("db_url").as_deref(), Some("DB_URL"));
        assert_eq!(form("Token2Value").as_deref(), Some("TOKEN2_VALUE"));
        assert_eq!(form("API_KEY"), None);
    }
}
