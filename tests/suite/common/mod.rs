//! Shared harness for the integration tests: every test gets its own
//! `Sandbox`, a temp dir holding a fake HOME and XDG_* tree, so the binary
//! never touches the real user's vault or identity and tests can run in
//! parallel. It is not a place for assertions about behaviour: those live in
//! the per-area test files.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use assert_cmd::Command;
use tempfile::TempDir;

mod postgres;
pub use postgres::{PgSchema, can_run_pg};

mod upstream;
pub use upstream::{Call, Reply, TestCa, Upstream, raw, send_all};

/// Variables that would point the binary at something outside the sandbox
/// (or unlock an identity) if inherited from the developer's shell.
const REMOVED_VARS: &[&str] = &[
    "SECRETS_VAULT",
    "SECRETS_IDENTITY",
    "SECRETS_PASSPHRASE",
    "SECRETS_NEW_PASSPHRASE",
    "SECRETS_MASK",
    "SECRETS_GATEWAY_CA",
];

/// A distinct, writable, isolated home for one test.
pub struct Sandbox {
    dir: TempDir,
    /// The vault every command is pointed at (`SECRETS_VAULT`), when it is
    /// not the default file in the sandbox: a PostgreSQL vault's URL.
    vault: Option<String>,
}

impl Sandbox {
    pub fn new() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("secrets-test-")
            .tempdir()
            .expect("create temp dir");
        let sandbox = Sandbox { dir, vault: None };
        for d in [
            sandbox.home(),
            sandbox.data_dir(),
            sandbox.config_dir(),
            sandbox.state_dir(),
            sandbox.cache_dir(),
            sandbox.tmp_dir(),
        ] {
            fs::create_dir_all(&d).expect("create sandbox dir");
        }
        sandbox
    }

    /// A sandbox holding the vault and identity in `tests/fixtures/{name}`
    /// (a vault written by an earlier build).
    pub fn from_fixture(name: &str) -> Self {
        let sandbox = Sandbox::new();
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name);
        fs::create_dir_all(sandbox.vault_dir()).unwrap();
        fs::create_dir_all(sandbox.identity_dir()).unwrap();
        fs::copy(fixture.join("vault.db"), sandbox.vault_path()).unwrap();
        fs::copy(fixture.join("identity.txt"), sandbox.identity_path()).unwrap();
        // Git keeps no 0600 mode; a key file must be private to be used.
        use std::os::unix::fs::PermissionsExt;
        for file in [sandbox.vault_path(), sandbox.identity_path()] {
            fs::set_permissions(file, fs::Permissions::from_mode(0o600)).unwrap();
        }
        sandbox
    }

    /// A sandbox (its own HOME and identity: one machine) whose commands
    /// all use the vault at `url` (`SECRETS_VAULT`), e.g. a `PgSchema`'s.
    pub fn with_vault(url: &str) -> Self {
        let mut sandbox = Sandbox::new();
        sandbox.vault = Some(url.to_owned());
        sandbox
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn home(&self) -> PathBuf {
        self.root().join("home")
    }

    /// XDG_DATA_HOME
    pub fn data_dir(&self) -> PathBuf {
        self.root().join("data")
    }

    /// XDG_CONFIG_HOME
    pub fn config_dir(&self) -> PathBuf {
        self.root().join("config")
    }

    pub fn state_dir(&self) -> PathBuf {
        self.root().join("state")
    }

    pub fn cache_dir(&self) -> PathBuf {
        self.root().join("cache")
    }

    /// TMPDIR, kept inside the sandbox so the leak test also scans temp files.
    pub fn tmp_dir(&self) -> PathBuf {
        self.root().join("tmp")
    }

    pub fn vault_dir(&self) -> PathBuf {
        self.data_dir().join("secrets")
    }

    pub fn vault_path(&self) -> PathBuf {
        self.vault_dir().join("vault.db")
    }

    pub fn identity_dir(&self) -> PathBuf {
        self.config_dir().join("secrets")
    }

    pub fn identity_path(&self) -> PathBuf {
        self.identity_dir().join("identity.txt")
    }

    /// A file that test programs run through `secrets exec` create, to tell
    /// whether they ran at all.
    pub fn marker_path(&self) -> PathBuf {
        self.root().join("marker")
    }

    /// Argument list (after `--`) for a program that creates the marker file.
    pub fn touch_marker_args(&self) -> Vec<String> {
        vec![
            "touch".to_string(),
            self.marker_path().to_str().unwrap().to_string(),
        ]
    }

    /// Point any command (the binary, or `sh` wrapping it) at the sandbox.
    pub fn apply_env(&self, cmd: &mut std::process::Command) {
        cmd.current_dir(self.home())
            .env("HOME", self.home())
            .env("XDG_DATA_HOME", self.data_dir())
            .env("XDG_CONFIG_HOME", self.config_dir())
            .env("XDG_STATE_HOME", self.state_dir())
            .env("XDG_CACHE_HOME", self.cache_dir())
            .env("TMPDIR", self.tmp_dir())
            .env("NO_COLOR", "1");
        for var in REMOVED_VARS {
            cmd.env_remove(var);
        }
        if let Some(vault) = &self.vault {
            cmd.env("SECRETS_VAULT", vault);
        }
    }

    /// A plain `std::process::Command` for the binary, isolated like `cmd()`.
    pub fn std_cmd(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(bin());
        self.apply_env(&mut cmd);
        cmd
    }

    /// The binary, isolated in this sandbox. Stdin is an empty pipe unless
    /// `write_stdin` is used, so the binary never sees a terminal.
    pub fn cmd(&self) -> Command {
        let mut cmd = Command::from_std(self.std_cmd());
        cmd.timeout(Duration::from_secs(60));
        cmd
    }

    /// The binary run through `sh -c 'umask 000; exec ...'`; append the
    /// binary's own arguments with `.arg`/`.args`.
    pub fn cmd_with_umask_000(&self) -> Command {
        let mut sh = std::process::Command::new("sh");
        sh.arg("-c").arg("umask 000; exec \"$0\" \"$@\"").arg(bin());
        self.apply_env(&mut sh);
        let mut cmd = Command::from_std(sh);
        cmd.timeout(Duration::from_secs(60));
        cmd
    }

    pub fn init(&self) -> Output {
        let out = self.cmd().arg("init").output().unwrap();
        assert_success(&out, "secrets init");
        out
    }

    /// Create a secret from piped stdin; asserts success.
    pub fn create(&self, name: &str, value: impl Into<Vec<u8>>) -> Output {
        let out = self
            .cmd()
            .args(["create", name])
            .write_stdin(value)
            .output()
            .unwrap();
        assert_success(&out, &format!("secrets create {name}"));
        out
    }

    pub fn create_with_description(
        &self,
        name: &str,
        description: &str,
        value: impl Into<Vec<u8>>,
    ) -> Output {
        let out = self
            .cmd()
            .args(["create", name, "--description", description])
            .write_stdin(value)
            .output()
            .unwrap();
        assert_success(&out, &format!("secrets create {name} --description"));
        out
    }

    /// `secrets list --json`, parsed; asserts success.
    pub fn list_json(&self) -> serde_json::Value {
        let out = self.cmd().args(["list", "--json"]).output().unwrap();
        assert_success(&out, "secrets list --json");
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "list --json printed invalid JSON ({e}): {}",
                String::from_utf8_lossy(&out.stdout)
            )
        })
    }

    /// Names from `list --json`, in the order printed.
    pub fn names(&self) -> Vec<String> {
        self.list_json()
            .as_array()
            .expect("list --json is an array")
            .iter()
            .map(|s| s["name"].as_str().expect("name is a string").to_string())
            .collect()
    }

    /// `show NAME --json`, parsed; asserts success.
    pub fn show_json(&self, name: &str) -> serde_json::Value {
        let out = self.cmd().args(["show", name, "--json"]).output().unwrap();
        assert_success(&out, &format!("secrets show {name} --json"));
        serde_json::from_slice(&out.stdout).expect("show --json prints JSON")
    }

    /// The value the child of `secrets exec` sees for NAME (which must be
    /// set); asserts that exec succeeds.
    pub fn value_of(&self, name: &str) -> Vec<u8> {
        let script = format!("[ \"${{{name}+set}}\" = set ] || exit 99; printf %s \"${name}\"");
        let out = self
            .cmd()
            .args(["exec", "--mask", "never", "--", "sh", "-c", &script])
            .output()
            .unwrap();
        assert_success(&out, &format!("secrets exec (reading {name})"));
        out.stdout
    }
}

