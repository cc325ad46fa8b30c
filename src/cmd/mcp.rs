//! `secrets mcp`: serve the MCP tools to an AI agent on stdin/stdout.

use super::Run;
use crate::cli::McpArgs;
use crate::config::Paths;
use anyhow::Result;

impl Run for McpArgs {
    fn run(self, paths: &Paths) -> Result<()> {
        let policy = self
            .policy
            .unwrap_or_else(|| crate::mcp::policy::default_path(&paths.identity));
        let paths = Paths {
            vault: paths.vault.clone(),
            identity: paths.identity.clone(),
        };
        crate::mcp::serve(paths, policy)
    }
}
