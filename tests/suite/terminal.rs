//! What the binary does on a terminal: `create` and `update` ask twice for a
//! hidden value, `delete` asks before deleting, `exec` masks a terminal
//! when SECRETS_MASK or `--mask` says so, and `list` fits its table to the
//! terminal's width without ever breaking a name. Each test runs the binary
//! in a pseudo-terminal made by util-linux `script`, types each answer only
//! once its prompt is on the screen (and, for a hidden prompt, once echo is
//! off, so an answer typed early is not mistaken for one echoed), then reads
//! the terminal transcript, the exit code and the vault.

use crate::common::*;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// How long any one step (a prompt appearing, the binary exiting) may take.
const STEP_TIMEOUT: Duration = Duration::from_secs(30);
/// How long to wait for a hidden prompt to turn echo off before typing
/// anyway: if it never does, the typed value shows in the transcript.
const ECHO_OFF_TIMEOUT: Duration = Duration::from_secs(5);
const POLL: Duration = Duration::from_millis(10);

/// A correct value with spaces, shell metacharacters and non-ASCII text.
const VALUE: &str = "pty-typed s3cret $HOME & 'quoted' ünïcødé €";

/// The binary running in a pseudo-terminal under `script`.
pub(crate) struct Terminal {
    child: Child,
    stdin: Option<ChildStdin>,
    /// Everything written to the terminal, in order (the binary's stdout and
    /// stderr, and any echo of what was typed).
    transcript: Arc<Mutex<Vec<u8>>>,
    /// How much of the transcript earlier prompts have consumed.
    seen: usize,
    readers: Vec<JoinHandle<()>>,
    script_stderr: Arc<Mutex<Vec<u8>>>,
    /// A file the shell inside `script` writes the terminal's path to.
    tty_path_file: PathBuf,
}

/// What a finished session left behind.
pub(crate) struct Session {
    status: ExitStatus,
    transcript: Vec<u8>,
}

impl Session {
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.transcript).into_owned()
    }

    pub(crate) fn assert_code(&self, code: i32, what: &str) {
        assert_eq!(
            self.status.code(),
            Some(code),
            "{what}: unexpected exit status; transcript:\n{}",
            self.text()
        );
        assert!(
            !self.text().contains("panicked"),
            "{what}: binary panicked; transcript:\n{}",
            self.text()
        );
    }

    fn assert_not_shown(&self, value: &str, what: &str) {
        assert!(
            !contains_bytes(&self.transcript, value.as_bytes()),
            "{what}: the typed value {value:?} appears on the terminal; transcript:\n{}",
            self.text()
        );
    }
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

fn spawn_reader(mut from: impl Read + Send + 'static, into: Arc<Mutex<Vec<u8>>>) -> JoinHandle<()> {
    thread::spawn(move || {
        let mut buf = [0u8; 4096];
        loop {
            match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => into.lock().unwrap().extend_from_slice(&buf[..n]),
            }
        }
    })
}

impl Terminal {
    /// Runs `secrets ARGS...` in `sb` with a pseudo-terminal as its stdin,
    /// stdout, stderr and controlling terminal.
    pub(crate) fn run(sb: &Sandbox, args: &[&str]) -> Terminal {
        Self::run_then(sb, args, None)
    }

    /// Like `run`, then runs the shell command `after` on the same terminal
    /// once the binary has exited.
    fn run_then(sb: &Sandbox, args: &[&str], after: Option<&str>) -> Terminal {
        Self::start(sb, &[], None, args, after)
    }

    /// Like `run`, with these variables added to the environment.
    pub(crate) fn run_with_env(sb: &Sandbox, env: &[(&str, &str)], args: &[&str]) -> Terminal {
        Self::start(sb, env, None, args, None)
    }

    /// Like `run`, in a terminal `columns` wide.
    fn run_sized(sb: &Sandbox, columns: u16, args: &[&str]) -> Terminal {
        Self::start(sb, &[], Some(columns), args, None)
    }

