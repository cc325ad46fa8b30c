//! Entry point: parse the command line, run it, turn the outcome into one
//! `error:` line (plus a `hint:`) and an exit code.

use secrets::cli::{Cli, Command};
use secrets::error::{EXEC_FAILED, FAILED, Failure};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match Cli::parse_args() {
        Ok(cli) => cli,
        Err(refused) => return ExitCode::from(report(&refused.into(), false)),
    };
    let is_exec = matches!(cli.command, Command::Exec(_));
    match secrets::cmd::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => ExitCode::from(report(&error, is_exec)),
    }
}

fn report(error: &anyhow::Error, is_exec: bool) -> u8 {
    if is_broken_pipe(error) {
        // `secrets list | head`: the reader left; not an error (as ripgrep).
        return 0;
    }
    let (code, hint) = match error.downcast_ref::<Failure>() {
        Some(failure) => (failure.code, failure.hint.as_deref()),
        None => (FAILED, None),
    };
    secrets::output::stderr_line(&one_line(&format!("error: {error:#}")));
    if let Some(hint) = hint {
        secrets::output::hint(hint);
    }
    // exec keeps 126/127 for the program; every failure of ours before it
    // runs is 125, as `env` does.
    if is_exec && code < 100 {
        EXEC_FAILED
    } else {
        code
    }
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error
        .downcast_ref::<std::io::Error>()
        .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
}

/// A library's line breaks read as spaces; `stderr_line` escapes every
/// other control character.
fn one_line(text: &str) -> String {
    text.replace(['\n', '\r'], " ")
}
