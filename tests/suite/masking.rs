//! `secrets exec --mask`: injected values of 4 bytes or more are replaced by
//! `[MASKED:NAME]` in the program's output when it goes to a pipe or a file
//! (the default, `auto`), as it streams past: whole, split across writes, on
//! stderr, inside binary data. Output without secrets passes byte for byte,
//! prompts without a newline are not held back, stdin still reaches the
//! program, and with nothing to mask `secrets` replaces itself with the
//! program.

use std::fs;
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::common::{Sandbox, assert_no_panic, assert_success, contains_bytes, stderr, stdout};

/// A sandbox with one secret, `TOKEN`, whose value is `value`.
fn with_token(value: &str) -> Sandbox {
    let sb = Sandbox::new();
    sb.init();
    sb.create("TOKEN", value);
    sb
}

/// `secrets exec [options] -- sh -c SCRIPT`, stdout and stderr piped (so
/// `auto` masks both), stdin empty.
fn run_sh(sb: &Sandbox, options: &[&str], script: &str) -> std::process::Output {
    let out = sb
        .cmd()
        .arg("exec")
        .args(options)
        .args(["--", "sh", "-c", script])
        .output()
        .unwrap();
    assert_no_panic(&out);
    out
}

/// Deterministic pseudo-random bytes (xorshift64*), so a failure can be
/// reproduced.
fn pseudo_random_bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed | 1;
    let mut bytes = Vec::with_capacity(len + 8);
    while bytes.len() < len {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        bytes.extend_from_slice(&state.wrapping_mul(0x2545_f491_4f6c_dd1d).to_le_bytes());
    }
    bytes.truncate(len);
    bytes
}

/// Reference masking for one value: leftmost, non-overlapping occurrences.
fn replace_all(haystack: &[u8], needle: &[u8], replacement: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut i = 0;
    while i < haystack.len() {
        if haystack[i..].starts_with(needle) {
            out.extend_from_slice(replacement);
            i += needle.len();
        } else {
            out.push(haystack[i]);
            i += 1;
        }
    }
    out
}

/// Reference masking for several values: every byte of every occurrence is
/// masked; occurrences that overlap make one span, shown with the name of
/// the longest value at its start.
fn mask_union(haystack: &[u8], values: &[(&str, &[u8])]) -> Vec<u8> {
    let longest_at = |at: usize| {
        values
            .iter()
            .filter(|(_, v)| haystack[at..].starts_with(v))
            .max_by_key(|(_, v)| v.len())
    };
    let mut out = Vec::with_capacity(haystack.len());
    let mut at = 0;
    while at < haystack.len() {
        let Some((name, value)) = longest_at(at) else {
            out.push(haystack[at]);
            at += 1;
            continue;
        };
        out.extend_from_slice(format!("[MASKED:{name}]").as_bytes());
        let mut end = at + value.len();
        for inside in at + 1..haystack.len() {
            if inside >= end {
                break;
            }
            if let Some((_, v)) = longest_at(inside) {
                end = end.max(inside + v.len());
            }
        }
        at = end;
    }
    out
}

