#!/bin/bash
# The bash completion (contrib/bash-completion/portscope, written from the option table; whether
# it is what the table gives is tests/options.sh's) works in bash: it parses, offers every long
# option of `portscope --help` when asked to complete "--", and completes option values.
. "$(dirname "$0")/lib.sh"
script=$top/contrib/bash-completion/portscope
fail=0

if ! bash -n "$script"; then
    echo "FAIL $script: syntax error"
    exit 1
fi
echo "ok   bash -n"

# complete WORDS...: what the completion offers for the last word, one per line.
complete_words() {
    bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _portscope;
             printf "%s\n" "${COMPREPLY[@]}"' _ "$script" "$@"
}

offered=$(complete_words portscope --)
missing=
for opt in $("$bin" --help | grep -o -- '--[a-z][a-z-]*[a-z]' | sort -u); do
    grep -qx -- "$opt" <<<"$offered" || missing="$missing $opt"
done
if [ -n "$missing" ]; then
    echo "FAIL options of --help the completion does not offer:$missing"
    fail=1
else
    echo "ok   every long option of --help is offered"
fi

check() { # NAME EXPECTED WORDS...
    local name=$1 want=$2 got
    shift 2
    got=$(complete_words "$@" | sort | tr '\n' ' ')
    if [ "$got" = "$want" ]; then
        echo "ok   $name"
    else
        echo "FAIL $name: offered '$got', expected '$want'"
        fail=1
    fi
}
check "--format values" "csv html json jsonl text zeek zeek-json " portscope --format ''
check "--format js" "json jsonl " portscope --format js
check "--sort values" "bytes duration packets start " portscope --sort ''
check "--community-id-format values" "base64 hex " portscope --community-id-format ''
check "--show list" "flows,services flows,summary " portscope --show flows,s
check "--color=" "always auto " portscope --color=a
check "filter words" "port portrange " portscope -r x.pcap tcp port
exit $fail
