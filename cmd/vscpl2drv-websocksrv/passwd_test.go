package main

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/vscp-go/vscpl2drv-websocksrv/internal/auth"
)

// runCmd calls run as main does and returns the exit code and outputs.
func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// withStdin replaces the stdin of passwd and client for one test.
func withStdin(t *testing.T, r io.Reader) {
	t.Helper()
	old := stdin
	stdin = r
	t.Cleanup(func() { stdin = old })
}

// verifies reports whether the users file at path lets name log in with
// password, through the driver's own loader and AUTH verifier.
func verifies(t *testing.T, path, name, password string) bool {
	t.Helper()
	users, _, err := auth.LoadUsers(path, nil)
	if err != nil {
		t.Fatalf("LoadUsers: %v", err)
	}
	key := auth.DefaultKey(auth.EncAES128)
	v := auth.NewVerifier(users, key, auth.EncAES128, false)
	iv := make([]byte, 16)
	_, _ = rand.Read(iv)
	crypto, err := authCrypto(name, password, key, iv)
	if err != nil {
		t.Fatal(err)
	}
	ivB, cB, ok := v.CheckSyntax(strings.ToUpper(hex.EncodeToString(iv)), crypto, "")
	if !ok {
		t.Fatalf("CheckSyntax rejected the client's AUTH")
	}
	_, outcome, _, _ := v.Authenticate(ivB, cB, netip.MustParseAddr("127.0.0.1"))
	return outcome == auth.OK
}

// entries decodes the users array of a users file.
func entries(t *testing.T, path string) (map[string]json.RawMessage, []map[string]any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: %v", data, err)
	}
	var es []map[string]any
	if err := json.Unmarshal(doc["users"], &es); err != nil {
		t.Fatalf("users: %v", err)
	}
	return doc, es
}

func findEntry(es []map[string]any, name string) map[string]any {
	for _, e := range es {
		if e["name"] == name || e["user"] == name {
			return e
		}
	}
	return nil
}

var pbkdf2Form = regexp.MustCompile(`^[0-9A-F]{32};[0-9A-F]{64}$`)

