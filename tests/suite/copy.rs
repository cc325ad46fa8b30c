//! `secrets vault copy SOURCE DEST`: a whole vault, as stored, between a
//! file and PostgreSQL in either direction. The copy opens with the same
//! identity and keeps every id, time and log entry; no identity is read; a
//! destination that holds secrets, or is not a vault, is refused untouched;
//! a failure leaves the destination as it was.
//!
//! The PostgreSQL tests use the test server (SECRETS_TEST_PG, by default the
//! local one), each in a schema of its own dropped at the end; they skip when
//! no server answers, except in CI.

use crate::common::*;
use serde_json::Value;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Output;
use std::sync::atomic::{AtomicUsize, Ordering};

const VALUES: [(&str, &str); 3] = [
    ("API_TOKEN", "copy-canary-token-1"),
    ("DB_URL", "copy-canary-db-url-2"),
    ("SIGNING_KEY", "copy-canary-signing-3"),
];

/// A sandbox whose default vault holds `VALUES` (values piped in), with a
/// description, an update, a rename and two `exec` runs still in the usage
/// journal: a history worth copying.
fn populated() -> Sandbox {
    let sb = Sandbox::new();
    sb.create_with_description("API_TOKEN", "CI bot", "copy-canary-old-token");
    sb.cmd()
        .args(["update", "API_TOKEN"])
        .write_stdin(VALUES[0].1)
        .assert()
        .success();
    sb.create("DB_URL", VALUES[1].1);
    sb.create("SIGN_KEY", VALUES[2].1);
    sb.cmd()
        .args(["rename", "SIGN_KEY", "SIGNING_KEY"])
        .assert()
        .success();
    sb.cmd().args(["exec", "--", "true"]).assert().success();
    sb.cmd()
        .args(["exec", "--only", "DB_URL", "--", "true"])
        .assert()
        .success();
    sb
}

/// `secrets --vault VAULT ARGS...`.
fn at(sb: &Sandbox, vault: &str, args: &[&str]) -> Output {
    sb.cmd()
        .arg("--vault")
        .arg(vault)
        .args(args)
        .output()
        .unwrap()
}

fn copy(sb: &Sandbox, source: &str, destination: &str) -> Output {
    sb.cmd()
        .args(["vault", "copy", source, destination])
        .output()
        .unwrap()
}

fn copied(sb: &Sandbox, source: &str, destination: &str) -> String {
    let out = copy(sb, source, destination);
    assert_success(&out, &format!("vault copy {source} {destination}"));
    assert!(out.stdout.is_empty(), "stdout: {}", stdout(&out));
    stderr(&out)
}

/// Asserts `out` failed with exit code `code`: one `error:` line, then one
/// `hint:` line, no panic, nothing on stdout, no value. Returns the error
/// line.
fn refused(out: &Output, code: i32) -> String {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(code), "stderr:\n{err}");
    assert_no_panic(out);
    assert!(out.stdout.is_empty(), "stdout: {}", stdout(out));
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "one error and one hint:\n{err}");
    assert!(lines[0].starts_with("error: "), "{err}");
    assert!(lines[1].starts_with("hint: "), "{err}");
    for (_, value) in VALUES {
        assert!(!err.contains(value), "a value leaked: {err}");
    }
    lines[0].to_owned()
}

