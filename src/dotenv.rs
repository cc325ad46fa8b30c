//! A dotenv parser: `KEY=VALUE` lines as `secrets import` reads them.
//!
//! A .env file is read by whichever tool its project uses, and the common
//! ones do not read every form alike. Three are the references here:
//! python-dotenv, dotenvy (Rust) and Node's dotenv. A form they read alike is
//! read the same way; a form that one of them refuses and the other two read
//! alike is read as those two do (the majority); a form they read into
//! different values is refused, with its line number and a reason that says
//! how to write it so that all three agree. So an import never stores a value
//! other than the one the file's own tool would give its program, with two
//! deliberate exceptions: `$NAME` and `${NAME}` stay literal (dotenvy expands
//! them; `import` names such values in a note), and `\$` yields `$` (as in
//! dotenvy, where people write it to keep a `$`).
//!
//! Read alike: blank lines and `#` comments; an optional `export ` prefix; a
//! name alone on its line (nothing is set, as in python-dotenv and Node's
//! dotenv: the caller is told its line); single-quoted values, literal, which
//! may span lines; double-quoted values, which may span lines and know `\n`,
//! `\r` and `\$`; unquoted values, trimmed, where a blank then `#` starts a
//! comment. The README's import section has the table of forms.
//!
//! Errors name the line, never its content: the content is a secret.

mod dotenvy;

use dotenvy::Reading;
use zeroize::Zeroizing;

/// One `KEY=VALUE` entry and the line it starts on.
pub struct Entry {
    pub line: usize,
    pub key: String,
    pub value: Zeroizing<Vec<u8>>,
}

/// What a file holds: its entries, and the lines that name a variable
/// without giving it a value (which set nothing).
#[derive(Default)]
pub struct Parsed {
    pub entries: Vec<Entry>,
    pub without_value: Vec<usize>,
}

/// Why a form is refused, and how to write it instead. Neither quotes the
/// input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    pub reason: &'static str,
    pub hint: Option<&'static str>,
}

/// Why a file is not imported; `line` is 1-based.
#[derive(Debug, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub refusal: Refusal,
}

const EXPECTED_PAIR: Refusal = Refusal {
    reason: "expected KEY=VALUE",
    hint: None,
};
const CONTROL_CHARACTER: Refusal = Refusal {
    reason: "a control character, byte order mark or Unicode line separator, which dotenv \
             tools read differently",
    hint: Some("remove it; a value that needs one can be imported with --json"),
};
const LONE_CARRIAGE_RETURN: Refusal = Refusal {
    reason: "a carriage return without a line feed: python-dotenv and Node's dotenv end the \
             line there, dotenvy keeps it in the line",
    hint: Some("convert the file to LF (or CRLF) line endings"),
};
const QUOTED_NAME: Refusal = Refusal {
    reason: "a quoted name: python-dotenv reads it, Node's dotenv skips the line and dotenvy \
             refuses it",
    hint: Some("write the name without quotes"),
};
const BACKTICKS: Refusal = Refusal {
    reason: "a value in backticks: Node's dotenv reads them as quotes, python-dotenv and \
             dotenvy keep them in the value",
    hint: Some("quote the value with single quotes (literal) or double quotes"),
};
const HASH_FIRST: Refusal = Refusal {
    reason: "a value that starts with `#` right after `=`: python-dotenv keeps it, dotenvy \
             and Node's dotenv read an empty value and a comment",
    hint: Some("quote the value, or put a space after `=` for an empty value and a comment"),
};
const HASH_INSIDE: Refusal = Refusal {
    reason: "`#` inside an unquoted value: Node's dotenv ends the value there, python-dotenv \
             and dotenvy keep it",
    hint: Some("quote the value to keep the `#`, or put a space before it to start a comment"),
};
const UNQUOTED_ESCAPES: Refusal = Refusal {
    reason: "dotenvy reads the quotes or backslashes in this unquoted value as quoting and \
             escapes, python-dotenv and Node's dotenv keep them as written",
    hint: Some("quote the whole value: in single quotes, backslashes and `\"` stay as written"),
};
const SINGLE_QUOTED_ESCAPE: Refusal = Refusal {
    reason: "`\\\\` or `\\'` inside single quotes: python-dotenv reads an escape, dotenvy and \
             Node's dotenv keep the backslash",
    hint: Some(
        "put a value that contains `'` in double quotes; a single backslash stays as written",
    ),
};
const DOUBLE_QUOTED_ESCAPE: Refusal = Refusal {
    reason: "an escape inside double quotes that dotenv tools read differently (all three \
             read only `\\n` and `\\r` alike; `\\$` is `$`)",
    hint: Some(
        "put a value with `\"` or backslashes in single quotes, and a tab or other \
         character as itself",
    ),
};
const AFTER_QUOTE: Refusal = Refusal {
    reason: "unexpected text after the closing quote",
    hint: Some("a comment after a value starts with a space or tab, then `#`"),
};
const NEVER_CLOSED: Refusal = Refusal {
    reason: "the quoted value is never closed",
    hint: None,
};
const CRLF_IN_QUOTES: Refusal = Refusal {
    reason: "a quoted value spans lines that end in CRLF: dotenvy keeps the carriage returns \
             in the value, python-dotenv and Node's dotenv do not",
    hint: Some(
        "convert the file to LF line endings, or write each line break as `\\n` in double quotes",
    ),
};
const DOTENVY_JOINS: Refusal = Refusal {
    reason: "a quote left open on this line (in the value or in its comment) makes dotenvy \
             read the following lines as part of this one",
    hint: Some(
        "quote the whole value (in double quotes if it contains `'`); in a comment, remove the \
         quote or put a single space before `#`",
    ),
};

