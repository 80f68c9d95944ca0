package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeFile writes content to dir/name and returns the path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// relativePathsDoc names every key that holds a relative path.
const relativePathsDoc = `{
	"key-file": "keys/vscp.key", "path-users": "users.json", "web-root": "www",
	"interface": "wss://localhost:1",
	"tls": {"certificate": "certs/cert.pem", "key": "certs/key.pem", "ca": "certs/ca.pem", "ca-path": "certs"},
	"logging": {"file-enable-log": true, "file-path": "log/d.log"},
	"mqtt": {"tls": {"cafile": "m/ca.pem", "capath": "m", "certfile": "m/c.pem", "keyfile": "m/k.pem"}}
}`

// checkResolved checks every path of relativePathsDoc against base.
func checkResolved(t *testing.T, c *Config, base string) {
	t.Helper()
	j := func(p string) string { return filepath.Join(base, p) }
	got := []string{c.KeyFile, c.PathUsers, c.WebRoot, c.TLS.Certificate, c.TLS.Key, c.TLS.CA, c.TLS.CAPath,
		c.Logging.FilePath, c.MQTT.TLS.CAFile, c.MQTT.TLS.CAPath, c.MQTT.TLS.CertFile, c.MQTT.TLS.KeyFile}
	want := []string{j("keys/vscp.key"), j("users.json"), j("www"), j("certs/cert.pem"), j("certs/key.pem"),
		j("certs/ca.pem"), j("certs"), j("log/d.log"), j("m/ca.pem"), j("m"), j("m/c.pem"), j("m/k.pem")}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("path %d = %q, want %q", i, got[i], want[i])
		}
	}
}

func TestLoadFileResolvesAgainstConfigDir(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "conf/websocksrv.json", relativePathsDoc)
	c, err := Load("  " + p + "\n")
	if err != nil {
		t.Fatal(err)
	}
	if c.Source != p || c.Dir != filepath.Join(dir, "conf") {
		t.Errorf("source %q dir %q", c.Source, c.Dir)
	}
	checkResolved(t, c, filepath.Join(dir, "conf"))
}

func TestLoadRelativeConfigPath(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "conf/websocksrv.json", relativePathsDoc)
	t.Chdir(dir)
	c, err := Load("conf/websocksrv.json")
	if err != nil {
		t.Fatal(err)
	}
	checkResolved(t, c, filepath.Join(dir, "conf"))
}

func TestLoadInlineResolvesAgainstWorkingDir(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	c, err := Load(" \n\t" + relativePathsDoc + " \n")
	if err != nil {
		t.Fatal(err)
	}
	if c.Source != SourceInline || c.Dir != wd {
		t.Errorf("source %q dir %q", c.Source, c.Dir)
	}
	checkResolved(t, c, wd)
}

func TestLoadAbsolutePathsKept(t *testing.T) {
	c, err := Load(`{"key-file": "/abs/k.key", "path-users": "/abs/u.json"}`)
	if err != nil || c.KeyFile != "/abs/k.key" || c.PathUsers != "/abs/u.json" {
		t.Errorf("got %+v %v", c, err)
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct{ name, arg, want string }{
		{"empty", "", "empty configuration argument"},
		{"blank", " \t\r\n ", "empty configuration argument"},
		{"missing file", filepath.Join(dir, "nope.json"), "no such file"},
		{"directory", dir, "config: "},
		{"invalid inline", `{"debug": }`, "invalid JSON"},
		{"truncated inline", `{`, "invalid JSON"},
		{"trailing data", `{} {}`, "invalid JSON"},
		{"comment", "{ // c\n}", "invalid JSON"},
		{"trailing comma", `{"debug": true,}`, "invalid JSON"},
		{"invalid file", writeFile(t, dir, "bad.json", "{\n  \"debug\": tru\n}"), "line 2"},
		{"array top", writeFile(t, dir, "arr.json", `[{}]`), "top level must be a JSON object, got array"},
		{"string top", writeFile(t, dir, "str.json", `"{}"`), "got string"},
		{"number top", writeFile(t, dir, "num.json", `1`), "got number"},
		{"null top", writeFile(t, dir, "null.json", `null`), "got null"},
		{"bool top", writeFile(t, dir, "bool.json", `true`), "got boolean"},
		{"empty file", writeFile(t, dir, "empty.json", ``), "invalid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(tt.arg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load(%q) = %v, %v; want error containing %q", tt.arg, c, err, tt.want)
			}
		})
	}
}

func TestLoadByteOrderMark(t *testing.T) {
	p := writeFile(t, t.TempDir(), "bom.json", "\xEF\xBB\xBF{\"debug\": true}")
	if c, err := Load(p); err != nil || !c.Debug {
		t.Errorf("got %v %v", c, err)
	}
}

func TestUnknownKeysAreDebugNotes(t *testing.T) {
	c := parse(t, `{"colour": 1, "logging": {"file-log-path": "x", "console-log-pattern": "%v"},
		"tls": {"dh": ""}, "filter": {"in": ""}, "mqtt": {"publish": [{"topic": "t", "extra": 1}],
		"reconnect": {"jitter": 1}, "will": {"x": 1}, "tls": {"y": 2}}, "colour": 2}`)
	for _, k := range []string{"colour", "logging.file-log-path", "logging.console-log-pattern", "tls.dh",
		"filter.in", "mqtt.publish[0].extra", "mqtt.reconnect.jitter", "mqtt.will.x", "mqtt.tls.y"} {
		if n := noteCount(c, `unknown key "`+k+`"`); n != 1 {
			t.Errorf("%s: %d unknown-key notes, want 1: %+v", k, n, c.Notes)
		}
	}
	for _, n := range c.Notes {
		if strings.Contains(n.Msg, "unknown key") && n.Level.String() != "debug" {
			t.Errorf("unknown key note at %v", n.Level)
		}
	}
}

