//! What others can plant beside the vault or do to it: a symbolic link, a
//! FIFO or another user's file where `secrets` keeps its own files (the usage
//! journal, exec's snapshot, SQLite's journal); a vault file or directory
//! that others can write; a forged exec snapshot that claims an empty vault.
//! Each is refused with one line that names the file, before anything is
//! read or written through it, or (the snapshot) never believed.

use crate::common::*;
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

const VALUE: &str = "beside-canary-value-5150";
const VICTIM_TEXT: &str = "a file of the user's that nothing may touch\n";

fn beside(sb: &Sandbox, suffix: &str) -> PathBuf {
    PathBuf::from(format!("{}{suffix}", sb.vault_path().display()))
}

fn with_secret() -> Sandbox {
    let sb = Sandbox::new();
    sb.create("BESIDE_TOKEN", VALUE);
    sb
}

/// A file of the user's outside the vault's directory, that a planted link
/// points at.
fn victim(sb: &Sandbox) -> PathBuf {
    let path = sb.root().join("victim.txt");
    fs::write(&path, VICTIM_TEXT).unwrap();
    path
}

/// Runs `args` and asserts a clean refusal with `code` whose message names
/// `file`; returns stderr.
fn assert_refused(sb: &Sandbox, args: &[&str], code: i32, file: &Path) -> String {
    let out = sb.cmd().args(args).output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(code), "{args:?}: {err}");
    assert_no_panic(&out);
    assert!(err.starts_with("error: "), "{args:?}: {err}");
    assert_eq!(err.lines().filter(|l| l.starts_with("error:")).count(), 1);
    assert!(
        err.contains(&file.display().to_string()),
        "{args:?} does not name {}: {err}",
        file.display()
    );
    assert!(
        !out.stdout
            .windows(VALUE.len())
            .any(|w| w == VALUE.as_bytes())
    );
    err
}

/// Every command that touches the journal: exec appends to it, the others
/// read or fold it.
fn assert_journal_refused(sb: &Sandbox, journal: &Path) {
    assert_refused(sb, &["exec", "--", "true"], 125, journal);
    assert_refused(sb, &["list"], 1, journal);
    let out = sb
        .cmd()
        .args(["update", "BESIDE_TOKEN"])
        .write_stdin("changed-value-0000")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}

#[test]
fn a_link_in_place_of_the_usage_journal_is_refused_and_its_target_untouched() {
    let sb = with_secret();
    let victim = victim(&sb);
    let journal = beside(&sb, "-usage");
    let _ = fs::remove_file(&journal);
    std::os::unix::fs::symlink(&victim, &journal).unwrap();

    assert_journal_refused(&sb, &journal);
    assert_eq!(fs::read_to_string(&victim).unwrap(), VICTIM_TEXT);
    assert!(fs::symlink_metadata(&journal).unwrap().is_symlink());

    // A link to nowhere: following it would create the file it names.
    fs::remove_file(&journal).unwrap();
    let planted = sb.root().join("created-through-the-link");
    std::os::unix::fs::symlink(&planted, &journal).unwrap();
    assert_refused(&sb, &["exec", "--", "true"], 125, &journal);
    assert!(!planted.exists(), "exec created the link's target");

    // Once the link is gone, everything works again.
    fs::remove_file(&journal).unwrap();
    assert_eq!(sb.value_of("BESIDE_TOKEN"), VALUE.as_bytes());
}

#[test]
fn another_users_usage_journal_is_refused() {
    if !can_run(is_root(), "root (to give a file to another user)") {
        return;
    }
    let sb = with_secret();
    let journal = beside(&sb, "-usage");
    fs::write(&journal, "").unwrap();
    std::os::unix::fs::chown(&journal, Some(65534), Some(65534)).unwrap();
    let err = assert_refused(&sb, &["list"], 1, &journal);
    assert!(err.contains("another user"), "{err}");
    assert_refused(&sb, &["exec", "--", "true"], 125, &journal);
}

