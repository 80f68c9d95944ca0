#!/bin/sh
# vscpl2drv-websocksrv pre-remove (deb prerm and rpm %preun).
# On removal (not on upgrade) the standalone service is stopped and
# disabled, so that nothing runs from files that are about to disappear.
set -e

case "${1:-}" in
    remove|0)
        if [ -z "${DPKG_ROOT:-}" ] && [ -d /run/systemd/system ]; then
            systemctl disable --now vscpl2drv-websocksrv.service >/dev/null 2>&1 || true
        fi
        ;;
esac
exit 0
