//! `rekey` never strands a vault: the identity keeps the keys it replaced
//! (marked `# retired:`), every command still decrypts with them, a vault
//! that opens only with a retired key says so and `rekey` on it moves it to
//! the current key without making another, and `rekey --drop-retired`
//! removes retired keys only once no vault it knows of still uses one.

use crate::common::*;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

const PASSPHRASE: &str = "rekey two vaults passphrase";

/// Two vaults sharing the sandbox's identity: the default one holding
/// `DEFAULT_TOKEN`, and `other.db` holding `OTHER_TOKEN`.
struct TwoVaults {
    sb: Sandbox,
    other: PathBuf,
    /// SECRETS_PASSPHRASE for every command, when the identity has one.
    passphrase: Option<&'static str>,
}

impl TwoVaults {
    fn new(passphrase: Option<&'static str>) -> TwoVaults {
        let sb = Sandbox::new();
        let other = sb.root().join("other.db");
        let vaults = TwoVaults {
            sb,
            other,
            passphrase,
        };
        vaults.run(None, &["init"], passphrase.map(|_| "--passphrase"));
        vaults.run(Some(&vaults.other), &["init"], None);
        vaults.create(None, "DEFAULT_TOKEN", "default-value");
        vaults.create(Some(&vaults.other), "OTHER_TOKEN", "other-value");
        vaults
    }

    /// `secrets [--vault VAULT] ARGS [EXTRA]`, with the passphrase if any.
    fn output(&self, vault: Option<&Path>, args: &[&str], extra: Option<&str>) -> Output {
        let mut cmd = self.sb.cmd();
        if let Some(vault) = vault {
            cmd.arg("--vault").arg(vault);
        }
        cmd.args(args).args(extra);
        if let Some(passphrase) = self.passphrase {
            cmd.env("SECRETS_PASSPHRASE", passphrase);
        }
        cmd.output().unwrap()
    }

    fn run(&self, vault: Option<&Path>, args: &[&str], extra: Option<&str>) -> Output {
        let out = self.output(vault, args, extra);
        assert_success(&out, &format!("secrets {args:?} on {vault:?}"));
        out
    }

    fn create(&self, vault: Option<&Path>, name: &str, value: &str) {
        let mut cmd = self.sb.cmd();
        if let Some(vault) = vault {
            cmd.arg("--vault").arg(vault);
        }
        let out = cmd
            .args(["create", name])
            .write_stdin(value)
            .output()
            .unwrap();
        assert_success(&out, &format!("create {name}"));
    }

    /// `exec` printing NAME from `vault`: asserts the value, returns stderr.
    fn exec_prints(&self, vault: Option<&Path>, name: &str, value: &str) -> String {
        let args = ["exec", "--mask", "never", "--", "printenv", name];
        let out = self.run(vault, &args, None);
        assert_eq!(stdout(&out), format!("{value}\n"), "{name} from {vault:?}");
        stderr(&out)
    }

    /// The vault's recipients: each line's key, without the comment or
    /// `(yours)` that follow it.
    fn recipients(&self, vault: Option<&Path>) -> Vec<String> {
        let out = self.run(vault, &["recipients", "list"], None);
        stdout(&out)
            .lines()
            .filter_map(|line| line.split_whitespace().next())
            .map(str::to_owned)
            .collect()
    }

    fn identity(&self) -> Vec<u8> {
        fs::read(self.sb.identity_path()).unwrap()
    }

    /// The current key (the first public key) of an unprotected identity.
    fn current_key(&self) -> String {
        first_public_key(&self.sb)
    }
}

/// The first public key in the sandbox's (unprotected) identity file.
fn first_public_key(sb: &Sandbox) -> String {
    fs::read_to_string(sb.identity_path())
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("# public key: "))
        .expect("a public key comment")
        .to_owned()
}

/// The hint that moves `vault` to the current key.
fn move_hint(vault: &Path) -> String {
    format!(
        "hint: move it to your current key: secrets --vault {} rekey",
        vault.display()
    )
}

