//! `secrets import FILE`: many secrets from a dotenv file or a JSON object,
//! in one transaction.

use super::Run;
use crate::cli::ImportArgs;
use crate::config::Paths;
use crate::dotenv;
use crate::error::Failure;
use crate::name::SecretName;
use crate::output;
use crate::value::SecretValue;
use crate::vault::NewSecret;
use crate::vault::import::{Conflict, ImportPlan};
use anyhow::{Context, Result};
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::error::Category;
use std::fmt;
use std::io::Read;
use zeroize::Zeroizing;

impl Run for ImportArgs {
    fn run(self, paths: &Paths) -> Result<()> {
        let text = self.read_input()?;
        let (entries, without_value) = if self.json {
            (from_json(&text)?, Vec::new())
        } else {
            from_dotenv(&text)?
        };
        let Checked {
            secrets,
            empty,
            unexpanded,
        } = checked(entries, self.skip_empty)?;
        let conflict = match (self.overwrite, self.skip_existing) {
            (true, _) => Conflict::Overwrite,
            (_, true) => Conflict::Skip,
            _ => Conflict::Refuse,
        };
        let plan = if self.dry_run && !paths.vault.exists() {
            // Nothing exists yet, so everything would be created; a preview
            // creates no vault, identity or directory.
            output::note(&format!(
                "no vault at {} yet: the import would create it",
                paths.vault.shown()
            ));
            ImportPlan {
                created: secrets.iter().map(|s| s.name.as_str().to_owned()).collect(),
                ..ImportPlan::default()
            }
        } else {
            let mut vault = if self.dry_run {
                crate::vault::Vault::open_to_read(&paths.vault)?
            } else {
                super::init::open_or_create(paths)?
            };
            vault.import(&secrets, conflict, self.dry_run)?
        };
        if self.dry_run {
            let mut text = String::new();
            for (verb, names) in [
                ("create", &plan.created),
                ("update", &plan.updated),
                ("skip", &plan.skipped),
            ] {
                for name in names {
                    text.push_str(&format!("would {verb} {name}\n"));
                }
            }
            output::stdout(&text)?;
        } else {
            output::done(&format!(
                "imported {}: {} created, {} updated, {} skipped",
                output::count(plan.created.len() + plan.updated.len(), "secret"),
                plan.created.len(),
                plan.updated.len(),
                plan.skipped.len()
            ));
        }
        report_naming(&secrets, &plan);
        report_left_out(&empty, self.dry_run);
        report_without_value(&without_value, self.dry_run);
        report_unexpanded(&unexpanded, &plan, self.dry_run);
        Ok(())
    }
}

/// The hint `create` gives, for the new names that are not UPPER_SNAKE_CASE
/// (names already in the vault keep their spelling, so they get none).
fn report_naming(secrets: &[NewSecret], plan: &ImportPlan) {
    let suggestions: Vec<String> = secrets
        .iter()
        .filter(|s| plan.created.iter().any(|c| c == s.name.as_str()))
        .filter_map(|s| {
            let upper = s.name.conventional_form()?;
            Some(format!("{upper} for {}", s.name))
        })
        .collect();
    if !suggestions.is_empty() {
        output::hint(&format!(
            "secret names are conventionally UPPER_SNAKE_CASE: consider {}",
            suggestions.join(", ")
        ));
    }
}

/// Names the lines that give a name without `=`: like python-dotenv and
/// Node's dotenv, the import sets nothing for them. Only line numbers: what
/// stands alone on a line may be a pasted value.
fn report_without_value(lines: &[usize], dry_run: bool) {
    if lines.is_empty() {
        return;
    }
    let numbers: Vec<String> = lines.iter().map(usize::to_string).collect();
    let (lines, gives, it) = match numbers.len() {
        1 => ("line", "gives", "it"),
        _ => ("lines", "give", "them"),
    };
    let left = if dry_run {
        "would be left out"
    } else {
        "left out"
    };
    output::note(&format!(
        "{lines} {} {gives} a name without `=`: {left}, as python-dotenv and Node's dotenv \
         leave {it} unset",
        numbers.join(", ")
    ));
}

