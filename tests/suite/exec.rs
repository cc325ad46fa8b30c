//! `secrets exec`: the child's exit status is passed through, 126/127 mean
//! the program could not be started, and 125 means `secrets` itself failed
//! before starting anything (the program must then not have run at all).
//! Also: overriding an inherited variable warns without showing values, and
//! injected secrets get their last-used time set.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use crate::common::*;
use predicates::prelude::*;

fn with_secret() -> Sandbox {
    let sb = Sandbox::new();
    sb.init();
    sb.create("EXEC_TOKEN", "exec-token-value");
    sb
}

#[test]
fn exit_status_is_passed_through() {
    let sb = with_secret();
    for code in [0, 1, 7, 42, 255] {
        sb.cmd()
            .args(["exec", "--", "sh", "-c", &format!("exit {code}")])
            .assert()
            .code(code);
    }
    // The program really runs: it can create a file.
    sb.cmd()
        .arg("exec")
        .arg("--")
        .args(sb.touch_marker_args())
        .assert()
        .success();
    assert!(sb.marker_path().exists());
}

#[test]
fn program_output_and_stdin_pass_through() {
    let sb = with_secret();
    sb.cmd()
        .args(["exec", "--", "sh", "-c", "cat; printf 'to-err' >&2"])
        .write_stdin("from-stdin")
        .assert()
        .success()
        .stdout("from-stdin")
        .stderr(predicate::str::contains("to-err"));
}

#[test]
fn missing_program_exits_127() {
    let sb = with_secret();
    for program in [
        "zq-no-such-program-8812".to_string(),
        sb.root()
            .join("nope")
            .join("prog")
            .to_str()
            .unwrap()
            .to_string(),
    ] {
        sb.cmd()
            .args(["exec", "--", &program])
            .assert()
            .code(127)
            .stderr(predicate::str::is_match("(?m)^error: ").unwrap())
            .stderr(predicate::str::contains("panicked").not());
    }
}

#[test]
fn non_executable_file_exits_126() {
    let sb = with_secret();
    let script = sb.root().join("script.sh");
    fs::write(
        &script,
        format!("#!/bin/sh\ntouch '{}'\n", sb.marker_path().display()),
    )
    .unwrap();
    fs::set_permissions(&script, fs::Permissions::from_mode(0o644)).unwrap();
    // Both ways of starting it: replacing secrets, and supervised (masking).
    for mask in ["never", "always"] {
        let out = sb
            .cmd()
            .args(["exec", "--mask", mask, "--"])
            .arg(&script)
            .output()
            .unwrap();
        assert_no_panic(&out);
        assert_eq!(out.status.code(), Some(126), "--mask {mask}");
        let err = stderr(&out);
        let hint = format!(
            "\nhint: make it executable (chmod +x {0}), or name its interpreter: \
             secrets exec -- sh {0}\n",
            script.display()
        );
        assert!(err.starts_with("error: ") && err.ends_with(&hint), "{err}");
        assert!(!sb.marker_path().exists());
    }

    // Control: the same script with the x bit runs.
    fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
    sb.cmd()
        .args(["exec", "--"])
        .arg(&script)
        .assert()
        .success();
    assert!(sb.marker_path().exists());
}

#[test]
fn directory_exits_126() {
    let sb = with_secret();
    let dir = sb.root().join("a-directory");
    fs::create_dir(&dir).unwrap();
    for mask in ["never", "always"] {
        sb.cmd()
            .args(["exec", "--mask", mask, "--"])
            .arg(&dir)
            .assert()
            .code(126)
            .stderr(predicate::str::is_match("(?m)^error: ").unwrap())
            .stderr(predicate::str::contains("chmod").not())
            .stderr(predicate::str::contains("panicked").not());
    }
}

#[test]
fn overriding_an_inherited_variable_warns_without_values() {
    let sb = Sandbox::new();
    sb.init();
    sb.create("OVERRIDE_ME", "zq-secret-side-value");
    sb.create("NOT_INHERITED", "other");

    let out = sb
        .cmd()
        .env("OVERRIDE_ME", "zq-inherited-side-value")
        .env_remove("NOT_INHERITED")
        .args([
            "exec",
            "--mask",
            "never",
            "--",
            "sh",
            "-c",
            "printf %s \"$OVERRIDE_ME\"",
        ])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert_eq!(stdout(&out), "zq-secret-side-value");
    let warnings: Vec<&str> = err.lines().filter(|l| l.starts_with("warning:")).collect();
    assert!(
        warnings.iter().any(|l| l.contains("OVERRIDE_ME")),
        "expected a warning naming OVERRIDE_ME: {err}"
    );
    assert!(
        !warnings.iter().any(|l| l.contains("NOT_INHERITED")),
        "NOT_INHERITED overrides nothing: {err}"
    );
    assert!(
        !err.contains("zq-secret-side-value"),
        "secret value in stderr: {err}"
    );
    assert!(
        !err.contains("zq-inherited-side-value"),
        "inherited value in stderr: {err}"
    );
    assert_no_panic(&out);
}

