//! A vault whose content is not what `secrets` writes: a table, column or
//! row missing, a value of the wrong type, a time no clock could give.
//!
//! SQLite's own words for these ("Invalid column type Text at index: 3",
//! "Query returned no rows") tell the user nothing; each becomes one
//! sentence saying that the vault is damaged and where. The readers in
//! `db`, `events` and `recipients` name the table they read ([`in_table`]);
//! [`explain`] turns any such failure of a command into the final message.
//! Not for files that are not vaults at all (see `db::open_header`) or for
//! a busy vault (`db::explain`).

use crate::error::{FAILED, Failure};
use rusqlite::ErrorCode;
use rusqlite::types::FromSqlError;
use std::fmt;

/// The tables of a vault, as damage reports name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Vault,
    Recipients,
    Secrets,
    Events,
}

impl Table {
    const ALL: [Table; 4] = [
        Table::Vault,
        Table::Recipients,
        Table::Secrets,
        Table::Events,
    ];

    fn name(self) -> &'static str {
        match self {
            Table::Vault => "vault",
            Table::Recipients => "recipients",
            Table::Secrets => "secrets",
            Table::Events => "events",
        }
    }

    /// The table SQLite names in a message, if it is one of ours.
    fn named(name: &str) -> Option<Table> {
        let name = name.rsplit('.').next().unwrap_or(name);
        Table::ALL.into_iter().find(|t| t.name() == name)
    }
}

/// Which stored time of a row is out of range.
#[derive(Debug, Clone, Copy)]
pub enum TimeField {
    Created,
    Updated,
    LastUsed,
    Logged,
}

/// What is wrong.
#[derive(Debug, Clone)]
enum Fault {
    NotADatabase,
    MissingTable,
    MissingColumn(Option<String>),
    MissingRow,
    UnexpectedValue(Option<String>),
    TimeOutOfRange(TimeField),
}

/// Damage found in the vault: where, and what. The vault's path is added by
/// [`explain`].
#[derive(Debug, Clone)]
pub struct Damage {
    table: Option<Table>,
    /// The secret whose row it is, when known.
    secret: Option<String>,
    fault: Fault,
}

impl Damage {
    /// A row `secrets` always writes in `table` (the `vault` row) is gone.
    pub fn missing_row(table: Table) -> Damage {
        Damage {
            table: Some(table),
            secret: None,
            fault: Fault::MissingRow,
        }
    }

    /// A row of `table` that holds something `secrets` never writes there.
    pub fn unexpected_row(table: Table) -> Damage {
        Damage {
            table: Some(table),
            secret: None,
            fault: Fault::UnexpectedValue(None),
        }
    }

    /// A stored time outside `clock::is_plausible`, in `secret`'s row or (for
    /// `TimeField::Logged`) in the audit log.
    pub fn time_out_of_range(secret: Option<&str>, field: TimeField) -> Damage {
        Damage {
            table: Some(match field {
                TimeField::Logged => Table::Events,
                _ => Table::Secrets,
            }),
            secret: secret.map(str::to_owned),
            fault: Fault::TimeOutOfRange(field),
        }
    }

    /// What `error` says about the vault's content, if it says it is not
    /// what `secrets` writes; `table` is where it was read, if known.
    fn of(error: &rusqlite::Error, table: Option<Table>) -> Option<Damage> {
        use rusqlite::Error as E;
        let (table, fault) = match error {
            E::QueryReturnedNoRows => (table, Fault::MissingRow),
            E::InvalidColumnType(_, column, _) => {
                (table, Fault::UnexpectedValue(Some(column.clone())))
            }
            E::FromSqlConversionFailure(..) | E::IntegralValueOutOfRange(..) | E::Utf8Error(..) => {
                (table, Fault::UnexpectedValue(None))
            }
            E::SqliteFailure(_, Some(message)) | E::SqlInputError { msg: message, .. } => {
                schema_fault(message, table).or_else(|| corrupt(error).map(|f| (table, f)))?
            }
            _ => (table, corrupt(error)?),
        };
        Some(Damage {
            table,
            secret: None,
            fault,
        })
    }
}

/// A schema that lacks what `secrets` reads, from SQLite's message.
fn schema_fault(message: &str, table: Option<Table>) -> Option<(Option<Table>, Fault)> {
    if let Some(name) = message.strip_prefix("no such table: ") {
        return Some((Table::named(name), Fault::MissingTable));
    }
    if let Some(column) = message.strip_prefix("no such column: ") {
        let column = column.rsplit('.').next().unwrap_or(column);
        return Some((table, Fault::MissingColumn(Some(column.to_owned()))));
    }
    // "table secrets has no column named sealing", from a write.
    let (name, column) = message
        .strip_prefix("table ")?
        .split_once(" has no column named ")?;
    Some((
        Table::named(name).or(table),
        Fault::MissingColumn(Some(column.to_owned())),
    ))
}

fn corrupt(error: &rusqlite::Error) -> Option<Fault> {
    match error.sqlite_error_code()? {
        ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt => Some(Fault::NotADatabase),
        _ => None,
    }
}

