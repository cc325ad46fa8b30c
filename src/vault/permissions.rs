//! Who may change the vault. A vault file that group or others can write,
//! one that belongs to another user, or one in a directory that others can
//! write (or that belongs to another user) is refused before anything is
//! read or written, as the identity is: whoever can write the file can add
//! a recipient of their own and read every value written after, and whoever
//! can write the directory can replace the file or plant files beside it.
//!
//! Also here: SQLite's own files beside the vault (`-journal`, `-wal`,
//! `-shm`) must be absent or our own regular files before SQLite opens the
//! vault: a journal planted there would be "rolled back" into the vault, and
//! a link there would have SQLite write through it.
//!
//! A group-writable directory is accepted (on systems with a private group
//! per user it is the common default); the files we keep there are opened
//! only if they are ours (`files::open_own_file`).

use crate::error::{FAILED, Failure};
use crate::files;
use anyhow::Result;
use std::fs::Metadata;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// The files SQLite may create beside a vault.
const SQLITE_SIDE_FILES: [&str; 3] = ["-journal", "-wal", "-shm"];

/// The owner that may hold the directory besides the user: root's system
/// directories (e.g. `/srv`) are fine, another user's are not.
const ROOT: u32 = 0;

/// Refuses the vault at `path` (whose open file has `metadata`) if anyone
/// but the user can change it or its directory.
pub(super) fn check_vault(path: &Path, metadata: &Metadata) -> Result<()> {
    let uid = files::effective_uid();
    if metadata.uid() != uid {
        return Err(refusal(
            path,
            format!("belongs to another user (uid {})", metadata.uid()),
            format!("chown {uid} {}", path.display()),
        ));
    }
    let mode = metadata.mode() & 0o777;
    if mode & 0o022 != 0 {
        return Err(refusal(
            path,
            format!("can be changed by other users (mode {mode:04o})"),
            format!("chmod 600 {}", path.display()),
        ));
    }
    for dir in directories_of(path) {
        check_directory(path, &dir, uid)?;
    }
    Ok(())
}

/// Refuses a directory that would hold a new vault, by the same rule.
pub(super) fn check_new_vault_directory(path: &Path) -> Result<()> {
    match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(dir) => check_directory(path, dir, files::effective_uid()),
        None => check_directory(path, Path::new("."), files::effective_uid()),
    }
}

/// Refuses SQLite's files beside the vault at `path` unless each is absent
/// or the user's own regular file.
pub(super) fn check_sqlite_side_files(path: &Path) -> Result<()> {
    for suffix in SQLITE_SIDE_FILES {
        let side = files::beside(path, suffix);
        if let Err(e) = files::check_own_file_if_present(&side) {
            return Err(match files::refusal(&side, &e) {
                Some(refusal) => refusal.into(),
                None => anyhow::Error::new(e).context(format!("cannot check {}", side.display())),
            });
        }
    }
    Ok(())
}

/// The directory holding `path`, and, when `path` is a symbolic link, the
/// one holding the file it leads to.
fn directories_of(path: &Path) -> Vec<PathBuf> {
    let parent = |p: &Path| match p.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(dir) => dir.to_owned(),
        None => PathBuf::from("."),
    };
    let mut dirs = vec![parent(path)];
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if is_link && let Ok(target) = std::fs::canonicalize(path) {
        dirs.push(parent(&target));
    }
    dirs
}

fn check_directory(vault: &Path, dir: &Path, uid: u32) -> Result<()> {
    // A directory that cannot be read is left for the open to report.
    let Ok(metadata) = std::fs::metadata(dir) else {
        return Ok(());
    };
    let mode = metadata.mode() & 0o7777;
    if mode & 0o002 != 0 {
        return Err(refusal(
            vault,
            format!(
                "is in a directory other users can write ({}, mode {mode:04o})",
                dir.display()
            ),
            format!(
                "chmod o-w {}, or move the vault to a private directory",
                dir.display()
            ),
        ));
    }
    if metadata.uid() != uid && metadata.uid() != ROOT {
        return Err(refusal(
            vault,
            format!(
                "is in a directory of another user ({}, uid {})",
                dir.display(),
                metadata.uid()
            ),
            "move the vault to a directory of your own".to_owned(),
        ));
    }
    Ok(())
}

fn refusal(vault: &Path, why: String, hint: String) -> anyhow::Error {
    Failure::new(
        FAILED,
        format!("the vault at {} {why}; refusing to use it", vault.display()),
    )
    .with_hint(hint)
    .into()
}
