//! A team's vault in PostgreSQL: the same rows as a vault file, in a schema
//! of the user's choosing (`?schema=NAME`, default `secrets`), so that one
//! database can hold several vaults. Only sealed values and metadata ever
//! reach the server.
//!
//! Writers queue on a lock of the one `vault` row (`SELECT ... FOR
//! UPDATE`), as SQLite's writers do on the file; reads run in one
//! repeatable-read transaction, so they see one state. A unique index on
//! the lower-case name makes names unique in any case across machines.
//! Statements are sent with their parameter types (`query_typed`): one
//! round trip each, no prepare.

use super::{
    NewEvent, NewRow, NewVault, RecipientRow, Rows, SecretRow, StoredEvent, VaultImage, VaultRow,
};
use crate::clock;
use crate::error::{FAILED, Failure};
use crate::vault::crypto::Sealing;
use crate::vault::damage::{Damage, Table};
use crate::vault::header::Stamp;
use crate::vault::pg_connect::Target;
use crate::vault::queries::{SealedSecret, SecretMeta};
use crate::vault::recipients::PublicKey;
use anyhow::{Context, Result};
use postgres::error::SqlState;
use postgres::types::{ToSql, Type};
use postgres::{Client, IsolationLevel, Transaction};

/// One schema step of a PostgreSQL vault. Never edit a step that has
/// shipped: add one. `vault.schema_version` counts those applied.
const MIGRATIONS: &[&str] = &[
    // 1: the file vault's tables as of its schema 6.
    "CREATE TABLE @vault (
         singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
         schema_version INTEGER NOT NULL,
         vault_id TEXT NOT NULL,
         create_time_ms BIGINT NOT NULL,
         data_key BYTEA,
         all_used_time_ms BIGINT
     );
     CREATE TABLE @recipients (
         recipient TEXT PRIMARY KEY,
         add_time_ms BIGINT NOT NULL,
         comment TEXT
     );
     CREATE TABLE @secrets (
         id TEXT PRIMARY KEY,
         name TEXT NOT NULL,
         ciphertext BYTEA NOT NULL,
         sealing TEXT NOT NULL CHECK (sealing IN ('age', 'key')),
         description TEXT,
         create_time_ms BIGINT NOT NULL,
         update_time_ms BIGINT NOT NULL,
         last_used_time_ms BIGINT
     );
     CREATE UNIQUE INDEX secrets_name ON @secrets (lower(name));
     CREATE TABLE @events (
         id BIGSERIAL PRIMARY KEY,
         time_ms BIGINT NOT NULL,
         action TEXT NOT NULL,
         names TEXT NOT NULL,
         program TEXT,
         detail TEXT,
         host TEXT
     );",
    // 2: the commitment of the file vault's schema 7 (`trust`), and a
    // version counter every write bumps, which exec's cache is checked
    // against.
    "ALTER TABLE @vault ADD COLUMN commitment BYTEA;
     ALTER TABLE @vault ADD COLUMN version BIGINT NOT NULL DEFAULT 0;",
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i32 = MIGRATIONS.len() as i32;

/// Metadata columns in `meta_from_row`'s order (see the file store's). The
/// vault's one time is a scalar subquery, not a join: joined, the planner
/// guesses thousands of vault rows before the table is analyzed, and would
/// compile (JIT) a 10,000-secret list for 150 ms.
const SELECT_META: &str = "
    SELECT s.id, s.name, s.description, s.create_time_ms, s.update_time_ms,
           CASE WHEN v.all_used >= s.create_time_ms
                 AND v.all_used > COALESCE(s.last_used_time_ms, 0)
                THEN v.all_used ELSE s.last_used_time_ms END
    FROM @secrets s, (SELECT (SELECT all_used_time_ms FROM @vault) AS all_used) v";

/// Names sort as the file vault sorts them: in any case, byte by byte.
const BY_NAME: &str = "lower(s.name) COLLATE \"C\"";

/// Where a vault's tables are. Statements here name them `@vault`,
/// `@recipients`, `@secrets` and `@events`; `qualify` puts the schema in
/// front of each. Nothing relies on `search_path`: a connection pooler
/// (PgBouncer) does not carry one from the client to the server.
struct Schema {
    quoted: String,
}

impl Schema {
    fn of(target: &Target) -> Schema {
        Schema {
            quoted: quote_identifier(target.schema()),
        }
    }

    fn qualify(&self, sql: &str) -> String {
        let mut qualified = sql.to_owned();
        for table in ["vault", "recipients", "secrets", "events"] {
            qualified =
                qualified.replace(&format!("@{table}"), &format!("{}.{table}", self.quoted));
        }
        qualified
    }
}

/// An open connection to a PostgreSQL vault.
pub struct PgStore {
    client: Client,
    schema: Schema,
    shown: String,
    /// Read with the schema version as the connection opens.
    vault_id: String,
    /// `exec`'s read, made as the connection opened (`connect_for_exec`).
    read_for_exec: Option<Box<ReadForExec>>,
}

impl PgStore {
    /// Connects to the vault at `target`, which must exist; migrates an
    /// older schema. A newer schema is refused untouched.
    pub fn connect(target: &Target) -> Result<PgStore> {
        let mut store = PgStore {
            client: target.connect()?,
            schema: Schema::of(target),
            shown: target.shown(),
            vault_id: String::new(),
            read_for_exec: None,
        };
        let (version, vault_id) = store.schema_version()?;
        store.vault_id = vault_id;
        if version > SCHEMA_VERSION {
            return Err(Failure::new(
                FAILED,
                format!(
                    "the vault at {} has schema {version}, newer than this secrets (schema {SCHEMA_VERSION})",
                    store.shown
                ),
            )
            .with_hint("upgrade secrets on this machine; the vault was left untouched")
            .into());
        }
        if version < SCHEMA_VERSION {
            store.migrate()?;
        }
        Ok(store)
    }