/// Names the entries `--skip-empty` left out.
fn report_left_out(empty: &[String], dry_run: bool) {
    if empty.is_empty() {
        return;
    }
    let verb = if dry_run { "would leave" } else { "left" };
    output::note(&format!(
        "{verb} out {} with an empty value (--skip-empty): {}",
        plural(empty.len(), "entry", "entries"),
        empty.join(", ")
    ));
}

/// Names the stored secrets whose value looks like it refers to a variable
/// (`$NAME`, `${...}`): some dotenv tools expand those, we never do, and a
/// user moving from one of them would otherwise store `${HOST}/x` unawares.
fn report_unexpanded(unexpanded: &[String], plan: &ImportPlan, dry_run: bool) {
    let stored: Vec<&str> = plan
        .created
        .iter()
        .chain(&plan.updated)
        .filter(|name| {
            unexpanded
                .iter()
                .any(|u| u.eq_ignore_ascii_case(name.as_str()))
        })
        .map(String::as_str)
        .collect();
    if stored.is_empty() {
        return;
    }
    let verb = if dry_run { "would be" } else { "were" };
    output::note(&format!(
        "the values of {} contain `$NAME` or `${{`: they {verb} imported literally, not expanded",
        stored.join(", ")
    ));
}

fn plural(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

impl ImportArgs {
    fn read_input(&self) -> Result<Zeroizing<String>> {
        let mut bytes = Zeroizing::new(Vec::new());
        if self.file.as_os_str() == "-" {
            std::io::stdin()
                .lock()
                .read_to_end(&mut bytes)
                .context("cannot read stdin")?;
        } else {
            std::fs::File::open(&self.file)
                .and_then(|mut f| f.read_to_end(&mut bytes))
                .with_context(|| format!("cannot read {}", self.file.display()))?;
        }
        let text = std::str::from_utf8(&bytes)
            .map_err(|_| Failure::usage("the input is not UTF-8 text"))?;
        // Some Windows editors start UTF-8 files with a byte order mark: it
        // is not part of the first name (dotenv), nor JSON.
        let text = text.strip_prefix(BYTE_ORDER_MARK).unwrap_or(text);
        Ok(Zeroizing::new(text.to_owned()))
    }
}

/// U+FEFF, which a UTF-8 file may start with.
const BYTE_ORDER_MARK: char = '\u{feff}';

/// One secret to import, and where it came from (for error messages).
struct Entry {
    place: String,
    key: String,
    value: Zeroizing<Vec<u8>>,
}

/// The entries of a dotenv file, and the lines that name a variable
/// without a value.
fn from_dotenv(text: &str) -> Result<(Vec<Entry>, Vec<usize>)> {
    let parsed = dotenv::parse(text).map_err(|e| {
        let failure = Failure::usage(format!(
            "line {}: {}; nothing was imported",
            e.line, e.refusal.reason
        ));
        match e.refusal.hint {
            Some(hint) => failure.with_hint(hint),
            None => failure,
        }
    })?;
    let entries = parsed
        .entries
        .into_iter()
        .map(|e| Entry {
            place: format!("line {}", e.line),
            key: e.key,
            value: e.value,
        })
        .collect();
    Ok((entries, parsed.without_value))
}

fn from_json(text: &str) -> Result<Vec<Entry>> {
    // The parser's messages quote no input, only positions.
    let Members(members) = serde_json::from_str(text).map_err(|e| match e.classify() {
        Category::Data => Failure::usage("the JSON must be an object of NAME: \"value\" pairs"),
        _ => Failure::usage(format!(
            "invalid JSON at line {}, column {}",
            e.line(),
            e.column()
        )),
    })?;
    members
        .into_iter()
        .enumerate()
        .map(|(index, (key, value))| {
            let place = json_place(index + 1, &key);
            match value {
                serde_json::Value::String(value) => Ok(Entry {
                    place,
                    key,
                    value: Zeroizing::new(value.into_bytes()),
                }),
                _ => Err(Failure::usage(format!("{place}: the value must be a string")).into()),
            }
        })
        .collect()
}

/// A JSON object's members in their order, a repeated key included: into a
/// map, serde_json keeps the last of a repeated key without a word.
struct Members(Vec<(String, serde_json::Value)>);

impl<'de> Deserialize<'de> for Members {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(MembersVisitor)
    }
}

