//! How dotenvy reads a line, modelled closely enough to tell where it would
//! read something other than what python-dotenv and Node's dotenv read.
//!
//! Two of its rules disagree with the other two references on text they
//! all accept: its reader joins physical lines while a quote it tracks is
//! open (also in a comment: `KEY=v  # it's`), and in an unquoted value it
//! reads quotes and backslash escapes (`a"b"c` is `abc`, `my\ value` is
//! `my value`). The parser accepts such text only where this model says
//! dotenvy reads it alike, or refuses it: refusing is no disagreement.
//! Variable substitution (`$NAME`) is left out on purpose: we never expand.
//!
//! The states and transitions are dotenvy 0.15's `ParseState::eval_end`
//! (`iter.rs`) and `parse_value` (`parse.rs`).

use zeroize::Zeroizing;

/// dotenvy's reader state between characters: inside which quote it is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Complete,
    Escape,
    StrongOpen,
    StrongOpenEscape,
    WeakOpen,
    WeakOpenEscape,
    WhiteSpace,
}

/// One character further; `None` when a comment starts, which ends the line.
fn step(state: State, c: char) -> Option<State> {
    Some(match state {
        State::WhiteSpace => match c {
            '#' => return None,
            '\\' => State::Escape,
            '"' => State::WeakOpen,
            '\'' => State::StrongOpen,
            _ => State::Complete,
        },
        State::Escape => State::Complete,
        State::Complete => match c {
            c if c.is_whitespace() && c != '\n' && c != '\r' => State::WhiteSpace,
            '\\' => State::Escape,
            '"' => State::WeakOpen,
            '\'' => State::StrongOpen,
            _ => State::Complete,
        },
        State::WeakOpen => match c {
            '\\' => State::WeakOpenEscape,
            '"' => State::Complete,
            _ => State::WeakOpen,
        },
        State::WeakOpenEscape => State::WeakOpen,
        State::StrongOpen => match c {
            '\\' => State::StrongOpenEscape,
            '\'' => State::Complete,
            _ => State::StrongOpen,
        },
        State::StrongOpenEscape => State::StrongOpen,
    })
}

/// How many of `lines` dotenvy joins into the line that starts at
/// `lines[0]`; `None` if it never ends (dotenvy then fails at the end of
/// the file). `last_has_newline` tells whether the last of `lines` ends
/// with a line feed (a file's last line may not).
pub fn joined_lines(lines: &[&str], last_has_newline: bool) -> Option<usize> {
    let mut state = State::Complete;
    for (index, line) in lines.iter().enumerate() {
        let newline = index + 1 < lines.len() || last_has_newline;
        let chars = line.chars().chain(newline.then_some('\n'));
        for c in chars {
            match step(state, c) {
                Some(next) => state = next,
                None => return Some(index + 1),
            }
        }
        if state == State::Complete {
            return Some(index + 1);
        }
    }
    None
}

/// What dotenvy makes of an unquoted value.
#[derive(Debug, PartialEq, Eq)]
pub enum Reading {
    Value(Zeroizing<String>),
    /// dotenvy fails on it (and so refuses the whole file).
    Refused,
}

/// dotenvy's reading of the value of a one-line entry: `line` is the whole
/// line, `start` the byte offset where its value begins (after `=` and the
/// blanks that follow it).
pub fn unquoted(line: &str, start: usize) -> Reading {
    // The reader cuts the line at a comment it sees, then the line parser
    // trims its end.
    let mut state = State::Complete;
    let mut end = line.len();
    for (i, c) in line.char_indices() {
        match step(state, c) {
            Some(next) => state = next,
            None => {
                end = i;
                break;
            }
        }
    }
    let line = line[..end].trim_end();
    parse_value(line.get(start..).unwrap_or(""))
}

