//! exec's usage journal: exec leaves the database alone once its rows are
//! resealed and appends its run to `vault.db-usage` (0600, names and argv[0]
//! only); a command that writes folds the journal into the audit log and the
//! last-used times exactly once (one that only reads shows its runs without
//! folding: see `reading`); exec folds it itself once it is large.
//! Also: vaults in the old WAL mode switch to a rollback journal, and a
//! vault shorter than its header says is refused untouched.

use crate::common::*;
use serde_json::Value;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

fn journal(sb: &Sandbox) -> PathBuf {
    PathBuf::from(format!("{}-usage", sb.vault_path().display()))
}

fn exec_events(sb: &Sandbox) -> Vec<Value> {
    let out = sb.cmd().args(["log", "--json"]).output().unwrap();
    assert_success(&out, "log --json");
    let events: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    events
        .into_iter()
        .filter(|e| e["action"] == "exec")
        .collect()
}

fn exec_true(sb: &Sandbox, extra: &[&str]) {
    let out = sb
        .cmd()
        .arg("exec")
        .args(extra)
        .args(["--", "true"])
        .output()
        .unwrap();
    assert_success(&out, "exec");
}

/// Folds the journal with a command that writes (a description).
fn fold(sb: &Sandbox) {
    sb.cmd()
        .args(["update", "USAGE_ONE", "--description", "folds the journal"])
        .assert()
        .success();
}

/// A vault with two secrets, resealed by a first exec and folded by a write.
fn settled() -> Sandbox {
    let sb = Sandbox::new();
    sb.create("USAGE_ONE", "usage-canary-value-1");
    sb.create("USAGE_TWO", "usage-canary-value-2");
    exec_true(&sb, &[]);
    fold(&sb);
    sb
}

#[test]
fn exec_appends_to_the_journal_and_leaves_the_database_alone() {
    let sb = settled();
    let before = fs::read(sb.vault_path()).unwrap();
    exec_true(&sb, &[]);
    exec_true(&sb, &["--only", "USAGE_TWO"]);
    assert!(
        fs::read(sb.vault_path()).unwrap() == before,
        "exec wrote the database"
    );
    let text = fs::read_to_string(journal(&sb)).unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(
        text.contains("USAGE_TWO") && text.contains("\"*\""),
        "{text}"
    );
    assert!(
        !text.contains("usage-canary-value"),
        "a value in the journal"
    );
    let mode = fs::metadata(journal(&sb)).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "journal mode {mode:o}");
    for suffix in ["-wal", "-shm", "-journal"] {
        let path = format!("{}{suffix}", sb.vault_path().display());
        assert!(!std::path::Path::new(&path).exists(), "{path} left behind");
    }
}

#[test]
fn writing_commands_fold_the_journal_into_log_and_last_use() {
    let sb = settled();
    assert!(sb.show_json("USAGE_TWO")["last_used_time_ms"].is_number());
    let folded = exec_events(&sb).len();
    exec_true(&sb, &["--only", "USAGE_ONE"]);
    exec_true(&sb, &["--only", "USAGE_ONE"]);
    fold(&sb);
    assert_eq!(
        fs::metadata(journal(&sb)).unwrap().len(),
        0,
        "update did not fold the journal"
    );
    let one = sb.show_json("USAGE_ONE");
    let events = exec_events(&sb);
    assert_eq!(events.len(), folded + 2);
    assert_eq!(events[0]["names"], serde_json::json!(["USAGE_ONE"]));
    assert_eq!(events[0]["program"], "true");
    assert_eq!(
        one["last_used_time_ms"], events[0]["time_ms"],
        "last use is the latest exec's time"
    );
}

#[test]
fn a_run_folded_twice_is_recorded_once_and_a_cut_line_is_skipped() {
    let sb = settled();
    exec_true(&sb, &["--only", "USAGE_ONE"]);
    let saved = fs::read(journal(&sb)).unwrap();
    let count = exec_events(&sb).len();
    // As after a crash between the fold's commit and its truncation, plus a
    // run cut off mid-write.
    let mut again = saved.clone();
    again.extend_from_slice(b"{\"id\":\"cut-off\",\"time_ms\":1");
    fold(&sb);
    fs::write(journal(&sb), again).unwrap();
    // Shown once unfolded, and once folded again.
    assert_eq!(exec_events(&sb).len(), count);
    fold(&sb);
    assert_eq!(exec_events(&sb).len(), count);
    assert_eq!(fs::metadata(journal(&sb)).unwrap().len(), 0);
}

#[test]
fn exec_folds_a_large_journal_itself() {
    let sb = settled();
    let before = exec_events(&sb).len();
    let lines: String = (0..800)
        .map(|i| {
            format!(
                "{{\"id\":\"earlier-run-{i:04}\",\"time_ms\":{},\"program\":\"agent\",\"names\":[\"USAGE_ONE\"]}}\n",
                1_700_000_000_000i64 + i
            )
        })
        .collect();
    assert!(lines.len() > 64 * 1024);
    fs::write(journal(&sb), lines).unwrap();
    exec_true(&sb, &[]);
    // Folded before this run was written: only its own line is left.
    let left = fs::read_to_string(journal(&sb)).unwrap();
    assert_eq!(left.lines().count(), 1, "exec left {left:?} in the journal");
    assert!(!left.contains("earlier-run"), "{left}");
    // Counted in the database itself: `log` also shows runs not folded.
    let conn = open_db(&sb.vault_path());
    let recorded: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM events WHERE action = 'exec'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(recorded as usize, before + 800);
}

#[test]
fn a_vault_in_wal_mode_switches_to_a_rollback_journal() {
    let sb = Sandbox::new();
    sb.create("USAGE_ONE", "usage-canary-value-1");
    let mode: String = open_db(&sb.vault_path())
        .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let header = fs::read(sb.vault_path()).unwrap();
    assert_eq!((header[18], header[19]), (2, 2), "WAL mode set");
    sb.cmd().arg("list").assert().success();
    let header = fs::read(sb.vault_path()).unwrap();
    assert_eq!((header[18], header[19]), (1, 1), "still in WAL mode");
    assert_eq!(sb.value_of("USAGE_ONE"), b"usage-canary-value-1");
}

#[test]
fn a_vault_shorter_than_its_header_says_is_refused_untouched() {
    let sb = settled();
    let whole = fs::read(sb.vault_path()).unwrap();
    let cut = &whole[..whole.len() - 1];
    fs::write(sb.vault_path(), cut).unwrap();
    for args in [&["list"][..], &["exec", "--", "true"]] {
        let out = sb.cmd().args(args).output().unwrap();
        let err = stderr(&out);
        assert!(!out.status.success(), "{args:?} on a cut vault");
        assert!(
            err.starts_with("error: ") && err.contains("damaged"),
            "{err}"
        );
        assert_no_panic(&out);
        assert!(
            fs::read(sb.vault_path()).unwrap() == cut,
            "{args:?} changed it"
        );
    }
}