/// Parses a whole file; the first refused line fails it all.
pub fn parse(text: &str) -> Result<Parsed, ParseError> {
    check_characters(text)?;
    let file = File::new(text);
    let mut parsed = Parsed::default();
    let mut index = 0;
    while index < file.lines.len() {
        let used = file
            .statement(index, &mut parsed)
            .map_err(|refusal| ParseError {
                line: index + 1,
                refusal,
            })?;
        index += used;
    }
    Ok(parsed)
}

/// Refuses characters the references treat differently, wherever they are
/// (a comment included): Node's dotenv ends a line at U+2028 and U+2029, and
/// each trims its own set of blanks (python-dotenv's has U+001C to U+001F and
/// U+0085, Node's has U+FEFF). Past the first line a byte order mark is no
/// mark. A carriage return ends a line for two of them only.
fn check_characters(text: &str) -> Result<(), ParseError> {
    let mut line = 1;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let refusal = match c {
            '\n' => {
                line += 1;
                continue;
            }
            '\r' if chars.peek() == Some(&'\n') => continue,
            '\r' => LONE_CARRIAGE_RETURN,
            '\t' => continue,
            '\u{2028}' | '\u{2029}' | '\u{feff}' => CONTROL_CHARACTER,
            c if c.is_control() => CONTROL_CHARACTER,
            _ => continue,
        };
        return Err(ParseError { line, refusal });
    }
    Ok(())
}

/// A file as lines, without their line endings.
struct File<'a> {
    lines: Vec<&'a str>,
    /// Whether each line ended in CRLF.
    crlf: Vec<bool>,
}

impl<'a> File<'a> {
    fn new(text: &'a str) -> Self {
        let mut file = File {
            lines: Vec::new(),
            crlf: Vec::new(),
        };
        for line in text.split('\n') {
            let stripped = line.strip_suffix('\r');
            file.crlf.push(stripped.is_some());
            file.lines.push(stripped.unwrap_or(line));
        }
        file
    }