struct MembersVisitor;

impl<'de> Visitor<'de> for MembersVisitor {
    type Value = Members;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members, A::Error> {
        let mut members = Vec::new();
        while let Some(member) = map.next_entry()? {
            members.push(member);
        }
        Ok(Members(members))
    }
}

/// How an error names the `number`th entry of a JSON object: by its key too
/// when that is a valid name; a key that is not may be a pasted value, so
/// it is not shown.
fn json_place(number: usize, key: &str) -> String {
    match SecretName::parse(key) {
        Ok(_) => format!("entry {number} ({key:?})"),
        Err(_) => format!("entry {number}"),
    }
}

/// What an import file holds once checked.
struct Checked {
    secrets: Vec<NewSecret>,
    /// Names of entries with an empty value, left out by `--skip-empty`.
    empty: Vec<String>,
    /// Names whose value contains `$NAME` or `${`, stored as written.
    unexpanded: Vec<String>,
}

/// Checks every name and value, and that no name repeats; the first problem
/// fails the whole import, naming its place and never its value. An empty
/// value fails it too, unless `skip_empty`: then the entry is left out.
fn checked(entries: Vec<Entry>, skip_empty: bool) -> Result<Checked> {
    let mut checked = Checked {
        secrets: Vec::with_capacity(entries.len()),
        empty: Vec::new(),
        unexpanded: Vec::new(),
    };
    // Upper-cased name to the place it first appeared.
    let mut seen = std::collections::HashMap::with_capacity(entries.len());
    for entry in entries {
        // An invalid "name" may be a pasted value that happens to contain
        // '=': say where it is, never what it is.
        let name = SecretName::parse(&entry.key).map_err(|e| {
            // A reserved name is a well-known word (PATH, LD_PRELOAD): safe to show.
            let why = if e.message.contains("reserved") {
                e.message
            } else {
                "invalid secret name: a name starts with a letter or underscore and continues \
                 with letters, digits or underscores"
                    .to_owned()
            };
            Failure::usage(format!("{}: {why}; nothing was imported", entry.place))
        })?;
        if let Some(first) = seen.get(&name.as_str().to_ascii_uppercase()) {
            return Err(Failure::usage(format!(
                "{}: {} repeats {first}; nothing was imported",
                entry.place, entry.key
            ))
            .into());
        }
        seen.insert(name.as_str().to_ascii_uppercase(), entry.place.clone());
        if entry.value.is_empty() {
            if skip_empty {
                checked.empty.push(name.as_str().to_owned());
                continue;
            }
            return Err(Failure::usage(format!(
                "{}: {} has an empty value; nothing was imported",
                entry.place,
                name.as_str()
            ))
            .with_hint("pass --skip-empty to leave out empty values and import the rest")
            .into());
        }
        if refers_to_a_variable(&entry.value) {
            checked.unexpanded.push(name.as_str().to_owned());
        }
        let value = SecretValue::new(entry.value).map_err(|e| {
            Failure::usage(format!(
                "{}: {}; nothing was imported",
                entry.place, e.message
            ))
        })?;
        checked.secrets.push(NewSecret {
            name,
            description: None,
            value,
        });
    }
    Ok(checked)
}

/// True when `value` holds `${` or `$` then a letter or `_`: what a shell or
/// an expanding dotenv loader would replace with a variable's value.
fn refers_to_a_variable(value: &[u8]) -> bool {
    value.windows(2).any(|pair| {
        pair[0] == b'$' && (pair[1] == b'{' || pair[1] == b'_' || pair[1].is_ascii_alphabetic())
    })
}

#[cfg(test)]
mod tests {
    use super::refers_to_a_variable;

    #[test]
    fn variable_references() {
        for yes in ["${HOST}/x", "$HOME", "a$_b", "x $Path"] {
            assert!(refers_to_a_variable(yes.as_bytes()), "{yes}");
        }
        for no in ["pa$5$$", "$1", "cost $5", "trailing $", "$(id)", "plain"] {
            assert!(!refers_to_a_variable(no.as_bytes()), "{no}");
        }
    }
}