    fn start(
        sb: &Sandbox,
        env: &[(&str, &str)],
        columns: Option<u16>,
        args: &[&str],
        after: Option<&str>,
    ) -> Terminal {
        let tty_path_file = sb.root().join("tty-path");
        let _ = std::fs::remove_file(&tty_path_file);
        let mut command_line = shell_quote(bin().to_str().unwrap());
        for arg in args {
            command_line.push(' ');
            command_line.push_str(&shell_quote(arg));
        }
        let mut tty = shell_quote(tty_path_file.to_str().unwrap());
        if let Some(columns) = columns {
            tty.push_str(&format!(" && stty cols {columns} rows 24"));
        }
        let inner = match after {
            None => format!("tty > {tty} && exec {command_line}"),
            Some(after) => format!("tty > {tty} && {{ {command_line}; {after}; }}"),
        };
        let mut cmd = std::process::Command::new("script");
        // -q: no "Script started" banner; -e: exit with the child's code;
        // -c: run this command; /dev/null: no typescript file.
        cmd.args(["-q", "-e", "-c", &inner, "/dev/null"]);
        sb.apply_env(&mut cmd);
        cmd.envs(env.iter().copied());
        cmd.env("SHELL", "/bin/sh")
            .env("TERM", "dumb")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap_or_else(|e| {
            panic!(
                "cannot run `script` ({e}): these tests need util-linux `script` \
                 on PATH to give the binary a pseudo-terminal"
            )
        });
        let transcript = Arc::new(Mutex::new(Vec::new()));
        let script_stderr = Arc::new(Mutex::new(Vec::new()));
        let readers = vec![
            spawn_reader(child.stdout.take().unwrap(), Arc::clone(&transcript)),
            spawn_reader(child.stderr.take().unwrap(), Arc::clone(&script_stderr)),
        ];
        Terminal {
            stdin: child.stdin.take(),
            child,
            transcript,
            seen: 0,
            readers,
            script_stderr,
            tty_path_file,
        }
    }

    fn transcript_text(&self) -> String {
        String::from_utf8_lossy(&self.transcript.lock().unwrap()).into_owned()
    }

    fn fail(&mut self, why: &str) -> ! {
        let _ = self.child.kill();
        let _ = self.child.wait();
        panic!(
            "{why}\ntranscript:\n{}\nscript's stderr:\n{}",
            self.transcript_text(),
            String::from_utf8_lossy(&self.script_stderr.lock().unwrap())
        );
    }

    /// Waits until `text` appears on the terminal after what earlier calls
    /// consumed.
    pub(crate) fn expect(&mut self, text: &str) {
        let deadline = Instant::now() + STEP_TIMEOUT;
        loop {
            let found = {
                let transcript = self.transcript.lock().unwrap();
                transcript[self.seen..]
                    .windows(text.len())
                    .position(|w| w == text.as_bytes())
            };
            if let Some(at) = found {
                self.seen += at + text.len();
                return;
            }
            if Instant::now() > deadline {
                self.fail(&format!("timed out waiting for {text:?} on the terminal"));
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                // Let the readers catch up before the last look.
                thread::sleep(Duration::from_millis(100));
                let transcript = self.transcript.lock().unwrap();
                if !contains_bytes(&transcript[self.seen..], text.as_bytes()) {
                    drop(transcript);
                    self.fail(&format!("exited ({status}) before showing {text:?}"));
                }
                continue;
            }
            thread::sleep(POLL);
        }
    }

    /// True once the terminal's `echo` setting is off, per `stty`.
    fn echo_is_off(&self) -> bool {
        let Ok(tty) = std::fs::read_to_string(&self.tty_path_file) else {
            return false;
        };
        let Ok(out) = std::process::Command::new("stty")
            .args(["-F", tty.trim(), "-a"])
            .output()
        else {
            return false;
        };
        String::from_utf8_lossy(&out.stdout)
            .split(|c: char| c.is_whitespace() || c == ';')
            .any(|setting| setting == "-echo")
    }

