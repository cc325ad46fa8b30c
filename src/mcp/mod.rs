//! `secrets mcp`: a Model Context Protocol server on stdin/stdout, through
//! which an AI agent lists secrets, asks for new ones and runs programs
//! with them, and never receives a value.
//!
//! `tools` is the protocol's side (rmcp), `policy` what the person allows,
//! `requests` the secrets agents asked for, `run` one program run. Nothing
//! here writes to stdout but the protocol, nor to stderr anything an agent
//! sent.

pub mod policy;
pub mod requests;
pub mod run;
pub mod tools;

use crate::config::Paths;
use anyhow::{Context, Result};
use rmcp::ServiceExt;
use std::path::PathBuf;

/// Serves the tools over stdin/stdout until the client closes stdin.
pub fn serve(paths: Paths, policy: PathBuf) -> Result<()> {
    leave_the_terminal();
    // One thread for the protocol: the tools' work runs on threads of
    // their own, and a start-up without a pool of workers is quicker.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the MCP server")?;
    runtime.block_on(async {
        let service = tools::AgentTools::new(paths, policy)
            .serve(rmcp::transport::stdio())
            .await
            .context("the MCP client did not complete the handshake")?;
        service
            .waiting()
            .await
            .context("the MCP server stopped unexpectedly")?;
        Ok::<(), anyhow::Error>(())
    })?;
    // A read of stdin still pending on the blocking pool would hold the
    // exit: stdin is closed already, nothing more will come.
    runtime.shutdown_background();
    Ok(())
}

/// Detaches from the controlling terminal, so that no passphrase prompt
/// can appear in the terminal the agent's interface draws on (a locked
/// identity then fails with a hint naming SECRETS_PASSPHRASE). Best
/// effort: a process group leader (started by hand from a shell) keeps it.
fn leave_the_terminal() {
    // SAFETY: setsid takes no arguments and changes only this process's
    // session; its failure (already a group leader) is harmless.
    unsafe { libc::setsid() };
}
