package conformance

import (
	"bufio"
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/md5"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/vscp-go/vscpl2drv-websocksrv/driver"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/config"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/version"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/vscp"
)

// Protocol constants and the fixture's keys (docs/protocols.md).
const (
	keyK1   = "2DBB079A38985AF00EBEEFE22F9FFA0E" // upstream test key, fixture F
	keyK2   = "A4A86F7D7E119BA3F0CD06881E371B98" // VSCP default key (no key-file)
	ifgText = "FF:FF:FF:FF:FF:FF:FF:FE:00:00:00:00:00:00:AB:CD"
	z16     = "00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00"

	copyrightText = "Copyright (C) 2026 the vscpl2drv-websocksrv Go port contributors, MIT License, https://www.vscp.org"

	// A login recorded by the old replay scripts: fixed IV, key K2
	// (ws2 row 26).
	replayIV     = "5a475c082c80dcdf7f2dfbd976253b24"
	replayCrypto = "69b1180d2f4809d39be34e19c750107f"

	frameTimeout = 5 * time.Second        // per-frame read deadline
	quiet        = 300 * time.Millisecond // "no frame" window

	// authTimeoutMin is the earliest acceptable close for auth-timeout 1 s,
	// measured by the client (50 ms for the measurement itself).
	authTimeoutMin = 950 * time.Millisecond
)

// errText is the byte-exact text of each error code (docs/protocols.md,
// error codes).
var errText = map[int]string{
	1:  "Syntax error.",
	2:  "Unknown command.",
	3:  "Transmit buffer full.",
	4:  "Having problems to allocate memory.",
	5:  "Not authorised.",
	6:  "Not allowed to send event.",
	7:  "Not allowed to do that (check privileges)",
	8:  "Parse error, invalid format.",
	9:  "Unknown type, only know 'COMMAND' and 'EVENT'.",
	10: "Exception or other general error.",
}

// drvVersion is <DRV>: the one driver version constant (README "Versions").
var drvVersion = version.String()

var ifg = mustGUID(ifgText)

func mustGUID(s string) vscp.GUID {
	g, err := vscp.ParseGUID(s)
	if err != nil {
		panic(err)
	}
	return g
}

// ---------------------------------------------------------------------------
// Users of fixture F: the MD5 sample users file plus test users.

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// user is one users-file entry; empty fields are left out.
type user map[string]any

// mkUser makes an entry with the MD5 hash of "name:password".
func mkUser(name, password string, kv ...any) user {
	u := user{"name": name, "password": md5Hex(name + ":" + password)}
	for i := 0; i+1 < len(kv); i += 2 {
		u[kv[i].(string)] = kv[i+1]
	}
	return u
}

// sampleUsersMD5 is configs/users-md5.json, verbatim.
const sampleUsersMD5 = `{
  "users": [
    {
      "name": "admin",
      "password": "2d1e4f91dae49cd08eaba2293e422273",
      "fullname": "Sample administrator",
      "rights": "admin",
      "remotes": ["+127.0.0.0/8", "+::1", "+192.168.0.0/16"],
      "events": "",
      "filter": "",
      "mask": "",
      "note": "username 'admin' password 'secret'"
    },
    {
      "name": "user",
      "password": "8c3088f1b27432344f14d82033749797",
      "fullname": "Sample user",
      "rights": "user",
      "remotes": "",
      "events": "",
      "filter": "",
      "mask": "",
      "note": "username 'user' password 'secret'"
    }
  ]
}`

// usersFile is the users file of fixture F: the sample followed by ev, nows
// and rcv (userids 2, 3, 4).
func usersFile() []byte {
	var doc struct {
		Users []any `json:"users"`
	}
	if err := json.Unmarshal([]byte(sampleUsersMD5), &doc); err != nil {
		panic(err)
	}
	doc.Users = append(doc.Users,
		mkUser("ev", "secret", "rights", "user", "events", []string{"10:*", "*:6"}, "max-priority", 3),
		mkUser("nows", "secret", "rights", "send-events/receive-events"),
		mkUser("rcv", "secret", "rights", "ws/receive-events"),
	)
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		panic(err)
	}
	return b
}

// ---------------------------------------------------------------------------
// Fixture: one driver instance.

// cfg holds per-test config overrides; a nil value removes the key.
type cfg map[string]any