fn json(sb: &Sandbox, vault: &str, args: &[&str]) -> Value {
    let out = at(sb, vault, args);
    assert_success(&out, &format!("{args:?} on {vault}"));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn list_json(sb: &Sandbox, vault: &str) -> Value {
    json(sb, vault, &["list", "--json"])
}

fn log_json(sb: &Sandbox, vault: &str) -> Vec<Value> {
    json(sb, vault, &["log", "--json"])
        .as_array()
        .unwrap()
        .clone()
}

/// What `exec` gives the program for every name in `VALUES`, one per line.
fn values_in(sb: &Sandbox, vault: &str) -> String {
    let script = VALUES
        .iter()
        .map(|(name, _)| format!("printf '%s\\n' \"${name}\""))
        .collect::<Vec<_>>()
        .join("; ");
    let out = at(
        sb,
        vault,
        &["exec", "--mask", "never", "--", "sh", "-c", &script],
    );
    assert_success(&out, &format!("exec on {vault}"));
    stdout(&out)
}

fn expected_values() -> String {
    VALUES.iter().map(|(_, v)| format!("{v}\n")).collect()
}

/// The `vault copy` entry a copy from `source` adds, as `log --json` shows
/// it.
fn assert_copy_event(event: &Value, source: &str) {
    assert_eq!(event["action"], "vault copy", "{event}");
    assert_eq!(event["detail"], source, "{event}");
    assert_eq!(event["names"], serde_json::json!([]), "{event}");
}

fn path_text(path: &Path) -> String {
    path.to_str().unwrap().to_owned()
}

/// This machine's pins (`pins.json` beside the default identity).
fn pins(sb: &Sandbox) -> Value {
    let text = fs::read(sb.identity_dir().join("pins.json")).unwrap();
    serde_json::from_slice::<Value>(&text).unwrap()["vaults"].clone()
}

fn canonical(path: &Path) -> String {
    path_text(&fs::canonicalize(path).unwrap())
}

// ---- file to file: runs everywhere ----

#[test]
fn a_file_copy_opens_with_the_same_identity_and_keeps_everything() {
    let sb = populated();
    let source = path_text(&sb.vault_path());
    let list_before = list_json(&sb, &source);
    let log_before = log_json(&sb, &source);
    let dest = sb.root().join("backups").join("nested").join("copy.db");
    let dest_text = path_text(&dest);

    let err = copied(&sb, &source, &dest_text);
    assert_eq!(
        err,
        format!(
            "copied 3 secrets, 1 recipient and {} log entries from {source} to {dest_text}\n",
            log_before.len()
        )
    );

    // Private, in private directories, whatever the umask was.
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dest), 0o600);
    assert_eq!(mode(dest.parent().unwrap()), 0o700);
    assert_eq!(mode(&sb.root().join("backups")), 0o700);
    // No temporary file left beside it.
    assert_eq!(fs::read_dir(dest.parent().unwrap()).unwrap().count(), 1);

    // Same ids, names, descriptions and times (last uses included: the
    // source's journal was moved into it first).
    assert_eq!(list_json(&sb, &dest_text), list_before);
    assert_eq!(list_json(&sb, &source), list_before);
    let log = log_json(&sb, &dest_text);
    assert_eq!(log.len(), log_before.len() + 1);
    assert_copy_event(&log[0], &source);
    assert_eq!(&log[1..], &log_before[..]);
    // The source's own log is unchanged.
    assert_eq!(log_json(&sb, &source), log_before);

    assert_eq!(values_in(&sb, &dest_text), expected_values());
    // The source still works too.
    assert_eq!(values_in(&sb, &source), expected_values());
}

#[test]
fn copying_needs_no_identity() {
    let sb = populated();
    let identity = fs::read(sb.identity_path()).unwrap();
    fs::remove_file(sb.identity_path()).unwrap();
    let dest = path_text(&sb.root().join("copy.db"));
    copied(&sb, &path_text(&sb.vault_path()), &dest);
    // Even with the identity option pointing at nothing.
    let out = sb
        .cmd()
        .args(["--identity", "/nonexistent/identity.txt", "vault", "copy"])
        .arg(&dest)
        .arg(sb.root().join("copy2.db"))
        .output()
        .unwrap();
    assert_success(&out, "vault copy with --identity pointing at nothing");
    fs::write(sb.identity_path(), identity).unwrap();
    fs::set_permissions(sb.identity_path(), fs::Permissions::from_mode(0o600)).unwrap();
    assert_eq!(values_in(&sb, &dest), expected_values());
    assert_eq!(
        values_in(&sb, &path_text(&sb.root().join("copy2.db"))),
        expected_values()
    );
}

#[test]
fn a_file_vault_holding_secrets_is_refused_untouched() {
    let sb = populated();
    let dest = sb.root().join("other.db");
    let dest_text = path_text(&dest);
    sb.cmd()
        .args(["--vault", &dest_text, "create", "OTHER"])
        .write_stdin("other-vault-value")
        .assert()
        .success();
    let before = fs::read(&dest).unwrap();
    let files_before = fs::read_dir(sb.root()).unwrap().count();

    let out = copy(&sb, &path_text(&sb.vault_path()), &dest_text);
    assert_eq!(
        refused(&out, 1),
        format!("error: the vault at {dest_text} already holds 1 secret; nothing was copied")
    );
    assert_eq!(fs::read(&dest).unwrap(), before, "the file changed");
    assert_eq!(fs::read_dir(sb.root()).unwrap().count(), files_before);
    let names: Vec<Value> = list_json(&sb, &dest_text)
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].clone())
        .collect();
    assert_eq!(names, vec![Value::from("OTHER")]);
}

