//! `secrets passwd`: add, change or remove the identity's passphrase.

use super::Run;
use crate::cli::PasswdArgs;
use crate::config::Paths;
use crate::output;
use crate::passphrase;
use crate::vault::Identity;
use anyhow::Result;

impl Run for PasswdArgs {
    fn run(self, paths: &Paths) -> Result<()> {
        let was_protected = Identity::is_protected(&paths.identity)?;
        if self.remove && !was_protected {
            output::done(&format!(
                "identity {} has no passphrase; nothing changed",
                paths.identity.display()
            ));
            return Ok(());
        }
        // Unlocks with the current passphrase (if any) before asking for a
        // new one: a wrong current one changes nothing.
        let identity = Identity::load(&paths.identity)?;
        let new = if self.remove {
            None
        } else {
            Some(passphrase::new(passphrase::NEW_PASSPHRASE_VAR)?)
        };
        identity.replace_file(&paths.identity, new)?;
        let what = match (self.remove, was_protected) {
            (true, _) => "removed the passphrase of",
            (false, true) => "changed the passphrase of",
            (false, false) => "added a passphrase to",
        };
        output::done(&format!("{what} identity {}", paths.identity.display()));
        Ok(())
    }
}