#[test]
fn a_link_or_fifo_in_place_of_the_exec_snapshot_is_refused() {
    let sb = with_secret();
    // The first exec reseals, the second leaves a snapshot.
    for _ in 0..2 {
        assert_success(
            &sb.cmd().args(["exec", "--", "true"]).output().unwrap(),
            "exec",
        );
    }
    let snapshot = beside(&sb, "-exec");
    assert!(snapshot.exists(), "no snapshot to replace");
    let victim = victim(&sb);
    fs::remove_file(&snapshot).unwrap();
    std::os::unix::fs::symlink(&victim, &snapshot).unwrap();
    let err = assert_refused(&sb, &["exec", "--", "true"], 125, &snapshot);
    assert!(err.contains("symbolic link"), "{err}");
    assert_eq!(fs::read_to_string(&victim).unwrap(), VICTIM_TEXT);
    assert!(fs::symlink_metadata(&snapshot).unwrap().is_symlink());

    fs::remove_file(&snapshot).unwrap();
    let c_path = std::ffi::CString::new(snapshot.to_str().unwrap()).unwrap();
    // SAFETY: a NUL-terminated path that outlives the call.
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
    let err = assert_refused(&sb, &["exec", "--", "true"], 125, &snapshot);
    assert!(err.contains("not a regular file"), "{err}");
}

#[test]
fn a_link_in_place_of_sqlites_journal_is_refused_before_a_write() {
    let sb = with_secret();
    let victim = victim(&sb);
    let journal = beside(&sb, "-journal");
    std::os::unix::fs::symlink(&victim, &journal).unwrap();
    let out = sb
        .cmd()
        .args(["create", "SECOND"])
        .write_stdin("second-value-7777")
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(&journal.display().to_string()), "{err}");
    assert_eq!(fs::read_to_string(&victim).unwrap(), VICTIM_TEXT);
    fs::remove_file(&journal).unwrap();
    assert_eq!(sb.names(), ["BESIDE_TOKEN"], "nothing was written");
}

/// The vault's bytes and the files beside it, to tell that a refused
/// command read or wrote nothing.
fn vault_state(sb: &Sandbox) -> (Vec<u8>, Vec<PathBuf>) {
    let mut files = files_under(&sb.vault_dir());
    files.sort();
    (fs::read(sb.vault_path()).unwrap(), files)
}

/// Asserts that reading and writing commands and exec refuse the vault with
/// a chmod hint (`hint_word`), and that nothing changed.
fn assert_vault_refused(sb: &Sandbox, hint_word: &str) {
    let before = vault_state(sb);
    let vault = sb.vault_path();
    for (args, code) in [
        (&["list"][..], 1),
        (&["show", "BESIDE_TOKEN"][..], 1),
        (&["delete", "BESIDE_TOKEN", "--yes"][..], 1),
        (&["exec", "--", "true"][..], 125),
    ] {
        let err = assert_refused(sb, args, code, &vault);
        assert!(
            err.contains(hint_word),
            "{args:?}: no `{hint_word}` hint: {err}"
        );
    }
    let out = sb
        .cmd()
        .args(["create", "PLANTED"])
        .write_stdin("planted-value-1234")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        before == vault_state(sb),
        "the refused commands changed the vault or its files"
    );
}

