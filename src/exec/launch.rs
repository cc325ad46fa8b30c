//! Starting the program: replace this process with it (`exec`), so signals,
//! the terminal and the exit status are the program's own.

use super::environment::EnvironmentBlock;
use crate::error::{CANNOT_EXECUTE, COMMAND_NOT_FOUND, Failure};
use libc::c_char;
use std::ffi::{CStr, CString, OsStr, OsString};
use std::io::{Error, ErrorKind, Write};
use std::os::unix::ffi::OsStrExt;
#[cfg(not(target_os = "linux"))]
use std::os::unix::ffi::OsStringExt;
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
    let mut arg_pointers: Vec<*const c_char> = args.iter().map(|a| a.as_ptr()).collect();
    arg_pointers.push(std::ptr::null());
    let env_pointers = environment.pointers();
    // SAFETY: signal takes plain integers. SIGPIPE goes back to its default,
    // as std does for the programs it starts (Rust ignores it).
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) };
    let error = exec_on_path(&args[0], &arg_pointers, &env_pointers);
    cannot_run(&error, &argv[0])
}

/// Runs `program` (looked up on our PATH unless it holds a `/`) with the
/// null-terminated `argv` and `envp`: glibc's and musl's `execvpe`, a GNU
/// extension. Returns only on failure.
#[cfg(target_os = "linux")]
fn exec_on_path(program: &CStr, argv: &[*const c_char], envp: &[*const c_char]) -> Error {
    // SAFETY: `program` is a live C string; `argv` and `envp` point to live
    // C strings and each ends with a null pointer (their callers' contract).
    unsafe { libc::execvpe(program.as_ptr(), argv.as_ptr(), envp.as_ptr()) };
    Error::last_os_error()
}

/// Where the C library has no `execvpe`: what it does, with POSIX `execve`.
/// Each directory of our PATH in turn (an empty entry is the current
/// directory); one that refuses us (EACCES) is remembered and the search goes
/// on, a missing one is skipped, any other failure ends it.
#[cfg(not(target_os = "linux"))]
fn exec_on_path(program: &CStr, argv: &[*const c_char], envp: &[*const c_char]) -> Error {
    let name = program.to_bytes();
    if name.contains(&b'/') {
        return exec_file(program, argv, envp);
    }
    let path = std::env::var_os("PATH").unwrap_or_else(|| "/usr/bin:/bin".into());
    let mut refused = None;
    for dir in std::env::split_paths(&path) {
        let candidate = dir.join(OsStr::from_bytes(name));
        let Ok(candidate) = CString::new(candidate.into_os_string().into_vec()) else {
            continue;
        };
        let error = exec_file(&candidate, argv, envp);
        match error.kind() {
            ErrorKind::PermissionDenied => refused = Some(error),
            ErrorKind::NotFound | ErrorKind::NotADirectory => {}
            _ => return error,
        }
    }
    refused.unwrap_or_else(|| Error::from_raw_os_error(libc::ENOENT))
}

/// `execve` of `file`; a file the kernel cannot run (ENOEXEC: no `#!` line)
/// is run by `/bin/sh`, as `execvp` and shells do.
#[cfg(not(target_os = "linux"))]
fn exec_file(file: &CStr, argv: &[*const c_char], envp: &[*const c_char]) -> Error {
    // SAFETY: as in `exec_on_path`: live C strings, null-terminated arrays.
    unsafe { libc::execve(file.as_ptr(), argv.as_ptr(), envp.as_ptr()) };
    let error = Error::last_os_error();
    if error.raw_os_error() != Some(libc::ENOEXEC) {
        return error;
    }
    // `sh FILE ARGS...`: argv[1..] keeps the closing null pointer.
    let mut with_shell = vec![c"sh".as_ptr(), file.as_ptr()];
    with_shell.extend_from_slice(&argv[1..]);
    // SAFETY: the same strings and arrays, plus two static/live C strings.
    unsafe { libc::execve(c"/bin/sh".as_ptr(), with_shell.as_ptr(), envp.as_ptr()) };
    error
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