#[test]
fn a_file_that_is_not_a_vault_is_refused_untouched() {
    let sb = populated();
    let dest = sb.root().join("notes.txt");
    fs::write(&dest, "not a vault\n").unwrap();
    let out = copy(&sb, &path_text(&sb.vault_path()), &path_text(&dest));
    let error = refused(&out, 1);
    assert!(error.contains("is not a secrets vault"), "{error}");
    assert!(!stderr(&out).contains("--vault"), "{}", stderr(&out));
    assert_eq!(fs::read_to_string(&dest).unwrap(), "not a vault\n");
}

#[test]
fn an_empty_vault_is_replaced_by_the_copy() {
    let sb = populated();
    let source = path_text(&sb.vault_path());
    let dest = path_text(&sb.root().join("empty.db"));
    // A vault of its own (another id, pinned here), with no secrets.
    assert_success(&at(&sb, &dest, &["init"]), "init");
    let log_before = log_json(&sb, &source);

    let err = copied(&sb, &source, &dest);
    assert!(
        err.starts_with(&format!(
            "note: replaced the empty vault that was at {dest} (1 recipient and 0 log entries)\n"
        )),
        "{err}"
    );
    assert_eq!(list_json(&sb, &dest), list_json(&sb, &source));
    let log = log_json(&sb, &dest);
    assert_copy_event(&log[0], &source);
    assert_eq!(&log[1..], &log_before[..]);
    // Its pin is now the source's: the copy opens without a trust refusal.
    assert_eq!(values_in(&sb, &dest), expected_values());
}

#[test]
fn the_copy_is_pinned_as_its_source_is() {
    let sb = populated();
    let source = sb.vault_path();
    // A pin left at the destination by a vault that is gone.
    let dest = sb.root().join("reused.db");
    assert_success(&at(&sb, &path_text(&dest), &["init"]), "init");
    fs::remove_file(&dest).unwrap();

    // A pinned source: the copy gets the same pin.
    copied(&sb, &path_text(&source), &path_text(&dest));
    let pinned = pins(&sb);
    assert_eq!(pinned[canonical(&dest)], pinned[canonical(&source)]);
    assert!(pinned[canonical(&dest)]["key_id"].is_string());

    // An unpinned source: the destination's stale pin is removed, so the
    // next command there trusts what it finds, as on a first use.
    let again = sb.root().join("again.db");
    assert_success(&at(&sb, &path_text(&again), &["init"]), "init");
    fs::remove_file(&again).unwrap();
    let mut file: Value =
        serde_json::from_slice(&fs::read(sb.identity_dir().join("pins.json")).unwrap()).unwrap();
    file["vaults"]
        .as_object_mut()
        .unwrap()
        .remove(&canonical(&source));
    fs::write(
        sb.identity_dir().join("pins.json"),
        serde_json::to_vec(&file).unwrap(),
    )
    .unwrap();
    copied(&sb, &path_text(&source), &path_text(&again));
    assert!(pins(&sb).get(canonical(&again)).is_none(), "{}", pins(&sb));
    assert_eq!(values_in(&sb, &path_text(&again)), expected_values());
}

#[test]
fn a_failed_copy_to_a_new_file_leaves_no_file() {
    let sb = populated();
    // A source damaged by hand: two names that differ only in case, which
    // no vault can hold. The copy fails on the second insert.
    let damaged = sb.root().join("damaged.db");
    fs::copy(sb.vault_path(), &damaged).unwrap();
    {
        let db = open_db(&damaged);
        db.execute_batch(
            "DROP INDEX secrets_name;
             UPDATE secrets SET name = 'db_url' WHERE name = 'SIGNING_KEY';",
        )
        .unwrap();
    }
    let dir = sb.root().join("new");
    let dest = dir.join("copy.db");
    let out = copy(&sb, &path_text(&damaged), &path_text(&dest));
    let error = refused(&out, 1);
    assert!(error.starts_with(&format!("error: cannot copy to {}", dest.display())));
    assert!(stderr(&out).contains("hint: nothing was copied"));
    assert!(!dest.exists());
    assert_eq!(fs::read_dir(&dir).unwrap().count(), 0, "a file was left");
}

