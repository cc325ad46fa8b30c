
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'secrets' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'secrets'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'secrets' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team''s vault [default: <data dir>/secrets/vault.db]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Create the identity (if none) and the vault, and say where they are')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Add a secret; its value comes from --from-file, a pipe, or a hidden prompt')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List secrets: names and metadata, never values')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List secrets: names and metadata, never values')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one secret''s metadata (never its value)')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Replace a secret''s value, its description (-d alone asks for no value), or both')
            [CompletionResult]::new('rename', 'rename', [CompletionResultType]::ParameterValue, 'Give a secret a new name, keeping its value, id, times and history')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete secrets permanently')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Delete secrets permanently')
            [CompletionResult]::new('exec', 'exec', [CompletionResultType]::ParameterValue, 'Run a program with the secrets in its environment')
            [CompletionResult]::new('passwd', 'passwd', [CompletionResultType]::ParameterValue, 'Add, change or remove the identity''s passphrase (the new one comes from SECRETS_NEW_PASSPHRASE, or is asked twice)')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check names, descriptions, rotation and use against best practice')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Import secrets from a dotenv file (or a flat JSON object), all or none')
            [CompletionResult]::new('log', 'log', [CompletionResultType]::ParameterValue, 'Show the audit log, newest first: every change and every exec')
            [CompletionResult]::new('rekey', 'rekey', [CompletionResultType]::ParameterValue, 'Replace your key with a new one (the old one kept, retired), or move this vault from a retired key to your current one')
            [CompletionResult]::new('recipients', 'recipients', [CompletionResultType]::ParameterValue, 'List, add or remove the public keys the vault is encrypted to')
            [CompletionResult]::new('vault', 'vault', [CompletionResultType]::ParameterValue, 'Copy a whole vault between a file and PostgreSQL')
            [CompletionResult]::new('mcp', 'mcp', [CompletionResultType]::ParameterValue, 'Serve an AI agent over MCP (stdin/stdout): it lists secrets and runs the programs a policy allows with them, and never sees a value')
            [CompletionResult]::new('requests', 'requests', [CompletionResultType]::ParameterValue, 'Show the secrets agents asked for (MCP request_secret) that do not exist yet')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'secrets;init' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team''s vault [default: <data dir>/secrets/vault.db]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]')
            [CompletionResult]::new('--passphrase', '--passphrase', [CompletionResultType]::ParameterName, 'Protect a new identity with a passphrase (from SECRETS_PASSPHRASE, or asked twice on the terminal); unlocking it then takes about a second')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'secrets;create' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team''s vault [default: <data dir>/secrets/vault.db]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'What the secret is for, shown by `list` (stored unencrypted)')
            [CompletionResult]::new('--description', '--description', [CompletionResultType]::ParameterName, 'What the secret is for, shown by `list` (stored unencrypted)')
            [CompletionResult]::new('--from-file', '--from-file', [CompletionResultType]::ParameterName, 'Read the value from this file, bytes exactly as they are; without it the value is read from a pipe (one trailing newline removed) or asked for twice on the terminal, hidden')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the new secret''s metadata as JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'secrets;list' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team''s vault [default: <data dir>/secrets/vault.db]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]')
            [CompletionResult]::new('--max-age', '--max-age', [CompletionResultType]::ParameterName, 'A secret not updated for more than this many days should be rotated')
            [CompletionResult]::new('--unused-days', '--unused-days', [CompletionResultType]::ParameterName, 'A secret older than this many days and not used by exec within them may be unused')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print a JSON array of secret objects')
            [CompletionResult]::new('--names', '--names', [CompletionResultType]::ParameterName, 'Print only the names, one per line (for scripts and shell completion)')
            [CompletionResult]::new('--stale', '--stale', [CompletionResultType]::ParameterName, 'Only secrets not updated for more than --max-age days')
            [CompletionResult]::new('--unused', '--unused', [CompletionResultType]::ParameterName, 'Only secrets older than --unused-days and not used by exec within them')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'secrets;ls' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team''s vault [default: <data dir>/secrets/vault.db]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]')
            [CompletionResult]::new('--max-age', '--max-age', [CompletionResultType]::ParameterName, 'A secret not updated for more than this many days should be rotated')
            [CompletionResult]::new('--unused-days', '--unused-days', [CompletionResultType]::ParameterName, 'A secret older than this many days and not used by exec within them may be unused')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print a JSON array of secret objects')
            [CompletionResult]::new('--names', '--names', [CompletionResultType]::ParameterName, 'Print only the names, one per line (for scripts and shell completion)')
            [CompletionResult]::new('--stale', '--stale', [CompletionResultType]::ParameterName, 'Only secrets not updated for more than --max-age days')
            [CompletionResult]::new('--unused', '--unused', [CompletionResultType]::ParameterName, 'Only secrets older than --unused-days and not used by exec within them')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'secrets;show' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team''s vault [default: <data dir>/secrets/vault.db]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the secret object as JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'secrets;update' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team''s vault [default: <data dir>/secrets/vault.db]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'What the secret is for, shown by `list` (stored unencrypted)')
            [CompletionResult]::new('--description', '--description', [CompletionResultType]::ParameterName, 'What the secret is for, shown by `list` (stored unencrypted)')
            [CompletionResult]::new('--from-file', '--from-file', [CompletionResultType]::ParameterName, 'Read the value from this file, bytes exactly as they are; without it the value is read from a pipe (one trailing newline removed) or asked for twice on the terminal, hidden')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the secret''s metadata as JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'secrets;rename' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team''s vault [default: <data dir>/secrets/vault.db]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'secrets;delete' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team''s vault [default: <data dir>/secrets/vault.db]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (needed when stdin is not a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (needed when stdin is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'secrets;rm' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team''s vault [default: <data dir>/secrets/vault.db]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (needed when stdin is not a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (needed when stdin is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'secrets;exec' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team''s vault [default: <data dir>/secrets/vault.db]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]')
            [CompletionResult]::new('--only', '--only', [CompletionResultType]::ParameterName, 'Inject only these secrets (comma-separated or repeated; any case)')
            [CompletionResult]::new('--except', '--except', [CompletionResultType]::ParameterName, 'Inject every secret but these (comma-separated or repeated; any case)')
            [CompletionResult]::new('--mask', '--mask', [CompletionResultType]::ParameterName, 'Replace injected values in the program''s output with [MASKED:NAME] (values shorter than 4 bytes are never masked); SECRETS_MASK sets the default, e.g. for a harness that runs commands in a terminal')
            [CompletionResult]::new('--pass-env', '--pass-env', [CompletionResultType]::ParameterName, 'With --clean-env, keep these inherited variables too (comma-separated or repeated)')
            [CompletionResult]::new('--env-prefix', '--env-prefix', [CompletionResultType]::ParameterName, 'Inject each secret as PREFIX followed by its name')
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'Inject secret SECRET as variable VAR (repeatable); without --only or --except, only the secrets named this way are injected')
            [CompletionResult]::new('--gateway', '--gateway', [CompletionResultType]::ParameterName, 'Let the program use secret SECRET at URL without holding it: VAR gets a token for this run and VAR_URL a gateway on 127.0.0.1 that puts the secret in the token''s place (KIND: bearer, the default; header:NAME; basic or basic:USER). Repeatable; see below')
            [CompletionResult]::new('--gateway-ca', '--gateway-ca', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file too, for HTTPS upstreams of --gateway (a private CA)')
            [CompletionResult]::new('--clean-env', '--clean-env', [CompletionResultType]::ParameterName, 'Start the program from an empty environment (plus PATH, HOME, USER, LANG, TERM, TZ and TMPDIR where set) and the secrets')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'secrets;passwd' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team''s vault [default: <data dir>/secrets/vault.db]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]')
            [CompletionResult]::new('--remove', '--remove', [CompletionResultType]::ParameterName, 'Remove the passphrase instead of setting a new one')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'secrets;doctor' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team''s vault [default: <data dir>/secrets/vault.db]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]')
            [CompletionResult]::new('--max-age', '--max-age', [CompletionResultType]::ParameterName, 'A secret not updated for more than this many days should be rotated')
            [CompletionResult]::new('--unused-days', '--unused-days', [CompletionResultType]::ParameterName, 'A secret older than this many days and not used by exec within them may be unused')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print a JSON array of findings: name, rule, message')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Exit 1 when anything is found (for CI)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'secrets;import' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team''s vault [default: <data dir>/secrets/vault.db]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Read a flat JSON object of string values instead of dotenv')
            [CompletionResult]::new('--overwrite', '--overwrite', [CompletionResultType]::ParameterName, 'Replace the values of names that exist already')
            [CompletionResult]::new('--skip-existing', '--skip-existing', [CompletionResultType]::ParameterName, 'Leave names that exist already as they are')
            [CompletionResult]::new('--skip-empty', '--skip-empty', [CompletionResultType]::ParameterName, 'Leave out entries whose value is empty (named on stderr) instead of refusing the whole file')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print what would be created, updated and skipped; change nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'secrets;log' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team''s vault [default: <data dir>/secrets/vault.db]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Only events that involve this secret (any case)')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'At most this many events')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print a JSON array of events')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'secrets;rekey' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team''s vault [default: <data dir>/secrets/vault.db]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]')
            [CompletionResult]::new('--drop-retired', '--drop-retired', [CompletionResultType]::ParameterName, 'Instead, remove the retired keys from your identity for good (refused while this vault or the default one still uses one)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'secrets;recipients' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team''s vault [default: <data dir>/secrets/vault.db]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Print the public keys the vault is encrypted to, one per line, each followed by its comment (ssh keys) and (yours) for your identity''s')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Let another key open the vault (a teammate, a Devbox)')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Revoke keys: the vault gets a new data key they never saw')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check with your identity that the recipients and data key are as a member left them, and remember them on this machine')
            [CompletionResult]::new('accept', 'accept', [CompletionResultType]::ParameterValue, 'Trust the recipients and data key as they are now, after checking a change this machine refused with your team')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'secrets;recipients;list' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team''s vault [default: <data dir>/secrets/vault.db]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'secrets;recipients;add' {
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Read the public keys from this file, one per line (# comments allowed)')
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team''s vault [default: <data dir>/secrets/vault.db]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'secrets;recipients;remove' {
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Read the public keys from this file, one per line (# comments allowed)')
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team''s vault [default: <data dir>/secrets/vault.db]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'secrets;recipients;verify' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team''s vault [default: <data dir>/secrets/vault.db]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'secrets;recipients;accept' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team''s vault [default: <data dir>/secrets/vault.db]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'secrets;recipients;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Print the public keys the vault is encrypted to, one per line, each followed by its comment (ssh keys) and (yours) for your identity''s')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Let another key open the vault (a teammate, a Devbox)')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Revoke keys: the vault gets a new data key they never saw')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check with your identity that the recipients and data key are as a member left them, and remember them on this machine')
            [CompletionResult]::new('accept', 'accept', [CompletionResultType]::ParameterValue, 'Trust the recipients and data key as they are now, after checking a change this machine refused with your team')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'secrets;recipients;help;list' {
            break
        }
        'secrets;recipients;help;add' {
            break
        }
        'secrets;recipients;help;remove' {
            break
        }
        'secrets;recipients;help;verify' {
            break
        }
        'secrets;recipients;help;accept' {
            break
        }
        'secrets;recipients;help;help' {
            break
        }
        'secrets;vault' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team''s vault [default: <data dir>/secrets/vault.db]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('copy', 'copy', [CompletionResultType]::ParameterValue, 'Copy a vault, as stored, to a new file or PostgreSQL schema (no identity needed; all or nothing)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'secrets;vault;copy' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team''s vault [default: <data dir>/secrets/vault.db]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'secrets;vault;help' {
            [CompletionResult]::new('copy', 'copy', [CompletionResultType]::ParameterValue, 'Copy a vault, as stored, to a new file or PostgreSQL schema (no identity needed; all or nothing)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'secrets;vault;help;copy' {
            break
        }
        'secrets;vault;help;help' {
            break
        }
        'secrets;mcp' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team''s vault [default: <data dir>/secrets/vault.db]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy file [default: mcp-policy.json in the identity''s directory, e.g. <config dir>/secrets/mcp-policy.json]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'secrets;requests' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team''s vault [default: <data dir>/secrets/vault.db]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print a JSON array of requests')
            [CompletionResult]::new('--clear', '--clear', [CompletionResultType]::ParameterName, 'Forget this vault''s waiting requests')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'secrets;completions' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team''s vault [default: <data dir>/secrets/vault.db]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'secrets;help' {
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Create the identity (if none) and the vault, and say where they are')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Add a secret; its value comes from --from-file, a pipe, or a hidden prompt')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List secrets: names and metadata, never values')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one secret''s metadata (never its value)')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Replace a secret''s value, its description (-d alone asks for no value), or both')
            [CompletionResult]::new('rename', 'rename', [CompletionResultType]::ParameterValue, 'Give a secret a new name, keeping its value, id, times and history')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete secrets permanently')
            [CompletionResult]::new('exec', 'exec', [CompletionResultType]::ParameterValue, 'Run a program with the secrets in its environment')
            [CompletionResult]::new('passwd', 'passwd', [CompletionResultType]::ParameterValue, 'Add, change or remove the identity''s passphrase (the new one comes from SECRETS_NEW_PASSPHRASE, or is asked twice)')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check names, descriptions, rotation and use against best practice')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Import secrets from a dotenv file (or a flat JSON object), all or none')
            [CompletionResult]::new('log', 'log', [CompletionResultType]::ParameterValue, 'Show the audit log, newest first: every change and every exec')
            [CompletionResult]::new('rekey', 'rekey', [CompletionResultType]::ParameterValue, 'Replace your key with a new one (the old one kept, retired), or move this vault from a retired key to your current one')
            [CompletionResult]::new('recipients', 'recipients', [CompletionResultType]::ParameterValue, 'List, add or remove the public keys the vault is encrypted to')
            [CompletionResult]::new('vault', 'vault', [CompletionResultType]::ParameterValue, 'Copy a whole vault between a file and PostgreSQL')
            [CompletionResult]::new('mcp', 'mcp', [CompletionResultType]::ParameterValue, 'Serve an AI agent over MCP (stdin/stdout): it lists secrets and runs the programs a policy allows with them, and never sees a value')
            [CompletionResult]::new('requests', 'requests', [CompletionResultType]::ParameterValue, 'Show the secrets agents asked for (MCP request_secret) that do not exist yet')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'secrets;help;init' {
            break
        }
        'secrets;help;create' {
            break
        }
        'secrets;help;list' {
            break
        }
        'secrets;help;show' {
            break
        }
        'secrets;help;update' {
            break
        }
        'secrets;help;rename' {
            break
        }
        'secrets;help;delete' {
            break
        }
        'secrets;help;exec' {
            break
        }
        'secrets;help;passwd' {
            break
        }
        'secrets;help;doctor' {
            break
        }
        'secrets;help;import' {
            break
        }
        'secrets;help;log' {
            break
        }
        'secrets;help;rekey' {
            break
        }
        'secrets;help;recipients' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Print the public keys the vault is encrypted to, one per line, each followed by its comment (ssh keys) and (yours) for your identity''s')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Let another key open the vault (a teammate, a Devbox)')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Revoke keys: the vault gets a new data key they never saw')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check with your identity that the recipients and data key are as a member left them, and remember them on this machine')
            [CompletionResult]::new('accept', 'accept', [CompletionResultType]::ParameterValue, 'Trust the recipients and data key as they are now, after checking a change this machine refused with your team')
            break
        }
        'secrets;help;recipients;list' {
            break
        }
        'secrets;help;recipients;add' {
            break
        }
        'secrets;help;recipients;remove' {
            break
        }
        'secrets;help;recipients;verify' {
            break
        }
        'secrets;help;recipients;accept' {
            break
        }
        'secrets;help;vault' {
            [CompletionResult]::new('copy', 'copy', [CompletionResultType]::ParameterValue, 'Copy a vault, as stored, to a new file or PostgreSQL schema (no identity needed; all or nothing)')
            break
        }
        'secrets;help;vault;copy' {
            break
        }
        'secrets;help;mcp' {
            break
        }
        'secrets;help;requests' {
            break
        }
        'secrets;help;completions' {
            break
        }
        'secrets;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
