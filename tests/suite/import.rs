//! `secrets import`: dotenv and JSON, each value exact to the byte; all or
//! nothing; conflicts under each policy; a dry run changes nothing.

use crate::common::*;
use std::fs;

fn import(sb: &Sandbox, args: &[&str], input: &str) -> std::process::Output {
    let out = sb
        .cmd()
        .arg("import")
        .args(args)
        .arg("-")
        .write_stdin(input)
        .output()
        .unwrap();
    assert_no_panic(&out);
    out
}

/// The exact bytes the program sees for NAME.
fn value(sb: &Sandbox, name: &str) -> Vec<u8> {
    sb.value_of(name)
}

#[test]
fn dotenv_forms_arrive_exact_to_the_byte() {
    let sb = Sandbox::new();
    let file = concat!(
        "# a comment\n",
        "\n",
        "PLAIN=plain-value\n",
        "export EXPORTED=exported-value\n",
        "SPACED =   trimmed value   \n",
        "WITH_COMMENT=before # after\n",
        "HASH_QUOTED='a#b'\n",
        "DOLLAR=$HOME ${USER} $(id)\n",
        "SINGLE='literal \\n $HOME \"quoted\" # kept'\n",
        "DOUBLE=\"escapes: \\n \\$ \\d end\"\n",
        "MULTI=\"line one\n",
        "line two\"\n",
        "SINGLE_MULTI='first\n",
        "second'\n",
        "EQUALS=a=b=c\n",
        "CRLF=crlf-value\r\n",
        "   INDENTED=indented-value\n",
    );
    let out = import(&sb, &[], file);
    assert_success(&out, "import");
    assert!(stderr(&out).contains("13 created"), "{}", stderr(&out));
    let expected: [(&str, &[u8]); 13] = [
        ("PLAIN", b"plain-value"),
        ("EXPORTED", b"exported-value"),
        ("SPACED", b"trimmed value"),
        ("WITH_COMMENT", b"before"),
        ("HASH_QUOTED", b"a#b"),
        ("DOLLAR", b"$HOME ${USER} $(id)"),
        ("SINGLE", b"literal \\n $HOME \"quoted\" # kept"),
        ("DOUBLE", b"escapes: \n $ \\d end"),
        ("MULTI", b"line one\nline two"),
        ("SINGLE_MULTI", b"first\nsecond"),
        ("EQUALS", b"a=b=c"),
        ("CRLF", b"crlf-value"),
        ("INDENTED", b"indented-value"),
    ];
    for (name, bytes) in expected {
        assert_eq!(value(&sb, name), bytes, "{name}");
    }
}

