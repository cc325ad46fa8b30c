//! Commands that only read (`list`, `show`, `log`, `doctor`, `import
//! --dry-run`, `recipients list`, `init` on an existing vault) never write
//! the vault: its file stays byte for byte as it was, so exec's snapshot
//! stays current, and the usage journal stays unfolded. They still show
//! every run: those in the journal count in last uses and in the log.

use crate::common::*;
use serde_json::{Value, json};
use std::fs;
use std::path::PathBuf;

fn beside(sb: &Sandbox, suffix: &str) -> PathBuf {
    PathBuf::from(format!("{}{suffix}", sb.vault_path().display()))
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

fn json_of(sb: &Sandbox, args: &[&str]) -> Value {
    let out = sb.cmd().args(args).output().unwrap();
    assert_success(&out, &format!("{args:?}"));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The runs in the journal, oldest first: (time, names).
fn journal_runs(sb: &Sandbox) -> Vec<(i64, Value)> {
    fs::read_to_string(beside(sb, "-usage"))
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap())
        .map(|run| (run["time_ms"].as_i64().unwrap(), run["names"].clone()))
        .collect()
}

/// Two secrets made 40 days ago, a snapshot left by exec, and three runs
/// in the journal: two of every secret, the last of READ_ONE only.
fn with_runs_in_the_journal() -> Sandbox {
    let sb = Sandbox::new();
    sb.create_with_description(
        "READ_ONE",
        "first, for the reading tests",
        "reading-canary-1",
    );
    sb.create_with_description(
        "READ_TWO",
        "second, for the reading tests",
        "reading-canary-2",
    );
    let days_ago = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
        - 40 * 86_400_000;
    open_db(&sb.vault_path())
        .execute(
            "UPDATE secrets SET create_time_ms = ?1, update_time_ms = ?1",
            [days_ago],
        )
        .unwrap();
    exec_true(&sb, &[]);
    exec_true(&sb, &[]);
    exec_true(&sb, &["--only", "READ_ONE"]);
    assert!(beside(&sb, "-exec").exists(), "exec left no snapshot");
    assert_eq!(journal_runs(&sb).len(), 3);
    sb
}

#[test]
fn reading_commands_leave_the_vault_snapshot_and_journal_as_they_were() {
    let sb = with_runs_in_the_journal();
    let files = ["", "-exec", "-usage"].map(|suffix| beside(&sb, suffix));
    let before: Vec<Vec<u8>> = files.iter().map(|f| fs::read(f).unwrap()).collect();
    let commands: &[&[&str]] = &[
        &["list"],
        &["list", "--json"],
        &["list", "--names"],
        &["list", "--unused"],
        &["show", "READ_ONE"],
        &["show", "READ_TWO", "--json"],
        &["log"],
        &["log", "--json"],
        &["log", "--name", "READ_TWO"],
        &["doctor"],
        &["doctor", "--json"],
        &["recipients", "list"],
        &["init"],
        &["import", "--dry-run", "--overwrite", "-"],
    ];
    for args in commands {
        let out = sb
            .cmd()
            .args(*args)
            .write_stdin("READ_ONE=reading-new-value\n")
            .output()
            .unwrap();
        assert_success(&out, &format!("{args:?}"));
        for (file, bytes) in files.iter().zip(&before) {
            assert!(
                fs::read(file).unwrap() == *bytes,
                "{args:?} changed {}",
                file.display()
            );
        }
        for suffix in ["-journal", "-wal", "-shm"] {
            assert!(!beside(&sb, suffix).exists(), "{args:?} left {suffix}");
        }
    }
}

#[test]
fn runs_still_in_the_journal_show_in_last_uses_and_the_log() {
    let sb = with_runs_in_the_journal();
    let runs = journal_runs(&sb);
    let (every, one) = (runs[1].0, runs[2].0);
    assert_eq!(runs[2].1, json!(["READ_ONE"]));

    let listed = json_of(&sb, &["list", "--json"]);
    assert_eq!(listed[0]["last_used_time_ms"], json!(one), "{listed}");
    assert_eq!(listed[1]["last_used_time_ms"], json!(every), "{listed}");
    let shown = json_of(&sb, &["show", "READ_ONE", "--json"]);
    assert_eq!(shown["last_used_time_ms"], json!(one), "{shown}");
    // Used within the window: neither unused nor a doctor finding.
    let unused = json_of(&sb, &["list", "--unused", "--json"]);
    assert_eq!(unused, json!([]));
    assert_eq!(json_of(&sb, &["doctor", "--json"]), json!([]));

    // Newest first; a run of every secret names them, as once folded.
    let log = json_of(&sb, &["log", "--json"]);
    let execs: Vec<&Value> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "exec")
        .collect();
    assert_eq!(execs.len(), 3, "{log}");
    assert_eq!(execs[0]["names"], json!(["READ_ONE"]));
    assert_eq!(execs[0]["time_ms"], json!(one));
    assert_eq!(execs[1]["names"], json!(["READ_ONE", "READ_TWO"]));
    assert_eq!(execs[1]["program"], "true");
    let two = json_of(&sb, &["log", "--name", "READ_TWO", "--json"]);
    assert_eq!(
        two.as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "exec")
            .count(),
        2,
        "{two}"
    );

    // A write folds them: the same log and last uses, from the database.
    sb.cmd()
        .args(["update", "READ_TWO", "--description", "folded now"])
        .assert()
        .success();
    assert_eq!(fs::metadata(beside(&sb, "-usage")).unwrap().len(), 0);
    assert!(!beside(&sb, "-exec").exists(), "a write left the snapshot");
    let relogged = json_of(&sb, &["log", "--json"]);
    assert_eq!(relogged[0]["action"], "describe");
    assert_eq!(
        relogged.as_array().unwrap()[1..],
        log.as_array().unwrap()[..]
    );
    let folded = json_of(&sb, &["list", "--json"]);
    for index in [0, 1] {
        assert_eq!(
            folded[index]["last_used_time_ms"],
            listed[index]["last_used_time_ms"]
        );
    }
}

#[test]
fn a_write_cut_off_by_a_crash_is_rolled_back_for_a_read() {
    // A copy of a vault taken mid-write, as a crash leaves it: the database
    // with its rollback journal, and no process holding the write lock.
    let sb = Sandbox::new();
    sb.create_with_description("READ_ONE", "as committed", "reading-canary-1");
    let crashed = Sandbox::new();
    fs::create_dir_all(crashed.vault_dir()).unwrap();
    let writer = open_db(&sb.vault_path());
    // More changed pages than the cache holds: SQLite syncs the journal and
    // writes some of them into the file before the commit.
    writer
        .execute_batch(
            "PRAGMA cache_size = 1;
             BEGIN IMMEDIATE;
             UPDATE secrets SET description = printf('%.*c', 200000, 'x');",
        )
        .unwrap();
    for suffix in ["", "-journal"] {
        fs::copy(beside(&sb, suffix), beside(&crashed, suffix)).unwrap();
    }
    writer.execute_batch("ROLLBACK").unwrap();
    let listed = json_of(&crashed, &["list", "--json"]);
    assert_eq!(listed[0]["description"], "as committed", "{listed}");
    assert!(!beside(&crashed, "-journal").exists(), "not rolled back");
}
