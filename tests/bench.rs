//! The speed benchmark: not a test, and it asserts nothing about time.
//!
//! Run: `cargo test --release --test bench -- --ignored --nocapture`
//!
//! Builds its own vaults in a temporary directory, then prints one markdown
//! table: each scenario's median and p90 wall time over at least 30 runs
//! (after warm-up), a baseline measured in the same run (launching `true`
//! directly the same way; for exec also with the same variables already in
//! its environment), their ratio and the difference (the overhead).

use secrets::name::SecretName;
use secrets::value::SecretValue;
use secrets::vault::{NewSecret, Vault};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;
use zeroize::Zeroizing;

const RUNS: usize = 30;
const WARMUP: usize = 3;
const SIZES: &[usize] = &[0, 10, 100, 1_000, 10_000];

struct Sandbox {
    _dir: tempfile::TempDir,
    vault: PathBuf,
    identity: PathBuf,
}

impl Sandbox {
    /// A vault holding `count` secrets, all resealed by a first exec.
    fn with_secrets(count: usize) -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        let sandbox = Sandbox {
            vault: dir.path().join("vault.db"),
            identity: dir.path().join("identity.txt"),
            _dir: dir,
        };
        assert!(sandbox.secrets(&["init"]).status().unwrap().success());
        let batch: Vec<NewSecret> = secret_env(count)
            .into_iter()
            .enumerate()
            .map(|(i, (name, value))| NewSecret {
                name: SecretName::parse(&name).unwrap(),
                description: Some(format!("benchmark secret {i}")),
                value: SecretValue::new(Zeroizing::new(value.into_bytes())).unwrap(),
            })
            .collect();
        Vault::open(&sandbox.vault)
            .unwrap()
            .insert_all(&batch)
            .unwrap();
        assert!(
            sandbox
                .secrets(&["exec", "--", "true"])
                .status()
                .unwrap()
                .success()
        );
        sandbox
    }

    fn secrets(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_secrets"));
        command
            .arg("--vault")
            .arg(&self.vault)
            .arg("--identity")
            .arg(&self.identity)
            .args(args);
        quiet(&mut command);
        command
    }
}

/// The benchmark's secrets (made-up values), as name and value.
fn secret_env(count: usize) -> Vec<(String, String)> {
    (0..count)
        .map(|i| {
            (
                format!("BENCH_SECRET_{i:05}"),
                format!("value-{i:05}-0123456789abcdef0123456789"),
            )
        })
        .collect()
}

fn quiet(command: &mut Command) {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
}

fn direct(program: &str) -> Command {
    let mut command = Command::new(program);
    quiet(&mut command);
    command
}

/// Wall times in ms of `runs` runs after `WARMUP` unmeasured ones, sorted.
fn time(runs: usize, mut make: impl FnMut(usize) -> Command) -> Vec<f64> {
    let mut times = Vec::with_capacity(runs);
    for i in 0..WARMUP + runs {
        let mut command = make(i);
        let start = Instant::now();
        let status = command.status().unwrap();
        let elapsed = start.elapsed().as_secs_f64() * 1000.0;
        assert!(status.success(), "benchmark command failed: {command:?}");
        if i >= WARMUP {
            times.push(elapsed);
        }
    }
    times.sort_by(f64::total_cmp);
    times
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank]
}

/// Prints the markdown table, one row per scenario, each against the
/// baseline measured for it in this run.
struct Table;

impl Table {
    fn header() -> Table {
        println!();
        println!(
            "| scenario | secrets | median ms | p90 ms | baseline | baseline median ms | ratio | overhead ms |"
        );
        println!("| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: |");
        Table
    }

    fn row(&self, scenario: &str, size: &str, times: &[f64], baseline: &str, base: &[f64]) {
        let (median, base_median) = (percentile(times, 0.5), percentile(base, 0.5));
        println!(
            "| {scenario} | {size} | {median:.2} | {:.2} | {baseline} | {base_median:.2} | {:.2} | {:+.2} |",
            percentile(times, 0.9),
            median / base_median,
            median - base_median
        );
    }
}

/// Peak resident set of one run of `command`, in KiB (from wait4's rusage).
#[allow(clippy::zombie_processes)] // wait4 reaps it
fn peak_rss_kib(mut command: Command) -> i64 {
    let child = command.spawn().unwrap();
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as libc::pid_t;
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid);
    usage.ru_maxrss
}

fn value_file(dir: &Path) -> PathBuf {
    let path = dir.join("value.txt");
    std::fs::write(&path, "a-new-benchmark-value-0123456789").unwrap();
    path
}

#[test]
#[ignore = "benchmark: run with --release -- --ignored --nocapture"]
fn bench() {
    let baseline = time(RUNS, |_| direct("true"));
    let table = Table::header();
    table.row("`true` directly", "-", &baseline, "`true`", &baseline);
    let floor = time(RUNS, |_| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_secrets"));
        command.arg("--version");
        quiet(&mut command);
        command
    });
    table.row(
        "`secrets --version` (start-up floor)",
        "-",
        &floor,
        "`true`",
        &baseline,
    );
    let mut largest = None;
    for &size in SIZES {
        let sandbox = Sandbox::with_secrets(size);
        let times = time(RUNS, |_| sandbox.secrets(&["exec", "--", "true"]));
        // The fair baseline: `true` started with the same variables already
        // in its environment, which it pays for whoever puts them there.
        let same_env = time(RUNS, |_| {
            let mut command = direct("true");
            command.envs(secret_env(size));
            command
        });
        let n = size.to_string();
        table.row("`secrets exec -- true`", &n, &times, "`true`", &baseline);
        table.row(
            "`secrets exec -- true`",
            &n,
            &times,
            "`true` + same variables",
            &same_env,
        );
        if size == 1_000 {
            let kib = peak_rss_kib(sandbox.secrets(&["exec", "--", "true"]));
            println!(
                "| peak RSS of `secrets exec -- true`: {:.1} MiB | 1000 | | | | | | |",
                kib as f64 / 1024.0
            );
        }
        largest = Some(sandbox);
    }
    let sandbox = largest.unwrap();
    let size = SIZES.last().unwrap().to_string();
    let times = time(RUNS, |_| sandbox.secrets(&["list"]));
    table.row("`secrets list`", &size, &times, "`true`", &baseline);
    let times = time(RUNS, |_| sandbox.secrets(&["list", "--json"]));
    table.row("`secrets list --json`", &size, &times, "`true`", &baseline);
    let value = value_file(sandbox.vault.parent().unwrap());
    let times = time(RUNS, |i| {
        let name = format!("BENCH_NEW_{i}");
        let mut command = sandbox.secrets(&["create", &name, "--from-file"]);
        command.arg(&value);
        command
    });
    table.row(
        "`secrets create` (one more)",
        &size,
        &times,
        "`true`",
        &baseline,
    );
    println!();
    println!(
        "{} runs each after {WARMUP} warm-up runs; wall time of spawn to exit.",
        RUNS
    );
}
