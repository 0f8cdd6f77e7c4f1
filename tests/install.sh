#!/bin/bash
# `make install DESTDIR=...` puts the binary, the man page and the bash completion under the
# configured prefix, the installed binary runs, and `make uninstall` takes them away again.
# Runs in the build directory, as make check runs its tests.
set -u
if [ ! -f Makefile ]; then
    echo "no Makefile in $PWD: skipping"
    exit 77
fi
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
prefix=$(sed -n 's/^prefix = //p' Makefile)
# A make of our own, not a part of the make check that runs us.
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL ${MAKE:-make} --no-print-directory "$@"; }
fail=0

if ! mk install DESTDIR="$dest" >"$dest.log" 2>&1; then
    echo "FAIL make install:"
    tail -n 20 "$dest.log"
    rm -f "$dest.log"
    exit 1
fi
rm -f "$dest.log"
for f in bin/portscope share/man/man1/portscope.1 share/bash-completion/completions/portscope; do
    if [ -f "$dest$prefix/$f" ]; then
        echo "ok   $prefix/$f"
    else
        echo "FAIL $prefix/$f was not installed"
        fail=1
    fi
done
if "$dest$prefix/bin/portscope" --version | grep -q '^portscope '; then
    echo "ok   the installed binary runs"
else
    echo "FAIL the installed binary does not run"
    fail=1
fi
mk uninstall DESTDIR="$dest" >/dev/null 2>&1
left=$(find "$dest" -type f)
if [ -n "$left" ]; then
    echo "FAIL make uninstall left:" $left
    fail=1
else
    echo "ok   make uninstall removes them"
fi
exit $fail