pub fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("secrets")
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn assert_success(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "{what} failed with {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        stdout(out),
        stderr(out)
    );
    assert_no_panic(out);
}

pub fn assert_no_panic(out: &Output) {
    assert!(
        !stderr(out).contains("panicked"),
        "binary panicked:\n{}",
        stderr(out)
    );
}

/// True if `haystack` contains `needle` as a byte substring.
pub fn contains_bytes(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// Every regular file under `dir`, recursively (symlinks are not followed).
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = fs::read_dir(&d) else {
            continue;
        };
        for entry in entries {
            let entry = entry.unwrap();
            let ty = entry.file_type().unwrap();
            if ty.is_dir() {
                stack.push(entry.path());
            } else if ty.is_file() {
                found.push(entry.path());
            }
        }
    }
    found
}

/// Every directory under `dir` (including `dir`), recursively.
pub fn dirs_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = vec![dir.to_path_buf()];
    let mut i = 0;
    while i < found.len() {
        let d = found[i].clone();
        if let Ok(entries) = fs::read_dir(&d) {
            for entry in entries {
                let entry = entry.unwrap();
                if entry.file_type().unwrap().is_dir() {
                    found.push(entry.path());
                }
            }
        }
        i += 1;
    }
    found
}

/// Open a vault file with rusqlite for tampering.
pub fn open_db(path: &Path) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(path).expect("open vault with rusqlite");
    conn.busy_timeout(Duration::from_secs(10)).unwrap();
    conn
}

