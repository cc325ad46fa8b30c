//! Starting the program: replace this process with it (`exec`), so signals,
//! the terminal and the exit status are the program's own.

use crate::error::{CANNOT_EXECUTE, COMMAND_NOT_FOUND, Failure};
use std::ffi::{OsStr, OsString};
use std::io::{ErrorKind, Write};
use std::os::unix::process::CommandExt;
use std::process::Command;

/// The program and its arguments, run directly: no shell.
pub fn command(argv: &[OsString]) -> Command {
    let mut command = Command::new(&argv[0]);
    command.args(&argv[1..]);
    command
}

/// Replaces this process with `command`; returns only if that failed.
pub fn replace_process(mut command: Command, program: &OsStr) -> Failure {
    let _ = std::io::stdout().flush();
    cannot_run(&command.exec(), program)
}

/// The failure to start `program`, with the exit code a shell would use
/// (127 not found, 126 found but not executable).
pub fn cannot_run(error: &std::io::Error, program: &OsStr) -> Failure {
    let shown = program.to_string_lossy();
    if error.kind() == ErrorKind::NotFound {
        Failure::new(
            COMMAND_NOT_FOUND,
            format!("cannot run '{shown}': program not found"),
        )
        .with_hint("check the name, or give a path to the program")
    } else {
        Failure::new(CANNOT_EXECUTE, format!("cannot run '{shown}': {error}"))
    }
}
