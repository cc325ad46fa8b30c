//! What `secrets` leaves on disk: private modes whatever the umask, and no
//! plaintext value anywhere (files, or the output of any of its commands).

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Output;

use crate::common::{Sandbox, assert_success, contains_bytes, dirs_under, files_under, stderr};

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

/// Every directory under the vault and identity dirs is 0700, every file 0600.
fn assert_private(sb: &Sandbox) {
    let mut files = Vec::new();
    for top in [sb.vault_dir(), sb.identity_dir()] {
        assert!(top.is_dir(), "{} missing", top.display());
        for dir in dirs_under(&top) {
            assert_eq!(mode(&dir), 0o700, "mode of dir {}", dir.display());
        }
        files.extend(files_under(&top));
    }
    assert!(files.contains(&sb.vault_path()), "{files:?}");
    assert!(files.contains(&sb.identity_path()), "{files:?}");
    for file in files {
        assert_eq!(mode(&file), 0o600, "mode of file {}", file.display());
    }
}

/// From inside `secrets exec`, list "MODE PATH" for everything in the vault
/// and identity dirs, so -wal/-shm files that exist only while the vault is
/// open are checked too.
fn modes_seen_during_exec(sb: &Sandbox, umask_000: bool) -> String {
    let script = "for f in \"$1\"/* \"$1\"/.[!.]* \"$2\"/* \"$2\"/.[!.]*; do \
                  [ -e \"$f\" ] && stat -c '%a %F %n' \"$f\"; done; true";
    let mut cmd = if umask_000 {
        sb.cmd_with_umask_000()
    } else {
        sb.cmd()
    };
    let out = cmd
        .args(["exec", "--", "sh", "-c", script, "sh"])
        .arg(sb.vault_dir())
        .arg(sb.identity_dir())
        .output()
        .unwrap();
    assert_success(&out, "exec listing modes");
    String::from_utf8(out.stdout).unwrap()
}

fn assert_listing_private(listing: &str) {
    assert!(listing.contains("vault.db"), "{listing}");
    for line in listing.lines() {
        let expected = if line.contains(" directory ") {
            "700 "
        } else {
            "600 "
        };
        assert!(line.starts_with(expected), "not private: {line}");
    }
}

#[test]
fn modes_are_private() {
    let sb = Sandbox::new();
    sb.init();
    assert_private(&sb);
    sb.create("MODE_CHECK", "v");
    sb.cmd()
        .args(["update", "MODE_CHECK"])
        .write_stdin("w")
        .assert()
        .success();
    assert_private(&sb);
    assert_listing_private(&modes_seen_during_exec(&sb, false));
}

#[test]
fn modes_are_private_under_umask_000() {
    let sb = Sandbox::new();
    sb.cmd_with_umask_000().arg("init").assert().success();
    // Sanity: the wrapper really runs with umask 000.
    let probe = sb.root().join("probe");
    sb.cmd_with_umask_000()
        .args(["exec", "--", "touch"])
        .arg(&probe)
        .assert()
        .success();
    assert_eq!(mode(&probe) & 0o666, 0o666, "umask 000 was not in effect");

    assert_private(&sb);
    sb.cmd_with_umask_000()
        .args(["create", "UMASK_CHECK"])
        .write_stdin("v")
        .assert()
        .success();
    sb.cmd_with_umask_000()
        .args(["update", "UMASK_CHECK"])
        .write_stdin("v2")
        .assert()
        .success();
    sb.cmd_with_umask_000()
        .args(["delete", "UMASK_CHECK", "--yes"])
        .assert()
        .success();
    assert_private(&sb);
    assert_listing_private(&modes_seen_during_exec(&sb, true));
}

#[test]
fn create_on_a_missing_vault_makes_private_files_under_umask_000() {
    let sb = Sandbox::new();
    sb.cmd_with_umask_000()
        .args(["create", "FIRST"])
        .write_stdin("v")
        .assert()
        .success();
    assert_private(&sb);
}

#[test]
fn parent_dirs_created_by_init_are_private() {
    let sb = Sandbox::new();
    fs::remove_dir(sb.data_dir()).unwrap();
    fs::remove_dir(sb.config_dir()).unwrap();
    sb.cmd_with_umask_000().arg("init").assert().success();
    for dir in [
        sb.data_dir(),
        sb.vault_dir(),
        sb.config_dir(),
        sb.identity_dir(),
    ] {
        assert_eq!(mode(&dir), 0o700, "mode of created dir {}", dir.display());
    }
    assert_private(&sb);
}

#[test]
fn custom_vault_and_identity_paths_are_private() {
    let sb = Sandbox::new();
    let vault = sb.root().join("custom").join("v.db");
    let identity = sb.root().join("keys").join("id.txt");
    sb.cmd_with_umask_000()
        .arg("--vault")
        .arg(&vault)
        .arg("--identity")
        .arg(&identity)
        .arg("init")
        .assert()
        .success();
    assert_eq!(mode(&vault), 0o600);
    assert_eq!(mode(&identity), 0o600);
    assert_eq!(mode(vault.parent().unwrap()), 0o700);
    assert_eq!(mode(identity.parent().unwrap()), 0o700);
}

