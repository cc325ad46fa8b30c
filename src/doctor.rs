//! The best-practice checks behind `secrets doctor` and `list --stale /
//! --unused`: conventional, meaningful and injectable names, descriptions,
//! rotation and use. Pure rules over metadata; never a value.

use crate::name::{self, SecretName};
use crate::vault::SecretMeta;
use serde::{Serialize, Serializer};

const DAY_MS: i64 = 86_400_000;

/// Names that say nothing about what the secret is for.
const GENERIC: &[&str] = &[
    "SECRET",
    "SECRETS",
    "KEY",
    "TOKEN",
    "PASSWORD",
    "PASS",
    "PASSWD",
    "PWD",
    "TEST",
    "TMP",
    "TEMP",
    "FOO",
    "BAR",
    "VALUE",
    "VAR",
    "DATA",
    "CREDENTIAL",
    "CREDENTIALS",
    "AUTH",
];

/// Thresholds, in days: a secret is stale when not updated for more than
/// `max_age_days`, unused when it is older than `unused_days` and was not
/// used within them.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_age_days: u32,
    pub unused_days: u32,
}

/// Which best practice a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    ReservedName,
    Naming,
    GenericName,
    NoDescription,
    Stale,
    Unused,
}

impl Rule {
    /// The rule's name in the text output and in `--json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::ReservedName => "reserved-name",
            Rule::Naming => "naming",
            Rule::GenericName => "generic-name",
            Rule::NoDescription => "no-description",
            Rule::Stale => "stale",
            Rule::Unused => "unused",
        }
    }
}

impl Serialize for Rule {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// One problem with one secret.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Finding {
    pub name: String,
    pub rule: Rule,
    pub message: String,
}

/// Every finding for `secret` at `now_ms`.
pub fn check(secret: &SecretMeta, limits: Limits, now_ms: i64) -> Vec<Finding> {
    let finding = |rule, message: String| Finding {
        name: secret.name.clone(),
        rule,
        message,
    };
    let mut findings = Vec::new();
    if let Some(family) = name::reserved(&secret.name) {
        findings.push(finding(
            Rule::ReservedName,
            format!(
                "reserved ({}): exec refuses to inject it, as it would change how programs run; \
                 rename it, or leave it out with --except {}",
                family.family(),
                secret.name
            ),
        ));
    }
    if let Some(upper) = SecretName::parse(&secret.name)
        .ok()
        .and_then(|n| n.conventional_form())
    {
        findings.push(finding(
            Rule::Naming,
            format!("not UPPER_SNAKE_CASE: consider {upper}"),
        ));
    }
    if let Some(why) = generic(&secret.name) {
        findings.push(finding(Rule::GenericName, why));
    }
    if secret
        .description
        .as_deref()
        .is_none_or(|d| d.trim().is_empty())
    {
        findings.push(finding(
            Rule::NoDescription,
            "no description: say what it is for and where it comes from".to_owned(),
        ));
    }
    if is_stale(secret, limits, now_ms) {
        findings.push(finding(
            Rule::Stale,
            format!(
                "not updated for {} days (limit {}): rotate it",
                (now_ms - secret.update_time_ms) / DAY_MS,
                limits.max_age_days
            ),
        ));
    }
    if is_unused(secret, limits, now_ms) {
        let message = match secret.last_used_time_ms {
            None => format!(
                "never used by exec since it was created {} days ago (limit {}): \
                 delete it if nothing needs it",
                (now_ms - secret.create_time_ms) / DAY_MS,
                limits.unused_days
            ),
            Some(used) => format!(
                "not used by exec for {} days (limit {}): delete it if nothing needs it",
                (now_ms - used) / DAY_MS,
                limits.unused_days
            ),
        };
        findings.push(finding(Rule::Unused, message));
    }
    findings
}

/// Not updated for more than `max_age_days` (exact: age in ms > days × 86,400,000).
pub fn is_stale(secret: &SecretMeta, limits: Limits, now_ms: i64) -> bool {
    now_ms - secret.update_time_ms > i64::from(limits.max_age_days) * DAY_MS
}

/// Created more than `unused_days` ago and not used by exec within them
/// (never, or last longer ago). A secret younger than the window is never
/// unused: it was just added and nothing has had the time to use it yet.
pub fn is_unused(secret: &SecretMeta, limits: Limits, now_ms: i64) -> bool {
    let window = i64::from(limits.unused_days) * DAY_MS;
    now_ms - secret.create_time_ms > window
        && secret
            .last_used_time_ms
            .is_none_or(|used| now_ms - used > window)
}

/// Why a name says nothing, if it doesn't.
fn generic(name: &str) -> Option<String> {
    let upper = name.to_ascii_uppercase();
    let word = upper.trim_end_matches(|c: char| c.is_ascii_digit());
    let word = word.trim_end_matches('_');
    if GENERIC.contains(&word) {
        return Some(format!(
            "'{name}' says nothing about what it is for: name the service and use, e.g. STRIPE_API_KEY"
        ));
    }
    // A last `_` segment of digits only: DB_1, DATABASE_URL_2.
    let last = upper.rsplit('_').next().unwrap_or("");
    if !last.is_empty() && last.chars().all(|c| c.is_ascii_digit()) {
        return Some(format!(
            "'{name}' ends in a bare number: say what tells it apart (e.g. _PROD, _READONLY)"
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(name: &str) -> SecretMeta {
        SecretMeta {
            id: "sec_x".into(),
            name: name.into(),
            description: Some("documented".into()),
            create_time_ms: 0,
            update_time_ms: 0,
            last_used_time_ms: Some(0),
        }
    }

    fn rules(name: &str) -> Vec<&'static str> {
        let limits = Limits {
            max_age_days: 90,
            unused_days: 30,
        };
        check(&meta(name), limits, 1)
            .into_iter()
            .map(|f| f.rule.as_str())
            .collect()
    }

    #[test]
    fn names() {
        assert!(rules("STRIPE_API_KEY").is_empty());
        assert!(rules("OAUTH2_CLIENT_SECRET").is_empty());
        assert!(rules("API_V2_TOKEN").is_empty());
        assert_eq!(rules("apiKey"), ["naming"]);
        for generic in [
            "KEY", "TOKEN", "PASSWORD", "TEST", "SECRET1", "SECRET_2", "token",
        ] {
            assert!(rules(generic).contains(&"generic-name"), "{generic}");
        }
        assert_eq!(rules("DB_1"), ["generic-name"]);
        assert_eq!(rules("DATABASE_URL_2"), ["generic-name"]);
        assert_eq!(rules("NODE_OPTIONS"), ["reserved-name"]);
        assert_eq!(rules("editor"), ["reserved-name"]);
    }

    #[test]
    fn age_and_use_are_exact_durations() {
        let limits = Limits {
            max_age_days: 1,
            unused_days: 1,
        };
        let secret = meta("STRIPE_KEY_PROD");
        assert!(!is_stale(&secret, limits, DAY_MS));
        assert!(is_stale(&secret, limits, DAY_MS + 1));
        assert!(!is_unused(&secret, limits, DAY_MS));
        assert!(is_unused(&secret, limits, DAY_MS + 1));
        let never = SecretMeta {
            last_used_time_ms: None,
            ..meta("X_Y")
        };
        assert!(!is_unused(&never, limits, DAY_MS), "as old as the window");
        assert!(is_unused(&never, limits, DAY_MS + 1));
    }
}