    /// Reads the statement on line `index` (a blank, a comment, a name alone
    /// or an entry) into `parsed`; returns how many lines it spans.
    fn statement(&self, index: usize, parsed: &mut Parsed) -> Result<usize, Refusal> {
        let line = self.lines[index];
        let text = line.trim_start();
        if text.is_empty() || text.starts_with('#') {
            return Ok(1);
        }
        let (key, after_key) = split_key(text)?;
        let after_key = after_key.trim_start();
        let Some(after_equals) = after_key.strip_prefix('=') else {
            // After a name alone only a comment may follow.
            if crate::name::is_valid(key) && (after_key.is_empty() || after_key.starts_with('#')) {
                parsed.without_value.push(index + 1);
                return Ok(1);
            }
            return Err(EXPECTED_PAIR);
        };
        let rest = after_equals.trim_start();
        let start = line.len() - rest.len();
        let (value, used) = match rest.chars().next() {
            None => (Zeroizing::new(Vec::new()), 1),
            // A blank, then `#`: all three read an empty value and a comment.
            Some('#') if rest.len() < after_equals.len() => (Zeroizing::new(Vec::new()), 1),
            Some('#') => return Err(HASH_FIRST),
            Some('`') => (self.backticked(index, start)?, 1),
            Some(quote @ ('\'' | '"')) => self.quoted(quote, index, start + 1)?,
            Some(_) => (unquoted(line, start)?, 1),
        };
        // Where dotenvy's reader would end this entry elsewhere, entries
        // after it would differ; where it never ends one, dotenvy refuses
        // the file, and the two others agree.
        match dotenvy::joined_lines(&self.lines[index..], false) {
            Some(joined) if joined != used => return Err(DOTENVY_JOINS),
            _ => {}
        }
        parsed.entries.push(Entry {
            line: index + 1,
            key: key.to_owned(),
            value,
        });
        Ok(used)
    }

    /// A value that starts with a backtick at byte `start` of line `index`,
    /// read unquoted where Node's dotenv reads it so too; it also strips a
    /// backtick at both ends of an unquoted value.
    fn backticked(&self, index: usize, start: usize) -> Result<Zeroizing<Vec<u8>>, Refusal> {
        if self.node_reads_backticks(index, start + 1) {
            return Err(BACKTICKS);
        }
        let value = unquoted(self.lines[index], start)?;
        if value.len() > 1 && value.ends_with(b"`") {
            return Err(BACKTICKS);
        }
        Ok(value)
    }

    /// Whether Node's dotenv reads the value that starts with a backtick
    /// before byte `start` of line `index` as quoted: when a closing
    /// backtick, on this line or a later one, ends its line or comes before
    /// a comment. Otherwise it reads the line unquoted, as the others do.
    /// A backslash before a backtick lets it end the value or not (both
    /// are tried), so it counts as quoted.
    fn node_reads_backticks(&self, index: usize, start: usize) -> bool {
        let mut text = &self.lines[index][start..];
        for current in index..self.lines.len() {
            if current > index {
                text = self.lines[current];
            }
            if let Some(at) = text.find('`') {
                let rest = text[at + 1..].trim_start();
                return text[..at].ends_with('\\') || rest.is_empty() || rest.starts_with('#');
            }
        }
        false
    }

    /// A value in `quote`s whose text starts at byte `start` of line
    /// `index`, possibly continuing on the following lines. Returns it and
    /// how many lines it spans.
    fn quoted(
        &self,
        quote: char,
        index: usize,
        start: usize,
    ) -> Result<(Zeroizing<Vec<u8>>, usize), Refusal> {
        let mut value = Zeroizing::new(String::new());
        let mut current = index;
        let mut text = &self.lines[index][start..];
        loop {
            let mut chars = text.char_indices();
            while let Some((i, c)) = chars.next() {
                if c == quote {
                    check_after_quote(&text[i + c.len_utf8()..])?;
                    let bytes = Zeroizing::new(value.as_bytes().to_vec());
                    return Ok((bytes, current - index + 1));
                }
                if c == '\\' {
                    escape(quote, chars.next().map(|(_, next)| next), &mut value)?;
                } else {
                    value.push(c);
                }
            }
            if current + 1 == self.lines.len() {
                return Err(NEVER_CLOSED);
            }
            if self.crlf[current] {
                return Err(CRLF_IN_QUOTES);
            }
            value.push('\n');
            current += 1;
            text = self.lines[current];
        }
    }
}

/// The name at the start of `text` (after an optional `export `) and what
/// follows it.
fn split_key(text: &str) -> Result<(&str, &str), Refusal> {
    let text = strip_export(text);
    if text.starts_with(['\'', '"']) {
        return Err(QUOTED_NAME);
    }
    let end = text
        .find(|c: char| c == '=' || c.is_whitespace())
        .unwrap_or(text.len());
    if end == 0 {
        return Err(EXPECTED_PAIR);
    }
    Ok(text.split_at(end))
}

