//! Secret values: where they come from (a file, a pipe, a hidden prompt) and
//! what a valid one is.
//!
//! There is deliberately no way to pass a value in argv: every user of the
//! machine can read it there, and shells keep it in their history.

use crate::error::Failure;
use anyhow::{Context, Result};
use std::io::{IsTerminal, Read};
use std::path::Path;
use zeroize::Zeroizing;

/// Largest accepted value, in bytes.
pub const MAX_LEN: usize = 64 * 1024;

/// A secret's plaintext. Zeroed on drop; never derive `Clone`, `Debug` or
/// `Serialize` for it.
pub struct SecretValue(Zeroizing<Vec<u8>>);

impl SecretValue {
    /// Wraps bytes after checking them: 1 byte to 64 KiB, no NUL.
    pub fn new(bytes: Zeroizing<Vec<u8>>) -> Result<Self, Failure> {
        if bytes.is_empty() {
            return Err(Failure::usage("the value is empty").with_hint(
                "pipe the value in, e.g. `printf %s \"$VALUE\" | secrets create NAME`",
            ));
        }
        // Input is read only up to a few bytes past the limit, so its length
        // here says nothing about how large it really was.
        if bytes.len() > MAX_LEN {
            return Err(Failure::usage(format!(
                "the value is larger than 64 KiB, the limit ({MAX_LEN} bytes)"
            )));
        }
        if bytes.contains(&0) {
            return Err(Failure::usage(
                "the value contains a NUL byte, which an environment variable cannot hold",
            ));
        }
        Ok(SecretValue(bytes))
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

/// The refusal of an unexpected argument to `create` or `update` (a value
/// typed after the name, `--value VALUE`, or an unknown option, which may be
/// a value too): why values never go there, and the three ways in. What was
/// typed is never repeated.
pub fn refused_in_argv(command: &str) -> Failure {
    Failure::usage(
        "unexpected argument (not repeated here: it may be a value); values never go on \
         the command line, where every user of this machine can read them and shells \
         keep them in their history",
    )
    .with_hint(format!(
        "pipe it in (`printf %s \"$VALUE\" | secrets {command} NAME`), type it at the hidden \
         prompt (`secrets {command} NAME` in a terminal), or read it from a file \
         (`secrets {command} NAME --from-file PATH`); `secrets {command} --help` lists the \
         options"
    ))
}

/// Reads a value for `name`: `--from-file` first, else piped stdin, else a
/// hidden prompt asked twice on the terminal.
pub fn read_value(name: &str, from_file: Option<&Path>) -> Result<SecretValue> {
    let bytes = match from_file {
        Some(path) => read_file(path)?,
        None if !std::io::stdin().is_terminal() => read_piped_stdin()?,
        None => prompt_twice(name)?,
    };
    Ok(SecretValue::new(bytes)?)
}

/// Reads a value for a change that does not need one (`update` with
/// `--description`): `--from-file` first; else piped stdin, where nothing
/// (an empty or closed stdin, or only a newline) means "keep the value";
/// a terminal is never asked. A value can never be empty, so an empty
/// input cannot be a value someone meant to store.
pub fn read_value_if_given(from_file: Option<&Path>) -> Result<Option<SecretValue>> {
    let bytes = match from_file {
        Some(path) => read_file(path)?,
        None if std::io::stdin().is_terminal() => return Ok(None),
        None => read_piped_stdin()?,
    };
    if bytes.is_empty() && from_file.is_none() {
        return Ok(None);
    }
    Ok(Some(SecretValue::new(bytes)?))
}

fn read_file(path: &Path) -> Result<Zeroizing<Vec<u8>>> {
    let mut file = std::fs::File::open(path)
        .with_context(|| format!("cannot open value file {}", path.display()))?;
    read_bounded(&mut file).with_context(|| format!("cannot read value file {}", path.display()))
}

/// All of stdin minus exactly one trailing `\n` or `\r\n` (what `echo` and
/// most editors add).
fn read_piped_stdin() -> Result<Zeroizing<Vec<u8>>> {
    let mut bytes = read_bounded(&mut std::io::stdin().lock()).context("cannot read stdin")?;
    let newline = if bytes.ends_with(b"\r\n") {
        2
    } else {
        usize::from(bytes.ends_with(b"\n"))
    };
    let kept = bytes.len() - newline;
    bytes.truncate(kept);
    Ok(bytes)
}

/// Reads at most three bytes past the limit, so a huge input is refused
/// without being held in memory, even after a trailing `\r\n` is stripped.
fn read_bounded(reader: &mut impl Read) -> std::io::Result<Zeroizing<Vec<u8>>> {
    // Reserve up front: a reallocation would leave an unzeroed copy behind.
    let mut bytes = Zeroizing::new(Vec::with_capacity(MAX_LEN + 4));
    reader.take((MAX_LEN + 3) as u64).read_to_end(&mut bytes)?;
    Ok(bytes)
}

fn prompt_twice(name: &str) -> Result<Zeroizing<Vec<u8>>> {
    // The stored spelling, read back from the vault: shown escaped.
    let name = crate::output::printable(name);
    let first = prompt(&format!("Value for {name} (input hidden): "))?;
    let second = prompt(&format!("Repeat the value for {name}: "))?;
    if *first != *second {
        return Err(Failure::usage("the two values do not match; nothing was changed").into());
    }
    Ok(Zeroizing::new(first.as_bytes().to_vec()))
}

/// One hidden prompt on the terminal.
///
/// rpassword turns Ctrl-C into a SIGINT raised while echo is still off; with
/// the default action the process would die there and leave the user's
/// terminal silent. So SIGINT is caught for the prompt's duration: rpassword
/// then restores the terminal and returns, and we die of SIGINT after it.
pub fn prompt(text: &str) -> Result<Zeroizing<String>> {
    use signal_hook::consts::SIGINT;
    let interrupted = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let handler = signal_hook::flag::register(SIGINT, std::sync::Arc::clone(&interrupted))
        .context("cannot install the SIGINT handler")?;
    let answer = rpassword::prompt_password(text).map(Zeroizing::new);
    signal_hook::low_level::unregister(handler);
    match answer {
        Ok(answer) => Ok(answer),
        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {
            crate::output::stderr_line("");
            let _ = signal_hook::low_level::emulate_default_handler(SIGINT);
            std::process::exit(128 + SIGINT);
        }
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            crate::output::stderr_line("");
            Err(Failure::usage("no value was entered (end of input)").into())
        }
        Err(e) => Err(e).context("cannot read the value from the terminal"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_and_nul() {
        let ok = |v: &[u8]| SecretValue::new(Zeroizing::new(v.to_vec())).is_ok();
        assert!(ok(b"x"));
        assert!(ok(&vec![b'a'; MAX_LEN]));
        assert!(!ok(b""));
        assert!(!ok(&vec![b'a'; MAX_LEN + 1]));
        assert!(!ok(b"a\0b"));
        assert!(ok(&[0xff, 0xfe, b'\n']));
    }
}
