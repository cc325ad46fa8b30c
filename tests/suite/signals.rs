//! Signals and `secrets exec` on the supervising path (stdout piped, so the
//! output is masked and `secrets` stays the program's parent): INT, TERM,
//! HUP, QUIT, USR1, USR2 and WINCH sent to `secrets` reach the program;
//! `secrets` exits with the program's code, or dies of the signal that
//! killed the program; and a SIGKILLed `secrets` takes the program with it.

use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, ChildStdout, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::common::{Sandbox, stdout};

const SECRET_VALUE: &str = "zq-signal-secret-value";

fn with_secret() -> Sandbox {
    let sb = Sandbox::new();
    sb.init();
    sb.create("SIG_TOKEN", SECRET_VALUE);
    sb
}

/// A running `secrets exec -- sh -c SCRIPT` with stdout and stderr piped;
/// killed and reaped on drop if a test fails half-way.
struct Running {
    child: Child,
    /// `secrets`' stdout, until `close_stdout`.
    out: Option<BufReader<ChildStdout>>,
}

impl Running {
    fn start(sb: &Sandbox, script: &str) -> Running {
        Running::start_with(sb, &[], script)
    }

    /// `secrets exec OPTIONS -- sh -c SCRIPT`.
    fn start_with(sb: &Sandbox, options: &[&str], script: &str) -> Running {
        let mut child = sb
            .std_cmd()
            .arg("exec")
            .args(options)
            .args(["--", "sh", "-c", script])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let out = Some(BufReader::new(child.stdout.take().unwrap()));
        Running { child, out }
    }

    fn pid(&self) -> libc::pid_t {
        self.child.id() as libc::pid_t
    }

    /// Reads stdout up to the program's `ready` line, which it prints once
    /// its traps are installed.
    fn wait_ready(&mut self) {
        assert_eq!(self.read_line(), "ready\n", "program did not get ready");
    }

    fn read_line(&mut self) -> String {
        let mut line = String::new();
        self.out.as_mut().unwrap().read_line(&mut line).unwrap();
        line
    }

    /// Closes the read end of `secrets`' stdout.
    fn close_stdout(&mut self) {
        self.out = None;
    }

    fn signal(&self, sig: libc::c_int) {
        // SAFETY: kill takes plain integers; the pid is this test's child.
        let rc = unsafe { libc::kill(self.pid(), sig) };
        assert_eq!(rc, 0, "kill({}, {sig}) failed", self.pid());
    }

    /// Waits at most 20 s for `secrets` to end; returns its status and the
    /// rest of its stdout.
    fn wait(&mut self) -> (ExitStatus, String) {
        let deadline = Instant::now() + Duration::from_secs(20);
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(
                Instant::now() < deadline,
                "secrets exec still running 20 s after the signal"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut rest = String::new();
        if let Some(out) = self.out.as_mut() {
            let _ = out.read_to_string(&mut rest);
        }
        (status, rest)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A program that traps `sig_name` with `exit CODE`, reports ready, and
/// waits; the secret is printed on stderr first, through the masker.
fn trapping_script(sig_name: &str, code: i32) -> String {
    format!(
        "trap 'echo caught; exit {code}' {sig_name}; echo \"$SIG_TOKEN\" >&2; echo ready; \
         while :; do sleep 0.05; done"
    )
}

/// Sends `sig` to `secrets` running a program that traps it; asserts that
/// the program saw it and `secrets` exited with the program's code.
fn assert_forwarded_to_trap(sig: libc::c_int, sig_name: &str, code: i32) {
    let sb = with_secret();
    let mut run = Running::start(&sb, &trapping_script(sig_name, code));
    run.wait_ready();
    run.signal(sig);
    let (status, rest) = run.wait();
    assert_eq!(
        status.code(),
        Some(code),
        "SIG{sig_name}: secrets ended with {status:?}, program printed {rest:?}"
    );
    assert_eq!(rest, "caught\n", "SIG{sig_name}: the trap did not run");
}

#[test]
fn sigterm_is_forwarded_and_the_exit_code_passed_through() {
    assert_forwarded_to_trap(libc::SIGTERM, "TERM", 42);
}

#[test]
fn sigint_is_forwarded_and_the_exit_code_passed_through() {
    assert_forwarded_to_trap(libc::SIGINT, "INT", 43);
}

#[test]
fn other_forwarded_signals_reach_the_program() {
    for (sig, name, code) in [
        (libc::SIGHUP, "HUP", 44),
        (libc::SIGQUIT, "QUIT", 45),
        (libc::SIGUSR1, "USR1", 46),
        (libc::SIGUSR2, "USR2", 47),
        (libc::SIGWINCH, "WINCH", 48),
    ] {
        assert_forwarded_to_trap(sig, name, code);
    }
}

#[test]
fn forwarded_signal_that_kills_the_program_kills_secrets_the_same_way() {
    for (sig, name) in [
        (libc::SIGTERM, "TERM"),
        (libc::SIGINT, "INT"),
        (libc::SIGHUP, "HUP"),
        (libc::SIGUSR1, "USR1"),
    ] {
        let sb = with_secret();
        let mut run = Running::start(&sb, "echo ready; exec sleep 60");
        run.wait_ready();
        run.signal(sig);
        let (status, _) = run.wait();
        assert_eq!(
            status.signal(),
            Some(sig),
            "SIG{name} killed the program; secrets ended with {status:?}"
        );
    }
}

/// A gateway keeps `secrets` as the parent even with nothing to mask: it
/// behaves as the masking path does, signals and exit status included.
#[test]
fn with_a_gateway_and_no_masking_signals_and_exit_status_are_the_programs() {
    let gateway = [
        "--mask",
        "never",
        "--gateway",
        "API=SIG_TOKEN@http://127.0.0.1:9/v1",
    ];
    let sb = with_secret();
    let script =
        "trap 'echo caught; exit 3' TERM; echo $$; echo ready; while :; do sleep 0.05; done";
    let mut run = Running::start_with(&sb, &gateway, script);
    let program_pid = run.read_line();
    assert_ne!(
        program_pid.trim(),
        run.pid().to_string(),
        "secrets replaced itself with the program: no one serves the gateway"
    );
    run.wait_ready();
    run.signal(libc::SIGTERM);
    let (status, rest) = run.wait();
    assert_eq!(
        status.code(),
        Some(3),
        "{status:?}, program printed {rest:?}"
    );
    assert_eq!(rest, "caught\n");

    let mut run = Running::start_with(&sb, &gateway, "echo ready; exec sleep 60");
    run.wait_ready();
    run.signal(libc::SIGTERM);
    let (status, _) = run.wait();
    assert_eq!(status.signal(), Some(libc::SIGTERM), "{status:?}");
}

#[test]
fn program_killed_by_sigkill_makes_secrets_die_of_sigkill() {
    let sb = with_secret();
    let out = sb
        .std_cmd()
        .args([
            "exec",
            "--",
            "sh",
            "-c",
            "echo before; kill -KILL $$; echo after",
        ])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.signal(), Some(libc::SIGKILL), "{:?}", out.status);
    assert_eq!(out.status.code(), None);
    assert_eq!(stdout(&out), "before\n");
}

#[test]
fn program_killed_by_its_own_sigterm_makes_secrets_die_of_sigterm() {
    let sb = with_secret();
    let out = sb
        .std_cmd()
        .args([
            "exec",
            "--",
            "sh",
            "-c",
            "echo \"$SIG_TOKEN\"; kill -TERM $$; echo after",
        ])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.signal(), Some(libc::SIGTERM), "{:?}", out.status);
    // Masking was active: the output went through secrets.
    assert_eq!(stdout(&out), "[MASKED:SIG_TOKEN]\n");
}

/// True while `pid` is a live (not zombie) process.
fn alive(pid: libc::pid_t) -> bool {
    match fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the parenthesised command name.
        Ok(stat) => {
            let state = stat.rsplit_once(") ").map(|(_, r)| r.chars().next());
            !matches!(state, Some(Some('Z' | 'X')))
        }
        Err(_) => false,
    }
}