#[test]
fn a_vault_that_group_or_others_can_write_is_refused() {
    for mode in [0o620, 0o602, 0o666] {
        let sb = with_secret();
        // With exec's snapshot current too: its fast path checks as well.
        sb.cmd().args(["exec", "--", "true"]).assert().success();
        assert!(beside(&sb, "-exec").exists(), "no snapshot");
        fs::set_permissions(sb.vault_path(), fs::Permissions::from_mode(mode)).unwrap();
        assert_vault_refused(&sb, "chmod 600");
        fs::set_permissions(sb.vault_path(), fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(sb.value_of("BESIDE_TOKEN"), VALUE.as_bytes());
    }
}

#[test]
fn a_vault_in_a_directory_others_can_write_is_refused() {
    for mode in [0o777, 0o1777, 0o703] {
        let sb = with_secret();
        fs::set_permissions(sb.vault_dir(), fs::Permissions::from_mode(mode)).unwrap();
        assert_vault_refused(&sb, "chmod o-w");
        fs::set_permissions(sb.vault_dir(), fs::Permissions::from_mode(0o700)).unwrap();
        assert_eq!(sb.value_of("BESIDE_TOKEN"), VALUE.as_bytes());
    }
    // A group-writable directory is accepted (one group per user is common).
    let sb = with_secret();
    fs::set_permissions(sb.vault_dir(), fs::Permissions::from_mode(0o770)).unwrap();
    assert_eq!(sb.value_of("BESIDE_TOKEN"), VALUE.as_bytes());
}

#[test]
fn a_vault_or_directory_of_another_user_is_refused() {
    if !can_run(is_root(), "root (to give a file to another user)") {
        return;
    }
    let sb = with_secret();
    std::os::unix::fs::chown(sb.vault_path(), Some(65534), None).unwrap();
    assert_vault_refused(&sb, "chown");
    std::os::unix::fs::chown(sb.vault_path(), Some(0), None).unwrap();

    std::os::unix::fs::chown(sb.vault_dir(), Some(65534), None).unwrap();
    assert_vault_refused(&sb, "directory of your own");
    std::os::unix::fs::chown(sb.vault_dir(), Some(0), None).unwrap();
    assert_eq!(sb.value_of("BESIDE_TOKEN"), VALUE.as_bytes());
}

#[test]
fn a_forged_snapshot_claiming_no_secrets_is_not_believed() {
    let sb = with_secret();
    let vault = sb.vault_path();
    let vault_id: String = open_db(&vault)
        .query_row("SELECT vault_id FROM vault", [], |r| r.get(0))
        .unwrap();
    // What exec's snapshot of an empty vault would say, stamped with the
    // vault file's current state (see src/vault/snapshot.rs).
    let header = fs::read(&vault).unwrap();
    let metadata = fs::metadata(&vault).unwrap();
    let mut forged = b"secrets exec snapshot v2\n".to_vec();
    forged.extend_from_slice(&u32::from_be_bytes(header[24..28].try_into().unwrap()).to_le_bytes());
    for field in [metadata.dev(), metadata.ino(), metadata.size()] {
        forged.extend_from_slice(&field.to_le_bytes());
    }
    for field in [metadata.mtime(), metadata.mtime_nsec()] {
        forged.extend_from_slice(&field.to_le_bytes());
    }
    forged.extend_from_slice(&(vault_id.len() as u32).to_le_bytes());
    forged.extend_from_slice(vault_id.as_bytes());
    forged.extend_from_slice(&0u32.to_le_bytes());
    let snapshot = beside(&sb, "-exec");
    let _ = fs::remove_file(&snapshot);
    fs::write(&snapshot, &forged).unwrap();
    fs::set_permissions(&snapshot, fs::Permissions::from_mode(0o600)).unwrap();
    assert_eq!(
        fs::metadata(&vault).unwrap().mtime_nsec(),
        metadata.mtime_nsec()
    );

    let out = sb
        .cmd()
        .args(["exec", "--mask", "never", "--only", "BESIDE_TOKEN", "--"])
        .args(["printenv", "BESIDE_TOKEN"])
        .output()
        .unwrap();
    assert_success(&out, "exec with a forged empty snapshot");
    assert_eq!(stdout(&out), format!("{VALUE}\n"));
    assert!(
        fs::read(&snapshot).map_or(true, |now| now != forged),
        "the forged snapshot was kept"
    );
}

#[test]
fn an_empty_vault_leaves_no_snapshot_and_still_needs_no_identity() {
    let sb = Sandbox::new();
    sb.init();
    fs::remove_file(sb.identity_path()).unwrap();
    for _ in 0..2 {
        let out = sb.cmd().args(["exec", "--", "true"]).output().unwrap();
        assert_success(&out, "exec of an empty vault without an identity");
    }
    assert!(!beside(&sb, "-exec").exists());
}

#[test]
fn a_vault_others_can_write_is_refused_before_anything_beside_it_is_read() {
    let sb = with_secret();
    // Something odd beside it too: the vault's own refusal must come first,
    // before the journal is even looked at.
    let journal = beside(&sb, "-usage");
    let _ = fs::remove_file(&journal);
    std::os::unix::fs::symlink(victim(&sb), &journal).unwrap();
    fs::set_permissions(sb.vault_path(), fs::Permissions::from_mode(0o666)).unwrap();
    for (args, code) in [
        (&["list"][..], 1),
        (&["log"][..], 1),
        (&["exec", "--", "true"][..], 125),
    ] {
        let err = assert_refused(&sb, args, code, &sb.vault_path());
        assert!(err.contains("chmod 600"), "{args:?}: {err}");
        assert!(
            !err.contains("-usage"),
            "{args:?} looked at the journal first: {err}"
        );
    }
}
