//! Recipients and rekey: a second key opens the vault after `recipients
//! add`; `remove` revokes it for old and new values; `rekey` keeps every
//! value and the old identity no longer opens the vault.

use crate::common::*;
use std::fs;
use std::path::{Path, PathBuf};

/// Another identity, made by `init` in a second sandbox.
fn other_identity(sb: &Sandbox) -> (PathBuf, String) {
    let path = sb.root().join("teammate.txt");
    sb.cmd()
        .arg("--identity")
        .arg(&path)
        .arg("--vault")
        .arg(sb.root().join("teammate.db"))
        .arg("init")
        .assert()
        .success();
    (path.clone(), public_key(&path))
}

fn public_key(identity: &Path) -> String {
    fs::read_to_string(identity)
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("# public key: "))
        .expect("a public key comment")
        .to_owned()
}

/// What `exec` with `identity` sees of NAME, or its exit code.
fn read_with(sb: &Sandbox, identity: &Path, name: &str) -> Result<Vec<u8>, Option<i32>> {
    let out = sb
        .cmd()
        .arg("--identity")
        .arg(identity)
        .args(["exec", "--mask", "never", "--", "printenv", name])
        .output()
        .unwrap();
    assert_no_panic(&out);
    if out.status.success() {
        Ok(out
            .stdout
            .strip_suffix(b"\n")
            .unwrap_or(&out.stdout)
            .to_vec())
    } else {
        Err(out.status.code())
    }
}

/// The listed keys, without what follows each (two spaces, then a comment
/// or `(yours)`).
fn recipients(sb: &Sandbox) -> Vec<String> {
    list_lines(sb)
        .iter()
        .map(|line| line.split("  ").next().unwrap().to_owned())
        .collect()
}

fn list_lines(sb: &Sandbox) -> Vec<String> {
    let out = sb.cmd().args(["recipients", "list"]).output().unwrap();
    assert_success(&out, "recipients list");
    stdout(&out).lines().map(str::to_owned).collect()
}

#[test]
fn a_second_recipient_opens_values_until_it_is_removed() {
    let sb = Sandbox::new();
    sb.create("OLD_VALUE", "written-before-add");
    let (mate, mate_key) = other_identity(&sb);
    assert_eq!(read_with(&sb, &mate, "OLD_VALUE"), Err(Some(125)));

    sb.cmd()
        .args(["recipients", "add", &mate_key])
        .assert()
        .success();
    assert!(recipients(&sb).contains(&mate_key));
    assert_eq!(
        read_with(&sb, &mate, "OLD_VALUE").unwrap(),
        b"written-before-add"
    );
    // A value written afterwards, with only the public keys, is theirs too.
    sb.create("NEW_VALUE", "written-after-add");
    assert_eq!(
        read_with(&sb, &mate, "NEW_VALUE").unwrap(),
        b"written-after-add"
    );

    sb.cmd()
        .args(["recipients", "remove", &mate_key])
        .assert()
        .success();
    assert!(!recipients(&sb).contains(&mate_key));
    assert_eq!(read_with(&sb, &mate, "OLD_VALUE"), Err(Some(125)));
    sb.create("LATER_VALUE", "written-after-remove");
    assert_eq!(read_with(&sb, &mate, "LATER_VALUE"), Err(Some(125)));
    // The owner still reads everything.
    let own = sb.identity_path();
    assert_eq!(
        read_with(&sb, &own, "OLD_VALUE").unwrap(),
        b"written-before-add"
    );
    assert_eq!(
        read_with(&sb, &own, "LATER_VALUE").unwrap(),
        b"written-after-remove"
    );
}

#[test]
fn removing_your_own_last_key_is_refused() {
    let sb = Sandbox::new();
    sb.create("TOKEN", "token-value");
    let own_key = public_key(&sb.identity_path());
    let out = sb
        .cmd()
        .args(["recipients", "remove", &own_key])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("refusing"), "{}", stderr(&out));
    assert_eq!(recipients(&sb), [own_key]);
    assert_eq!(
        read_with(&sb, &sb.identity_path(), "TOKEN").unwrap(),
        b"token-value"
    );
}

