//! PostgreSQL for the tests of a team's vault (`team.rs`, `forged.rs`):
//! the server to use (`SECRETS_TEST_PG`, else the local one CI starts),
//! whether it answers, and a fresh schema per test (`PgSchema`), dropped
//! when the test ends, so that no test sees what an earlier run left. Tests
//! reach the database through their own connection (`PgSchema::client`) to
//! forge rows and check state. Not for assertions about behaviour.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use postgres::{Client, NoTls};

use super::can_run;

/// The server the tests use: `SECRETS_TEST_PG`, else the one CI starts.
pub fn base_url() -> String {
    std::env::var("SECRETS_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// Connects to the test server (a short timeout: a server that is down
/// should not hold a test for long).
fn connect() -> Result<Client, postgres::Error> {
    let mut config: postgres::Config = base_url().parse()?;
    config.connect_timeout(Duration::from_secs(5));
    config.connect(NoTls)
}

/// Whether the test server answers (asked once per test binary).
pub fn pg_available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(|| match connect() {
        Ok(mut client) => client.simple_query("SELECT 1").is_ok(),
        Err(error) => {
            eprintln!("PostgreSQL at {}: {error}", base_url());
            false
        }
    })
}

/// Whether a test that needs the server can run: outside CI a missing
/// server skips it with a note; in CI it fails (`can_run`).
pub fn can_run_pg() -> bool {
    can_run(pg_available(), &format!("PostgreSQL at {}", base_url()))
}

/// A schema of the test server with a fresh name, for one vault; dropped,
/// with whatever is in it, when this goes out of scope.
pub struct PgSchema {
    name: String,
}

impl PgSchema {
    /// A name no other test, process or earlier run uses; nothing is
    /// created (`secrets init` does that).
    pub fn new() -> PgSchema {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let name = format!(
            "t_{}_{}_{}",
            base36(u128::from(std::process::id())),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            base36(nanos)
        );
        PgSchema { name }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The vault's URL: the server's, with `schema=` this schema, and in
    /// plain text on a local server (TLS is the connection tests' concern;
    /// every command names the vault with its sslmode, so the URL gives
    /// one: messages then show the URL as given).
    pub fn url(&self) -> String {
        let base = base_url();
        let separator = if base.contains('?') { '&' } else { '?' };
        let sslmode = if base.contains("sslmode=") {
            ""
        } else {
            "&sslmode=disable"
        };
        format!("{base}{separator}schema={}{sslmode}", self.name)
    }

    /// A connection of the test's own, its search path this schema (so
    /// SQL names the vault's tables unqualified).
    pub fn client(&self) -> Client {
        let mut client = connect().expect("connect to the test server");
        client
            .batch_execute(&format!("SET search_path TO \"{}\"", self.name))
            .unwrap();
        client
    }

    /// Whether the schema exists on the server.
    pub fn exists(&self) -> bool {
        self.client()
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)",
                &[&self.name],
            )
            .unwrap()
            .get(0)
    }

    /// The names of the tables in the schema, sorted.
    pub fn tables(&self) -> Vec<String> {
        self.client()
            .query(
                "SELECT tablename::text FROM pg_tables WHERE schemaname = $1 ORDER BY 1",
                &[&self.name],
            )
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect()
    }

    /// One number `sql` returns (a count, a version).
    pub fn number(&self, sql: &str) -> i64 {
        let row = self.client().query_one(sql, &[]).unwrap();
        row.try_get::<_, i64>(0)
            .or_else(|_| row.try_get::<_, i32>(0).map(i64::from))
            .unwrap_or_else(|e| panic!("{sql}: not a number: {e}"))
    }

    /// The vault id and wrapped data key.
    pub fn wrapped_key(&self) -> (String, Vec<u8>) {
        let row = self
            .client()
            .query_one("SELECT vault_id, data_key FROM vault", &[])
            .unwrap();
        (row.get(0), row.get(1))
    }

    /// Every secret's row: name, sealing, ciphertext, by name.
    pub fn sealed_rows(&self) -> Vec<(String, String, Vec<u8>)> {
        self.client()
            .query(
                "SELECT name, sealing, ciphertext FROM secrets ORDER BY name",
                &[],
            )
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect()
    }

    /// Every row of every table of the vault, as text, to compare states.
    pub fn rows(&self) -> Vec<String> {
        let mut client = self.client();
        let mut all = Vec::new();
        for table in self.tables() {
            let sql =
                format!("SELECT '{table}: ' || row_to_json(t)::text FROM \"{table}\" t ORDER BY 1");
            for row in client.query(&sql, &[]).unwrap() {
                all.push(row.get(0));
            }
        }
        all
    }
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        // Best effort: a server gone since is no reason to fail a test.
        if let Ok(mut client) = connect() {
            let _ = client.batch_execute(&format!(
                "SET statement_timeout = '30s'; DROP SCHEMA IF EXISTS \"{}\" CASCADE",
                self.name
            ));
        }
    }
}

fn base36(mut n: u128) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap()
}
