//! Running the program as our child when its output must be masked (or a
//! gateway must serve it while it runs): pipes for the masked streams (one
//! for both when stdout and stderr are one file), a thread copying each
//! through the masker until every writer has closed it, signals forwarded,
//! and our exit made the same as the program's.
//!
//! Not for the case with nothing to mask or serve, where `launch` replaces
//! this process instead.

use super::mask::{MaskedStream, Masker};
use super::streams::MaskedStreams;
use crate::error::FAILED;
use anyhow::{Context, Result, anyhow};
use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH};
use signal_hook::iterator::SignalsInfo;
use signal_hook::iterator::exfiltrator::WithOrigin;
use signal_hook::low_level::siginfo::Cause;
use std::fs::File;
use std::io::{ErrorKind, PipeReader, Read, Write};
use std::mem::ManuallyDrop;
use std::os::fd::FromRawFd;
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, Sender};
use std::sync::{Arc, Mutex};

/// Signals that reach the program when they are sent to `secrets`.
const FORWARDED: [i32; 7] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH];

/// Signals that, once the program has exited, make `secrets` stop waiting
/// for a stream that something the program started still holds open.
const STOP_WAITING: [i32; 4] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT];

/// What the main thread waits for once the program has exited.
enum Event {
    /// A masked stream has ended: every writer closed it.
    StreamEnded,
    /// A signal asks `secrets` to stop waiting for the streams.
    StopWaiting,
}

/// Runs `command` with the chosen streams masked (none without a masker)
/// and returns how it ended; `on_start` is called as soon as the program
/// has started. Fails only if the program could not be started.
pub fn run(
    mut command: Command,
    masking: Option<(Arc<Masker>, MaskedStreams)>,
    on_start: impl FnOnce(),
) -> Result<ExitStatus> {
    let (masker, masked) = match masking {
        Some((masker, masked)) => (Some(masker), masked),
        None => (None, MaskedStreams::NONE),
    };
    let shared = if masked.as_one {
        Some(one_pipe_for_both(&mut command)?)
    } else {
        if masked.stdout {
            command.stdout(Stdio::piped());
        }
        if masked.stderr {
            command.stderr(Stdio::piped());
        }
        None
    };
    die_with_parent(&mut command);
    // Registered before the program starts, so none is lost in between.
    let mut signals =
        SignalsInfo::<WithOrigin>::new(FORWARDED).context("cannot install the signal handlers")?;
    let mut child = command.spawn()?;
    on_start();
    // It holds the write ends of a shared pipe: while we hold them too, the
    // stream would never end.
    drop(command);
    let pid = child.id() as libc::pid_t;
    let exited = Arc::new(Mutex::new(false));
    let (events, received) = std::sync::mpsc::channel();
    let signal_handle = signals.handle();
    let forwarder = {
        let exited = Arc::clone(&exited);
        let events = events.clone();
        std::thread::spawn(move || forward_signals(&mut signals, pid, &exited, &events))
    };
    let copiers: Vec<Copier> = masker
        .map(|masker| {
            program_outputs(&mut child, shared)
                .into_iter()
                .map(|(reader, fd)| Copier::start(reader, fd, Arc::clone(&masker), events.clone()))
                .collect()
        })
        .unwrap_or_default();
    let status = wait_without_pid_reuse(&mut child, pid, &exited);
    wait_for_the_streams(copiers, &received);
    signal_handle.close();
    let _ = forwarder.join();
    status
}

/// Gives the program one pipe as both stdout and stderr; returns its read
/// end.
fn one_pipe_for_both(command: &mut Command) -> Result<PipeReader> {
    let cannot = |e: std::io::Error| anyhow!("cannot create a pipe for the program's output: {e}");
    let (reader, writer) = std::io::pipe().map_err(cannot)?;
    let also_stderr = writer.try_clone().map_err(cannot)?;
    command.stdout(writer).stderr(also_stderr);
    Ok(reader)
}

/// The pipes to read the program's output from, each with the descriptor of
/// ours that it is copied to.
fn program_outputs(
    child: &mut Child,
    shared: Option<PipeReader>,
) -> Vec<(Box<dyn Read + Send>, i32)> {
    if let Some(reader) = shared {
        return vec![(Box::new(reader), libc::STDOUT_FILENO)];
    }
    let stdout = child
        .stdout
        .take()
        .map(|r| (Box::new(r) as Box<dyn Read + Send>, libc::STDOUT_FILENO));
    let stderr = child
        .stderr
        .take()
        .map(|r| (Box::new(r) as Box<dyn Read + Send>, libc::STDERR_FILENO));
    stdout.into_iter().chain(stderr).collect()
}

/// Waits until every stream has ended, however long something the program
/// started keeps one open (as `program | cat` would wait): held bytes are
/// never released on a timer. A signal from `STOP_WAITING` ends the wait;
/// then what each stream holds is written masked.
fn wait_for_the_streams(copiers: Vec<Copier>, events: &Receiver<Event>) {
    let mut open = copiers.len();
    while open > 0 {
        match events.recv() {
            Ok(Event::StreamEnded) => open -= 1,
            Ok(Event::StopWaiting) | Err(_) => {
                for copier in &copiers {
                    copier.abandon();
                }
                return;
            }
        }
    }
}

/// A thread copying one of the program's streams to ours through the masker.
struct Copier {
    stream: Arc<Mutex<MaskedStream>>,
    fd: i32,
}

impl Copier {
    fn start(
        reader: Box<dyn Read + Send>,
        fd: i32,
        masker: Arc<Masker>,
        events: Sender<Event>,
    ) -> Copier {
        let stream = Arc::new(Mutex::new(MaskedStream::new(masker)));
        let copying = Arc::clone(&stream);
        std::thread::spawn(move || {
            copy_masked(reader, fd, &copying);
            let _ = events.send(Event::StreamEnded);
        });
        Copier { stream, fd }
    }