    /// Creates a vault at `target` encrypting to `recipient` (its schema
    /// too, if missing). Returns `false`, changing nothing, if a vault is
    /// there already.
    pub fn create(target: &Target, new: &NewVault<'_>) -> Result<bool> {
        create_with(target, |tx, shown, schema| {
            let now = clock::now_ms();
            tx.execute(
                &schema.qualify(
                    "INSERT INTO @vault
                     (singleton, schema_version, vault_id, create_time_ms, data_key, commitment)
                 VALUES (1, $1, $2, $3, $4, $5)",
                ),
                &[
                    &SCHEMA_VERSION,
                    &new.vault_id,
                    &now,
                    &new.wrapped_key,
                    &new.commitment,
                ],
            )
            .map_err(|e| explain(e, shown))?;
            tx.execute(
                &schema.qualify("INSERT INTO @recipients (recipient, add_time_ms) VALUES ($1, $2)"),
                &[&new.recipient, &now],
            )
            .map_err(|e| explain(e, shown))?;
            Ok(())
        })
    }

    /// Creates a vault at `target` holding `image` (another vault's rows),
    /// as `create` does: its schema and tables are made in the same
    /// transaction as its rows, so a failure leaves nothing behind. Returns
    /// `false`, changing nothing, if a vault is there already.
    pub fn create_from_image(target: &Target, image: &VaultImage) -> Result<bool> {
        create_with(target, |tx, shown, schema| {
            insert_image(tx, image, shown, schema)
        })
    }

