//! The environment `secrets exec` gives the program: passphrases are never
//! passed on (other SECRETS_* are), `--only`/`--except` with unknown names
//! and bad `--env-prefix` values fail with 125 before anything runs,
//! `--clean-env` keeps only a short list (plus `--pass-env`), `--env-prefix`
//! renames the injected variables, an empty vault still runs the program,
//! and a reserved name kept from an earlier build is never injected.

use std::collections::{BTreeMap, BTreeSet};

use crate::common::*;

fn with_secrets() -> Sandbox {
    let sb = Sandbox::new();
    sb.init();
    sb.create("ENV_TOKEN", "zq-env-token-value");
    sb.create("SECOND", "zq-second-value");
    sb
}

/// The program's environment as printed by `env` (values must not contain
/// newlines).
fn parse_env(out: &std::process::Output) -> BTreeMap<String, String> {
    stdout(out)
        .lines()
        .map(|l| {
            let (k, v) = l
                .split_once('=')
                .unwrap_or_else(|| panic!("not NAME=VALUE: {l:?}"));
            (k.to_string(), v.to_string())
        })
        .collect()
}

fn names(env: &BTreeMap<String, String>) -> BTreeSet<&str> {
    env.keys().map(String::as_str).collect()
}

#[test]
fn passphrases_are_removed_other_secrets_vars_pass_through() {
    let sb = with_secrets();
    let vault = sb.vault_path();
    let identity = sb.identity_path();
    // Both paths: masked (secrets stays the parent) and replaced.
    for mask in ["always", "never"] {
        let out = sb
            .cmd()
            .env("SECRETS_PASSPHRASE", "zq-passphrase-do-not-pass")
            .env("SECRETS_NEW_PASSPHRASE", "zq-new-passphrase-do-not-pass")
            .env("SECRETS_VAULT", &vault)
            .env("SECRETS_IDENTITY", &identity)
            .env("SECRETS_SOMETHING_ELSE", "kept")
            .args(["exec", "--mask", mask, "--", "env"])
            .output()
            .unwrap();
        assert_success(&out, &format!("exec --mask {mask} -- env"));
        let env = parse_env(&out);
        assert!(
            !env.contains_key("SECRETS_PASSPHRASE"),
            "--mask {mask}: SECRETS_PASSPHRASE passed to the program"
        );
        assert!(
            !env.contains_key("SECRETS_NEW_PASSPHRASE"),
            "--mask {mask}: SECRETS_NEW_PASSPHRASE passed to the program"
        );
        assert!(
            !stdout(&out).contains("do-not-pass"),
            "--mask {mask}: a passphrase reached the program: {}",
            stdout(&out)
        );
        assert_eq!(
            env.get("SECRETS_VAULT").map(String::as_str),
            Some(vault.to_str().unwrap()),
            "--mask {mask}"
        );
        assert_eq!(
            env.get("SECRETS_IDENTITY").map(String::as_str),
            Some(identity.to_str().unwrap()),
            "--mask {mask}"
        );
        assert_eq!(
            env.get("SECRETS_SOMETHING_ELSE").map(String::as_str),
            Some("kept"),
            "--mask {mask}"
        );
        assert!(env.contains_key("ENV_TOKEN"), "--mask {mask}");
    }
}

#[test]
fn unknown_name_in_only_or_except_exits_125_without_running() {
    let sb = with_secrets();
    for mask in ["auto", "never"] {
        exec_refused(&sb, &["--mask", mask, "--only", "NO_SUCH_SECRET"], &[]);
        exec_refused(&sb, &["--mask", mask, "--only", "ENV_TOKEN,NO_SUCH"], &[]);
        exec_refused(&sb, &["--mask", mask, "--except", "NO_SUCH_SECRET"], &[]);
        exec_refused(
            &sb,
            &["--mask", mask, "--except", "SECOND", "--except", "NOPE"],
            &[],
        );
    }

    // Control: known names run, and select what is injected.
    let out = sb
        .cmd()
        .args([
            "exec",
            "--mask",
            "never",
            "--only",
            "env_token",
            "--",
            "env",
        ])
        .output()
        .unwrap();
    assert_success(&out, "exec --only env_token");
    let env = parse_env(&out);
    assert_eq!(env.get("ENV_TOKEN").unwrap(), "zq-env-token-value");
    assert!(!env.contains_key("SECOND"));

    let out = sb
        .cmd()
        .args([
            "exec",
            "--mask",
            "never",
            "--except",
            "ENV_TOKEN",
            "--",
            "env",
        ])
        .output()
        .unwrap();
    assert_success(&out, "exec --except ENV_TOKEN");
    let env = parse_env(&out);
    assert!(!env.contains_key("ENV_TOKEN"));
    assert_eq!(env.get("SECOND").unwrap(), "zq-second-value");
}

