# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_secrets_global_optspecs
    string join \n vault= identity= h/help V/version
end

function __fish_secrets_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_secrets_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_secrets_using_subcommand
    set -l cmd (__fish_secrets_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c secrets -n "__fish_secrets_needs_command" -l vault -d 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team\'s vault [default: <data dir>/secrets/vault.db]' -r -F
complete -c secrets -n "__fish_secrets_needs_command" -l identity -d 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]' -r -F
complete -c secrets -n "__fish_secrets_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c secrets -n "__fish_secrets_needs_command" -s V -l version -d 'Print version'
complete -c secrets -n "__fish_secrets_needs_command" -f -a "init" -d 'Create the identity (if none) and the vault, and say where they are'
complete -c secrets -n "__fish_secrets_needs_command" -f -a "create" -d 'Add a secret; its value comes from --from-file, a pipe, or a hidden prompt'
complete -c secrets -n "__fish_secrets_needs_command" -f -a "list" -d 'List secrets: names and metadata, never values'
complete -c secrets -n "__fish_secrets_needs_command" -f -a "ls" -d 'List secrets: names and metadata, never values'
complete -c secrets -n "__fish_secrets_needs_command" -f -a "show" -d 'Show one secret\'s metadata (never its value)'
complete -c secrets -n "__fish_secrets_needs_command" -f -a "update" -d 'Replace a secret\'s value, its description (-d alone asks for no value), or both'
complete -c secrets -n "__fish_secrets_needs_command" -f -a "rename" -d 'Give a secret a new name, keeping its value, id, times and history'
complete -c secrets -n "__fish_secrets_needs_command" -f -a "delete" -d 'Delete secrets permanently'
complete -c secrets -n "__fish_secrets_needs_command" -f -a "rm" -d 'Delete secrets permanently'
complete -c secrets -n "__fish_secrets_needs_command" -f -a "exec" -d 'Run a program with the secrets in its environment'
complete -c secrets -n "__fish_secrets_needs_command" -f -a "passwd" -d 'Add, change or remove the identity\'s passphrase (the new one comes from SECRETS_NEW_PASSPHRASE, or is asked twice)'
complete -c secrets -n "__fish_secrets_needs_command" -f -a "doctor" -d 'Check names, descriptions, rotation and use against best practice'
complete -c secrets -n "__fish_secrets_needs_command" -f -a "import" -d 'Import secrets from a dotenv file (or a flat JSON object), all or none'
complete -c secrets -n "__fish_secrets_needs_command" -f -a "log" -d 'Show the audit log, newest first: every change and every exec'
complete -c secrets -n "__fish_secrets_needs_command" -f -a "rekey" -d 'Replace your key with a new one (the old one kept, retired), or move this vault from a retired key to your current one'
complete -c secrets -n "__fish_secrets_needs_command" -f -a "recipients" -d 'List, add or remove the public keys the vault is encrypted to'
complete -c secrets -n "__fish_secrets_needs_command" -f -a "vault" -d 'Copy a whole vault between a file and PostgreSQL'
complete -c secrets -n "__fish_secrets_needs_command" -f -a "mcp" -d 'Serve an AI agent over MCP (stdin/stdout): it lists secrets and runs the programs a policy allows with them, and never sees a value'
complete -c secrets -n "__fish_secrets_needs_command" -f -a "requests" -d 'Show the secrets agents asked for (MCP request_secret) that do not exist yet'
complete -c secrets -n "__fish_secrets_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c secrets -n "__fish_secrets_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c secrets -n "__fish_secrets_using_subcommand init" -l vault -d 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team\'s vault [default: <data dir>/secrets/vault.db]' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand init" -l identity -d 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand init" -l passphrase -d 'Protect a new identity with a passphrase (from SECRETS_PASSPHRASE, or asked twice on the terminal); unlocking it then takes about a second'
complete -c secrets -n "__fish_secrets_using_subcommand init" -s h -l help -d 'Print help'
complete -c secrets -n "__fish_secrets_using_subcommand create" -l vault -d 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team\'s vault [default: <data dir>/secrets/vault.db]' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand create" -l identity -d 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand create" -s d -l description -d 'What the secret is for, shown by `list` (stored unencrypted)' -r
complete -c secrets -n "__fish_secrets_using_subcommand create" -l from-file -d 'Read the value from this file, bytes exactly as they are; without it the value is read from a pipe (one trailing newline removed) or asked for twice on the terminal, hidden' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand create" -l json -d 'Print the new secret\'s metadata as JSON'
complete -c secrets -n "__fish_secrets_using_subcommand create" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c secrets -n "__fish_secrets_using_subcommand list" -l vault -d 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team\'s vault [default: <data dir>/secrets/vault.db]' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand list" -l identity -d 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand list" -l max-age -d 'A secret not updated for more than this many days should be rotated' -r
complete -c secrets -n "__fish_secrets_using_subcommand list" -l unused-days -d 'A secret older than this many days and not used by exec within them may be unused' -r
complete -c secrets -n "__fish_secrets_using_subcommand list" -l json -d 'Print a JSON array of secret objects'
complete -c secrets -n "__fish_secrets_using_subcommand list" -l names -d 'Print only the names, one per line (for scripts and shell completion)'
complete -c secrets -n "__fish_secrets_using_subcommand list" -l stale -d 'Only secrets not updated for more than --max-age days'
complete -c secrets -n "__fish_secrets_using_subcommand list" -l unused -d 'Only secrets older than --unused-days and not used by exec within them'
complete -c secrets -n "__fish_secrets_using_subcommand list" -s h -l help -d 'Print help'
complete -c secrets -n "__fish_secrets_using_subcommand ls" -l vault -d 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team\'s vault [default: <data dir>/secrets/vault.db]' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand ls" -l identity -d 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand ls" -l max-age -d 'A secret not updated for more than this many days should be rotated' -r
complete -c secrets -n "__fish_secrets_using_subcommand ls" -l unused-days -d 'A secret older than this many days and not used by exec within them may be unused' -r
complete -c secrets -n "__fish_secrets_using_subcommand ls" -l json -d 'Print a JSON array of secret objects'
complete -c secrets -n "__fish_secrets_using_subcommand ls" -l names -d 'Print only the names, one per line (for scripts and shell completion)'
complete -c secrets -n "__fish_secrets_using_subcommand ls" -l stale -d 'Only secrets not updated for more than --max-age days'
complete -c secrets -n "__fish_secrets_using_subcommand ls" -l unused -d 'Only secrets older than --unused-days and not used by exec within them'
complete -c secrets -n "__fish_secrets_using_subcommand ls" -s h -l help -d 'Print help'
complete -c secrets -n "__fish_secrets_using_subcommand show" -l vault -d 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team\'s vault [default: <data dir>/secrets/vault.db]' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand show" -l identity -d 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand show" -l json -d 'Print the secret object as JSON'
complete -c secrets -n "__fish_secrets_using_subcommand show" -s h -l help -d 'Print help'
complete -c secrets -n "__fish_secrets_using_subcommand update" -l vault -d 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team\'s vault [default: <data dir>/secrets/vault.db]' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand update" -l identity -d 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand update" -s d -l description -d 'What the secret is for, shown by `list` (stored unencrypted)' -r
complete -c secrets -n "__fish_secrets_using_subcommand update" -l from-file -d 'Read the value from this file, bytes exactly as they are; without it the value is read from a pipe (one trailing newline removed) or asked for twice on the terminal, hidden' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand update" -l json -d 'Print the secret\'s metadata as JSON'
complete -c secrets -n "__fish_secrets_using_subcommand update" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c secrets -n "__fish_secrets_using_subcommand rename" -l vault -d 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team\'s vault [default: <data dir>/secrets/vault.db]' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand rename" -l identity -d 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand rename" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c secrets -n "__fish_secrets_using_subcommand delete" -l vault -d 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team\'s vault [default: <data dir>/secrets/vault.db]' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand delete" -l identity -d 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand delete" -s y -l yes -d 'Do not ask for confirmation (needed when stdin is not a terminal)'
complete -c secrets -n "__fish_secrets_using_subcommand delete" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c secrets -n "__fish_secrets_using_subcommand rm" -l vault -d 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team\'s vault [default: <data dir>/secrets/vault.db]' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand rm" -l identity -d 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand rm" -s y -l yes -d 'Do not ask for confirmation (needed when stdin is not a terminal)'
complete -c secrets -n "__fish_secrets_using_subcommand rm" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c secrets -n "__fish_secrets_using_subcommand exec" -l vault -d 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team\'s vault [default: <data dir>/secrets/vault.db]' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand exec" -l identity -d 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand exec" -l only -d 'Inject only these secrets (comma-separated or repeated; any case)' -r
complete -c secrets -n "__fish_secrets_using_subcommand exec" -l except -d 'Inject every secret but these (comma-separated or repeated; any case)' -r
complete -c secrets -n "__fish_secrets_using_subcommand exec" -l mask -d 'Replace injected values in the program\'s output with [MASKED:NAME] (values shorter than 4 bytes are never masked); SECRETS_MASK sets the default, e.g. for a harness that runs commands in a terminal' -r -f -a "auto\t'Mask stdout and stderr each when it is a pipe or a file (what agents and log collectors read); a terminal or /dev/null gets the program\'s output untouched'
always\t'Mask both streams'
never\t'Never mask: the program replaces secrets\' process (unless a --gateway needs secrets to stay and serve it)'"
complete -c secrets -n "__fish_secrets_using_subcommand exec" -l pass-env -d 'With --clean-env, keep these inherited variables too (comma-separated or repeated)' -r
complete -c secrets -n "__fish_secrets_using_subcommand exec" -l env-prefix -d 'Inject each secret as PREFIX followed by its name' -r
complete -c secrets -n "__fish_secrets_using_subcommand exec" -l env -d 'Inject secret SECRET as variable VAR (repeatable); without --only or --except, only the secrets named this way are injected' -r
complete -c secrets -n "__fish_secrets_using_subcommand exec" -l gateway -d 'Let the program use secret SECRET at URL without holding it: VAR gets a token for this run and VAR_URL a gateway on 127.0.0.1 that puts the secret in the token\'s place (KIND: bearer, the default; header:NAME; basic or basic:USER). Repeatable; see below' -r
complete -c secrets -n "__fish_secrets_using_subcommand exec" -l gateway-ca -d 'Trust the CA certificates in this PEM file too, for HTTPS upstreams of --gateway (a private CA)' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand exec" -l clean-env -d 'Start the program from an empty environment (plus PATH, HOME, USER, LANG, TERM, TZ and TMPDIR where set) and the secrets'
complete -c secrets -n "__fish_secrets_using_subcommand exec" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c secrets -n "__fish_secrets_using_subcommand passwd" -l vault -d 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team\'s vault [default: <data dir>/secrets/vault.db]' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand passwd" -l identity -d 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand passwd" -l remove -d 'Remove the passphrase instead of setting a new one'
complete -c secrets -n "__fish_secrets_using_subcommand passwd" -s h -l help -d 'Print help'
complete -c secrets -n "__fish_secrets_using_subcommand doctor" -l vault -d 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team\'s vault [default: <data dir>/secrets/vault.db]' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand doctor" -l identity -d 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand doctor" -l max-age -d 'A secret not updated for more than this many days should be rotated' -r
complete -c secrets -n "__fish_secrets_using_subcommand doctor" -l unused-days -d 'A secret older than this many days and not used by exec within them may be unused' -r
complete -c secrets -n "__fish_secrets_using_subcommand doctor" -l json -d 'Print a JSON array of findings: name, rule, message'
complete -c secrets -n "__fish_secrets_using_subcommand doctor" -l strict -d 'Exit 1 when anything is found (for CI)'
complete -c secrets -n "__fish_secrets_using_subcommand doctor" -s h -l help -d 'Print help'
complete -c secrets -n "__fish_secrets_using_subcommand import" -l vault -d 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team\'s vault [default: <data dir>/secrets/vault.db]' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand import" -l identity -d 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand import" -l json -d 'Read a flat JSON object of string values instead of dotenv'
complete -c secrets -n "__fish_secrets_using_subcommand import" -l overwrite -d 'Replace the values of names that exist already'
complete -c secrets -n "__fish_secrets_using_subcommand import" -l skip-existing -d 'Leave names that exist already as they are'
complete -c secrets -n "__fish_secrets_using_subcommand import" -l skip-empty -d 'Leave out entries whose value is empty (named on stderr) instead of refusing the whole file'
complete -c secrets -n "__fish_secrets_using_subcommand import" -l dry-run -d 'Print what would be created, updated and skipped; change nothing'
complete -c secrets -n "__fish_secrets_using_subcommand import" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c secrets -n "__fish_secrets_using_subcommand log" -l vault -d 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team\'s vault [default: <data dir>/secrets/vault.db]' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand log" -l identity -d 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand log" -l name -d 'Only events that involve this secret (any case)' -r
complete -c secrets -n "__fish_secrets_using_subcommand log" -l limit -d 'At most this many events' -r
complete -c secrets -n "__fish_secrets_using_subcommand log" -l json -d 'Print a JSON array of events'
complete -c secrets -n "__fish_secrets_using_subcommand log" -s h -l help -d 'Print help'
complete -c secrets -n "__fish_secrets_using_subcommand rekey" -l vault -d 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team\'s vault [default: <data dir>/secrets/vault.db]' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand rekey" -l identity -d 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand rekey" -l drop-retired -d 'Instead, remove the retired keys from your identity for good (refused while this vault or the default one still uses one)'
complete -c secrets -n "__fish_secrets_using_subcommand rekey" -s h -l help -d 'Print help'
complete -c secrets -n "__fish_secrets_using_subcommand recipients; and not __fish_seen_subcommand_from list add remove verify accept help" -l vault -d 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team\'s vault [default: <data dir>/secrets/vault.db]' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand recipients; and not __fish_seen_subcommand_from list add remove verify accept help" -l identity -d 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand recipients; and not __fish_seen_subcommand_from list add remove verify accept help" -s h -l help -d 'Print help'
complete -c secrets -n "__fish_secrets_using_subcommand recipients; and not __fish_seen_subcommand_from list add remove verify accept help" -f -a "list" -d 'Print the public keys the vault is encrypted to, one per line, each followed by its comment (ssh keys) and (yours) for your identity\'s'
complete -c secrets -n "__fish_secrets_using_subcommand recipients; and not __fish_seen_subcommand_from list add remove verify accept help" -f -a "add" -d 'Let another key open the vault (a teammate, a Devbox)'
complete -c secrets -n "__fish_secrets_using_subcommand recipients; and not __fish_seen_subcommand_from list add remove verify accept help" -f -a "remove" -d 'Revoke keys: the vault gets a new data key they never saw'
complete -c secrets -n "__fish_secrets_using_subcommand recipients; and not __fish_seen_subcommand_from list add remove verify accept help" -f -a "verify" -d 'Check with your identity that the recipients and data key are as a member left them, and remember them on this machine'
complete -c secrets -n "__fish_secrets_using_subcommand recipients; and not __fish_seen_subcommand_from list add remove verify accept help" -f -a "accept" -d 'Trust the recipients and data key as they are now, after checking a change this machine refused with your team'
complete -c secrets -n "__fish_secrets_using_subcommand recipients; and not __fish_seen_subcommand_from list add remove verify accept help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c secrets -n "__fish_secrets_using_subcommand recipients; and __fish_seen_subcommand_from list" -l vault -d 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team\'s vault [default: <data dir>/secrets/vault.db]' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand recipients; and __fish_seen_subcommand_from list" -l identity -d 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand recipients; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c secrets -n "__fish_secrets_using_subcommand recipients; and __fish_seen_subcommand_from add" -l file -d 'Read the public keys from this file, one per line (# comments allowed)' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand recipients; and __fish_seen_subcommand_from add" -l vault -d 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team\'s vault [default: <data dir>/secrets/vault.db]' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand recipients; and __fish_seen_subcommand_from add" -l identity -d 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand recipients; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c secrets -n "__fish_secrets_using_subcommand recipients; and __fish_seen_subcommand_from remove" -l file -d 'Read the public keys from this file, one per line (# comments allowed)' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand recipients; and __fish_seen_subcommand_from remove" -l vault -d 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team\'s vault [default: <data dir>/secrets/vault.db]' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand recipients; and __fish_seen_subcommand_from remove" -l identity -d 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand recipients; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c secrets -n "__fish_secrets_using_subcommand recipients; and __fish_seen_subcommand_from verify" -l vault -d 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team\'s vault [default: <data dir>/secrets/vault.db]' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand recipients; and __fish_seen_subcommand_from verify" -l identity -d 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand recipients; and __fish_seen_subcommand_from verify" -s h -l help -d 'Print help'
complete -c secrets -n "__fish_secrets_using_subcommand recipients; and __fish_seen_subcommand_from accept" -l vault -d 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team\'s vault [default: <data dir>/secrets/vault.db]' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand recipients; and __fish_seen_subcommand_from accept" -l identity -d 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand recipients; and __fish_seen_subcommand_from accept" -s h -l help -d 'Print help'
complete -c secrets -n "__fish_secrets_using_subcommand recipients; and __fish_seen_subcommand_from help" -f -a "list" -d 'Print the public keys the vault is encrypted to, one per line, each followed by its comment (ssh keys) and (yours) for your identity\'s'
complete -c secrets -n "__fish_secrets_using_subcommand recipients; and __fish_seen_subcommand_from help" -f -a "add" -d 'Let another key open the vault (a teammate, a Devbox)'
complete -c secrets -n "__fish_secrets_using_subcommand recipients; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Revoke keys: the vault gets a new data key they never saw'
complete -c secrets -n "__fish_secrets_using_subcommand recipients; and __fish_seen_subcommand_from help" -f -a "verify" -d 'Check with your identity that the recipients and data key are as a member left them, and remember them on this machine'
complete -c secrets -n "__fish_secrets_using_subcommand recipients; and __fish_seen_subcommand_from help" -f -a "accept" -d 'Trust the recipients and data key as they are now, after checking a change this machine refused with your team'
complete -c secrets -n "__fish_secrets_using_subcommand recipients; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c secrets -n "__fish_secrets_using_subcommand vault; and not __fish_seen_subcommand_from copy help" -l vault -d 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team\'s vault [default: <data dir>/secrets/vault.db]' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand vault; and not __fish_seen_subcommand_from copy help" -l identity -d 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand vault; and not __fish_seen_subcommand_from copy help" -s h -l help -d 'Print help'
complete -c secrets -n "__fish_secrets_using_subcommand vault; and not __fish_seen_subcommand_from copy help" -f -a "copy" -d 'Copy a vault, as stored, to a new file or PostgreSQL schema (no identity needed; all or nothing)'
complete -c secrets -n "__fish_secrets_using_subcommand vault; and not __fish_seen_subcommand_from copy help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c secrets -n "__fish_secrets_using_subcommand vault; and __fish_seen_subcommand_from copy" -l vault -d 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team\'s vault [default: <data dir>/secrets/vault.db]' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand vault; and __fish_seen_subcommand_from copy" -l identity -d 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand vault; and __fish_seen_subcommand_from copy" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c secrets -n "__fish_secrets_using_subcommand vault; and __fish_seen_subcommand_from help" -f -a "copy" -d 'Copy a vault, as stored, to a new file or PostgreSQL schema (no identity needed; all or nothing)'
complete -c secrets -n "__fish_secrets_using_subcommand vault; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c secrets -n "__fish_secrets_using_subcommand mcp" -l vault -d 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team\'s vault [default: <data dir>/secrets/vault.db]' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand mcp" -l identity -d 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand mcp" -l policy -d 'The policy file [default: mcp-policy.json in the identity\'s directory, e.g. <config dir>/secrets/mcp-policy.json]' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand mcp" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c secrets -n "__fish_secrets_using_subcommand requests" -l vault -d 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team\'s vault [default: <data dir>/secrets/vault.db]' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand requests" -l identity -d 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand requests" -l json -d 'Print a JSON array of requests'
complete -c secrets -n "__fish_secrets_using_subcommand requests" -l clear -d 'Forget this vault\'s waiting requests'
complete -c secrets -n "__fish_secrets_using_subcommand requests" -s h -l help -d 'Print help'
complete -c secrets -n "__fish_secrets_using_subcommand completions" -l vault -d 'The vault: a file, or a PostgreSQL URL (postgres://...?schema=NAME) for a team\'s vault [default: <data dir>/secrets/vault.db]' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand completions" -l identity -d 'Your age identity file (your key), made by `init`; only commands that decrypt read it [default: <config dir>/secrets/identity.txt]' -r -F
complete -c secrets -n "__fish_secrets_using_subcommand completions" -s h -l help -d 'Print help'
complete -c secrets -n "__fish_secrets_using_subcommand help; and not __fish_seen_subcommand_from init create list show update rename delete exec passwd doctor import log rekey recipients vault mcp requests completions help" -f -a "init" -d 'Create the identity (if none) and the vault, and say where they are'
complete -c secrets -n "__fish_secrets_using_subcommand help; and not __fish_seen_subcommand_from init create list show update rename delete exec passwd doctor import log rekey recipients vault mcp requests completions help" -f -a "create" -d 'Add a secret; its value comes from --from-file, a pipe, or a hidden prompt'
complete -c secrets -n "__fish_secrets_using_subcommand help; and not __fish_seen_subcommand_from init create list show update rename delete exec passwd doctor import log rekey recipients vault mcp requests completions help" -f -a "list" -d 'List secrets: names and metadata, never values'
complete -c secrets -n "__fish_secrets_using_subcommand help; and not __fish_seen_subcommand_from init create list show update rename delete exec passwd doctor import log rekey recipients vault mcp requests completions help" -f -a "show" -d 'Show one secret\'s metadata (never its value)'
complete -c secrets -n "__fish_secrets_using_subcommand help; and not __fish_seen_subcommand_from init create list show update rename delete exec passwd doctor import log rekey recipients vault mcp requests completions help" -f -a "update" -d 'Replace a secret\'s value, its description (-d alone asks for no value), or both'
complete -c secrets -n "__fish_secrets_using_subcommand help; and not __fish_seen_subcommand_from init create list show update rename delete exec passwd doctor import log rekey recipients vault mcp requests completions help" -f -a "rename" -d 'Give a secret a new name, keeping its value, id, times and history'
complete -c secrets -n "__fish_secrets_using_subcommand help; and not __fish_seen_subcommand_from init create list show update rename delete exec passwd doctor import log rekey recipients vault mcp requests completions help" -f -a "delete" -d 'Delete secrets permanently'
complete -c secrets -n "__fish_secrets_using_subcommand help; and not __fish_seen_subcommand_from init create list show update rename delete exec passwd doctor import log rekey recipients vault mcp requests completions help" -f -a "exec" -d 'Run a program with the secrets in its environment'
complete -c secrets -n "__fish_secrets_using_subcommand help; and not __fish_seen_subcommand_from init create list show update rename delete exec passwd doctor import log rekey recipients vault mcp requests completions help" -f -a "passwd" -d 'Add, change or remove the identity\'s passphrase (the new one comes from SECRETS_NEW_PASSPHRASE, or is asked twice)'
complete -c secrets -n "__fish_secrets_using_subcommand help; and not __fish_seen_subcommand_from init create list show update rename delete exec passwd doctor import log rekey recipients vault mcp requests completions help" -f -a "doctor" -d 'Check names, descriptions, rotation and use against best practice'
complete -c secrets -n "__fish_secrets_using_subcommand help; and not __fish_seen_subcommand_from init create list show update rename delete exec passwd doctor import log rekey recipients vault mcp requests completions help" -f -a "import" -d 'Import secrets from a dotenv file (or a flat JSON object), all or none'
complete -c secrets -n "__fish_secrets_using_subcommand help; and not __fish_seen_subcommand_from init create list show update rename delete exec passwd doctor import log rekey recipients vault mcp requests completions help" -f -a "log" -d 'Show the audit log, newest first: every change and every exec'
complete -c secrets -n "__fish_secrets_using_subcommand help; and not __fish_seen_subcommand_from init create list show update rename delete exec passwd doctor import log rekey recipients vault mcp requests completions help" -f -a "rekey" -d 'Replace your key with a new one (the old one kept, retired), or move this vault from a retired key to your current one'
complete -c secrets -n "__fish_secrets_using_subcommand help; and not __fish_seen_subcommand_from init create list show update rename delete exec passwd doctor import log rekey recipients vault mcp requests completions help" -f -a "recipients" -d 'List, add or remove the public keys the vault is encrypted to'
complete -c secrets -n "__fish_secrets_using_subcommand help; and not __fish_seen_subcommand_from init create list show update rename delete exec passwd doctor import log rekey recipients vault mcp requests completions help" -f -a "vault" -d 'Copy a whole vault between a file and PostgreSQL'
complete -c secrets -n "__fish_secrets_using_subcommand help; and not __fish_seen_subcommand_from init create list show update rename delete exec passwd doctor import log rekey recipients vault mcp requests completions help" -f -a "mcp" -d 'Serve an AI agent over MCP (stdin/stdout): it lists secrets and runs the programs a policy allows with them, and never sees a value'
complete -c secrets -n "__fish_secrets_using_subcommand help; and not __fish_seen_subcommand_from init create list show update rename delete exec passwd doctor import log rekey recipients vault mcp requests completions help" -f -a "requests" -d 'Show the secrets agents asked for (MCP request_secret) that do not exist yet'
complete -c secrets -n "__fish_secrets_using_subcommand help; and not __fish_seen_subcommand_from init create list show update rename delete exec passwd doctor import log rekey recipients vault mcp requests completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c secrets -n "__fish_secrets_using_subcommand help; and not __fish_seen_subcommand_from init create list show update rename delete exec passwd doctor import log rekey recipients vault mcp requests completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c secrets -n "__fish_secrets_using_subcommand help; and __fish_seen_subcommand_from recipients" -f -a "list" -d 'Print the public keys the vault is encrypted to, one per line, each followed by its comment (ssh keys) and (yours) for your identity\'s'
complete -c secrets -n "__fish_secrets_using_subcommand help; and __fish_seen_subcommand_from recipients" -f -a "add" -d 'Let another key open the vault (a teammate, a Devbox)'
complete -c secrets -n "__fish_secrets_using_subcommand help; and __fish_seen_subcommand_from recipients" -f -a "remove" -d 'Revoke keys: the vault gets a new data key they never saw'
complete -c secrets -n "__fish_secrets_using_subcommand help; and __fish_seen_subcommand_from recipients" -f -a "verify" -d 'Check with your identity that the recipients and data key are as a member left them, and remember them on this machine'
complete -c secrets -n "__fish_secrets_using_subcommand help; and __fish_seen_subcommand_from recipients" -f -a "accept" -d 'Trust the recipients and data key as they are now, after checking a change this machine refused with your team'
complete -c secrets -n "__fish_secrets_using_subcommand help; and __fish_seen_subcommand_from vault" -f -a "copy" -d 'Copy a vault, as stored, to a new file or PostgreSQL schema (no identity needed; all or nothing)'

# Secret names for `show`, `update`, `delete`, `rename`, `--only` and
# `--except`, from `secrets list --names` (which never reads the identity),
# in the vault given on the command line, if any.
function __secrets_names
    set -l tokens (commandline -opc)
    set -l vault
    for i in (seq 2 (count $tokens))
        switch $tokens[$i]
            case --vault
                if test $i -lt (count $tokens)
                    set vault --vault $tokens[(math $i + 1)]
                end
            case '--vault=*'
                set vault $tokens[$i]
        end
    end
    secrets $vault list --names 2>/dev/null
end
complete -c secrets -n "__fish_seen_subcommand_from show update delete rename" -f -a "(__secrets_names)"
complete -c secrets -n "__fish_seen_subcommand_from exec" -l only -x -a "(__secrets_names)"
complete -c secrets -n "__fish_seen_subcommand_from exec" -l except -x -a "(__secrets_names)"
