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
use comfy_table::{LineStyle, Table, TableStyle};
use serde::Serialize;
use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{IsTerminal, Write};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

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

/// `count` and `noun`, plural unless there is one: "1 secret", "2 secrets".
pub fn count(count: usize, noun: &str) -> String {
    match count {
        1 => format!("1 {noun}"),
        n => format!("{n} {noun}s"),
    }
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
/// The column that gives up width when the terminal is too narrow.
const DESCRIPTION: usize = 1;

/// The `list` table. On a terminal: a light table (a header, a thin rule,
/// columns two spaces apart) as wide as the terminal, where a name is never
/// wrapped or cut and a description too long for what is left is shortened
/// with `…`. In a pipe: plain aligned columns, where a 10,000-row table
/// must stay fast to print and easy to `grep` or `awk`.
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
    terminal_table(rows.collect())
}

/// Rows as a light table, descriptions fitted to the terminal's width.
fn terminal_table(rows: Vec<[String; 5]>) -> String {
    let mut table = Table::new();
    table.load_style(LIGHT);
    let (mut header, mut rows) = (HEADER.map(str::to_owned), rows);
    // A pseudo-terminal nobody sized reports 0 columns: nothing to fit.
    if let Some(width) = table.width().filter(|&width| width > 0) {
        fit_descriptions(&mut header, &mut rows, usize::from(width));
    }
    table.set_header(header).add_rows(rows);
    // Every column as wide as its content (comfy-table's default
    // arrangement): nothing is wrapped, and a name is never cut.
    for (index, column) in table.column_iter_mut().enumerate() {
        let gap = if index + 1 == HEADER.len() { 0 } else { GAP };
        column.set_padding((0, gap as u16));
    }
    let mut text = table.trim_fmt();
    text.push('\n');
    text
}

/// Spaces between two columns.
const GAP: usize = 2;

/// Shortens the descriptions (and their heading) with `…` to the room the
/// other columns leave in `width`, at least one character: names and times
/// are shown whole, even when they alone overflow the line.
fn fit_descriptions(header: &mut [String; 5], rows: &mut [[String; 5]], width: usize) {
    let widest = |column: usize| {
        rows.iter()
            .map(|row| row[column].width())
            .chain([header[column].width()])
            .max()
            .unwrap_or(0)
    };
    let others: usize = (0..HEADER.len())
        .filter(|&column| column != DESCRIPTION)
        .map(|column| widest(column) + GAP)
        .sum();
    let room = width.saturating_sub(others).max(1);
    for cell in rows
        .iter_mut()
        .map(|row| &mut row[DESCRIPTION])
        .chain([&mut header[DESCRIPTION]])
    {
        shorten(cell, room);
    }
}

/// `text` cut to at most `room` columns of the terminal, ending in `…` when
/// cut.
fn shorten(text: &mut String, room: usize) {
    if text.width() <= room {
        return;
    }
    let mut used = 0;
    let kept = text
        .chars()
        .take_while(|c| {
            used += c.width().unwrap_or(0);
            used < room
        })
        .collect::<String>();
    *text = format!("{}…", kept.trim_end());
}

/// No borders, columns apart by their padding, a thin rule under the header.
const LIGHT: TableStyle = TableStyle::new().header_separator(LineStyle::none().fill('─'));

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
    fn descriptions_are_shortened_to_the_columns_left() {
        let shortened = |text: &str, room| {
            let mut text = text.to_owned();
            shorten(&mut text, room);
            text
        };
        assert_eq!(shortened("fits", 4), "fits");
        assert_eq!(shortened("too long", 5), "too…");
        assert_eq!(shortened("abc", 1), "…");
        // Wide characters take two columns each.
        assert_eq!(shortened("日本語の説明", 6), "日本…");
        assert_eq!(shortened("日本語の説明", 7), "日本語…");
    }

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