    /// Types bytes as they are (no newline), e.g. a Ctrl-C.
    fn type_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin still open");
        if let Err(e) = stdin.write_all(bytes).and_then(|()| stdin.flush()) {
            self.fail(&format!("cannot type {bytes:?}: {e}"));
        }
    }

    fn type_line(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin still open");
        let written = stdin
            .write_all(format!("{line}\n").as_bytes())
            .and_then(|()| stdin.flush());
        if let Err(e) = written {
            self.fail(&format!("cannot type {line:?}: {e}"));
        }
    }

    /// Answers a hidden prompt: waits for it, then for echo to go off.
    pub(crate) fn answer_hidden(&mut self, prompt: &str, value: &str) {
        self.expect(prompt);
        let deadline = Instant::now() + ECHO_OFF_TIMEOUT;
        while !self.echo_is_off() && Instant::now() < deadline {
            thread::sleep(POLL);
        }
        self.type_line(value);
    }

    /// Answers a visible prompt as soon as it appears.
    pub(crate) fn answer(&mut self, prompt: &str, line: &str) {
        self.expect(prompt);
        self.type_line(line);
    }

    /// Waits for the binary (and `script`) to exit.
    pub(crate) fn finish(mut self) -> Session {
        let deadline = Instant::now() + STEP_TIMEOUT;
        let status = loop {
            match self.child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() < deadline => thread::sleep(POLL),
                Ok(None) => self.fail("timed out waiting for the binary to exit"),
                Err(e) => self.fail(&format!("cannot wait for `script`: {e}")),
            }
        };
        self.stdin = None;
        for reader in self.readers.drain(..) {
            reader.join().unwrap();
        }
        let script_stderr = self.script_stderr.lock().unwrap().clone();
        assert!(
            script_stderr.is_empty(),
            "`script` complained: {}",
            String::from_utf8_lossy(&script_stderr)
        );
        let transcript = self.transcript.lock().unwrap().clone();
        Session { status, transcript }
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

pub(crate) fn value_prompt(name: &str) -> String {
    format!("Value for {name} (input hidden): ")
}

pub(crate) fn repeat_prompt(name: &str) -> String {
    format!("Repeat the value for {name}: ")
}

pub(crate) fn delete_prompt(name: &str) -> String {
    format!("Permanently delete 1 secret ({name})? This cannot be undone. [y/N] ")
}

#[test]
fn create_asks_twice_without_echo_and_stores_the_value() {
    let sb = Sandbox::new();
    let mut term = Terminal::run(&sb, &["create", "TYPED"]);
    term.answer_hidden(&value_prompt("TYPED"), VALUE);
    term.answer_hidden(&repeat_prompt("TYPED"), VALUE);
    let session = term.finish();
    session.assert_code(0, "create with matching answers");
    session.assert_not_shown(VALUE, "create");
    assert!(
        session.text().contains("created secret 'TYPED'"),
        "{}",
        session.text()
    );
    assert_eq!(sb.names(), ["TYPED"]);
    assert_eq!(sb.value_of("TYPED"), VALUE.as_bytes());
}

#[test]
fn create_with_answers_that_differ_stores_nothing() {
    let sb = Sandbox::new();
    sb.init();
    sb.create("OTHER", "other-value");
    let mut term = Terminal::run(&sb, &["create", "MISTYPED"]);
    term.answer_hidden(&value_prompt("MISTYPED"), "first-answer-1111");
    term.answer_hidden(&repeat_prompt("MISTYPED"), "second-answer-2222");
    let session = term.finish();
    session.assert_code(2, "create with answers that differ");
    assert!(
        session.text().contains("do not match"),
        "{}",
        session.text()
    );
    session.assert_not_shown("first-answer-1111", "create (first answer)");
    session.assert_not_shown("second-answer-2222", "create (second answer)");
    assert_eq!(sb.names(), ["OTHER"]);
}

#[test]
fn create_from_file_on_a_terminal_does_not_ask() {
    let sb = Sandbox::new();
    let file = sb.root().join("value.txt");
    std::fs::write(&file, "from-the-file").unwrap();
    let term = Terminal::run(
        &sb,
        &["create", "FILED", "--from-file", file.to_str().unwrap()],
    );
    let session = term.finish();
    session.assert_code(0, "create --from-file");
    assert!(
        !session.text().contains("input hidden"),
        "asked for a value despite --from-file:\n{}",
        session.text()
    );
    assert_eq!(sb.value_of("FILED"), b"from-the-file");
}

#[test]
fn update_asks_twice_without_echo_and_replaces_the_value() {
    let sb = Sandbox::new();
    sb.create("ROTATED", "old-value");
    let mut term = Terminal::run(&sb, &["update", "ROTATED"]);
    term.answer_hidden(&value_prompt("ROTATED"), VALUE);
    term.answer_hidden(&repeat_prompt("ROTATED"), VALUE);
    let session = term.finish();
    session.assert_code(0, "update with matching answers");
    session.assert_not_shown(VALUE, "update");
    assert!(
        session.text().contains("updated secret 'ROTATED'"),
        "{}",
        session.text()
    );
    assert_eq!(sb.names(), ["ROTATED"]);
    assert_eq!(sb.value_of("ROTATED"), VALUE.as_bytes());
}