    /// A read-only transaction in which every statement sees one state of
    /// the vault (`vault copy` reads all of it).
    pub(super) fn read_snapshot(&mut self) -> Result<Box<dyn Rows + '_>> {
        let tx = self
            .client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .map_err(|e| explain(e, &self.shown))?;
        Ok(Box::new(PgRows {
            tx: Conn::Tx(tx),
            shown: &self.shown,
            schema: &self.schema,
        }))
    }

    /// Reads without a transaction: each statement sees one state of the
    /// vault, and a command that only reads asks what it shows in one
    /// statement (`list`, `show`, `log`), so a transaction's two extra
    /// round trips would buy nothing.
    pub(super) fn read(&mut self) -> Result<Box<dyn Rows + '_>> {
        Ok(Box::new(PgRows {
            tx: Conn::Auto(&mut self.client),
            shown: &self.shown,
            schema: &self.schema,
        }))
    }

    pub(super) fn write(&mut self) -> Result<Box<dyn Rows + '_>> {
        let mut tx = self
            .client
            .transaction()
            .map_err(|e| explain(e, &self.shown))?;
        // Takes the vault row's lock, and tells exec's caches on every
        // machine that what they hold is stale (if this commits).
        tx.execute(
            &self
                .schema
                .qualify("UPDATE @vault SET version = version + 1"),
            &[],
        )
        .map_err(|e| explain(e, &self.shown))?;
        Ok(Box::new(PgRows {
            tx: Conn::Tx(tx),
            shown: &self.shown,
            schema: &self.schema,
        }))
    }

    /// Logs `exec`'s run and touches the last use of what it injected (the
    /// vault's "every secret" time when `every`), in one transaction that
    /// takes no writer's lock. Returns the entry's id.
    ///
    /// With `cached`, the vault's id and version counter that exec's cache
    /// holds, only if the vault is still in that state: `None` otherwise
    /// (the cache is stale, nothing was logged).
    #[allow(
        clippy::too_many_arguments,
        reason = "each is one column or condition of the one statement"
    )]
    pub fn log_run(
        &mut self,
        time_ms: i64,
        program: &str,
        names: &[String],
        every: bool,
        host: Option<&str>,
        cached: Option<(&str, i64)>,
        via: Option<&str>,
    ) -> Result<Option<i64>> {
        // A run that `secrets mcp` made for an agent: its own action.
        let action = if via.is_some() { "mcp" } else { "exec" };
        let (cached_id, cached_version) = cached.unzip();
        let names_json = serde_json::to_string(names)?;
        // Every secret: the vault's one "every secret" time, not a row each.
        let lower: Vec<String> = if every {
            Vec::new()
        } else {
            names.iter().map(|n| n.to_ascii_lowercase()).collect()
        };
        // Only the tables this run touches: each first use of a table costs
        // a fresh server process a catalog read.
        let touch = if every {
            "UPDATE @vault SET all_used_time_ms = GREATEST(COALESCE(all_used_time_ms, 0), $1)
             WHERE EXISTS (SELECT 1 FROM current)"
        } else {
            "UPDATE @secrets SET last_used_time_ms = GREATEST(COALESCE(last_used_time_ms, 0), $1)
             WHERE lower(name) = ANY($5) AND EXISTS (SELECT 1 FROM current)"
        };
        // One statement: one round trip, one transaction. Not waiting for
        // the server's disk: a record of use, not a change to the vault.
        let statement = format!(
            "WITH current AS (
                 SELECT 1 FROM @vault
                 WHERE $6::text IS NULL OR (vault_id = $6 AND version = $7)
             ), logged AS (
                 INSERT INTO @events (time_ms, action, names, program, host, detail)
                 SELECT $1, $8, $2, $3, $4, $9 FROM current RETURNING id
             ), touched AS ({touch}
             ), unsynced AS (
                 SELECT set_config('synchronous_commit', 'off', true)
             )
             SELECT (SELECT id FROM logged) FROM unsynced"
        );
        let row = self.client.query_typed_one(
            &self.schema.qualify(&statement),
            &[
                (&time_ms, Type::INT8),
                (&names_json, Type::TEXT),
                (&program, Type::TEXT),
                (&host, Type::TEXT),
                (&lower, Type::TEXT_ARRAY),
                (&cached_id, Type::TEXT),
                (&cached_version, Type::INT8),
                (&action, Type::TEXT),
                (&via, Type::TEXT),
            ],
        );
        match row {
            Ok(row) => get(&row, 0, Table::Events),
            // A vault of an older schema (no version counter yet) than the
            // cache was taken of: stale, and the read that follows migrates.
            Err(e) if cached.is_some() && e.code() == Some(&SqlState::UNDEFINED_COLUMN) => Ok(None),
            Err(e) => Err(explain(e, &self.shown)),
        }
    }

    /// Logs an event that changes nothing in the vault (what a gateway of
    /// a run did, a call of `secrets mcp`'s tools): one row, no change to
    /// the vault's version (exec's caches stay current), not waiting for
    /// the server's disk, as `log_run`.
    pub fn log_unsynced(&mut self, event: &NewEvent<'_>) -> Result<()> {
        let statement = "WITH unsynced AS (
                 SELECT set_config('synchronous_commit', 'off', true)
             )
             INSERT INTO @events (time_ms, action, names, program, detail, host)
             SELECT $1, $2, $3, $4, $5, $6 FROM unsynced";
        self.client
            .execute_typed(
                &self.schema.qualify(statement),
                &[
                    (&event.time_ms, Type::INT8),
                    (&event.action, Type::TEXT),
                    (&event.names_json, Type::TEXT),
                    (&event.program, Type::TEXT),
                    (&event.detail, Type::TEXT),
                    (&event.host, Type::TEXT),
                ],
            )
            .map_err(|e| explain(e, &self.shown))?;
        Ok(())
    }

    /// Removes the log entry `log_run` made, for a program that could not
    /// be started (an `exec`, or a run of `secrets mcp`).
    pub fn unlog_run(&mut self, event_id: i64) -> Result<()> {
        self.client
            .execute_typed(
                &self
                    .schema
                    .qualify("DELETE FROM @events WHERE id = $1 AND action IN ('exec', 'mcp')"),
                &[(&event_id, Type::INT8)],
            )
            .map_err(|e| explain(e, &self.shown))?;
        Ok(())
    }

    /// The vault's id, as read when the connection opened.
    pub fn vault_id(&self) -> &str {
        &self.vault_id
    }

    /// Connects to the vault `vault_id` at `target` without reading it
    /// (`exec` from its cache: recording the run checks the vault's state).
    pub fn connect_only(target: &Target, vault_id: &str) -> Result<PgStore> {
        Ok(PgStore {
            client: target.connect()?,
            schema: Schema::of(target),
            shown: target.shown(),
            vault_id: vault_id.to_owned(),
            read_for_exec: None,
        })
    }

    /// Connects for `exec`, whose read (`read_for_exec`) is made at once
    /// and also says the schema's version: one round trip after the
    /// connection instead of two. A vault whose schema the read does not
    /// fit, or older than this build's, is opened as `connect` does.
    pub fn connect_for_exec(target: &Target) -> Result<PgStore> {
        let mut store = PgStore {
            client: target.connect()?,
            schema: Schema::of(target),
            shown: target.shown(),
            vault_id: String::new(),
            read_for_exec: None,
        };
        match store.read_everything() {
            Ok(read) if read.schema_version == SCHEMA_VERSION => {
                store.vault_id = read.vault_id.clone();
                store.read_for_exec = Some(Box::new(read));
                Ok(store)
            }
            Ok(_) => PgStore::connect(target),
            Err(error) if error.code() == Some(&SqlState::UNDEFINED_COLUMN) => {
                PgStore::connect(target)
            }
            Err(error) => Err(explain(error, &store.shown)),
        }
    }

    /// `exec`'s whole read: the one made as the connection opened
    /// (`connect_for_exec`), else made now.
    pub(super) fn read_for_exec(&mut self) -> Result<Box<dyn Rows + '_>> {
        match self.read_for_exec.take() {
            Some(read) => Ok(read),
            None => Ok(Box::new(
                self.read_everything()
                    .map_err(|e| explain(e, &self.shown))?,
            )),
        }
    }

    /// In one statement (so one round trip, and one consistent state
    /// without a transaction): the vault row, the recipients and every
    /// sealed value. Rows that are not what this build writes are damage
    /// (`ReadForExec::damage`, reported when read).
    fn read_everything(&mut self) -> Result<ReadForExec, postgres::Error> {
        let rows = self.client.query_typed(
            &self.schema.qualify(
                "SELECT 0, v.vault_id, NULL, NULL, v.data_key, v.commitment, v.schema_version,
                    v.version
             FROM @vault v
             UNION ALL SELECT 1, r.recipient, NULL, NULL, NULL, NULL, NULL, NULL
             FROM @recipients r
             UNION ALL SELECT 2, s.id, s.name, s.sealing, s.ciphertext, NULL, NULL, NULL
             FROM @secrets s",
            ),
            &[],
        )?;
        let mut read = ReadForExec::default();
        for row in &rows {
            if let Err(damage) = read.add(row) {
                read.damage = Some(damage);
                break;
            }
        }
        Ok(read)
    }

    fn schema_version(&mut self) -> Result<(i32, String)> {
        let row = self
            .client
            .query_typed_opt(
                &self
                    .schema
                    .qualify("SELECT schema_version, vault_id FROM @vault"),
                &[],
            )
            .map_err(|e| explain(e, &self.shown))?;
        let row = row.ok_or_else(|| Damage::missing_row(Table::Vault))?;
        Ok((get(&row, 0, Table::Vault)?, get(&row, 1, Table::Vault)?))
    }

    /// Applies the steps not yet applied, in one transaction; a machine
    /// that migrated first leaves nothing to do for the next.
    fn migrate(&mut self) -> Result<()> {
        let shown = self.shown.clone();
        let mut tx = self.client.transaction().map_err(|e| explain(e, &shown))?;
        let schema = &self.schema;
        let row = tx
            .query_one(
                &schema.qualify("SELECT schema_version FROM @vault FOR UPDATE"),
                &[],
            )
            .map_err(|e| explain(e, &shown))?;
        let from: i32 = get(&row, 0, Table::Vault)?;
        for (index, step) in MIGRATIONS.iter().enumerate().skip(from.max(0) as usize) {
            tx.batch_execute(&schema.qualify(step))
                .with_context(|| format!("cannot upgrade the vault to schema {}", index + 1))?;
        }
        tx.execute(
            &schema.qualify("UPDATE @vault SET schema_version = $1 WHERE schema_version < $1"),
            &[&SCHEMA_VERSION],
        )
        .map_err(|e| explain(e, &shown))?;
        tx.commit().map_err(|e| explain(e, &shown))
    }
}

