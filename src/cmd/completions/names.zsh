
# Secret names for `show`, `update`, `delete`, `rename`, `--only` and
# `--except`, from `secrets list --names` (which never reads the identity),
# in the vault given on the command line, if any.
_secrets_names() {
    local i word sub="" prev=${words[CURRENT-1]}
    local -a vault names
    for ((i = 2; i < CURRENT; i++)); do
        word=${words[i]}
        case $word in
            --vault) vault=(--vault ${words[i+1]}); ((i++)) ;;
            --vault=*) vault=($word) ;;
            --identity|--description|-d|--from-file|--only|--except) ((i++)) ;;
            -*) ;;
            *) [[ -z $sub ]] && sub=$word ;;
        esac
    done
    case $prev in
        --only|--except) compset -P '*,' ;;
        --vault|--identity|--description|-d|--from-file) return 1 ;;
        *)
            [[ $sub == (show|update|delete|rename) && ${words[CURRENT]} != -* ]] || return 1
            ;;
    esac
    names=(${(f)"$(secrets $vault list --names 2>/dev/null)"})
    (( ${#names} )) || return 1
    compadd -a names
}

_secrets() {
    _secrets_names || _secrets_clap "$@"
}
