#!/bin/sh
# Checks the packages built by `make artifacts` (run by `make package-test`).
# Environment:
#   VERSION        e.g. 15.3.0-0
#   DIST, BUILD    build/dist, build
#   ARCHS          the Linux architectures built, e.g. "amd64 arm64 armhf"
#   QEMU_<arch>, SYSROOT_<arch>
#                  qemu-user emulator and library root for arm64 and armhf:
#                  their binaries and C host tests run under it
#   WINDOWS        skip when the Windows files could not be built
#   WIN_CC         mingw-w64 compiler for the Windows C host test
# A check whose tool is missing is skipped with a message.
set -eu

: "${VERSION:?VERSION not set}"
DIST=${DIST:-build/dist}
BUILD=${BUILD:-build}
ARCHS=${ARCHS:-amd64}
NAME=vscpl2drv-websocksrv
DLL="$DIST/$NAME.dll"
EXE="$DIST/$NAME.exe"
SETUP="$DIST/$NAME-$VERSION-setup.exe"
SERVICE_CONF=/etc/vscp/$NAME.json
UNIT=/usr/lib/systemd/system/$NAME.service

fail=0
ok()   { echo "ok:   $*"; }
bad()  { echo "FAIL: $*"; fail=1; }
skip() { echo "skip: $*"; }
have() { command -v "$1" >/dev/null 2>&1; }

SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/vscp-pkgtest.XXXXXX")
cleanup() { rm -rf "$SCRATCH"; }
trap cleanup EXIT INT TERM

rpm_arch() { case $1 in amd64) echo x86_64 ;; arm64) echo aarch64 ;; armhf) echo armv7hl ;; esac; }
deb_file() { echo "$DIST/${NAME}_${VERSION}_$1.deb"; }
rpm_file() { echo "$DIST/$NAME-$VERSION.$(rpm_arch "$1").rpm"; }

# run ARCH PROGRAM ARGS...: runs a program built for ARCH, under qemu-user
# unless it is this machine's architecture.
run() {
    arch=$1; shift
    if [ "$arch" = amd64 ]; then "$@"; return; fi
    eval "q=\${QEMU_$arch:-} r=\${SYSROOT_$arch:-}"
    "$q" -L "$r" "$@"
}
# The C host tests built for ARCH.
host_tests() { if [ "$1" = amd64 ]; then echo "$BUILD/host_test $BUILD/ws_host_test"; else echo "$BUILD/linux-$1/host_test $BUILD/linux-$1/ws_host_test"; fi; }

# The payload every Linux package must carry, sorted.
cat > "$SCRATCH/want" <<LIST
$SERVICE_CONF
$UNIT
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
/usr/share/$NAME/websocksrv-service.json
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
for a in $ARCHS; do
    for f in "$(deb_file "$a")" "$(rpm_file "$a")"; do
        if [ -s "$f" ]; then ok "exists $f"; else bad "missing $f"; fi
    done
done
for f in $WINFILES "$DIST/SHA256SUMS"; do
    if [ -s "$f" ]; then ok "exists $f"; else bad "missing $f"; fi
done
[ "$fail" -eq 0 ] || { echo "package-test: artifacts missing (run make artifacts)"; exit 1; }
if (cd "$DIST" && sha256sum --quiet -c SHA256SUMS) && [ "$(wc -l < "$DIST/SHA256SUMS")" -eq "$(find "$DIST" -maxdepth 1 -type f ! -name SHA256SUMS | wc -l)" ]; then
    ok "SHA256SUMS lists and verifies every artifact ($(wc -l < "$DIST/SHA256SUMS") files)"
else
    bad "SHA256SUMS does not match the artifacts"
fi

