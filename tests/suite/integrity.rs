//! Tampering and foreign files: a ciphertext moved to another row or vault,
//! or altered, must be refused rather than injected; a file at the vault
//! path that is not our vault (or is a newer one) must be refused and left
//! byte-for-byte alone; a missing vault is explained.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use crate::common::*;
use predicates::prelude::*;
use rusqlite::params;

fn set_ciphertext(sb: &Sandbox, name: &str, blob: &[u8]) {
    let conn = open_db(&sb.vault_path());
    let n = conn
        .execute(
            "UPDATE secrets SET ciphertext = ?1 WHERE name = ?2",
            params![blob, name],
        )
        .unwrap();
    assert_eq!(n, 1, "no row named {name}");
}

fn ciphertext(sb: &Sandbox, name: &str) -> Vec<u8> {
    let conn = open_db(&sb.vault_path());
    conn.query_row(
        "SELECT ciphertext FROM secrets WHERE name = ?1",
        params![name],
        |row| row.get(0),
    )
    .unwrap()
}

#[test]
fn swapped_ciphertexts_are_refused() {
    let sb = Sandbox::new();
    sb.init();
    sb.create("A", "value-of-a");
    sb.create("B", "value-of-b");
    assert_eq!(sb.value_of("A"), b"value-of-a");

    let conn = open_db(&sb.vault_path());
    let n = conn
        .execute(
            "UPDATE secrets SET ciphertext=(SELECT ciphertext FROM secrets WHERE name='B') WHERE name='A'",
            [],
        )
        .unwrap();
    assert_eq!(n, 1);
    drop(conn);

    exec_refused(&sb, &[], &["value-of-a", "value-of-b"]);
    exec_refused(&sb, &["--only", "A"], &["value-of-a", "value-of-b"]);
}

#[test]
fn flipped_byte_is_refused() {
    let sb = Sandbox::new();
    sb.init();
    sb.create("FLIPPED", "some-long-enough-value-to-flip");
    let mut blob = ciphertext(&sb, "FLIPPED");
    assert!(!blob.is_empty());
    let mid = blob.len() / 2;
    blob[mid] ^= 0x01;
    set_ciphertext(&sb, "FLIPPED", &blob);
    exec_refused(&sb, &[], &["some-long-enough-value-to-flip"]);
}

#[test]
fn truncated_ciphertext_is_refused() {
    let sb = Sandbox::new();
    sb.init();
    sb.create("TRUNCATED", "truncate-me-value");
    let blob = ciphertext(&sb, "TRUNCATED");
    set_ciphertext(&sb, "TRUNCATED", &blob[..blob.len() - 1]);
    exec_refused(&sb, &[], &["truncate-me-value"]);
}

#[test]
fn ciphertext_from_another_vault_is_refused() {
    let sb = Sandbox::new();
    sb.init();
    sb.create("SHARED_NAME", "value-in-vault-one");

    // A second vault under the same identity, with a row of the same name.
    let other = Sandbox::new();
    fs::create_dir_all(other.identity_dir()).unwrap();
    fs::set_permissions(other.identity_dir(), fs::Permissions::from_mode(0o700)).unwrap();
    fs::copy(sb.identity_path(), other.identity_path()).unwrap();
    other.init();
    assert_eq!(
        fs::read(other.identity_path()).unwrap(),
        fs::read(sb.identity_path()).unwrap(),
        "init must keep an existing identity"
    );
    other.create("SHARED_NAME", "value-in-vault-two");
    assert_eq!(other.value_of("SHARED_NAME"), b"value-in-vault-two");

    set_ciphertext(&sb, "SHARED_NAME", &ciphertext(&other, "SHARED_NAME"));
    exec_refused(&sb, &[], &["value-in-vault-one", "value-in-vault-two"]);
}

/// Kinds of file that are not a `secrets` vault.
fn foreign_files(sb: &Sandbox) -> Vec<(&'static str, Vec<u8>)> {
    let garbage: Vec<u8> = (0u32..4096)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();

    let other_db = sb.root().join("other.db");
    {
        let conn = rusqlite::Connection::open(&other_db).unwrap();
        conn.execute_batch("CREATE TABLE t(x INTEGER); INSERT INTO t VALUES (1), (2);")
            .unwrap();
    }
    let sqlite = fs::read(&other_db).unwrap();
    assert!(sqlite.starts_with(b"SQLite format 3\0"));

    vec![
        ("garbage", garbage),
        ("empty", Vec::new()),
        ("sqlite", sqlite),
        ("text", b"not a vault\n".to_vec()),
    ]
}

