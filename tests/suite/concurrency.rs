//! Several `secrets` processes writing the same vault at once (a Makefile or
//! a script loop in parallel): none may fail with "database is locked" and
//! no write may be lost.

use std::io::Write;
use std::process::{Child, Output, Stdio};
use std::thread;

use crate::common::{Sandbox, assert_success};

fn spawn_create(sb: &Sandbox, name: &str, value: &str) -> Child {
    let mut child = sb
        .std_cmd()
        .args(["create", name])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn secrets create");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(value.as_bytes()).unwrap();
    drop(stdin);
    child
}

fn create_blocking(sb: &Sandbox, name: &str, value: &str) -> Output {
    spawn_create(sb, name, value).wait_with_output().unwrap()
}

/// Reads every secret's value through one exec: "NAME=VALUE" lines.
fn all_values(sb: &Sandbox, names: &[String]) -> Vec<String> {
    let script: String = names
        .iter()
        .map(|n| format!("printf '%s=%s\\n' {n} \"${n}\";"))
        .collect();
    let out = sb
        .cmd()
        .args(["exec", "--mask", "never", "--", "sh", "-c", &script])
        .output()
        .unwrap();
    assert_success(&out, "exec reading all values");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

fn value_for(name: &str) -> String {
    format!("value-for-{name}")
}

#[test]
fn eight_parallel_creates_all_succeed() {
    let sb = Sandbox::new();
    sb.init();
    let names: Vec<String> = (0..8).map(|i| format!("PARALLEL_{i}")).collect();

    let children: Vec<Child> = names
        .iter()
        .map(|n| spawn_create(&sb, n, &value_for(n)))
        .collect();
    for (name, child) in names.iter().zip(children) {
        let out = child.wait_with_output().unwrap();
        assert_success(&out, &format!("parallel create {name}"));
    }

    let mut listed = sb.names();
    listed.sort();
    assert_eq!(listed, names);
    let expected: Vec<String> = names
        .iter()
        .map(|n| format!("{n}={}", value_for(n)))
        .collect();
    assert_eq!(all_values(&sb, &names), expected);
}

#[test]
fn four_writers_with_ten_creates_each() {
    let sb = Sandbox::new();
    sb.init();
    thread::scope(|scope| {
        for writer in 0..4 {
            let sb = &sb;
            scope.spawn(move || {
                for i in 0..10 {
                    let name = format!("W{writer}_SECRET_{i:02}");
                    let out = create_blocking(sb, &name, &value_for(&name));
                    assert_success(&out, &format!("create {name}"));
                }
            });
        }
    });

    let listed = sb.names();
    assert_eq!(listed.len(), 40, "{listed:?}");
    let mut expected_names: Vec<String> = (0..4)
        .flat_map(|w| (0..10).map(move |i| format!("W{w}_SECRET_{i:02}")))
        .collect();
    expected_names.sort();
    assert_eq!(listed, expected_names, "list is sorted and complete");
    let expected: Vec<String> = expected_names
        .iter()
        .map(|n| format!("{n}={}", value_for(n)))
        .collect();
    assert_eq!(all_values(&sb, &expected_names), expected);
}

#[test]
fn parallel_creates_on_a_fresh_sandbox_share_one_vault_and_identity() {
    // No init: every process may try to create the identity and vault.
    let sb = Sandbox::new();
    let names: Vec<String> = (0..6).map(|i| format!("RACE_{i}")).collect();
    let children: Vec<Child> = names
        .iter()
        .map(|n| spawn_create(&sb, n, &value_for(n)))
        .collect();
    for (name, child) in names.iter().zip(children) {
        let out = child.wait_with_output().unwrap();
        assert_success(&out, &format!("racing create {name}"));
    }
    let mut listed = sb.names();
    listed.sort();
    assert_eq!(listed, names);
    // Every value still decrypts with the identity left on disk.
    let expected: Vec<String> = names
        .iter()
        .map(|n| format!("{n}={}", value_for(n)))
        .collect();
    assert_eq!(all_values(&sb, &names), expected);
}

#[test]
fn parallel_reads_and_writes_mix() {
    let sb = Sandbox::new();
    sb.init();
    sb.create("BASE", "base-value");
    thread::scope(|scope| {
        for t in 0..4 {
            let sb = &sb;
            scope.spawn(move || {
                for i in 0..5 {
                    let name = format!("MIX_{t}_{i}");
                    let out = create_blocking(sb, &name, "v");
                    assert_success(&out, &format!("create {name}"));
                    let out = sb
                        .cmd()
                        .args([
                            "exec",
                            "--mask",
                            "never",
                            "--only",
                            "BASE",
                            "--",
                            "sh",
                            "-c",
                            "printf %s \"$BASE\"",
                        ])
                        .output()
                        .unwrap();
                    assert_success(&out, "exec during writes");
                    assert_eq!(out.stdout, b"base-value");
                }
            });
        }
    });
    assert_eq!(sb.names().len(), 21);
}
