_audience_completion() {
    local IFS=$'\n' cur="${COMP_WORDS[COMP_CWORD]}" word
    local -a found
    found=( $( env COMP_WORDS="${COMP_WORDS[*]}" \
                   COMP_CWORD=$COMP_CWORD \
                   _AUDIENCE_COMPLETE=complete_bash $1 ) )
    COMPREPLY=()
    for word in "${found[@]}"; do
        case "$cur" in
            \"*|\'*) COMPREPLY+=( "$word" ) ;;
            *) COMPREPLY+=( "$(printf '%q' "$word")" ) ;;
        esac
    done
    return 0
}

complete -o default -F _audience_completion audience

