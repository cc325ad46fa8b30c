//! Damaged and hostile input: truncated vaults, garbage identities, random
//! names and values. Each gets one clear `error:` line, never a panic, and
//! never a change to the vault.

use crate::common::*;
use std::ffi::OsString;
use std::fs;
use std::os::unix::ffi::OsStringExt;

/// A small deterministic generator: the same inputs on every run.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// `len` random bytes other than NUL (which argv and values cannot hold).
    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| (self.next() % 255) as u8 + 1).collect()
    }
}

fn assert_clean_failure(out: &std::process::Output, what: &str) {
    assert!(!out.status.success(), "{what} should fail");
    assert_no_panic(out);
    let err = stderr(out);
    assert!(err.starts_with("error: "), "{what}: {err}");
    assert!(
        err.lines().count() <= 2,
        "{what}: one error line and a hint at most: {err}"
    );
}

#[test]
fn a_truncated_vault_is_refused_and_left_as_it_is() {
    let sb = Sandbox::new();
    sb.create("ONE", "value-one-1111");
    sb.create("TWO", "value-two-2222");
    // Fold the WAL in, so the file alone is the whole vault.
    open_db(&sb.vault_path())
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .unwrap();
    let whole = fs::read(sb.vault_path()).unwrap();
    for keep in [50, 100, 4096, whole.len() / 2, whole.len() - 1] {
        fs::write(sb.vault_path(), &whole[..keep]).unwrap();
        // Each cut starts from the file alone: no WAL, no usage journal
        // left by the previous cut's exec.
        for suffix in ["-wal", "-shm", "-usage"] {
            let _ = fs::remove_file(format!("{}{suffix}", sb.vault_path().display()));
        }
        let list = sb.cmd().arg("list").output().unwrap();
        let exec = sb
            .cmd()
            .arg("exec")
            .arg("--")
            .args(sb.touch_marker_args())
            .output()
            .unwrap();
        // Within the first page (header, schema) nothing can work; a cut
        // further in may still list what is intact, but fails cleanly if not.
        if keep <= 4096 {
            assert!(
                !list.status.success() && !exec.status.success(),
                "cut at {keep}"
            );
        }
        if !list.status.success() {
            assert_clean_failure(&list, &format!("list of a vault cut at {keep}"));
        }
        if !exec.status.success() {
            assert_clean_failure(&exec, &format!("exec of a vault cut at {keep}"));
            assert_eq!(exec.status.code(), Some(125));
            assert!(
                !sb.marker_path().exists(),
                "nothing runs on a damaged vault"
            );
        }
        assert_eq!(
            fs::read(sb.vault_path()).unwrap(),
            &whole[..keep],
            "the damaged file is left as it was (cut at {keep})"
        );
    }
}

#[test]
fn a_garbage_identity_is_refused_clearly() {
    let sb = Sandbox::new();
    sb.create("TOKEN", "token-value-1234");
    let mut random = Random(0x5eed);
    let garbage: [(&str, Vec<u8>); 4] = [
        ("random bytes", random.bytes(300)),
        ("a text line", b"this is not a key\n".to_vec()),
        (
            "comments only",
            b"# created: never\n# public key: none\n".to_vec(),
        ),
        ("a truncated key", b"AGE-SECRET-KEY-1QQQQ\n".to_vec()),
    ];
    for (what, bytes) in garbage {
        fs::write(sb.identity_path(), &bytes).unwrap();
        let out = sb
            .cmd()
            .arg("exec")
            .arg("--")
            .args(sb.touch_marker_args())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(125), "{what}");
        assert_clean_failure(&out, what);
        assert!(
            stderr(&out).contains("identity"),
            "{what}: {}",
            stderr(&out)
        );
        assert!(!sb.marker_path().exists(), "{what}: nothing runs");
        assert_eq!(
            fs::read(sb.identity_path()).unwrap(),
            bytes,
            "{what}: untouched"
        );
    }
}

#[test]
fn random_names_are_refused_or_accepted_never_crash() {
    let sb = Sandbox::new();
    sb.init();
    let mut random = Random(0xdead_beef);
    for round in 0..120 {
        let len = 1 + (random.next() % 40) as usize;
        let name = OsString::from_vec(random.bytes(len));
        let out = sb
            .cmd()
            .arg("create")
            .arg(&name)
            .write_stdin("some-value")
            .output()
            .unwrap();
        assert_no_panic(&out);
        match out.status.code() {
            Some(0) => assert!(sb.names().iter().any(|n| *n == name.to_string_lossy())),
            Some(2) => assert!(stderr(&out).starts_with("error: "), "round {round}"),
            other => panic!(
                "round {round}: create {name:?} exited {other:?}: {}",
                stderr(&out)
            ),
        }
    }
}

