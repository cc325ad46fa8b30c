//! Starting the program: replace this process with it (`exec`), so signals,
//! the terminal and the exit status are the program's own.

use crate::error::{CANNOT_EXECUTE, COMMAND_NOT_FOUND, Failure};
use crate::vault::Unsealed;
use std::ffi::{OsStr, OsString};
use std::io::{ErrorKind, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::CommandExt;
use std::process::Command;

/// Builds the command: the inherited environment plus the injections, which
/// win over inherited variables of the same name. Run directly, no shell.
pub fn command(argv: &[OsString], injections: &[Unsealed]) -> Command {
    let mut command = Command::new(&argv[0]);
    command.args(&argv[1..]);
    // One `envs` pass: setenv per variable would be quadratic in glibc.
    command.envs(
        injections
            .iter()
            .map(|i| (OsStr::new(&i.name), OsStr::from_bytes(i.value.as_bytes()))),
    );
    command
}

/// Replaces this process with `command`; returns only if that failed, with
/// the exit code a shell would use (127 not found, 126 not executable).
pub fn replace_process(mut command: Command, program: &OsStr) -> Failure {
    let _ = std::io::stdout().flush();
    let error = command.exec();
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
