//! The committed scripts in `completions/` must be what `secrets completions`
//! prints. `UPDATE_COMPLETIONS=1 cargo test --test suite completions` rewrites them.

use assert_cmd::Command;
use std::path::Path;

const SHELLS: &[(&str, &str)] = &[
    ("bash", "secrets.bash"),
    ("zsh", "_secrets"),
    ("fish", "secrets.fish"),
    ("powershell", "_secrets.ps1"),
    ("elvish", "secrets.elv"),
];

#[test]
fn committed_completions_are_fresh() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    let update = std::env::var_os("UPDATE_COMPLETIONS").is_some();
    let mut stale = Vec::new();
    for (shell, file) in SHELLS {
        let output = Command::cargo_bin("secrets")
            .unwrap()
            .args(["completions", shell])
            // Completions need no vault or home: prove it.
            .env_remove("HOME")
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        assert!(
            String::from_utf8_lossy(&output).contains("exec"),
            "{shell} script names no subcommand"
        );
        let path = dir.join(file);
        if update {
            std::fs::write(&path, &output).unwrap();
        } else if std::fs::read(&path).ok().as_deref() != Some(output.as_slice()) {
            stale.push(file.to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "completions/{stale:?} differ from `secrets completions`; \
         run `UPDATE_COMPLETIONS=1 cargo test --test suite completions` and commit them"
    );
}

use crate::common::{Sandbox, bin, can_run, installed, stderr};
use std::io::{Read, Write};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// A vault with three names, and no identity: completing names must never
/// need it.
fn vault_without_identity() -> Sandbox {
    let sb = Sandbox::new();
    for (name, value) in [
        ("OPENAI_KEY", "completion-value-1"),
        ("OPS_TOKEN", "completion-value-2"),
        ("DB_URL", "completion-value-3"),
    ] {
        sb.create(name, value);
    }
    std::fs::remove_file(sb.identity_path()).unwrap();
    sb
}

/// `command` run in the sandbox with the binary first on PATH, as a shell's
/// completion would find it.
fn shell(sb: &Sandbox, program: &str) -> std::process::Command {
    let mut cmd = std::process::Command::new(program);
    sb.apply_env(&mut cmd);
    let dir = bin().parent().unwrap().to_owned();
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut paths = vec![dir];
    paths.extend(std::env::split_paths(&path));
    cmd.env("PATH", std::env::join_paths(paths).unwrap());
    cmd
}

fn script_for(sb: &Sandbox, shell_name: &str) -> std::path::PathBuf {
    let out = sb.cmd().args(["completions", shell_name]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let path = sb.root().join(format!("completion.{shell_name}"));
    std::fs::write(&path, &out.stdout).unwrap();
    path
}

/// Runs `shell` (which completes `line`) and asserts it offers `expected`.
fn assert_offers(mut shell: std::process::Command, line: &str, expected: &str) {
    let out = shell.output().unwrap();
    assert!(out.status.success(), "{line}: {}", stderr(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim_end(),
        expected,
        "{line}"
    );
}

#[test]
fn bash_completes_secret_names_without_the_identity() {
    let sb = vault_without_identity();
    let script = script_for(&sb, "bash");
    let vault = sb.vault_path();
    let cases = [
        ("secrets show OP", "OPENAI_KEY OPS_TOKEN"),
        ("secrets update D", "DB_URL"),
        (
            &format!("secrets --vault {} delete ", vault.display()) as &str,
            "DB_URL OPENAI_KEY OPS_TOKEN",
        ),
        ("secrets rename OPS", "OPS_TOKEN"),
        ("secrets exec --only OPENAI_KEY,D", "OPENAI_KEY,DB_URL"),
        ("secrets exec --except O", "OPENAI_KEY OPS_TOKEN"),
        // Not a name's place: clap's own completion answers.
        ("secrets sho", "show"),
    ];
    for (line, expected) in cases {
        // Splits the line as bash would, calls the completion function and
        // prints what it offers.
        let program = format!(
            r#"source {script}
read -ra COMP_WORDS <<< "$LINE"
[[ "$LINE" == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))
_secrets_with_names secrets "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"
printf '%s\n' "${{COMPREPLY[*]}}""#,
            script = script.display()
        );
        let mut bash = shell(&sb, "bash");
        bash.args(["-c", &program]).env("LINE", line);
        assert_offers(bash, line, expected);
    }
}

#[test]
fn fish_completes_secret_names_without_the_identity() {
    if !can_run(installed("fish"), "fish") {
        return;
    }
    let sb = vault_without_identity();
    let script = script_for(&sb, "fish");
    for (line, expected) in [
        ("secrets show OP", "OPENAI_KEY\nOPS_TOKEN"),
        ("secrets exec --only D", "DB_URL"),
    ] {
        let mut fish = shell(&sb, "fish");
        fish.args(["--no-config", "-c"])
            .arg(format!("source {}; complete -C '{line}'", script.display()));
        assert_offers(fish, line, expected);
    }
}

#[test]
fn zsh_completes_secret_names_without_the_identity() {
    if !can_run(installed("zsh") && installed("script"), "zsh and `script`") {
        return;
    }
    let sb = vault_without_identity();
    let script = script_for(&sb, "zsh");
    let functions = sb.root().join("zfunc");
    std::fs::create_dir(&functions).unwrap();
    std::fs::copy(&script, functions.join("_secrets")).unwrap();
    // An interactive zsh in a pseudo-terminal: Tab twice lists the matches.
    let mut child = shell(&sb, "script")
        .args(["-q", "-c", "zsh -f -i", "/dev/null"])
        .env("TERM", "dumb")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let reader = {
        let seen = std::sync::Arc::clone(&seen);
        std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(n @ 1..) = stdout.read(&mut buffer) {
                seen.lock().unwrap().extend_from_slice(&buffer[..n]);
            }
        })
    };
    // Waits (at most 30 s) until what zsh printed after `from` holds `text`.
    let wait_for = |from: usize, text: &str| -> usize {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let now = String::from_utf8_lossy(&seen.lock().unwrap()).into_owned();
            if let Some(at) = now.get(from..).and_then(|rest| rest.find(text)) {
                return from + at + text.len();
            }
            assert!(
                Instant::now() < deadline,
                "zsh never printed {text:?}: {now:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    let setup = format!(
        "fpath=({} $fpath); autoload -U compinit; compinit -u; print READY$((6*7))\n",
        functions.display()
    );
    stdin.write_all(setup.as_bytes()).unwrap();
    let ready = wait_for(0, "READY42");
    stdin.write_all(b"secrets show OP\t\t").unwrap();
    let listed = wait_for(ready, "OPS_TOKEN");
    stdin.write_all(b"\x15exit\n").unwrap();
    drop(stdin);
    let _ = child.wait();
    reader.join().unwrap();
    let transcript = String::from_utf8_lossy(&seen.lock().unwrap()).into_owned();
    let offered = &transcript[ready..listed];
    assert!(
        offered.contains("OPENAI_KEY") && !offered.contains("DB_URL"),
        "zsh offered other names: {offered:?}"
    );
}
