//! A dotenv parser: `KEY=VALUE` lines as `secrets import` reads them.
//!
//! Supported: blank lines and `#` comments; an optional `export ` prefix;
//! single-quoted values (literal, may span lines); double-quoted values with
//! `\n`, `\"` and `\\` escapes and real newlines; unquoted values, trimmed,
//! where ` #` starts a comment. Values are literal: no `$VAR` expansion, so
//! a secret containing `$` arrives intact. (The common dotenv crates expand
//! variables, which would corrupt such values, hence this small parser.)
//!
//! Errors name the line, never its content: the content is a secret.

use zeroize::Zeroizing;

/// One `KEY=VALUE` entry and the line it starts on.
pub struct Entry {
    pub line: usize,
    pub key: String,
    pub value: Zeroizing<Vec<u8>>,
}

/// Why a file is not valid dotenv; `line` is 1-based.
#[derive(Debug, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub reason: &'static str,
}

/// Parses a whole file; the first invalid line fails it all.
pub fn parse(text: &str) -> Result<Vec<Entry>, ParseError> {
    let lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let mut entries = Vec::new();
    let mut index = 0;
    while index < lines.len() {
        let number = index + 1;
        let line = lines[index].trim_start();
        index += 1;
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = strip_export(line);
        let Some((key, rest)) = line.split_once('=') else {
            return Err(ParseError {
                line: number,
                reason: "expected KEY=VALUE",
            });
        };
        let key = key.trim();
        if key.is_empty() || key.contains(char::is_whitespace) {
            return Err(ParseError {
                line: number,
                reason: "expected KEY=VALUE",
            });
        }
        let rest = rest.trim_start();
        let value = match rest.chars().next() {
            Some(quote @ ('\'' | '"')) => {
                let (value, used) =
                    quoted(quote, &rest[1..], &lines[index..]).map_err(|reason| ParseError {
                        line: number,
                        reason,
                    })?;
                index += used;
                value
            }
            _ => Zeroizing::new(unquoted(rest).as_bytes().to_vec()),
        };
        entries.push(Entry {
            line: number,
            key: key.to_owned(),
            value,
        });
    }
    Ok(entries)
}

fn strip_export(line: &str) -> &str {
    match line.strip_prefix("export") {
        Some(rest) if rest.starts_with(char::is_whitespace) => rest.trim_start(),
        _ => line,
    }
}

/// An unquoted value: up to a ` #` comment, trimmed.
fn unquoted(rest: &str) -> &str {
    let end = rest
        .char_indices()
        .find(|&(i, c)| c == '#' && (i == 0 || rest[..i].ends_with(char::is_whitespace)))
        .map_or(rest.len(), |(i, _)| i);
    rest[..end].trim()
}

/// A quoted value starting right after its opening quote, possibly
/// continuing on the `following` lines. Returns it and how many of the
/// following lines it used.
fn quoted(
    quote: char,
    first: &str,
    following: &[&str],
) -> Result<(Zeroizing<Vec<u8>>, usize), &'static str> {
    let mut value = Zeroizing::new(String::new());
    let mut used = 0;
    let mut line = first;
    loop {
        let mut chars = line.char_indices();
        while let Some((i, c)) = chars.next() {
            if c == quote {
                if !is_end_of_entry(&line[i + 1..]) {
                    return Err("unexpected text after the closing quote");
                }
                return Ok((Zeroizing::new(value.as_bytes().to_vec()), used));
            }
            if quote == '"' && c == '\\' {
                match chars.next().map(|(_, next)| next) {
                    Some('n') => value.push('\n'),
                    Some('"') => value.push('"'),
                    Some('\\') => value.push('\\'),
                    Some(other) => {
                        value.push('\\');
                        value.push(other);
                    }
                    None => value.push('\\'),
                }
                continue;
            }
            value.push(c);
        }
        let Some(next) = following.get(used) else {
            return Err("the quoted value is never closed");
        };
        value.push('\n');
        line = next;
        used += 1;
    }
}

/// After a closing quote: nothing, spaces, or a comment.
fn is_end_of_entry(rest: &str) -> bool {
    let rest = rest.trim_start();
    rest.is_empty() || rest.starts_with('#')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> (String, Vec<u8>) {
        let mut entries = parse(text).unwrap();
        assert_eq!(entries.len(), 1, "{text:?}");
        let entry = entries.remove(0);
        (entry.key, entry.value.to_vec())
    }

    #[test]
    fn plain_forms() {
        assert_eq!(one("KEY=value"), ("KEY".into(), b"value".to_vec()));
        assert_eq!(
            one("  KEY = spaced value  "),
            ("KEY".into(), b"spaced value".to_vec())
        );
        assert_eq!(one("export KEY=v"), ("KEY".into(), b"v".to_vec()));
        assert_eq!(one("KEY=a#b # comment"), ("KEY".into(), b"a#b".to_vec()));
        assert_eq!(
            one("KEY=$HOME/${X}"),
            ("KEY".into(), b"$HOME/${X}".to_vec())
        );
        assert_eq!(one("KEY=a=b=c"), ("KEY".into(), b"a=b=c".to_vec()));
        assert_eq!(one("exported=1"), ("exported".into(), b"1".to_vec()));
    }

    #[test]
    fn quoted_forms() {
        assert_eq!(
            one("K='a \\n $X \" b'"),
            ("K".into(), b"a \\n $X \" b".to_vec())
        );
        assert_eq!(
            one("K=\"a\\nb \\\"q\\\" \\\\ \\t\""),
            ("K".into(), b"a\nb \"q\" \\ \\t".to_vec())
        );
        assert_eq!(
            one("K=\"line1\nline2\"  # c"),
            ("K".into(), b"line1\nline2".to_vec())
        );
        assert_eq!(one("K='a\r\nb'\r\n"), ("K".into(), b"a\nb".to_vec()));
        assert_eq!(
            one("K=\"#not a comment\""),
            ("K".into(), b"#not a comment".to_vec())
        );
    }

    #[test]
    fn skips_comments_and_blanks_and_counts_lines() {
        let entries = parse("# top\n\nA=1\n  # indented\nB=\"x\ny\"\nC=3\n").unwrap();
        let lines: Vec<usize> = entries.iter().map(|e| e.line).collect();
        assert_eq!(lines, [3, 5, 7]);
    }

    /// Entries hold secrets and have no `Debug`, so no `unwrap_err`.
    fn error_line(text: &str) -> usize {
        match parse(text) {
            Err(error) => error.line,
            Ok(_) => panic!("{text:?} parsed"),
        }
    }

    #[test]
    fn invalid_lines_name_their_number() {
        assert_eq!(error_line("A=1\nnot a pair\n"), 2);
        assert_eq!(error_line("A=1\n=value\n"), 2);
        assert_eq!(error_line("MY KEY=1"), 1);
        assert_eq!(error_line("A=1\nB=\"open\nstill open\n"), 2);
        assert_eq!(error_line("A='x' trailing"), 1);
    }
}
