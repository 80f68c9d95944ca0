// Package version holds the one driver version number. VSCPGetVersion, the
// ws1/ws2 VERSION replies, the /rest document, the `version` subcommand and
// the package names all derive from these constants; the shipped C header
// carries a generated copy (see gen.go), checked by a test.
package version

import "fmt"

// The driver version, major.minor.release-build, each 0..255.
const (
	Major   = 15
	Minor   = 3
	Release = 0
	Build   = 0
)

// Protocol versions reported by the VERSION commands.
const (
	WS1Protocol = "1.0.0.0"
	WS2Protocol = "1.0.0-0"
)

// Vendor is the exact VSCPGetVendorString text (the C side keeps its own
// static copy; a test compares them).
const Vendor = "vscpl2drv-websocksrv (Go), VSCP Level II websocket server driver, https://www.vscp.org"

// Copyright is the COPYRIGHT reply text of ws1 and ws2.
const Copyright = "Copyright (C) 2026 the vscpl2drv-websocksrv Go port contributors, MIT License, https://www.vscp.org"

// Packed is the VSCPGetVersion value: major<<24 | minor<<16 | release<<8 | build.
const Packed uint32 = Major<<24 | Minor<<16 | Release<<8 | Build

// String is the display form "15.3.0-0".
func String() string {
	return fmt.Sprintf("%d.%d.%d-%d", Major, Minor, Release, Build)
}
