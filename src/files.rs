//! Private files and directories: created owner-only from the first byte,
//! whatever the caller's umask, and replaced atomically; files we read
//! opened so that nothing but a regular file is read; and our own files
//! beside the vault opened only if they are ours (no symbolic link, no
//! other user's file).
//!
//! Not for SQLite's own files: the vault module pre-creates the database file
//! with these helpers so that SQLite's `-wal`/`-shm` files copy its mode.

use anyhow::{Context, Result};
use std::fs::{self, DirBuilder, File, OpenOptions, Permissions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Creates `dir` and any missing parents with mode 0700.
///
/// Directories that already exist keep their mode: they may be shared ones
/// such as `~/.config`.
pub fn create_private_dir(dir: &Path) -> Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        create_private_dir(parent)?;
    }
    match DirBuilder::new().mode(0o700).create(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && dir.is_dir() => return Ok(()),
        Err(e) => return Err(e).with_context(|| format!("cannot create {}", dir.display())),
    }
    // The umask may have taken bits away; set exactly 0700.
    fs::set_permissions(dir, Permissions::from_mode(0o700))
        .with_context(|| format!("cannot set the mode of {}", dir.display()))
}

/// Creates a new file with mode 0600; fails if it exists.
pub fn create_private_file(path: &Path) -> std::io::Result<File> {
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.set_permissions(Permissions::from_mode(0o600))?;
    Ok(file)
}

/// Opens `path` to read, and its metadata, only if it is a regular file
/// (after symlinks): see `open_regular_with`.
pub fn open_regular(path: &Path) -> std::io::Result<(File, std::fs::Metadata)> {
    open_regular_with(OpenOptions::new().read(true), path)
}

/// Opens `path` with `options`, and its metadata, only if it is a regular
/// file (after symlinks): opened without blocking, so a FIFO put in its place
/// cannot hang the command, and checked through the descriptor, so what is
/// checked is what is used. Anything else is an `InvalidInput` error.
pub fn open_regular_with(
    options: &mut OpenOptions,
    path: &Path,
) -> std::io::Result<(File, std::fs::Metadata)> {
    let not_regular =
        || std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a regular file");
    let file = match options.custom_flags(libc::O_NONBLOCK).open(path) {
        Ok(file) => file,
        // What a FIFO without a reader answers an open to write.
        Err(e) if e.raw_os_error() == Some(libc::ENXIO) => return Err(not_regular()),
        Err(e) => return Err(e),
    };
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Err(not_regular());
    }
    Ok((file, metadata))
}

/// The file beside `path` named like it plus `suffix` (`vault.db-usage`), as
/// SQLite names its journals.
pub fn beside(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Why a file kept beside the vault was not used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotOurs {
    SymbolicLink,
    NotRegular,
    OtherOwner,
}

impl std::fmt::Display for NotOurs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            NotOurs::SymbolicLink => "it is a symbolic link",
            NotOurs::NotRegular => "it is not a regular file",
            NotOurs::OtherOwner => "it belongs to another user",
        })
    }
}

impl std::error::Error for NotOurs {}

/// What open(2) answers with `O_NOFOLLOW` when the path is a symbolic link:
/// ELOOP as POSIX says, but EMLINK on FreeBSD and DragonFly and EFTYPE on
/// NetBSD.
#[cfg(any(target_os = "freebsd", target_os = "dragonfly"))]
const SYMBOLIC_LINK_REFUSED: i32 = libc::EMLINK;
#[cfg(target_os = "netbsd")]
const SYMBOLIC_LINK_REFUSED: i32 = libc::EFTYPE;
#[cfg(not(any(target_os = "freebsd", target_os = "dragonfly", target_os = "netbsd")))]
const SYMBOLIC_LINK_REFUSED: i32 = libc::ELOOP;

