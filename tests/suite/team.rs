//! A team's vault in PostgreSQL (`--vault postgres://...?schema=NAME`),
//! through the real binary against a real server: every command behaves as
//! on a file vault, several machines (sandboxes with identities of their
//! own) share one vault, names stay unique in any case across them, writes
//! are all or nothing, and a newer schema is left alone. Each test has a
//! schema of its own (`PgSchema`); without a server the tests skip, except
//! in CI, where they fail.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Child, Output, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use crate::common::*;
use secrets::vault::Identity;
use secrets::vault::crypto::{self, DataKey};

/// Spawns `secrets create NAME` in `sb`; the value is written to its stdin
/// later (`release`), so that several can start at once.
fn spawn_create(sb: &Sandbox, name: &str) -> Child {
    sb.std_cmd()
        .args(["create", name])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn secrets create")
}

fn release(child: &mut Child, value: &str) {
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(value.as_bytes()).unwrap();
}

/// Commands that need an existing vault, with their stdin and the exit
/// code of a refusal (exec's own 125).
fn commands_needing_a_vault(dotenv: &str) -> Vec<(Vec<&str>, &'static str, i32)> {
    vec![
        (vec!["list"], "", 1),
        (vec!["list", "--json"], "", 1),
        (vec!["show", "TOKEN"], "", 1),
        (vec!["create", "TOKEN"], "token-value", 1),
        (vec!["update", "TOKEN"], "token-value", 1),
        (vec!["rename", "TOKEN", "OTHER"], "", 1),
        (vec!["delete", "TOKEN", "--yes"], "", 1),
        (vec!["import", dotenv], "", 1),
        (vec!["log"], "", 1),
        (vec!["doctor"], "", 1),
        (vec!["recipients", "list"], "", 1),
        (vec!["exec", "--", "true"], "", 125),
    ]
}

#[test]
fn init_creates_the_vault_once_and_nothing_else_creates_it() {
    if !can_run_pg() {
        return;
    }
    let missing = PgSchema::new();
    let empty = PgSchema::new();
    empty
        .client()
        .batch_execute(&format!("CREATE SCHEMA \"{}\"", empty.name()))
        .unwrap();
    for (schema, what) in [(&missing, "no schema"), (&empty, "an empty schema")] {
        let sb = Sandbox::with_vault(&schema.url());
        let dotenv = sb.root().join("import.env");
        std::fs::write(&dotenv, "IMPORTED=imported-value\n").unwrap();
        for (args, stdin, code) in commands_needing_a_vault(dotenv.to_str().unwrap()) {
            let out = run(&sb, &args, stdin);
            let line = one_error(&out, code, &format!("{args:?} on {what}"));
            assert_eq!(
                line,
                format!("error: no vault at {}", schema.url()),
                "{args:?}"
            );
            assert!(!stderr(&out).contains("token-value"));
        }
        assert_eq!(schema.exists(), schema.name() == empty.name(), "{what}");
        assert_eq!(schema.tables(), Vec::<String>::new(), "{what}");
        assert!(!sb.identity_path().exists(), "{what}: an identity was made");
        assert!(files_under(&sb.data_dir()).is_empty(), "{what}");
    }

    for schema in [&missing, &empty] {
        let sb = Sandbox::with_vault(&schema.url());
        let out = sb.init();
        assert_eq!(
            stdout(&out),
            format!(
                "identity: {} (created)\nvault: {} (created)\n",
                sb.identity_path().display(),
                schema.url()
            )
        );
        assert_eq!(
            schema.tables(),
            ["events", "recipients", "secrets", "vault"]
        );
        assert_eq!(
            schema.number("SELECT schema_version FROM vault"),
            i64::from(secrets::vault::store::postgres::SCHEMA_VERSION)
        );
        let recipients: Vec<String> = schema
            .client()
            .query("SELECT recipient FROM recipients", &[])
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        assert_eq!(recipients, [public_key(&sb)]);
        assert!(files_under(&sb.data_dir()).is_empty(), "no file vault");

        // Again: it says the vault is there and changes nothing.
        sb.create("TOKEN", "token-value");
        let before = schema.rows();
        let out = sb.init();
        assert_eq!(
            stdout(&out),
            format!(
                "identity: {} (using existing)\nvault: {} (using existing)\n",
                sb.identity_path().display(),
                schema.url()
            )
        );
        assert_eq!(schema.rows(), before);
        assert_eq!(sb.value_of("TOKEN"), b"token-value");
    }
}

