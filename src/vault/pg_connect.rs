//! Stand-in for the PostgreSQL connection settings (replaced by the full
//! module: URL parameters, PG* variables, pgpass, TLS).

use anyhow::{Context, Result};

/// Whether `text` names a PostgreSQL vault.
pub fn is_postgres_url(text: &str) -> bool {
    let lower = text.get(..13).unwrap_or(text).to_ascii_lowercase();
    lower.starts_with("postgres://") || lower.starts_with("postgresql://")
}

/// Where a PostgreSQL vault lives.
#[derive(Clone)]
pub struct Target {
    url: String,
    schema: String,
}

impl Target {
    pub fn parse(url: &str) -> Result<Target> {
        let (base, query) = url.split_once('?').unwrap_or((url, ""));
        let schema = query
            .split('&')
            .find_map(|p| p.strip_prefix("schema="))
            .unwrap_or("secrets")
            .to_owned();
        Ok(Target {
            url: base.to_owned(),
            schema,
        })
    }

    pub fn shown(&self) -> String {
        format!("{}?schema={}", self.url, self.schema)
    }

    pub fn schema(&self) -> &str {
        &self.schema
    }

    pub fn location_key(&self) -> String {
        self.shown()
    }

    pub fn connect(&self) -> Result<postgres::Client> {
        let mut config: postgres::Config = self.url.parse().context("bad URL")?;
        config.options(&format!("-c search_path={}", self.schema));
        config
            .connect(postgres::NoTls)
            .with_context(|| format!("cannot connect to the vault at {}", self.shown()))
    }
}
