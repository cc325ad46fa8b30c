//! `secrets doctor`: findings against the best practices, per secret.

use super::Run;
use crate::cli::{DoctorArgs, LimitArgs};
use crate::config::Paths;
use crate::doctor::{self, Limits};
use crate::error::{FAILED, Failure};
use crate::output;
use crate::vault::Vault;
use anyhow::Result;

impl Run for DoctorArgs {
    fn run(self, paths: &Paths) -> Result<()> {
        let secrets = Vault::open_to_read(&paths.vault)?.list()?;
        let now = crate::clock::now_ms();
        let limits = self.limits.to_limits();
        let findings: Vec<_> = secrets
            .iter()
            .flat_map(|s| doctor::check(s, limits, now))
            .collect();
        if self.json {
            output::json(&findings)?;
        } else if findings.is_empty() {
            output::stdout(&format!(
                "no findings: {} secrets are documented, well named, rotated and in use\n",
                secrets.len()
            ))?;
        } else {
            let names: Vec<_> = findings
                .iter()
                .map(|f| output::printable(&f.name))
                .collect();
            let width = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
            let mut text = String::new();
            for (f, name) in findings.iter().zip(&names) {
                text.push_str(&format!(
                    "{name:<width$}  {:<14}  {}\n",
                    f.rule.as_str(),
                    output::printable(&f.message)
                ));
            }
            output::stdout(&text)?;
        }
        if self.strict && !findings.is_empty() {
            return Err(Failure::new(
                FAILED,
                format!("{} (--strict)", output::count(findings.len(), "finding")),
            )
            .into());
        }
        Ok(())
    }
}

impl LimitArgs {
    pub fn to_limits(&self) -> Limits {
        Limits {
            max_age_days: self.max_age,
            unused_days: self.unused_days,
        }
    }
}