/// Creates a vault at `target` (its schema too, if missing) whose rows
/// `fill` writes, in the transaction that makes its tables. Returns
/// `false`, changing nothing, if a vault is there already.
fn create_with(
    target: &Target,
    fill: impl FnOnce(&mut Transaction<'_>, &str, &Schema) -> Result<()>,
) -> Result<bool> {
    let shown = target.shown();
    let schema = Schema::of(target);
    let mut client = target.connect()?;
    let mut tx = client.transaction().map_err(|e| explain(e, &shown))?;
    // Two machines creating the same vault at once: one waits here. (The
    // name is a plain identifier, checked when the URL was read.)
    tx.batch_execute(&format!(
        "CREATE SCHEMA IF NOT EXISTS {quoted};
         SELECT pg_advisory_xact_lock(hashtext('secrets vault {name}'));",
        quoted = schema.quoted,
        name = target.schema(),
    ))
    .map_err(|e| explain(e, &shown))?;
    let row = tx
        .query_one(
            "SELECT to_regclass($1) IS NOT NULL",
            &[&schema.qualify("@vault")],
        )
        .map_err(|e| explain(e, &shown))?;
    let exists: bool = get(&row, 0, Table::Vault)?;
    if exists {
        return Ok(false);
    }
    for step in MIGRATIONS {
        tx.batch_execute(&schema.qualify(step))
            .map_err(|e| explain(e, &shown))?;
    }
    fill(&mut tx, &shown, &schema)?;
    tx.commit().map_err(|e| explain(e, &shown))?;
    Ok(true)
}

/// Writes `image` into a vault whose tables are empty.
fn insert_image(
    tx: &mut Transaction<'_>,
    image: &VaultImage,
    shown: &str,
    schema: &Schema,
) -> Result<()> {
    let vault = &image.vault;
    tx.execute_typed(
        &schema.qualify(
            "INSERT INTO @vault (singleton, schema_version, vault_id, create_time_ms, data_key,
                            all_used_time_ms, commitment, version)
         VALUES (1, $1, $2, $3, $4, $5, $6, $7)",
        ),
        &[
            (&SCHEMA_VERSION, Type::INT4),
            (&vault.vault_id, Type::TEXT),
            (&vault.create_time_ms, Type::INT8),
            (&vault.wrapped_key, Type::BYTEA),
            (&vault.all_used_time_ms, Type::INT8),
            (&vault.commitment, Type::BYTEA),
            // Not 0: a cache of an earlier copy of the same vault at this
            // place (same vault id) must not pass for current.
            (&clock::now_ms(), Type::INT8),
        ],
    )
    .map_err(|e| explain(e, shown))?;
    for r in &image.recipients {
        tx.execute_typed(
            &schema.qualify(
                "INSERT INTO @recipients (recipient, add_time_ms, comment) VALUES ($1, $2, $3)",
            ),
            &[
                (&r.recipient, Type::TEXT),
                (&r.add_time_ms, Type::INT8),
                (&r.comment, Type::TEXT),
            ],
        )
        .map_err(|e| explain(e, shown))?;
    }
    for s in &image.secrets {
        tx.execute_typed(
            &schema.qualify(
                "INSERT INTO @secrets (id, name, ciphertext, sealing, description,
                                  create_time_ms, update_time_ms, last_used_time_ms)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            ),
            &[
                (&s.id, Type::TEXT),
                (&s.name, Type::TEXT),
                (&s.ciphertext, Type::BYTEA),
                (&s.sealing.as_str(), Type::TEXT),
                (&s.description, Type::TEXT),
                (&s.create_time_ms, Type::INT8),
                (&s.update_time_ms, Type::INT8),
                (&s.last_used_time_ms, Type::INT8),
            ],
        )
        .map_err(|e| explain(e, shown))?;
    }
    for e in &image.events {
        tx.execute_typed(
            &schema.qualify(
                "INSERT INTO @events (time_ms, action, names, program, detail, host)
             VALUES ($1, $2, $3, $4, $5, $6)",
            ),
            &[
                (&e.time_ms, Type::INT8),
                (&e.action, Type::TEXT),
                (&e.names_json, Type::TEXT),
                (&e.program, Type::TEXT),
                (&e.detail, Type::TEXT),
                (&e.host, Type::TEXT),
            ],
        )
        .map_err(|e| explain(e, shown))?;
    }
    Ok(())
}