#[test]
fn two_vaults_rekey_one_and_both_still_run_exec() {
    let v = TwoVaults::new(None);
    // Each vault leaves exec's snapshot, sealed under the key of that time.
    for _ in 0..2 {
        v.exec_prints(None, "DEFAULT_TOKEN", "default-value");
        v.exec_prints(Some(&v.other), "OTHER_TOKEN", "other-value");
    }
    let old_key = v.current_key();

    v.run(None, &["rekey"], None);

    let new_key = v.current_key();
    assert_ne!(new_key, old_key, "rekey made no new key");
    let text = String::from_utf8(v.identity()).unwrap();
    let retired_block = format!("# public key: {old_key}");
    let retired_at = text.find(&retired_block).expect("the old key is kept");
    assert!(
        text[..retired_at]
            .lines()
            .last()
            .unwrap()
            .starts_with("# retired: "),
        "the old key is not marked retired"
    );
    assert_eq!(text.matches("AGE-SECRET-KEY-1").count(), 2);
    assert_eq!(v.recipients(None), std::slice::from_ref(&new_key));
    assert_eq!(v.recipients(Some(&v.other)), std::slice::from_ref(&old_key));

    // Both vaults still run exec; the one not moved says so, every time
    // (its old snapshot no longer opens, and it gets no new one).
    let err = v.exec_prints(None, "DEFAULT_TOKEN", "default-value");
    assert!(!err.contains("retired"), "the rekeyed vault warns:\n{err}");
    for _ in 0..2 {
        let err = v.exec_prints(Some(&v.other), "OTHER_TOKEN", "other-value");
        assert!(
            err.contains("note: the vault at") && err.contains("retired key"),
            "no note about the retired key:\n{err}"
        );
        assert!(
            err.contains(&move_hint(&v.other)),
            "no hint to move it:\n{err}"
        );
    }
    // What the README said to do, and what failed before: adding a key.
    let mate = Sandbox::new();
    mate.init();
    let mate_key = first_public_key(&mate);
    let out = v.run(Some(&v.other), &["recipients", "add", &mate_key], None);
    assert!(
        stderr(&out).contains(&move_hint(&v.other)),
        "{}",
        stderr(&out)
    );

    // rekey on the other vault moves it: no new key this time.
    let identity_before = v.identity();
    v.run(Some(&v.other), &["rekey"], None);
    assert_eq!(v.identity(), identity_before, "a move changed the identity");
    let mut recipients = v.recipients(Some(&v.other));
    recipients.sort();
    let mut expected = vec![new_key.clone(), mate_key];
    expected.sort();
    assert_eq!(recipients, expected, "retired key dropped, others kept");
    let err = v.exec_prints(Some(&v.other), "OTHER_TOKEN", "other-value");
    assert!(
        !err.contains("retired"),
        "still warns after the move:\n{err}"
    );

    // Every vault moved: the retired key can go, and both still open.
    let out = v.run(Some(&v.other), &["rekey", "--drop-retired"], None);
    let err = stderr(&out);
    assert!(
        err.contains(&format!("dropped retired key {old_key}")),
        "{err}"
    );
    assert!(
        err.contains("cannot know"),
        "does not say what it cannot know:\n{err}"
    );
    let text = String::from_utf8(v.identity()).unwrap();
    assert!(!text.contains(&old_key) && !text.contains("# retired:"));
    assert_eq!(v.current_key(), new_key);
    v.exec_prints(None, "DEFAULT_TOKEN", "default-value");
    v.exec_prints(Some(&v.other), "OTHER_TOKEN", "other-value");
}

#[test]
fn rekey_again_on_a_moved_vault_makes_a_new_key() {
    let v = TwoVaults::new(None);
    let first = v.current_key();
    v.run(None, &["rekey"], None);
    let second = v.current_key();
    v.run(None, &["rekey"], None);
    let third = v.current_key();
    assert!(first != second && second != third && first != third);
    let text = String::from_utf8(v.identity()).unwrap();
    assert_eq!(text.matches("# retired: ").count(), 2, "two keys retired");
    assert_eq!(v.recipients(None), [third]);
    // The other vault, two keys behind, still opens and moves in one step.
    v.exec_prints(Some(&v.other), "OTHER_TOKEN", "other-value");
    v.run(Some(&v.other), &["rekey"], None);
    assert_eq!(v.current_key(), v.recipients(Some(&v.other))[0]);
}

#[test]
fn drop_retired_refuses_while_a_known_vault_uses_a_retired_key() {
    let v = TwoVaults::new(None);
    // Rekey the other vault: the default one is left on the retired key.
    v.run(Some(&v.other), &["rekey"], None);
    let before = v.identity();

    for vault in [Some(v.other.as_path()), None] {
        let out = v.output(vault, &["rekey", "--drop-retired"], None);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{vault:?}: {err}");
        assert_no_panic(&out);
        assert!(
            err.starts_with(&format!(
                "error: the vault at {} is still encrypted to the retired key",
                v.sb.vault_path().display()
            )),
            "{vault:?}: {err}"
        );
        assert!(err.contains(&move_hint(&v.sb.vault_path())), "{err}");
        assert_eq!(v.identity(), before, "the identity changed");
    }
    v.exec_prints(None, "DEFAULT_TOKEN", "default-value");

    // Nothing retired: nothing to do.
    v.run(None, &["rekey"], None);
    v.run(None, &["rekey", "--drop-retired"], None);
    let out = v.run(None, &["rekey", "--drop-retired"], None);
    assert!(stderr(&out).contains("nothing changed"), "{}", stderr(&out));
}

#[test]
fn a_protected_identity_keeps_its_passphrase_and_its_retired_keys() {
    let v = TwoVaults::new(Some(PASSPHRASE));
    v.run(None, &["rekey"], None);
    let text = String::from_utf8(v.identity()).unwrap();
    assert!(text.starts_with("-----BEGIN AGE ENCRYPTED FILE-----"));
    assert!(!text.contains("AGE-SECRET-KEY-1"));
    let err = v.exec_prints(Some(&v.other), "OTHER_TOKEN", "other-value");
    assert!(err.contains(&move_hint(&v.other)), "{err}");
    v.run(Some(&v.other), &["rekey"], None);
    v.run(None, &["rekey", "--drop-retired"], None);
    let text = String::from_utf8(v.identity()).unwrap();
    assert!(text.starts_with("-----BEGIN AGE ENCRYPTED FILE-----"));
    v.exec_prints(None, "DEFAULT_TOKEN", "default-value");
    v.exec_prints(Some(&v.other), "OTHER_TOKEN", "other-value");
}
