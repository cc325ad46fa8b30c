
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
