//! The README's examples run as written, from a fresh HOME: every line of
//! every `sh` block except the `cargo` ones, in order, each exiting 0.
//! Lines that ask on a terminal are answered in a pseudo-terminal; programs
//! the examples launch (`./deploy.sh`, `gh`, `npm`) and files they read
//! (`key.pem`, `.env`, ...) are stand-ins made here. The only edit to a line
//! is the placeholder keys (`age1teammate...`, `age1devbox...`), replaced by
//! real ones; the team vault's examples run against the test server's
//! PostgreSQL (through `SECRETS_VAULT`). A block that no case below runs
//! fails the test, so a new example cannot go untested.

use crate::common::*;
use crate::terminal::{Terminal, delete_prompt, passphrase_prompt, repeat_prompt, value_prompt};
use std::fs;
use std::os::unix::fs::PermissionsExt;

const README: &str = include_str!("../../README.md");

/// The README's `sh` blocks, each as its command lines without comments.
fn sh_blocks() -> Vec<Vec<String>> {
    let mut blocks = Vec::new();
    let mut current: Option<Vec<String>> = None;
    for line in README.lines() {
        match (&mut current, line.trim_start()) {
            (None, "```sh") => current = Some(Vec::new()),
            (Some(_), "```") => blocks.extend(current.take()),
            (Some(lines), text) if !text.is_empty() => lines.push(without_comment(text)),
            _ => {}
        }
    }
    blocks
}

/// `line` without a trailing `  # comment` (two spaces before the `#`, as
/// the README writes them; a `#` inside a value stays).
fn without_comment(line: &str) -> String {
    match line.find("  #") {
        Some(at) => line[..at].trim_end().to_owned(),
        None => line.to_owned(),
    }
}

/// One sandbox in which README lines run, with the stand-ins they need.
struct Reader {
    sb: Sandbox,
    /// A teammate's public key, for `age1teammate...`.
    teammate: String,
}

impl Reader {
    fn new() -> Reader {
        Reader::in_sandbox(Sandbox::new())
    }

    fn in_sandbox(sb: Sandbox) -> Reader {
        let home = sb.home();
        let stubs = sb.root().join("stubs");
        fs::create_dir_all(&stubs).unwrap();
        for program in [stubs.join("gh"), stubs.join("npm"), home.join("deploy.sh")] {
            fs::write(&program, "#!/bin/sh\nexit 0\n").unwrap();
            fs::set_permissions(&program, fs::Permissions::from_mode(0o755)).unwrap();
        }
        fs::write(home.join("key.pem"), "-----BEGIN KEY-----\nreadme\n").unwrap();
        fs::write(home.join("new-token.txt"), "readme-new-token\n").unwrap();
        fs::write(
            home.join(".env"),
            "export API_KEY=readme-api-key\nDB_URL=\"db://readme\"\n",
        )
        .unwrap();
        fs::write(
            home.join("secrets.json"),
            r#"{"JSON_TOKEN": "readme-json"}"#,
        )
        .unwrap();
        let mate = Sandbox::new();
        mate.init();
        let teammate = public_key(&mate);
        let other = Sandbox::new();
        other.init();
        fs::write(
            home.join("team-keys.txt"),
            format!("# the team\n{}\n", public_key(&other)),
        )
        .unwrap();
        Reader { sb, teammate }
    }

    /// Runs one README line: in a pseudo-terminal when it asks something,
    /// else through `sh` with the stand-ins on PATH.
    fn run(&self, line: &str) {
        let line = line.replace("age1teammate...", &self.teammate);
        if self.run_on_terminal(&line) {
            return;
        }
        let mut sh = std::process::Command::new("sh");
        self.sb.apply_env(&mut sh);
        let path = format!(
            "{}:{}:{}",
            bin().parent().unwrap().display(),
            self.sb.root().join("stubs").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let out = sh
            .args(["-c", &line])
            .env("PATH", path)
            .env("TOKEN", "readme-token-value")
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        assert_success(&out, &format!("README line `{line}`"));
    }

    /// The lines that ask on a terminal, answered there; false for others.
    fn run_on_terminal(&self, line: &str) -> bool {
        let sb = &self.sb;
        let args: Vec<&str> = line.split_whitespace().skip(1).collect();
        let passphrase = passphrase_prompt(sb);
        let term = match line {
            "secrets create DATABASE_URL" => {
                let mut term = Terminal::run(sb, &args);
                term.answer_hidden(&value_prompt("DATABASE_URL"), "db://readme-db");
                term.answer_hidden(&repeat_prompt("DATABASE_URL"), "db://readme-db");
                term
            }
            "secrets delete GH_TOKEN" => {
                let mut term = Terminal::run(sb, &args);
                term.answer(&delete_prompt("GH_TOKEN"), "y");
                term
            }
            "secrets init --passphrase" => {
                let mut term = Terminal::run(sb, &args);
                new_passphrase(&mut term, "readme passphrase one");
                term
            }
            "secrets passwd" => {
                let mut term = Terminal::run(sb, &args);
                term.answer_hidden(&passphrase, "readme passphrase one");
                new_passphrase(&mut term, "readme passphrase two");
                term
            }
            "secrets passwd --remove" => {
                let mut term = Terminal::run(sb, &args);
                term.answer_hidden(&passphrase, "readme passphrase two");
                term
            }
            _ => return false,
        };
        term.finish()
            .assert_code(0, &format!("README line `{line}`"));
        true
    }

    fn run_all(&self, lines: &[String]) {
        for line in lines {
            self.run(line);
        }
    }
}

fn new_passphrase(term: &mut Terminal, passphrase: &str) {
    term.answer_hidden("New passphrase: ", passphrase);
    term.answer_hidden("Repeat the new passphrase: ", passphrase);
}

/// The block whose first line starts with `first`.
fn block<'a>(blocks: &'a [Vec<String>], first: &str) -> &'a [String] {
    blocks
        .iter()
        .find(|b| b.first().is_some_and(|l| l.starts_with(first)))
        .unwrap_or_else(|| panic!("no README block starts with `{first}`"))
}

