//! Sealing and opening secret values with age.
//!
//! Each value is its own age file (binary format) encrypted to the vault's
//! recipients. The plaintext inside is an envelope that names the vault and
//! the secret, so a ciphertext moved to another row or another vault is
//! refused instead of being injected under the wrong name.

use crate::error::Failure;
use crate::value::SecretValue;
use anyhow::{Context, Result, anyhow};
use std::io::{Read, Write};
use std::str::FromStr;
use zeroize::Zeroizing;

/// Marks the envelope format; changes if the envelope ever does.
const ENVELOPE_TAG: &[u8] = b"secrets.value.v1\0";

/// A recipient the vault encrypts to, parsed from its stored text form.
pub fn parse_recipient(text: &str) -> Result<Box<dyn age::Recipient + Send>> {
    let recipient = age::x25519::Recipient::from_str(text)
        .map_err(|e| anyhow!("invalid recipient '{text}' in the vault: {e}"))?;
    Ok(Box::new(recipient))
}

/// Encrypts `value` for secret `name` of vault `vault_id` to `recipients`.
pub fn seal(
    recipients: &[Box<dyn age::Recipient + Send>],
    vault_id: &str,
    name: &str,
    value: &SecretValue,
) -> Result<Vec<u8>> {
    let envelope = envelope(vault_id, name, value.as_bytes());
    let encryptor = age::Encryptor::with_recipients(
        recipients.iter().map(|r| r.as_ref() as &dyn age::Recipient),
    )
    .context("cannot encrypt: the vault has no usable recipient")?;
    let mut sealed = Vec::with_capacity(envelope.len() + 400);
    let mut writer = encryptor.wrap_output(&mut sealed)?;
    writer.write_all(&envelope)?;
    // Without finish() the ciphertext is silently truncated.
    writer.finish()?;
    Ok(sealed)
}

/// Decrypts the ciphertext stored for secret `name` of vault `vault_id`, and
/// refuses it unless its envelope names that same vault and secret.
pub fn open(
    identities: &[&dyn age::Identity],
    vault_id: &str,
    name: &str,
    sealed: &[u8],
) -> Result<SecretValue> {
    let envelope = decrypt(identities, sealed)
        .map_err(|reason| Failure::new(1, format!("cannot decrypt secret '{name}': {reason}")))?;
    let expected = envelope_header(vault_id, name);
    let Some(value) = envelope.strip_prefix(expected.as_slice()) else {
        return Err(Failure::new(
            1,
            format!(
                "secret '{name}' holds a value sealed for another secret or vault; refusing to use it"
            ),
        )
        .with_hint("the vault file was altered; update the secret to store a fresh value")
        .into());
    };
    Ok(SecretValue::new(Zeroizing::new(value.to_vec()))?)
}

fn decrypt(identities: &[&dyn age::Identity], sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, String> {
    let decryptor = age::Decryptor::new_buffered(sealed).map_err(describe)?;
    let mut reader = decryptor
        .decrypt(identities.iter().copied())
        .map_err(describe)?;
    let mut plain = Zeroizing::new(Vec::with_capacity(sealed.len()));
    // A truncated or altered payload fails here, not in decrypt().
    reader
        .read_to_end(&mut plain)
        .map_err(|_| "the ciphertext is damaged or was tampered with".to_owned())?;
    Ok(plain)
}

fn describe(error: age::DecryptError) -> String {
    match error {
        age::DecryptError::NoMatchingKeys => {
            "it was not encrypted to this identity (wrong key?)".to_owned()
        }
        _ => "the ciphertext is damaged or was tampered with".to_owned(),
    }
}

fn envelope_header(vault_id: &str, name: &str) -> Vec<u8> {
    let mut header = Vec::with_capacity(ENVELOPE_TAG.len() + vault_id.len() + name.len() + 2);
    header.extend_from_slice(ENVELOPE_TAG);
    header.extend_from_slice(vault_id.as_bytes());
    header.push(0);
    header.extend_from_slice(name.as_bytes());
    header.push(0);
    header
}

fn envelope(vault_id: &str, name: &str, value: &[u8]) -> Zeroizing<Vec<u8>> {
    let header = envelope_header(vault_id, name);
    let mut envelope = Zeroizing::new(Vec::with_capacity(header.len() + value.len()));
    envelope.extend_from_slice(&header);
    envelope.extend_from_slice(value);
    envelope
}
