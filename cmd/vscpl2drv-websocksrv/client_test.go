package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vscp-go/vscpl2drv-websocksrv/driver"
)

// testDriver opens a real driver on an ephemeral port whose users file and
// key file were made by passwd and keygen: alice (rights user) and bob
// (user plus set-filter), both with password "pa55:word".
func testDriver(t *testing.T) *driver.Driver {
	t.Helper()
	dir := t.TempDir()
	users := filepath.Join(dir, "users.json")
	key := filepath.Join(dir, "vscp.key")
	for _, args := range [][]string{
		{"keygen", "-o", key},
		{"passwd", "-f", users, "--name", "alice", "--password", "pa55:word"},
		{"passwd", "-f", users, "--name", "bob", "--password", "pa55:word", "--rights", "user,set-filter"},
	} {
		if code, _, errOut := runCmd(t, args...); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
	}
	cfg, err := driver.ParseConfig([]byte(`{
		"interface": "ws://127.0.0.1:0",
		"logging": {"console-log-level": "off"},
		"path-users": "users.json",
		"key-file": "vscp.key"
	}`), dir)
	if err != nil {
		t.Fatal(err)
	}
	d, err := driver.Open(cfg, driver.GUID{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return d
}

func TestClient(t *testing.T) {
	d := testDriver(t)
	keyFile := d.Config().KeyFile
	keyText, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	keyHex := strings.TrimSpace(string(keyText))
	base := "ws://" + d.Addr().String()

	type result struct {
		code     int
		out, err string
	}
	tests := []struct {
		name       string
		url        string
		args       []string
		stdin      string
		host       bool // the host reads the client event and writes one back
		noPassword bool
		code       int
		want       []string // substrings of stdout, in order
		errHas     string
	}{
		{name: "ws1 commands, event, listen", url: base + "/ws1", host: true,
			args: []string{"--key-file", keyFile, "--listen", "3", "NOOP", "OPEN", "E;0,20,3,0,,0,-,1,2,3"},
			want: []string{"+;AUTH0;", "+;AUTH1;", "+;NOOP", "+;OPEN", "+;EVENT", "E;0,10,6,"}},
		{name: "ws2 commands, event, listen", url: base + "/ws2", host: true,
			args: []string{"--key-file", keyFile, "--listen", "3", "NOOP", "OPEN", "E;0,20,3,0,,0,-,1,2,3"},
			want: []string{`"AUTH0"`, `{"type":"+","command":"AUTH","args":null}`, `"command":"NOOP"`, `"command":"OPEN"`,
				`"command":"EVENT"`, `{"type":"EVENT","event":{`}},
		{name: "ws1 key as hex, SF", url: base + "/ws1",
			args: []string{"--user", "bob", "--key", keyHex, "SF;0,10,6,-;0,0xffff,0xffff,-", "VER"},
			want: []string{"+;AUTH1;", "+;SF", "+;VER;"}},
		{name: "ws2 SF and protocol override", url: base,
			args: []string{"--user", "bob", "--key", keyHex, "--protocol", "ws2", "SF;0,10,6,-;0,0xffff,0xffff,-", "CLRQ"},
			want: []string{`"command":"SF"`, `"command":"CLRQ"`}},
		{name: "ws1 commands from stdin", url: base + "/ws1", stdin: "NOOP\n\n# comment\nOPEN\nquit\nNOOP\n",
			args: []string{"--key-file", keyFile},
			want: []string{"+;NOOP", "+;OPEN"}},
		{name: "empty password", url: base + "/ws2", stdin: "pa55:word\nNOOP\n",
			args: []string{"--key-file", keyFile, "--password="},
			code: 1, errHas: "login"},
		{name: "ws2 password from stdin", url: base + "/ws2", stdin: "pa55:word\nNOOP\n",
			args: []string{"--key-file", keyFile}, noPassword: true,
			want: []string{`"command":"NOOP"`}},
		{name: "negative reply exits 1", url: base + "/ws1",
			args: []string{"--key-file", keyFile, "SF;0,10,6,-;0,0xffff,0xffff,-", "NOOP"},
			code: 1, want: []string{"-;SF;7;", "+;NOOP"}, errHas: "1 of 2 commands failed"},
		{name: "ws2 unknown command", url: base + "/ws2",
			args: []string{"--key-file", keyFile, "BOGUS"},
			code: 1, want: []string{`"errcode":2`}},
		{name: "ws2 bad event line", url: base + "/ws2",
			args: []string{"--key-file", keyFile, "E;x"},
			code: 1, errHas: "commands failed"},
		{name: "ws1 wrong password", url: base + "/ws1",
			args: []string{"--key-file", keyFile, "--password", "wrong", "NOOP"},
			code: 1, want: []string{"-;AUTH;5;"}, errHas: "login"},
		{name: "ws2 wrong password", url: base + "/ws2",
			args: []string{"--key-file", keyFile, "--password", "wrong", "NOOP"},
			code: 1, want: []string{`"errcode":5`}, errHas: "login"},
		{name: "wrong key (default key)", url: base + "/ws1",
			args: []string{"NOOP"},
			code: 1, errHas: "login"},
		{name: "bad url scheme", url: "ftp://127.0.0.1/ws1", code: 1, errHas: "scheme"},
		{name: "connection refused", url: "ws://127.0.0.1:1/ws1", code: 1, errHas: "connect"},
		{name: "not found", url: base + "/nothing/ws1", code: 1, errHas: "connect"},
		{name: "protocol mismatch", url: base + "/ws1", args: []string{"--protocol", "ws2"}, code: 1, errHas: "unexpected greeting"},
		{name: "missing user", url: base + "/ws1", args: []string{"--user="}, code: 2},
		{name: "key and key-file", url: base + "/ws1", args: []string{"--key", keyHex, "--key-file", keyFile}, code: 2},
		{name: "bad protocol", url: base + "/ws1", args: []string{"--protocol", "ws3"}, code: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			withStdin(t, strings.NewReader(tc.stdin))
			args := []string{"client", "--url", tc.url, "--user", "alice", "--timeout", "5"}
			if !tc.noPassword {
				args = append(args, "--password", "pa55:word")
			}
			args = append(args, tc.args...)
			hostDone := make(chan error, 1)
			if tc.host {
				go func() {
					ev, err := d.Read(10 * time.Second)
					if err != nil {
						hostDone <- err
						return
					}
					if ev.Class != 20 || ev.Type != 3 || !bytes.Equal(ev.Data, []byte{1, 2, 3}) {
						t.Errorf("host read %v", ev)
					}
					hostDone <- d.Write(&driver.Event{Class: 10, Type: 6, Data: []byte{1, 2, 3}}, time.Second)
				}()
			}
			var r result
			r.code, r.out, r.err = runCmd(t, args...)
			if tc.host {
				if err := <-hostDone; err != nil {
					t.Errorf("host: %v", err)
				}
			}
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, tc.code, r.out, r.err)
			}
			rest := r.out
			for _, w := range tc.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("stdout lacks %q (in order)\nstdout:\n%s", w, r.out)
				}
				rest = rest[i+len(w):]
			}
			if tc.code == 1 && strings.Count(r.err, "\n") < 1 {
				t.Errorf("no error line: %q", r.err)
			}
			if tc.errHas != "" {
				last := r.err[strings.LastIndex(strings.TrimSuffix(r.err, "\n"), "\n")+1:]
				if !strings.Contains(last, tc.errHas) || strings.Count(last, "\n") != 1 {
					t.Errorf("last stderr line %q lacks %q", last, tc.errHas)
				}
			}
			if strings.HasPrefix(tc.url, base+"/ws2") && tc.code == 0 {
				for _, line := range strings.Split(strings.TrimSpace(r.out), "\n") {
					if !json.Valid([]byte(line)) {
						t.Errorf("ws2 output line is not JSON: %q", line)
					}
				}
			}
		})
	}
}

