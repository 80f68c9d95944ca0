package driver_test

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/vscp-go/vscpl2drv-websocksrv/driver"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/vscp"
)

// specCounters are the counters the status document must carry, written out
// here rather than taken from the stats package, so that a counter lost
// there fails.
var specCounters = []string{
	"sessions_accepted", "sessions_rejected_max_clients", "sessions_rejected_remote", "sessions_closed",
	"auth_ok", "auth_failed", "auth_closed", "auth_timeouts", "auth_throttled", "binary_ignored",
	"client_events_received", "client_events_accepted",
	"client_events_rejected_auth", "client_events_rejected_rights", "client_events_rejected_syntax", "client_events_rejected_full",
	"priority_clamped", "in_filtered", "host_events_read", "host_events_written", "host_write_full",
	"out_filtered", "out_unrouted", "events_forwarded", "events_delivered",
	"session_dropped_overflow", "session_filtered", "session_cleared", "session_discarded",
	"mqtt_connects", "mqtt_disconnects", "mqtt_published", "mqtt_publish_dropped", "mqtt_publish_errors",
	"mqtt_received", "mqtt_decode_errors", "mqtt_loop_suppressed", "mqtt_out_queue_full",
}

// objectKeys returns the keys of the JSON object in data, in document order,
// and each key's raw value. It fails on anything that is not one object.
func objectKeys(t *testing.T, data []byte) ([]string, map[string]json.RawMessage) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		t.Fatalf("not a JSON object: %v %v\n%s", tok, err, data)
	}
	var keys []string
	vals := map[string]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatalf("key: %v\n%s", err, data)
		}
		k := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("value of %q: %v", k, err)
		}
		if _, dup := vals[k]; dup {
			t.Errorf("duplicate key %q", k)
		}
		keys = append(keys, k)
		vals[k] = v
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		t.Fatalf("object not closed: %v %v", tok, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		t.Fatalf("data after the object: %v", err)
	}
	return keys, vals
}

// getStatus fetches the status document and checks the parts common to
// every GET.
func getStatus(t *testing.T, c *http.Client, d *driver.Driver, path string) ([]string, map[string]json.RawMessage) {
	t.Helper()
	r := do(t, c, http.MethodGet, d, path)
	if r.code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, r.code, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	if cc := r.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, r.body); err != nil {
		t.Fatalf("body is not valid JSON: %v\n%s", err, r.body)
	}
	if !bytes.Equal(compact.Bytes(), r.body) {
		t.Errorf("body is not compact JSON:\n%s", r.body)
	}
	return objectKeys(t, r.body)
}

// wantKeys checks that an object of the status document starts with the
// specified keys in the specified order; further keys are allowed, but only
// at the end of an object.
func wantKeys(t *testing.T, what string, got, want []string) {
	t.Helper()
	if len(got) < len(want) || !slices.Equal(got[:len(want)], want) {
		t.Errorf("%s keys %v, want %v first, in that order", what, got, want)
	} else if len(got) > len(want) {
		t.Logf("%s: further keys at the end %v", what, got[len(want):])
	}
}

func str(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatalf("want a string, got %s", raw)
	}
	return s
}

func uintOf(t *testing.T, raw json.RawMessage) uint64 {
	t.Helper()
	var n uint64
	if err := json.Unmarshal(raw, &n); err != nil {
		t.Fatalf("want an unsigned integer, got %s", raw)
	}
	return n
}

