//! `secrets doctor` and `list --stale/--unused`: every rule triggers, a
//! clean vault stays clean. Ages come from options or from times written by
//! the test, never from sleeping.

use crate::common::*;
use serde_json::Value;

const DAY_MS: i64 = 86_400_000;

fn findings(sb: &Sandbox, extra: &[&str]) -> Vec<(String, String)> {
    let out = sb
        .cmd()
        .args(["doctor", "--json"])
        .args(extra)
        .output()
        .unwrap();
    assert_success(&out, "doctor --json");
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    json.as_array()
        .unwrap()
        .iter()
        .map(|f| {
            assert!(f["message"].as_str().is_some_and(|m| !m.is_empty()));
            (
                f["name"].as_str().unwrap().to_owned(),
                f["rule"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn has(found: &[(String, String)], name: &str, rule: &str) -> bool {
    found.iter().any(|(n, r)| n == name && r == rule)
}

/// Moves a secret's times into the past, as if it were `days` old.
fn age(sb: &Sandbox, name: &str, updated_days_ago: i64, used_days_ago: Option<i64>) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    // Folds exec's usage journal into the rows first, as a command that
    // writes would: runs still in the journal count in the last use.
    secrets::vault::Vault::open(&secrets::vault::location::Location::File(sb.vault_path()))
        .unwrap();
    let conn = open_db(&sb.vault_path());
    // Fold the vault's "exec of every secret" time into each row first, so
    // that rewriting this row's times leaves the others' last use alone.
    conn.execute_batch(
        "UPDATE secrets SET last_used_time_ms = (SELECT all_used_time_ms FROM vault)
         WHERE (SELECT all_used_time_ms FROM vault) >= create_time_ms
           AND (SELECT all_used_time_ms FROM vault) > COALESCE(last_used_time_ms, 0);
         UPDATE vault SET all_used_time_ms = NULL;",
    )
    .unwrap();
    conn.execute(
        "UPDATE secrets SET update_time_ms = ?2, create_time_ms = ?2, last_used_time_ms = ?3
         WHERE name = ?1",
        rusqlite::params![
            name,
            now - updated_days_ago * DAY_MS,
            used_days_ago.map(|d| now - d * DAY_MS)
        ],
    )
    .unwrap();
}

#[test]
fn a_clean_vault_stays_clean() {
    let sb = Sandbox::new();
    sb.create_with_description(
        "STRIPE_API_KEY",
        "payments, live, from the dashboard",
        "sk-1",
    );
    sb.create_with_description("GITHUB_DEPLOY_TOKEN", "CI deploys, repo scope", "gh-1");
    sb.cmd().args(["exec", "--", "true"]).assert().success();
    assert!(findings(&sb, &[]).is_empty());
    let out = sb.cmd().args(["doctor", "--strict"]).output().unwrap();
    assert_success(&out, "doctor --strict on a clean vault");
    assert!(stdout(&out).contains("no findings"), "{}", stdout(&out));
}

#[test]
fn every_rule_triggers() {
    let sb = Sandbox::new();
    sb.create_with_description("apiKey", "camel case", "v1");
    sb.create_with_description("TOKEN", "generic", "v2");
    sb.create_with_description("DATABASE_URL_2", "bare number", "v3");
    sb.create("UNDOCUMENTED_SERVICE_KEY", "v4");
    sb.create_with_description("OLD_SERVICE_KEY", "rotated long ago", "v5");
    sb.create_with_description("IDLE_SERVICE_KEY", "used long ago", "v6");
    sb.cmd().args(["exec", "--", "true"]).assert().success();
    age(&sb, "OLD_SERVICE_KEY", 100, Some(1));
    age(&sb, "IDLE_SERVICE_KEY", 40, Some(40));
    sb.create_with_description("NEVER_USED_KEY", "created after the exec", "v7");
    age(&sb, "NEVER_USED_KEY", 40, None);

    let found = findings(&sb, &[]);
    assert!(has(&found, "apiKey", "naming"));
    assert!(has(&found, "TOKEN", "generic-name"));
    assert!(has(&found, "DATABASE_URL_2", "generic-name"));
    assert!(has(&found, "UNDOCUMENTED_SERVICE_KEY", "no-description"));
    assert!(has(&found, "OLD_SERVICE_KEY", "stale"));
    assert!(has(&found, "IDLE_SERVICE_KEY", "unused"));
    assert!(has(&found, "NEVER_USED_KEY", "unused"));
    assert!(!has(&found, "IDLE_SERVICE_KEY", "stale"));
    assert!(!has(&found, "OLD_SERVICE_KEY", "unused"));

    // Exact durations: 0 days flags every secret, 200 none.
    let all = findings(&sb, &["--max-age", "0", "--unused-days", "0"]);
    for name in ["apiKey", "TOKEN", "IDLE_SERVICE_KEY", "NEVER_USED_KEY"] {
        assert!(has(&all, name, "stale"), "{name}");
        assert!(has(&all, name, "unused"), "{name}");
    }
    let lenient = findings(&sb, &["--max-age", "200", "--unused-days", "200"]);
    assert!(!has(&lenient, "OLD_SERVICE_KEY", "stale"));
    assert!(!has(&lenient, "IDLE_SERVICE_KEY", "unused"));
    assert!(
        !has(&lenient, "NEVER_USED_KEY", "unused"),
        "younger than the window: not unused yet"
    );

    let out = sb.cmd().args(["doctor", "--strict"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("OLD_SERVICE_KEY"));
    assert!(stderr(&out).starts_with("error: "));
    sb.cmd().arg("doctor").assert().success();
}

#[test]
fn a_secret_just_created_is_not_unused() {
    let sb = Sandbox::new();
    sb.create_with_description("STRIPE_API_KEY", "payments, live", "sk-1");
    sb.create_with_description("GITHUB_DEPLOY_TOKEN", "CI deploys", "gh-1");
    assert!(findings(&sb, &[]).is_empty(), "{:?}", findings(&sb, &[]));
    let out = sb.cmd().args(["doctor", "--strict"]).output().unwrap();
    assert_success(&out, "doctor --strict right after create");
    let out = sb.cmd().args(["list", "--unused"]).output().unwrap();
    assert!(
        stdout(&out).contains("no secrets match"),
        "{}",
        stdout(&out)
    );

    // Created before the window and never used since: unused.
    age(&sb, "GITHUB_DEPLOY_TOKEN", 31, None);
    let found = findings(&sb, &[]);
    assert_eq!(
        found,
        [("GITHUB_DEPLOY_TOKEN".to_owned(), "unused".to_owned())]
    );
    let out = sb.cmd().args(["doctor"]).output().unwrap();
    assert!(
        stdout(&out).contains("never used by exec since it was created 31 days ago"),
        "{}",
        stdout(&out)
    );
    let out = sb.cmd().args(["doctor", "--strict"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn list_filters_stale_and_unused_with_the_same_rules() {
    let sb = Sandbox::new();
    sb.create_with_description("FRESH_KEY", "d", "v1");
    sb.create_with_description("OLD_KEY", "d", "v2");
    sb.create_with_description("IDLE_KEY", "d", "v3");
    sb.cmd().args(["exec", "--", "true"]).assert().success();
    age(&sb, "OLD_KEY", 100, Some(1));
    age(&sb, "IDLE_KEY", 40, Some(40));
    let names = |args: &[&str]| -> Vec<String> {
        let out = sb
            .cmd()
            .arg("list")
            .arg("--json")
            .args(args)
            .output()
            .unwrap();
        assert_success(&out, "list --json");
        let json: Value = serde_json::from_slice(&out.stdout).unwrap();
        json.as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(names(&["--stale"]), ["OLD_KEY"]);
    assert_eq!(names(&["--unused"]), ["IDLE_KEY"]);
    assert_eq!(names(&["--stale", "--max-age", "0"]).len(), 3);
    assert_eq!(
        names(&["--unused", "--unused-days", "60"]),
        Vec::<String>::new()
    );
    let out = sb
        .cmd()
        .args(["list", "--stale", "--max-age", "1000"])
        .output()
        .unwrap();
    assert!(stdout(&out).contains("no secrets match"));
}

#[test]
fn a_stored_reserved_name_is_reported() {
    // A vault of an earlier build that allowed NODE_OPTIONS and EDITOR.
    let sb = Sandbox::from_fixture("reserved");
    let found = findings(&sb, &[]);
    assert!(has(&found, "NODE_OPTIONS", "reserved-name"), "{found:?}");
    assert!(has(&found, "EDITOR", "reserved-name"), "{found:?}");
    assert!(!has(&found, "APP_TOKEN", "reserved-name"), "{found:?}");
    let out = sb.cmd().args(["doctor", "--strict"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let line = text
        .lines()
        .find(|l| l.starts_with("NODE_OPTIONS") && l.contains("reserved-name"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains("exec refuses to inject it"), "{line}");
    assert!(!text.contains("fixture-"), "a value leaked: {text}");
}