#[test]
fn recipients_come_from_a_file_and_bad_keys_are_refused() {
    let sb = Sandbox::new();
    sb.create("TOKEN", "token-value");
    let (_, mate_key) = other_identity(&sb);
    let ssh = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHdFT4wd6Az1nTq3W1IxXyd4PSp8gAHCAzNAclMNmXXm me@laptop";
    let file = sb.root().join("keys.txt");
    fs::write(&file, format!("# the team\n{mate_key}\n\n{ssh}\n")).unwrap();
    sb.cmd()
        .args(["recipients", "add", "--file"])
        .arg(&file)
        .assert()
        .success();
    let listed = recipients(&sb);
    assert!(listed.contains(&mate_key));
    assert!(
        listed
            .iter()
            .any(|r| r.starts_with("ssh-ed25519 AAAAC3Nza"))
    );

    let before = recipients(&sb);
    for bad in ["age1notakey", "ssh-dss AAAA", "hello"] {
        let out = sb.cmd().args(["recipients", "add", bad]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert_no_panic(&out);
    }
    fs::write(&file, format!("{mate_key}\nnot a key\n")).unwrap();
    let out = sb
        .cmd()
        .args(["recipients", "add", "--file"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("line 2"), "{}", stderr(&out));
    assert_eq!(recipients(&sb), before, "nothing added");
}

#[test]
fn rekey_keeps_every_value_and_retires_the_old_identity() {
    let sb = Sandbox::new();
    sb.create("FIRST", "first-value");
    sb.create("SECOND", "second-value");
    let own = sb.identity_path();
    assert_eq!(read_with(&sb, &own, "FIRST").unwrap(), b"first-value"); // data key
    sb.create("THIRD", "third-value"); // still age-sealed
    let old_copy = sb.root().join("old-identity.txt");
    fs::copy(&own, &old_copy).unwrap();
    let old_key = public_key(&own);

    sb.cmd().arg("rekey").assert().success();

    let new_key = public_key(&own);
    assert_ne!(new_key, old_key);
    assert_eq!(recipients(&sb), [new_key]);
    for (name, value) in [
        ("FIRST", "first-value"),
        ("SECOND", "second-value"),
        ("THIRD", "third-value"),
    ] {
        assert_eq!(read_with(&sb, &own, name).unwrap(), value.as_bytes());
        assert_eq!(read_with(&sb, &old_copy, name), Err(Some(125)), "{name}");
    }
    let mut old_file = own.clone().into_os_string();
    old_file.push(".old");
    assert!(
        !Path::new(&old_file).exists(),
        "identity.txt.old is removed once verified"
    );
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        fs::metadata(&own).unwrap().permissions().mode() & 0o777,
        0o600
    );
}

#[test]
fn rekey_keeps_a_passphrase_protected_identity_protected() {
    let sb = Sandbox::new();
    sb.cmd()
        .args(["init", "--passphrase"])
        .env("SECRETS_PASSPHRASE", "rekey-pass-phrase")
        .assert()
        .success();
    sb.create("TOKEN", "protected-value");
    sb.cmd()
        .arg("rekey")
        .env("SECRETS_PASSPHRASE", "rekey-pass-phrase")
        .assert()
        .success();
    let text = fs::read_to_string(sb.identity_path()).unwrap();
    assert!(text.starts_with("-----BEGIN AGE ENCRYPTED FILE-----"));
    assert!(!text.contains("AGE-SECRET-KEY-1"));
    let out = sb
        .cmd()
        .args(["exec", "--mask", "never", "--", "printenv", "TOKEN"])
        .env("SECRETS_PASSPHRASE", "rekey-pass-phrase")
        .output()
        .unwrap();
    assert_success(&out, "exec after rekey");
    assert_eq!(stdout(&out), "protected-value\n");
}

#[test]
fn list_shows_ssh_comments_and_marks_your_key() {
    let sb = Sandbox::new();
    sb.init();
    let own = public_key(&sb.identity_path());
    let (_, mate_key) = other_identity(&sb);
    let ssh_key =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHdFT4wd6Az1nTq3W1IxXyd4PSp8gAHCAzNAclMNmXXm";
    let file = sb.root().join("keys.txt");
    fs::write(&file, format!("{mate_key}\n{ssh_key} alice@laptop\n")).unwrap();
    sb.cmd()
        .args(["recipients", "add", "--file"])
        .arg(&file)
        .assert()
        .success();
    let out = sb.cmd().args(["recipients", "list"]).output().unwrap();
    assert_success(&out, "recipients list");
    assert_eq!(
        stdout(&out),
        format!("{own}  (yours)\n{mate_key}\n{ssh_key}  alice@laptop\n")
    );
    assert_eq!(stderr(&out), "", "nothing to note");

    // A key stored before comments were kept gets its comment when added again.
    open_db(&sb.vault_path())
        .execute("UPDATE recipients SET comment = NULL", [])
        .unwrap();
    assert!(list_lines(&sb).contains(&ssh_key.to_owned()));
    sb.cmd()
        .args(["recipients", "add", &format!("{ssh_key} alice@desktop")])
        .assert()
        .success();
    assert!(list_lines(&sb).contains(&format!("{ssh_key}  alice@desktop")));

    // Listed with another identity: none is marked, and a note says why.
    let elsewhere = Sandbox::new();
    let (mate, _) = other_identity(&elsewhere);
    let out = sb
        .cmd()
        .arg("--identity")
        .arg(&mate)
        .args(["recipients", "list"])
        .output()
        .unwrap();
    assert_success(&out, "recipients list with another identity");
    assert!(!stdout(&out).contains("(yours)"), "{}", stdout(&out));
    assert!(
        stderr(&out).starts_with("note: none of these"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn list_with_a_protected_identity_asks_nothing_and_says_so() {
    let sb = Sandbox::new();
    sb.cmd()
        .args(["init", "--passphrase"])
        .env("SECRETS_PASSPHRASE", "list-passphrase-1234")
        .assert()
        .success();
    let out = sb.cmd().args(["recipients", "list"]).output().unwrap();
    assert_success(&out, "recipients list, protected identity");
    assert_eq!(stdout(&out).lines().count(), 1);
    assert!(stdout(&out).starts_with("age1"), "{}", stdout(&out));
    assert!(!stdout(&out).contains("(yours)"));
    assert!(
        stderr(&out).starts_with("note: your identity is protected by a passphrase"),
        "{}",
        stderr(&out)
    );
}