#[test]
fn foreign_file_at_vault_path_is_refused_and_untouched() {
    let probe = Sandbox::new();
    for (kind, bytes) in foreign_files(&probe) {
        let sb = Sandbox::new();
        fs::create_dir_all(sb.vault_dir()).unwrap();
        fs::set_permissions(sb.vault_dir(), fs::Permissions::from_mode(0o700)).unwrap();
        fs::write(sb.vault_path(), &bytes).unwrap();

        let attempts: Vec<(Vec<&str>, Option<&str>, i32)> = vec![
            (vec!["init"], None, 1),
            (vec!["list"], None, 1),
            (vec!["list", "--json"], None, 1),
            (vec!["create", "INTO_FOREIGN"], Some("v"), 1),
        ];
        for (args, stdin, code) in attempts {
            let mut cmd = sb.cmd();
            cmd.args(&args);
            if let Some(s) = stdin {
                cmd.write_stdin(s);
            }
            let out = cmd.output().unwrap();
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(code), "{kind}: {args:?}: {err}");
            assert!(
                err.lines().any(|l| l.starts_with("error: ")),
                "{kind}: {err}"
            );
            assert_no_panic(&out);
            assert_eq!(
                fs::read(sb.vault_path()).unwrap(),
                bytes,
                "{kind}: {args:?} changed the foreign file"
            );
        }
        // exec fails before running.
        exec_refused(&sb, &[], &[]);
        assert_eq!(
            fs::read(sb.vault_path()).unwrap(),
            bytes,
            "{kind}: exec changed it"
        );
    }
}

#[test]
fn newer_schema_is_refused_and_untouched() {
    let sb = Sandbox::new();
    sb.init();
    sb.create("FROM_THE_FUTURE", "future-value");
    {
        let conn = open_db(&sb.vault_path());
        conn.pragma_update(None, "user_version", 999).unwrap();
    }
    let bytes = fs::read(sb.vault_path()).unwrap();

    sb.cmd()
        .arg("list")
        .assert()
        .code(1)
        .stderr(predicate::str::is_match("(?mi)^error: .*newer").unwrap())
        .stderr(predicate::str::contains("panicked").not());
    sb.cmd().args(["show", "FROM_THE_FUTURE"]).assert().code(1);
    sb.cmd()
        .args(["create", "ANOTHER"])
        .write_stdin("v")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("newer"));
    sb.cmd().arg("init").assert().code(1);
    exec_refused(&sb, &[], &["future-value"]);

    assert_eq!(
        fs::read(sb.vault_path()).unwrap(),
        bytes,
        "vault file changed"
    );
    let conn = open_db(&sb.vault_path());
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, 999);
}

#[test]
fn missing_vault_is_explained() {
    let sb = Sandbox::new();
    for args in [vec!["list"], vec!["list", "--json"], vec!["show", "ANY"]] {
        let out = sb.cmd().args(&args).output().unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(
            err.lines()
                .any(|l| l.starts_with("error: ") && l.contains("no vault at")),
            "{args:?}: {err}"
        );
        assert!(
            err.lines()
                .any(|l| l.starts_with("hint:") && l.contains("secrets init")),
            "{args:?}: {err}"
        );
        assert_no_panic(&out);
    }
    assert!(!sb.vault_path().exists(), "list must not create the vault");
}

#[test]
fn create_on_a_missing_vault_initializes_it() {
    let sb = Sandbox::new();
    let out = sb.create("FIRST_SECRET", "first");
    let err = stderr(&out);
    assert!(err.lines().any(|l| l.starts_with("note:")), "{err}");
    assert!(err.contains("created secret 'FIRST_SECRET'"), "{err}");
    assert!(sb.vault_path().is_file());
    assert!(sb.identity_path().is_file());
    assert_eq!(sb.names(), ["FIRST_SECRET"]);
    assert_eq!(sb.value_of("FIRST_SECRET"), b"first");

    // A second create on the now-existing vault has no note.
    let out = sb.create("SECOND_SECRET", "second");
    assert!(!stderr(&out).lines().any(|l| l.starts_with("note:")));

    // And init afterwards says it already exists.
    let out = sb.cmd().arg("init").output().unwrap();
    assert!(out.status.success());
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
    assert!(all.contains("already"), "{all}");
}

#[test]
fn row_tampering_with_names_is_refused() {
    // Renaming a row moves its ciphertext to another name: refused.
    let sb = Sandbox::new();
    sb.init();
    sb.create("ORIGINAL", "renamed-value");
    let conn = open_db(&sb.vault_path());
    conn.execute(
        "UPDATE secrets SET name='RENAMED' WHERE name='ORIGINAL'",
        [],
    )
    .unwrap();
    drop(conn);
    exec_refused(&sb, &[], &["renamed-value"]);
}