fn strip_export(line: &str) -> &str {
    match line.strip_prefix("export") {
        Some(rest) if rest.starts_with(char::is_whitespace) => rest.trim_start(),
        _ => line,
    }
}

/// An unquoted value starting at byte `start` of `line`: up to a blank
/// then `#`, trimmed; `\$` is `$`, other backslashes stay.
fn unquoted(line: &str, start: usize) -> Result<Zeroizing<Vec<u8>>, Refusal> {
    let rest = &line[start..];
    let end = match rest.find('#') {
        Some(at) if rest[..at].ends_with([' ', '\t']) => at,
        Some(_) => return Err(HASH_INSIDE),
        None => rest.len(),
    };
    let value = Zeroizing::new(rest[..end].trim_end().replace("\\$", "$"));
    match dotenvy::unquoted(line, start) {
        Reading::Value(read) if *read != *value => Err(UNQUOTED_ESCAPES),
        _ => Ok(Zeroizing::new(value.as_bytes().to_vec())),
    }
}

/// Adds to `value` what a backslash followed by `next` (`None`: the end
/// of the line) means inside `quote`s, or refuses it where the references
/// read it differently. Each keeps a backslash it does not know.
fn escape(quote: char, next: Option<char>, value: &mut String) -> Result<(), Refusal> {
    match (quote, next) {
        // python-dotenv alone reads these in single quotes.
        ('\'', Some('\\' | '\'')) => return Err(SINGLE_QUOTED_ESCAPE),
        ('"', Some('n')) => value.push('\n'),
        // dotenvy refuses `\r`; the two others read a carriage return.
        ('"', Some('r')) => value.push('\r'),
        ('"', Some('$')) => value.push('$'),
        // python-dotenv and dotenvy read some of these, Node's dotenv none,
        // and dotenvy refuses the others.
        ('"', Some('\\' | '"' | '\'' | ' ' | 't' | 'a' | 'b' | 'f' | 'v')) => {
            return Err(DOUBLE_QUOTED_ESCAPE);
        }
        (_, next) => {
            value.push('\\');
            value.extend(next);
        }
    }
    Ok(())
}

/// After a closing quote: blanks, and a comment after a space or tab.
/// (dotenvy reads `"a"#b` as `a#b`, the two others as `a`.)
fn check_after_quote(rest: &str) -> Result<(), Refusal> {
    let comment = rest.trim_start_matches([' ', '\t']);
    if rest.trim_end().is_empty() || (comment.starts_with('#') && comment.len() < rest.len()) {
        Ok(())
    } else {
        Err(AFTER_QUOTE)
    }
}

#[cfg(test)]
mod tests {
    //! Each expected value cites the reference test it comes from:
    //! python-dotenv `tests/test_parser.py` (`test_parse_stream` cases),
    //! dotenvy `dotenvy/src/parse.rs` and `lib.rs` tests, Node's dotenv
    //! `tests/test-parse.js` and `test-parse-multiline.js` (their inputs
    //! are in `tests/.env` and `tests/.env.multiline`). A refused form says
    //! which references disagree; "run" marks a reading checked by running
    //! the three libraries (python-dotenv 1.2, dotenvy 0.15.7, dotenv 18).
    use super::*;

    /// The entries of `text` as (key, value) pairs.
    fn values(text: &str) -> Vec<(String, String)> {
        match parse(text) {
            Ok(parsed) => parsed
                .entries
                .into_iter()
                .map(|e| (e.key, String::from_utf8(e.value.to_vec()).unwrap()))
                .collect(),
            Err(e) => panic!("{text:?} refused at line {}: {}", e.line, e.refusal.reason),
        }
    }

    /// The one value `text` gives.
    fn one(text: &str) -> String {
        let mut all = values(text);
        assert_eq!(all.len(), 1, "{text:?}");
        all.remove(0).1
    }