/// Makes a command's output comparable between two vaults: ids, times and
/// the sandbox's and vault's places replaced by placeholders.
fn normalize(text: &str, sb: &Sandbox, vault: &str) -> String {
    let text = text
        .replace(vault, "<VAULT>")
        .replace(sb.root().to_str().unwrap(), "<ROOT>");
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let rest: String = chars[i..chars.len().min(i + 20)].iter().collect();
        if is_rfc3339(&rest) {
            out.push_str("<TIME>");
            i += 20;
        } else if rest.starts_with("sec_") {
            out.push_str("sec_<ID>");
            i += 4;
            while i < chars.len() && chars[i].is_ascii_alphanumeric() {
                i += 1;
            }
        } else if chars[i].is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            if i - start >= 10 {
                out.push_str("<MS>");
            } else {
                out.extend(&chars[start..i]);
            }
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// `2026-11-30T17:27:41Z`
fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 20
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            19 => *c == b'Z',
            _ => c.is_ascii_digit(),
        })
}

/// What one step of `session` printed and returned, normalized.
#[derive(Debug, PartialEq)]
struct Step {
    args: String,
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// A user's session, the same on any vault: every command, successes and
/// refusals. `vault` is how messages name the vault.
fn session(sb: &Sandbox, vault: &str) -> Vec<Step> {
    let dotenv = sb.root().join("team.env");
    std::fs::write(
        &dotenv,
        "# from the old .env\nIMPORTED_ONE=imported-one\nIMPORTED_TWO=\"imported two\"\n",
    )
    .unwrap();
    let dotenv = dotenv.to_str().unwrap().to_owned();
    let show_env = "env | grep -E '^(API_TOKEN|DATABASE_URL|NEW_NAME)=' | sort";
    let steps: Vec<(Vec<&str>, &str)> = vec![
        (vec!["init"], ""),
        (vec!["create", "API_TOKEN", "-d", "CI bot"], "token-one"),
        (vec!["create", "DATABASE_URL"], "postgres://app:pw@db/app"),
        (vec!["create", "OLD_NAME", "-d", "to rename"], "old-value"),
        (vec!["create", "api_token"], "other-token"),
        (vec!["list"], ""),
        (vec!["list", "--json"], ""),
        (vec!["list", "--names"], ""),
        (vec!["show", "API_TOKEN"], ""),
        (vec!["show", "api_token", "--json"], ""),
        (vec!["update", "API_TOKEN"], "token-two"),
        (
            vec!["update", "DATABASE_URL", "-d", "the app's database"],
            "",
        ),
        (vec!["rename", "OLD_NAME", "NEW_NAME"], ""),
        (vec!["rename", "NEW_NAME", "database_url"], ""),
        (
            vec![
                "exec",
                "--mask",
                "never",
                "--",
                "sh",
                "-c",
                "printf '%s|%s|%s|%s' \"$API_TOKEN\" \"$DATABASE_URL\" \"$NEW_NAME\" \"${OLD_NAME-unset}\"",
            ],
            "",
        ),
        (
            vec![
                "exec",
                "--mask",
                "never",
                "--only",
                "API_TOKEN",
                "--",
                "sh",
                "-c",
                show_env,
            ],
            "",
        ),
        (
            vec![
                "exec",
                "--mask",
                "never",
                "--except",
                "API_TOKEN",
                "--",
                "sh",
                "-c",
                show_env,
            ],
            "",
        ),
        (
            vec!["exec", "--", "sh", "-c", "echo \"token: $API_TOKEN\""],
            "",
        ),
        (vec!["import", &dotenv], ""),
        (vec!["import", &dotenv], ""),
        (
            vec![
                "exec",
                "--mask",
                "never",
                "--",
                "sh",
                "-c",
                "printf '%s|%s' \"$IMPORTED_ONE\" \"$IMPORTED_TWO\"",
            ],
            "",
        ),
        (vec!["delete", "NEW_NAME", "--yes"], ""),
        (vec!["show", "NEW_NAME"], ""),
        (vec!["update", "MISSING"], "x"),
        (vec!["exec", "--only", "MISSING", "--", "true"], ""),
        (vec!["list"], ""),
        (vec!["list", "--json"], ""),
        (vec!["show", "API_TOKEN"], ""),
        (vec!["log"], ""),
        (vec!["log", "--json"], ""),
        (vec!["log", "--name", "API_TOKEN"], ""),
        (vec!["doctor"], ""),
        (vec!["doctor", "--json"], ""),
    ];
    steps
        .into_iter()
        .map(|(args, stdin)| {
            let out = run(sb, &args, stdin);
            Step {
                args: args.join(" ").replace(&dotenv, "<DOTENV>"),
                code: out.status.code(),
                stdout: normalize(&stdout(&out), sb, vault),
                stderr: normalize(&stderr(&out), sb, vault),
            }
        })
        .collect()
}

#[test]
fn every_command_on_postgres_says_what_it_says_on_a_file_vault() {
    if !can_run_pg() {
        return;
    }
    let file = Sandbox::new();
    let on_file = session(&file, file.vault_path().to_str().unwrap());
    let schema = PgSchema::new();
    let pg = Sandbox::with_vault(&schema.url());
    let on_pg = session(&pg, &schema.url());
    for (f, p) in on_file.iter().zip(&on_pg) {
        assert_eq!(
            f, p,
            "`secrets {}` differs (left: file, right: PostgreSQL)",
            f.args
        );
    }
    assert_eq!(on_file.len(), on_pg.len());

    // The same outcomes, and the right ones: spot checks on PostgreSQL.
    let step = |args: &str| {
        on_pg
            .iter()
            .find(|s| s.args == args)
            .unwrap_or_else(|| panic!("no step {args}"))
    };
    assert_eq!(step("create api_token").code, Some(4));
    assert_eq!(step("rename NEW_NAME database_url").code, Some(4));
    assert_eq!(step("show NEW_NAME").code, Some(3));
    assert_eq!(step("update MISSING").code, Some(3));
    assert_eq!(step("exec --only MISSING -- true").code, Some(125));
    let exec = on_pg
        .iter()
        .find(|s| s.args.contains("OLD_NAME-unset"))
        .unwrap();
    assert_eq!(
        (exec.code, exec.stdout.as_str()),
        (
            Some(0),
            "token-two|postgres://app:pw@db/app|old-value|unset"
        )
    );
    let only = on_pg
        .iter()
        .find(|s| s.args.contains("--only API"))
        .unwrap();
    assert_eq!(only.stdout, "API_TOKEN=token-two\n");
    let except = on_pg.iter().find(|s| s.args.contains("--except")).unwrap();
    assert_eq!(
        except.stdout,
        "DATABASE_URL=postgres://app:pw@db/app\nNEW_NAME=old-value\n"
    );
    let masked = on_pg.iter().find(|s| s.args.contains("token: ")).unwrap();
    assert_eq!(masked.stdout, "token: [MASKED:API_TOKEN]\n");
    let imports: Vec<&Step> = on_pg
        .iter()
        .filter(|s| s.args.starts_with("import"))
        .collect();
    assert_eq!(imports[0].code, Some(0));
    assert_eq!(imports[1].code, Some(4), "the second import refuses");
    let imported = on_pg
        .iter()
        .find(|s| s.args.contains("IMPORTED_ONE"))
        .unwrap();
    assert_eq!(imported.stdout, "imported-one|imported two");
    assert_eq!(step("doctor").code, Some(0));

    // The database holds what the commands say.
    let names: Vec<String> = pg
        .list_json()
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        names,
        ["API_TOKEN", "DATABASE_URL", "IMPORTED_ONE", "IMPORTED_TWO"]
    );
    assert_eq!(schema.number("SELECT COUNT(*) FROM secrets"), 4);
    let api = pg.show_json("API_TOKEN");
    assert_eq!(api["description"], "CI bot");
    assert!(api["last_used_time_ms"].is_i64());
    assert!(api["update_time_ms"].as_i64() > api["create_time_ms"].as_i64());
    let db = pg.show_json("DATABASE_URL");
    assert_eq!(db["description"], "the app's database");
    assert_eq!(
        db["update_time_ms"], db["create_time_ms"],
        "-d kept the value"
    );