#[test]
fn a_missing_source_is_refused() {
    let sb = Sandbox::new();
    let missing = path_text(&sb.root().join("missing.db"));
    let dest = sb.root().join("copy.db");
    let out = copy(&sb, &missing, &path_text(&dest));
    assert_eq!(refused(&out, 1), format!("error: no vault at {missing}"));
    assert!(!dest.exists());
}

#[test]
fn copying_a_vault_onto_itself_is_refused() {
    let sb = populated();
    let source = path_text(&sb.vault_path());
    let before = fs::read(sb.vault_path()).unwrap();
    let out = copy(&sb, &source, &source);
    let error = refused(&out, 2);
    assert!(error.contains("the same vault"), "{error}");
    // Through a symbolic link too.
    let link = sb.root().join("link.db");
    std::os::unix::fs::symlink(sb.vault_path(), &link).unwrap();
    refused(&copy(&sb, &source, &path_text(&link)), 2);
    assert_eq!(fs::read(sb.vault_path()).unwrap(), before);
}

// ---- PostgreSQL ----

/// A schema of its own on the test server, dropped when the test ends.
struct Schema {
    client: postgres::Client,
    base: String,
    name: String,
}

impl Schema {
    /// A fresh schema name (nothing is created), or `None` (skip) when no
    /// server answers outside CI.
    fn new() -> Option<Schema> {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let base = std::env::var("SECRETS_TEST_PG")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
        let client = postgres::Client::connect(&base, postgres::NoTls);
        if !can_run(client.is_ok(), "a PostgreSQL server (SECRETS_TEST_PG)") {
            return None;
        }
        let name = format!(
            "copy_test_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let mut schema = Schema {
            client: client.unwrap(),
            base,
            name,
        };
        schema.sql(&format!("DROP SCHEMA IF EXISTS {} CASCADE", schema.name));
        Some(schema)
    }

    /// The vault's URL: the test server, this schema.
    fn url(&self) -> String {
        let sep = if self.base.contains('?') { '&' } else { '?' };
        format!("{}{sep}schema={}", self.base, self.name)
    }

    /// `url` with `password` in it (the test server trusts every
    /// connection, so any password works).
    fn url_with_password(&self, password: &str) -> String {
        let url = self.url();
        let (scheme, rest) = url.split_once("://").unwrap();
        let (user, host) = rest.split_once('@').unwrap();
        let user = user.split(':').next().unwrap();
        format!("{scheme}://{user}:{password}@{host}")
    }

    /// How the binary names the vault (without a password), as its refusal
    /// to copy the vault onto itself says it.
    fn shown(&self) -> String {
        let out = Sandbox::new()
            .cmd()
            .args(["vault", "copy", &self.url(), &self.url()])
            .output()
            .unwrap();
        let err = stderr(&out);
        err.split_once("same vault (")
            .and_then(|(_, rest)| rest.split_once(')'))
            .map(|(shown, _)| shown.to_owned())
            .unwrap_or_else(|| panic!("no shown URL in: {err}"))
    }

    fn sql(&mut self, sql: &str) {
        self.client
            .batch_execute(sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    fn exists(&mut self) -> bool {
        self.client
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)",
                &[&self.name],
            )
            .unwrap()
            .get(0)
    }

    fn tables(&mut self) -> Vec<String> {
        self.client
            .query(
                "SELECT table_name::text FROM information_schema.tables
                 WHERE table_schema = $1 ORDER BY 1",
                &[&self.name],
            )
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect()
    }

    /// Every row of every table in the schema, as JSON text, sorted.
    fn dump(&mut self) -> Vec<String> {
        let mut rows = Vec::new();
        for table in self.tables() {
            let sql = format!(
                "SELECT row_to_json(t)::text FROM {}.{table} t ORDER BY 1",
                self.name
            );
            for row in self.client.query(&sql, &[]).unwrap() {
                rows.push(format!("{table}: {}", row.get::<_, String>(0)));
            }
        }
        rows
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        let _ = self
            .client
            .batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name));
    }
}