#[test]
fn clean_env_keeps_only_the_short_list_and_the_secrets() {
    let sb = with_secrets();
    let out = sb
        .cmd()
        .env("KEEP_ME_NOT", "1")
        .env("USER", "zq-user")
        .env("LANG", "C.UTF-8")
        .env("TERM", "dumb")
        .env("TZ", "UTC")
        .env("LC_ALL", "C")
        .env("SECRETS_VAULT", sb.vault_path())
        .args(["exec", "--mask", "never", "--clean-env", "--", "env"])
        .output()
        .unwrap();
    assert_success(&out, "exec --clean-env -- env");
    let env = parse_env(&out);
    let expected: BTreeSet<&str> = [
        "PATH",
        "HOME",
        "USER",
        "LANG",
        "TERM",
        "TZ",
        "TMPDIR",
        "ENV_TOKEN",
        "SECOND",
    ]
    .into_iter()
    .collect();
    assert_eq!(names(&env), expected, "env: {env:?}");
    assert_eq!(env["PATH"], std::env::var("PATH").unwrap());
    assert_eq!(env["HOME"], sb.home().to_str().unwrap());
    assert_eq!(env["TMPDIR"], sb.tmp_dir().to_str().unwrap());
    assert_eq!(env["USER"], "zq-user");
    assert_eq!(env["LANG"], "C.UTF-8");
    assert_eq!(env["TERM"], "dumb");
    assert_eq!(env["TZ"], "UTC");
    assert_eq!(env["ENV_TOKEN"], "zq-env-token-value");
    assert_eq!(env["SECOND"], "zq-second-value");

    // Only where set: unset ones are not invented (not even empty).
    let out = sb
        .cmd()
        .env_remove("USER")
        .env_remove("LANG")
        .env_remove("TERM")
        .env_remove("TZ")
        .args(["exec", "--mask", "always", "--clean-env", "--", "env"])
        .output()
        .unwrap();
    assert_success(&out, "exec --clean-env (fewer set) -- env");
    let env = parse_env(&out);
    let expected: BTreeSet<&str> = ["PATH", "HOME", "TMPDIR", "ENV_TOKEN", "SECOND"]
        .into_iter()
        .collect();
    assert_eq!(names(&env), expected, "env: {env:?}");
    // Masked path: the values went through the masker.
    assert_eq!(env["ENV_TOKEN"], "[MASKED:ENV_TOKEN]");

    // Control: without --clean-env the distinctive variable is inherited.
    let out = sb
        .cmd()
        .env("KEEP_ME_NOT", "1")
        .args(["exec", "--", "env"])
        .output()
        .unwrap();
    assert_success(&out, "exec -- env");
    assert_eq!(
        parse_env(&out).get("KEEP_ME_NOT").map(String::as_str),
        Some("1")
    );
}

#[test]
fn pass_env_keeps_named_variables() {
    let sb = with_secrets();
    let out = sb
        .cmd()
        .env("KEEP_ME", "kept-1")
        .env("ALSO_ME", "kept-2")
        .env("AND_ME", "kept-3")
        .env("KEEP_ME_NOT", "1")
        .args([
            "exec",
            "--mask",
            "never",
            "--clean-env",
            "--pass-env",
            "KEEP_ME,ALSO_ME",
            "--pass-env",
            "AND_ME",
            "--",
            "env",
        ])
        .output()
        .unwrap();
    assert_success(&out, "exec --clean-env --pass-env");
    let env = parse_env(&out);
    assert_eq!(env.get("KEEP_ME").map(String::as_str), Some("kept-1"));
    assert_eq!(env.get("ALSO_ME").map(String::as_str), Some("kept-2"));
    assert_eq!(env.get("AND_ME").map(String::as_str), Some("kept-3"));
    assert!(!env.contains_key("KEEP_ME_NOT"), "env: {env:?}");
    assert!(!env.contains_key("XDG_DATA_HOME"), "env: {env:?}");
    assert!(env.contains_key("PATH"));
    assert!(env.contains_key("ENV_TOKEN"));

    // --pass-env means nothing without --clean-env: refused, nothing run.
    let out = sb
        .cmd()
        .args(["exec", "--pass-env", "KEEP_ME", "--"])
        .args(sb.touch_marker_args())
        .output()
        .unwrap();
    assert!(!out.status.success(), "--pass-env without --clean-env ran");
    assert!(!sb.marker_path().exists(), "program ran");
    assert_no_panic(&out);
}

