//! `secrets`: account secrets in a local vault (SQLite, each value encrypted
//! with age), injected into programs as environment variables.
//!
//! The binary (`main.rs`) only parses and maps errors to exit codes; every
//! module is reachable from here for tests and completions.

#[cfg(not(unix))]
compile_error!("secrets runs on Unix only: it relies on Unix file modes, signals and exec");

pub mod cli;
pub mod clock;
pub mod cmd;
pub mod config;
pub mod doctor;
pub mod dotenv;
pub mod error;
pub mod exec;
pub mod files;
pub mod gateway;
pub mod host;
pub mod mcp;
pub mod memory;
pub mod name;
pub mod output;
pub mod passphrase;
pub mod random;
pub mod threads;
pub mod value;
pub mod vault;