/// Opens one of our own files beside the vault (`vault.db-usage`,
/// `vault.db-exec`) with `options`, only if it is a regular file owned by
/// this user, never through a symbolic link: whoever planted a link there
/// would make us write to, or truncate, whatever it points to. Opened
/// without blocking (a FIFO cannot hang us) and checked through the
/// descriptor. Anything else is an `InvalidInput` error wrapping `NotOurs`.
pub fn open_own_file(
    options: &mut OpenOptions,
    path: &Path,
) -> std::io::Result<(File, std::fs::Metadata)> {
    let refused = |why: NotOurs| std::io::Error::new(std::io::ErrorKind::InvalidInput, why);
    let flags = libc::O_NOFOLLOW | libc::O_NONBLOCK;
    let file = match options.custom_flags(flags).open(path) {
        Ok(file) => file,
        Err(e) if e.raw_os_error() == Some(SYMBOLIC_LINK_REFUSED) => {
            return Err(refused(NotOurs::SymbolicLink));
        }
        // What a FIFO without a reader answers an open to write.
        Err(e) if e.raw_os_error() == Some(libc::ENXIO) => {
            return Err(refused(NotOurs::NotRegular));
        }
        Err(e) => return Err(e),
    };
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Err(refused(NotOurs::NotRegular));
    }
    if metadata.uid() != effective_uid() {
        return Err(refused(NotOurs::OtherOwner));
    }
    Ok((file, metadata))
}

/// Refuses what is at `path` unless it is absent or a regular file owned by
/// this user, without following a link (for files another program creates
/// beside the vault, such as SQLite's journal).
pub fn check_own_file_if_present(path: &Path) -> std::io::Result<()> {
    let refused = |why: NotOurs| std::io::Error::new(std::io::ErrorKind::InvalidInput, why);
    let metadata = match fs::symlink_metadata(path) {
        Ok(metadata) => metadata,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    if metadata.file_type().is_symlink() {
        return Err(refused(NotOurs::SymbolicLink));
    }
    if !metadata.is_file() {
        return Err(refused(NotOurs::NotRegular));
    }
    if metadata.uid() != effective_uid() {
        return Err(refused(NotOurs::OtherOwner));
    }
    Ok(())
}

/// The one-line refusal of `path`, a file beside the vault, for an error
/// from `open_own_file` or `check_own_file_if_present`; `None` when the
/// error is not such a refusal.
pub fn refusal(path: &Path, error: &std::io::Error) -> Option<crate::error::Failure> {
    let why = error.get_ref()?.downcast_ref::<NotOurs>()?;
    Some(
        crate::error::Failure::new(
            crate::error::FAILED,
            format!(
                "refusing to use {}: {why}; nothing was read or written through it",
                path.display()
            ),
        )
        .with_hint(format!(
            "secrets keeps only its own regular files there: remove {} if you did not put it there",
            path.display()
        )),
    )
}

/// This process's effective user id: whose files ours are.
pub fn effective_uid() -> u32 {
    // SAFETY: geteuid cannot fail and touches no memory of ours.
    unsafe { libc::geteuid() }
}

/// A path beside `path` that no other process will pick: same directory (so a
/// rename or link stays on one file system), random suffix.
pub fn sibling_temp_path(path: &Path) -> Result<PathBuf> {
    let name = path
        .file_name()
        .with_context(|| format!("{} has no file name", path.display()))?;
    let mut temp = name.to_os_string();
    temp.push(format!(".tmp-{}", crate::random::token(12)?));
    Ok(path.with_file_name(temp))
}

/// Writes a new 0600 file at `path` atomically, refusing to replace one that
/// exists: the bytes go to a temporary sibling, are synced, then linked into
/// place (link, unlike rename, fails if the target exists).
pub fn write_new_private_file(path: &Path, contents: &[u8]) -> Result<()> {
    let temp = sibling_temp_path(path)?;
    let result = write_synced(&temp, contents).and_then(|()| {
        fs::hard_link(&temp, path).with_context(|| format!("cannot create {}", path.display()))
    });
    let _ = fs::remove_file(&temp);
    result?;
    sync_parent(path);
    Ok(())
}

/// Replaces `path` with a new 0600 file atomically: the bytes go to a
/// temporary sibling, are synced, then renamed over it; a crash leaves the
/// old file or the new one, never a mix.
pub fn replace_private_file(path: &Path, contents: &[u8]) -> Result<()> {
    let temp = sibling_temp_path(path)?;
    let result = write_synced(&temp, contents).and_then(|()| {
        fs::rename(&temp, path).with_context(|| format!("cannot replace {}", path.display()))
    });
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result?;
    sync_parent(path);
    Ok(())
}

fn write_synced(path: &Path, contents: &[u8]) -> Result<()> {
    let mut file =
        create_private_file(path).with_context(|| format!("cannot create {}", path.display()))?;
    file.write_all(contents)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Makes a new directory entry durable. Best effort: some file systems refuse.
pub fn sync_parent(path: &Path) {
    if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty())
        && let Ok(d) = File::open(dir)
    {
        let _ = d.sync_all();
    }
}
