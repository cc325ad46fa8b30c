//! What a secret name may be: the character set and length limit, reserved
//! names that would hijack the child's environment, case-insensitive
//! uniqueness, and the hint given for names that are not UPPER_SNAKE.

use crate::common::{Sandbox, assert_no_panic, stderr};
use predicates::prelude::*;

fn initialized() -> Sandbox {
    let sb = Sandbox::new();
    sb.init();
    sb
}

#[test]
fn invalid_names_are_refused_with_an_explanation() {
    let sb = initialized();
    for name in [
        "1ABC",
        "A-B",
        "A B",
        "A.B",
        "",
        "É_KEY",
        "KEY=1",
        "A$B",
        "BASH_FUNC_x%%",
        "name/x",
        "TAB\tNAME",
    ] {
        let out = sb
            .cmd()
            .args(["create", name])
            .write_stdin("some-value")
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(2),
            "name {name:?}: {}",
            stderr(&out)
        );
        let err = stderr(&out);
        assert!(
            err.lines()
                .any(|l| l.starts_with("error: invalid secret name")),
            "name {name:?}: {err}"
        );
        assert!(
            err.contains("letter") || err.contains("underscore"),
            "name {name:?}: message should explain valid names: {err}"
        );
        assert!(!err.contains("some-value"), "value echoed: {err}");
        assert_no_panic(&out);
    }
    assert_eq!(sb.list_json(), serde_json::json!([]));
}

#[test]
fn length_limit_is_256() {
    let sb = initialized();
    let ok = format!("A{}", "_".repeat(255));
    let too_long = format!("A{}", "B".repeat(256));
    assert_eq!(ok.len(), 256);
    assert_eq!(too_long.len(), 257);

    sb.cmd()
        .args(["create", &too_long])
        .write_stdin("v")
        .assert()
        .code(2)
        .stderr(predicate::str::is_match("(?m)^error: invalid secret name").unwrap());
    assert_eq!(sb.list_json(), serde_json::json!([]));

    sb.create(&ok, "v256");
    assert_eq!(sb.names(), std::slice::from_ref(&ok));
    assert_eq!(sb.value_of(&ok), b"v256");
}

#[test]
fn reserved_names_are_refused_in_any_case() {
    let sb = initialized();
    for name in [
        "PATH",
        "path",
        "Path",
        "LD_PRELOAD",
        "LD_LIBRARY_PATH",
        "ld_preload",
        "DYLD_INSERT_LIBRARIES",
        "IFS",
        "BASH_ENV",
        "ENV",
        "env",
        "BASH_FUNC_FOO",
        "PS4",
        "SHELLOPTS",
        "SECRETS_VAULT",
        "SECRETS_IDENTITY",
        "SECRETS_PASSPHRASE",
        "secrets_vault",
        "SECRETS_ANYTHING",
    ] {
        let out = sb
            .cmd()
            .args(["create", name])
            .write_stdin("reserved-value")
            .output()
            .unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "name {name}: {err}");
        assert!(err.contains("reserved"), "name {name}: {err}");
        assert!(
            err.lines().any(|l| l.starts_with("error: ")),
            "name {name}: {err}"
        );
        assert!(!err.contains("reserved-value"), "value echoed: {err}");
        assert_no_panic(&out);
    }
    assert_eq!(sb.list_json(), serde_json::json!([]));
}

#[test]
fn runtime_hooks_launchers_and_basic_context_are_refused() {
    let sb = initialized();
    for (name, family) in [
        ("NODE_OPTIONS", "runtimes"),
        ("node_options", "runtimes"),
        ("NODE_PATH", "runtimes"),
        ("PYTHONPATH", "runtimes"),
        ("PYTHONSTARTUP", "runtimes"),
        ("PERL5OPT", "runtimes"),
        ("RUBYOPT", "runtimes"),
        ("JAVA_TOOL_OPTIONS", "runtimes"),
        ("GCONV_PATH", "loader"),
        ("GLIBC_TUNABLES", "loader"),
        ("PROMPT_COMMAND", "shell"),
        ("ZDOTDIR", "shell"),
        ("GIT_SSH_COMMAND", "program to run"),
        ("GIT_CONFIG_KEY_0", "program to run"),
        ("EDITOR", "program to run"),
        ("PAGER", "program to run"),
        ("Visual", "program to run"),
        ("HOME", "basic context"),
        ("SHELL", "basic context"),
        ("TMPDIR", "basic context"),
        ("USER", "basic context"),
        ("LC_ALL", "basic context"),
        ("XDG_CONFIG_HOME", "basic context"),
    ] {
        let out = sb
            .cmd()
            .args(["create", name])
            .write_stdin("hook-value")
            .output()
            .unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "name {name}: {err}");
        assert!(
            err.lines().any(|l| l.starts_with("error: ")
                && l.contains(&format!("'{name}' is reserved"))
                && l.contains(family)),
            "name {name}: {err}"
        );
        assert!(!err.contains("hook-value"), "value echoed: {err}");
        assert_no_panic(&out);
    }
    assert_eq!(sb.list_json(), serde_json::json!([]));
}

