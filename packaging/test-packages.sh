#!/bin/sh
# Checks the packages built by `make package` (run by `make package-test`).
# Environment: VERSION (e.g. 15.3.0-0), DIST (build/dist), HOSTTEST
# (build/host_test), WINDOWS (skip when the Windows files could not be built).
# A check whose tool is missing is skipped with a message.
set -eu

: "${VERSION:?VERSION not set}"
DIST=${DIST:-build/dist}
HOSTTEST=${HOSTTEST:-build/host_test}
NAME=vscpl2drv-websocksrv
DEB="$DIST/${NAME}_${VERSION}_amd64.deb"
RPM="$DIST/${NAME}-${VERSION}.x86_64.rpm"
DLL="$DIST/$NAME.dll"
EXE="$DIST/$NAME.exe"
SETUP="$DIST/$NAME-$VERSION-setup.exe"

fail=0
ok()   { echo "ok:   $*"; }
bad()  { echo "FAIL: $*"; fail=1; }
skip() { echo "skip: $*"; }
have() { command -v "$1" >/dev/null 2>&1; }

SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/vscp-pkgtest.XXXXXX")
trap 'rm -rf "$SCRATCH"' EXIT INT TERM

# The payload every Linux package must carry, sorted.
cat > "$SCRATCH/want" <<LIST
/usr/bin/$NAME
/usr/include/$NAME.h
/usr/share/doc/$NAME/LICENSE
/usr/share/doc/$NAME/README.md
/usr/share/man/man1/$NAME.1.gz
/usr/share/$NAME/README.md
/usr/share/$NAME/users-md5.json
/usr/share/$NAME/users.json
/usr/share/$NAME/vscpd-driver-entry.json
/usr/share/$NAME/websocksrv-mqtt.json
/usr/share/$NAME/websocksrv.json
/var/lib/vscp/drivers/level2/lib$NAME.so
LIST
for f in docs/*.md; do echo "/usr/share/doc/$NAME/$(basename "$f")"; done >> "$SCRATCH/want"
LC_ALL=C sort -o "$SCRATCH/want" "$SCRATCH/want"

WINDOWS=${WINDOWS:-check}
WINFILES="$DLL $EXE $SETUP"
if [ "$WINDOWS" = skip ]; then
    skip "Windows artifacts: cross tools not installed (see the message above)"
    WINFILES=
fi
for f in "$DEB" "$RPM" $WINFILES; do
    if [ -s "$f" ]; then ok "exists $f"; else bad "missing $f"; fi
done
[ "$fail" -eq 0 ] || { echo "package-test: artifacts missing (run make package)"; exit 1; }

# Checks a root holding the installed payload: files, .so in the C host test,
# binary version.
check_root() {
    root=$1 what=$2
    (cd "$root" && find . -type f ! -path './var/lib/dpkg/*' ! -path './etc/*' | sed 's|^\.||' | LC_ALL=C sort) > "$SCRATCH/got"
    if cmp -s "$SCRATCH/want" "$SCRATCH/got"; then
        ok "$what: payload matches ($(wc -l < "$SCRATCH/want") files)"
    else
        bad "$what: payload differs"; diff "$SCRATCH/want" "$SCRATCH/got" || true
    fi
    if [ -x "$root/usr/bin/$NAME" ] && [ -x "$root/var/lib/vscp/drivers/level2/lib$NAME.so" ]; then
        ok "$what: binary and library are executable"
    else
        bad "$what: binary or library not executable"
    fi
    if cmp -s "$root/usr/share/$NAME/websocksrv.json" configs/websocksrv-vscpd.json; then
        ok "$what: websocksrv.json is configs/websocksrv-vscpd.json"
    else
        bad "$what: websocksrv.json differs from configs/websocksrv-vscpd.json"
    fi
    if gzip -dc "$root/usr/share/man/man1/$NAME.1.gz" | cmp -s - man/$NAME.1; then
        ok "$what: man page is man/$NAME.1 gzipped"
    else
        bad "$what: man page differs"
    fi
    out=$("$root/usr/bin/$NAME" version 2>&1) || true
    case "$out" in
        "$NAME $VERSION "*) ok "$what: installed binary reports version $VERSION" ;;
        *) bad "$what: installed binary version output: $out" ;;
    esac
    if [ -x "$HOSTTEST" ]; then
        if "$HOSTTEST" "$root/var/lib/vscp/drivers/level2/lib$NAME.so" > "$SCRATCH/host.log" 2>&1; then
            ok "$what: installed .so passes the C host test ($(grep -E 'passed' "$SCRATCH/host.log" | tail -1))"
        else
            bad "$what: C host test on installed .so"; tail -20 "$SCRATCH/host.log"
        fi
    else
        skip "$what: $HOSTTEST not built"
    fi
}

# --- .deb -----------------------------------------------------------------
if have dpkg-deb; then
    dpkg-deb --info "$DEB" > "$SCRATCH/debinfo"
    if grep -q "^ Version: $VERSION\$" "$SCRATCH/debinfo" && grep -q '^ Architecture: amd64$' "$SCRATCH/debinfo"; then
        ok "deb: control Version $VERSION, Architecture amd64"
    else
        bad "deb: control fields"; cat "$SCRATCH/debinfo"
    fi
    if dpkg-deb --ctrl-tarfile "$DEB" | tar -t | grep -q conffiles; then
        bad "deb: has conffiles"
    else
        ok "deb: no conffiles"
    fi
    if dpkg-deb -c "$DEB" | awk '{print $6}' | grep -q '^\./etc'; then
        bad "deb: ships files under /etc"
    else
        ok "deb: nothing under /etc"
    fi
    mkdir -p "$SCRATCH/x"
    dpkg-deb -x "$DEB" "$SCRATCH/x"
    check_root "$SCRATCH/x" "deb (dpkg-deb -x)"
else
    skip "deb checks: dpkg-deb not installed"
fi

# dpkg install into a scratch root: runs the maintainer scripts.
if have dpkg; then
    R="$SCRATCH/root"
    mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" "$R/var/lib/dpkg/triggers"
    : > "$R/var/lib/dpkg/status"
    # The empty scratch database has no libc6, hence --force-depends.
    DPKG="dpkg --root=$R --force-not-root --force-script-chrootless --force-bad-path --force-depends --no-triggers --log=/dev/null"
    if $DPKG -i "$DEB" > "$SCRATCH/dpkg.log" 2>&1; then
        ok "dpkg --root -i installed the package"
        grep -q "cp /usr/share/$NAME/websocksrv.json /etc/vscp/" "$SCRATCH/dpkg.log" \
            && ok "postinst prints how to copy the samples" || bad "postinst message missing"
        grep -q "$NAME passwd" "$SCRATCH/dpkg.log" \
            && ok "postinst mentions $NAME passwd" || bad "postinst passwd hint missing"
    else
        bad "dpkg --root -i"; cat "$SCRATCH/dpkg.log"
    fi
    check_root "$R" "deb (dpkg --root)"
    KEY="$R/etc/vscp/vscp.key"
    if [ -f "$KEY" ] && [ "$(stat -c %a "$KEY")" = 600 ] && grep -Eq '^[0-9A-F]{64}$' "$KEY"; then
        ok "postinst created /etc/vscp/vscp.key (mode 0600, 256-bit hex)"
    else
        bad "postinst key: $(ls -l "$KEY" 2>&1)"
    fi
    ls "$R/etc/vscp" 2>/dev/null | grep -v '^vscp.key$' > "$SCRATCH/etcextra" || true
    if [ -s "$SCRATCH/etcextra" ]; then bad "postinst activated files in /etc/vscp: $(cat "$SCRATCH/etcextra")"; else ok "postinst activated no samples"; fi
    cp "$KEY" "$SCRATCH/key.before" 2>/dev/null || : > "$SCRATCH/key.before"
    echo '{"site":"mine"}' > "$R/etc/vscp/websocksrv.json"
    if $DPKG -i "$DEB" > "$SCRATCH/dpkg2.log" 2>&1 && cmp -s "$KEY" "$SCRATCH/key.before"; then
        ok "reinstall/upgrade keeps the existing key"
    else
        bad "reinstall changed the key or failed"; cat "$SCRATCH/dpkg2.log"
    fi
    if $DPKG --purge "$NAME" > "$SCRATCH/dpkg3.log" 2>&1; then
        if cmp -s "$KEY" "$SCRATCH/key.before" && [ -f "$R/etc/vscp/websocksrv.json" ]; then
            ok "purge leaves /etc/vscp untouched"
        else
            bad "purge touched /etc/vscp"
        fi
        if [ -e "$R/usr/bin/$NAME" ] || [ -e "$R/var/lib/vscp/drivers/level2/lib$NAME.so" ]; then
            bad "purge left package files"
        else
            ok "purge removed the package files"
        fi
    else
        bad "dpkg --purge"; cat "$SCRATCH/dpkg3.log"
    fi
else
    skip "dpkg --root install: dpkg not installed"
fi

# --- .rpm -----------------------------------------------------------------
if have rpm; then
    rpm -qp --qf '%{NAME} %{VERSION} %{RELEASE} %{ARCH}\n' "$RPM" 2>/dev/null > "$SCRATCH/rpminfo"
    if [ "$(cat "$SCRATCH/rpminfo")" = "$NAME ${VERSION%-*} ${VERSION##*-} x86_64" ]; then
        ok "rpm: $(cat "$SCRATCH/rpminfo")"
    else
        bad "rpm header: $(cat "$SCRATCH/rpminfo")"
    fi
    # Files only (rpm -qpl also lists the directories nfpm records).
    rpm -qp --qf '[%{FILEMODES:perms} %{FILENAMES}\n]' "$RPM" 2>/dev/null | awk '$1 ~ /^-/ {print $2}' | LC_ALL=C sort > "$SCRATCH/rpmfiles"
    if cmp -s "$SCRATCH/want" "$SCRATCH/rpmfiles"; then
        ok "rpm -qpl lists the same payload as the deb"
    else
        bad "rpm payload differs"; diff "$SCRATCH/want" "$SCRATCH/rpmfiles" || true
    fi
    if rpm -qp --configfiles "$RPM" 2>/dev/null | grep -q .; then bad "rpm: has config files"; else ok "rpm: no config files"; fi
    rpm -qp --scripts "$RPM" 2>/dev/null > "$SCRATCH/rpmscripts"
    grep -q "keygen -o" "$SCRATCH/rpmscripts" && ok "rpm: %post creates the key" || bad "rpm: %post missing"
    if have rpm2cpio && have cpio; then
        mkdir -p "$SCRATCH/rpmx"
        # The payload holds absolute paths: --no-absolute-filenames keeps it in the scratch dir.
        rpm2cpio "$RPM" | (cd "$SCRATCH/rpmx" && cpio -idm --quiet --no-absolute-filenames 2> "$SCRATCH/cpio.err") || { bad "cpio"; cat "$SCRATCH/cpio.err"; }
        check_root "$SCRATCH/rpmx" "rpm (rpm2cpio)"
    else
        skip "rpm payload extraction: rpm2cpio or cpio not installed"
    fi
else
    skip "rpm checks: rpm not installed"
fi

# --- Windows --------------------------------------------------------------
if [ "$WINDOWS" = skip ]; then
    if [ "$fail" -ne 0 ]; then echo "package-test: FAILED"; exit 1; fi
    echo "package-test: all Linux checks passed; Windows checks SKIPPED"
    exit 0
fi
OBJDUMP=
for t in x86_64-w64-mingw32-objdump objdump; do have $t && { OBJDUMP=$t; break; }; done
if [ -n "$OBJDUMP" ]; then
    $OBJDUMP -p "$DLL" > "$SCRATCH/dllp" 2>/dev/null || true
    if grep -q 'pei-x86-64' "$SCRATCH/dllp" || grep -q 'Magic.*020b' "$SCRATCH/dllp"; then
        ok "dll: PE32+ x86-64"
    else
        bad "dll: not a PE32+ x86-64 file"
    fi
    missing=
    for s in VSCPOpen VSCPClose VSCPWrite VSCPRead VSCPBlockingSend VSCPBlockingReceive VSCPGetVersion VSCPGetVendorString; do
        sed -n '/\[Ordinal\/Name Pointer\] Table/,/^$/p' "$SCRATCH/dllp" | grep -Eq "[[:space:]]$s\$" || missing="$missing $s"
    done
    if [ -z "$missing" ]; then ok "dll exports the eight VSCP* symbols"; else bad "dll exports missing:$missing"; fi
else
    skip "dll export table: objdump not installed"
fi

# PE header: "MZ" at 0, e_lfanew at 0x3c, "PE\0\0" there.
pe_check() {
    f=$1
    mz=$(od -An -c -N2 "$f" | tr -d ' ')
    off=$(od -An -tu4 -j60 -N4 "$f" | tr -d ' ')
    sig=$(od -An -tx1 -j"$off" -N4 "$f" | tr -d ' ')
    [ "$mz" = MZ ] && [ "$sig" = 50450000 ]
}
for f in "$EXE" "$SETUP" "$DLL"; do
    if pe_check "$f"; then ok "PE header (MZ/PE) in $(basename "$f")"; else bad "$(basename "$f") is not a PE file"; fi
done
if have file; then
    d=$(file -b "$SETUP")
    case "$d" in
        PE32*Nullsoft*) ok "installer: $d" ;;
        PE32*) ok "installer: $d" ;;
        *) bad "installer: file says $d" ;;
    esac
    case "$(file -b "$EXE")" in PE32+*x86-64*) ok "exe: PE32+ x86-64" ;; *) bad "exe: $(file -b "$EXE")" ;; esac
else
    skip "file(1) descriptions: file not installed"
fi

# Installer payload: 7-Zip reads NSIS archives.
SEVENZ=
for t in 7z 7zz; do have $t && { SEVENZ=$t; break; }; done
INSTDLL=
if [ -n "$SEVENZ" ]; then
    mkdir -p "$SCRATCH/nsis"
    if $SEVENZ x -y -o"$SCRATCH/nsis" "$SETUP" > "$SCRATCH/7z.log" 2>&1; then
        ok "installer: $SEVENZ extracts the NSIS archive"
        (cd "$SCRATCH/nsis" && find . -type f ! -path './$PLUGINSDIR/*' | sed 's|^\./||' | LC_ALL=C sort) > "$SCRATCH/nsisgot"
        {
            echo "$NAME.dll"; echo "$NAME.exe"; echo "include/$NAME.h"; echo "uninstall.exe"
            for f in websocksrv.json websocksrv-mqtt.json users.json users-md5.json vscpd-driver-entry.json README.md; do echo "samples/$f"; done
            echo doc/README.md; echo doc/LICENSE
            for f in docs/*.md; do echo "doc/$(basename "$f")"; done
        } | LC_ALL=C sort > "$SCRATCH/nsiswant"
        if cmp -s "$SCRATCH/nsiswant" "$SCRATCH/nsisgot"; then
            ok "installer: installs DLL, exe, header, samples, docs and uninstaller ($(wc -l < "$SCRATCH/nsiswant") files)"
        else
            bad "installer payload differs"; diff "$SCRATCH/nsiswant" "$SCRATCH/nsisgot" || true
        fi
        if cmp -s "$SCRATCH/nsis/$NAME.dll" "$DLL" && cmp -s "$SCRATCH/nsis/$NAME.exe" "$EXE" \
            && cmp -s "$SCRATCH/nsis/include/$NAME.h" capi/$NAME.h \
            && cmp -s "$SCRATCH/nsis/samples/websocksrv.json" configs/websocksrv-vscpd.json; then
            ok "installer: DLL, exe, header and websocksrv.json are the built files"
            INSTDLL="$SCRATCH/nsis/$NAME.dll"
        else
            bad "installer: packed files differ from the built ones"
        fi
    else
        bad "installer: $SEVENZ cannot read $SETUP"; tail -5 "$SCRATCH/7z.log"
    fi
else
    skip "installer payload: 7z not installed (Debian: p7zip-full)"
fi

# Run the Windows files under Wine: the exe's version and the DLL in a
# Windows C host (packaging/windows/test/dll_host_test.c), loaded with
# LoadLibrary like a Windows host does.
WINE=
for t in wine64 /usr/lib/wine/wine64 wine; do have $t && { WINE=$t; break; }; done
WIN_CC=${WIN_CC:-x86_64-w64-mingw32-gcc}
if [ -n "$WINE" ] && have "$WIN_CC"; then
    W="$SCRATCH/win"
    mkdir -p "$W"
    export WINEPREFIX="$SCRATCH/wineprefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
    wine_stop() { for s in wineserver /usr/lib/wine/wineserver64 /usr/lib/wine/wineserver; do have $s && { $s -k 2>/dev/null || true; break; }; done; }
    trap 'wine_stop; rm -rf "$SCRATCH"' EXIT INT TERM
    $WIN_CC -std=c11 -O2 -Wall -Wextra -Werror -I capi -I capi/test -o "$W/dll_host_test.exe" \
        packaging/windows/test/dll_host_test.c -lws2_32
    timeout 120 $WINE wineboot.exe --init > "$SCRATCH/wineboot.log" 2>&1 || true
    SYS32="$WINEPREFIX/drive_c/windows/system32"
    if [ -d "$SYS32" ] && [ ! -e "$SYS32/bcryptprimitives.dll" ]; then
        # Go programs need bcryptprimitives.dll, which Wine 8 lacks.
        $WIN_CC -O2 -Wall -Wextra -Werror -shared -o "$SYS32/bcryptprimitives.dll" \
            packaging/windows/test/prng_shim.c packaging/windows/test/prng_shim.def -ladvapi32
        echo "note: Wine has no bcryptprimitives.dll; using packaging/windows/test/prng_shim.c"
    fi
    out=$(timeout 60 $WINE "$EXE" version 2>&1 | tr -d '\r') || true
    case "$out" in
        "$NAME $VERSION "*) ok "exe under Wine reports version $VERSION" ;;
        *) bad "exe under Wine: $out" ;;
    esac
    cp "${INSTDLL:-$DLL}" "$W/$NAME.dll"
    if (cd "$W" && timeout 120 $WINE dll_host_test.exe "$NAME.dll") > "$SCRATCH/dllhost.log" 2>&1; then
        ok "DLL${INSTDLL:+ from the installer} passes the Windows C host test under Wine ($(tr -d '\r' < "$SCRATCH/dllhost.log" | grep -E 'passed' | tail -1))"
    else
        bad "Windows C host test under Wine"; tr -d '\r' < "$SCRATCH/dllhost.log" | grep -v '^ok' | tail -20
    fi
    wine_stop
else
    skip "Windows run: Wine or $WIN_CC not installed (Debian: wine64)"
fi

if [ "$fail" -ne 0 ]; then echo "package-test: FAILED"; exit 1; fi
echo "package-test: all checks passed"
