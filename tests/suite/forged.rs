//! Forgeries by whoever can write a shared vault's storage (a PostgreSQL
//! server's operator, or anyone who can write its tables; for a vault file,
//! whoever can write the file), made with plain SQL through a connection of
//! the test's own, and the commands refusing them: one `error:` line that
//! says what happened, exit 1 (`exec`: 125, its program not run), the
//! vault's rows as they were, and nothing that the forger's own key, or a
//! data key the forger made, opens. Also the legitimate changes the same
//! checks let through once a person confirms them. What `trust` documents
//! as out of reach (withholding updates) is shown where it meets these
//! cases, not tested as a defence.

use std::io::Read;

use crate::common::*;
use secrets::vault::Identity;
use secrets::vault::crypto::{self, DataKey};
use secrets::vault::unseal::RESEAL_FROM;

const TOKEN_VALUE: &str = "token-value-legit";
const OTHER_VALUE: &str = "other-value-legit";
/// Values the victim writes while the vault is forged: none may be stored.
const WRITTEN_VALUES: [&str; 3] = [
    "new-value-refused",
    "update-value-refused",
    "imported-refused",
];

/// Whoever writes the storage, with a key of their own: nothing the vault
/// holds may open with it.
struct Forger {
    identity: Identity,
}

/// What the forger does with the commitment when replacing the data key.
#[derive(Debug, Clone, Copy)]
enum Commitment {
    /// A new one under the forged key (the forger knows it).
    Matching,
    /// The old one, as it was.
    Kept,
    /// None at all, as a vault written before commitments existed.
    Removed,
}

impl Forger {
    fn new() -> Forger {
        Forger {
            identity: Identity::new_random(),
        }
    }

    fn public_key(&self) -> String {
        self.identity.recipient().to_string()
    }

    /// Whether `sealed` is an age file that the forger's key opens.
    fn opens(&self, sealed: &[u8]) -> bool {
        let Ok(decryptor) = age::Decryptor::new_buffered(sealed) else {
            return false;
        };
        let keys = self.identity.age_identities();
        let Ok(mut reader) = decryptor.decrypt(keys.iter().copied()) else {
            return false;
        };
        let mut plain = Vec::new();
        reader.read_to_end(&mut plain).is_ok()
    }

    /// Asserts that no stored value opens with the forger's key, nor with
    /// `forged_key` (a data key the forger made, if any); and, unless the
    /// forger wrapped it, neither does the data key.
    fn assert_opens_nothing(&self, schema: &PgSchema, forged_key: Option<&DataKey>) {
        let (vault_id, wrapped) = schema.wrapped_key();
        if forged_key.is_none() {
            assert!(
                !self.opens(&wrapped),
                "the data key opens with the forger's key"
            );
        }
        let rows = schema.sealed_rows();
        assert!(!rows.is_empty());
        for (name, sealing, ciphertext) in rows {
            assert!(
                !self.opens(&ciphertext),
                "{name} ({sealing}) opens with the forger's key"
            );
            if let Some(key) = forged_key {
                assert!(
                    key.open(&vault_id, &name, &ciphertext).is_err(),
                    "{name} ({sealing}) opens with the forged data key"
                );
            }
        }
    }

    /// Adds the forger's key to the vault's recipients.
    fn add_own_recipient(&self, schema: &PgSchema) {
        schema
            .client()
            .execute(
                "INSERT INTO recipients (recipient, add_time_ms) VALUES ($1, 0)",
                &[&self.public_key()],
            )
            .unwrap();
    }

