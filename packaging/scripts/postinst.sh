#!/bin/sh
# vscpl2drv-websocksrv post-install (deb postinst and rpm %post).
# - creates the system user and group "vscp" (the user vscpd runs as, which
#   also runs the standalone service) when they do not exist;
# - creates /etc/vscp/vscp.key when it does not exist yet; never touches an
#   existing key and never activates the vscpd sample configuration;
# - makes systemd see the unit, and restarts the service on an upgrade if it
#   is running. The service is never enabled or started here.
# DPKG_ROOT is empty on a normal install; it is set when dpkg installs into
# another root with --force-script-chrootless (as packaging/test-packages.sh
# does): then users are created in that root's /etc/passwd and systemd is
# left alone.
set -e

ROOT="${DPKG_ROOT:-}"
KEY="$ROOT/etc/vscp/vscp.key"
BIN="$ROOT/usr/bin/vscpl2drv-websocksrv"
SAMPLES=/usr/share/vscpl2drv-websocksrv
UNIT=vscpl2drv-websocksrv.service

# deb: "configure" [old-version]; rpm: 1 on install, 2 or more on upgrade.
upgrade=no
case "${1:-}" in
    configure) [ -n "${2:-}" ] && upgrade=yes ;;
    [2-9]*) upgrade=yes ;;
esac

has_user() { grep -q "^$1:" "$ROOT/etc/passwd" 2>/dev/null || { [ -z "$ROOT" ] && getent passwd "$1" >/dev/null 2>&1; }; }
has_group() { grep -q "^$1:" "$ROOT/etc/group" 2>/dev/null || { [ -z "$ROOT" ] && getent group "$1" >/dev/null 2>&1; }; }

nologin=/usr/sbin/nologin
[ -x "$ROOT$nologin" ] || [ ! -x "$ROOT/sbin/nologin" ] || nologin=/sbin/nologin
prefix=
[ -n "$ROOT" ] && prefix="--prefix $ROOT"
if ! has_group vscp; then
    # shellcheck disable=SC2086
    groupadd $prefix --system vscp || echo "vscpl2drv-websocksrv: could not create group vscp" >&2
fi
if ! has_user vscp; then
    # shellcheck disable=SC2086
    useradd $prefix --system --gid vscp --home-dir /var/lib/vscp --no-create-home \
        --shell "$nologin" --comment "VSCP daemon and websocket server" vscp \
        || echo "vscpl2drv-websocksrv: could not create user vscp" >&2
fi

mkdir -p "$ROOT/etc/vscp"
if [ ! -e "$KEY" ]; then
    if "$BIN" keygen -o "$KEY" >/dev/null; then
        chmod 0600 "$KEY"
        # Readable by the service user only (vscpd runs as vscp too).
        owner=$(awk -F: '$1 == "vscp" { print $3 ":" $4 }' "$ROOT/etc/passwd" 2>/dev/null || true)
        [ -n "$owner" ] || { [ -z "$ROOT" ] && has_user vscp && owner=vscp:vscp; } || true
        [ -z "$owner" ] || chown "$owner" "$KEY" || true
        echo "vscpl2drv-websocksrv: created a new random key in $KEY"
    else
        echo "vscpl2drv-websocksrv: could not create $KEY; run: $BIN keygen -o $KEY" >&2
    fi
fi

if [ -z "$ROOT" ] && [ -d /run/systemd/system ]; then
    systemctl daemon-reload >/dev/null 2>&1 || true
    if [ "$upgrade" = yes ]; then
        systemctl try-restart "$UNIT" >/dev/null 2>&1 || true
    fi
fi

if [ "$upgrade" = no ]; then
cat <<MSG
vscpl2drv-websocksrv: sample configuration is in $SAMPLES (not activated).
To use it:
  cp $SAMPLES/websocksrv.json /etc/vscp/
  vscpl2drv-websocksrv passwd -f /etc/vscp/users.json --name NAME   # create users
then add the entry from $SAMPLES/vscpd-driver-entry.json to /etc/vscp/vscpd.json
and restart vscpd.
The standalone server is a systemd service (installed, not enabled); its
configuration is /etc/vscp/vscpl2drv-websocksrv.json. After creating users:
  chown vscp:vscp /etc/vscp/users.json
  systemctl enable --now $UNIT
MSG
fi
exit 0
