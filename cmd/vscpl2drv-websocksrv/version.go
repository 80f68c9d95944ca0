package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/vscp-go/vscpl2drv-websocksrv/internal/version"
)

func runVersion(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return nil
		}
		return errUsage
	}
	fmt.Fprintf(stdout, "vscpl2drv-websocksrv %s (0x%08X)\n", version.String(), version.Packed)
	fmt.Fprintf(stdout, "ws1 protocol %s, ws2 protocol %s\n", version.WS1Protocol, version.WS2Protocol)
	fmt.Fprintf(stdout, "vscpEvent ABIs: v15.0 (default), v15.1\n")
	fmt.Fprintf(stdout, "built with %s\n", goVersion())
	return nil
}