#[test]
fn file_to_postgres_to_file_keeps_everything() {
    let Some(schema) = Schema::new() else {
        return;
    };
    let sb = populated();
    let source = path_text(&sb.vault_path());
    let pg = schema.url();
    let shown = schema.shown();
    let list_before = list_json(&sb, &source);
    let log_before = log_json(&sb, &source);

    let err = copied(&sb, &source, &pg);
    assert_eq!(
        err,
        format!(
            "copied 3 secrets, 1 recipient and {} log entries from {source} to {shown}\n",
            log_before.len()
        )
    );
    let back = path_text(&sb.root().join("back.db"));
    let err = copied(&sb, &pg, &back);
    assert_eq!(
        err,
        format!(
            "copied 3 secrets, 1 recipient and {} log entries from {shown} to {back}\n",
            log_before.len() + 1
        )
    );

    for copy in [&pg, &back] {
        assert_eq!(list_json(&sb, copy), list_before, "list of {copy}");
    }
    let log = log_json(&sb, &pg);
    assert_copy_event(&log[0], &source);
    assert_eq!(&log[1..], &log_before[..]);
    let log = log_json(&sb, &back);
    assert_copy_event(&log[0], &shown);
    assert_copy_event(&log[1], &source);
    assert_eq!(&log[2..], &log_before[..]);

    for copy in [&pg, &back] {
        assert_eq!(values_in(&sb, copy), expected_values(), "exec on {copy}");
    }
    // Pinned as the source is.
    let pinned = pins(&sb);
    let source_pin = &pinned[canonical(&sb.vault_path())];
    assert_eq!(&pinned[canonical(Path::new(&back))], source_pin);
    let pg_pin = pinned
        .as_object()
        .unwrap()
        .iter()
        .find(|(key, _)| key.ends_with(&format!("schema={}", schema.name)))
        .map(|(_, pin)| pin.clone())
        .expect("the PostgreSQL copy is pinned");
    assert_eq!(pg_pin["vault_id"], source_pin["vault_id"]);
    assert_eq!(pg_pin["key_id"], source_pin["key_id"]);
}

#[test]
fn a_postgres_vault_holding_secrets_is_refused_untouched() {
    let Some(mut schema) = Schema::new() else {
        return;
    };
    let sb = populated();
    let pg = schema.url();
    assert_success(&at(&sb, &pg, &["init"]), "init");
    sb.cmd()
        .args(["--vault", &pg, "create", "OTHER"])
        .write_stdin("other-vault-value")
        .assert()
        .success();
    let before = schema.dump();
    let out = copy(&sb, &path_text(&sb.vault_path()), &pg);
    assert_eq!(
        refused(&out, 1),
        format!(
            "error: the vault at {} already holds 1 secret; nothing was copied",
            schema.shown()
        )
    );
    assert_eq!(schema.dump(), before);
}

#[test]
fn an_empty_postgres_vault_is_replaced_by_the_copy() {
    let Some(schema) = Schema::new() else {
        return;
    };
    let sb = populated();
    let pg = schema.url();
    assert_success(&at(&sb, &pg, &["init"]), "init");
    let err = copied(&sb, &path_text(&sb.vault_path()), &pg);
    assert!(err.starts_with("note: replaced the empty vault"), "{err}");
    assert_eq!(
        list_json(&sb, &pg),
        list_json(&sb, &path_text(&sb.vault_path()))
    );
    assert_eq!(values_in(&sb, &pg), expected_values());
}

#[test]
fn a_failed_copy_to_postgres_leaves_the_schema_as_it_was() {
    let Some(mut schema) = Schema::new() else {
        return;
    };
    let sb = populated();
    let source = path_text(&sb.vault_path());
    let pg = schema.url();

    // A new vault whose tables cannot all be made: a table of another
    // shape is in the way. The tables made before it go too.
    schema.sql(&format!(
        "CREATE SCHEMA {0}; CREATE TABLE {0}.events (note TEXT);
         INSERT INTO {0}.events VALUES ('kept');",
        schema.name
    ));
    let before = schema.dump();
    let error = refused(&copy(&sb, &source, &pg), 1);
    assert!(error.contains("\"events\" already exists"), "{error}");
    assert_eq!(schema.tables(), ["events"]);
    assert_eq!(schema.dump(), before);

    // An empty vault whose log refuses every new entry: the copy fails
    // after its rows were replaced, and they come back.
    schema.sql(&format!("DROP SCHEMA {} CASCADE", schema.name));
    assert_success(&at(&sb, &pg, &["init"]), "init");
    schema.sql(&format!(
        "CREATE FUNCTION {0}.refuse() RETURNS trigger LANGUAGE plpgsql
             AS $$ BEGIN RAISE EXCEPTION 'the log is closed'; END $$;
         CREATE TRIGGER closed BEFORE INSERT ON {0}.events
             FOR EACH ROW EXECUTE FUNCTION {0}.refuse();",
        schema.name
    ));
    let before = schema.dump();
    let out = copy(&sb, &source, &pg);
    let error = refused(&out, 1);
    assert!(error.contains("the log is closed"), "{error}");
    assert!(stderr(&out).contains("hint: nothing was copied"));
    assert_eq!(schema.dump(), before);
}

