//! Random identifiers from the operating system's generator.
//!
//! Not for key material: age and the AEAD generate their own keys and nonces.

use anyhow::{Context, Result};

const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

/// `len` random lowercase base32 characters (5 bits each).
pub fn token(len: usize) -> Result<String> {
    let mut bytes = vec![0u8; len];
    getrandom::fill(&mut bytes).context("the system random number generator failed")?;
    Ok(bytes
        .iter()
        .map(|b| ALPHABET[usize::from(b & 31)] as char)
        .collect())
}

/// A new secret id: `sec_` and 20 random characters (100 bits).
pub fn secret_id() -> Result<String> {
    Ok(format!("sec_{}", token(20)?))
}

/// A new vault id: `vlt_` and 20 random characters.
pub fn vault_id() -> Result<String> {
    Ok(format!("vlt_{}", token(20)?))
}