/// A transaction on a PostgreSQL vault (for reads, statements each in
/// their own: see `PgStore::read`).
struct PgRows<'c> {
    tx: Conn<'c>,
    shown: &'c str,
    schema: &'c Schema,
}

/// Where `PgRows` sends its statements.
enum Conn<'c> {
    Tx(Transaction<'c>),
    Auto(&'c mut Client),
}

impl Conn<'_> {
    fn query_typed(
        &mut self,
        sql: &str,
        params: &[(&(dyn ToSql + Sync), Type)],
    ) -> Result<Vec<postgres::Row>, postgres::Error> {
        match self {
            Conn::Tx(tx) => tx.query_typed(sql, params),
            Conn::Auto(client) => client.query_typed(sql, params),
        }
    }

    fn execute_typed(
        &mut self,
        sql: &str,
        params: &[(&(dyn ToSql + Sync), Type)],
    ) -> Result<u64, postgres::Error> {
        match self {
            Conn::Tx(tx) => tx.execute_typed(sql, params),
            Conn::Auto(client) => client.execute_typed(sql, params),
        }
    }
}

impl PgRows<'_> {
    fn query(
        &mut self,
        sql: &str,
        params: &[(&(dyn ToSql + Sync), Type)],
    ) -> Result<Vec<postgres::Row>> {
        self.tx
            .query_typed(&self.schema.qualify(sql), params)
            .map_err(|e| explain(e, self.shown))
    }

    fn execute(&mut self, sql: &str, params: &[(&(dyn ToSql + Sync), Type)]) -> Result<u64> {
        self.tx
            .execute_typed(&self.schema.qualify(sql), params)
            .map_err(|e| explain(e, self.shown))
    }

    fn one(&mut self, sql: &str, table: Table) -> Result<postgres::Row> {
        self.query(sql, &[])?
            .into_iter()
            .next()
            .ok_or_else(|| Damage::missing_row(table).into())
    }
}

