#!/bin/sh
# vscpl2drv-websocksrv post-install (deb postinst and rpm %post).
# Creates /etc/vscp/vscp.key when it does not exist yet. Never touches an
# existing key and never activates the sample configuration.
# DPKG_ROOT is empty on a normal install; it is set when dpkg installs into
# another root with --force-script-chrootless (as packaging/test-packages.sh
# does).
set -e

ROOT="${DPKG_ROOT:-}"
KEY="$ROOT/etc/vscp/vscp.key"
BIN="$ROOT/usr/bin/vscpl2drv-websocksrv"
SAMPLES=/usr/share/vscpl2drv-websocksrv

mkdir -p "$ROOT/etc/vscp"
if [ ! -e "$KEY" ]; then
    if "$BIN" keygen -o "$KEY" >/dev/null; then
        chmod 0600 "$KEY"
        if [ -z "$ROOT" ] && getent passwd vscp >/dev/null 2>&1; then
            chown vscp "$KEY" || true
        fi
        echo "vscpl2drv-websocksrv: created a new random key in $KEY"
    else
        echo "vscpl2drv-websocksrv: could not create $KEY; run: $BIN keygen -o $KEY" >&2
    fi
fi

cat <<MSG
vscpl2drv-websocksrv: sample configuration is in $SAMPLES (not activated).
To use it:
  cp $SAMPLES/websocksrv.json /etc/vscp/
  vscpl2drv-websocksrv passwd -f /etc/vscp/users.json --name NAME   # create users
then add the entry from $SAMPLES/vscpd-driver-entry.json to /etc/vscp/vscpd.json
and restart vscpd.
MSG
exit 0