const CANARY_1: &[u8] = b"zq-LEAK-CANARY-7731-value";
const CANARY_2: &[u8] = b"zq-LEAK-CANARY-8842-rotated";

/// Records a command's output and checks that neither canary is in it.
fn clean(out: Output, what: &str) -> Output {
    for canary in [CANARY_1, CANARY_2] {
        assert!(
            !contains_bytes(&out.stdout, canary),
            "{what}: stdout contains {}",
            String::from_utf8_lossy(canary)
        );
        assert!(
            !contains_bytes(&out.stderr, canary),
            "{what}: stderr contains {}",
            String::from_utf8_lossy(canary)
        );
    }
    assert!(
        !stderr(&out).contains("panicked"),
        "{what}: {}",
        stderr(&out)
    );
    out
}

#[test]
fn values_never_reach_disk_or_output() {
    let sb = Sandbox::new();
    let run = |args: &[&str], stdin: Option<&[u8]>| -> Output {
        let mut cmd = sb.cmd();
        cmd.args(args);
        if let Some(input) = stdin {
            cmd.write_stdin(input);
        }
        let out = cmd.output().unwrap();
        assert_success(&out, &format!("{args:?}"));
        clean(out, &format!("{args:?}"))
    };

    run(&["init"], None);
    run(
        &["create", "LEAK_TEST", "--description", "canary"],
        Some(&[CANARY_1, b"\n"].concat()),
    );
    run(&["create", "OTHER_ONE", "--json"], Some(b"other-value"));
    run(&["create", "THIRD_ONE"], Some(b"third-value"));
    run(&["list"], None);
    run(&["list", "--json"], None);
    run(&["show", "LEAK_TEST"], None);
    run(&["show", "LEAK_TEST", "--json"], None);

    // The child's own output is the only place the value may appear.
    let out = sb
        .cmd()
        .args([
            "exec",
            "--mask",
            "never",
            "--",
            "sh",
            "-c",
            "printf %s \"$LEAK_TEST\"",
        ])
        .output()
        .unwrap();
    assert_success(&out, "exec");
    assert_eq!(
        out.stdout, CANARY_1,
        "child should see the canary, and only the child prints"
    );
    assert!(!contains_bytes(&out.stderr, CANARY_1));

    run(&["update", "LEAK_TEST", "--json"], Some(CANARY_2));
    run(&["exec", "--", "true"], None);
    run(
        &[
            "exec",
            "--only",
            "LEAK_TEST",
            "--",
            "sh",
            "-c",
            "test \"$LEAK_TEST\" = zq-LEAK-CANARY-8842-rotated",
        ],
        None,
    );
    run(
        &[
            "exec",
            "--except",
            "LEAK_TEST",
            "--",
            "sh",
            "-c",
            "test -z \"$LEAK_TEST\"",
        ],
        None,
    );
    let out = sb
        .cmd()
        .args([
            "exec",
            "--mask",
            "never",
            "--",
            "sh",
            "-c",
            "printf %s \"$LEAK_TEST\"; exit 4",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert_eq!(out.stdout, CANARY_2);
    assert!(!contains_bytes(&out.stderr, CANARY_2));

    // Failures that name the secret must not show it either.
    let out = clean(
        sb.cmd()
            .args(["create", "leak_test"])
            .write_stdin(CANARY_1)
            .output()
            .unwrap(),
        "duplicate create",
    );
    assert_eq!(out.status.code(), Some(4));
    let out = clean(
        sb.cmd().args(["delete", "LEAK_TEST"]).output().unwrap(),
        "delete without --yes",
    );
    assert_eq!(out.status.code(), Some(2));
    let out = clean(
        sb.cmd()
            .args(["exec", "--only", "NOPE", "--", "true"])
            .output()
            .unwrap(),
        "exec unknown name",
    );
    assert_eq!(out.status.code(), Some(125));

    run(&["delete", "OTHER_ONE", "--yes"], None);
    run(&["list"], None);

    // Nothing under the sandbox (vault, its -wal/-shm, identity, temp files,
    // HOME, XDG dirs) holds either canary.
    let files = files_under(sb.root());
    assert!(files.contains(&sb.vault_path()));
    for file in files {
        let bytes = fs::read(&file).unwrap();
        for canary in [CANARY_1, CANARY_2] {
            assert!(
                !contains_bytes(&bytes, canary),
                "{} contains {}",
                file.display(),
                String::from_utf8_lossy(canary)
            );
        }
    }

    // Delete the canary's secret too and check again.
    run(&["delete", "LEAK_TEST", "THIRD_ONE", "--yes"], None);
    for file in files_under(sb.root()) {
        let bytes = fs::read(&file).unwrap();
        for canary in [CANARY_1, CANARY_2] {
            assert!(!contains_bytes(&bytes, canary), "{} leaks", file.display());
        }
    }
}
