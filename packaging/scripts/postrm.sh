#!/bin/sh
# vscpl2drv-websocksrv post-remove (deb postrm and rpm %postun).
# Configuration, keys and users under /etc/vscp belong to the administrator:
# they are left in place on upgrade, removal and purge.
exit 0