func TestPasswd(t *testing.T) {
	const existing = `{
  "comment": "kept",
  "users": [
    {"name": "admin", "password": "2d1e4f91dae49cd08eaba2293e422273", "rights": "admin", "fullname": "Admin", "x-custom": [1, 2]},
    {"user": "legacy", "credentials": "8c3088f1b27432344f14d82033749797", "rights": ["user", ""]}
  ]
}`
	tests := []struct {
		name     string
		initial  string // "" = no file
		args     []string
		stdin    string
		code     int
		user     string
		password string
		rights   any
		md5      bool
		check    func(t *testing.T, doc map[string]json.RawMessage, es []map[string]any)
	}{
		{name: "create file", args: []string{"--name", "alice", "--password", "s3cret"},
			user: "alice", password: "s3cret", rights: "user",
			check: func(t *testing.T, doc map[string]json.RawMessage, es []map[string]any) {
				if len(es) != 1 {
					t.Errorf("%d entries, want 1", len(es))
				}
			}},
		{name: "short -u and rights", args: []string{"-u", "bob", "--password", "pw", "--rights", "admin"},
			user: "bob", password: "pw", rights: "admin"},
		{name: "md5", args: []string{"--name", "carol", "--password", "secret", "--md5"},
			user: "carol", password: "secret", rights: "user", md5: true},
		{name: "password from stdin", args: []string{"--name", "dave"}, stdin: "from stdin\n",
			user: "dave", password: "from stdin", rights: "user"},
		{name: "stdin CRLF", args: []string{"--name", "dave"}, stdin: "pw2\r\n",
			user: "dave", password: "pw2", rights: "user"},
		{name: "add keeps other entries and keys", initial: existing,
			args: []string{"--name", "eve", "--password", "pw"}, user: "eve", password: "pw", rights: "user",
			check: func(t *testing.T, doc map[string]json.RawMessage, es []map[string]any) {
				if string(doc["comment"]) != `"kept"` {
					t.Errorf("top-level comment = %s", doc["comment"])
				}
				if len(es) != 3 {
					t.Fatalf("%d entries, want 3", len(es))
				}
				a := findEntry(es, "admin")
				if a["fullname"] != "Admin" || a["x-custom"] == nil || a["password"] != "2d1e4f91dae49cd08eaba2293e422273" {
					t.Errorf("admin entry changed: %v", a)
				}
			}},
		{name: "update keeps rights and keys", initial: existing,
			args: []string{"--name", "admin", "--password", "newpw"}, user: "admin", password: "newpw", rights: "admin",
			check: func(t *testing.T, doc map[string]json.RawMessage, es []map[string]any) {
				if len(es) != 2 {
					t.Fatalf("%d entries, want 2", len(es))
				}
				if a := findEntry(es, "admin"); a["fullname"] != "Admin" || a["x-custom"] == nil {
					t.Errorf("admin entry lost keys: %v", a)
				}
			}},
		{name: "update alias keys, new rights", initial: existing,
			args: []string{"--name", "legacy", "--password", "pw", "--rights", "user,set-filter"},
			user: "legacy", password: "pw", rights: "user,set-filter",
			check: func(t *testing.T, doc map[string]json.RawMessage, es []map[string]any) {
				l := findEntry(es, "legacy")
				if _, dup := l["password"]; dup || !pbkdf2Form.MatchString(l["credentials"].(string)) {
					t.Errorf("legacy entry: %v", l)
				}
			}},
		{name: "update keeps array rights", initial: existing,
			args: []string{"--name", "legacy", "--password", "pw"}, user: "legacy", password: "pw", rights: []any{"user", ""}},
		{name: "empty file", initial: " \n", args: []string{"--name", "f", "--password", "pw"},
			user: "f", password: "pw", rights: "user"},
		{name: "missing name", args: []string{"--password", "pw"}, code: 2},
		{name: "bad flag", args: []string{"--name", "x", "--nope"}, code: 2},
		{name: "bad rights", args: []string{"--name", "x", "--password", "pw", "--rights", "bogus"}, code: 1},
		{name: "name with colon", args: []string{"--name", "a:b", "--password", "pw"}, code: 1},
		{name: "empty stdin", args: []string{"--name", "x"}, stdin: "", code: 1},
		{name: "password with spaces", args: []string{"--name", "x", "--password", " pw"}, code: 1},
		{name: "not a users file", initial: `[1,2]`, args: []string{"--name", "x", "--password", "pw"}, code: 1},
		{name: "users not an array", initial: `{"users":{}}`, args: []string{"--name", "x", "--password", "pw"}, code: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "users.json")
			if tc.initial != "" {
				if err := os.WriteFile(path, []byte(tc.initial), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			withStdin(t, strings.NewReader(tc.stdin))
			code, _, errOut := runCmd(t, append([]string{"passwd", "-f", path}, tc.args...)...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr %q", code, tc.code, errOut)
			}
			if tc.code == 1 && strings.Count(errOut, "\n") != 1 {
				t.Errorf("want a one-line error, got %q", errOut)
			}
			names, _ := filepath.Glob(filepath.Join(dir, "*"))
			hidden, _ := filepath.Glob(filepath.Join(dir, ".*"))
			if len(hidden) != 0 {
				t.Errorf("temporary files left: %v", hidden)
			}
			if tc.code != 0 {
				if tc.initial == "" && len(names) != 0 {
					t.Errorf("failed run created %v", names)
				}
				return
			}
			st, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if st.Mode().Perm() != 0o600 {
				t.Errorf("mode %v, want 0600", st.Mode().Perm())
			}
			if !verifies(t, path, tc.user, tc.password) {
				t.Errorf("user %q cannot log in with %q", tc.user, tc.password)
			}
			if verifies(t, path, tc.user, tc.password+"x") {
				t.Errorf("a wrong password verifies")
			}
			doc, es := entries(t, path)
			e := findEntry(es, tc.user)
			want, _ := json.Marshal(tc.rights)
			got, _ := json.Marshal(e["rights"])
			if string(got) != string(want) {
				t.Errorf("rights %s, want %s", got, want)
			}
			pw, _ := e["password"].(string)
			if pw == "" {
				pw, _ = e["credentials"].(string)
			}
			if tc.md5 {
				if pw != auth.HashMD5(tc.user, tc.password) {
					t.Errorf("md5 form %q", pw)
				}
			} else if !pbkdf2Form.MatchString(pw) {
				t.Errorf("password %q is not the PBKDF2 form", pw)
			}
			if tc.check != nil {
				tc.check(t, doc, es)
			}
		})
	}
}

func TestPasswdNewSaltEachTime(t *testing.T) {
	path := filepath.Join(t.TempDir(), "users.json")
	var hashes []string
	for range 2 {
		if code, _, errOut := runCmd(t, "passwd", "-f", path, "--name", "a", "--password", "pw"); code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		_, es := entries(t, path)
		hashes = append(hashes, findEntry(es, "a")["password"].(string))
	}
	if hashes[0] == hashes[1] || hashes[0][:32] == hashes[1][:32] {
		t.Errorf("salt reused: %v", hashes)
	}
}

func TestHelp(t *testing.T) {
	for _, cmd := range []string{"passwd", "keygen", "client"} {
		code, _, errOut := runCmd(t, cmd, "--help")
		if code != 0 || !strings.Contains(errOut, "-") {
			t.Errorf("%s --help: exit %d, %q", cmd, code, errOut)
		}
	}
	code, out, _ := runCmd(t, "help")
	for _, cmd := range []string{"passwd", "keygen", "client"} {
		if code != 0 || !strings.Contains(out, "  "+cmd+" ") {
			t.Errorf("usage lacks %s: %q", cmd, out)
		}
	}
}
