//! The storage format of issue 3: a per-vault data key, values sealed under
//! it, age-sealed rows from public-key-only writes resealed by exec, and the
//! migration of vaults written by the previous format (schema 1).

use crate::common::*;
use std::fs;
use std::path::Path;

/// The `sealing` column of every secret, by name.
fn sealings(db: &Path) -> Vec<(String, String)> {
    let conn = open_db(db);
    let mut stmt = conn
        .prepare("SELECT name, sealing FROM secrets ORDER BY name")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn user_version(db: &Path) -> i64 {
    open_db(db)
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap()
}

fn run_marker(sb: &Sandbox) -> assert_cmd::assert::Assert {
    sb.cmd()
        .arg("exec")
        .arg("--")
        .args(sb.touch_marker_args())
        .assert()
}

/// Copies the schema-1 vault and identity written by the previous build.
fn sandbox_with_v1_vault() -> Sandbox {
    let sb = Sandbox::new();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/v1");
    fs::create_dir_all(sb.vault_dir()).unwrap();
    fs::create_dir_all(sb.identity_dir()).unwrap();
    fs::copy(fixtures.join("vault.db"), sb.vault_path()).unwrap();
    fs::copy(fixtures.join("identity.txt"), sb.identity_path()).unwrap();
    // Git keeps no 0600 mode; a key file must be private to be used.
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(sb.identity_path(), fs::Permissions::from_mode(0o600)).unwrap();
    sb
}

#[test]
fn a_schema_1_vault_migrates_and_keeps_every_value() {
    let sb = sandbox_with_v1_vault();
    assert_eq!(user_version(&sb.vault_path()), 1);
    let before = sb.list_json();

    // Listing migrates it, and needs no identity to do so.
    let out = sb
        .cmd()
        .args(["--identity", "/nonexistent/identity.txt", "list", "--json"])
        .output()
        .unwrap();
    assert_success(&out, "list of a schema-1 vault");
    assert_eq!(
        user_version(&sb.vault_path()),
        secrets::vault::schema::SCHEMA_VERSION
    );
    let after: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(after, before, "metadata survives the migration unchanged");
    let names: Vec<&str> = after
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["ALPHA", "BETA", "gamma_lower"]);
    assert_eq!(after[0]["description"], "first");
    assert!(
        after[0]["last_used_time_ms"].is_i64(),
        "ALPHA was used in the fixture"
    );
    assert!(after[1]["last_used_time_ms"].is_null());
    let data_key: Option<Vec<u8>> = open_db(&sb.vault_path())
        .query_row("SELECT data_key FROM vault", [], |r| r.get(0))
        .unwrap();
    assert!(
        data_key.is_some_and(|k| k.len() > 32),
        "a wrapped data key exists"
    );
    assert!(sealings(&sb.vault_path()).iter().all(|(_, s)| s == "age"));

    // The values written by the previous format are intact; exec opens
    // them with age (three rows: too few to reseal, see the next test).
    assert_eq!(sb.value_of("ALPHA"), b"v1-alpha-value");
    assert_eq!(sb.value_of("BETA"), b"v1 beta\nsecond line");
    assert_eq!(sb.value_of("gamma_lower"), b"v1-gamma");
    assert!(sealings(&sb.vault_path()).iter().all(|(_, s)| s == "age"));
    assert_eq!(sb.value_of("BETA"), b"v1 beta\nsecond line");
}

/// Creates `name` with only the vault's stored recipient: no identity.
fn create_without_identity(sb: &Sandbox, name: &str, value: &str) {
    sb.cmd()
        .args(["--identity", "/nonexistent/identity.txt", "create", name])
        .write_stdin(value)
        .assert()
        .success();
}