#[test]
fn env_prefix_injects_prefixed_names_only() {
    let sb = with_secrets();
    let out = sb
        .cmd()
        .env_remove("ENV_TOKEN")
        .env_remove("SECOND")
        .args([
            "exec",
            "--mask",
            "never",
            "--env-prefix",
            "APP_",
            "--",
            "env",
        ])
        .output()
        .unwrap();
    assert_success(&out, "exec --env-prefix APP_");
    let env = parse_env(&out);
    assert_eq!(
        env.get("APP_ENV_TOKEN").map(String::as_str),
        Some("zq-env-token-value")
    );
    assert_eq!(
        env.get("APP_SECOND").map(String::as_str),
        Some("zq-second-value")
    );
    assert!(!env.contains_key("ENV_TOKEN"), "bare name injected");
    assert!(!env.contains_key("SECOND"), "bare name injected");

    // With --only (stored names) and --clean-env too.
    let out = sb
        .cmd()
        .args([
            "exec",
            "--mask",
            "never",
            "--clean-env",
            "--only",
            "SECOND",
            "--env-prefix",
            "X_",
            "--",
            "env",
        ])
        .output()
        .unwrap();
    assert_success(&out, "exec --clean-env --only SECOND --env-prefix X_");
    let env = parse_env(&out);
    assert_eq!(
        env.get("X_SECOND").map(String::as_str),
        Some("zq-second-value")
    );
    assert!(!env.contains_key("SECOND"));
    assert!(!env.contains_key("X_ENV_TOKEN"));
    assert!(!env.contains_key("ENV_TOKEN"));
}

#[test]
fn bad_env_prefix_exits_125_without_running() {
    let sb = with_secrets();
    for prefix in ["LD_", "1X", "A-", "SECRETS_", "BASH_FUNC_", "DYLD_"] {
        exec_refused(&sb, &["--env-prefix", prefix], &[]);
        exec_refused(&sb, &["--mask", "never", "--env-prefix", prefix], &[]);
    }
    // Control: an ordinary prefix runs.
    sb.cmd()
        .args(["exec", "--env-prefix", "MY_", "--"])
        .args(sb.touch_marker_args())
        .output()
        .unwrap();
    assert!(sb.marker_path().exists());
}

#[test]
fn empty_vault_runs_the_program_with_a_note() {
    let sb = Sandbox::new();
    sb.init();
    for mask in ["auto", "never"] {
        let _ = std::fs::remove_file(sb.marker_path());
        let script = format!("touch '{}'; echo ran", sb.marker_path().display());
        let out = sb
            .cmd()
            .args(["exec", "--mask", mask, "--", "sh", "-c", &script])
            .output()
            .unwrap();
        assert_success(&out, &format!("exec --mask {mask} on an empty vault"));
        assert!(
            sb.marker_path().exists(),
            "--mask {mask}: program did not run"
        );
        assert_eq!(stdout(&out), "ran\n");
        let err = stderr(&out);
        assert!(
            err.lines().any(|l| l.starts_with("note:")),
            "--mask {mask}: no note on stderr: {err}"
        );
    }

    // Unknown names are still refused, before anything runs.
    let _ = std::fs::remove_file(sb.marker_path());
    exec_refused(&sb, &["--only", "NO_SUCH_SECRET"], &[]);
    exec_refused(&sb, &["--except", "NO_SUCH_SECRET"], &[]);

    // The exit code still passes through.
    sb.cmd()
        .args(["exec", "--", "sh", "-c", "exit 9"])
        .assert()
        .code(9);
}

/// The vault of an earlier build that allowed these names: NODE_OPTIONS and
/// EDITOR (now reserved) and APP_TOKEN, values `fixture-node-options`,
/// `fixture-editor` and `fixture-app-token`.
fn with_reserved_names() -> Sandbox {
    Sandbox::from_fixture("reserved")
}

/// Runs `exec [options] -- touch MARKER`, where NODE_OPTIONS and EDITOR are
/// not inherited; asserts exit 125 before anything ran and returns stderr.
fn refused_by_name(sb: &Sandbox, options: &[&str]) -> String {
    let out = sb
        .cmd()
        .env_remove("NODE_OPTIONS")
        .env_remove("EDITOR")
        .arg("exec")
        .args(options)
        .arg("--")
        .args(sb.touch_marker_args())
        .output()
        .unwrap();
    assert_exec_refused(sb, &out, &["fixture-"])
}