#[test]
fn update_with_answers_that_differ_keeps_the_old_value() {
    let sb = Sandbox::new();
    sb.create("KEPT", "old-value");
    let mut term = Terminal::run(&sb, &["update", "KEPT"]);
    term.answer_hidden(&value_prompt("KEPT"), "new-value-aaaa");
    term.answer_hidden(&repeat_prompt("KEPT"), "new-value-bbbb");
    let session = term.finish();
    session.assert_code(2, "update with answers that differ");
    assert!(
        session.text().contains("do not match"),
        "{}",
        session.text()
    );
    session.assert_not_shown("new-value-aaaa", "update (first answer)");
    session.assert_not_shown("new-value-bbbb", "update (second answer)");
    assert_eq!(sb.value_of("KEPT"), b"old-value");
}

#[test]
fn delete_answered_yes_deletes() {
    let sb = Sandbox::new();
    sb.create("DOOMED", "doomed-value");
    sb.create("SPARED", "spared-value");
    let mut term = Terminal::run(&sb, &["delete", "DOOMED"]);
    term.answer(&delete_prompt("DOOMED"), "y");
    let session = term.finish();
    session.assert_code(0, "delete answered y");
    assert!(
        session.text().contains("deleted secret 'DOOMED'"),
        "{}",
        session.text()
    );
    assert_eq!(sb.names(), ["SPARED"]);
    assert_eq!(sb.value_of("SPARED"), b"spared-value");
}

#[test]
fn delete_answered_no_or_enter_keeps_the_secret() {
    let sb = Sandbox::new();
    sb.create("KEPT", "kept-value");
    for answer in ["n", ""] {
        let mut term = Terminal::run(&sb, &["delete", "KEPT"]);
        term.answer(&delete_prompt("KEPT"), answer);
        let session = term.finish();
        session.assert_code(0, &format!("delete answered {answer:?}"));
        assert!(
            session.text().contains("nothing deleted"),
            "answer {answer:?}:\n{}",
            session.text()
        );
        assert_eq!(sb.names(), ["KEPT"], "answer {answer:?}");
        assert_eq!(sb.value_of("KEPT"), b"kept-value");
    }
}

#[test]
fn delete_with_yes_on_a_terminal_does_not_ask() {
    let sb = Sandbox::new();
    sb.create("QUICK", "quick-value");
    let session = Terminal::run(&sb, &["delete", "QUICK", "--yes"]).finish();
    session.assert_code(0, "delete --yes");
    assert!(
        !session.text().contains("[y/N]"),
        "asked despite --yes:\n{}",
        session.text()
    );
    assert_eq!(sb.names(), Vec::<String>::new());
}

#[test]
fn ctrl_c_at_a_hidden_prompt_restores_echo_and_stores_nothing() {
    let sb = Sandbox::new();
    sb.create("KEPT", "kept-value");
    let after = "echo \"exit=$?\"; stty -a | tr ' ;' '\\n\\n' | grep -x -e echo -e -echo";
    let mut term = Terminal::run_then(&sb, &["update", "KEPT"], Some(after));
    term.expect(&value_prompt("KEPT"));
    let deadline = Instant::now() + ECHO_OFF_TIMEOUT;
    while !term.echo_is_off() && Instant::now() < deadline {
        thread::sleep(POLL);
    }
    term.type_raw(b"\x03");
    let session = term.finish();
    let text = session.text();
    assert!(
        text.contains("exit=130"),
        "died of SIGINT, as Ctrl-C does:\n{text}"
    );
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    assert!(lines.contains(&"echo"), "echo is back on:\n{text}");
    assert!(!lines.contains(&"-echo"), "echo left off:\n{text}");
    assert_eq!(sb.value_of("KEPT"), b"kept-value");
}

