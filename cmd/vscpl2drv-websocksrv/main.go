// Command vscpl2drv-websocksrv runs the websocket server driver without
// vscpd: it opens one instance from a configuration file and acts as its
// host (docs/embedding.md, "From Go").
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
)

// errUsage marks command-line errors (exit code 2).
var errUsage = errors.New("usage")

type command struct {
	name, summary string
	run           func(args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "open the driver from a configuration and act as its host", runServe},
		{"passwd", "create or update a user in a users file", runPasswd},
		{"keygen", "write a new random AES key file", runKeygen},
		{"client", "log in to a ws1/ws2 endpoint and send commands and events", runClient},
		{"version", "print the driver and protocol versions", runVersion},
	}
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	name := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if name == "help" || name == "--help" || name == "-h" {
		usage(stdout)
		return 0
	}
	for _, c := range commands() {
		if c.name != name {
			continue
		}
		err := c.run(args, stdout, stderr)
		switch {
		case err == nil:
			return 0
		case errors.Is(err, errUsage):
			return 2
		default:
			fmt.Fprintf(stderr, "vscpl2drv-websocksrv %s: %v\n", name, oneLine(err))
			return 1
		}
	}
	fmt.Fprintf(stderr, "vscpl2drv-websocksrv: unknown command %q\n", name)
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: vscpl2drv-websocksrv [command] [flags]")
	fmt.Fprintln(w, "commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "Run a command with --help for its flags. Without a command: serve.")
}

// oneLine folds a multi-line error (several config problems) into one line.
func oneLine(err error) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", "; ")), " ")
}

func goVersion() string { return runtime.Version() }