/// Waits for `child` at most `limit`, killing it if it is still running.
fn wait_or_kill(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("secrets exec still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn value_printed_whole_on_stdout_is_masked() {
    let sb = with_token("zq-whole-value-1234");
    let out = run_sh(&sb, &[], "printf 'before %s after\\n' \"$TOKEN\"");
    assert_success(&out, "exec printing TOKEN");
    assert_eq!(stdout(&out), "before [MASKED:TOKEN] after\n");
}

#[test]
fn value_split_across_two_writes_is_masked() {
    let sb = with_token("first-half-second-half");
    let out = run_sh(
        &sb,
        &[],
        "printf 'first-half-'; sleep 0.3; printf 'second-half\\n'",
    );
    assert_success(&out, "exec printing the value in two writes");
    assert_eq!(out.stdout, b"[MASKED:TOKEN]\n");

    // Control: a start of the value that turns out not to be the value is
    // printed as it was, once the rest decides it.
    let out = run_sh(
        &sb,
        &[],
        "printf 'first-half-'; sleep 0.3; printf 'other-half\\n'",
    );
    assert_success(&out, "exec printing a near miss in two writes");
    assert_eq!(out.stdout, b"first-half-other-half\n");
}

#[test]
fn held_start_of_a_value_is_printed_when_the_program_exits() {
    let sb = with_token("zq-held-value-5678");
    // The output ends with bytes that could start the value: they are held
    // until the program exits, then printed as they are.
    let out = run_sh(&sb, &[], "printf 'tail zq-held'");
    assert_success(&out, "exec ending with a prefix of the value");
    assert_eq!(out.stdout, b"tail zq-held");
}

#[test]
fn value_printed_on_stderr_is_masked() {
    let sb = with_token("zq-stderr-value-4321");
    let out = run_sh(&sb, &[], "printf 'err: %s\\n' \"$TOKEN\" >&2");
    assert_success(&out, "exec printing TOKEN on stderr");
    assert!(out.stdout.is_empty(), "stdout: {}", stdout(&out));
    let err = stderr(&out);
    assert!(err.contains("err: [MASKED:TOKEN]\n"), "stderr: {err}");
    assert!(!err.contains("zq-stderr-value-4321"), "value leaked: {err}");

    // Both streams at once, interleaved.
    let out = run_sh(
        &sb,
        &[],
        "for i in 1 2 3; do printf 'o%s %s\\n' $i \"$TOKEN\"; printf 'e%s %s\\n' $i \"$TOKEN\" >&2; done",
    );
    assert_success(&out, "exec printing TOKEN on both streams");
    assert_eq!(
        stdout(&out),
        "o1 [MASKED:TOKEN]\no2 [MASKED:TOKEN]\no3 [MASKED:TOKEN]\n"
    );
    let err = stderr(&out);
    assert!(
        err.contains("e1 [MASKED:TOKEN]\ne2 [MASKED:TOKEN]\ne3 [MASKED:TOKEN]\n"),
        "stderr: {err}"
    );
    assert!(!err.contains("zq-stderr-value-4321"), "value leaked: {err}");
}

#[test]
fn value_inside_binary_output_is_masked() {
    let value = "zq-binary-secret-7731";
    let sb = with_token(value);
    // Random bytes with the value at several places, some straddling the
    // usual 4 KiB and 64 KiB read boundaries.
    let mut data = pseudo_random_bytes(1 << 20, 0x5eed_0001);
    for at in [0, 4094, 65_530, 131_071, 500_000, (1 << 20) - value.len()] {
        data[at..at + value.len()].copy_from_slice(value.as_bytes());
    }
    let file = sb.root().join("binary.dat");
    fs::write(&file, &data).unwrap();

    let out = sb
        .cmd()
        .args(["exec", "--", "cat"])
        .arg(&file)
        .output()
        .unwrap();
    assert_success(&out, "exec cat binary.dat");
    let expected = replace_all(&data, value.as_bytes(), b"[MASKED:TOKEN]");
    assert_eq!(
        expected.len(),
        data.len() - 6 * value.len() + 6 * "[MASKED:TOKEN]".len(),
        "test setup: the value should occur exactly 6 times"
    );
    assert!(
        !contains_bytes(&out.stdout, value.as_bytes()),
        "value leaked"
    );
    assert_eq!(out.stdout.len(), expected.len(), "output length differs");
    assert!(out.stdout == expected, "masked binary output differs");
}

#[test]
fn binary_output_without_secrets_passes_byte_for_byte() {
    let sb = Sandbox::new();
    sb.init();
    // Several secrets, one of exactly 4 bytes, so the masker is busy.
    sb.create("TOKEN", "zq-not-in-the-data-0001");
    sb.create("OTHER", "another-secret-value");
    sb.create("FOUR", "q9!z");
    let data = pseudo_random_bytes(4 << 20, 0x5eed_0002);
    for v in ["zq-not-in-the-data-0001", "another-secret-value", "q9!z"] {
        assert!(
            !contains_bytes(&data, v.as_bytes()),
            "test setup: {v} in data"
        );
    }
    let file = sb.root().join("random.dat");
    fs::write(&file, &data).unwrap();

    let out = sb
        .cmd()
        .args(["exec", "--", "cat"])
        .arg(&file)
        .output()
        .unwrap();
    assert_success(&out, "exec cat random.dat");
    assert_eq!(out.stdout.len(), data.len(), "output length differs");
    assert!(out.stdout == data, "output differs from the input");
    assert!(out.stderr.is_empty(), "stderr: {}", stderr(&out));
}

#[test]
fn mask_never_with_a_pipe_shows_the_value() {
    let sb = with_token("zq-never-masked-9999");
    let out = run_sh(&sb, &["--mask", "never"], "printf '%s\\n' \"$TOKEN\"");
    assert_success(&out, "exec --mask never");
    assert_eq!(stdout(&out), "zq-never-masked-9999\n");
}

#[test]
fn secrets_mask_sets_the_default_and_the_option_wins() {
    let sb = with_token("zq-env-masked-6666");
    let print = "printf '%s\\n' \"$TOKEN\"";
    let run = |variable: &str, options: &[&str]| {
        let out = sb
            .cmd()
            .env("SECRETS_MASK", variable)
            .arg("exec")
            .args(options)
            .args(["--", "sh", "-c", print])
            .output()
            .unwrap();
        assert_no_panic(&out);
        out
    };
    let out = run("never", &[]);
    assert_success(&out, "SECRETS_MASK=never");
    assert_eq!(stdout(&out), "zq-env-masked-6666\n");
    let out = run("never", &["--mask", "auto"]);
    assert_eq!(stdout(&out), "[MASKED:TOKEN]\n", "the option wins");
    let out = run("always", &[]);
    assert_eq!(stdout(&out), "[MASKED:TOKEN]\n");

    let out = run("sometimes", &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with("error: invalid value 'sometimes'"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).is_empty());
}

#[test]
fn mask_auto_and_always_with_a_pipe_mask() {
    let sb = with_token("zq-auto-masked-8888");
    for options in [&[][..], &["--mask", "auto"][..], &["--mask", "always"][..]] {
        let out = run_sh(&sb, options, "printf '%s\\n' \"$TOKEN\"");
        assert_success(&out, &format!("exec {options:?}"));
        assert_eq!(stdout(&out), "[MASKED:TOKEN]\n", "exec {options:?}");
    }
}

#[test]
fn mask_auto_with_stdout_to_a_file_masks() {
    let sb = with_token("zq-file-masked-7777");
    let path = sb.root().join("out.txt");
    let status = sb
        .std_cmd()
        .args(["exec", "--", "sh", "-c", "printf '%s\\n' \"$TOKEN\""])
        .stdin(Stdio::null())
        .stdout(fs::File::create(&path).unwrap())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "{status:?}");
    assert_eq!(fs::read_to_string(&path).unwrap(), "[MASKED:TOKEN]\n");
}