#[test]
fn json_objects_import_and_other_json_is_refused() {
    let sb = Sandbox::new();
    let out = import(
        &sb,
        &["--json"],
        r#"{"JSON_ONE": "one $X \n two", "JSON_TWO": "2"}"#,
    );
    assert_success(&out, "import --json");
    assert_eq!(value(&sb, "JSON_ONE"), b"one $X \n two");
    assert_eq!(value(&sb, "JSON_TWO"), b"2");
    for bad in [
        r#"["A"]"#,
        r#"{"A": 1}"#,
        r#"{"A": {"B": "c"}}"#,
        "{not json",
    ] {
        let out = import(&sb, &["--json"], bad);
        assert_eq!(out.status.code(), Some(2), "{bad}");
    }
    // A key that is no name may be a pasted value: it is not shown.
    let out = import(&sb, &["--json"], r#"{"sk-json-canary-9": "x"}"#);
    assert_eq!(out.status.code(), Some(2));
    assert!(!stderr(&out).contains("json-canary"), "{}", stderr(&out));
    assert_eq!(sb.names(), ["JSON_ONE", "JSON_TWO"]);
}

#[test]
fn a_bad_line_aborts_everything_and_names_only_its_number() {
    let sb = Sandbox::new();
    sb.create("EXISTING", "existing-value");
    let cases = [
        ("GOOD=import-canary-1\nno equals sign here\n", "line 2"),
        (
            "GOOD=import-canary-1\n\nBAD-NAME=import-canary-2\n",
            "line 3",
        ),
        ("GOOD=import-canary-1\nPATH=import-canary-2\n", "line 2"),
        (
            "GOOD=import-canary-1\nNODE_OPTIONS=import-canary-2\n",
            "line 2",
        ),
        ("GOOD=import-canary-1\nEMPTY=\n", "line 2"),
        ("GOOD=import-canary-1\nOPEN=\"import-canary-2\n", "line 2"),
        ("GOOD=import-canary-1\ngood=import-canary-2\n", "line 2"),
    ];
    for (input, place) in cases {
        let out = import(&sb, &[], input);
        assert_eq!(out.status.code(), Some(2), "{input:?}");
        let err = stderr(&out);
        assert!(err.contains(place), "{input:?}: {err}");
        assert!(!err.contains("import-canary"), "a value leaked: {err}");
        assert_eq!(sb.names(), ["EXISTING"], "nothing imported from {input:?}");
    }
}

#[test]
fn conflicts_follow_the_chosen_policy() {
    let sb = Sandbox::new();
    sb.create("TAKEN", "original-value");
    let input = "TAKEN=imported-value\nFRESH=fresh-value\n";

    let out = import(&sb, &[], input);
    assert_eq!(out.status.code(), Some(4));
    assert!(stderr(&out).contains("TAKEN"));
    assert_eq!(sb.names(), ["TAKEN"], "a refused import writes nothing");

    let out = import(&sb, &["--skip-existing"], input);
    assert_success(&out, "--skip-existing");
    assert_eq!(value(&sb, "TAKEN"), b"original-value");
    assert_eq!(value(&sb, "FRESH"), b"fresh-value");

    let out = import(&sb, &["--overwrite"], "taken=overwritten-value\n");
    assert_success(&out, "--overwrite");
    assert_eq!(
        sb.names(),
        ["FRESH", "TAKEN"],
        "the stored spelling is kept"
    );
    assert_eq!(value(&sb, "TAKEN"), b"overwritten-value");

    let out = import(&sb, &["--overwrite", "--skip-existing"], input);
    assert_eq!(
        out.status.code(),
        Some(2),
        "the policies exclude each other"
    );
}

#[test]
fn a_dry_run_says_what_would_happen_and_changes_nothing() {
    let sb = Sandbox::new();
    sb.create("TAKEN", "original-value");
    let log_before = stdout(&sb.cmd().args(["log", "--json"]).output().unwrap());
    let out = import(
        &sb,
        &["--dry-run", "--overwrite"],
        "TAKEN=new\nFRESH=fresh\n",
    );
    assert_success(&out, "dry run");
    assert_eq!(stdout(&out), "would create FRESH\nwould update TAKEN\n");
    let out = import(&sb, &["--dry-run", "--skip-existing"], "TAKEN=new\n");
    assert_eq!(stdout(&out), "would skip TAKEN\n");
    assert_eq!(sb.names(), ["TAKEN"]);
    assert_eq!(value(&sb, "TAKEN"), b"original-value");
    let log_after = stdout(&sb.cmd().args(["log", "--json"]).output().unwrap());
    assert_eq!(
        log_after.matches("\"import\"").count(),
        log_before.matches("\"import\"").count(),
        "a dry run logs nothing"
    );
}

#[test]
fn an_import_is_logged_and_reads_a_file_path() {
    let sb = Sandbox::new();
    let path = sb.root().join("team.env");
    fs::write(&path, "FROM_FILE=file-value\n").unwrap();
    sb.cmd().arg("import").arg(&path).assert().success();
    assert_eq!(value(&sb, "FROM_FILE"), b"file-value");
    let log = stdout(&sb.cmd().args(["log", "--json"]).output().unwrap());
    assert!(
        log.contains("\"import\"") && log.contains("FROM_FILE"),
        "{log}"
    );
    assert!(!log.contains("file-value"));
}

#[test]
fn a_repeated_json_key_is_refused_like_a_repeated_dotenv_name() {
    let sb = Sandbox::new();
    sb.create("EXISTING", "existing-value");
    let dotenv = import(
        &sb,
        &[],
        "REPEATED=import-canary-1\nREPEATED=import-canary-2\n",
    );
    assert_eq!(dotenv.status.code(), Some(2));
    assert!(
        stderr(&dotenv).contains("line 2: REPEATED repeats line 1"),
        "{}",
        stderr(&dotenv)
    );
    for (input, error) in [
        (
            r#"{"REPEATED": "import-canary-1", "REPEATED": "import-canary-2"}"#,
            r#"error: entry 2 ("REPEATED"): REPEATED repeats entry 1 ("REPEATED")"#,
        ),
        (
            r#"{"REPEATED": "import-canary-1", "OTHER": "x", "repeated": "import-canary-2"}"#,
            r#"error: entry 3 ("repeated"): repeated repeats entry 1 ("REPEATED")"#,
        ),
    ] {
        // Whatever the policy for names already in the vault.
        for policy in [&[][..], &["--overwrite"], &["--skip-existing"]] {
            let args: Vec<&str> = ["--json"].iter().chain(policy).copied().collect();
            let out = import(&sb, &args, input);
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(2), "{input} {policy:?}: {err}");
            assert!(err.starts_with(error), "{input} {policy:?}: {err}");
            assert!(err.contains("nothing was imported"), "{err}");
            assert!(!err.contains("import-canary"), "a value leaked: {err}");
        }
    }
    assert_eq!(sb.names(), ["EXISTING"], "nothing was imported");
}

