//! What the user reads: tables and JSON on stdout, one-line notes, hints and
//! warnings on stderr. Nothing here ever receives a secret value.

use crate::clock;
use crate::vault::SecretMeta;
use anyhow::Result;
use comfy_table::{ContentArrangement, Table, presets};
use serde::Serialize;
use std::io::{IsTerminal, Write};

/// Writes `text` to stdout in one go. A closed pipe (`secrets list | head`)
/// surfaces as an `io::Error` of kind `BrokenPipe`, which `main` turns
/// into a quiet exit.
pub fn stdout(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

/// Pretty JSON and a newline on stdout.
pub fn json(value: &impl Serialize) -> Result<()> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    stdout(&text)
}

/// A confirmation such as "created secret 'API_KEY'" on stderr.
pub fn done(message: &str) {
    stderr_line(message);
}

pub fn note(message: &str) {
    stderr_line(&format!("note: {message}"));
}

pub fn hint(message: &str) {
    stderr_line(&format!("hint: {message}"));
}

pub fn warning(message: &str) {
    stderr_line(&format!("warning: {message}"));
}

/// Stderr is best effort: a closed stderr must not turn success into failure.
pub fn stderr_line(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// The `list` table: boxed on a terminal, plain columns in a pipe.
pub fn secrets_table(secrets: &[SecretMeta]) -> String {
    let now = clock::now_ms();
    let mut table = Table::new();
    if std::io::stdout().is_terminal() {
        table
            .load_style(presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic);
    } else {
        table.load_style(presets::NOTHING);
    }
    table.set_header(["NAME", "DESCRIPTION", "CREATED", "UPDATED", "LAST USED"]);
    for secret in secrets {
        table.add_row([
            secret.name.clone(),
            secret.description.clone().unwrap_or_default(),
            clock::relative(secret.create_time_ms, now),
            clock::relative(secret.update_time_ms, now),
            last_used(secret.last_used_time_ms, now),
        ]);
    }
    let mut text = table.to_string();
    text.push('\n');
    text
}

/// One secret's metadata as `field: value` lines.
pub fn secret_details(secret: &SecretMeta) -> String {
    let now = clock::now_ms();
    let when = |ms: i64| format!("{} ({})", clock::rfc3339_utc(ms), clock::relative(ms, now));
    format!(
        "name:        {}\nid:          {}\ndescription: {}\ncreated:     {}\nupdated:     {}\nlast used:   {}\n",
        secret.name,
        secret.id,
        secret.description.as_deref().unwrap_or("-"),
        when(secret.create_time_ms),
        when(secret.update_time_ms),
        secret
            .last_used_time_ms
            .map_or_else(|| "never".to_owned(), when),
    )
}

fn last_used(ms: Option<i64>, now: i64) -> String {
    ms.map_or_else(|| "never".to_owned(), |ms| clock::relative(ms, now))
}
