//! Running a program with secrets: choosing and decrypting what to inject
//! (`environment`), then starting the program (`launch`).
//!
//! The two halves stay apart so that a supervising launcher (output masking)
//! can reuse the same environment.

pub mod environment;
pub mod launch;
