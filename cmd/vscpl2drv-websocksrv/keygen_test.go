package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/vscp-go/vscpl2drv-websocksrv/internal/auth"
)

func TestKeygen(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		existing bool
		code     int
		digits   int
	}{
		{name: "default 256", digits: 64},
		{name: "128", args: []string{"--bits", "128"}, digits: 32},
		{name: "192", args: []string{"--bits", "192"}, digits: 48},
		{name: "256", args: []string{"--bits=256"}, digits: 64},
		{name: "refuses overwrite", existing: true, code: 1},
		{name: "bad bits", args: []string{"--bits", "100"}, code: 2},
		{name: "bits not a number", args: []string{"--bits", "x"}, code: 2},
		{name: "extra argument", args: []string{"extra"}, code: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "vscp.key")
			const old = "OLD\n"
			if tc.existing {
				if err := os.WriteFile(path, []byte(old), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			code, _, errOut := runCmd(t, append([]string{"keygen", "-o", path}, tc.args...)...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr %q", code, tc.code, errOut)
			}
			data, err := os.ReadFile(path)
			if tc.code != 0 {
				if tc.existing && string(data) != old {
					t.Errorf("existing file changed to %q", data)
				}
				if tc.code == 1 && strings.Count(errOut, "\n") != 1 {
					t.Errorf("want a one-line error, got %q", errOut)
				}
				if !tc.existing && err == nil {
					t.Errorf("failed run created the file")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !regexp.MustCompile(`^[0-9A-F]{` + itoa(tc.digits) + `}\n$`).Match(data) {
				t.Errorf("key text %q, want %d upper-case hex digits and a newline", data, tc.digits)
			}
			st, _ := os.Stat(path)
			if st.Mode().Perm() != 0o600 {
				t.Errorf("mode %v, want 0600", st.Mode().Perm())
			}
			for _, enc := range []auth.Encryption{auth.EncAES128, auth.EncAES192, auth.EncAES256} {
				if enc.KeyLen()*2 > tc.digits {
					continue
				}
				key, warnings, err := auth.LoadKeyFile(path, enc)
				if err != nil || len(warnings) != 0 || len(key) != enc.KeyLen() {
					t.Errorf("LoadKeyFile %s: %d bytes, %v, %v", enc, len(key), warnings, err)
				}
			}
		})
	}
	// Two keys differ.
	dir := t.TempDir()
	for _, n := range []string{"a", "b"} {
		if code, _, errOut := runCmd(t, "keygen", "-o", filepath.Join(dir, n)); code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
	}
	a, _ := os.ReadFile(filepath.Join(dir, "a"))
	b, _ := os.ReadFile(filepath.Join(dir, "b"))
	if string(a) == string(b) {
		t.Errorf("two keys are equal")
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
