//! What a valid secret name is: an environment variable name that cannot
//! hijack the program it is injected into.
//!
//! Uniqueness (case-insensitive) is the vault's job, not this module's.

use crate::error::Failure;
use std::fmt;

/// Longest accepted name, in bytes.
pub const MAX_LEN: usize = 256;

/// Why a name is reserved: the family of variables it belongs to. Each one
/// changes how a program runs rather than what it knows, so a secret must
/// not set it (and whoever can write the vault must not be able to take
/// over every program `exec` runs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reserved {
    /// Shell start-up files, prompts, word splitting and exported functions:
    /// each makes a shell run code or parse commands differently.
    Shell,
    /// The dynamic loader's and the C library's variables: glibc itself
    /// removes these before running a set-user-ID program.
    Loader,
    /// Language runtimes' options and module paths: each loads code or
    /// flags into every Node, Python, Perl, Ruby or Java program.
    Runtime,
    /// Variables that name a program to run, or where programs are found.
    Launcher,
    /// The process's basic context: who, where, which shell, which
    /// language and where temporary and configuration files go.
    Context,
    /// This tool's own control variables (`SECRETS_VAULT`, ...).
    Tool,
}

impl Reserved {
    /// The family, as error messages and `doctor` name it.
    pub fn family(self) -> &'static str {
        match self {
            Reserved::Shell => "the shell's start-up, prompt and parsing variables",
            Reserved::Loader => "the dynamic loader's and C library's variables",
            Reserved::Runtime => "the language runtimes' options and module paths",
            Reserved::Launcher => "the variables that name a program to run",
            Reserved::Context => "the variables of the process's basic context",
            Reserved::Tool => "this tool's own variables",
        }
    }
}

/// The reserved names, in one place: exact names and prefixes of families
/// that are hooks as a whole. Ordinary secret names that merely share a
/// runtime's name (`NODE_ENV`, `PYTHON_PACKAGE_TOKEN`) stay allowed.
const RESERVED: &[(Reserved, &[&str], &[&str])] = &[
    (
        Reserved::Shell,
        &[
            "IFS",
            "ENV",
            "BASH_ENV",
            "ZDOTDIR",
            "INPUTRC",
            "PROMPT_COMMAND",
            "PS0",
            "PS1",
            "PS2",
            "PS3",
            "PS4",
            "SHELLOPTS",
            "BASHOPTS",
            "CDPATH",
            "GLOBIGNORE",
            "FPATH",
        ],
        // Exported bash functions.
        &["BASH_FUNC_"],
    ),
    (
        Reserved::Loader,
        // glibc's list of unsafe variables (sysdeps/generic/unsecvars.h),
        // `LD_*` and `TMPDIR` aside (a prefix, and the basic context).
        &[
            "GCONV_PATH",
            "GETCONF_DIR",
            "GLIBC_TUNABLES",
            "HOSTALIASES",
            "LOCALDOMAIN",
            "LOCPATH",
            "MALLOC_TRACE",
            "NIS_PATH",
            "NLSPATH",
            "RESOLV_HOST_CONF",
            "RES_OPTIONS",
            "TZDIR",
        ],
        // The GNU and macOS dynamic loaders read every variable so named.
        &["LD_", "DYLD_"],
    ),
    (
        Reserved::Runtime,
        &[
            "NODE_OPTIONS",
            "NODE_PATH",
            "NODE_REPL_EXTERNAL_MODULE",
            "PYTHONPATH",
            "PYTHONHOME",
            "PYTHONSTARTUP",
            "PYTHONINSPECT",
            "PYTHONBREAKPOINT",
            "PYTHONUSERBASE",
            "PYTHONPLATLIBDIR",
            "PYTHONSAFEPATH",
            "PYTHONNOUSERSITE",
            // Warning filters name categories, which Python imports.
            "PYTHONWARNINGS",
            "PERL5OPT",
            "PERL5LIB",
            "PERLLIB",
            "PERL5DB",
            "PERLIO",
            "RUBYOPT",
            "RUBYLIB",
            "RUBYPATH",
            "JAVA_TOOL_OPTIONS",
            "_JAVA_OPTIONS",
            "JDK_JAVA_OPTIONS",
            // Not read by the JVM, but by the launch scripts of most servers.
            "JAVA_OPTS",
            "CLASSPATH",
        ],
        &[],
    ),
    (
        Reserved::Launcher,
        &[
            "PATH",
            "EDITOR",
            "VISUAL",
            "PAGER",
            "MANPAGER",
            "BROWSER",
            // less runs these as input preprocessors.
            "LESSOPEN",
            "LESSCLOSE",
            "SSH_ASKPASS",
            "SUDO_ASKPASS",
            "PERL5SHELL",
            "RUBYSHELL",
            "JAVA_HOME",
            "GIT_ASKPASS",
            "GIT_SSH",
            "GIT_SSH_COMMAND",
            "GIT_EDITOR",
            "GIT_SEQUENCE_EDITOR",
            "GIT_PAGER",
            "GIT_EXTERNAL_DIFF",
            "GIT_PROXY_COMMAND",
            "GIT_EXEC_PATH",
            // New repositories copy their hooks from it.
            "GIT_TEMPLATE_DIR",
            "GIT_CONFIG",
        ],
        // GIT_CONFIG_COUNT, _KEY_n and _VALUE_n set any configuration
        // (core.sshCommand, core.pager); _GLOBAL and _SYSTEM name its files.
        &["GIT_CONFIG_"],
    ),
    (
        Reserved::Context,
        &[
            "HOME", "USER", "LOGNAME", "SHELL", "PWD", "TMPDIR", "TMP", "TEMP", "LANG", "LANGUAGE",
            "TERM", "TZ",
        ],
        // Locale categories, and where programs find their configuration,
        // data and runtime files.
        &["LC_", "XDG_"],
    ),
    (Reserved::Tool, &[], &["SECRETS_"]),
];