#[test]
fn random_values_round_trip_exactly() {
    let sb = Sandbox::new();
    let mut random = Random(0xfeed_f00d);
    for round in 0..12 {
        let len = 1 + (random.next() % 2000) as usize;
        let value = random.bytes(len);
        let name = format!("RANDOM_{round}");
        let file = sb.root().join("value.bin");
        fs::write(&file, &value).unwrap();
        sb.cmd()
            .args(["create", &name, "--from-file"])
            .arg(&file)
            .assert()
            .success();
        assert_eq!(sb.value_of(&name), value, "round {round}");
    }
}

#[test]
fn a_vault_locked_past_the_busy_timeout_is_one_clear_error() {
    let sb = Sandbox::new();
    sb.create("BEFORE", "before-value");
    let holder = open_db(&sb.vault_path());
    holder.execute_batch("BEGIN EXCLUSIVE").unwrap();
    // Takes the whole busy timeout (10 s): the wait is the behaviour tested.
    let out = sb
        .cmd()
        .args(["create", "DURING"])
        .write_stdin("during-value")
        .output()
        .unwrap();
    holder.execute_batch("ROLLBACK").unwrap();
    drop(holder);
    assert_eq!(out.status.code(), Some(1));
    assert_clean_failure(&out, "create on a locked vault");
    assert!(stderr(&out).contains("locked"), "{}", stderr(&out));
    assert_eq!(sb.names(), ["BEFORE"], "nothing half-written");
}