impl Rows for PgRows<'_> {
    fn vault_id(&mut self) -> Result<String> {
        get(
            &self.one("SELECT vault_id FROM @vault", Table::Vault)?,
            0,
            Table::Vault,
        )
    }

    fn wrapped_key(&mut self) -> Result<Option<Vec<u8>>> {
        get(
            &self.one("SELECT data_key FROM @vault", Table::Vault)?,
            0,
            Table::Vault,
        )
    }

    fn set_wrapped_key(&mut self, wrapped: &[u8]) -> Result<()> {
        self.execute(
            "UPDATE @vault SET data_key = $1",
            &[(&wrapped, Type::BYTEA)],
        )?;
        Ok(())
    }

    fn commitment(&mut self) -> Result<Option<Vec<u8>>> {
        get(
            &self.one("SELECT commitment FROM @vault", Table::Vault)?,
            0,
            Table::Vault,
        )
    }

    fn set_commitment(&mut self, commitment: &[u8]) -> Result<()> {
        self.execute(
            "UPDATE @vault SET commitment = $1",
            &[(&commitment, Type::BYTEA)],
        )?;
        Ok(())
    }

    fn recipients(&mut self) -> Result<Vec<PublicKey>> {
        let rows = self.query(
            "SELECT recipient, comment FROM @recipients ORDER BY add_time_ms, recipient COLLATE \"C\"",
            &[],
        )?;
        let table = Table::Recipients;
        rows.iter()
            .map(|r| {
                Ok(PublicKey {
                    text: get(r, 0, table)?,
                    comment: get(r, 1, table)?,
                })
            })
            .collect()
    }

    fn add_recipient(&mut self, key: &PublicKey, time_ms: i64) -> Result<bool> {
        let inserted = self.execute(
            "INSERT INTO @recipients (recipient, add_time_ms, comment) VALUES ($1, $2, $3)
             ON CONFLICT (recipient) DO NOTHING",
            &[
                (&key.text, Type::TEXT),
                (&time_ms, Type::INT8),
                (&key.comment, Type::TEXT),
            ],
        )?;
        if inserted == 0 && key.comment.is_some() {
            self.execute(
                "UPDATE @recipients SET comment = $2 WHERE recipient = $1 AND comment IS NULL",
                &[(&key.text, Type::TEXT), (&key.comment, Type::TEXT)],
            )?;
        }
        Ok(inserted == 1)
    }

    fn remove_recipient(&mut self, text: &str) -> Result<()> {
        self.execute(
            "DELETE FROM @recipients WHERE recipient = $1",
            &[(&text, Type::TEXT)],
        )?;
        Ok(())
    }

    fn list(&mut self) -> Result<Vec<SecretMeta>> {
        let rows = self.query(&format!("{SELECT_META} ORDER BY {BY_NAME}"), &[])?;
        rows.iter().map(meta_from_row).collect()
    }

    fn find(&mut self, name: &str) -> Result<Option<SecretMeta>> {
        let rows = self.query(
            &format!("{SELECT_META} WHERE lower(s.name) = lower($1)"),
            &[(&name, Type::TEXT)],
        )?;
        rows.first().map(meta_from_row).transpose()
    }

    fn sealed(&mut self) -> Result<Vec<SealedSecret>> {
        let rows = self.query("SELECT id, name, sealing, ciphertext FROM @secrets", &[])?;
        rows.iter()
            .map(|r| {
                let table = Table::Secrets;
                Ok(SealedSecret {
                    id: get(r, 0, table)?,
                    name: get(r, 1, table)?,
                    sealing: parse_sealing(get(r, 2, table)?)?,
                    ciphertext: get(r, 3, table)?,
                })
            })
            .collect()
    }

    fn sealed_by_id(&mut self, id: &str) -> Result<(Sealing, Vec<u8>)> {
        let rows = self.query(
            "SELECT sealing, ciphertext FROM @secrets WHERE id = $1",
            &[(&id, Type::TEXT)],
        )?;
        let row = rows
            .first()
            .ok_or_else(|| Damage::missing_row(Table::Secrets))?;
        let table = Table::Secrets;
        Ok((parse_sealing(get(row, 0, table)?)?, get(row, 1, table)?))
    }

    fn has_secrets(&mut self) -> Result<bool> {
        let row = self.one("SELECT EXISTS (SELECT 1 FROM @secrets)", Table::Secrets)?;
        get(&row, 0, Table::Secrets)
    }

    fn insert(&mut self, row: &NewRow<'_>) -> Result<()> {
        let inserted = self.tx.execute_typed(
            &self.schema.qualify(
                "INSERT INTO @secrets
                 (id, name, ciphertext, sealing, description, create_time_ms, update_time_ms)
             VALUES ($1, $2, $3, 'age', $4, $5, $5)",
            ),
            &[
                (&row.id, Type::TEXT),
                (&row.name, Type::TEXT),
                (&row.ciphertext, Type::BYTEA),
                (&row.description, Type::TEXT),
                (&row.time_ms, Type::INT8),
            ],
        );
        match inserted {
            Ok(_) => Ok(()),
            Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
                Err(Failure::already_exists(row.name).into())
            }
            Err(e) => Err(explain(e, self.shown)),
        }
    }

    fn update_value(
        &mut self,
        id: &str,
        ciphertext: &[u8],
        time_ms: i64,
        description: Option<&str>,
    ) -> Result<()> {
        self.execute(
            "UPDATE @secrets SET ciphertext = $2, sealing = 'age', update_time_ms = $3,
                 description = COALESCE($4, description)
             WHERE id = $1",
            &[
                (&id, Type::TEXT),
                (&ciphertext, Type::BYTEA),
                (&time_ms, Type::INT8),
                (&description, Type::TEXT),
            ],
        )?;
        Ok(())
    }

    fn set_description(&mut self, id: &str, description: &str) -> Result<()> {
        self.execute(
            "UPDATE @secrets SET description = $2 WHERE id = $1",
            &[(&id, Type::TEXT), (&description, Type::TEXT)],
        )?;
        Ok(())
    }

    fn reseal(&mut self, id: &str, sealing: Sealing, ciphertext: &[u8]) -> Result<()> {
        self.execute(
            "UPDATE @secrets SET ciphertext = $2, sealing = $3 WHERE id = $1",
            &[
                (&id, Type::TEXT),
                (&ciphertext, Type::BYTEA),
                (&sealing.as_str(), Type::TEXT),
            ],
        )?;
        Ok(())
    }

    fn rename(&mut self, id: &str, name: &str, ciphertext: &[u8]) -> Result<()> {
        let renamed = self.tx.execute_typed(
            &self.schema.qualify(
                "UPDATE @secrets SET name = $2, ciphertext = $3, sealing = 'key' WHERE id = $1",
            ),
            &[
                (&id, Type::TEXT),
                (&name, Type::TEXT),
                (&ciphertext, Type::BYTEA),
            ],
        );
        match renamed {
            Ok(_) => Ok(()),
            Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
                Err(Failure::already_exists(name).into())
            }
            Err(e) => Err(explain(e, self.shown)),
        }
    }

    fn delete(&mut self, id: &str) -> Result<()> {
        self.execute("DELETE FROM @secrets WHERE id = $1", &[(&id, Type::TEXT)])?;
        Ok(())
    }

    fn record(&mut self, event: &NewEvent<'_>) -> Result<()> {
        self.execute(
            "INSERT INTO @events (time_ms, action, names, program, detail, host)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                (&event.time_ms, Type::INT8),
                (&event.action, Type::TEXT),
                (&event.names_json, Type::TEXT),
                (&event.program, Type::TEXT),
                (&event.detail, Type::TEXT),
                (&event.host, Type::TEXT),
            ],
        )?;
        Ok(())
    }

    fn events(&mut self) -> Result<Vec<StoredEvent>> {
        let rows = self.query(
            "SELECT time_ms, action, names, program, detail, host FROM @events ORDER BY time_ms, id",
            &[],
        )?;
        let table = Table::Events;
        rows.iter()
            .map(|r| {
                Ok(StoredEvent {
                    time_ms: get(r, 0, table)?,
                    action: get(r, 1, table)?,
                    names_json: get(r, 2, table)?,
                    program: get(r, 3, table)?,
                    detail: get(r, 4, table)?,
                    usage_id: None,
                    host: get(r, 5, table)?,
                })
            })
            .collect()
    }

    fn image(&mut self) -> Result<VaultImage> {
        let row = self.one(
            "SELECT vault_id, create_time_ms, data_key, all_used_time_ms, commitment FROM @vault",
            Table::Vault,
        )?;
        let table = Table::Vault;
        let vault = VaultRow {
            vault_id: get(&row, 0, table)?,
            create_time_ms: get(&row, 1, table)?,
            wrapped_key: get(&row, 2, table)?,
            all_used_time_ms: get(&row, 3, table)?,
            commitment: get(&row, 4, table)?,
        };
        let rows = self.query(
            "SELECT recipient, add_time_ms, comment FROM @recipients
             ORDER BY add_time_ms, recipient COLLATE \"C\"",
            &[],
        )?;
        let table = Table::Recipients;
        let recipients = rows
            .iter()
            .map(|r| {
                Ok(RecipientRow {
                    recipient: get(r, 0, table)?,
                    add_time_ms: get(r, 1, table)?,
                    comment: get(r, 2, table)?,
                })
            })
            .collect::<Result<_>>()?;
        let rows = self.query(
            &format!(
                "SELECT s.id, s.name, s.ciphertext, s.sealing, s.description,
                        s.create_time_ms, s.update_time_ms, s.last_used_time_ms
                 FROM @secrets s ORDER BY {BY_NAME}"
            ),
            &[],
        )?;
        let table = Table::Secrets;
        let secrets = rows
            .iter()
            .map(|r| {
                Ok(SecretRow {
                    id: get(r, 0, table)?,
                    name: get(r, 1, table)?,
                    ciphertext: get(r, 2, table)?,
                    sealing: parse_sealing(get(r, 3, table)?)?,
                    description: get(r, 4, table)?,
                    create_time_ms: get(r, 5, table)?,
                    update_time_ms: get(r, 6, table)?,
                    last_used_time_ms: get(r, 7, table)?,
                })
            })
            .collect::<Result<_>>()?;
        // In the order the log shows them: copied in it, they keep it.
        let mut events = self.events()?;
        for event in &mut events {
            // The usage journal's ids belong to the journal beside a file.
            event.usage_id = None;
        }
        Ok(VaultImage {
            vault,
            recipients,
            secrets,
            events,
        })
    }

    fn replace_with(&mut self, image: &VaultImage) -> Result<()> {
        let Conn::Tx(tx) = &mut self.tx else {
            anyhow::bail!("a vault's rows are replaced only in a write");
        };
        tx.batch_execute(&self.schema.qualify(
            "DELETE FROM @events;
             DELETE FROM @secrets;
             DELETE FROM @recipients;
             DELETE FROM @vault;",
        ))
        .map_err(|e| explain(e, self.shown))?;
        insert_image(tx, image, self.shown, self.schema)
    }

    fn commit(self: Box<Self>) -> Result<()> {
        let shown = self.shown;
        match self.tx {
            Conn::Tx(tx) => tx.commit().map_err(|e| explain(e, shown)),
            Conn::Auto(_) => Ok(()),
        }
    }
}

