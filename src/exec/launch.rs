//! Starting the program: replace this process with it (`exec`), so signals,
//! the terminal and the exit status are the program's own.

use super::environment::EnvironmentBlock;
use crate::error::{CANNOT_EXECUTE, COMMAND_NOT_FOUND, Failure};
use std::ffi::{CString, OsStr, OsString};
use std::io::{ErrorKind, Write};
use std::os::unix::ffi::OsStrExt;
use std::process::Command;

/// The program and its arguments, run directly: no shell.
pub fn command(argv: &[OsString]) -> Command {
    let mut command = Command::new(&argv[0]);
    command.args(&argv[1..]);
    command
}

/// Replaces this process with `argv` run in `environment` (found on our
/// PATH, as `execvp` does); returns only if that failed.
///
/// Called directly rather than through `Command::exec`, which would copy
/// every value twice more into buffers that are never zeroed.
pub fn replace_process(argv: &[OsString], environment: &EnvironmentBlock) -> Failure {
    let _ = std::io::stdout().flush();
    let Ok(args) = argv
        .iter()
        .map(|arg| CString::new(arg.as_bytes()))
        .collect::<Result<Vec<CString>, _>>()
    else {
        return cannot_run(&ErrorKind::InvalidInput.into(), &argv[0]);
    };
    let mut arg_pointers: Vec<*const libc::c_char> = args.iter().map(|a| a.as_ptr()).collect();
    arg_pointers.push(std::ptr::null());
    let env_pointers = environment.pointers();
    // SAFETY: every pointer points into `args` or `environment`, both alive
    // here, and each array ends with a null pointer. SIGPIPE goes back to its
    // default, as std does for the programs it starts (Rust ignores it).
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        libc::execvpe(
            args[0].as_ptr(),
            arg_pointers.as_ptr(),
            env_pointers.as_ptr(),
        );
    }
    cannot_run(&std::io::Error::last_os_error(), &argv[0])
}

/// The failure to start `program`, with the exit code a shell would use
/// (127 not found, 126 found but not executable).
pub fn cannot_run(error: &std::io::Error, program: &OsStr) -> Failure {
    let shown = program.to_string_lossy();
    if error.kind() == ErrorKind::NotFound {
        return Failure::new(
            COMMAND_NOT_FOUND,
            format!("cannot run '{shown}': program not found"),
        )
        .with_hint("check the name, or give a path to the program");
    }
    let failure = Failure::new(CANNOT_EXECUTE, format!("cannot run '{shown}': {error}"));
    if is_not_executable(error) && !names_a_directory(program) {
        let word = shell_word(&shown);
        return failure.with_hint(format!(
            "make it executable (chmod +x {word}), or name its interpreter: \
             secrets exec -- sh {word}"
        ));
    }
    failure
}

/// A file without the execute permission (EACCES), or one the kernel cannot
/// run, such as a script without a `#!` line (ENOEXEC).
fn is_not_executable(error: &std::io::Error) -> bool {
    error.kind() == ErrorKind::PermissionDenied || error.raw_os_error() == Some(libc::ENOEXEC)
}

/// Whether `program` is a directory (EACCES too, where chmod would not
/// help): the path itself, or for a bare name the first match on PATH.
fn names_a_directory(program: &OsStr) -> bool {
    let path = std::path::Path::new(program);
    if program.as_bytes().contains(&b'/') {
        return path.is_dir();
    }
    std::env::var_os("PATH").is_some_and(|dirs| {
        std::env::split_paths(&dirs)
            .map(|dir| dir.join(program))
            .find(|candidate| candidate.exists())
            .is_some_and(|found| found.is_dir())
    })
}

/// `text` as one shell word: as it is when plainly safe, else single-quoted,
/// so that the hint can be pasted.
fn shell_word(text: &str) -> std::borrow::Cow<'_, str> {
    let safe = |c: char| c.is_ascii_alphanumeric() || "/._-+,:@%=".contains(c);
    if !text.is_empty() && text.chars().all(safe) {
        text.into()
    } else {
        format!("'{}'", text.replace('\'', r"'\''")).into()
    }
}