#[test]
fn a_byte_order_mark_at_the_start_is_skipped() {
    let sb = Sandbox::new();
    let out = import(
        &sb,
        &[],
        "\u{feff}BOM_FIRST=bom-first\nBOM_SECOND=bom-second\n",
    );
    assert_success(&out, "import of a dotenv file with a byte order mark");
    let out = import(&sb, &["--json"], "\u{feff}{\"BOM_JSON\": \"bom-json\"}");
    assert_success(&out, "import of a JSON file with a byte order mark");
    assert_eq!(sb.names(), ["BOM_FIRST", "BOM_JSON", "BOM_SECOND"]);
    assert_eq!(value(&sb, "BOM_FIRST"), b"bom-first");
    assert_eq!(value(&sb, "BOM_JSON"), b"bom-json");

    // Anywhere else it is no mark, and dotenv tools disagree on it.
    let out = import(&sb, &[], "LATER=import-canary-1\n\u{feff}BOM_LATER=x\n");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("line 2: a control character, byte order mark"),
        "{}",
        stderr(&out)
    );
    let out = import(&sb, &[], "\u{feff}\u{feff}TWICE=x\n");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(sb.names().len(), 3);
}

#[test]
fn a_dry_run_without_a_vault_previews_and_creates_nothing() {
    let sb = Sandbox::new();
    let files_before = files_under(sb.root());
    let dirs_before = dirs_under(sb.root());
    let out = import(&sb, &["--dry-run"], "FIRST=one\nSECOND=two\n");
    assert_success(&out, "dry run without a vault");
    assert_eq!(stdout(&out), "would create FIRST\nwould create SECOND\n");
    assert!(stderr(&out).contains("no vault"), "{}", stderr(&out));
    assert_eq!(files_under(sb.root()), files_before, "no file created");
    assert_eq!(dirs_under(sb.root()), dirs_before, "no directory created");
    assert!(!sb.vault_path().exists() && !sb.identity_path().exists());

    // The checks still run: a bad line fails the preview as it would the import.
    let out = import(&sb, &["--dry-run"], "FIRST=one\nno equals sign\n");
    assert_eq!(out.status.code(), Some(2));
    assert!(!sb.vault_path().exists());
}

