//! `run_command`: runs one program for an agent, with the secrets the
//! policy grants it (narrowed by the call), and returns its exit status
//! and its output, masked by exec's masker and cut to the policy's limit.
//!
//! The agent never receives a value: every value goes into the program's
//! environment only, a value too short to mask is refused rather than
//! injected, and the output reaches the agent only through the masker.
//! Not for deciding what is allowed (`policy`) nor for the protocol
//! (`tools`).

use super::policy::Grant;
use crate::config::Paths;
use crate::error::Failure;
use crate::exec::environment::{self, Environment, EnvironmentPlan, Renamed, Wanted};
use crate::exec::mask::{MIN_MASKED_LEN, MaskedStream, Masker};
use crate::gateway;
use crate::vault::unsealed::StaleCache;
use crate::vault::usage::PendingRun;
use crate::vault::{Chosen, unseal};
use anyhow::Result;
use serde::Serialize;
use std::collections::{BTreeMap, VecDeque};
use std::io::Read;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The log entry's detail for a run.
pub const VIA: &str = "run_command via mcp";

/// How long the output may take to end once the program has exited (or
/// was killed): something it left behind may hold the pipes open.
const DRAIN_GRACE: Duration = Duration::from_secs(2);

/// What the agent asked to run.
pub struct Call {
    pub argv: Vec<String>,
    pub only: Option<Vec<String>>,
    /// Variable -> secret.
    pub env: BTreeMap<String, String>,
    pub cwd: Option<PathBuf>,
    pub timeout_secs: Option<u64>,
    /// Only these of the policy's gateways, by variable (all when `None`).
    pub gateways: Option<Vec<String>>,
}

