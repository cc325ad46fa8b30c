//! The environment `secrets exec` gives the program: passphrases are never
//! passed on (other SECRETS_* are), `--only`/`--except` with unknown names
//! and bad `--env-prefix` values fail with 125 before anything runs,
//! `--clean-env` keeps only a short list (plus `--pass-env`), `--env-prefix`
//! renames the injected variables, and an empty vault still runs the program.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{Sandbox, assert_no_panic, assert_success, stderr, stdout};

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

/// Runs `exec [options] -- touch MARKER`; asserts exit 125 with an error
/// line and that the program did not run.
fn assert_125_not_run(sb: &Sandbox, options: &[&str]) {
    let out = sb
        .cmd()
        .arg("exec")
        .args(options)
        .arg("--")
        .args(sb.touch_marker_args())
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(125), "exec {options:?}: {err}");
    assert!(err.lines().any(|l| l.starts_with("error: ")), "{err}");
    assert!(
        !sb.marker_path().exists(),
        "exec {options:?} exited 125 but the program ran"
    );
    assert_no_panic(&out);
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
        assert_125_not_run(&sb, &["--mask", mask, "--only", "NO_SUCH_SECRET"]);
        assert_125_not_run(&sb, &["--mask", mask, "--only", "ENV_TOKEN,NO_SUCH"]);
        assert_125_not_run(&sb, &["--mask", mask, "--except", "NO_SUCH_SECRET"]);
        assert_125_not_run(
            &sb,
            &["--mask", mask, "--except", "SECOND", "--except", "NOPE"],
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
        assert_125_not_run(&sb, &["--env-prefix", prefix]);
        assert_125_not_run(&sb, &["--mask", "never", "--env-prefix", prefix]);
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
    assert_125_not_run(&sb, &["--only", "NO_SUCH_SECRET"]);
    assert_125_not_run(&sb, &["--except", "NO_SUCH_SECRET"]);

    // The exit code still passes through.
    sb.cmd()
        .args(["exec", "--", "sh", "-c", "exit 9"])
        .assert()
        .code(9);
}
