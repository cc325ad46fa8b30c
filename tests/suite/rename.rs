//! `secrets rename OLD NEW`: the same secret (id, description, times, value)
//! under a new name, its value sealed again for that name; refusals with
//! create's exit codes that change nothing; one `rename` event in the log.

use crate::common::*;
use serde_json::{Value, json};
use std::process::Output;

fn rename(sb: &Sandbox, old: &str, new: &str) -> Output {
    let out = sb.cmd().args(["rename", old, new]).output().unwrap();
    assert_no_panic(&out);
    out
}

/// The `sealing` column of NAME's row ("age" until exec reseals it).
fn sealing(sb: &Sandbox, name: &str) -> String {
    open_db(&sb.vault_path())
        .query_row("SELECT sealing FROM secrets WHERE name = ?1", [name], |r| {
            r.get(0)
        })
        .unwrap()
}

/// Whether `exec` gives the program a variable NAME.
fn injected(sb: &Sandbox, name: &str) -> bool {
    let out = sb
        .cmd()
        .args(["exec", "--mask", "never", "--", "printenv", name])
        .output()
        .unwrap();
    assert_no_panic(&out);
    out.status.success()
}

fn assert_renamed(out: &Output, old: &str, new: &str) {
    assert_eq!(out.status.code(), Some(0), "{}", stderr(out));
    assert!(
        stderr(out).contains(&format!("renamed secret '{old}' to '{new}'")),
        "{}",
        stderr(out)
    );
}

#[test]
fn a_renamed_secret_keeps_its_id_times_description_and_value() {
    let sb = Sandbox::new();
    sb.create_with_description("OLD_NAME", "what it is for", "zq-renamed-value-1");
    sb.create("NEIGHBOUR", "zq-neighbour-value");
    for i in 2..secrets::vault::unseal::RESEAL_FROM {
        sb.create(&format!("FILLER_{i}"), format!("zq-filler-value-{i}"));
    }
    // An exec of every secret: rows resealed under the data key (there are
    // enough of them), last-used times set; a second exec leaves its
    // snapshot of the vault behind.
    assert_eq!(sb.value_of("OLD_NAME"), b"zq-renamed-value-1");
    assert_eq!(sealing(&sb, "OLD_NAME"), "key");
    assert_eq!(sb.value_of("OLD_NAME"), b"zq-renamed-value-1");
    let snapshot = sb.vault_dir().join("vault.db-exec");
    assert!(snapshot.exists(), "exec left no snapshot to go stale");
    let before = sb.show_json("OLD_NAME");
    assert!(before["last_used_time_ms"].is_i64(), "{before}");

    let out = rename(&sb, "old_name", "NEW_NAME");
    assert_renamed(&out, "OLD_NAME", "NEW_NAME");
    assert!(!stderr(&out).contains("zq-renamed-value-1"));
    assert!(!stdout(&out).contains("zq-renamed-value-1"));

    let mut expected = before.clone();
    expected["name"] = json!("NEW_NAME");
    assert_eq!(sb.show_json("NEW_NAME"), expected);
    let names = sb.names();
    assert!(names.contains(&"NEW_NAME".to_owned()), "{names:?}");
    assert!(
        !names.iter().any(|n| n.eq_ignore_ascii_case("OLD_NAME")),
        "{names:?}"
    );
    let show_old = sb.cmd().args(["show", "OLD_NAME"]).output().unwrap();
    assert_eq!(show_old.status.code(), Some(3), "{}", stderr(&show_old));
    // exec (snapshot or not) serves the new name only.
    assert_eq!(sb.value_of("NEW_NAME"), b"zq-renamed-value-1");
    assert!(!injected(&sb, "OLD_NAME"));
    assert_eq!(sb.value_of("NEIGHBOUR"), b"zq-neighbour-value");
}

#[test]
fn a_value_no_exec_has_opened_yet_is_renamed_too() {
    let sb = Sandbox::new();
    sb.create("FRESH", "zq-fresh-value");
    assert_eq!(sealing(&sb, "FRESH"), "age");
    let before = sb.show_json("FRESH");
    assert_renamed(&rename(&sb, "FRESH", "STILL_FRESH"), "FRESH", "STILL_FRESH");
    let after = sb.show_json("STILL_FRESH");
    assert_eq!(after["id"], before["id"]);
    assert_eq!(after["update_time_ms"], before["update_time_ms"]);
    assert_eq!(after["last_used_time_ms"], Value::Null);
    assert_eq!(sb.value_of("STILL_FRESH"), b"zq-fresh-value");
}

#[test]
fn a_name_can_change_only_in_case() {
    let sb = Sandbox::new();
    sb.create("api_key", "zq-case-value");
    let id = sb.show_json("api_key")["id"].clone();
    let out = rename(&sb, "api_key", "API_KEY");
    assert_renamed(&out, "api_key", "API_KEY");
    assert!(!stderr(&out).contains("hint:"), "{}", stderr(&out));
    assert_eq!(sb.names(), ["API_KEY"]);
    assert_eq!(sb.show_json("API_KEY")["id"], id);
    assert_eq!(sb.value_of("API_KEY"), b"zq-case-value");
    assert!(!injected(&sb, "api_key"));
}