# Checks a root holding the installed payload of ARCH: files, contents, the
# binary's version and both C host tests on the .so (under qemu-user for a
# foreign architecture; ws_host_test includes a websocket login round trip).
check_root() {
    root=$1 what=$2 arch=$3
    (cd "$root" && find . -type f ! -path './var/lib/dpkg/*' ! -path './etc/passwd*' ! -path './etc/group*' \
        ! -path './etc/vscp/vscp.key' | sed 's|^\.||' | LC_ALL=C sort) > "$SCRATCH/got"
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
    for pair in "usr/share/$NAME/websocksrv.json configs/websocksrv-vscpd.json" \
        "usr/share/$NAME/websocksrv-service.json configs/websocksrv-service.json" \
        "${SERVICE_CONF#/} configs/websocksrv-service.json" \
        "${UNIT#/} packaging/systemd/$NAME.service"; do
        set -- $pair
        if cmp -s "$root/$1" "$2"; then ok "$what: /$1 is $2"; else bad "$what: /$1 differs from $2"; fi
    done
    if gzip -dc "$root/usr/share/man/man1/$NAME.1.gz" | cmp -s - man/$NAME.1; then
        ok "$what: man page is man/$NAME.1 gzipped"
    else
        bad "$what: man page differs"
    fi
    if [ "$arch" != amd64 ] && [ -z "$(eval echo "\${QEMU_$arch:-}")" ]; then
        skip "$what: running $arch programs: no qemu-user emulator"
        return
    fi
    out=$(run "$arch" "$root/usr/bin/$NAME" version 2>&1) || true
    case "$out" in
        "$NAME $VERSION "*) ok "$what: installed binary reports version $VERSION" ;;
        *) bad "$what: installed binary version output: $out" ;;
    esac
    for t in $(host_tests "$arch"); do
        if [ ! -x "$t" ]; then skip "$what: $t not built"; continue; fi
        if run "$arch" "$t" "$root/var/lib/vscp/drivers/level2/lib$NAME.so" > "$SCRATCH/host.log" 2>&1; then
            ok "$what: installed .so passes $(basename "$t") ($(grep -E 'passed' "$SCRATCH/host.log" | tail -1))"
        else
            bad "$what: $(basename "$t") on the installed .so"; tail -20 "$SCRATCH/host.log"
        fi
    done
}

# --- .deb and .rpm of every architecture -------------------------------------
for arch in $ARCHS; do
    DEB=$(deb_file "$arch") RPM=$(rpm_file "$arch")
    echo "--- $arch"
    if have dpkg-deb; then
        dpkg-deb --info "$DEB" > "$SCRATCH/debinfo"
        if grep -q "^ Version: $VERSION\$" "$SCRATCH/debinfo" && grep -q "^ Architecture: $arch\$" "$SCRATCH/debinfo"; then
            ok "deb $arch: control Version $VERSION, Architecture $arch"
        else
            bad "deb $arch: control fields"; cat "$SCRATCH/debinfo"
        fi
        conffiles=$(dpkg-deb --ctrl-tarfile "$DEB" | tar -xOf - ./conffiles 2>/dev/null || true)
        if [ "$conffiles" = "$SERVICE_CONF" ]; then
            ok "deb $arch: the one conffile is $SERVICE_CONF"
        else
            bad "deb $arch: conffiles: $conffiles"
        fi
        etc=$(dpkg-deb -c "$DEB" | awk '{print $6}' | grep '^\./etc/.*[^/]$' || true)
        if [ "$etc" = ".$SERVICE_CONF" ]; then ok "deb $arch: nothing else under /etc"; else bad "deb $arch: under /etc: $etc"; fi
        rm -rf "$SCRATCH/x"; mkdir -p "$SCRATCH/x"
        dpkg-deb -x "$DEB" "$SCRATCH/x"
        check_root "$SCRATCH/x" "deb $arch (dpkg-deb -x)" "$arch"
    else
        skip "deb $arch checks: dpkg-deb not installed"
    fi

    if have rpm; then
        rpm -qp --qf '%{NAME} %{VERSION} %{RELEASE} %{ARCH} %{BUILDHOST}\n' "$RPM" 2>/dev/null > "$SCRATCH/rpminfo"
        if [ "$(cat "$SCRATCH/rpminfo")" = "$NAME ${VERSION%-*} ${VERSION##*-} $(rpm_arch "$arch") reproducible" ]; then
            ok "rpm $arch: $(cat "$SCRATCH/rpminfo")"
        else
            bad "rpm $arch header: $(cat "$SCRATCH/rpminfo")"
        fi
        # Files only (rpm also lists the directories nfpm records).
        rpm -qp --qf '[%{FILEMODES:perms} %{FILENAMES}\n]' "$RPM" 2>/dev/null | awk '$1 ~ /^-/ {print $2}' | LC_ALL=C sort > "$SCRATCH/rpmfiles"
        if cmp -s "$SCRATCH/want" "$SCRATCH/rpmfiles"; then
            ok "rpm $arch: lists the same payload as the deb"
        else
            bad "rpm $arch payload differs"; diff "$SCRATCH/want" "$SCRATCH/rpmfiles" || true
        fi
        cfg=$(rpm -qp --configfiles "$RPM" 2>/dev/null)
        if [ "$cfg" = "$SERVICE_CONF" ]; then ok "rpm $arch: the one config file is $SERVICE_CONF"; else bad "rpm $arch: config files: $cfg"; fi
        if rpm -qp --qf '[%{FILEFLAGS:fflags} %{FILENAMES}\n]' "$RPM" 2>/dev/null | grep -q "^cn $SERVICE_CONF\$"; then
            ok "rpm $arch: $SERVICE_CONF is %config(noreplace)"
        else
            bad "rpm $arch: $SERVICE_CONF is not %config(noreplace)"
        fi
        rpm -qp --scripts "$RPM" 2>/dev/null > "$SCRATCH/rpmscripts"
        grep -q "keygen -o" "$SCRATCH/rpmscripts" && grep -q "useradd" "$SCRATCH/rpmscripts" \
            && ok "rpm $arch: %post creates the user and the key" || bad "rpm $arch: %post incomplete"
        grep -q "disable --now $NAME.service" "$SCRATCH/rpmscripts" \
            && ok "rpm $arch: %preun stops the service" || bad "rpm $arch: %preun does not stop the service"
        if have rpm2cpio && have cpio; then
            rm -rf "$SCRATCH/rpmx"; mkdir -p "$SCRATCH/rpmx"
            # The payload holds absolute paths: --no-absolute-filenames keeps it in the scratch dir.
            rpm2cpio "$RPM" | (cd "$SCRATCH/rpmx" && cpio -idm --quiet --no-absolute-filenames 2> "$SCRATCH/cpio.err") || { bad "cpio"; cat "$SCRATCH/cpio.err"; }
            check_root "$SCRATCH/rpmx" "rpm $arch (rpm2cpio)" "$arch"
        else
            skip "rpm $arch payload extraction: rpm2cpio or cpio not installed"
        fi
    else
        skip "rpm $arch checks: rpm not installed"
    fi