#[test]
fn mask_auto_with_stdout_to_dev_null_runs_and_masks_stderr() {
    let sb = with_token("zq-devnull-6666");
    let out = sb
        .std_cmd()
        .args([
            "exec",
            "--",
            "sh",
            "-c",
            "printf '%s\\n' \"$TOKEN\"; printf 'e %s\\n' \"$TOKEN\" >&2",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert!(out.status.success(), "{:?}: {}", out.status, stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("e [MASKED:TOKEN]\n"), "stderr: {err}");
    assert!(!err.contains("zq-devnull-6666"), "value leaked: {err}");
}

#[test]
fn supervises_only_when_something_is_masked() {
    let sb = with_token("zq-pid-check-5555");
    let pid_file = sb.root().join("pid");
    let script = format!("echo $$ > '{}'", pid_file.display());
    let program_pid = |stdout: Stdio, stderr: Stdio, options: &[&str]| -> (u32, u32) {
        let _ = fs::remove_file(&pid_file);
        let mut child = sb
            .std_cmd()
            .arg("exec")
            .args(options)
            .args(["--", "sh", "-c", &script])
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr)
            .spawn()
            .unwrap();
        let status = wait_or_kill(&mut child, Duration::from_secs(30));
        assert!(status.success(), "{status:?}");
        let pid: u32 = fs::read_to_string(&pid_file)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        (child.id(), pid)
    };

    // Nothing to mask: secrets replaced itself with the program.
    let (secrets, program) = program_pid(Stdio::null(), Stdio::null(), &[]);
    assert_eq!(
        secrets, program,
        "auto with /dev/null should exec the program"
    );
    let (secrets, program) = program_pid(Stdio::piped(), Stdio::piped(), &["--mask", "never"]);
    assert_eq!(secrets, program, "--mask never should exec the program");

    // Masking: secrets stays the parent.
    let (secrets, program) = program_pid(Stdio::piped(), Stdio::piped(), &[]);
    assert_ne!(secrets, program, "auto with pipes should supervise");
    let (secrets, program) = program_pid(Stdio::null(), Stdio::piped(), &[]);
    assert_ne!(secrets, program, "a piped stderr alone should be masked");
}

#[test]
fn values_shorter_than_four_bytes_are_not_masked() {
    let sb = Sandbox::new();
    sb.init();
    sb.create("THREE", "abc");
    sb.create("FOUR", "wxyz");
    // Lengths count bytes, not characters: 3 bytes, then 4 bytes.
    sb.create("UTF_THREE", "é1");
    sb.create("UTF_FOUR", "éé");
    let out = run_sh(
        &sb,
        &[],
        "printf '%s|%s|%s|%s\\n' \"$THREE\" \"$FOUR\" \"$UTF_THREE\" \"$UTF_FOUR\"",
    );
    assert_success(&out, "exec printing short values");
    assert_eq!(stdout(&out), "abc|[MASKED:FOUR]|é1|[MASKED:UTF_FOUR]\n");
}

#[test]
fn longest_value_wins_where_values_overlap() {
    let sb = Sandbox::new();
    sb.init();
    // Two pairs in opposite orders (by name and by creation), so the result
    // cannot depend on which value the matcher tries first.
    sb.create("A_SHORT", "abcd1234");
    sb.create("B_LONG", "abcd1234efgh");
    sb.create("C_LONG", "wxyz9876vuts");
    sb.create("D_SHORT", "wxyz9876");
    sb.create("INNER", "middle-part");
    sb.create("OUTER", "outer-middle-part-end");

    let out = run_sh(
        &sb,
        &[],
        "printf '%s %s %s %s .\\n' \"$B_LONG\" \"$A_SHORT\" \"$C_LONG\" \"$D_SHORT\"",
    );
    assert_success(&out, "exec printing overlapping values");
    assert_eq!(
        stdout(&out),
        "[MASKED:B_LONG] [MASKED:A_SHORT] [MASKED:C_LONG] [MASKED:D_SHORT] .\n"
    );

    let out = run_sh(&sb, &[], "printf '%s|%s\\n' \"$OUTER\" \"$INNER\"");
    assert_success(&out, "exec printing a value inside another");
    assert_eq!(stdout(&out), "[MASKED:OUTER]|[MASKED:INNER]\n");

    // Streaming must not settle for the shorter value when the longer one
    // is completed by a later write.
    for (first, rest, expected) in [
        ("abcd1234", "efgh", "[MASKED:B_LONG]\n"),
        ("wxyz9876", "vuts", "[MASKED:C_LONG]\n"),
        // ...and the shorter one is still masked when the longer one fails.
        ("abcd1234", "efgX", "[MASKED:A_SHORT]efgX\n"),
        ("wxyz9876", "vutX", "[MASKED:D_SHORT]vutX\n"),
    ] {
        let script = format!("printf '{first}'; sleep 0.3; printf '{rest}\\n'");
        let out = run_sh(&sb, &[], &script);
        assert_success(&out, &format!("exec: {script}"));
        assert_eq!(stdout(&out), expected, "{script}");
    }
}

#[test]
fn mask_uses_the_stored_name_with_env_prefix() {
    let sb = with_token("zq-prefixed-value-3333");
    let out = run_sh(
        &sb,
        &["--env-prefix", "APP_"],
        "printf '%s\\n' \"$APP_TOKEN\"",
    );
    assert_success(&out, "exec --env-prefix APP_");
    assert_eq!(stdout(&out), "[MASKED:TOKEN]\n");
}

#[test]
fn prompt_without_newline_appears_before_the_program_exits() {
    // "prompt" starts the value, but "prompt> " cannot: nothing to hold.
    let sb = with_token("prompt-token-value-2222");
    let mut child = sb
        .std_cmd()
        .args([
            "exec",
            "--",
            "sh",
            "-c",
            "printf 'prompt> '; sleep 3; printf 'done'",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut pipe = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel::<(Instant, Vec<u8>)>();
    let reader = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        loop {
            match pipe.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if tx.send((Instant::now(), buf[..n].to_vec())).is_err() {
                        break;
                    }
                }
            }
        }
    });

    // Startup time does not count: the prompt and the final "done" are
    // written 3 s apart, so they must arrive well apart.
    let mut received = Vec::new();
    let mut prompt_at = None;
    let mut done_at = None;
    let deadline = Instant::now() + Duration::from_secs(30);
    while done_at.is_none() && Instant::now() < deadline {
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok((at, bytes)) => {
                received.extend_from_slice(&bytes);
                if prompt_at.is_none() && received.starts_with(b"prompt> ") {
                    prompt_at = Some(at);
                    assert!(
                        child.try_wait().unwrap().is_none(),
                        "secrets had already exited when the prompt arrived"
                    );
                }
                if received.ends_with(b"done") {
                    done_at = Some(at);
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    let status = wait_or_kill(&mut child, Duration::from_secs(10));
    reader.join().unwrap();
    assert!(status.success(), "{status:?}");
    assert_eq!(String::from_utf8_lossy(&received), "prompt> done");
    let gap = done_at.unwrap() - prompt_at.unwrap();
    assert!(
        gap >= Duration::from_secs(2),
        "the prompt arrived only {gap:?} before the rest: it was held back"
    );
}

#[test]
fn stdin_reaches_the_program_while_masking() {
    let sb = with_token("zq-stdin-value-1111");
    let out = sb
        .cmd()
        .args([
            "exec",
            "--",
            "sh",
            "-c",
            "read line; echo \"got $line\"; echo \"$TOKEN\"",
        ])
        .write_stdin("hello from stdin\n")
        .output()
        .unwrap();
    assert_success(&out, "exec reading stdin");
    assert_eq!(stdout(&out), "got hello from stdin\n[MASKED:TOKEN]\n");

    // A large stdin passes through whole, too.
    let data = pseudo_random_bytes(1 << 20, 0x5eed_0003);
    let mut child = sb
        .std_cmd()
        .args(["exec", "--", "sh", "-c", "cat | wc -c"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        stdin.write_all(&data).unwrap();
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert!(out.status.success(), "{:?}: {}", out.status, stderr(&out));
    assert_eq!(stdout(&out).trim(), (1 << 20).to_string());
}

#[test]
fn mask_auto_leaves_a_terminal_unmasked() {
    // `script` (util-linux, on every machine this runs on) gives the
    // command a pseudo-terminal as stdout and stderr.
    let sb = with_token("zq-terminal-value-4444");
    let run_in_pty = |mask: &str| -> String {
        let inner = format!(
            "'{}' exec --mask {mask} -- sh -c 'printf \"<%s>\" \"$TOKEN\"'",
            crate::common::bin().display()
        );
        let mut script = std::process::Command::new("script");
        sb.apply_env(&mut script);
        let out = script
            .args(["-qec", &inner, "/dev/null"])
            .env("SHELL", "/bin/sh")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "script: {:?} {}",
            out.status,
            stdout(&out)
        );
        stdout(&out)
    };
    assert!(
        run_in_pty("auto").contains("<zq-terminal-value-4444>"),
        "auto masked a terminal"
    );
    assert!(
        run_in_pty("always").contains("<[MASKED:TOKEN]>"),
        "--mask always did not mask a terminal"
    );
}

#[test]
fn many_values_are_all_masked() {
    // More than 64 values (where searchers change strategy), all sharing a
    // long common start, some printed back to back.
    let sb = Sandbox::new();
    sb.init();
    let random = pseudo_random_bytes(100 * 8, 0x5eed_0004);
    let mut input = Vec::new();
    let mut expected = Vec::new();
    for i in 0..100 {
        let name = format!("MANY_{i:03}");
        let tag: String = random[i * 8..i * 8 + 8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let value = format!("many-values-share-this-start-{i:03}-{tag}");
        sb.create(&name, value.as_str());
        let filler = if i % 3 == 0 {
            String::new()
        } else {
            format!("line {i}: ")
        };
        input.extend_from_slice(filler.as_bytes());
        input.extend_from_slice(value.as_bytes());
        expected.extend_from_slice(filler.as_bytes());
        expected.extend_from_slice(format!("[MASKED:{name}]").as_bytes());
        if i % 5 == 0 {
            input.push(b'\n');
            expected.push(b'\n');
        }
    }
    // A near miss at the end, then an unfinished start of a value.
    input.extend_from_slice(b"\nmany-values-share-this-start-999 many-values-share");
    expected.extend_from_slice(b"\nmany-values-share-this-start-999 many-values-share");
    let file = sb.root().join("many.txt");
    fs::write(&file, &input).unwrap();

    let out = sb
        .cmd()
        .args(["exec", "--", "cat"])
        .arg(&file)
        .output()
        .unwrap();
    assert_success(&out, "exec cat many.txt");
    assert_eq!(stdout(&out), String::from_utf8(expected).unwrap());
}

#[test]
fn values_with_hundreds_of_different_starts_are_all_masked() {
    // More distinct 4-byte starts than the SIMD searcher takes (128): the
    // masker finds them another way. Imported in one go through stdin.
    let sb = Sandbox::new();
    sb.init();
    let random = pseudo_random_bytes(300 * 12, 0x5eed_0005);
    let mut dotenv = String::new();
    let mut input = Vec::new();
    let mut expected = Vec::new();
    for i in 0..300 {
        let name = format!("START_{i:03}");
        let value: String = random[i * 12..i * 12 + 12]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        dotenv.push_str(&format!("{name}={value}\n"));
        if i % 7 == 0 {
            // Printed cut short: never masked.
            input.extend_from_slice(format!("near {} miss\n", &value[..20]).as_bytes());
            expected.extend_from_slice(format!("near {} miss\n", &value[..20]).as_bytes());
        } else {
            input.extend_from_slice(format!("{i}:{value}\n").as_bytes());
            expected.extend_from_slice(format!("{i}:[MASKED:{name}]\n").as_bytes());
        }
    }
    let out = sb
        .cmd()
        .args(["import", "-"])
        .write_stdin(dotenv)
        .output()
        .unwrap();
    assert_success(&out, "import of 300 secrets");
    let file = sb.root().join("starts.txt");
    fs::write(&file, &input).unwrap();

    let out = sb
        .cmd()
        .args(["exec", "--", "cat"])
        .arg(&file)
        .output()
        .unwrap();
    assert_success(&out, "exec cat starts.txt");
    assert_eq!(stdout(&out), String::from_utf8(expected).unwrap());
}

#[test]
fn background_process_output_is_masked_until_it_closes_the_pipe() {
    // The program prints the first 14 bytes of the value and exits; a
    // process it started prints the rest a second later. `secrets` keeps
    // reading until every writer has closed the pipe, as `| cat` would, and
    // never prints held bytes on a timer.
    let sb = with_token("zq-background-value-1212");
    let out = run_sh(
        &sb,
        &[],
        "(sleep 1; printf '%s late %s\\n' \"${TOKEN#??????????????}\" \"$TOKEN\") & \
         printf 'now %s\\n' \"$TOKEN\"; printf '%.14s' \"$TOKEN\"; exit 3",
    );
    assert_eq!(out.status.code(), Some(3), "{:?}", out.status);
    assert_eq!(
        stdout(&out),
        "now [MASKED:TOKEN]\n[MASKED:TOKEN] late [MASKED:TOKEN]\n"
    );
}

#[test]
fn value_split_across_the_exit_and_background_writers_is_masked() {
    // Three pieces: the program's own, then two from background processes
    // that outlive it, each after a pause.
    let sb = with_token("zq-three-piece-value-0123456789");
    let script = "printf 'a %.10s' \"$TOKEN\"; \
                  (sleep 0.6; printf '%.10s' \"${TOKEN#??????????}\") & \
                  (sleep 1.2; printf '%s b\\n' \"${TOKEN#????????????????????}\" >&2) & \
                  exit 0";
    // One pipe for both streams, so the three pieces meet.
    let (mut reader, writer) = std::io::pipe().unwrap();
    let mut command = sb.std_cmd();
    command
        .args(["exec", "--", "sh", "-c", script])
        .stdin(Stdio::null())
        .stdout(writer.try_clone().unwrap())
        .stderr(writer);
    let mut child = command.spawn().unwrap();
    // Our copies of the write end must close, or the read never ends.
    drop(command);
    let mut received = Vec::new();
    reader.read_to_end(&mut received).unwrap();
    let status = wait_or_kill(&mut child, Duration::from_secs(30));
    assert!(status.success(), "{status:?}");
    assert_eq!(String::from_utf8_lossy(&received), "a [MASKED:TOKEN] b\n");
}

#[test]
fn stopping_secrets_while_output_is_held_prints_it_masked() {
    // A background process holds the pipe forever; once the program has
    // exited, TERM makes `secrets` stop waiting: the held start of the
    // value comes out as a marker, never in clear.
    let sb = with_token("zq-stop-waiting-value-0123456789");
    let pids = sb.root().join("pids");
    let script = format!(
        "printf 'x %.14s' \"$TOKEN\"; sleep 60 & echo \"$$ $!\" > '{0}.tmp'; mv '{0}.tmp' '{0}'; exit 4",
        pids.display()
    );
    let mut child = sb
        .std_cmd()
        .args(["exec", "--", "sh", "-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !pids.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let text = fs::read_to_string(&pids).expect("the program wrote its pids");
    let mut fields = text.split_whitespace().map(|f| f.parse::<i32>().unwrap());
    let (program, background) = (fields.next().unwrap(), fields.next().unwrap());
    // Reaped by `secrets`: from then on it is only waiting for the pipe.
    while Path::new(&format!("/proc/{program}")).exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    // SAFETY: kill(2) takes plain integers; `child` is not reaped yet, so
    // its pid is still ours.
    let signalled = unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    let status = wait_or_kill(&mut child, Duration::from_secs(20));
    // SAFETY: as above; the background `sleep` was started by this test.
    unsafe { libc::kill(background, libc::SIGKILL) };
    let mut out = Vec::new();
    child.stdout.take().unwrap().read_to_end(&mut out).unwrap();
    let out = String::from_utf8_lossy(&out);
    assert!(
        !out.contains("zq-stop"),
        "held bytes printed in clear: {out}"
    );
    assert_eq!(signalled, 0, "secrets had already exited");
    assert_eq!(status.code(), Some(4), "{status:?}");
    assert_eq!(out, "x [MASKED:TOKEN]");
}

#[test]
fn overlapping_values_are_masked_in_full() {
    let sb = Sandbox::new();
    sb.init();
    sb.create("SHORT", "pass1234");
    sb.create("TOKEN", "1234-very-secret-token-value");
    sb.create("TAIL", "token-value-and-more");
    // `pass1234-very-secret-token-value`: the end of SHORT starts TOKEN.
    let joined = "printf '<%s%s>\\n' \"$SHORT\" \"${TOKEN#1234}\"";
    let out = run_sh(&sb, &[], joined);
    assert_success(&out, "exec printing overlapping values");
    assert_eq!(stdout(&out), "<[MASKED:SHORT]>\n");

    // Three in a chain, the last starting inside the second.
    let chain = "printf '<%s%s%s>\\n' \"$SHORT\" \"${TOKEN#1234}\" \"${TAIL#token-value}\"";
    let out = run_sh(&sb, &[], chain);
    assert_success(&out, "exec printing three overlapping values");
    assert_eq!(stdout(&out), "<[MASKED:SHORT]>\n");

    // Split where SHORT is complete but TOKEN is not.
    let split = "printf '<%s' \"$SHORT\"; sleep 0.3; printf '%s>\\n' \"${TOKEN#1234}\"";
    let out = run_sh(&sb, &[], split);
    assert_success(&out, "exec printing overlapping values in two writes");
    assert_eq!(stdout(&out), "<[MASKED:SHORT]>\n");
}

#[test]
fn overlapping_values_across_read_boundaries_are_masked_in_full() {
    let values: [(&str, &[u8]); 3] = [
        ("OV_A", b"zq-overlap-a-1234"),
        ("OV_B", b"1234-zq-overlap-b"),
        ("OV_C", b"lap-b-zq-overlap-c"),
    ];
    let sb = Sandbox::new();
    sb.init();
    for (name, value) in values {
        sb.create(name, value);
    }
    // Chains of overlapping values at many places, some straddling the
    // usual 4 KiB and 64 KiB read boundaries.
    let chains: [&[u8]; 3] = [
        b"zq-overlap-a-1234-zq-overlap-b-zq-overlap-c",
        b"zq-overlap-a-1234-zq-overlap-b",
        b"1234-zq-overlap-b-zq-overlap-c",
    ];
    let mut data = pseudo_random_bytes(1 << 20, 0x5eed_0005);
    for (i, at) in [0, 4080, 65_520, 131_050, 400_000, 500_017, (1 << 20) - 50]
        .into_iter()
        .enumerate()
    {
        let chain = chains[i % chains.len()];
        data[at..at + chain.len()].copy_from_slice(chain);
    }
    let file = sb.root().join("overlaps.dat");
    fs::write(&file, &data).unwrap();
    let out = sb
        .cmd()
        .args(["exec", "--", "cat"])
        .arg(&file)
        .output()
        .unwrap();
    assert_success(&out, "exec cat overlaps.dat");
    for (_, value) in values {
        assert!(!contains_bytes(&out.stdout, value), "value leaked");
    }
    let expected = mask_union(&data, &values);
    assert!(out.stdout == expected, "masked output differs");
}

#[test]
fn value_split_between_stdout_and_stderr_on_one_pipe_is_masked() {
    // `2>&1 | cat`: both streams are one pipe, so the halves meet there. The
    // program closes its stdout in between, which ends a stream of its own.
    let sb = with_token("first-half-second-half");
    let script = "printf '%.11s' \"$TOKEN\"; exec >&-; sleep 0.3; \
                  printf '%s\\n' \"${TOKEN#???????????}\" >&2";
    let (mut reader, writer) = std::io::pipe().unwrap();
    let mut command = sb.std_cmd();
    command
        .args(["exec", "--", "sh", "-c", script])
        .stdin(Stdio::null())
        .stdout(writer.try_clone().unwrap())
        .stderr(writer);
    let mut child = command.spawn().unwrap();
    drop(command);
    let mut received = Vec::new();
    reader.read_to_end(&mut received).unwrap();
    let status = wait_or_kill(&mut child, Duration::from_secs(30));
    assert!(status.success(), "{status:?}");
    assert_eq!(String::from_utf8_lossy(&received), "[MASKED:TOKEN]\n");

    // The same halves on two different pipes are each a stream of its own:
    // neither half alone is the value.
    let out = run_sh(&sb, &[], script);
    assert_success(&out, "exec with two pipes");
    assert_eq!(stdout(&out), "first-half-");
    assert_eq!(stderr(&out), "second-half\n");
}
