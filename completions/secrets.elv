
use builtin;
use str;

set edit:completion:arg-completer[secrets] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'secrets'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'secrets'= {
            cand --vault 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team''s vault [default: <data dir>/secrets/vault.db]'
            cand --identity 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand init 'Create the identity (if none) and the vault, and say where they are'
            cand create 'Add a secret; its value comes from --from-file, a pipe, or a hidden prompt'
            cand list 'List secrets: names and metadata, never values'
            cand ls 'List secrets: names and metadata, never values'
            cand show 'Show one secret''s metadata (never its value)'
            cand update 'Replace a secret''s value, its description (-d alone asks for no value), or both'
            cand rename 'Give a secret a new name, keeping its value, id, times and history'
            cand delete 'Delete secrets permanently'
            cand rm 'Delete secrets permanently'
            cand exec 'Run a program with the secrets in its environment'
            cand passwd 'Add, change or remove the identity''s passphrase (the new one comes from SECRETS_NEW_PASSPHRASE, or is asked twice)'
            cand doctor 'Check names, descriptions, rotation and use against best practice'
            cand import 'Import secrets from a dotenv file (or a flat JSON object), all or none'
            cand log 'Show the audit log, newest first: every change and every exec'
            cand rekey 'Replace your key with a new one (the old one kept, retired), or move this vault from a retired key to your current one'
            cand recipients 'List, add or remove the public keys the vault is encrypted to'
            cand vault 'Copy a whole vault between a file and PostgreSQL'
            cand mcp 'Serve an AI agent over MCP (stdin/stdout): it lists secrets and runs the programs a policy allows with them, and never sees a value'
            cand requests 'Show the secrets agents asked for (MCP request_secret) that do not exist yet'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'secrets;init'= {
            cand --vault 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team''s vault [default: <data dir>/secrets/vault.db]'
            cand --identity 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]'
            cand --passphrase 'Protect a new identity with a passphrase (from SECRETS_PASSPHRASE, or asked twice on the terminal); unlocking it then takes about a second'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'secrets;create'= {
            cand --vault 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team''s vault [default: <data dir>/secrets/vault.db]'
            cand --identity 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]'
            cand -d 'What the secret is for, shown by `list` (stored unencrypted)'
            cand --description 'What the secret is for, shown by `list` (stored unencrypted)'
            cand --from-file 'Read the value from this file, bytes exactly as they are; without it the value is read from a pipe (one trailing newline removed) or asked for twice on the terminal, hidden'
            cand --json 'Print the new secret''s metadata as JSON'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'secrets;list'= {
            cand --vault 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team''s vault [default: <data dir>/secrets/vault.db]'
            cand --identity 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]'
            cand --max-age 'A secret not updated for more than this many days should be rotated'
            cand --unused-days 'A secret older than this many days and not used by exec within them may be unused'
            cand --json 'Print a JSON array of secret objects'
            cand --names 'Print only the names, one per line (for scripts and shell completion)'
            cand --stale 'Only secrets not updated for more than --max-age days'
            cand --unused 'Only secrets older than --unused-days and not used by exec within them'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'secrets;ls'= {
            cand --vault 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team''s vault [default: <data dir>/secrets/vault.db]'
            cand --identity 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]'
            cand --max-age 'A secret not updated for more than this many days should be rotated'
            cand --unused-days 'A secret older than this many days and not used by exec within them may be unused'
            cand --json 'Print a JSON array of secret objects'
            cand --names 'Print only the names, one per line (for scripts and shell completion)'
            cand --stale 'Only secrets not updated for more than --max-age days'
            cand --unused 'Only secrets older than --unused-days and not used by exec within them'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'secrets;show'= {
            cand --vault 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team''s vault [default: <data dir>/secrets/vault.db]'
            cand --identity 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]'
            cand --json 'Print the secret object as JSON'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'secrets;update'= {
            cand --vault 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team''s vault [default: <data dir>/secrets/vault.db]'
            cand --identity 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]'
            cand -d 'What the secret is for, shown by `list` (stored unencrypted)'
            cand --description 'What the secret is for, shown by `list` (stored unencrypted)'
            cand --from-file 'Read the value from this file, bytes exactly as they are; without it the value is read from a pipe (one trailing newline removed) or asked for twice on the terminal, hidden'
            cand --json 'Print the secret''s metadata as JSON'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'secrets;rename'= {
            cand --vault 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team''s vault [default: <data dir>/secrets/vault.db]'
            cand --identity 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'secrets;delete'= {
            cand --vault 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team''s vault [default: <data dir>/secrets/vault.db]'
            cand --identity 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]'
            cand -y 'Do not ask for confirmation (needed when stdin is not a terminal)'
            cand --yes 'Do not ask for confirmation (needed when stdin is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'secrets;rm'= {
            cand --vault 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team''s vault [default: <data dir>/secrets/vault.db]'
            cand --identity 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]'
            cand -y 'Do not ask for confirmation (needed when stdin is not a terminal)'
            cand --yes 'Do not ask for confirmation (needed when stdin is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'secrets;exec'= {
            cand --vault 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team''s vault [default: <data dir>/secrets/vault.db]'
            cand --identity 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]'
            cand --only 'Inject only these secrets (comma-separated or repeated; any case)'
            cand --except 'Inject every secret but these (comma-separated or repeated; any case)'
            cand --mask 'Replace injected values in the program''s output with [MASKED:NAME] (values shorter than 4 bytes are never masked); SECRETS_MASK sets the default, e.g. for a harness that runs commands in a terminal'
            cand --pass-env 'With --clean-env, keep these inherited variables too (comma-separated or repeated)'
            cand --env-prefix 'Inject each secret as PREFIX followed by its name'
            cand --env 'Inject secret SECRET as variable VAR (repeatable); without --only or --except, only the secrets named this way are injected'
            cand --gateway 'Let the program use secret SECRET at URL without holding it: VAR gets a token for this run and VAR_URL a gateway on 127.0.0.1 that puts the secret in the token''s place (KIND: bearer, the default; header:NAME; basic or basic:USER). Repeatable; see below'
            cand --gateway-ca 'Trust the CA certificates in this PEM file too, for HTTPS upstreams of --gateway (a private CA)'
            cand --clean-env 'Start the program from an empty environment (plus PATH, HOME, USER, LANG, TERM, TZ and TMPDIR where set) and the secrets'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'secrets;passwd'= {
            cand --vault 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team''s vault [default: <data dir>/secrets/vault.db]'
            cand --identity 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]'
            cand --remove 'Remove the passphrase instead of setting a new one'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'secrets;doctor'= {
            cand --vault 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team''s vault [default: <data dir>/secrets/vault.db]'
            cand --identity 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]'
            cand --max-age 'A secret not updated for more than this many days should be rotated'
            cand --unused-days 'A secret older than this many days and not used by exec within them may be unused'
            cand --json 'Print a JSON array of findings: name, rule, message'
            cand --strict 'Exit 1 when anything is found (for CI)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'secrets;import'= {
            cand --vault 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team''s vault [default: <data dir>/secrets/vault.db]'
            cand --identity 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]'
            cand --json 'Read a flat JSON object of string values instead of dotenv'
            cand --overwrite 'Replace the values of names that exist already'
            cand --skip-existing 'Leave names that exist already as they are'
            cand --skip-empty 'Leave out entries whose value is empty (named on stderr) instead of refusing the whole file'
            cand --dry-run 'Print what would be created, updated and skipped; change nothing'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'secrets;log'= {
            cand --vault 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team''s vault [default: <data dir>/secrets/vault.db]'
            cand --identity 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]'
            cand --name 'Only events that involve this secret (any case)'
            cand --limit 'At most this many events'
            cand --json 'Print a JSON array of events'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'secrets;rekey'= {
            cand --vault 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team''s vault [default: <data dir>/secrets/vault.db]'
            cand --identity 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]'
            cand --drop-retired 'Instead, remove the retired keys from your identity for good (refused while this vault or the default one still uses one)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'secrets;recipients'= {
            cand --vault 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team''s vault [default: <data dir>/secrets/vault.db]'
            cand --identity 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]'
            cand -h 'Print help'
            cand --help 'Print help'
            cand list 'Print the public keys the vault is encrypted to, one per line, each followed by its comment (ssh keys) and (yours) for your identity''s'
            cand add 'Let another key open the vault (a teammate, a Devbox)'
            cand remove 'Revoke keys: the vault gets a new data key they never saw'
            cand verify 'Check with your identity that the recipients and data key are as a member left them, and remember them on this machine'
            cand accept 'Trust the recipients and data key as they are now, after checking a change this machine refused with your team'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'secrets;recipients;list'= {
            cand --vault 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team''s vault [default: <data dir>/secrets/vault.db]'
            cand --identity 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'secrets;recipients;add'= {
            cand --file 'Read the public keys from this file, one per line (# comments allowed)'
            cand --vault 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team''s vault [default: <data dir>/secrets/vault.db]'
            cand --identity 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'secrets;recipients;remove'= {
            cand --file 'Read the public keys from this file, one per line (# comments allowed)'
            cand --vault 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team''s vault [default: <data dir>/secrets/vault.db]'
            cand --identity 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'secrets;recipients;verify'= {
            cand --vault 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team''s vault [default: <data dir>/secrets/vault.db]'
            cand --identity 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'secrets;recipients;accept'= {
            cand --vault 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team''s vault [default: <data dir>/secrets/vault.db]'
            cand --identity 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'secrets;recipients;help'= {
            cand list 'Print the public keys the vault is encrypted to, one per line, each followed by its comment (ssh keys) and (yours) for your identity''s'
            cand add 'Let another key open the vault (a teammate, a Devbox)'
            cand remove 'Revoke keys: the vault gets a new data key they never saw'
            cand verify 'Check with your identity that the recipients and data key are as a member left them, and remember them on this machine'
            cand accept 'Trust the recipients and data key as they are now, after checking a change this machine refused with your team'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'secrets;recipients;help;list'= {
        }
        &'secrets;recipients;help;add'= {
        }
        &'secrets;recipients;help;remove'= {
        }
        &'secrets;recipients;help;verify'= {
        }
        &'secrets;recipients;help;accept'= {
        }
        &'secrets;recipients;help;help'= {
        }
        &'secrets;vault'= {
            cand --vault 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team''s vault [default: <data dir>/secrets/vault.db]'
            cand --identity 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]'
            cand -h 'Print help'
            cand --help 'Print help'
            cand copy 'Copy a vault, as stored, to a new file or PostgreSQL schema (no identity needed; all or nothing)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'secrets;vault;copy'= {
            cand --vault 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team''s vault [default: <data dir>/secrets/vault.db]'
            cand --identity 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'secrets;vault;help'= {
            cand copy 'Copy a vault, as stored, to a new file or PostgreSQL schema (no identity needed; all or nothing)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'secrets;vault;help;copy'= {
        }
        &'secrets;vault;help;help'= {
        }
        &'secrets;mcp'= {
            cand --vault 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team''s vault [default: <data dir>/secrets/vault.db]'
            cand --identity 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]'
            cand --policy 'The policy file [default: mcp-policy.json in the identity''s directory, e.g. <config dir>/secrets/mcp-policy.json]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'secrets;requests'= {
            cand --vault 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team''s vault [default: <data dir>/secrets/vault.db]'
            cand --identity 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]'
            cand --json 'Print a JSON array of requests'
            cand --clear 'Forget this vault''s waiting requests'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'secrets;completions'= {
            cand --vault 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team''s vault [default: <data dir>/secrets/vault.db]'
            cand --identity 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'secrets;help'= {
            cand init 'Create the identity (if none) and the vault, and say where they are'
            cand create 'Add a secret; its value comes from --from-file, a pipe, or a hidden prompt'
            cand list 'List secrets: names and metadata, never values'
            cand show 'Show one secret''s metadata (never its value)'
            cand update 'Replace a secret''s value, its description (-d alone asks for no value), or both'
            cand rename 'Give a secret a new name, keeping its value, id, times and history'
            cand delete 'Delete secrets permanently'
            cand exec 'Run a program with the secrets in its environment'
            cand passwd 'Add, change or remove the identity''s passphrase (the new one comes from SECRETS_NEW_PASSPHRASE, or is asked twice)'
            cand doctor 'Check names, descriptions, rotation and use against best practice'
            cand import 'Import secrets from a dotenv file (or a flat JSON object), all or none'
            cand log 'Show the audit log, newest first: every change and every exec'
            cand rekey 'Replace your key with a new one (the old one kept, retired), or move this vault from a retired key to your current one'
            cand recipients 'List, add or remove the public keys the vault is encrypted to'
            cand vault 'Copy a whole vault between a file and PostgreSQL'
            cand mcp 'Serve an AI agent over MCP (stdin/stdout): it lists secrets and runs the programs a policy allows with them, and never sees a value'
            cand requests 'Show the secrets agents asked for (MCP request_secret) that do not exist yet'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'secrets;help;init'= {
        }
        &'secrets;help;create'= {
        }
        &'secrets;help;list'= {
        }
        &'secrets;help;show'= {
        }
        &'secrets;help;update'= {
        }
        &'secrets;help;rename'= {
        }
        &'secrets;help;delete'= {
        }
        &'secrets;help;exec'= {
        }
        &'secrets;help;passwd'= {
        }
        &'secrets;help;doctor'= {
        }
        &'secrets;help;import'= {
        }
        &'secrets;help;log'= {
        }
        &'secrets;help;rekey'= {
        }
        &'secrets;help;recipients'= {
            cand list 'Print the public keys the vault is encrypted to, one per line, each followed by its comment (ssh keys) and (yours) for your identity''s'
            cand add 'Let another key open the vault (a teammate, a Devbox)'
            cand remove 'Revoke keys: the vault gets a new data key they never saw'
            cand verify 'Check with your identity that the recipients and data key are as a member left them, and remember them on this machine'
            cand accept 'Trust the recipients and data key as they are now, after checking a change this machine refused with your team'
        }
        &'secrets;help;recipients;list'= {
        }
        &'secrets;help;recipients;add'= {
        }
        &'secrets;help;recipients;remove'= {
        }
        &'secrets;help;recipients;verify'= {
        }
        &'secrets;help;recipients;accept'= {
        }
        &'secrets;help;vault'= {
            cand copy 'Copy a vault, as stored, to a new file or PostgreSQL schema (no identity needed; all or nothing)'
        }
        &'secrets;help;vault;copy'= {
        }
        &'secrets;help;mcp'= {
        }
        &'secrets;help;requests'= {
        }
        &'secrets;help;completions'= {
        }
        &'secrets;help;help'= {
        }
    ]
    $completions[$command]
}