#[test]
fn ctrl_c_reaches_a_supervised_program_once() {
    let sb = Sandbox::new();
    sb.create("TOKEN", "token-for-ctrl-c");
    // The program counts the SIGINTs it gets; the terminal sends one to the
    // whole foreground group, and secrets must not forward a second.
    // A loop of builtins (no child to share the signal), so that two
    // signals a moment apart would run the trap twice.
    let script = "c=0; trap 'c=$((c+1))' INT; echo ready; i=0; \
                  while [ $i -lt 300000 ]; do i=$((i+1)); done; echo \"count=$c\"";
    let mut term = Terminal::run(&sb, &["exec", "--mask", "always", "--", "sh", "-c", script]);
    term.expect("ready");
    thread::sleep(Duration::from_millis(100));
    term.type_raw(b"\x03");
    let session = term.finish();
    let text = session.text();
    assert!(text.contains("count=1"), "one SIGINT, not two:\n{text}");
    session.assert_code(0, "the program trapped the signal and went on");
}

/// The sandbox's identity protected by `passphrase`, with TOKEN stored.
fn protected_vault_with_token(passphrase: &str) -> Sandbox {
    let sb = Sandbox::new();
    sb.cmd()
        .args(["init", "--passphrase"])
        .env("SECRETS_PASSPHRASE", passphrase)
        .assert()
        .success();
    sb.create("TOKEN", "token-behind-a-passphrase");
    sb
}

pub(crate) fn passphrase_prompt(sb: &Sandbox) -> String {
    format!("Passphrase for {}: ", sb.identity_path().display())
}

#[test]
fn a_wrong_passphrase_at_the_prompt_is_asked_again() {
    const RIGHT: &str = "the right passphrase";
    let sb = protected_vault_with_token(RIGHT);
    let prompt = passphrase_prompt(&sb);
    let mut term = Terminal::run(&sb, &["exec", "--mask", "never", "--", "printenv", "TOKEN"]);
    term.answer_hidden(&prompt, "wrong guess one");
    term.expect("wrong passphrase; try again");
    term.answer_hidden(&prompt, "wrong guess two");
    term.expect("wrong passphrase; try again");
    term.answer_hidden(&prompt, RIGHT);
    term.expect("token-behind-a-passphrase");
    let session = term.finish();
    session.assert_code(0, "exec unlocked at the third try");
    session.assert_not_shown(RIGHT, "the passphrase");
    assert!(!session.text().contains("error:"), "{}", session.text());
}

#[test]
fn three_wrong_passphrases_fail_without_naming_the_variable() {
    let sb = protected_vault_with_token("the right passphrase");
    let prompt = passphrase_prompt(&sb);
    let mut args = vec!["exec", "--"];
    let marker = sb.touch_marker_args();
    args.extend(marker.iter().map(String::as_str));
    let mut term = Terminal::run(&sb, &args);
    for guess in ["wrong guess one", "wrong guess two"] {
        term.answer_hidden(&prompt, guess);
        term.expect("wrong passphrase; try again");
    }
    term.answer_hidden(&prompt, "wrong guess three");
    term.expect("error: wrong passphrase for identity");
    let session = term.finish();
    session.assert_code(125, "exec after three wrong passphrases");
    let text = session.text();
    assert_eq!(text.matches(&prompt).count(), 3, "three prompts:\n{text}");
    assert!(
        !text.contains("SECRETS_PASSPHRASE"),
        "the hint names a variable that was not set:\n{text}"
    );
    assert!(!sb.marker_path().exists(), "the program ran");
}

#[test]
fn secrets_mask_sets_the_default_and_the_option_wins() {
    let sb = Sandbox::new();
    sb.create("PTY_TOKEN", "pty-token-value-4242");
    let print = ["exec", "--", "sh", "-c", "echo \"got:$PTY_TOKEN\""];
    let with_option = |mask: &'static str| {
        let mut args = vec!["exec", "--mask", mask];
        args.extend(&print[1..]);
        args
    };
    let cases: [(Option<&str>, Vec<&str>, bool); 4] = [
        // A terminal is not masked by default (--mask auto)...
        (None, print.to_vec(), false),
        // ...unless SECRETS_MASK says so,
        (Some("always"), print.to_vec(), true),
        // and the option wins over the variable, either way.
        (Some("always"), with_option("never"), false),
        (Some("never"), with_option("always"), true),
    ];
    for (variable, args, masked) in cases {
        let env: Vec<(&str, &str)> = variable.map(|v| ("SECRETS_MASK", v)).into_iter().collect();
        let session = Terminal::run_with_env(&sb, &env, &args).finish();
        let what = format!("SECRETS_MASK={variable:?} {args:?}");
        session.assert_code(0, &what);
        let expected = if masked {
            "got:[MASKED:PTY_TOKEN]"
        } else {
            "got:pty-token-value-4242"
        };
        assert!(
            session.text().contains(expected),
            "{what}:\n{}",
            session.text()
        );
    }
}