    // Every event names the machine.
    let out = pg.cmd().args(["log", "--json"]).output().unwrap();
    assert_success(&out, "log --json");
    let events: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let events = events.as_array().unwrap();
    let host = secrets::host::name();
    assert!(host.is_some(), "this machine has a host name");
    for event in events {
        assert_eq!(event["host"].as_str(), host.as_deref(), "{event}");
    }
    let actions: Vec<&str> = events
        .iter()
        .rev()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "create", "create", "create", "update", "describe", "rename", "exec", "exec", "exec",
            "exec", "import", "exec", "delete"
        ]
    );
    assert_eq!(
        schema.number("SELECT COUNT(*) FROM events"),
        actions.len() as i64
    );
}

#[test]
fn names_are_unique_in_any_case() {
    if !can_run_pg() {
        return;
    }
    let schema = PgSchema::new();
    let sb = Sandbox::with_vault(&schema.url());
    sb.init();
    sb.create("API_KEY", "first-value");
    sb.create("OTHER", "other-value");

    let out = run(&sb, &["create", "api_key"], "second-value");
    let line = one_error(&out, 4, "create api_key");
    assert_eq!(line, "error: secret 'API_KEY' already exists");
    let out = run(&sb, &["rename", "OTHER", "Api_Key"], "");
    one_error(&out, 4, "rename OTHER Api_Key");
    let dotenv = sb.root().join("case.env");
    std::fs::write(&dotenv, "FRESH=fresh-value\napi_KEY=third-value\n").unwrap();
    let out = run(&sb, &["import", dotenv.to_str().unwrap()], "");
    one_error(&out, 4, "import api_KEY");

    assert_eq!(sb.names(), ["API_KEY", "OTHER"]);
    assert_eq!(sb.value_of("API_KEY"), b"first-value");
    // The server itself refuses a second spelling, whoever writes it.
    let forged = schema.client().execute(
        "INSERT INTO secrets (id, name, ciphertext, sealing, create_time_ms, update_time_ms)
         VALUES ('sec_forged', 'aPi_kEy', '\\x00', 'age', 0, 0)",
        &[],
    );
    let error = forged.expect_err("a second spelling was stored");
    assert_eq!(
        error.code(),
        Some(&postgres::error::SqlState::UNIQUE_VIOLATION)
    );
}