/// A validated secret name, spelled as the user gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretName(String);

impl SecretName {
    /// Checks `raw` against the naming rules; the error says what a valid name is.
    pub fn parse(raw: &str) -> Result<Self, Failure> {
        if !is_valid(raw) {
            // Not repeated: what stands where a name belongs may be a value
            // (`secrets create "$TOKEN"`), and errors end up in CI logs.
            return Err(Failure::usage(format!(
                "invalid secret name (not repeated here: it may be a value): a name starts \
                 with a letter or underscore, continues with letters, digits or underscores, \
                 and has at most {MAX_LEN} characters"
            ))
            .with_hint("names are environment variable names, e.g. API_KEY"));
        }
        if let Some(family) = reserved(raw) {
            return Err(Failure::usage(format!(
                "the name '{raw}' is reserved ({}): it would change how the program runs, \
                 not what it knows",
                family.family()
            ))
            .with_hint("pick a name of its own, e.g. MY_APP_TOKEN"));
        }
        Ok(SecretName(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The UPPER_SNAKE_CASE spelling, when the name is not already in it.
    pub fn conventional_form(&self) -> Option<String> {
        let upper = upper_snake_case(&self.0);
        (upper != self.0).then_some(upper)
    }
}

impl fmt::Display for SecretName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

pub fn is_valid(raw: &str) -> bool {
    let mut bytes = raw.bytes();
    let Some(first) = bytes.next() else {
        return false;
    };
    raw.len() <= MAX_LEN
        && (first.is_ascii_alphabetic() || first == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The family that reserves `name`, if one does. Any case matches: names
/// are unique ignoring case, and Windows environments ignore it too.
pub fn reserved(name: &str) -> Option<Reserved> {
    let upper = name.to_ascii_uppercase();
    RESERVED
        .iter()
        .find(|(_, names, prefixes)| {
            names.contains(&upper.as_str()) || prefixes.iter().any(|p| upper.starts_with(p))
        })
        .map(|&(family, _, _)| family)
}

/// `apiKey` -> `API_KEY`, `db-url`-like input is never valid so never seen here.
fn upper_snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let mut previous: Option<char> = None;
    for c in name.chars() {
        if c.is_ascii_uppercase()
            && previous.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit())
        {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
        previous = Some(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_environment_variable_names() {
        for ok in ["A", "_", "API_KEY", "a1", "_x_2", &"A".repeat(MAX_LEN)] {
            assert!(SecretName::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn refuses_other_names() {
        for bad in [
            "",
            "1A",
            "A-B",
            "A B",
            "Ä",
            "A=B",
            "A\0",
            &"A".repeat(MAX_LEN + 1),
        ] {
            let err = SecretName::parse(bad).unwrap_err();
            assert_eq!(err.code, crate::error::USAGE, "{bad:?}");
            assert!(err.message.contains("letter or underscore"));
        }
    }

    #[test]
    fn refuses_reserved_names_in_any_case() {
        for bad in [
            "PATH",
            "path",
            "LD_PRELOAD",
            "ld_library_path",
            "DYLD_X",
            "IFS",
        ] {
            assert!(
                SecretName::parse(bad)
                    .unwrap_err()
                    .message
                    .contains("reserved")
            );
        }
        for bad in [
            "BASH_ENV",
            "ENV",
            "BASH_FUNC_x",
            "PS4",
            "SHELLOPTS",
            "SECRETS_VAULT",
        ] {
            assert!(
                SecretName::parse(bad)
                    .unwrap_err()
                    .message
                    .contains("reserved")
            );
        }
        assert!(SecretName::parse("ENVIRONMENT").is_ok());
        assert!(SecretName::parse("MY_PATH").is_ok());
    }

    #[test]
    fn each_family_is_named() {
        for (name, family) in [
            ("prompt_command", Reserved::Shell),
            ("GLIBC_TUNABLES", Reserved::Loader),
            ("LD_AUDIT", Reserved::Loader),
            ("NODE_OPTIONS", Reserved::Runtime),
            ("PYTHONPATH", Reserved::Runtime),
            ("PERL5OPT", Reserved::Runtime),
            ("RUBYOPT", Reserved::Runtime),
            ("JAVA_TOOL_OPTIONS", Reserved::Runtime),
            ("GIT_SSH_COMMAND", Reserved::Launcher),
            ("GIT_CONFIG_KEY_0", Reserved::Launcher),
            ("Editor", Reserved::Launcher),
            ("HOME", Reserved::Context),
            ("LC_ALL", Reserved::Context),
            ("XDG_CONFIG_HOME", Reserved::Context),
            ("SECRETS_VAULT", Reserved::Tool),
        ] {
            assert_eq!(reserved(name), Some(family), "{name}");
            let message = SecretName::parse(name).unwrap_err().message;
            assert!(message.contains(family.family()), "{message}");
        }
    }

    #[test]
    fn ordinary_secret_names_are_not_reserved() {
        for name in [
            "GITHUB_TOKEN",
            "DATABASE_URL",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "NODE_ENV",
            "NPM_TOKEN",
            "PYTHON_PACKAGE_TOKEN",
            "PYPI_TOKEN",
            "HOMEBREW_GITHUB_API_TOKEN",
            "USERNAME",
            "TERMINUS_TOKEN",
            "GIT_TOKEN",
            "LDAP_PASSWORD",
            "EDITOR_API_KEY",
        ] {
            assert_eq!(reserved(name), None, "{name}");
        }
    }

    #[test]
    fn suggests_upper_snake_case() {
        let form = |s: &str| SecretName::parse(s).unwrap().conventional_form();
        assert_eq!(form("apiKey").as_deref(), Some("API_KEY"));
        assert_eq!(form("db_url").as_deref(), Some("DB_URL"));
        assert_eq!(form("Token2Value").as_deref(), Some("TOKEN2_VALUE"));
        assert_eq!(form("API_KEY"), None);
    }
}
