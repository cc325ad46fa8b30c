//! What the user reads: tables and JSON on stdout, one-line notes, hints and
//! warnings on stderr. Nothing here ever receives a secret value.
//!
//! Text that came from input (names, descriptions, program names, paths,
//! anything read back from the vault) goes through [`printable`] before it
//! reaches a terminal: a control character in it would otherwise be obeyed
//! by the terminal (retitle it, move the cursor, hide lines). JSON needs no
//! such step: serde_json escapes every control character itself.

use crate::clock;
use crate::vault::SecretMeta;
use anyhow::Result;
use comfy_table::{ContentArrangement, Table, presets};
use serde::Serialize;
use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{IsTerminal, Write};

/// `text` with every control character (C0, DEL and C1) shown as an escape:
/// `\t`, `\n` and `\r` by name, the other C0 ones and DEL as `\x1b`, C1 as
/// `\u{9b}` (a character, not a byte). Everything else is left as it is.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut shown = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\t' => shown.push_str("\\t"),
            '\n' => shown.push_str("\\n"),
            '\r' => shown.push_str("\\r"),
            '\0'..='\x1f' | '\x7f' => {
                let _ = write!(shown, "\\x{:02x}", u32::from(c));
            }
            c if c.is_control() => {
                let _ = write!(shown, "\\u{{{:x}}}", u32::from(c));
            }
            c => shown.push(c),
        }
    }
    Cow::Owned(shown)
}

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

/// One line on stderr, its control characters escaped: messages quote
/// paths, program names and names as the user gave them. Best effort: a
/// closed stderr must not turn success into failure.
pub fn stderr_line(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{}", printable(line));
}

const HEADER: [&str; 5] = ["NAME", "DESCRIPTION", "CREATED", "UPDATED", "LAST USED"];

/// The `list` table: boxed by comfy-table on a terminal; plain aligned
/// columns in a pipe, where a 10,000-row table must stay fast to print and
/// easy to `grep` or `awk`.
pub fn secrets_table(secrets: &[SecretMeta]) -> String {
    let now = clock::now_ms();
    let rows = secrets.iter().map(|secret| {
        [
            printable(&secret.name).into_owned(),
            printable(secret.description.as_deref().unwrap_or_default()).into_owned(),
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
        printable(&secret.name),
        printable(&secret.id),
        printable(secret.description.as_deref().unwrap_or("-")),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_nothing_else() {
        assert!(matches!(printable("API_KEY été ✓ \\x1b"), Cow::Borrowed(_)));
        assert_eq!(printable("x\x1b]0;pwned\x07"), "x\\x1b]0;pwned\\x07");
        assert_eq!(printable("a\tb\nc\rd\0"), "a\\tb\\nc\\rd\\x00");
        assert_eq!(
            printable("\x7f\u{80}\u{9b}\u{9f}\u{a0}"),
            "\\x7f\\u{80}\\u{9b}\\u{9f}\u{a0}"
        );
    }
}
