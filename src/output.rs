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

const HEADER: [&str; 5] = ["NAME", "DESCRIPTION", "CREATED", "UPDATED", "LAST USED"];

/// The `list` table: boxed by comfy-table on a terminal; plain aligned
/// columns in a pipe, where a 10,000-row table must stay fast to print and
/// easy to `grep` or `awk`.
pub fn secrets_table(secrets: &[SecretMeta]) -> String {
    let now = clock::now_ms();
    let rows = secrets.iter().map(|secret| {
        [
            secret.name.clone(),
            secret.description.clone().unwrap_or_default(),
            clock::relative(secret.create_time_ms, now),
            clock::relative(secret.update_time_ms, now),
            last_used(secret.last_used_time_ms, now),
        ]
    });
    if !std::io::stdout().is_terminal() {
        return plain_columns(rows.collect());
    }
    let mut table = Table::new();
    table
        .load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(HEADER);
    for row in rows {
        table.add_row(row);
    }
    let mut text = table.to_string();
    text.push('\n');
    text
}

/// Left-aligned columns two spaces apart, widths in characters.
fn plain_columns(rows: Vec<[String; 5]>) -> String {
    let mut widths = HEADER.map(|h| h.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut text = String::with_capacity((rows.len() + 1) * (widths.iter().sum::<usize>() + 10));
    let mut push_row = |cells: [&str; 5]| {
        let start = text.len();
        for (cell, width) in cells.iter().zip(widths) {
            text.push_str(cell);
            let pad = width.saturating_sub(cell.chars().count()) + 2;
            text.extend(std::iter::repeat_n(' ', pad));
        }
        let trimmed = text[start..].trim_end().len();
        text.truncate(start + trimmed);
        text.push('\n');
    };
    push_row(HEADER);
    for row in &rows {
        push_row(row.each_ref().map(String::as_str));
    }
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