func TestDuplicateKeysLastWins(t *testing.T) {
	c := parse(t, `{"max-clients": 5, "max-clients": 7, "debug": "not checked", "debug": true,
		"logging": {"log-level": "info"}, "logging": {"log-level": "debug"}}`)
	if c.MaxClients != 7 || !c.Debug || c.Logging.ConsoleLevel.String() != "debug" {
		t.Errorf("got %d %v %v", c.MaxClients, c.Debug, c.Logging.ConsoleLevel)
	}
	parseFail(t, `{"debug": true, "debug": "yes"}`, "debug: expected boolean, got string")
}

// TestAllProblemsReported: several mistakes give one line each.
func TestAllProblemsReported(t *testing.T) {
	err := parseFail(t, `{"debug": 1, "max-clients": 1.5, "logging": {"file-max-size": "5MB"},
		"abi": "v16", "mqtt": {"port": 0}}`,
		"debug: expected boolean, got number",
		"max-clients: expected integer, got 1.5",
		"logging.file-max-size: expected integer, got string",
		"abi: unknown ABI",
		"mqtt.port: value 0 out of range 1..65535")
	if lines := strings.Split(err.Error(), "\n"); len(lines) != 5 {
		t.Errorf("%d lines, want 5:\n%v", len(lines), err)
	}
}

func TestKeyFileAndEncryptionNotes(t *testing.T) {
	c := parse(t, `{"key-file": "vscp.key"}`)
	if c.KeyFile != "/etc/vscp/vscp.key" || len(c.Notes) != 0 {
		t.Errorf("key-file: %q %+v", c.KeyFile, c.Notes)
	}
	c = parse(t, `{"key-file": ""}`)
	if c.KeyFile != "" || noteCount(c, "default key") != 1 {
		t.Errorf("empty key-file: %q %+v", c.KeyFile, c.Notes)
	}
	c = parse(t, `{"encryption": " None "}`)
	if c.Encryption.String() != "none" || noteCount(c, "default key") != 0 {
		t.Errorf("none: %v %+v", c.Encryption, c.Notes)
	}
}

func TestUsersAndPathUsers(t *testing.T) {
	c := parse(t, `{"path-users": "u.json", "users": [{"name": "admin"}]}`)
	if c.PathUsers != "/etc/vscp/u.json" || string(c.Users) != `[{"name": "admin"}]` {
		t.Errorf("got %q %s", c.PathUsers, c.Users)
	}
	if c := parse(t, `{"users": []}`); c.Users == nil {
		t.Error("empty users array lost")
	}
}

func TestAllowRemotes(t *testing.T) {
	c := parse(t, `{"allow-remotes": "+127.0.0.0/8, +::1"}`)
	if c.AllowRemotes.Len() != 2 {
		t.Errorf("string form: %d rules", c.AllowRemotes.Len())
	}
	c = parse(t, `{"allow-remotes": ["+127.0.0.0/8", "+::1,-10.0.0.0/8"]}`)
	if c.AllowRemotes.Len() != 3 {
		t.Errorf("array form: %d rules", c.AllowRemotes.Len())
	}
	for _, bad := range []string{`"127.0.0.1"`, `"+localhost"`, `["+*"]`, `"+10.0.0.0/33"`} {
		parseFail(t, `{"allow-remotes": `+bad+`}`, "allow-remotes: ")
	}
}

func TestWebRoot(t *testing.T) {
	dir := t.TempDir()
	c, err := Parse([]byte(`{"web-root": "www"}`), "t", dir)
	if err != nil || c.WebRoot != filepath.Join(dir, "www") || noteCount(c, "web-root") != 1 {
		t.Errorf("missing dir: %v %q %+v", err, c.WebRoot, c.Notes)
	}
	if err := os.Mkdir(filepath.Join(dir, "www"), 0o755); err != nil {
		t.Fatal(err)
	}
	c, err = Parse([]byte(`{"web-root": "www"}`), "t", dir)
	if err != nil || noteCount(c, "web-root") != 0 {
		t.Errorf("existing dir: %v %+v", err, c.Notes)
	}
}

func TestBooleansAndDurations(t *testing.T) {
	c := parse(t, `{"debug": true, "write": true, "mongoose-debug": true, "enable-static": false,
		"receive-sent-events": true, "forward-client-events": false, "auth-throttle": false, "auth-bind-sid": false,
		"ws-ping-interval": 0, "auth-timeout": 86400, "max-auth-failures": 0, "max-clients": 0}`)
	if !c.Debug || !c.Write || !c.MongooseDebug || c.EnableStatic || !c.ReceiveSentEvents || c.ForwardClientEvents ||
		c.AuthThrottle || c.AuthBindSID || c.WSPingInterval != 0 || c.AuthTimeout.Hours() != 24 ||
		c.MaxAuthFailures != 0 || c.MaxClients != 0 {
		t.Errorf("got %+v", c)
	}
}
