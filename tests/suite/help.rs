//! What `--help` says: examples in the long help of the commands that take
//! values, names or programs (`-h` stays short), `--` in exec's usage line,
//! and `--identity` described without claiming every command decrypts.

use crate::common::*;

const WITH_EXAMPLES: [&str; 6] = ["create", "update", "exec", "import", "delete", "rename"];

fn help(sb: &Sandbox, args: &[&str]) -> String {
    let out = sb.cmd().args(args).output().unwrap();
    assert_success(&out, &format!("secrets {args:?}"));
    stdout(&out)
}

#[test]
fn long_help_has_examples_and_short_help_does_not() {
    let sb = Sandbox::new();
    for command in WITH_EXAMPLES {
        let long = help(&sb, &[command, "--help"]);
        let examples = long
            .split("\nExamples:\n")
            .nth(1)
            .unwrap_or_else(|| panic!("{command} --help has no Examples section:\n{long}"));
        let invocation = format!("secrets {command} ");
        assert!(
            examples.lines().any(|l| l.contains(&invocation)),
            "{command}: no example runs `{invocation}`:\n{examples}"
        );
        let short = help(&sb, &[command, "-h"]);
        assert!(!short.contains("Examples"), "{command} -h:\n{short}");
        assert!(short.len() < long.len(), "{command}");
    }
}

#[test]
fn exec_usage_shows_the_double_dash() {
    let sb = Sandbox::new();
    for flag in ["--help", "-h"] {
        let text = help(&sb, &["exec", flag]);
        assert!(
            text.contains("Usage: secrets exec [OPTIONS] -- <CMD>..."),
            "exec {flag}:\n{text}"
        );
    }
}

#[test]
fn identity_is_not_said_to_decrypt_for_every_command() {
    let sb = Sandbox::new();
    let commands = [
        "create", "update", "list", "show", "delete", "import", "log", "doctor",
    ];
    for command in commands {
        for flag in ["--help", "-h"] {
            let text = help(&sb, &[command, flag]);
            // From `--identity` to the next option (long help wraps).
            let start = text
                .find("--identity <PATH>")
                .unwrap_or_else(|| panic!("{command} {flag}: no --identity:\n{text}"));
            let rest = &text[start..];
            let entry = &rest[..rest.find("\n  -").unwrap_or(rest.len())];
            assert!(!entry.contains("decrypts"), "{command} {flag}: {entry}");
            assert!(
                entry.contains("only commands that decrypt read it"),
                "{command} {flag}: {entry}"
            );
        }
    }
}
