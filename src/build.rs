//! Build step: on Linux with glibc, link GCC's unwinder into the binary
//! instead of loading libgcc_s.so.1 on every start.
//!
//! Rust's standard library unwinds panics with libgcc's unwinder, which it
//! asks the linker for as `-lgcc_s`: a shared library the dynamic loader
//! must find, map and relocate before `main`, about 0.1 ms of every
//! `secrets exec`. GCC ships the same unwinder as a static archive,
//! libgcc_eh.a (what `gcc -static-libgcc` links). A linker script named
//! libgcc_s.a in a search directory of ours, which the linker searches
//! before the system's, hands it that archive instead. Where the archive
//! cannot be found (another C toolchain, a cross build without a configured
//! linker), nothing changes and libgcc_s.so.1 is loaded as before.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=src/build.rs");
    println!("cargo:rerun-if-env-changed=RUSTC_LINKER");
    if !links_libgcc_s() {
        return;
    }
    let (Some(unwinder), Some(out_dir)) = (static_unwinder(), std::env::var_os("OUT_DIR")) else {
        return;
    };
    // A compiler upgrade that moves or removes the archive runs this again.
    println!("cargo:rerun-if-changed={}", unwinder.display());
    let out_dir = PathBuf::from(out_dir);
    let script = format!("INPUT(\"{}\")\n", unwinder.display());
    if std::fs::write(out_dir.join("libgcc_s.a"), script).is_ok() {
        println!("cargo:rustc-link-search=native={}", out_dir.display());
    }
}

/// Whether the standard library will ask for the shared libgcc_s: Linux
/// with glibc, not linked statically.
fn links_libgcc_s() -> bool {
    let cfg = |key: &str| std::env::var(key).unwrap_or_default();
    cfg("CARGO_CFG_TARGET_OS") == "linux"
        && cfg("CARGO_CFG_TARGET_ENV") == "gnu"
        && !cfg("CARGO_CFG_TARGET_FEATURE")
            .split(',')
            .any(|feature| feature == "crt-static")
}

/// The path of libgcc_eh.a as the linker's C compiler driver finds it: the
/// configured linker, else `cc` (rustc's default) when building for this
/// machine.
fn static_unwinder() -> Option<PathBuf> {
    let linker = match std::env::var_os("RUSTC_LINKER") {
        Some(linker) => linker,
        None if std::env::var("TARGET").ok()? == std::env::var("HOST").ok()? => "cc".into(),
        None => return None,
    };
    let output = Command::new(linker)
        .arg("-print-file-name=libgcc_eh.a")
        .output()
        .ok()?;
    let printed = String::from_utf8(output.stdout).ok()?;
    let path = Path::new(printed.trim());
    // A driver that does not find the file prints its bare name back.
    let usable =
        output.status.success() && path.is_absolute() && path.is_file() && !printed.contains('"');
    usable.then(|| path.to_path_buf())
}