#[test]
fn sigkill_to_secrets_kills_the_program_too() {
    let sb = with_secret();
    let pid_file = sb.root().join("program.pid");
    let script = format!(
        "echo $$ > '{}'; echo ready; while :; do sleep 0.05; done",
        pid_file.display()
    );
    let mut run = Running::start(&sb, &script);
    run.wait_ready();
    let program: libc::pid_t = fs::read_to_string(&pid_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_ne!(program, run.pid(), "secrets should be supervising");
    assert!(
        alive(program),
        "program {program} not running before the kill"
    );

    run.signal(libc::SIGKILL);
    let (status, _) = run.wait();
    assert_eq!(status.signal(), Some(libc::SIGKILL), "{status:?}");

    let deadline = Instant::now() + Duration::from_secs(5);
    while alive(program) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let survived = alive(program);
    if survived {
        // Don't leave the loop running after a failure.
        // SAFETY: kill takes plain integers; the pid is this test's child.
        unsafe { libc::kill(program, libc::SIGKILL) };
    }
    assert!(
        !survived,
        "program {program} still running 5 s after secrets was SIGKILLed"
    );
}

#[test]
fn reader_leaving_makes_secrets_die_of_sigpipe_like_the_program() {
    let sb = with_secret();
    let mut run = Running::start(&sb, "echo ready; exec yes \"$SIG_TOKEN\"");
    run.wait_ready();
    assert_eq!(run.read_line(), "[MASKED:SIG_TOKEN]\n");
    // Close our end of secrets' stdout: the program must get SIGPIPE, and
    // secrets end the same way, as `yes | head -1` would.
    run.close_stdout();
    let (status, _) = run.wait();
    assert_eq!(status.signal(), Some(libc::SIGPIPE), "{status:?}");
}

#[test]
fn program_killed_by_a_core_signal_makes_secrets_die_of_it_without_a_core() {
    let sb = with_secret();
    for (sig, name) in [(libc::SIGQUIT, "QUIT"), (libc::SIGSEGV, "SEGV")] {
        let mut cmd = sb.std_cmd();
        cmd.args([
            "exec",
            "--",
            "sh",
            "-c",
            &format!("echo \"$SIG_TOKEN\"; kill -{name} $$"),
        ])
        .stdin(Stdio::null());
        // Allow core files, so that only secrets itself can prevent them.
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            std::os::unix::process::CommandExt::pre_exec(&mut cmd, || {
                let mut limit: libc::rlimit = std::mem::zeroed();
                libc::getrlimit(libc::RLIMIT_CORE, &mut limit);
                limit.rlim_cur = limit.rlim_max;
                libc::setrlimit(libc::RLIMIT_CORE, &limit);
                Ok(())
            });
        }
        let out = cmd.output().unwrap();
        assert_eq!(
            out.status.signal(),
            Some(sig),
            "SIG{name}: {:?}",
            out.status
        );
        assert!(!out.status.core_dumped(), "SIG{name}: secrets dumped core");
        assert_eq!(stdout(&out), "[MASKED:SIG_TOKEN]\n", "SIG{name}");
        let cores: Vec<_> = fs::read_dir(sb.home())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .filter(|n| n.to_string_lossy().starts_with("core"))
            .collect();
        assert!(cores.is_empty(), "SIG{name}: core files {cores:?}");
    }
}
