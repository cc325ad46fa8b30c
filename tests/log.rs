//! The audit log: every create, update, delete, exec, recipients change and
//! rekey is recorded with its names (and argv[0] for exec), never a value;
//! entries outlive the secrets they name.

mod common;

use common::*;
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
        serde_json::json!(["*"]),
        "the whole vault"
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