#[test]
fn two_devboxes_share_a_vault_until_one_is_removed() {
    if !can_run_pg() {
        return;
    }
    let schema = PgSchema::new();
    let a = Sandbox::with_vault(&schema.url());
    let b = Sandbox::with_vault(&schema.url());
    a.init();
    a.create("SHARED_TOKEN", "shared-one");
    a.create("TO_DELETE", "delete-me");

    // B joins: its own identity, the vault as it is.
    let before = schema.rows();
    let out = b.init();
    assert_eq!(
        stdout(&out),
        format!(
            "identity: {} (created)\nvault: {} (using existing)\n",
            b.identity_path().display(),
            schema.url()
        )
    );
    assert_eq!(schema.rows(), before, "joining changes nothing");
    let a_key = public_key(&a);
    let b_key = public_key(&b);
    assert_ne!(a_key, b_key);
    let out = run(&b, &["recipients", "list"], "");
    assert_success(&out, "B: recipients list");
    assert_eq!(stdout(&out), format!("{a_key}\n"));
    assert!(
        stderr(&out).starts_with("note: none of these"),
        "{}",
        stderr(&out)
    );
    exec_refused(&b, &[], &["shared-one", "delete-me"]);

    let out = run(&a, &["recipients", "add", &b_key], "");
    assert_success(&out, "A: recipients add B");
    let out = run(&b, &["recipients", "list"], "");
    assert_eq!(stdout(&out), format!("{a_key}\n{b_key}  (yours)\n"));
    assert_eq!(b.value_of("SHARED_TOKEN"), b"shared-one");
    assert_eq!(b.value_of("TO_DELETE"), b"delete-me");

    // A changes the vault; B's next exec sees it. B writes too.
    let out = run(&a, &["update", "SHARED_TOKEN"], "shared-two");
    assert_success(&out, "A: update");
    let out = run(&a, &["delete", "TO_DELETE", "--yes"], "");
    assert_success(&out, "A: delete");
    b.create("FROM_B", "written-by-b");
    let both = [
        "exec",
        "--mask",
        "never",
        "--",
        "sh",
        "-c",
        "printf '%s|%s|%s' \"$SHARED_TOKEN\" \"${TO_DELETE-unset}\" \"$FROM_B\"",
    ];
    for sb in [&b, &a] {
        let out = run(sb, &both, "");
        assert_success(&out, "exec on a shared vault");
        assert_eq!(stdout(&out), "shared-two|unset|written-by-b");
    }

    // What B could open before its removal: the data key of the day.
    let b_identity = Identity::load(&b.identity_path()).unwrap();
    let (vault_id, wrapped) = schema.wrapped_key();
    let (old_key, _) = DataKey::unwrap(&b_identity, &vault_id, &wrapped).unwrap();

    let out = run(&a, &["recipients", "remove", &b_key], "");
    assert_success(&out, "A: recipients remove B");
    let err = exec_refused(&b, &[], &["shared-two", "written-by-b"]);
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "{err}");
    assert!(errors[0].contains("data key"), "{err}");
    // The hint names B's key and the command that would let it back in.
    assert!(
        err.contains(&format!("secrets recipients add {b_key}")),
        "{err}"
    );
    let out = run(
        &b,
        &["exec", "--mask", "never", "--only", "FROM_B", "--", "true"],
        "",
    );
    one_error(&out, 125, "B: exec --only its own secret");
    assert_eq!(a.value_of("SHARED_TOKEN"), b"shared-two");
    assert_eq!(a.value_of("FROM_B"), b"written-by-b");

    // B can open neither the new data key nor any stored value, even with
    // the data key it had.
    let (same_id, wrapped) = schema.wrapped_key();
    assert_eq!(same_id, vault_id);
    assert!(DataKey::unwrap(&b_identity, &vault_id, &wrapped).is_err());
    let a_identity = Identity::load(&a.identity_path()).unwrap();
    let (new_key, _) = DataKey::unwrap(&a_identity, &vault_id, &wrapped).unwrap();
    let rows = schema.sealed_rows();
    assert_eq!(rows.len(), 2);
    for (name, sealing, ciphertext) in rows {
        match sealing.as_str() {
            "key" => {
                assert!(
                    old_key.open(&vault_id, &name, &ciphertext).is_err(),
                    "{name}"
                );
                new_key.open(&vault_id, &name, &ciphertext).unwrap();
            }
            "age" => {
                let opened = crypto::open_with_age(
                    &b_identity.age_identities(),
                    &vault_id,
                    &name,
                    &ciphertext,
                );
                assert!(opened.is_err(), "{name}");
                crypto::open_with_age(&a_identity.age_identities(), &vault_id, &name, &ciphertext)
                    .unwrap();
            }
            other => panic!("{name}: sealing {other}"),
        }
    }
    let hosts: Vec<(String, Option<String>)> = schema
        .client()
        .query(
            "SELECT action, host FROM events WHERE action LIKE 'recipients%' ORDER BY id",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let host = secrets::host::name();
    assert_eq!(
        hosts,
        [
            ("recipients add".to_owned(), host.clone()),
            ("recipients remove".to_owned(), host)
        ]
    );
}

