//! A user's whole session end to end (init, create, list, show, exec, update,
//! delete), and the exact bytes a value keeps on its way in and out: files
//! are taken verbatim, piped stdin loses exactly one line ending. Name rules,
//! value limits and exec's exit codes have their own files.

use std::fs;

use crate::common::{Sandbox, assert_success, stderr, stdout};
use predicates::prelude::*;

fn is_secret_id(id: &str) -> bool {
    id.len() == 24
        && id.starts_with("sec_")
        && id[4..]
            .chars()
            .all(|c| c.is_ascii_digit() || c.is_ascii_lowercase())
}

#[test]
fn full_session() {
    let sb = Sandbox::new();

    // init creates both files and says where they are.
    let out = sb.init();
    let init_stdout = stdout(&out);
    assert!(
        init_stdout.contains(sb.vault_path().to_str().unwrap()),
        "init stdout should name the vault path: {init_stdout}"
    );
    assert!(
        init_stdout.contains(sb.identity_path().to_str().unwrap()),
        "init stdout should name the identity path: {init_stdout}"
    );
    assert!(sb.vault_path().is_file());
    let identity = fs::read_to_string(sb.identity_path()).unwrap();
    assert!(identity.contains("# public key: age1"), "{identity}");
    assert!(
        identity.lines().any(|l| l.starts_with("AGE-SECRET-KEY-1")),
        "identity file has no secret key line"
    );

    // Empty vault.
    assert_eq!(sb.list_json(), serde_json::json!([]));
    sb.cmd()
        .arg("list")
        .assert()
        .success()
        .stdout(predicate::str::contains("no secrets"));

    // Create from a pipe.
    sb.cmd()
        .args(["create", "API_KEY", "--description", "the api key"])
        .write_stdin("s3cret-value\n")
        .assert()
        .success()
        .stderr(predicate::str::contains("created secret 'API_KEY'"))
        .stderr(predicate::str::contains("panicked").not());

    // List, plain and JSON.
    sb.cmd()
        .arg("list")
        .assert()
        .success()
        .stdout(predicate::str::contains("API_KEY"))
        .stdout(predicate::str::contains("the api key"))
        .stdout(predicate::str::contains("just now"))
        .stdout(predicate::str::contains("never"))
        .stdout(predicate::str::contains("s3cret-value").not());
    let list = sb.list_json();
    let arr = list.as_array().unwrap();
    assert_eq!(arr.len(), 1);
    let secret = &arr[0];
    assert_eq!(secret["name"], "API_KEY");
    assert_eq!(secret["description"], "the api key");
    assert!(secret["last_used_time_ms"].is_null());
    let id = secret["id"].as_str().unwrap();
    assert!(is_secret_id(id), "bad id {id}");
    let created = secret["create_time_ms"].as_i64().unwrap();
    let updated = secret["update_time_ms"].as_i64().unwrap();
    assert!(
        created > 1_600_000_000_000,
        "create_time_ms not in ms: {created}"
    );
    assert!(updated >= created);

    // Show agrees with list.
    assert_eq!(&sb.show_json("API_KEY"), secret);
    sb.cmd()
        .args(["show", "API_KEY"])
        .assert()
        .success()
        .stdout(predicate::str::contains("API_KEY"))
        .stdout(predicate::str::contains("the api key"))
        .stdout(predicate::str::contains("s3cret-value").not());

    // Exec sees the value, without the trailing newline from the pipe.
    sb.cmd()
        .args([
            "exec",
            "--mask",
            "never",
            "--",
            "sh",
            "-c",
            "printf %s \"$API_KEY\"",
        ])
        .assert()
        .success()
        .stdout("s3cret-value");
    sb.cmd()
        .args(["exec", "--mask", "never", "--", "printenv", "API_KEY"])
        .assert()
        .success()
        .stdout("s3cret-value\n");

    // Update replaces the value and keeps the description.
    sb.cmd()
        .args(["update", "API_KEY"])
        .write_stdin("n3w-value\n")
        .assert()
        .success()
        .stderr(predicate::str::contains("updated secret 'API_KEY'"));
    assert_eq!(sb.value_of("API_KEY"), b"n3w-value");
    let after = sb.show_json("API_KEY");
    assert_eq!(after["id"], secret["id"]);
    assert_eq!(after["description"], "the api key");
    assert_eq!(after["create_time_ms"], secret["create_time_ms"]);
    assert!(after["update_time_ms"].as_i64().unwrap() >= updated);

    // Update with a new description.
    sb.cmd()
        .args(["update", "API_KEY", "--description", "rotated"])
        .write_stdin("third")
        .assert()
        .success();
    assert_eq!(sb.show_json("API_KEY")["description"], "rotated");
    assert_eq!(sb.value_of("API_KEY"), b"third");

    // Delete.
    sb.cmd()
        .args(["delete", "API_KEY", "--yes"])
        .assert()
        .success()
        .stderr(predicate::str::contains("deleted secret 'API_KEY'"));
    assert_eq!(sb.list_json(), serde_json::json!([]));
    sb.cmd()
        .args(["show", "API_KEY"])
        .assert()
        .code(3)
        .stderr(predicate::str::is_match("(?m)^error: ").unwrap());
}