    /// Entries hold secrets and have no `Debug`, so no `unwrap_err`.
    fn refused(text: &str) -> ParseError {
        match parse(text) {
            Err(error) => error,
            Ok(_) => panic!("{text:?} parsed"),
        }
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn python_dotenv_forms() {
        // test_parse_stream: "a=b", " a = b ", "export a=b", "a=b #c",
        // "a=b\t#c", "a=b c", "a=b\tc", "a=b  c", "a=b\u00a0 c", "a=b c ".
        assert_eq!(one("a=b"), "b");
        assert_eq!(one(" a = b "), "b");
        assert_eq!(one("export a=b"), "b");
        assert_eq!(one("a=b #c"), "b");
        assert_eq!(one("a=b\t#c"), "b");
        assert_eq!(one("a=b c"), "b c");
        assert_eq!(one("a=b\tc"), "b\tc");
        assert_eq!(one("a=b  c"), "b  c");
        assert_eq!(one("a=b\u{a0} c"), "b\u{a0} c");
        assert_eq!(one("a=b c "), "b c");
        // "a='b c '", "a=\"b c \"", "export export_a=1", "export port=8000".
        assert_eq!(one("a='b c '"), "b c ");
        assert_eq!(one("a=\"b c \""), "b c ");
        assert_eq!(values("export export_a=1"), pairs(&[("export_a", "1")]));
        assert_eq!(values("export port=8000"), pairs(&[("port", "8000")]));
        // Quoted values over lines, and the `\n` escape in each quote.
        assert_eq!(one("a=\"b\nc\""), "b\nc");
        assert_eq!(one("a='b\nc'"), "b\nc");
        assert_eq!(one("a=\"b\\nc\""), "b\nc");
        assert_eq!(one("a='b\\nc'"), "b\\nc");
        assert_eq!(one("a=à"), "à");
        assert_eq!(one("a=\"à\""), "à");
        // Line endings, empty values, blank lines and comments.
        assert_eq!(values("a=b\nc=d"), pairs(&[("a", "b"), ("c", "d")]));
        assert_eq!(values("a=b\r\nc=d"), pairs(&[("a", "b"), ("c", "d")]));
        assert_eq!(values("a=\nb=c"), pairs(&[("a", ""), ("b", "c")]));
        assert!(values("").is_empty() && values("\n\n").is_empty());
        assert_eq!(values("a=b\n\nc=d"), pairs(&[("a", "b"), ("c", "d")]));
        assert_eq!(
            values("# comment\na=\"b\nc\"\nd=e\n"),
            pairs(&[("a", "b\nc"), ("d", "e")])
        );
        assert_eq!(values("a=b\n# comment 1"), pairs(&[("a", "b")]));
        assert!(values("# comment 1\n# comment 2").is_empty());
        // The key is refused later, by the name rules; the value is read.
        assert_eq!(
            values("uglyKey[%$=\"S3cr3t_P4ssw#rD\" #\na=b"),
            pairs(&[("uglyKey[%$", "S3cr3t_P4ssw#rD"), ("a", "b")])
        );
    }

    #[test]
    fn a_name_alone_sets_nothing() {
        // python-dotenv "no_value_var": a binding without a value, which
        // load_dotenv does not set; Node's dotenv skips the line (run).
        let parsed = parse("no_value_var\nA=1\nexport B # c\n").unwrap();
        assert_eq!(parsed.without_value, [1, 3]);
        assert_eq!(parsed.entries.len(), 1);
        // dotenvy test_parse_line_invalid refuses "  invalid    " alone:
        // outvoted. Its other two lines no one reads.
        assert_eq!(parse("  invalid    ").unwrap().without_value, [1]);
        assert_eq!(refused("very bacon = yes indeed").refusal, EXPECTED_PAIR);
        assert_eq!(refused("=value").refusal, EXPECTED_PAIR);
        // python-dotenv "a: b" is an error; Node's dotenv alone reads it.
        assert_eq!(refused("a: b").refusal, EXPECTED_PAIR);
    }

    #[test]
    fn dotenvy_forms() {
        // parse.rs test_parse_line_env.
        let env = "KEY=1\nKEY2=\"2\"\nKEY3='3'\nKEY4='fo ur'\nKEY5=\"fi ve\"\nKEY7=\n\
                   KEY8=     \nKEY9=   # foo\nKEY10  =\"whitespace before =\"\n\
                   KEY11=    \"whitespace after =\"\nexport=\"export as key\"\n\
                   export   SHELL_LOVER=1\n";
        assert_eq!(
            values(env),
            pairs(&[
                ("KEY", "1"),
                ("KEY2", "2"),
                ("KEY3", "3"),
                ("KEY4", "fo ur"),
                ("KEY5", "fi ve"),
                ("KEY7", ""),
                ("KEY8", ""),
                ("KEY9", ""),
                ("KEY10", "whitespace before ="),
                ("KEY11", "whitespace after ="),
                ("export", "export as key"),
                ("SHELL_LOVER", "1"),
            ])
        );
        // parse.rs test_parse_value_escapes: KEY2, KEY6, KEY7.
        assert_eq!(one("KEY2=\\$sweet"), "$sweet");
        assert_eq!(one("KEY6=\"lol\" #well you see when I say lol wh"), "lol");
        assert_eq!(one("KEY7=\"line 1\\nline 2\""), "line 1\nline 2");
        // lib.rs test_multiline: STRONG keeps its backslashes.
        let strong = "-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\\n\\\"QUOTED\\\"";
        assert_eq!(one(&format!("STRONG='{strong}'")), strong);
        // lib.rs test_multiline_comment (TESTKEY2, `a#b`, is refused below).
        let comments = "# Start of env file\n# Comment line with single ' quote\n\
                        # Comment line with double \" quote\n \
                        # Comment line with double \" quote and starts with a space\n\
                        TESTKEY1=test_val # 1 '\" comment\n\
                        TESTKEY3=\"test_val quoted with # hash\" # 3 '\" comment\n\
                        TESTKEY4=\"Line 1\n# Line 2\nLine 3\" # 4 Multiline \"' comment\n\
                        TESTKEY5=\"Line 4\n# Line 5\nLine 6\n\" # 5 Multiline \"' comment\n\
                        # End of env file\n";
        assert_eq!(
            values(comments),
            pairs(&[
                ("TESTKEY1", "test_val"),
                ("TESTKEY3", "test_val quoted with # hash"),
                ("TESTKEY4", "Line 1\n# Line 2\nLine 3"),
                ("TESTKEY5", "Line 4\n# Line 5\nLine 6\n"),
            ])
        );
        // Values dotenvy alone refuses (test_parse_value_escapes_invalid
        // KEY, KEY4; error_tests should_not_parse_invalid_escape): the two
        // others read them as written.
        assert_eq!(one("KEY=my uncool value"), "my uncool value");
        assert_eq!(one("KEY4=h\\8u"), "h\\8u");
        assert_eq!(one("VALUE=>\\f<"), ">\\f<");
        // ...and refuses rightly (test_parse_value_escapes_invalid KEY2,
        // KEY3; error_tests should_not_parse_invalid_format).
        assert_eq!(refused("KEY2=\"why\n").refusal, NEVER_CLOSED);
        assert_eq!(refused("KEY3='please stop''").refusal, AFTER_QUOTE);
        assert_eq!(refused("<><><>").refusal, EXPECTED_PAIR);
    }

    #[test]
    fn dollar_signs_stay_literal() {
        // dotenvy's substitution tests expand these; we never do (run:
        // python-dotenv's parser and Node's dotenv keep them too).
        assert_eq!(one("KEY1=\"${KEY}\""), "${KEY}");
        assert_eq!(one("KEY=>${baz{<"), ">${baz{<");
        // Node "DOUBLE_QUOTES_WITH_NO_SPACE_BRACKET".
        assert_eq!(
            one("D=\"{ port: $MONGOLAB_PORT}\""),
            "{ port: $MONGOLAB_PORT}"
        );
        // dotenvy do_not_sub_with_dollar_escaped and
        // do_not_sub_in_weak_quotes_with_dollar_escaped: `\$` is `$`.
        assert_eq!(one("KEY=>\\$KEY1<>\\${KEY2}<"), ">$KEY1<>${KEY2}<");
        assert_eq!(one("KEY=\">\\$KEY1<>\\${KEY2}<\""), ">$KEY1<>${KEY2}<");
        // do_not_sub_in_strong_quotes.
        assert_eq!(one("KEY='>${KEY1}<>$KEY2<'"), ">${KEY1}<>$KEY2<");
    }

    #[test]
    fn node_dotenv_forms() {
        // test-parse.js on tests/.env.
        for (line, value) in [
            ("BASIC=basic", "basic"),
            ("SINGLE_QUOTES='single_quotes'", "single_quotes"),
            (
                "SINGLE_QUOTES_SPACED='    single quotes    '",
                "    single quotes    ",
            ),
            ("DOUBLE_QUOTES=\"double_quotes\"", "double_quotes"),
            (
                "DOUBLE_QUOTES_SPACED=\"    double quotes    \"",
                "    double quotes    ",
            ),
            (
                "DOUBLE_QUOTES_INSIDE_SINGLE='double \"quotes\" work inside single quotes'",
                "double \"quotes\" work inside single quotes",
            ),
            (
                "SINGLE_QUOTES_INSIDE_DOUBLE=\"single 'quotes' work inside double quotes\"",
                "single 'quotes' work inside double quotes",
            ),
            (
                "BACKTICKS_INSIDE_SINGLE='`backticks` work inside single quotes'",
                "`backticks` work inside single quotes",
            ),
            (
                "EXPAND_NEWLINES=\"expand\\nnew\\nlines\"",
                "expand\nnew\nlines",
            ),
            (
                "DONT_EXPAND_SQUOTED='dontexpand\\nnewlines'",
                "dontexpand\\nnewlines",
            ),
            (
                "INLINE_COMMENTS=inline comments # work #very #well",
                "inline comments",
            ),
            (
                "INLINE_COMMENTS_SINGLE_QUOTES='inline comments outside of #singlequotes' # work",
                "inline comments outside of #singlequotes",
            ),
            ("EQUAL_SIGNS=equals==", "equals=="),
            (
                "RETAIN_INNER_QUOTES={\"foo\": \"bar\"}",
                "{\"foo\": \"bar\"}",
            ),
            (
                "RETAIN_INNER_QUOTES_AS_STRING='{\"foo\": \"bar\"}'",
                "{\"foo\": \"bar\"}",
            ),
            (
                "TRIM_SPACE_FROM_UNQUOTED=    some spaced out string",
                "some spaced out string",
            ),
            (
                "USERNAME=therealnerdybeast@example.tld",
                "therealnerdybeast@example.tld",
            ),
            ("    SPACED_KEY = parsed", "parsed"),
            (
                "export   EXPORT_IS_DECLARED_WITH_SOME_VALUE_AND_SPACING  =some_value",
                "some_value",
            ),
        ] {
            assert_eq!(one(line), value, "{line}");
        }
        // test-parse-multiline.js on tests/.env.multiline.
        assert_eq!(
            one("MULTI_DOUBLE_QUOTED=\"THIS\nIS\nA\nMULTILINE\nSTRING\""),
            "THIS\nIS\nA\nMULTILINE\nSTRING"
        );
        assert_eq!(
            one("MULTI_SINGLE_QUOTED='THIS\nIS\nA\nMULTILINE\nSTRING'"),
            "THIS\nIS\nA\nMULTILINE\nSTRING"
        );
        // "can parse (\r\n) line endings".
        assert_eq!(
            values("SERVER=localhost\r\nPASSWORD=password\r\nDB=tests\r\n"),
            pairs(&[
                ("SERVER", "localhost"),
                ("PASSWORD", "password"),
                ("DB", "tests")
            ])
        );
    }

    #[test]
    fn forms_the_references_read_differently_are_refused() {
        for (text, refusal) in [
            // python-dotenv "a=b\rc=d" and Node's "(\r) line endings" split
            // there; dotenvy reads one line (run).
            (
                "SERVER=localhost\rPASSWORD=password\r",
                LONE_CARRIAGE_RETURN,
            ),
            // Node's BACKTICKS, MULTI_BACKTICKED: python-dotenv and dotenvy
            // keep the backticks (run); INLINE_COMMENTS_BACKTICKS too.
            ("BACKTICKS=`backticks`", BACKTICKS),
            ("M=`THIS\nIS\n\"MULTILINE'S\"`", BACKTICKS),
            ("X=`a #b` # c", BACKTICKS),
            // Node's INLINE_COMMENTS_SPACE ends at `#`; python-dotenv "a=b#c"
            // and dotenvy TESTKEY2 keep it.
            ("S=inline comments start with a#number sign", HASH_INSIDE),
            ("a=b#c", HASH_INSIDE),
            ("TESTKEY2=test_val_with_#_hash # 2", HASH_INSIDE),
            // Node's DONT_EXPAND_UNQUOTED keeps `\n`, dotenvy reads a line
            // feed (run); dotenvy test_parse_value_escapes KEY reads
            // `my cool value`, the others keep the backslashes (run).
            (
                "DONT_EXPAND_UNQUOTED=dontexpand\\nnewlines",
                UNQUOTED_ESCAPES,
            ),
            ("KEY=my\\ cool\\ value", UNQUOTED_ESCAPES),
            ("K={\"foo\":\"bar\"}", UNQUOTED_ESCAPES),
            // python-dotenv "a=\"b\\\"c\"" and dotenvy KEY3 read `"`, Node's
            // dotenv keeps `\"` (run); likewise `\\`, `\'`, `\t`.
            ("a=\"b\\\"c\"", DOUBLE_QUOTED_ESCAPE),
            ("K=\"a\\\\b\"", DOUBLE_QUOTED_ESCAPE),
            ("K=\"a\\tb\"", DOUBLE_QUOTED_ESCAPE),
            // python-dotenv "a='b\\'c'" reads `b'c`, Node's dotenv `b\'c`.
            ("a='b\\'c'", SINGLE_QUOTED_ESCAPE),
            ("K='a\\\\b'", SINGLE_QUOTED_ESCAPE),
            // Shell-style quoting (dotenvy KEY4): python-dotenv refuses it,
            // the two others read different values (run).
            ("KEY4='sweet $\\fgs'\\''fds'", AFTER_QUOTE),
            ("K=\"x\"#c", AFTER_QUOTE),
            // python-dotenv "'a'=b" and " export 'a'=b": Node's dotenv
            // skips the line (run).
            ("'a'=b", QUOTED_NAME),
            (" export 'a'=b", QUOTED_NAME),
            // python-dotenv reads `#x`, the others an empty value (run).
            ("K=#x", HASH_FIRST),
            ("K=\"a\r\nb\"\r\n", CRLF_IN_QUOTES),
            ("K=a  # it's\nB=1\nC='x\n", DOTENVY_JOINS),
            ("K=it's\nB=don't\n", DOTENVY_JOINS),
            ("K=\"a\u{2028}b\"", CONTROL_CHARACTER),
            ("K=a\u{1f}", CONTROL_CHARACTER),
            ("A=1\n\u{feff}B=2", CONTROL_CHARACTER),
        ] {
            assert_eq!(refused(text).refusal, refusal, "{text:?}");
        }
    }

    #[test]
    fn what_one_reference_refuses_is_read_as_the_two_others_do() {
        // Run: dotenvy refuses each, python-dotenv and Node's dotenv agree.
        assert_eq!(one("K=\"a\\rb\""), "a\rb");
        assert_eq!(one("K=\"a\\db\""), "a\\db");
        assert_eq!(one("K=C:\\Users\\me"), "C:\\Users\\me");
        assert_eq!(one("K=it's"), "it's");
        assert_eq!(one("K=`x` y"), "`x` y");
        // Run: python-dotenv refuses it, dotenvy and Node's dotenv agree.
        assert_eq!(one("K= #x"), "");
    }

    #[test]
    fn refusals_name_the_line_the_entry_starts_on() {
        assert_eq!(refused("A=1\nnot a pair\n").line, 2);
        assert_eq!(refused("A=1\n=value\n").line, 2);
        assert_eq!(refused("MY KEY=1").line, 1);
        assert_eq!(refused("A=1\nB=\"open\nstill open\n").line, 2);
        assert_eq!(refused("A='x' trailing").line, 1);
        assert_eq!(refused("A=1\nB=\"x\ny\\tz\"\n").line, 2);
        assert_eq!(refused("A=1\n# c\rB=2").line, 2);
    }

    proptest::proptest! {
        /// No input panics: text made of the characters each rule is about.
        #[test]
        fn never_panics(text in "[A-Z=a #'\"`\\$\n\r\t\u{a0}\u{2028}é]{0,40}") {
            let _ = parse(&text);
        }
    }

    #[test]
    fn skips_comments_and_blanks_and_counts_lines() {
        let parsed = parse("# top\n\nA=1\n  # indented\nB=\"x\ny\"\nC=3\n").unwrap();
        let lines: Vec<usize> = parsed.entries.iter().map(|e| e.line).collect();
        assert_eq!(lines, [3, 5, 7]);
    }
}
