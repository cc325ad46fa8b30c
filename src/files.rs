//! Private files and directories: created owner-only from the first byte,
//! whatever the caller's umask, and replaced atomically; and files we read
//! opened so that nothing but a regular file is read.
//!
//! Not for SQLite's own files: the vault module pre-creates the database file
//! with these helpers so that SQLite's `-wal`/`-shm` files copy its mode.

use anyhow::{Context, Result};
use std::fs::{self, DirBuilder, File, OpenOptions, Permissions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
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