/// What the agent gets back: nothing in it is unmasked output.
#[derive(Debug, Serialize)]
pub struct Outcome {
    /// The exit code, when the program exited (not killed by a signal).
    pub exit_code: Option<i32>,
    /// The signal that ended it, if one did.
    pub signal: Option<i32>,
    pub timed_out: bool,
    pub stdout: String,
    pub stderr: String,
    /// What was cut or held back, in words.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// Checks that the call names a program, and arguments a program can take.
pub fn check_argv(call: &Call) -> Result<(), Failure> {
    if call.argv.first().is_none_or(String::is_empty) {
        return Err(Failure::usage(
            "argv is empty: give the program and its arguments",
        ));
    }
    if call.argv.iter().any(|arg| arg.contains('\0')) {
        return Err(Failure::usage("an argument contains a NUL byte"));
    }
    Ok(())
}

/// Keeps only the gateways the call names (by variable); one the policy
/// does not give the program is refused.
pub fn narrow_gateways(call: &Call, grant: &mut Grant) -> Result<(), Failure> {
    let Some(wanted) = &call.gateways else {
        return Ok(());
    };
    if let Some(unknown) = wanted
        .iter()
        .find(|v| !grant.gateways.iter().any(|g| &g.variable == *v))
    {
        let shown = if crate::name::is_valid(unknown) {
            format!("'{unknown}'")
        } else {
            "by that name (not repeated: not a valid name)".to_owned()
        };
        return Err(Failure::usage(format!(
            "the MCP policy gives '{}' no gateway {shown}",
            call.argv[0]
        ))
        .with_hint("ask the person to add it to the program's \"gateways\" in the policy"));
    }
    grant.gateways.retain(|g| wanted.contains(&g.variable));
    Ok(())
}

/// Checks the call against the grant before anything is opened: every
/// secret it names must be granted. Returns the variable mappings.
pub fn check(call: &Call, grant: &Grant) -> Result<Vec<Renamed>, Failure> {
    check_argv(call)?;
    let named = call.only.iter().flatten().chain(call.env.values());
    if let Some(refused) = named.into_iter().find(|name| !grant.grants(name)) {
        return Err(not_granted(refused, &call.argv[0]));
    }
    call.env
        .iter()
        .map(|(variable, secret)| {
            Renamed::from_arg(&format!("{variable}={secret}"))
                .map_err(|why| Failure::usage(format!("env: {why}")))
        })
        .collect()
}

fn not_granted(name: &str, program: &str) -> Failure {
    let shown = if crate::name::is_valid(name) {
        format!("secret '{name}'")
    } else {
        "that secret (not repeated: not a valid name)".to_owned()
    };
    Failure::usage(format!(
        "the MCP policy does not grant {shown} to '{program}'"
    ))
    .with_hint("ask the person to add it to the program's \"secrets\" in the policy")
}

/// Runs the call: opens the secrets, records the run in the audit log,
/// runs the program and collects its masked output.
pub fn run(paths: &Paths, call: &Call, grant: &Grant, renamed: &[Renamed]) -> Result<Outcome> {
    let program = &call.argv[0];
    // A PostgreSQL vault's cache may be stale as the run is recorded: then
    // it is read again, as exec does.
    let (chosen, own_name, pending) = match prepare(paths, call, grant, renamed, false) {
        Err(error) if error.is::<StaleCache>() => prepare(paths, call, grant, renamed, true)?,
        prepared => prepared?,
    };
    let gateways = match gateway::start_for(
        &grant.gateways,
        &chosen.secrets,
        grant.gateway_ca.as_deref(),
    ) {
        Ok(gateways) => gateways,
        Err(error) => {
            pending.failed();
            return Err(error);
        }
    };
    let plan = EnvironmentPlan {
        clean: true,
        pass: &grant.pass_env,
        prefix: None,
        renamed,
        gateway_variables: gateways.as_ref().map_or(&[], |g| g.variables()),
    };
    let mut command = Command::new(program);
    command.args(&call.argv[1..]);
    if let Some(cwd) = &call.cwd {
        command.current_dir(cwd);
    }
    match Environment::build(&plan, &chosen.secrets, &own_name) {
        Ok(environment) => environment.apply(&mut command),
        Err(error) => {
            pending.failed();
            return Err(error);
        }
    }
    let masker = Masker::new(
        chosen
            .secrets
            .iter()
            .map(|s| (s.name.as_str(), s.value.as_bytes())),
    )
    .map(Arc::new);
    drop(chosen);
    let limit = Duration::from_secs(
        call.timeout_secs
            .map_or(grant.timeout_secs, |t| t.min(grant.timeout_secs)),
    );
    let spawned = spawn(&mut command);
    drop(command);
    let child = match spawned {
        Ok(child) => {
            pending.started();
            child
        }
        Err(error) => {
            pending.failed();
            return Err(crate::exec::launch::cannot_run(&error, program.as_ref()).into());
        }
    };
    let outcome = supervise(child, masker, limit, grant.max_output_bytes);
    if let Some(gateways) = gateways {
        // Best effort, as exec's: the run itself is logged already.
        let _ = gateway::log_use(&paths.vault, program, &gateways.stop());
    }
    outcome
}

/// Opens the chosen secrets and records the run (as exec's `prepare`).
fn prepare(
    paths: &Paths,
    call: &Call,
    grant: &Grant,
    renamed: &[Renamed],
    fresh: bool,
) -> Result<(Chosen, Vec<bool>, PendingRun)> {
    let own_name = Mutex::new(Vec::new());
    let choose = |names: &[&str]| {
        let (chosen, own) = choose(names, call, grant, renamed)?;
        *own_name.lock().unwrap_or_else(|e| e.into_inner()) = own;
        Ok(chosen)
    };
    let mut chosen = unseal::for_exec(&paths.vault, &paths.identity, choose, fresh)?;
    if let Some(short) = chosen
        .secrets
        .iter()
        .find(|s| s.value.as_bytes().len() < MIN_MASKED_LEN)
    {
        return Err(Failure::usage(format!(
            "secret '{}' is shorter than {MIN_MASKED_LEN} bytes: too short to mask, so it is \
             never given to a program an agent runs",
            short.name
        ))
        .with_hint("leave it out with `only`, or ask the person to use a longer value")
        .into());
    }
    let connected = chosen.connected.take();
    let pending =
        PendingRun::begin_via(&paths.vault, &call.argv[0], &chosen, connected, Some(VIA))?;
    let own_name = own_name.into_inner().unwrap_or_else(|e| e.into_inner());
    Ok((chosen, own_name, pending))
}

/// Which of the vault's `names` the program gets: `only` (else every
/// granted secret that exists) under their names, and `env`'s under their
/// variables. Nothing granted and nothing asked is nothing, never "all".
fn choose(
    names: &[&str],
    call: &Call,
    grant: &Grant,
    renamed: &[Renamed],
) -> Result<(Vec<usize>, Vec<bool>)> {
    let behind_gateway: Vec<&str> = grant.gateways.iter().map(|g| g.secret.as_str()).collect();
    let is_behind_gateway =
        |name: &str| behind_gateway.iter().any(|g| g.eq_ignore_ascii_case(name));
    let only: Vec<String> = match &call.only {
        Some(only) => only.clone(),
        // Only what was asked for by variable, as exec's --env alone.
        None if !renamed.is_empty() => Vec::new(),
        // A secret behind a gateway never goes in, even if also granted.
        None => names
            .iter()
            .filter(|name| grant.grants(name) && !is_behind_gateway(name))
            .map(|name| (*name).to_owned())
            .collect(),
    };
    if only.is_empty() && renamed.is_empty() && behind_gateway.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    // With `behind_gateway` given, empty `only` and `renamed` pick no
    // secret by name (as exec's --gateway alone), never "every secret".
    let wanted = Wanted {
        only: &only,
        except: &[],
        renamed,
        behind_gateway: &behind_gateway,
    };
    environment::choose_injectable(names, &wanted, None)
}

/// Starts the program in a process group of its own (so that a time limit
/// ends everything it started), with no stdin and both outputs piped.
fn spawn(command: &mut Command) -> std::io::Result<Child> {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    command.spawn()
}

/// Waits for the program (killing its group at the time limit) while a
/// thread per stream masks and keeps its output.
fn supervise(
    mut child: Child,
    masker: Option<Arc<Masker>>,
    limit: Duration,
    max_bytes: usize,
) -> Result<Outcome> {
    let stdout = Collector::start(child.stdout.take(), masker.clone(), max_bytes);
    let stderr = Collector::start(child.stderr.take(), masker, max_bytes);
    let (status, timed_out) = wait_until(&mut child, Instant::now() + limit)?;
    let mut notes = Vec::new();
    let stdout = stdout.finish("stdout", &mut notes);
    let stderr = stderr.finish("stderr", &mut notes);
    if timed_out {
        notes.insert(
            0,
            format!(
                "the program ran past the time limit ({} s) and was killed, with everything it started",
                limit.as_secs()
            ),
        );
    }
    Ok(Outcome {
        exit_code: status.code(),
        signal: status.signal(),
        timed_out,
        stdout,
        stderr,
        notes,
    })
}

/// Waits for `child` until `deadline`, then kills its process group.
fn wait_until(child: &mut Child, deadline: Instant) -> Result<(ExitStatus, bool)> {
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok((status, false));
        }
        if Instant::now() >= deadline {
            kill_group(child.id());
            return Ok((child.wait()?, true));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Kills the process group that `spawn` made for the program.
fn kill_group(pid: u32) {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return;
    };
    // SAFETY: kill takes plain integers; the group is the child's own
    // (not reaped yet, so its id cannot have been reused).
    unsafe { libc::kill(-pid, libc::SIGKILL) };
}

/// One output stream: a thread reads it through the masker into a
/// `Kept`, shared so that what is decided can be taken even if the
/// stream never ends.
struct Collector {
    kept: Arc<Mutex<Kept>>,
    done: std::sync::mpsc::Receiver<()>,
}

impl Collector {
    fn start(
        pipe: Option<impl Read + Send + 'static>,
        masker: Option<Arc<Masker>>,
        max_bytes: usize,
    ) -> Collector {
        let kept = Arc::new(Mutex::new(Kept::new(max_bytes)));
        let (signal_done, done) = std::sync::mpsc::channel();
        if let Some(pipe) = pipe {
            let kept = Arc::clone(&kept);
            std::thread::spawn(move || {
                copy_masked(pipe, masker, &kept);
                let _ = signal_done.send(());
            });
        }
        Collector { kept, done }
    }

