//! The audit log: every create, update, delete, exec, recipients change and
//! rekey is recorded with its names (and argv[0] for exec), never a value;
//! entries outlive the secrets they name.

use crate::common::*;
use serde_json::Value;

fn log_json(sb: &Sandbox, extra: &[&str]) -> Vec<Value> {
    let out = sb
        .cmd()
        .args(["log", "--json"])
        .args(extra)
        .output()
        .unwrap();
    assert_success(&out, "log --json");
    serde_json::from_slice::<Value>(&out.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn actions(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn every_action_is_recorded_newest_first_and_never_a_value() {
    let sb = Sandbox::new();
    sb.create("API_TOKEN", "log-canary-value-1");
    sb.create("DB_URL", "log-canary-value-2");
    sb.cmd()
        .args(["update", "API_TOKEN"])
        .write_stdin("log-canary-value-3")
        .assert()
        .success();
    sb.cmd()
        .args(["exec", "--", "sh", "-c", "true", "log-canary-argument"])
        .assert()
        .success();
    sb.cmd()
        .args(["exec", "--only", "DB_URL", "--", "true"])
        .assert()
        .success();
    let mate = Sandbox::new();
    mate.init();
    let mate_key = std::fs::read_to_string(mate.identity_path())
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("# public key: ").map(str::to_owned))
        .unwrap();
    sb.cmd()
        .args(["recipients", "add", &mate_key])
        .assert()
        .success();
    sb.cmd()
        .args(["recipients", "remove", &mate_key])
        .assert()
        .success();
    sb.cmd().arg("rekey").assert().success();
    sb.cmd()
        .args(["delete", "--yes", "API_TOKEN"])
        .assert()
        .success();

    let events = log_json(&sb, &[]);
    assert_eq!(
        actions(&events),
        [
            "delete",
            "rekey",
            "recipients remove",
            "recipients add",
            "recipients remove",
            "recipients add",
            "exec",
            "exec",
            "update",
            "create",
            "create",
        ],
        "rekey adds its new key, removes the old one, then says so"
    );
    let times: Vec<i64> = events
        .iter()
        .map(|e| e["time_ms"].as_i64().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");
    assert_eq!(events[0]["names"], serde_json::json!(["API_TOKEN"]));
    assert_eq!(events[6]["names"], serde_json::json!(["DB_URL"]));
    assert_eq!(events[6]["program"], "true");
    assert_eq!(
        events[7]["names"],
        serde_json::json!(["API_TOKEN", "DB_URL"]),
        "the whole vault, by name"
    );
    assert_eq!(events[7]["program"], "sh", "argv[0] only");
    assert_eq!(events[5]["detail"], Value::String(mate_key.clone()));

    let text = stdout(&sb.cmd().arg("log").output().unwrap());
    let json = serde_json::to_string(&events).unwrap();
    for canary in ["log-canary-value", "log-canary-argument"] {
        assert!(
            !text.contains(canary) && !json.contains(canary),
            "{canary} leaked"
        );
    }
    let db = std::fs::read(sb.vault_path()).unwrap();
    assert!(
        !contains_bytes(&db, b"log-canary"),
        "no value or argument in the file"
    );
}

#[test]
fn the_log_filters_by_name_and_limit_and_outlives_deleted_secrets() {
    let sb = Sandbox::new();
    sb.create("KEEP", "keep-value");
    sb.create("GONE", "gone-value");
    sb.cmd()
        .args(["exec", "--only", "KEEP", "--", "true"])
        .assert()
        .success();
    sb.cmd().args(["exec", "--", "true"]).assert().success();
    sb.cmd()
        .args(["delete", "--yes", "GONE"])
        .assert()
        .success();

    let gone = log_json(&sb, &["--name", "gone"]);
    assert_eq!(
        actions(&gone),
        ["delete", "exec", "create"],
        "any case; whole-vault exec included"
    );
    let keep = log_json(&sb, &["--name", "KEEP"]);
    assert_eq!(actions(&keep), ["exec", "exec", "create"]);
    let latest = log_json(&sb, &["--limit", "2"]);
    assert_eq!(actions(&latest), ["delete", "exec"]);
    assert!(log_json(&sb, &["--name", "NEVER_EXISTED"]).is_empty());
}

/// The exec events and every secret's last use, as `log --json` and
/// `list --json` tell them.
fn runs_and_last_uses(sb: &Sandbox) -> (Vec<Value>, Vec<Value>) {
    let runs = log_json(sb, &[])
        .into_iter()
        .filter(|e| e["action"] == "exec")
        .collect();
    let last_uses = sb
        .list_json()
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["last_used_time_ms"].clone())
        .collect();
    (runs, last_uses)
}

#[test]
fn an_exec_whose_program_never_started_is_not_a_run() {
    let sb = Sandbox::new();
    sb.create("RUN_A", "never-started-value-1");
    sb.create("RUN_B", "never-started-value-2");
    let not_executable = sb.root().join("not-executable");
    std::fs::write(&not_executable, "#!/bin/sh\n").unwrap();
    let not_executable = not_executable.to_str().unwrap();
    // (arguments, exit code): not found and not executable, replacing
    // secrets or supervised by it (masking); refused before the launch.
    let attempts: [(&[&str], i32); 5] = [
        (
            &["exec", "--mask", "never", "--", "no-such-program-here"],
            127,
        ),
        (
            &["exec", "--mask", "always", "--", "no-such-program-here"],
            127,
        ),
        (&["exec", "--mask", "never", "--", not_executable], 126),
        (&["exec", "--mask", "always", "--", not_executable], 126),
        (&["exec", "--env-prefix", "LD_", "--", "true"], 125),
    ];
    for (args, code) in attempts {
        let out = sb.cmd().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(code), "{args:?}: {}", stderr(&out));
        let (runs, last_uses) = runs_and_last_uses(&sb);
        assert!(runs.is_empty(), "{args:?} was logged as a run: {runs:?}");
        assert!(
            last_uses.iter().all(Value::is_null),
            "{args:?} set a last use: {last_uses:?}"
        );
    }

    // Programs that start are runs, on both paths, with the names injected.
    for mask in ["never", "always"] {
        sb.cmd()
            .args(["exec", "--mask", mask, "--", "true"])
            .assert()
            .success();
    }
    sb.cmd()
        .args(["exec", "--only", "RUN_B", "--", "false"])
        .assert()
        .code(1);
    let (runs, last_uses) = runs_and_last_uses(&sb);
    let names: Vec<&Value> = runs.iter().map(|r| &r["names"]).collect();
    assert_eq!(
        names,
        [
            &serde_json::json!(["RUN_B"]),
            &serde_json::json!(["RUN_A", "RUN_B"]),
            &serde_json::json!(["RUN_A", "RUN_B"]),
        ],
        "newest first; a program that failed still ran"
    );
    assert!(last_uses.iter().all(Value::is_i64), "{last_uses:?}");
}

#[test]
fn a_large_run_is_abbreviated_in_the_table_and_whole_in_json() {
    let sb = Sandbox::new();
    let names: Vec<String> = (0..8).map(|i| format!("MANY_{i}")).collect();
    for name in &names {
        sb.create(name, format!("abbreviated-value-{name}"));
    }
    sb.cmd().args(["exec", "--", "true"]).assert().success();
    let runs = log_json(&sb, &["--limit", "1"]);
    assert_eq!(runs[0]["names"], serde_json::json!(names));
    let text = stdout(&sb.cmd().args(["log", "--limit", "1"]).output().unwrap());
    assert!(
        text.contains("MANY_0,MANY_1,MANY_2,MANY_3,… (8 secrets)"),
        "{text}"
    );
    assert!(!text.contains("MANY_7"), "{text}");
}

#[test]
fn an_action_this_version_does_not_know_is_shown_as_stored() {
    // A newer version may log an action this one lacks, or a row may be
    // edited by hand: the log still reads, showing the word as stored
    // (escaped), and the row changes nothing about which secrets exist.
    let sb = Sandbox::new();
    sb.create("API_TOKEN", "unknown-action-value");
    open_db(&sb.vault_path())
        .execute_batch(
            "INSERT INTO events (time_ms, action, names)
             SELECT MAX(time_ms), 'token rotated', '[\"API_TOKEN\"]' FROM events;
             INSERT INTO events (time_ms, action, names)
             SELECT MAX(time_ms), 'bell' || char(7), '[]' FROM events;
             INSERT INTO events (time_ms, action, names, program)
             SELECT MAX(time_ms), 'exec', '[\"*\"]', 'true' FROM events;",
        )
        .unwrap();

    let events = log_json(&sb, &[]);
    assert_eq!(
        actions(&events),
        ["exec", "bell\u{7}", "token rotated", "create"],
        "as stored"
    );
    let named = log_json(&sb, &["--name", "api_token"]);
    assert_eq!(
        actions(&named),
        ["exec", "token rotated", "create"],
        "the secret still exists for the whole-vault exec after it"
    );
    let out = sb.cmd().arg("log").output().unwrap();
    assert_success(&out, "log");
    let text = stdout(&out);
    assert!(
        text.lines()
            .any(|l| l.contains(" token rotated ") && l.ends_with(" API_TOKEN")),
        "{text}"
    );
    assert!(
        text.contains(r"bell\x07") && !text.contains('\u{7}'),
        "control characters escaped: {text}"
    );
}

#[test]
fn each_event_says_which_machine_and_the_text_names_only_other_machines() {
    let here = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .unwrap()
        .trim()
        .to_owned();
    let sb = Sandbox::new();
    sb.create("HOST_TOKEN", "host-value-1");
    sb.cmd().args(["exec", "--", "true"]).assert().success();
    // One run still in the usage journal, one folded into the log.
    sb.cmd().args(["exec", "--", "true"]).assert().success();
    let events = log_json(&sb, &[]);
    assert_eq!(actions(&events), ["exec", "exec", "create"]);
    for event in &events {
        assert_eq!(event["host"], Value::String(here.clone()), "{event}");
    }
    sb.cmd()
        .args(["update", "HOST_TOKEN", "-d", "folds the journal"])
        .assert()
        .success();
    assert!(
        log_json(&sb, &[])
            .iter()
            .all(|e| e["host"] == here.as_str())
    );
    let text = stdout(&sb.cmd().arg("log").output().unwrap());
    assert!(
        !text.contains("host="),
        "this machine is not named:\n{text}"
    );

    // An event from another machine (a teammate's Devbox on a shared
    // vault) is named in the text; one from before hosts were recorded
    // has none.
    let conn = open_db(&sb.vault_path());
    conn.execute(
        "UPDATE events SET host = 'devbox-7' WHERE action = 'create'",
        [],
    )
    .unwrap();
    conn.execute(
        "UPDATE events SET host = NULL WHERE action = 'describe'",
        [],
    )
    .unwrap();
    drop(conn);
    let text = stdout(&sb.cmd().arg("log").output().unwrap());
    let create = text.lines().find(|l| l.contains("create")).unwrap();
    assert!(create.ends_with("host=devbox-7"), "{text}");
    let events = log_json(&sb, &[]);
    let describe = events.iter().find(|e| e["action"] == "describe").unwrap();
    assert!(describe["host"].is_null(), "{describe}");
}
