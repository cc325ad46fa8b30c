//! The integration tests, as one crate (one build, one link): each module
//! is an area of behaviour and runs the real `secrets` binary against its
//! own sandbox (`common`). The benchmark is a separate target
//! (`tests/bench.rs`).

mod common;

mod beside;
mod completions;
mod concurrency;
mod copy;
mod cores;
mod damaged;
mod delete;
mod doctor;
mod dotenv_forms;
mod environment;
mod escaping;
mod exec;
mod files;
mod forged;
mod format;
mod gateway;
mod help;
mod import;
mod integrity;
mod interrupted;
mod keys;
mod log;
mod masking;
mod mcp;
mod names;
mod properties;
mod reading;
mod readme;
mod recipients;
mod rekey;
mod rename;
mod renamed;
mod roundtrip;
mod signals;
mod snapshot;
mod team;
mod terminal;
mod usage;
mod values;