    /// The stream's text once it ends, or after `DRAIN_GRACE`; notes say
    /// what was cut or held back.
    fn finish(self, stream: &str, notes: &mut Vec<String>) -> String {
        let ended = self.done.recv_timeout(DRAIN_GRACE).is_ok()
            || self.done.try_recv() == Err(std::sync::mpsc::TryRecvError::Disconnected);
        let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        if !ended {
            notes.push(format!(
                "{stream}: still open after the program ended (something it started holds it); \
                 its end is not shown"
            ));
        }
        if let Some(cut) = kept.cut() {
            notes.push(format!(
                "{stream}: {cut} of {} bytes cut from the middle (limit {} bytes)",
                kept.total, kept.limit
            ));
        }
        kept.text()
    }
}

/// Reads `pipe` to its end, passing what it reads through `masker` (if
/// any value is long enough to mask) into `kept`.
fn copy_masked(mut pipe: impl Read, masker: Option<Arc<Masker>>, kept: &Mutex<Kept>) {
    let mut stream = masker.map(MaskedStream::new);
    let mut buffer = vec![0; 64 * 1024];
    let mut masked = Vec::new();
    loop {
        let read = match pipe.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => read,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => break,
        };
        let decided = match &mut stream {
            Some(stream) => {
                masked.clear();
                stream.push(&buffer[..read], &mut masked);
                &masked[..]
            }
            None => &buffer[..read],
        };
        kept.lock().unwrap_or_else(|e| e.into_inner()).push(decided);
    }
    if let Some(stream) = &mut stream {
        masked.clear();
        stream.finish(&mut masked);
        kept.lock().unwrap_or_else(|e| e.into_inner()).push(&masked);
    }
}