#[test]
fn every_readme_example_runs_as_written() {
    let blocks = sh_blocks();
    let mut covered: Vec<&[String]> = Vec::new();

    // Quick start: one session, in order, from a fresh HOME.
    let quick = block(&blocks, "secrets init");
    Reader::new().run_all(quick);
    covered.push(quick);

    // Reserved names: a vault that an older version filled.
    let rename = block(&blocks, "secrets rename NODE_OPTIONS");
    Reader::in_sandbox(Sandbox::from_fixture("reserved")).run_all(rename);
    covered.push(rename);

    // Importing: each line is an alternative, each from a fresh HOME.
    let import = block(&blocks, "secrets import .env");
    for line in import {
        Reader::new().run(line);
    }
    covered.push(import);

    // Doctor and the log, on a vault with the secret they name (described:
    // `doctor --strict` exits 1 on any finding).
    for first in ["secrets doctor", "secrets log"] {
        let lines = block(&blocks, first);
        let reader = Reader::new();
        reader
            .sb
            .create_with_description("API_TOKEN", "the README's token", "readme-api-token");
        reader.run_all(lines);
        covered.push(lines);
    }

    // Protecting the key: a new user's passphrase, changed, then removed.
    let passphrase = block(&blocks, "secrets init --passphrase");
    Reader::new().run_all(passphrase);
    covered.push(passphrase);

    // Sharing and rotating: `other.db` is another vault of the same key.
    let sharing = block(&blocks, "secrets recipients list");
    let reader = Reader::new();
    reader.sb.create("SHARED_TOKEN", "readme-shared");
    reader.run("secrets --vault other.db init");
    reader.run_all(sharing);
    covered.push(sharing);

    // The team vault: an admin and a new Devbox, two HOMEs on one vault of
    // the test server. The README's blocks alternate between them.
    let team_at = blocks
        .iter()
        .position(|b| {
            b.first()
                .is_some_and(|l| l.starts_with("export SECRETS_VAULT"))
        })
        .expect("the team vault's set-up block");
    let team = &blocks[team_at..team_at + 5];
    if can_run_pg() {
        run_team_blocks(team);
    }
    covered.extend(team.iter().map(Vec::as_slice));

    for lines in &blocks {
        let is_cargo = lines.iter().any(|l| l.contains("cargo "));
        assert!(
            is_cargo || covered.contains(&lines.as_slice()),
            "no test runs this README block: {lines:?}"
        );
    }
}

/// The team vault's blocks, in order: the admin's set-up, the Devbox's
/// `init`, the admin adding it, the Devbox's `exec`, the admin revoking it.
/// Both sandboxes point at one test schema through `SECRETS_VAULT` (the
/// README's `export` line, run in its own shell, changes nothing).
fn run_team_blocks(team: &[Vec<String>]) {
    let schema = PgSchema::new();
    let admin = Reader::in_sandbox(Sandbox::with_vault(&schema.url()));
    let devbox = Reader::in_sandbox(Sandbox::with_vault(&schema.url()));
    admin.run_all(&team[0]);
    devbox.run_all(&team[1]);
    let devbox_key = public_key(&devbox.sb);
    let with_devbox = |lines: &[String]| -> Vec<String> {
        lines
            .iter()
            .map(|l| l.replace("age1devbox...", &devbox_key))
            .collect()
    };
    admin.run_all(&with_devbox(&team[2]));
    devbox.run_all(&team[3]);
    admin.run_all(&with_devbox(&team[4]));
    let refused = devbox
        .sb
        .cmd()
        .args(["exec", "--", "true"])
        .output()
        .unwrap();
    assert_eq!(
        refused.status.code(),
        Some(125),
        "the revoked Devbox still runs"
    );
}