#[test]
fn a_public_key_write_is_read_with_age_until_enough_are_resealed() {
    let sb = Sandbox::new();
    sb.init();
    // Writing needs only the vault's stored recipient: no identity at all.
    create_without_identity(&sb, "API_TOKEN", "tok-12345");
    let sealed_by_write: Vec<u8> = open_db(&sb.vault_path())
        .query_row("SELECT ciphertext FROM secrets", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        sealings(&sb.vault_path()),
        [("API_TOKEN".into(), "age".into())]
    );
    // One such row: exec opens it with age and writes nothing.
    assert_eq!(sb.value_of("API_TOKEN"), b"tok-12345");
    let still: Vec<u8> = open_db(&sb.vault_path())
        .query_row("SELECT ciphertext FROM secrets", [], |r| r.get(0))
        .unwrap();
    assert_eq!(still, sealed_by_write, "a read, not a write");

    // From RESEAL_FROM such rows on, the next exec reseals every one of
    // them under the data key.
    let reseal_from = secrets::vault::unseal::RESEAL_FROM;
    for i in 1..reseal_from {
        create_without_identity(&sb, &format!("MORE_{i}"), &format!("more-value-{i}"));
    }
    assert!(sealings(&sb.vault_path()).iter().all(|(_, s)| s == "age"));
    assert_eq!(sb.value_of("API_TOKEN"), b"tok-12345");
    assert!(sealings(&sb.vault_path()).iter().all(|(_, s)| s == "key"));
    let resealed: Vec<u8> = open_db(&sb.vault_path())
        .query_row(
            "SELECT ciphertext FROM secrets WHERE name = 'API_TOKEN'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_ne!(resealed, sealed_by_write);
    assert_eq!(sb.value_of("MORE_1"), b"more-value-1");

    // An update goes back to age, read with age from then on.
    sb.cmd()
        .args([
            "--identity",
            "/nonexistent/identity.txt",
            "update",
            "API_TOKEN",
        ])
        .write_stdin("tok-67890")
        .assert()
        .success();
    assert_eq!(
        sealings(&sb.vault_path())[0],
        ("API_TOKEN".into(), "age".into())
    );
    assert_eq!(sb.value_of("API_TOKEN"), b"tok-67890");
}

#[test]
fn a_value_sealed_under_the_data_key_cannot_move_rows() {
    let sb = Sandbox::new();
    sb.create("FIRST", "first-value-1111");
    sb.create("SECOND", "second-value-2222");
    // Enough rows sealed with age for exec to reseal them all.
    for i in 2..secrets::vault::unseal::RESEAL_FROM {
        sb.create(&format!("FILLER_{i}"), format!("filler-value-{i}"));
    }
    assert_eq!(sb.value_of("FIRST"), b"first-value-1111"); // reseals all
    assert!(sealings(&sb.vault_path()).iter().all(|(_, s)| s == "key"));
    let conn = open_db(&sb.vault_path());
    conn.execute_batch(
        "UPDATE secrets SET ciphertext = (SELECT ciphertext FROM secrets WHERE name = 'SECOND')
         WHERE name = 'FIRST'",
    )
    .unwrap();
    drop(conn);
    let out = run_marker(&sb).code(125).get_output().clone();
    assert!(stderr(&out).contains("FIRST"), "{}", stderr(&out));
    assert!(
        !sb.marker_path().exists(),
        "nothing runs with a moved value"
    );
}

#[test]
fn a_value_sealed_under_another_vaults_key_is_refused() {
    let sb = Sandbox::new();
    sb.create("TOKEN", "mine-aaaa");
    assert_eq!(sb.value_of("TOKEN"), b"mine-aaaa");
    // A second vault for the same identity, with a secret of the same name.
    let other = sb.root().join("other.db");
    sb.cmd()
        .arg("--vault")
        .arg(&other)
        .arg("create")
        .arg("TOKEN")
        .write_stdin("theirs-bbbb")
        .assert()
        .success();
    sb.cmd()
        .arg("--vault")
        .arg(&other)
        .args(["exec", "--", "true"])
        .assert()
        .success();
    let theirs: Vec<u8> = open_db(&other)
        .query_row("SELECT ciphertext FROM secrets", [], |r| r.get(0))
        .unwrap();
    open_db(&sb.vault_path())
        .execute("UPDATE secrets SET ciphertext = ?1", [theirs])
        .unwrap();
    run_marker(&sb).code(125);
    assert!(!sb.marker_path().exists());
}

#[test]
fn a_flipped_byte_under_the_data_key_is_refused() {
    let sb = Sandbox::new();
    sb.create("TOKEN", "value-to-flip-0000");
    assert_eq!(sb.value_of("TOKEN"), b"value-to-flip-0000");
    let conn = open_db(&sb.vault_path());
    let mut blob: Vec<u8> = conn
        .query_row("SELECT ciphertext FROM secrets", [], |r| r.get(0))
        .unwrap();
    let middle = blob.len() / 2;
    blob[middle] ^= 0x01;
    conn.execute("UPDATE secrets SET ciphertext = ?1", [blob])
        .unwrap();
    drop(conn);
    run_marker(&sb).code(125);
    assert!(!sb.marker_path().exists());
}

#[test]
fn a_wrong_data_key_is_refused() {
    let sb = Sandbox::new();
    sb.create("TOKEN", "value-aaaa-1111");
    let other = Sandbox::new();
    other.create("TOKEN", "value-bbbb-2222");
    // Same identity for both, so the swapped key decrypts but names the
    // wrong vault.
    fs::copy(sb.identity_path(), other.identity_path()).unwrap();
    let theirs: Vec<u8> = open_db(&other.vault_path())
        .query_row("SELECT data_key FROM vault", [], |r| r.get(0))
        .unwrap();
    open_db(&sb.vault_path())
        .execute("UPDATE vault SET data_key = ?1", [theirs])
        .unwrap();
    let out = run_marker(&sb).code(125).get_output().clone();
    assert!(stderr(&out).contains("data key"), "{}", stderr(&out));
    assert!(!sb.marker_path().exists());
}

#[test]
fn exec_of_every_secret_marks_each_used_but_not_later_ones() {
    let sb = Sandbox::new();
    sb.create("ONE", "one-1111");
    sb.create("TWO", "two-2222");
    sb.cmd().args(["exec", "--", "true"]).assert().success();
    let used = sb.list_json();
    let one = used[0]["last_used_time_ms"].as_i64().expect("ONE used");
    assert_eq!(used[1]["last_used_time_ms"].as_i64(), Some(one));
    assert!(one >= used[1]["create_time_ms"].as_i64().unwrap());

    sb.create("THREE", "three-3333");
    let list = sb.list_json();
    let three = list
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "THREE")
        .unwrap();
    assert!(
        three["last_used_time_ms"].is_null(),
        "created after the exec"
    );

    sb.cmd()
        .args(["exec", "--only", "THREE", "--", "true"])
        .assert()
        .success();
    let shown = sb.show_json("THREE");
    assert!(shown["last_used_time_ms"].as_i64().unwrap() >= one);
    assert_eq!(sb.show_json("ONE")["last_used_time_ms"].as_i64(), Some(one));
}
