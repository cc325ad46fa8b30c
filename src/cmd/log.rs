//! `secrets log`: the audit log, newest first. Its text (names, program
//! names, details) is printed escaped: an `exec` can record any argv[0].

use super::Run;
use crate::cli::LogArgs;
use crate::clock;
use crate::config::Paths;
use crate::output::{self, printable};
use crate::vault::Vault;
use crate::vault::events::{Action, EVERY_SECRET, LoggedAction};
use anyhow::Result;

impl Run for LogArgs {
    fn run(self, paths: &Paths) -> Result<()> {
        let events = Vault::open_to_read(&paths.vault)?.events(self.name.as_deref(), self.limit)?;
        if self.json {
            return output::json(&events);
        }
        if events.is_empty() {
            return output::stdout("no events\n");
        }
        // The text form names a machine only when it is not this one: a
        // vault used on one machine reads as before.
        let this_host = crate::host::name();
        let mut text = String::new();
        for event in &events {
            let names = shown_names(&event.action, &event.names);
            let mut line = format!(
                "{}  {:<17} {names}",
                clock::rfc3339_utc(event.time_ms),
                printable(event.action.as_str())
            );
            if let Some(program) = &event.program {
                line.push_str(&format!("  program={}", printable(program)));
            }
            if let Some(detail) = &event.detail {
                line.push_str(&format!("  {}", printable(detail)));
            }
            if let Some(host) = event
                .host
                .as_ref()
                .filter(|h| Some(*h) != this_host.as_ref())
            {
                line.push_str(&format!("  host={}", printable(host)));
            }
            text.push_str(line.trim_end());
            text.push('\n');
        }
        output::stdout(&text)
    }
}

/// Most names a line of the log shows; `log --json` has them all.
const SHOWN_NAMES: usize = 5;

/// An event's names as its line shows them: a rename's two as `OLD -> NEW`,
/// others all, or the first few and how many there are (an `exec` of a large vault names thousands).
fn shown_names(action: &LoggedAction, names: &[String]) -> String {
    match names {
        [every] if every == EVERY_SECRET => "(every secret)".to_owned(),
        [old, new] if *action == LoggedAction::Known(Action::Rename) => {
            printable(&format!("{old} -> {new}")).into_owned()
        }
        names if names.len() > SHOWN_NAMES => format!(
            "{},… ({} secrets)",
            printable(&names[..SHOWN_NAMES - 1].join(",")),
            names.len()
        ),
        names => printable(&names.join(",")).into_owned(),
    }
}
