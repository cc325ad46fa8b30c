//! A write killed with SIGKILL at any moment leaves the vault consistent:
//! the whole operation happened or none of it.

use crate::common::*;
use secrets::name::SecretName;
use secrets::value::SecretValue;
use secrets::vault::import::Conflict;
use secrets::vault::{NewSecret, Vault};
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

const SECRETS: usize = 400;

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
    Vault::open(&sb.vault_path())
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
    let mut outcomes = Vec::new();
    for step in 0..6u32 {
        let sb = Sandbox::new();
        large_vault(&sb);
        assert_eq!(state(&sb), (1, SECRETS as i64, 0));
        let mut child = sb
            .std_cmd()
            .args(["recipients", "add", &mate_key])
            .spawn()
            .unwrap();
        std::thread::sleep(full.mul_f64(f64::from(step) / 6.0) + Duration::from_millis(2));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
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
    }
    assert!(
        outcomes.contains(&1),
        "some kill landed before the commit: {outcomes:?}"
    );
}