#[test]
fn two_machines_creating_one_name_at_once_one_wins_the_other_exits_4() {
    if !can_run_pg() {
        return;
    }
    let schema = PgSchema::new();
    let a = Sandbox::with_vault(&schema.url());
    let b = Sandbox::with_vault(&schema.url());
    a.init();
    b.init();
    for round in 0..10 {
        let name = format!("RACE_{round}");
        // Every other round, the second machine spells it in lower case.
        let other = if round % 2 == 0 {
            name.clone()
        } else {
            name.to_lowercase()
        };
        let mut from_a = spawn_create(&a, &name);
        let mut from_b = spawn_create(&b, &other);
        // Both started; both go at once.
        release(&mut from_a, "value-from-a");
        release(&mut from_b, "value-from-b");
        let out_a = from_a.wait_with_output().unwrap();
        let out_b = from_b.wait_with_output().unwrap();
        let (winner, loser, stored, value) = match (out_a.status.code(), out_b.status.code()) {
            (Some(0), Some(4)) => (&out_a, &out_b, &name, "value-from-a"),
            (Some(4), Some(0)) => (&out_b, &out_a, &other, "value-from-b"),
            codes => panic!(
                "round {round}: exit codes {codes:?}\nA: {}\nB: {}",
                stderr(&out_a),
                stderr(&out_b)
            ),
        };
        assert_success(winner, "the winning create");
        let line = one_error(loser, 4, "the losing create");
        assert!(line.contains("already exists"), "{line}");
        assert_eq!(
            schema.number(&format!(
                "SELECT COUNT(*) FROM secrets WHERE lower(name) = lower('{name}')"
            )),
            1
        );
        assert_eq!(a.names().last(), Some(stored), "the winner's spelling");
        assert_eq!(a.value_of(stored), value.as_bytes(), "round {round}");
    }
    assert_eq!(schema.number("SELECT COUNT(*) FROM secrets"), 10);
    assert_eq!(
        schema.number("SELECT COUNT(*) FROM events WHERE action = 'create'"),
        10,
        "the loser logged nothing"
    );
}

