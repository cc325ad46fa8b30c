//! The identity file and its passphrase: `init --passphrase` writes it
//! encrypted (age scrypt, armored), `exec` unlocks it from
//! SECRETS_PASSPHRASE (or a prompt, or fails without a terminal), writes never
//! need it, `passwd` adds, changes and removes it, and an identity file other
//! users can read is refused.
//!
//! Every scrypt unlock or lock costs about a second, so each test keeps the
//! commands that run scrypt to a few. Commands that must not ask for a
//! passphrase run in a new session (`setsid`), so they have no controlling
//! terminal even when the test runner has one: a prompt would fail there.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Output;
use std::time::Duration;

use crate::common::*;
use assert_cmd::Command;

const ARMOR_START: &str = "-----BEGIN AGE ENCRYPTED FILE-----";
const SECRET_KEY_PREFIX: &str = "AGE-SECRET-KEY-1";
const PASSPHRASE: &str = "correct horse battery staple";

/// The binary in the sandbox, in a new session: no controlling terminal, so
/// a passphrase prompt is impossible and must turn into a failure.
fn detached(sb: &Sandbox) -> Command {
    let mut std_cmd = sb.std_cmd();
    // SAFETY: setsid is async-signal-safe; nothing else runs in the child.
    unsafe {
        std_cmd.pre_exec(|| {
            if libc::setsid() == -1 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut cmd = Command::from_std(std_cmd);
    cmd.timeout(Duration::from_secs(60));
    cmd
}

/// `secrets init --passphrase` with the passphrase from the environment.
fn init_protected(sb: &Sandbox, passphrase: &str) {
    let out = detached(sb)
        .args(["init", "--passphrase"])
        .env("SECRETS_PASSPHRASE", passphrase)
        .output()
        .unwrap();
    assert_success(&out, "secrets init --passphrase");
}

/// `create NAME` from stdin, with no passphrase and no terminal.
fn create_detached(sb: &Sandbox, name: &str, value: &str) {
    let out = detached(sb)
        .args(["create", name])
        .write_stdin(value)
        .output()
        .unwrap();
    assert_success(&out, &format!("secrets create {name} (no passphrase)"));
}

/// `exec` printing NAME's value, unlocking with `passphrase` (None: unset),
/// without a terminal.
fn read_value(sb: &Sandbox, name: &str, passphrase: Option<&str>) -> Output {
    let script = format!("[ \"${{{name}+set}}\" = set ] || exit 99; printf %s \"${name}\"");
    let mut cmd = detached(sb);
    cmd.args(["exec", "--mask", "never", "--", "sh", "-c", &script]);
    if let Some(passphrase) = passphrase {
        cmd.env("SECRETS_PASSPHRASE", passphrase);
    }
    cmd.output().unwrap()
}

fn assert_value(sb: &Sandbox, name: &str, passphrase: Option<&str>, expected: &str) {
    let out = read_value(sb, name, passphrase);
    assert_success(&out, &format!("exec reading {name}"));
    assert_eq!(stdout(&out), expected, "value of {name}");
}

/// `exec -- touch MARKER` with the given environment; returns its output.
fn exec_touch(sb: &Sandbox, env: &[(&str, &str)]) -> Output {
    let mut cmd = detached(sb);
    cmd.arg("exec").arg("--").args(sb.touch_marker_args());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn identity_text(sb: &Sandbox) -> String {
    fs::read_to_string(sb.identity_path()).expect("read identity")
}

fn identity_bytes(sb: &Sandbox) -> Vec<u8> {
    fs::read(sb.identity_path()).expect("read identity")
}

fn identity_mode(sb: &Sandbox) -> u32 {
    fs::metadata(sb.identity_path())
        .unwrap()
        .permissions()
        .mode()
        & 0o777
}

fn assert_protected(sb: &Sandbox, what: &str) {
    let text = identity_text(sb);
    assert!(
        text.starts_with(ARMOR_START),
        "{what}: identity is not an armored age file:\n{text}"
    );
    assert!(
        !text.contains(SECRET_KEY_PREFIX),
        "{what}: protected identity holds a plain secret key"
    );
    assert_eq!(identity_mode(sb), 0o600, "{what}: identity mode");
}

fn public_key_line(text: &str) -> String {
    text.lines()
        .find(|l| l.starts_with("# public key: "))
        .unwrap_or_else(|| panic!("no `# public key:` line in identity:\n{text}"))
        .to_string()
}

#[test]
fn init_passphrase_encrypts_identity_and_writes_never_need_it() {
    let sb = Sandbox::new();
    init_protected(&sb, PASSPHRASE);
    assert_protected(&sb, "after init --passphrase");
    assert!(
        !identity_text(&sb).contains(PASSPHRASE),
        "the passphrase is in the identity file"
    );

    // Every write, with no SECRETS_PASSPHRASE and no terminal to ask on.
    create_detached(&sb, "KEEP", "first value");
    create_detached(&sb, "GONE", "to be deleted");
    let out = detached(&sb)
        .args(["update", "KEEP"])
        .write_stdin("second value")
        .output()
        .unwrap();
    assert_success(&out, "update without passphrase");
    for args in [
        &["list"][..],
        &["list", "--json"],
        &["show", "KEEP"],
        &["show", "KEEP", "--json"],
    ] {
        let out = detached(&sb).args(args).output().unwrap();
        assert_success(&out, &format!("{args:?} without passphrase"));
        assert!(stdout(&out).contains("KEEP"), "{args:?}: {}", stdout(&out));
    }
    let out = detached(&sb)
        .args(["delete", "GONE", "--yes"])
        .output()
        .unwrap();
    assert_success(&out, "delete without passphrase");
    assert_eq!(sb.names(), vec!["KEEP".to_string()]);
    assert_protected(&sb, "after the writes");

    // The one unlock: the updated value decrypts with the passphrase.
    assert_value(&sb, "KEEP", Some(PASSPHRASE), "second value");
}

#[test]
fn exec_without_usable_passphrase_fails_before_running_the_program() {
    let sb = Sandbox::new();
    init_protected(&sb, PASSPHRASE);
    create_detached(&sb, "TOKEN", "token-value");
    // The first exec reseals, the second leaves exec's snapshot beside the
    // vault: it must never stand in for the passphrase.
    assert_value(&sb, "TOKEN", Some(PASSPHRASE), "token-value");
    assert_value(&sb, "TOKEN", Some(PASSPHRASE), "token-value");
    let snapshot = format!("{}-exec", sb.vault_path().display());
    assert!(Path::new(&snapshot).exists(), "no snapshot to test against");

    // Unset, and no terminal to prompt on.
    let out = exec_touch(&sb, &[]);
    assert_exec_refused(&sb, &out, &[]);
    assert!(
        stderr(&out).contains("SECRETS_PASSPHRASE"),
        "the failure does not say how to give the passphrase:\n{}",
        stderr(&out)
    );

    // Set but empty.
    let out = exec_touch(&sb, &[("SECRETS_PASSPHRASE", "")]);
    assert_exec_refused(&sb, &out, &[]);
    let err = stderr(&out);
    assert!(
        err.contains("SECRETS_PASSPHRASE") && err.contains("empty"),
        "the refusal of an empty passphrase is unclear:\n{err}"
    );

    // init refuses an empty passphrase too, and creates nothing.
    let other = Sandbox::new();
    let out = detached(&other)
        .args(["init", "--passphrase"])
        .env("SECRETS_PASSPHRASE", "")
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "init --passphrase accepted an empty passphrase"
    );
    assert_no_panic(&out);
    assert!(
        stderr(&out).contains("empty"),
        "unclear refusal:\n{}",
        stderr(&out)
    );
    assert!(
        !other.identity_path().exists(),
        "init with an empty passphrase wrote an identity"
    );
}

#[test]
fn create_without_vault_and_protected_identity_is_refused() {
    let sb = Sandbox::new();
    init_protected(&sb, PASSPHRASE);
    let identity_before = identity_bytes(&sb);
    let missing = sb.root().join("elsewhere").join("vault.db");

    let out = detached(&sb)
        .arg("create")
        .arg("NEW_ONE")
        .arg("--vault")
        .arg(&missing)
        .write_stdin("value")
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "stderr:\n{err}");
    assert_no_panic(&out);
    assert!(
        err.contains("secrets init"),
        "no hint to run `secrets init`:\n{err}"
    );
    assert!(!missing.exists(), "create made a vault anyway");
    assert_eq!(identity_bytes(&sb), identity_before, "identity changed");
}

#[test]
fn init_passphrase_leaves_an_existing_identity_alone() {
    let sb = Sandbox::new();
    sb.init();
    let before = identity_bytes(&sb);

    // Identity and vault both exist.
    let out = detached(&sb)
        .args(["init", "--passphrase"])
        .env("SECRETS_PASSPHRASE", PASSPHRASE)
        .output()
        .unwrap();
    assert_success(&out, "init --passphrase on an existing set-up");
    assert!(
        format!("{}{}", stdout(&out), stderr(&out)).contains("secrets passwd"),
        "no hint about `secrets passwd`:\nstdout:\n{}\nstderr:\n{}",
        stdout(&out),
        stderr(&out)
    );
    assert_eq!(identity_bytes(&sb), before, "identity changed");

    // Identity exists, vault does not.
    let other_vault = sb.root().join("second").join("vault.db");
    let out = detached(&sb)
        .args(["init", "--passphrase", "--vault"])
        .arg(&other_vault)
        .env("SECRETS_PASSPHRASE", PASSPHRASE)
        .output()
        .unwrap();
    assert_success(&out, "init --passphrase with an existing identity");
    assert!(
        format!("{}{}", stdout(&out), stderr(&out)).contains("secrets passwd"),
        "no hint about `secrets passwd`:\nstdout:\n{}\nstderr:\n{}",
        stdout(&out),
        stderr(&out)
    );
    assert_eq!(identity_bytes(&sb), before, "identity changed");
    assert!(other_vault.exists(), "init did not create the vault");
}

#[test]
fn passwd_changes_the_passphrase() {
    const OLD: &str = "old passphrase";
    const NEW: &str = "new passphrase";
    let sb = Sandbox::new();
    init_protected(&sb, OLD);
    create_detached(&sb, "KEPT", "kept across passwd");
    let before = identity_bytes(&sb);

    // A wrong current passphrase changes nothing.
    let out = detached(&sb)
        .arg("passwd")
        .env("SECRETS_PASSPHRASE", "not the passphrase")
        .env("SECRETS_NEW_PASSPHRASE", NEW)
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "passwd accepted a wrong current passphrase"
    );
    assert_no_panic(&out);
    assert_eq!(identity_bytes(&sb), before, "identity changed");

    let out = detached(&sb)
        .arg("passwd")
        .env("SECRETS_PASSPHRASE", OLD)
        .env("SECRETS_NEW_PASSPHRASE", NEW)
        .output()
        .unwrap();
    assert_success(&out, "passwd");
    assert_protected(&sb, "after passwd");
    assert_ne!(identity_bytes(&sb), before, "passwd did not rewrite it");

    // The old passphrase is now wrong: one clear error line, nothing run.
    let out = exec_touch(&sb, &[("SECRETS_PASSPHRASE", OLD)]);
    assert_exec_refused(&sb, &out, &[]);
    let err = stderr(&out);
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error")).collect();
    assert_eq!(errors.len(), 1, "expected one error line:\n{err}");
    assert!(
        errors[0].starts_with("error: wrong passphrase for identity"),
        "unexpected error:\n{err}"
    );
    assert!(!err.contains("stack backtrace"), "backtrace:\n{err}");
    assert!(!err.contains(OLD), "the passphrase is echoed:\n{err}");
    // From the variable: one try, and the hint names where it came from.
    assert!(!err.contains("try again"), "retried a variable:\n{err}");
    assert!(
        err.lines()
            .any(|l| l.starts_with("hint: ") && l.contains("SECRETS_PASSPHRASE")),
        "the hint does not name the variable:\n{err}"
    );

    // The new one works, and the value is intact.
    assert_value(&sb, "KEPT", Some(NEW), "kept across passwd");
}

#[test]
fn passwd_adds_and_removes_a_passphrase() {
    let sb = Sandbox::new();
    sb.init();
    sb.create("KEPT", "kept across passwd");
    let plain = identity_bytes(&sb);
    let public_key = public_key_line(&identity_text(&sb));

    // --remove without a passphrase: nothing to do.
    let out = detached(&sb).args(["passwd", "--remove"]).output().unwrap();
    assert_success(&out, "passwd --remove on an unprotected identity");
    assert!(
        stderr(&out).contains("nothing changed") || stdout(&out).contains("nothing changed"),
        "does not say nothing changed:\n{}",
        stderr(&out)
    );
    assert_eq!(identity_bytes(&sb), plain, "identity changed");

    // An empty new passphrase is refused.
    let out = detached(&sb)
        .arg("passwd")
        .env("SECRETS_NEW_PASSPHRASE", "")
        .output()
        .unwrap();
    assert!(!out.status.success(), "passwd accepted an empty passphrase");
    assert_no_panic(&out);
    assert!(
        stderr(&out).contains("empty"),
        "unclear refusal:\n{}",
        stderr(&out)
    );
    assert_eq!(identity_bytes(&sb), plain, "identity changed");

    // Add one: only the new passphrase is needed.
    let out = detached(&sb)
        .arg("passwd")
        .env("SECRETS_NEW_PASSPHRASE", PASSPHRASE)
        .output()
        .unwrap();
    assert_success(&out, "passwd adding a passphrase");
    assert_protected(&sb, "after adding a passphrase");
    let out = exec_touch(&sb, &[]);
    assert_exec_refused(&sb, &out, &[]);

    // Remove it: a plain identity again, with the same key.
    let out = detached(&sb)
        .args(["passwd", "--remove"])
        .env("SECRETS_PASSPHRASE", PASSPHRASE)
        .output()
        .unwrap();
    assert_success(&out, "passwd --remove");
    let text = identity_text(&sb);
    assert!(
        text.starts_with("# created:"),
        "not a plain identity:\n{text}"
    );
    assert!(text.contains(SECRET_KEY_PREFIX), "no secret key in it");
    assert_eq!(public_key_line(&text), public_key, "the key changed");
    assert_eq!(identity_mode(&sb), 0o600, "identity mode after --remove");
    assert_value(&sb, "KEPT", None, "kept across passwd");
}

#[test]
fn identity_readable_by_others_is_refused() {
    let sb = Sandbox::new();
    sb.init();
    sb.create("TOKEN", "token-value");
    let path = sb.identity_path();

    for mode in [0o644, 0o640, 0o604] {
        fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
        let out = exec_touch(&sb, &[]);
        let what = format!("exec with identity mode {mode:o}");
        assert_exec_refused(&sb, &out, &[]);
        assert!(
            stderr(&out).contains("chmod 600"),
            "{what}: no `chmod 600` hint:\n{}",
            stderr(&out)
        );
        assert!(!stderr(&out).contains("token-value"), "value leaked");
    }

    fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
    let out = exec_touch(&sb, &[]);
    assert_success(&out, "exec with identity mode 600");
    assert!(sb.marker_path().exists(), "the program did not run");
}

#[test]
fn identity_that_is_no_regular_file_or_far_too_large_is_refused() {
    let sb = Sandbox::new();
    sb.init();
    sb.create("TOKEN", "token-value");
    let path = sb.identity_path();
    let saved = fs::read(&path).unwrap();
    let c_path = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: a NUL-terminated path that outlives the call.
    let fifo = || assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
    let directory = || fs::create_dir(&path).unwrap();
    let huge = || {
        let mut big = saved.clone();
        big.resize(2 * 1024 * 1024, b'#');
        fs::write(&path, &big).unwrap();
    };
    // A FIFO nobody writes to (opening it to read could wait forever), a
    // directory, and a private file of the user's far larger than any
    // identity file.
    let cases: [(&str, &dyn Fn(), &str); 3] = [
        ("a FIFO", &fifo, "not a regular file"),
        ("a directory", &directory, "not a regular file"),
        ("a 2 MiB file", &huge, "too large"),
    ];
    for (what, make, says) in cases {
        match fs::metadata(&path) {
            Ok(m) if m.is_dir() => fs::remove_dir(&path).unwrap(),
            _ => fs::remove_file(&path).unwrap(),
        }
        make();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o700)).unwrap();
        let out = exec_touch(&sb, &[]);
        assert_exec_refused(&sb, &out, &[]);
        assert!(stderr(&out).contains(says), "{what}: {}", stderr(&out));
    }

    fs::remove_file(&path).unwrap();
    fs::write(&path, &saved).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
    let out = exec_touch(&sb, &[]);
    assert_success(&out, "exec with the identity restored");
    assert!(sb.marker_path().exists(), "the program did not run");
}
