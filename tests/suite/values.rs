//! Limits on a secret's value: 1 byte to 64 KiB, no NUL (it could not cross
//! into an environment variable), refused values leave the vault untouched
//! and are never echoed back in error messages.

use std::fs;
use std::process::{Output, Stdio};

use crate::common::{Sandbox, assert_no_panic, contains_bytes, stderr, stdout};

const MAX: usize = 65536;

fn initialized() -> Sandbox {
    let sb = Sandbox::new();
    sb.init();
    sb
}

/// A recognisable value of exactly `len` bytes.
fn patterned(len: usize) -> Vec<u8> {
    b"zq-BIG-VALUE-".iter().copied().cycle().take(len).collect()
}

/// Runs `create`/`update` with `input` on stdin and asserts a clean refusal
/// with exit 2 that does not echo `canary`.
fn assert_refused(sb: &Sandbox, args: &[&str], input: Vec<u8>, canary: &[u8]) {
    let out = sb.cmd().args(args).write_stdin(input).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{args:?} should be refused: {}",
        stderr(&out)
    );
    assert!(
        stderr(&out).lines().any(|l| l.starts_with("error: ")),
        "{args:?}: {}",
        stderr(&out)
    );
    assert!(
        !contains_bytes(&out.stderr, canary),
        "{args:?} echoed the value"
    );
    assert!(
        !contains_bytes(&out.stdout, canary),
        "{args:?} echoed the value"
    );
    assert_no_panic(&out);
}

#[test]
fn empty_values_are_refused() {
    let sb = initialized();
    for input in [&b""[..], b"\n", b"\r\n"] {
        let out = sb
            .cmd()
            .args(["create", "EMPTY"])
            .write_stdin(input)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(2),
            "stdin {input:?}: {}",
            stderr(&out)
        );
        assert!(stderr(&out).lines().any(|l| l.starts_with("error: ")));
        assert_no_panic(&out);
    }
    let empty_file = sb.root().join("empty");
    fs::write(&empty_file, b"").unwrap();
    sb.cmd()
        .args(["create", "EMPTY", "--from-file"])
        .arg(&empty_file)
        .assert()
        .code(2);
    assert_eq!(sb.list_json(), serde_json::json!([]));
}

#[test]
fn a_single_byte_is_enough() {
    let sb = initialized();
    sb.create("ONE", "x");
    assert_eq!(sb.value_of("ONE"), b"x");
}