const WRITERS: usize = 8;
const CREATES: usize = 50;

/// `W3_10` -> (3, 10), for the names `eight_writers_...` creates.
fn writer_and_index(name: &str) -> Option<(usize, usize)> {
    let (w, n) = name.strip_prefix('W')?.split_once('_')?;
    Some((w.parse().ok()?, n.parse().ok()?))
}

fn writer_value(name: &str) -> String {
    format!("value-of-{name}")
}

/// The secrets one `exec` saw, per writer (values checked), and whether
/// what it saw is a consistent state: writer `w`'s names are W{w}_0 to
/// W{w}_{k-1} for some k (each writer creates in order, one after the
/// other), at least `floor[w]` of them (those whose create had returned
/// before this exec started).
fn check_exec_view(out: &Output, floor: &[usize]) -> usize {
    assert_success(out, "exec alongside the writers");
    let mut seen: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for line in stdout(out).lines() {
        let Some((name, value)) = line.split_once('=') else {
            continue;
        };
        if let Some((w, n)) = writer_and_index(name) {
            assert_eq!(value, writer_value(name), "{name}");
            seen.entry(w).or_default().push(n);
        }
    }
    let mut total = 0;
    for (w, &least) in floor.iter().enumerate() {
        let mut indices = seen.remove(&w).unwrap_or_default();
        indices.sort_unstable();
        let k = indices.len();
        assert_eq!(
            indices,
            (0..k).collect::<Vec<_>>(),
            "writer {w}: an exec saw a create without the ones before it"
        );
        assert!(
            k >= least,
            "writer {w}: {least} creates had returned, exec saw {k}"
        );
        total += k;
    }
    assert!(seen.is_empty(), "names of no writer: {seen:?}");
    total
}

#[test]
fn eight_writers_with_fifty_creates_each_and_execs_alongside() {
    if !can_run_pg() {
        return;
    }
    let schema = PgSchema::new();
    let sb = Sandbox::with_vault(&schema.url());
    sb.init();
    let done: Vec<AtomicUsize> = (0..WRITERS).map(|_| AtomicUsize::new(0)).collect();
    let writing = AtomicBool::new(true);
    let views = thread::scope(|scope| {
        let readers: Vec<_> = (0..2)
            .map(|_| {
                let (sb, done, writing) = (&sb, &done, &writing);
                scope.spawn(move || {
                    let mut views = Vec::new();
                    while writing.load(Ordering::SeqCst) {
                        let floor: Vec<usize> =
                            done.iter().map(|d| d.load(Ordering::SeqCst)).collect();
                        let out = sb
                            .cmd()
                            .args(["exec", "--mask", "never", "--", "env"])
                            .output()
                            .unwrap();
                        views.push(check_exec_view(&out, &floor));
                    }
                    views
                })
            })
            .collect();
        let writers: Vec<_> = (0..WRITERS)
            .map(|w| {
                let (sb, done) = (&sb, &done);
                scope.spawn(move || {
                    for n in 0..CREATES {
                        let name = format!("W{w}_{n}");
                        let mut child = spawn_create(sb, &name);
                        release(&mut child, &writer_value(&name));
                        let out = child.wait_with_output().unwrap();
                        assert_success(&out, &format!("create {name}"));
                        done[w].store(n + 1, Ordering::SeqCst);
                    }
                })
            })
            .collect();
        for writer in writers {
            writer.join().unwrap();
        }
        writing.store(false, Ordering::SeqCst);
        readers
            .into_iter()
            .flat_map(|r| r.join().unwrap())
            .collect::<Vec<usize>>()
    });
    let all = WRITERS * CREATES;
    assert!(
        views.iter().any(|&v| v > 0 && v < all),
        "no exec ran while the writers wrote: {views:?}"
    );
    assert_eq!(sb.names().len(), all);
    assert_eq!(schema.number("SELECT COUNT(*) FROM secrets"), all as i64);
    let out = sb
        .cmd()
        .args(["exec", "--mask", "never", "--", "env"])
        .output()
        .unwrap();
    assert_eq!(check_exec_view(&out, &[CREATES; WRITERS]), all);
}

const IMPORTED: usize = 5_000;

