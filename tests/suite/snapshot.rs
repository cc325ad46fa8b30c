//! exec's snapshot (`vault.db-exec`): a copy of the vault's names and values,
//! sealed for the identity, that exec reads instead of SQLite while the vault
//! file is unchanged. It holds no plaintext, every write removes it, and a
//! stale, damaged, foreign or tampered copy, or one another identity meets,
//! is never what gets injected: the vault decides.

use crate::common::*;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

const VALUE_A: &str = "snapshot-canary-aaaa-1111";
const VALUE_B: &str = "snapshot-canary-bbbb-2222";

fn snapshot(sb: &Sandbox) -> PathBuf {
    PathBuf::from(format!("{}-exec", sb.vault_path().display()))
}

fn exec_true(sb: &Sandbox) {
    let out = sb.cmd().args(["exec", "--", "true"]).output().unwrap();
    assert_success(&out, "exec");
}

/// Two secrets (still sealed with age: too few to reseal); an exec leaves a
/// snapshot.
fn with_snapshot() -> Sandbox {
    with_snapshot_holding(VALUE_A, VALUE_B)
}

/// `with_snapshot`, with these values for SNAP_A and SNAP_B.
fn with_snapshot_holding(a: &str, b: &str) -> Sandbox {
    let sb = Sandbox::new();
    sb.create("SNAP_A", a);
    sb.create("SNAP_B", b);
    exec_true(&sb);
    assert!(snapshot(&sb).exists(), "a reading exec leaves a snapshot");
    sb
}

/// Runs `cmd` (a `secrets` command up to its exec options) with `-- touch
/// MARKER`, asserts that it failed before the program ran, and returns its
/// stderr.
fn assert_refused_before_running(sb: &Sandbox, mut cmd: assert_cmd::Command) -> String {
    let out = cmd.arg("--").args(sb.touch_marker_args()).output().unwrap();
    assert_exec_refused(sb, &out, &[])
}

