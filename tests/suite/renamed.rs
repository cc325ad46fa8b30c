//! `exec --env VAR=SECRET`: a secret injected under a variable of the
//! user's choosing (a Devbox's map from variable to secret). Without
//! `--only`/`--except` only the mapped secrets go in; masks keep the stored
//! name; a bad VAR is a usage error (exit 2) and an unknown SECRET is 125,
//! as `--only` does; neither runs the program.

use crate::common::*;

const PASSWORD: &str = "prod-db-password-value";
const OTHER: &str = "other-secret-value";

fn with_two_secrets() -> Sandbox {
    let sb = Sandbox::new();
    sb.init();
    sb.create("PROD_DB_PASSWORD", PASSWORD);
    sb.create("OTHER", OTHER);
    sb
}

/// What `sh -c SCRIPT` prints when run by `exec OPTIONS`, unmasked.
fn printed(sb: &Sandbox, options: &[&str], script: &str) -> String {
    let mut args = vec!["exec", "--mask", "never"];
    args.extend_from_slice(options);
    args.extend_from_slice(&["--", "sh", "-c", script]);
    let out = run(sb, &args, "");
    assert_success(&out, &format!("exec {options:?}"));
    stdout(&out)
}

const SHOW: &str =
    r#"printf '%s|%s|%s' "${DB_PASSWORD-unset}" "${PROD_DB_PASSWORD-unset}" "${OTHER-unset}""#;

#[test]
fn a_mapped_secret_is_injected_under_its_variable_and_alone() {
    let sb = with_two_secrets();
    let out = printed(&sb, &["--env", "DB_PASSWORD=PROD_DB_PASSWORD"], SHOW);
    assert_eq!(out, format!("{PASSWORD}|unset|unset"));
    // The secret is named in any case, as --only names it.
    let out = printed(&sb, &["--env", "DB_PASSWORD=prod_db_password"], SHOW);
    assert_eq!(out, format!("{PASSWORD}|unset|unset"));
}

#[test]
fn with_only_or_except_the_mapping_comes_on_top() {
    let sb = with_two_secrets();
    let out = printed(
        &sb,
        &["--env", "DB_PASSWORD=PROD_DB_PASSWORD", "--only", "OTHER"],
        SHOW,
    );
    assert_eq!(out, format!("{PASSWORD}|unset|{OTHER}"));
    // A secret both mapped and picked by name goes in under both names.
    let out = printed(
        &sb,
        &["--env", "DB_PASSWORD=PROD_DB_PASSWORD", "--except", "OTHER"],
        SHOW,
    );
    assert_eq!(out, format!("{PASSWORD}|{PASSWORD}|unset"));
    // Mapped while left out by --except: under the variable only.
    let out = printed(
        &sb,
        &[
            "--env",
            "DB_PASSWORD=PROD_DB_PASSWORD",
            "--except",
            "PROD_DB_PASSWORD",
        ],
        SHOW,
    );
    assert_eq!(out, format!("{PASSWORD}|unset|{OTHER}"));
}

#[test]
fn masks_name_the_stored_secret_and_the_log_records_it() {
    let sb = with_two_secrets();
    let out = run(
        &sb,
        &[
            "exec",
            "--env",
            "DB_PASSWORD=PROD_DB_PASSWORD",
            "--",
            "sh",
            "-c",
            "printf %s \"$DB_PASSWORD\"",
        ],
        "",
    );
    assert_success(&out, "exec --env, masked");
    assert_eq!(stdout(&out), "[MASKED:PROD_DB_PASSWORD]");
    let log = run(&sb, &["log", "--json", "--limit", "1"], "");
    let events: serde_json::Value = serde_json::from_slice(&log.stdout).unwrap();
    assert_eq!(events[0]["action"], "exec");
    assert_eq!(events[0]["names"], serde_json::json!(["PROD_DB_PASSWORD"]));
}

#[test]
fn a_reserved_stored_name_can_go_in_under_a_variable_of_its_own() {
    // An older version stored NODE_OPTIONS, now reserved: under its own
    // name exec refuses it; mapped to another variable it is harmless.
    let sb = Sandbox::from_fixture("reserved");
    let err = exec_refused(&sb, &["--only", "NODE_OPTIONS"], &[]);
    assert!(err.contains("NODE_OPTIONS"), "{err}");
    let out = run(
        &sb,
        &[
            "exec",
            "--mask",
            "never",
            "--env",
            "MY_NODE_OPTIONS=NODE_OPTIONS",
            "--",
            "sh",
            "-c",
            r#"printf '%s|%s' "${NODE_OPTIONS-unset}" "${MY_NODE_OPTIONS:+set}""#,
        ],
        "",
    );
    assert_success(&out, "exec --env from a reserved stored name");
    assert_eq!(stdout(&out), "unset|set");
}

#[test]
fn a_bad_variable_is_a_usage_error_and_nothing_runs() {
    let sb = with_two_secrets();
    let pasted = "sk-live-0123456789abcdef";
    for (given, says) in [
        ("LD_PRELOAD=OTHER", "reserved"),
        ("SECRETS_VAULT=OTHER", "reserved"),
        ("1BAD=OTHER", "invalid"),
        ("BAD-NAME=OTHER", "invalid"),
        (pasted, "VAR=SECRET"),
        ("DB_PASSWORD=sk-live", "stored secret"),
    ] {
        let out = sb
            .cmd()
            .args(["exec", "--env", given, "--"])
            .args(sb.touch_marker_args())
            .output()
            .unwrap();
        let line = one_error(&out, 2, given);
        assert!(line.contains(says), "{given}: {line}");
        assert!(!sb.marker_path().exists(), "{given}: the program ran");
        assert!(!stderr(&out).contains("sk-live"), "{given}: repeated");
    }
}

#[test]
fn an_unknown_secret_or_a_variable_given_twice_is_refused_before_the_program() {
    let sb = with_two_secrets();
    let err = exec_refused(&sb, &["--env", "DB_PASSWORD=NO_SUCH_SECRET"], &[PASSWORD]);
    assert!(err.contains("NO_SUCH_SECRET"), "{err}");
    for options in [
        vec!["--env", "A=OTHER", "--env", "A=PROD_DB_PASSWORD"],
        vec!["--env", "OTHER=PROD_DB_PASSWORD", "--only", "OTHER"],
    ] {
        let err = exec_refused(&sb, &options, &[PASSWORD, OTHER]);
        assert!(err.contains("injected twice"), "{options:?}: {err}");
    }
    // A refused run is not a use.
    let log = run(&sb, &["log", "--json"], "");
    let events: serde_json::Value = serde_json::from_slice(&log.stdout).unwrap();
    assert!(
        events
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["action"] != "exec"),
        "{events}"
    );
}
