package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"github.com/vscp-go/vscpl2drv-websocksrv/driver"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/config"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/vscp"
)

const defaultConfig = "configs/websocksrv.json"

func runServe(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfgPath := fs.String("c", "", "configuration file (default "+defaultConfig+" when present)")
	guidText := fs.String("guid", "", "interface GUID (default all zero)")
	echo := fs.Bool("echo", false, "write every client event back as a host event")
	logEvents := fs.Bool("log-events", false, "print every client event on stdout")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "serve: unexpected argument %q\n", fs.Arg(0))
		return errUsage
	}
	path := *cfgPath
	if path == "" {
		if _, err := os.Stat(defaultConfig); err != nil {
			return fmt.Errorf("no -c FILE given and %s not found", defaultConfig)
		}
		path = defaultConfig
	}
	var guid vscp.GUID
	if *guidText != "" {
		g, err := vscp.ParseGUID(*guidText)
		if err != nil {
			return fmt.Errorf("--guid: %w", err)
		}
		guid = g
	}
	cfg, err := config.Load(path)
	if err != nil {
		return err
	}
	d, err := driver.Open(cfg, guid)
	if err != nil {
		return err
	}

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)

	var wg sync.WaitGroup
	var received uint64
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			ev, err := d.Read(0)
			if err != nil {
				return // closed
			}
			received++
			if *logEvents {
				fmt.Fprintf(stdout, "%s\n", vscp.AppendEventString(nil, ev))
			}
			if *echo {
				_ = d.WriteOwned(ev, 0)
			}
		}
	}()
	<-sigs
	err = d.Close()
	wg.Wait()
	fmt.Fprintf(stderr, "vscpl2drv-websocksrv: closed after %d client events\n", received)
	return err
}