#[test]
fn nul_bytes_are_refused() {
    let sb = initialized();
    let value = b"zq-NUL-CANARY\0tail-zq".to_vec();
    assert_refused(
        &sb,
        &["create", "WITH_NUL"],
        value.clone(),
        b"zq-NUL-CANARY",
    );
    assert_refused(&sb, &["create", "WITH_NUL"], b"\0".to_vec(), b"\0\0");

    let file = sb.root().join("nul.bin");
    fs::write(&file, &value).unwrap();
    let out = sb
        .cmd()
        .args(["create", "WITH_NUL", "--from-file"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(!contains_bytes(&out.stderr, b"zq-NUL-CANARY"));
    assert_eq!(sb.list_json(), serde_json::json!([]));
}

#[test]
fn max_size_value_is_accepted_from_file_and_stdin() {
    let sb = initialized();
    let value = patterned(MAX);
    let file = sb.root().join("max.bin");
    fs::write(&file, &value).unwrap();
    let out = sb
        .cmd()
        .args(["create", "FROM_FILE", "--from-file"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!contains_bytes(&out.stderr, b"zq-BIG-VALUE-"));

    // 65536 bytes plus the newline that stdin loses.
    let mut piped = value.clone();
    piped.push(b'\n');
    sb.create("FROM_STDIN", piped);

    assert_eq!(sb.value_of("FROM_FILE"), value);
    assert_eq!(sb.value_of("FROM_STDIN"), value);
}

#[test]
fn oversized_values_are_refused_and_not_written() {
    let sb = initialized();
    let value = patterned(MAX + 1);
    assert_refused(&sb, &["create", "TOO_BIG"], value.clone(), b"zq-BIG-VALUE-");

    let file = sb.root().join("big.bin");
    fs::write(&file, &value).unwrap();
    let out = sb
        .cmd()
        .args(["create", "TOO_BIG", "--from-file"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(!contains_bytes(&out.stderr, b"zq-BIG-VALUE-"));
    assert_no_panic(&out);

    // Far larger input is refused the same way.
    assert_refused(
        &sb,
        &["create", "WAY_TOO_BIG"],
        patterned(4 * MAX),
        b"zq-BIG-VALUE-",
    );
    assert_eq!(sb.list_json(), serde_json::json!([]));
}

#[test]
fn refused_update_keeps_the_old_value() {
    let sb = initialized();
    sb.create("STABLE", "old-value");
    let before = sb.show_json("STABLE");

    assert_refused(&sb, &["update", "STABLE"], Vec::new(), b"old-value");
    assert_refused(
        &sb,
        &["update", "STABLE"],
        b"zq-new\0value".to_vec(),
        b"zq-new",
    );
    assert_refused(
        &sb,
        &["update", "STABLE"],
        patterned(MAX + 1),
        b"zq-BIG-VALUE-",
    );

    // Metadata first: reading the value through exec sets last_used_time_ms.
    assert_eq!(sb.show_json("STABLE"), before);
    assert_eq!(sb.value_of("STABLE"), b"old-value");
}

#[test]
fn successful_create_does_not_echo_the_value() {
    let sb = initialized();
    let out = sb.create("QUIET", "zq-quiet-value-55");
    assert!(!stderr(&out).contains("zq-quiet-value-55"));
    assert!(!stdout(&out).contains("zq-quiet-value-55"));
}

/// A value typed after the name or given with `--value`, `--secret` or
/// `--password` is refused (exit 2) with one error line saying why and one
/// hint naming the three ways a value comes in; what was typed is never
/// repeated, and the vault is untouched although a value was piped in too.
#[test]
fn values_are_never_taken_from_the_command_line() {
    const CANARY: &str = "zq-argv-value-9";
    let sb = initialized();
    sb.create("EXISTING", "old-value");
    let assignment = format!("--value={CANARY}");
    let dashed = format!("-{CANARY}");
    let forms: [&[&str]; 10] = [
        &[CANARY],
        &["--value", CANARY],
        &[&assignment],
        &["--secret", CANARY],
        &["--password", CANARY],
        &["--password"],
        &["--", CANARY],
        &[&dashed],
        &["--value", &dashed],
        &["-d", "some words", CANARY],
    ];
    for (command, name) in [("create", "NEW_ONE"), ("update", "EXISTING")] {
        for form in forms {
            let out = sb
                .cmd()
                .args([command, name])
                .args(form)
                .write_stdin("zq-piped-value")
                .output()
                .unwrap();
            let err = stderr(&out);
            let what = format!("{command} {name} {form:?}");
            assert_eq!(out.status.code(), Some(2), "{what}: {err}");
            assert_no_panic(&out);
            let lines: Vec<&str> = err.lines().collect();
            assert_eq!(lines.len(), 2, "{what}: {err}");
            assert!(lines[0].starts_with("error: "), "{what}: {err}");
            assert!(
                lines[0].contains("never go on the command line"),
                "{what}: {err}"
            );
            assert!(lines[1].starts_with("hint: "), "{what}: {err}");
            for way in [
                &format!("printf %s \"$VALUE\" | secrets {command} NAME") as &str,
                "hidden prompt",
                &format!("secrets {command} NAME --from-file PATH"),
            ] {
                assert!(lines[1].contains(way), "{what}: no {way:?} in {err}");
            }
            assert!(!err.contains(CANARY), "{what}: the value was echoed: {err}");
            assert!(!stdout(&out).contains(CANARY), "{what}");
        }
    }
    assert_eq!(sb.names(), ["EXISTING"]);
    assert_eq!(sb.value_of("EXISTING"), b"old-value");
}

/// The refusal leaves the ordinary forms alone: options before or after the
/// name, and `--` before it.
#[test]
fn options_and_a_double_dash_still_work_around_the_name() {
    let sb = initialized();
    for args in [
        &["create", "-d", "before", "FIRST"][..],
        &["create", "SECOND", "-d", "after", "--json"],
        &["create", "--", "THIRD"],
        &["update", "-d", "updated", "--", "THIRD"],
    ] {
        let out = sb.cmd().args(args).write_stdin("zq-v").output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
    }
    assert_eq!(sb.names(), ["FIRST", "SECOND", "THIRD"]);
    assert_eq!(sb.show_json("FIRST")["description"], "before");
    assert_eq!(sb.show_json("THIRD")["description"], "updated");
}

#[test]
fn a_far_larger_value_is_reported_as_larger_than_the_limit() {
    let sb = initialized();
    sb.create("STABLE", "old-value");
    // Only the first 64 KiB and a few bytes are ever read: the message must
    // not present that count as the value's size.
    let huge = patterned(1_000_000);
    let file = sb.root().join("huge.bin");
    fs::write(&file, &huge).unwrap();
    let dotenv = sb.root().join("huge.env");
    let mut line = b"HUGE_IMPORT=".to_vec();
    line.extend(&huge);
    line.push(b'\n');
    fs::write(&dotenv, line).unwrap();
    let runs: [(&[&str], Option<&std::path::Path>); 4] = [
        (&["create", "HUGE"], None),
        (&["update", "STABLE"], None),
        (&["create", "HUGE", "--from-file"], Some(&file)),
        (&["import"], Some(&dotenv)),
    ];
    for (args, path) in runs {
        let mut cmd = sb.cmd();
        cmd.args(args);
        if let Some(path) = path {
            cmd.arg(path);
        } else {
            cmd.write_stdin(huge.clone());
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.starts_with("error: ") && err.contains("larger than 64 KiB"),
            "{args:?}: {err}"
        );
        assert!(
            !err.contains("65539") && !err.contains("1000000"),
            "{args:?}: {err}"
        );
        assert!(!contains_bytes(&out.stderr, b"zq-BIG-VALUE-"));
        assert_no_panic(&out);
    }
    assert_eq!(sb.names(), ["STABLE"]);
    assert_eq!(sb.value_of("STABLE"), b"old-value");
}

/// `update NAME --description TEXT` with nothing on stdin (an empty pipe,
/// /dev/null, a closed stdin, a lone newline) changes only the description:
/// the value and its update time stay, and the log says `describe`.
#[test]
fn update_with_a_description_and_no_value_changes_only_the_description() {
    let sb = initialized();
    sb.create_with_description("DESCRIBED", "first words", "kept-value-77");
    let before = sb.show_json("DESCRIBED");
    type Run<'a> = Box<dyn Fn(&[&str]) -> Output + 'a>;
    let runs: [(&str, Run); 4] = [
        (
            "an empty pipe",
            Box::new(|args| sb.cmd().args(args).write_stdin("").output().unwrap()),
        ),
        (
            "a lone newline",
            Box::new(|args| sb.cmd().args(args).write_stdin("\n").output().unwrap()),
        ),
        (
            "/dev/null",
            Box::new(|args| {
                let mut cmd = sb.std_cmd();
                cmd.args(args).stdin(Stdio::null()).output().unwrap()
            }),
        ),
        (
            "a closed stdin",
            Box::new(|args| {
                let mut cmd = sb.std_cmd();
                close_stdin(&mut cmd);
                cmd.args(args).output().unwrap()
            }),
        ),
    ];
    for (index, (what, run)) in runs.iter().enumerate() {
        let text = format!("description {index}");
        let out = run(&["update", "DESCRIBED", "-d", &text]);
        assert_eq!(out.status.code(), Some(0), "{what}: {}", stderr(&out));
        assert_no_panic(&out);
        assert!(
            stderr(&out).contains("value unchanged"),
            "{what}: {}",
            stderr(&out)
        );
        let after = sb.show_json("DESCRIBED");
        assert_eq!(after["description"], text.as_str(), "{what}");
        assert_eq!(after["update_time_ms"], before["update_time_ms"], "{what}");
        assert_eq!(after["id"], before["id"], "{what}");
    }
    assert_eq!(sb.value_of("DESCRIBED"), b"kept-value-77");
    let log = sb.cmd().args(["log", "--json"]).output().unwrap();
    let events: serde_json::Value = serde_json::from_slice(&log.stdout).unwrap();
    let describes = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "describe" && e["names"] == serde_json::json!(["DESCRIBED"]))
        .count();
    assert_eq!(describes, 4, "{events}");
}

/// Runs the binary with its stdin closed (it must read it as empty).
fn close_stdin(cmd: &mut std::process::Command) {
    use std::os::unix::process::CommandExt;
    cmd.stdin(Stdio::null());
    // SAFETY: close(2) is async-signal-safe; only descriptor 0 of the child
    // is touched, between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            libc::close(0);
            Ok(())
        });
    }
}

/// A value given with the description still replaces both: from a pipe or
/// from a file; an empty --from-file is still refused.
#[test]
fn update_with_a_description_and_a_value_changes_both() {
    let sb = initialized();
    sb.create_with_description("BOTH", "old words", "old-value-1");
    let out = sb
        .cmd()
        .args(["update", "BOTH", "-d", "piped words"])
        .write_stdin("piped-value-2\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(sb.show_json("BOTH")["description"], "piped words");
    assert_eq!(sb.value_of("BOTH"), b"piped-value-2");

    let file = sb.root().join("value.txt");
    fs::write(&file, "filed-value-3").unwrap();
    let out = sb
        .cmd()
        .args([
            "update",
            "BOTH",
            "--description",
            "filed words",
            "--from-file",
        ])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(sb.show_json("BOTH")["description"], "filed words");
    assert_eq!(sb.value_of("BOTH"), b"filed-value-3");

    let before = sb.show_json("BOTH");
    fs::write(&file, "").unwrap();
    let out = sb
        .cmd()
        .args(["update", "BOTH", "-d", "never stored", "--from-file"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(sb.show_json("BOTH"), before);
}
