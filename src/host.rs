//! This machine's name, as the audit log records it: which Devbox or laptop
//! ran what, once several share a vault.

/// The most of a host name kept (POSIX allows 255 bytes).
const MAX_LEN: usize = 255;

/// This machine's host name (`gethostname`), lossily as UTF-8; `None` if
/// the system will not say.
pub fn name() -> Option<String> {
    let mut buffer = [0u8; MAX_LEN + 1];
    // SAFETY: the buffer is writable for its whole length, and one byte
    // shorter is passed, so the name always ends with a NUL within it.
    let rc = unsafe { libc::gethostname(buffer.as_mut_ptr().cast(), MAX_LEN) };
    if rc != 0 {
        return None;
    }
    let len = buffer.iter().position(|&b| b == 0).unwrap_or(MAX_LEN);
    let name = String::from_utf8_lossy(&buffer[..len]).into_owned();
    (!name.is_empty()).then_some(name)
}