// GET answers 200 with the document: its top-level keys in the specified
// order, the fixed identity strings, the interface GUID, the configured ABI
// and capacities, and every required counter.
func TestStatusDocumentContent(t *testing.T) {
	wantTop := []string{"driver", "version", "vendor", "protocols", "abi", "guid", "started", "uptime",
		"sessions", "queues", "counters", "mqtt"}
	tests := []struct {
		name                                string
		doc                                 obj
		guid                                vscp.GUID
		wantGUID, wantABI                   string
		wantMax, wantIn, wantOut, wantSessQ uint64
	}{
		{name: "defaults", doc: obj{}, guid: testGUID, wantGUID: testGUIDText, wantABI: "v15.0",
			wantMax: 100, wantIn: 32000, wantOut: 32000, wantSessQ: 1000},
		{name: "abi v15.1 and sizes", doc: obj{"abi": "v15.1", "max-clients": 0, "max-in-queue": 5,
			"max-out-queue": 6, "max-client-queue-size": 7},
			guid:     vscp.GUID{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0x0a, 0xbb, 0xcc, 0xdd, 0xee, 0xff},
			wantGUID: "00:01:02:03:04:05:06:07:08:09:0A:BB:CC:DD:EE:FF", wantABI: "v15.1",
			wantMax: 0, wantIn: 5, wantOut: 6, wantSessQ: 7},
		{name: "zero GUID", doc: obj{"abi": "v15.0"}, wantGUID: "00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00",
			wantABI: "v15.0", wantMax: 100, wantIn: 32000, wantOut: 32000, wantSessQ: 1000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := baseConfig()
			for k, v := range tc.doc {
				doc[k] = v
			}
			before := time.Now().UTC().Truncate(time.Second)
			d, err := driver.Open(parse(t, doc), tc.guid)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			t.Cleanup(func() { _ = d.Close() })
			for i := range 2 {
				if ok, err := d.Submit(ev(10, 1, uint32(i))); !ok || err != nil {
					t.Fatalf("Submit = %v, %v", ok, err)
				}
			}
			for i := range 3 {
				if err := d.Write(ev(10, 1, uint32(i)), time.Second); err != nil {
					t.Fatalf("Write: %v", err)
				}
			}
			waitCounters(t, d, map[string]uint64{"out_unrouted": 3})

			keys, v := getStatus(t, newClient(t), d, "/rest")
			after := time.Now().UTC()
			wantKeys(t, "top-level", keys, wantTop)
			for key, want := range map[string]string{
				"driver":  "vscpl2drv-websocksrv",
				"version": "15.3.0-0",
				"vendor":  "vscpl2drv-websocksrv (Go), VSCP Level II websocket server driver, https://www.vscp.org",
				"abi":     tc.wantABI,
				"guid":    tc.wantGUID,
			} {
				if got := str(t, v[key]); got != want {
					t.Errorf("%s = %q, want %q", key, got, want)
				}
			}
			pk, pv := objectKeys(t, v["protocols"])
			wantKeys(t, "protocols", pk, []string{"ws1", "ws2"})
			if ws1, ws2 := str(t, pv["ws1"]), str(t, pv["ws2"]); ws1 != "1.0.0.0" || ws2 != "1.0.0-0" {
				t.Errorf("protocols ws1 %q ws2 %q, want 1.0.0.0 and 1.0.0-0", ws1, ws2)
			}

			started := str(t, v["started"])
			if !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`).MatchString(started) {
				t.Errorf("started %q is not UTC without fraction", started)
			}
			if st, err := time.Parse(time.RFC3339, started); err != nil || st.Before(before) || st.After(after) {
				t.Errorf("started %q not between Open (%v) and the GET (%v)", started, before, after)
			}
			if up := uintOf(t, v["uptime"]); up > uint64(after.Sub(before)/time.Second)+1 {
				t.Errorf("uptime %d s, but the instance is younger", up)
			}

			sk, sv := objectKeys(t, v["sessions"])
			wantKeys(t, "sessions", sk, []string{"current", "max", "ws1", "ws2", "authenticated", "open"})
			if got := uintOf(t, sv["max"]); got != tc.wantMax {
				t.Errorf("sessions.max = %d, want %d", got, tc.wantMax)
			}
			if got := uintOf(t, sv["current"]); got != 0 {
				t.Errorf("sessions.current = %d, want 0", got)
			}

			var q struct {
				In      struct{ Depth, Capacity uint64 }
				Out     struct{ Depth, Capacity uint64 }
				Session struct {
					Capacity   uint64
					MaxDepth   uint64 `json:"max_depth"`
					TotalDepth uint64 `json:"total_depth"`
				}
			}
			qk, qv := objectKeys(t, v["queues"])
			wantKeys(t, "queues", qk, []string{"in", "out", "session"})
			ik, _ := objectKeys(t, qv["in"])
			wantKeys(t, "queues.in", ik, []string{"depth", "capacity"})
			ok, _ := objectKeys(t, qv["out"])
			wantKeys(t, "queues.out", ok, []string{"depth", "capacity"})
			ssk, _ := objectKeys(t, qv["session"])
			wantKeys(t, "queues.session", ssk, []string{"capacity", "max_depth", "total_depth"})
			if err := json.Unmarshal(v["queues"], &q); err != nil {
				t.Fatalf("queues: %v", err)
			}
			if q.In.Depth != 2 || q.In.Capacity != tc.wantIn || q.Out.Capacity != tc.wantOut || q.Session.Capacity != tc.wantSessQ {
				t.Errorf("queues = %s, want in 2/%d, out capacity %d, session capacity %d",
					v["queues"], tc.wantIn, tc.wantOut, tc.wantSessQ)
			}

			ck, cv := objectKeys(t, v["counters"])
			if len(ck) < len(specCounters) {
				t.Errorf("%d counters, want at least the %d required ones", len(ck), len(specCounters))
			}
			for _, name := range specCounters {
				raw, ok := cv[name]
				if !ok {
					t.Errorf("counter %q missing", name)
					continue
				}
				want := map[string]uint64{"host_events_written": 3, "out_unrouted": 3}[name]
				if got := uintOf(t, raw); got != want {
					t.Errorf("counter %s = %d, want %d", name, got, want)
				}
			}

			mk, mv := objectKeys(t, v["mqtt"])
			wantKeys(t, "mqtt", mk, []string{"enabled", "connected", "broker", "subscriptions", "publish_topics"})
			for k, want := range map[string]string{"enabled": "false", "connected": "false", "broker": `""`,
				"subscriptions": "0", "publish_topics": "0"} {
				if string(mv[k]) != want {
					t.Errorf("mqtt.%s = %s, want %s (no mqtt block configured)", k, mv[k], want)
				}
			}
		})
	}
}

// HEAD answers like GET without a body; any other method is 405 with Allow:
// GET, HEAD.
func TestStatusMethods(t *testing.T) {
	d := open(t, baseConfig())
	c := newClient(t)
	tests := []struct {
		method   string
		wantCode int
		wantBody bool
	}{
		{http.MethodGet, http.StatusOK, true},
		{http.MethodHead, http.StatusOK, false},
		{http.MethodPost, http.StatusMethodNotAllowed, true},
		{http.MethodPut, http.StatusMethodNotAllowed, true},
		{http.MethodDelete, http.StatusMethodNotAllowed, true},
		{http.MethodPatch, http.StatusMethodNotAllowed, true},
		{http.MethodOptions, http.StatusMethodNotAllowed, true},
	}
	for _, tc := range tests {
		t.Run(tc.method, func(t *testing.T) {
			r := do(t, c, tc.method, d, "/rest")
			if r.code != tc.wantCode {
				t.Fatalf("%s /rest: %d, want %d", tc.method, r.code, tc.wantCode)
			}
			if got := len(r.body) > 0; got != tc.wantBody {
				t.Errorf("body present = %v, want %v: %q", got, tc.wantBody, r.body)
			}
			switch tc.wantCode {
			case http.StatusOK:
				if ct := r.header.Get("Content-Type"); ct != "application/json" {
					t.Errorf("Content-Type %q", ct)
				}
				if cc := r.header.Get("Cache-Control"); cc != "no-store" {
					t.Errorf("Cache-Control %q", cc)
				}
			case http.StatusMethodNotAllowed:
				if a := r.header.Get("Allow"); a != "GET, HEAD" {
					t.Errorf("Allow %q, want %q", a, "GET, HEAD")
				}
			}
		})
	}
}

// The document is served exactly at the normalised url-rest path (the query
// string ignored, case-sensitive) and only when enable-rest; every other path
// is 404 when no other endpoint claims it.
func TestStatusRouting(t *testing.T) {
	// No websocket or static endpoint, so 404 is the specified answer for
	// every path that is not the status document.
	noOthers := with(baseConfig(), "enable-ws1", false, "enable-ws2", false, "enable-static", false)
	tests := []struct {
		name  string
		doc   obj
		paths map[string]int
	}{
		{"default /rest", noOthers, map[string]int{
			"/rest": 200, "/rest?x=1&y": 200, "/": 404, "/ws1": 404, "/ws2": 404, "/nope": 404,
			"/REST": 404, "/rest/": 404, "/rest/x": 404, "/restx": 404}},
		{"url-rest without slash", with(noOthers, "url-rest", "status"), map[string]int{
			"/status": 200, "/rest": 404, "/status/": 404}},
		{"url-rest with trailing slash", with(noOthers, "url-rest", "/a/b/"), map[string]int{
			"/a/b": 200, "/a/b/": 404, "/a": 404, "/rest": 404}},
		{"enable-rest false", with(noOthers, "enable-rest", false), map[string]int{
			"/rest": 404, "/": 404}},
		{"default endpoints enabled, websockets not yet served", baseConfig(), map[string]int{
			"/rest": 200, "/nope": 404}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := open(t, tc.doc)
			c := newClient(t)
			for _, path := range slices.Sorted(maps.Keys(tc.paths)) {
				r := do(t, c, http.MethodGet, d, path)
				if r.code != tc.paths[path] {
					t.Errorf("GET %s: %d, want %d", path, r.code, tc.paths[path])
				}
				if r.code == http.StatusNotFound && string(r.body) != "Not Found\n" {
					t.Errorf("GET %s: 404 body %q", path, r.body)
				}
			}
		})
	}
}

// allow-remotes is checked first on every request; a denied peer gets 403
// "Forbidden\n", counted in sessions_rejected_remote.
func TestStatusAllowRemotes(t *testing.T) {
	tests := []struct {
		name    string
		remotes any
		allowed bool
	}{
		{"deny-only list denying loopback", "-127.0.0.1", false},
		{"deny loopback network", []any{"-127.0.0.0/8"}, false},
		{"allow loopback", "+127.0.0.1", true},
		{"allow list without loopback", "+10.0.0.0/8", false},
		{"deny-only list of another host", "-10.1.2.3", true},
		{"last matching rule wins", "-127.0.0.0/8,+127.0.0.1", true},
		{"empty list allows all", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := open(t, with(baseConfig(), "allow-remotes", tc.remotes, "enable-static", false))
			c := newClient(t)
			paths := []string{"/rest", "/nope"}
			for _, path := range paths {
				r := do(t, c, http.MethodGet, d, path)
				want := map[string]int{"/rest": 200, "/nope": 404}[path]
				if !tc.allowed {
					want = http.StatusForbidden
				}
				if r.code != want {
					t.Fatalf("GET %s: %d, want %d", path, r.code, want)
				}
				if !tc.allowed && string(r.body) != "Forbidden\n" {
					t.Errorf("403 body %q, want %q", r.body, "Forbidden\n")
				}
			}
			if r := do(t, c, http.MethodPost, d, "/rest"); !tc.allowed && r.code != http.StatusForbidden {
				t.Errorf("POST from a denied peer: %d, want 403 before 405", r.code)
			}
			want := uint64(0)
			if !tc.allowed {
				want = uint64(len(paths) + 1)
			}
			if got := counter(t, d, "sessions_rejected_remote"); got != want {
				t.Errorf("sessions_rejected_remote = %d, want %d", got, want)
			}
		})
	}
}

// The document is rendered per request, so it shows the counters as they are
// now.
func TestStatusReflectsLiveCounters(t *testing.T) {
	d := open(t, baseConfig())
	c := newClient(t)
	read := func() uint64 {
		_, v := getStatus(t, c, d, "/rest")
		_, cv := objectKeys(t, v["counters"])
		return uintOf(t, cv["host_events_written"])
	}
	if got := read(); got != 0 {
		t.Fatalf("host_events_written = %d before any Write", got)
	}
	for i := range 5 {
		if err := d.Write(ev(10, 1, uint32(i)), time.Second); err != nil {
			t.Fatal(err)
		}
	}
	if got := read(); got != 5 {
		t.Fatalf("host_events_written = %d after 5 Writes", got)
	}
}

// With port 0 the real port is shown in the status document.
func TestStatusShowsTheRealPort(t *testing.T) {
	d := open(t, baseConfig())
	r := do(t, newClient(t), http.MethodGet, d, "/rest")
	if r.code != http.StatusOK {
		t.Fatalf("GET /rest: %d", r.code)
	}
	if addr := d.Addr().String(); !bytes.Contains(r.body, []byte(`"`+addr+`"`)) {
		t.Errorf("status document does not show the bound address %s:\n%s", addr, r.body)
	}
}