done

# --- the unit file ------------------------------------------------------------
# systemd-analyze verify inside a root holding the package and the host's
# units (it checks that ExecStart exists there, and the man page named in
# Documentation= through `man`).
if have systemd-analyze && [ -d /usr/lib/systemd/system ] && have dpkg-deb; then
    V="$SCRATCH/verify"
    mkdir -p "$V"
    dpkg-deb -x "$(deb_file amd64)" "$V"
    cp -an /usr/lib/systemd/system/. "$V/usr/lib/systemd/system/" 2>/dev/null || true
    manopt=--man=yes
    have man || { manopt=--man=no; skip "Documentation= man page lookup: man not installed"; }
    if MANPATH="$V/usr/share/man" systemd-analyze "$manopt" --root="$V" verify "$NAME.service" > "$SCRATCH/verify.log" 2>&1 \
        && [ ! -s "$SCRATCH/verify.log" ]; then
        ok "systemd-analyze verify: $NAME.service is clean"
    else
        bad "systemd-analyze verify $NAME.service"; cat "$SCRATCH/verify.log"
    fi
    for want in 'User=vscp' 'Restart=on-failure' 'NoNewPrivileges=yes' 'ProtectSystem=strict' 'ProtectHome=yes' \
        'PrivateTmp=yes' "ExecStart=/usr/bin/$NAME serve -c $SERVICE_CONF"; do
        grep -qx "$want" "$V$UNIT" || lacks="${lacks:-} $want"
    done
    if [ -z "${lacks:-}" ]; then
        ok "unit: runs as vscp, restarts on failure, sandboxed, reads $SERVICE_CONF"
    else
        bad "unit lacks:$lacks"
    fi
else
    skip "systemd-analyze verify: systemd-analyze not installed"
fi