type fixture struct {
	t    testing.TB
	d    *driver.Driver
	addr string // host:port
	dir  string
	key  []byte // AES key the clients use (nil: encryption none)
}

// newFixture opens fixture F with the overrides applied.
func newFixture(t testing.TB, over cfg) *fixture {
	t.Helper()
	return newFixtureFiles(t, over, nil)
}

// newFixtureFiles is newFixture plus extra files in the config directory.
func newFixtureFiles(t testing.TB, over cfg, files map[string]string) *fixture {
	t.Helper()
	dir := t.TempDir()
	write := func(name string, data []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("k.key", []byte(keyK1+"\n"))
	write("users.json", usersFile())
	for name, data := range files {
		write(name, []byte(data))
	}
	c := map[string]any{
		"interface":             "ws://127.0.0.1:0",
		"key-file":              "k.key",
		"path-users":            "users.json",
		"auth-bind-sid":         true,
		"forward-client-events": true,
		"receive-sent-events":   false,
		"auth-throttle":         false,
		"logging":               map[string]any{"console-log-level": "error"},
	}
	for k, v := range over {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	raw, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	conf, err := config.Parse(raw, "inline", dir)
	if err != nil {
		t.Fatalf("config.Parse(%s): %v", raw, err)
	}
	d, err := driver.Open(conf, ifg)
	if err != nil {
		t.Fatalf("driver.Open: %v", err)
	}
	t.Cleanup(func() { _ = d.Close() })
	f := &fixture{t: t, d: d, addr: d.Addr().String(), dir: dir}
	f.key = fixtureKey(t, c, dir)
	return f
}

// fixtureKey is the AES key a client of this config must use.
func fixtureKey(t testing.TB, c map[string]any, dir string) []byte {
	enc, _ := c["encryption"].(string)
	n := 16
	switch strings.ToLower(enc) {
	case "none":
		return nil
	case "aes192":
		n = 24
	case "aes256":
		n = 32
	}
	material := "A4A86F7D7E119BA3F0CD06881E371B989B33B6D606A863B633EF529D64544F8E"
	if kf, ok := c["key-file"].(string); ok {
		b, err := os.ReadFile(filepath.Join(dir, kf))
		if err != nil {
			t.Fatal(err)
		}
		material = strings.Join(strings.Fields(string(b)), "")
	}
	k, err := hex.DecodeString(material[:2*n])
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// write is the host's VSCPWrite.
func (f *fixture) write(ev *vscp.Event) {
	f.t.Helper()
	if err := f.d.Write(ev, time.Second); err != nil {
		f.t.Fatalf("host Write: %v", err)
	}
}

// read is the host's VSCPRead; it fails the test when nothing comes.
func (f *fixture) read() *vscp.Event {
	f.t.Helper()
	ev, err := f.d.Read(frameTimeout)
	if err != nil {
		f.t.Fatalf("host Read: %v", err)
	}
	return ev
}

// expectNoRead fails if the host can read an event within d.
func (f *fixture) expectNoRead(d time.Duration) {
	f.t.Helper()
	if d <= 0 {
		d = time.Millisecond // Read(0) would wait forever
	}
	ev, err := f.d.Read(d)
	if err == nil {
		f.t.Fatalf("host Read returned an event, want none: %s", fmtEvent(ev))
	}
	if !errors.Is(err, driver.ErrTimeout) {
		f.t.Fatalf("host Read: %v, want ErrTimeout", err)
	}
}

// settle waits until the dispatcher has taken every host event from the
// out-queue and had time to hand it to the sessions.
func (f *fixture) settle() {
	f.t.Helper()
	deadline := time.Now().Add(frameTimeout)
	for f.d.Stats().OutDepth > 0 {
		if time.Now().After(deadline) {
			f.t.Fatalf("out-queue not drained within %v", frameTimeout)
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
}

func (f *fixture) counter(name string) uint64 {
	f.t.Helper()
	v, ok := f.d.Stats().CounterByName[name]
	if !ok {
		f.t.Fatalf("no counter %q", name)
	}
	return v
}

// waitCounter waits until counter name satisfies ok (counters of closing
// sessions are updated asynchronously).
func (f *fixture) waitCounter(name string, want string, ok func(uint64) bool) {
	f.t.Helper()
	deadline := time.Now().Add(frameTimeout)
	for {
		v := f.counter(name)
		if ok(v) {
			return
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("counter %s = %d, want %s", name, v, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (f *fixture) expectCounter(name string, want uint64) {
	f.t.Helper()
	if v := f.counter(name); v != want {
		f.t.Fatalf("counter %s = %d, want %d", name, v, want)
	}
}

func (f *fixture) expectCounterAtLeast(name string, want uint64) {
	f.t.Helper()
	f.waitCounter(name, fmt.Sprintf(">= %d", want), func(v uint64) bool { return v >= want })
}

// hostEvent builds a host event.
func hostEvent(class, typ uint16, data ...byte) *vscp.Event {
	return &vscp.Event{Class: class, Type: typ, Data: data}
}

// ---------------------------------------------------------------------------
// ws1 event text (docs/protocols.md, receiving events), written
// independently of the implementation's codec.

func fmtDateTime(dt vscp.DateTime) string {
	if dt.Year == 0 && dt.Month == 0 && dt.Day == 0 && dt.Hour == 0 && dt.Minute == 0 && dt.Second == 0 {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02dT%02d:%02d:%02dZ", dt.Year, dt.Month, dt.Day, dt.Hour, dt.Minute, dt.Second)
}

func fmtGUID(g vscp.GUID) string {
	parts := make([]string, 16)
	for i, b := range g {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}

// fmtEvent is the ws1 string form without the "E;" prefix.
func fmtEvent(ev *vscp.Event) string {
	if ev == nil {
		return "<nil>"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d,%d,%d,%d,%s,%d,%s", ev.Head, ev.Class, ev.Type, ev.OBID, fmtDateTime(ev.DateTime), ev.Timestamp, fmtGUID(ev.GUID))
	for _, d := range ev.Data {
		fmt.Fprintf(&b, ",0x%02X", d)
	}
	return b.String()
}

// jsonEvent is the ws2 event object in the key set format selects
// (ws2-event-format), written independently of the implementation's codec.
func jsonEvent(ev *vscp.Event, format string) string {
	data := make([]string, len(ev.Data))
	for i, d := range ev.Data {
		data[i] = strconv.Itoa(int(d))
	}
	var nb bytes.Buffer
	enc := json.NewEncoder(&nb)
	enc.SetEscapeHTML(false) // the server does not HTML-escape strings
	_ = enc.Encode(ev.Note)
	note := bytes.TrimSuffix(nb.Bytes(), []byte("\n"))
	vals := []string{
		strconv.Itoa(int(ev.Head)), strconv.FormatUint(uint64(ev.OBID), 10), strconv.Quote(fmtDateTime(ev.DateTime)),
		strconv.FormatUint(uint64(ev.Timestamp), 10), strconv.Itoa(int(ev.Class)), strconv.Itoa(int(ev.Type)),
		strconv.Quote(fmtGUID(ev.GUID)), "[" + strings.Join(data, ",") + "]", string(note),
	}
	long := []string{"vscpHead", "vscpObId", "vscpDateTime", "vscpTimeStamp", "vscpClass", "vscpType", "vscpGuid", "vscpData", "vscpNote"}
	short := []string{"head", "obid", "datetime", "timestamp", "class", "type", "guid", "data", "note"}
	var parts []string
	if format != "short" {
		for i, k := range long {
			parts = append(parts, strconv.Quote(k)+":"+vals[i])
		}
	}
	if format != "vscp" {
		for i, k := range short {
			parts = append(parts, strconv.Quote(k)+":"+vals[i])
		}
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// ws2EventFrame is the ws2 event envelope {"type":"EVENT","event":…}.
func ws2EventFrame(ev *vscp.Event, format string) string {
	return `{"type":"EVENT","event":` + jsonEvent(ev, format) + `}`
}

// aboutNow reports whether dt is within 10 s of the current UTC time.
func aboutNow(dt vscp.DateTime) bool {
	tm := time.Date(int(dt.Year), time.Month(dt.Month), int(dt.Day), int(dt.Hour), int(dt.Minute), int(dt.Second), int(dt.Nano), time.UTC)
	d := time.Since(tm)
	return d > -10*time.Second && d < 10*time.Second
}

// ---------------------------------------------------------------------------
// AUTH crypto (docs/protocols.md, logging in).

// encrypt is AES-CBC over plain (a multiple of 16 bytes), upper-case hex.
func encrypt(key, iv, plain []byte) string {
	if len(plain)%aes.BlockSize != 0 {
		panic("encrypt: plaintext not a multiple of the block size")
	}
	blk, err := aes.NewCipher(key)
	if err != nil {
		panic(err)
	}
	out := make([]byte, len(plain))
	cipher.NewCBCEncrypter(blk, iv).CryptBlocks(out, plain)
	return strings.ToUpper(hex.EncodeToString(out))
}

// zeroPad pads with NULs to a multiple of 16, no extra block.
func zeroPad(s string) []byte {
	b := []byte(s)
	for len(b) == 0 || len(b)%16 != 0 {
		b = append(b, 0)
	}
	return b
}

// zeroPadNode always adds 16 − len%16 NULs (a whole block when aligned),
// as the upstream node clients do.
func zeroPadNode(s string) []byte {
	b := []byte(s)
	return append(b, make([]byte, 16-len(b)%16)...)
}

func pkcs7(s string) []byte {
	b := []byte(s)
	n := 16 - len(b)%16
	return append(b, bytes.Repeat([]byte{byte(n)}, n)...)
}

func spacePad(s string) []byte {
	b := []byte(s)
	for len(b) == 0 || len(b)%16 != 0 {
		b = append(b, ' ')
	}
	return b
}

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// cryptoFor is the AUTH crypto field for cred under key and SID: zero
// padded AES-128-CBC with IV = SID, or plain hex with no key.
func cryptoFor(key []byte, sid, cred string) string {
	if key == nil {
		return strings.ToUpper(hex.EncodeToString([]byte(cred)))
	}
	return encrypt(key, mustHex(sid), zeroPad(cred))
}

func randomHex16() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return strings.ToUpper(hex.EncodeToString(b))
}

// ---------------------------------------------------------------------------
// Websocket client.

type frameMsg struct {
	kind int
	data []byte
	err  error
	at   time.Time
}

type dialOpts struct {
	header       http.Header
	subprotocols []string
	compression  bool
	noPong       bool // do not answer server pings
}

type client struct {
	t        testing.TB
	f        *fixture
	proto    string // "ws1" or "ws2"
	conn     *websocket.Conn
	resp     *http.Response
	greeting string
	sid      string // SID of the greeting; updated by challenge()

	msgs  chan frameMsg
	pongs chan string
	pings chan string
	stop  chan struct{}
	once  sync.Once
}

var ws1Greeting = regexp.MustCompile(`^\+;AUTH0;([0-9A-F]{32})$`)

// dialErr dials ws://addr+path; it returns the handshake response on error.
func dialErr(addr, path string, o dialOpts) (*websocket.Conn, *http.Response, error) {
	d := websocket.Dialer{
		HandshakeTimeout:  frameTimeout,
		Subprotocols:      o.subprotocols,
		EnableCompression: o.compression,
	}
	return d.Dial("ws://"+addr+path, o.header)
}

// ws1 connects to /ws1 and reads the greeting.
func (f *fixture) ws1() *client { f.t.Helper(); return f.dialPath("/ws1", "ws1", dialOpts{}) }

// ws2 connects to /ws2 and reads the greeting.
func (f *fixture) ws2() *client { f.t.Helper(); return f.dialPath("/ws2", "ws2", dialOpts{}) }

func (f *fixture) dial(proto string) *client {
	f.t.Helper()
	return f.dialPath("/"+proto, proto, dialOpts{})
}

// dialPath connects, starts the reader and reads the greeting, whose SID it
// keeps.
func (f *fixture) dialPath(path, proto string, o dialOpts) *client {
	f.t.Helper()
	conn, resp, err := dialErr(f.addr, path, o)
	if err != nil {
		status := ""
		if resp != nil {
			status = resp.Status
		}
		f.t.Fatalf("dial %s: %v %s", path, err, status)
	}
	c := newClient(f, proto, conn, resp, o)
	c.greeting = c.next()
	switch proto {
	case "ws1":
		if m := ws1Greeting.FindStringSubmatch(c.greeting); m != nil {
			c.sid = m[1]
		}
	case "ws2":
		var g struct {
			Type string   `json:"type"`
			Args []string `json:"args"`
		}
		if json.Unmarshal([]byte(c.greeting), &g) == nil && len(g.Args) == 2 && g.Args[0] == "AUTH0" {
			c.sid = g.Args[1]
		}
	}
	if c.sid == "" {
		f.t.Fatalf("%s greeting %q carries no SID", proto, c.greeting)
	}
	return c
}

func newClient(f *fixture, proto string, conn *websocket.Conn, resp *http.Response, o dialOpts) *client {
	c := &client{
		t: f.t, f: f, proto: proto, conn: conn, resp: resp,
		msgs:  make(chan frameMsg, 16),
		pongs: make(chan string, 16),
		pings: make(chan string, 64),
		stop:  make(chan struct{}),
	}
	conn.SetPongHandler(func(s string) error {
		select {
		case c.pongs <- s:
		default:
		}
		return nil
	})
	conn.SetPingHandler(func(s string) error {
		select {
		case c.pings <- s:
		default:
		}
		if o.noPong {
			return nil
		}
		// A failed pong shows up as the end of the connection in readLoop.
		_ = conn.WriteControl(websocket.PongMessage, []byte(s), time.Now().Add(time.Second))
		return nil
	})
	go c.readLoop()
	f.t.Cleanup(c.close)
	return c
}

// readLoop hands every message to msgs. The channel is small, so a client
// whose test does not read stops reading its socket (a slow client).
func (c *client) readLoop() {
	for {
		kind, data, err := c.conn.ReadMessage()
		m := frameMsg{kind: kind, data: data, err: err, at: time.Now()}
		select {
		case c.msgs <- m:
		case <-c.stop:
			return
		}
		if err != nil {
			return
		}
	}
}

func (c *client) close() {
	c.once.Do(func() {
		close(c.stop)
		_ = c.conn.Close()
	})
}

func (c *client) send(s string) {
	c.t.Helper()
	_ = c.conn.SetWriteDeadline(time.Now().Add(frameTimeout))
	if err := c.conn.WriteMessage(websocket.TextMessage, []byte(s)); err != nil {
		c.t.Fatalf("send %q: %v", trunc(s), err)
	}
}

func (c *client) sendBinary(b []byte) {
	c.t.Helper()
	_ = c.conn.SetWriteDeadline(time.Now().Add(frameTimeout))
	if err := c.conn.WriteMessage(websocket.BinaryMessage, b); err != nil {
		c.t.Fatalf("send binary: %v", err)
	}
}

// sendRaw writes bytes (whole masked frames) directly on the TCP connection.
func (c *client) sendRaw(b []byte) {
	c.t.Helper()
	nc := c.conn.UnderlyingConn()
	_ = nc.SetWriteDeadline(time.Now().Add(frameTimeout))
	if _, err := nc.Write(b); err != nil {
		c.t.Fatalf("raw write: %v", err)
	}
}

// burst writes all messages as text frames in a single TCP write.
func (c *client) burst(msgs ...string) {
	c.t.Helper()
	var b []byte
	for _, m := range msgs {
		b = append(b, wsFrame(true, websocket.TextMessage, []byte(m))...)
	}
	c.sendRaw(b)
}

func trunc(s string) string {
	if len(s) > 120 {
		return s[:120] + fmt.Sprintf("…(%d bytes)", len(s))
	}
	return s
}

// nextMsg waits up to d for the next message or the end of the connection.
func (c *client) nextMsg(d time.Duration) (frameMsg, bool) {
	var m frameMsg
	select {
	case m = <-c.msgs:
	default:
		timer := time.NewTimer(d)
		defer timer.Stop()
		select {
		case m = <-c.msgs:
		case <-timer.C:
			return frameMsg{}, false
		}
	}
	if m.err != nil {
		// Keep reporting the end to later reads.
		go func() {
			select {
			case c.msgs <- m:
			case <-c.stop:
			}
		}()
	}
	return m, true
}

// next returns the next text frame; it fails the test on timeout, on a
// binary frame and on the end of the connection.
func (c *client) next() string {
	c.t.Helper()
	m, ok := c.nextMsg(frameTimeout)
	switch {
	case !ok:
		c.t.Fatalf("%s: no frame within %v", c.proto, frameTimeout)
	case m.err != nil:
		c.t.Fatalf("%s: connection ended while waiting for a frame: %v", c.proto, m.err)
	case m.kind != websocket.TextMessage:
		c.t.Fatalf("%s: got a frame of type %d, want text", c.proto, m.kind)
	}
	return string(m.data)
}

// expect reads the next frame and compares it byte for byte.
func (c *client) expect(want string) {
	c.t.Helper()
	if got := c.next(); got != want {
		c.t.Fatalf("%s frame:\n got  %q\n want %q", c.proto, trunc(got), want)
	}
}

// expectPrefix reads the next frame and checks its prefix.
func (c *client) expectPrefix(prefix string) string {
	c.t.Helper()
	got := c.next()
	if !strings.HasPrefix(got, prefix) {
		c.t.Fatalf("%s frame:\n got  %q\n want prefix %q", c.proto, trunc(got), prefix)
	}
	return got
}

// roundTrip sends s and compares the next frame byte for byte.
func (c *client) roundTrip(s, want string) {
	c.t.Helper()
	c.send(s)
	c.expect(want)
}

// expectNothing fails if a frame arrives (or the connection ends) within d.
func (c *client) expectNothing(d time.Duration) {
	c.t.Helper()
	m, ok := c.nextMsg(d)
	if !ok {
		return
	}
	if m.err != nil {
		c.t.Fatalf("%s: connection ended, want it alive and silent: %v", c.proto, m.err)
	}
	c.t.Fatalf("%s: unexpected frame %q", c.proto, trunc(string(m.data)))
}

const anyReason = "\x00any"

// expectClose waits up to within for a close frame with code (and reason,
// unless anyReason); a data frame before it fails the test.
func (c *client) expectClose(code int, reason string, within time.Duration) time.Time {
	c.t.Helper()
	m, ok := c.nextMsg(within)
	if !ok {
		c.t.Fatalf("%s: no close within %v", c.proto, within)
	}
	if m.err == nil {
		c.t.Fatalf("%s: got frame %q, want close %d", c.proto, trunc(string(m.data)), code)
	}
	var ce *websocket.CloseError
	if !errors.As(m.err, &ce) {
		c.t.Fatalf("%s: connection ended with %v, want close frame %d", c.proto, m.err, code)
	}
	if ce.Code != code || (reason != anyReason && ce.Text != reason) {
		c.t.Fatalf("%s: close %d %q, want %d %q", c.proto, ce.Code, ce.Text, code, reason)
	}
	return m.at
}

// expectDropped waits up to within for the connection to end in any way.
func (c *client) expectDropped(within time.Duration) time.Time {
	c.t.Helper()
	deadline := time.Now().Add(within)
	for {
		m, ok := c.nextMsg(time.Until(deadline))
		if !ok {
			c.t.Fatalf("%s: connection still open after %v", c.proto, within)
		}
		if m.err != nil {
			return m.at
		}
	}
}

// ---- ws1 helpers

func (c *client) crypto(cred string) string { return cryptoFor(c.f.key, c.sid, cred) }

// authLine is C;AUTH with the current SID and CRYPTO(cred).
func (c *client) authLine(cred string) string {
	return "C;AUTH;" + c.sid + ";" + c.crypto(cred)
}

// login authenticates as name with password secret.
func (c *client) login(name string) string {
	c.t.Helper()
	return c.loginCred(name + ":secret")
}

func (c *client) loginCred(cred string) string {
	c.t.Helper()
	if c.proto == "ws1" {
		c.send(c.authLine(cred))
		return c.expectPrefix("+;AUTH1;")
	}
	c.send(c.ws2Auth(cred))
	c.expect(plus("AUTH"))
	return ""
}

// open sends OPEN and expects the positive reply.
func (c *client) open() {
	c.t.Helper()
	if c.proto == "ws1" {
		c.roundTrip("C;OPEN", "+;OPEN")
		return
	}
	c.roundTrip(cmd("OPEN", nil), plus("OPEN"))
}

// noop is a round trip that proves every earlier message was handled.
func (c *client) noop() {
	c.t.Helper()
	if c.proto == "ws1" {
		c.roundTrip("C;NOOP", "+;NOOP")
		return
	}
	c.roundTrip(cmd("NOOP", nil), plus("NOOP"))
}

func (c *client) loginOpen(name string) {
	c.t.Helper()
	c.login(name)
	c.open()
}

// challenge asks for the current SID and remembers it.
func (c *client) challenge() string {
	c.t.Helper()
	if c.proto == "ws1" {
		got := c.next2("C;CHALLENGE")
		m := ws1Greeting.FindStringSubmatch(got)
		if m == nil {
			c.t.Fatalf("CHALLENGE reply %q", got)
		}
		c.sid = m[1]
		return c.sid
	}
	c.send(cmd("CHALLENGE", nil))
	got := c.next()
	var r struct {
		Args struct {
			SID string `json:"sid"`
		} `json:"args"`
	}
	if err := json.Unmarshal([]byte(got), &r); err != nil || len(r.Args.SID) != 32 {
		c.t.Fatalf("CHALLENGE reply %q", got)
	}
	c.sid = r.Args.SID
	return c.sid
}

// next2 sends s and returns the next frame.
func (c *client) next2(s string) string {
	c.t.Helper()
	c.send(s)
	return c.next()
}

// expectEventLine reads an "E;" frame and returns its event text.
func (c *client) expectEventLine() string {
	c.t.Helper()
	return strings.TrimPrefix(c.expectPrefix("E;"), "E;")
}

// ---- ws2 helpers

// cmd is a ws2 command message.
func cmd(name string, args any) string {
	m := map[string]any{"type": "CMD", "command": name, "args": args}
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// plus is the ws2 success reply to command x, with null args.
func plus(x string) string { return `{"type":"+","command":"` + x + `","args":null}` }

// minus is the ws2 error reply to command x with code n.
func minus(x string, n int) string {
	return `{"type":"-","command":"` + x + `","errcode":` + strconv.Itoa(n) + `,"errstr":"` + errText[n] + `"}`
}

// ws1Neg is -;<CMD>;<code>;<text>.
func ws1Neg(x string, n int) string { return "-;" + x + ";" + strconv.Itoa(n) + ";" + errText[n] }

func (c *client) ws2Auth(cred string) string {
	return cmd("AUTH", map[string]string{"iv": c.sid, "crypto": c.crypto(cred)})
}

func ws2Event(ev map[string]any) string {
	b, err := json.Marshal(map[string]any{"type": "EVENT", "event": ev})
	if err != nil {
		panic(err)
	}
	return string(b)
}

func decodeJSON(s string) (any, error) {
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if d.More() {
		return nil, errors.New("trailing data")
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, errors.New("trailing data")
	}
	return v, nil
}

// checkJSON compares parsed JSON, then bytes (the server's frames are
// compact, with keys in a fixed order).
func checkJSON(t testing.TB, got, want string) {
	t.Helper()
	gv, err := decodeJSON(got)
	if err != nil {
		t.Fatalf("frame is not JSON (%v): %q", err, trunc(got))
	}
	wv, err := decodeJSON(want)
	if err != nil {
		panic(fmt.Sprintf("bad expectation %q: %v", want, err))
	}
	if !reflect.DeepEqual(gv, wv) {
		t.Fatalf("JSON differs:\n got  %s\n want %s", trunc(got), want)
	}
	if got != want {
		t.Fatalf("JSON equal but not byte-exact:\n got  %s\n want %s", got, want)
	}
}

// expectJSON reads the next frame and checks it with checkJSON.
func (c *client) expectJSON(want string) {
	c.t.Helper()
	checkJSON(c.t, c.next(), want)
}

// nextObject reads the next frame as a JSON object.
func (c *client) nextObject() (string, map[string]any) {
	c.t.Helper()
	got := c.next()
	v, err := decodeJSON(got)
	if err != nil {
		c.t.Fatalf("frame is not JSON: %q", trunc(got))
	}
	m, ok := v.(map[string]any)
	if !ok {
		c.t.Fatalf("frame is not a JSON object: %q", trunc(got))
	}
	return got, m
}

// ---------------------------------------------------------------------------
// Raw websocket frames and raw HTTP.

// wsFrame is one masked client frame (RFC 6455 §5.2).
func wsFrame(fin bool, opcode int, payload []byte) []byte {
	b0 := byte(opcode)
	if fin {
		b0 |= 0x80
	}
	out := []byte{b0}
	n := len(payload)
	switch {
	case n < 126:
		out = append(out, 0x80|byte(n))
	case n <= 0xFFFF:
		out = append(out, 0x80|126, byte(n>>8), byte(n))
	default:
		out = append(out, 0x80|127)
		for i := 7; i >= 0; i-- {
			out = append(out, byte(uint64(n)>>(8*i)))
		}
	}
	mask := [4]byte{0x37, 0xfa, 0x21, 0x3d}
	out = append(out, mask[:]...)
	for i, p := range payload {
		out = append(out, p^mask[i%4])
	}
	return out
}

// rawFrame is one server frame read without a websocket library.
type rawFrame struct {
	fin     bool
	rsv     byte
	opcode  byte
	masked  bool
	payload []byte
}

func readRawFrame(br *bufio.Reader) (rawFrame, error) {
	var h [2]byte
	if _, err := io.ReadFull(br, h[:]); err != nil {
		return rawFrame{}, err
	}
	f := rawFrame{fin: h[0]&0x80 != 0, rsv: h[0] & 0x70, opcode: h[0] & 0x0F, masked: h[1]&0x80 != 0}
	n := uint64(h[1] & 0x7F)
	switch n {
	case 126:
		var b [2]byte
		if _, err := io.ReadFull(br, b[:]); err != nil {
			return f, err
		}
		n = uint64(b[0])<<8 | uint64(b[1])
	case 127:
		var b [8]byte
		if _, err := io.ReadFull(br, b[:]); err != nil {
			return f, err
		}
		n = 0
		for _, x := range b {
			n = n<<8 | uint64(x)
		}
	}
	var mask [4]byte
	if f.masked {
		if _, err := io.ReadFull(br, mask[:]); err != nil {
			return f, err
		}
	}
	if n > 1<<24 {
		return f, fmt.Errorf("frame of %d bytes", n)
	}
	f.payload = make([]byte, n)
	if _, err := io.ReadFull(br, f.payload); err != nil {
		return f, err
	}
	if f.masked {
		for i := range f.payload {
			f.payload[i] ^= mask[i%4]
		}
	}
	return f, nil
}

const wsKey = "dGhlIHNhbXBsZSBub25jZQ=="

// upgradeRequest is a valid RFC 6455 handshake request for path.
func upgradeRequest(addr, path string, extra ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n", path, addr, wsKey)
	for _, h := range extra {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("\r\n")
	return b.String()
}

// rawConn is a TCP connection speaking HTTP by hand.
type rawConn struct {
	net.Conn
	br *bufio.Reader
}

func dialRaw(t testing.TB, addr string) *rawConn {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, frameTimeout)
	if err != nil {
		t.Fatalf("dial tcp %s: %v", addr, err)
	}
	t.Cleanup(func() { _ = nc.Close() })
	_ = nc.SetDeadline(time.Now().Add(2 * frameTimeout))
	return &rawConn{Conn: nc, br: bufio.NewReader(nc)}
}

// httpRaw sends one request and returns the response and its whole body
// (for a 101, the body is empty and rc.br continues with the frames).
func httpRaw(t testing.TB, addr, req string) (*rawConn, *http.Response, string) {
	t.Helper()
	rc := dialRaw(t, addr)
	if _, err := rc.Write([]byte(req)); err != nil {
		t.Fatalf("write request: %v", err)
	}
	method := strings.SplitN(req, " ", 2)[0]
	resp, err := http.ReadResponse(rc.br, &http.Request{Method: method})
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	if resp.StatusCode == http.StatusSwitchingProtocols {
		return rc, resp, ""
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return rc, resp, string(body)
}

// httpGet is a plain GET with net/http.
func httpGet(t testing.TB, url string) (*http.Response, string) {
	t.Helper()
	cl := &http.Client{Timeout: frameTimeout}
	resp, err := cl.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s body: %v", url, err)
	}
	return resp, string(body)
}

// expectHandshakeStatus dials path with the websocket client and expects
// the handshake to fail with status.
func (f *fixture) expectHandshakeStatus(path string, status int) {
	f.t.Helper()
	conn, resp, err := dialErr(f.addr, path, dialOpts{})
	if err == nil {
		_ = conn.Close()
		f.t.Fatalf("dial %s succeeded, want HTTP %d", path, status)
	}
	if resp == nil {
		f.t.Fatalf("dial %s: %v, want HTTP %d", path, err, status)
	}
	if resp.StatusCode != status {
		f.t.Fatalf("dial %s: HTTP %d, want %d", path, resp.StatusCode, status)
	}
}

// b64 is standard base64 with padding.
func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// row names a conformance-table row.
func row(n int, name string) string { return fmt.Sprintf("%02d_%s", n, name) }
