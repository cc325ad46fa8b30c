//! Text that came from input (program names, secret names, descriptions,
//! paths) is printed with its control characters escaped, so that it cannot
//! drive the terminal of whoever reads `log`, `list`, `show` or an error.
//! JSON output keeps the exact text, escaped by JSON's own rules.

use crate::common::*;
use serde_json::Value;

/// An xterm "set window title" sequence: ESC ] 0 ; ... BEL.
const TITLE: &str = "x\x1b]0;pwned\x07";
/// How `TITLE` is printed.
const TITLE_SHOWN: &str = "x\\x1b]0;pwned\\x07";

/// Asserts that `text` holds no control character but line ends.
fn assert_no_controls(text: &str, what: &str) {
    let found: Vec<char> = text
        .chars()
        .filter(|&c| c != '\n' && c.is_control())
        .collect();
    assert!(found.is_empty(), "{what} printed {found:?}: {text:?}");
}

/// Where `program` is on PATH.
fn on_path(program: &str) -> std::path::PathBuf {
    let path = std::env::var_os("PATH").expect("PATH is set");
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| panic!("{program} is not on PATH"))
}

#[test]
fn a_program_name_is_escaped_in_the_log_and_exact_in_its_json() {
    let sb = Sandbox::new();
    sb.create("TOKEN", "token-value-1234");
    let out = sb.cmd().args(["exec", "--", TITLE]).output().unwrap();
    assert_eq!(out.status.code(), Some(127), "{}", stderr(&out));
    assert_no_controls(&stderr(&out), "exec's error");
    assert!(stderr(&out).contains(TITLE_SHOWN), "{}", stderr(&out));
    // A run that did start, under the same name: a link to `true`. (Not a
    // script written here: a fork elsewhere in the test process could hold
    // it open for writing, and running it would fail with ETXTBSY.)
    let link = sb.root().join(TITLE);
    std::os::unix::fs::symlink(on_path("true"), &link).unwrap();
    sb.cmd().arg("exec").arg("--").arg(&link).assert().success();

    let log = sb.cmd().arg("log").output().unwrap();
    assert_success(&log, "log");
    let text = stdout(&log);
    assert_no_controls(&text, "log");
    assert!(text.contains(TITLE_SHOWN), "{text}");

    let json = sb.cmd().args(["log", "--json"]).output().unwrap();
    assert_success(&json, "log --json");
    let raw = stdout(&json);
    assert_no_controls(&raw, "log --json");
    assert!(raw.contains("\\u001b]0;pwned\\u0007"), "{raw}");
    let events: Value = serde_json::from_str(&raw).unwrap();
    let program = events[0]["program"].as_str().unwrap();
    assert!(
        program.ends_with(TITLE),
        "exact, not escaped twice: {program:?}"
    );
}

#[test]
fn stored_names_and_descriptions_are_escaped_in_list_show_and_doctor() {
    let sb = Sandbox::new();
    sb.create_with_description("PLAIN", "an ordinary one", "plain-value-1111");
    sb.create("EVIL", "evil-value-2222");
    // Written behind the binary's back: create refuses such text.
    let (name, description) = ("EVIL\x1b[2J", "one\ntwo\tthree\u{9b}31m\r");
    open_db(&sb.vault_path())
        .execute(
            "UPDATE secrets SET name = ?1, description = ?2, create_time_ms = 0,
                 update_time_ms = 0 WHERE name = 'EVIL'",
            [name, description],
        )
        .unwrap();
    let (name_shown, description_shown) = ("EVIL\\x1b[2J", "one\\ntwo\\tthree\\u{9b}31m\\r");

    let list = sb.cmd().arg("list").output().unwrap();
    assert_success(&list, "list");
    let text = stdout(&list);
    assert_no_controls(&text, "list");
    assert_eq!(
        text.lines().count(),
        3,
        "a header and one line per secret: {text}"
    );
    assert!(
        text.contains(name_shown) && text.contains(description_shown),
        "{text}"
    );

    let show = sb.cmd().args(["show", name]).output().unwrap();
    assert_success(&show, "show");
    let text = stdout(&show);
    assert_no_controls(&text, "show");
    assert!(
        text.contains(&format!("name:        {name_shown}\n"))
            && text.contains(&format!("description: {description_shown}\n")),
        "{text}"
    );

    let doctor = sb.cmd().arg("doctor").output().unwrap();
    assert_no_panic(&doctor);
    assert_no_controls(&stdout(&doctor), "doctor");
    assert!(stdout(&doctor).contains(name_shown), "{}", stdout(&doctor));

    // JSON carries the text exactly, in JSON's escapes.
    let listed = sb.list_json();
    assert_eq!(listed[0]["name"], name);
    assert_eq!(listed[0]["description"], description);
    assert_eq!(sb.show_json(name)["description"], description);
}

#[test]
fn error_lines_escape_the_names_and_paths_they_quote() {
    let sb = Sandbox::new();
    sb.create("TOKEN", "token-value-1234");
    let typed = "TOKEN\x1b]0;pwned\x07\u{9b}";
    let shown = "TOKEN\\x1b]0;pwned\\x07\\u{9b}";
    // A name no secret could have is not repeated at all (it may be a
    // value: tests/suite/names.rs); the errors stay free of controls.
    for args in [vec!["show", typed], vec!["delete", "--yes", typed]] {
        let out = sb.cmd().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(3), "{args:?}: {}", stderr(&out));
        assert_no_controls(&stderr(&out), &format!("{args:?}"));
        assert!(!stderr(&out).contains(shown), "{args:?}: {}", stderr(&out));
    }
    let update = sb
        .cmd()
        .args(["update", typed])
        .write_stdin("new-value")
        .output()
        .unwrap();
    assert_eq!(update.status.code(), Some(3), "{}", stderr(&update));
    assert_no_controls(&stderr(&update), "update's error and hint");
    assert!(!stderr(&update).contains("pwned"), "{}", stderr(&update));

    let elsewhere = sb.root().join("dir\x1b[2J\nname").join("vault.db");
    let out = sb
        .cmd()
        .arg("--vault")
        .arg(&elsewhere)
        .arg("list")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_no_controls(&stderr(&out), "an error quoting a path");
    assert!(stderr(&out).contains("dir\\x1b[2J"), "{}", stderr(&out));
}

#[test]
fn stored_public_keys_and_given_paths_are_escaped_on_stdout() {
    let sb = Sandbox::new();
    sb.init();
    open_db(&sb.vault_path())
        .execute(
            "INSERT INTO recipients (recipient, add_time_ms) VALUES (?1, 0)",
            ["age1\x1b[2Jfake"],
        )
        .unwrap();
    let out = sb.cmd().args(["recipients", "list"]).output().unwrap();
    assert_success(&out, "recipients list");
    assert_no_controls(&stdout(&out), "recipients list");
    assert!(
        stdout(&out).contains("age1\\x1b[2Jfake\n"),
        "{}",
        stdout(&out)
    );

    let dir = sb.root().join("dir\x1b[2J");
    std::fs::create_dir(&dir).unwrap();
    let vault = dir.join("vault.db");
    for round in ["creates", "finds"] {
        let out = sb
            .cmd()
            .arg("--vault")
            .arg(&vault)
            .arg("init")
            .output()
            .unwrap();
        assert_success(&out, &format!("init {round}"));
        assert_no_controls(&stdout(&out), &format!("init {round}"));
        assert!(stdout(&out).contains("dir\\x1b[2J"), "{}", stdout(&out));
    }
}
