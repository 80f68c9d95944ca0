package driver_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/vscp-go/vscpl2drv-websocksrv/driver"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/config"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/vscp"
)

// Generous bounds: the suite must pass on a loaded 2-core machine under
// -race, so none of these is a speed requirement.
const (
	// settle is how long goroutine and fd counts may take to come back
	// after a Close (client-side transport goroutines end asynchronously).
	settle = 2 * time.Second
	// eventually bounds polling of asynchronous effects (the dispatcher).
	eventually = 10 * time.Second
	// httpTimeout bounds every HTTP exchange of the tests.
	httpTimeout = 10 * time.Second
)

// testGUID is the interface GUID handed to Open by most tests.
var testGUID = vscp.GUID{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE, 0, 0, 0, 0, 0, 0, 0xAB, 0xCD}

const testGUIDText = "FF:FF:FF:FF:FF:FF:FF:FE:00:00:00:00:00:00:AB:CD"

// obj is a JSON object under construction.
type obj = map[string]any

// baseConfig listens on an ephemeral loopback port and logs only errors.
func baseConfig() obj {
	return obj{
		"interface": "ws://127.0.0.1:0",
		"logging":   obj{"console-log-level": "error"},
	}
}

// quietConfig is baseConfig for opens that are expected to fail: the
// failure is logged at error level, which the test does not want to see.
func quietConfig() obj {
	c := baseConfig()
	c["logging"] = obj{"console-log-level": "off"}
	return c
}

// with returns a copy of base with the given keys set.
func with(base obj, kv ...any) obj {
	out := maps.Clone(base)
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

// parse builds a validated configuration the way VSCPOpen does, with dir
// as the base of relative paths.
func parse(tb testing.TB, doc obj) *config.Config {
	tb.Helper()
	data, err := json.Marshal(doc)
	if err != nil {
		tb.Fatalf("marshal config: %v", err)
	}
	cfg, err := config.Parse(data, config.SourceInline, tb.TempDir())
	if err != nil {
		tb.Fatalf("config %s: %v", data, err)
	}
	return cfg
}

// open opens an instance and closes it at the end of the test.
func open(tb testing.TB, doc obj) *driver.Driver {
	tb.Helper()
	d, err := driver.Open(parse(tb, doc), testGUID)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { _ = d.Close() })
	return d
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	if err := ln.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	return port
}

func loopback(port int) string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) }

// dialable reports whether a TCP connection to addr can be established.
func dialable(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return false
	}
	_ = c.Close()
	return true
}

// bindable reports whether addr can be listened on right now.
func bindable(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return ln.Close()
}

// newClient returns an HTTP client with its own transport, whose idle
// connections are closed at the end of the test.
func newClient(tb testing.TB) *http.Client {
	tr := &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 4}
	tb.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: httpTimeout}
}

// response is one finished HTTP exchange.
type response struct {
	code   int
	header http.Header
	body   []byte
}

// do sends one request to the instance and reads the whole answer.
func do(tb testing.TB, c *http.Client, method string, d *driver.Driver, path string) response {
	tb.Helper()
	req, err := http.NewRequest(method, "http://"+d.Addr().String()+path, nil)
	if err != nil {
		tb.Fatalf("request: %v", err)
	}
	resp, err := c.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("%s %s: body: %v", method, path, err)
	}
	return response{code: resp.StatusCode, header: resp.Header, body: body}
}

// counter reads one counter from a Stats snapshot, failing on an unknown
// name so that a typo cannot pass as "zero".
func counter(tb testing.TB, d *driver.Driver, name string) uint64 {
	tb.Helper()
	v, ok := d.Stats().CounterByName[name]
	if !ok {
		tb.Fatalf("no counter %q", name)
	}
	return v
}

// waitCounters polls until every named counter has its wanted value; the
// dispatcher updates them asynchronously.
func waitCounters(t *testing.T, d *driver.Driver, want map[string]uint64) {
	t.Helper()
	deadline := time.Now().Add(eventually)
	for {
		got := d.Stats().CounterByName
		ok := true
		for k, v := range want {
			if got[k] != v {
				ok = false
			}
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			sub := map[string]uint64{}
			for k := range want {
				sub[k] = got[k]
			}
			t.Fatalf("counters after %v: got %v, want %v", eventually, sub, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// openFDs counts this process's open file descriptors.
func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatalf("read /proc/self/fd: %v", err)
	}
	return len(ents)
}

// settleTo waits up to settle for measure() to drop to at most limit and
// returns the last value.
func settleTo(limit int, measure func() int) int {
	deadline := time.Now().Add(settle)
	for {
		n := measure()
		if n <= limit || time.Now().After(deadline) {
			return n
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// baseline returns the goroutine and fd counts once the process is quiet:
// the lowest values seen over a short window, so that leftovers of an
// earlier test that are still ending do not inflate it.
func baseline(t *testing.T) (goroutines, fds int) {
	t.Helper()
	goroutines, fds = runtime.NumGoroutine(), openFDs(t)
	for range 20 {
		time.Sleep(10 * time.Millisecond)
		goroutines = min(goroutines, runtime.NumGoroutine())
		fds = min(fds, openFDs(t))
	}
	return goroutines, fds
}

// checkNoLeak asserts that goroutines and fds come back to the baseline
// plus slack.
func checkNoLeak(t *testing.T, what string, g0, f0, slack int) (g1, f1 int) {
	t.Helper()
	// Wait for the exact baseline, so the logged numbers are the settled
	// ones, but only fail beyond the slack.
	g1 = settleTo(g0, runtime.NumGoroutine)
	f1 = settleTo(f0, func() int { return openFDs(t) })
	if g1 > g0+slack {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		t.Errorf("%s: goroutines before %d after %d (slack %d)\n%s", what, g0, g1, slack, buf)
	}
	if f1 > f0+slack {
		t.Errorf("%s: fds before %d after %d (slack %d)", what, f0, f1, slack)
	}
	return g1, f1
}

// writeFile writes a file readable by the owner only (key and users files
// warn otherwise) and returns its path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatalf("write %s: %v", p, err)
	}
	return p
}

// ev builds a test event; obid identifies it.
func ev(class, typ uint16, obid uint32, data ...byte) *vscp.Event {
	return &vscp.Event{Head: 3 << 5, OBID: obid, Class: class, Type: typ, GUID: testGUID, Timestamp: obid * 7, Data: data}
}

// errIs reports a mismatch between err and want in the usual words.
func errIs(err, want error) error {
	if errors.Is(err, want) {
		return nil
	}
	return fmt.Errorf("got error %v, want %v", err, want)
}