fn ciphertext(sb: &Sandbox, name: &str) -> Vec<u8> {
    open_db(&sb.vault_path())
        .query_row(
            "SELECT ciphertext FROM secrets WHERE name = ?1",
            [name],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn the_snapshot_is_private_holds_no_value_and_serves_exec() {
    let sb = with_snapshot();
    let bytes = fs::read(snapshot(&sb)).unwrap();
    // Sealed as one message: no value, and not even the names, in the clear.
    for text in [VALUE_A, VALUE_B, "SNAP_A", "SNAP_B"] {
        assert!(!contains_bytes(&bytes, text.as_bytes()), "{text} in it");
    }
    let mode = fs::metadata(snapshot(&sb)).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "mode {mode:o}");
    assert_eq!(sb.value_of("SNAP_A"), VALUE_A.as_bytes());
    assert_eq!(sb.value_of("SNAP_B"), VALUE_B.as_bytes());
}

#[test]
fn every_write_removes_it_and_exec_sees_the_change() {
    let sb = with_snapshot();
    sb.cmd()
        .args(["update", "SNAP_A"])
        .write_stdin("snapshot-new-value-for-a")
        .assert()
        .success();
    assert!(!snapshot(&sb).exists(), "update left the snapshot");
    assert_eq!(sb.value_of("SNAP_A"), b"snapshot-new-value-for-a");
    exec_true(&sb);
    assert!(snapshot(&sb).exists());
    sb.cmd()
        .args(["delete", "SNAP_B", "--yes"])
        .assert()
        .success();
    assert!(!snapshot(&sb).exists(), "delete left the snapshot");
    exec_true(&sb);
    let out = sb
        .cmd()
        .args(["exec", "--mask", "never", "--", "env"])
        .output()
        .unwrap();
    assert_success(&out, "exec env");
    let env = String::from_utf8(out.stdout).unwrap();
    assert!(!env.contains("SNAP_B"), "a deleted secret was injected");
    assert!(env.contains("SNAP_A=snapshot-new-value-for-a"), "{env}");
}

#[test]
fn a_vault_changed_behind_its_back_is_read_again() {
    // Swap the two ciphertexts in the database itself. The snapshot still
    // holds the right ones, but the vault file changed: exec must read the
    // vault, which refuses values moved between names.
    let sb = with_snapshot();
    let (a, b) = (ciphertext(&sb, "SNAP_A"), ciphertext(&sb, "SNAP_B"));
    let conn = open_db(&sb.vault_path());
    conn.execute(
        "UPDATE secrets SET ciphertext = ?1 WHERE name = 'SNAP_A'",
        [&b],
    )
    .unwrap();
    conn.execute(
        "UPDATE secrets SET ciphertext = ?1 WHERE name = 'SNAP_B'",
        [&a],
    )
    .unwrap();
    drop(conn);
    let mut exec = sb.cmd();
    exec.arg("exec");
    let err = assert_refused_before_running(&sb, exec);
    // Sealed with age (too few rows to reseal) or under the data key, a
    // value moved to another name is refused by name.
    assert!(
        err.contains("secret 'SNAP_A'") || err.contains("secret 'SNAP_B'"),
        "{err}"
    );
}

#[test]
fn a_damaged_foreign_or_tampered_snapshot_is_never_injected() {
    let sb = with_snapshot();
    let good = fs::read(snapshot(&sb)).unwrap();

    // Damaged: garbage, or cut short.
    for bytes in [b"not a snapshot".to_vec(), good[..good.len() - 3].to_vec()] {
        fs::write(snapshot(&sb), bytes).unwrap();
        assert_eq!(sb.value_of("SNAP_A"), VALUE_A.as_bytes());
    }

    // Another vault's, with other values under the same names.
    let other = with_snapshot_holding("other-vault-aaaa-3333", "other-vault-bbbb-4444");
    fs::copy(snapshot(&other), snapshot(&sb)).unwrap();
    assert_eq!(sb.value_of("SNAP_B"), VALUE_B.as_bytes());

    // This vault's, current, with one byte of its sealed part changed (the
    // last, in the tag; then one in the middle of the message).
    for at in [good.len() - 1, good.len() - 40] {
        let mut tampered = good.clone();
        tampered[at] ^= 0x01;
        fs::write(snapshot(&sb), &tampered).unwrap();
        let out = sb
            .cmd()
            .args(["exec", "--mask", "never", "--", "sh", "-c"])
            .arg("printf '%s %s' \"$SNAP_A\" \"$SNAP_B\"")
            .output()
            .unwrap();
        assert_success(&out, "exec with a tampered snapshot");
        assert_eq!(
            String::from_utf8(out.stdout).unwrap(),
            format!("{VALUE_A} {VALUE_B}")
        );
        assert!(
            fs::read(snapshot(&sb)).unwrap() != tampered,
            "the tampered snapshot was kept"
        );
    }
}

#[test]
fn another_identity_gets_nothing_from_the_snapshot() {
    // An identity the vault is not encrypted to, with the snapshot in place
    // and the vault unchanged: exec refuses, as it would without a snapshot.
    let sb = with_snapshot();
    let stranger = Sandbox::new();
    stranger.init();
    let mut exec = sb.cmd();
    exec.arg("--identity")
        .arg(stranger.identity_path())
        .arg("exec");
    let err = assert_refused_before_running(&sb, exec);
    assert!(err.starts_with("error: "), "{err}");
    // The owner's exec still works, and leaves a snapshot again.
    assert_eq!(sb.value_of("SNAP_A"), VALUE_A.as_bytes());
    exec_true(&sb);
    assert!(snapshot(&sb).exists());
}

#[test]
fn an_unknown_name_is_reported_from_the_snapshot_which_stays() {
    let sb = with_snapshot();
    let before = fs::read(snapshot(&sb)).unwrap();
    let mut exec = sb.cmd();
    exec.args(["exec", "--only", "SNAP_TYPO"]);
    let err = assert_refused_before_running(&sb, exec);
    assert!(err.contains("SNAP_TYPO"), "{err}");
    assert!(
        fs::read(snapshot(&sb)).unwrap() == before,
        "a current snapshot was dropped over a typo"
    );
    // Any case, as from the vault; and the chosen one only.
    let out = sb
        .cmd()
        .args(["exec", "--only", "snap_b", "--mask", "never", "--", "env"])
        .output()
        .unwrap();
    assert_success(&out, "exec --only snap_b");
    let env = String::from_utf8(out.stdout).unwrap();
    assert!(env.contains(&format!("SNAP_B={VALUE_B}")), "{env}");
    assert!(!env.contains("SNAP_A="), "an unchosen secret was injected");
}

#[test]
fn exec_serves_a_current_snapshot_without_opening_the_database() {
    // The database is locked by another process: reading it would wait for
    // the lock, then fail. Only the snapshot, which needs no SQLite, lets
    // exec run with the right values.
    let sb = with_snapshot();
    let holder = open_db(&sb.vault_path());
    holder.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let out = sb
        .cmd()
        .args(["exec", "--mask", "never", "--", "sh", "-c"])
        .arg("printf '%s %s' \"$SNAP_A\" \"$SNAP_B\"")
        .output()
        .unwrap();
    assert_success(&out, "exec while the vault is locked");
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!("{VALUE_A} {VALUE_B}")
    );
    holder.execute_batch("ROLLBACK").unwrap();
}

#[test]
fn the_first_exec_after_an_update_stays_a_read_and_leaves_a_snapshot() {
    let sb = with_snapshot();
    sb.cmd()
        .args(["update", "SNAP_A"])
        .write_stdin("snapshot-updated-value-5555")
        .assert()
        .success();
    assert!(!snapshot(&sb).exists(), "the update removed the snapshot");
    let before = fs::read(sb.vault_path()).unwrap();
    let out = sb
        .cmd()
        .args(["exec", "--mask", "never", "--", "printenv", "SNAP_A"])
        .output()
        .unwrap();
    assert_success(&out, "exec after an update");
    assert_eq!(stdout(&out), "snapshot-updated-value-5555\n");
    // One row sealed with age is opened with age, not resealed: no write,
    // and the next exec is served by the snapshot this one left.
    assert!(
        fs::read(sb.vault_path()).unwrap() == before,
        "exec wrote the vault"
    );
    assert!(snapshot(&sb).exists(), "no snapshot after the first exec");
}
