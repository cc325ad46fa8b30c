//! `secrets delete` (alias `rm`): it needs `--yes` when it cannot ask, and it
//! deletes all the named secrets or none of them.

use crate::common::{Sandbox, assert_no_panic, stderr};
use predicates::prelude::*;

fn with_secrets(names: &[&str]) -> Sandbox {
    let sb = Sandbox::new();
    sb.init();
    for name in names {
        sb.create(name, format!("value-of-{name}"));
    }
    sb
}

#[test]
fn without_yes_off_a_terminal_nothing_is_deleted() {
    let sb = with_secrets(&["KEEP_A", "KEEP_B"]);
    for args in [vec!["delete", "KEEP_A"], vec!["rm", "KEEP_A", "KEEP_B"]] {
        // Even a "y" on the pipe is not a confirmation.
        let out = sb.cmd().args(&args).write_stdin("y\n").output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).lines().any(|l| l.starts_with("error: ")));
        assert_no_panic(&out);
    }
    assert_eq!(sb.names(), ["KEEP_A", "KEEP_B"]);
    assert_eq!(sb.value_of("KEEP_A"), b"value-of-KEEP_A");
}

#[test]
fn one_missing_name_means_nothing_is_deleted() {
    let sb = with_secrets(&["FIRST", "SECOND"]);
    sb.cmd()
        .args(["delete", "FIRST", "NOT_THERE", "SECOND", "--yes"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("NOT_THERE"))
        .stderr(predicate::str::is_match("(?m)^error: ").unwrap())
        .stderr(predicate::str::contains("panicked").not());
    assert_eq!(sb.names(), ["FIRST", "SECOND"]);
    assert_eq!(sb.value_of("FIRST"), b"value-of-FIRST");
    assert_eq!(sb.value_of("SECOND"), b"value-of-SECOND");
}

#[test]
fn delete_one() {
    let sb = with_secrets(&["GONE", "STAYS"]);
    sb.cmd()
        .args(["delete", "GONE", "--yes"])
        .assert()
        .success()
        .stderr(predicate::str::contains("deleted secret 'GONE'"));
    assert_eq!(sb.names(), ["STAYS"]);
    assert_eq!(sb.value_of("STAYS"), b"value-of-STAYS");
}

#[test]
fn delete_several_reports_them_in_one_line() {
    let sb = with_secrets(&["AAA", "BBB", "CCC"]);
    sb.cmd()
        .args(["delete", "AAA", "BBB", "--yes"])
        .assert()
        .success()
        .stderr(predicate::str::contains("deleted 2 secrets: AAA, BBB"));
    assert_eq!(sb.names(), ["CCC"]);
}

#[test]
fn rm_is_an_alias() {
    let sb = with_secrets(&["VIA_RM", "OTHER"]);
    sb.cmd()
        .args(["rm", "VIA_RM", "--yes"])
        .assert()
        .success()
        .stderr(predicate::str::contains("deleted secret 'VIA_RM'"));
    assert_eq!(sb.names(), ["OTHER"]);
}

#[test]
fn deleted_secret_is_no_longer_injected() {
    let sb = with_secrets(&["WAS_HERE"]);
    sb.cmd()
        .args(["rm", "--yes", "WAS_HERE"])
        .assert()
        .success();
    sb.cmd()
        .args(["exec", "--", "sh", "-c", "printf %s \"${WAS_HERE-unset}\""])
        .env_remove("WAS_HERE")
        .assert()
        .success()
        .stdout("unset");
    // The name is free again.
    sb.create("WAS_HERE", "again");
    assert_eq!(sb.value_of("WAS_HERE"), b"again");
}

#[test]
fn deleted_and_replaced_ciphertexts_do_not_linger_in_the_file() {
    // SQLite would leave a deleted row's bytes in the freed space of its
    // page; the vault overwrites them (secure_delete), for every kind of
    // write: a delete, an update, and exec's resealing of an update.
    // Enough rows sealed with age that exec reseals them (RESEAL_FROM).
    let fillers: Vec<String> = (1..secrets::vault::unseal::RESEAL_FROM)
        .map(|i| format!("FILLER_{i}"))
        .collect();
    let mut names = vec!["GONE_SOON", "REPLACED", "KEPT"];
    names.extend(fillers.iter().map(String::as_str));
    let sb = with_secrets(&names);
    let conn = crate::common::open_db(&sb.vault_path());
    let ciphertext = |name: &str| -> Vec<u8> {
        conn.query_row(
            "SELECT ciphertext FROM secrets WHERE name = ?1",
            [name],
            |r| r.get(0),
        )
        .unwrap()
    };
    let deleted = ciphertext("GONE_SOON");
    let replaced = ciphertext("REPLACED");
    sb.cmd()
        .args(["delete", "GONE_SOON", "--yes"])
        .assert()
        .success();
    sb.cmd()
        .args(["update", "REPLACED"])
        .write_stdin("a-fresh-value-for-replaced")
        .assert()
        .success();
    let sealed_by_update = ciphertext("REPLACED");
    sb.cmd().args(["exec", "--", "true"]).assert().success();
    assert_ne!(ciphertext("REPLACED"), sealed_by_update, "exec resealed it");
    drop(conn);
    let file = std::fs::read(sb.vault_path()).unwrap();
    for (what, bytes) in [
        ("deleted", &deleted),
        ("replaced", &replaced),
        ("resealed", &sealed_by_update),
    ] {
        // Any 32-byte run of the old ciphertext (age output is random).
        let lingers = file.windows(32).any(|w| w == &bytes[bytes.len() - 32..]);
        assert!(!lingers, "the {what} ciphertext is still in the vault file");
    }
}