    /// Replaces the vault's data key with a new one, wrapped to the
    /// recipients and to the forger, doing `commitment` with the
    /// commitment; returns the key.
    fn replace_data_key(&self, schema: &PgSchema, commitment: Commitment) -> DataKey {
        let (vault_id, _) = schema.wrapped_key();
        let recipients = recipients(schema);
        let key = DataKey::generate().unwrap();
        let mut to: Vec<Box<dyn age::Recipient + Send>> = recipients
            .iter()
            .map(|r| crypto::parse_recipient(r).unwrap())
            .collect();
        to.push(Box::new(self.identity.recipient()));
        let wrapped = key.wrap(&to, &vault_id).unwrap();
        let mut client = schema.client();
        match commitment {
            Commitment::Matching => {
                let made = key.commitment(&vault_id, &recipients).to_vec();
                client.execute(
                    "UPDATE vault SET data_key = $1, commitment = $2",
                    &[&wrapped, &made],
                )
            }
            Commitment::Kept => client.execute("UPDATE vault SET data_key = $1", &[&wrapped]),
            Commitment::Removed => client.execute(
                "UPDATE vault SET data_key = $1, commitment = NULL",
                &[&wrapped],
            ),
        }
        .unwrap();
        key
    }
}

/// The recipients as stored.
fn recipients(schema: &PgSchema) -> Vec<String> {
    schema
        .client()
        .query("SELECT recipient FROM recipients ORDER BY 1", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

/// The operator also bumps the vault's version counter, as every write
/// does, so that exec's cache of the vault is stale and exec reads the
/// forged rows. Without it exec keeps using its cache: see
/// `exec_s_cache_follows_the_version_counter_and_never_injects_forged_rows`.
fn bump_version(schema: &PgSchema) {
    schema
        .client()
        .execute("UPDATE vault SET version = version + 1", &[])
        .unwrap();
}

/// A vault in a fresh schema and one machine using it (pinned by `init`,
/// with its data key), `TOKEN` and `OTHER` stored, and exec's cache of
/// them left by a run.
fn team_vault() -> (PgSchema, Sandbox) {
    let schema = PgSchema::new();
    let sb = Sandbox::with_vault(&schema.url());
    sb.init();
    sb.create("TOKEN", TOKEN_VALUE);
    sb.create("OTHER", OTHER_VALUE);
    assert_eq!(sb.value_of("TOKEN"), TOKEN_VALUE.as_bytes());
    assert!(!files_under(&sb.cache_dir()).is_empty(), "no exec cache");
    (schema, sb)
}

/// A dotenv file in the sandbox, for `import`.
fn dotenv(sb: &Sandbox, text: &str) -> String {
    let path = sb.root().join("forged.env");
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

/// What a refused command said.
struct Refusal {
    /// Its one `error:` line.
    error: String,
    stderr: String,
}

impl Refusal {
    fn hint(&self) -> &str {
        self.stderr
            .lines()
            .find_map(|l| l.strip_prefix("hint: "))
            .unwrap_or_else(|| panic!("no hint:\n{}", self.stderr))
    }
}

/// Runs `args` with `stdin` and asserts it was refused: exit 1 (`exec`:
/// 125, its program, `touch MARKER`, not run), one `error:` line with
/// hints only, nothing on stdout, no value in the output, and the vault's
/// rows as they were.
fn refused(sb: &Sandbox, schema: &PgSchema, args: &[&str], stdin: &str) -> Refusal {
    let before = schema.rows();
    let out = refused_anywhere(sb, args, stdin);
    assert_eq!(schema.rows(), before, "{args:?} changed the vault");
    out
}

/// `refused`, for any vault (rows checked by the caller).
fn refused_anywhere(sb: &Sandbox, args: &[&str], stdin: &str) -> Refusal {
    let mut args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    let is_exec = args[0] == "exec";
    if is_exec {
        args.push("--".to_owned());
        args.extend(sb.touch_marker_args());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run(sb, &args, stdin);
    let code = if is_exec { 125 } else { 1 };
    let error = one_error(&out, code, &args.join(" "));
    if is_exec {
        assert_exec_refused(sb, &out, &[TOKEN_VALUE, OTHER_VALUE]);
    }
    let stderr = stderr(&out);
    for value in [TOKEN_VALUE, OTHER_VALUE].iter().chain(&WRITTEN_VALUES) {
        assert!(!stderr.contains(value), "{args:?}: a value shows: {stderr}");
    }
    Refusal { error, stderr }
}

/// The hint of a refusal a user may overrule after checking with the team.
const ACCEPT_HINT: &str =
    "if your team made this change, check it and run `secrets recipients accept`";

#[test]
fn a_recipient_the_operator_adds_gets_nothing_sealed_to_it() {
    if !can_run_pg() {
        return;
    }
    let (schema, sb) = team_vault();
    let forger = Forger::new();
    forger.add_own_recipient(&schema);
    bump_version(&schema);
    let forged = forger.public_key();
    let dotenv = dotenv(&sb, &format!("IMPORTED={}\n", WRITTEN_VALUES[2]));

    // Writes hold only the public keys: the recipients must be the pinned
    // ones, or nothing is sealed.
    for (args, stdin) in [
        (vec!["create", "NEW"], WRITTEN_VALUES[0]),
        (vec!["update", "TOKEN"], WRITTEN_VALUES[1]),
        (vec!["import", &dotenv], ""),
    ] {
        let refusal = refused(&sb, &schema, &args, stdin);
        assert_eq!(
            refusal.error,
            format!(
                "error: the vault's recipients changed since this machine last verified them: added {forged}; nothing was sealed"
            ),
            "{args:?}"
        );
        assert_eq!(
            refusal.hint(),
            "`secrets recipients verify` checks with your identity that a member made the change"
        );
    }
    // Commands that open the data key check the commitment, which does
    // not cover the forger's key: `recipients verify` too.
    let newcomer = Identity::new_random().recipient().to_string();
    for args in [
        vec!["exec"],
        vec!["exec", "--only", "TOKEN"],
        vec!["rename", "TOKEN", "RENAMED"],
        vec!["recipients", "add", &newcomer],
        vec!["recipients", "verify"],
    ] {
        let refusal = refused(&sb, &schema, &args, "");
        assert_eq!(
            refusal.error,
            format!(
                "error: the vault's recipients were changed by someone who does not hold its key: added {forged}"
            ),
            "{args:?}"
        );
        assert_eq!(
            refusal.hint(),
            format!("nothing was sealed to them; {ACCEPT_HINT}")
        );
    }
    forger.assert_opens_nothing(&schema, None);

    // The operator's row gone, everything works again.
    schema
        .client()
        .execute("DELETE FROM recipients WHERE recipient = $1", &[&forged])
        .unwrap();
    bump_version(&schema);
    let ok = |args: &[&str], stdin: &str| {
        let out = run(&sb, args, stdin);
        assert_success(&out, &args.join(" "));
        out
    };
    ok(&["create", "NEW"], "new-value");
    ok(&["update", "TOKEN"], "token-value-two");
    ok(&["import", &dotenv], "");
    ok(&["rename", "OTHER", "RENAMED"], "");
    let out = ok(&["recipients", "verify"], "");
    assert_eq!(stdout(&out), format!("{}\n", public_key(&sb)));
    assert_eq!(sb.value_of("TOKEN"), b"token-value-two");
    assert_eq!(sb.value_of("RENAMED"), OTHER_VALUE.as_bytes());
    assert_eq!(sb.names(), ["IMPORTED", "NEW", "RENAMED", "TOKEN"]);
    forger.assert_opens_nothing(&schema, None);
}

/// `RESEAL_FROM` values sealed with age only (an import: public keys
/// only), so that exec reseals them under the data key.
fn import_enough_to_reseal(sb: &Sandbox, prefix: &str) {
    let text: String = (0..RESEAL_FROM)
        .map(|i| format!("{prefix}_{i}=bulk-value-{i}\n"))
        .collect();
    let out = run(sb, &["import", &dotenv(sb, &text)], "");
    assert_success(&out, "import");
}

/// How many rows are still sealed with age only.
fn age_rows(schema: &PgSchema) -> usize {
    schema
        .sealed_rows()
        .iter()
        .filter(|(_, sealing, _)| sealing == "age")
        .count()
}

#[test]
fn a_data_key_the_operator_made_is_refused_and_nothing_resealed_under_it() {
    if !can_run_pg() {
        return;
    }
    let (schema, sb) = team_vault();
    import_enough_to_reseal(&sb, "BULK");
    let forger = Forger::new();
    // Wrapped to the real recipients and the forger, with a commitment
    // that matches: only the pin's key id tells it from a member's key.
    let forged_key = forger.replace_data_key(&schema, Commitment::Matching);
    bump_version(&schema);
    // The check below can see a key the forger holds: the forger's own wrap.
    assert!(forger.opens(&schema.wrapped_key().1));
    let age_before = age_rows(&schema);
    assert_eq!(age_before, RESEAL_FROM + 2);

    let newcomer = Identity::new_random().recipient().to_string();
    for args in [
        vec!["exec"],
        vec!["exec", "--only", "TOKEN"],
        vec!["rename", "TOKEN", "RENAMED"],
        vec!["recipients", "add", &newcomer],
        vec!["recipients", "verify"],
    ] {
        let refusal = refused(&sb, &schema, &args, "");
        assert_eq!(
            refusal.error,
            "error: the vault's data key changed since this machine last verified it",
            "{args:?}"
        );
        assert_eq!(
            refusal.hint(),
            format!(
                "nothing was sealed under the new key; a member's `recipients remove` or `rekey` makes a new one, and so can someone forging the vault: {ACCEPT_HINT}"
            )
        );
    }
    // No value was resealed under it: every row still sealed with age.
    assert_eq!(age_rows(&schema), age_before);
    forger.assert_opens_nothing(&schema, Some(&forged_key));

    // Writes that hold only the public keys never use the data key: the
    // recipients are the pinned ones, so they go on, sealed to them alone.
    sb.create("WRITTEN_AFTER", "written-after-value");
    forger.assert_opens_nothing(&schema, Some(&forged_key));
    let refusal = refused(&sb, &schema, &["exec", "--only", "WRITTEN_AFTER"], "");
    assert!(
        refusal.error.contains("data key changed"),
        "{}",
        refusal.error
    );
}

#[test]
fn a_data_key_without_its_commitment_is_refused_as_forged() {
    if !can_run_pg() {
        return;
    }
    let (schema, sb) = team_vault();
    let forger = Forger::new();
    let original: (Vec<u8>, Vec<u8>) = {
        let row = schema
            .client()
            .query_one("SELECT data_key, commitment FROM vault", &[])
            .unwrap();
        (row.get(0), row.get(1))
    };
    let cases = [
        (
            Commitment::Kept,
            "error: the vault's recipients and data key do not match their commitment: someone who does not hold the key changed them",
        ),
        (
            Commitment::Removed,
            "error: the vault's data key changed since this machine last verified it, and the vault has no commitment from a holder of its key",
        ),
    ];
    for (round, (commitment, expected)) in cases.into_iter().enumerate() {
        import_enough_to_reseal(&sb, &format!("ROUND{round}"));
        let forged_key = forger.replace_data_key(&schema, commitment);
        bump_version(&schema);
        let age_before = age_rows(&schema);
        assert!(age_before >= RESEAL_FROM);
        for args in [
            vec!["exec"],
            vec!["rename", "TOKEN", "RENAMED"],
            vec!["recipients", "verify"],
        ] {
            let refusal = refused(&sb, &schema, &args, "");
            assert_eq!(refusal.error, expected, "{commitment:?} {args:?}");
            assert_eq!(refusal.hint(), format!("nothing was sealed; {ACCEPT_HINT}"));
        }
        assert_eq!(age_rows(&schema), age_before, "{commitment:?}");
        forger.assert_opens_nothing(&schema, Some(&forged_key));

        // The real key and commitment put back: exec works, and reseals
        // under the real key.
        schema
            .client()
            .execute(
                "UPDATE vault SET data_key = $1, commitment = $2, version = version + 1",
                &[&original.0, &original.1],
            )
            .unwrap();
        assert_eq!(sb.value_of("TOKEN"), TOKEN_VALUE.as_bytes());
        assert_eq!(age_rows(&schema), 0);
        forger.assert_opens_nothing(&schema, Some(&forged_key));
    }
}

/// Sets `name`'s ciphertext and sealing in `schema` to `sealed`.
fn put_row(schema: &PgSchema, name: &str, sealed: &(String, Vec<u8>)) {
    let (sealing, ciphertext) = sealed;
    let changed = schema
        .client()
        .execute(
            "UPDATE secrets SET sealing = $2, ciphertext = $3 WHERE name = $1",
            &[&name, sealing, ciphertext],
        )
        .unwrap();
    assert_eq!(changed, 1, "{name}");
}

/// `name`'s sealing and ciphertext in `schema`.
fn row_of(schema: &PgSchema, name: &str) -> (String, Vec<u8>) {
    let row = schema
        .client()
        .query_one(
            "SELECT sealing, ciphertext FROM secrets WHERE name = $1",
            &[&name],
        )
        .unwrap();
    (row.get(0), row.get(1))
}

#[test]
fn a_ciphertext_moved_to_another_name_or_vault_is_never_injected() {
    if !can_run_pg() {
        return;
    }
    let (schema, sb) = team_vault();
    // TOKEN and OTHER sealed under the data key (exec reseals them), FRESH
    // with age only.
    import_enough_to_reseal(&sb, "BULK");
    assert_eq!(sb.value_of("OTHER"), OTHER_VALUE.as_bytes());
    sb.create("FRESH", "fresh-value");
    let other = row_of(&schema, "OTHER");
    let token = row_of(&schema, "TOKEN");
    let fresh = row_of(&schema, "FRESH");
    assert_eq!((token.0.as_str(), fresh.0.as_str()), ("key", "age"));

    // The same machine's identity opens a second vault, whose OTHER is
    // sealed for that vault.
    let elsewhere = PgSchema::new();
    let elsewhere_url = elsewhere.url();
    let in_elsewhere = |args: &[&str], stdin: &str| {
        let mut all = vec!["--vault", elsewhere_url.as_str()];
        all.extend_from_slice(args);
        let out = run(&sb, &all, stdin);
        assert_success(&out, &all.join(" "));
    };
    in_elsewhere(&["init"], "");
    in_elsewhere(&["create", "OTHER"], "other-vault-value");
    let foreign = row_of(&elsewhere, "OTHER");
    assert_eq!(foreign.0, "age");

    let cannot_decrypt = "error: cannot decrypt secret 'OTHER': the ciphertext is damaged, or was sealed for another secret or vault";
    let sealed_for_another = "error: secret 'OTHER' holds a value sealed for another secret or vault; refusing to use it";
    for (moved, what, expected) in [
        (&token, "TOKEN's, under the data key", cannot_decrypt),
        (&fresh, "FRESH's, with age", sealed_for_another),
        (&foreign, "another vault's OTHER", sealed_for_another),
    ] {
        put_row(&schema, "OTHER", moved);
        bump_version(&schema);
        for options in [&["--only", "OTHER"][..], &[]] {
            let mut args = vec!["exec"];
            args.extend_from_slice(options);
            let refusal = refused(&sb, &schema, &args, "");
            assert_eq!(refusal.error, expected, "{what}: {args:?}");
            for value in ["fresh-value", "other-vault-value"] {
                assert!(!refusal.stderr.contains(value), "{what}");
            }
        }
        let refusal = refused(&sb, &schema, &["rename", "OTHER", "RENAMED"], "");
        assert_eq!(refusal.error, expected, "{what}: rename");
        // The rows not moved onto still open.
        let out = run(
            &sb,
            &[
                "exec", "--only", "TOKEN", "--mask", "never", "--", "printenv", "TOKEN",
            ],
            "",
        );
        assert_success(&out, "exec --only TOKEN");
        assert_eq!(stdout(&out), format!("{TOKEN_VALUE}\n"), "{what}");
        put_row(&schema, "OTHER", &other);
        bump_version(&schema);
        assert_eq!(sb.value_of("OTHER"), OTHER_VALUE.as_bytes(), "{what}");
    }

    // Updating a moved-onto secret stores a fresh value, as the hint says.
    put_row(&schema, "OTHER", &foreign);
    bump_version(&schema);
    let refusal = refused(&sb, &schema, &["exec"], "");
    assert_eq!(
        refusal.hint(),
        "the vault was altered; update the secret to store a fresh value"
    );
    let out = run(&sb, &["update", "OTHER"], "other-value-fresh");
    assert_success(&out, "update OTHER");
    assert_eq!(sb.value_of("OTHER"), b"other-value-fresh");
}

#[test]
fn a_different_vault_at_the_same_location_gets_nothing() {
    if !can_run_pg() {
        return;
    }
    let (schema, victim) = team_vault();
    let (old_id, _) = schema.wrapped_key();
    // The operator drops the vault and another machine, theirs, makes a
    // new one there: its key the recipient, then the victim's too (so the
    // victim's commands can open its data key), and a TOKEN of its own.
    schema
        .client()
        .batch_execute(&format!("DROP SCHEMA \"{}\" CASCADE", schema.name()))
        .unwrap();
    let forger = Sandbox::with_vault(&schema.url());
    forger.init();
    let out = run(&forger, &["recipients", "add", &public_key(&victim)], "");
    assert_success(&out, "forger: recipients add the victim");
    forger.create("TOKEN", "forged-token");
    let (new_id, _) = schema.wrapped_key();
    assert_ne!(new_id, old_id);

    let dotenv = dotenv(&victim, &format!("IMPORTED={}\n", WRITTEN_VALUES[2]));
    for (args, stdin) in [
        (vec!["create", "NEW"], WRITTEN_VALUES[0]),
        (vec!["update", "TOKEN"], WRITTEN_VALUES[1]),
        (vec!["import", &dotenv], ""),
        (vec!["exec"], ""),
        (vec!["exec", "--only", "TOKEN"], ""),
        (vec!["rename", "TOKEN", "RENAMED"], ""),
        (vec!["recipients", "verify"], ""),
    ] {
        let refusal = refused(&victim, &schema, &args, stdin);
        assert_eq!(
            refusal.error,
            format!(
                "error: a different vault now lives at {}: this machine verified vault {old_id} there, it now holds {new_id}",
                schema.url()
            ),
            "{args:?}"
        );
        assert_eq!(
            refusal.hint(),
            format!("nothing was read or sealed; {ACCEPT_HINT}")
        );
        assert!(!refusal.stderr.contains("forged-token"), "{args:?}");
    }
    // What the forger's key opens is only what the forger wrote.
    let forger_identity = Identity::load(&forger.identity_path()).unwrap();
    let rows = schema.sealed_rows();
    assert_eq!(rows.len(), 1);
    for (name, _, ciphertext) in rows {
        let value = crypto::open_with_age(
            &forger_identity.age_identities(),
            &new_id,
            &name,
            &ciphertext,
        )
        .unwrap();
        assert_eq!(value.as_bytes(), b"forged-token");
    }
}

/// Exec's cache of a PostgreSQL vault is checked against the vault's
/// version counter, which every write bumps. A legitimate write from
/// another machine makes it stale, and exec injects the new value.
///
/// Withholding updates: the operator decides which version of the vault a
/// machine sees. Rows changed without a bump of the counter leave the cache
/// current, so exec injects the values it opened and verified before, never
/// the forged rows; once the counter moves, exec reads the rows and refuses
/// them.
#[test]
fn exec_s_cache_follows_the_version_counter_and_never_injects_forged_rows() {
    if !can_run_pg() {
        return;
    }
    let (schema, sb) = team_vault();
    let cache = files_under(&sb.cache_dir());
    // The same user's second machine: a copy of the identity.
    let laptop = Sandbox::with_vault(&schema.url());
    std::fs::create_dir_all(laptop.identity_dir()).unwrap();
    std::fs::copy(sb.identity_path(), laptop.identity_path()).unwrap();
    let out = run(&laptop, &["update", "TOKEN"], "token-value-two");
    assert_success(&out, "laptop: update TOKEN");
    assert_eq!(
        files_under(&sb.cache_dir()),
        cache,
        "the cache is still there"
    );
    assert_eq!(sb.value_of("TOKEN"), b"token-value-two");

    let forger = Forger::new();
    put_row(&schema, "OTHER", &row_of(&schema, "TOKEN"));
    forger.add_own_recipient(&schema);
    let forged_key = forger.replace_data_key(&schema, Commitment::Matching);
    let version = schema.number("SELECT version FROM vault");
    let both = "printf '%s|%s' \"$TOKEN\" \"$OTHER\"";
    let out = run(
        &sb,
        &["exec", "--mask", "never", "--", "sh", "-c", both],
        "",
    );
    assert_success(&out, "exec from its cache");
    assert_eq!(stdout(&out), format!("token-value-two|{OTHER_VALUE}"));
    assert_eq!(stderr(&out), "");
    assert_eq!(schema.number("SELECT version FROM vault"), version);

    bump_version(&schema);
    let refusal = refused(&sb, &schema, &["exec"], "");
    assert_eq!(
        refusal.error,
        format!(
            "error: the vault's data key changed since this machine last verified it; recipients added {}",
            forger.public_key()
        )
    );
    forger.assert_opens_nothing(&schema, Some(&forged_key));
}

/// The newest event of `log --json`.
fn last_event(sb: &Sandbox) -> serde_json::Value {
    let out = run(sb, &["log", "--json"], "");
    assert_success(&out, "log --json");
    let events: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    events.as_array().unwrap()[0].clone()
}

#[test]
fn a_members_change_is_accepted_once_a_person_or_the_key_confirms_it() {
    if !can_run_pg() {
        return;
    }
    let schema = PgSchema::new();
    let [a, b, c] = [(); 3].map(|_| Sandbox::with_vault(&schema.url()));
    a.init();
    a.create("TOKEN", TOKEN_VALUE);
    b.init();
    c.init();
    let (b_key, c_key) = (public_key(&b), public_key(&c));
    let out = run(&a, &["recipients", "add", &c_key], "");
    assert_success(&out, "A: recipients add C");
    // C's first use: trusted as found, pinned with the data key.
    assert_eq!(c.value_of("TOKEN"), TOKEN_VALUE.as_bytes());

    // A adds B. C, holding only the public keys for a write, cannot tell
    // who added B: refused until it checks with its identity.
    let out = run(&a, &["recipients", "add", &b_key], "");
    assert_success(&out, "A: recipients add B");
    let refusal = refused(&c, &schema, &["create", "NEW"], WRITTEN_VALUES[0]);
    assert_eq!(
        refusal.error,
        format!(
            "error: the vault's recipients changed since this machine last verified them: added {b_key}; nothing was sealed"
        )
    );
    let out = run(&c, &["recipients", "verify"], "");
    assert_success(&out, "C: recipients verify");
    let err = stderr(&out);
    let notes: Vec<&str> = err.lines().filter(|l| l.starts_with("note: ")).collect();
    assert!(
        !notes.is_empty() && notes.iter().all(|l| l.contains(&format!("added {b_key}"))),
        "{err}"
    );
    assert!(
        err.lines()
            .last()
            .is_some_and(|l| l.starts_with("verified: 3 recipients, data key ")),
        "{err}"
    );
    c.create("NEW", "new-value");

    // A adds D: C's exec holds the data key, checks the commitment, and
    // accepts the change itself, noting it once.
    let d_key = Identity::new_random().recipient().to_string();
    let out = run(&a, &["recipients", "add", &d_key], "");
    assert_success(&out, "A: recipients add D");
    let show = ["exec", "--mask", "never", "--", "printenv", "NEW"];
    let out = run(&c, &show, "");
    assert_success(&out, "C: exec after D was added");
    assert_eq!(stdout(&out), "new-value\n");
    assert_eq!(
        stderr(&out),
        format!(
            "note: the vault's recipients were changed by a holder of its data key since this machine last verified them: added {d_key}\n"
        )
    );
    let out = run(&c, &show, "");
    assert_success(&out, "C: exec again");
    assert_eq!(stderr(&out), "", "the note is shown once");

    // A removes B, which rotates the data key: C cannot tell a member's
    // new key from a forger's, and refuses it until its user accepts.
    let out = run(&a, &["recipients", "remove", &b_key], "");
    assert_success(&out, "A: recipients remove B");
    let refusal = refused(&c, &schema, &["exec"], "");
    assert_eq!(
        refusal.error,
        format!(
            "error: the vault's data key changed since this machine last verified it; recipients removed {b_key}"
        )
    );
    assert!(refusal.hint().ends_with(ACCEPT_HINT), "{}", refusal.stderr);
    let out = run(&c, &["recipients", "accept"], "");
    assert_success(&out, "C: recipients accept");
    let event = last_event(&c);
    assert_eq!(event["action"], "recipients accept", "{event}");
    let out = run(&c, &show, "");
    assert_success(&out, "C: exec after accepting");
    assert_eq!(
        (stdout(&out).as_str(), stderr(&out).as_str()),
        ("new-value\n", "")
    );
    assert_eq!(c.value_of("TOKEN"), TOKEN_VALUE.as_bytes());
}

#[test]
fn a_recipient_added_to_a_vault_file_gets_nothing_sealed_to_it() {
    let sb = Sandbox::new();
    sb.init();
    sb.create("TOKEN", TOKEN_VALUE);
    assert_eq!(sb.value_of("TOKEN"), TOKEN_VALUE.as_bytes());
    let forger = Forger::new();
    let rows = |db: &rusqlite::Connection| -> Vec<(String, String, Vec<u8>)> {
        let mut statement = db
            .prepare("SELECT name, sealing, ciphertext FROM secrets ORDER BY name")
            .unwrap();
        statement
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let db = open_db(&sb.vault_path());
    db.execute(
        "INSERT INTO recipients (recipient, add_time_ms) VALUES (?1, 0)",
        [forger.public_key()],
    )
    .unwrap();
    let before = rows(&db);
    let forged = forger.public_key();

    let refusal = refused_anywhere(&sb, &["create", "NEW"], WRITTEN_VALUES[0]);
    assert_eq!(
        refusal.error,
        format!(
            "error: the vault's recipients changed since this machine last verified them: added {forged}; nothing was sealed"
        )
    );
    let identity_before = std::fs::read(sb.identity_path()).unwrap();
    for args in [vec!["exec"], vec!["recipients", "verify"], vec!["rekey"]] {
        let refusal = refused_anywhere(&sb, &args, "");
        assert_eq!(
            refusal.error,
            format!(
                "error: the vault's recipients were changed by someone who does not hold its key: added {forged}"
            ),
            "{args:?}"
        );
    }
    assert_eq!(rows(&db), before);
    // `rekey` refused before it made a new key: the identity is as it was.
    assert_eq!(std::fs::read(sb.identity_path()).unwrap(), identity_before);
    let wrapped: Vec<u8> = db
        .query_row("SELECT data_key FROM vault", [], |r| r.get(0))
        .unwrap();
    assert!(!forger.opens(&wrapped));
    for (name, _, ciphertext) in before {
        assert!(!forger.opens(&ciphertext), "{name}");
    }
}
