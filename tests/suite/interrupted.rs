//! A write killed with SIGKILL at any moment leaves the vault consistent:
//! the whole operation happened or none of it.

use crate::common::*;
use secrets::name::SecretName;
use secrets::value::SecretValue;
use secrets::vault::import::Conflict;
use secrets::vault::location::Location;
use secrets::vault::{NewSecret, Vault};
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

const SECRETS: usize = 400;
/// Most kills tried before giving up on landing one inside the write.
const MAX_KILLS: u32 = 40;

/// A vault of many values written with the public key only, so that
/// `recipients add` rewrites every row: a large write to interrupt.
fn large_vault(sb: &Sandbox) {
    sb.init();
    let batch: Vec<NewSecret> = (0..SECRETS)
        .map(|i| NewSecret {
            name: SecretName::parse(&format!("BULK_{i:04}")).unwrap(),
            description: None,
            value: SecretValue::new(Zeroizing::new(format!("bulk-value-{i:04}").into_bytes()))
                .unwrap(),
        })
        .collect();
    Vault::open(&Location::File(sb.vault_path()))
        .unwrap()
        .import(&batch, Conflict::Refuse, false)
        .unwrap();
}

fn state(sb: &Sandbox) -> (i64, i64, i64) {
    let conn = open_db(&sb.vault_path());
    let recipients = conn
        .query_row("SELECT COUNT(*) FROM recipients", [], |r| r.get(0))
        .unwrap();
    let age = conn
        .query_row(
            "SELECT COUNT(*) FROM secrets WHERE sealing = 'age'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let key = conn
        .query_row(
            "SELECT COUNT(*) FROM secrets WHERE sealing = 'key'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    (recipients, age, key)
}

#[test]
fn kill_9_during_a_large_write_leaves_all_or_nothing() {
    let mate = Sandbox::new();
    mate.init();
    let mate_key = std::fs::read_to_string(mate.identity_path())
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("# public key: ").map(str::to_owned))
        .unwrap();
    // How long the whole write takes, to spread the kills over it.
    let timing = Sandbox::new();
    large_vault(&timing);
    let start = Instant::now();
    timing
        .cmd()
        .args(["recipients", "add", &mate_key])
        .assert()
        .success();
    let full = start.elapsed();
    // Kills spread over the write, more rounds if none has landed inside
    // it yet: one that leaves SQLite's rollback journal behind (a hot
    // journal, rolled back by the next open) was inside the transaction.
    let mut outcomes = Vec::new();
    let mut inside = 0;
    for step in 0..MAX_KILLS {
        let sb = Sandbox::new();
        large_vault(&sb);
        assert_eq!(state(&sb), (1, SECRETS as i64, 0));
        let mut child = sb
            .std_cmd()
            .args(["recipients", "add", &mate_key])
            .spawn()
            .unwrap();
        let fraction = f64::from(step % 8) / 8.0;
        std::thread::sleep(full.mul_f64(fraction) + Duration::from_millis(2));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        // Before anything opens the vault again (that would roll it back).
        let journal = std::path::PathBuf::from(format!("{}-journal", sb.vault_path().display()));
        if std::fs::metadata(&journal).is_ok_and(|m| m.len() > 0) {
            inside += 1;
        }
        let after = state(&sb);
        assert!(
            after == (1, SECRETS as i64, 0) || after == (2, 0, SECRETS as i64),
            "kill at step {step}: half a write is visible: {after:?}"
        );
        outcomes.push(after.0);
        // Whatever happened, the vault opens and every value is intact.
        assert_eq!(sb.value_of("BULK_0000"), b"bulk-value-0000");
        assert_eq!(
            sb.value_of(&format!("BULK_{:04}", SECRETS - 1)),
            format!("bulk-value-{:04}", SECRETS - 1).as_bytes()
        );
        assert_eq!(sb.names().len(), SECRETS);
        if inside > 0 && step >= 5 {
            break;
        }
    }
    assert!(
        inside > 0,
        "no kill landed inside the write (none left a rollback journal): {outcomes:?}"
    );
    assert!(
        outcomes.contains(&1),
        "some kill landed before the commit: {outcomes:?}"
    );
}