func TestTranslateWS2(t *testing.T) {
	c := &wsClient{proto: "ws2"}
	tests := []struct{ in, want string }{
		{"NOOP", `{"args":null,"command":"NOOP","type":"CMD"}`},
		{"C;open", `{"args":null,"command":"open","type":"CMD"}`},
		{"SF;0,10,6,-;0,0xffff,0xffff,-", `{"args":{"filter_class":10,"filter_guid":"00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00","filter_priority":0,"filter_type":6,"mask_class":65535,"mask_guid":"00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00","mask_priority":0,"mask_type":65535},"command":"SF","type":"CMD"}`},
		{"AUTH;00112233445566778899AABBCCDDEEFF;AB", `{"args":{"crypto":"AB","iv":"00112233445566778899AABBCCDDEEFF"},"command":"AUTH","type":"CMD"}`},
		{"E;0,20,3,0,2026-01-02T03:04:05Z,0,-,1,2", `{"type":"E","event":{"head":0,"obid":0,"datetime":"2026-01-02T03:04:05Z","timestamp":0,"class":20,"type":3,"guid":"00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00","data":[1,2],"note":""}}`},
		{`{"type":"CMD","command":"NOOP"}`, `{"type":"CMD","command":"NOOP"}`},
	}
	for _, tc := range tests {
		got, err := c.translate(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("translate(%q) = %s, %v\nwant %s", tc.in, got, err, tc.want)
		}
	}
	ws1 := &wsClient{proto: "ws1"}
	for in, want := range map[string]string{"NOOP": "C;NOOP", "C;OPEN": "C;OPEN", "E;0,20,3,0": "E;0,20,3,0"} {
		if got, _ := ws1.translate(in); got != want {
			t.Errorf("ws1 translate(%q) = %q, want %q", in, got, want)
		}
	}
}