fn meta_from_row(row: &postgres::Row) -> Result<SecretMeta> {
    let table = Table::Secrets;
    Ok(SecretMeta {
        id: get(row, 0, table)?,
        name: get(row, 1, table)?,
        description: get(row, 2, table)?,
        create_time_ms: get(row, 3, table)?,
        update_time_ms: get(row, 4, table)?,
        last_used_time_ms: get(row, 5, table)?,
    })
}

/// Column `index` of `row`, read from `table`: a value of another type
/// (a table changed by hand, or by someone else) is damage, not a panic.
fn get<'r, T: postgres::types::FromSql<'r>>(
    row: &'r postgres::Row,
    index: usize,
    table: Table,
) -> Result<T> {
    row.try_get(index)
        .map_err(|_| Damage::unexpected_row(table).into())
}

fn parse_sealing(stored: &str) -> Result<Sealing> {
    Sealing::parse(stored).map_err(|_| Damage::unexpected_row(Table::Secrets).into())
}

/// `name` as a quoted SQL identifier (schema names are checked when the
/// URL is read; quoting keeps this safe whatever they hold).
fn quote_identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Turns the server's errors into one line naming the vault (never the
/// password: `shown` has none).
fn explain(error: postgres::Error, shown: &str) -> anyhow::Error {
    let Some(db) = error.as_db_error() else {
        if error.is_closed() {
            return Failure::new(
                FAILED,
                format!("lost the connection to the vault at {shown}"),
            )
            .with_hint("nothing was changed by the cut-off command; try again")
            .into();
        }
        return Failure::new(FAILED, format!("the vault at {shown}: {error}")).into();
    };
    let code = db.code();
    if code == &SqlState::UNDEFINED_TABLE {
        return Failure::new(FAILED, format!("no vault at {shown}"))
            .with_hint(format!(
                "run `secrets --vault '{shown}' init` to create one there"
            ))
            .into();
    }
    if code == &SqlState::T_R_SERIALIZATION_FAILURE || code == &SqlState::T_R_DEADLOCK_DETECTED {
        return Failure::new(
            FAILED,
            format!("the vault at {shown} was busy with another machine's change"),
        )
        .with_hint("nothing was changed; try again")
        .into();
    }
    if code == &SqlState::INSUFFICIENT_PRIVILEGE {
        return Failure::new(
            FAILED,
            format!("the vault at {shown}: permission denied ({})", db.message()),
        )
        .into();
    }
    Failure::new(FAILED, format!("the vault at {shown}: {}", db.message())).into()
}