#[test]
fn init_twice_says_already_and_changes_nothing() {
    let sb = Sandbox::new();
    sb.init();
    sb.create("KEEP_ME", "v");
    let vault = fs::read(sb.vault_path()).unwrap();
    let identity = fs::read(sb.identity_path()).unwrap();

    let out = sb.cmd().arg("init").output().unwrap();
    assert_success(&out, "second init");
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert!(all.contains("already"), "second init output: {all}");
    assert_eq!(fs::read(sb.vault_path()).unwrap(), vault);
    assert_eq!(fs::read(sb.identity_path()).unwrap(), identity);
    assert_eq!(sb.value_of("KEEP_ME"), b"v");
}

#[test]
fn create_json_prints_the_secret_object() {
    let sb = Sandbox::new();
    sb.init();
    let out = sb
        .cmd()
        .args(["create", "DB_PASSWORD", "--json"])
        .write_stdin("pw")
        .output()
        .unwrap();
    assert_success(&out, "create --json");
    let created: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(created["name"], "DB_PASSWORD");
    assert!(created["description"].is_null());
    assert!(created["last_used_time_ms"].is_null());
    assert!(is_secret_id(created["id"].as_str().unwrap()));
    assert_eq!(created, sb.show_json("DB_PASSWORD"));
}

#[test]
fn list_is_sorted_by_name() {
    let sb = Sandbox::new();
    sb.init();
    for name in ["CHARLIE", "ALPHA", "BRAVO"] {
        sb.create(name, format!("value-of-{name}"));
    }
    assert_eq!(sb.names(), ["ALPHA", "BRAVO", "CHARLIE"]);

    let out = sb.cmd().arg("ls").output().unwrap();
    assert_success(&out, "ls");
    let text = stdout(&out);
    let pos = |n: &str| {
        text.find(n)
            .unwrap_or_else(|| panic!("{n} missing:\n{text}"))
    };
    assert!(
        pos("ALPHA") < pos("BRAVO") && pos("BRAVO") < pos("CHARLIE"),
        "{text}"
    );
    for header in ["NAME", "DESCRIPTION", "CREATED", "UPDATED", "LAST USED"] {
        assert!(text.contains(header), "missing column {header}:\n{text}");
    }
}

#[test]
fn from_file_keeps_exact_bytes() {
    let sb = Sandbox::new();
    sb.init();
    let cases: &[(&str, &[u8])] = &[
        ("TRAILING_LF", b"line1\nline2\n"),
        ("TRAILING_CRLF", b"cert-body\r\n"),
        ("TWO_LFS", b"x\n\n"),
        ("NO_NEWLINE", b"plain"),
        ("BINARYISH", b"\x01\x02\xff\xfe tab\t end"),
    ];
    for (name, bytes) in cases {
        let file = sb.root().join(format!("{name}.txt"));
        fs::write(&file, bytes).unwrap();
        sb.cmd()
            .args(["create", name, "--from-file"])
            .arg(&file)
            .assert()
            .success();
    }
    for (name, bytes) in cases {
        assert_eq!(sb.value_of(name), *bytes, "value of {name}");
    }

    // update --from-file too.
    let file = sb.root().join("new.txt");
    fs::write(&file, b"updated\n").unwrap();
    sb.cmd()
        .args(["update", "NO_NEWLINE", "--from-file"])
        .arg(&file)
        .assert()
        .success();
    assert_eq!(sb.value_of("NO_NEWLINE"), b"updated\n");
}