#[test]
fn a_failed_copy_to_a_new_schema_makes_no_schema() {
    let Some(mut schema) = Schema::new() else {
        return;
    };
    let sb = populated();
    let damaged = sb.root().join("damaged.db");
    fs::copy(sb.vault_path(), &damaged).unwrap();
    open_db(&damaged)
        .execute_batch(
            "DROP INDEX secrets_name;
             UPDATE secrets SET name = 'db_url' WHERE name = 'SIGNING_KEY';",
        )
        .unwrap();
    let error = refused(&copy(&sb, &path_text(&damaged), &schema.url()), 1);
    assert!(error.contains("secrets_name"), "{error}");
    assert!(!schema.exists(), "the schema was left behind");
}

#[test]
fn a_missing_postgres_source_is_refused() {
    let Some(mut schema) = Schema::new() else {
        return;
    };
    let sb = Sandbox::new();
    let dest = sb.root().join("copy.db");
    let out = copy(&sb, &schema.url(), &path_text(&dest));
    assert_eq!(
        refused(&out, 1),
        format!("error: no vault at {}", schema.shown())
    );
    assert!(!dest.exists());
    assert!(!schema.exists());
}

#[test]
fn the_same_postgres_vault_spelled_otherwise_is_refused() {
    let Some(mut schema) = Schema::new() else {
        return;
    };
    let sb = populated();
    copied(&sb, &path_text(&sb.vault_path()), &schema.url());
    let before = schema.dump();
    let other_spelling = schema
        .url_with_password("pw")
        .replacen("postgres://", "postgresql://", 1);
    refused(&copy(&sb, &schema.url(), &other_spelling), 2);
    assert_eq!(schema.dump(), before);
}

#[test]
fn a_password_in_a_url_is_never_shown() {
    let Some(schema) = Schema::new() else {
        return;
    };
    const PASSWORD: &str = "copy-pw-Zq81x";
    let sb = populated();
    let pg = schema.url_with_password(PASSWORD);
    let back = path_text(&sb.root().join("back.db"));
    let runs = [
        copy(&sb, &path_text(&sb.vault_path()), &pg),
        copy(&sb, &pg, &back),
        // Refused: the destination holds secrets now.
        copy(&sb, &path_text(&sb.vault_path()), &pg),
        copy(&sb, &pg, &pg),
    ];
    for out in &runs {
        let printed = format!("{}{}", stdout(out), stderr(out));
        assert!(
            !printed.contains(PASSWORD),
            "the password was shown: {printed}"
        );
        assert!(printed.contains(&schema.shown()), "{printed}");
    }
    for vault in [&schema.url(), &back] {
        let log = at(&sb, vault, &["log", "--json"]);
        assert!(!stdout(&log).contains(PASSWORD), "{}", stdout(&log));
    }
    let pins = fs::read_to_string(sb.identity_dir().join("pins.json")).unwrap();
    assert!(!pins.contains(PASSWORD));
}

#[test]
fn help_says_what_is_copied() {
    let sb = Sandbox::new();
    let out = sb.cmd().args(["vault", "copy", "--help"]).output().unwrap();
    assert_success(&out, "vault copy --help");
    let help = stdout(&out);
    for needed in [
        "no identity",
        "all or nothing",
        "holds any secret",
        "Examples:",
    ] {
        assert!(
            help.to_lowercase().contains(&needed.to_lowercase()),
            "{needed}:\n{help}"
        );
    }
}
