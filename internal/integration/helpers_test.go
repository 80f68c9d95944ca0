package integration

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/vscp-go/vscpl2drv-websocksrv/driver"
)

// Generous bounds: the package must pass under -race on a loaded 2-core
// machine, so none of these is a speed requirement.
const (
	frameTimeout = 10 * time.Second // one reply or event frame
	dialTimeout  = 10 * time.Second // TCP + TLS + websocket handshake
	settle       = 5 * time.Second  // goroutines and sessions winding down
)

// adminMD5 is the MD5 user admin:secret of configs/users-md5.json.
var adminMD5 = map[string]any{"name": "admin", "password": "2d1e4f91dae49cd08eaba2293e422273", "rights": "admin"}

// ifGUID is the interface GUID every instance is opened with.
var ifGUID = driver.GUID{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE, 0, 0, 0, 0, 0, 0, 0xAB, 0xCD}

// conf is a configuration document under construction.
type conf = map[string]any

// baseConf listens on an ephemeral loopback port, sends AUTH credentials in
// clear (encryption none), has the admin user and logs only errors.
func baseConf() conf {
	return conf{
		"interface":     "ws://127.0.0.1:0",
		"encryption":    "none",
		"users":         []any{adminMD5},
		"auth-throttle": false,
		"logging":       conf{"console-log-level": "error"},
	}
}

// with returns a copy of c with the given keys set.
func with(c conf, kv ...any) conf {
	out := maps.Clone(c)
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

// tryOpen parses and opens as VSCPOpen does; relative paths resolve against
// dir. An error of either step is returned.
func tryOpen(c conf, dir string) (*driver.Driver, error) {
	data, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	cfg, err := driver.ParseConfig(data, dir)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return driver.Open(cfg, ifGUID)
}

// open opens an instance that is closed when the test ends.
func open(tb testing.TB, c conf, dir string) *driver.Driver {
	tb.Helper()
	d, err := tryOpen(c, dir)
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	tb.Cleanup(func() { _ = d.Close() })
	return d
}

// credential is the AUTH crypto field with encryption none: the upper-case
// hex of "user:password".
func credential(user, password string) string {
	return strings.ToUpper(hex.EncodeToString([]byte(user + ":" + password)))
}

// client is one websocket connection speaking ws1 or ws2.
type client struct {
	c   *websocket.Conn
	ws2 bool
	sid string
}

// dial connects to url (ws://… or wss://…) with dialer (nil: a plain
// default) and reads the greeting.
func dial(url string, dialer *websocket.Dialer) (*client, error) {
	if dialer == nil {
		dialer = &websocket.Dialer{HandshakeTimeout: dialTimeout}
	}
	c, resp, err := dialer.Dial(url, nil)
	if resp != nil && resp.Body != nil {
		_ = resp.Body.Close()
	}
	if err != nil {
		return nil, err
	}
	cl := &client{c: c, ws2: strings.HasSuffix(url, "/ws2")}
	g, err := cl.read()
	if err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("greeting: %w", err)
	}
	if cl.ws2 {
		var m struct {
			Type string   `json:"type"`
			Args []string `json:"args"`
		}
		if json.Unmarshal([]byte(g), &m) != nil || m.Type != "+" || len(m.Args) != 2 || m.Args[0] != "AUTH0" {
			_ = c.Close()
			return nil, fmt.Errorf("ws2 greeting %q", g)
		}
		cl.sid = m.Args[1]
	} else {
		sid, ok := strings.CutPrefix(g, "+;AUTH0;")
		if !ok {
			_ = c.Close()
			return nil, fmt.Errorf("ws1 greeting %q", g)
		}
		cl.sid = sid
	}
	if len(cl.sid) != 32 {
		_ = c.Close()
		return nil, fmt.Errorf("SID %q is not 32 hex digits", cl.sid)
	}
	return cl, nil
}

// read returns the next text message.
func (cl *client) read() (string, error) {
	_ = cl.c.SetReadDeadline(time.Now().Add(frameTimeout))
	for {
		mt, b, err := cl.c.ReadMessage()
		if err != nil {
			return "", err
		}
		if mt == websocket.TextMessage {
			return string(b), nil
		}
	}
}

func (cl *client) send(text string) error {
	_ = cl.c.SetWriteDeadline(time.Now().Add(frameTimeout))
	return cl.c.WriteMessage(websocket.TextMessage, []byte(text))
}

// command sends a command and checks that the reply is positive.
func (cl *client) command(name string) error {
	var msg, want string
	if cl.ws2 {
		msg = `{"type":"CMD","command":"` + name + `","args":null}`
		want = `{"type":"+","command":"` + name + `","args":null}`
	} else {
		msg, want = "C;"+name, "+;"+name
	}
	if err := cl.send(msg); err != nil {
		return err
	}
	got, err := cl.read()
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if got != want {
		return fmt.Errorf("%s: reply %q, want %q", name, got, want)
	}
	return nil
}

// login authenticates as admin:secret and opens the channel.
func (cl *client) login() error {
	cred := credential("admin", "secret")
	var msg, wantPrefix string
	if cl.ws2 {
		msg = `{"type":"CMD","command":"AUTH","args":{"iv":"` + cl.sid + `","crypto":"` + cred + `"}}`
		wantPrefix = `{"type":"+","command":"AUTH","args":null}`
	} else {
		msg, wantPrefix = "C;AUTH;"+cl.sid+";"+cred, "+;AUTH1;0;admin;"
	}
	if err := cl.send(msg); err != nil {
		return err
	}
	got, err := cl.read()
	if err != nil {
		return fmt.Errorf("AUTH: %w", err)
	}
	if !strings.HasPrefix(got, wantPrefix) {
		return fmt.Errorf("AUTH: reply %q, want prefix %q", got, wantPrefix)
	}
	return cl.command("OPEN")
}

func (cl *client) close() {
	_ = cl.c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	_ = cl.c.Close()
}

// httpClient is a client for plain HTTP requests whose idle connections are
// closed when the test ends.
func httpClient(tb testing.TB) *http.Client {
	tr := &http.Transport{DisableCompression: true}
	tb.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// goroutinesBack waits until no more than base goroutines are running.
func goroutinesBack(base int) error {
	deadline := time.Now().Add(settle)
	for {
		n := runtime.NumGoroutine()
		if n <= base {
			return nil
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			return fmt.Errorf("%d goroutines still running, baseline %d:\n%s", n, base, buf)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitFor polls cond until it holds or settle has passed.
func waitFor(cond func() bool) bool {
	deadline := time.Now().Add(settle)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}
