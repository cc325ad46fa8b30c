//! No core file holds a value: every command that reads a value (from
//! stdin, a file or the vault) makes itself non-dumpable before it reads.
//! Each case crashes `secrets` with SIGABRT (its default action dumps core,
//! and std's runtime leaves it alone, unlike a SIGSEGV sent from outside)
//! while it waits for the rest of a value, with core files allowed, and
//! looks for a core.

use crate::common::*;
use std::io::Write;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// The first half of a value; the second never arrives.
const HALF_VALUE: &str = "core-canary-first-half-";

/// Starts `args` with core files allowed and half a value on stdin, still
/// open.
fn start_reading(sb: &Sandbox, args: &[&str]) -> Child {
    let mut cmd = sb.std_cmd();
    cmd.args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            let mut limit: libc::rlimit = std::mem::zeroed();
            libc::getrlimit(libc::RLIMIT_CORE, &mut limit);
            limit.rlim_cur = limit.rlim_max;
            libc::setrlimit(libc::RLIMIT_CORE, &limit);
            Ok(())
        });
    }
    let mut child = cmd.spawn().unwrap();
    child
        .stdin
        .as_mut()
        .unwrap()
        .write_all(HALF_VALUE.as_bytes())
        .unwrap();
    child
}

/// Waits until `child` sleeps in a read of its stdin (it has read what was
/// written and wants more).
fn wait_until_blocked(child: &Child) {
    let deadline = Instant::now() + Duration::from_secs(20);
    let stat = format!("/proc/{}/stat", child.id());
    let wchan = format!("/proc/{}/wchan", child.id());
    loop {
        std::thread::sleep(Duration::from_millis(50));
        let state = std::fs::read_to_string(&stat).unwrap_or_default();
        let state = state.rsplit(") ").next().unwrap_or("").chars().next();
        let waiting = std::fs::read_to_string(&wchan).unwrap_or_default();
        if state == Some('S') && waiting.contains("pipe") {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "never blocked reading: {state:?} {waiting}"
        );
    }
}

fn assert_crash_leaves_no_core(sb: &Sandbox, args: &[&str]) {
    let mut child = start_reading(sb, args);
    wait_until_blocked(&child);
    // SAFETY: kill takes plain integers; the pid is this test's unreaped child.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGABRT) };
    let status = child.wait().unwrap();
    assert_eq!(status.signal(), Some(libc::SIGABRT), "{args:?}: {status:?}");
    assert!(!status.core_dumped(), "{args:?}: secrets dumped core");
    for file in files_under(sb.root()) {
        let bytes = std::fs::read(&file).unwrap_or_default();
        assert!(
            !contains_bytes(&bytes, HALF_VALUE.as_bytes()),
            "{args:?}: {} holds the value",
            file.display()
        );
    }
}

#[test]
fn create_update_and_import_crashing_mid_value_leave_no_core() {
    let sb = Sandbox::new();
    sb.create("EXISTING", "existing-value-2468");
    assert_crash_leaves_no_core(&sb, &["create", "NEW_ONE"]);
    assert_crash_leaves_no_core(&sb, &["update", "EXISTING"]);
    assert_crash_leaves_no_core(&sb, &["import", "-"]);
    assert_eq!(sb.names(), ["EXISTING"]);
}