/// `exec`'s read (`PgStore::read_for_exec`), held in memory: only what
/// `exec` reads, and nothing to write or commit.
#[derive(Default)]
struct ReadForExec {
    schema_version: i32,
    /// The vault's version counter: what exec's cache is stamped with.
    version: i64,
    vault_id: String,
    wrapped_key: Option<Vec<u8>>,
    commitment: Option<Vec<u8>>,
    recipients: Vec<PublicKey>,
    sealed: Vec<SealedSecret>,
    /// A row that is not what this build writes: every read reports it.
    damage: Option<anyhow::Error>,
}

impl ReadForExec {
    /// Adds one row of `PgStore::read_everything`.
    fn add(&mut self, row: &postgres::Row) -> Result<()> {
        let kind: i32 = get(row, 0, Table::Vault)?;
        match kind {
            0 => {
                self.vault_id = get(row, 1, Table::Vault)?;
                self.wrapped_key = get(row, 4, Table::Vault)?;
                self.commitment = get(row, 5, Table::Vault)?;
                self.schema_version = get(row, 6, Table::Vault)?;
                self.version = get(row, 7, Table::Vault)?;
            }
            1 => self.recipients.push(PublicKey {
                text: get(row, 1, Table::Recipients)?,
                comment: None,
            }),
            _ => self.sealed.push(SealedSecret {
                id: get(row, 1, Table::Secrets)?,
                name: get(row, 2, Table::Secrets)?,
                sealing: parse_sealing(get(row, 3, Table::Secrets)?)?,
                ciphertext: get(row, 4, Table::Secrets)?,
            }),
        }
        Ok(())
    }

    fn checked(&mut self) -> Result<()> {
        match self.damage.take() {
            Some(damage) => Err(damage),
            None if self.vault_id.is_empty() => Err(Damage::missing_row(Table::Vault).into()),
            None => Ok(()),
        }
    }

    fn not_read<T>(&self) -> Result<T> {
        anyhow::bail!("exec's read of a PostgreSQL vault holds only what exec reads")
    }
}

impl Rows for ReadForExec {
    fn vault_id(&mut self) -> Result<String> {
        self.not_read()
    }

    fn wrapped_key(&mut self) -> Result<Option<Vec<u8>>> {
        self.checked()?;
        Ok(self.wrapped_key.clone())
    }

    fn set_wrapped_key(&mut self, _: &[u8]) -> Result<()> {
        self.not_read()
    }

    fn commitment(&mut self) -> Result<Option<Vec<u8>>> {
        Ok(self.commitment.clone())
    }

    fn set_commitment(&mut self, _: &[u8]) -> Result<()> {
        self.not_read()
    }

    fn recipients(&mut self) -> Result<Vec<PublicKey>> {
        Ok(self.recipients.clone())
    }

    fn add_recipient(&mut self, _: &PublicKey, _: i64) -> Result<bool> {
        self.not_read()
    }

    fn remove_recipient(&mut self, _: &str) -> Result<()> {
        self.not_read()
    }

    fn list(&mut self) -> Result<Vec<SecretMeta>> {
        self.not_read()
    }

    fn find(&mut self, _: &str) -> Result<Option<SecretMeta>> {
        self.not_read()
    }

    fn sealed(&mut self) -> Result<Vec<SealedSecret>> {
        self.checked()?;
        Ok(std::mem::take(&mut self.sealed))
    }

    fn sealed_by_id(&mut self, _: &str) -> Result<(Sealing, Vec<u8>)> {
        self.not_read()
    }

    fn has_secrets(&mut self) -> Result<bool> {
        Ok(!self.sealed.is_empty())
    }

    fn insert(&mut self, _: &NewRow<'_>) -> Result<()> {
        self.not_read()
    }

    fn update_value(&mut self, _: &str, _: &[u8], _: i64, _: Option<&str>) -> Result<()> {
        self.not_read()
    }

    fn set_description(&mut self, _: &str, _: &str) -> Result<()> {
        self.not_read()
    }

    fn reseal(&mut self, _: &str, _: Sealing, _: &[u8]) -> Result<()> {
        self.not_read()
    }

    fn rename(&mut self, _: &str, _: &str, _: &[u8]) -> Result<()> {
        self.not_read()
    }

    fn delete(&mut self, _: &str) -> Result<()> {
        self.not_read()
    }

    fn record(&mut self, _: &NewEvent<'_>) -> Result<()> {
        self.not_read()
    }

    fn events(&mut self) -> Result<Vec<StoredEvent>> {
        self.not_read()
    }

    fn image(&mut self) -> Result<VaultImage> {
        self.not_read()
    }

    fn replace_with(&mut self, _: &VaultImage) -> Result<()> {
        self.not_read()
    }

    fn stamp(&self) -> Result<Option<Stamp>> {
        Ok(Some(Stamp::of_version(self.version)))
    }

    fn commit(self: Box<Self>) -> Result<()> {
        Ok(())
    }
}
