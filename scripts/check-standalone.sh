#!/bin/sh
# Fails when a tracked file refers to something outside the repository: the
# specification folder that sits beside the developers' checkout, or an
# absolute path of somebody's build machine. A fresh clone, alone in an empty
# directory, must build and pass its tests (see README.md), so tests, the
# Makefile, scripts and docs may only use paths inside the repository.
#
# The patterns are spelt with bracket expressions so that this file does not
# match itself.
set -eu
cd "$(dirname "$0")/.."

patterns='
\.\.[/]shared
shared[/]spec
"shared", *"spec"
[/]work[/]
[/]home[/][A-Za-z]
[/]root[/]
[/]Users[/]
[A-Za-z]:[\\]{1,2}Users[\\]
'

if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    echo "check-standalone: not a git checkout; nothing to check"
    exit 0
fi

hits=$(printf '%s\n' "$patterns" | grep -v '^$' | {
    set --
    while IFS= read -r p; do set -- "$@" -e "$p"; done
    git grep -n -I -E "$@" -- . || true
})
if [ -n "$hits" ]; then
    echo "check-standalone: tracked files refer to paths outside the repository:"
    printf '%s\n' "$hits"
    echo "Copy what a test needs into the package's testdata/ and cite docs/ instead."
    exit 1
fi
echo "check-standalone: no references outside the repository"