#[test]
fn an_empty_value_is_refused_with_a_hint_or_left_out_with_skip_empty() {
    let sb = Sandbox::new();
    sb.create("EXISTING", "existing-value");
    let dotenv = "GOOD=import-canary-1\nEMPTY=\nQUOTED_EMPTY=\"\"\nALSO_GOOD=import-canary-2\n";
    let json = r#"{"GOOD": "import-canary-1", "EMPTY": "", "ALSO_GOOD": "import-canary-2"}"#;
    for (args, input, place) in [
        (&[][..], dotenv, "line 2: EMPTY has an empty value"),
        (
            &["--json"][..],
            json,
            "entry 2 (\"EMPTY\"): EMPTY has an empty value",
        ),
    ] {
        let out = import(&sb, args, input);
        assert_eq!(out.status.code(), Some(2), "{input}");
        let err = stderr(&out);
        assert!(err.starts_with(&format!("error: {place}")), "{err}");
        assert!(
            err.contains("\nhint: ") && err.contains("--skip-empty"),
            "{err}"
        );
        assert!(!err.contains("import-canary"), "a value leaked: {err}");
        assert_eq!(sb.names(), ["EXISTING"], "nothing imported");
    }

    let out = import(&sb, &["--skip-empty"], dotenv);
    assert_success(&out, "import --skip-empty");
    let err = stderr(&out);
    assert!(err.contains("2 created"), "{err}");
    assert!(
        err.contains("left out 2 entries with an empty value (--skip-empty): EMPTY, QUOTED_EMPTY"),
        "{err}"
    );
    assert!(!err.contains("import-canary"), "a value leaked: {err}");
    assert_eq!(sb.names(), ["ALSO_GOOD", "EXISTING", "GOOD"]);
    assert_eq!(value(&sb, "ALSO_GOOD"), b"import-canary-2");

    let out = import(&sb, &["--json", "--skip-empty", "--overwrite"], json);
    assert_success(&out, "import --json --skip-empty");
    assert!(
        stderr(&out).contains("(--skip-empty): EMPTY"),
        "{}",
        stderr(&out)
    );
    assert_eq!(sb.names(), ["ALSO_GOOD", "EXISTING", "GOOD"]);
}

#[test]
fn values_that_look_like_variables_are_named_as_imported_literally() {
    let sb = Sandbox::new();
    let input = "URL=${HOST}/x\nHOME_DIR=$HOME/y\nPRICE=cost $5\nPASSWORD_X=pa$5$$\nPLAIN=plain\n";
    let out = import(&sb, &[], input);
    assert_success(&out, "import");
    let err = stderr(&out);
    let note = err
        .lines()
        .find(|l| l.starts_with("note: ") && l.contains("literally"))
        .unwrap_or_else(|| panic!("no note: {err}"));
    assert!(note.contains("URL, HOME_DIR"), "{note}");
    for not_named in ["PRICE", "PASSWORD_X", "PLAIN"] {
        assert!(!note.contains(not_named), "{note}");
    }
    assert!(
        !err.contains("HOST}/x") && !err.contains("$HOME/y"),
        "a value leaked: {err}"
    );
    assert_eq!(value(&sb, "URL"), b"${HOST}/x");
    assert_eq!(value(&sb, "HOME_DIR"), b"$HOME/y");

    // Skipped names are not imported, so not named.
    let out = import(&sb, &["--skip-existing"], input);
    assert!(!stderr(&out).contains("literally"), "{}", stderr(&out));
}

#[test]
fn one_import_is_counted_in_the_singular() {
    let sb = Sandbox::new();
    let out = sb
        .cmd()
        .args(["import", "-"])
        .write_stdin("ONLY_ONE=single-value\n")
        .output()
        .unwrap();
    assert_success(&out, "import of one secret");
    assert!(
        stderr(&out).contains("imported 1 secret: 1 created"),
        "{}",
        stderr(&out)
    );
}
