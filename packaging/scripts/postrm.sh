#!/bin/sh
# vscpl2drv-websocksrv post-remove (deb postrm and rpm %postun).
# Configuration, keys and users under /etc/vscp belong to the administrator
# (and to vscpd): removal and upgrades leave them in place. On purge (deb
# only; rpm has none) dpkg deletes the service configuration
# /etc/vscp/vscpl2drv-websocksrv.json, being a conffile, and this script
# deletes the service's state and log directories (systemd's StateDirectory
# and LogsDirectory; by default the service logs to the journal only).
# The system user vscp stays, as vscpd may run as it too.
set -e

ROOT="${DPKG_ROOT:-}"

if [ "${1:-}" = purge ]; then
    rm -rf "$ROOT/var/lib/vscpl2drv-websocksrv" "$ROOT/var/log/vscpl2drv-websocksrv"
fi
if [ -z "$ROOT" ] && [ -d /run/systemd/system ]; then
    systemctl daemon-reload >/dev/null 2>&1 || true
fi
exit 0