/// dotenvy's `parse_value` without substitution: quotes concatenate,
/// backslashes escape a few characters, a blank ends the value.
fn parse_value(input: &str) -> Reading {
    let mut value = Zeroizing::new(String::new());
    let (mut strong, mut weak, mut escaped, mut expecting_end) = (false, false, false, false);
    for c in input.chars() {
        if expecting_end {
            match c {
                ' ' | '\t' => continue,
                '#' => break,
                _ => return Reading::Refused,
            }
        } else if escaped {
            match c {
                '\\' | '\'' | '"' | '$' | ' ' => value.push(c),
                'n' => value.push('\n'),
                _ => return Reading::Refused,
            }
            escaped = false;
        } else if strong {
            match c {
                '\'' => strong = false,
                _ => value.push(c),
            }
        } else if weak {
            match c {
                '"' => weak = false,
                '\\' => escaped = true,
                _ => value.push(c),
            }
        } else {
            match c {
                '\'' => strong = true,
                '"' => weak = true,
                '\\' => escaped = true,
                ' ' | '\t' => expecting_end = true,
                _ => value.push(c),
            }
        }
    }
    if strong || weak {
        Reading::Refused
    } else {
        Reading::Value(value)
    }
}

#[cfg(test)]
mod tests {
    //! Expected values are dotenvy's own, from its tests where they have
    //! one (`parse.rs`: `test_parse_value_escapes`, `test_parse_line_env`,
    //! `test_parse_value_escapes_invalid`; `lib.rs`: `test_multiline`,
    //! `test_multiline_comment`), else from running dotenvy 0.15.7.
    use super::*;

    fn value(line: &str) -> Reading {
        let start = line.find('=').unwrap() + 1;
        let start = start + line[start..].len() - line[start..].trim_start().len();
        unquoted(line, start)
    }

    fn read(text: &str) -> Reading {
        Reading::Value(Zeroizing::new(text.to_owned()))
    }

    #[test]
    fn unquoted_values() {
        // parse.rs test_parse_value_escapes: KEY, KEY2, KEY6.
        assert_eq!(value(r"KEY=my\ cool\ value"), read("my cool value"));
        assert_eq!(value(r"KEY2=\$sweet"), read("$sweet"));
        assert_eq!(value(r#"KEY6="lol" #well you see"#), read("lol"));
        // parse.rs test_parse_line_env: KEY6, KEY9.
        assert_eq!(value(r"KEY6=s\ ix"), read("s ix"));
        assert_eq!(value("KEY9=   # foo"), read(""));
        // lib.rs test_multiline_comment: TESTKEY1, TESTKEY2.
        assert_eq!(value("TESTKEY1=test_val # 1 '\" comment"), read("test_val"));
        assert_eq!(
            value("TESTKEY2=test_val_with_#_hash # 2 '\" comment"),
            read("test_val_with_#_hash")
        );
        // Run: quotes concatenate; a trailing backslash is dropped.
        assert_eq!(value(r#"K={"foo":"bar"}"#), read("{foo:bar}"));
        assert_eq!(value(r"K=a\"), read("a"));
        assert_eq!(
            value(r"K=dontexpand\nnewlines"),
            read("dontexpand\nnewlines")
        );
    }

    #[test]
    fn refused_values() {
        // parse.rs test_parse_value_escapes_invalid: KEY, KEY4.
        assert_eq!(value("KEY=my uncool value"), Reading::Refused);
        assert_eq!(value(r"KEY4=h\8u"), Reading::Refused);
        // Run: a blank then a quoted part; an unclosed quote.
        assert_eq!(value(r#"K={"foo": "bar"}"#), Reading::Refused);
        assert_eq!(value("K=it's"), Reading::Refused);
    }

    #[test]
    fn lines_join_while_a_quote_is_open() {
        // lib.rs test_multiline: KEY3 spans four lines.
        let key3 = [
            "KEY3=\"awesome \\\"stuff\\\"",
            "more",
            "on other",
            "lines\"",
            "X=1",
        ];
        assert_eq!(joined_lines(&key3, true), Some(4));
        assert_eq!(joined_lines(&["A=1", "B=2"], true), Some(1));
        // Run: one blank before `#` starts a comment, two do not, so the
        // quote in this comment opens a value up to the next quote.
        assert_eq!(joined_lines(&["K=a # it's", "B=1", "C='x'"], true), Some(1));
        assert_eq!(joined_lines(&["K=a  # it's", "B=1", "C='x"], true), Some(3));
        assert_eq!(joined_lines(&["K=a  # it's", "B=1", "C='x'"], true), None);
        assert_eq!(joined_lines(&["K='open", "B=1"], true), None);
        // Run: a last line ending in a blank, with no line feed, never ends.
        assert_eq!(joined_lines(&["K=a "], false), None);
        assert_eq!(joined_lines(&["K=a "], true), Some(1));
    }
}
