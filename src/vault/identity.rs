//! The user's age identity file: creating it, reading it, and the public key
//! (recipient) it stands for.
//!
//! The file is a standard age identity file, readable by `age -d -i` and
//! rage. Only commands that decrypt read it; writes use the vault's stored
//! recipients instead.

use crate::files;
use anyhow::{Context, Result, anyhow};
use std::path::Path;
use std::str::FromStr;
use zeroize::Zeroizing;

/// The keys of an identity file. Holds key material: never derive `Clone`,
/// `Debug` or `Serialize`; the age types zero themselves on drop.
pub struct Identity {
    keys: Vec<age::x25519::Identity>,
}

impl Identity {
    /// Reads the identity file at `path`.
    pub fn load(path: &Path) -> Result<Identity> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => Zeroizing::new(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(crate::error::Failure::new(
                    1,
                    format!("no identity at {}", path.display()),
                )
                .with_hint(
                    "the identity decrypts the vault: restore it, or point --identity or SECRETS_IDENTITY at it",
                )
                .into());
            }
            Err(e) => {
                return Err(e).with_context(|| format!("cannot read identity {}", path.display()));
            }
        };
        let keys =
            parse(&text).with_context(|| format!("identity {} is not usable", path.display()))?;
        Ok(Identity { keys })
    }

    /// Generates a new identity and writes it to `path`, which must not exist.
    pub fn generate(path: &Path) -> Result<Identity> {
        let key = age::x25519::Identity::generate();
        let text = file_text(&key);
        files::write_new_private_file(path, text.as_bytes())?;
        Ok(Identity { keys: vec![key] })
    }

    /// The public key that values must be encrypted to for this identity.
    pub fn recipient(&self) -> age::x25519::Recipient {
        self.keys[0].to_public()
    }

    /// The keys as age wants them for decryption.
    pub fn age_identities(&self) -> Vec<&dyn age::Identity> {
        self.keys.iter().map(|k| k as &dyn age::Identity).collect()
    }
}

/// Every non-comment line is one `AGE-SECRET-KEY-1...` key.
fn parse(text: &str) -> Result<Vec<age::x25519::Identity>> {
    let mut keys = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        // The parse error never includes the line: it may be a key.
        let key = age::x25519::Identity::from_str(line)
            .map_err(|_| anyhow!("line {} is not an age secret key", index + 1))?;
        keys.push(key);
    }
    if keys.is_empty() {
        return Err(anyhow!("it holds no age secret key"));
    }
    Ok(keys)
}

/// The identity file as rage-keygen writes it.
fn file_text(key: &age::x25519::Identity) -> Zeroizing<String> {
    use age::secrecy::ExposeSecret;
    let created = crate::clock::rfc3339_utc(crate::clock::now_ms());
    Zeroizing::new(format!(
        "# created: {created}\n# public key: {}\n{}\n",
        key.to_public(),
        key.to_string().expose_secret()
    ))
}