#[test]
fn an_overridden_variable_appears_once_with_the_secret_value() {
    let sb = with_secret();
    let out = sb
        .cmd()
        .env("EXEC_TOKEN", "zq-inherited-side-value")
        .args(["exec", "--mask", "never", "--", "env"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let stdout = stdout(&out);
    let entries: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("EXEC_TOKEN="))
        .collect();
    assert_eq!(entries, ["EXEC_TOKEN=exec-token-value"], "{stdout}");
}

#[test]
fn a_script_without_a_shebang_runs_with_sh() {
    // As execvp and shells do: an executable text file without `#!`.
    let sb = with_secret();
    let script = sb.root().join("no-shebang");
    fs::write(&script, "printf '%s' \"${#EXEC_TOKEN}\"\n").unwrap();
    fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
    for mask in ["never", "always"] {
        let out = sb
            .cmd()
            .args(["exec", "--mask", mask, "--"])
            .arg(&script)
            .output()
            .unwrap();
        assert!(out.status.success(), "--mask {mask}: {}", stderr(&out));
        assert_eq!(stdout(&out), "16", "--mask {mask}");
    }
}

#[test]
fn the_program_gets_sigpipe_back_at_its_default() {
    // Rust ignores SIGPIPE; the program must not inherit that: `yes` writing
    // into a closed pipe dies of SIGPIPE, as when run directly.
    use std::os::unix::process::ExitStatusExt;
    let sb = with_secret();
    let mut child = sb
        .std_cmd()
        .args(["exec", "--mask", "never", "--", "yes"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut first = [0u8; 2];
    std::io::Read::read_exact(&mut out, &mut first).unwrap();
    assert_eq!(&first, b"y\n");
    drop(out);
    let status = child.wait().unwrap();
    assert_eq!(status.signal(), Some(libc::SIGPIPE), "{status:?}");
}

#[test]
fn no_warning_when_nothing_is_overridden() {
    let sb = with_secret();
    sb.cmd()
        .env_remove("EXEC_TOKEN")
        .args(["exec", "--", "true"])
        .assert()
        .success()
        .stderr(predicate::str::contains("warning:").not());
}

#[test]
fn no_vault_exits_125_without_running() {
    let sb = Sandbox::new();
    exec_refused(&sb, &[], &["exec-token-value"]);
}

#[test]
fn missing_identity_exits_125_without_running() {
    let sb = with_secret();
    fs::remove_file(sb.identity_path()).unwrap();
    exec_refused(&sb, &[], &["exec-token-value"]);
    exec_refused(&sb, &["--only", "EXEC_TOKEN"], &["exec-token-value"]);
}

#[test]
fn another_identity_exits_125_without_running() {
    let sb = with_secret();
    let other = Sandbox::new();
    other.init();
    let theirs = fs::read(other.identity_path()).unwrap();
    assert_ne!(fs::read(sb.identity_path()).unwrap(), theirs);
    fs::write(sb.identity_path(), theirs).unwrap();
    fs::set_permissions(sb.identity_path(), fs::Permissions::from_mode(0o600)).unwrap();
    exec_refused(&sb, &[], &["exec-token-value"]);
}

#[test]
fn unknown_name_in_only_or_except_exits_125_without_running() {
    let sb = with_secret();
    exec_refused(&sb, &["--only", "NO_SUCH_SECRET"], &["exec-token-value"]);
    exec_refused(
        &sb,
        &["--only", "EXEC_TOKEN,NO_SUCH_SECRET"],
        &["exec-token-value"],
    );
    exec_refused(&sb, &["--except", "NO_SUCH_SECRET"], &["exec-token-value"]);

    // Control: a known name runs.
    sb.cmd()
        .args(["exec", "--only", "exec_token", "--"])
        .args(sb.touch_marker_args())
        .assert()
        .success();
    assert!(sb.marker_path().exists());
}

#[test]
fn exec_sets_last_used_of_injected_secrets_only() {
    let sb = Sandbox::new();
    sb.init();
    sb.create("USED", "u");
    sb.create("UNUSED", "n");
    let before = sb.show_json("USED");
    assert!(before["last_used_time_ms"].is_null(), "{before}");
    assert!(sb.show_json("UNUSED")["last_used_time_ms"].is_null());

    sb.cmd()
        .args(["exec", "--only", "USED", "--", "true"])
        .assert()
        .success();

    let after = sb.show_json("USED");
    let last_used = after["last_used_time_ms"]
        .as_i64()
        .unwrap_or_else(|| panic!("last_used_time_ms not set after exec: {after}"));
    assert!(last_used >= before["create_time_ms"].as_i64().unwrap());
    assert!(sb.show_json("UNUSED")["last_used_time_ms"].is_null());

    // The list agrees, and no longer says "never" for USED only.
    let list = sb.list_json();
    let used = list
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "USED")
        .unwrap();
    assert_eq!(used["last_used_time_ms"], after["last_used_time_ms"]);
    // Using a secret is not an update.
    assert_eq!(after["update_time_ms"], before["update_time_ms"]);

    // A failing program still counts as a use.
    sb.cmd()
        .args(["exec", "--", "sh", "-c", "exit 3"])
        .assert()
        .code(3);
    assert!(sb.show_json("UNUSED")["last_used_time_ms"].is_number());
}

#[test]
fn output_into_a_closed_pipe_ends_quietly_with_success() {
    // `secrets list | head -0`: the reader is gone before the first write.
    // secrets ignores SIGPIPE (its own `main` sets that up, as std's does),
    // sees EPIPE and exits 0 without an error line, as ripgrep does.
    use std::os::fd::{FromRawFd, OwnedFd};
    use std::os::unix::process::ExitStatusExt;
    let sb = with_secret();
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors pipe() writes.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    // SAFETY: pipe() just returned these two descriptors, owned by nothing else.
    let (read_end, write_end) =
        unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    drop(read_end);
    for args in [&["list"][..], &["log"], &["doctor"]] {
        let out = sb
            .std_cmd()
            .args(args)
            .stdout(write_end.try_clone().unwrap())
            .output()
            .unwrap();
        assert_eq!(out.status.signal(), None, "{args:?} died of a signal");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        assert_eq!(stderr(&out), "", "{args:?}");
    }
}