/// Runs each of `commands` and asserts it fails cleanly, in time, saying
/// that `place` is not a regular file.
fn assert_refused_quickly(sb: &Sandbox, commands: &[&[&str]], place: &str) {
    for args in commands {
        let out = sb
            .cmd()
            .timeout(std::time::Duration::from_secs(30))
            .args(*args)
            .output()
            .unwrap();
        let what = format!("{args:?} with a FIFO as {place}");
        assert_clean_failure(&out, &what);
        assert!(
            stderr(&out).contains("not a regular file"),
            "{what}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn a_fifo_in_place_of_the_vault_or_beside_it_never_hangs() {
    let sb = Sandbox::new();
    sb.create("KEPT", "value-kept-3333");
    let mkfifo = |path: &str| {
        let c_path = std::ffi::CString::new(path).unwrap();
        // SAFETY: a NUL-terminated path that outlives the call.
        assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
    };
    // Beside it, where exec's snapshot goes: refused clearly (only our own
    // regular file is used there; see tests/beside.rs).
    let snapshot = format!("{}-exec", sb.vault_path().display());
    let _ = fs::remove_file(&snapshot);
    mkfifo(&snapshot);
    assert_refused_quickly(&sb, &[&["exec", "--", "true"]], "the snapshot");
    fs::remove_file(&snapshot).unwrap();

    // Where exec's usage journal goes: refused clearly, by exec (which
    // appends to it) and by the commands that read or fold it.
    let journal = format!("{}-usage", sb.vault_path().display());
    let _ = fs::remove_file(&journal);
    mkfifo(&journal);
    assert_refused_quickly(&sb, &[&["exec", "--", "true"], &["list"]], "the journal");
    fs::remove_file(&journal).unwrap();

    // In place of the vault: refused, for reads and writes alike.
    let vault = sb.vault_path();
    fs::rename(&vault, sb.root().join("vault.saved")).unwrap();
    mkfifo(vault.to_str().unwrap());
    let commands: [&[&str]; 3] = [
        &["list"],
        &["exec", "--", "true"],
        &["delete", "KEPT", "--yes"],
    ];
    assert_refused_quickly(&sb, &commands, "the vault");
    fs::remove_file(&vault).unwrap();
    fs::rename(sb.root().join("vault.saved"), &vault).unwrap();
    assert_eq!(sb.value_of("KEPT"), b"value-kept-3333");
}

/// Damages a fresh vault holding TOKEN with `sql`, then runs each command
/// and asserts one sentence naming the vault and `place`, then the hint,
/// with `code` (exec: 125), and that the file is left as it was. Programs
/// that exec would run create `RAN` in the sandbox's home.
fn assert_damage_reported(sql: &str, place: &str, commands: &[&[&str]], code: i32) {
    let sb = Sandbox::new();
    sb.create("TOKEN", "token-value-1234");
    open_db(&sb.vault_path()).execute_batch(sql).unwrap();
    let before = fs::read(sb.vault_path()).unwrap();
    let expected = format!(
        "error: the vault at {} is damaged ({place}); it was left untouched\n\
         hint: restore it from a backup\n",
        sb.vault_path().display()
    );
    for args in commands {
        let out = sb
            .cmd()
            .args(*args)
            .write_stdin("new-value")
            .output()
            .unwrap();
        let what = format!("{args:?} after {sql}");
        let code = if args[0] == "exec" { 125 } else { code };
        assert_eq!(out.status.code(), Some(code), "{what}: {}", stderr(&out));
        assert_eq!(stderr(&out), expected, "{what}");
        assert!(stdout(&out).is_empty(), "{what}: {}", stdout(&out));
        assert_eq!(
            fs::read(sb.vault_path()).unwrap(),
            before,
            "{what}: untouched"
        );
    }
    assert!(
        !sb.home().join(RAN).exists(),
        "nothing runs on a damaged vault"
    );
}

/// The file a program run by exec creates (in its working directory).
const RAN: &str = "ran";

#[test]
fn a_text_ciphertext_is_reported_as_damage_in_table_secrets() {
    // list, show and log do not read values: only exec finds this damage.
    assert_damage_reported(
        "UPDATE secrets SET ciphertext = 'text, not a blob'",
        "table secrets, column ciphertext: a value is not as secrets writes it",
        &[
            &["exec", "--", "touch", RAN],
            &["exec", "--only", "TOKEN", "--", "touch", RAN],
        ],
        1,
    );
}

#[test]
fn a_missing_vault_row_is_reported_as_damage_by_every_command() {
    assert_damage_reported(
        "DELETE FROM vault",
        "table vault: its one row is missing",
        &[
            &["list"],
            &["list", "--json"],
            &["show", "TOKEN"],
            &["exec", "--", "touch", RAN],
            &["log"],
            &["update", "TOKEN"],
            &["delete", "--yes", "TOKEN"],
            &["create", "OTHER"],
            &["recipients", "list"],
            &["doctor"],
        ],
        1,
    );
}

#[test]
fn a_dropped_table_is_reported_as_damage_naming_it() {
    assert_damage_reported(
        "DROP TABLE secrets",
        "table secrets is missing",
        &[
            &["list"],
            &["show", "TOKEN", "--json"],
            &["exec", "--", "touch", RAN],
            &["doctor"],
        ],
        1,
    );
    assert_damage_reported(
        "DROP TABLE events",
        "table events is missing",
        &[&["log"], &["log", "--json"], &["update", "TOKEN"]],
        1,
    );
    assert_damage_reported(
        "ALTER TABLE secrets DROP COLUMN description",
        "table secrets has no column description",
        &[&["list"], &["show", "TOKEN"]],
        1,
    );
}

#[test]
fn a_name_that_is_not_text_is_reported_as_damage() {
    assert_damage_reported(
        "UPDATE secrets SET name = X'ff00'",
        "table secrets, column name: a value is not as secrets writes it",
        &[&["list"], &["exec", "--", "touch", RAN]],
        1,
    );
}

#[test]
fn stored_times_outside_any_real_date_are_reported_as_damage() {
    let every_view: &[&[&str]] = &[
        &["list"],
        &["list", "--json"],
        &["show", "TOKEN"],
        &["show", "TOKEN", "--json"],
        &["doctor"],
    ];
    // Would print as a date 292 million years away.
    assert_damage_reported(
        "UPDATE secrets SET create_time_ms = 9223372036854775807",
        "secret 'TOKEN': its creation time is out of range",
        every_view,
        1,
    );
    assert_damage_reported(
        "UPDATE secrets SET update_time_ms = -9223372036854775808",
        "secret 'TOKEN': its update time is out of range",
        every_view,
        1,
    );
    // A whole-vault exec's time counts as each secret's last use.
    assert_damage_reported(
        "UPDATE vault SET all_used_time_ms = 253402300800000",
        "secret 'TOKEN': its last-use time is out of range",
        every_view,
        1,
    );
    // Year 10000 in the audit log; 9999 is still a date.
    assert_damage_reported(
        "UPDATE events SET time_ms = 253402300800000",
        "table events: an entry's time is out of range",
        &[&["log"], &["log", "--json"], &["log", "--name", "TOKEN"]],
        1,
    );
    let sb = Sandbox::new();
    sb.create("TOKEN", "token-value-1234");
    open_db(&sb.vault_path())
        .execute_batch("UPDATE events SET time_ms = 253402300799999")
        .unwrap();
    let log = sb.cmd().arg("log").output().unwrap();
    assert_success(&log, "log of the last millisecond of 9999");
    assert!(
        stdout(&log).starts_with("9999-12-31T23:59:59Z"),
        "{}",
        stdout(&log)
    );
}