#[test]
fn refused_renames_change_nothing() {
    let sb = Sandbox::new();
    sb.create("KEEP_ME", "zq-keep-value");
    sb.create("TAKEN", "zq-taken-value");
    let before = sb.list_json();
    let refusals: [(&str, &str, i32, &str); 6] = [
        ("MISSING", "ANYTHING", 3, "no secret named 'MISSING'"),
        ("KEEP_ME", "TAKEN", 4, "secret 'TAKEN' already exists"),
        ("KEEP_ME", "taken", 4, "secret 'TAKEN' already exists"),
        ("KEEP_ME", "PATH", 2, "reserved"),
        ("KEEP_ME", "1_BAD", 2, "invalid secret name"),
        ("KEEP_ME", "", 2, "error:"),
    ];
    for (old, new, code, message) in refusals {
        let out = rename(&sb, old, new);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(code), "{old} -> {new}: {err}");
        assert!(err.contains(message), "{old} -> {new}: {err}");
        assert_eq!(err.matches("error:").count(), 1, "{old} -> {new}: {err}");
        assert_eq!(sb.list_json(), before, "{old} -> {new}");
    }
    assert_eq!(sb.value_of("KEEP_ME"), b"zq-keep-value");
    assert_eq!(sb.value_of("TAKEN"), b"zq-taken-value");
    let log = sb.cmd().args(["log", "--json"]).output().unwrap();
    assert!(!stdout(&log).contains("rename"), "{}", stdout(&log));
}

#[test]
fn a_value_sealed_for_another_name_is_not_renamed() {
    let sb = Sandbox::new();
    sb.create("FIRST", "zq-first-value");
    sb.create("SECOND", "zq-second-value");
    // Someone with write access to the file moves SECOND's value into FIRST.
    open_db(&sb.vault_path())
        .execute(
            "UPDATE secrets SET ciphertext =
                 (SELECT ciphertext FROM secrets WHERE name = 'SECOND')
             WHERE name = 'FIRST'",
            [],
        )
        .unwrap();
    let before = sb.list_json();
    let out = rename(&sb, "FIRST", "LAUNDERED");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("FIRST"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("zq-second-value"));
    assert_eq!(sb.list_json(), before);
}

#[test]
fn a_rename_is_logged_with_both_names() {
    let sb = Sandbox::new();
    sb.create("BEFORE", "zq-logged-value");
    assert_renamed(&rename(&sb, "BEFORE", "AFTER"), "BEFORE", "AFTER");
    let out = sb.cmd().args(["log", "--json"]).output().unwrap();
    let events: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(events[0]["action"], "rename", "{events}");
    assert_eq!(events[0]["names"], json!(["BEFORE", "AFTER"]), "{events}");
    assert!(!stdout(&out).contains("zq-logged-value"));

    let text = sb.cmd().arg("log").output().unwrap();
    assert!(
        stdout(&text).contains("BEFORE -> AFTER"),
        "{}",
        stdout(&text)
    );

    // An exec of every secret after the rename concerns AFTER, not BEFORE.
    assert_eq!(sb.value_of("AFTER"), b"zq-logged-value");
    let actions = |name: &str| -> Vec<String> {
        let out = sb
            .cmd()
            .args(["log", "--json", "--name", name])
            .output()
            .unwrap();
        let events: Value = serde_json::from_slice(&out.stdout).unwrap();
        events
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(actions("after"), ["exec", "rename"]);
    assert_eq!(actions("BEFORE"), ["rename", "create"]);
}

#[test]
fn a_protected_identity_is_unlocked_for_a_rename() {
    use std::os::unix::process::CommandExt;
    let sb = Sandbox::new();
    let passphrase = "zq rename passphrase";
    let out = sb
        .cmd()
        .args(["init", "--passphrase"])
        .env("SECRETS_PASSPHRASE", passphrase)
        .output()
        .unwrap();
    assert_success(&out, "init --passphrase");
    sb.create("LOCKED", "zq-locked-value");
    // No passphrase and no terminal to ask on: refused, nothing renamed.
    let mut detached = sb.std_cmd();
    // SAFETY: setsid is async-signal-safe; nothing else runs in the child.
    unsafe {
        detached.pre_exec(|| {
            if libc::setsid() == -1 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let out = detached
        .args(["rename", "LOCKED", "UNLOCKED"])
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(sb.names(), ["LOCKED"]);

    let out = sb
        .cmd()
        .args(["rename", "LOCKED", "UNLOCKED"])
        .env("SECRETS_PASSPHRASE", passphrase)
        .output()
        .unwrap();
    assert_renamed(&out, "LOCKED", "UNLOCKED");
    let out = sb
        .cmd()
        .args(["exec", "--mask", "never", "--", "printenv", "UNLOCKED"])
        .env("SECRETS_PASSPHRASE", passphrase)
        .output()
        .unwrap();
    assert_success(&out, "exec after the rename");
    assert_eq!(stdout(&out), "zq-locked-value\n");
}

/// A vault written before a name was reserved: renaming is the way out
/// (only the new name must be allowed).
#[test]
fn a_stored_reserved_name_can_be_renamed_away() {
    let sb = Sandbox::from_fixture("reserved");
    let read = |args: &[&str]| {
        let out = sb
            .cmd()
            .env_remove("NODE_OPTIONS")
            .args(["exec", "--mask", "never"])
            .args(args)
            .output()
            .unwrap();
        assert_success(&out, &format!("exec {args:?}"));
        out.stdout
    };
    let value = read(&[
        "--only",
        "NODE_OPTIONS",
        "--env-prefix",
        "OLD_",
        "--",
        "printenv",
        "OLD_NODE_OPTIONS",
    ]);
    assert!(value.len() > 1, "{value:?}");
    let out = rename(&sb, "NODE_OPTIONS", "MY_APP_NODE_FLAGS");
    assert_renamed(&out, "NODE_OPTIONS", "MY_APP_NODE_FLAGS");
    let renamed = read(&[
        "--only",
        "MY_APP_NODE_FLAGS",
        "--",
        "printenv",
        "MY_APP_NODE_FLAGS",
    ]);
    assert_eq!(renamed, value);
    assert!(!sb.names().contains(&"NODE_OPTIONS".to_owned()));
}