/// The environment `exec [options] -- env` gives the program.
fn env_with(sb: &Sandbox, options: &[&str]) -> BTreeMap<String, String> {
    let out = sb
        .cmd()
        .env_remove("NODE_OPTIONS")
        .env_remove("EDITOR")
        .env_remove("APP_TOKEN")
        .args(["exec", "--mask", "never"])
        .args(options)
        .args(["--", "env"])
        .output()
        .unwrap();
    assert_success(&out, &format!("exec {options:?}"));
    parse_env(&out)
}

#[test]
fn a_stored_reserved_name_is_never_injected() {
    let sb = with_reserved_names();
    for mask in ["auto", "never"] {
        let err = refused_by_name(&sb, &["--mask", mask]);
        let error = err.lines().find(|l| l.starts_with("error: ")).unwrap();
        assert!(
            error.contains("secrets 'NODE_OPTIONS', 'EDITOR' cannot be injected")
                || error.contains("secrets 'EDITOR', 'NODE_OPTIONS' cannot be injected"),
            "{err}"
        );
        assert!(error.contains("change how programs run"), "{err}");
        let hint = err.lines().find(|l| l.starts_with("hint: ")).unwrap();
        assert!(hint.contains("rename them"), "{err}");
        assert!(hint.contains("--except"), "{err}");
    }
    // Chosen alone, in any case: still refused, and named alone.
    let err = refused_by_name(&sb, &["--only", "node_options"]);
    assert!(
        err.contains("error: secret 'NODE_OPTIONS' cannot be injected"),
        "{err}"
    );
    assert!(err.contains("--except NODE_OPTIONS"), "{err}");
    assert!(!err.contains("EDITOR"), "{err}");
    let err = refused_by_name(&sb, &["--except", "NODE_OPTIONS"]);
    assert!(err.contains("secret 'EDITOR'"), "{err}");

    // Left out, the others run; under a prefix it is another name.
    let env = env_with(&sb, &["--except", "NODE_OPTIONS,EDITOR"]);
    assert_eq!(
        env.get("APP_TOKEN").map(String::as_str),
        Some("fixture-app-token")
    );
    assert!(!env.contains_key("NODE_OPTIONS") && !env.contains_key("EDITOR"));
    let env = env_with(&sb, &["--only", "NODE_OPTIONS", "--env-prefix", "OLD_"]);
    assert_eq!(
        env.get("OLD_NODE_OPTIONS").map(String::as_str),
        Some("fixture-node-options")
    );
    assert!(!env.contains_key("NODE_OPTIONS"));
}

#[test]
fn the_refusal_holds_when_exec_reads_its_snapshot() {
    let sb = with_reserved_names();
    let snapshot = std::path::PathBuf::from(format!("{}-exec", sb.vault_path().display()));
    // A run that leaves them out reads the vault and leaves a snapshot of
    // every secret, the reserved ones included.
    env_with(&sb, &["--except", "NODE_OPTIONS,EDITOR"]);
    assert!(snapshot.exists(), "no snapshot was left");
    let before = std::fs::read(&snapshot).unwrap();
    for options in [&[][..], &["--mask", "never"], &["--only", "EDITOR"]] {
        let err = refused_by_name(&sb, options);
        assert!(err.contains("cannot be injected"), "{err}");
    }
    assert!(
        std::fs::read(&snapshot).unwrap() == before,
        "the snapshot was not the one read"
    );
}

#[test]
fn a_vault_keeps_its_reserved_names_for_every_other_command() {
    let sb = with_reserved_names();
    assert_eq!(sb.names(), ["APP_TOKEN", "EDITOR", "NODE_OPTIONS"]);
    assert_eq!(sb.show_json("NODE_OPTIONS")["name"], "NODE_OPTIONS");
    // A new value for it is not a new name.
    sb.cmd()
        .args(["update", "EDITOR"])
        .write_stdin("new-editor-value")
        .assert()
        .success();
    sb.cmd()
        .args(["delete", "NODE_OPTIONS", "--yes"])
        .assert()
        .success();
    sb.cmd()
        .args(["delete", "EDITOR", "--yes"])
        .assert()
        .success();
    assert_eq!(sb.names(), ["APP_TOKEN"]);
    assert_eq!(
        env_with(&sb, &[]).get("APP_TOKEN").map(String::as_str),
        Some("fixture-app-token")
    );
}
