#!/bin/bash
# src/ports/ports_iana.c and doc/iana-several-names.tsv are what scripts/gen-iana-services.py writes from
# the registry's CSV: not edited by hand, not behind a change of the script's rule. Skipped (77)
# without python3 or the CSV (../shared/data/iana/, or IANA_CSV).
. "$(dirname "$0")/lib.sh"
csv=${IANA_CSV:-$top/../shared/data/iana/service-names-port-numbers.csv}
need python3
[ -f "$csv" ] || skip "$csv not found: the generated service names are not checked"
tmp=$work
python3 "$top/scripts/gen-iana-services.py" --list "$tmp/list.tsv" "$csv" "$tmp/ports_iana.c" ||
    exit 1
status=0
for pair in src/ports/ports_iana.c:ports_iana.c doc/iana-several-names.tsv:list.tsv; do
    committed=${pair%%:*}
    if cmp -s "$top/$committed" "$tmp/${pair#*:}"; then
        echo "ok   $committed is what gen-iana-services.py writes"
    else
        echo "FAIL $committed is not what gen-iana-services.py writes:"
        diff "$top/$committed" "$tmp/${pair#*:}" | head -20
        status=1
    fi
done
exit $status