/// The transcript's lines, without the terminal's carriage returns.
fn screen_lines(session: &Session) -> Vec<String> {
    session
        .text()
        .split('\n')
        .map(|line| line.trim_end_matches('\r').to_owned())
        .filter(|line| !line.is_empty())
        .collect()
}

#[test]
fn list_fits_the_terminal_and_never_breaks_a_name() {
    let sb = Sandbox::new();
    let long_description = "the primary postgres database of the payments service, \
                            read-write, rotated by the platform team every quarter";
    sb.create_with_description("PAYMENTS_DATABASE_URL_PRIMARY", long_description, "v1");
    sb.create_with_description("SHORT", "fits", "v2");
    sb.create("UNDESCRIBED", "v3");

    let session = Terminal::run_sized(&sb, 80, &["list"]).finish();
    session.assert_code(0, "list in 80 columns");
    let lines = screen_lines(&session);
    let text = session.text();
    assert_eq!(lines.len(), 5, "header, rule, one line per secret:\n{text}");
    assert!(
        lines[0].starts_with("NAME ") && lines[0].contains("DESCRIPTION"),
        "{text}"
    );
    assert!(lines[1].chars().all(|c| c == '─'), "a thin rule:\n{text}");
    for line in &lines {
        assert!(
            line.chars().count() <= 80,
            "wider than the terminal: {line:?}"
        );
        assert!(
            !line.contains(['│', '┆', '║', '═', '╞', '┌', '├']),
            "no box:\n{text}"
        );
    }
    let row = |name: &str| {
        lines
            .iter()
            .find(|line| line.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("no line starts with {name}:\n{text}"))
            .clone()
    };
    let long = row("PAYMENTS_DATABASE_URL_PRIMARY");
    assert_eq!(long.matches('…').count(), 1, "{long}");
    let shown = long
        .split("  ")
        .map(str::trim)
        .find(|cell| cell.ends_with('…'))
        .unwrap();
    assert!(
        long_description.starts_with(shown.trim_end_matches('…')),
        "a prefix of the description: {shown:?}"
    );
    assert!(row("SHORT").contains("  fits  "), "{text}");
    assert!(row("UNDESCRIBED").contains("never"), "{text}");

    // A name wider than the terminal is still whole, on one line.
    let very_long = format!("A_{}", "VERY_LONG_NAME_".repeat(6));
    sb.create_with_description(&very_long, long_description, "v4");
    let session = Terminal::run_sized(&sb, 80, &["list"]).finish();
    session.assert_code(0, "list with a name wider than the terminal");
    let lines = screen_lines(&session);
    assert!(
        lines
            .iter()
            .any(|line| line.starts_with(&format!("{very_long} "))),
        "{}",
        session.text()
    );
    assert_eq!(lines.len(), 6, "{}", session.text());

    // In a pipe: plain columns, every description whole.
    let out = sb.cmd().arg("list").output().unwrap();
    assert_success(&out, "list into a pipe");
    assert!(stdout(&out).contains(long_description), "{}", stdout(&out));
    assert!(!stdout(&out).contains(['…', '─']), "{}", stdout(&out));
}

#[test]
fn update_with_only_a_description_on_a_terminal_does_not_ask() {
    let sb = Sandbox::new();
    sb.create("DESCRIBED", "kept-value");
    let mut term = Terminal::run(&sb, &["update", "DESCRIBED", "-d", "new words"]);
    term.expect("updated the description of secret 'DESCRIBED'");
    let session = term.finish();
    session.assert_code(0, "update -d on a terminal");
    assert!(
        !session.text().contains("input hidden"),
        "asked for a value although only the description changes:\n{}",
        session.text()
    );
    assert_eq!(sb.show_json("DESCRIBED")["description"], "new words");
    assert_eq!(sb.value_of("DESCRIBED"), b"kept-value");
}