/// The public key in a sandbox's identity file.
pub fn public_key(sb: &Sandbox) -> String {
    std::fs::read_to_string(sb.identity_path())
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("# public key: "))
        .expect("a public key comment")
        .to_owned()
}

/// Runs the binary in `sb` with `args` and `stdin` piped in.
pub fn run(sb: &Sandbox, args: &[&str], stdin: &str) -> Output {
    let out = sb
        .cmd()
        .args(args)
        .write_stdin(stdin.as_bytes())
        .output()
        .unwrap();
    assert_no_panic(&out);
    out
}

/// Asserts that `out` failed with `code` and said why in one `error:` line
/// (hints aside), printing nothing on stdout. Returns that line.
pub fn one_error(out: &Output, code: i32, what: &str) -> String {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(code), "{what}: stderr:\n{err}");
    assert!(out.stdout.is_empty(), "{what}: stdout: {}", stdout(out));
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error: ")).collect();
    assert_eq!(errors.len(), 1, "{what}: stderr:\n{err}");
    assert!(
        err.lines()
            .all(|l| l.starts_with("error: ") || l.starts_with("hint: ")),
        "{what}: stderr:\n{err}"
    );
    errors[0].to_owned()
}

/// Asserts that `out`, an `exec ... -- touch MARKER` run, was refused before
/// the program ran: exit 125, an `error:` line, no panic, no marker, nothing
/// on stdout, and none of `values` in stderr. Returns stderr.
pub fn assert_exec_refused(sb: &Sandbox, out: &Output, values: &[&str]) -> String {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(125), "stderr:\n{err}");
    assert!(
        err.lines().any(|l| l.starts_with("error: ")),
        "no error line:\n{err}"
    );
    assert_no_panic(out);
    assert!(
        !sb.marker_path().exists(),
        "exec exited 125 but the program ran:\n{err}"
    );
    assert!(out.stdout.is_empty(), "stdout: {}", stdout(out));
    for value in values {
        assert!(!err.contains(value), "a value leaked: {err}");
    }
    err
}

/// Runs `exec OPTIONS -- touch MARKER` and asserts it was refused before
/// the program ran (`assert_exec_refused`). Returns stderr.
pub fn exec_refused(sb: &Sandbox, options: &[&str], values: &[&str]) -> String {
    let out = sb
        .cmd()
        .arg("exec")
        .args(options)
        .arg("--")
        .args(sb.touch_marker_args())
        .output()
        .unwrap();
    assert_exec_refused(sb, &out, values)
}

/// Whether a test that needs `what` (`available`) can run here. Outside CI
/// a missing tool or privilege skips the test with a note; in CI (`CI` set:
/// `.ci/run` installs the tools and runs as root) it fails instead, so no
/// test passes there by skipping.
pub fn can_run(available: bool, what: &str) -> bool {
    assert!(
        available || std::env::var_os("CI").is_none(),
        "this test needs {what}, which CI provides"
    );
    if !available {
        eprintln!("skipped: this test needs {what}");
    }
    available
}

/// Whether `program` is on PATH.
pub fn installed(program: &str) -> bool {
    std::process::Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Whether the tests run as root (needed to give a file to another user).
pub fn is_root() -> bool {
    // SAFETY: geteuid cannot fail and touches no memory.
    unsafe { libc::geteuid() == 0 }
}