    /// Stops copying: writes what the stream holds, masked, and drops
    /// anything read later (the thread dies with the process).
    fn abandon(&self) {
        let mut stream = self.stream.lock().unwrap_or_else(|e| e.into_inner());
        let mut out = Vec::new();
        stream.abandon(&mut out);
        let _ = write_fd(self.fd, &out);
    }
}

/// Linux: the child is killed if `secrets` dies without forwarding anything
/// (e.g. SIGKILL): no orphan keeps running unmasked.
#[cfg(target_os = "linux")]
fn die_with_parent(command: &mut Command) {
    use std::os::unix::process::CommandExt;
    let parent = std::process::id() as libc::pid_t;
    // SAFETY: the closure runs in the forked child before exec and calls
    // only async-signal-safe functions (prctl, getppid, _exit).
    unsafe {
        command.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // The parent may have died before the line above.
            if libc::getppid() != parent {
                libc::_exit(FAILED.into());
            }
            Ok(())
        });
    }
}

/// Elsewhere there is no portable way to ask for it: if `secrets` is killed
/// with SIGKILL, the child keeps running on its own (the README says so).
#[cfg(not(target_os = "linux"))]
fn die_with_parent(_command: &mut Command) {}

/// Forwards each signal sent to `secrets` alone. One that the kernel sent to
/// the terminal's foreground group (Ctrl-C, Ctrl-\, a resize) already reached
/// the program, which shares our group: forwarding it would deliver it twice.
/// Once the program has exited, a signal from `STOP_WAITING` (whoever sent
/// it) asks the main thread to stop waiting for the output.
fn forward_signals(
    signals: &mut SignalsInfo<WithOrigin>,
    pid: libc::pid_t,
    exited: &Mutex<bool>,
    events: &Sender<Event>,
) {
    for origin in signals.forever() {
        let exited = exited.lock().unwrap_or_else(|e| e.into_inner());
        if *exited {
            if STOP_WAITING.contains(&origin.signal) {
                let _ = events.send(Event::StopWaiting);
            }
            continue;
        }
        if matches!(origin.cause, Cause::Kernel) {
            continue;
        }
        if origin.process.is_some_and(|p| p.pid == pid) {
            continue;
        }
        // SAFETY: kill takes plain integers. `pid` is still our unreaped
        // child (the lock held here keeps it from being reaped), never a
        // reused pid.
        unsafe { libc::kill(pid, origin.signal) };
    }
}

/// Waits for the program without reaping it first, marks it exited under the
/// forwarder's lock, then reaps it: until then its pid cannot be reused, so a
/// late signal never reaches a stranger.
fn wait_without_pid_reuse(
    child: &mut Child,
    pid: libc::pid_t,
    exited: &Mutex<bool>,
) -> Result<ExitStatus> {
    loop {
        // SAFETY: siginfo_t is plain data, valid when zeroed.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        // SAFETY: `info` is a valid, writable siginfo_t; WNOWAIT leaves the
        // child unreaped.
        let rc = unsafe {
            libc::waitid(
                libc::P_PID,
                pid as libc::id_t,
                &mut info,
                libc::WEXITED | libc::WNOWAIT,
            )
        };
        if rc == 0 {
            break;
        }
        let error = std::io::Error::last_os_error();
        if error.kind() != ErrorKind::Interrupted {
            break;
        }
    }
    *exited.lock().unwrap_or_else(|e| e.into_inner()) = true;
    Ok(child.wait()?)
}

/// Copies one of the program's streams to ours through the masker, until
/// every writer has closed it: each read's masked bytes in one write, as
/// soon as they are decided. The stream stays locked during the write, so
/// that bytes written on abandoning it never pass earlier ones.
fn copy_masked(mut reader: Box<dyn Read + Send>, fd: i32, stream: &Mutex<MaskedStream>) {
    let mut buffer = vec![0u8; 64 * 1024];
    let mut out = Vec::with_capacity(buffer.len() + 1024);
    loop {
        let read = match reader.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(_) => break,
        };
        out.clear();
        let mut stream = stream.lock().unwrap_or_else(|e| e.into_inner());
        stream.push(&buffer[..read], &mut out);
        if write_fd(fd, &out).is_err() {
            // Our reader left (EPIPE): stop reading, so the program gets
            // SIGPIPE on its next write, as it would without us.
            return;
        }
    }
    out.clear();
    let mut stream = stream.lock().unwrap_or_else(|e| e.into_inner());
    stream.finish(&mut out);
    let _ = write_fd(fd, &out);
}

/// One `write_all` on the raw descriptor: std's stdout is line-buffered,
/// which would hide a prompt without a newline.
fn write_fd(fd: i32, bytes: &[u8]) -> std::io::Result<()> {
    if bytes.is_empty() {
        return Ok(());
    }
    // SAFETY: `fd` is our stdout or stderr, open for the whole run; the
    // `ManuallyDrop` keeps the `File` from closing it.
    let mut file = ManuallyDrop::new(unsafe { File::from_raw_fd(fd) });
    file.write_all(bytes)
}

/// Ends this process as the program ended: same exit code, or the same
/// signal with its default action (core dumps are already off).
pub fn exit_like(status: ExitStatus) -> ! {
    if let Some(signal) = status.signal() {
        // SAFETY: plain libc calls on a local, initialized signal set; the
        // default action of `signal` ends this process (or `exit` follows).
        unsafe {
            libc::signal(signal, libc::SIG_DFL);
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::sigaddset(&mut set, signal);
            libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
            libc::raise(signal);
        }
        std::process::exit(128 + signal);
    }
    std::process::exit(status.code().unwrap_or(FAILED.into()));
}