/// When to kill an import: a time after its start, or once the server's
/// `secrets` table has grown to a size (rows being written, uncommitted).
#[derive(Debug, Clone, Copy)]
enum KillAt {
    After(Duration),
    Written(i64),
}

#[test]
fn kill_9_during_a_large_import_leaves_all_or_nothing() {
    if !can_run_pg() {
        return;
    }
    let dotenv_dir = tempfile::tempdir().unwrap();
    let dotenv = dotenv_dir.path().join("large.env");
    let text: String = (0..IMPORTED)
        .map(|i| format!("IMPORTED_{i:04}=imported-value-{i:04}\n"))
        .collect();
    std::fs::write(&dotenv, text).unwrap();
    // Mid-parse/seal; the first rows written; half of them, about.
    let kills = [
        KillAt::After(Duration::from_millis(300)),
        KillAt::Written(1),
        KillAt::Written(1_000_000),
        KillAt::Written(1_800_000),
    ];
    let mut outcomes = Vec::new();
    for kill_at in kills {
        let schema = PgSchema::new();
        let sb = Sandbox::with_vault(&schema.url());
        sb.init();
        let mut size = schema.client();
        let table = format!("\"{}\".secrets", schema.name());
        let mut written = || -> i64 {
            size.query_one("SELECT pg_relation_size($1::text::regclass)", &[&table])
                .unwrap()
                .get(0)
        };
        let mut child = sb
            .std_cmd()
            .arg("import")
            .arg(&dotenv)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let start = Instant::now();
        let mut seen = 0;
        let exited = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break Some(status);
            }
            seen = written();
            let due = match kill_at {
                KillAt::After(delay) => start.elapsed() >= delay,
                KillAt::Written(bytes) => seen >= bytes,
            };
            if due {
                let _ = child.kill(); // SIGKILL
                child.wait().unwrap();
                break None;
            }
            assert!(start.elapsed() < Duration::from_secs(120), "import hangs");
            thread::sleep(Duration::from_millis(2));
        };
        let listed = sb.list_json().as_array().unwrap().len();
        let stored = schema.number("SELECT COUNT(*) FROM secrets");
        let logged = schema.number("SELECT COUNT(*) FROM events WHERE action = 'import'");
        assert_eq!(listed as i64, stored);
        assert!(
            (stored, logged) == (0, 0) || (stored, logged) == (IMPORTED as i64, 1),
            "killed at {kill_at:?} ({seen} bytes written): {stored} secrets, {logged} imports logged"
        );
        if let Some(status) = exited {
            assert!(status.success(), "import exited by itself with {status}");
            assert_eq!(stored, IMPORTED as i64);
        }
        if stored > 0 {
            assert_eq!(sb.value_of("IMPORTED_4999"), b"imported-value-4999");
        }
        outcomes.push((kill_at, exited.is_none(), seen, stored));
    }
    assert!(
        outcomes
            .iter()
            .any(|&(_, killed, seen, stored)| killed && seen > 0 && stored == 0),
        "no kill landed while rows were being written: {outcomes:?}"
    );
}

#[test]
fn a_vault_with_a_newer_schema_is_refused_untouched() {
    if !can_run_pg() {
        return;
    }
    let schema = PgSchema::new();
    let sb = Sandbox::with_vault(&schema.url());
    sb.init();
    sb.create("TOKEN", "token-value");
    sb.create("OTHER", "other-value");
    schema
        .client()
        .execute("UPDATE vault SET schema_version = 99", &[])
        .unwrap();
    let before = schema.rows();
    let dotenv = sb.root().join("import.env");
    std::fs::write(&dotenv, "IMPORTED=imported-value\n").unwrap();
    let mut commands = commands_needing_a_vault(dotenv.to_str().unwrap());
    commands.push((vec!["init"], "", 1));
    commands.push((vec!["recipients", "add", "age1qqqq"], "", 1));
    commands.push((vec!["rekey"], "", 1));
    for (args, stdin, code) in commands {
        let out = run(&sb, &args, stdin);
        let line = one_error(&out, code, &format!("{args:?} on schema 99"));
        assert!(
            line.contains("schema 99") && line.contains(&schema.url()),
            "{args:?}: {line}"
        );
        assert!(!stderr(&out).contains("token-value"));
    }
    assert_eq!(schema.rows(), before, "the vault was changed");
}