#[test]
fn stdin_loses_exactly_one_line_ending() {
    let sb = Sandbox::new();
    sb.init();
    let cases: &[(&str, &[u8], &[u8])] = &[
        ("LF", b"abc\n", b"abc"),
        ("CRLF", b"abc\r\n", b"abc"),
        ("NONE", b"abc", b"abc"),
        ("TWO_LF", b"abc\n\n", b"abc\n"),
        ("TWO_CRLF", b"abc\r\n\r\n", b"abc\r\n"),
        ("LONE_CR", b"abc\r", b"abc\r"),
        ("INNER", b"a\nb\n", b"a\nb"),
        ("SPACES", b"  padded  \n", b"  padded  "),
    ];
    for (name, input, _) in cases {
        sb.create(name, *input);
    }
    for (name, _, expected) in cases {
        assert_eq!(
            sb.value_of(name),
            *expected,
            "value of {name} (stdin {:?})",
            String::from_utf8_lossy(cases.iter().find(|c| c.0 == *name).unwrap().1)
        );
    }
}

/// Prints `A|B|C` as the child sees them, `-` for unset.
const SHOW_ABC: &str =
    "printf '%s|%s|%s' \"${ALPHA_TOKEN--}\" \"${BRAVO_TOKEN--}\" \"${CHARLIE_TOKEN--}\"";

fn abc_sandbox() -> Sandbox {
    let sb = Sandbox::new();
    sb.init();
    sb.create("ALPHA_TOKEN", "a1");
    sb.create("BRAVO_TOKEN", "b2");
    sb.create("CHARLIE_TOKEN", "c3");
    sb
}

fn exec_abc(sb: &Sandbox, options: &[&str]) -> String {
    let out = sb
        .cmd()
        .args(["exec", "--mask", "never"])
        .args(options)
        .args(["--", "sh", "-c", SHOW_ABC])
        .env_remove("ALPHA_TOKEN")
        .env_remove("BRAVO_TOKEN")
        .env_remove("CHARLIE_TOKEN")
        .output()
        .unwrap();
    assert_success(&out, &format!("exec {options:?}"));
    stdout(&out)
}

#[test]
fn exec_injects_all_by_default() {
    let sb = abc_sandbox();
    assert_eq!(exec_abc(&sb, &[]), "a1|b2|c3");
}

#[test]
fn exec_only_and_except_select_subsets() {
    let sb = abc_sandbox();
    assert_eq!(
        exec_abc(&sb, &["--only", "ALPHA_TOKEN,BRAVO_TOKEN"]),
        "a1|b2|-"
    );
    assert_eq!(
        exec_abc(&sb, &["--only", "ALPHA_TOKEN", "--only", "CHARLIE_TOKEN"]),
        "a1|-|c3"
    );
    assert_eq!(exec_abc(&sb, &["--only=BRAVO_TOKEN"]), "-|b2|-");
    assert_eq!(exec_abc(&sb, &["--except", "BRAVO_TOKEN"]), "a1|-|c3");
    assert_eq!(
        exec_abc(&sb, &["--except", "ALPHA_TOKEN,CHARLIE_TOKEN"]),
        "-|b2|-"
    );
    assert_eq!(
        exec_abc(&sb, &["--except", "ALPHA_TOKEN", "--except", "BRAVO_TOKEN"]),
        "-|-|c3"
    );
}

#[test]
fn exec_only_and_except_match_case_insensitively() {
    let sb = abc_sandbox();
    // The variable keeps the stored name, whatever case was asked for.
    assert_eq!(exec_abc(&sb, &["--only", "alpha_token"]), "a1|-|-");
    assert_eq!(
        exec_abc(&sb, &["--only", "Bravo_Token,charlie_TOKEN"]),
        "-|b2|c3"
    );
    assert_eq!(exec_abc(&sb, &["--except", "bravo_token"]), "a1|-|c3");
}

#[test]
fn exec_passes_arguments_verbatim_without_a_shell() {
    let sb = Sandbox::new();
    sb.init();
    sb.create("SOME_TOKEN", "t");
    sb.cmd()
        .args([
            "exec",
            "--",
            "printf",
            "%s|",
            "a b",
            "$HOME",
            "*",
            "; echo hi",
        ])
        .assert()
        .success()
        .stdout("a b|$HOME|*|; echo hi|");
}

