#!/bin/sh
# Builds the release artifacts a second time, in a copy of the source tree at
# another path, and compares them byte for byte with those in DIST (run by
# `make package-test` after `make artifacts`). Also checks that no built
# library or binary contains a path of this machine (the source directory,
# the Go module cache or GOROOT).
#
# Usage: check-reproducible.sh DIST
# REPRO_FRESH_GOCACHE=1 makes the second build compile everything again in an
# empty Go build cache (slow: the standard library for every target), so that
# the comparison covers the compiler's output too, not only linking and
# packaging.
set -eu

DIST=${1:?usage: check-reproducible.sh DIST}
MAKE=${MAKE:-make}
SRC=$(pwd)
: "${SOURCE_DATE_EPOCH:?SOURCE_DATE_EPOCH not set (make exports it)}"

fail=0
ok()  { echo "ok:   $*"; }
bad() { echo "FAIL: $*"; fail=1; }

SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/vscp-repro.XXXXXX")
trap 'chmod -R u+w "$SCRATCH" 2>/dev/null; rm -rf "$SCRATCH"' EXIT INT TERM

# 1. No machine paths in what was built.
leaks=
modcache=$(go env GOMODCACHE 2>/dev/null || true)
goroot=$(go env GOROOT 2>/dev/null || true)
for f in build/lib*.so build/vscpl2drv-websocksrv build/linux-*/lib*.so build/linux-*/vscpl2drv-websocksrv \
    "$DIST"/*.dll "$DIST"/*.exe; do
    [ -f "$f" ] || continue
    for p in "$SRC" "$modcache" "$goroot"; do
        [ -n "$p" ] || continue
        if grep -q -a -F "$p" "$f"; then leaks="$leaks $f($p)"; fi
    done
done
if [ -z "$leaks" ]; then ok "no build-machine paths in the libraries and binaries"; else bad "build-machine paths in:$leaks"; fi

# 2. The same artifacts from a copy of the tree: tracked and new files as
# they are now (uncommitted changes included), without build/.
COPY="$SCRATCH/src"
mkdir -p "$COPY"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files -z --cached --others --exclude-standard \
        | tar --null --ignore-failed-read -T - -cf - 2>/dev/null | tar -C "$COPY" -xf -
else
    tar --exclude=./build -cf - . | tar -C "$COPY" -xf -
fi
if [ "${REPRO_FRESH_GOCACHE:-}" = 1 ]; then
    export GOCACHE="$SCRATCH/gocache"
    echo "second build with an empty Go build cache ($GOCACHE)"
fi
echo "second build in $COPY (SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH)"
start=$(date +%s)
if ! (cd "$COPY" && $MAKE --no-print-directory artifacts) > "$SCRATCH/build.log" 2>&1; then
    tail -30 "$SCRATCH/build.log"
    echo "reproducibility: FAILED (the second build failed)"
    exit 1
fi
echo "second build took $(( $(date +%s) - start )) s"

(cd "$DIST" && find . -maxdepth 1 -type f -printf '%P\n' | LC_ALL=C sort) > "$SCRATCH/first"
(cd "$COPY/$DIST" && find . -maxdepth 1 -type f -printf '%P\n' | LC_ALL=C sort) > "$SCRATCH/second"
if cmp -s "$SCRATCH/first" "$SCRATCH/second"; then
    ok "both builds wrote the same $(wc -l < "$SCRATCH/first") files"
else
    bad "the builds wrote different files"; diff "$SCRATCH/first" "$SCRATCH/second" || true
fi
while read -r f; do
    if [ -f "$COPY/$DIST/$f" ] && cmp -s "$DIST/$f" "$COPY/$DIST/$f"; then
        ok "identical: $f ($(sha256sum < "$DIST/$f" | cut -c1-16)…)"
    else
        bad "differs: $f"
    fi
done < "$SCRATCH/first"

# The libraries and binaries themselves, before packaging.
for f in build/lib*.so build/vscpl2drv-websocksrv build/linux-*/lib*.so build/linux-*/vscpl2drv-websocksrv; do
    [ -f "$f" ] || continue
    if cmp -s "$f" "$COPY/$f"; then ok "identical: $f"; else bad "differs: $f"; fi
done

if [ "$fail" -ne 0 ]; then echo "reproducibility: FAILED"; exit 1; fi
echo "reproducibility: all artifacts byte-identical; sizes and checksums of both builds:"
(cd "$DIST" && while read -r sum f; do printf '%12s  %s  %s\n' "$(stat -c %s "$f")" "$sum" "$f"; done < SHA256SUMS)
