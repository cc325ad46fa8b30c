//! Whole .env files as python-dotenv, dotenvy and Node's dotenv write them,
//! through `secrets import` and `secrets exec`: each value arrives as the
//! references read it, or the file is refused by line number and reason,
//! with nothing imported and no value shown. (Form by form, with the
//! reference test each value comes from: the unit tests in `src/dotenv.rs`.)

use crate::common::*;

fn import(sb: &Sandbox, input: &str) -> std::process::Output {
    run(sb, &["import", "-"], input)
}

#[test]
fn a_file_in_each_references_style_arrives_as_it_reads_it() {
    let sb = Sandbox::new();
    // python-dotenv's test_parser.py forms.
    let python = "# comment\nexport PY_A=b\nPY_SPACED = b c \nPY_TAB=b\t#c\n\
                  PY_MULTI=\"b\nc\"\nPY_SINGLE='b\\nc'\nPY_ESCAPED=\"b\\nc\"\r\nPY_UNICODE=à\n";
    // dotenvy's parse.rs and lib.rs test forms.
    let dotenvy = "DOTENVY_KEY4='fo ur'\nDOTENVY_KEY11=    \"whitespace after =\"\n\
                   export   SHELL_LOVER=1\nDOTENVY_SWEET=\\$sweet\n\
                   DOTENVY_LOL=\"lol\" #well you see\n\
                   DOTENVY_LINES=\"Line 4\n# Line 5\nLine 6\n\" # 5 Multiline \"' comment\n";
    // Node dotenv's tests/.env and .env.multiline forms.
    let node = "NODE_INNER={\"foo\": \"bar\"}\nNODE_SPACED='    single quotes    '\n\
                NODE_COMMENT=inline comments # work #very #well\n\
                NODE_PEM=\"-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A\n-----END PUBLIC KEY-----\"\n";
    for file in [python, dotenvy, node] {
        assert_success(&import(&sb, file), "import");
    }
    for (name, value) in [
        ("PY_A", "b"),
        ("PY_SPACED", "b c"),
        ("PY_TAB", "b"),
        ("PY_MULTI", "b\nc"),
        ("PY_SINGLE", "b\\nc"),
        ("PY_ESCAPED", "b\nc"),
        ("PY_UNICODE", "à"),
        ("DOTENVY_KEY4", "fo ur"),
        ("DOTENVY_KEY11", "whitespace after ="),
        ("SHELL_LOVER", "1"),
        ("DOTENVY_SWEET", "$sweet"),
        ("DOTENVY_LOL", "lol"),
        ("DOTENVY_LINES", "Line 4\n# Line 5\nLine 6\n"),
        ("NODE_INNER", "{\"foo\": \"bar\"}"),
        ("NODE_SPACED", "    single quotes    "),
        ("NODE_COMMENT", "inline comments"),
        (
            "NODE_PEM",
            "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A\n-----END PUBLIC KEY-----",
        ),
    ] {
        assert_eq!(sb.value_of(name), value.as_bytes(), "{name}");
    }
}

#[test]
fn forms_the_references_disagree_on_are_refused_by_line_and_reason() {
    let sb = Sandbox::new();
    sb.create("EXISTING", "existing-value");
    for (form, reason) in [
        (
            "CR=dotenv-canary\rNEXT=x\n",
            "a carriage return without a line feed",
        ),
        ("TICKS=`dotenv-canary`\n", "a value in backticks"),
        ("HASH=dotenv#canary\n", "`#` inside an unquoted value"),
        (
            "SPACE=dotenv\\ canary\n",
            "dotenvy reads the quotes or backslashes",
        ),
        (
            "DQ=\"dotenv \\\"canary\\\"\"\n",
            "an escape inside double quotes",
        ),
        (
            "SQ='dotenv \\'canary'\n",
            "`\\\\` or `\\'` inside single quotes",
        ),
        ("'QUOTED'=dotenv-canary\n", "a quoted name"),
        (
            "SHELL='dotenv'\\''canary'\n",
            "unexpected text after the closing quote",
        ),
        (
            "JOIN=dotenv-canary  # it's\nB=1\nC='x\n",
            "a quote left open on this line",
        ),
    ] {
        // The form on line 3, after a good entry and a comment.
        let input = format!("GOOD=dotenv-canary-good\n# comment\n{form}");
        let out = import(&sb, &input);
        let error = one_error(&out, 2, form);
        assert!(
            error.starts_with(&format!("error: line 3: {reason}")),
            "{form:?}: {error}"
        );
        assert!(
            !stderr(&out).contains("canary"),
            "a value leaked: {}",
            stderr(&out)
        );
        assert_eq!(sb.names(), ["EXISTING"], "nothing imported from {form:?}");
    }
}

#[test]
fn a_name_alone_is_left_out_with_a_note_naming_its_line() {
    let sb = Sandbox::new();
    let out = import(&sb, "FIRST=1\nNoValueVar\nexport ALONE # c\nSECOND=2\n");
    assert_success(&out, "import");
    let err = stderr(&out);
    assert!(
        err.contains("note: lines 2, 3 give a name without `=`: left out"),
        "{err}"
    );
    assert!(!err.contains("NoValueVar"), "the line is not quoted: {err}");
    assert_eq!(sb.names(), ["FIRST", "SECOND"]);
}

#[test]
fn new_names_not_in_upper_snake_case_get_the_hint_create_gives() {
    let sb = Sandbox::new();
    sb.create("TAKEN", "taken-value");
    let out = run(
        &sb,
        &["import", "--overwrite", "-"],
        "apiKey=1\nUPPER_OK=2\ndb_url=3\ntaken=4\n",
    );
    assert_success(&out, "import");
    let hints: Vec<String> = stderr(&out)
        .lines()
        .filter(|l| l.starts_with("hint: "))
        .map(str::to_owned)
        .collect();
    assert_eq!(
        hints,
        [
            "hint: secret names are conventionally UPPER_SNAKE_CASE: consider API_KEY for apiKey, \
          DB_URL for db_url"
        ]
    );
    // The same words as `create`'s.
    let out = run(&sb, &["create", "apiToken"], "v");
    assert!(
        stderr(&out)
            .contains("hint: secret names are conventionally UPPER_SNAKE_CASE: consider API_TOKEN"),
        "{}",
        stderr(&out)
    );
}