#[test]
fn missing_secret_exits_3() {
    let sb = Sandbox::new();
    sb.init();
    sb.create("PRESENT", "x");
    for args in [
        vec!["show", "ABSENT"],
        vec!["show", "ABSENT", "--json"],
        vec!["delete", "ABSENT", "--yes"],
    ] {
        sb.cmd()
            .args(&args)
            .assert()
            .code(3)
            .stderr(predicate::str::is_match("(?m)^error: ").unwrap())
            .stderr(predicate::str::contains("panicked").not());
    }
    sb.cmd()
        .args(["update", "ABSENT"])
        .write_stdin("new")
        .assert()
        .code(3)
        .stderr(predicate::str::is_match("(?m)^error: ").unwrap());
    assert_eq!(sb.names(), ["PRESENT"]);
}

#[test]
fn vault_and_identity_paths_can_be_overridden() {
    let sb = Sandbox::new();
    let vault = sb.root().join("elsewhere").join("v.db");
    let identity = sb.root().join("keys").join("id.txt");

    // Flags, before and after the subcommand.
    sb.cmd()
        .arg("--vault")
        .arg(&vault)
        .arg("--identity")
        .arg(&identity)
        .arg("init")
        .assert()
        .success();
    assert!(vault.is_file());
    assert!(identity.is_file());
    assert!(!sb.vault_path().exists());
    assert!(!sb.identity_path().exists());

    sb.cmd()
        .args(["create", "FLAG_SECRET"])
        .arg("--vault")
        .arg(&vault)
        .arg("--identity")
        .arg(&identity)
        .write_stdin("via-flags")
        .assert()
        .success();

    // Environment variables.
    let out = sb
        .cmd()
        .env("SECRETS_VAULT", &vault)
        .env("SECRETS_IDENTITY", &identity)
        .args([
            "exec",
            "--mask",
            "never",
            "--",
            "sh",
            "-c",
            "printf %s \"$FLAG_SECRET\"",
        ])
        .output()
        .unwrap();
    assert_success(&out, "exec with SECRETS_VAULT");
    assert_eq!(out.stdout, b"via-flags");

    // The default vault is still absent.
    sb.cmd().arg("list").assert().code(1);
}

#[test]
fn completions_print_a_script() {
    let sb = Sandbox::new();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        sb.cmd()
            .args(["completions", shell])
            .assert()
            .success()
            .stdout(predicate::str::contains("secrets"));
    }
    sb.cmd().args(["completions", "tcsh"]).assert().code(2);
}

#[test]
fn list_shows_relative_times() {
    let sb = Sandbox::new();
    sb.init();
    sb.create("OLD_ONE", "o");
    sb.create("FRESH_ONE", "f");
    sb.cmd()
        .args(["exec", "--only", "FRESH_ONE", "--", "true"])
        .assert()
        .success();

    // Age OLD_ONE by three days (and a bit) relative to its own timestamps,
    // so the test does not depend on the test machine's clock agreeing.
    let created = sb.show_json("OLD_ONE")["create_time_ms"].as_i64().unwrap();
    let three_days_ago = created - 3 * 86_400_000 - 60_000;
    crate::common::open_db(&sb.vault_path())
        .execute(
            "UPDATE secrets SET create_time_ms = ?1, update_time_ms = ?1 WHERE name = 'OLD_ONE'",
            [three_days_ago],
        )
        .unwrap();

    let out = sb.cmd().arg("list").output().unwrap();
    assert_success(&out, "list");
    let text = stdout(&out);
    let line = |name: &str| {
        text.lines()
            .find(|l| l.contains(name))
            .unwrap_or_else(|| panic!("{name} missing:\n{text}"))
            .to_string()
    };
    let old = line("OLD_ONE");
    assert_eq!(
        old.matches("3 days ago").count(),
        2,
        "created and updated: {old}"
    );
    assert!(old.contains("never"), "{old}");
    let fresh = line("FRESH_ONE");
    assert_eq!(fresh.matches("just now").count(), 3, "{fresh}");
    assert!(!fresh.contains("never"), "{fresh}");
}