# --- dpkg install into a scratch root (amd64): the maintainer scripts -------
if have dpkg && echo " $ARCHS " | grep -q ' amd64 '; then
    DEB=$(deb_file amd64)
    R="$SCRATCH/root"
    mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" "$R/var/lib/dpkg/triggers" "$R/etc"
    : > "$R/var/lib/dpkg/status"
    echo 'root:x:0:0:root:/root:/bin/sh' > "$R/etc/passwd"
    echo 'root:x:0:' > "$R/etc/group"
    # The empty scratch database has no libc6, hence --force-depends.
    DPKG="dpkg --root=$R --force-not-root --force-script-chrootless --force-bad-path --force-depends --no-triggers --log=/dev/null"
    if $DPKG -i "$DEB" > "$SCRATCH/dpkg.log" 2>&1; then
        ok "dpkg --root -i installed the package"
        grep -q "cp /usr/share/$NAME/websocksrv.json /etc/vscp/" "$SCRATCH/dpkg.log" \
            && ok "postinst prints how to copy the samples" || bad "postinst message missing"
        grep -q "systemctl enable --now $NAME.service" "$SCRATCH/dpkg.log" \
            && ok "postinst says how to enable the service" || bad "postinst service hint missing"
    else
        bad "dpkg --root -i"; cat "$SCRATCH/dpkg.log"
    fi
    check_root "$R" "deb (dpkg --root)" amd64
    if grep -q '^vscp:[^:]*:[0-9]*:[0-9]*:[^:]*:/var/lib/vscp:/usr/sbin/nologin$' "$R/etc/passwd" && grep -q '^vscp:' "$R/etc/group"; then
        ok "postinst created the system user and group vscp (no login)"
    else
        bad "postinst user: $(grep vscp "$R/etc/passwd" "$R/etc/group" || echo none)"
    fi
    KEY="$R/etc/vscp/vscp.key"
    vscp_ids=$(awk -F: '$1 == "vscp" { print $3 ":" $4 }' "$R/etc/passwd")
    if [ -f "$KEY" ] && [ "$(stat -c %a "$KEY")" = 600 ] && grep -Eq '^[0-9A-F]{64}$' "$KEY" \
        && [ "$(stat -c %u:%g "$KEY")" = "$vscp_ids" ]; then
        ok "postinst created /etc/vscp/vscp.key (256-bit hex, mode 0600, owned by vscp)"
    else
        bad "postinst key: $(ls -ln "$KEY" 2>&1), vscp is $vscp_ids"
    fi
    ls "$R/etc/vscp" 2>/dev/null | grep -v -x -e vscp.key -e "$NAME.json" > "$SCRATCH/etcextra" || true
    if [ -s "$SCRATCH/etcextra" ]; then bad "postinst activated files in /etc/vscp: $(cat "$SCRATCH/etcextra")"; else ok "postinst activated no samples"; fi

    # The unit's command line, with this root's paths, serves the packaged
    # service configuration: a ws1 login round trip over loopback.
    exec_start=$(sed -n 's/^ExecStart=//p' "$R$UNIT")
    PORT=$(( 20000 + $$ % 20000 ))
    sed -e "s|/etc/vscp/|$R/etc/vscp/|g" -e "s|ws://localhost:8884|ws://127.0.0.1:$PORT|" "$R$SERVICE_CONF" > "$SCRATCH/service.json"
    "$R/usr/bin/$NAME" passwd -f "$R/etc/vscp/users.json" --name admin --password s3cret --rights admin > /dev/null
    set -- $exec_start
    bin=$1; shift; [ "$1 $2" = "serve -c" ] || bad "ExecStart is not serve -c: $exec_start"
    # Under strace when it is there: every system call the server makes while
    # it starts, serves a websocket session, /rest and the page, and stops
    # must pass the unit's SystemCallFilter=@system-service, and nothing may
    # map memory writable and executable (MemoryDenyWriteExecute).
    tracer=
    if have strace && have systemd-analyze; then tracer="strace -f -qq -o $SCRATCH/service.trace"; fi
    $tracer "$R$bin" serve -c "$SCRATCH/service.json" > "$SCRATCH/service.log" 2>&1 &
    spid=$!
    i=0; while [ $i -lt 100 ] && ! grep -q '"listen"' "$SCRATCH/service.log"; do sleep 0.1; i=$((i + 1)); done
    if "$R/usr/bin/$NAME" client --url "ws://127.0.0.1:$PORT/ws1" --user admin --password s3cret \
        --key-file "$KEY" NOOP OPEN 'E;0,10,6,0,,0,-,1,2' > "$SCRATCH/client.log" 2>&1 && grep -q '^+;NOOP' "$SCRATCH/client.log"; then
        ok "the service's command and configuration serve a ws1 login, NOOP and an event"
    else
        bad "service trial run"; cat "$SCRATCH/service.log" "$SCRATCH/client.log"
    fi
    if have curl; then curl -s -o /dev/null "http://127.0.0.1:$PORT/rest"; curl -s -o /dev/null "http://127.0.0.1:$PORT/"; fi
    # Stop the server itself (under strace it is strace's child), as systemd would.
    target=$spid
    if [ -n "$tracer" ]; then target=$(cat "/proc/$spid/task/$spid/children" 2>/dev/null | awk '{print $1}'); fi
    kill -TERM "${target:-$spid}" 2>/dev/null || true
    wait "$spid" 2>/dev/null || true
    if [ -n "$tracer" ]; then
        syscall_set() {
            systemd-analyze syscall-filter "$1" | tail -n +2 | grep -v '^ *#' | tr -d ' ' | grep -v '^$' \
                | while read -r x; do case $x in @*) syscall_set "$x" ;; *) echo "$x" ;; esac; done
        }
        syscall_set @system-service | LC_ALL=C sort -u > "$SCRATCH/allowed"
        sed -n 's/^[0-9]* *\([a-z_0-9]*\)(.*/\1/p' "$SCRATCH/service.trace" | LC_ALL=C sort -u > "$SCRATCH/used"
        outside=$(LC_ALL=C comm -23 "$SCRATCH/used" "$SCRATCH/allowed" | tr '\n' ' ')
        if [ -s "$SCRATCH/used" ] && [ -z "$outside" ]; then
            ok "the server's $(wc -l < "$SCRATCH/used") system calls are all in the unit's @system-service filter"
        else
            bad "system calls outside @system-service: ${outside:-none traced}"
        fi
        if grep -E -q 'PROT_WRITE\|PROT_EXEC|PROT_EXEC\|PROT_WRITE' "$SCRATCH/service.trace"; then
            bad "the server maps memory writable and executable (MemoryDenyWriteExecute would kill it)"
        else
            ok "no writable and executable mappings (MemoryDenyWriteExecute holds)"
        fi
    else
        skip "system call filter check: strace not installed"
    fi
    rm -f "$R/etc/vscp/users.json"

    cp "$KEY" "$SCRATCH/key.before"
    echo '{"site":"mine"}' > "$R/etc/vscp/websocksrv.json"
    echo '{"interface":"ws://localhost:9999"}' > "$R$SERVICE_CONF"
    mkdir -p "$R/var/lib/$NAME" "$R/var/log/$NAME"; echo state > "$R/var/lib/$NAME/state"; echo log > "$R/var/log/$NAME/server.log"
    if $DPKG -i "$DEB" > "$SCRATCH/dpkg2.log" 2>&1 && cmp -s "$KEY" "$SCRATCH/key.before" \
        && grep -q 9999 "$R$SERVICE_CONF" && [ "$(grep -c '^vscp:' "$R/etc/passwd")" = 1 ]; then
        ok "reinstall/upgrade keeps the key, the edited service configuration and the one user"
    else
        bad "reinstall changed the key, the service configuration or the user, or failed"; cat "$SCRATCH/dpkg2.log"
    fi
    if $DPKG -r "$NAME" > "$SCRATCH/dpkg3.log" 2>&1; then
        if [ -f "$R$SERVICE_CONF" ] && [ -f "$R/var/lib/$NAME/state" ] && [ -f "$R/var/log/$NAME/server.log" ] && [ ! -e "$R/usr/bin/$NAME" ] \
            && [ ! -e "$R$UNIT" ]; then
            ok "remove deletes the program and the unit, keeps configuration and state"
        else
            bad "remove: config $(ls "$R$SERVICE_CONF" 2>&1), state $(ls "$R/var/lib/$NAME" 2>&1)"
        fi
    else
        bad "dpkg -r"; cat "$SCRATCH/dpkg3.log"
    fi
    if $DPKG --purge "$NAME" > "$SCRATCH/dpkg4.log" 2>&1; then
        if cmp -s "$KEY" "$SCRATCH/key.before" && [ -f "$R/etc/vscp/websocksrv.json" ]; then
            ok "purge leaves the key and the vscpd driver configuration alone"
        else
            bad "purge touched /etc/vscp/vscp.key or websocksrv.json"
        fi
        if [ ! -e "$R$SERVICE_CONF" ] && [ ! -e "$R/var/lib/$NAME" ] && [ ! -e "$R/var/log/$NAME" ]; then
            ok "purge deletes the service configuration, state and logs"
        else
            bad "purge left $(ls -d "$R$SERVICE_CONF" "$R/var/lib/$NAME" "$R/var/log/$NAME" 2>/dev/null)"
        fi
    else
        bad "dpkg --purge"; cat "$SCRATCH/dpkg4.log"
    fi