impl fmt::Display for Damage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let table = self.table.map(Table::name);
        match (&self.fault, table) {
            (Fault::NotADatabase, _) => f.write_str("not a valid SQLite database"),
            (Fault::MissingTable, Some(t)) => write!(f, "table {t} is missing"),
            (Fault::MissingTable, None) => f.write_str("a table is missing"),
            (Fault::MissingColumn(column), t) => {
                let t = t.map_or_else(|| "a table".to_owned(), |t| format!("table {t}"));
                match column {
                    Some(column) => write!(f, "{t} has no column {column}"),
                    None => write!(f, "{t} lacks a column secrets reads"),
                }
            }
            (Fault::MissingRow, Some("vault")) => {
                f.write_str("table vault: its one row is missing")
            }
            (Fault::MissingRow, Some(t)) => write!(f, "table {t}: a row secrets needs is missing"),
            (Fault::MissingRow, None) => f.write_str("a row secrets needs is missing"),
            (Fault::UnexpectedValue(column), t) => match (t, column) {
                (Some(t), Some(column)) => write!(
                    f,
                    "table {t}, column {column}: a value is not as secrets writes it"
                ),
                (Some(t), None) => write!(f, "table {t}: a row is not as secrets writes it"),
                (None, _) => f.write_str("a row is not as secrets writes it"),
            },
            (Fault::TimeOutOfRange(field), _) => {
                let which = match field {
                    TimeField::Created => "creation time",
                    TimeField::Updated => "update time",
                    TimeField::LastUsed => "last-use time",
                    TimeField::Logged => "time",
                };
                match &self.secret {
                    Some(name) => write!(f, "secret '{name}': its {which} is out of range"),
                    None => write!(f, "table events: an entry's {which} is out of range"),
                }
            }
        }
    }
}

impl std::error::Error for Damage {}

/// For a read of `table`: the damage `error` reports, or `error` itself if
/// it says nothing about the content.
pub fn found_in(error: rusqlite::Error, table: Table) -> Result<Damage, rusqlite::Error> {
    Damage::of(&error, Some(table)).ok_or(error)
}

/// `found_in` as a `map_err` step: damage, or SQLite's error.
pub fn in_table(table: Table) -> impl Fn(rusqlite::Error) -> anyhow::Error {
    move |error| match found_in(error, table) {
        Ok(damage) => damage.into(),
        Err(error) => anyhow::Error::new(error),
    }
}

/// A command's failure, as the user reads it: if anything in it says that
/// the vault at `vault` is damaged, one sentence saying so and where (exit
/// code 1, as any failure of ours), with a hint to restore it. Writes are
/// single transactions, so a failed one left the vault as it was.
pub fn explain(error: anyhow::Error, vault: &str) -> anyhow::Error {
    let damage = error.chain().find_map(|cause| {
        if let Some(damage) = cause.downcast_ref::<Damage>() {
            return Some(damage.clone());
        }
        if let Some(error) = cause.downcast_ref::<rusqlite::Error>() {
            return Damage::of(error, None);
        }
        cause.is::<FromSqlError>().then_some(Damage {
            table: None,
            secret: None,
            fault: Fault::UnexpectedValue(None),
        })
    });
    let Some(damage) = damage else {
        return error;
    };
    Failure::new(
        FAILED,
        format!("the vault at {vault} is damaged ({damage}); it was left untouched"),
    )
    .with_hint("restore it from a backup")
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(message: &str) -> rusqlite::Error {
        rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ERROR),
            Some(message.to_owned()),
        )
    }

    fn said(error: rusqlite::Error, table: Option<Table>) -> Option<String> {
        Damage::of(&error, table).map(|d| d.to_string())
    }

    #[test]
    fn sqlite_messages_name_the_damaged_place() {
        let secrets = Some(Table::Secrets);
        assert_eq!(
            said(failure("no such table: main.events"), secrets).as_deref(),
            Some("table events is missing")
        );
        assert_eq!(
            said(failure("no such column: s.sealing"), secrets).as_deref(),
            Some("table secrets has no column sealing")
        );
        assert_eq!(
            said(
                failure("table recipients has no column named add_time_ms"),
                None
            )
            .as_deref(),
            Some("table recipients has no column add_time_ms")
        );
        assert_eq!(
            said(rusqlite::Error::QueryReturnedNoRows, Some(Table::Vault)).as_deref(),
            Some("table vault: its one row is missing")
        );
        assert_eq!(
            said(rusqlite::Error::IntegralValueOutOfRange(0, -1), None).as_deref(),
            Some("a row is not as secrets writes it")
        );
    }

    #[test]
    fn other_failures_are_not_damage() {
        assert_eq!(said(failure("near \"SELEC\": syntax error"), None), None);
        let busy = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
            None,
        );
        assert_eq!(said(busy, None), None);
        assert_eq!(said(rusqlite::Error::InvalidColumnIndex(9), None), None);
    }
}