/// Masked output kept within a limit: its first half and its last half,
/// and how much came in all.
struct Kept {
    limit: usize,
    head: Vec<u8>,
    tail: VecDeque<u8>,
    total: u64,
}

impl Kept {
    fn new(limit: usize) -> Kept {
        Kept {
            limit,
            head: Vec::new(),
            tail: VecDeque::new(),
            total: 0,
        }
    }

    fn push(&mut self, bytes: &[u8]) {
        self.total += bytes.len() as u64;
        let head_room = (self.limit / 2).saturating_sub(self.head.len());
        let (to_head, rest) = bytes.split_at(head_room.min(bytes.len()));
        self.head.extend_from_slice(to_head);
        let tail_limit = self.limit - self.limit / 2;
        let rest = &rest[rest.len().saturating_sub(tail_limit)..];
        self.tail.extend(rest);
        let over = self.tail.len().saturating_sub(tail_limit);
        self.tail.drain(..over);
    }

    /// How many bytes were left out, if any.
    fn cut(&self) -> Option<u64> {
        let shown = (self.head.len() + self.tail.len()) as u64;
        (self.total > shown).then(|| self.total - shown)
    }

    /// The kept bytes as text (invalid UTF-8 replaced), with a marker
    /// where the middle was cut.
    fn text(&self) -> String {
        let mut bytes = self.head.clone();
        if let Some(cut) = self.cut() {
            bytes.extend_from_slice(format!("\n[... {cut} bytes cut ...]\n").as_bytes());
        }
        bytes.extend(self.tail.iter());
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_output_is_its_head_and_tail() {
        let mut kept = Kept::new(10);
        kept.push(b"0123");
        kept.push(b"456789abcdef");
        kept.push(b"XYZ");
        assert_eq!(kept.total, 19);
        assert_eq!(kept.cut(), Some(9));
        assert_eq!(kept.text(), "01234\n[... 9 bytes cut ...]\nefXYZ");
        let mut small = Kept::new(10);
        small.push(b"short");
        assert_eq!(small.cut(), None);
        assert_eq!(small.text(), "short");
    }
}