else
    skip "dpkg --root install: dpkg not installed or no amd64 package"
fi

# --- Windows ----------------------------------------------------------------
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
    case "$(file -b "$SETUP")" in PE32+*x86-64*) ok "installer: $(file -b "$SETUP")" ;; *) bad "installer: file says $(file -b "$SETUP")" ;; esac
    case "$(file -b "$EXE")" in PE32+*x86-64*) ok "exe: PE32+ x86-64" ;; *) bad "exe: $(file -b "$EXE")" ;; esac
else
    skip "file(1) descriptions: file not installed"
fi

# What the installer puts into its directory, sorted.
{
    echo "$NAME.dll"; echo "$NAME.exe"; echo "include/$NAME.h"; echo "uninstall.exe"
    for f in websocksrv.json websocksrv-mqtt.json users.json users-md5.json vscpd-driver-entry.json README.md; do echo "samples/$f"; done
    echo doc/README.md; echo doc/LICENSE
    for f in docs/*.md; do echo "doc/$(basename "$f")"; done
} | LC_ALL=C sort > "$SCRATCH/nsiswant"

# checks_installed DIR WHAT: the installed (or unpacked) files.
check_installed() {
    dir=$1 what=$2
    (cd "$dir" && find . -type f ! -path './$PLUGINSDIR/*' | sed 's|^\./||' | LC_ALL=C sort) > "$SCRATCH/nsisgot"
    if cmp -s "$SCRATCH/nsiswant" "$SCRATCH/nsisgot"; then
        ok "$what: DLL, exe, header, samples, docs and uninstaller ($(wc -l < "$SCRATCH/nsiswant") files)"
    else
        bad "$what: files differ"; diff "$SCRATCH/nsiswant" "$SCRATCH/nsisgot" || true
    fi
    if cmp -s "$dir/$NAME.dll" "$DLL" && cmp -s "$dir/$NAME.exe" "$EXE" \
        && cmp -s "$dir/include/$NAME.h" capi/$NAME.h \
        && cmp -s "$dir/samples/websocksrv.json" configs/websocksrv-vscpd.json; then
        ok "$what: DLL, exe, header and websocksrv.json are the built files"
    else
        bad "$what: files differ from the built ones"
    fi
}

# Installer payload: 7-Zip reads NSIS archives (no Wine needed).
SEVENZ=
for t in 7z 7zz; do have $t && { SEVENZ=$t; break; }; done
if [ -n "$SEVENZ" ]; then
    mkdir -p "$SCRATCH/nsis"
    if $SEVENZ x -y -o"$SCRATCH/nsis" "$SETUP" > "$SCRATCH/7z.log" 2>&1; then
        check_installed "$SCRATCH/nsis" "installer payload (7-Zip)"
    else
        bad "installer: $SEVENZ cannot read $SETUP"; tail -5 "$SCRATCH/7z.log"
    fi
else
    skip "installer payload: 7z not installed (Debian: p7zip-full)"
fi

# Under Wine: the installer runs silently, the installed exe reports its
# version, the installed DLL passes the Windows C host test
# (packaging/windows/test/dll_host_test.c, LoadLibrary/GetProcAddress), and
# the uninstaller removes everything again.
WINE=
for t in wine64 /usr/lib/wine/wine64 wine; do have $t && { WINE=$t; break; }; done
WINESERVER=
for t in wineserver /usr/lib/wine/wineserver64 /usr/lib/wine/wineserver; do have $t && { WINESERVER=$t; break; }; done
WIN_CC=${WIN_CC:-x86_64-w64-mingw32-gcc}
if [ -n "$WINE" ] && have "$WIN_CC"; then
    W="$SCRATCH/win"
    mkdir -p "$W"
    export WINEPREFIX="$SCRATCH/wineprefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
    wine_stop() { [ -z "$WINESERVER" ] || $WINESERVER -k 2>/dev/null || true; }
    cleanup() { wine_stop; rm -rf "$SCRATCH"; }
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
    INST='C:\VSCP\websocksrv'
    IDIR="$WINEPREFIX/drive_c/VSCP/websocksrv"
    MENU="$WINEPREFIX/drive_c/ProgramData/Microsoft/Windows/Start Menu/Programs/$NAME"
    REGKEY="HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\$NAME"
    if timeout 120 $WINE "$SETUP" /S "/D=$INST" > "$SCRATCH/setup.log" 2>&1; then
        ok "installer ran silently (/S /D=$INST)"
    else
        bad "silent install"; cat "$SCRATCH/setup.log"
    fi
    check_installed "$IDIR" "installed under Wine"
    if [ -f "$MENU/README.lnk" ] && [ -f "$MENU/Documentation.lnk" ] && [ -f "$MENU/Uninstall.lnk" ]; then
        ok "installed: Start-menu folder with README, Documentation and Uninstall"
    else
        bad "installed: Start-menu shortcuts missing"
    fi
    $WINE reg query "$REGKEY" 2>/dev/null | tr -d '\r' > "$SCRATCH/reg.txt" || true
    if grep -q "DisplayVersion *REG_SZ *$VERSION" "$SCRATCH/reg.txt" && grep -qF "InstallLocation    REG_SZ    $INST" "$SCRATCH/reg.txt" \
        && grep -qF '"C:\VSCP\websocksrv\uninstall.exe" /S' "$SCRATCH/reg.txt"; then
        ok "installed: Add/Remove Programs entry (version, location, quiet uninstall string)"
    else
        bad "installed: uninstall registry entry"; cat "$SCRATCH/reg.txt"
    fi
    out=$(timeout 60 $WINE "$IDIR/$NAME.exe" version 2>&1 | tr -d '\r') || true
    case "$out" in
        "$NAME $VERSION "*) ok "installed exe under Wine reports version $VERSION" ;;
        *) bad "installed exe under Wine: $out" ;;
    esac
    cp "$IDIR/$NAME.dll" "$W/$NAME.dll"
    if (cd "$W" && timeout 120 $WINE dll_host_test.exe "$NAME.dll") > "$SCRATCH/dllhost.log" 2>&1; then
        ok "installed DLL passes the Windows C host test under Wine ($(tr -d '\r' < "$SCRATCH/dllhost.log" | grep -E 'passed' | tail -1))"
    else
        bad "Windows C host test under Wine"; tr -d '\r' < "$SCRATCH/dllhost.log" | grep -v '^ok' | tail -20
    fi
    # The uninstaller copies itself away and returns at once; wait for it.
    if timeout 60 $WINE "$IDIR/uninstall.exe" /S > "$SCRATCH/uninst.log" 2>&1; then
        i=0; while [ $i -lt 120 ] && [ -e "$IDIR" ]; do sleep 0.5; i=$((i + 1)); done
        if [ ! -e "$IDIR" ] && [ ! -e "$MENU" ]; then
            ok "uninstaller (silent) removed the files, the directory and the Start-menu folder"
        else
            bad "uninstaller left: $(find "$IDIR" "$MENU" 2>/dev/null | head -5)"
        fi
        if $WINE reg query "$REGKEY" > /dev/null 2>&1; then bad "uninstaller left the registry entry"; else ok "uninstaller removed the registry entry"; fi
    else
        bad "silent uninstall"; cat "$SCRATCH/uninst.log"
    fi
    wine_stop
else
    skip "Windows run: Wine or $WIN_CC not installed (Debian: wine64)"
fi

if [ "$fail" -ne 0 ]; then echo "package-test: FAILED"; exit 1; fi
echo "package-test: all checks passed"