#[test]
fn ordinary_secret_names_near_reserved_ones_are_fine() {
    let sb = initialized();
    let names = [
        "GITHUB_TOKEN",
        "DATABASE_URL",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "NODE_ENV",
        "NPM_TOKEN",
        "PYPI_TOKEN",
        "USERNAME",
        "HOMEBREW_GITHUB_API_TOKEN",
        "EDITOR_API_KEY",
    ];
    for name in names {
        sb.create(name, format!("v-{name}"));
    }
    assert_eq!(sb.names().len(), names.len());
}

#[test]
fn names_that_only_look_reserved_are_fine() {
    let sb = initialized();
    // Prefix matches only: these are ordinary names.
    for name in [
        "PATHS",
        "MY_PATH",
        "ENVIRONMENT",
        "SECRETSVAULT",
        "LDAP_URL",
        "IFS_X",
    ] {
        sb.create(name, format!("v-{name}"));
    }
    assert_eq!(sb.names().len(), 6);
}

#[test]
fn duplicate_names_differing_in_case_exit_4_with_update_hint() {
    let sb = initialized();
    sb.create("API_KEY", "original");

    for dup in ["api_key", "API_KEY", "Api_Key"] {
        sb.cmd()
            .args(["create", dup])
            .write_stdin("intruder")
            .assert()
            .code(4)
            .stderr(predicate::str::contains("already exists"))
            .stderr(predicate::str::is_match("(?m)^hint:.*update").unwrap())
            .stderr(predicate::str::is_match("(?m)^error: ").unwrap())
            .stderr(predicate::str::contains("intruder").not())
            .stderr(predicate::str::contains("original").not());
    }
    assert_eq!(sb.names(), ["API_KEY"]);
    assert_eq!(sb.value_of("API_KEY"), b"original");
}

#[test]
fn lowercase_names_are_accepted_with_an_upper_snake_hint() {
    let sb = initialized();
    for (name, upper) in [
        ("apiKey", "API_KEY"),
        ("db_url", "DB_URL"),
        ("myToken2", "MY_TOKEN2"),
    ] {
        let out = sb
            .cmd()
            .args(["create", name])
            .write_stdin(format!("value-{name}"))
            .output()
            .unwrap();
        let err = stderr(&out);
        assert!(out.status.success(), "create {name}: {err}");
        assert!(
            err.lines()
                .any(|l| l.starts_with("hint:") && l.contains(upper)),
            "create {name}: expected a hint line naming {upper}: {err}"
        );
        assert!(err.contains(&format!("created secret '{name}'")), "{err}");
        assert_no_panic(&out);
    }
    let names = sb.names();
    assert_eq!(names.len(), 3, "{names:?}");
    for name in ["apiKey", "db_url", "myToken2"] {
        assert!(
            names.iter().any(|n| n.eq_ignore_ascii_case(name)),
            "{name} missing from {names:?}"
        );
    }
}

#[test]
fn upper_snake_names_get_no_hint() {
    let sb = initialized();
    let out = sb
        .cmd()
        .args(["create", "GOOD_NAME"])
        .write_stdin("v")
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = stderr(&out);
    assert_eq!(
        err.lines()
            .filter(|l| !l.trim().is_empty())
            .collect::<Vec<_>>(),
        ["created secret 'GOOD_NAME'"],
        "stderr should be exactly one line: {err}"
    );
}

#[test]
fn a_value_typed_where_a_name_belongs_is_never_repeated() {
    // `secrets create "$TOKEN"` with the name forgotten, and the like: the
    // errors (which CI logs keep) must not print the token.
    let token = "sk-live-canary/0123456789:abcdef";
    let sb = Sandbox::new();
    sb.create("REAL_NAME", "real-value-1234");
    let attempts: [&[&str]; 6] = [
        &["create", token],
        &["update", token],
        &["show", token],
        &["delete", "--yes", token],
        &["rename", token, "OTHER"],
        &["exec", "--only", token, "--", "true"],
    ];
    for args in attempts {
        let out = sb
            .cmd()
            .args(args)
            .write_stdin("piped-value-5678")
            .output()
            .unwrap();
        assert!(!out.status.success(), "{args:?}");
        assert_no_panic(&out);
        for stream in [
            stderr(&out),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        ] {
            assert!(!stream.contains("canary"), "{args:?} repeated it: {stream}");
        }
    }
}
