package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

func runKeygen(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("keygen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "key file to create (required; never overwritten)")
	bits := fs.Int("bits", 256, "key size in bits: 128, 192 or 256")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "keygen: unexpected argument %q\n", fs.Arg(0))
		return errUsage
	}
	if *out == "" {
		fmt.Fprintln(stderr, "keygen: -o FILE is required")
		return errUsage
	}
	switch *bits {
	case 128, 192, 256:
	default:
		fmt.Fprintf(stderr, "keygen: --bits must be 128, 192 or 256, not %d\n", *bits)
		return errUsage
	}
	key := make([]byte, *bits/8)
	if _, err := rand.Read(key); err != nil {
		return fmt.Errorf("random key: %w", err)
	}
	text := strings.ToUpper(hex.EncodeToString(key)) + "\n"
	clear(key)
	f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("%s already exists; not overwriting it", *out)
		}
		return err
	}
	_, err = f.WriteString(text)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(*out)
		return fmt.Errorf("writing %s: %w", *out, err)
	}
	fmt.Fprintf(stdout, "wrote a %d-bit key to %s\n", *bits, *out)
	return nil
}
