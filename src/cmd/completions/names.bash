
# Secret names for `show`, `update`, `delete`, `rename`, `--only` and
# `--except`, from `secrets list --names` (which never reads the identity),
# in the vault given on the command line, if any.
_secrets_names() {
    local i word sub="" vault=()
    for ((i = 1; i < COMP_CWORD; i++)); do
        word="${COMP_WORDS[i]}"
        case "$word" in
            --vault) vault=(--vault "${COMP_WORDS[i+1]}"); ((i++)) ;;
            --vault=*) vault=("$word") ;;
            --identity|--description|-d|--from-file|--only|--except) ((i++)) ;;
            -*) ;;
            *) [[ -z "$sub" ]] && sub="$word" ;;
        esac
    done
    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}"
    case "$prev" in
        --only|--except) ;;
        --vault|--identity|--description|-d|--from-file) return 1 ;;
        *)
            case "$sub" in
                show|update|delete|rename) [[ "$cur" != -* ]] || return 1 ;;
                *) return 1 ;;
            esac
            ;;
    esac
    local names
    names="$(secrets "${vault[@]}" list --names 2>/dev/null)" || return 1
    local IFS=$'\n'
    if [[ "$cur" == *,* && ( "$prev" == --only || "$prev" == --except ) ]]; then
        COMPREPLY=($(compgen -P "${cur%,*}," -W "$names" -- "${cur##*,}"))
    else
        COMPREPLY=($(compgen -W "$names" -- "$cur"))
    fi
}

_secrets_with_names() {
    _secrets_names || _secrets "$@"
}

if [[ "${BASH_VERSINFO[0]}" -eq 4 && "${BASH_VERSINFO[1]}" -ge 4 || "${BASH_VERSINFO[0]}" -gt 4 ]]; then
    complete -F _secrets_with_names -o nosort -o bashdefault -o default secrets
else
    complete -F _secrets_with_names -o bashdefault -o default secrets
fi