#[test]
fn a_vault_of_the_first_schema_is_migrated_by_the_first_command_that_opens_it() {
    if !can_run_pg() {
        return;
    }
    let schema = PgSchema::new();
    let sb = Sandbox::with_vault(&schema.url());
    sb.init();
    sb.create("TOKEN", "token-value");
    assert_eq!(sb.value_of("TOKEN"), b"token-value");
    // As the first schema left it: no commitment, no version counter.
    schema
        .client()
        .batch_execute(
            "ALTER TABLE vault DROP COLUMN commitment;
             ALTER TABLE vault DROP COLUMN version;
             UPDATE vault SET schema_version = 1;",
        )
        .unwrap();
    // exec's one-statement read does not fit the old tables: it opens the
    // vault as other commands do, which migrates it.
    let out = run(&sb, &["exec", "--", "sh", "-c", "printf %s \"$TOKEN\""], "");
    assert_success(&out, "exec on a vault of schema 1");
    assert_eq!(stdout(&out), "[MASKED:TOKEN]");
    assert_eq!(
        schema.number("SELECT schema_version FROM vault"),
        i64::from(secrets::vault::store::postgres::SCHEMA_VERSION)
    );
    assert_eq!(
        schema.number("SELECT count(*) FROM vault WHERE version >= 0"),
        1
    );
    // A write that opens the data key commits to the recipients again.
    let out = run(&sb, &["rename", "TOKEN", "RENAMED"], "");
    assert_success(&out, "rename after the migration");
    assert_eq!(
        schema.number("SELECT count(*) FROM vault WHERE commitment IS NOT NULL"),
        1
    );
    assert_eq!(sb.value_of("RENAMED"), b"token-value");
}

#[test]
fn an_empty_vault_runs_its_program_without_an_identity() {
    if !can_run_pg() {
        return;
    }
    let schema = PgSchema::new();
    let admin = Sandbox::with_vault(&schema.url());
    admin.init();
    // A machine with no identity at all, on the team's empty vault.
    let fresh = Sandbox::with_vault(&schema.url());
    let out = fresh
        .cmd()
        .arg("exec")
        .arg("--")
        .args(fresh.touch_marker_args())
        .output()
        .unwrap();
    assert_success(&out, "exec of an empty PostgreSQL vault, no identity");
    assert!(fresh.marker_path().exists(), "the program did not run");
    assert!(!fresh.identity_path().exists(), "exec made an identity");
    // Once the vault holds a secret, the identity is needed.
    std::fs::remove_file(fresh.marker_path()).unwrap();
    admin.create("TOKEN", "token-value");
    let err = exec_refused(&fresh, &[], &["token-value"]);
    assert!(err.contains("identity"), "{err}");
}

#[test]
fn a_password_in_the_url_never_shows() {
    if !can_run_pg() {
        return;
    }
    const PASSWORD: &str = "hunter2-secret";
    let closed = format!("postgres://postgres:{PASSWORD}@127.0.0.1:1/test");
    // The test server, with a password it does not ask for (when the URL
    // has none of its own).
    let schema = PgSchema::new();
    let base = schema.url();
    let open = match base.split_once("://") {
        Some((scheme, rest)) if !rest.split('@').next().unwrap().contains(':') => Some(format!(
            "{scheme}://{}",
            rest.replacen('@', &format!(":{PASSWORD}@"), 1)
        )),
        _ => None,
    };
    let check = |sb: &Sandbox, args: &[&str], code: i32| {
        let out = run(sb, args, "token-value");
        let what = format!("{args:?} on {}", sb.root().display());
        for text in [stdout(&out), stderr(&out)] {
            assert!(
                !text.contains(PASSWORD),
                "{what}: the password shows:\n{text}"
            );
        }
        if code != 0 {
            one_error(&out, code, &what);
        } else {
            assert_success(&out, &what);
        }
    };
    let sb = Sandbox::with_vault(&closed);
    for args in [
        &["list"][..],
        &["init"],
        &["create", "TOKEN"],
        &["show", "TOKEN"],
        &["log"],
    ] {
        check(&sb, args, 1);
    }
    check(&sb, &["exec", "--", "true"], 125);
    let Some(open) = open else {
        return;
    };
    let sb = Sandbox::with_vault(&open);
    check(&sb, &["list"], 1); // no vault there yet
    check(&sb, &["init"], 0);
    check(&sb, &["create", "TOKEN"], 0);
    check(&sb, &["create", "TOKEN"], 4);
    check(&sb, &["list"], 0);
    check(&sb, &["doctor"], 0);
    check(&sb, &["exec", "--only", "MISSING", "--", "true"], 125);
}
