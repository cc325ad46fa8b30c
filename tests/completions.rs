//! The committed scripts in `completions/` must be what `secrets completions`
//! prints. `UPDATE_COMPLETIONS=1 cargo test --test completions` rewrites them.

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
         run `UPDATE_COMPLETIONS=1 cargo test --test completions` and commit them"
    );
}
